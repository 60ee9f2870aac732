"""Whose an output is: the person's name (profile ``name``) and the diary by its folder.

Two persons on one laptop had two clinician pages titled "mgsleep clinician summary
(2026-11-29)", both naming "Diary diary.csv" (the couple audit, 2026-12): the diary is named
with the folder it is in (``sam/diary.csv``) and the page with the profile's ``name``.
"""

from __future__ import annotations

import os
from pathlib import Path

from model.data.profile import Profile


def diary_label(source: str) -> str:
    """The diary's file name with the folder it is in: ``sam/diary.csv``.

    A name given without a folder is placed in the folder it was read from when that file is
    there (``diary.csv`` read in ``sam/``); a name of no file (``<DataFrame>``, the demo's
    example) is shown as it is.
    """
    path = Path(source)
    if source.startswith("<") or not (path.parent.name or path.is_file()):
        return path.name or source
    folder = Path(os.path.abspath(source)).parent.name
    return f"{folder}/{path.name}" if folder else path.name


def whose(profile: Profile, source: str) -> str:
    """``Alex, alex/diary.csv``: the profile's name (when given) and :func:`diary_label`."""
    label = diary_label(source)
    return f"{profile.name}, {label}" if profile.name else label
