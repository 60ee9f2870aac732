"""A confounding audit (/tmp/jA): what a diary cannot tell apart is not claimed.

1. Without placebo nights, harm needs the nights to show it too: flat null diaries were told
   "P 0.94 that it is worse than no magnesium", from the expectation prior alone.
2. A withdrawal counts only when its nights off let half of magnesium's effect fade, at the
   fit's time constant: 9 nights made a diary "separable" while the fit said 10-17 days.
3. Blank caffeine or alcohol cells are not "none": they take the recorded mean of nights in
   the same magnesium state, and a warning names them.
4. A recorded covariate that changed with magnesium is named in the separability reasons.
5. A regimen that "looks to help" while the diary is not separable says that its figure
   cannot yet tell magnesium from expectation and a bad start passing.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import warnings
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from model.core.regimen import Regimen
from model.data.diary import COVARIATES, read_diary
from model.data.profile import Profile
from model.decision import DecisionSettings, decide
from model.decision.candidates import Candidate
from model.decision.rules import evaluation_nights
from model.decision.utility import harm_probability
from model.evidence.priorset import load_priors
from model.personal.data import diary_data, diary_size
from model.personal.separability import separability
from model.report import headline, left_behind
from model.testing import FakePosterior
from tests.test_harm import _past

AS_OF = dt.date(2025, 3, 1)
HEADER = "date,form,elemental_mg,sol_min,quality,caffeine_late,alcohol_drinks"
GLY = Regimen("glycinate", 300)


@pytest.fixture(scope="module")
def priors():
    return load_priors()


def _diary(tmp_path: Path, runs: list[tuple[str, str, int]], caffeine=None, alcohol=None):
    """A diary of runs (form, mg, nights) from 2026-01-01, SOL 20 and quality 3 each night."""
    cells = [(form, mg) for form, mg, n in runs for _ in range(n)]
    days = pd.date_range("2026-01-01", periods=len(cells))
    caffeine = [""] * len(cells) if caffeine is None else caffeine
    alcohol = [""] * len(cells) if alcohol is None else alcohol
    rows = [f"{day.date()},{form},{mg},20,3,{c},{a}"
            for day, (form, mg), c, a in zip(days, cells, caffeine, alcohol, strict=True)]
    path = tmp_path / "diary.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n")
    return read_diary(path, today=dt.date(2026, 12, 1))


# --- 1. harm without placebo nights -------------------------------------------------------
# magnesium's own effect cancels the expectation effect exactly: the nights are flat, and
# against placebo the regimen is worse in every draw (a before/after diary: only the sum known)
FLAT = FakePosterior(n_draws=2000, benefit={"glycinate": -0.3}, known={"glycinate": 0.1},
                     gi={"glycinate": 0.0},
                     expectation=0.3, expectation_sd=0.1, entangled={"glycinate": 1.0})
ON_GLYCINATE = _past(("none", 0, 14), ("glycinate", 300, 20))      # 300 mg: the toy's own
AFTER_PLACEBO = _past(("none", 0, 7), ("placebo", 0, 10), ("glycinate", 300, 20))


def test_a_flat_diary_without_placebo_nights_is_not_called_harmful(priors):
    decision = decide(FLAT, priors=priors, diary=ON_GLYCINATE, as_of=AS_OF, separable=False)
    assert decision.p_harm < 0.6            # nights flat: about one draw in two is worse
    assert "harm" not in decision.recommendation.reason_codes


def test_with_placebo_nights_the_comparison_with_placebo_alone_decides(priors):
    """Placebo nights inform the expectation: magnesium's own harm then stands alone."""
    decision = decide(FLAT, priors=priors, diary=AFTER_PLACEBO, as_of=AS_OF, separable=True)
    assert decision.p_harm > 0.95
    assert "harm" in decision.recommendation.reason_codes


def test_a_harm_the_nights_show_is_still_stopped_without_placebo_nights(priors):
    worse = FakePosterior(n_draws=2000, benefit={"glycinate": -0.9}, known={"glycinate": 0.1},
                          expectation=0.3, expectation_sd=0.1, entangled={"glycinate": 1.0})
    decision = decide(worse, priors=priors, diary=ON_GLYCINATE, as_of=AS_OF, separable=False)
    assert decision.p_harm > 0.99
    assert "harm" in decision.recommendation.reason_codes


