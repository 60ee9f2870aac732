"""A trial plan written in the diary: analysed mid-trial, the advice keeps to it unless a rule
speaks (known answers on plans made by ``mgsleep plan``)."""

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest

from model.analysis.plan_ahead import follow_plan, plan_ahead
from model.cli.main import main
from model.core.regimen import NO_MAGNESIUM, Regimen
from model.data.diary import Diary, read_diary
from model.data.profile import Profile
from model.decision import decide, history, screen
from model.testing import FakePosterior

START = dt.date(2026, 10, 1)
# --seed 3: baseline 10-01..10-14, threonate 10-15..10-28, washout 10-29..11-04,
# glycinate 11-05..11-18, washout 11-19..11-25, then the second cycle to 2026-12-30
PLAN = ["plan", "--forms", "glycinate,threonate", "--start", str(START), "--seed", "3",
        "--washout-days", "7"]


def planned_diary(tmp_path, slept: int, *extra: str) -> pd.DataFrame:
    """A plan's diary with outcomes on its first ``slept`` nights (GI upsets on none)."""
    path = tmp_path / "plan.csv"
    assert main([*PLAN, *extra, "--out", str(path)]) == 0
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    rng = np.random.default_rng(0)
    table.loc[: slept - 1, "sol_min"] = [str(v) for v in rng.integers(10, 40, slept)]
    table.loc[: slept - 1, "awakenings"] = [str(v) for v in rng.integers(0, 3, slept)]
    table.loc[: slept - 1, "quality"] = [str(v) for v in rng.integers(2, 5, slept)]
    table.to_csv(path, index=False)
    return table


def read(tmp_path):
    return read_diary(tmp_path / "plan.csv")


def test_the_plan_ahead_starts_tonight_and_covers_the_next_treatment_period(tmp_path):
    planned_diary(tmp_path, 28)
    diary = read(tmp_path)
    plan = plan_ahead(diary, dt.date(2026, 10, 28))
    first, second = plan.periods[:2]
    assert (first.regimen, first.first, first.last) == (
        NO_MAGNESIUM, dt.date(2026, 10, 29), dt.date(2026, 11, 4))
    assert (second.regimen, second.first, second.last) == (
        Regimen("glycinate", 200), dt.date(2026, 11, 5), dt.date(2026, 11, 18))
    assert plan.covered == (first, second) and plan.end == dt.date(2026, 12, 30)
    assert plan.words == ("no magnesium from 2026-10-29 to 2026-11-04, then glycinate 200 mg "
                          "from 2026-11-05 to 2026-11-18 (the plan goes on to 2026-12-30)")
    # read days late, the advice begins tonight: a plan goes by the calendar, so also when
    # more than a week went unlogged
    for today in (dt.date(2026, 10, 31), dt.date(2026, 11, 9)):
        assert plan_ahead(diary, dt.date(2026, 10, 28), today=today).periods[0].first == today
    assert plan_ahead(diary, dt.date(2026, 10, 28), today=dt.date(2026, 11, 9)).words == (
        "glycinate 200 mg from 2026-11-09 to 2026-11-18 (the plan goes on to 2026-12-30)")
    # analysed as of an earlier night, the nights after it are what happened, not a plan
    assert plan_ahead(diary, dt.date(2026, 10, 20)) is None


def test_a_diary_without_a_regimen_ahead_has_no_plan(tmp_path):
    table = planned_diary(tmp_path, 28)
    table.loc[28:, ["form", "elemental_mg"]] = ""
    table.to_csv(tmp_path / "plan.csv", index=False)
    assert plan_ahead(read(tmp_path), dt.date(2026, 10, 28)) is None


