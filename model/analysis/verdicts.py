"""The verdict of an effect: from posterior draws of a change to words a person can read.

**Verdicts** (``b``: the change in the better direction, ``m``: the MCID; 90 % interval):

- ``works``: P(b > m) >= 0.8, or P(b > 0) >= 0.9 with the mean of b at least m;
- ``harms``: the same in the harmful direction (P(b < -m) >= 0.8, or P(b < 0) >= 0.9 with
  the mean of b at most -m); each probability must clear its threshold by two Monte Carlo
  standard errors (:data:`MC_ERRORS`), so that a re-fit does not flip the verdict;
- ``no_meaningful_effect``: the 90 % interval lies inside (-m, m), a region of practical
  equivalence: whatever the effect is, it is smaller than the MCID;
- ``not_recorded``: no night of the diary records the outcome
  (:func:`model.data.recorded.recorded_outcomes`): its numbers are the evidence priors' alone,
  no claim about the person, and no night to come will show it (given by
  :mod:`model.analysis.effects`, never by :func:`verdict`: an unrecorded anxiety effect was
  "inconclusive" with its P values, as if measured; an outside audit);
- ``inconclusive``: none of these. For the regimen taken now, ``nights_needed`` estimates the
  further nights on it after which a verdict is more likely than not: the coming nights add
  precision at the rate the nights on the form so far added it over the prior, and the mean
  moves as those nights will move it (:func:`nights_needed`; a rough guide: build-up,
  autocorrelation and the shared responsiveness are ignored); None for a regimen not taken
  now (a form not taken yet, a dose or form left), on fewer than ``min_nights`` nights on it
  or when those nights have taught too little to extrapolate (:data:`MIN_LEARNED`), for an
  outcome recorded on fewer than ``min_nights`` nights off the form (no verdict then: more
  nights on it cannot tell its change from the person's usual level;
  :attr:`~model.analysis.effects.DiaryEffect.off_nights_needed` says how many nights off it
  would) and when more than a year would be needed.

The first two cannot both hold, and neither can hold with the third (a mean beyond the MCID,
or P(b > m) >= 0.8, puts the interval's end beyond m).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from model.core.special import normal_cdf, normal_quantile
from model.decision.settings import DecisionSettings
from model.evidence.priorset import PriorSet
from model.inference.convergence import effective_draws
from model.likelihood.prior import PersonalPrior

Verdict = Literal["works", "no_meaningful_effect", "harms", "inconclusive", "not_recorded",
                  "not_estimated"]
JUDGED: tuple[Verdict, ...] = ("works", "no_meaningful_effect", "harms", "inconclusive")
"""The verdicts :func:`verdict` gives from draws, in the order a reader meets them."""
NOT_RECORDED: Verdict = "not_recorded"
"""The verdict of an outcome no night of the diary records (no judgement: no data)."""
NOT_ESTIMATED: Verdict = "not_estimated"
"""The verdict of every effect of a fit that failed its checks: no claim about the person."""
VERDICTS: tuple[Verdict, ...] = (*JUDGED, NOT_RECORDED, NOT_ESTIMATED)
"""Every verdict."""


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
(binomial, over the draws' effective number): at P(harm direction) 0.898 and 0.905 two seeds
of one diary said "not settled yet" and "harms you"."""


def surely(event: np.ndarray, threshold: float) -> bool:
    """P(event) at or above ``threshold`` by more than :data:`MC_ERRORS` Monte Carlo errors.

    The error is binomial over the effective number of draws of the event
    (:func:`~model.inference.convergence.effective_draws`), not over the draws: NUTS draws
    are autocorrelated and a resampled fit repeats draws, so 4,000 of them may carry the
    information of 1,000 (the error is then twice the one over the draws). The effective
    number is only estimated when the probability clears its threshold over all the draws.
    """
    p = float(np.mean(event))

    def clears(draws: float) -> bool:
        return p - MC_ERRORS * np.sqrt(p * (1 - p) / draws) >= threshold

    return clears(event.size) and clears(effective_draws(event))


Lean = Literal["helps", "worse", ""]


def _ways(benefit: np.ndarray, seen: np.ndarray | None) -> dict[Lean, np.ndarray]:
    """Each direction's event per draw: on ``benefit``, and on ``seen`` too when given."""
    if seen is None:
        return {"helps": benefit > 0, "worse": benefit < 0}
    return {"helps": (benefit > 0) & (seen > 0), "worse": (benefit < 0) & (seen < 0)}


