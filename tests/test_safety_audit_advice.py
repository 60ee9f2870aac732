"""What a clinician's audit (2026-12-05) found the advice saying against itself.

Each case had the safe rule applied but said wrong: a form the profile excludes "lowered"
rather than stopped; a medicine hold (digoxin) under a headline to change the dose now; a
contraindication's "stop now" beside the hold's "do not change magnesium"; a step forced by
loose stools explained as an experiment.
"""

from __future__ import annotations

import datetime as dt

import pytest

from model.core.regimen import Regimen
from model.data.profile import Profile
from model.decision import History, decide
from model.report.headline import acute_gi_why, what_to_do
from model.testing import FakePosterior

AS_OF = dt.date(2025, 3, 1)


def on(form: str, mg: float, nights: int = 30, gi: int = 0) -> History:
    """``nights`` recorded nights on one regimen, ``gi`` GI nights lately."""
    return History(Regimen(form, mg), nights, frozenset({form}), gi)


def advice(priors, profile: Profile, past: History, posterior=None):
    return decide(posterior or FakePosterior(n_draws=200), priors=priors, profile=profile,
                  diary=past, as_of=AS_OF).recommendation


def test_an_excluded_form_above_the_ceiling_is_stopped_not_lowered(priors):
    """Pregnant (ceiling 250 mg) on glycinate 300 mg, glycinate excluded: it said "Lower
    glycinate 300 mg to at most 250 mg/day now", keeping a form the profile excludes."""
    rec = advice(priors, Profile(pregnant=True, excluded_forms=["glycinate"]),
                 on("glycinate", 300))
    assert {"current_excluded", "current_above_ceiling"} <= set(rec.reason_codes)
    assert rec.reasons[0].startswith("Stop glycinate 300 mg: your profile excludes glycinate")
    assert what_to_do(rec).startswith("Stop your current magnesium now")
    assert not any("Lower" in line for line in (*rec.reasons, what_to_do(rec)))


@pytest.mark.parametrize(("profile", "first", "headline"), [
    (Profile(medications=["digoxin"], max_elemental_mg=200),
     "Your glycinate 300 mg is above your ceiling of 200 mg/day: see your clinician soon",
     "See your clinician soon about lowering your magnesium to 200 mg a day, your daily "
     "ceiling, and change nothing on your own meanwhile."),
    (Profile(medications=["digoxin"], excluded_forms=["glycinate"]),
     "Your profile excludes glycinate: see your clinician soon about stopping it",
     "See your clinician soon about stopping your magnesium (your profile excludes its "
     "form), and change nothing on your own meanwhile."),
])
def test_a_medicine_hold_headline_leaves_the_change_to_the_prescriber(priors, profile, first,
                                                                      headline):
    """It said "Lower your magnesium to your daily ceiling now" over "change nothing on your
    own" (digoxin: a change of magnesium is the prescriber's to make)."""
    rec = advice(priors, profile, on("glycinate", 300))
    assert rec.action == "refer" and "medicine_hold" in rec.reason_codes
    assert rec.reasons[0].startswith(first) and what_to_do(rec) == headline


def test_a_pregnancy_hold_is_no_medicine_hold(priors):
    rec = advice(priors, Profile(pregnant=True), on("glycinate", 300))
    assert "refer_hold" in rec.reason_codes and "medicine_hold" not in rec.reason_codes
    assert what_to_do(rec).startswith("From tonight, take no more than 250 mg a day")


def test_a_contraindication_says_how_to_stop_beside_a_medicine_hold(priors):
    """Heart block and digoxin on glycinate: "Stop taking magnesium now" with a warning "do
    not change magnesium without your clinician" and nothing joining the two."""
    profile = Profile(medications=["digoxin"], conditions=["heart block"])
    rec = advice(priors, profile, on("glycinate", 300))
    assert rec.reason_codes == ("refer", "refer_stop")
    assert what_to_do(rec) == ("Stop taking magnesium now and see a clinician. Seek urgent care "
                               "for fainting, a very slow pulse, chest pain or severe trouble "
                               "breathing.")
    digoxin = next(r for r in rec.reasons if "digoxin" in r)
    assert digoxin.endswith("The contraindication comes first: stop as said, and tell your "
                            "clinician today that you have stopped (they may check your "
                            "magnesium level).")
    assert not any("do not change magnesium" in w for w in rec.warnings)
    before = advice(priors, profile, History(Regimen("none"), 30, frozenset(), 0))
    assert before.reason_codes == ("refer",)     # nothing to stop: the hold is a warning
    assert any("do not change magnesium" in w for w in before.warnings)


def test_a_step_during_loose_stools_says_them_first(priors):
    """7 GI nights in 7 on glycinate 300 mg, continuing blocked: "Why: To learn: its nights
    are expected to teach more than they cost", as if the stop were an experiment."""
    harsh = FakePosterior(n_draws=1000, gi={"citrate": 2.5, "glycinate": 0.0})
    rec = advice(priors, Profile(), on("citrate", 300, nights=5, gi=3), harsh)
    assert "acute_gi" in rec.reason_codes and rec.action != "continue"
    assert acute_gi_why(rec, "to learn: its nights teach.") == (
        "loose stools or stomach upset lately (see the warning): only gentler steps are open. "
        "To learn: its nights teach.")
    calm = advice(priors, Profile(), on("citrate", 300, nights=30), harsh)
    assert acute_gi_why(calm, "why.") == "why."


def test_upsets_without_loose_stools_are_said_as_they_were(priors):
    """An IBS-C man's 3 upset-stomach nights with hard or no stools read "Loose stools or
    stomach upset lately" (/tmp/w52/d F6): the words are the nights' own."""
    from dataclasses import replace

    from model.report.gut_words import recent_gi_care

    harsh = FakePosterior(n_draws=1000, gi={"citrate": 2.5, "glycinate": 0.0})
    past = replace(on("citrate", 300, nights=5, gi=3),
                   gi_trouble_words={Regimen("citrate", 300): "an upset stomach"})
    rec = advice(priors, Profile(), past, harsh)
    assert acute_gi_why(rec, "why.").startswith("an upset stomach lately (see the warning)")
    assert recent_gi_care(rec, Regimen("citrate", 300)).startswith(
        "you had an upset stomach on 3 of the last 7 nights")


def test_loose_stools_under_a_medicine_hold_call_the_clinician_in_the_headline(priors):
    """Digoxin and 4 GI nights lately: "Keep taking ... as you do now" led, and the call to
    the clinician came last, among the warnings."""
    rec = advice(priors, Profile(medications=["digoxin"]), on("glycinate", 300, gi=4))
    assert rec.reason_codes == ("refer", "refer_hold", "medicine_hold", "acute_gi")
    assert what_to_do(rec) == ("Call your clinician soon about the loose stools or stomach upset "
                               "on your magnesium, and change nothing on your own meanwhile.")
    calm = advice(priors, Profile(medications=["digoxin"]), on("glycinate", 300))
    assert "acute_gi" not in calm.reason_codes
    assert what_to_do(calm) == "See your clinician before any change to magnesium."
