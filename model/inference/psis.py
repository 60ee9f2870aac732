"""Fast updates: reweight the draws of the last NUTS fit to a longer diary (PSIS).

When a few nights are appended, the new posterior is close to the old one. Importance
sampling with the old draws as proposal gives it exactly in the limit: each draw's weight is
``p(draw | new diary) / p(draw | old diary)``, computed from the model's log density under
the two data sets (priors cancel). Pareto smoothing (Vehtari et al. 2024, *Pareto smoothed
importance sampling*, JMLR 25:72) stabilises the weights and its shape estimate ``k`` says
whether the estimate can be trusted: ``k <= 0.7`` and enough effective draws, otherwise the
caller refits with NUTS. The accepted weights are turned back into equally weighted draws by
systematic resampling, so predictions and decisions use them as they use MCMC draws.

The smoothing (:func:`pareto_smooth`) is written here in numpy, after ``arviz_stats``'
``psislw`` (a test holds them equal): importing ``arviz_stats`` costs about a second, which
the re-analysis of a diary that gained a night (:mod:`model.analysis.fit_cache`) cannot pay.

:func:`reweight` and :func:`trusted` are the one rule every reweighting of the package
follows (the fast update of a personal fit to a longer diary, the prior-sensitivity check
under another prior): smoothed weights, ``k <= 0.7``, and an effective sample size -- the
proposal's bulk ESS times the weights' ESS fraction -- that still passes
:func:`~model.inference.diagnostics.ess_threshold`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import xarray as xr

from model.core.special import logsumexp
from model.inference.diagnostics import ess_threshold

K_MAX = 0.7
"""Largest Pareto k whose importance-sampling estimates are reliable (Vehtari et al. 2024)."""


@dataclass(frozen=True)
class Reweighting:
    """Pareto-smoothed importance weights of old draws for a new posterior.

    Parameters
    ----------
    weights : numpy.ndarray
        Normalised weights, one per draw (chains flattened).
    pareto_k : float
        Estimated Pareto shape of the weights' upper tail.
    ess_fraction : float
        Importance-sampling effective sample size over the number of draws,
        ``1 / (n * sum(w**2))`` (1 when all weights are equal).

    """

    weights: np.ndarray
    pareto_k: float
    ess_fraction: float

    @property
    def reliable(self) -> bool:
        """True when ``pareto_k <= K_MAX``."""
        return bool(self.pareto_k <= K_MAX)

    def effective_ess(self, ess_bulk: float) -> float:
        """The reweighted draws' effective sample size, from the proposal's bulk ESS."""
        return float(ess_bulk * self.ess_fraction)


PRIOR_K = (10, 0.5)
"""Weakly informative prior of the Pareto shape: ``(pseudo-observations, centre)``."""


def _gpd_fit(excess: np.ndarray) -> tuple[float, float]:
    """Shape and scale of a generalised Pareto fit to sorted exceedances (Zhang & Stephens).

    The empirical Bayes estimate of Zhang & Stephens (2009) with the shape prior
    :data:`PRIOR_K` of Vehtari et al. (2024); ``(nan, nan)`` when the first quartile is the
    minimum (far from a Pareto tail).
    """
    n = excess.size
    m = 30 + int(n**0.5)
    quartile = excess[int(n / 4 + 0.5) - 1]
    if quartile <= excess[0]:
        return np.nan, np.nan
    b = (1 - np.sqrt(m / (np.arange(1, m + 1) - 0.5))) / (3 * quartile) + 1 / excess[-1]
    k = np.mean(np.log1p(-b[:, None] * excess), axis=1)
    profile = n * (np.log(-b / k) - k - 1)
    weight = np.exp(profile - logsumexp(profile))
    keep = weight >= 10 * np.finfo(float).eps
    b_post = np.sum(b[keep] * weight[keep] / weight[keep].sum())
    kappa = float(np.mean(np.log1p(-b_post * excess)))
    sigma = -kappa / b_post
    kappa = (n * kappa + PRIOR_K[0] * PRIOR_K[1]) / (n + PRIOR_K[0])
    return (np.inf, np.nan) if np.isnan(kappa) else (kappa, sigma)


def pareto_smooth(log_ratio: np.ndarray, relative_ess: float) -> tuple[np.ndarray, float]:
    """Pareto-smoothed, normalised log weights of finite log ratios, and the shape ``k``.

    The largest ``min(n / 5, 3 sqrt(n / relative_ess))`` ratios are replaced by the expected
    order statistics of a generalised Pareto fit to them (Vehtari et al. 2024).

    Raises
    ------
    ValueError
        When the tail is flat (all its values equal) or shorter than 5 draws.
    """
    n = log_ratio.size
    tail = int(np.floor(3 * (n / relative_ess) ** 0.5 if n * relative_ess > 225 else n / 5))
    if tail < 5:
        raise ValueError("n_draws_tail must be at least 5")
    weights = log_ratio - np.max(log_ratio)
    order = np.argsort(weights)
    ids = order[n - tail:]
    top = weights[ids]
    if abs(top.max() - top.min()) < np.finfo(float).tiny:
        raise ValueError("All tail values are the same")
    cutoff = np.exp(weights[order[n - tail - 1]])
    k, sigma = _gpd_fit(np.exp(top) - cutoff)
    if np.isfinite(k):
        p = np.arange(0.5, tail) / tail
        if sigma <= 0:
            smoothed = np.full(tail, np.nan)
        elif k == 0:
            smoothed = np.log(cutoff - sigma * np.log1p(-p))
        else:
            smoothed = np.log(cutoff + sigma * np.expm1(-k * np.log1p(-p)) / k)
        weights[ids] = np.minimum(smoothed, top.max())
    return weights - logsumexp(weights), float(k)


def psis(log_ratio: np.ndarray, relative_ess: float = 1.0) -> Reweighting:
    """Pareto-smoothed importance weights from log density ratios ``log p_new - log p_old``.

    Parameters
    ----------
    log_ratio : numpy.ndarray
        One log ratio per draw; ``-inf`` where the new density is zero.
    relative_ess : float
        MCMC effective sample size over draws of the proposal (sets the tail length).

    """
    log_ratio = np.asarray(log_ratio, dtype=float).ravel()
    finite = np.isfinite(log_ratio)
    if not finite.any():
        return Reweighting(np.full(log_ratio.size, 1.0 / log_ratio.size), np.inf, 0.0)
    shifted = np.where(finite, log_ratio - log_ratio[finite].max(), -np.inf)
    try:
        log_weights, k = pareto_smooth(np.maximum(shifted, -1e300), relative_ess)
    except ValueError:  # a flat upper tail: nothing to smooth
        log_weights, k = shifted, 0.0
    weights = np.where(finite, np.exp(log_weights - np.max(log_weights)), 0.0)
    weights /= weights.sum()
    return Reweighting(weights, float(k), float(1.0 / (weights.size * np.sum(weights**2))))


def systematic_resample(weights: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Indices of ``len(weights)`` equally weighted draws (systematic resampling).

    Each draw appears ``floor(n w)`` or ``ceil(n w)`` times: the least added noise of the
    standard resampling schemes (Douc & Cappé 2005).
    """
    n = weights.size
    positions = (rng.random() + np.arange(n)) / n
    return np.minimum(np.searchsorted(np.cumsum(weights), positions), n - 1)


