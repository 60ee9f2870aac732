"""What each recorded covariate does to a person's nights, in diary units, as fitted.

The personal model fits each covariate of :data:`~model.data.diary.COVARIATES` (late caffeine,
alcoholic drinks, a day sleep after a night shift) as a level shift of every sleep outcome
(``b_covariate``), and the shift was said nowhere: a shift worker could not see what a day
sleep costs her, while a tracker's shift is said (:func:`~model.personal.predict.device_shifts`;
a shift worker's audit, /tmp/w54/s S9). :func:`covariate_entry` gives it as the JSON's
``covariates``: the difference one night with it (one drink) makes to the predicted nightly
mean without magnesium.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from model.core.forms import NONE
from model.core.outcomes import ORDINAL, SLEEP_OUTCOMES, SPECS
from model.core.regimen import Regimen
from model.data.diary import COVARIATES
from model.data.diary_columns import written_covariate
from model.data.night_levels import COVARIATE_WORDS
from model.evidence.priorset import PriorSet
from model.personal.predict import SHIFT_LEVEL, predict_from_draws

__all__ = ["covariate_entry"]


def _shifted(draws: Mapping[str, np.ndarray], k: int) -> dict[str, np.ndarray]:
    """The draws with covariate ``k`` at 1: each sleep outcome's level moved by its shift.

    An intercept moves up by the shift; an ordinal rating's cut-points down by it (its
    linear predictor goes up).
    """
    moved = dict(draws)
    for j, outcome in enumerate(SLEEP_OUTCOMES):
        shift = draws["b_covariate"][:, k, j]
        if outcome in ORDINAL:
            moved[f"{outcome}_cutpoints"] = draws[f"{outcome}_cutpoints"] - shift[:, None]
        else:
            moved[f"{outcome}_intercept"] = draws[f"{outcome}_intercept"] + shift
    return moved


def _written(nights: pd.DataFrame, column: str) -> pd.Series:
    """A covariate's values on the nights written.

    A blank of one written only on the nights it happens is 0
    (:data:`~model.data.diary_columns.MARKED_ONLY`: a day sleep).
    """
    return written_covariate(nights, column)[nights["recorded"].astype(bool)].dropna()


def covariate_entry(draws: Mapping[str, np.ndarray], nights: pd.DataFrame,
                    priors: PriorSet) -> dict[str, Any] | None:
    """Each covariate the diary records with both values, and its fitted shifts, as JSON.

    ``level`` (of the intervals) and ``shifts``: one object per covariate and sleep outcome
    the diary records (another's shift is its prior's), with ``covariate`` (its column),
    ``words``, ``outcome``, ``column`` (the outcome's), ``nights`` (nights with it, or with a
    drink), ``median``, ``low``, ``high`` (positive: more of the outcome with it). None when no
    covariate varies over the diary's nights (a column never written, or the same on every
    night: nothing to fit it from).
    """
    none, tail = [Regimen(NONE)], (1 - SHIFT_LEVEL) / 2
    base = predict_from_draws(dict(draws), none, priors)
    rows = []
    for k, column in enumerate(COVARIATES):
        values = _written(nights, column)
        if values.nunique() < 2:
            continue
        moved = predict_from_draws(_shifted(draws, k), none, priors)
        for outcome in (o for o in SLEEP_OUTCOMES if nights[SPECS[o].column].notna().any()):
            key = SPECS[outcome].gain_key
            gap = (moved[key] - base[key]).to_numpy()[0]
            low, median, high = np.quantile(gap, [tail, 0.5, 1 - tail])
            rows.append({"covariate": column, "words": COVARIATE_WORDS[column],
                         "outcome": outcome, "column": SPECS[outcome].column,
                         "nights": int((values > 0).sum()), "median": float(median),
                         "low": float(low), "high": float(high)})
    return {"level": SHIFT_LEVEL, "shifts": rows} if rows else None
