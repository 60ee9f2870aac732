"""Diaries from a world that is not the model: the generator, separability, robust fits."""

import numpy as np
import pandas as pd
import pytest

from model import load_priors
from model.core.regimen import Regimen
from model.data.diary import read_diary
from model.personal.fit import PersonalModel
from model.personal.separability import separability
from model.simulate.world import WorldPerson, draw_world_person, simulate_world

OFF, GLY = Regimen("none"), Regimen("glycinate", 200)


def _diary(person: WorldPerson, periods: list[tuple[Regimen, int]], seed: int = 1):
    regimens = [r for r, n in periods for _ in range(n)]
    return read_diary(simulate_world(person, regimens, seed=seed))


def test_world_diaries_are_valid_and_not_the_models_noise():
    person = WorldPerson(bad_enter=0.1, bad_stay=0.6)
    frame = simulate_world(person, [OFF] * 2000, seed=3)
    diary = read_diary(frame)                       # the reader accepts it as a person's CSV
    assert diary.n_nights == 2000
    sol = frame["sol_min"].to_numpy()
    seen = np.isfinite(sol)
    blank = frame[["sol_min", "awakenings", "quality"]].isna().all(axis=1).mean()
    assert 0.02 < blank < 0.08                      # whole blank nights, about 4 %
    assert np.quantile(sol[seen], 0.99) > 3 * np.median(sol[seen])   # heavy right tail
    long = pd.Series(sol > 2 * np.median(sol[seen]))
    after_long = long[long.shift(1, fill_value=False)].mean()
    assert after_long > 1.2 * long.mean()           # runs of bad nights


def test_gi_follows_chemistry_in_the_world():
    person = WorldPerson()
    citrate = person.gi_probability(Regimen("citrate", 300))
    glycinate = person.gi_probability(Regimen("glycinate", 300))
    split = person.gi_probability(Regimen("citrate", 300, split=True))
    assert citrate > 2 * glycinate and split < citrate


def test_a_before_after_diary_is_not_separable_and_a_withdrawal_makes_it_so():
    person = WorldPerson()
    before_after = separability(_diary(person, [(OFF, 14), (GLY, 42)]))
    assert not before_after.separable and before_after.withdrawals == 0
    assert "expectation" in before_after.reasons[0]
    withdrawn = separability(_diary(person, [(OFF, 14), (GLY, 42), (OFF, 21)]))
    assert withdrawn.separable and withdrawn.withdrawals == 1
    placebo = separability(_diary(person, [(OFF, 14), (Regimen("placebo"), 14), (GLY, 28)]))
    assert placebo.separable and placebo.placebo_nights == 14


@pytest.mark.fit
def test_a_diary_with_heavy_tails_and_bad_runs_fits_without_divergences():
    """The independent world's 120 nights pass the fit's checks (they diverged before)."""
    person = draw_world_person(np.random.default_rng(5), responder=1.0)
    diary = _diary(person, [(OFF, 14), (GLY, 42), (OFF, 14), (Regimen("citrate", 200), 50)],
                   seed=5)
    fit = PersonalModel(load_priors(), draws=500, chains=4, random_seed=5).fit(diary)
    assert fit.diagnostics_.divergences == 0
    assert fit.diagnostics_.ok, fit.diagnostics_


@pytest.mark.fit
def test_drift_that_persists_off_magnesium_is_not_credited_to_it():
    """No magnesium effect, a bad patch fading: after a withdrawal P(benefit) stays <= 0.8."""
    person = WorldPerson(effects={}, expectation=0.0, drift=0.5, drift_days=20)
    diary = _diary(person, [(OFF, 14), (GLY, 42), (OFF, 28)], seed=11)
    fit = PersonalModel(load_priors(), draws=800, tune=300, chains=4, random_seed=11).fit(diary)
    effects = fit.effects().set_index(["form", "outcome"])
    benefit = effects.loc["glycinate"].drop(index="gi")["p_benefit"]
    assert (benefit <= 0.8).all(), benefit
