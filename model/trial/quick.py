"""The fast analysis of a diary: a Laplace approximation of the personal model.

For many simulated trials the MCMC fit of :class:`~model.personal.fit.PersonalModel` is too
slow, so the inner loop uses a Laplace (Gaussian) approximation of the same model on the same
data arrays (:func:`model.personal.data.diary_data`). Given the build-up time constant ``tau``
every outcome is a generalised linear model in (intercept, form effects, expectation, the
covariates of :data:`~model.data.diary.COVARIATES`, drift, each source's level shift, quadratic
trend), the full model's linear
predictor, with its Gaussian priors (the shared responsiveness makes the form effects' prior
correlated).
``tau`` is integrated over :data:`TAU_NODES` equal-probability quantiles of its log-normal
prior, each node weighted by its Laplace marginal likelihood of the sleep outcomes (each
family's ``loglik`` at the mode, :mod:`model.likelihood.families`); the posterior is the
mixture over the nodes. log1p(SOL) normal with AR(1) errors, prewhitened (exact over gaps)
with plug-in sigma and rho; awakenings negative binomial with a moment estimate of the
overdispersion; quality, freshness and anxiety cumulative-logit with cut-points fixed at the
diary's marginal shares, fitted through their mean score (quasi-likelihood); GI nights
logistic. Each is fitted by Fisher scoring (iteratively reweighted least squares with the
prior, steps capped so that nearly separated GI nights cannot make it diverge) whose pieces
(mean, its slope, variance) are the families' own ``moments``; the posterior draws feed
the same :func:`model.personal.predict.predict_from_draws` and ``decide`` as the full model.
:func:`model.trial.agreement.quick_vs_full` measures how often both decide alike and how
far apart their P(best) and P(GI violation) are.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial

import numpy as np
import xarray as xr
from scipy.special import logit

from model.core.forms import FORMS
from model.core.outcomes import ORDINAL, OUTCOMES, SLEEP_OUTCOMES, SPECS
from model.core.regimen import Regimen
from model.core.special import logsumexp, normal_quantile
from model.data.devices import SHIFTS
from model.data.diary import COVARIATES, Diary
from model.evidence.priorset import PriorSet, load_priors
from model.likelihood.families import Bernoulli, NegativeBinomial, NormalAR1, Ordinal, ar1_carry
from model.likelihood.kinetics import exposure as build_up_exposure
from model.personal.data import diary_data
from model.personal.fit import gi_shift
from model.personal.predict import predict_from_draws

_GI = OUTCOMES.index("gi")
_COVARIATE = 1 + len(FORMS) + 1
"""The first covariate's coefficient (:data:`~model.data.diary.COVARIATES`), after the
intercept, the forms and expectation (``taking``)."""
_DRIFT = _COVARIATE + len(COVARIATES)
"""The drift's coefficient, after the covariates; then the :data:`~model.data.devices.SHIFTS`
level shifts of the sources, then the trend."""
_DEVICE = _DRIFT + 1
"""The first device shift's coefficient (after the intercept, the forms, the covariates)."""

TAU_NODES = 5
"""Equal-probability quantiles of the build-up time constant's prior integrated over."""


@dataclass(frozen=True)
class Gaussian:
    """A multivariate normal (prior or Laplace posterior of one outcome's coefficients)."""

    mean: np.ndarray
    cov: np.ndarray

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``(n, dim)`` draws."""
        root = np.linalg.cholesky(self.cov + 1e-12 * np.eye(len(self.mean)))
        return self.mean + rng.standard_normal((n, len(self.mean))) @ root.T

    def log_density(self, x: np.ndarray) -> float:
        """Log density at ``x``."""
        _, logdet = np.linalg.slogdet(self.cov)
        gap = x - self.mean
        return float(-0.5 * (gap @ np.linalg.solve(self.cov, gap) + logdet
                             + len(x) * math.log(2 * math.pi)))


Moments = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray, np.ndarray]]
"""``eta -> (mean, d mean / d eta, variance)``: a family's ``moments`` with its parameters
bound (:mod:`model.likelihood.families`)."""


def laplace_evidence(loglik: float, posterior: Gaussian, prior: Gaussian) -> float:
    """Laplace log marginal likelihood: ``loglik + log prior`` at the mode, plus the volume.

    ``log p(y) ~ log p(y | b) + log p(b) + d/2 log(2 pi) + 1/2 log |Sigma|`` at the mode
    ``b`` with posterior covariance ``Sigma``.
    """
    _, logdet = np.linalg.slogdet(posterior.cov)
    d = len(posterior.mean)
    return (loglik + prior.log_density(posterior.mean) + 0.5 * d * math.log(2 * math.pi)
            + 0.5 * logdet)


def tau_nodes(log_tau_mu: float, log_tau_sd: float, n: int = TAU_NODES) -> np.ndarray:
    """``n`` time constants at the prior's quantiles ``(k - 1/2) / n`` (equal prior weight)."""
    z = [normal_quantile((k + 0.5) / n) for k in range(n)]
    return np.exp(log_tau_mu + log_tau_sd * np.array(z))


