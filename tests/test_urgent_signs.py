"""Urgent signs beside every referral that needs them; the clinician page in the third person.

Only myasthenia gravis's rule said when not to wait for an appointment. A person told to stop
magnesium and "see a clinician" for severe kidney disease, a high serum magnesium, heart
block, sick sinus syndrome, Lambert-Eaton syndrome or an intestinal obstruction now reads the
rule's own signs on the first line (``safety.toml``, sourced); pregnancy, breastfeeding, an
age under 18 and a prescribed magnesium are no emergencies and give none. A prescribed
magnesium's call to its prescriber said the myasthenia signs beside any rule (an eGFR of 25
too): its signs are now the rules' own, defined once. The clinician page listed its warnings
as the patient read them ("your last 6 nights", "you had ..."): now in its third person.
"""

import dataclasses
import datetime as dt
import html

import pytest

from model.core.regimen import NO_MAGNESIUM, Regimen
from model.data.profile import Profile
from model.decision import History, decide
from model.decision.prescribed import prescribed_plan_refusals
from model.decision.refer_words import URGENT_CLAUSE, urgent_signs
from model.decision.screening import screen
from model.report.advice import PRESCRIBED_REFER, what_to_do
from model.report.clinician import render_clinician
from model.report.whose import third_person

AS_OF = dt.date(2026, 10, 9)
TAKING = History(Regimen("citrate", 300), 4, frozenset({"citrate"}), 0)
STOP = "Stop taking magnesium now and see a clinician."
TOO_MUCH = ("Seek urgent care for severe weakness, a very slow or irregular heartbeat, trouble "
            "breathing, confusion or fainting (signs of too much magnesium).")
HEART = "Seek urgent care for fainting, a very slow pulse, chest pain or severe trouble breathing."
NERVE = "Seek urgent care for weakness that gets worse, or trouble swallowing or breathing."
GUT = ("Seek urgent care for severe abdominal pain with vomiting, or with no stool or wind "
       "passing.")
NOT_EMERGENCIES = ("under_18", "pregnancy", "breastfeeding", "prescribed_magnesium",
                   "hypomagnesaemia")


def never_called(regimens):
    raise AssertionError("a safety rule answers without the posterior")


def refer(priors, profile: Profile, past: History | None = TAKING):
    return decide(never_called, priors=priors, profile=profile, diary=past,
                  as_of=AS_OF).recommendation


def adult(*conditions: str, egfr: float = 80) -> Profile:
    return Profile(age=60, egfr=egfr, conditions=conditions)


@pytest.mark.parametrize(("profile", "signs"), [
    (adult(egfr=20), TOO_MUCH),
    (adult("hypermagnesaemia"), TOO_MUCH),
    (adult("heart block"), HEART),
    (adult("sick sinus syndrome"), HEART),
    (adult("Lambert-Eaton syndrome"), NERVE),
    (adult("intestinal obstruction"), GUT),
])
def test_each_referral_says_when_not_to_wait(priors, profile, signs):
    """The first line is the step, then the rule's own signs, taking magnesium or not."""
    assert what_to_do(refer(priors, profile)) == f"{STOP} {signs}"
    assert what_to_do(refer(priors, profile, History(NO_MAGNESIUM, 0))) == \
        f"See a clinician before taking magnesium. {signs}"


@pytest.mark.parametrize("conditions", [("heart block", "sick sinus syndrome"),
                                        ("hypermagnesaemia", "CKD stage 4")])
def test_two_rules_of_the_same_signs_say_them_once(priors, conditions):
    said = what_to_do(refer(priors, adult(*conditions)))
    assert said.count("Seek urgent care") == 1 and said.startswith(STOP)


def test_every_contraindication_that_stops_magnesium_gives_signs_and_no_other_rule_does(priors):
    """A rule that refers (no ``kind``) and is no life stage names its signs, a source for
    them too; pregnancy, breastfeeding, an age under 18 and a prescribed magnesium none."""
    safety = priors.safety
    for rule in safety.contraindications:
        found = URGENT_CLAUSE.search(rule.reason)
        if rule.id in NOT_EMERGENCIES:
            assert found is None, rule.id
        else:
            assert rule.kind != "clinician" and found is not None, rule.id
            assert not found.group(0).endswith((",", " ")), rule.id
    assert {r.id for r in safety.contraindications} >= set(NOT_EMERGENCIES)


def test_a_prescribed_magnesium_says_the_signs_of_its_own_rule(priors):
    """An eGFR of 25 beside a prescribed magnesium: the signs of too much magnesium, not the
    myasthenia signs the prescriber's call said beside every rule."""
    profile = Profile(age=82, egfr=25, prescribed_magnesium=True)
    rec = refer(priors, profile)
    assert "prescribed" in rec.reason_codes
    assert what_to_do(rec) == f"{PRESCRIBED_REFER} {TOO_MUCH}"
    assert rec.reasons[0].endswith(f"any other magnesium. {TOO_MUCH}")
    assert "swallowing" not in " ".join(rec.reasons)
    rules = screen(profile, priors.safety)
    said = prescribed_plan_refusals(rules.referrals, rules.holds)
    assert all(f"({TOO_MUCH[:1].lower()}{TOO_MUCH[1:-1]} meanwhile)" in s for s in said)


def test_a_rule_without_signs_adds_none_beside_a_prescribed_magnesium(priors):
    """Under 18 is no emergency: the prescriber today, and no urgent care invented."""
    rec = refer(priors, Profile(age=16, egfr=80, prescribed_magnesium=True))
    assert what_to_do(rec) == PRESCRIBED_REFER and not urgent_signs(rec.reasons)
    assert "urgent" not in rec.reasons[0]


@pytest.mark.parametrize(("text", "said"), [
    ("you had loose stools on 3 of the last 7 nights, and if that goes on, stop",
     "they had loose stools on 3 of the last 7 nights, and if that goes on, stop"),
    ("Your last 6 nights have no magnesium. If you stopped on purpose, keep to the step you "
     "were given.", "Their last 6 nights have no magnesium. If they stopped on purpose, keep "
     "to the step they were given."),
    ("sleep quality, which counts most for you, is in no night of the diary",
     "sleep quality, which counts most for them, is in no night of the diary"),
    ("call your clinician soon rather than changing magnesium yourself",
     "call their clinician soon rather than changing magnesium themselves"),
    ("a young layout, youth", "a young layout, youth"),
])
def test_third_person_changes_only_the_pronoun(text, said):
    assert third_person(text) == said


@pytest.mark.fit
def test_the_clinician_page_lists_its_warnings_in_the_third_person():
    """Stop 74's note: "your last 6 nights" and "you had ..." among the page's warnings."""
    from model.testing import example_analysis

    analysis = example_analysis()
    rec = analysis.decision.recommendation
    warning = ("Your last 6 nights have no magnesium: read as nights skipped. If you stopped on "
               "purpose, keep to the step you were given")
    told = dataclasses.replace(analysis, decision=dataclasses.replace(
        analysis.decision, recommendation=dataclasses.replace(
            rec, warnings=(*rec.warnings, warning))))
    page = html.unescape(render_clinician(told))
    assert (f"<strong>Warning:</strong> {third_person(warning)}." in page
            and "If they stopped on purpose, keep to the step they were given." in page)
    warnings = [p for p in page.split("<p") if "<strong>Warning:</strong>" in p]
    assert warnings and not any(word in p.split() for p in warnings
                                for word in ("you", "your", "You", "Your"))
