"""Whether a diary can tell magnesium from expectation and drift.

A before/after diary (nights without anything, then nights on magnesium) cannot: taking
something helps in this field whatever it is (placebo arms improve as much as magnesium arms),
and a diary started in a bad patch improves on its own. Only nights that break the link do: a
**withdrawal** (stopping after a run on magnesium, long enough for its effect to fade) or
**placebo** nights. :func:`separability` says whether a diary has them, and how entangled the
posterior still is (the correlation between a tried form's effect and the expectation effect).
The decision uses the flag to propose a withdrawal or a blinded placebo period.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from model.core.change_words import IN_DETAIL, chance
from model.core.forms import FORMS, PLACEBO
from model.core.outcomes import OUTCOMES, SLEEP_OUTCOMES
from model.core.regimen import SKIPPED_NIGHTS, Regimen
from model.data.devices import device_switches, named
from model.data.diary import Diary
from model.data.life_events import other_changes
from model.personal.covariate_balance import (
    COVARIATE_SHIFT,
    covariate_shifts,
    form_shifts,
    night_correlation,
)
from model.personal.drift_contrast import trend_reason
from model.personal.withdrawal import (
    BORDERLINE,
    MIN_OFF_NIGHTS,
    MIN_ON_NIGHTS,
    WITHDRAWAL_SURE,
    Break,
    best_break,
    breaks,
    off_nights_needed,
    p_enough,
    sleep_observed,
    switch_ons,
)

MIN_PLACEBO_NIGHTS = 7
"""Placebo nights that separate expectation from magnesium."""
ENTANGLED = -0.5
"""A posterior correlation of effect and expectation below this is reported as entangled."""
def _days_name(days: tuple[int, ...]) -> str:
    """A run of days of the week (pandas' ``day_of_week``, Monday 0) in words.

    ``Sunday nights``, ``Friday and Saturday nights``, ``Friday to Sunday nights``.
    """
    first, last = calendar.day_name[days[0]], calendar.day_name[days[-1]]
    joined = "" if len(days) == 1 else " and " if len(days) == 2 else " to "
    return f"{first}{joined}{last if joined else ''} nights"


DAY_GROUPS: tuple[tuple[int, ...], ...] = (*((i,) for i in range(7)), (4, 5), (5, 6))
"""The nights of the week :func:`weekday_shift` weighs against taking magnesium (pandas'
``day_of_week`` of the night's date, Monday 0): each day, and the two weekends a routine may
break on (nights out before a day off; days away)."""
DEVICE_NEAR = 7
"""A change of the measuring device (:mod:`model.data.devices`) this many nights or fewer from
a change of regimen is named: the model's level shift for the device and the new regimen's
effect (a build-up of days) both start there, and the diary can hardly tell them apart."""
OTHER_CHANGE_NEAR = 14
"""Another change in the person's life (diary column ``other_change``: a medicine, melatonin,
CBT-I) this many nights or fewer before or after a change of regimen is named: one evaluation
period (``DecisionSettings.min_nights``, whose default this is; the fit's kinetics make it 7
to 28). Melatonin begun with a switch to taurate was credited to taurate, -8.9 min (P 0.85)
where neither did anything (an outside audit, /tmp/w42/J)."""


@dataclass(frozen=True)
class Separability:
    """Whether a diary separates magnesium from expectation and drift, and why (not).

    Attributes
    ----------
    separable : bool
        True when the diary has a withdrawal or enough placebo nights.
    withdrawals : int
        Runs of >= :data:`MIN_ON_NIGHTS` nights on magnesium followed by a break long enough
        (:func:`off_nights_needed`) with enough observed nights (:data:`MIN_OFF_NIGHTS`).
    placebo_nights : int
        Nights on placebo.
    switch_ons : int
        Times magnesium was started after nights observed without it (with a sleep outcome).
    correlation : float or None
        Most negative posterior correlation between a tried form's sleep-onset effect and
        the expectation effect (None without draws or without a tried form).
    reasons : tuple of str
        Plain-language reasons, for people: why the diary is not separable (with the nights
        off a withdrawal needs), an entangled posterior (with expectation, or with the slow
        trend: :mod:`model.personal.drift_contrast`), a recorded covariate that changed
        with magnesium or with one form (:mod:`~model.personal.covariate_balance`), a day of
        the week that did
        (:func:`weekday_shift`), a change of device near a change of
        regimen (:data:`DEVICE_NEAR`), another change in life near a change of regimen
        (:data:`OTHER_CHANGE_NEAR`).
    off_nights_needed : int
        Nights off after a run on magnesium, written every night, that make a withdrawal
        (:func:`off_nights_needed`); a break written less often needs its written nights to
        show as much of the effect faded (:func:`~model.personal.withdrawal.p_enough`).
    p_withdrawal_long_enough : float or None
        For the diary's break nearest a withdrawal
        (:func:`~model.personal.withdrawal.best_break`): the share of the fit's time
        constants under which it makes one (:func:`~model.personal.withdrawal.p_enough`; 0
        with fewer than :data:`MIN_OFF_NIGHTS` observed nights; one counts from
        :data:`WITHDRAWAL_SURE`). None without such a break or without draws.
    borderline : bool
        No withdrawal counts, but that break, with enough observed nights, is long enough
        under :data:`BORDERLINE` of the time constants (at their median): the reasons say so.
    trend_correlation : float or None
        Most negative posterior correlation between a tried form's sleep-onset effect and the
        trend's contrast between its nights and the nights off
        (:func:`model.personal.drift_contrast.trend_entanglement`; named from
        :data:`~model.personal.drift_contrast.TREND_ENTANGLED`). None without draws or
        without nights on a form and off magnesium with a sleep-onset time.
    """

    separable: bool
    withdrawals: int
    placebo_nights: int
    switch_ons: int
    correlation: float | None
    reasons: tuple[str, ...]
    off_nights_needed: int = MIN_OFF_NIGHTS
    p_withdrawal_long_enough: float | None = None
    borderline: bool = False
    trend_correlation: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (the ``separability`` object of the ``analyze`` JSON)."""
        return {"separable": self.separable, "withdrawals": self.withdrawals,
                "placebo_nights": self.placebo_nights, "switch_ons": self.switch_ons,
                "correlation": self.correlation, "reasons": list(self.reasons),
                "off_nights_needed": self.off_nights_needed,
                "p_withdrawal_long_enough": self.p_withdrawal_long_enough,
                "borderline": self.borderline,
                "trend_correlation": self.trend_correlation}


def _correlation(draws: Mapping[str, np.ndarray], tried: list[str]) -> float | None:
    """Most negative correlation of a tried form's SOL effect with the SOL expectation."""
    if not tried or "theta" not in draws or "expectation" not in draws:
        return None
    sol = OUTCOMES.index("sol")
    expectation = draws["expectation"][:, SLEEP_OUTCOMES.index("sol")]
    values = [np.corrcoef(draws["theta"][:, FORMS.index(f), sol], expectation)[0, 1]
              for f in tried]
    return float(np.nanmin(values))


def _widened(days: np.ndarray, active: np.ndarray, seen: np.ndarray,
             group: tuple[int, ...], r: float) -> tuple[tuple[int, ...], float]:
    """``group`` widened day by day into the run of days that goes with magnesium, and its r.

    A day before or after the run joins it while the wider run's correlation with taking
    magnesium (:func:`night_correlation`) is larger in size, the same way: a Monday to
    Thursday taker was told "take it on Friday and Saturday nights too" (the larger of the
    groups named), which left his Sunday nights off (an outside audit, /tmp/w51/c C12).
    """
    while len(group) < 6:
        wider = [((group[0] - 1) % 7, *group), (*group, (group[-1] + 1) % 7)]
        found = [(r_, run) for run in wider if (r_ := night_correlation(
            active, np.isin(days, run).astype(float), seen)) is not None]
        r_wide, run = max(found, key=lambda item: item[0] * np.sign(r), default=(0.0, group))
        if r_wide * np.sign(r) <= abs(r):
            break
        group, r = run, r_wide
    return group, r


def weekday_shift(diary: Diary, active: np.ndarray) -> list[str]:
    """A reason naming the nights of the week that went with taking magnesium or not, if any.

    The day of the week is a covariate the diary's dates record: a night's date is the day it
    began (:mod:`model.data.night_dates`), so a Sunday night is a Sunday's evening and the night
    after it. Being one of :data:`DAY_GROUPS` is weighed as :func:`covariate_shifts` weighs
    caffeine (0 or 1 a night): named when its correlation night by night with taking magnesium,
    over the nights with a sleep outcome, is :data:`COVARIATE_SHIFT` or more in size, with
    :data:`~model.personal.covariate_balance.COVARIATE_NIGHTS` nights on each side; the group of
    the largest is named, once, widened to the whole run of days that goes with it
    (:func:`_widened`: ``Friday to Sunday nights``). The model has no term for the day of the
    week: an evening worse on that day is read as magnesium's, expectation's or drift's, by its
    share of the nights off less its share of the nights on. Nights off before magnesium, then
    every night on, or nights skipped at random, spread over the week alike (a correlation near
    0). A man who skipped magnesium on Sunday nights at the in-laws', his worst evening (anxiety
    7.5 against 5.4), had 8 Sunday nights in 20 nights off and none in 39 on (correlation
    -0.55), and the difference was put to expectation, drift or build-up without a word of
    Sundays (an outside audit, /tmp/w51/b B5).
    """
    seen, days = sleep_observed(diary), pd.DatetimeIndex(diary.nights.index).day_of_week.to_numpy()
    shifts = [(abs(r), r, group) for group in DAY_GROUPS
              if (r := night_correlation(active, np.isin(days, group).astype(float), seen))
              is not None]
    size, r, group = max(shifts, key=lambda shift: shift[0], default=(0.0, 0.0, ()))
    if size < COVARIATE_SHIFT:      # max: the first of equals, a single day before a weekend
        return []
    group, r = _widened(days, active, seen, group, r)
    name, day = _days_name(group), np.isin(days, group)
    side, other = (active, ~active) if r > 0 else (~active, active)
    n, n_day = int((seen & side).sum()), int((seen & side & day).sum())
    with_, without = ("with", "without") if r > 0 else ("without", "with")
    act = (f"take it on other nights of the week too, or skip it on some {name} as well"
           if r > 0 else f"take it on {name} too, or skip it on other nights of the week as well")
    return [f"your nights {with_} magnesium were {'mostly' if 2 * n_day > n else 'often'} "
            f"{name} ({n_day} of {n}, against {int((seen & other & day).sum())} of the "
            f"{int((seen & other).sum())} nights {without} it): the diary cannot tell {name} "
            f"from magnesium's effect (correlation {r:.2f} night by night; named from "
            f"{COVARIATE_SHIFT:.1f}); {act}"]


def regimen_changes(diary: Diary) -> pd.DataFrame:
    """The diary's changes of regimen: its runs begun after its first night, less the slips.

    The runs are :meth:`~model.data.diary.Diary.segments`'. A run of at most
    :data:`~model.core.regimen.SKIPPED_NIGHTS` nights without magnesium, or at another dose of
    the same form, between two runs of one regimen is a dose forgotten or mistaken, as the
    decision reads it, not a change; nor is the return after it. A dose forgotten on a red-eye
    flight was "the change to no magnesium on 2026-10-03" beside a device caution (a
    traveller's audit, /tmp/w55/t T11).
    """
    runs = diary.segments().reset_index(drop=True)
    regimens = [Regimen.from_label(label) for label in runs["label"]]
    slip = np.array([0 < k < len(runs) - 1 and runs["n_nights"].iloc[k] <= SKIPPED_NIGHTS
                     and regimens[k - 1] == regimens[k + 1] and regimens[k - 1].active
                     and (not regimens[k].active or regimens[k].form == regimens[k - 1].form)
                     for k in range(len(runs))], bool)
    returned = np.roll(slip, 1) & (np.arange(len(runs)) > 0)
    return runs[~slip & ~returned & (runs["start"] > diary.nights.index[0]).to_numpy()]


SHORT_RUN = 7
"""Nights of a run of one magnesium regimen under which it is too short to show what it does:
the shortest evaluation period (``floor_nights``)."""
SHORT_RUNS = 4
"""The short runs of magnesium, of at least 3 regimens, within the diary's last
:data:`SHORT_WINDOW` nights from which the changes are named (:func:`short_runs`)."""
SHORT_WINDOW = 28


def short_runs(diary: Diary) -> list[str]:
    """A reason naming magnesium regimens changed too often to tell apart, or none.

    A person who changed form or dose every 2-4 nights (10 regimens in a month) was told
    "Continue taurate 300 mg", her last, with 54 effect lines from 1-4 nights each and nothing
    saying that runs so short cannot show what a form does (an outside audit, /tmp/w57/n N9).
    Taken on and off, one regimen is named by the decision's own note instead.
    """
    runs = diary.segments()
    runs = runs[(runs["end"] > diary.nights.index[-1] - pd.Timedelta(days=SHORT_WINDOW))
                & runs["form"].isin(FORMS) & (runs["elemental_mg"] > 0)]
    short = runs[runs["n_nights"] < SHORT_RUN]
    if len(short) < SHORT_RUNS or short["label"].nunique() < 3:
        return []
    least, most = int(short["n_nights"].min()), int(short["n_nights"].max())
    span = f"{least}" if least == most else f"{least} to {most}"
    return [f"{len(short)} runs of magnesium in the last {SHORT_WINDOW} nights lasted "
            f"{span} night{'s' * (most > 1)} each, on "
            f"{short['label'].nunique()} regimens: its effect builds up over 1 to 4 weeks, so "
            "runs this short cannot show what any of them does; take one regimen every night "
            "for a whole evaluation period before the next change"]


def device_near_change(diary: Diary) -> list[str]:
    """Reasons naming each device change within :data:`DEVICE_NEAR` nights of a regimen change.

    Lasting switches first, then blips (a source for at most
    :data:`~model.data.devices.BLIP_NIGHTS` nights between two runs of another: a tracker
    forgotten), each blip one reason (:func:`~model.data.devices.device_switches`): an
    outside audit found a one-night hand-written blip named twice, and four such reasons
    before the Fitbit-to-Oura switch on the night glycinate began.
    """
    starts, reasons = regimen_changes(diary), []
    for day, before, after, back in device_switches(diary.nights):
        apart = (starts["start"] - day).dt.days
        near = starts[apart.abs() <= DEVICE_NEAR]
        if near.empty:
            continue
        regimen = near.iloc[0]
        what = (f"changed on {day.date()} ({named(before)} to {named(after)})" if back is None
                else f"was {named(after)} from {day.date()} until {named(before)} again on "
                     f"{back.date()}")
        keep = ("keep one device for a few weeks around a change of regimen" if back is None
                else f"measure every night with {named(before)} around a change of regimen")
        reasons.append(
            f"the measuring device {what}, {abs(int(apart[near.index[0]]))} night(s) from the "
            f"change to {Regimen.from_label(regimen['label']).words} on "
            f"{regimen['start'].date()}: the diary cannot tell the device's level shift from "
            f"that change's effect; {keep}")
    return reasons


def other_change_near(diary: Diary, near: int = OTHER_CHANGE_NEAR) -> list[str]:
    """Reasons naming each ``other_change`` within ``near`` nights of a change of regimen.

    The nearest change of regimen is named (the first of two as near), after the diary's
    first night (:func:`model.data.life_events.other_changes`).
    """
    starts, reasons = regimen_changes(diary), []
    for day, text in other_changes(diary.nights):
        apart = (day - starts["start"]).dt.days
        if starts.empty or apart.abs().min() > near:
            continue
        row = int(apart.abs().to_numpy().argmin())
        nights, regimen = int(apart.iloc[row]), Regimen.from_label(starts["label"].iloc[row])
        when = ("the night" if nights == 0 else
                f"{abs(nights)} night(s) {'after' if nights > 0 else 'before'}")
        began = (f"you began {regimen.words}" if regimen.active
                 else f"you changed to {regimen.words}")
        on = f" (on {starts['start'].iloc[row].date()})" if nights else ""
        reasons.append(f"{text} on {day.date()}, {when} {began}{on}: the effect seen on "
                       f"{regimen.words} includes it (column other_change)")
    return reasons


SETTLE = ("your diary cannot yet tell magnesium's effect from expectation or chance: that takes "
          "a break of {need} or more nights without magnesium, written every night (the advice "
          "proposes one when it pays), or a placebo period: mgsleep plan --blind")
"""The plain point and what would settle it, before the detail of :func:`_no_withdrawal` (a
plain-language editor: an 85-word caution whose action, if any, came last). Said as what the
diary needs, not an order: "to settle it, spend 10 or more nights without magnesium" stood
beside "Continue glycinate", and read as "stay off" to one already off for four weeks (an
outside audit, /tmp/w49/c M1, W2)."""


def short_of(p: float, limit: float) -> str:
    """``p`` as :func:`~model.core.change_words.chance` says it, never at ``limit`` if below it.

    Rounded down to the hundredth below ``limit`` where rounding would reach it: "P 0.80
    that 10 were enough; a withdrawal counts from 0.8" was said of 0.7985, which did not
    count (an outside audit, /tmp/w49/c M4).
    """
    shown = round(p, 2)
    while p < limit <= shown:
        shown = round(shown - 0.01, 2)
    return chance(shown)


def _what_is_short(best: Break | None, need: int) -> str:
    """What the break nearest a withdrawal lacks: time off, written nights, or late ones ("").

    Said for a break that has one of the first two; a few nights skipped after a run on
    magnesium are no break to speak of. Its written nights are named, not the break: a
    14-night break whose last 7 nights were not written was said "7 nights, is too short"
    (an outside audit, /tmp/w49/g G8). A break long enough that goes on says how many more
    written nights it needs at least: its span can only grow. The audit's trip (6 nights with
    sleep read over 25) lacked one.
    """
    if best is None or (best.observed < MIN_OFF_NIGHTS and best.span < need):
        return ""
    so_far = " so far" if best.ongoing else ""
    when = f"; the nights off you wrote from {best.first} to {best.last} span {best.span} nights"
    if best.observed < MIN_OFF_NIGHTS:
        more = MIN_OFF_NIGHTS - best.observed
        then = (f": it needs {more} more written night{'s' * (more != 1)} off at least"
                if best.ongoing else "")
        return (f"{when}, time enough, but only {best.observed} of them have a sleep outcome, "
                f"too few to compare{then}")
    if best.span < need:
        return f"{when}, too short a time{so_far}"
    return f"{when}, time enough, but most were written before half of the effect had faded"


def _no_withdrawal(need: int, best: Break | None, p: float | None, borderline: bool,
                   draws: Mapping[str, np.ndarray] | None) -> str:
    """The reason a diary without a withdrawal gives: the point and the action, then the detail.

    ``need``: :func:`off_nights_needed`; ``best``: the break nearest a withdrawal
    (:func:`~model.personal.withdrawal.best_break`), ``p`` its :func:`p_enough`. The
    detail says what that break lacks, time off or written nights (:func:`_what_is_short`):
    never "too few: half of the effect fades" of a break long past the fade (/tmp/w49/c W2).
    A borderline break (long enough at the time constants' median but not under
    :data:`WITHDRAWAL_SURE` of them) is said so, with both numbers and its chance
    (:func:`short_of`): the audit's 10 nights had turned a withdrawal and back on the outcomes
    alone (/tmp/w46/A F1).
    """
    words = (f"{SETTLE.format(need=need)}{IN_DETAIL}no withdrawal (one is {MIN_ON_NIGHTS}+ "
             f"nights on magnesium, then a break of {need}+ nights, by when half of its effect "
             f"has probably faded, with {MIN_OFF_NIGHTS}+ of them written with a sleep outcome"
             f"{_what_is_short(best, need)}) and fewer than {MIN_PLACEBO_NIGHTS} placebo "
             "nights, so a change on magnesium, better or worse, may be expectation or a patch "
             "of nights passing")
    if not borderline or best is None or p is None:
        return words
    return (f"{words}; borderline: {best.span} nights off would do at the median estimate of "
            f"how fast magnesium's effect fades ({off_nights_needed(draws, BORDERLINE)}+), but "
            f"that estimate is wide and allows {need} or more (P {short_of(p, WITHDRAWAL_SURE)} "
            f"that {best.span} were enough; a withdrawal counts from {WITHDRAWAL_SURE:.1f})")


def separability(diary: Diary, draws: Mapping[str, np.ndarray] | None = None,
                 lead: int = 0) -> Separability:
    """Say whether ``diary`` separates magnesium from expectation and drift.

    A withdrawal is a break (:func:`~model.personal.withdrawal.breaks`) with
    :data:`MIN_OFF_NIGHTS` observed nights that show, under :data:`WITHDRAWAL_SURE` of the
    time constants, as much of the effect faded as :func:`off_nights_needed` nights written
    every night (:func:`~model.personal.withdrawal.p_enough`): the evidence and the time for
    the effect to fade, apart (outside audits, /tmp/w49/c W2, /tmp/w49/g G5).

    Parameters
    ----------
    diary : Diary
        The person's diary.
    draws : mapping, optional
        Flattened posterior draws (``theta``, ``expectation``, ``tau``, ``trend``) of a fit
        of it, for the correlations and the nights a break must span
        (:func:`off_nights_needed`, under :data:`WITHDRAWAL_SURE` of the time constants).
    lead : int
        Nights on magnesium before the diary (the profile's ``taking_since``), for the run a
        break from the diary's first nights follows (:func:`~model.personal.withdrawal.breaks`).
    """
    nights = diary.nights
    active = (nights["form"].isin(FORMS) & (nights["elemental_mg"] > 0)).to_numpy()
    placebo = int((nights["form"] == PLACEBO).sum())
    need, found = off_nights_needed(draws), breaks(diary, active, lead)
    withdrawals = sum(p_enough(b, draws) >= WITHDRAWAL_SURE for b in found)
    best = best_break(found)
    p = None if best is None or not draws or "tau" not in draws else p_enough(best, draws)
    borderline = not withdrawals and p is not None and p >= BORDERLINE
    tried = [f for f in FORMS if (nights["form"] == f).any()]
    correlation = _correlation(draws or {}, tried)
    separable = withdrawals > 0 or placebo >= MIN_PLACEBO_NIGHTS
    reasons: list[str] = []
    if not tried:
        reasons.append("no magnesium taken yet")
    elif not separable:
        reasons.append(_no_withdrawal(need, best, p, borderline, draws))
    if correlation is not None and correlation < ENTANGLED:
        reasons.append(f"the magnesium and expectation effects are still entangled in the "
                       f"posterior (correlation {correlation:.2f})")
    trend, said = trend_reason(diary, draws or {}, need)
    reasons += said if separable else []    # else the withdrawal's reason asks the same nights
    reasons += (covariate_shifts(diary, active) + form_shifts(diary, active)
                + weekday_shift(diary, active)
                + device_near_change(diary) + other_change_near(diary) + short_runs(diary))
    return Separability(separable and bool(tried), withdrawals, placebo,
                        switch_ons(diary, active),
                        correlation, tuple(reasons), need, p, borderline, trend)
