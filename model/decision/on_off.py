"""Magnesium taken on and off: one definition, its words, and the lapse that restarts a count.

Magnesium's effect builds up over days and falls back on nights off: the store follows each
night's dose with first-order kinetics, time constant about 10 nights
(:mod:`model.likelihood.kinetics`), so its level is about the share of recent nights taken of
its steady level. Someone who took glycinate 200 mg on weekdays only and forgot about one dose
in seven (41 of 70 nights) was told "Continue glycinate, 200 mg ... a day" and nothing of his
pattern: the store never reached what the evaluation period waits for, each lapse of more than
two nights started the period again ("3 of 19 nights on glycinate 200 mg so far") with no reason
given, and the effect he read was mostly the prior's steady state (an outside audit,
/tmp/w49/c M3).

**On and off** (:meth:`Taking.on_and_off`): over the form's recent nights
(:func:`taking_pattern`), it was taken on fewer than ``steady_share`` (0.8) of the written
nights, with at least :data:`ON_OFF_NIGHTS` of them. The threshold is the evaluation period's
own: the period lasts until the store reaches ``steady_share`` of its steady level
(:func:`model.decision.rules.evaluation_nights`), and taken on a share ``p`` of nights the store
averages ``p`` of it, so below that share it never gets there.

Those nights are the last :data:`WINDOW_NIGHTS` calendar nights of the form's **stretch of
use** (:func:`stretch_first`): back from its last night over nights on the form and over lapses,
runs of at most :data:`LAPSE_NIGHTS` nights without magnesium, up to a night on another form, on
placebo, set without magnesium by a trial plan (a baseline, a washout), or a longer run off.
On-and-off use is a pattern of short lapses within one stretch; counted over any 28 calendar
nights, a single 14-night stop for the gut followed by a restart, the tool's own 17-night
withdrawal, and 14 nights on taurate with magnesium every night were each told "taken on and
off ... the advice can hardly judge it" (an outside audit, /tmp/w49/g G3).

**A lapse** (:func:`lapse_before`): nights without magnesium before the current run that follow
an earlier run of its regimen; more than ``SKIPPED_NIGHTS`` of them (the run joins across fewer:
:mod:`model.decision.history`) start its count, and its evaluation period, again
(:func:`model.decision.period_words.period_nights` says so).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from model.core.forms import PLACEBO
from model.core.regimen import SKIPPED_NIGHTS, Regimen, skipped_of
from model.data.life_events import laxative_nights
from model.decision.judged_nights import KEEPING
from model.decision.settings import DecisionSettings

WINDOW_NIGHTS = DecisionSettings.max_period_nights
"""The calendar nights, up to the form's last, over which on-and-off use is judged (28).

The longest evaluation period, and about three build-up time constants: a dose taken earlier
leaves under 6 % of itself in the store (exp(-28 / 10)), so older nights hardly shape what the
diary shows now, and a pattern given up weeks ago is not held against a person."""

ON_OFF_NIGHTS = 14
"""The written nights of that window needed to call use on and off: two weeks (the default
evaluation period), so that one weekend off in a first week is not read as a pattern."""

LAPSE_NIGHTS = 7
"""The longest run of nights without magnesium within a stretch of use: a week.

