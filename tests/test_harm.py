"""A regimen that probably does harm is stopped, its evaluation period over or not.

An outside audit (/tmp/hH) found a person whose anxiety rose from about 3 to 8-9 on five
nights of glycinate told "Continue glycinate": stopping waited for the evaluation period like
any change. Known answers on toy posteriors (:class:`model.testing.FakePosterior`).
"""

import datetime as dt

import pandas as pd
import pytest

from model.core.regimen import NO_MAGNESIUM, Regimen
from model.decision import DecisionSettings, History, decide
from model.decision.reason_codes import REASON_CODES
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
    decision = decide(harmful, priors=priors, diary=FIVE_NIGHTS_IN, as_of=AS_OF)
    rec = decision.recommendation
    assert rec.action == "stop" and rec.regimen == NO_MAGNESIUM
    assert "harm" in rec.reason_codes and set(rec.reason_codes) <= set(REASON_CODES)
    assert decision.p_harm >= DecisionSettings().harm_stop_p
    assert decision.to_dict()["p_harm"] == decision.p_harm
    assert any("look worse than they would be without it: P > 0.99 that it does you harm" in r
               for r in rec.reasons), rec
    assert not rec.commit


def test_a_doubtful_worsening_waits_for_the_period(priors):
    """Below harm_stop_p the period holds stopping back as any change: a bad run of a few
    nights is no verdict."""
    doubtful = FakePosterior(benefit={"glycinate": -0.02}, known={"glycinate": 0.3})
    decision = decide(doubtful, priors=priors, diary=FIVE_NIGHTS_IN, as_of=AS_OF)
    stop = next(a for a in decision.assessments if a.action == "stop")
    assert 0.3 < decision.p_harm < DecisionSettings().harm_stop_p
    assert "waiting" in stop.reason_codes and not stop.feasible
    assert decision.recommendation.action in ("continue", "collect_more_data")
    assert "harm" not in decision.recommendation.reason_codes


def test_no_step_keeps_the_form_that_harms(priors):
    """After its period a harmful form is neither kept, nor raised, nor split: the advice
    stops it or leaves it for another form (the crossover switches form to form), and says
    it probably does harm; a form judged over a full period may be gone back to."""
    for benefit in ({"glycinate": -0.3}, {"glycinate": -0.3, "taurate": 0.4}):
        harmful = FakePosterior(benefit=benefit, known={"glycinate": 0.1})
        rec = decide(harmful, priors=priors, diary=JUDGED, as_of=AS_OF).recommendation
        assert rec.regimen is None or rec.regimen.form != "glycinate", rec
        assert "harm" in rec.reason_codes
    taurate = Regimen("taurate", 200)
    after_taurate = _past(("none", 0, 14), ("taurate", 200, 20), ("glycinate", 200, 20))
    back = FakePosterior(benefit={"glycinate": -0.3, "taurate": 0.5},
                         known={"glycinate": 0.1, "taurate": 0.1})
    decision = decide(back, priors=priors, diary=after_taurate, as_of=AS_OF)
    assert decision.recommendation.regimen == taurate, decision.recommendation
    assert "harm" in decision.recommendation.reason_codes


def test_a_regimen_that_helps_is_not_stopped(priors):
    helps = FakePosterior(benefit={"glycinate": 0.4}, known={"glycinate": 0.1})
    rec = decide(helps, priors=priors, diary=FIVE_NIGHTS_IN, as_of=AS_OF).recommendation
    assert rec.action in ("continue", "collect_more_data") and "harm" not in rec.reason_codes


def _anxious(*runs: tuple[str, float, int], hard: int = 5) -> History:
    """As :func:`_past`, with evening anxiety 9 on ``hard`` of the last 7 nights (else 3)."""
    rows = [(form, mg) for form, mg, n in runs for _ in range(n)]
    anxiety = [3.0] * (len(rows) - 7) + [9.0] * hard + [3.0] * (7 - hard)
    return History.from_nights(pd.DataFrame({
        "form": [f for f, _ in rows], "elemental_mg": [m for _, m in rows], "split": False,
        "recorded": True, "gi_night": 0, "anxiety": anxiety}))


def test_a_week_of_very_high_anxiety_holds_a_change_made_to_learn(priors):
    """A person with generalised anxiety, 8 or more on 5 of 7 nights, was told to see the
    prescriber and "Switch to glycinate, 300 mg ... to learn" in one breath (a GP's audit,
    /tmp/hC): a change started in such a week is hard to judge. Safety still speaks."""
    promising = FakePosterior(benefit={"glycinate": 0.3, "taurate": 0.3})
    calm = decide(promising, priors=priors, diary=_anxious(("none", 0, 21), hard=2),
                  as_of=AS_OF).recommendation
    assert calm.action == "start" and "hard_week" not in calm.reason_codes
    held = decide(promising, priors=priors, diary=_anxious(("none", 0, 21)),
                  as_of=AS_OF).recommendation
    assert held.action == "collect_more_data" and held.reason_codes[0] == "hard_week"
    assert held.reasons[0].startswith("A week of very high evening anxiety (8 or more on 4 or "
                                      "more of the last 7 nights): no change to magnesium")
    harmful = FakePosterior(benefit={"glycinate": -0.4}, known={"glycinate": 0.1})
    anxious_on_glycinate = _anxious(("none", 0, 14), ("glycinate", 200, 20))
    stopped = decide(harmful, priors=priors, diary=anxious_on_glycinate,
                     as_of=AS_OF).recommendation
    assert stopped.action == "stop" and "harm" in stopped.reason_codes
