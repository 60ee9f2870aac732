"""A trial plan ahead in the diary, an outside audit's findings (2026-12-04): a blinded plan
ahead is kept to, loose stools keep a planned washout, unlogged nights count from the last
night with an outcome (known answers on plans made by ``mgsleep plan``)."""

import dataclasses
import datetime as dt
import json

import pytest
from test_plan_ahead import planned_diary

from model.analysis.plan_ahead import PlanAhead, follow_plan, plan_ahead
from model.cli.main import main
from model.core.regimen import NO_MAGNESIUM, Regimen
from model.data.diary import Diary, read_diary
from model.data.profile import Profile
from model.decision import Decision, decide, history, screen
from model.decision.rule_words import beyond_studied_warning
from model.evidence.priorset import PriorSet
from model.testing import FakePosterior


def followed(diary: Diary, priors: PriorSet, as_of: dt.date,
             posterior: FakePosterior) -> tuple[Decision, PlanAhead, Decision]:
    """The model's own decision on the nights up to ``as_of``, the plan, and the plan followed."""
    slept = Diary(diary.nights.loc[: str(as_of)], diary.source)
    made = decide(posterior, priors=priors, profile=Profile(), diary=slept, as_of=as_of)
    plan = plan_ahead(diary, as_of)
    assert plan is not None
    return made, plan, follow_plan(made, plan, history(slept).current,
                                   screen(Profile(), priors.safety), priors)


def test_a_blinded_plan_ahead_is_kept_to_without_naming_what_its_pots_hold(tmp_path, priors):
    # --blind --seed 3: pot C 10-15..10-28, pot A 11-05..11-18, pot B 11-26..12-09, ...
    planned_diary(tmp_path, 14, "--blind")                 # the baseline slept, pots ahead
    diary = read_diary(tmp_path / "plan.csv")
    _, plan, kept = followed(diary, priors, dt.date(2026, 10, 14),
                             FakePosterior(benefit={"threonate": 0.6}))
    pot = plan.periods[0]
    assert (pot.regimen, pot.pot, pot.first) == (None, "C", dt.date(2026, 10, 15))
    assert pot.to_dict() == {"form": None, "elemental_mg": None, "split": None, "pot": "C",
                             "from": "2026-10-15", "to": "2026-10-28"}
    assert plan.periods[1].regimen == NO_MAGNESIUM and "pot" not in plan.periods[1].to_dict()
    assert plan.words == f"pot C from 2026-10-15 to 2026-10-28 (the plan goes on to {plan.end})"
    rec = kept.recommendation
    assert rec.reason_codes == ("planned",) and (rec.action, rec.regimen) == ("start", None)
    assert kept.chosen is None and not rec.scores.from_posterior
    assert rec.reasons[0].startswith("Keep to your trial plan: pot C from 2026-10-15")
    # a diary with pot nights logged is analysed unblinded: the look is after the plan
    assert rec.next_review == plan.end + dt.timedelta(days=1)
    assert "A blinded trial is analysed when it ends, unblinded" in rec.reasons[1]
    assert any(w.startswith("Your trial plan's pots (A, B, C) are sealed in its key")
               for w in rec.warnings)


