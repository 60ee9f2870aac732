"""The words a 0/1 cell may hold for 1 and 0: one reading for the diary, ``exclude`` and ``log``.

A hand-kept ``Period`` column of ``yes`` and ``x`` was refused ("expected 0 or 1 ..., got
'yes'") while ``mgsleep log --menstruation yes`` was taken, and ``exclude`` read ``x`` as 1 (an
outside audit, /tmp/w56/m M6): the diary's 0/1 columns
(:attr:`~model.data.diary_columns.ColumnRange.binary`), a night's ``exclude``
(:func:`model.data.life_events.exclude_reason`) and ``mgsleep log``'s y/n answers
(:data:`model.cli.log_questions.ANSWERS`) now read these words alike. No pandas here:
``mgsleep --help`` loads ``log``'s questions.
"""

from __future__ import annotations

YES_WORDS = frozenset({"yes", "y", "true", "x"})
"""Words read as 1 (any case, spaces around): ``x`` is a ticked box."""
NO_WORDS = frozenset({"no", "n", "false"})
"""Words read as 0 (any case, spaces around)."""
WORDS_SAID = "yes, y, true or x for 1; no, n or false for 0"
"""The words, as a message names them."""


def yes_no(value: object) -> float | None:
    """1.0 for a word of :data:`YES_WORDS`, 0.0 for one of :data:`NO_WORDS`, else None."""
    if not isinstance(value, str):
        return None
    text = value.strip().lower()
    return 1.0 if text in YES_WORDS else 0.0 if text in NO_WORDS else None
