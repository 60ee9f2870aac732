"""Coherence of the decision's words and commitments (two outside audits, /tmp/jE and /tmp/jG).

- A regimen never taken for one evaluation period is never a commitment (a plan, with its
  look-again date), and once its period is recorded it may be.
- A planned titration is a rule, not a step "to learn"; it never goes back to a dose judged.
- "for N nights and look again on D": N is the nights to D.
- P(best) is said among the regimens it is shared by, and counted once in the JSON.
- No commitment from fewer draws than the CLI allows.
- The withdrawal is valued as its docstrings say: stopping's contrast, less its cost.
"""

import datetime as dt
import re

import numpy as np
import pytest

from model.core.forms import FORMS
from model.core.regimen import Regimen
from model.data.profile import Profile
from model.decision import DecisionSettings, History, decide
from model.decision.candidates import EXPERIMENTS
from model.decision.gi_words import gentler_line
from model.decision.results import ActionAssessment
from model.decision.rules import evaluation_nights, nights_until
from model.evidence.priorset import load_priors
from model.testing import FakePosterior

AS_OF = dt.date(2025, 3, 1)
ZERO = dict.fromkeys(FORMS, 0.0)


@pytest.fixture(scope="module")
def priors():
    return load_priors()


@pytest.fixture(scope="module")
def period(priors) -> int:
    """The evaluation period of a FakePosterior (no onset draws: the priors' median)."""
    return evaluation_nights(priors.settings.personal.onset_days_median, DecisionSettings())


def three_tried(last: str = "malate", nights: int = 40,
                forms: tuple[str, ...] = ("citrate", "oxide", "malate")) -> History:
    """The planned crossover over: three forms at 200 mg, ``last`` the current one."""
    taken = {Regimen(f, 200): 40 for f in forms} | {Regimen(last, 200): nights}
    return History(Regimen(last, 200), nights, frozenset(forms), 0, taken, gi_records_on=20)


def said_courses(reasons) -> list[tuple[int, dt.date]]:
    """Every "for N (more) nights and look again on D" of the reasons, as (N, D)."""
    found = re.findall(r"for (\d+)(?: more)? nights? and look again on (\d{4}-\d\d-\d\d)",
                       " ".join(reasons))
    return [(int(n), dt.date.fromisoformat(d)) for n, d in found]


# --------------------------------------------------------------------------------------------
# 1. A regimen without its evaluation period is never a commitment
# --------------------------------------------------------------------------------------------


def test_a_form_never_taken_is_a_plan_not_a_commitment(priors, period):
    """jE F1: citrate, oxide, malate tried 40 nights each, glycinate never: it was "Clear enough
    to commit (P(best) 0.88)" beside "nothing left to learn from it"."""
    model = FakePosterior(n_draws=4000, seed=3, benefit=ZERO | {"glycinate": 0.6},
                          gi=ZERO, benefit_sd=0.3,
                          known=dict.fromkeys(("citrate", "oxide", "malate"), 0.05))
    rec = decide(model, priors=priors, diary=three_tried(), as_of=AS_OF).recommendation
    assert (rec.action, rec.regimen) == ("switch_form", Regimen("glycinate", 200))
    assert not rec.commit and "commit" not in rec.reason_codes
    assert rec.reason_codes[0] == "best_expected" and rec.p_best >= 0.8
    said = " ".join(rec.reasons)
    assert "Clear enough to commit" not in said and "nothing left to learn" not in said
    assert "Not settled: you have not taken glycinate 200 mg yet" in said
    assert nights_until(rec.next_review, AS_OF) == period
    assert said_courses(rec.reasons) == [(period, rec.next_review)]
    # once its period is recorded, the same posterior may settle on it (200 mg the ceiling:
    # else the dose step, never taken, is the next plan)
    judged = replace_current(three_tried(), Regimen("glycinate", 200), period)
    after = decide(model, priors=priors, diary=judged, as_of=AS_OF,
                   profile=Profile(max_elemental_mg=200)).recommendation
    assert after.regimen == Regimen("glycinate", 200) and after.commit


def replace_current(past: History, regimen: Regimen, nights: int) -> History:
    """``past`` with ``regimen`` taken last, for ``nights`` nights."""
    forms = past.forms_tried | {regimen.form}
    return History(regimen, nights, forms, 0, {**past.nights_on, regimen: nights},
                   gi_records_on=20)


