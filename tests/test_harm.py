"""A regimen that probably does harm is stopped, its evaluation period over or not.

An outside audit (/tmp/hH) found a person whose anxiety rose from about 3 to 8-9 on five
nights of glycinate told "Continue glycinate": stopping waited for the evaluation period like
any change. Known answers on toy posteriors (:class:`model.testing.FakePosterior`).
"""

import datetime as dt

import pandas as pd
import pytest

from model.core.regimen import NO_MAGNESIUM
from model.decision import DecisionSettings, History, decide
from model.decision.results import REASON_CODES
from model.evidence.priorset import load_priors
from model.testing import FakePosterior

AS_OF = dt.date(2025, 3, 1)


@pytest.fixture(scope="module")
def priors():
    return load_priors()


def _past(*runs: tuple[str, float, int]) -> History:
    """The history of consecutive recorded runs (form, elemental mg, nights)."""
    rows = [(form, mg) for form, mg, n in runs for _ in range(n)]
    return History.from_nights(pd.DataFrame({
        "form": [f for f, _ in rows], "elemental_mg": [m for _, m in rows], "split": False,
        "recorded": True, "gi_night": 0}))


FIVE_NIGHTS_IN = _past(("none", 0, 14), ("glycinate", 200, 5))
JUDGED = _past(("none", 0, 14), ("glycinate", 200, 20))


def test_a_regimen_that_probably_harms_is_stopped_during_its_period(priors):
    harmful = FakePosterior(benefit={"glycinate": -0.4}, known={"glycinate": 0.1})
    rec = decide(harmful, priors=priors, diary=FIVE_NIGHTS_IN, as_of=AS_OF).recommendation
    assert rec.action == "stop" and rec.regimen == NO_MAGNESIUM
    assert "harm" in rec.reason_codes and set(rec.reason_codes) <= set(REASON_CODES)
    assert rec.scores.p_better_than_continue >= DecisionSettings().harm_stop_p
    assert any("look worse than they would be without it" in r for r in rec.reasons), rec
    assert not rec.commit


def test_a_doubtful_worsening_waits_for_the_period(priors):
    """Below harm_stop_p the period holds stopping back as any change: a bad run of a few
    nights is no verdict."""
    doubtful = FakePosterior(benefit={"glycinate": -0.02}, known={"glycinate": 0.3})
    decision = decide(doubtful, priors=priors, diary=FIVE_NIGHTS_IN, as_of=AS_OF)
    stop = next(a for a in decision.assessments if a.action == "stop")
    assert stop.p_better_than_continue < DecisionSettings().harm_stop_p
    assert "waiting" in stop.reason_codes and not stop.feasible
    assert decision.recommendation.action in ("continue", "collect_more_data")
    assert "harm" not in decision.recommendation.reason_codes


def test_no_step_keeps_the_form_that_harms(priors):
    """After its period a harmful form is neither kept, nor raised, nor split: the advice
    stops it or leaves it for another form, and says the form probably does harm."""
    for benefit in ({"glycinate": -0.3}, {"glycinate": -0.3, "taurate": 0.4}):
        harmful = FakePosterior(benefit=benefit, known={"glycinate": 0.1})
        rec = decide(harmful, priors=priors, diary=JUDGED, as_of=AS_OF).recommendation
        assert rec.regimen is None or rec.regimen.form != "glycinate", rec
        assert "harm" in rec.reason_codes


def test_a_regimen_that_helps_is_not_stopped(priors):
    helps = FakePosterior(benefit={"glycinate": 0.4}, known={"glycinate": 0.1})
    rec = decide(helps, priors=priors, diary=FIVE_NIGHTS_IN, as_of=AS_OF).recommendation
    assert rec.action in ("continue", "collect_more_data") and "harm" not in rec.reason_codes
