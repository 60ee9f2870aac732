"""The person's complaint and weights in words: what the pages say of whose advice it is.

The advice is weighed by the person's main complaint (``complaint``) and utility weights
(:meth:`~model.data.profile.Profile.outcome_weights`); the clinician page said "magnesium for
sleep" of a person whose complaint was anxiety, the full report gave the weights under internal
keys (``sol 0.5``), and neither showed that a person had weighted falling asleep 0 beside
advice driven by it (an outside audit). :func:`weights_line` says both in plain words, the
outcomes heaviest first (:func:`~model.data.weights.heaviest_first`), and
:func:`heading_topic` what the clinician page's heading calls the magnesium for.
"""

from __future__ import annotations

from model.core.change_words import outcome_name
from model.data.profile import Profile
from model.data.weights import heaviest_first

COMPLAINT_WORDS: dict[str, str] = {"sleep_onset": "falling asleep",
                                   "night_waking": "night waking",
                                   "anxiety": "evening anxiety",
                                   "racing_thoughts": "racing thoughts at bedtime"}
"""Each complaint (the profile's ``complaint``) in words."""

HEADING_TOPICS: dict[str, str] = {"sleep_onset": "sleep (falling asleep)",
                                  "night_waking": "sleep (night waking)",
                                  "anxiety": "evening anxiety and sleep",
                                  "racing_thoughts": "racing thoughts and sleep"}
"""What the clinician page's heading says the magnesium is for, by complaint."""


def heading_topic(profile: Profile) -> str:
    """What the magnesium is for, by the profile's complaint: ``evening anxiety and sleep``."""
    return HEADING_TOPICS[profile.complaint]


def weights_line(profile: Profile, gi_weight: float) -> str:
    """The complaint and the weights the advice used, heaviest first, in words.

    ``Main complaint: evening anxiety; what counts most: evening anxiety (2), sleep quality
    (1), falling asleep (0.5), awakenings (0.5), morning freshness (0.5) (the defaults for this
    complaint); GI nights count 1 for everyone.`` (``gi_weight``, the decision's). A weight of
    0 is said as ``0: not counted``. Weights written in the profile are relative (rescaled to
    the defaults' total, :func:`model.data.weights.relative`): the numbers said are those used.
    """
    weights = profile.outcome_weights()
    said = ", ".join(f"{outcome_name(o)} ({_weight(weights[o])})"
                     for o in heaviest_first(weights))
    whose = ("the profile's own [weights], rescaled to the defaults' total"
             if profile.weights.model_dump(exclude_none=True)
             else "the defaults for this complaint")
    return (f"Main complaint: {COMPLAINT_WORDS[profile.complaint]}; what counts most: {said} "
            f"({whose}); GI nights count {gi_weight:.2g} for everyone.")


def _weight(value: float) -> str:
    """A weight as said: two significant digits, ``0: not counted`` for none."""
    return f"{value:.2g}" if value > 0 else "0: not counted"
