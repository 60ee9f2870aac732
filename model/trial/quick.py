"""The fast analysis of a diary: a Laplace approximation of the personal model.

For many simulated trials the MCMC fit of :class:`~model.personal.fit.PersonalModel` is too
slow, so the inner loop uses a Laplace (Gaussian) approximation of the same model on the same
data arrays (:func:`model.personal.data.diary_data`): the build-up time constant fixed at its
prior median, so every outcome is a generalised linear model in (intercept, form effects,
expectation, caffeine, alcohol, quadratic trend) with the full model's Gaussian priors (the
shared responsiveness makes the form effects' prior correlated); log1p(SOL) normal with AR(1)
errors, prewhitened (exact over gaps) with plug-in sigma and rho; awakenings negative binomial
with a moment estimate of the overdispersion; quality, freshness and anxiety cumulative-logit
with cut-points fixed at the diary's marginal shares, fitted through their mean score
(quasi-likelihood); GI nights logistic. Each is fitted by a few Fisher-scoring steps
(iteratively reweighted least squares with the prior) whose pieces (mean, its slope, variance)
are the families' own ``moments`` (:mod:`model.likelihood.families`); the posterior draws feed
the same :func:`model.personal.predict.predict_from_draws` and ``decide`` as the full model.
:func:`model.trial.preposterior.compare_with_full_model` measures how often both decide alike.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np
import xarray as xr
from scipy.special import logit

from model.core.forms import FORMS
from model.core.outcomes import ORDINAL, OUTCOMES, SLEEP_OUTCOMES, SPECS
from model.core.regimen import Regimen
from model.data.diary import Diary
from model.evidence.priorset import PriorSet, load_priors
from model.likelihood.families import Bernoulli, NegativeBinomial, NormalAR1, Ordinal, ar1_carry
from model.likelihood.kinetics import exposure as build_up_exposure
from model.personal.data import diary_data
from model.personal.fit import gi_shift
from model.personal.predict import predict_from_draws

_GI = OUTCOMES.index("gi")
_COVARIATES = ("taking", "caffeine", "alcohol")




@dataclass(frozen=True)
class Gaussian:
    """A multivariate normal (prior or Laplace posterior of one outcome's coefficients)."""

    mean: np.ndarray
    cov: np.ndarray

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``(n, dim)`` draws."""
        root = np.linalg.cholesky(self.cov + 1e-12 * np.eye(len(self.mean)))
        return self.mean + rng.standard_normal((n, len(self.mean))) @ root.T


Moments = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray, np.ndarray]]
"""``eta -> (mean, d mean / d eta, variance)``: a family's ``moments`` with its parameters
bound (:mod:`model.likelihood.families`)."""


def _laplace(x: np.ndarray, y: np.ndarray, prior: Gaussian, family: Moments,
             steps: int = 8) -> Gaussian:
    """Posterior mode and curvature by Fisher scoring (IRLS) with a Gaussian prior."""
    precision0 = np.linalg.inv(prior.cov)
    anchor = precision0 @ prior.mean
    beta = prior.mean.copy()
    for _ in range(steps):
        eta = x @ beta
        mean, slope, variance = family(eta)
        slope = np.where(np.abs(slope) < 1e-9, 1e-9, slope)
        weight = slope**2 / np.maximum(variance, 1e-12)
        working = eta + (y - mean) / slope
        precision = precision0 + x.T @ (weight[:, None] * x)
        beta = np.linalg.solve(precision, anchor + x.T @ (weight * working))
    return Gaussian(beta, np.linalg.inv(precision))


def _form_prior(mean: np.ndarray, sd: np.ndarray, dev_sd: float, resp_sd: float) -> Gaussian:
    """Prior of one outcome's form effects: shared responsiveness + form deviation."""
    cov = resp_sd**2 * np.ones((len(mean), len(mean))) + np.diag(sd**2 + dev_sd**2)
    return Gaussian(mean, cov)


def _stack(*parts: Gaussian) -> Gaussian:
    """Independent Gaussians as one (block-diagonal covariance)."""
    mean = np.concatenate([p.mean for p in parts])
    cov = np.zeros((len(mean), len(mean)))
    at = 0
    for p in parts:
        n = len(p.mean)
        cov[at:at + n, at:at + n] = p.cov
        at += n
    return Gaussian(mean, cov)


def _ar1_whiten(x: np.ndarray, y: np.ndarray, data: Mapping[str, np.ndarray],
                rho: float) -> tuple[np.ndarray, np.ndarray]:
    """Rows of observed nights, AR(1)-prewhitened over gaps (exact for a stationary AR(1))."""
    seen = data["sol_w"] > 0
    prev = data["sol_prev"]
    decay, scale = ar1_carry(data["sol_gap"], data["sol_first"], rho)
    xw = (x - decay[:, None] * x[prev]) / scale[:, None]
    yw = (y - decay * y[prev]) / scale
    return xw[seen], yw[seen]


def _lag_correlation(residual: np.ndarray, data: Mapping[str, np.ndarray]) -> float:
    """Lag-1 correlation of residuals over consecutive observed nights."""
    pairs = (data["sol_w"] > 0) & (data["sol_first"] == 0) & (data["sol_gap"] == 1)
    if pairs.sum() < 5:
        return 0.0
    now, before = residual[pairs], residual[data["sol_prev"][pairs]]
    return float(np.clip(np.corrcoef(now, before)[0, 1], -0.9, 0.9))


class QuickModel:
    """A fast Laplace approximation of :class:`~model.personal.fit.PersonalModel` (same interface).

    See the module docstring for the approximation. ``fit`` takes a few milliseconds for a
    100-night diary; ``predict`` returns the same Dataset as ``PersonalModel.predict``.

    Parameters
    ----------
    priors : PriorSet, optional
        The evidence priors (default: the bundled ``priors/``).
    gut_sensitivity : {"none", "mild", "ibs"}
        Shifts the GI prior (``safety.toml`` ``[gut_sensitivity]``).
    draws : int
        Posterior draws.
    random_seed : int, optional
        Makes the draws reproducible.

    Attributes
    ----------
    posterior_ : dict of str to Gaussian
        Laplace posterior of each outcome's coefficients.
    noise_ : dict of str to float
        Plug-in nuisance values: ``sol_sigma``, ``sol_rho``, ``awakenings_overdispersion``.

    """

    def __init__(self, priors: PriorSet | None = None, *, gut_sensitivity: str = "none",
                 draws: int = 1000, random_seed: int | None = None) -> None:
        self.priors = priors
        self.gut_sensitivity = gut_sensitivity
        self.draws = draws
        self.random_seed = random_seed

    def fit(self, diary: Diary) -> QuickModel:
        """Fit the approximation to a diary; returns self."""
        priors = self.priors if self.priors is not None else load_priors()
        self.priors_ = priors
        shift = gi_shift(priors, self.gut_sensitivity)
        n = diary.n_nights
        data = diary_data(diary, priors, shift, n, n)  # at most one change per night
        tau = priors.settings.personal.onset_days_median
        exposure = build_up_exposure(data["exponent"], data["change_step"], tau)
        self.posterior_: dict[str, Gaussian] = {}
        self.noise_: dict[str, float] = {}
        self._cuts: dict[str, np.ndarray] = {}
        for j, outcome in enumerate(SLEEP_OUTCOMES):
            self.posterior_[outcome] = self._fit_sleep(outcome, j, exposure, data)
        x_gi = np.column_stack([np.ones(n), data["single"]])
        prior_gi = _stack(Gaussian(data["intercept_mu"][2:3], np.eye(1)),
                          _form_prior(data["prior_mean"][:, _GI], data["prior_sd"][:, _GI],
                                      data["dev_sd"][_GI], data["resp_sd"][_GI]))
        seen = data["gi_w"] > 0
        self.posterior_["gi"] = _laplace(x_gi[seen], data["gi_y"][seen].astype(float),
                                         prior_gi, Bernoulli.moments)
        self._draws = self._sample()
        return self

    def _fit_sleep(self, outcome: str, j: int, exposure: np.ndarray,
                   data: Mapping[str, np.ndarray]) -> Gaussian:
        n = exposure.shape[0]
        x = np.column_stack([np.ones(n), exposure, *(data[c] for c in _COVARIATES),
                             data["trend_basis"]])
        y = data[f"{outcome}_y"].astype(float)
        seen = data[f"{outcome}_w"] > 0
        sd = {k: float(data[f"{k}_sd"][j]) for k in ("expect", "cov", "trend")}
        centre = {"sol": data["intercept_mu"][0], "awakenings": data["intercept_mu"][1]}
        prior = _stack(Gaussian(np.array([centre.get(outcome, 0.0)]), np.eye(1)),
                       _form_prior(data["prior_mean"][:, j], data["prior_sd"][:, j],
                                   float(data["dev_sd"][j]), float(data["resp_sd"][j])),
                       Gaussian(np.array([float(data["expect_mu"][j]), 0, 0, 0, 0]),
                                np.diag(np.square([sd["expect"], sd["cov"], sd["cov"],
                                                   sd["trend"], sd["trend"] / 2]))))
        if outcome == "sol":
            return self._fit_sol(x, y, seen, prior, data)
        if outcome == "awakenings":
            negbin = NegativeBinomial.moments
            first = _laplace(x[seen], y[seen], prior, partial(negbin, overdispersion=0.3))
            mu = np.exp(x[seen] @ first.mean)
            over = math.sqrt(max(0.01, float(np.mean(((y[seen] - mu) ** 2 - mu) / mu**2))))
            self.noise_["awakenings_overdispersion"] = over
            return _laplace(x[seen], y[seen], prior, partial(negbin, overdispersion=over))
        counts = np.bincount(y[seen].astype(int), minlength=SPECS[outcome].categories) + 0.5
        below = np.cumsum(counts)[:-1] / counts.sum()
        self._cuts[outcome] = logit(below)
        return _laplace(x[seen], y[seen], prior,
                        partial(Ordinal.moments, cuts=self._cuts[outcome]))

    def _fit_sol(self, x: np.ndarray, y: np.ndarray, seen: np.ndarray, prior: Gaussian,
                 data: Mapping[str, np.ndarray]) -> Gaussian:
        if seen.sum() < 3:
            self.noise_ |= {"sol_sigma": 0.5, "sol_rho": 0.0}
            return prior
        spread = float(np.std(y[seen]))
        first = _laplace(x[seen], y[seen], prior, partial(NormalAR1.moments, sigma=spread),
                         steps=1)
        residual = y - x @ first.mean
        rho = _lag_correlation(residual, data)
        sigma = max(float(np.std(residual[seen])), 0.05)
        self.noise_ |= {"sol_sigma": sigma, "sol_rho": rho}
        xw, yw = _ar1_whiten(x, y, data, rho)
        return _laplace(xw, yw, prior, partial(NormalAR1.moments, sigma=sigma), steps=1)

    def _sample(self) -> dict[str, np.ndarray]:
        """Posterior draws in the layout of ``PersonalModel`` (for ``predict_from_draws``)."""
        rng = np.random.default_rng(self.random_seed)
        d, n_forms = self.draws, len(FORMS)
        theta = np.empty((d, n_forms, len(OUTCOMES)))
        expectation = np.empty((d, len(SLEEP_OUTCOMES)))
        trend = np.empty((d, len(SLEEP_OUTCOMES), 2))
        draws: dict[str, np.ndarray] = {}
        for j, outcome in enumerate(SLEEP_OUTCOMES):
            beta = self.posterior_[outcome].sample(d, rng)
            theta[:, :, j] = beta[:, 1:1 + n_forms]
            expectation[:, j] = beta[:, 1 + n_forms]
            trend[:, j] = beta[:, -2:]
            if outcome in ORDINAL:
                draws[f"{outcome}_cutpoints"] = self._cuts[outcome][None] - beta[:, :1]
            else:
                draws[f"{outcome}_intercept"] = beta[:, 0]
        gi = self.posterior_["gi"].sample(d, rng)
        theta[:, :, _GI] = gi[:, 1:]
        return draws | {"theta": theta, "expectation": expectation, "trend": trend,
                        "gi_intercept": gi[:, 0],
                        "sol_sigma": np.full(d, self.noise_["sol_sigma"])}

    def draws_of(self, name: str) -> np.ndarray:
        """Posterior draws of a variable (``theta``: ``(draw, form, outcome)``)."""
        return self._draws[name]

    def predict(self, regimens: Sequence[Regimen]) -> xr.Dataset:
        """Steady-state outcomes per regimen and draw (as ``PersonalModel.predict``)."""
        return predict_from_draws(self._draws, regimens, self.priors_)