def test_no_commitment_to_a_regimen_without_its_period_in_random_posteriors(priors, period):
    """jE F1: 65 of 100 random posteriors with three forms tried committed to a form with 0
    nights; a by-design commitment, too, rests on a regimen whose nights were seen."""
    rng = np.random.default_rng(3)
    commits = 0
    for k in range(24):
        forms = tuple(str(f) for f in rng.choice(FORMS, size=3, replace=False))
        past = three_tried(forms[-1], int(rng.integers(period, 60)), forms)
        model = FakePosterior(n_draws=1000, seed=k, gi=dict.fromkeys(FORMS, 0.2),
                              benefit={f: float(rng.normal(0.2, 0.3)) for f in FORMS},
                              benefit_sd=0.3)
        rec = decide(model, priors=priors, diary=past, as_of=AS_OF).recommendation
        if rec.commit:
            commits += 1
            assert rec.regimen is not None and past.nights_on.get(rec.regimen, 0) >= period, rec
        elif rec.regimen is not None and past.nights_on.get(rec.regimen, 0) < period:
            assert any(r.startswith("Not settled: you have") for r in rec.reasons), rec
    assert commits    # regimens already judged are still settled on


def test_a_dose_never_taken_is_no_commitment_at_the_end_of_a_trial(priors):
    """The regimen to keep after a trial may be one never taken: said as a step to try."""
    helps = FakePosterior(n_draws=2000, benefit=ZERO | {"glycinate": 0.15}, gi=ZERO,
                          benefit_sd=0.05)
    past = History(Regimen("glycinate", 200), 30, frozenset({"glycinate", "taurate",
                                                             "threonate"}), 0,
                   {Regimen("glycinate", 200): 30})
    rec = decide(helps, priors=priors, diary=past, as_of=AS_OF,
                 horizon_nights=0).recommendation
    assert (rec.regimen, rec.commit) == (Regimen("glycinate", 300), False)
    assert any("you have not taken glycinate 300 mg yet" in r for r in rec.reasons)


def test_staying_on_a_regimen_in_its_first_nights_is_no_commitment_at_a_trials_end(priors):
    """Five nights into glycinate 200 mg at the end of a trial (no period holds changes): it
    was committed to; it is kept, as no commitment, and the line says why, not "its next
    nights are worth having (nothing left to learn from it)"."""
    g200 = Regimen("glycinate", 200)
    past = History(g200, 5, frozenset({"glycinate", "taurate", "threonate"}), 0,
                   {g200: 5, Regimen("taurate", 200): 20, Regimen("threonate", 200): 20})
    helps = FakePosterior(n_draws=2000, benefit=ZERO | {"glycinate": 0.5}, gi=ZERO,
                          benefit_sd=0.1)
    rec = decide(helps, priors=priors, diary=past, as_of=AS_OF, horizon_nights=0,
                 profile=Profile(max_elemental_mg=200)).recommendation
    assert (rec.action, rec.regimen, rec.commit) == ("collect_more_data", g200, False)
    assert rec.reasons[0].startswith("Continuing ranks first; keep glycinate 200 mg, not as a "
                                     "commitment: it has had 5 recorded nights")
    assert "nothing left to learn" not in " ".join(rec.reasons)


# --------------------------------------------------------------------------------------------
# 2. The planned titration: a rule, not a step to learn
# --------------------------------------------------------------------------------------------

HELPS_A_LITTLE = FakePosterior(n_draws=2000, benefit=ZERO | {"glycinate": 0.15}, gi=ZERO,
                               benefit_sd=0.05)


def test_a_titration_without_learning_value_is_not_called_learning(priors):
    """jE F3: `increase_dose` coded `titration`, `learn` with learning value 0.00 and an
    expected utility below staying's."""
    past = History(Regimen("glycinate", 200), 30, frozenset({"glycinate", "taurate",
                                                             "threonate"}), 0,
                   {Regimen("glycinate", 200): 30})
    decision = decide(HELPS_A_LITTLE, priors=priors, diary=past, as_of=AS_OF)
    rec = decision.recommendation
    assert rec.reason_codes[0] == "titration" and rec.regimen == Regimen("glycinate", 300)
    assert rec.scores.learning_value == 0 and "learn" not in rec.reason_codes
    assert rec.scores.expected_utility < 0
    plan = next(r for r in rec.reasons if r.startswith("Planned titration"))
    assert f"its expected utility is {rec.scores.expected_utility:+.2f}, below staying's" in plan
    assert "a rule, not the model's pick" in plan and "fixed ED50" in plan


