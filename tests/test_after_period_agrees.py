"""The step named for after the period is the one the pathways and the next look give.

A traveller's audit (/tmp/w55/t T7): threonate, the planned crossover's third form, had 16
nights but 3 judged (the rest marked ``exclude = travel``). The advice said "on current data
the best step then is to switch to citrate 200 mg" (untried) and, a few lines later, "whichever
way it goes: switch to glycinate 200 mg (the planned comparison is over; not settled)". The
choice after the period had read the period as over but threonate as not yet tried, so the
crossover still had a form to try, at today's learning horizon; the pathways counted
threonate tried, the comparison over (explore, then commit: the best form tried).
"""

import dataclasses
import datetime as dt
import functools

import numpy as np

from model.analysis.pathways import Pathway, pathways
from model.core.forms import FORMS
from model.core.regimen import Regimen
from model.data.profile import Profile
from model.decision import DecisionSettings, History, decide, history
from model.decision.after_period import horizon_after, period_over
from model.decision.candidates import Candidate
from model.decision.plan_words import best_waiting
from model.decision.utility import Evaluation, Ranking
from model.report.pathway_words import IN_TURN, pathway_line, pathway_lines
from model.testing import FakePosterior
from tests.test_effects import cached_priors, diary

GLYCINATE, THREONATE = Regimen("glycinate", 200), Regimen("threonate", 200)
TRIED = (("none", 0, 14), ("glycinate", 200, 25), ("taurate", 200, 25))
# glycinate clearly ahead of threonate; the untried forms uncertain (a crossover step would
# pass its bar, P(better) 0.25, and their learning values are large)
CLEAR = {"benefit": {"glycinate": 0.6, "taurate": -0.3, "threonate": 0.0}, "untried": 0.0,
         "sd": 0.8}
# the untried forms a little more promising: today's horizon would take one to learn
CLOSE = {"benefit": {"glycinate": 0.5, "taurate": -0.3, "threonate": 0.0}, "untried": 0.2,
         "sd": 0.6}
WHY = "even if threonate 200 mg goes well, glycinate 200 mg is expected to do better"


def fake(case: dict) -> FakePosterior:
    return FakePosterior(benefit={f: case["benefit"].get(f, case["untried"]) for f in FORMS},
                         benefit_sd=case["sd"], gi={f: -1.0 for f in FORMS}, gi_sd=0.1,
                         known={"glycinate": 0.1, "taurate": 0.1, "threonate": 0.1},
                         n_draws=1000)


def advise(case: dict, threonate_nights: int):
    book = diary(*TRIED, ("threonate", 200, threonate_nights))
    as_of = book.nights.index[-1].date()
    model = fake(case)
    return model, book, as_of, decide(model, priors=cached_priors(), profile=Profile(),
                                      diary=book, as_of=as_of, separable=True)


@functools.cache
def during(name: str) -> tuple:
    """Three judged nights of threonate (its period runs): the step named, the pathways."""
    model, book, as_of, decision = advise(globals()[name], 3)
    found = pathways(model, decision, history(book), priors=cached_priors(), profile=Profile(),
                     as_of=as_of, separable=True)
    return decision, best_waiting(decision.assessments), found


def test_the_step_named_for_after_the_period_is_the_pathways_step():
    decision, named, found = during("CLEAR")
    assert decision.recommendation.action == "continue"
    assert "forced" in decision.recommendation.reason_codes
    # the crossover is over once threonate has its period: the best form tried, not an
    # untried one (the old words named citrate or malate beside three pathways' glycinate)
    assert [(p.action, p.regimen) for p in found] == [("switch_form", GLYCINATE)] * 3
    assert named is not None and (named.action, named.regimen) == ("switch_form", GLYCINATE)
    assert all("by_design" in p.reason_codes for p in found)


def test_the_step_named_is_the_one_the_look_after_the_period_takes():
    """With today's learning horizon the step then was an untried form, to learn."""
    for case in ("CLEAR", "CLOSE"):
        _, named, _ = during(case)
        later = advise(globals()[case], 25)[-1].recommendation     # the period's nights in
        assert (later.action, later.regimen) == ("switch_form", GLYCINATE)
        assert named is not None and (named.action, named.regimen) == (later.action,
                                                                       later.regimen), case


def test_the_current_form_is_tried_once_its_period_is_over():
    s = DecisionSettings()
    past = History(THREONATE, 3, frozenset({"glycinate", "taurate"}),
                   nights_on={GLYCINATE: 25, Regimen("taurate", 200): 25, THREONATE: 3},
                   unwritten_on_current=1)
    over = period_over(past, s)
    assert over.forms_tried == {"glycinate", "taurate", "threonate"}
    assert over.nights_on_current == over.nights_on[THREONATE] == s.min_nights
    assert over.unwritten_on_current == 0 and over.compared(s.crossover_forms)
    assert not past.compared(s.crossover_forms)
    none = period_over(History(), s)                     # no magnesium: no form tried
    assert none.forms_tried == frozenset() and none.nights_on_current == s.min_nights


