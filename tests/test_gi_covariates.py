"""Late caffeine, alcohol and a day sleep shift GI too, not only sleep (``b_gi_covariate``).

A shift worker's audit (/tmp/w53/b B8): a loose night after a night shift, on glycinate,
blocked glycinate for weeks; nothing in the model could hold the day sleep's gut apart from
magnesium's. The generator here is not the model: loose stools come from the drinks alone
(each night a drink or more is loose with chance 0.55, others 0.04, whatever is taken), and
the person drinks on 45 % of citrate's nights, 5 % of the others.
"""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from model.core.forms import FORMS
from model.core.outcomes import OUTCOMES
from model.data.diary import COVARIATES, read_diary
from model.trial.quick import QuickModel

START = dt.date(2026, 9, 1)
RUNS = (("", 0, 14), ("citrate", 200, 35), ("glycinate", 200, 35))
GI = OUTCOMES.index("gi")


def drinker(seed: int, *, column: bool = True) -> pd.DataFrame:
    """A diary whose loose nights are the drinks' (see the module doc)."""
    rng = np.random.default_rng(seed)
    form = [f for f, _, k in RUNS for _ in range(k)]
    drinks = np.where(rng.random(len(form)) < np.where(np.array(form) == "citrate", 0.45, 0.05),
                      rng.integers(2, 5, len(form)), 0)
    loose = rng.random(len(form)) < np.where(drinks > 0, 0.55, 0.04)
    rows = {"date": [(START + dt.timedelta(days=t)).isoformat() for t in range(len(form))],
            "form": form, "elemental_mg": [mg for _, mg, k in RUNS for _ in range(k)],
            "sol_min": rng.gamma(3.0, 8.0, len(form)).round() + 5,
            "awakenings": rng.poisson(1.2, len(form)),
            "stool_bristol": np.where(loose, 6, 4)}
    return pd.DataFrame(rows | ({"alcohol_drinks": drinks} if column else {}))


def _fit(tmp_path, frame: pd.DataFrame, seed: int) -> QuickModel:
    path = tmp_path / "diary.csv"
    frame.to_csv(path, index=False)
    diary = read_diary(path, today=dt.date(2026, 12, 31))
    return QuickModel(random_seed=seed, draws=4000).fit(diary)


@pytest.mark.parametrize("seed", [1, 2])
def test_the_drinks_loose_nights_are_theirs_not_citrates(tmp_path, seed):
    frame = drinker(seed)
    with_it, without = (_fit(tmp_path, f, seed) for f in (frame, frame.drop(
        columns="alcohol_drinks")))
    citrate = FORMS.index("citrate")
    gi_with, gi_without = (m.draws_of("theta")[:, citrate, GI] for m in (with_it, without))
    per_drink = with_it.draws_of("b_gi_covariate")[:, COVARIATES.index("alcohol_drinks")]
    assert (per_drink > 0).mean() > 0.97, np.median(per_drink)
    assert np.median(gi_without) - np.median(gi_with) > 0.4, (
        np.median(gi_without), np.median(gi_with))


@pytest.mark.fit
def test_the_full_model_holds_them_apart_and_its_density_is_the_numpy_one(tmp_path):
    """NUTS on the drinker's diary: the drinks' GI shift is found, and graph.py and
    nightly.py write the same GI predictor (the log ratio of the draws from the diary to the
    same diary without the drinks is the compiled graph's)."""
    from model.personal.fit import PersonalModel
    from model.testing import graph_log_ratio

    frame = drinker(1)
    paths = {name: tmp_path / f"{name}.csv" for name in ("with", "without")}
    frame.to_csv(paths["with"], index=False)
    frame.drop(columns="alcohol_drinks").to_csv(paths["without"], index=False)
    fit = PersonalModel(random_seed=1).fit(read_diary(paths["with"], today=dt.date(2026, 12, 31)))
    assert fit.diagnostics_.ok
    per_drink = fit.draws_of("b_gi_covariate")[:, COVARIATES.index("alcohol_drinks")]
    assert (per_drink > 0).mean() > 0.97
    ours, expected = graph_log_ratio(fit, fit.graph_data(
        read_diary(paths["without"], today=dt.date(2026, 12, 31))))
    assert np.ptp(expected) > 1.0
    np.testing.assert_allclose(ours, expected, atol=1e-6)
