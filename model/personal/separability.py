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

import math
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np

from model.core.change_words import IN_DETAIL
from model.core.forms import FORMS, PLACEBO
from model.core.outcomes import OUTCOMES, SLEEP_OUTCOMES
from model.core.regimen import Regimen
from model.data.devices import device_switches, named
from model.data.diary import COVARIATES, Diary
from model.data.life_events import other_changes
from model.personal.drift_contrast import trend_reason

MIN_ON_NIGHTS = 14
"""A withdrawal counts after at least this many nights on magnesium with a row (a dose written
down, not a gap's guess)..."""
MIN_OFF_NIGHTS = 7
"""...followed by at least this many nights off it (not placebo) that were observed: a row
with an outcome. A gap's nights, or rows holding only a date, taken as off because the dose
changed across them, separate nothing (an outside audit: 17 such nights made a
"withdrawal"). This is the least; the fit's kinetics may ask for more
(:func:`off_nights_needed`)."""
MAX_OFF_NIGHTS = 28
"""...and at most this many: the longest evaluation period, hence the longest withdrawal the
decision proposes (``DecisionSettings.max_period_nights``), so that a withdrawal it proposes
always counts."""
FADED = math.log(2.0)
"""Nights off, in time constants of the store's fade, for a withdrawal to count: ln 2, by
when half of magnesium's steady-state effect has gone (first-order kinetics). Nine nights off
counted while the fitted time constant was 10-17 days, and whether the diary "separated"
then flipped with where the nine nights fell (an outside audit): its nights still held most of
the effect, and the contrast rested on the fitted kinetics themselves."""
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
MIN_PLACEBO_NIGHTS = 7
"""Placebo nights that separate expectation from magnesium."""
ENTANGLED = -0.5
"""A posterior correlation of effect and expectation below this is reported as entangled."""
COVARIATE_SHIFT = 0.5
"""A recorded covariate (late caffeine, alcohol) whose night-by-night correlation with taking
magnesium is this far from 0 is named in the reasons: a quarter or more of its variation goes
with magnesium, and the model can hardly split their effects (the SD of each estimate grows
by 1 / sqrt(1 - r^2), 15 % or more). Caffeine stopped two nights before magnesium started
(85 % of nights before, 4 % after) went unsaid (an outside audit)."""
COVARIATE_NIGHTS = 7
"""Nights with an outcome and the covariate recorded needed on each side (with and without
magnesium) before a shift is named: a share from fewer says little."""
_COVARIATE_WORDS = {"caffeine_late": "caffeine after 14:00", "alcohol_drinks": "alcohol"}
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
        Runs of >= :data:`MIN_ON_NIGHTS` nights on magnesium followed by enough observed
        nights off it (:func:`off_nights_needed`; :data:`MIN_OFF_NIGHTS` says which count).
    placebo_nights : int
        Nights on placebo.
    switch_ons : int
        Times magnesium was started after nights observed without it.
    correlation : float or None
        Most negative posterior correlation between a tried form's sleep-onset effect and
        the expectation effect (None without draws or without a tried form).
    reasons : tuple of str
        Plain-language reasons, for people: why the diary is not separable (with the nights
        off a withdrawal needs), an entangled posterior (with expectation, or with the slow
        trend: :mod:`model.personal.drift_contrast`), a recorded covariate that changed
        with magnesium (:data:`COVARIATE_SHIFT`), a change of device near a change of
        regimen (:data:`DEVICE_NEAR`), another change in life near a change of regimen
        (:data:`OTHER_CHANGE_NEAR`).
    off_nights_needed : int
        Observed nights off after a run on magnesium that make a withdrawal.
    p_withdrawal_long_enough : float or None
        For the most nights off observed after a run on magnesium: the share of the fit's
        time constants under which they make a withdrawal (:func:`p_long_enough`; one counts
        from :data:`WITHDRAWAL_SURE`). None without such nights or without draws.
    borderline : bool
        No withdrawal counts, but those nights off are long enough under
        :data:`BORDERLINE` of the time constants (at their median): the reasons say so.
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


def _runs(on: np.ndarray, counted: np.ndarray) -> list[tuple[bool, int]]:
    """Consecutive runs of ``on`` as (value, how many of their nights are ``counted``)."""
    runs: list[tuple[bool, int]] = []
    for value, count in zip(on, counted, strict=True):
        if runs and runs[-1][0] == bool(value):
            runs[-1] = (runs[-1][0], runs[-1][1] + int(count))
        else:
            runs.append((bool(value), int(count)))
    return runs


