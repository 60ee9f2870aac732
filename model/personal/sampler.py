"""How the personal model is sampled: one compiled graph, NUTS fits and their PSIS updates.

:data:`GRAPHS` holds the personal graph, built and compiled once per process and reused by
every fit: its data have no fixed shapes, so appending a night, refitting under another prior
or fitting another person does not recompile (:mod:`model.inference.compile_cache` keeps the
compiled code across processes). :class:`NutsRecord` keeps what a later reweighting needs of a
NUTS fit, and :func:`reweight_record` moves its draws to new data by Pareto-smoothed
importance sampling under the package's one trust rule (:func:`model.inference.psis.trusted`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import xarray as xr

from model.inference.compile_cache import log_density
from model.inference.diagnostics import Diagnostics
from model.inference.psis import (
    Reweighting,
    resample_index,
    resample_posterior,
    reweight,
    trusted,
)
from model.inference.sampling import CompiledGraph
from model.personal.graph import build_graph

NOMINAL_SIZE = (60, 16)
"""Nights and changes of the placeholder data the graph is built with."""

CHECKED = ("theta", "tau", "expectation", "sol_intercept", "sol_sigma", "gi_intercept")
"""Variables whose convergence a personal fit must pass."""

GRAPHS = CompiledGraph(lambda: build_graph(NOMINAL_SIZE[0], NOMINAL_SIZE[1]))
"""The personal graph of this process (built and compiled on first use)."""


@dataclass
class NutsRecord:
    """What reweighting needs of a NUTS fit: its draws (also unconstrained) and data.

    Attributes
    ----------
    idata : xarray.DataTree
        The fit's posterior and sample statistics.
    diagnostics : Diagnostics
        The fit's convergence.
    data : dict of str to numpy.ndarray
        The graph data the fit was sampled with.
    unconstrained : numpy.ndarray
        The draws in the sampler's unconstrained space, one row per draw (chain-major).
    """

    idata: xr.DataTree
    diagnostics: Diagnostics
    data: Mapping[str, np.ndarray]
    unconstrained: np.ndarray
    cached_log_density: np.ndarray | None = field(default=None, repr=False)

    @classmethod
    def of(cls, idata: xr.DataTree, diagnostics: Diagnostics,
           data: Mapping[str, np.ndarray]) -> NutsRecord | None:
        """The fit's record, or None when it has no unconstrained draws (not nutpie)."""
        if "sample_stats" not in idata.children:
            return None
        stats = idata["sample_stats"].to_dataset()
        if "unconstrained_draw" not in stats:
            return None
        points = stats["unconstrained_draw"].stack(sample=("chain", "draw"))
        return cls(idata, diagnostics, data,
                   np.ascontiguousarray(points.transpose("sample", ...).values))

    def log_density(self) -> np.ndarray:
        """The log density of each draw under the fit's own data (computed once)."""
        if self.cached_log_density is None:
            compiled = GRAPHS.get("nutpie").nutpie_model
            self.cached_log_density = log_density(compiled.with_data(**self.data),
                                                  self.unconstrained)
        return self.cached_log_density


@dataclass(frozen=True)
class Reweighted:
    """A NUTS fit's draws moved to new data: equally weighted again after resampling."""

    idata: xr.DataTree
    diagnostics: Diagnostics
    reweighting: Reweighting


def reweight_record(record: NutsRecord, data: Mapping[str, np.ndarray],
                    seed: int | None) -> Reweighted | None:
    """Reweight ``record``'s draws to the graph data ``data``; None when not trusted.

    The weights are ``p(draw | data) / p(draw | record.data)`` (priors cancel), smoothed by
    PSIS; the result is trusted when the record itself passed its diagnostics and
    :func:`~model.inference.psis.trusted` accepts the weights. Its diagnostics are the
    record's with the bulk ESS scaled by the weights' ESS fraction.
    """
    compiled = GRAPHS.get("nutpie").nutpie_model
    new = log_density(compiled.with_data(**data), record.unconstrained)
    base = record.diagnostics
    result = reweight(new - record.log_density(), base.min_ess_bulk)
    diagnostics = dataclasses.replace(base, ok=bool(base.ok and trusted(result, base.min_ess_bulk)),
                                      min_ess_bulk=result.effective_ess(base.min_ess_bulk))
    if not diagnostics.ok:
        return None
    posterior = record.idata["posterior"].to_dataset()
    resampled = resample_posterior(posterior, resample_index(result, seed))
    return Reweighted(xr.DataTree.from_dict({"posterior": resampled}), diagnostics, result)
