"""Statistics at the ends of the scales: predicted nights within the diary's range, and effects
that hold each draw's uncertainty of where the level sits (an edge-of-scale audit, C F1/F4).

C F1: a diary whose sleep onset sits only at 0 or 720 minutes (a wide ``sigma`` on the log
scale) was predicted 7,384 minutes a night without magnesium, and a switch was advised on an
expected 108 minutes faster. C F4: the effects shown converted link-scale draws with one slope
for all draws, taken between two posterior means: a quality of 4.9 of 5 was given "0.4 lower to
0.4 higher", and at a scale's end the intervals were about halved.
"""

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from model.analysis.effects import diary_effects
from model.core.forms import FORMS, PLACEBO
from model.core.outcomes import ORDINAL, OUTCOMES, SLEEP_OUTCOMES, SPECS
from model.core.regimen import NO_MAGNESIUM, Regimen
from model.core.special import expit
from model.data.diary import read_diary
from model.data.diary_rows import NUMERIC
from model.likelihood.families import NormalAR1
from model.personal.predict import predict_from_draws
from model.testing import FakePosterior

TOP = NUMERIC["sol_min"].high


@pytest.mark.parametrize(("eta", "sigma"), [
    (np.log(30), 0.6),      # a typical diary
    (3.5, 3.3),             # a diary written only at 0 and 720 minutes (C F1's fit)
    (6.0, 3.0),
    (-1.0, 1.0),            # most nights below 0 on the log1p scale: held at 0
    (8.0, 0.8),             # most nights beyond the range: held at 720
])
def test_a_nights_mean_is_that_of_the_minutes_a_diary_can_hold(eta, sigma):
    """E[clip(exp(Y) - 1, 0, 720)], Y ~ Normal(eta, sigma): against Monte Carlo."""
    y = np.random.default_rng(1).normal(eta, sigma, 1_000_000)
    minutes = np.clip(np.expm1(y), 0, TOP)
    error = minutes.std() / np.sqrt(y.size)
    assert NormalAR1.mean(np.array(eta), sigma) == pytest.approx(minutes.mean(),
                                                                 abs=4 * error + 1e-9)


def test_a_typical_nights_mean_is_the_log_normal_mean():
    """The clip moves a typical diary's prediction (medians of 5-60 minutes, sigma up to 0.6)
    by under a ten-thousandth of itself, and can only lower the unclipped mean, whose tail
    beyond 720 minutes it holds at 720 (a median of 90 minutes, sigma 1: 5 % lower)."""
    eta, sigma = np.meshgrid(np.log1p(np.linspace(5, 60, 12)), np.linspace(0.15, 0.6, 10))
    unclipped = np.expm1(eta + sigma**2 / 2)
    assert NormalAR1.mean(eta, sigma) == pytest.approx(unclipped, rel=1e-4)
    long = NormalAR1.mean(np.log1p(90.0), 1.0) / np.expm1(np.log1p(90.0) + 0.5)
    assert 0.94 < long < 0.96


def test_a_nights_mean_stays_finite_and_in_range_at_any_draw():
    """No overflow (``filterwarnings = error``) and never outside 0-720 minutes."""
    eta, sigma = np.meshgrid(np.linspace(-60, 60, 25), np.geomspace(1e-3, 40, 25))
    mean = NormalAR1.mean(eta, sigma)
    assert np.all(np.isfinite(mean)) and np.all((mean >= 0) & (mean <= TOP))
    assert NormalAR1.mean(np.array(60.0), 0.1) == pytest.approx(TOP)
    assert NormalAR1.mean(np.array(-60.0), 0.1) == pytest.approx(0.0)


def test_the_range_is_the_diarys_own():
    assert (NormalAR1.low, NormalAR1.high) == (NUMERIC["sol_min"].low, NUMERIC["sol_min"].high)


def test_replicated_nights_are_minutes_a_diary_can_hold():
    """Nights drawn on the log1p scale, in minutes: within 0-720, unchanged inside it."""
    log_minutes = NormalAR1.draw(np.full((50, 60), 3.5), np.full(50, 3.3), np.full(50, 0.2),
                                 np.random.default_rng(2))
    minutes = NormalAR1.minutes(log_minutes)
    assert minutes.min() == 0 and minutes.max() == TOP       # both ends reached, not crossed
    inside = (log_minutes > 0) & (log_minutes < np.log1p(TOP))
    np.testing.assert_allclose(minutes[inside], np.expm1(log_minutes[inside]))


