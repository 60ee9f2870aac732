"""The last NUTS fit of a personal model, whose draws later nights reweight (numpy PSIS).

When nights are appended, the new posterior is close to the last NUTS fit's. Each of its
draws is weighted by ``p(draw | longer diary) / p(draw | its own diary)``: the difference of
:func:`model.personal.nightly.data_log_density` under the two diaries (every likelihood term
and the diary-centred intercept priors; the other priors cancel), computed in numpy without
a compiled graph, so a saved fit is updated without PyMC. The weights follow the package's
one trust rule (:func:`model.inference.psis.trusted`). Each diary's data is derived from its own
nights: a period's first day in the later nights turns the ``premenstrual`` covariate of the
nights before it in the longer diary's data alone (:mod:`model.data.cycle_nights`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import xarray as xr

from model.data.diary import Diary
from model.inference.diagnostics import Diagnostics
from model.inference.psis import Reweighting, resample_index, reweight, trusted
from model.personal.nightly import data_log_density
from model.personal.store import Groups


@dataclass
class Proposal:
    """The last NUTS fit of a personal model.

    Attributes
    ----------
    groups : Groups
        Its ``posterior`` and (when the sampler gave them) ``sample_stats`` as arrays.
    diagnostics : Diagnostics
        Its convergence.
    diary : Diary
        The diary it was fitted to.
    data : dict of str to numpy.ndarray
        That diary's graph data.
    own_log_density : numpy.ndarray or None
        :func:`~model.personal.nightly.data_log_density` of each draw under its own diary
        (computed on first use; saved files keep it).
    """

    groups: Groups
    diagnostics: Diagnostics
    diary: Diary
    data: Mapping[str, np.ndarray]
    own_log_density: np.ndarray | None = field(default=None, repr=False)

    @classmethod
    def of(cls, idata: xr.DataTree, diagnostics: Diagnostics, diary: Diary,
           data: Mapping[str, np.ndarray]) -> Proposal:
        """The proposal of a NUTS fit just sampled."""
        proposal = cls(Groups.of(idata), diagnostics, diary, data)
        proposal.idata = idata
        return proposal

    @cached_property
    def idata(self) -> xr.DataTree:
        """Its groups as an ArviZ ``DataTree`` (made on first use)."""
        return self.groups.tree()

    @cached_property
    def draws(self) -> dict[str, np.ndarray]:
        """Its posterior, chains flattened into a leading axis (chain-major), as a fit's."""
        return self.groups.draws()

    def own(self) -> np.ndarray:
        """:func:`~model.personal.nightly.data_log_density` of each draw under its own diary."""
        if self.own_log_density is None:
            self.own_log_density = data_log_density(self.draws, self.data)
        return self.own_log_density

    def log_ratio(self, data: Mapping[str, np.ndarray]) -> np.ndarray:
        """Log importance ratio of each draw from its own diary to the graph data ``data``."""
        return data_log_density(self.draws, data) - self.own()


@dataclass(frozen=True)
class Moved:
    """A proposal's draws moved to new data: which draws, their checks, the weights."""

    index: np.ndarray
    diagnostics: Diagnostics
    reweighting: Reweighting


def reweighted(proposal: Proposal, data: Mapping[str, np.ndarray], seed: int | None,
               prior_ratio: np.ndarray | None = None) -> Moved | None:
    """The proposal's draws reweighted to the graph data ``data``; None when not trusted.

    Trusted when the proposal passed its checks and :func:`~model.inference.psis.trusted`
    accepts the Pareto-smoothed weights. The diagnostics are the proposal's with the bulk
    ESS scaled by the weights' ESS fraction; ``index`` holds equally weighted draws
    (systematic resampling seeded by ``seed``). ``prior_ratio`` (per draw, the log density
    of another person-level prior minus the fitted one's) moves the draws to that prior too,
    in the same single reweighting.
    """
    base = proposal.diagnostics
    log_ratio = proposal.log_ratio(data)
    if prior_ratio is not None:
        log_ratio = log_ratio + prior_ratio
    result = reweight(log_ratio, base.min_ess_bulk)
    if not (base.ok and trusted(result, base.min_ess_bulk)):
        return None
    diagnostics = dataclasses.replace(base,
                                      min_ess_bulk=result.effective_ess(base.min_ess_bulk))
    return Moved(resample_index(result, seed), diagnostics, result)
