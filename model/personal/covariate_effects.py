"""What each recorded covariate does to a person's nights, in diary units, as fitted.

The personal model fits each covariate of :data:`~model.data.diary.COVARIATES` (late caffeine,
alcoholic drinks, a day sleep after a night shift, the days before a period and its first two)
as a level shift of every sleep outcome
(``b_covariate``) and of the chance of a GI night (``b_gi_covariate``), and the shift was said
nowhere: a shift worker could not see what a day
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
from model.core.outcomes import SLEEP_OUTCOMES, SPECS
from model.core.regimen import Regimen
from model.data.diary import COVARIATES
from model.data.diary_columns import written_covariate
from model.data.night_levels import COVARIATE_WORDS
from model.evidence.priorset import PriorSet
from model.personal.predict import SHIFT_LEVEL, level_moved, predict_from_draws, shift_summary

__all__ = ["covariate_entry"]


def _written(nights: pd.DataFrame, column: str) -> pd.Series:
    """A covariate's values on the nights that record a sleep outcome.

    A blank of one written only on the nights it happens is 0
    (:data:`~model.data.diary_columns.MARKED_ONLY`: a day sleep); ``premenstrual`` is derived,
    NaN without a ``menstruation`` written, so its prior-only shift is never said (the cycle
    audit, /tmp/w56/cyc). A night left out
    (``exclude``) records none: a traveller's only day sleeps, both excluded, were said
    "Also fitted" from the prior alone (a traveller's audit, /tmp/w55/t T4).
    """
    sleep = nights[[SPECS[o].column for o in SLEEP_OUTCOMES]].notna().any(axis=1)
    return written_covariate(nights, column)[sleep].dropna()


def covariate_entry(draws: Mapping[str, np.ndarray], nights: pd.DataFrame,
                    priors: PriorSet) -> dict[str, Any] | None:
    """Each covariate the diary records with both values, and its fitted shifts, as JSON.

    ``level`` (of the intervals) and ``shifts``: one object per covariate and outcome the
    diary records, GI nights among them (``b_gi_covariate``; another's shift is its
    prior's), with ``covariate`` (its column), ``words``, ``outcome``, ``column`` (the
    outcome's), ``nights`` (nights with it, or with a drink), ``median``, ``low``, ``high``
    (positive: more of the outcome with it). None when no
    covariate varies over the diary's nights (a column never written, or the same on every
    night: nothing to fit it from).
    """
    base = predict_from_draws(dict(draws), [Regimen(NONE)], priors)
    recorded = [o for o in SLEEP_OUTCOMES if nights[SPECS[o].column].notna().any()]
    gi = ["gi"] if nights[SPECS["gi"].column].notna().any() else []
    rows = []
    for k, column in enumerate(COVARIATES):
        values = _written(nights, column)
        if values.nunique() < 2:
            continue
        shifted = level_moved(draws, draws["b_covariate"][:, k], recorded)
        shifted["gi_intercept"] = draws["gi_intercept"] + draws["b_gi_covariate"][:, k]
        moved = predict_from_draws(shifted, [Regimen(NONE)], priors)
        rows += [{"covariate": column, "words": COVARIATE_WORDS[column],
                  "nights": int((values > 0).sum()), **shift_summary(base, moved, o)}
                 for o in recorded + gi]
    return {"level": SHIFT_LEVEL, "shifts": rows} if rows else None
