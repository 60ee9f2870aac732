"""An outside pharmacist's audit (2026-12, three older patients): the safety edges it found.

1. Magnesium prescribed for a deficiency (Joan, glycinate 400 mg from her GP for a PPI's low
   magnesium) was withdrawn for 17 nights, lowered to the 350 mg supplement limit, or stopped
   under a contraindication, with no word of the prescriber; nothing could say "prescribed".
2. ``egfr = 160`` at 78 (a creatinine in µmol/L) was accepted (up to 250) and gave a dose; a
   creatinine among the conditions was an unknown condition with no word of the eGFR needed.
3. ``egfr = 28`` beside a condition "eGFR 40" said "give it as the key egfr (egfr = 40)",
   which would have removed the referral.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import warnings

import pytest

from model.core.errors import InputError
from model.core.regimen import NO_MAGNESIUM, Regimen
from model.data.profile import Profile, ProfileWarning, load_profile
from model.decision import History, decide
from model.decision.prescribed import prescribed_plan_refusals, prescribed_refer_reasons
from model.decision.reason_codes import REASON_CODES
from model.decision.rules import current_breaks
from model.decision.screening import screen
from model.report.advice import PRESCRIBED_HOLD, PRESCRIBED_REFER
from model.report.headline import what_to_do
from model.report.pathway_words import raise_checked
from model.testing import FakePosterior

AS_OF = dt.date(2025, 3, 1)
GLYCINATE_400 = Regimen("glycinate", 400)

decide_diff = pytest.mark.skipif(
    "prescribed" not in REASON_CODES,
    reason="the reason code 'prescribed' (model/decision/decide.py, results.py) is not in yet")


def write(tmp_path, text: str):
    path = tmp_path / "profile.toml"
    path.write_text(text, encoding="utf-8")
    return path


def on(regimen: Regimen, nights: int = 30) -> History:
    """``nights`` recorded nights on one regimen, none without it: no baseline."""
    return History(regimen, nights, frozenset({regimen.form}), 0)


def advice(priors, profile: Profile, past: History):
    return decide(FakePosterior(n_draws=200), priors=priors, profile=profile, diary=past,
                  as_of=AS_OF).recommendation


JOAN = {"low magnesium": Profile(age=82, egfr=62, conditions=["hypomagnesaemia"]),
        "the key": Profile(age=82, egfr=62, prescribed_magnesium=True)}


# 1. A prescribed magnesium -------------------------------------------------------------------

@pytest.mark.parametrize("said", sorted(JOAN))
def test_a_prescribed_magnesium_is_held_never_lowered_to_the_supplement_limit(priors, said):
    """Held as digoxin is (stopping or lowering is a change too), its dose not a breach."""
    rules = screen(JOAN[said], priors.safety, GLYCINATE_400)
    assert rules.prescribed and rules.medicine_hold and rules.referrals == ()
    assert any("keep taking it as prescribed" in hold for hold in rules.holds)
    assert rules.ceiling_mg == 400 and current_breaks(GLYCINATE_400, rules) == ()
    assert any("does not apply" in hold or "not for it" in hold for hold in rules.holds)


def test_a_magnesium_not_prescribed_keeps_the_supplement_limit(priors):
    """The control: the same person and dose with nothing prescribed breaks the ceiling."""
    rules = screen(Profile(age=82, egfr=62), priors.safety, GLYCINATE_400)
    assert not rules.prescribed and rules.holds == () and rules.ceiling_mg == 350
    assert current_breaks(GLYCINATE_400, rules) == ("current_above_ceiling",)


@pytest.mark.parametrize("regimen", [Regimen("glycinate", 300), GLYCINATE_400])
def test_a_prescribed_magnesium_is_not_withdrawn_lowered_or_switched(priors, regimen):
    """Audit 1a/1b: "Stop glycinate 300 mg for 17 nights" (a withdrawal test), "Lower the dose
    to glycinate, 350 mg"; now the routine is kept, and the prescriber decides."""
    rec = advice(priors, JOAN["low magnesium"], on(regimen))
    assert rec.action == "refer" and rec.regimen is None
    assert {"refer_hold", "medicine_hold"} <= set(rec.reason_codes)
    assert not set(rec.reason_codes) & {"refer_stop", "current_above_ceiling", "withdrawal_test"}
    assert rec.reasons[0] == (f"Keep taking {regimen.words} as you do now and see your "
                              "clinician before any change to magnesium.")
    assert any("prescribed (for low magnesium" in reason for reason in rec.reasons)
    assert not any(word in " ".join(rec.reasons) for word in ("Lower", "Stop", "350 mg/day"))


