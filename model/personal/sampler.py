"""How the personal model is sampled: one compiled graph and the record of a NUTS fit.

:data:`GRAPHS` holds the personal graph, built and compiled once per process and reused by
every fit: its data have no fixed shapes, so appending a night, refitting under another prior
or fitting another person does not recompile (:mod:`model.inference.compile_cache` keeps the
compiled code across processes). :class:`NutsRecord` keeps what a warm-started refit needs of
a NUTS fit (:mod:`model.personal.proposal` reweights its draws to new data).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xarray as xr

from model.inference.sampling import CompiledGraph
from model.personal.graph import build_graph

NOMINAL_SIZE = (60, 16)
"""Nights and changes of the placeholder data the graph is built with."""

CHECKED = ("theta", "tau", "expectation", "sol_intercept", "sol_sigma", "gi_intercept")
"""Variables whose convergence a personal fit must pass."""

GRAPHS = CompiledGraph(lambda: build_graph(NOMINAL_SIZE[0], NOMINAL_SIZE[1]))
"""The personal graph of this process (built and compiled on first use)."""


@dataclass(frozen=True)
class NutsRecord:
    """What a warm start needs of a NUTS fit: its draws in the sampler's unconstrained space.

    Attributes
    ----------
    unconstrained : numpy.ndarray
        One row per draw (chain-major).
    """

    unconstrained: np.ndarray

    @classmethod
    def of(cls, idata: xr.DataTree) -> NutsRecord | None:
        """The fit's record, or None when it has no unconstrained draws (not nutpie)."""
        if "sample_stats" not in idata.children:
            return None
        stats = idata["sample_stats"].to_dataset()
        if "unconstrained_draw" not in stats:
            return None
        points = stats["unconstrained_draw"].stack(sample=("chain", "draw"))
        return cls(np.ascontiguousarray(points.transpose("sample", ...).values))