def _correlation(draws: Mapping[str, np.ndarray], tried: list[str]) -> float | None:
    """Most negative correlation of a tried form's SOL effect with the SOL expectation."""
    if not tried or "theta" not in draws or "expectation" not in draws:
        return None
    sol = OUTCOMES.index("sol")
    expectation = draws["expectation"][:, SLEEP_OUTCOMES.index("sol")]
    values = [np.corrcoef(draws["theta"][:, FORMS.index(f), sol], expectation)[0, 1]
              for f in tried]
    return float(np.nanmin(values))


def _needed_per_draw(draws: Mapping[str, np.ndarray] | None) -> np.ndarray | None:
    """Observed nights off each time constant (``tau`` draw) asks, or None without draws.

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
    """The share of the fit's time constants under which ``nights`` off make a withdrawal.

    The posterior probability that half of magnesium's effect had faded (:data:`FADED`) in
    that many observed nights off; None without draws (no posterior to say it).
    """
    needed = _needed_per_draw(draws)
    return None if needed is None else _share_enough(nights, needed)


def off_nights_needed(draws: Mapping[str, np.ndarray] | None = None,
                      share: float = WITHDRAWAL_SURE) -> int:
    """Observed nights off that make a withdrawal: the fewest long enough under ``share``.

    The fewest nights whose :func:`p_long_enough` is at least ``share`` (by default
    :data:`WITHDRAWAL_SURE` of the time constants: ln 2 of their 80th percentile), so that a
    gap counts exactly when its nights reach this number. Without draws, the least,
    :data:`MIN_OFF_NIGHTS` (the prior median time constant, 10 days, asks 6.9 nights).
    """
    needed = _needed_per_draw(draws)
    if needed is None:
        return MIN_OFF_NIGHTS
    return next(n for n in range(MIN_OFF_NIGHTS, MAX_OFF_NIGHTS + 1)
                if _share_enough(n, needed) >= share)


def _shift_words(column: str, off: np.ndarray, on: np.ndarray) -> str:
    """A covariate's level without and with magnesium, in words."""
    if column == "caffeine_late":
        return (f"{_COVARIATE_WORDS[column]} on {100 * off.mean():.0f} % of nights without "
                f"magnesium, {100 * on.mean():.0f} % with it")
    return (f"{_COVARIATE_WORDS[column]} {off.mean():.1f} drinks a night without magnesium, "
            f"{on.mean():.1f} with it")


def covariate_shifts(diary: Diary, active: np.ndarray) -> list[str]:
    """Reasons naming each recorded covariate that changed with magnesium.

    Over the recorded nights with an outcome and the covariate written down, the correlation
    of the covariate with taking magnesium (``active``, per night) at least
    :data:`COVARIATE_SHIFT` in size, with :data:`COVARIATE_NIGHTS` such nights on each side.
    """
    nights = diary.nights
    reasons = []
    for column in COVARIATES:
        values = nights[column].to_numpy(float)
        used = (nights["recorded"] & diary.has_outcome).to_numpy(bool) & np.isfinite(values)
        on, off = values[used & active], values[used & ~active]
        if min(on.size, off.size) < COVARIATE_NIGHTS or np.ptp(values[used]) == 0:
            continue
        r = float(np.corrcoef(active[used].astype(float), values[used])[0, 1])
        if abs(r) >= COVARIATE_SHIFT:
            reasons.append(f"{_shift_words(column, off, on)}: the diary cannot well tell their "
                           f"effects apart (correlation {r:.2f} night by night; named from "
                           f"{COVARIATE_SHIFT:.1f})")
    return reasons


def device_near_change(diary: Diary) -> list[str]:
    """Reasons naming each device change within :data:`DEVICE_NEAR` nights of a regimen change.

    Lasting switches first, then blips (a source for at most
    :data:`~model.data.devices.BLIP_NIGHTS` nights between two runs of another: a tracker
    forgotten), each blip one reason (:func:`~model.data.devices.device_switches`): an
    outside audit found a one-night hand-written blip named twice, and four such reasons
    before the Fitbit-to-Oura switch on the night glycinate began.
    """
    starts = diary.segments()
    starts = starts[starts["start"] > diary.nights.index[0]]
    reasons = []
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
    starts = diary.segments()
    starts = starts[starts["start"] > diary.nights.index[0]]
    reasons = []
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


