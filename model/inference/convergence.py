"""Rank-normalised split R-hat and bulk ESS of every scalar of a fit in one pass.

The estimators are ArviZ's (Vehtari et al. 2021; ``arviz_stats.rhat(method="rank")`` and
``arviz_stats.ess(method="bulk")``, equal to within rounding: ``tests/test_convergence.py``):

- split each chain in two halves (an odd draw in the middle is left out);
- rank the draws of a scalar over all chains (ties share their average rank) and turn the
  ranks into normal quantiles, ``z = Phi^-1((rank - 3/8) / (N + 1/4))``;
- R-hat: the classic between / within-chain ratio of those ``z``, and of the ``z`` of the
  draws folded about their median; the larger of the two;
- bulk ESS: the draws over the autocorrelation time of the ``z``, whose autocorrelations are
  summed by Geyer's initial positive and monotone sequences.

ArviZ computes them one scalar at a time, each rank and quantile transform its own Python
call: for the personal model's 186 scalars the fit's checks
(:func:`model.inference.diagnostics.gate`) took 0.9 s of a 4.9 s warm 120-night fit. Here the
ranks, quantiles, variances and autocovariances are arrays over all scalars at once; only
Geyer's sequences, a few lags each, run per scalar.

Draws are arrays ``(chain, draw, scalar)``. A statistic that ArviZ leaves undefined is NaN:
R-hat with fewer than 2 chains, either with fewer than 4 draws a chain, a scalar with a NaN
draw. A constant scalar has an ESS of all its draws and an R-hat of NaN.
"""

from __future__ import annotations

import numpy as np
from scipy.fft import next_fast_len
from scipy.special import ndtri

MIN_DRAWS = 4
"""Draws a chain needs for either statistic (ArviZ's rule)."""

BLOM = 3.0 / 8.0
"""Offset of the rank-to-quantile transform (Blom 1958)."""


def split_chains(draws: np.ndarray) -> np.ndarray:
    """``(chain, draw, scalar)`` -> ``(2 chain, draw // 2, scalar)``: first and last halves."""
    half = draws.shape[1] // 2
    return np.concatenate([draws[:, :half], draws[:, draws.shape[1] - half:]], axis=0)


def average_ranks(values: np.ndarray) -> np.ndarray:
    """Ranks 1..N along the last axis, ties sharing their average; a row with a NaN is NaN.

    ``scipy.stats.rankdata(method="average")`` row by row, from one quicksort of every row
    (its stable sort took three times as long).
    """
    n = values.shape[-1]
    order = np.argsort(values, axis=-1)
    ordered = np.take_along_axis(values, order, axis=-1)
    position = np.broadcast_to(np.arange(n), values.shape)
    new = np.ones(values.shape, dtype=bool)
    new[..., 1:] = ordered[..., 1:] != ordered[..., :-1]
    last = np.ones(values.shape, dtype=bool)
    last[..., :-1] = new[..., 1:]
    first = np.maximum.accumulate(np.where(new, position, 0), axis=-1)
    end = np.flip(np.minimum.accumulate(np.flip(np.where(last, position, n), -1), axis=-1), -1)
    ranks = np.empty(values.shape)
    np.put_along_axis(ranks, order, (first + end) / 2.0 + 1.0, axis=-1)
    ranks[np.isnan(values).any(axis=-1)] = np.nan
    return ranks


def z_scale(draws: np.ndarray) -> np.ndarray:
    """Normal quantiles of each scalar's ranks over all its draws (chains pooled)."""
    chains, n, scalars = draws.shape
    rows = np.ascontiguousarray(draws.reshape(chains * n, scalars).T)   # (scalar, draws)
    quantiles = ndtri((average_ranks(rows) - BLOM) / (chains * n - 2 * BLOM + 1))
    return quantiles.T.reshape(draws.shape)


