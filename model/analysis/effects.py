"""Your effect of each form in diary units, with a verdict a person can read.

For every form x outcome: magnesium's own expected steady-state change at the dose taken (the
reference dose, 300 mg, for a form not taken yet) against **placebo**, in the diary's own
units (minutes of sleep-onset latency, awakenings per night, rating points, share of GI
nights), with its 90 % interval, P(benefit) and the probabilities of a change beyond the
minimal clinically important difference (MCID, ``priors/settings.toml``) in the helpful and
in the harmful direction.

**Same numbers as the decision.** The change is taken on each outcome's link scale and turned
into diary units with the decision's slope (halfway between the typical nights of the two
regimens compared; :mod:`model.decision.gains`), so for the current regimen it is
minus the ``expected_gain`` of stopping it, and for a start from no magnesium it is the
``expected_gain`` of that start (signs aside: here the raw diary direction, so a negative
sleep-onset change means falling asleep faster). Placebo, not "nothing", is the comparison:
the expectation effect of taking anything and the drift of a diary are not magnesium's.

**Verdicts** (``b``: the change in the better direction, ``m``: the MCID; 90 % interval):

- ``works``: P(b > m) >= 0.8, or P(b > 0) >= 0.9 with the mean of b at least m;
- ``harms``: the same in the harmful direction (P(b < -m) >= 0.8, or P(b < 0) >= 0.9 with
  the mean of b at most -m); each probability must clear its threshold by two Monte Carlo
  standard errors (:data:`MC_ERRORS`), so that a re-fit does not flip the verdict;
- ``no_meaningful_effect``: the 90 % interval lies inside (-m, m), a region of practical
  equivalence: whatever the effect is, it is smaller than the MCID;
- ``inconclusive``: none of these. For a form already taken, ``nights_needed`` estimates the
  further nights on it after which a verdict is more likely than not, assuming the
  posterior SD shrinks as one over the square root of the nights on the form and letting
  the mean move as those nights will move it (:func:`nights_needed`; a rough guide:
  build-up, autocorrelation and the shared responsiveness are ignored); None for a form not
  taken yet, for an outcome never recorded on a night off the form (more nights on it
  cannot tell its change from the person's usual level) and when more than a year would be
  needed.

**Without placebo nights** the comparison with placebo subtracts an expectation effect that
only its prior knows (centred on a benefit): a form that changed nothing would look harmful.
So, while the diary has no placebo night, a ``works``, ``harms`` or ``no_meaningful_effect``
on a sleep outcome stands only when the change against no magnesium (what the nights show,
expectation included) gets the same verdict; otherwise it is ``inconclusive`` with
``needs_placebo`` set (a blinded placebo period settles it). A large change on magnesium
called "no meaningful effect" because the expectation prior took it was the same
overreach the other way.

A tried form's verdict needs ``min_nights`` recorded nights of the outcome on it (7, the
shortest evaluation period): on fewer it is ``inconclusive``, however far the interval lies
(two nights on a form were called "works for you", and two or three nights without loose
stools "no meaningful effect" while the GI log-odds interval spanned -3 to +2.5).

The first two cannot both hold, and neither can hold with the third (a mean beyond the MCID,
or P(b > m) >= 0.8, puts the interval's end beyond m). A verdict is a statement about the
posterior, never more certain than it: on a form not taken yet it mostly restates the
evidence priors.

>>> from model.analysis.effects import diary_effects
>>> effects = diary_effects(fit.predict, diary.nights, priors)          # doctest: +SKIP
>>> effects.get("glycinate", "sol").verdict                                  # doctest: +SKIP
'works'
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np
import pandas as pd
import xarray as xr

from model.core.forms import FORMS, PLACEBO
from model.core.outcomes import OUTCOMES, SLEEP_OUTCOMES, SPECS
from model.core.regimen import NO_MAGNESIUM, Regimen
from model.core.special import normal_cdf, normal_quantile
from model.decision.gains import change
from model.decision.history import History
from model.decision.settings import DecisionSettings, Predict
from model.evidence.priorset import PriorSet

Verdict = Literal["works", "no_meaningful_effect", "harms", "inconclusive"]
VERDICTS: tuple[Verdict, ...] = ("works", "no_meaningful_effect", "harms", "inconclusive")
"""Every verdict, in the order a reader meets them."""


@dataclass(frozen=True)
class VerdictRule:
    """The thresholds of the verdicts (the module docstring says how they combine)."""

    interval: float = DecisionSettings.interval     # one interval level, the decision's
    p_beyond: float = 0.8
    p_direction: float = 0.9
    max_nights: int = 365
    min_nights: int = DecisionSettings.floor_nights  # a tried form's verdict: nights with it


MC_ERRORS = 2.0
"""A verdict's probability must clear its threshold by this many Monte Carlo standard errors
(binomial, over the draws): at P(harm direction) 0.898 and 0.905 two seeds of one diary said
"not settled yet" and "harms you"."""


@dataclass(frozen=True)
class DiaryEffect:
    """One form x outcome effect in diary units (raw diary direction) with its verdict.

    Parameters
    ----------
    form, outcome : str
        The form and the model outcome (:data:`model.core.outcomes.OUTCOMES`).
    regimen : Regimen
        The regimen the change is for: the one taken on most recorded nights of the form,
        else the reference dose (in :attr:`DiaryEffects.by_regimen`: each regimen taken).
    nights : int
        Recorded nights on the form with this outcome recorded (0: not tried); in
        :attr:`DiaryEffects.by_regimen`, on that regimen alone.
    unit : str
        Diary unit of the change.
    mean, ci_low, ci_high : float
        Mean and central interval of the change against placebo (diary direction: higher =
        more minutes, awakenings, points or GI nights).
    p_benefit, p_beyond_mcid, p_harm_beyond_mcid : float
        P(a change in the better direction), P(better by more than the MCID), P(worse by
        more than the MCID).
    mcid : float
        The MCID (diary units).
    verdict : str
        One of :data:`VERDICTS`.
    nights_needed : int or None
        For ``inconclusive`` on a tried form: the further nights a verdict would take.
    needs_placebo : bool
        True when a ``works`` or ``harms`` against placebo was turned into ``inconclusive``
        because the diary has no placebo night and the change against no magnesium (what
        the nights show) gives another verdict: the difference rests on the prior of the
        expectation effect alone.

    """

    form: str
    outcome: str
    regimen: Regimen
    nights: int
    unit: str
    mean: float
    ci_low: float
    ci_high: float
    p_benefit: float
    p_beyond_mcid: float
    p_harm_beyond_mcid: float
    mcid: float
    verdict: Verdict
    nights_needed: int | None = None
    needs_placebo: bool = False

    @property
    def tried(self) -> bool:
        """True when the form was taken on a night where this outcome was recorded."""
        return self.nights > 0

    @property
    def benefit(self) -> float:
        """The mean change in the better direction (positive = better)."""
        return SPECS[self.outcome].sign * self.mean

    def to_dict(self) -> dict[str, Any]:
        """The fields this adds to an ``effects`` entry of the ``analyze`` JSON."""
        return {"diary_change": {"unit": self.unit, "mean": self.mean, "ci_low": self.ci_low,
                                 "ci_high": self.ci_high,
                                 "elemental_mg_per_day": self.regimen.elemental_mg,
                                 "split": self.regimen.split},
                "p_beyond_mcid": self.p_beyond_mcid,
                "p_harm_beyond_mcid": self.p_harm_beyond_mcid, "verdict": self.verdict,
                "mcid": self.mcid, "nights_needed": self.nights_needed,
                "needs_placebo": self.needs_placebo}

    def regimen_entry(self) -> dict[str, Any]:
        """A ``regimen_effects`` entry of the ``analyze`` JSON: one regimen taken, one outcome."""
        return {"form": self.form, "outcome": self.outcome, "nights": self.nights,
                "p_benefit": self.p_benefit} | self.to_dict()


@dataclass(frozen=True)
class DiaryEffects:
    """Every form x outcome :class:`DiaryEffect` (forms in FORMS order, then outcomes).

    ``placebo_nights`` counts the diary's recorded placebo nights: without any, magnesium's
    own effect (against placebo) is the change against no magnesium minus an expectation
    effect known only from its prior. ``by_regimen`` holds the same for every regimen taken
    (form, dose and split; forms in the order first taken, each form's doses together, then
    outcomes), its ``nights`` counted on that regimen alone: a form taken at 136 mg and later
    at 800 mg has an effect at each.
    """

    effects: tuple[DiaryEffect, ...]
    interval: float
    placebo_nights: int = 0
    by_regimen: tuple[DiaryEffect, ...] = ()

    def __iter__(self) -> Iterator[DiaryEffect]:
        """Iterate over the effects."""
        return iter(self.effects)

    def only_settled_on(self, allowed: Callable[[Regimen], bool]) -> DiaryEffects:
        """These effects with no ``nights_needed`` for a regimen ``allowed`` says no to.

        "About N more nights on it to tell" would advise nights on a dose above the ceiling
        or of an excluded form, or on any magnesium under a referral: for those the verdict
        stays open, and the advice says to stop.
        """
        def open_(effects: tuple[DiaryEffect, ...]) -> tuple[DiaryEffect, ...]:
            return tuple(e if allowed(e.regimen) else replace(e, nights_needed=None)
                         for e in effects)

        return replace(self, effects=open_(self.effects), by_regimen=open_(self.by_regimen))

    def get(self, form: str, outcome: str) -> DiaryEffect:
        """The effect of one form on one outcome."""
        for effect in self.effects:
            if effect.form == form and effect.outcome == outcome:
                return effect
        raise KeyError(f"no effect for {form} x {outcome}")

    def table(self) -> pd.DataFrame:
        """One row per form x outcome, tried forms first (then FORMS order)."""
        rows = [{"form": e.form, "outcome": e.outcome, "regimen": e.regimen.label,
                 "nights": e.nights, "unit": e.unit, "mean": e.mean, "ci_low": e.ci_low,
                 "ci_high": e.ci_high, "p_benefit": e.p_benefit,
                 "p_beyond_mcid": e.p_beyond_mcid, "p_harm_beyond_mcid": e.p_harm_beyond_mcid,
                 "mcid": e.mcid, "verdict": e.verdict, "nights_needed": e.nights_needed}
                for e in self.effects]
        frame = pd.DataFrame(rows)
        tried = frame.groupby("form")["nights"].transform("max") > 0
        return frame.assign(_tried=tried).sort_values(
            "_tried", ascending=False, kind="stable").drop(columns="_tried")


def verdict(benefit: np.ndarray, mcid: float, rule: VerdictRule = VerdictRule()) -> Verdict:
    """The verdict of draws of a change in the better direction (see the module docstring).

    Parameters
    ----------
    benefit : numpy.ndarray
        Draws of the change, positive = better, diary units.
    mcid : float
        The minimal clinically important difference (> 0).
    rule : VerdictRule
        The thresholds.

    Returns
    -------
    str
        One of :data:`VERDICTS`.

    """
    mean = float(benefit.mean())

    def surely(event: np.ndarray, threshold: float) -> bool:
        """P(event) at or above ``threshold`` by more than twice its Monte Carlo error."""
        p = float(np.mean(event))
        return p - MC_ERRORS * np.sqrt(p * (1 - p) / event.size) >= threshold

    if surely(benefit > mcid, rule.p_beyond) or (
            surely(benefit > 0, rule.p_direction) and mean >= mcid):
        return "works"
    if surely(benefit < -mcid, rule.p_beyond) or (
            surely(benefit < 0, rule.p_direction) and mean <= -mcid):
        return "harms"
    tail = (1 - rule.interval) / 2
    low, high = np.quantile(benefit, [tail, 1 - tail])
    if -mcid < low and high < mcid:
        return "no_meaningful_effect"
    return "inconclusive"


def verdict_chance(mean: float, sd: float, mcid: float, later_sd: np.ndarray,
                   rule: VerdictRule = VerdictRule()) -> np.ndarray:
    """P(a verdict) once more nights have shrunk the posterior SD from ``sd`` to ``later_sd``.

    Preposterior, in the normal approximation: the posterior mean then is unknown today, a
    draw from ``N(mean, sd^2 - later_sd^2)`` (a posterior mean is a martingale), and the rule
    of :func:`verdict` on ``N(m', later_sd)`` reads: ``works`` when ``m' >= mcid + z(p_beyond)
    later_sd`` or ``m' >= max(mcid, z(p_direction) later_sd)``, ``harms`` the mirror image,
    ``no_meaningful_effect`` when ``|m'| <= mcid - z(interval) later_sd``.

    Parameters
    ----------
    mean, sd : float
        Today's posterior mean and SD of the change in the better direction.
    mcid : float
        The MCID.
    later_sd : numpy.ndarray
        Posterior SDs after more nights (each at most ``sd``).
    rule : VerdictRule
        The thresholds.

    Returns
    -------
    numpy.ndarray
        Shaped as ``later_sd``.

    """
    spread = np.sqrt(np.maximum(sd**2 - later_sd**2, 1e-300))
    works = np.minimum(mcid + normal_quantile(rule.p_beyond) * later_sd,
                       np.maximum(mcid, normal_quantile(rule.p_direction) * later_sd))
    inside = np.maximum(mcid - normal_quantile(1 - (1 - rule.interval) / 2) * later_sd, 0.0)
    return (normal_cdf((mean - works) / spread) + normal_cdf((-works - mean) / spread)
            + normal_cdf((inside - mean) / spread) - normal_cdf((-inside - mean) / spread))


def nights_needed(benefit: np.ndarray, mcid: float, nights: int,
                  rule: VerdictRule = VerdictRule()) -> int | None:
    """Further nights on the form after which a verdict is more likely than not.

    The posterior SD is taken to shrink as one over the square root of the nights on the
    form, and the mean to move as the coming nights will move it (:func:`verdict_chance`):
    the answer is the median number of nights to a verdict. It does not hinge on where
    today's mean sits against the MCID (a mean near it would give any number, and a Monte
    Carlo wobble of the mean another), and a mean right on it still gets an answer.

    Parameters
    ----------
    benefit : numpy.ndarray
        Draws of the change (positive = better).
    mcid : float
        The MCID.
    nights : int
        Nights on the form so far (None is returned for 0: nothing to extrapolate from).
    rule : VerdictRule
        The thresholds; more than ``rule.max_nights`` gives None.

    Returns
    -------
    int or None

    """
    sd = float(benefit.std())
    if nights <= 0 or sd <= 0:
        return None
    more = np.arange(1, rule.max_nights + 1)
    chance = verdict_chance(float(benefit.mean()), sd, mcid,
                            sd * np.sqrt(nights / (nights + more)), rule)
    decided = np.flatnonzero(chance >= 0.5)
    return int(more[decided[0]]) if decided.size else None


def _dose_taken(past: History, form: str, reference_mg: float) -> Regimen:
    """The regimen of ``form`` taken on most recorded nights (the first on ties)."""
    taken = Counter({r: n for r, n in past.nights_on.items() if r.active and r.form == form})
    return taken.most_common(1)[0][0] if taken else Regimen(form, reference_mg)


def _nights_on(nights: pd.DataFrame) -> dict[Regimen, dict[str, int]]:
    """Recorded nights of each regimen taken x outcome: taken, the outcome written down.

    Forms in the order first taken, each form's doses together in the order first taken.
    """
    taken = nights[nights["elemental_mg"] > 0]
    seen = taken[[SPECS[o].column for o in OUTCOMES]].notna().set_axis(list(OUTCOMES), axis=1)
    keys = [taken["form"].astype(str), taken["elemental_mg"].astype(float),
            taken["split"].eq(True)]
    counts = seen.groupby(keys, sort=False).sum()
    rows = [(Regimen(str(form), float(mg), bool(split)),
             {o: int(n) for o, n in zip(OUTCOMES, row, strict=True)})
            for (form, mg, split), row in zip(counts.index, counts.to_numpy(), strict=True)]
    order = list(dict.fromkeys(regimen.form for regimen, _ in rows))
    return dict(sorted(rows, key=lambda item: order.index(item[0].form)))


def change_draws(values: xr.DataArray, regimen: Regimen, against: Regimen,
                 variable: str) -> np.ndarray:
    """Draws of the link-scale change of ``regimen`` over ``against``, in diary units."""
    rows = values.transpose("regimen", ...)
    where = rows.indexes["regimen"]
    array = rows.to_numpy()
    return change(variable, array[where.get_loc(regimen.label)],
                  array[where.get_loc(against.label)])


def _assess(form: str, outcome: str, regimen: Regimen, data: xr.Dataset, n: int,
            placebo_nights: int, priors: PriorSet, rule: VerdictRule,
            compared: bool = True) -> DiaryEffect:
    """One form x outcome (see :func:`diary_effects`).

    ``compared``: the outcome was recorded on some night off the form, without which more
    nights on it cannot settle the change (no ``nights_needed``).
    """
    spec = SPECS[outcome]
    values = data[spec.gain_key]
    change = change_draws(values, regimen, Regimen(PLACEBO), spec.gain_key)
    benefit, mcid = spec.sign * change, priors.settings.outcomes[outcome].mcid
    said = verdict(benefit, mcid, rule)
    unsure = (said != "inconclusive" and outcome in SLEEP_OUTCOMES
              and not placebo_nights
              and said != verdict(spec.sign * change_draws(
                  values, regimen, NO_MAGNESIUM, spec.gain_key), mcid, rule))
    few = 0 < n < rule.min_nights        # a verdict on 2 nights rests on the prior's shape
    said = "inconclusive" if unsure or few else said
    tail = (1 - rule.interval) / 2
    low, high = np.quantile(change, [tail, 1 - tail])
    needed = nights_needed(benefit, mcid, n, rule) if said == "inconclusive" and not unsure \
        and compared else None
    if few and compared and not unsure:
        needed = max(needed or 0, rule.min_nights - n)
    return DiaryEffect(
        form, outcome, regimen, n, spec.unit, float(change.mean()), float(low), float(high),
        float(np.mean(benefit > 0)), float(np.mean(benefit > mcid)),
        float(np.mean(benefit < -mcid)), float(mcid), said, needed, unsure)


def _placebo_nights(nights: pd.DataFrame) -> int:
    return int(((nights["form"] == PLACEBO) & nights["recorded"]).sum())


def diary_effects(predict: Predict, nights: pd.DataFrame, priors: PriorSet, *,
                  rule: VerdictRule = VerdictRule(),
                  forms: Sequence[str] = FORMS) -> DiaryEffects:
    """Every form x outcome effect in diary units against placebo, with its verdict.

    Parameters
    ----------
    predict : callable
        ``predict(regimens) -> xarray.Dataset`` with dims (regimen, draw), joint draws
        (:meth:`model.personal.fit.PersonalModel.predict`, a
        :class:`model.testing.FakePosterior`).
    nights : pandas.DataFrame
        The diary's nights (:attr:`model.data.diary.Diary.nights`): the dose taken of each
        form, the current regimen (whose typical night sets the slopes), the nights on each
        form and on placebo.
    priors : PriorSet
        The MCIDs and the reference dose.
    rule : VerdictRule
        The thresholds of the verdicts.
    forms : sequence of str
        The forms to assess.

    Returns
    -------
    DiaryEffects

    """
    past = History.from_nights(nights)
    regimens = {f: _dose_taken(past, f, priors.settings.reference_dose_mg) for f in forms}
    taken = {r: n for r, n in _nights_on(nights).items() if r.form in forms}
    data = predict(list(dict.fromkeys([past.reference, Regimen(PLACEBO), NO_MAGNESIUM,
                                       *regimens.values(), *taken])))
    placebo = _placebo_nights(nights)
    outcomes = [o for o in OUTCOMES if SPECS[o].gain_key in data]

    recorded = nights[[SPECS[o].column for o in outcomes]].notna().set_axis(outcomes, axis=1)

    def on_form(form: str, outcome: str) -> int:
        return sum(n[outcome] for r, n in taken.items() if r.form == form)

    def off_form(form: str, outcome: str) -> bool:
        return bool((recorded[outcome] & nights["recorded"] & (nights["form"] != form)).any())

    return DiaryEffects(
        tuple(_assess(form, o, regimens[form], data, on_form(form, o), placebo, priors, rule,
                      off_form(form, o)) for form in forms for o in outcomes),
        rule.interval, placebo,
        tuple(_assess(r.form, o, r, data, n[o], placebo, priors, rule, off_form(r.form, o))
              for r, n in taken.items() for o in outcomes))
