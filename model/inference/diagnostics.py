"""Convergence checks of an MCMC fit: split R-hat, bulk ESS and divergent transitions."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np
import xarray as xr

SAMPLE_DIMS = ("chain", "draw")


@dataclass(frozen=True)
class Diagnostics:
    """Summary of how trustworthy a fit is.

    Parameters
    ----------
    ok : bool
        True when every checked quantity passed: R-hat at most the limit, bulk ESS at least
        the minimum and no divergent transitions.
    max_rhat : float
        Largest rank-normalised split R-hat over the checked variables (``inf`` when it
        could not be computed, e.g. from a single draw).
    min_ess_bulk : float
        Smallest bulk effective sample size over the checked variables.
    divergences : int
        Number of divergent transitions after tuning.
    max_rhat_all : float, optional
        Largest R-hat over every parameter (cut-points, AR and trend terms included), held
        to the looser :data:`LOOSE_RHAT` by :func:`gate`.
    attempts : int
        Sampling runs it took: 1, or more when :func:`gate`'s caller extended a borderline
        fit.
    checked : tuple of str
        What the strict limits were applied to (empty: every variable, or a plain
        :func:`check_convergence` of all).
    rhat_limit, ess_limit : float
        The largest R-hat and the smallest bulk ESS the strict check accepted.
    divergence_limit : int
        The most divergent transitions it accepted.

    """

    ok: bool
    max_rhat: float
    min_ess_bulk: float
    divergences: int
    max_rhat_all: float | None = None
    attempts: int = 1
    checked: tuple[str, ...] = ()
    rhat_limit: float = 1.01
    ess_limit: float = 0.0
    divergence_limit: int = 0

    def failures(self) -> list[str]:
        """What failed, each with the limit it broke; empty when the fit passed.

        A fit that failed within every limit had a draw, or a prediction from its draws,
        that is not a finite number (:func:`model.analysis.pipeline.checked_decision`).
        """
        if self.ok:
            return []
        failed = [f"R-hat {self.max_rhat:.3f} above {self.rhat_limit:g}"
                  if self.max_rhat > self.rhat_limit else "",
                  f"bulk ESS {self.min_ess_bulk:.0f} below {self.ess_limit:.0f}"
                  if self.min_ess_bulk < self.ess_limit else "",
                  f"{self.divergences} divergent transitions (at most "
                  f"{self.divergence_limit} allowed)"
                  if self.divergences > self.divergence_limit else "",
                  f"R-hat of the other parameters {self.max_rhat_all:.3f} above {LOOSE_RHAT:g}"
                  if self.max_rhat_all is not None and self.max_rhat_all > LOOSE_RHAT else ""]
        return [f for f in failed if f] or ["a draw or a prediction that is not a finite number"]

    def words(self) -> str:
        """``ok``, or ``FAILED:`` and what failed with its limit, for one line of text."""
        return "ok" if self.ok else f"FAILED: {'; '.join(self.failures())}"

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dictionary (the ``diagnostics`` object of the JSON outputs).

        An R-hat or ESS that is not a finite number (R-hat of a single chain, of fewer than 4
        draws a chain, of chains stuck apart) is null: JSON has no infinity.
        """
        out = {k: None if isinstance(v, float) and not math.isfinite(v) else v
               for k, v in asdict(self).items() if k not in _LIMITS}
        if self.max_rhat_all is None:  # a plain check: the four keys of schema_version 1
            return {k: out[k] for k in ("ok", "max_rhat", "min_ess_bulk", "divergences")}
        out["checked"] = list(self.checked)
        return out


_LIMITS = ("rhat_limit", "ess_limit", "divergence_limit")  # in the text, not the JSON

STRICT_RHAT = Diagnostics.rhat_limit
"""R-hat limit for what a decision reads (Vehtari et al. 2021)."""

ESS_FRACTION = 0.1
"""The bulk ESS a fit needs as a share of its draws, when under 400 (:func:`ess_threshold`)."""


def ess_threshold(n_samples: int, ess_min: float = 400.0,
                  ess_fraction: float = ESS_FRACTION) -> float:
    """Minimum acceptable bulk ESS for a fit of ``n_samples`` retained draws (all chains).

    The usual rule asks for an ESS of 400; a short fit cannot reach it, so the threshold is
    ``min(ess_min, ess_fraction * n_samples)``: 400 for 4 chains x 1,000 draws, 60 for a
    2 x 300 test fit. A fit whose ESS falls under a tenth of its draws is mixing badly
    whatever its length.
    """
    return float(min(ess_min, ess_fraction * n_samples))


