"""A slow change of sleep that the diary cannot tell from magnesium is said (drift contrast).

A cross-checking biostatistician (/tmp/w46/E F2): 14 nights off, 14 on glycinate, 14 off, then
only glycinate; at 176 nights the sleep-onset effect (true -25 %) was estimated 0.4 min
faster, "no meaningful effect", with no caution: the model's trend and the effect traded off.
The posterior's correlation of the effect with the trend's on/off contrast now names it
(:mod:`model.personal.drift_contrast`); a diary with a withdrawal late does not.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from model.core.forms import FORMS
from model.core.outcomes import OUTCOMES, SLEEP_OUTCOMES
from model.data.diary import Diary, read_diary
from model.personal.data import diary_data, diary_size
from model.personal.drift_contrast import TREND_ENTANGLED, trend_basis
from model.personal.separability import separability
from model.personal.withdrawal import off_nights_needed
from model.trial.quick import QuickModel

START = dt.date(2025, 1, 1)
EARLY_OFF = [0] * 14 + [1] * 14 + [0] * 14 + [1] * 78
"""The audit's design at 120 nights: every night off in the first 42."""
LATE_WITHDRAWAL = [0] * 14 + [1] * 14 + [0] * 14 + [1] * 84 + [0] * 21 + [1] * 29
"""The same length, with 21 nights off from night 126: the trend is pinned late too."""
SAID = "from a slow drift of your sleep"


def make_diary(schedule: list[int], seed: int) -> Diary:
    """Our own diary: lognormal sleep onset (median 30 min, SD 0.5 on the log scale), glycinate
    200 mg cutting it by up to 25 % with a build-up (time constant 5 nights) and a fade, sleep
    onset drifting down 15 % per 100 nights whatever is taken; awakenings and quality noise."""
    rng = np.random.default_rng(seed)
    rows, store = [], 0.0
    for night, on in enumerate(schedule):
        store += (on - store) * (1 - math.exp(-1 / 5))
        sol = 30 * (1 - 0.25 * store) * math.exp(-0.15 * night / 100 + rng.normal(0, 0.5))
        rows.append({"date": (START + dt.timedelta(night)).isoformat(),
                     "form": "glycinate" if on else "", "elemental_mg": 200 if on else "",
                     "sol_min": round(sol, 1), "awakenings": int(rng.poisson(1.5)),
                     "quality": int(np.clip(round(3 + rng.normal(0, 1)), 1, 5))})
    return read_diary(pd.DataFrame(rows))


def quick_draws(diary: Diary) -> dict[str, np.ndarray]:
    """The quick (Laplace) model's draws of what separability reads, in the full fit's layout.

    4,000 draws: a correlation from 1,000 has a Monte Carlo SD of about 0.025, and the
    late-start diary's (-0.48 from 20,000) read -0.43 to -0.50 by the seed.
    """
    model = QuickModel(random_seed=1, draws=4000).fit(diary)
    return {name: model.draws_of(name) for name in ("theta", "expectation", "tau", "trend")}


@pytest.mark.parametrize("seed", [1, 2])
def test_off_nights_only_early_name_the_trend_with_the_nights_off_it_asks(seed):
    diary = make_diary(EARLY_OFF, seed)
    draws = quick_draws(diary)
    apart = separability(diary, draws)
    assert apart.trend_correlation is not None and apart.trend_correlation < TREND_ENTANGLED
    said = [r for r in apart.reasons if SAID in r]
    assert len(said) == 1
    assert "glycinate's effect on sleep onset" in said[0]
    assert (f"a break of {off_nights_needed(draws)} or more nights without magnesium, written "
            "every night") in said[0]
    assert "your last night without magnesium was 78 nights ago (2025-02-11)" in said[0]
    assert f"correlation {apart.trend_correlation:.2f}" in said[0]
    assert apart.to_dict()["trend_correlation"] == apart.trend_correlation