def test_harm_is_the_share_of_draws_worse_on_both_comparisons():
    """Per draw, not the smaller of two probabilities (0.5 here): one event's probability."""
    candidates = [Candidate("continue", GLY), Candidate("stop", Regimen("none"))]
    own = np.array([[0.0, 0.0, 0.0, 0.0], [1.0, 1.0, -1.0, -1.0]])    # stop gains vs placebo
    seen = np.array([1.0, -1.0, 1.0, -1.0])                            # ... vs no magnesium
    assert harm_probability(candidates, own, ON_GLYCINATE) == 0.5
    assert harm_probability(candidates, own, ON_GLYCINATE, seen) == 0.25
    assert harm_probability(candidates, own, _past(("none", 0, 14)), seen) == 0.0


def _result(placebo_nights=0, separable=False, codes=("crossover", "learn"), p_stop=0.1):
    """What :mod:`model.report.headline` reads of an analysis, for its words alone."""
    decision = SimpleNamespace(
        recommendation=SimpleNamespace(action="switch_form", reason_codes=codes),
        assessments=[SimpleNamespace(action="stop", p_better_than_continue=p_stop,
                                     reason_codes=())], p_harm=0.94, chosen=None)
    return SimpleNamespace(decision=decision, profile=Profile(), diary=ON_GLYCINATE,
                           fit=SimpleNamespace(draws_={}),
                           settings=DecisionSettings(),
                           effects=SimpleNamespace(placebo_nights=placebo_nights),
                           separability=SimpleNamespace(separable=separable))


def test_the_harm_words_say_what_is_compared():
    without = left_behind.left_behind(_result(codes=("harm", "crossover")))
    assert without == (" You leave glycinate 300 mg, which looks to do you harm (P 0.94 that "
                       "your nights are worse on it both than without magnesium and than on a "
                       "placebo).")
    after = left_behind.left_behind(_result(placebo_nights=10, codes=("harm", "crossover")))
    assert after.endswith("(P 0.94 that your nights are worse on it than on a placebo).")
    assert "worse than no magnesium" not in without + after
    stopped = _result(codes=("harm",))
    stopped.decision.assessments[0].reason_codes = ("waiting",)
    assert headline._harm(stopped) == (
        "glycinate 300 mg looks to do you harm (P 0.94 that your nights are worse on it both "
        "than without magnesium and than on a placebo): a stop need not wait for the end of "
        "its trial period.")


def test_a_regimen_that_looks_to_help_says_when_the_diary_cannot_tell_why():
    entangled = left_behind.left_behind(_result())
    assert entangled == (" You leave glycinate 300 mg, which looks to help you (P(better than "
                         "stopping) 0.90; your diary cannot yet tell magnesium from expecting "
                         "it to help or from a bad start passing): if it stays the best, the "
                         "crossover comes back to it.")
    assert left_behind.left_behind(_result(separable=True)) == (
        " You leave glycinate 300 mg, which looks to help you (P(better than stopping) 0.90): "
        "if it stays the best, the crossover comes back to it.")


# --- 2. a withdrawal long enough to fade ------------------------------------------------------
NINE_OFF = [("none", "0", 14), ("glycinate", "200", 28), ("none", "0", 9), ("glycinate", "200", 14)]


@pytest.mark.parametrize(("tau", "needed", "counts"), [(10.0, 7, True), (12.9, 9, True),
                                                        (15.8, 11, False), (60.0, 28, False)])
def test_a_withdrawal_needs_half_the_effect_faded_at_the_fitted_time_constant(
        tmp_path, tau, needed, counts):
    diary = _diary(tmp_path, NINE_OFF)
    draws = {"tau": np.full(400, tau)}
    apart = separability(diary, draws)
    assert (apart.separable, apart.withdrawals) == (counts, int(counts))
    assert apart.to_dict()["off_nights_needed"] == needed       # the analyze JSON's
    if not counts:
        assert apart.reasons[0].startswith(f"your diary cannot yet tell magnesium's effect "
                                           "from expectation or chance: that takes a break of "
                                           f"{needed} or more nights without magnesium")
        assert f"In detail: no withdrawal (one is 14+ nights on magnesium, then a break of " \
            f"{needed}+ nights, by when half of its effect has probably faded, with 7+ of them " \
            "written with a sleep outcome; the nights off you wrote from " in apart.reasons[0]
        assert " span 9 nights, too short a time)" in apart.reasons[0]
    assert separability(diary).separable          # without a fit: the least, 7 nights
    from model.personal.withdrawal import off_nights_needed

    assert off_nights_needed(draws) == needed == max(7, min(28, math.ceil(tau * math.log(2))))