def reweight(log_ratio: np.ndarray, ess_bulk: float) -> Reweighting:
    """PSIS weights of MCMC draws whose bulk ESS is ``ess_bulk`` (sets the tail length)."""
    n = np.asarray(log_ratio).size
    return psis(log_ratio, relative_ess=min(1.0, ess_bulk / n))


def trusted(result: Reweighting, ess_bulk: float) -> bool:
    """Whether a reweighting can replace sampling: the package's one rule.

    Parameters
    ----------
    result : Reweighting
        The smoothed weights.
    ess_bulk : float
        Smallest bulk ESS of the proposal's MCMC draws.

    Returns
    -------
    bool
        True when ``pareto_k <= K_MAX`` and ``result.effective_ess(ess_bulk)`` is at least
        :func:`~model.inference.diagnostics.ess_threshold` of the number of draws.
    """
    return bool(result.reliable
                and result.effective_ess(ess_bulk) >= ess_threshold(result.weights.size))


def resample_index(result: Reweighting, seed: int | None) -> np.ndarray:
    """Indices of equally weighted draws (systematic resampling seeded by ``seed``)."""
    return systematic_resample(result.weights, np.random.default_rng(seed))


def resample_draws(draws: Mapping[str, np.ndarray], index: np.ndarray) -> dict[str, np.ndarray]:
    """Flattened draws (leading ``draw`` axis) picked by ``index``."""
    return {name: values[index] for name, values in draws.items()}


def resample_posterior(posterior: xr.Dataset, index: np.ndarray) -> xr.Dataset:
    """A ``(chain, draw, ...)`` posterior whose flattened draws are picked by ``index``."""
    posterior = posterior.transpose("chain", "draw", ...)
    n = posterior.sizes["chain"] * posterior.sizes["draw"]
    return posterior.copy(data={
        name: var.values.reshape(n, *var.shape[2:])[index].reshape(var.shape)
        for name, var in posterior.data_vars.items()})
