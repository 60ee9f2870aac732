"""Posterior summaries shared by every fit: flattened draws and the effects table.

:func:`effects_table` is the one summary of form x outcome effects (the personal fit's
``theta``, the population's ``beta``): mean, sd, central interval and the probability of
benefit, signed by each outcome's better direction in :data:`model.core.outcomes.SPECS`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from model.core.outcomes import SPECS

SAMPLE = "sample"
"""Name of the flattened draw axis (chains x draws)."""

INTERVAL = (0.025, 0.975)
"""Quantiles of the central 95 % interval of the effects tables."""

SUMMARY_LEVEL = round(INTERVAL[1] - INTERVAL[0], 10)
"""The level of that interval, 0.95: what the fits' JSON ``interval`` fields state.

Not :data:`model.core.intervals.LEVEL` (0.9, every interval a person sees): two constants
named ``LEVEL`` with different values invited importing the wrong one (a maintainer's
review, /tmp/w45/C F6)."""


def flatten_draws(idata: xr.DataTree) -> dict[str, np.ndarray]:
    """Every posterior variable with chains and draws flattened into a leading axis.

    Parameters
    ----------
    idata : xarray.DataTree
        A fit with a ``posterior`` group of dims ``(chain, draw, ...)``.

    Returns
    -------
    dict of str to numpy.ndarray
        Variable name -> draws, chain-major (all draws of chain 0 first).
    """
    posterior = idata["posterior"].to_dataset()
    return {str(name): values.stack({SAMPLE: ("chain", "draw")}).transpose(SAMPLE, ...).values
            for name, values in posterior.data_vars.items()}


def effects_table(effects: xr.DataArray) -> pd.DataFrame:
    """Summarise draws of form x outcome effects, one row per pair (outcome-major).

    Parameters
    ----------
    effects : xarray.DataArray
        Draws with dims ``sample``, ``form`` and ``outcome`` (any order); ``outcome``
        values are keys of :data:`~model.core.outcomes.SPECS`.

    Returns
    -------
    pandas.DataFrame
        Columns ``form``, ``outcome``, ``scale``, ``mean``, ``sd``, ``ci_low``, ``ci_high``
        (:data:`INTERVAL`) and ``p_benefit``: the share of draws on the better side of 0.
    """
    ordered = effects.transpose(SAMPLE, "form", "outcome")
    values = ordered.values
    rows = []
    for j, outcome in enumerate(ordered["outcome"].values.tolist()):
        spec = SPECS[outcome]
        for i, form in enumerate(ordered["form"].values.tolist()):
            cell = values[:, i, j]
            low, high = np.quantile(cell, INTERVAL)
            rows.append({"form": form, "outcome": outcome, "scale": spec.scale,
                         "mean": float(cell.mean()), "sd": float(cell.std()),
                         "ci_low": float(low), "ci_high": float(high),
                         "p_benefit": float(np.mean(spec.sign * cell > 0))})
    return pd.DataFrame(rows)