def test_the_withdrawal_the_decision_proposes_always_counts():
    """It lasts an evaluation period, 80 % of the build-up, which is never shorter."""
    from model.personal.withdrawal import MAX_OFF_NIGHTS, MIN_OFF_NIGHTS, off_nights_needed

    s = DecisionSettings()
    assert (MIN_OFF_NIGHTS, MAX_OFF_NIGHTS) == (s.floor_nights, s.max_period_nights)
    for tau in np.geomspace(0.5, 400.0, 300):
        assert evaluation_nights(float(tau), s) >= off_nights_needed({"tau": np.array([tau])})


# --- 3. blank covariate cells -----------------------------------------------------------------
def _graph_covariate(diary, column: str) -> np.ndarray:
    """The personal graph's data of a covariate column (``caffeine_late``, ``alcohol_drinks``)."""
    bundled = load_priors()
    data = diary_data(diary, bundled, 0.0, *diary_size(diary, bundled))
    return data["covariates"][:, COVARIATES.index(column)]


def test_blank_caffeine_cells_take_the_mean_of_their_magnesium_state_and_are_named(tmp_path):
    caffeine = (["1", "", "1", "0", "1", "", "1", "1", "1", "1"] * 2
                + ["0", "", "0", "1", "0", "", "0", "0", "0", "0"] * 2)
    diary = _diary(tmp_path, [("none", "0", 20), ("glycinate", "200", 20)], caffeine)
    assert any(re.search(r"caffeine_late is blank on 8 of 40 nights with an outcome: read as "
                         r"the mean", note) for note in diary.warnings)    # analyze warns them
    assert not any("alcohol_drinks" in note for note in diary.warnings)    # never recorded
    filled = _graph_covariate(diary, "caffeine_late")
    blank = np.array([c == "" for c in caffeine])
    assert np.allclose(filled[:20][blank[:20]], 7 / 8)        # the nights off's 7 of 8
    assert np.allclose(filled[20:][blank[20:]], 1 / 8)        # the nights on's 1 of 8
    assert np.array_equal(filled[~blank], np.array(caffeine)[~blank].astype(float))


def test_a_column_never_recorded_stays_zero_without_a_warning(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        diary = _diary(tmp_path, [("none", "0", 10), ("glycinate", "200", 10)])
        assert not _graph_covariate(diary, "alcohol_drinks").any()


# --- 4. a covariate that changed with magnesium -----------------------------------------------
def test_caffeine_stopped_when_magnesium_started_is_named(tmp_path):
    caffeine = ["1"] * 17 + ["0"] * 3 + ["0"] * 36 + ["1"] * 4
    diary = _diary(tmp_path, [("none", "0", 20), ("glycinate", "200", 40)], caffeine)
    reasons = separability(diary).reasons
    assert reasons[-1].startswith("caffeine after 14:00 on 85 % of nights without magnesium, "
                                  "10 % with it: the diary cannot well tell their effects apart "
                                  "(correlation -0.74 night by night; named from 0.5)")


def test_alcohol_cut_with_magnesium_is_named_and_an_unrelated_one_is_not(tmp_path):
    rng = np.random.default_rng(3)
    runs = [("none", "0", 20), ("glycinate", "200", 40)]
    cut = [str(v) for v in np.r_[rng.poisson(2.5, 20), rng.poisson(0.3, 40)]]
    reasons = separability(_diary(tmp_path, runs, alcohol=cut)).reasons
    assert any(r.startswith("alcohol ") and "drinks a night without magnesium" in r
               for r in reasons)
    steady = [str(v) for v in rng.poisson(1.5, 60)]
    assert not any("alcohol" in r or "caffeine" in r
                   for r in separability(_diary(tmp_path, runs, alcohol=steady)).reasons)
