"""The calibration benchmark (``benchmarks/calibration.py``): ranks, histograms, both suites.

Known answers on synthetic posteriors (a calibrated posterior gives uniform ranks and nominal
coverage; a shifted or an overconfident one does not), then a 2-person quick run of each
suite that must produce the tables' fields.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import calibration as cal

from model.core.forms import FORMS
from model.core.outcomes import OUTCOMES, SPECS
from model.core.regimen import Regimen
from model.simulate.world import true_change


def synthetic(shift: float, scale: float, n: int = 2000, seed: int = 0):
    """Truths from N(0, 1) and 99 posterior draws each from N(shift, scale) (the same prior)."""
    rng = np.random.default_rng(seed)
    truth = rng.normal(size=n)
    draws = rng.normal(shift, scale, size=(cal.RANKS, n))
    return draws, truth, rng


def test_rank_counts_draws_below_and_breaks_ties_at_random():
    draws = np.arange(99.0)[:, None]
    rng = np.random.default_rng(1)
    assert cal.sbc_rank(draws, np.array([49.5]), rng)[0] == 50
    assert cal.sbc_rank(draws, np.array([-1.0]), rng)[0] == 0
    assert cal.sbc_rank(draws, np.array([200.0]), rng)[0] == 99
    tied = cal.sbc_rank(np.zeros((99, 5000)), np.zeros(5000), rng)
    assert tied.min() == 0 and tied.max() == 99
    assert abs(tied.mean() - 49.5) < 2


def test_thin_keeps_the_ends_and_spacing():
    kept = cal.thin(np.arange(1000), 99)
    assert len(kept) == 99 and kept[0] == 0 and kept[-1] == 999
    assert np.all(np.diff(kept) >= 10)
    assert len(cal.thin(np.arange(50), 99)) == 50


def test_histogram_of_exactly_uniform_ranks():
    counts, p = cal.rank_histogram(np.arange(100))
    assert counts.tolist() == [10] * 10
    assert p == pytest.approx(1.0)
    assert cal.sparkline(counts) == "█" * 10


def test_calibrated_posterior_gives_uniform_ranks_and_nominal_coverage():
    draws, truth, rng = synthetic(0.0, 1.0)
    counts, p = cal.rank_histogram(cal.sbc_rank(draws, truth, rng))
    assert p > 0.01 and counts.min() > 0.7 * counts.mean()
    stats = cal.interval_stats(draws, truth)
    assert stats["covered90"].mean() == pytest.approx(0.9, abs=0.03)
    assert stats["covered50"].mean() == pytest.approx(0.5, abs=0.04)


@pytest.mark.parametrize(("shift", "scale"), [(0.7, 1.0), (0.0, 0.4)])
def test_biased_or_overconfident_posterior_gives_non_uniform_ranks(shift, scale):
    draws, truth, rng = synthetic(shift, scale)
    ranks = cal.sbc_rank(draws, truth, rng)
    counts, p = cal.rank_histogram(ranks)
    assert p < 1e-6
    if shift:  # truth below the posterior: ranks pile up at the low end
        assert counts[:3].sum() > 2 * counts[-3:].sum()
    else:      # too narrow: U-shaped, poor coverage
        assert counts[0] + counts[-1] > 4 * counts[4:6].mean()
        assert cal.interval_stats(draws, truth)["covered90"].mean() < 0.7


def test_breaks_names_only_groups_outside_the_band():
    line = cal.breaks(pd.Series({"a": 0.9, "b": 0.6, "c": 0.99}), "Suite")
    assert "b 0.60" in line and "c 0.99" in line and "a 0.90" not in line
    assert line.index("b 0.60") < line.index("conservative") < line.index("c 0.99")
    assert "breaks (below 0.85) in none" in cal.breaks(pd.Series({"a": 0.9}), "Suite")


def test_prior_suite_quick_run_produces_the_table():
    rows = cal.run(["prior"], 2, cal.Settings(quick=True))
    assert set(rows["person"]) == {0, 1}
    assert rows["rank"].between(0, cal.RANKS).all()
    stats = cal.group_stats(rows).set_index("group")
    for outcome in OUTCOMES:   # 2 persons x 2 tried forms, 2 x the other forms
        assert stats.loc[f"tried: {outcome}", "intervals"] == 4
        assert stats.loc[f"untried: {outcome}", "intervals"] == 2 * (len(FORMS) - 2)
    assert stats.loc["tried (all outcomes)", "intervals"] == 4 * len(OUTCOMES)
    assert {"expectation", "drift", "tau", "intercepts*"} <= set(stats.index)
    report = cal.prior_report(rows)
    assert "coverage 90 %" in report and "chi2 p" in report and "Prior suite:" in report


def test_world_suite_quick_run_produces_the_tables_and_the_world_truth():
    settings = cal.Settings(quick=True)
    rows = cal.run(["world"], 2, settings)
    assert list(dict.fromkeys(rows["scenario"])) == list(cal.SCENARIOS)
    coverage, decision, c90 = cal.world_tables(rows)
    assert list(coverage.columns) == list(OUTCOMES)
    assert list(coverage.index.get_level_values("scenario").unique()) == list(cal.SCENARIOS)
    assert len(coverage) == len(cal.SCENARIOS) * len(cal.MEASURES)
    assert len(c90) == len(coverage) * len(OUTCOMES) and c90.between(0, 1).all()
    assert {"failing", "collect", "commit", "u_advice", "harmful"} <= set(decision.columns)
    assert (decision["persons"] == 2).all()
    person, _ = cal.world_person("ar_ratings", settings, 1)
    assert person.rating_rho == cal.SCENARIOS["ar_ratings"]["rating_rho"]
    got = rows[(rows["scenario"] == "ar_ratings") & (rows["person"] == 1)
               & (rows["parameter"] == "gain[citrate,sol_min]")
               & (rows["measure"] == "diary")]["truth"].item()
    assert got == pytest.approx(-true_change(person, Regimen("citrate", 200))["sol"])
    assert SPECS["sol"].sign == -1.0
    assert "World suite:" in cal.world_report(rows)


FAKE_MEANS = {"sol_min": (20.0, 25.0, 30.0, 30.0), "awakenings": (1.0, 2.0, 2.0, 2.0),
              "quality": (3.5, 3.0, 3.0, 3.0), "freshness": (5.0, 5.0, 5.0, 5.0),
              "anxiety": (4.0, 5.0, 5.0, 5.0), "gi_rate": (0.05, 0.2, 0.05, 0.05)}
"""Diary means of glycinate, citrate (200 mg), placebo and none that :class:`FakeFit` predicts."""


class FakeFit:
    """A fit whose every draw predicts :data:`FAKE_MEANS`."""

    def predict(self, regimens):
        assert [r.label for r in regimens][-2:] == [Regimen("placebo").label,
                                                    Regimen("none").label]
        return xr.Dataset({v: (("regimen", "draw"), np.repeat(np.array(x)[:, None], 3, 1))
                           for v, x in FAKE_MEANS.items()},
                          coords={"regimen": [r.label for r in regimens]})


def test_world_gains_known_answers_in_both_measures():
    gains = cal.world_gains(FakeFit())
    diary, decision = gains["diary"][:, :, 0], gains["decision"][:, :, 0]
    # diary measure: plain differences to placebo, signed so that better is positive
    assert diary[0].tolist() == pytest.approx([10.0, 1.0, 0.5, 0.0, 1.0, 0.0])
    assert diary[1].tolist() == pytest.approx([5.0, 0.0, 0.0, 0.0, 0.0, -0.15])
    # decision measure: link difference times the slope halfway (on the link scale) between
    # the two typical nights: log1p 20 and 30 min -> slope sqrt(21 x 31); log 1 and 2
    # awakenings -> sqrt(2); logit 0.2 and 0.05 -> p (1 - p) at their mean logit
    assert decision[0, 0] == pytest.approx(np.sqrt(21 * 31) * np.log(31 / 21))
    assert decision[0, 1] == pytest.approx(np.sqrt(2) * np.log(2))
    logits = np.log(0.2 / 0.8), np.log(0.05 / 0.95)
    middle = 1 / (1 + np.exp(-np.mean(logits)))
    assert decision[1, 5] == pytest.approx(-middle * (1 - middle) * (logits[0] - logits[1]))
