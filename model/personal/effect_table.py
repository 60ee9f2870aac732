"""A personal fit's tables: its effects on the model scale at a chosen level, its exposure."""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from model.core.forms import FORMS
from model.core.outcomes import OUTCOMES, SPECS
from model.evidence.priorset import PriorSet
from model.inference.summary import SAMPLE, SUMMARY_LEVEL, effects_table
from model.likelihood.kinetics import build_up, design_from_nights


def effects_of(theta: np.ndarray, nights: pd.DataFrame,
               interval: float = SUMMARY_LEVEL) -> pd.DataFrame:
    """Posterior of each form x outcome effect with P(benefit) and ``tried``.

    Parameters
    ----------
    theta : numpy.ndarray
        Draws of the effects, dims (draw, form, outcome) in FORMS and OUTCOMES order.
    nights : pandas.DataFrame
        The diary's nights (:attr:`model.data.diary.Diary.nights`).
    interval : float
        Level of ``ci_low``, ``ci_high``: 0.95 by default, as the priors' table; 0.9 is the
        level a person reads (:data:`model.core.intervals.LEVEL`). The two differed with no
        way to ask for the other (a notebook user's audit, B F6).

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`~model.inference.summary.effects_table` but ``sd``, then
        ``tried``: True when the form was taken on a night where that outcome was recorded.
    """
    draws = xr.DataArray(theta, dims=(SAMPLE, "form", "outcome"),
                         coords={"form": list(FORMS), "outcome": list(OUTCOMES)})
    table = effects_table(draws).drop(columns="sd")
    if interval != SUMMARY_LEVEL:                        # effects_table's rows: outcome-major
        ends = draws.quantile([(1 - interval) / 2, (1 + interval) / 2], dim=SAMPLE)
        table["ci_low"], table["ci_high"] = ends.transpose(
            "quantile", "outcome", "form").to_numpy().reshape(2, -1)
    taken = nights["elemental_mg"] > 0
    table["tried"] = [bool((taken & (nights["form"] == form)
                            & nights[SPECS[outcome].column].notna()).any())
                      for form, outcome in zip(table["form"], table["outcome"], strict=True)]
    return table


def exposure_of(nights: pd.DataFrame, priors: PriorSet, taking_since: str | None,
                tau: float) -> xr.DataArray:
    """Exposure per night and form at the time constant ``tau`` (days), dims (night, form).

    :meth:`model.personal.fit.PersonalModel.exposure`: the Emax dose response of the
    priors' ED50 and reference dose, built up and washed out with ``tau``.
    """
    design = design_from_nights(nights, ed50_mg=priors.settings.ed50_mg,
                                reference_mg=priors.settings.reference_dose_mg,
                                taking_since=taking_since)
    return xr.DataArray(build_up(design, tau), dims=("night", "form"),
                        coords={"night": nights.index.rename("night"), "form": list(FORMS)})