SETTLE = ("your diary cannot yet tell magnesium's effect from expectation or chance: to "
          "settle it, spend {need} or more nights without magnesium, writing every night, or "
          "use a placebo: mgsleep plan --blind")
"""The plain point and what to do, before the detail of :func:`_no_withdrawal` (a
plain-language editor: an 85-word caution whose action, if any, came last)."""


def _no_withdrawal(need: int, longest: int, chance: float | None, borderline: bool,
                   draws: Mapping[str, np.ndarray] | None) -> str:
    """The reason a diary without a withdrawal gives: the point and the action, then the detail.

    ``need``: :func:`off_nights_needed`; ``longest``: the diary's most nights off after a run
    on magnesium, ``chance`` their :func:`p_long_enough`. A borderline gap (long enough at
    the time constants' median but not under :data:`WITHDRAWAL_SURE` of them) is said so,
    with both numbers and its chance: the audit's 10 nights had turned a withdrawal and back
    on the outcomes alone (/tmp/w46/A F1).
    """
    words = (f"{SETTLE.format(need=need)}{IN_DETAIL}no withdrawal ({need}+ nights off, with "
             f"an outcome, after {MIN_ON_NIGHTS}+ on"
             + (f"; {longest} is too few" if longest >= MIN_OFF_NIGHTS else "")
             + ": about half of magnesium's effect fades in that time) and fewer than "
             f"{MIN_PLACEBO_NIGHTS} placebo nights, so a change on magnesium, better or worse, "
             "may be expectation or a patch of nights passing")
    if not borderline:
        return words
    return (f"{words}; borderline: {longest} nights off would do at the median estimate of "
            f"how fast magnesium's effect fades ({off_nights_needed(draws, BORDERLINE)}+), "
            f"but that estimate is wide and allows {need} or more (P {chance:.2f} that "
            f"{longest} were enough; a withdrawal counts from {WITHDRAWAL_SURE:.1f})")


def separability(diary: Diary, draws: Mapping[str, np.ndarray] | None = None) -> Separability:
    """Say whether ``diary`` separates magnesium from expectation and drift.

    Parameters
    ----------
    diary : Diary
        The person's diary.
    draws : mapping, optional
        Flattened posterior draws (``theta``, ``expectation``, ``tau``, ``trend``) of a fit
        of it, for the correlations and the nights off a withdrawal needs
        (:func:`off_nights_needed`, under :data:`WITHDRAWAL_SURE` of the time constants).
    """
    nights = diary.nights
    active = (nights["form"].isin(FORMS) & (nights["elemental_mg"] > 0)).to_numpy()
    placebo = int((nights["form"] == PLACEBO).sum())
    counted = np.where(active, nights["recorded"].to_numpy(bool),
                       (nights["recorded"] & diary.has_outcome).to_numpy(bool))
    runs = _runs(active, counted)
    need = off_nights_needed(draws)
    switch_ons = sum(1 for (off, m), (on, _) in pairwise(runs) if on and not off and m)
    offs = [m for (on, n), (off, m) in pairwise(runs) if on and n >= MIN_ON_NIGHTS and not off]
    withdrawals = sum(m >= need for m in offs)
    longest = max(offs, default=0)
    chance = p_long_enough(longest, draws) if offs else None
    borderline = not withdrawals and chance is not None and chance >= BORDERLINE
    tried = [f for f in FORMS if (nights["form"] == f).any()]
    correlation = _correlation(draws or {}, tried)
    separable = withdrawals > 0 or placebo >= MIN_PLACEBO_NIGHTS
    reasons: list[str] = []
    if not tried:
        reasons.append("no magnesium taken yet")
    elif not separable:
        reasons.append(_no_withdrawal(need, longest, chance, borderline, draws))
    if correlation is not None and correlation < ENTANGLED:
        reasons.append(f"the magnesium and expectation effects are still entangled in the "
                       f"posterior (correlation {correlation:.2f})")
    trend, said = trend_reason(diary, draws or {}, need)
    reasons += said if separable else []    # else the withdrawal's reason asks the same nights
    reasons += (covariate_shifts(diary, active) + device_near_change(diary)
                + other_change_near(diary))
    return Separability(separable and bool(tried), withdrawals, placebo, switch_ons,
                        correlation, tuple(reasons), need, chance, borderline, trend)