def test_a_prescribed_magnesium_beside_a_contraindication_is_never_silenced(priors):
    """Myasthenia gravis beside it still refers: no dose, the rule said (audit 1c)."""
    profile = Profile(age=82, egfr=62, conditions=["hypomagnesaemia", "myasthenia gravis"])
    rules = screen(profile, priors.safety, GLYCINATE_400)
    assert rules.prescribed and rules.referrals[0].startswith("myasthenia gravis")
    rec = advice(priors, profile, on(GLYCINATE_400))
    assert rec.action == "refer" and rec.regimen is None
    assert any(reason.startswith("Reason to see a clinician: myasthenia gravis")
               for reason in rec.reasons)


@decide_diff
def test_a_prescribed_magnesium_beside_a_contraindication_calls_the_prescriber_today(priors):
    """Audit 1c: "Stop taking magnesium now and see a clinician": a treatment stopped first,
    its prescriber told after. Now the prescriber today, urgent care if it gets worse."""
    profile = Profile(age=82, egfr=62, prescribed_magnesium=True,
                      conditions=["myasthenia gravis"])
    rec = advice(priors, profile, on(GLYCINATE_400))
    assert "prescribed" in rec.reason_codes and "refer_stop" not in rec.reason_codes
    assert what_to_do(rec) == (f"{PRESCRIBED_REFER} Seek urgent care for weakness that gets "
                               "worse, or trouble swallowing or breathing.")   # the rule's own
    assert rec.reasons[0].startswith("Contact your prescriber today about your prescribed "
                                     "magnesium (glycinate 400 mg)")
    assert "urgent care" in rec.reasons[0]


@decide_diff
def test_a_prescribed_magnesium_headline_names_the_prescriber(priors):
    rec = advice(priors, JOAN["the key"], on(GLYCINATE_400))
    assert "prescribed" in rec.reason_codes and what_to_do(rec) == PRESCRIBED_HOLD


def test_the_prescriber_is_called_today_with_every_rule_said():
    said = prescribed_refer_reasons(["myasthenia gravis: ...", "your eGFR 25 (below 30): ...; "
                                     "seek urgent care for signs of too much magnesium"],
                                    GLYCINATE_400)
    assert said[0].startswith("Contact your prescriber today")
    assert said[0].endswith(". Seek urgent care for signs of too much magnesium.")
    assert "Stop" not in said[0] and len(said) == 4
    assert said[1].endswith("myasthenia gravis: ....") and "eGFR 25" in said[2]


def test_the_headlines_of_a_prescribed_magnesium():
    assert "keep taking it as prescribed" in PRESCRIBED_HOLD and "prescriber" in PRESCRIBED_HOLD
    assert "today" in PRESCRIBED_REFER   # and the urgent signs of its rules after it


@pytest.mark.parametrize("entry", ["magnesium glycinate 400 mg (prescribed by GP)",
                                   "Magnesium glycinate 400 mg, prescribed",
                                   "magnesium glycinate 400 mg [Rx]"])
def test_a_magnesium_marked_prescribed_among_the_medicines_is_prescribed(tmp_path, priors,
                                                                         entry):
    """Audit 1: the entry was refused as an unknown medicine."""
    path = write(tmp_path, f'age = 82\negfr = 62\nmedications = ["{entry}", "omeprazole"]\n')
    with pytest.warns(ProfileWarning, match="prescribed_magnesium = true"):
        profile = load_profile(path, safety=priors.safety)
    assert profile.prescribed_magnesium is True
    assert profile.medications[0].lower() == "magnesium glycinate 400 mg"
    rules = screen(profile, priors.safety, GLYCINATE_400)
    assert rules.prescribed and rules.unchecked == () and rules.ceiling_mg == 400


def test_a_medicine_marked_prescribed_keeps_its_rules_and_is_no_prescribed_magnesium(tmp_path,
                                                                                     priors):
    profile = load_profile(write(tmp_path, 'age = 40\nmedications = ["digoxin (prescribed)"]\n'),
                           safety=priors.safety)
    assert profile.medications == ("digoxin",) and not profile.prescribed_magnesium
    assert screen(profile, priors.safety).medicine_hold


def test_low_magnesium_not_taken_is_a_hold_too(priors):
    """Not taking magnesium now: none is started without the clinician treating it."""
    rules = screen(JOAN["low magnesium"], priors.safety, NO_MAGNESIUM)
    assert rules.holds and rules.ceiling_mg == 350
    rec = advice(priors, JOAN["low magnesium"], History(NO_MAGNESIUM, 30, frozenset(), 0))
    assert rec.action == "refer" and rec.reasons[0].startswith("Do not start magnesium")


