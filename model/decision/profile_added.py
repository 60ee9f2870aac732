"""The profile with entries the diary's free text adds: its names, keys and check kept.

One definition for the three readers that add to it (:mod:`model.decision.diary_mentions`,
:mod:`model.decision.diary_magnesium`, :mod:`model.decision.unknown_medicines`): the keys the
person wrote stay theirs (:func:`model.decision.screening.profile_given` reads them), and the
profile stays the one :func:`model.data.profile.checked_profile` returned.
"""

from __future__ import annotations

from collections.abc import Sequence

from model.data.profile import Profile


def added(profile: Profile, conditions: Sequence[str] = (),
          medications: Sequence[str] = ()) -> Profile:
    """``profile`` with ``conditions`` and ``medications`` after its own (itself if none)."""
    if not conditions and not medications:
        return profile
    extended = profile.model_copy(update={
        "conditions": (*profile.conditions, *conditions),
        "medications": (*profile.medications, *medications)})
    extended.__pydantic_fields_set__ = set(profile.model_fields_set)
    return extended
