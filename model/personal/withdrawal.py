"""The withdrawal rule: which breaks from magnesium count, and how long a break must span.

A **withdrawal** (:mod:`model.personal.separability`) is a run of nights on magnesium, then a
break from it long enough for its effect to fade, with nights written to compare. Two things,
kept apart: the *time* off (calendar nights since the stop, :data:`FADED` of the fit's time
constant) and the *evidence* (nights with a sleep outcome, :data:`MIN_OFF_NIGHTS`). Counting
written nights for both told a break of 27 nights with 9 written nights that "9 is too few:
about half of magnesium's effect fades in that time" (an outside audit, /tmp/w49/c W2). A
diary written every night counts as it always did: its span equals its written nights.

The evidence is weighed by the time off (:func:`p_enough`): a night off written ``d`` nights
after the stop shows the share ``1 - exp(-d / tau)`` of the effect faded, and a break counts
when its written nights show, under :data:`WITHDRAWAL_SURE` of the time constants, as much as
a break written every night for the nights needed. Spans alone let six nights written at the
start of a break and one at its end make a withdrawal, six of the seven compared before half
of the effect had faded (an outside audit, /tmp/w49/g G5); nights written late in a long break
weigh nearly one each.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from itertools import pairwise
from typing import NamedTuple

import numpy as np

from model.core.outcomes import SLEEP_OUTCOMES, SPECS
from model.core.regimen import SKIPPED_NIGHTS
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
    days : tuple of int
        For each of its nights with a sleep outcome (:func:`sleep_observed`), the evidence,
        the calendar nights since the stop, counting its first night off as 1. The stop is
        taken at its first *written* night off: the nights of a gap before it are guessed to
        be off for the build-up (:func:`~model.data.unwritten_nights.fill_regimen`), but the
        stop may have come on any of them, and the time off is counted from the latest the
        diary allows.
    first, last : datetime.date or None
        Its first written night and its last observed one (None without an observed night).
    ongoing : bool
        The break runs to the diary's last night.
    """

    days: tuple[int, ...]
    first: dt.date | None
    last: dt.date | None
    ongoing: bool

    @property
    def observed(self) -> int:
        """Its nights with a sleep outcome."""
        return len(self.days)

    @property
    def span(self) -> int:
        """Nights from its first written night to its last observed one, both included.

        The time since the stop at the last night that shows it (0 without an observed
        night). A break of 27 nights with 9 written spread over it is long past the fade (an
        outside audit, /tmp/w49/c W2); in a diary written every night it equals
        :attr:`observed`.
        """
        return self.days[-1] if self.days else 0


def sleep_observed(diary: Diary) -> np.ndarray:
    """Per night, whether it was written with a sleep outcome (any of :data:`SLEEP_OUTCOMES`).

    Not :attr:`~model.data.diary.Diary.has_outcome`, which counts the GI record: a night
    left out (column ``exclude``) keeps its stool and GI columns (but for a menstrual
    period's, within :mod:`model.data.period_nights`' limit) while its sleep is not read,
    and three such trip nights made a withdrawal (an outside audit, /tmp/w49/c W3).
    """
    nights = diary.nights
    sleep = nights[[SPECS[o].column for o in SLEEP_OUTCOMES]].notna().any(axis=1)
    return nights["recorded"].to_numpy(bool) & sleep.to_numpy(bool)


def _run_edges(active: np.ndarray) -> list[tuple[int, int]]:
    """(start, stop) of each run of equal values of ``active``, in order."""
    changes = (np.flatnonzero(np.diff(active.astype(int))) + 1).tolist()
    return list(pairwise([0, *changes, len(active)]))


def _joined(active: np.ndarray) -> np.ndarray:
    """``active`` with nights skipped inside a run on magnesium taken as on.

    At most :data:`~model.core.regimen.SKIPPED_NIGHTS` nights without it between two nights on
    it, as the decision's runs join across them.
    """
    joined = active.copy()
    for start, stop in _run_edges(active):
        if 0 < start and stop < len(active) and not active[start] \
                and stop - start <= SKIPPED_NIGHTS:
            joined[start:stop] = True
    return joined