def lean(benefit: np.ndarray, rule: VerdictRule = VerdictRule(),
         seen: np.ndarray | None = None) -> Lean:
    """Which way an unsettled change probably goes: P(direction) >= ``p_direction``, surely.

    With the verdicts' Monte Carlo margin (:func:`surely`): at P(benefit) 0.8995 to 0.914
    five fits of one diary said "probably helps" three times.

    ``seen``: draws of the change against no magnesium as the nights show it (positive =
    better), given where the comparison with placebo subtracts an expectation effect that
    only its prior knows (:mod:`model.analysis.effects`). A draw then goes a way only when
    both comparisons go it, the probability of one event (:func:`lean_chance`), as for
    P(harm) (:func:`model.decision.utility.harm_probability`): "probably worse (P 0.92)"
    was said of evening anxiety on a form whose nights were no worse than the nights off
    (an outside audit, /tmp/w51/b B1).
    """
    ways = _ways(benefit, seen)
    return next((way for way, event in ways.items() if surely(event, rule.p_direction)), "")


def lean_chance(benefit: np.ndarray, way: Lean, seen: np.ndarray | None = None) -> float:
    """P(the change goes ``way``): the share of draws :func:`lean` counts for it."""
    return float(np.mean(_ways(benefit, seen)[way]))


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
        One of :data:`JUDGED`.

    """
    mean = float(benefit.mean())
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


def prior_spread(priors: PriorSet) -> np.ndarray:
    """``(form, outcome)`` SD of a person's effect before any night (model scale).

    The evidence, how a form differs from the person's other forms and the person's shared
    responsiveness (:class:`~model.likelihood.prior.PersonalPrior`): what
    :func:`nights_needed` measures the nights' information against.
    """
    return PersonalPrior.of(priors).marginal_sd


MIN_LEARNED = 0.1
"""The share of an effect's precision the nights on its form must have given for a count of
nights to tell: below it the nights have taught (nearly) nothing to extrapolate from, and two
Monte Carlo SDs (a variance's error is about 5 % at 1,000 effective draws) could make all of
it."""


def nights_needed(benefit: np.ndarray, mcid: float, nights: int, prior_sd: float,
                  rule: VerdictRule = VerdictRule(), off_nights: float = np.inf) -> int | None:
    """Further nights on the form after which a verdict is more likely than not.

    The posterior precision is the prior's plus the nights', what they added to the prior's
    (``1/sd^2 - 1/prior_sd^2``), taken as a contrast of the nights on the form with the
    ``off_nights`` without it: its variance goes as ``1/nights + 1/off_nights``, so the coming
    nights on the form add precision that a fixed number of nights off caps (28 nights off
    before a long run on glycinate: a count of 171 nights became 353 after 120 more were
    written, a cross-checking biostatistician, /tmp/w46/E F1); the mean moves as they will move it
    (:func:`verdict_chance`): the answer is the median number of nights to a verdict. The
    posterior SD once taken to shrink as one over the square root of the nights took the
    prior's SD after one night for one night's spread: every outcome said "about 6 more
    written nights on it to tell" after one night, then the count grew faster than nights
    were written (awakenings 7+38, 13+71, 19+65: an outside audit, /tmp/w46/C F1). It does
    not hinge on where today's mean sits against the MCID, and a mean right on it still gets
    an answer: 1 or a few nights (a verdict "close", :mod:`model.report.effect_words`, not a
    count: "about 1 more night on it to tell" was said look after look, /tmp/jJ F7).

    Parameters
    ----------
    benefit : numpy.ndarray
        Draws of the change (positive = better).
    mcid : float
        The MCID.
    nights : int
        Nights on the form so far (fewer than ``rule.min_nights`` give None: too few to
        tell a rate from).
    prior_sd : float
        The SD of the change before any night on the form, on the scale of ``benefit``
        (``inf``: a flat prior, all of today's precision from the nights). None is returned
        when the nights gave less than :data:`MIN_LEARNED` of today's precision.
    rule : VerdictRule
        The thresholds; more than ``rule.max_nights`` gives None.
    off_nights : float
        Nights without the form with the outcome recorded, the other side of the contrast
        (``inf``: the precision grows with the nights on the form alone).

    Returns
    -------
    int or None

    """
    sd = float(benefit.std())
    if nights < rule.min_nights or sd <= 0 or not (
            prior_sd > 0 and 1 - (sd / prior_sd) ** 2 >= MIN_LEARNED):
        return None
    one_night = (sd**-2 - prior_sd**-2) * (1 / nights + 1 / off_nights)  # 1 / a night's variance
    more = np.arange(1, rule.max_nights + 1)
    later = prior_sd**-2 + one_night / (1 / (nights + more) + 1 / off_nights)
    chance = verdict_chance(float(benefit.mean()), sd, mcid, 1 / np.sqrt(later), rule)
    decided = np.flatnonzero(chance >= 0.5)
    return int(more[decided[0]]) if decided.size else None
