"""One analysis's predictions: the same Datasets as predicting afresh, each regimen once."""

import numpy as np
import pytest
import xarray as xr

import model.analysis.predictions as predictions_module
from model.analysis.predictions import Predictions
from model.core.forms import FORMS, PLACEBO
from model.core.outcomes import ORDINAL, OUTCOMES, SLEEP_OUTCOMES, SPECS
from model.core.regimen import NO_MAGNESIUM, Regimen
from model.inference.psis import resample_draws
from model.personal.predict import predict_from_draws

N = 300
REGIMENS = [NO_MAGNESIUM, Regimen(PLACEBO), Regimen("glycinate", 200),
            Regimen("citrate", 300), Regimen("glycinate", 200, split=True),
            Regimen("threonate", 100)]


@pytest.fixture(scope="module")
def draws():
    """Random draws of every parameter a prediction reads (shapes of a fit's ``draws_``)."""
    rng = np.random.default_rng(7)
    out = {"theta": rng.normal(0, 0.5, (N, len(FORMS), len(OUTCOMES))),
           "trend": rng.normal(0, 0.2, (N, len(SLEEP_OUTCOMES), 2)),
           "expectation": rng.normal(0, 0.2, (N, len(SLEEP_OUTCOMES))),
           "sol_intercept": rng.normal(3, 0.3, N), "sol_sigma": rng.gamma(4, 0.1, N),
           "awakenings_intercept": rng.normal(0.5, 0.3, N),
           "gi_intercept": rng.normal(-2, 0.5, N), "tau": rng.gamma(3, 2, N)}
    for name in ORDINAL:
        out[f"{name}_cutpoints"] = np.sort(rng.normal(0, 2, (N, SPECS[name].categories - 1)),
                                           axis=1)
    return out


@pytest.fixture
def counted(monkeypatch):
    """The regimens :class:`Predictions` hands to ``predict_from_draws``, call by call."""
    calls = []

    def counting(draws, regimens, priors):
        calls.append([r.label for r in regimens])
        return predict_from_draws(draws, regimens, priors)

    monkeypatch.setattr(predictions_module, "predict_from_draws", counting)
    return calls


def test_every_call_gives_the_dataset_of_a_fresh_prediction(draws, priors, counted):
    predict = Predictions(draws, priors)
    for regimens in (REGIMENS[:3], REGIMENS[2:], REGIMENS[::-1], [REGIMENS[4]]):
        xr.testing.assert_identical(predict(regimens),
                                    predict_from_draws(draws, regimens, priors))
    # each regimen was predicted once, in the call that first asked for it
    assert counted == [[r.label for r in REGIMENS[:3]], [r.label for r in REGIMENS[3:]]]


def test_resampled_draws_predict_as_the_draws_they_copy(draws, priors, counted):
    predict = Predictions(draws, priors)
    predict(REGIMENS[:2])
    rng = np.random.default_rng(3)
    index = rng.integers(0, N, N)
    for alt in (priors.sceptical(0.5), priors.with_certainty_weight(2.0)):
        moved = resample_draws(draws, index)
        xr.testing.assert_identical(predict.resampled(index)(REGIMENS),
                                    predict_from_draws(moved, REGIMENS, alt))
    again = rng.integers(0, N, N)
    xr.testing.assert_identical(
        predict.resampled(index).resampled(again)(REGIMENS[1:4]),
        predict_from_draws(resample_draws(resample_draws(draws, index), again), REGIMENS[1:4],
                           priors))
    # the resampled predictions share the rows: nothing was predicted twice
    assert sorted(label for call in counted for label in call) == sorted(r.label for r in REGIMENS)


def test_a_caller_changing_a_returned_dataset_changes_no_later_one(draws, priors):
    predict = Predictions(draws, priors)
    first = predict(REGIMENS[:2])
    first["sol_min"].values[:] = np.nan
    first["onset_days"].values[:] = np.nan
    xr.testing.assert_identical(predict(REGIMENS[:2]),
                                predict_from_draws(draws, REGIMENS[:2], priors))