def breaks(diary: Diary, active: np.ndarray, lead: int = 0) -> list[Break]:
    """Each break after a run of :data:`MIN_ON_NIGHTS` written nights on magnesium, in order.

    ``active``: per night, magnesium taken (a form, a dose). The run joins across nights
    skipped (:func:`_joined`), whose nights do not count on it. ``lead``: nights on magnesium
    before the diary (the profile's ``taking_since``), counted for a run from its first night:
    a two-year taker who stopped after 6 diary nights had no break to speak of (a second
    outside audit, /tmp/w50/c C7).
    """
    recorded, seen = diary.nights["recorded"].to_numpy(bool), sleep_observed(diary)
    days, on, found = diary.nights.index, _joined(active), []
    for (start, stop), (_, end) in pairwise(_run_edges(on)):
        before = lead if start == 0 else 0
        if not on[start] or (recorded & active)[start:stop].sum() + before < MIN_ON_NIGHTS:
            continue
        shown = stop + np.flatnonzero(seen[stop:end])
        if not shown.size:
            found.append(Break((), None, None, end == len(active)))
            continue
        first = stop + int(np.flatnonzero(recorded[stop:end])[0])
        found.append(Break(tuple(int(n) for n in shown - first + 1), days[first].date(),
                           days[shown[-1]].date(), end == len(active)))
    return found


def switch_ons(diary: Diary, active: np.ndarray) -> int:
    """Times magnesium (``active``, per night) was started after nights observed without it.

    Nights skipped inside a run (:func:`_joined`) are no start.
    """
    seen, on = sleep_observed(diary), _joined(active)
    return sum(1 for (start, stop), (first, _) in pairwise(_run_edges(on))
               if on[first] and seen[start:stop].any())


def best_break(found: list[Break]) -> Break | None:
    """The break nearest a withdrawal: enough observed nights first, then the longest span.

    In a diary written every night, the break with the most nights off, as it always was.
    """
    return max(found, key=lambda b: (min(b.observed, MIN_OFF_NIGHTS), b.span), default=None)


def _per_draw(draws: Mapping[str, np.ndarray] | None) -> tuple[np.ndarray, np.ndarray]:
    """Each time constant (``tau`` draw) and the nights a break written every night needs.

    ln 2 of it (:data:`FADED`), never fewer than :data:`MIN_OFF_NIGHTS` nor more than
    :data:`MAX_OFF_NIGHTS`. Without draws one time constant, the one that needs
    :data:`MIN_OFF_NIGHTS` (10.1 nights, about the prior's median of 10).
    """
    if not draws or "tau" not in draws:
        return np.array([MIN_OFF_NIGHTS / FADED]), np.array([MIN_OFF_NIGHTS])
    tau = np.asarray(draws["tau"], float).ravel()
    return tau, np.clip(np.ceil(FADED * tau), MIN_OFF_NIGHTS, MAX_OFF_NIGHTS).astype(int)


def _faded(days: np.ndarray, tau: np.ndarray) -> np.ndarray:
    """``(draw,)`` the shares of the effect faded on nights ``days`` after the stop, summed."""
    return (1.0 - np.exp(-days[None, :] / tau[:, None])).sum(axis=1)


def p_enough(brk: Break, draws: Mapping[str, np.ndarray] | None) -> float:
    """The share of the fit's time constants under which ``brk`` makes a withdrawal.

    Under each, its written nights show as much of the effect faded (:func:`_faded`) as a
    break written every night for the nights that time constant needs, with at least
    :data:`MIN_OFF_NIGHTS` of them: for a break written every night, :func:`p_long_enough` of
    its nights. One counts from :data:`WITHDRAWAL_SURE`.
    """
    if brk.observed < MIN_OFF_NIGHTS:
        return 0.0
    tau, needed = _per_draw(draws)
    every = np.cumsum(1.0 - np.exp(-np.arange(1, MAX_OFF_NIGHTS + 1)[None, :] / tau[:, None]),
                      axis=1)[np.arange(tau.size), needed - 1]
    return float(np.mean(_faded(np.asarray(brk.days, float), tau) >= every - 1e-9))


def p_long_enough(nights: int, draws: Mapping[str, np.ndarray] | None) -> float | None:
    """The share of the fit's time constants under which ``nights`` off, all written, suffice.

    The posterior probability that half of magnesium's effect had faded (:data:`FADED`) by
    the last of ``nights`` written nights off; None without draws (no posterior to say it).
    """
    if not draws or "tau" not in draws:
        return None
    return float(np.mean(_per_draw(draws)[1] <= nights))


def off_nights_needed(draws: Mapping[str, np.ndarray] | None = None,
                      share: float = WITHDRAWAL_SURE) -> int:
    """Nights off, written every night, that make a withdrawal: the fewest under ``share``.

    The fewest nights whose :func:`p_long_enough` is at least ``share`` (by default
    :data:`WITHDRAWAL_SURE` of the time constants: ln 2 of their 80th percentile); a
    withdrawal proposed for this many nights, written every night, counts. Without draws,
    the least, :data:`MIN_OFF_NIGHTS` (the prior median time constant, 10 days, asks 6.9
    nights).
    """
    needed = _per_draw(draws)[1]
    return next(n for n in range(MIN_OFF_NIGHTS, MAX_OFF_NIGHTS + 1)
                if float(np.mean(needed <= n)) >= share)
