"""A sleep scientist's audit (/tmp/w45/A): a slow build-up or a fading effect is said.

1. F1: a slow responder (benefit built to full over 28 nights) was moved off glycinate "to
   learn" at the tool's own look date, 20 nights in, with no word that a build-up slower than
   the fit's median could still be under way.
2. F2: a benefit that faded (full by night 7, gone by night 35) was absorbed by the drift:
   nothing said the nights on it had been better at first.
3. F5: "5 min faster (15 faster to 2 slower): no meaningful effect" for nights 26 min
   without and 14 on it: the words claimed a finding of nothing.

The diaries come from this file's own generator (numpy alone, not mgsleep's simulator): its
world is not the model's (linear ramps, a tolerance, lognormal sleep onset).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from model.analysis.effects import DiaryEffect
from model.analysis.fading import fading
from model.core.outcomes import SPECS
from model.core.regimen import Regimen
from model.data.diary import read_diary
from model.data.night_levels import RawNights
from model.data.profile import Profile
from model.decision.history import History
from model.decision.settings import DecisionSettings
from model.report.build_up_words import still_building
from model.report.effect_words import verdict_phrase

WEIGHTS = Profile().outcome_weights()
GLY = Regimen("glycinate", 200)
START = dt.date(2026, 9, 1)


def slow(k: int) -> float:
    """A slow responder: the benefit builds linearly to full over 28 nights."""
    return min(k / 28, 1.0)


def steady(k: int) -> float:
    """A steady responder: full by night 7, then held."""
    return min(k / 7, 1.0)


def tolerance(k: int) -> float:
    """Full by night 7, held to night 21, gone by night 35."""
    return min(k / 7, 1.0) if k < 21 else max(0.0, 1 - (k - 21) / 14)


def nothing(k: int) -> float:
    return 0.0


def diary_frame(seed: int, ramp, nights_on: int = 56, nights_off: int = 14,
                carry: float = 0.0) -> pd.DataFrame:
    """Nights off, then glycinate 200 mg with a benefit of ``ramp(k)`` of full on night k.

    Full benefit: sleep onset x0.6, quality +0.8, freshness +1, anxiety -1. ``carry``: the
    lag-1 autocorrelation of each night's noise (consecutive nights alike).
    """
    rng = np.random.default_rng(seed)
    n = nights_off + nights_on
    noise = rng.normal(size=(n, 4))
    for i in range(1, n):
        noise[i] = carry * noise[i - 1] + np.sqrt(1 - carry**2) * noise[i]
    rows = []
    for i in range(n):
        k = i - nights_off + 1
        e = ramp(k) if k >= 1 else 0.0
        sol = np.exp(np.log(25) + 0.35 * noise[i, 0]) * (1 - 0.4 * e)
        rows.append({"date": (START + dt.timedelta(i)).isoformat(),
                     "form": "glycinate" if k >= 1 else "", "elemental_mg": 200 if k >= 1 else "",
                     "sol_min": max(round(sol), 1), "awakenings": int(rng.poisson(1.5)),
                     "quality": int(np.clip(round(3.4 + 0.6 * noise[i, 1] + 0.8 * e), 1, 5)),
                     "freshness": int(np.clip(round(6 + 1.2 * noise[i, 2] + e), 1, 10)),
                     "anxiety": int(np.clip(round(4 + 1.2 * noise[i, 3] - e), 0, 10)),
                     "stool_bristol": 4})
    return pd.DataFrame(rows)


def diary(tmp_path: Path, seed: int, ramp, **more):
    path = tmp_path / f"diary-{seed}.csv"
    diary_frame(seed, ramp, **more).to_csv(path, index=False)
    return read_diary(path, today=dt.date(2026, 12, 1))


# --- 2. a fading effect -------------------------------------------------------------------


def test_a_fading_effect_is_warned_of_in_the_outcome_units(tmp_path):
    found = [fading(diary(tmp_path, seed, tolerance).nights, WEIGHTS) for seed in range(20)]
    assert sum(f is not None for f in found) >= 16         # measured: 19 of 20
    first = next(f for f in found if f is not None)
    better = SPECS[first.outcome].sign * (first.early_mean - first.late_mean)
    assert first.regimen == GLY and better > 0
    assert first.early == (8, 31) and first.late == (32, 56)   # after the build-up, halves
    words = first.words()
    assert words.startswith("Your nights on glycinate 200 mg were better in its first weeks "
                            "than lately (")
    assert "cannot tell a fading effect (tolerance) from drift" in words


@pytest.mark.parametrize(("ramp", "carry"), [(steady, 0.0), (nothing, 0.0), (slow, 0.0),
                                             (nothing, 0.4), (steady, 0.4)])
def test_the_fading_check_rarely_fires_on_a_steady_effect_or_none(ramp, carry):
    """False alarms at most 3 in 100 diaries: steady, no effect, slow build-up, correlated.

    Measured on 300 diaries each: 0, 0, 0, 1 and 2 (5 with nights correlated at 0.7).
    """
    weights = WEIGHTS
    alarms = 0
    for seed in range(100):
        frame = diary_frame(1000 + seed, ramp, carry=carry)
        nights = frame.assign(form=frame["form"].replace("", "none"),
                              elemental_mg=pd.to_numeric(frame["elemental_mg"]).fillna(0.0),
                              split=False, recorded=True)
        alarms += fading(nights, weights) is not None
    assert alarms <= 3


def test_a_run_shorter_than_four_weeks_is_not_checked(tmp_path):
    assert fading(diary(tmp_path, 0, tolerance, nights_on=27).nights, WEIGHTS) is None


# --- 1. a build-up that may not be over ---------------------------------------------------


def _effect(verdict: str, outcome: str = "sol") -> DiaryEffect:
    return DiaryEffect("glycinate", outcome, GLY, 20, SPECS[outcome].unit, -3.0, -17.0, 9.0,
                       0.7, 0.1, 0.0, 20.0, verdict)


def _result(nights_on: int, verdict: str = "inconclusive", tau_median: float = 11.0):
    """What the build-up words read of an analysis: the nights, the fit's time constant."""
    past = History(current=GLY, nights_on_current=nights_on, nights_on={GLY: nights_on})
    tau = tau_median * np.exp(0.5 * np.random.default_rng(0).standard_normal(4000))
    return SimpleNamespace(diary=past, fit=SimpleNamespace(draws_={"tau": tau}),
                           profile=Profile(), settings=DecisionSettings(),
                           effects=SimpleNamespace(by_regimen=(_effect(verdict),)))


