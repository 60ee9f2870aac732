"""Parameter recovery on simulated persons: GI dose slope and onset time constant (slow)."""

import dataclasses

import numpy as np
import pytest

from model.core.forms import FORMS, NONE
from model.core.outcomes import OUTCOMES
from model.core.regimen import Regimen
from model.data.diary import read_diary
from model.personal.fit import PersonalModel
from model.simulate.personas import PERSONAS, Schedule, simulate_diary

pytestmark = [pytest.mark.fit, pytest.mark.slow]


def fit(priors, frame, seed=5):
    return PersonalModel(priors, draws=1000, tune=500, chains=4, random_seed=seed).fit(
        read_diary(frame))


def interval(values, level=0.9):
    return np.quantile(values, [(1 - level) / 2, (1 + level) / 2])


def test_gi_dose_slope_is_recovered(priors):
    """Over 5 seeds: the 90 % intervals of both GI slopes cover the truth in >= 8 of 10 cases
    (binomial(10, 0.9): P(< 8) = 7 %), and citrate is steeper than glycinate every time."""
    persona = PERSONAS["gi_sensitive"]
    j = OUTCOMES.index("gi")
    covered, steeper = [], []
    for seed in range(5):
        theta = fit(priors, simulate_diary(persona, 150, seed=seed), seed).draws_of("theta")
        for form in ("glycinate", "citrate"):
            low, high = interval(theta[:, FORMS.index(form), j])
            covered.append(low <= persona.effects[form]["gi"] <= high)
        steeper.append(np.mean(theta[:, FORMS.index("citrate"), j]
                               > theta[:, FORMS.index("glycinate"), j]))
    assert sum(covered) >= 8, covered
    assert min(steeper) > 0.8, steeper


ON_OFF = Schedule(((Regimen(NONE), 14), (Regimen("glycinate", 300), 28), (Regimen(NONE), 21)))


@pytest.mark.parametrize("tau", [4.0, 18.0])
def test_onset_time_constant_is_recovered(priors, tau):
    persona = dataclasses.replace(PERSONAS["dose_responder"], tau=tau, schedule=ON_OFF,
                           effects={"glycinate": {"sol": -0.6, "awakenings": -0.3,
                                                  "quality": 1.5, "freshness": 1.2,
                                                  "anxiety": -1.2}})
    result = fit(priors, simulate_diary(persona, 189, seed=int(tau)))
    low, high = interval(result.draws_of("tau"))
    assert low <= tau <= high, (low, high, tau)
