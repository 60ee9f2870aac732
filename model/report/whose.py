"""Whose an output is: the person's name (profile ``name``) and the diary by its folder.

Two persons on one laptop had two clinician pages titled "mgsleep clinician summary
(2026-11-29)", both naming "Diary diary.csv" (the couple audit, 2026-12): the diary is named
with the folder it is in (``sam/diary.csv``) and the page with the profile's ``name``.
"""

from __future__ import annotations

from model.core.paths import diary_label
from model.data.profile import Profile


def whose(profile: Profile, source: str) -> str:
    """``Alex, alex/diary.csv``: the profile's name (when given) and :func:`diary_label`."""
    label = diary_label(source)
    return f"{profile.name}, {label}" if profile.name else label