# 2. An impossible eGFR, a creatinine ---------------------------------------------------------

@pytest.mark.parametrize("egfr", [160, 150.5, 200])
def test_an_egfr_above_150_is_refused_naming_file_line_and_key(tmp_path, priors, egfr):
    path = write(tmp_path, f"age = 78\negfr = {egfr}\n")
    with pytest.raises(InputError, match=rf"{path}: line 2, key egfr: {egfr:g} is above 150 .*"
                                         r"mgsleep needs an eGFR, not a creatinine"):
        load_profile(path, safety=priors.safety, allow_unknown=True)


def test_an_egfr_of_150_is_read(tmp_path, priors):
    assert load_profile(write(tmp_path, "egfr = 150\n"), safety=priors.safety).egfr == 150


@pytest.mark.parametrize("entry", ["creatinine 160 umol/L", "Cr 160", "sCr 1.8 mg/dL",
                                   "serum creatinine 160", "CKD 3b (creat 160)", "160 µmol/L"])
def test_a_creatinine_is_refused_asking_for_an_egfr(tmp_path, priors, entry):
    """Refused even with --allow-unknown, which gave "Switch to taurate, 200 mg" (an eGFR
    near 28 at 78)."""
    path = write(tmp_path, f'age = 78\nconditions = ["asthma", "{entry}"]\n')
    with pytest.raises(InputError, match=rf"{path}: line 2, key conditions\[2\]: .* is a "
                                         r"creatinine, not an eGFR: mgsleep needs an eGFR, not "
                                         r"a creatinine: ask for it .*egfr = "):
        load_profile(path, safety=priors.safety, allow_unknown=True)


@pytest.mark.parametrize(("entry", "egfr"), [("CrCl 29 ml/min", 29), ("creatinine clearance 25",
                                                                       25)])
def test_a_creatinine_clearance_is_still_read_as_an_egfr(tmp_path, priors, entry, egfr):
    with pytest.warns(ProfileWarning):
        profile = load_profile(write(tmp_path, f'age = 78\nconditions = ["{entry}"]\n'),
                               safety=priors.safety)
    assert profile.egfr == egfr


def test_a_creatinine_key_says_an_egfr_is_needed(tmp_path, priors):
    with pytest.raises(InputError, match=r"unknown key 'creatinine'.*mgsleep needs an eGFR"):
        load_profile(write(tmp_path, "age = 78\ncreatinine = 160\n"), safety=priors.safety)


# 3. The eGFR of the key and a condition's ----------------------------------------------------

@pytest.mark.parametrize(("key", "written", "lowest"), [(28, 40, 28), (45, 28, 28)])
def test_the_egfr_warning_names_the_lowest_value(tmp_path, priors, key, written, lowest):
    """egfr = 28 and "eGFR 40" said "egfr = 40": following it would remove the referral."""
    path = write(tmp_path, f'age = 78\negfr = {key}\nconditions = ["eGFR {written}"]\n')
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        profile = load_profile(path, safety=priors.safety)
    assert profile.egfr == lowest
    text = " ".join(str(w.message) for w in said)
    assert f"(egfr = {lowest}, in mL/min)" in text
    assert f"(egfr = {max(key, written)}," not in text


# 4. What would change this, at eGFR 30-59 ----------------------------------------------------

@pytest.mark.parametrize("line", ["if it goes well: raise the dose to glycinate 300 mg",
                                  "whichever way it goes: raise the dose to glycinate 300 mg"])
def test_a_dose_raised_at_egfr_30_to_59_waits_for_a_serum_magnesium_check(priors, line):
    """At eGFR 31 the pathway said "raise the dose to glycinate 300 mg" with no word of the
    serum magnesium check the kidney caution asks for before a dose is raised (finding 6)."""
    kidney = screen(Profile(age=78, egfr=31), priors.safety, Regimen("glycinate", 200))
    assert raise_checked(line, kidney) == (f"{line} (only after a serum magnesium check, which "
                                           "your kidney caution asks for before a dose is "
                                           "raised)")
    other = "if it goes badly: stop magnesium"
    assert raise_checked(other, kidney) == other
    assert raise_checked(line, screen(Profile(age=78, egfr=75), priors.safety)) == line


@pytest.mark.parametrize("entry", ["metformin 500 mg bd", "Glucophage SR 500mg"])
def test_metformin_is_known_with_no_rule(priors, entry):
    """Finding 5: "metformin" was unknown: --allow-unknown put "First ask a pharmacist" on
    every dose, though no magnesium interaction list cited names it."""
    rules = screen(Profile(age=71, egfr=75, medications=[entry]), priors.safety)
    assert rules.unchecked == () and rules.warnings == () and rules.holds == ()