def evaluation(learning: list[float]) -> Evaluation:
    """Continue, a switch and a placebo period with these learning values (worth = them)."""
    rows = [Candidate("continue", THREONATE), Candidate("switch_form", GLYCINATE),
            Candidate("placebo_period", Regimen("placebo"))]
    zero, teach = np.zeros(3), np.array(learning)
    return Evaluation(rows, (), np.zeros((3, 0, 2)), np.zeros((3, 2)), zero, zero, [()] * 3,
                      np.ones(3, bool), np.ones(3, bool), teach, Ranking(zero, zero, zero, 0.0),
                      np.stack([teach, teach], 1), np.zeros((3, 2)))


def test_the_horizon_after_the_comparison_counts_only_experiments():
    """As the decision then: ``learning_periods`` 0, an experiment keeps its own horizon."""
    s = dataclasses.replace(DecisionSettings(), learning_periods=6.0, experiment_periods=2.0)
    over = History(THREONATE, 20, frozenset({"glycinate", "taurate", "threonate"}))
    later, then = horizon_after(evaluation([0.6, 1.2, 0.6]), over, s)
    assert then.learning_periods == 0.0 and then.experiment_periods == 2.0
    assert np.allclose(later.learning, [0.0, 0.0, 0.2])           # 2 periods of 6
    assert np.allclose(later.worth_jackknife, [[0, 0], [0, 0], [0.2, 0.2]])
    going_on = History(THREONATE, 20, frozenset({"glycinate", "taurate"}))
    assert horizon_after(evaluation([0.6, 1.2, 0.6]), going_on, s)[1] is s


def test_a_well_period_left_for_a_form_expected_to_do_better_says_why():
    _, _, found = during("CLEAR")
    assert pathway_lines(found) == [
        f"whichever way it goes: switch to glycinate 200 mg ({WHY}; the planned comparison is "
        "over; not settled)"]
    well = found[2]
    assert pathway_line(well).startswith(f"if it goes well: switch to glycinate 200 mg ({WHY}")
    # the other thirds need no why; nor a step that keeps the form, or one taken to learn
    assert WHY not in pathway_line(found[0])
    raised = dataclasses.replace(well, action="increase_dose", regimen=Regimen("threonate", 300))
    assert "even if" not in pathway_line(raised)
    learn = dataclasses.replace(well, reason_codes=("learn",))
    assert pathway_line(learn) == "if it goes well: switch to glycinate 200 mg (to learn)"


def test_one_line_for_one_step_keeps_why_a_good_period_leaves_the_form():
    """Thirds whose notes differ (a plan, a commitment) still say why in the one line."""
    paths = tuple(Pathway(s, THREONATE, b, "switch_form", GLYCINATE, codes) for s, b, codes in (
        ("badly", -1.0, ("best_expected",)), ("as_expected", 0.0, ("commit", "by_design")),
        ("well", 1.0, ("commit", "by_design"))))
    assert pathway_lines(paths) == [f"whichever way it goes: switch to glycinate 200 mg ({WHY})"]
    crossover = tuple(dataclasses.replace(p, regimen=Regimen("oxide", 200),
                                          reason_codes=("crossover", "learn")) for p in paths)
    assert pathway_lines(crossover) == [f"whichever way it goes: switch to oxide 200 mg{IN_TURN}"]


def test_a_period_that_ends_a_planned_trial_keeps_to_its_forms():
    """A trial of glycinate and taurate, taurate in its period: the step then is glycinate.

    The step named went to an untried form (malate), the pathways to the model's crossover
    (threonate, "to learn"), and the look after the period to glycinate: three answers.
    """
    taurate = Regimen("taurate", 200)
    model = FakePosterior(benefit={f: 0.1 if f == "taurate" else 0.3 for f in FORMS},
                          benefit_sd=0.6, known={"glycinate": 0.1, "taurate": 0.1},
                          gi={f: -1.0 for f in FORMS}, gi_sd=0.1, n_draws=1000)

    def trial(nights: int) -> History:
        return History(taurate, nights, frozenset({"glycinate", "taurate"} if nights >= 7
                                                  else {"glycinate"}), 0,
                       {Regimen("none"): 14, GLYCINATE: 25, taurate: nights},
                       planned_forms=frozenset({"glycinate", "taurate"}))

    as_of = dt.date(2025, 3, 1)
    now = decide(model, priors=cached_priors(), profile=Profile(), diary=trial(3), as_of=as_of,
                 separable=True)
    named = best_waiting(now.assessments)
    found = pathways(model, now, trial(3), priors=cached_priors(), profile=Profile(),
                     as_of=as_of, separable=True)
    later = decide(model, priors=cached_priors(), profile=Profile(), diary=trial(25),
                   as_of=as_of, separable=True).recommendation
    assert (later.action, later.regimen) == ("switch_form", GLYCINATE)
    assert named is not None and (named.action, named.regimen) == ("switch_form", GLYCINATE)
    assert [(p.action, p.regimen) for p in found] == [("switch_form", GLYCINATE)] * 3
