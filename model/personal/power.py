"""Power-scaling sensitivity of a personal fit to its evidence prior and to the diary.

:func:`power_scaling` asks :func:`arviz_stats.psense_summary` how much the posterior of the
effects would move if the evidence prior, or the diary's likelihood, were raised to a power
near 1 (Kallioinen et al. 2024): no refit, the draws are importance-weighted. The prior
scaled is the evidence part of the person-level prior, ``log p(theta | r)``
(:meth:`model.likelihood.prior.PersonalPrior.log_density`, the part the sceptical and
confident priors of :mod:`model.analysis.pipeline` change); the likelihood is the sum of the
pointwise ``log_likelihood`` group (:mod:`model.personal.nightly`). The Pareto k of the
power-scaling weights is checked as every importance-weighted path is
(:data:`model.inference.psis.K_MAX`): above it the sensitivities are not reliable.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import xarray as xr

from model.inference.psis import K_MAX, psis
from model.likelihood.prior import PersonalPrior

ALPHAS = (0.99, 1.01)
"""Powers of the prior (or likelihood) around 1 whose effect on the posterior is measured."""


@dataclass(frozen=True)
class PowerScaling:
    """Prior and likelihood sensitivity of each effect, with the weights' reliability.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per ``theta[form, outcome]``: ``prior`` and ``likelihood`` sensitivity (CJS
        distance per unit of log power) and ``diagnosis`` (ArviZ's wording: prior above the
        0.05 threshold with a likelihood below it is a strong prior / weak likelihood, both
        above is a possible prior-data conflict).
    pareto_k : dict of str to float
        Largest Pareto k of the power-scaling weights, ``prior`` and ``likelihood``.
    """

    table: pd.DataFrame
    pareto_k: Mapping[str, float]

    @property
    def reliable(self) -> bool:
        """True when every Pareto k is at most :data:`~model.inference.psis.K_MAX`."""
        return all(k <= K_MAX for k in self.pareto_k.values())

    def flagged(self, diagnosis: str) -> list[str]:
        """The effects (``theta[form, outcome]``) whose diagnosis mentions ``diagnosis``."""
        return [str(name) for name, row in self.table.iterrows()
                if diagnosis in str(row["diagnosis"])]

    def to_dict(self) -> dict[str, object]:
        """The ``power_scaling`` entry of the ``analyze`` JSON."""
        return {"reliable": self.reliable,
                "pareto_k": {k: float(v) for k, v in self.pareto_k.items()},
                "alphas": list(ALPHAS),
                "effects": [{"effect": str(name), "prior": float(row["prior"]),
                             "likelihood": float(row["likelihood"]),
                             "diagnosis": str(row["diagnosis"])}
                            for name, row in self.table.iterrows()]}


def log_prior(posterior: xr.Dataset, draws: Mapping[str, np.ndarray],
              prior: PersonalPrior) -> xr.Dataset:
    """The ``log_prior`` group: ``log p(theta | r)`` of each draw, as variable ``theta``.

    ``draws`` are ``posterior`` flattened chain-major.
    """
    values = prior.log_density(draws["theta"], draws["responsiveness"])
    shape = (posterior.sizes["chain"], posterior.sizes["draw"])
    return xr.Dataset({"theta": (("chain", "draw"), values.reshape(shape))})


def largest_pareto_k(log_density: np.ndarray, alphas: Sequence[float] = ALPHAS) -> float:
    """The largest Pareto k of the weights ``density^(alpha - 1)`` over ``alphas``."""
    return max(psis((alpha - 1.0) * log_density).pareto_k for alpha in alphas)


def power_scaling(idata: xr.DataTree, draws: Mapping[str, np.ndarray],
                  prior: PersonalPrior) -> PowerScaling:
    """Power-scaling sensitivity of ``theta`` (adds a ``log_prior`` group to ``idata``).

    ``idata`` must hold ``posterior`` and ``log_likelihood``
    (:attr:`model.personal.fit.PersonalModel.idata_` does).
    """
    from arviz_stats import psense_summary

    posterior = idata["posterior"].to_dataset()
    idata["log_prior"] = xr.DataTree(log_prior(posterior, draws, prior))
    table = psense_summary(idata, var_names=["theta"], alphas=ALPHAS)
    loglik = idata["log_likelihood"].to_dataset()
    total = np.zeros((posterior.sizes["chain"], posterior.sizes["draw"]))
    for var in loglik.data_vars.values():
        total += var.sum([d for d in var.dims if d not in ("chain", "draw")]).transpose(
            "chain", "draw").to_numpy()
    prior_values = idata["log_prior"].to_dataset()["theta"].to_numpy()
    flat = {"prior": prior_values.ravel(), "likelihood": total.ravel()}
    return PowerScaling(table, {name: largest_pareto_k(values)
                                for name, values in flat.items()})