def _classic_rhat(values: np.ndarray) -> np.ndarray:
    """Between / within-chain R-hat of each scalar of ``(chain, draw, scalar)``."""
    n = values.shape[1]
    between = n * values.mean(axis=1).var(axis=0, ddof=1)
    within = values.var(axis=1, ddof=1).mean(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.sqrt((between / within + n - 1) / n)


def _rank_rhat(split: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Rank-normalised R-hat of split chains: the larger of the bulk and the folded one."""
    median = np.median(split.reshape(-1, split.shape[-1]), axis=0)
    bulk = _classic_rhat(z)
    folded = _classic_rhat(z_scale(np.abs(split - median)))
    return np.where(folded > bulk, folded, bulk)     # as Python's max(bulk, folded)


def _autocovariance(values: np.ndarray) -> np.ndarray:
    """Autocovariance of each chain and scalar at every lag (FFT), ``(chain, lag, scalar)``."""
    n = values.shape[1]
    centred = values - values.mean(axis=1, keepdims=True)
    length = next_fast_len(2 * n)
    spectrum = np.fft.rfft(centred, n=length, axis=1)
    return np.fft.irfft(spectrum * np.conjugate(spectrum), n=length, axis=1)[:, :n] / n


def _geyer_ess(rho: list[float], size: int) -> float:
    """Draws over the autocorrelation time of autocorrelations ``rho`` (Geyer's sequences)."""
    n = len(rho)
    kept = [0.0] * n
    kept[0], even, odd = 1.0, 1.0, rho[1]
    kept[1] = odd
    t = 1
    while t < n - 3 and even + odd > 0.0:           # initial positive sequence
        even, odd = rho[t + 1], rho[t + 2]
        if even + odd >= 0:
            kept[t + 1], kept[t + 2] = even, odd
        t += 2
    last = t - 2
    if even > 0:
        kept[last + 1] = even
    t = 1
    while t <= last - 2:                            # initial monotone sequence
        if kept[t + 1] + kept[t + 2] > kept[t - 1] + kept[t]:
            kept[t + 1] = kept[t + 2] = (kept[t - 1] + kept[t]) / 2.0
        t += 2
    tau = -1.0 + 2.0 * float(np.sum(kept[:last + 1])) + float(np.sum(kept[last + 1:last + 2]))
    return size / max(tau, 1.0 / np.log10(size))


def _bulk_ess(z: np.ndarray) -> np.ndarray:
    """Bulk effective sample size of each scalar from the z-scaled split chains ``z``."""
    m, n, scalars = z.shape
    size = m * n
    acov = _autocovariance(z)
    mean_var = acov[:, 0].mean(axis=0) * n / (n - 1.0)
    var_plus = mean_var * (n - 1.0) / n
    if m > 1:
        var_plus = var_plus + z.mean(axis=1).var(axis=0, ddof=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        rho = 1.0 - (mean_var - acov.mean(axis=0)) / var_plus      # (lag, scalar)
    constant = np.ptp(z, axis=(0, 1)) < np.finfo(float).resolution
    undefined = np.isnan(rho).any(axis=0)
    return np.array([size if constant[j] else np.nan if undefined[j]
                     else _geyer_ess(rho[:, j].tolist(), size) for j in range(scalars)],
                    dtype=float)


def rhat_and_ess(draws: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rank-normalised split R-hat and bulk ESS of each scalar of ``(chain, draw, scalar)``.

    Both read the same z-scaled split chains; undefined values are NaN (module docstring).
    """
    chains, n, scalars = draws.shape
    if n < MIN_DRAWS:
        return np.full(scalars, np.nan), np.full(scalars, np.nan)
    split = split_chains(np.asarray(draws, dtype=float))
    z = z_scale(split)
    rhat = _rank_rhat(split, z) if chains >= 2 else np.full(scalars, np.nan)
    return rhat, _bulk_ess(z)


def effective_draws(values: np.ndarray) -> float:
    """Bulk ESS of one sequence of draws in their order, at most their number.

    The draws are read as one chain, so the autocorrelation within each chain and the
    repeats of a resampled fit (side by side: systematic resampling keeps the order) both
    lower it; a sequence too short for the estimate, or constant, counts all its draws.
    """
    size = values.size
    ess = float(rhat_and_ess(np.asarray(values, dtype=float).reshape(1, size, 1))[1][0])
    return float(size) if np.isnan(ess) else min(ess, float(size))
