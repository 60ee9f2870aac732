"""Random-effects meta-analysis: DerSimonian–Laird and REML, as in R's ``metafor::rma``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from model.core.special import normal_quantile

Method = Literal["REML", "DL", "EE"]


@dataclass(frozen=True)
class PooledEstimate:
    """A pooled effect with its standard error and the between-study variance.

    Attributes
    ----------
    estimate, se : float
        Pooled mean and its standard error.
    tau2 : float
        Estimated between-study variance (0 for the equal-effects model).
    k : int
        Number of studies pooled.
    method : str
        ``"REML"``, ``"DL"`` or ``"EE"``.
    """

    estimate: float
    se: float
    tau2: float
    k: int
    method: str

    def ci(self, level: float = 0.95) -> tuple[float, float]:
        """Wald confidence interval of the pooled mean."""
        z = normal_quantile(0.5 + level / 2)
        return self.estimate - z * self.se, self.estimate + z * self.se


def _weighted_mean(y: np.ndarray, v: np.ndarray, tau2: float) -> tuple[float, float]:
    w = 1.0 / (v + tau2)
    return float(np.sum(w * y) / np.sum(w)), float(np.sqrt(1.0 / np.sum(w)))


def _tau2_dl(y: np.ndarray, v: np.ndarray) -> float:
    w = 1.0 / v
    mu = np.sum(w * y) / np.sum(w)
    q = np.sum(w * (y - mu) ** 2)
    c = np.sum(w) - np.sum(w**2) / np.sum(w)
    return float(max(0.0, (q - (len(y) - 1)) / c)) if c > 0 else 0.0


def _tau2_reml(y: np.ndarray, v: np.ndarray, tol: float = 1e-10, max_iter: int = 500) -> float:
    """REML by Fisher scoring from the DL start (Viechtbauer 2005), truncated at zero."""
    tau2 = _tau2_dl(y, v)
    for _ in range(max_iter):
        w = 1.0 / (v + tau2)
        mu = np.sum(w * y) / np.sum(w)
        # Fisher-scoring step of the restricted log-likelihood
        p_diag_term = np.sum(w**2 * ((y - mu) ** 2 - v)) / np.sum(w**2) + 1.0 / np.sum(w)
        new = max(0.0, float(p_diag_term))
        if abs(new - tau2) < tol:
            return new
        tau2 = new
    return tau2


def pool(estimates: ArrayLike, variances: ArrayLike, method: Method = "REML") -> PooledEstimate:
    """Pool study estimates with a random-effects (or equal-effects) model.

    Parameters
    ----------
    estimates : array_like
        Study effect estimates on a common scale.
    variances : array_like
        Their sampling variances (squared standard errors), all positive.
    method : {"REML", "DL", "EE"}
        Between-study variance estimator; ``"EE"`` fixes it at zero.

    Returns
    -------
    PooledEstimate

    Examples
    --------
    >>> round(pool([0.1, 0.3], [0.01, 0.01], "EE").estimate, 3)
    0.2
    """
    y = np.asarray(estimates, dtype=float)
    v = np.asarray(variances, dtype=float)
    if y.shape != v.shape or y.ndim != 1 or len(y) == 0:
        raise ValueError("estimates and variances must be non-empty 1-d arrays of equal length")
    if np.any(~np.isfinite(y)) or np.any(~(v > 0)):
        raise ValueError("estimates must be finite and variances positive")
    if len(y) == 1 or method == "EE":
        tau2 = 0.0
    elif method == "DL":
        tau2 = _tau2_dl(y, v)
    elif method == "REML":
        tau2 = _tau2_reml(y, v)
    else:
        raise ValueError(f"unknown method {method!r}; expected REML, DL or EE")
    mu, se = _weighted_mean(y, v, tau2)
    return PooledEstimate(mu, se, tau2, len(y), method)
