"""The safety file's loose-stool threshold (``gi_constraint.loose_bristol``) is the one the
model and the decision count GI nights with: a priors directory that lowers it is heeded."""

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from model.data.diary import read_diary
from model.decision import decide
from model.evidence.priorset import load_priors
from model.personal.fit import PersonalModel
from model.testing import FakePosterior

LAST = dt.date(2025, 2, 21)


def _diary():
    """Three weeks on glycinate 300 mg, the last five nights at Bristol 5."""
    dates = pd.date_range(end=LAST, periods=21)
    return read_diary(pd.DataFrame({
        "date": dates.strftime("%Y-%m-%d"), "form": "glycinate", "elemental_mg": 300,
        "sol_min": 20.0, "quality": 3, "stool_bristol": [3] * 16 + [5] * 5}))


def test_a_lower_loose_bristol_counts_bristol_5_as_a_gi_night(priors_copy):
    path = priors_copy / "safety.toml"
    path.write_text(path.read_text().replace("loose_bristol = 6", "loose_bristol = 5"))
    strict, bundled = load_priors(priors_copy), load_priors()
    assert strict.safety.gi_constraint.loose_bristol == 5
    diary = _diary()
    assert diary.nights["gi_night"].sum() == 0                 # as read: Bristol 6 and over
    assert diary.with_loose_bristol(5).nights["gi_night"].sum() == 5
    assert diary.with_loose_bristol(6) is diary

    def gi_nights_fitted(priors):
        return PersonalModel(priors).graph_data(diary)["gi_y"].sum()

    def acute_gi(priors):
        decision = decide(FakePosterior(n_draws=1000), priors=priors, diary=diary, as_of=LAST)
        return any("GI nights in the last 7" in w for w in decision.recommendation.warnings)

    assert (gi_nights_fitted(bundled), gi_nights_fitted(strict)) == (0, 5)
    assert not acute_gi(bundled) and acute_gi(strict)
    unchecked = decide(FakePosterior(n_draws=1000), priors=strict, diary=diary, as_of=LAST,
                       diagnostics_ok=False).recommendation.reasons
    assert "stool_bristol >= 5 or gi_upset = 1 counts as a GI night" in unchecked[-1]


def test_the_gi_baseline_of_the_settings_centres_a_persons_gi_level(priors_copy):
    path = priors_copy / "settings.toml"
    text = path.read_text()
    assert text.count("baseline = 0.05 ") == 1
    path.write_text(text.replace("baseline = 0.05 ", "baseline = 0.10 "))
    centre = {name: PersonalModel(priors).graph_data(_diary())["intercept_mu"][2]
              for name, priors in (("bundled", load_priors()), ("copy", load_priors(priors_copy)))}
    assert centre["bundled"] == pytest.approx(math.log(0.05 / 0.95))
    assert centre["copy"] == pytest.approx(math.log(0.10 / 0.90))


def test_during_acute_gi_a_change_no_gentler_than_now_is_blocked():
    """A mutation audit: "gentler only" (``p >= now``) could become ``p > now`` unseen, and a
    switch as likely to break the GI limit as staying would open during loose stools."""
    from model.core.regimen import Regimen
    from model.data.profile import Profile
    from model.decision.candidates import Candidate
    from model.decision.history import History
    from model.decision.rules import blocks
    from model.decision.screening import screen
    from model.decision.settings import DecisionSettings

    glycinate = Regimen("glycinate", 200)
    past = History(glycinate, 5, frozenset({"glycinate"}), 3)     # 3 GI nights of the last 7
    candidates = [Candidate("continue", glycinate),
                  Candidate("switch_form", Regimen("taurate", 200)),      # as likely as now
                  Candidate("switch_form", Regimen("malate", 200))]       # gentler
    rules = screen(Profile(age=50, egfr=90.0), load_priors().safety)
    found = blocks(candidates, np.array([0.1, 0.1, 0.05]), past, rules, 0.2, DecisionSettings())
    codes = [{code for code, _ in found_k} for found_k in found]
    assert "gi_limit" in codes[1] and any("gentler" in why for _, why in found[1])
    assert "gi_limit" not in codes[2]
