"""The closed loop: the world's truth of a regimen, a diary grown period by period, the policies.

``benchmarks/closed_loop.py`` follows decision policies night by night in the independent
world (:mod:`model.simulate.world`); these tests pin its pieces and run its loop on two persons.
"""

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from model import load_priors
from model.core.regimen import NO_MAGNESIUM, Regimen
from model.data.diary import read_diary
from model.data.profile import Profile, Weights
from model.decision.decide import decide
from model.decision.history import History
from model.personal.fit import PersonalModel
from model.simulate.world import (
    WorldPerson,
    extend_world,
    simulate_world,
    true_change,
    true_utility,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import itertools

import closed_loop as cl

GLY200 = Regimen("glycinate", 200.0)
RESPONDER = WorldPerson(effects={"glycinate": {"sol": 0.7, "awakenings": 0.8, "quality": 0.5,
                                               "anxiety": -1.0}},
                        sol_minutes=40.0, awakenings_mean=2.0, hill_ed50_mg=200.0)


@pytest.fixture(scope="module")
def priors():
    return load_priors()


def test_true_change_is_magnesiums_own_effect_at_full_build_up():
    change = true_change(RESPONDER, GLY200)               # Hill fraction 0.5 at the ED50
    assert change["sol"] == pytest.approx(40.0 * (0.7 - 1) * 0.5)
    assert change["awakenings"] == pytest.approx(2.0 * (0.8 - 1) * 0.5)
    assert change["quality"] == pytest.approx(0.25)
    assert change["anxiety"] == pytest.approx(-0.5)
    assert change["freshness"] == 0.0
    gi = RESPONDER.gi_probability(GLY200) - RESPONDER.gi_probability(NO_MAGNESIUM)
    # a chelate, calm gut: no more loose stools than without magnesium, and never fewer
    assert change["gi"] == pytest.approx(gi) and change["gi"] == 0
    at_300 = true_change(RESPONDER, Regimen("glycinate", 300.0))["sol"]
    assert at_300 == pytest.approx(40.0 * -0.3 * 300**2 / (200**2 + 300**2))
    assert all(v == 0.0 for v in true_change(RESPONDER, NO_MAGNESIUM).values())
    assert all(v == 0.0 for v in true_change(RESPONDER, Regimen("placebo")).values())
    other = true_change(RESPONDER, Regimen("taurate", 200.0))
    assert other["sol"] == 0.0 and other["quality"] == 0.0


def test_expectation_and_drift_do_not_enter_the_true_change():
    hopeful = WorldPerson(effects=RESPONDER.effects, sol_minutes=40.0, awakenings_mean=2.0,
                          hill_ed50_mg=200.0, expectation=0.3, drift=0.4, bad_enter=0.2)
    assert true_change(hopeful, GLY200) == true_change(RESPONDER, GLY200)


def test_true_utility_weighs_improvements_in_mcids(priors):
    profile = Profile()                                   # sleep onset: sol 2, quality 1, ...
    change = true_change(RESPONDER, GLY200)
    mcid = {o: priors.settings.outcomes[o].mcid for o in change}
    expected = (2.0 * 6.0 / mcid["sol"] + 1.0 * 0.2 / mcid["awakenings"]
                + 1.0 * 0.25 / mcid["quality"] + 0.5 * 0.5 / mcid["anxiety"]
                - change["gi"] / mcid["gi"])
    utility = true_utility(RESPONDER, GLY200, priors, profile)
    assert utility == pytest.approx(expected) and utility > 0
    heavier = true_utility(RESPONDER, GLY200, priors, Profile(weights=Weights(sol=4.0)))
    scale = 5.0 / 7.0             # weights are relative: rescaled to the defaults' total, 5
    assert heavier == pytest.approx(scale * (4.0 * 6.0 / mcid["sol"] + 1.0 * 0.2 / mcid[
        "awakenings"] + 1.0 * 0.25 / mcid["quality"] + 0.5 * 0.5 / mcid["anxiety"])
        - change["gi"] / mcid["gi"])
    assert true_utility(RESPONDER, NO_MAGNESIUM, priors, profile) == 0.0
    harm = true_utility(RESPONDER, Regimen("citrate", 300.0), priors, profile, gi_weight=2.0)
    gi = true_change(RESPONDER, Regimen("citrate", 300.0))["gi"]
    assert gi > 0 and harm == pytest.approx(-2.0 * gi / mcid["gi"])


def test_a_grown_diary_keeps_its_earlier_nights_and_follows_the_regimens():
    person = WorldPerson()
    first = [NO_MAGNESIUM] * 14
    plan = first + [GLY200] * 14
    frame = extend_world(person, pd.DataFrame(), first + [NO_MAGNESIUM] * 14, 14, seed=3)
    assert len(frame) == 14 and (frame["form"] == "").all()
    grown = extend_world(person, frame, plan, 21, seed=3)
    assert len(grown) == 21
    pd.testing.assert_frame_equal(grown.iloc[:14], frame)
    assert (grown["form"].iloc[14:] == "glycinate").all()
    assert (grown["elemental_mg"].iloc[14:] == 200).all()
    assert list(grown["date"]) == list(pd.date_range("2026-01-01", periods=21).strftime(
        "%Y-%m-%d"))
    whole = simulate_world(person, plan, seed=3)
    pd.testing.assert_frame_equal(grown.iloc[14:], whole.iloc[14:21])
    with pytest.raises(ValueError, match="nights"):
        extend_world(person, grown, plan, 10, seed=3)


def _look(priors, regimens, bristol=None):
    frame = simulate_world(WorldPerson(), regimens, seed=1)
    if bristol is not None:
        frame["stool_bristol"] = bristol
    subject = cl.Subject(0, WorldPerson(), Profile(), 1)
    return cl.Look(subject, priors, frame, tuple(regimens))


def test_fixed_and_titration_regimens(priors):
    baseline = [NO_MAGNESIUM] * 14
    assert cl.fixed(_look(priors, baseline)) == cl.Step(GLY200, 84)
    first = cl.titration(_look(priors, baseline, bristol=3.0))
    assert first == cl.Step(Regimen("glycinate", 100.0), 14)
    on_100 = baseline + [Regimen("glycinate", 100.0)] * 14
    assert cl.titration(_look(priors, on_100, bristol=3.0)).regimen == GLY200
    on_300 = on_100 + [GLY200] * 14 + [Regimen("glycinate", 300.0)] * 14
    assert cl.titration(_look(priors, on_300, bristol=3.0)) == cl.Step(
        Regimen("glycinate", 300.0), 42)
    loose = np.r_[np.full(42, 3.0), np.full(14, 7.0)]        # GI nights at 300 mg: step down
    down = cl.titration(_look(priors, on_300, bristol=loose))
    assert down == cl.Step(GLY200, 42)
    held = on_300 + [GLY200] * 14
    assert cl.titration(_look(priors, held, bristol=3.0)) == cl.Step(GLY200, 28)


def test_the_titration_loop_steps_up_every_14_nights(priors):
    calm = cl.Subject(0, WorldPerson(gut_sensitivity=-3.0), Profile(), 5)
    _, taken, looks = cl.follow(calm, cl.titration, priors)
    assert len(taken) == cl.TOTAL and looks[-1]["night"] == cl.TOTAL
    assert [r.elemental_mg for r in taken[13:57:14]] == [0.0, 100.0, 200.0, 300.0]
    assert set(taken[42:]) == {Regimen("glycinate", 300.0)}


def test_a_person_who_looks_every_k_nights_looks_between_the_dates_too(priors):
    """``--look-every K``: the person also looks every K nights, and still on the dates."""
    calm = cl.Subject(0, WorldPerson(gut_sensitivity=-3.0), Profile(), 5)
    _, taken, looks = cl.follow(calm, cl.titration, priors, every=5)
    nights = [look["night"] for look in looks]
    assert len(taken) == cl.TOTAL and nights[-1] == cl.TOTAL
    assert all(0 < b - a <= 5 for a, b in itertools.pairwise(nights))
    daily = cl.follow(calm, cl.titration, priors, every=1)[2]
    assert [look["night"] for look in daily] == list(range(cl.BASELINE, cl.TOTAL + 1))


def test_before_after_keeps_glycinate_when_latency_fell(priors):
    on = [NO_MAGNESIUM] * 14 + [GLY200] * 28
    look = _look(priors, on)
    look.frame["sol_min"] = np.r_[np.full(14, 40.0), np.full(28, 20.0)]
    assert cl.before_after(look) == cl.Step(GLY200, 56)
    look.frame["sol_min"] = np.r_[np.full(14, 20.0), np.full(28, 40.0)]
    assert cl.before_after(look) == cl.Step(cl.THREONATE_200, 28)


def test_a_ceiling_breach_is_counted(priors):
    subject = cl.Subject(0, RESPONDER, Profile(), 2)
    _, taken, looks = cl.follow(subject, lambda look: cl.Step(Regimen("glycinate", 400.0),
                                                              look.remaining), priors)
    record = cl.score(subject, taken, looks, priors)
    assert record["ceiling_breaches"] == 85                # 84 nights and the final regimen
    assert record["best"] == "glycinate@350"               # the ceiling: a Hill curve rises


def test_regret_splits_into_forms_never_tried_and_the_choice_among_the_tried(priors):
    subject = cl.Subject(0, RESPONDER, Profile(gut_sensitivity="none"), 2)

    def utility(regimen):
        return true_utility(RESPONDER, regimen, priors, subject.profile)

    def stays_on(regimen):
        return lambda look: cl.Step(regimen, look.remaining)

    # glycinate works: a policy that never tries it misses it by design, not by its choice
    _, taken, looks = cl.follow(subject, stays_on(Regimen("taurate", 200.0)), priors)
    record = cl.score(subject, taken, looks, priors)
    limit = priors.safety.gi_constraint.limit
    best = max(utility(r) for r in cl.allowed_regimens(subject.profile, priors)
               if r.form in ("taurate", "none") and true_change(RESPONDER, r)["gi"] <= limit)
    assert record["design_loss"] == pytest.approx(record["best_utility"] - best)
    assert record["design_loss"] > 1.0
    # glycinate 100 mg: the form is found, the dose is the choice's loss
    _, taken, looks = cl.follow(subject, stays_on(Regimen("glycinate", 100.0)), priors)
    record = cl.score(subject, taken, looks, priors)
    assert record["design_loss"] == 0.0
    assert record["selection_loss"] == pytest.approx(
        record["best_utility"] - utility(Regimen("glycinate", 100.0)))
    assert record["selection_loss"] > 0.5
    assert record["dose_loss"] == pytest.approx(record["selection_loss"])   # all of it the dose


def test_the_choice_loss_splits_into_the_dose_and_the_form(priors):
    subject = cl.Subject(0, RESPONDER, Profile(gut_sensitivity="none"), 2)

    def utility(regimen):
        return true_utility(RESPONDER, regimen, priors, subject.profile)

    def tries_then_keeps(regimen):
        def policy(look):
            return cl.Step(GLY200 if look.night < 56 else regimen, 42 if look.night < 56 else
                           look.remaining)
        return policy

    limit = priors.safety.gi_constraint.limit
    # glycinate tried, taurate (which does nothing) kept: the form is the loss, the dose of
    # taurate only the little its GI changes from one dose to another
    _, taken, looks = cl.follow(subject, tries_then_keeps(Regimen("taurate", 200.0)), priors)
    record = cl.score(subject, taken, looks, priors)
    taurate = [utility(r) for r in cl.allowed_regimens(subject.profile, priors)
               if r.form == "taurate" and true_change(RESPONDER, r)["gi"] <= limit]
    assert record["design_loss"] == 0.0 and record["selection_loss"] > 1.0
    assert record["dose_loss"] == pytest.approx(max(taurate) - utility(Regimen("taurate", 200.0)))
    assert 0.0 <= record["dose_loss"] < 0.1 * record["selection_loss"]
    # no magnesium at the end: no dose to lose
    _, taken, looks = cl.follow(subject, tries_then_keeps(NO_MAGNESIUM), priors)
    record = cl.score(subject, taken, looks, priors)
    assert record["dose_loss"] == 0.0 and record["selection_loss"] > 1.0


def test_a_world_changes_every_person_alike_and_keeps_persons_and_noise():
    drawn, quiet = cl.draw_subjects(6, 4), cl.draw_subjects(6, 4, world="flat_dose")
    for a, b in zip(drawn, quiet, strict=True):
        assert (a.index, a.profile, a.seed) == (b.index, b.profile, b.seed)
        assert b.person.effects == a.person.effects
        assert b.person.gut_sensitivity == a.person.gut_sensitivity
        assert (b.person.bad_enter, b.person.sol_shape, b.person.rating_rho,
                b.person.hill_ed50_mg) == (0.0, 10.0, 0.0, 60.0)
    assert b.person.dose_fraction(200.0) == pytest.approx(0.917, abs=1e-3)
    assert {a.person.hill_ed50_mg for a in drawn} != {60.0}
    assert all(s.person.expectation == 0.0 and s.person.drift == 0.0
               for s in cl.draw_subjects(3, 4, world="no_expectation"))


def test_some_policies_in_another_world_through_the_loop(capsys):
    result = cl.main(["--persons", "2", "--workers", "1", "--full-subset", "0",
                      "--draws", "200", "--seed", "3", "--world", "quiet",
                      "--policies", "sweep,tool"])
    summary = pd.DataFrame(result["summary"]).set_index("policy")
    assert list(summary.index) == ["tool", "sweep"]          # the table's order
    assert result["world"] == "quiet" and result["policies"] == ["tool", "sweep"]
    records = pd.DataFrame(result["records"])
    assert (records["dose_loss"] >= 0).all()
    assert (records.loc[records["final"] == "none", "dose_loss"] == 0).all()
    assert "2 persons (quiet world; " in capsys.readouterr().out
    with pytest.raises(SystemExit):
        cl.main(["--persons", "1", "--policies", "tool,greedy"])
    assert "unknown policy greedy" in capsys.readouterr().err


def test_two_persons_through_the_whole_loop(capsys):
    result = cl.main(["--persons", "2", "--workers", "1", "--full-subset", "0",
                      "--draws", "200", "--seed", "3", "--restricted", "0"])
    summary = pd.DataFrame(result["summary"]).set_index("policy")
    assert list(summary.index) == list(cl.POLICIES)
    assert (summary.loc[["tool", "thompson"], "ceiling_breaches"] == 0).all()
    assert (summary["persons"] == 2).all()
    records = pd.DataFrame(result["records"])
    assert np.allclose(records["regret_week12"],
                       records["best_utility"] - records["final_utility"])
    assert np.allclose(records["design_loss"] + records["selection_loss"],
                       records["regret_week12"])
    assert (records["design_loss"] >= 0).all()
    assert (records.loc[records["policy"] == "fixed", "final"] == "glycinate@200").all()
    for looks in records.loc[records["policy"] == "tool", "looks"]:
        nights = [k["night"] for k in looks]
        assert nights[0] == cl.BASELINE and nights[-1] == cl.TOTAL
        steps = np.diff(nights)
        gi_looks = np.array([k["gi_look"] for k in looks[1:]])
        assert (steps > 0).all() and (steps[:-1][~gi_looks[:-1]] >= cl.MIN_PERIOD).all()
    assert records.loc[records["policy"] == "fixed", "estimate_error"].isna().all()
    assert all(np.isfinite(e) for e in records.loc[records["policy"] == "tool",
                                                   "estimate_error"])
    out = capsys.readouterr().out
    assert "| policy | persons | regret wk 12 |" in out and "| tool | 2 |" in out
    assert "minus the truth, at the last look: responders" in out


def test_agreement_figures_of_quick_and_full():
    rows = [{"quick": "continue none", "full": "continue none", "diagnostics_ok": True,
             "same_options": True, "p_best_chosen": (0.5, 0.4),
             "p_best": [(0.5, 0.4), (0.3, 0.35), (0.2, 0.25)],
             "p_violation": [(0.0, 0.0), (0.1, 0.12), (0.3, 0.2)]},
            {"quick": "start glycinate@100", "full": "start taurate@100", "diagnostics_ok": True,
             "same_options": True, "p_best_chosen": (0.9, 0.9), "p_best": [(0.9, 0.9)],
             "p_violation": []},
            # the fits' evaluation periods differ, so P(best) (over the open options) is not
            # compared; P(GI violation) is
            {"quick": "continue none", "full": "continue none", "diagnostics_ok": True,
             "same_options": False, "p_best_chosen": None, "p_best": [],
             "p_violation": [(0.2, 0.2)]}]
    figures = cl.agreement(rows)
    assert figures["same_advice"] == pytest.approx(2 / 3)
    assert figures["same_options"] == pytest.approx(2 / 3)
    assert figures["p_best_chosen"]["n"] == 2
    assert figures["p_best_chosen"]["max_abs_diff"] == pytest.approx(0.1)
    assert figures["p_best_all"]["n"] == 4
    assert figures["p_best_all"]["corr"] == pytest.approx(
        np.corrcoef([0.5, 0.3, 0.2, 0.9], [0.4, 0.35, 0.25, 0.9])[0, 1])
    assert figures["p_violation_all"]["max_abs_diff"] == pytest.approx(0.1)


def check_row(quick="continue none", full="continue none", chosen=(0.5, 0.5), gi=(0.1, 0.1)):
    return {"quick": quick, "full": full, "diagnostics_ok": True, "same_options": True,
            "p_best_chosen": chosen,
            "p_best": [chosen], "p_violation": [gi]}


def test_the_quick_model_is_refused_on_gi_on_average_p_best_or_on_advice():
    agreeing = [check_row() for _ in range(6)]
    assert cl.verdict(cl.agreement(agreeing)) == ("", "")
    # one look off by 0.16 in P(best), the rest equal: a warning, not a refusal
    one_off = [check_row(chosen=(0.56, 0.40)), *agreeing[1:]]
    refused, warned = cl.verdict(cl.agreement(one_off))
    assert refused == "" and "0.160" in warned
    # the safety constraint: one look off by more than the tolerance refuses
    gi_off = [check_row(gi=(0.05, 0.25)), *agreeing[1:]]
    assert "P(GI violation)" in cl.verdict(cl.agreement(gi_off))[0]
    # P(best) off on average, or different advice at half the looks
    drifting = [check_row(chosen=(0.6, 0.5)) for _ in range(6)]
    assert "on average" in cl.verdict(cl.agreement(drifting))[0]
    split = [check_row(full="stop none") for _ in range(3)] + agreeing[:3]
    assert "same advice" in cl.verdict(cl.agreement(split))[0]


def test_a_failed_fit_keeps_the_current_regimen_in_the_loop(priors):
    # the advice of a failed fit names no regimen and says to keep the current routine
    subject = cl.draw_subjects(1, 1)[0]
    look = cl.Look(subject, priors, pd.DataFrame(), (NO_MAGNESIUM,) * 14 + (GLY200,) * 10)
    failed = decide(lambda regimens: None, priors=priors, as_of=look.as_of,
                    diary=History(GLY200, 10, frozenset({"glycinate"}), 0),
                    diagnostics_ok=False)
    assert failed.recommendation.regimen is None
    assert cl.step_of(failed, look).regimen == GLY200


def test_the_full_and_the_quick_model_take_first_steps_alike(priors):
    """Untried forms differ by weak evidence, often by less than the draws' noise: the two
    models may break such a tie differently, but the quick model's first step must be as good
    as the full model's own by the full model's numbers (within 0.25, the benchmark's
    tolerance for a final regimen), at the same dose."""
    subject = cl.draw_subjects(1, 2)[0]
    frame = simulate_world(subject.person, [NO_MAGNESIUM] * cl.BASELINE, seed=subject.seed,
                           start=cl.START.isoformat())
    look = cl.Look(subject, priors, frame, (NO_MAGNESIUM,) * cl.BASELINE)
    # 4,000 quick draws: at 500 this person's 200 mg sat on the GI line by Monte Carlo alone
    # (P 0.19 by the full fit against 0.20), and the quick step fell to 100 mg once the graph
    # gained a covariate (the draws' stream moved)
    quick = cl.tool(look, draws=4000)
    diary = read_diary(frame)
    full = PersonalModel(priors, random_seed=subject.seed, progressbar=False,
                         **cl.FULL_FIT).fit(diary)
    decision = cl.decide_at(look, full.predict, diary, "expected_utility")
    assessed = {a.regimen: a for a in decision.assessments}
    chosen = decision.recommendation.regimen
    assert chosen.active and chosen.elemental_mg == quick.regimen.elemental_mg
    assert chosen.elemental_mg <= priors.safety.ceiling.default_mg_per_day
    # at the GI constraint's line the two fits' Monte Carlo shares may fall either side of it
    # (quick 0.196, full 0.205 against 0.2): the quick step is then on the line, not over it
    mine = assessed[quick.regimen]
    assert mine.feasible or mine.p_constraint_violation <= (
        priors.safety.gi_constraint.epsilon + 0.03)
    assert mine.expected_utility >= assessed[chosen].expected_utility - 0.25


def test_the_full_loop_is_paired_with_the_quick_run_on_its_own_persons(monkeypatch, capsys):
    def rows(policy, regrets):
        return pd.DataFrame({"policy": policy, "person": range(len(regrets)),
                             "regret_week12": regrets, "regret_mean": regrets,
                             "within_025": 0.0, "design_loss": 0.0, "selection_loss": regrets,
                             "dose_loss": 0.0,
                             "gi_limit_nights": 0.0, "ceiling_breaches": 0, "committed": True,
                             "commit_week": 8.0, "committed_kept": True,
                             "kept_commit_week": 8.0, "seconds": 1.0})

    quick = rows("tool", [1.0, 2.0, 3.0, 9.0])                 # person 3 is not in the subset
    monkeypatch.setattr(cl, "run", lambda subjects, **_: rows("tool_full", [1.5, 2.0, 3.5]))
    summary = pd.DataFrame(cl.full_loop(cl.draw_subjects(3, 1), quick, 100)["summary"])
    summary = summary.set_index("policy")
    assert summary.loc["tool", "persons"] == 3 and summary.loc["tool", "regret_week12"] == 2.0
    assert summary.loc["tool_full", "gap_to_tool"] == pytest.approx(1 / 3)
    assert "| tool_full | 3 |" in capsys.readouterr().out


def test_a_step_on_magnesium_ends_at_acute_gi():
    # GI nights (Bristol 6-7) on the step's nights 0, 7, 11 and 12
    stool = [7, 4, 3, 4, 4, 4, 4, 6, 4, 4, np.nan, 6, 7, 4]
    frame = pd.DataFrame({"stool_bristol": [6.0] * 3 + stool})
    # nights 0 and 7 are 8 apart (not within 7); 7 and 11 are: the look comes after night 11
    assert cl.acute_gi_end(frame, 3, 17) == 3 + 12
    assert cl.acute_gi_end(frame, 3, 3 + 11) == 3 + 11        # not within the step: its end
    # (the GI nights before the step, rows 0-2, did not count); nor does a blank night
    assert cl.acute_gi_end(pd.DataFrame({"stool_bristol": [np.nan, 6, 4, 4]}), 0, 4) == 4


def test_the_best_form_kept_is_counted_by_the_slot_it_was_tried_in():
    def run(regimens, best, final, responder=True):
        return {"looks": [{"regimen": r} for r in regimens], "best": best, "final": final,
                "responder": responder}

    group = pd.DataFrame([
        # the best form tried second and kept; placebo and no magnesium are not forms
        run(["none", "threonate@200", "placebo", "glycinate@200", "glycinate@300"],
            "glycinate@350", "glycinate@300"),
        # the best form tried second, the first one kept instead
        run(["threonate@200", "glycinate@200", "taurate@200", "threonate@200"],
            "glycinate@350", "threonate@200"),
        # the best form tried third, none kept
        run(["threonate@200", "glycinate@200", "taurate@200", "none"], "taurate@350", "none"),
        # the best form never tried: not counted
        run(["threonate@200", "none"], "citrate@350x2", "none"),
        # a non-responder whose best is a chelate (a few loose-stool nights less): not counted
        run(["threonate@200", "glycinate@200", "none"], "glycinate@350", "none", False),
    ])
    assert cl.forms_in_order(group["looks"][0]) == ["threonate", "glycinate"]
    assert cl.kept_by_slot(group) == (
        "tried #2: 2 persons, kept it 1, the first form 1, none 0, another 0; "
        "tried #3: 1 persons, kept it 0, the first form 0, none 1, another 0")


def test_the_gap_to_the_tool_is_paired_person_by_person():
    records = pd.DataFrame({"person": [0, 1, 2, 0, 1, 2],
                            "policy": ["tool"] * 3 + ["fixed"] * 3,
                            "regret_week12": [1.0, 3.0, 0.0, 1.5, 3.5, 1.0]})
    mean, error = cl.paired_gap(records, "fixed")
    gaps = np.array([0.5, 0.5, 1.0])
    assert mean == pytest.approx(gaps.mean())
    assert error == pytest.approx(gaps.std(ddof=1) / np.sqrt(3))
    # the unpaired spread of the two means is far larger than the paired one
    assert error < np.std([1.0, 3.0, 0.0], ddof=1) / np.sqrt(3)
    assert cl.paired_gap(records, "tool") == (0.0, 0.0)
    assert cl.paired_gap(records, "thompson") is None


def test_the_models_estimates_are_its_own_utility_against_no_magnesium(priors):
    """``estimates`` (the last look's figures, set against the truth) are the decision's
    expected changes (each draw's change of the nightly means, as the effects give them)
    weighted as its utility is: on a posterior with (nearly) no spread they differ between two
    changes as the expected utilities do (same switching cost): same weights, MCIDs and
    signs. With spread they differ by the scale's curvature, which the utility leaves out."""
    from model.testing import FakePosterior

    subject = cl.draw_subjects(1, 1)[0]
    look = cl.Look(subject, priors, pd.DataFrame(), (NO_MAGNESIUM,) * 14 + (GLY200,) * 30)
    fake = FakePosterior(benefit={"glycinate": 0.3, "taurate": 0.5}, gi={"citrate": 1.5},
                         benefit_sd=0.02, gi_sd=0.02, baseline_gi_sd=0.02)
    decision = decide(fake, priors=priors, profile=subject.profile, as_of=look.as_of,
                      diary=History(GLY200, 30, frozenset({"glycinate"}), 0))
    found = dict(cl.estimates(decision, look))
    eu = {a.regimen.label: a.expected_utility for a in decision.assessments
          if a.action in ("switch_form", "stop")}
    assert {"taurate@200", "citrate@200"} <= found.keys() and "none" in eu
    for label in ("taurate@200", "citrate@200"):
        assert found[label] == pytest.approx(eu[label] - eu["none"], abs=0.05)
    assert found["taurate@200"] > 0 > found["citrate@200"]     # taurate helps, citrate's GI