@pytest.mark.fit
def test_a_prescribed_magnesium_analysed_is_kept_with_no_placebo_proposed(priors):
    """End to end, Joan's 30 nights on glycinate 400 mg: audit 1b said "Lower the dose to
    glycinate, 350 mg"; the headline now keeps it, and proposes no placebo in its place."""
    from model.analysis.pipeline import analyze
    from model.data.diary import read_diary
    from model.report.headline import NO_PLACEBO_NOTE, headline
    from model.simulate.personas import PERSONAS, Schedule, simulate_diary

    persona = dataclasses.replace(PERSONAS["non_responder"],
                           schedule=Schedule(((GLYCINATE_400, 30),)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")         # 400 mg a day: above the supplement ceiling
        diary = read_diary(simulate_diary(persona, 30, seed=4))
        result = analyze(diary, priors=priors, profile=JOAN["low magnesium"], draws=500,
                         tune=300, chains=2, seed=1)
    said = headline(result)
    rec = result.decision.recommendation
    assert rec.action == "refer" and "current_above_ceiling" not in rec.reason_codes
    assert said.caution != NO_PLACEBO_NOTE and "placebo" not in said.caution
    assert not any(word in said.what for word in ("Lower", "Stop", "350"))
    # its effects ask for no nights off the treatment ("needs 7 more written nights without
    # it to compare with" sat under "keep taking it as prescribed"), in every place they show
    from model.report.clinician import render_clinician
    from model.report.effect_words import PRESCRIBED_NOT_PAUSED
    from model.report.html import render_report

    lines = [line for _, own in said.tried for line in own]
    assert lines and not any("without it" in line or "placebo nights are needed" in line
                             for line in lines)
    assert any(line.endswith(PRESCRIBED_NOT_PAUSED) for line in lines)
    for page in (render_report(result), render_clinician(result)):
        assert "without it to compare" not in page and PRESCRIBED_NOT_PAUSED in page


def test_a_plan_of_a_prescribed_magnesium_names_its_prescriber(priors):
    """plan said "stop it" beside a contraindication, "see them soon about lowering it" above
    the supplement ceiling; for a prescribed magnesium, the prescriber decides."""
    held = screen(JOAN["low magnesium"], priors.safety)
    said = prescribed_plan_refusals(held.referrals, held.holds)
    assert len(said) == 1 and "keep taking it as prescribed" in said[0]
    both = screen(Profile(age=82, prescribed_magnesium=True, egfr=25), priors.safety)
    said = prescribed_plan_refusals(both.referrals, both.holds)
    assert len(said) == 2 and all("prescriber today" in s and "urgent care" in s for s in said)
    assert not any("stop it" in s or "lowering" in s for s in said)


def test_a_supplement_beside_a_prescribed_magnesium_is_put_to_the_prescriber(priors):
    """The prescribed glycinate 400 mg listed, the diary's citrate 200 mg beside it: the
    ceiling is not raised to the citrate (600 mg a day in all), its dose goes to the
    prescriber; the same glycinate in the diary is the prescribed one, kept."""
    profile = Profile(age=82, egfr=62, prescribed_magnesium=True,
                      medications=["magnesium glycinate 400 mg"])
    citrate = Regimen("citrate", 200)
    own = screen(profile, priors.safety, citrate)
    assert own.medicine_hold and current_breaks(citrate, own) == ("current_above_ceiling",)
    kept = screen(profile, priors.safety, GLYCINATE_400)
    assert kept.ceiling_mg == 400 and current_breaks(GLYCINATE_400, kept) == ()


def test_every_limit_applies_just_below_it_and_not_at_it(priors):
    """A mutation audit: ``value < below`` could become ``value < below - 1`` unseen (an eGFR
    of 29.5 or an age of 17 given a dose); only the ``<=`` side was pinned."""
    safety = priors.safety
    for rule in (*safety.contraindications, *safety.cautions):
        if rule.field not in ("egfr", "age") or rule.below is None:
            continue
        adult = {"age": 50, "egfr": 90.0}
        just = rule.below - (1 if rule.field == "age" else 0.5)     # ages are whole years
        under = screen(Profile(**adult | {rule.field: just}), safety)
        at = screen(Profile(**adult | {rule.field: rule.below}), safety)
        assert rule.id in under.rules_applied and rule.id not in at.rules_applied, rule.id
        if rule in safety.contraindications:
            assert under.referrals and not at.referrals, rule.id