def test_no_titration_back_to_a_dose_already_judged(priors, period):
    """jG F3: glycinate 300 mg, taken for 49 nights, was the titration "to learn whether you
    need more" from glycinate 200 mg."""
    g200, g300 = Regimen("glycinate", 200), Regimen("glycinate", 300)
    forms = ("citrate", "oxide", "glycinate", "threonate", "taurate", "malate")
    taken = {Regimen(f, 200): 30 for f in forms} | {g200: 77, g300: 49}
    past = History(g200, 27, frozenset(forms), 0, taken, gi_records_on=20)
    rec = decide(HELPS_A_LITTLE, priors=priors, diary=past, as_of=AS_OF).recommendation
    assert "titration" not in rec.reason_codes and "learn" not in rec.reason_codes
    fresh = History(g200, 27, frozenset(forms), 0, {**taken, g300: period - 1},
                    gi_records_on=20)
    stepped = decide(HELPS_A_LITTLE, priors=priors, diary=fresh, as_of=AS_OF).recommendation
    assert stepped.reason_codes[0] == "titration"       # a dose not yet judged is still tried


def test_a_settled_regimen_counts_the_forms_actually_tried(priors):
    """jG F3: "the planned comparison of 3 forms is over" for a person who tried 6."""
    forms = ("citrate", "oxide", "glycinate", "threonate", "taurate", "malate")
    past = History(Regimen("glycinate", 300), 40, frozenset(forms), 0,
                   {Regimen(f, 300): 40 for f in forms}, gi_records_on=20)
    model = FakePosterior(n_draws=4000, seed=1, benefit=ZERO | {"glycinate": 0.2, "taurate": 0.2},
                          gi=ZERO, benefit_sd=0.4)
    rec = decide(model, priors=priors, diary=past, as_of=AS_OF).recommendation
    assert rec.commit and "by_design" in rec.reason_codes, rec
    said = " ".join(rec.reasons)
    assert "the planned comparison of 3 forms" not in said
    assert "the planned comparison is over: you have tried 6 forms" in said


# --------------------------------------------------------------------------------------------
# 3. One computation for the look-again text and date; GI figures worded by sign
# --------------------------------------------------------------------------------------------


def test_the_nights_said_are_the_nights_to_the_date(priors):
    """jE F4: "try glycinate 200 mg for 17 nights and look again on 2025-03-13", 11 nights
    away, for a regimen taken 40 nights (continuing: the rest of its period)."""
    g200 = Regimen("glycinate", 200)
    past = History(g200, 40, frozenset({"glycinate"}), 3,
                   {g200: 40, Regimen("taurate", 200): 30, Regimen("citrate", 200): 30},
                   recently_taken=g200, gi_records_on=20)
    model = FakePosterior(n_draws=4000, seed=3, benefit=dict.fromkeys(FORMS, 0.1)
                          | {"glycinate": 0.3}, gi=dict.fromkeys(FORMS, 0.6)
                          | {"glycinate": -0.5}, benefit_sd=0.5)
    rec = decide(model, priors=priors, diary=past, as_of=AS_OF).recommendation
    assert rec.action == "continue" and "acute_gi" in rec.reason_codes
    courses = said_courses(rec.reasons)
    assert courses and all(n == nights_until(d, AS_OF) for n, d in courses), courses
    assert any("keep glycinate 200 mg for" in r for r in rec.reasons)


def _assessed(action: str, regimen: Regimen, p: float, gi: tuple[float, float, float]):
    mean, low, high = gi
    return ActionAssessment(action, regimen, {"gi_rate": mean}, {"gi_rate": low},
                            {"gi_rate": high}, 0.0, 0.0, 0.0, 0.0, p, True, (), 0.0, AS_OF)


def test_the_gentlest_step_says_more_gi_nights_when_its_mean_is_worse():
    """jE F4: "about -0.6 fewer GI nights per 100"."""
    stay = _assessed("continue", Regimen("glycinate", 200), 0.3, (0.0, 0.0, 0.0))
    lower = _assessed("decrease_dose", Regimen("glycinate", 100), 0.1, (-0.006, -0.017, 0.004))
    line = gentler_line(stay, [stay, lower], DecisionSettings())
    assert "about 0.2 more GI nights a month, 90% interval -0.1 to 0.5" in line
    assert "-0.2 fewer" not in line
    better = _assessed("decrease_dose", Regimen("glycinate", 100), 0.1, (0.05, 0.01, 0.09))
    assert "about 1.5 fewer GI nights a month, 90% interval 0.3 to 2.7" in gentler_line(
        stay, [stay, better], DecisionSettings())


# --------------------------------------------------------------------------------------------
# 4-5. P(best): among the regimens it is shared by, and counted once
# --------------------------------------------------------------------------------------------