def _laplace(x: np.ndarray, y: np.ndarray, prior: Gaussian, family: Moments,
             steps: int = 30, tol: float = 1e-7, max_step: float = 1.0) -> Gaussian:
    """Posterior mode and curvature by Fisher scoring (IRLS) with a Gaussian prior.

    Each step moves no coefficient by more than ``max_step`` (a trust region: plain IRLS
    overshoots and diverges on nearly separated data, e.g. GI on almost every night of one
    form and none of another); at most ``steps`` steps, stopping once no coefficient moves
    by more than ``tol``.
    """
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
        step = np.linalg.solve(precision, anchor + x.T @ (weight * working)) - beta
        largest = float(np.max(np.abs(step)))
        beta = beta + step * min(1.0, max_step / max(largest, 1e-300))
        if largest < tol:
            break
    eta = x @ beta
    _, slope, variance = family(eta)
    precision = precision0 + x.T @ ((slope**2 / np.maximum(variance, 1e-12))[:, None] * x)
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


@dataclass
class TauNode:
    """The Laplace fit of the sleep outcomes at one build-up time constant.

    Attributes
    ----------
    tau : float
        The time constant (days).
    posterior : dict of str to Gaussian
        Laplace posterior of each sleep outcome's coefficients.
    noise : dict of str to float
        Plug-in ``sol_sigma``, ``sol_rho``, ``awakenings_overdispersion``.
    log_evidence : float
        Laplace log marginal likelihood of the sleep outcomes at ``tau``.
    weight : float
        Posterior weight of the node (prior weights are equal).
    """

    tau: float
    posterior: dict[str, Gaussian] = field(default_factory=dict)
    noise: dict[str, float] = field(default_factory=dict)
    log_evidence: float = 0.0
    weight: float = 0.0


def _mixture(parts: Sequence[Gaussian], weights: np.ndarray) -> Gaussian:
    """The Gaussian of a mixture's mean and covariance."""
    mean = sum(w * p.mean for p, w in zip(parts, weights, strict=True))
    second = sum(w * (p.cov + np.outer(p.mean, p.mean)) for p, w in
                 zip(parts, weights, strict=True))
    return Gaussian(np.asarray(mean), np.asarray(second) - np.outer(mean, mean))


