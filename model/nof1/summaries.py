"""Tidy tables of n-of-1 contrasts from posterior draws."""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from model.inference.summary import INTERVAL


def summarise_effects(
    draws: xr.DataArray, reference: str, threshold: float | None = None
) -> pd.DataFrame:
    """Tidy table of contrasts from posterior draws with a ``contrast`` dim.

    Parameters
    ----------
    draws : xarray.DataArray
        Dims ``chain``, ``draw`` and ``contrast`` (the treatment labels).
    reference : str
        The level every contrast is against (the ``vs`` column).
    threshold : float, optional
        Adds ``p_beyond``: P(effect > threshold) for a threshold >= 0, P(effect < threshold)
        for a negative one.

    Returns
    -------
    pandas.DataFrame
        Columns treatment, vs, mean, sd, ci_low, ci_high (95 % equal-tailed:
        :data:`~model.inference.summary.INTERVAL`, level
        :data:`~model.inference.summary.SUMMARY_LEVEL`), p_positive [, p_beyond].

    """
    rows = []
    for label in draws["contrast"].values:
        values = draws.sel(contrast=label).values.ravel()
        row = {
            "treatment": str(label),
            "vs": reference,
            "mean": float(values.mean()),
            "sd": float(values.std(ddof=1)),
            "ci_low": float(np.quantile(values, INTERVAL[0])),
            "ci_high": float(np.quantile(values, INTERVAL[1])),
            "p_positive": float(np.mean(values > 0)),
        }
        if threshold is not None:
            beyond = values > threshold if threshold >= 0 else values < threshold
            row["p_beyond"] = float(np.mean(beyond))
        rows.append(row)
    return pd.DataFrame(rows)