@dataclass(frozen=True)
class ScalarStatistics:
    """R-hat and bulk ESS of every scalar of a posterior, and which variable each belongs to.

    Computed once for all variables (:func:`model.inference.convergence.rhat_and_ess`), so the
    strict and the loose checks of :func:`gate` share them.
    """

    variable: np.ndarray
    varying: np.ndarray
    rhat: np.ndarray
    ess: np.ndarray
    finite: np.ndarray
    chains: int
    draws: int

    @classmethod
    def of(cls, posterior: xr.Dataset) -> ScalarStatistics:
        """The statistics of every scalar of ``posterior`` (dims ``chain``, ``draw``, ...)."""
        from model.inference.convergence import rhat_and_ess

        n_chains, n_draws = (posterior.sizes[d] for d in SAMPLE_DIMS)
        blocks = [np.asarray(v.transpose(*SAMPLE_DIMS, ...).values, dtype=float)
                  .reshape(n_chains, n_draws, -1) for v in posterior.data_vars.values()]
        draws = np.concatenate(blocks, axis=2) if blocks else np.empty((n_chains, n_draws, 0))
        variable = np.repeat(list(posterior.data_vars), [b.shape[2] for b in blocks])
        rhat, ess = rhat_and_ess(draws)
        return cls(variable, draws.max(axis=(0, 1)) > draws.min(axis=(0, 1)), rhat, ess,
                   np.isfinite(draws).all(axis=(0, 1)), n_chains, n_draws)

    def worst(self, names: Sequence[str] | None) -> tuple[bool, float, float]:
        """Whether every draw is finite, the largest R-hat and the smallest bulk ESS of ``names``.

        Over the scalars that vary (a constant has no R-hat); an undefined value counts as
        the worst (R-hat ``inf``, ESS 0), as do fewer than 4 draws a chain.
        """
        chosen = np.ones(self.variable.size, bool) if names is None else \
            np.isin(self.variable, list(names))
        finite = bool(self.finite[chosen].all())
        judged = chosen & self.varying
        if self.draws < 4 or not judged.any():
            return finite, float("inf"), 0.0
        rhat, ess = self.rhat[judged], self.ess[judged]
        return (finite, float(np.where(np.isnan(rhat), np.inf, rhat).max()),
                float(np.where(np.isnan(ess), 0.0, ess).min()))

    def verdict(self, names: Sequence[str] | None, divergences: int, *, rhat_max: float,
                ess_min: float, ess_fraction: float, max_divergences: int) -> Diagnostics:
        """The :class:`Diagnostics` of ``names`` (default all) under the given limits."""
        finite, max_rhat, min_ess = self.worst(names)
        ess_needed = ess_threshold(self.chains * self.draws, ess_min, ess_fraction)
        ok = (finite and max_rhat <= rhat_max and min_ess >= ess_needed
              and divergences <= max_divergences)
        return Diagnostics(bool(ok), max_rhat, min_ess, divergences, rhat_limit=rhat_max,
                           ess_limit=ess_needed, divergence_limit=max_divergences)


def check_convergence(
    idata: xr.DataTree,
    var_names: Sequence[str] | None = None,
    *,
    rhat_max: float = STRICT_RHAT,
    ess_min: float = 400.0,
    ess_fraction: float = ESS_FRACTION,
    max_divergences: int = 0,
) -> Diagnostics:
    """Check the convergence of the ``posterior`` group of a fit.

    Parameters
    ----------
    idata : xarray.DataTree
        Result of :func:`model.inference.sampling.sample_posterior` (groups ``posterior`` and
        optionally ``sample_stats`` with a ``diverging`` variable).
    var_names : sequence of str, optional
        Variables to check; default every posterior variable.
    rhat_max : float
        Largest acceptable rank-normalised split R-hat (default 1.01, Vehtari et al. 2021).
    ess_min, ess_fraction : float
        The minimum bulk ESS is ``min(ess_min, ess_fraction * chains * draws)``, see
        :func:`ess_threshold`.
    max_divergences : int
        Most divergent transitions tolerated (default none).

    Returns
    -------
    Diagnostics
        ``ok`` is False when any check fails; with fewer than 4 draws per chain R-hat is
        undefined (``inf``) and the fit fails; a NaN or infinite draw of any checked
        variable fails the fit (its R-hat and ESS would otherwise skip it as constant).

    """
    posterior = idata["posterior"].to_dataset()
    if var_names is not None:
        posterior = posterior[list(var_names)]
    return ScalarStatistics.of(posterior).verdict(
        None, _count_divergences(idata), rhat_max=rhat_max, ess_min=ess_min,
        ess_fraction=ess_fraction, max_divergences=max_divergences)


LOOSE_RHAT = 1.05
"""R-hat limit for parameters the decision does not read (Vehtari et al. 2021: 1.01 for
inferences that matter, values up to ~1.05 are harmless for nuisance parameters)."""


def gate(idata: xr.DataTree, decision_vars: Sequence[str], *, attempts: int = 1,
         ess_min: float = 400.0) -> Diagnostics:
    """The checks a fit must pass before its posterior informs a decision.

    Strict (R-hat <= 1.01, bulk ESS, no divergences) on ``decision_vars``, the quantities
    the decision reads; R-hat <= :data:`LOOSE_RHAT` on every other parameter.
    """
    statistics = ScalarStatistics.of(idata["posterior"].to_dataset())
    divergences = _count_divergences(idata)
    strict = statistics.verdict(decision_vars, divergences, rhat_max=STRICT_RHAT,
                                ess_min=ess_min, ess_fraction=ESS_FRACTION, max_divergences=0)
    loose = statistics.verdict(None, divergences, rhat_max=LOOSE_RHAT, ess_min=0.0,
                               ess_fraction=0.0, max_divergences=0)
    return replace(strict, ok=strict.ok and loose.ok, max_rhat_all=loose.max_rhat,
                   attempts=attempts, checked=tuple(decision_vars))


def _count_divergences(idata: xr.DataTree) -> int:
    """Divergent transitions in ``sample_stats`` (0 when the group or variable is absent)."""
    if "sample_stats" not in idata.children:
        return 0
    stats = idata["sample_stats"].to_dataset()
    if "diverging" not in stats:
        return 0
    return int(stats["diverging"].sum())
