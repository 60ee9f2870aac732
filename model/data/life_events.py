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
  :mod:`model.decision.diary_mentions`). A text that only names a menstrual period
  (:func:`names_period`) is no change of life (:func:`other_changes`).
- ``exclude`` (:data:`~model.data.diary_columns.EXCLUDE`): 1 or a word (``travel``, ``ill``)
  on a night whose sleep outcomes are not to be read. They are read as not recorded
  (:data:`LEFT_OUT`); the dose and the stool/GI columns are kept, since the build-up of
  magnesium's effect and the GI safety rules need them (:func:`leave_out`), but on a night
  whose reason names a menstrual period, whose stool/GI record is the period's
  (:data:`PERIOD_LEFT_OUT`).

A menstrual period is a recurring event, not a change of life, and gut trouble at it is not
magnesium's (an outside audit, /tmp/w51/a F4, F6): "period started" in ``other_change`` held
every change for a gain or to learn for 19-22 nights after each period, about two thirds of
a 26-31-night cycle, and loose stools on the first days of each period on glycinate read
"GI nights +4.9 a month ... harms you", fired the acute GI rule at every look within a week of
a period and blocked glycinate, with no way to say the nights were the period's.

Nights missing between recorded dates are said by :mod:`model.data.unwritten_nights`.
"""

from __future__ import annotations

import re

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


PERIOD_WORDS: tuple[str, ...] = ("period", "periods", "menses", "menstruation",
                                 "menstruating", "menstrual period", "pms", "pmt")
"""The words of a menstrual period that a diary text may name it by (:func:`names_period`)."""

_PERIOD = re.compile(
    r"(?:(?:got|on|started|start of|first day of|day \d+ of) )?(?:my )?"
    rf"(?:{'|'.join(PERIOD_WORDS)})"
    r"(?: (?:started|starts|start|began|begins|begun|came|arrived|again|today|cramps|pain"
    r"|day ?\d+))*")


def names_period(text: str) -> bool:
    """Whether a diary text (``other_change``, an ``exclude`` reason) says only a period.

    The whole text, in any case and punctuation aside, is a word of :data:`PERIOD_WORDS`,
    alone (``period``, ``PMS``) or as said of a period (``period started``, ``got my
    period``, ``on my period``, ``period day 2``, ``menses began``). ``period`` alone is read
    as a menstrual period: these columns say what happened in a life, not the trial's
    evaluation period. A period within other words is not: ``busy period at work`` and
    ``placebo period`` are not, nor ``period started, began melatonin``, which names another
    change too.
    """
    return bool(_PERIOD.fullmatch(" ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())))


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


PERIOD_LEFT_OUT: tuple[str, ...] = ("stool_bristol", "gi_upset")
"""The stool/GI record that a night excluded for a menstrual period does not give either."""


def leave_out(table: pd.DataFrame, recorded: pd.DataFrame,
              name: str) -> tuple[pd.DataFrame, list[str]]:
    """The parsed nights with ``other_change`` and ``exclude`` read, and their warnings.

    ``table``: the diary as read (columns normalised); ``recorded``: its parsed nights, by
    date. Each night gains the text of ``other_change`` and the reason of ``exclude``
    (:func:`exclude_reason`), "" without; an excluded night's sleep outcomes (:data:`LEFT_OUT`)
    become not recorded, its dose and stool/GI record stay. On a night whose reason names a
    menstrual period (:func:`names_period`: ``exclude = period``) the stool/GI record
    (:data:`PERIOD_LEFT_OUT`) is not recorded either, on and off magnesium alike: the one
    way to say its gut trouble is the period's, read by the fit's GI counts (the GI chance
    constraint, the GI figure) and the GI rules as by every reader of the diary. Counting
    such nights toward the person's own rate without magnesium instead would raise the
    acute rule's allowance on every other night (:func:`model.decision.rules.acute_gi`), and
    leaving them out on magnesium only would set the period's gut trouble against magnesium
    in the fit. A warning says how many nights were left out, and the words given, with the
    period's records and what is not seen; another, of ``other_change`` naming a period
    (:func:`period_change_warnings`).
    """
    changes = _by_date(table, OTHER_CHANGE, other_change_text)
    reasons = _by_date(table, EXCLUDE, exclude_reason)
    out = recorded.copy()
    out[OTHER_CHANGE] = [changes.get(day, "") for day in out.index]
    out[EXCLUDE] = [reasons.get(day, "") for day in out.index]
    said = period_change_warnings(out, name)
    excluded = (out[EXCLUDE] != "").to_numpy(bool)
    if not excluded.any():
        return out, said
    period = excluded & out[EXCLUDE].map(names_period).to_numpy(bool)
    gi_columns = [c for c in PERIOD_LEFT_OUT if c in out.columns]
    records = int(out.loc[period, gi_columns].notna().any(axis=1).sum())
    out.loc[excluded, [c for c in LEFT_OUT if c in out.columns]] = np.nan
    out.loc[period, gi_columns] = np.nan
    counts = pd.Series(out.loc[excluded, EXCLUDE]).value_counts(sort=False)
    words = ", ".join(f"{reason} {count}" for reason, count in counts.items())
    return out, [f"{name}: {int(excluded.sum())} night(s) left out (column exclude: {words}; "
                 f"{_span(out.index[excluded])}): their sleep outcomes (latency, awakenings, "
                 "WASO, quality, freshness, anxiety) are read as not recorded; their dose and "
                 f"stool/GI records are kept{_period_records(out.index[period], records)}",
                 *said]


def _span(days: pd.Index) -> str:
    """``2026-09-02 to 2026-09-05``: the first and the last of ``days`` (dates); one: it."""
    first, last = (pd.Timestamp(day).date() for day in (days.min(), days.max()))
    return f"{first}" if first == last else f"{first} to {last}"


def _period_records(days: pd.Index, records: int) -> str:
    """What :func:`leave_out` says of the nights excluded for a period (``days``); "" none.

    ``records``: those of them with a stool/GI record, read as the period's.
    """
    if not len(days):
        return ""
    return (f", but the {records} stool/GI record(s) of the {len(days)} night(s) whose reason "
            f"names a menstrual period ({_span(days)}) are read as the period's, not "
            "magnesium's, and as not recorded: they count for no GI rule and no GI figure, so "
            "loose stools or an upset stomach that magnesium gave on those nights are not seen "
            "either; mark only the nights of your period")


def period_change_warnings(nights: pd.DataFrame, name: str) -> list[str]:
    """One warning when ``other_change`` names a menstrual period (:func:`names_period`).

    ``nights``: by date, with the ``other_change`` text (:func:`other_change_text`). Such a
    night is no change of life (:func:`other_changes`); the warning says so once, with the
    nights and the column for it.
    """
    period = nights[OTHER_CHANGE].map(names_period).to_numpy(bool)
    if not period.any():
        return []
    first = str(nights[OTHER_CHANGE].iloc[period.argmax()])
    return [f"{name}: other_change names a menstrual period on {int(period.sum())} night(s) "
            f"({first!r}; {_span(nights.index[period])}): a period is read as "
            "a recurring event, not a change in your life, so it holds no change to magnesium "
            "and is not named beside a change of regimen; write it in notes (and exclude = "
            "period on a night whose loose stools or upset stomach were the period's)"]


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
    """Every night with an ``other_change``, with its text, oldest first.

    The one reading of the column as changes of life: the decision's hold
    (:attr:`model.decision.history.History.other_change`), the separability reasons and the
    figures' marks all take them from here. A text that only names a menstrual period
    (:func:`names_period`) is none: a recurring event, said once by
    :func:`period_change_warnings`.
    """
    return [(day, text) for day, _, text in written_texts(nights, (OTHER_CHANGE,))
            if not names_period(text)]
