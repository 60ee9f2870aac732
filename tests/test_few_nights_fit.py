"""A diary of a few nights is sampled with smaller steps from its first run.

Its posterior is mostly the prior's: at the usual target acceptance (0.9) the first run of a
3- or 4-night diary met a few divergences at 37 of 55 seeds, and one fit in the suite failed
all three of its runs (``analyze`` then gives no dosing advice). From 5 nights none did.
"""

import pandas as pd
import pytest

from model.data.diary import read_diary
from model.inference import sampling
from model.inference.sampling import EXTENDED_TARGET_ACCEPT, FEW_NIGHTS, SamplerConfig

NIGHTS = pd.DataFrame({"date": [f"2026-03-0{d}" for d in range(1, 5)],
                       "form": ["none"] * 4, "elemental_mg": [0] * 4,
                       "sol_min": [25, 30, 35, 20], "quality": [3, 3, 2, 4]})


def test_only_a_diary_of_few_nights_takes_smaller_steps():
    usual = SamplerConfig()
    assert usual.for_nights(FEW_NIGHTS - 1).target_accept == EXTENDED_TARGET_ACCEPT
    assert usual.for_nights(1).draws == usual.draws                   # nothing else changes
    assert usual.for_nights(FEW_NIGHTS) is usual
    extended = usual.extended()                         # an extension's smaller steps stay
    assert extended.for_nights(1).target_accept == EXTENDED_TARGET_ACCEPT


@pytest.mark.fit
def test_the_personal_fit_of_few_nights_runs_with_smaller_steps(monkeypatch):
    from model.personal.fit import PersonalModel

    used = []
    real = sampling.run_nuts

    def recorded(graphs, config, **kwargs):
        used.append(config.target_accept)
        return real(graphs, config, **kwargs)

    monkeypatch.setattr(sampling, "run_nuts", recorded)
    PersonalModel(draws=200, tune=200, chains=2, random_seed=1).fit(read_diary(NIGHTS))
    assert used[0] == EXTENDED_TARGET_ACCEPT
    used.clear()
    longer = pd.concat([NIGHTS, NIGHTS.assign(date=[f"2026-03-0{d}" for d in range(5, 9)])])
    PersonalModel(draws=200, tune=200, chains=2, random_seed=1).fit(read_diary(longer))
    assert used[0] == SamplerConfig().target_accept


@pytest.mark.slow
def test_a_three_night_fit_passes_its_checks_at_the_first_run_mostly(monkeypatch):
    """At most 3 of 20 first runs fail: with the sleep-onset intercept sampled as the nights'
    level (:mod:`model.likelihood.level`) 1 of 20 did at 0.97 and 4 at 0.9; with the intercept
    sampled as it is, 4 at 0.97 and 16 at 0.9 (an outside audit, /tmp/w49/a)."""
    from model.personal import fit

    monkeypatch.setattr(fit, "EXTENSIONS", 0)
    diary = read_diary(NIGHTS.iloc[:3])
    failed = sum(not fit.PersonalModel(random_seed=seed).fit(diary).diagnostics_.ok
                 for seed in range(20))
    assert failed <= 3