def decision_for(diary, priors, profile=None, as_of=dt.date(2026, 10, 28), gi=0.5,
                 gi_form="glycinate"):
    """The model's own decision on the diary slept so far, and the one that follows the plan.

    ``gi``: the toy posterior's GI harm of ``gi_form`` at 300 mg (log-odds).
    """
    profile = profile or Profile()
    slept = Diary(diary.nights.loc[: str(as_of)], diary.source)
    posterior = FakePosterior(n_draws=1000, benefit={"threonate": 0.6}, gi={gi_form: gi})
    made = decide(posterior, priors=priors, profile=profile, diary=slept, as_of=as_of)
    return made, follow_plan(made, plan_ahead(diary, as_of), history(slept).current,
                             screen(profile, priors.safety), priors)


def test_the_plans_step_is_the_recommendation_with_the_models_own_among_the_reasons(tmp_path,
                                                                                    priors):
    planned_diary(tmp_path, 28)
    own, followed = decision_for(read(tmp_path), priors)
    rec = followed.recommendation
    assert own.recommendation.reason_codes != ("planned",)
    assert rec.reason_codes == ("planned",) and not rec.commit
    assert (rec.action, rec.regimen) == ("stop", NO_MAGNESIUM)   # threonate -> washout
    assert rec.next_review == dt.date(2026, 11, 19)            # after the glycinate period
    assert rec.reasons[0].startswith("Keep to your trial plan: no magnesium from 2026-10-29")
    # the model's own step said as its headline says it, not its first reason ("Continuing
    # ranks first; ..." for a decision to collect more nights)
    assert own.recommendation.action in ("continue", "collect_more_data")
    assert rec.reasons[2] == ("Without the plan the model's own next step would be: Continue "
                              "threonate, 200 mg elemental magnesium a day, one dose before "
                              "bedtime.")
    chosen = followed.assessments[followed.chosen]
    assert (chosen.action, chosen.regimen) == ("stop", NO_MAGNESIUM)
    assert rec.scores == chosen.scores


def test_a_referral_comes_before_the_plan(tmp_path, priors):
    planned_diary(tmp_path, 28)
    own, followed = decision_for(read(tmp_path), priors, Profile(egfr=20))
    rec = followed.recommendation
    assert rec.action == "refer" and "refer_stop" in rec.reason_codes
    assert rec.reasons == own.recommendation.reasons
    assert rec.warnings[-1].startswith("Your trial plan waits: the advice above comes first. "
                                       "The plan from tonight: no magnesium from 2026-10-29")


@pytest.mark.parametrize(("profile", "gi", "why"), [
    (Profile(max_elemental_mg=150), 0.5, "200 mg is above your ceiling of 150 mg a day"),
    (Profile(excluded_forms=("glycinate",)), 0.5, "a form your profile excludes"),
    (Profile(), 4.0, "not advised: P(over the GI limit) 0.96 is above 0.20."),
])
def test_a_planned_step_that_breaks_a_rule_is_not_advised(tmp_path, priors, profile, gi, why):
    planned_diary(tmp_path, 31)                        # three washout nights slept
    own, followed = decision_for(read(tmp_path), priors, profile, dt.date(2026, 10, 31), gi)
    rec = followed.recommendation
    assert "planned" not in rec.reason_codes
    assert (rec.action, rec.regimen) == (own.recommendation.action, own.recommendation.regimen)
    assert rec.warnings[-1].startswith("Your trial plan's step glycinate 200 mg from 2026-11-05")
    assert why in rec.warnings[-1] and rec.warnings[-1].endswith("The advice above replaces it.")
    assert "planned" in decision_for(read(tmp_path), priors, Profile(), dt.date(2026, 10, 31),
                                     0.5)[1].recommendation.reason_codes