@pytest.mark.parametrize("seed", [1, 2])
def test_a_withdrawal_late_pins_the_trend_and_nothing_is_said(seed):
    diary = make_diary(LATE_WITHDRAWAL, seed)
    apart = separability(diary, quick_draws(diary))
    assert apart.trend_correlation is not None
    assert apart.trend_correlation > TREND_ENTANGLED + 0.1
    assert not [r for r in apart.reasons if SAID in r]


def test_a_diary_without_a_withdrawal_asks_for_the_nights_off_once():
    """Its withdrawal's reason asks for the same nights off: the trend's would say it twice
    (the correlation is still given)."""
    diary = make_diary([0] * 14 + [1] * 106, 1)
    apart = separability(diary, quick_draws(diary))
    assert not apart.separable and apart.trend_correlation is not None
    assert apart.trend_correlation < TREND_ENTANGLED
    assert sum("nights without magnesium" in r for r in apart.reasons) == 1


def test_the_posterior_decides_not_the_design():
    """The same early-off design with draws where effect and trend are independent (the
    prior's): nothing is said, though the last night off was 78 nights ago."""
    diary = make_diary(EARLY_OFF, 1)
    draws = quick_draws(diary)
    rng = np.random.default_rng(0)
    draws["trend"] = rng.permutation(draws["trend"])        # breaks the joint posterior
    apart = separability(diary, draws)
    assert abs(apart.trend_correlation) < 0.1
    assert not [r for r in apart.reasons if SAID in r]


def test_without_draws_or_nights_off_there_is_no_trend_correlation():
    diary = make_diary(EARLY_OFF, 1)
    assert separability(diary).trend_correlation is None
    on_only = make_diary([1] * 30, 1)
    assert separability(on_only, quick_draws(on_only)).trend_correlation is None


@pytest.mark.parametrize("nights", [1, 2, 57])
def test_the_contrast_reads_the_graphs_own_trend_basis(priors, nights):
    diary = make_diary(EARLY_OFF[:nights], 1)
    data = diary_data(diary, priors, 0.0, *diary_size(diary, priors))
    np.testing.assert_array_equal(trend_basis(nights), data["trend_basis"])


@pytest.mark.fit
def test_the_full_fit_names_the_trend_of_the_early_off_diary():
    """NUTS, as ``mgsleep analyze`` fits: the same reason from its draws."""
    from model.personal.fit import PersonalModel

    diary = make_diary(EARLY_OFF, 1)
    fit = PersonalModel(draws=500, random_seed=1).fit(diary)
    apart = separability(diary, fit.draws_)
    assert apart.trend_correlation is not None and apart.trend_correlation < TREND_ENTANGLED
    assert [r for r in apart.reasons if SAID in r]


def test_a_diary_ending_off_is_told_apart_in_time_not_nights_ago():
    """Draws made so that the effect and the trend's contrast trade one for one (correlation
    -1): named, and with the last night off the diary's last, no "nights ago"."""
    diary = make_diary(EARLY_OFF + [0] * 3, 1)
    nights, rng = diary.nights, np.random.default_rng(0)
    on = (nights["form"] == "glycinate").to_numpy()
    basis = trend_basis(diary.n_nights)
    contrast = basis[on].mean(axis=0) - basis[~on].mean(axis=0)
    theta = np.zeros((2000, len(FORMS), len(OUTCOMES)))
    theta[:, FORMS.index("glycinate"), 0] = rng.normal(-0.2, 0.2, 2000)
    trend = np.zeros((2000, len(SLEEP_OUTCOMES), 2))
    trend[:, 0] = -np.outer(theta[:, FORMS.index("glycinate"), 0], contrast) / (contrast @ contrast)
    apart = separability(diary, {"theta": theta, "trend": trend})
    assert apart.trend_correlation == pytest.approx(-1.0)
    said = [r for r in apart.reasons if SAID in r]
    assert len(said) == 1 and "nights ago" not in said[0]
    assert "lie apart in time from those on it, so they can show either" in said[0]
