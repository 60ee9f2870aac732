"""Whose an output is, and whom it speaks of: the person's name, the diary, the third person.

Two persons on one laptop had two clinician pages titled "mgsleep clinician summary
(2026-11-29)", both naming "Diary diary.csv" (the couple audit, 2026-12): the diary is named
with the folder it is in (``sam/diary.csv``) and the page with the profile's ``name``
(:func:`whose`). A page for a clinician speaks of the person in the third person
(:func:`third_person`).
"""

from __future__ import annotations

import re

from model.core.paths import diary_label
from model.data.profile import Profile


def whose(profile: Profile, source: str) -> str:
    """``Alex, alex/diary.csv``: the profile's name (when given) and :func:`diary_label`."""
    label = diary_label(source)
    return f"{profile.name}, {label}" if profile.name else label


_YOU = re.compile(r"\b(?:(about|at|by|does|for|from|harms?|helps?|of|on|than|to|treating|with) )?"
                  r"(you(?:rself|rs|r)?)\b", re.IGNORECASE)
"""A "you" or "your", and the word before it if it makes "you" an object ("for you")."""
_THEIR = {"your": "their", "yours": "theirs", "yourself": "themselves"}


def third_person(text: str) -> str:
    """A warning worded for the patient, in the page's third person: "your" is "their".

    Stop 74's note: the page says "the person", "they", but listed its warnings as the
    patient read them ("your last 6 nights", "you had ..."). "They" takes the verbs of
    "you" (they have, they were), so only the pronoun changes, "them" as an object.
    """
    def swap(m: re.Match[str]) -> str:
        said = _THEIR.get(m[2].lower(), "them" if m[1] else "they")
        return f"{m[1] + ' ' if m[1] else ''}{said.capitalize() if m[2][0].isupper() else said}"

    return _YOU.sub(swap, text)