def test_analyze_keeps_to_the_plan_in_its_words_and_json(tmp_path, capsys, priors_copy,
                                                         monkeypatch):
    planned_diary(tmp_path, 28)
    out = tmp_path / "out.json"
    monkeypatch.chdir(priors_copy.parent)         # --priors as typed: a relative path
    assert main(["analyze", str(tmp_path / "plan.csv"), "--no-cache", "--draws", "300",
                 "--seed", "1", "--as-of", "2026-10-28", "--json", str(out),
                 "--priors", priors_copy.name]) == 0
    printed = capsys.readouterr().out
    # a researcher's own priors are named (an outside audit: the result did not say), by
    # their whole path (a relative one named nothing once the JSON was read elsewhere)
    assert f"Priors: {priors_copy.resolve()} (not the bundled evidence)" in printed
    assert json.loads(out.read_text())["priors"] == {"directory": str(priors_copy.resolve()),
                                                     "bundled": False, "changed": [],
                                                     "settings_changed": False}
    assert ("Recommendation: Keep to your trial plan: no magnesium from 2026-10-29 to "
            "2026-11-04, then glycinate 200 mg from 2026-11-05 to 2026-11-18") in printed
    assert "Without the plan the model's own next step would be: " in printed
    assert ("Prior sensitivity: not checked: the step is your own trial plan's, not the "
            "model's") in printed
    result = json.loads(out.read_text())
    assert result["schema_version"] == 22
    assert result["recommendation"]["reason_codes"] == ["planned"]
    assert result["recommendation"]["next_review"] == "2026-11-19"
    assert result["plan_ahead"]["end"] == "2026-12-30"
    assert result["plan_ahead"]["unlogged_nights"] == 0
    assert result["plan_ahead"]["periods"][1] == {
        "form": "glycinate", "elemental_mg": 200.0, "split": False, "from": "2026-11-05",
        "to": "2026-11-18"}
    assert result["pathways"] == [] and result["prior_sensitivity"] == []


def test_a_titrated_plan_is_looked_at_after_the_whole_period_not_after_each_dose_step(tmp_path):
    # --titration: each period opens at 100 mg for 7 nights, then 200 mg for 14
    planned_diary(tmp_path, 35, "--titration")                 # threonate slept to 11-04
    plan = plan_ahead(read(tmp_path), dt.date(2026, 11, 4))
    washout, low, high = plan.covered
    assert washout.regimen == NO_MAGNESIUM and washout.last == dt.date(2026, 11, 11)
    assert (low.regimen, low.first) == (Regimen("glycinate", 100), dt.date(2026, 11, 12))
    assert (high.regimen, high.last) == (Regimen("glycinate", 200), dt.date(2026, 12, 2))
    assert plan.periods[len(plan.covered)].regimen == NO_MAGNESIUM


# -- an outside audit of the flow (2026-12-04) ----------------------------------------------
def test_continuing_a_planned_regimen_over_the_gi_constraint_is_not_advised(tmp_path, priors):
    planned_diary(tmp_path, 25)                          # threonate 10-15..10-25 slept
    as_of = dt.date(2026, 10, 25)
    mild = decision_for(read(tmp_path), priors, None, as_of)[1].recommendation
    assert mild.reason_codes == ("planned",) and mild.action == "continue"
    harsh = decision_for(read(tmp_path), priors, None, as_of, 3.0, "threonate")[1]
    rec = harsh.recommendation
    assert "planned" not in rec.reason_codes and "harm" not in rec.reason_codes
    assert rec.warnings[-1].startswith("Your trial plan's step threonate 200 mg from "
                                       "2026-10-26 to 2026-10-28 is not advised: P(over")
    # GI nights so many that stopping is better (code harm): the plan waits, the form is left;
    # a harm rests on what the diary records, so its nights record stool or GI upset
    table = pd.read_csv(tmp_path / "plan.csv", dtype=str, keep_default_na=False)
    table.loc[:24, "gi_upset"] = "0"
    table.to_csv(tmp_path / "plan.csv", index=False)
    harmful = decision_for(read(tmp_path), priors, None, as_of, 4.0, "threonate")[1]
    rec = harmful.recommendation
    assert "harm" in rec.reason_codes and rec.regimen.form != "threonate"
    assert rec.warnings[-1].startswith("Your trial plan waits: the advice above comes first.")