def test_p_best_is_said_among_the_regimens_it_is_shared_by(priors):
    """jE F5: "P(best) 0.17 among the 14 options allowed now" counted the two experiments."""
    model = FakePosterior(n_draws=2000, benefit={"glycinate": 0.3}, expectation=0.3,
                          expectation_sd=0.3, entangled={"glycinate": 1.0})
    past = History(Regimen("glycinate", 300), 40, frozenset({"glycinate"}), 0,
                   {Regimen("glycinate", 300): 40})
    decision = decide(model, priors=priors, diary=past, as_of=AS_OF, separable=False)
    open_ = [a for a in decision.assessments if a.feasible]
    regimens = [a for a in open_ if a.action not in EXPERIMENTS]
    assert len(regimens) < len(open_)                  # an experiment is open
    assert sum(a.p_best for a in regimens) == pytest.approx(1.0)
    said = " ".join(decision.recommendation.reasons)
    assert f"among the {len(regimens)} options allowed now" in said


def test_collect_more_data_counts_continue_once(priors):
    """jE F6: the JSON listed "continue" again beside a collect_more_data carrying its
    scores: P(best) summed to 1.141."""
    forms8 = dict.fromkeys(FORMS, 0.3)
    model = FakePosterior(n_draws=4000, seed=3, benefit=forms8 | {"glycinate": 0.6},
                          gi=ZERO, benefit_sd=0.4, known={"glycinate": 0.3})
    past = History(Regimen("glycinate", 300), 40, frozenset({"glycinate"}), 0,
                   {Regimen("glycinate", 300): 40}, gi_records_on=20)
    out = decide(model, priors=priors, diary=past, as_of=AS_OF).to_dict()
    rec = out["recommendation"]
    assert rec["action"] == "collect_more_data"
    assert not any(a["action"] == "continue" for a in out["alternatives"])
    total = rec["p_best"] + sum(a["p_best"] for a in out["alternatives"])
    assert total == pytest.approx(1.0)


# --------------------------------------------------------------------------------------------
# 6. No commitment from too few draws
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("draws", [1, 2, 19])
def test_too_few_draws_never_commit(priors, draws):
    """jE F7: a one-draw posterior said "Clear enough to commit (P(best) > 0.99)"."""
    past = History(Regimen("glycinate", 200), 40, frozenset({"glycinate"}), 0,
                   {Regimen("glycinate", 200): 40})
    rec = decide(FakePosterior(n_draws=draws, benefit={"glycinate": 0.5}), priors=priors,
                 diary=past, as_of=AS_OF).recommendation
    assert not rec.commit and "commit" not in rec.reason_codes
    assert any(r.startswith(f"Not settled: the posterior has {draws} draw") and
               "fewer than the 20 a commitment needs" in r for r in rec.reasons)


def test_enough_draws_may_commit(priors):
    past = History(Regimen("glycinate", 300), 40, frozenset({"glycinate", "taurate",
                                                             "threonate"}), 0,
                   {Regimen(f, 300): 40 for f in ("glycinate", "taurate", "threonate")})
    model = FakePosterior(n_draws=20, gi=ZERO,                  # the fewest the CLI fits
                          benefit=ZERO | {"glycinate": 1.0}, benefit_sd=0.05)
    assert decide(model, priors=priors, diary=past, as_of=AS_OF,
                  profile=Profile(max_elemental_mg=300)).recommendation.commit


# --------------------------------------------------------------------------------------------
# 7. The withdrawal, valued as documented
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("tried", [1, 3])
def test_a_withdrawal_is_valued_as_stopping_less_its_cost(priors, tried):
    """What settings.experiment_periods, candidates and utility now say: the same contrast as
    stopping; before the crossover ends worth stopping's less ``experiment_cost``; after it,
    stopping's horizon is zero and the withdrawal keeps a learning value."""
    forms = ("glycinate", "taurate", "threonate")[:tried]
    past = History(Regimen("glycinate", 300), 40, frozenset(forms), 0,
                   {Regimen(f, 300): 40 for f in forms})
    model = FakePosterior(n_draws=2000, benefit={"glycinate": 0.3}, expectation=0.3,
                          expectation_sd=0.4, entangled={"glycinate": 1.0})
    rows = {a.action: a for a in decide(model, priors=priors, diary=past, as_of=AS_OF,
                                        separable=False).assessments}
    stop, off = rows["stop"], rows["withdrawal"]
    s = DecisionSettings()
    assert off.expected_utility == pytest.approx(stop.expected_utility - s.experiment_cost)
    if tried < s.crossover_forms:
        assert off.learning_value == pytest.approx(stop.learning_value)
    else:
        assert stop.learning_value == 0 and off.learning_value > 0
