"""A menstrual period in the diary: the words for it, and the nights whose gut trouble is its.

A diary's free text (``other_change``, an ``exclude`` reason) may name a menstrual period,
a recurring event and no change of life (:func:`names_period`), or the trial's own step, a
``washout period`` that the diary's form column already says (:func:`names_plan_period`).
Only the words of the bleeding itself (:func:`names_bleeding`) set a night's stool/GI record
aside in ``exclude``, and no more of them than a period lasts (:func:`gi_set_aside`).

Outside audits: "period started" in ``other_change`` held every change 19-22 nights a month
and three loose period nights made glycinate "harms you" (/tmp/w51/a F4, F6); then
``exclude = period`` on ten straight watery-stool nights on citrate 300 mg read "Continue
citrate" (P over the GI limit 0.01; unmarked: "Stop taking magnesium"), ``PMS`` nights left
out for their sleep lost their GI record too, and "heavy period", "period ended" or the
trial's own "washout period started" were still changes of life (/tmp/w51/c C3, C10).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

BLEEDING_WORDS: tuple[str, ...] = ("period", "periods", "menses", "menstruation",
                                   "menstruating", "menstrual period", "menstrual bleeding")
"""The words of the bleeding itself. ``period`` alone is read as a menstrual period: these
columns say what happened in a life, not the trial's evaluation period."""

PREMENSTRUAL_WORDS: tuple[str, ...] = ("pms", "pmt", "premenstrual", "premenstrual syndrome",
                                       "premenstrual tension")
"""The words of the days before a period: a period's, but not its bleeding."""

NOT_BLEEDING: frozenset[str] = frozenset({"ended", "ends", "end", "finished", "over", "late",
                                          "due", "tomorrow", "soon", "pms", "pmt",
                                          "premenstrual"})
"""The words that say a period's text is of a night without its bleeding (``period ended``,
``period late``, ``period starts tomorrow``, ``PMS week``)."""

_BEFORE = (r"(?:got|had|on|started|start of|first day of|last day of|end of|day \d+ of|my"
           r"|heavy|light|late|bad|painful)")
_AFTER = (r"(?:started|starts|start|began|begins|begun|came|arrived|again|today|tonight"
          r"|cramps|cramping|pain|heavy|light|flow|week|day|\d+|ended|ends|finished|over|late"
          r"|due|tomorrow|soon)")
_PERIOD = re.compile(rf"(?:{_BEFORE} )*(?:{'|'.join(BLEEDING_WORDS + PREMENSTRUAL_WORDS)})"
                     rf"(?: {_AFTER})*")

PLAN_PERIODS: tuple[str, ...] = ("baseline", "treatment", "washout", "placebo", "run in")
"""The kinds of a trial's periods a diary may name as ``<kind> period``: a plan's own
(:data:`model.data.diary.PLAN_NOTES`), a placebo period and a run-in."""

_PLAN_PERIOD = re.compile(rf"(?:(?:start of|end of|first day of|last day of|started|began"
                          rf"|ended) )?(?:the |my )?(?:{'|'.join(PLAN_PERIODS)}) (?:period|phase)"
                          r"(?: (?:started|starts|start|began|begins|ended|ends|over|finished"
                          r"|again|today|day \d+|\d+))*")