Jon's weekends, with a missed Friday or Monday, are runs of two to four nights, and a week away
is still the pattern. A longer run off is a stop or a break, and says its own words: the
withdrawal rule counts it (:mod:`model.personal.withdrawal`), and the evaluation period counts
again after it (:func:`model.decision.period_words.period_nights`)."""

MIXED_RETURNS = 2
"""Returns to a dose of the form already taken, among its written nights of the window, from
which its doses are named as taken by turns (:attr:`Taking.doses`): a titration's steps, and
one step back (a gentler dose after 300 mg), are fewer. A dose raised on some nights only
(taurate 100 and 200 mg by turns) restarted the count with no word of why (an outside audit,
/tmp/w57/n N8)."""

NOT_LAPSES = frozenset({"stop", "withdrawal", "placebo_period", "refer"})
"""Steps after which no night of magnesium is asked for: the note then says no "every night"."""


@dataclass(frozen=True)
class Taking:
    """How the magnesium lately taken was taken: its recent nights, and its run's start.

    Parameters
    ----------
    form : str
        The form taken lately (:attr:`model.decision.history.History.taking`; "" for none).
    taken : int
        Written nights on ``form`` (any dose) from ``first`` to ``last``.
    nights : int
        Written nights from ``first`` to ``last`` (the stretch holds no placebo night, none on
        another form, none set without magnesium by a trial plan).
    first, last : datetime.date or None
        The window: the form's first night within its stretch of use (:func:`stretch_first`)
        and the :data:`WINDOW_NIGHTS` calendar nights up to its last, and that last night, or
        the diary's when the nights after it are nights skipped
        (:func:`model.decision.history.trailing_skips`); None without dates.
    run_first : datetime.date or None
        The first night of the current regimen's run (across nights skipped); None without
        dates.
    lapse : int
        The nights off its regimen just before that run, after an earlier run of it
        (:func:`lapse_before`; 0: none, the run is the regimen's first or follows another).
    lapse_dosed : int
        Those of them at another dose of its form.
    doses : tuple of (Regimen, int)
        Each regimen of ``form`` and its written nights from ``first`` to ``last``, most
        first, when it went back to a dose already taken :data:`MIXED_RETURNS` times or more
        among them; else empty.

    """

    form: str = ""
    taken: int = 0
    nights: int = 0
    first: dt.date | None = None
    last: dt.date | None = None
    run_first: dt.date | None = None
    lapse: int = 0
    lapse_dosed: int = 0
    doses: tuple[tuple[Regimen, int], ...] = ()

    def on_and_off(self, s: DecisionSettings) -> bool:
        """Whether the form was taken on and off (see the module docstring)."""
        return self.nights >= ON_OFF_NIGHTS and self.taken < s.steady_share * self.nights


def lapse_before(regimens: Sequence[Regimen], start: int,
                 planned: Sequence[bool] = ()) -> tuple[int, int]:
    """The nights off the regimen of night ``start`` just before it, after a night of it.

    Nights without magnesium, and up to ``SKIPPED_NIGHTS`` among them at another dose of its
    form (a dose doubled after a bad night, next to one forgotten and one unwritten, started
    the count again with no word of why: "2 of 19 nights on glycinate 200 mg so far", an
    outside audit, /tmp/w57/n N2); returned with how many of them were at another dose. (0, 0)
    when the nights before ``start`` are none of these (placebo is not), when the diary begins
    with them, or when the night before them held another regimen: a first start or a change,
    not a lapse; (0, 0) too when a trial plan set any of them without magnesium (``planned``,
    per night): a planned washout is no lapse.
    """
    regimen, off, dosed = regimens[start], start, 0
    while off > 0 and regimens[off - 1] != regimen:
        other = regimens[off - 1]
        dosed += other.active
        if dosed > SKIPPED_NIGHTS or not skipped_of(other, regimen):
            break
        off -= 1
    if any(planned[off:start]) or not 0 < off < start or regimens[off - 1] != regimen:
        return 0, 0
    return start - off, sum(r.active for r in regimens[off:start])


def taking_pattern(nights: pd.DataFrame, regimens: Sequence[Regimen], planned: Sequence[bool],
                   start: int, skipped: int, taking: Regimen) -> Taking:
    """The :class:`Taking` of a diary's ``nights`` (daily, oldest first).

    Parameters
    ----------
    nights : pandas.DataFrame
        The diary's nights, with ``recorded``, indexed by date. A night marked ``exclude =
        laxative`` without the supplement (:func:`~model.data.life_events.laxative_nights`)
        is no lapse: the rule of a magnesium laxative asks it (following it was told "taken
        on and off ... every night": an outside audit, /tmp/w52/d2 G3).
    regimens : sequence of Regimen
        Each night's regimen (:func:`model.decision.history.night_regimens`).
    planned : sequence of bool
        Per night, whether a trial plan set it without magnesium
        (:func:`model.decision.history.planned_off`).
    start : int
        The first night of the current regimen's run.
    skipped : int
        The diary's last nights read as nights skipped of the current regimen: nights off
        within the window. After more of them (a stop, a washout) the window ends on the form's
        last night: the advice on a stop is not about a pattern.
    taking : Regimen
        The magnesium taken lately (no magnesium: only the run's start is given).

    """
    lapse, dosed = lapse_before(regimens, start, planned)
    if not taking.active:
        return Taking(run_first=night_date(nights, start), lapse=lapse, lapse_dosed=dosed)
    on = np.array([r.form == taking.form for r in regimens])
    last = len(on) - 1 - int(on[::-1].argmax())
    end = len(on) if skipped else last + 1
    first = max(end - WINDOW_NIGHTS, stretch_first(regimens, planned, last))
    first += int(on[first:end].argmax())
    written = (nights["recorded"].to_numpy(bool) & ~laxative_nights(nights))[first:end]
    kinds = [r for r, w, o in zip(regimens[first:end], written, on[first:end], strict=True)
             if w and o]
    returns = sum(now != before and now in kinds[:k]
                  for k, (before, now) in enumerate(itertools.pairwise(kinds), start=1))
    return Taking(taking.form, int((written & on[first:end]).sum()), int(written.sum()),
                  night_date(nights, first), night_date(nights, end - 1),
                  night_date(nights, start), lapse, dosed,
                  tuple(Counter(kinds).most_common()) if returns >= MIXED_RETURNS else ())


def stretch_first(regimens: Sequence[Regimen], planned: Sequence[bool], last: int) -> int:
    """The first night of the stretch of use of the form of night ``last`` (see the module).

    Back from ``last`` over nights on its form (any dose) and over runs of nights without
    magnesium (not placebo, none set so by a trial plan: ``planned``, per night) of at most
    :data:`LAPSE_NIGHTS` that follow a night on the form; the night returned is on the form.
    """
    form, first = regimens[last].form, last
    while first > 0:
        off = off_run_start(regimens, first)
        if (off == 0 or first - off > LAPSE_NIGHTS or any(planned[off:first])
                or regimens[off - 1].form != form):
            return first
        first = off - 1
    return first


def off_run_start(regimens: Sequence[Regimen], end: int) -> int:
    """The first night of the run of nights without magnesium (not placebo) ending before ``end``.

    ``end`` itself when the night before it holds magnesium or placebo, or when ``end`` is 0.
    """
    off = end
    while off > 0 and not regimens[off - 1].active and regimens[off - 1].form != PLACEBO:
        off -= 1
    return off


def on_off_note(taking: Taking, action: str, regimen: Regimen | None,
                s: DecisionSettings) -> tuple[str, ...]:
    """The sentence on magnesium taken on and off, for the advice's warnings (none: ``()``).

    ``action`` and ``regimen``: the advice's. Keeping the regimen, it asks for every night
    until the next look ("Continue glycinate, 200 mg ... a day" was read as weekdays still
    allowed); a step to another regimen asks it of that one; a stop, an experiment or a
    referral asks nothing (and a referral, to see a clinician, hears nothing of it). A form
    taken at doses by turns (:attr:`Taking.doses`) is said with each dose's nights, and the
    dose to take every night is named.
    """
    mixed = len(taking.doses) > 1
    if action == "refer" or not (taking.on_and_off(s) or mixed):
        return ()
    when = f" from {taking.first} to {taking.last}" if taking.first and taking.last else ""
    said = [f"You took {taking.form} on {taking.taken} of {taking.nights} written nights{when}: "
            "its effect builds up over days and falls back on nights off, so taken on and off "
            "it stays below its full effect, and the advice can hardly judge it"
            ] if taking.on_and_off(s) else []
    if mixed:
        doses = " and ".join(f"{r.words} on {n}" for r, n in taking.doses)
        said.append(f"You took {taking.form} at {len(taking.doses)} doses by turns, {doses} of "
                    f"its {taking.taken} written nights{when}: each dose's nights are too few "
                    "and too mixed to tell what it does")
    if action in NOT_LAPSES or regimen is None or not regimen.active:
        return tuple(f"{one}." for one in said)    # a stay off or a break asks no night of it
    what = regimen.words if regimen is not None and (mixed or action not in KEEPING) else "it"
    return (*(f"{one}." for one in said[:-1]), f"{said[-1]}; take {what} every night until "
            "the next look.")


def night_date(nights: pd.DataFrame, row: int) -> dt.date | None:
    """The date of row ``row`` of a ``nights`` frame indexed by date (None otherwise)."""
    night = nights.index[row]
    return night.date() if isinstance(night, pd.Timestamp) else None
