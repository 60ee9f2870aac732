"""What the report reads from the decision as data, never re-derived from the words we wrote.

A maintainer's review: the step words said a bare "continue" without magnesium (since-last
worked around it), "How sure" parsed the learning sentence out of the reasons, the GI caution
regex-parsed its counts out of the acute GI warning, and since-last recomputed the evaluation
period from the fit although the decision had it.
"""

import datetime as dt
from types import SimpleNamespace

import pytest

from model.analysis.sensitivity import Sensitivity
from model.analysis.since_last import LastResult
from model.core.change_words import step_words
from model.core.forms import FORMS
from model.core.regimen import NO_MAGNESIUM, Regimen
from model.decision import Decision, DecisionSettings, History, Recommendation, decide
from model.decision.explain import STAY_WITHOUT, RecentGi, headline
from model.decision.plan_words import LEARN_START
from model.decision.results import Scores
from model.decision.rule_words import acute_gi_warning
from model.decision.rules import evaluation_nights
from model.evidence.priorset import load_priors
from model.report.gut_words import recent_gi_care
from model.report.how_sure import how_sure, sensitivity_step
from model.testing import FakePosterior

AS_OF = dt.date(2025, 3, 1)
GLYCINATE = Regimen("glycinate", 200)
SCORES = Scores({}, -0.36, 0.47, 0.45, 0.0, 2.0, 0.0)


@pytest.fixture(scope="module")
def priors():
    return load_priors()


def on_glycinate(gi: int = 0) -> History:
    """30 nights on glycinate 200 mg after a 14-night baseline, ``gi`` of the last 7 GI."""
    return History(GLYCINATE, 30, frozenset({"glycinate"}), gi,
                   {NO_MAGNESIUM: 14, GLYCINATE: 30})


# -- 1: continuing without magnesium has one wording, in core ---------------------------------
def test_continuing_without_magnesium_is_said_as_the_headline_says_it():
    said = step_words("continue", NO_MAGNESIUM)
    assert said == "stay without magnesium for now"
    assert headline("continue", NO_MAGNESIUM, NO_MAGNESIUM, 0) == STAY_WITHOUT == \
        f"{said[0].upper()}{said[1:]}."
    # the line since the last analysis says the same words, with no special case of its own
    record = LastResult(AS_OF, AS_OF, "continue", NO_MAGNESIUM, None, None, ())
    assert record.step == said
    assert step_words("continue", GLYCINATE) == "continue glycinate 200 mg"   # on magnesium
    # and the step another prior leads to (the terminal's and the clinician page's)
    assert sensitivity_step(Sensitivity("confident", "continue", "none", 0.0, False,
                                        "refit")) == said


# -- 2: "How sure" reads the learning sentence the decision carries ---------------------------
CEILING_BREACH = ("Your current glycinate 200 mg is above your ceiling of 150 mg/day, so it is "
                  "not kept: the dose must come down to at most 150 mg a day, or stop.")
LEARNED = ("the step with the higher expected utility now is to lower the dose to glycinate "
           "150 mg (-0.25 vs -0.36), but what these nights will teach is worth more (learning "
           "value 2.00).")


def test_how_sure_quotes_the_carried_learning_sentence_without_any_reason_words():
    rec = Recommendation("stop", NO_MAGNESIUM, SCORES, False, AS_OF, (CEILING_BREACH,), (),
                         ("learn", "current_above_ceiling"), 150.0, learned=LEARNED)
    assert not any(r.startswith(LEARN_START) for r in rec.reasons)
    assert how_sure(rec) == (
        "not a final answer: a safety rule asks only that the dose come down to at most 150 mg "
        f"a day; among the steps it allows, this one was chosen to learn: {LEARNED}")


def test_a_step_taken_to_learn_carries_the_sentence_its_reason_says(priors):
    open_question = FakePosterior(n_draws=2000, benefit=dict.fromkeys(FORMS, 0.0)
                                  | {"glycinate": 0.05}, gi=dict.fromkeys(FORMS, 0.0),
                                  benefit_sd=0.3)
    rec = decide(open_question, priors=priors, diary=on_glycinate(), as_of=AS_OF,
                 separable=False, settings=DecisionSettings(crossover_forms=0)).recommendation
    assert "learn" in rec.reason_codes and rec.learned
    assert f"{LEARN_START}{rec.learned} Look again on {rec.next_review.isoformat()}." \
        in rec.reasons


# -- 3: the GI caution says the counts the decision carries ------------------------------------
def test_the_gi_caution_says_the_carried_counts_whatever_the_warnings_words():
    gi = RecentGi(3, 7, GLYCINATE)
    # another warning with other numbers first, and none of the acute warning's words
    rec = Recommendation("continue", GLYCINATE, SCORES, False, AS_OF, (), (
        "12 nights in 14 had 250 mg of other magnesium",), ("acute_gi",), recent_gi=gi)
    care = recent_gi_care(rec, GLYCINATE)
    assert care.startswith("you had loose stools or stomach upset on 3 of the last 7 nights")
    assert recent_gi_care(rec, Regimen("taurate", 200)) == ""      # of another regimen: none
    assert recent_gi_care(Recommendation("continue", GLYCINATE, SCORES, False, AS_OF, (), ()),
                          GLYCINATE) == ""


def test_the_decision_carries_the_counts_its_acute_gi_warning_says(priors):
    model = FakePosterior(n_draws=500, benefit={"glycinate": 0.3}, gi=dict.fromkeys(FORMS, 0.0))
    past, s = on_glycinate(gi=4), DecisionSettings()
    rec = decide(model, priors=priors, diary=past, as_of=AS_OF).recommendation
    assert rec.recent_gi == RecentGi(4, s.gi_window, GLYCINATE)
    assert acute_gi_warning(past, s) in rec.warnings
    calm = decide(model, priors=priors, diary=on_glycinate(), as_of=AS_OF).recommendation
    assert calm.recent_gi is None


# -- 4: since-last reads the decision's evaluation period -------------------------------------
def test_the_decision_carries_its_build_up_period(priors):
    model = FakePosterior(n_draws=500, benefit={"glycinate": 0.3}, gi=dict.fromkeys(FORMS, 0.0))

    def slow(regimens):              # predictions carrying a build-up of 13 to 15 days
        return model(regimens).assign(onset_days=("draw", [13.0, 14.0, 15.0] * 166 + [14.0] * 2))

    s = DecisionSettings()
    decision = decide(slow, priors=priors, diary=on_glycinate(), as_of=AS_OF, settings=s)
    assert decision.period_nights == evaluation_nights(14.0, s) != s.min_nights
    assert decision.period_nights != evaluation_nights(priors.settings.personal.onset_days_median,
                                                       s)     # the fit's, not the prior's
    fixed = decide(slow, priors=priors, diary=on_glycinate(), as_of=AS_OF,
                   settings=DecisionSettings(period_from_kinetics=False))
    assert fixed.period_nights is None


def test_the_record_of_an_analysis_keeps_the_decisions_period_not_one_of_its_own():
    rec = Recommendation("continue", GLYCINATE, SCORES, False, AS_OF, (), ())
    result = SimpleNamespace(                # a fit whose build-up says another period
        decision=Decision(rec, period_nights=17), settings=DecisionSettings(), as_of=AS_OF,
        effects=SimpleNamespace(by_regimen=()),
        fit=SimpleNamespace(draws_={"tau": [2.0, 2.0]}, priors_=None))
    assert LastResult.of(result, AS_OF).period_nights == 17