def test_a_diary_at_the_range_limits_is_predicted_within_them(priors):
    """Draws like C F1's fit (intercept 3.5, sigma 3.3 on the log1p scale): the predicted
    nightly mean stays within 0-720 minutes (it was about 7,400)."""
    n, rng = 400, np.random.default_rng(3)
    draws = {"theta": rng.normal(0, 0.3, (n, len(FORMS), len(OUTCOMES))),
             "trend": np.zeros((n, len(SLEEP_OUTCOMES), 2)),
             "expectation": np.zeros((n, len(SLEEP_OUTCOMES))),
             "sol_intercept": rng.normal(3.5, 0.3, n), "sol_sigma": rng.normal(3.3, 0.2, n),
             "awakenings_intercept": np.zeros(n), "gi_intercept": np.full(n, -3.0)}
    for name in ORDINAL:
        draws[f"{name}_cutpoints"] = np.tile(np.linspace(-2, 2, SPECS[name].categories - 1),
                                             (n, 1))
    sol = predict_from_draws(draws, [NO_MAGNESIUM, Regimen("glycinate", 200)],
                             priors)["sol_min"].to_numpy()
    assert np.all((sol >= 0) & (sol <= TOP))
    assert 50 < sol.mean() < 300


def _diary():
    """14 nights without magnesium, then 28 of glycinate 200 mg, every outcome recorded."""
    forms = [""] * 14 + ["glycinate"] * 28
    return read_diary(pd.DataFrame({
        "date": pd.date_range("2025-01-01", periods=len(forms)).strftime("%Y-%m-%d"),
        "form": forms, "elemental_mg": [200.0 if f else 0.0 for f in forms],
        "sol_min": 5.0, "awakenings": 0, "quality": 5, "freshness": 10, "anxiety": 0,
        "stool_bristol": 4}))


def _near_the_top(shift_sd: float, n: int = 4000):
    """A predict whose quality sits at 4.9 of 5 on placebo in every draw; on glycinate the
    latent level moves by Normal(0, ``shift_sd``): the change can rise by 0.1 at most."""
    fake = FakePosterior(n_draws=n)
    share = 0.975                                            # 1 + 4 * 0.975 = 4.9
    on = expit(np.log(share / (1 - share))
               + np.random.default_rng(4).normal(0, shift_sd, n))

    def predict(regimens):
        data = fake(regimens)
        quality = np.stack([1 + 4 * (on if r.form == "glycinate" else np.full(n, share))
                            for r in regimens])
        return data.assign(quality=(("regimen", "draw"), quality))

    return predict, 4 * (on - share)


def test_an_effect_near_the_top_of_a_scale_stays_within_it(priors):
    """C F4: a quality of 4.9 of 5 can rise by 0.1 at most; the interval is each draw's own
    change (one slope for every draw gave +-0.16 here, as "0.4 lower to 0.4 higher" in d1)."""
    predict, change = _near_the_top(1.0)
    effect = diary_effects(predict, _diary().nights, priors, forms=["glycinate"]).get(
        "glycinate", "quality")
    assert effect.ci_high <= 0.1
    assert (effect.ci_low, effect.ci_high) == pytest.approx(np.quantile(change, [0.05, 0.95]))
    assert effect.mean == pytest.approx(change.mean())
    assert effect.p_benefit == pytest.approx(np.mean(change > 0))


def test_effects_are_each_draws_difference_of_the_predicted_means(priors):
    """Every effect is, draw by draw, the regimen's predicted mean minus placebo's."""
    fake = FakePosterior(benefit={"glycinate": 1.0}, benefit_sd=0.6, expectation=0.3,
                         expectation_sd=0.3, n_draws=3000)
    effects = diary_effects(fake, _diary().nights, priors, forms=["glycinate"])
    data: xr.Dataset = fake([Regimen("glycinate", 200), Regimen(PLACEBO)])
    for outcome in OUTCOMES:
        draws = data[SPECS[outcome].gain_key].to_numpy()
        change = draws[0] - draws[1]
        effect = effects.get("glycinate", outcome)
        assert effect.mean == pytest.approx(change.mean(), abs=1e-12)
        assert (effect.ci_low, effect.ci_high) == pytest.approx(
            np.quantile(change, [0.05, 0.95]), abs=1e-12)