def test_analyze_keeps_to_a_blinded_plan_ahead(tmp_path, capsys):
    planned_diary(tmp_path, 14, "--blind")
    out = tmp_path / "out.json"
    assert main(["analyze", str(tmp_path / "plan.csv"), "--no-cache", "--draws", "300",
                 "--seed", "1", "--as-of", "2026-10-14", "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Recommendation: Keep to your trial plan: pot C from 2026-10-15 to 2026-10-28" \
        in printed
    # a trial audit: "what you took (form and mg)", logged on a pot night, overrode the key
    assert "Write down every morning: which pot you took (keep its code in notes; never the " \
        "form or dose)" in printed and "form and mg" not in printed
    result = json.loads(out.read_text())
    assert result["recommendation"]["reason_codes"] == ["planned"]
    assert result["recommendation"]["form"] is None
    assert result["plan_ahead"]["periods"][0]["pot"] == "C"


def test_loose_stools_keep_the_planned_washout_and_set_aside_only_the_refused_step(tmp_path,
                                                                                   priors):
    table = planned_diary(tmp_path, 28)
    table.loc[[25, 26, 27], "gi_upset"] = "1"            # loose stools on threonate
    table.to_csv(tmp_path / "plan.csv", index=False)
    own, _, kept = followed(read_diary(tmp_path / "plan.csv"), priors, dt.date(2026, 10, 28),
                            FakePosterior(benefit={"threonate": 0.6}, gi={"glycinate": 4.0}))
    assert "acute_gi" in own.recommendation.reason_codes
    rec = kept.recommendation
    assert rec.reason_codes == ("planned",) and (rec.action, rec.regimen) == ("stop",
                                                                            NO_MAGNESIUM)
    assert rec.reasons[0] == ("Keep to your trial plan: no magnesium from 2026-10-29 to "
                              "2026-11-04 (the plan goes on to 2026-12-30).")
    assert rec.reasons[1] == ("Tonight's planned step stops threonate 200 mg, the gentlest "
                              "step for the recent loose stools or stomach upset on it.")
    assert rec.next_review == dt.date(2026, 11, 5)        # a look before the refused step
    assert any(w.startswith("Your trial plan's step glycinate 200 mg from 2026-11-05 to "
                            "2026-11-18 is not advised: P(over the GI limit)")
               and w.endswith("; when it comes, the advice will replace it.")
               for w in rec.warnings)
    assert any(w.startswith("3 GI nights in the last 7 on threonate 200 mg") for w in rec.warnings)


def test_a_planned_washout_keeps_no_warning_of_the_models_own_step(tmp_path, priors):
    table = planned_diary(tmp_path, 28)
    table.loc[[25, 27], "gi_upset"] = "1"
    table.to_csv(tmp_path / "plan.csv", index=False)
    diary = read_diary(tmp_path / "plan.csv")
    own, plan, _ = followed(diary, priors, dt.date(2026, 10, 28), FakePosterior())
    # the model's own step to a dose beyond the studied ones, which the plan does not take
    note = beyond_studied_warning(Regimen("threonate", 300), 144)
    rec = own.recommendation
    own = dataclasses.replace(own, recommendation=dataclasses.replace(
        rec, warnings=(*rec.warnings, note)))
    slept = Diary(diary.nights.loc[:"2026-10-28"], diary.source)
    kept = follow_plan(own, plan, history(slept).current, screen(Profile(), priors.safety),
                       priors).recommendation
    assert kept.reason_codes == ("planned",) and note not in kept.warnings
    assert any(w.startswith("2 GI nights in the last 7 on threonate 200 mg") for w in kept.warnings)


def test_unlogged_nights_count_from_the_last_night_with_an_outcome(tmp_path, priors):
    planned_diary(tmp_path, 28)                           # outcomes up to 2026-10-28
    diary = read_diary(tmp_path / "plan.csv")
    plan = plan_ahead(diary, dt.date(2026, 10, 31))       # analysed 3 nights later
    assert plan is not None and plan.periods[0].first == dt.date(2026, 11, 1)
    assert plan.unlogged == 3 and plan.to_dict()["unlogged_nights"] == 3
    assert plan.unlogged_dates == "2026-10-29 to 2026-10-31"
    _, _, kept = followed(diary, priors, dt.date(2026, 10, 31), FakePosterior())
    assert ("3 night(s) before tonight not logged (2026-10-29 to 2026-10-31): log them "
            "(mgsleep log) so that the analysis sees them") in kept.recommendation.warnings


@pytest.mark.parametrize("hold", [False, True])
def test_the_acute_gi_warning_is_told_by_the_function_that_words_it(hold):
    """plan_ahead matched the warning by a copy of its words; rule_words now tells it."""
    from types import SimpleNamespace

    from model.decision.rule_words import acute_gi_warning, is_acute_gi_warning
    from model.decision.settings import DecisionSettings

    taurate = Regimen("taurate", 200)
    past = SimpleNamespace(recent_gi_nights=3, current=taurate, taking=taurate,
                           gi_trouble_words={})
    said = acute_gi_warning(past, DecisionSettings(), hold=hold)   # type: ignore[arg-type]
    assert is_acute_gi_warning(said, taurate)
    assert not is_acute_gi_warning(said, Regimen("taurate", 200, split=True))
    assert not is_acute_gi_warning(said.replace("GI nights", "nights"), taurate)
