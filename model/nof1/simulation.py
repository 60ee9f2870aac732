"""Simulated n-of-1 trials with known effects (for tests and benchmarks)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy.special import logit

from model.likelihood.families import Bernoulli, NegativeBinomial, Ordinal, ar1_errors
from model.nof1.priors import check_family

_SIM_BASE = {"normal": 10.0, "poisson": float(np.log(4.0)), "negbin": float(np.log(4.0)),
             "binomial": float(logit(0.3)), "ordinal": 0.0}
_SIM_CUTPOINTS = logit(np.array([0.1, 0.3, 0.6, 0.85]))


def simulate_nof1(
    family: str,
    *,
    n_nights: int = 120,
    effects: Mapping[str, float] | None = None,
    ar_rho: float = 0.0,
    noise_sd: float = 1.0,
    period: int = 7,
    missing: float = 0.1,
    seed: int | None = None,
) -> pd.DataFrame:
    """Simulate one person's n-of-1 trial with known effects (for tests and benchmarks).

    Treatments come in blocks of ``period`` nights; each cycle gives every level (``A``, the
    reference, then ``effects``' keys) one block in random order. The linear predictor is a
    family-specific baseline (normal 10; log 4 per night; logit 0.3; ordinal 5 categories
    with cutpoints at cumulative probabilities 0.1, 0.3, 0.6, 0.85) plus the effect plus a
    stationary AR(1) error of autocorrelation ``ar_rho`` and marginal SD ``noise_sd`` (for
    the normal family the whole residual; for the others a latent term of SD
    ``noise_sd / 2``, present only when ``ar_rho`` is not 0, so that data without
    autocorrelation follow the family exactly). A fraction ``missing`` of outcomes is
    blanked.

    Returns
    -------
    pandas.DataFrame
        Columns ``night`` (0..n-1), ``treatment``, ``y``; ``attrs["effects"]`` holds the
        true effects (linear-predictor scale, vs ``A``).

    """
    check_family(family)
    rng = np.random.default_rng(seed)
    effects = dict(effects or {"B": 1.0})
    levels = ["A", *effects]
    cycles = -(-n_nights // (period * len(levels)))
    order = np.concatenate([rng.permutation(levels) for _ in range(cycles)])
    treatment = np.repeat(order, period)[:n_nights]
    sd = noise_sd if family == "normal" else noise_sd / 2.0 if ar_rho else 0.0
    error = ar1_errors(n_nights, sd, ar_rho, rng)
    eta = _SIM_BASE[family] + np.array([effects.get(t, 0.0) for t in treatment]) + error
    y = _simulate_outcome(family, eta, rng)
    y[rng.random(n_nights) < missing] = np.nan
    frame = pd.DataFrame({"night": np.arange(n_nights), "treatment": treatment, "y": y})
    frame.attrs["effects"] = effects
    return frame


def _simulate_outcome(family: str, eta: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Draw outcomes given the linear predictor (the noise of normal is already in eta)."""
    if family == "normal":
        return eta.astype(float)
    if family == "poisson":
        return rng.poisson(np.exp(eta)).astype(float)
    if family == "negbin":
        return NegativeBinomial.draw(np.exp(eta), 5.0, rng).astype(float)
    if family == "binomial":
        return Bernoulli.draw(eta, rng).astype(float)
    below = 1.0 - Ordinal.above(eta, _SIM_CUTPOINTS)            # P(y < k), k = 1 .. K-1
    return (rng.random(eta.size)[:, None] > below).sum(axis=1).astype(float)
