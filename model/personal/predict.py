"""Steady-state predictions in diary units from posterior draws (vectorised numpy).

Besides the outcomes of every regimen (dims regimen x draw), the Dataset carries
``onset_days`` (dim draw), the build-up time constant, when the draws have it. Sleep outcomes
are predicted on the scale of the diary's reference source (no device shift, ``b_device``:
:func:`model.data.devices.reference_source`, the tracker with the most nights), whatever
measured the last night: on a ring reading latency at 0.6 x a self-report's, the same log-ratio
benefit is fewer ring minutes, and the scale of the predictions moved with each swap (the
two-year diary audit: P(better than continuing) 0.56 on the ring's scale against 0.61 on the
first source's, 0.61-0.63 for the same nights without the swap). :func:`device_shifts` says
how far each other source's nights read from the reference's, in diary units.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from model.core.forms import FORMS, NONE
from model.core.outcomes import DEVICE_MEASURED, ORDINAL, SLEEP_OUTCOMES, SPECS
from model.core.regimen import Regimen
from model.data.devices import device_columns, named, reference_source, source_counts
from model.evidence.priorset import PriorSet
from model.likelihood.families import Bernoulli, NegativeBinomial, NormalAR1, Ordinal
from model.likelihood.kinetics import steady_state

TREND_END = np.array([1.0, 0.5])  # Legendre P1, P2 / k at the diary's last night

def predict_from_draws(draws: dict[str, np.ndarray], regimens: Sequence[Regimen],
                       priors: PriorSet) -> xr.Dataset:
    """Steady-state predictions from flattened posterior draws (vectorised numpy).

    Raises
    ------
    ValueError
        When ``regimens`` is empty, or names a magnesium form without a dose (it would be
        predicted as no magnesium).
    """
    if not regimens:
        raise ValueError("predict needs at least one regimen, e.g. [Regimen('glycinate', 200)]")
    doseless = [r.form for r in regimens if r.form in FORMS and not r.active]
    if doseless:
        raise ValueError(f"Regimen({doseless[0]!r}) has no dose, so it would be predicted as no "
                         f"magnesium: give the elemental mg, e.g. Regimen({doseless[0]!r}, 200)")
    settings = priors.settings
    theta = draws["theta"]                                   # (draw, form, outcome)
    trend_end = draws["trend"] @ TREND_END                   # (draw, sleep)
    states = [steady_state(r, ed50_mg=settings.ed50_mg, reference_mg=settings.reference_dose_mg)
              for r in regimens]
    inputs = np.stack([s[0] for s in states])                # (regimen, form)
    single = np.stack([s[1] for s in states])
    taking = np.array([s[2] for s in states])
    n_sleep = len(SLEEP_OUTCOMES)
    eta = (np.einsum("rf,dfo->rdo", inputs, theta[:, :, :n_sleep])
           + taking[:, None, None] * draws["expectation"][None] + trend_end[None])
    out: dict[str, np.ndarray] = {
        "sol_min": NormalAR1.mean(draws["sol_intercept"][None] + eta[..., 0],
                                  draws["sol_sigma"][None]),
        "awakenings": NegativeBinomial.mean(draws["awakenings_intercept"][None] + eta[..., 1]),
    }
    for k, name in enumerate(ORDINAL, start=2):
        cuts = draws[f"{name}_cutpoints"]                      # (draw, cut)
        out[name] = SPECS[name].lowest + Ordinal.mean(eta[..., k], cuts[None])
    out["gi_rate"] = Bernoulli.mean(draws["gi_intercept"][None]
                                    + np.einsum("rf,df->rd", single, theta[:, :, n_sleep]))
    labels = [r.label for r in regimens]
    data = xr.Dataset({k: (("regimen", "draw"), v) for k, v in out.items()},
                      coords={"regimen": labels})
    if "tau" in draws:   # the build-up time constant (days), for the evaluation period
        data["onset_days"] = ("draw", np.asarray(draws["tau"], float))
    return data


SHIFT_LEVEL = 0.9
"""The level of the interval :func:`device_shifts` gives (a person's, as the effects')."""


def device_shifts(draws: Mapping[str, np.ndarray], nights: pd.DataFrame, priors: PriorSet,
                  level: float = SHIFT_LEVEL) -> pd.DataFrame:
    """How far each source's nights read from the reference's, in diary units.

    The fitted level shift of each source other than the reference
    (:func:`model.data.devices.device_columns`; pooled sources share one) on each outcome a
    tracker measures, as the difference it makes to the predicted nightly mean without
    magnesium at the diary's end (:func:`predict_from_draws`): minutes of latency, count of
    awakenings. The shift was fitted and reported nowhere (an outside audit), so a person
    could not see that a ring read 8 minutes under the tracker before it.

    Returns
    -------
    pandas.DataFrame
        One row per shifted source and measured outcome: ``source`` (its name, pooled names
        joined by `` + ``), ``outcome``, ``column`` (the diary's), ``nights`` (the source's
        nights with a sleep outcome), ``median``, ``low``, ``high`` (the ``level`` interval)
        of the shift (positive: that source reads more than the reference). Empty for a
        diary of one source.
    """
    counts = source_counts(nights)
    base = predict_from_draws(dict(draws), [Regimen(NONE)], priors)
    rows = []
    for k, sources in enumerate(device_columns(nights)):
        moved = predict_from_draws(level_moved(draws, draws["b_device"][:, k], DEVICE_MEASURED),
                                   [Regimen(NONE)], priors)
        rows += [{"source": " + ".join(named(s) for s in sources),
                  "nights": int(counts[list(sources)].sum()),
                  **shift_summary(base, moved, o, level)} for o in DEVICE_MEASURED]
    return pd.DataFrame(rows, columns=["source", "outcome", "column", "nights", "median",
                                       "low", "high"])


def level_moved(draws: Mapping[str, np.ndarray], shift: np.ndarray,
                outcomes: Sequence[str]) -> dict[str, np.ndarray]:
    """The draws with each of ``outcomes``' level moved by ``shift`` (``(draw, sleep)``).

    An intercept moves up by it; an ordinal rating's cut-points down (its linear predictor
    goes up): a tracker's shift (:func:`device_shifts`) or a covariate's
    (:mod:`model.personal.covariate_effects`).
    """
    moved = dict(draws)
    for outcome in outcomes:
        j = SLEEP_OUTCOMES.index(outcome)
        if outcome in ORDINAL:
            moved[f"{outcome}_cutpoints"] = draws[f"{outcome}_cutpoints"] - shift[:, j, None]
        else:
            moved[f"{outcome}_intercept"] = draws[f"{outcome}_intercept"] + shift[:, j]
    return moved


def shift_summary(base: xr.Dataset, moved: xr.Dataset, outcome: str,
                  level: float = SHIFT_LEVEL) -> dict[str, Any]:
    """How far ``moved``'s prediction of an outcome is from ``base``'s, in diary units.

    ``outcome``, ``column`` (the diary's), ``median``, ``low``, ``high`` (the ``level``
    interval over the draws) of the difference, for a one-regimen prediction of each.
    """
    key, tail = SPECS[outcome].gain_key, (1 - level) / 2
    gap = (moved[key] - base[key]).to_numpy()[0]
    low, median, high = np.quantile(gap, [tail, 0.5, 1 - tail])
    return {"outcome": outcome, "column": SPECS[outcome].column, "median": float(median),
            "low": float(low), "high": float(high)}


ShiftEntry = Callable[[Mapping[str, np.ndarray], pd.DataFrame, PriorSet], dict[str, Any] | None]
"""A fitted shift's JSON entry from draws, the diary's nights and the priors: :func:`device_entry`,
:func:`model.personal.covariate_effects.covariate_entry`."""


def device_entry(draws: Mapping[str, np.ndarray], nights: pd.DataFrame,
                 priors: PriorSet) -> dict[str, Any] | None:
    """The measuring sources as JSON: the reference and each other's shift; None for one.

    ``reference`` (its name, ``(unnamed)`` for the blank source), ``level`` (of the
    intervals) and ``shifts``: the rows of :func:`device_shifts` as objects.
    """
    shifts = device_shifts(draws, nights, priors)
    if shifts.empty:
        return None
    return {"reference": named(reference_source(nights)), "level": SHIFT_LEVEL,
            "shifts": shifts.to_dict("records")}      # native Python numbers
