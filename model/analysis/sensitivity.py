"""Prior sensitivity: the decision re-made under alternative priors.

Each alternative (:data:`SENSITIVITY_PRIORS`, :func:`alternative_prior`) moves the fit's
draws to it by Pareto-smoothed importance sampling under the fast update's trust rule
(:func:`_reweighted`), or moves the last NUTS draws in one reweighting (:func:`_from_nuts`),
or refits, kept in the fit cache like the main fit (:func:`_refit`); then the decision is
made again and compared with the main one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from model.analysis.fit_cache import FIT_WORDS, fit_with_cache
from model.analysis.predictions import Predictions
from model.core.progress import announce
from model.data.diary import Diary
from model.data.profile import Profile
from model.decision.decide import Decision, decide
from model.evidence.priorset import PriorSet
from model.inference.psis import resample_index, reweight, trusted
from model.likelihood.prior import PersonalPrior
from model.personal.fit import PersonalModel, gi_shift
from model.personal.proposal import reweighted

SENSITIVITY_PRIORS = ("sceptical", "confident", "expectation")
"""Alternative priors of the sensitivity check (:func:`alternative_prior`): means halved;
every certainty weight doubled; a larger expectation benefit."""

NOT_DERIVED = ("pooled", "override")
"""Bases of priors not derived from weighted evidence entries: a population posterior written
back (used as it is) and a prior set by hand. Re-deriving leaves them as they are, so an
alternative transforms their final mean and sd (:func:`_confident`)."""


@dataclass(frozen=True)
class Sensitivity:
    """The decision under one alternative prior."""

    prior: str
    action: str
    form: str | None
    elemental_mg_per_day: float | None
    holds: bool
    method: str

    def to_dict(self) -> dict[str, Any]:
        """The ``prior_sensitivity`` entry of the analyze JSON."""
        return {"prior": self.prior, "action": self.action, "form": self.form,
                "elemental_mg_per_day": self.elemental_mg_per_day, "holds": self.holds,
                "method": self.method}


def _log_prior(draws: dict[str, np.ndarray], priors: PriorSet,
               gut_sensitivity: str) -> np.ndarray:
    """Log density of each draw under the person-level prior of ``priors``.

    The effects given the responsiveness, and the expectation effect.
    """
    prior = PersonalPrior.of(priors, gi_shift(priors, gut_sensitivity))
    return (prior.log_density(draws["theta"], draws["responsiveness"])
            + prior.expectation_log_density(draws["expectation"]))


def _reweighted(fit: PersonalModel, alt: PriorSet, fitted: np.ndarray,
                seed: int | None) -> np.ndarray | None:
    """The fit's draws moved to ``alt`` by PSIS, as indices into them; None when not trusted.

    ``fitted`` is :func:`_log_prior` of the draws under the fit's own priors. The rule is the
    fast update's (:func:`model.inference.psis.trusted`): Pareto ``k <= 0.7`` and the fit's
    bulk ESS times the weights' ESS fraction above the ESS threshold.
    """
    ess_bulk = fit.diagnostics_.min_ess_bulk
    result = reweight(_log_prior(fit.draws_, alt, fit.gut_sensitivity) - fitted, ess_bulk)
    if not trusted(result, ess_bulk):
        return None
    return resample_index(result, seed)


def _from_nuts(fit: PersonalModel, alt: PriorSet, seed: int | None) -> Predictions | None:
    """Predictions of the last NUTS draws moved to ``alt`` and the diary in one reweighting.

    For a fit that is itself a reweighting of NUTS draws to a longer diary (``method_``
    ``"psis"``), whose resampled draws (repeats, a smaller ESS) failed the trust rule for
    ``alt``: the same rule applied to the NUTS draws, weighted by their likelihood ratio to
    the diary times the prior ratio (:func:`model.personal.proposal.reweighted`). None when
    the fit is a NUTS fit or the rule refuses: then a fit under ``alt`` is needed.
    """
    if fit.method_ != "psis":
        return None
    nuts = fit.proposal_.draws
    ratio = (_log_prior(nuts, alt, fit.gut_sensitivity)
             - _log_prior(nuts, fit.priors_, fit.gut_sensitivity))
    moved = reweighted(fit.proposal_, fit.graph_data(fit.diary_), seed, ratio)
    return None if moved is None else Predictions(nuts, alt).resampled(moved.index)


def _refit(fit: PersonalModel, alt: PriorSet, diary: Diary, seed: int | None,
           cache: Path | None) -> tuple[PersonalModel, str]:
    """The fit of ``diary`` under ``alt``, kept in the fit cache like the main fit.

    A diary that only gained nights since updates the cached refit by the same reweighting
    and trust rule as the main fit (:func:`~model.analysis.fit_cache.fit_with_cache`).
    """
    config = {"gut_sensitivity": fit.gut_sensitivity, "draws": fit.draws, "tune": fit.tune,
              "chains": fit.chains, "sampler": fit.sampler, "random_seed": seed,
              "taking_since": fit.taking_since}
    return fit_with_cache(diary, alt, config, cache)


def _kept(action: str) -> str:
    """An action as the person does it: recording more nights on a regimen is continuing it.

    "changes under the expectation prior (-> continue taurate@200)" stood beside the advice
    to keep taurate 200 mg and record more nights.
    """
    return "continue" if action == "collect_more_data" else action


def prior_sensitivity(fit: PersonalModel, decision: Decision, diary: Diary, profile: Profile,
                      as_of: dt.date, seed: int | None, progress: bool,
                      separable: bool, cache: Path | None = None,
                      predictions: Predictions | None = None) -> tuple[Sensitivity, ...]:
    """The decision under each alternative prior, compared with ``decision``.

    None for a referral or after a failed fit: a safety rule, or no advice, changes with no
    prior. ``predictions`` are the main fit's (made once per analysis); ``progress`` says on
    standard error when a reweighting is not trusted and a refit is made.
    """
    main = decision.recommendation
    if main.action == "refer" or not fit.diagnostics_.ok:
        return ()  # a safety rule, or no advice after a failed fit: no prior changes either
    fitted = predictions if predictions is not None else Predictions(fit.draws_, fit.priors_)
    density = _log_prior(fit.draws_, fit.priors_, fit.gut_sensitivity)
    out = []
    for name in SENSITIVITY_PRIORS:
        alt = alternative_prior(fit.priors_, name)
        index = _reweighted(fit, alt, density, seed)
        predict = fitted.resampled(index) if index is not None else _from_nuts(fit, alt, seed)
        method = "importance reweighting"
        if predict is None:
            announce(f"{name} prior: reweighting not trusted, fitting under it", progress)
            refit, how = _refit(fit, alt, diary, seed, cache)
            announce(f"{name} prior: {FIT_WORDS[how]} in {refit.fit_seconds_:.1f} s", progress)
            predict, method = Predictions(refit.draws_, alt), "refit"
        other = decide(predict, priors=alt, profile=profile, diary=diary, as_of=as_of,
                       diagnostics_ok=fit.diagnostics_.ok, seed=seed,
                       separable=separable).recommendation
        regimen = other.regimen
        holds = _kept(other.action) == _kept(main.action) and other.regimen == main.regimen
        out.append(Sensitivity(name, other.action, regimen.form if regimen else None,
                               regimen.elemental_mg if regimen else None, holds, method))
    return tuple(out)


def alternative_prior(priors: PriorSet, name: str) -> PriorSet:
    """The prior set of one prior-sensitivity check (:data:`SENSITIVITY_PRIORS`).

    ``sceptical``: every prior mean halved (:meth:`PriorSet.sceptical` halves each entry's
    final mean, written-back and hand-set ones included); ``confident``: every certainty
    weight doubled (:func:`_confident`); ``expectation``: a larger expectation benefit
    (:func:`_larger_expectation`), which leaves less of what the nights show to magnesium
    (the prior a diary without placebo nights or a withdrawal leans on most).
    """
    if name == "sceptical":
        return priors.sceptical(0.5)
    if name == "confident":
        return _confident(priors, 2.0)
    return _larger_expectation(priors)


def _confident(priors: PriorSet, weight: float) -> PriorSet:
    """Every certainty weight times ``weight``, priors not derived from entries included.

    Evidence priors are re-derived with each grade's power-prior weight times ``weight``
    (:meth:`PriorSet.with_certainty_weight`). A prior of a basis in :data:`NOT_DERIVED` has no
    weighted entries to re-derive (re-derived, a written-back prior came out as it was, and
    the check re-decided under the very priors of the analysis, then said the advice held):
    it gets what multiplying every weight by ``weight`` does to a precision-weighted
    combination, its precision times ``weight`` (sd / sqrt(weight)), its mean kept.
    """
    derived = priors.with_certainty_weight(weight)
    said = f"confident: sd / sqrt({weight:g})"
    tightened = {key: dataclasses.replace(
        entry, sd=entry.sd / math.sqrt(weight),
        note=f"{entry.note}; {said}" if entry.basis == "override" else said)
        for key, entry in priors.entries.items() if entry.basis in NOT_DERIVED}
    return dataclasses.replace(derived, entries=derived.entries | tightened)


def _larger_expectation(priors: PriorSet) -> PriorSet:
    """The expectation effect's prior mean moved towards a larger benefit, whatever its sign.

    Each mean ``m`` (SMD, positive = benefit; ``[personal]`` and each sleep outcome's own
    value in ``[personal.by_outcome]``) becomes ``max(2 m, m + s / 2)``, ``s`` the SD of that
    outcome's expectation prior. Doubling alone (until 2026-12-05) made a mean near zero
    or on the side of harm (written back by a population: awakenings -0.157 -> -0.314) a
    *more harmful* expectation, the opposite of the check; the floor of half an SD towards
    benefit makes every check a larger benefit, of about the size the bundled one has (its
    0.3 SMD, SD 0.5, is still doubled: a move of 0.6 SD). The evidence priors are untouched.
    """

    def larger(mean: float, sd: float) -> float:
        return max(2 * mean, mean + sd / 2)

    return priors.with_expectation_means(larger)
