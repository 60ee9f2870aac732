"""Magnesium from the profile's other products takes its share of the daily ceiling.

A supplement stacker's audit (2026-12-05): a profile naming "magnesium aspartate 450 mg" (a
ZMA) and "magnesium oxide 100 mg" (a multivitamin) was advised "Start glycinate, 200 mg", and
`plan --dose 350` was accepted: 750-900 mg a day against the limit of 350 mg from supplements
and medicines together. The written doses were read for nothing.
"""

from __future__ import annotations

import datetime as dt
import html
import json

import pytest

from model.cli.main import main
from model.core.errors import InputError
from model.core.regimen import NO_MAGNESIUM, Regimen
from model.data.profile import Profile, load_profile
from model.decision import History, decide, screen
from model.decision.other_magnesium import read_entry
from model.report import clinician
from model.testing import FakePosterior

AS_OF = dt.date(2025, 3, 1)
GLYCINATE_HELPS = FakePosterior(n_draws=400, seed=3, benefit={"glycinate": 1.0},
                                benefit_sd=0.05)


@pytest.mark.parametrize(("entry", "mg"), [
    ("magnesium aspartate 450 mg", 450.0), ("Magnesium oxide 100mg", 100.0),
    # a gram or more of a form's salt is its weight, at its richest salt (citrate 16.16 %)
    ("magnesium citrate 1.5 g", 243.0), ("magnesium citrate 1,5 g", 243.0),
    ("magnesium carbonate 1,000 mg", 1000.0), ("magnesium citrate 150 mg twice a day", 300.0),
    ("magnesium chloride 100 mg three times a day", 300.0), ("magnesium oxide 200 mg bid", 400.0),
    ("milk of magnesia as needed", None), ("magnesium hydroxide 400 mg as needed", None),
    # a review: a count of units, a multiplier in figures, two times of day, a thousands dot
    ("Magnesium 250 mg, 2 caps", None), ("Magnesium glycinate 200 mg 2 tablets", None),
    ("magnesium citrate 150mg x2", None), ("magnesium 200 mg x 2 daily", None),
    ("magnesium 200mg morning and night", None), ("Magnesium 1.000 mg", None),
    ("magnesium sulfate 1 g weekly", None), ("calcium 600 mg magnesium 300 mg", None),
    ("milk of magnesia 15 ml", None), ("Maalox", None)])
def test_a_written_dose_is_read_as_magnesium_a_day(entry, mg):
    """One dose in mg or g, times how often a day; none counted now and then or if unclear."""
    assert read_entry(entry).mg == mg


def test_written_doses_leave_the_supplement_the_rest_of_the_limit(priors):
    rules = screen(Profile(medications=["magnesium oxide 100 mg", "Maalox"]), priors.safety)
    assert rules.ceiling_mg == 250 and not rules.referrals
    said = " ".join(rules.warnings)
    assert "Your other magnesium, 100 mg a day (from magnesium oxide 100 mg)" in said
    assert "advises at most 250 mg a day of the supplement" in said
    assert ("magnesium oxide 100 mg (magnesium-containing medicines): it is magnesium too: its "
            "100 mg a day is counted, as written (if you take more of it, or the label gives "
            "less magnesium, set other_magnesium_mg), which leaves your supplement at most 250 "
            "mg a day" in rules.dose_rules)
    # Maalox has no dose: its rule still asks the person to count it
    assert any(r.startswith("Maalox") and "ask a pharmacist how much" in r
               for r in rules.dose_rules)


def test_the_profiles_own_figure_wins_and_a_lower_rule_limit_counts_too(priors):
    """``other_magnesium_mg`` is the person's count; pregnancy's 250 mg is the limit then."""
    rules = screen(Profile(medications=["magnesium oxide 100 mg"], other_magnesium_mg=50),
                   priors.safety)
    assert rules.ceiling_mg == 300
    assert "counted in your profile's other_magnesium_mg (50 mg a day)" in rules.dose_rules[0]
    assert screen(Profile(pregnant=True, other_magnesium_mg=100),
                  priors.safety).ceiling_mg == 150


def test_no_dose_above_the_share_left_is_ever_advised(priors):
    """The supplement stacker who takes nothing yet: a start within 350 - 200 mg."""
    past = History(NO_MAGNESIUM, 14, frozenset(), 0)
    rec = decide(GLYCINATE_HELPS, priors=priors, diary=past, as_of=AS_OF,
                 profile=Profile(medications=["magnesium aspartate 200 mg"])).recommendation
    assert rec.action == "start" and rec.regimen.form == "glycinate"
    assert rec.regimen.elemental_mg <= 150
    alone = decide(GLYCINATE_HELPS, priors=priors, diary=past, as_of=AS_OF).recommendation
    assert alone.regimen.elemental_mg > 150     # the share is what held it down


@pytest.mark.parametrize(("current", "codes"), [
    (Regimen("glycinate", 200), ("refer", "refer_stop", "other_magnesium")),
    (NO_MAGNESIUM, ("refer", "other_magnesium"))])
