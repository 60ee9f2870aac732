"""Steady-state predictions in diary units from posterior draws (vectorised numpy).

Besides the outcomes of every regimen (dims regimen x draw), the Dataset carries
``onset_days`` (dim draw), the build-up time constant, when the draws have it. Sleep outcomes
are predicted on the scale of the diary's first source (no device shift, ``b_device``): the
scale of its baseline nights, whatever measures the next ones. On a ring reading latency at
0.6 x a self-report's, the same log-ratio benefit is fewer ring minutes, weighed against an
MCID in the minutes the person first recorded (the two-year diary audit: P(better than
continuing) 0.56 on the ring's scale against 0.61 on the first source's, 0.61-0.63 for the
same nights without the swap).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import xarray as xr

from model.core.forms import FORMS
from model.core.outcomes import ORDINAL, SLEEP_OUTCOMES, SPECS
from model.core.regimen import Regimen
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
