"""What a diary was read with a caveat about, issued as Python warnings a notebook shows."""

from __future__ import annotations

from collections.abc import Iterable

from model.core.errors import warn_caller


class DiaryWarning(UserWarning):
    """What a diary was read with a caveat about (an unknown column, planned nights left out).

    :func:`model.data.diary.read_diary` issues each of :attr:`Diary.warnings` as one, and
    :func:`model.analysis.pipeline.analyze` each it adds (planned nights left out), so that a
    notebook shows them; ``mgsleep analyze`` prints them once on standard error. Only
    ``analyze`` did: ``read_diary`` and ``PersonalModel.fit`` read a column ``qualty`` as
    ``quality`` in silence (a notebook user's audit, B F3).
    """


def issue_diary_warnings(notes: Iterable[str]) -> None:
    """Issue each note once as a :class:`DiaryWarning`, attributed to the caller's code."""
    for note in dict.fromkeys(notes):
        warn_caller(note, DiaryWarning)