def test_other_magnesium_at_the_limit_refers(priors, current, codes):
    """450 + 100 mg a day already passes 350: no supplement on top, and stop one taken."""
    past = History(current, 30, frozenset({current.form} - {"none"}), 0)
    rec = decide(GLYCINATE_HELPS, priors=priors, diary=past, as_of=AS_OF, profile=Profile(
        medications=["magnesium aspartate 450 mg", "magnesium oxide 100 mg"])).recommendation
    assert rec.action == "refer" and rec.regimen is None and rec.reason_codes == codes
    assert ("your other magnesium, 550 mg a day (from magnesium aspartate 450 mg and magnesium "
            "oxide 100 mg), already reaches the limit of 350 mg a day" in " ".join(rec.reasons))


def test_less_left_than_the_least_dose_refers_and_says_how_much_is_left(priors):
    rules = screen(Profile(other_magnesium_mg=300), priors.safety)
    assert rules.other_at_limit and rules.ceiling_mg == 50
    assert ("leaves 50 mg, less than the least dose mgsleep advises (100 mg), under the limit"
            in rules.referrals[0])


def test_the_clinician_page_says_the_ceiling_after_the_other_magnesium(priors):
    profile = Profile(other_magnesium_mg=100)
    rules = screen(profile, priors.safety)
    page = html.unescape(clinician._safety(profile, priors.safety, rules, ()))
    assert ("Daily ceiling used: 250 mg elemental magnesium (after 100 mg a day of magnesium "
            "from other products).") in page


@pytest.mark.parametrize(("text", "said"), [
    ("other_magnesium_mg = 0.45\n", "expected 0 or at least 1 mg a day"),
    ("other_magnesium_mg = true\n", "expected a number, not true or false"),
    ("other_magnesium_mg = -5\n", "other_magnesium_mg")])
def test_a_wrong_other_magnesium_is_an_error_naming_the_key(tmp_path, priors, text, said):
    path = tmp_path / "me.toml"
    path.write_text(text)
    with pytest.raises(InputError, match=said):
        load_profile(path, safety=priors.safety)


def test_analyze_refers_a_stacker_at_the_limit_however_short_the_diary(tmp_path):
    """End to end: a profile file, three nights on glycinate, the JSON's codes (a seeded fit)."""
    diary, profile, out = tmp_path / "d.csv", tmp_path / "me.toml", tmp_path / "out.json"
    diary.write_text("date,form,elemental_mg,sol_min,quality\n" + "".join(
        f"2024-03-0{d},glycinate,200,{20 + 5 * d},3\n" for d in (1, 2, 3)))
    profile.write_text('medications = ["Magnesium aspartate 450mg"]\n')
    assert main(["analyze", str(diary), "--profile", str(profile), "--json", str(out),
                 "--seed", "1"]) == 0
    said = json.loads(out.read_text())
    rec = said["recommendation"]
    assert rec["action"] == "refer"
    assert rec["reason_codes"] == ["refer", "refer_stop", "other_magnesium"]
    # no dose is left for a form not taken: only glycinate's effects (at the dose taken)
    assert {e["form"] for e in said["effects"]} == {"glycinate"}
    assert {e["diary_change"]["elemental_mg_per_day"] for e in said["effects"]} == {200.0}


def test_a_plan_keeps_to_the_share_left_and_says_why(priors):
    """`plan --dose 350` was accepted for the stacker; a refusal said only "the ceiling"."""
    from model.trial.plan import plan_trial

    with pytest.raises(InputError, match=r"at most the ceiling of 250 mg/day \(after 100 mg a "
                                         r"day of magnesium from other products\), got 300"):
        plan_trial(["glycinate", "citrate"], dose_mg=300, start=dt.date(2026, 1, 1),
                   profile=Profile(medications=["magnesium oxide 100 mg"]))
    plan = plan_trial(["glycinate", "citrate"], dose_mg=250, start=dt.date(2026, 1, 1),
                      profile=Profile(medications=["magnesium oxide 100 mg"]))
    assert max(r.elemental_mg for r in plan.regimens()) == 250


def test_the_persons_own_cap_is_no_referral(priors):
    """A review: max_elemental_mg 80 beside 50 mg of citrate referred ("leaves 300 mg, less
    than the least dose"): the limit less the other magnesium decides, not the own cap."""
    rules = screen(Profile(max_elemental_mg=80, medications=["Magnesium citrate 50 mg"]),
                   priors.safety)
    assert not rules.referrals and not rules.other_at_limit and rules.ceiling_mg == 80


def test_the_supplement_the_diary_records_is_not_counted_twice(priors):
    """A review: "Magnesium glycinate 300 mg" in the profile of a person on glycinate 300 mg
    was counted, and the answer was "Stop taking magnesium now"."""
    glycinate = Regimen("glycinate", 300)
    profile = Profile(medications=["Magnesium glycinate 300 mg"])
    rules = screen(profile, priors.safety, glycinate)
    assert rules.ceiling_mg == 350 and not rules.referrals
    assert any("is the supplement your diary records (glycinate 300 mg), so it is not counted"
               in w for w in rules.warnings)
    assert screen(profile, priors.safety, Regimen("glycinate", 200)).other_at_limit
    past = History(glycinate, 30, frozenset({"glycinate"}), 0)
    rec = decide(GLYCINATE_HELPS, priors=priors, diary=past, as_of=AS_OF,
                 profile=profile).recommendation
    assert rec.action != "refer"