class QuickModel:
    """A fast Laplace approximation of :class:`~model.personal.fit.PersonalModel` (same interface).

    See the module docstring for the approximation. ``fit`` takes some ten milliseconds for
    a 100-night diary; ``predict`` returns the same Dataset as ``PersonalModel.predict``.

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
    taking_since : str, optional
        When the magnesium of the diary's first night was begun, as for
        :class:`~model.personal.fit.PersonalModel` (the same data arrays).

    Attributes
    ----------
    diary_ : Diary
        The diary fitted (its last night's source sets the scale of the predictions).
    nodes_ : list of TauNode
        The fits at each time constant of the grid, with their posterior weights.
    posterior_ : dict of str to Gaussian
        Each outcome's coefficients: the mean and covariance of the mixture over the nodes.
    noise_ : dict of str to float
        Plug-in nuisance values (``sol_sigma``, ``sol_rho``, ``awakenings_overdispersion``),
        averaged over the nodes by weight.

    """

    def __init__(self, priors: PriorSet | None = None, *, gut_sensitivity: str = "none",
                 draws: int = 1000, random_seed: int | None = None,
                 taking_since: str | None = None) -> None:
        self.priors = priors
        self.taking_since = taking_since
        self.gut_sensitivity = gut_sensitivity
        self.draws = draws
        self.random_seed = random_seed

    def fit(self, diary: Diary) -> QuickModel:
        """Fit the approximation to a diary; returns self."""
        priors = self.priors if self.priors is not None else load_priors()
        self.priors_ = priors
        shift = gi_shift(priors, self.gut_sensitivity)
        n, self.diary_ = diary.n_nights, diary
        data = diary_data(diary, priors, shift, n, n,  # at most one change per night
                          taking_since=self.taking_since)
        self._cuts: dict[str, np.ndarray] = {}
        self.nodes_ = [self._fit_node(float(tau), data) for tau in
                       tau_nodes(float(data["log_tau_mu"]), float(data["log_tau_sd"]))]
        evidence = np.array([node.log_evidence for node in self.nodes_])
        weights = np.exp(evidence - logsumexp(evidence))
        for node, weight in zip(self.nodes_, weights, strict=True):
            node.weight = float(weight)
        self.posterior_ = {o: _mixture([node.posterior[o] for node in self.nodes_], weights)
                           for o in SLEEP_OUTCOMES}
        self.noise_ = {k: float(sum(w * node.noise[k] for node, w in
                                    zip(self.nodes_, weights, strict=True)))
                       for k in self.nodes_[0].noise}
        x_gi = np.column_stack([np.ones(n), data["single"], data["covariates"]])
        prior_gi = _stack(Gaussian(data["intercept_mu"][2:3], np.eye(1)),
                          _form_prior(data["prior_mean"][:, _GI], data["prior_sd"][:, _GI],
                                      data["dev_sd"][_GI], data["resp_sd"][_GI]),
                          Gaussian(np.zeros(len(COVARIATES)), np.diag(data["cov_gi_sd"] ** 2)))
        seen = data["gi_w"] > 0
        self.posterior_["gi"] = _laplace(x_gi[seen], data["gi_y"][seen].astype(float),
                                         prior_gi, Bernoulli.moments)
        self._draws = self._sample()
        return self

    def _fit_node(self, tau: float, data: Mapping[str, np.ndarray]) -> TauNode:
        """Fit every sleep outcome at one time constant, with its Laplace evidence."""
        node = TauNode(tau)
        exposure = build_up_exposure(data["segment"], data["since_change"], data["change_gap"],
                                     data["change_step"], data["current"], tau)
        for j, outcome in enumerate(SLEEP_OUTCOMES):
            x, prior = self._design(outcome, j, exposure, data)
            y = data[f"{outcome}_y"].astype(float)
            seen = data[f"{outcome}_w"] > 0
            posterior, loglik = self._fit_outcome(outcome, x, y, seen, prior, data, node.noise)
            node.posterior[outcome] = posterior
            node.log_evidence += laplace_evidence(loglik, posterior, prior)
        return node

    @staticmethod
    def _design(outcome: str, j: int, exposure: np.ndarray,
                data: Mapping[str, np.ndarray]) -> tuple[np.ndarray, Gaussian]:
        """The full model's linear predictor of a sleep outcome as a design and its prior."""
        n = exposure.shape[0]
        x = np.column_stack([np.ones(n), exposure, data["taking"], data["covariates"],
                             data["drift_basis"],
                             data["device"][:, :, j],   # the sources' shifts, per outcome
                             data["trend_basis"]])
        sd = {k: float(data[f"{k}_sd"][j]) for k in ("expect", "trend", "drift", "device")}
        n_cov = len(COVARIATES)
        centre = {"sol": data["intercept_mu"][0], "awakenings": data["intercept_mu"][1]}
        prior = _stack(Gaussian(np.array([centre.get(outcome, 0.0)]), np.eye(1)),
                       _form_prior(data["prior_mean"][:, j], data["prior_sd"][:, j],
                                   float(data["dev_sd"][j]), float(data["resp_sd"][j])),
                       Gaussian(np.r_[float(data["expect_mu"][j]), np.zeros(n_cov),
                                      float(data["drift_mu"][j]), np.zeros(SHIFTS + 2)],
                                np.diag(np.square([sd["expect"], *data["cov_sd"][:, j],
                                                   sd["drift"], *[sd["device"]] * SHIFTS,
                                                   sd["trend"], sd["trend"] / 2]))))
        return x, prior

    def _fit_outcome(self, outcome: str, x: np.ndarray, y: np.ndarray, seen: np.ndarray,
                     prior: Gaussian, data: Mapping[str, np.ndarray],
                     noise: dict[str, float]) -> tuple[Gaussian, float]:
        """Laplace posterior of one sleep outcome and its log-likelihood at the mode."""
        if outcome == "sol":
            return self._fit_sol(x, y, seen, prior, data, noise)
        if outcome == "awakenings":
            negbin = NegativeBinomial.moments
            first = _laplace(x[seen], y[seen], prior, partial(negbin, overdispersion=0.3))
            mu = np.exp(x[seen] @ first.mean)
            over = math.sqrt(max(0.01, float(np.mean(((y[seen] - mu) ** 2 - mu) / mu**2))))
            noise["awakenings_overdispersion"] = over
            fitted = _laplace(x[seen], y[seen], prior, partial(negbin, overdispersion=over))
            mean = np.exp(np.clip(x[seen] @ fitted.mean, -10, 10))
            return fitted, float(NegativeBinomial.loglik(y[seen], mean, over).sum())
        if outcome not in self._cuts:
            counts = np.bincount(y[seen].astype(int),
                                 minlength=SPECS[outcome].categories) + 0.5
            self._cuts[outcome] = logit(np.cumsum(counts)[:-1] / counts.sum())
        cuts = self._cuts[outcome]
        fitted = _laplace(x[seen], y[seen], prior, partial(Ordinal.moments, cuts=cuts))
        eta = (x[seen] @ fitted.mean)[None]
        return fitted, float(Ordinal.loglik(y[seen].astype(int), eta, cuts[None]).sum())

    def _fit_sol(self, x: np.ndarray, y: np.ndarray, seen: np.ndarray, prior: Gaussian,
                 data: Mapping[str, np.ndarray],
                 noise: dict[str, float]) -> tuple[Gaussian, float]:
        if seen.sum() < 3:
            noise |= {"sol_sigma": 0.5, "sol_rho": 0.0}
            return prior, 0.0
        spread = float(np.std(y[seen]))
        first = _laplace(x[seen], y[seen], prior, partial(NormalAR1.moments, sigma=spread),
                         steps=1, max_step=math.inf)
        residual = y - x @ first.mean
        rho = _lag_correlation(residual, data)
        sigma = max(float(np.std(residual[seen])), 0.05)
        noise |= {"sol_sigma": sigma, "sol_rho": rho}
        xw, yw = _ar1_whiten(x, y, data, rho)
        fitted = _laplace(xw, yw, prior, partial(NormalAR1.moments, sigma=sigma), steps=1,
                          max_step=math.inf)
        terms = {k: data[f"sol_{k}"] for k in ("gap", "first", "prev")}
        loglik = NormalAR1.loglik(y, (x @ fitted.mean)[None], np.array([sigma]),
                                  np.array([rho]), terms)[0]
        return fitted, float(loglik[seen].sum())

    def _sample(self) -> dict[str, np.ndarray]:
        """Posterior draws in the layout of ``PersonalModel`` (for ``predict_from_draws``).

        Each draw picks a node by weight, then its coefficients from that node's Laplace
        posterior (the mixture over ``tau``).
        """
        rng = np.random.default_rng(self.random_seed)
        d, n_forms, n_sleep = self.draws, len(FORMS), len(SLEEP_OUTCOMES)
        node_of = rng.choice(len(self.nodes_), size=d, p=[n.weight for n in self.nodes_])
        theta = np.empty((d, n_forms, len(OUTCOMES)))
        expectation, drift = np.empty((d, n_sleep)), np.empty((d, n_sleep))
        b_device = np.empty((d, SHIFTS, n_sleep))
        b_covariate = np.empty((d, len(COVARIATES), n_sleep))
        trend = np.empty((d, n_sleep, 2))
        draws: dict[str, np.ndarray] = {}
        for j, outcome in enumerate(SLEEP_OUTCOMES):
            beta = np.empty((d, len(self.posterior_[outcome].mean)))
            for k, node in enumerate(self.nodes_):
                picked = node_of == k
                beta[picked] = node.posterior[outcome].sample(int(picked.sum()), rng)
            theta[:, :, j] = beta[:, 1:1 + n_forms]
            expectation[:, j] = beta[:, 1 + n_forms]
            b_covariate[:, :, j] = beta[:, _COVARIATE:_DRIFT]
            drift[:, j] = beta[:, _DRIFT]
            b_device[:, :, j] = beta[:, _DEVICE:_DEVICE + SHIFTS]
            trend[:, j] = beta[:, -2:]
            if outcome in ORDINAL:
                draws[f"{outcome}_cutpoints"] = self._cuts[outcome][None] - beta[:, :1]
            else:
                draws[f"{outcome}_intercept"] = beta[:, 0]
        gi = self.posterior_["gi"].sample(d, rng)
        theta[:, :, _GI] = gi[:, 1:1 + n_forms]
        sigma = np.array([node.noise["sol_sigma"] for node in self.nodes_])[node_of]
        taus = np.array([node.tau for node in self.nodes_])[node_of]
        return draws | {
            "theta": theta, "expectation": expectation, "trend": trend, "drift": drift,
            "b_device": b_device, "b_covariate": b_covariate,
            "b_gi_covariate": gi[:, 1 + n_forms:], "tau": taus,
            "gi_intercept": gi[:, 0], "sol_sigma": sigma}

    def draws_of(self, name: str) -> np.ndarray:
        """Posterior draws of a variable (``theta``: ``(draw, form, outcome)``)."""
        return self._draws[name]

    def predict(self, regimens: Sequence[Regimen]) -> xr.Dataset:
        """Steady-state outcomes per regimen and draw (as ``PersonalModel.predict``)."""
        return predict_from_draws(self._draws, regimens, self.priors_)