def test_loose_stools_on_a_periods_last_night_keep_to_the_planned_washout(tmp_path, priors):
    table = planned_diary(tmp_path, 28)
    table.loc[[25, 27], "gi_upset"] = "1"                # two GI nights on threonate
    table.to_csv(tmp_path / "plan.csv", index=False)
    own, followed = decision_for(read(tmp_path), priors)
    assert "acute_gi" in own.recommendation.reason_codes
    rec = followed.recommendation
    assert rec.reason_codes == ("planned",) and (rec.action, rec.regimen) == ("stop",
                                                                            NO_MAGNESIUM)
    assert any(w.startswith("2 GI nights in the last 7 on threonate 200 mg") for w in rec.warnings)


def test_a_later_step_that_breaks_a_hard_rule_is_named_now(tmp_path, priors):
    planned_diary(tmp_path, 31)                        # in the washout: threonate excluded
    profile = Profile(excluded_forms=("threonate",))
    rec = decision_for(read(tmp_path), priors, profile, dt.date(2026, 10, 31))[1].recommendation
    assert rec.reason_codes == ("planned",)
    assert ("Your trial plan's later step threonate 200 mg from 2026-12-17 to 2026-12-30 is not "
            "advised: threonate is a form your profile excludes; when it comes, the advice "
            "will replace it.") in rec.warnings


def test_nights_left_unlogged_are_named_and_one_night_reads_on(tmp_path, priors):
    planned_diary(tmp_path, 28)
    diary = read(tmp_path)
    late = plan_ahead(diary, dt.date(2026, 10, 28), today=dt.date(2026, 11, 18))
    assert late.unlogged == 20 and late.periods[0].words == "glycinate 200 mg on 2026-11-18"
    slept = Diary(diary.nights.loc[:"2026-10-28"], diary.source)
    made = decide(FakePosterior(n_draws=1000), priors=priors, diary=slept,
                  as_of=dt.date(2026, 10, 28))
    rec = follow_plan(made, late, history(slept).current, screen(Profile(), priors.safety),
                      priors).recommendation
    # a user audit: the README says the nights are named; the warning only counted them
    assert ("20 night(s) before tonight not logged (2026-10-29 to 2026-11-17): log them "
            "(mgsleep log) so that the analysis sees them") in rec.warnings


@pytest.mark.parametrize(("current", "planned", "action"), [
    (Regimen("placebo"), NO_MAGNESIUM, "stop"),          # after an open placebo period
    (NO_MAGNESIUM, Regimen("placebo"), "start"),
    (Regimen("glycinate", 200), Regimen("placebo"), "stop"),
    (Regimen("glycinate", 200), Regimen("glycinate", 300), "increase_dose"),
    (Regimen("glycinate", 200), Regimen("threonate", 100), "switch_form"),
])
def test_the_json_action_of_a_planned_step(current, planned, action):
    from model.analysis.plan_ahead import _action

    assert _action(current, planned) == action


def test_planned_rows_not_slept_do_not_count_as_nights(tmp_path, capsys):
    table = planned_diary(tmp_path, 3)
    table.loc[8, "sol_min"] = "20"          # nights 4-8 skipped: 9 rows, 4 with an outcome
    table.to_csv(tmp_path / "plan.csv", index=False)
    assert main(["analyze", str(tmp_path / "plan.csv"), "--no-cache"]) == 2
    err = capsys.readouterr().err
    assert "4 nights with an outcome recorded" in err and "record 3 more" in err


def test_a_followed_plan_says_what_the_profile_left_out(tmp_path, priors):
    """A plan followed lost the screen's missing-fact warnings (no age: mgsleep is for adults;
    kidney function not known) that the model's own step gave."""
    planned_diary(tmp_path, 28)
    own, followed = decision_for(read(tmp_path), priors, Profile(pregnant=False))
    facts = screen(Profile(pregnant=False), priors.safety).fact_warnings
    assert facts and set(facts) <= set(own.recommendation.warnings)
    assert set(facts) <= set(followed.recommendation.warnings)
