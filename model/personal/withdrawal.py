"""The withdrawal rule: which breaks from magnesium count, and how long a break must span.

A **withdrawal** (:mod:`model.personal.separability`) is a run of nights on magnesium, then a
break from it long enough for its effect to fade, with nights written to compare. Two things,
kept apart: the *time* off (calendar nights since the stop, :data:`FADED` of the fit's time
constant) and the *evidence* (nights with a sleep outcome, :data:`MIN_OFF_NIGHTS`). Counting
written nights for both told a break of 27 nights with 9 written nights that "9 is too few:
about half of magnesium's effect fades in that time" (an outside audit, /tmp/w49/c W2). A
diary written every night counts as it always did: its span equals its written nights.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from itertools import pairwise
from typing import NamedTuple

import numpy as np

from model.core.outcomes import SLEEP_OUTCOMES, SPECS
from model.data.diary import Diary

MIN_ON_NIGHTS = 14
"""A withdrawal counts after at least this many nights on magnesium with a row (a dose written
down, not a gap's guess)..."""
MIN_OFF_NIGHTS = 7
"""...followed by a break from it (no magnesium, or placebo) with at least this many
nights *observed*, a row with a sleep outcome (:func:`sleep_observed`): the evidence, nights to
compare. A gap's nights, or rows holding only a date, taken as off because the dose changed
across them, separate nothing (an outside audit: 17 such nights made a "withdrawal"), nor do
nights left out (column ``exclude``), whose GI record alone once counted them (an outside
audit, /tmp/w49/c W3). The time the break must also span, for the effect to fade, is the
fit's (:func:`off_nights_needed`, never fewer than this): a diary written every night needs
no more nights than that."""
MAX_OFF_NIGHTS = 28
"""...and a break of at most this many nights is asked for: the longest evaluation period,
hence the longest withdrawal the decision proposes (``DecisionSettings.max_period_nights``), so
that a withdrawal it proposes, written every night, always counts."""
FADED = math.log(2.0)
"""Time off (calendar nights since the stop), in time constants of the store's fade, for a
withdrawal to count: ln 2, by when half of magnesium's steady-state effect has gone
(first-order kinetics). Nine nights off counted while the fitted time constant was 10-17 days,
and whether the diary "separated" then flipped with where the nine nights fell (an outside
audit): its nights still held most of the effect, and the contrast rested on the fitted
kinetics themselves. The fade is a matter of time, not of nights written: a break of 27 nights
with 9 written was told "9 is too few: about half of magnesium's effect fades in that time"
(an outside audit, /tmp/w49/c W2), so a break's time is its span (:class:`Break`)."""
WITHDRAWAL_SURE = 0.8
"""Share of the fit's time constants (``tau`` draws) under which nights off must be long
enough (:data:`FADED`) for a withdrawal to count. At the median (a half) a 10-night gap
counted with a 0.23 chance that its nights held over half the effect still, and the diary
turned "separable" when only glycinate's outcomes were better, the schedule unchanged (an
outside audit, /tmp/w46/A F1: time constant 3.4-21.8 nights, 5-95 %). 0.8 and not more: the
withdrawal the decision proposes, one evaluation period (80 % of the build-up, 1.6 median
time constants), still counts for a posterior of the log time constant twice as wide as the
prior's (SD 1.0 against 0.5), where 0.95 would fail one barely wider than the prior."""
BORDERLINE = 0.5
"""Nights off long enough under this share of the time constants, but not
:data:`WITHDRAWAL_SURE`, are named as borderline: enough at the median, the old rule, so
that a change of the fit across the line is said, not silent."""


class Break(NamedTuple):
    """A break from magnesium after a run of :data:`MIN_ON_NIGHTS` nights on it (:func:`breaks`).

    Attributes
    ----------
    observed : int
        Its nights with a sleep outcome (:func:`sleep_observed`): the evidence.
    span : int
        Calendar nights from its first written night to its last observed one, both
        included: the time since the stop at the last night that shows it (0 without an
        observed night). A break of 27 nights with 9 written spread over it is long past the
        fade (an outside audit, /tmp/w49/c W2); in a diary written every night it equals
        ``observed``, so such a diary counts as it always did. It starts at the first
        *written* night off: the nights of a gap before it are guessed to be off for the
        build-up (:func:`~model.data.unwritten_nights.fill_regimen`), but the stop may have
        come on any of them, and the time off is counted from the latest the diary allows.
    first, last : datetime.date or None
        Those two nights (None without an observed night).
    ongoing : bool
        The break runs to the diary's last night.
    """

    observed: int
    span: int
    first: dt.date | None
    last: dt.date | None
    ongoing: bool


def sleep_observed(diary: Diary) -> np.ndarray:
    """Per night, whether it was written with a sleep outcome (any of :data:`SLEEP_OUTCOMES`).

    Not :attr:`~model.data.diary.Diary.has_outcome`, which counts the GI record: a night
    left out (column ``exclude``) keeps its stool and GI columns but its sleep is not read,
    and three such trip nights made a withdrawal (an outside audit, /tmp/w49/c W3).
    """
    nights = diary.nights
    sleep = nights[[SPECS[o].column for o in SLEEP_OUTCOMES]].notna().any(axis=1)
    return nights["recorded"].to_numpy(bool) & sleep.to_numpy(bool)


def _run_edges(active: np.ndarray) -> list[tuple[int, int]]:
    """(start, stop) of each run of equal values of ``active``, in order."""
    changes = (np.flatnonzero(np.diff(active.astype(int))) + 1).tolist()
    return list(pairwise([0, *changes, len(active)]))


def breaks(diary: Diary, active: np.ndarray) -> list[Break]:
    """Each break after a run of :data:`MIN_ON_NIGHTS` written nights on magnesium, in order.

    ``active``: per night, magnesium taken (a form, a dose).
    """
    recorded, seen = diary.nights["recorded"].to_numpy(bool), sleep_observed(diary)
    days, found = diary.nights.index, []
    for (start, stop), (_, end) in pairwise(_run_edges(active)):
        if not active[start] or recorded[start:stop].sum() < MIN_ON_NIGHTS:
            continue
        ongoing, shown = end == len(active), stop + np.flatnonzero(seen[stop:end])
        if not shown.size:
            found.append(Break(0, 0, None, None, ongoing))
            continue
        first = stop + int(np.flatnonzero(recorded[stop:end])[0])
        found.append(Break(int(shown.size), int(shown[-1] - first + 1), days[first].date(),
                           days[shown[-1]].date(), ongoing))
    return found


def switch_ons(diary: Diary, active: np.ndarray) -> int:
    """Times magnesium (``active``, per night) was started after nights observed without it."""
    seen = sleep_observed(diary)
    return sum(1 for (start, stop), (on, _) in pairwise(_run_edges(active))
               if active[on] and seen[start:stop].any())


def best_break(found: list[Break]) -> Break | None:
    """The break nearest a withdrawal: enough observed nights first, then the longest span.

    In a diary written every night, the break with the most nights off, as it always was.
    """
    return max(found, key=lambda b: (min(b.observed, MIN_OFF_NIGHTS), b.span), default=None)


def _needed_per_draw(draws: Mapping[str, np.ndarray] | None) -> np.ndarray | None:
    """Nights a break must span under each time constant (``tau`` draw); None without draws.

    ln 2 of it (:data:`FADED`), never fewer than :data:`MIN_OFF_NIGHTS` nor more than
    :data:`MAX_OFF_NIGHTS`.
    """
    if not draws or "tau" not in draws:
        return None
    nights = np.ceil(FADED * np.asarray(draws["tau"], float).ravel())
    return np.clip(nights, MIN_OFF_NIGHTS, MAX_OFF_NIGHTS)


def _share_enough(nights: int, needed: np.ndarray) -> float:
    """The share of the per-draw nights needed (:func:`_needed_per_draw`) that ``nights`` reach."""
    return float(np.mean(needed <= nights))


def p_long_enough(nights: int, draws: Mapping[str, np.ndarray] | None) -> float | None:
    """The share of the fit's time constants under which a break of ``nights`` is long enough.

    The posterior probability that half of magnesium's effect had faded (:data:`FADED`)
    ``nights`` after the stop (a break's span, :class:`Break`); None without draws (no
    posterior to say it). The break also needs :data:`MIN_OFF_NIGHTS` observed nights.
    """
    needed = _needed_per_draw(draws)
    return None if needed is None else _share_enough(nights, needed)


def off_nights_needed(draws: Mapping[str, np.ndarray] | None = None,
                      share: float = WITHDRAWAL_SURE) -> int:
    """Nights a break must span to make a withdrawal: the fewest long enough under ``share``.

    The fewest nights whose :func:`p_long_enough` is at least ``share`` (by default
    :data:`WITHDRAWAL_SURE` of the time constants: ln 2 of their 80th percentile), so that a
    break with :data:`MIN_OFF_NIGHTS` observed nights counts exactly when its span reaches
    this number; a withdrawal proposed for this many nights, written every night, counts.
    Without draws, the least, :data:`MIN_OFF_NIGHTS` (the prior median time constant, 10
    days, asks 6.9 nights).
    """
    needed = _needed_per_draw(draws)
    if needed is None:
        return MIN_OFF_NIGHTS
    return next(n for n in range(MIN_OFF_NIGHTS, MAX_OFF_NIGHTS + 1)
                if _share_enough(n, needed) >= share)


