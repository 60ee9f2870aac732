"""Nights unlike the others: another change in a person's life, nights left out, nights missing.

A diary follows one person whose life does not hold still: a new medicine, melatonin,
CBT-I, travel, a cold (an outside audit, /tmp/w42/J: sertraline begun on night 30 was booked
on taurate; ten nights of jet lag and a week's cold turned a helpful glycinate into "harms
you (P 0.94)"). Two optional columns let the person say so:

- ``other_change`` (:data:`~model.data.diary_columns.OTHER_CHANGE`): text on the night
  something else changed. The decision holds changes made for a gain or to learn for one
  evaluation period after it (:func:`model.decision.overrides.held_for_other_change`), and the
  separability reasons name one near a change of regimen
  (:func:`model.personal.separability.other_change_near`). A condition or a medicine it
  names, or ``notes`` names, is screened (:func:`written_texts`,
  :mod:`model.decision.diary_mentions`).
- ``exclude`` (:data:`~model.data.diary_columns.EXCLUDE`): 1 or a word (``travel``, ``ill``)
  on a night whose sleep outcomes are not to be read. They are read as not recorded
  (:data:`LEFT_OUT`); the dose and the stool/GI columns are kept, since the build-up of
  magnesium's effect and the GI safety rules need them (:func:`leave_out`).

Nights missing between recorded dates are said by :mod:`model.data.unwritten_nights`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from model.data.diary_columns import EXCLUDE, OTHER_CHANGE, is_missing
from model.data.night_dates import as_date

LEFT_OUT: tuple[str, ...] = ("sol_min", "awakenings", "waso_min", "quality", "freshness",
                             "anxiety")
"""The sleep outcomes an excluded night does not give: not the stool form nor a GI upset."""

EXCLUDED = "excluded"
"""The reason of a night excluded with 1 or a yes (no word of its own)."""

KEPT_WORDS = frozenset({"no", "n", "false"})
"""Words of ``exclude`` that keep the night, as 0 does: ``no`` was a reason to leave it out."""

LEFT_OUT_WORDS = frozenset({"yes", "y", "true", "x"})
"""Words of ``exclude`` that leave the night out with no reason of their own, as 1 does."""


def exclude_reason(value: object) -> str:
    """A cell of ``exclude`` as the reason the night is left out ("": kept).

    Blank, 0 or a no (``no``, ``false``) keeps the night; 1 or a yes leaves it out
    (:data:`EXCLUDED`); another word (``travel``, ``ill``) leaves it out and is the reason,
    lower-case, spaces collapsed.
    """
    if is_missing(value):
        return ""
    text = " ".join(str(value).split()).lower()
    if text in KEPT_WORDS or text in LEFT_OUT_WORDS:
        return "" if text in KEPT_WORDS else EXCLUDED
    try:
        number = float(text)
    except ValueError:
        return text
    return "" if number == 0 else EXCLUDED


def other_change_text(value: object) -> str:
    """A cell of ``other_change`` as its text, spaces collapsed ("": nothing changed)."""
    return "" if is_missing(value) else " ".join(str(value).split())


def _by_date(table: pd.DataFrame, column: str, read: object) -> dict[pd.Timestamp, str]:
    """Each date of ``table`` with its ``column`` cell read by ``read`` (only those non-blank)."""
    if column not in table.columns:
        return {}
    out = {}
    for day, value in zip(table["date"], table[column], strict=True):
        date, text = as_date(day), read(value)  # type: ignore[operator]
        if date is not None and text:
            out[pd.Timestamp(date)] = text
    return out


def leave_out(table: pd.DataFrame, recorded: pd.DataFrame,
              name: str) -> tuple[pd.DataFrame, list[str]]:
    """The parsed nights with ``other_change`` and ``exclude`` read, and one warning.

    ``table``: the diary as read (columns normalised); ``recorded``: its parsed nights, by
    date. Each night gains the text of ``other_change`` and the reason of ``exclude``
    (:func:`exclude_reason`), "" without; an excluded night's sleep outcomes (:data:`LEFT_OUT`)
    become not recorded, its dose and stool/GI record stay. The warning says how many nights
    were left out, and the words given.
    """
    changes = _by_date(table, OTHER_CHANGE, other_change_text)
    reasons = _by_date(table, EXCLUDE, exclude_reason)
    out = recorded.copy()
    out[OTHER_CHANGE] = [changes.get(day, "") for day in out.index]
    out[EXCLUDE] = [reasons.get(day, "") for day in out.index]
    excluded = (out[EXCLUDE] != "").to_numpy(bool)
    if not excluded.any():
        return out, []
    columns = [c for c in LEFT_OUT if c in out.columns]
    out.loc[excluded, columns] = np.nan
    said = pd.Series(out.loc[excluded, EXCLUDE]).value_counts(sort=False)
    words = ", ".join(f"{reason} {count}" for reason, count in said.items())
    days = out.index[excluded]
    return out, [f"{name}: {int(excluded.sum())} night(s) left out (column exclude: {words}; "
                 f"{days[0].date()} to {days[-1].date()}): their sleep outcomes (latency, "
                 "awakenings, WASO, quality, freshness, anxiety) are read as not recorded; "
                 "their dose and stool/GI records are kept"]


WRITTEN_COLUMNS: tuple[str, ...] = (OTHER_CHANGE, "notes")
"""The diary's free-text columns a person may name a condition or a medicine in ("started
dialysis"), which :mod:`model.decision.diary_mentions` screens (a safety-case reviewer's
audit: "started dialysis" in ``other_change`` was quoted back, never screened)."""


def written_texts(nights: pd.DataFrame, columns: tuple[str, ...] = WRITTEN_COLUMNS
                  ) -> list[tuple[pd.Timestamp, str, str]]:
    """Every non-blank cell of ``columns``: its night, its column and its text, oldest first.

    A column the nights do not have gives none; the text has its spaces collapsed
    (:func:`other_change_text`). On one night ``other_change`` comes before ``notes``.
    """
    if not isinstance(nights.index, pd.DatetimeIndex):
        return []
    days = pd.DatetimeIndex(nights.index)
    found = [(day, order, column, text) for order, column in enumerate(columns)
             if column in nights.columns
             for day, text in zip(days, nights[column].map(other_change_text), strict=True)
             if text]
    return [(day, column, str(text)) for day, _, column, text in sorted(found, key=lambda f: f[:2])]


def other_changes(nights: pd.DataFrame) -> list[tuple[pd.Timestamp, str]]:
    """Every night with an ``other_change``, with its text, oldest first."""
    return [(day, text) for day, _, text in written_texts(nights, (OTHER_CHANGE,))]