def _words(text: str) -> str:
    """``text`` in lower case, each run of other than letters and digits one space."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


def names_period(text: str) -> bool:
    """Whether a diary text (``other_change``, an ``exclude`` reason) says only a period.

    The whole text, in any case and punctuation aside, is a word of :data:`BLEEDING_WORDS`
    or :data:`PREMENSTRUAL_WORDS` alone (``period``, ``PMS``) or as said of a period (``period
    started``, ``got my period``, ``heavy period``, ``period day 2``, ``period ended``, ``late
    period``, ``period starts tomorrow``, ``PMS week``). A period within other words is not:
    ``busy period at work``, ``placebo period`` and ``period of stress`` are not, nor ``period
    started, began melatonin``, which names another change too.
    """
    return bool(_PERIOD.fullmatch(_words(text)))


def names_bleeding(text: str) -> bool:
    """Whether a diary text names a period's bleeding itself: a night whose gut trouble is its.

    :func:`names_period` without a word of :data:`NOT_BLEEDING`: ``period``, ``period
    started``, ``on my period``, ``heavy period``, ``period day 2``, ``menses``; not ``PMS``,
    ``period ended``, ``period late`` nor ``period starts tomorrow``.
    """
    return names_period(text) and NOT_BLEEDING.isdisjoint(_words(text).split())


def names_plan_period(text: str) -> bool:
    """Whether a diary text names only a step of the trial itself (``washout period started``).

    A kind of :data:`PLAN_PERIODS` with ``period`` or ``phase``, begun, ended or as it goes
    (``baseline period``, ``placebo period started``, ``end of washout period``). The diary's
    form column says the step; the text is no change of life.
    """
    return bool(_PLAN_PERIOD.fullmatch(_words(text)))


PERIOD_GI_NIGHTS = 7
"""The most nights in a row, and in any :data:`PERIOD_WINDOW` nights, whose stool/GI record a
period takes (:func:`gi_set_aside`). "Menstrual bleeding might happen every 21 to 35 days
and last 2 to 7 days" (Mayo Clinic, "Menstrual cycle: What's normal, what's not"): the limit
is a judgement on those figures, in favour of seeing magnesium's own gut trouble."""

PERIOD_WINDOW = 21
"""The nights of the shortest menstrual cycle (:data:`PERIOD_GI_NIGHTS`)."""


def gi_set_aside(days: pd.Index, marked: np.ndarray) -> np.ndarray:
    """Of the nights ``marked`` for a period's bleeding, those whose stool/GI record it takes.

    ``days``: the nights' dates (in any order); ``marked``: each night's mark
    (:func:`names_bleeding` of its ``exclude`` reason). Oldest first, a marked night is set
    aside while it is at most the :data:`PERIOD_GI_NIGHTS`-th of a run of marked nights on
    consecutive dates and at most that many nights are set aside within the
    :data:`PERIOD_WINDOW` nights ending on it; a night beyond keeps its record. Each night is
    decided by the nights up to it alone, so a diary cut at a date says the same of its nights.
    """
    aside = np.zeros(len(days), bool)
    dates = pd.DatetimeIndex(days)
    taken: list[pd.Timestamp] = []
    run, last = 0, None
    for i in np.argsort(dates.to_numpy(), kind="stable"):
        if not marked[i]:
            continue
        day = dates[i]
        run = run + 1 if last is not None and (day - last).days == 1 else 1
        recent = sum((day - t).days < PERIOD_WINDOW for t in taken)
        if run <= PERIOD_GI_NIGHTS and recent < PERIOD_GI_NIGHTS:
            aside[i] = True
            taken.append(day)
        last = day
    return aside


def span(days: pd.Index) -> str:
    """``2026-09-02 to 2026-09-05``: the first and the last of ``days`` (dates); one: it."""
    first, last = (pd.Timestamp(day).date() for day in (days.min(), days.max()))
    return f"{first}" if first == last else f"{first} to {last}"


def period_gi_warnings(days: pd.Index, marked: np.ndarray, aside: np.ndarray,
                       name: str) -> list[str]:
    """One warning of the nights whose GI record a period took (:func:`gi_set_aside`); [] none.

    ``days``: the nights' dates; ``marked``: marked for a period's bleeding; ``aside``: set
    aside. The nights marked beyond the limit, which kept their record, are named with why.
    """
    if not aside.any():
        return []
    kept = marked & ~aside
    beyond = (f" {int(kept.sum())} more night(s) marked for a period kept their GI record "
              f"({span(days[kept])}): a period bleeds up to about {PERIOD_GI_NIGHTS} nights, so "
              f"at most {PERIOD_GI_NIGHTS} in a row and {PERIOD_GI_NIGHTS} in any "
              f"{PERIOD_WINDOW} are set aside.") if kept.any() else ""
    return [f"{name}: GI set aside on {int(aside.sum())} period night(s) ({span(days[aside])}; "
            "column exclude); magnesium's own gut trouble on those nights is not seen: their "
            "loose stools or upset stomach count for no GI rule, figure or limit. Mark only the "
            f"nights you bleed.{beyond}"]