def test_a_regimen_left_before_a_slow_build_up_could_end_says_so():
    """The fit allows tau up to 21 nights (90th percentile): 80 % after 34 nights."""
    clause = still_building(_result(20), helping=True)
    assert clause == (" Its effect may still be building: 20 nights on it, and a build-up as "
                      "slow as the fit allows (time constant up to 21 nights) reaches 80 % "
                      "after 34.")
    assert still_building(_result(20), helping=False).startswith(
        " You leave glycinate 200 mg before its effect may have built up: 20 nights on it")


def test_no_build_up_words_after_a_long_run_or_a_settled_verdict():
    assert still_building(_result(60), helping=True) == ""
    assert still_building(_result(34), helping=True) == ""
    assert still_building(_result(20, verdict="works"), helping=False) == ""
    assert still_building(_result(20, verdict="no_meaningful_effect"), helping=False) == ""


@pytest.mark.fit
def test_a_slow_responder_moved_on_at_the_look_date_is_told_and_a_long_run_is_not(tmp_path):
    from model.analysis.pipeline import analyze
    from model.report.headline import headline

    path = tmp_path / "slow.csv"
    diary_frame(22, slow, nights_on=60).to_csv(path, index=False)
    early = headline(analyze(path, as_of="2026-10-04", seed=1)).why      # 20 nights on it
    assert "You leave glycinate 200 mg" in early
    assert "comes back to it. Its effect may still be building: 20 nights on it" in early
    late = headline(analyze(path, seed=1))                                  # 60 nights on it
    assert "building" not in late.why and "built up" not in late.why
    assert "first weeks than lately" not in late.why + late.caution


@pytest.mark.fit
def test_the_headline_warns_of_a_fading_effect_once(tmp_path):
    from model.analysis.pipeline import analyze
    from model.report.headline import headline

    path = tmp_path / "fading.csv"
    diary_frame(22, tolerance).to_csv(path, index=False)
    told = headline(analyze(path, seed=1))
    said = "\n".join(told.lines())
    assert said.count("Your nights on glycinate 200 mg were better in its first weeks") == 1
    # beside the advice, not after the effects (an outside audit, /tmp/w50/b F-12)
    assert "first weeks than lately" in told.why and "first weeks" not in told.caution
    assert told.why.endswith("nights without it would show what it does now.")


# --- 3. an effect smaller than the MCID, said as what is known ----------------------------


def test_an_effect_within_the_mcid_is_not_said_as_a_finding_of_nothing():
    said = verdict_phrase(DiaryEffect("glycinate", "sol", GLY, 60, "min", -5.0, -15.0, 2.0,
                                      0.85, 0.0, 0.0, 20.0, "no_meaningful_effect",
                                      mcid_source="EDINGER2021_AASM"))
    assert said == "not shown to reach the 20 min that trials count as meaningful, either way"
    assert "no meaningful effect" not in said


def test_a_level_with_less_room_than_the_mcid_says_so():
    """A 12-min sleeper: 20 min cannot come off (the room of model.decision.room's idea)."""
    near = DiaryEffect("glycinate", "sol", GLY, 60, "min", -3.0, -9.0, 2.0, 0.8, 0.0, 0.0,
                       20.0, "no_meaningful_effect", raw=RawNights(12.0, 9.0, 1.5),
                       mcid_source="EDINGER2021_AASM")
    assert verdict_phrase(near) == (
        "not shown to reach the 20 min that trials count as meaningful, either way (12 min "
        "without magnesium, within 20 min of the scale's best (0): no gain that matters could "
        "show)")


def test_the_fading_check_is_silent_on_the_simulator_s_ordinary_diaries(tmp_path):
    """mgsleep's own personas (steady effects, drift, correlated nights): no warning."""
    from model.simulate.personas import PERSONAS, simulate_diary

    for name in PERSONAS:
        for seed, nights in ((0, 60), (1, 120), (2, 120)):
            path = tmp_path / f"{name}-{seed}.csv"
            simulate_diary(name, nights, seed=seed).to_csv(path, index=False)
            assert fading(read_diary(path, today=dt.date(2026, 12, 1)).nights, WEIGHTS) is None
