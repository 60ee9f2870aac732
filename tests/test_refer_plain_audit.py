"""A referral a lay reader can act on at once, and a change beside "changes wait".

A plain-language editor (/tmp/w46/D S2): "Recommendation: Stop taking magnesium now and see a
clinician." left the signs that call for urgent care ("seek urgent care for weakness that
gets worse, or trouble swallowing or breathing") to the end of a Why in a clinician's words
("presynaptic acetylcholine release"), and the effects under it ("falling asleep 15 min
faster") could tempt the person to go on taking it. The first line now carries the rule's own
urgent signs, the Why keeps the rule for the clinician, and the effects say whom they are for.

A biostatistician (/tmp/w46/E F5): "Start glycinate, 200 mg" beside "Not advised now: start
glycinate@100, ...: only 14 of 16 nights on no magnesium so far; changes wait 2 more nights".
A return to a regimen judged over a full period, or a step safety asks for, does not wait:
the words of the wait now say so.
"""

import datetime as dt
import re

import pytest

from model.core.regimen import NO_MAGNESIUM, Regimen
from model.data.profile import Profile
from model.decision import History, decide
from model.decision.refer_words import URGENT_CLAUSE, effects_lead
from model.decision.rule_words import safety_step
from model.report.advice import what_to_do
from model.report.headline import Headline
from model.testing import FakePosterior

AS_OF = dt.date(2026, 10, 9)
MYASTHENIA = Profile(age=52, egfr=80, conditions=("myasthenia gravis",))
URGENT = "Seek urgent care for weakness that gets worse, or trouble swallowing or breathing."


def never_called(regimens):
    raise AssertionError("a safety rule answers without the posterior")


def refer(priors, past: History | None, profile: Profile = MYASTHENIA):
    return decide(never_called, priors=priors, profile=profile, diary=past,
                  as_of=AS_OF).recommendation


def the_rule(priors, rule_id: str) -> str:
    return next(c.reason for c in priors.safety.contraindications if c.id == rule_id)


@pytest.mark.parametrize(("past", "step"), [
    (History(Regimen("citrate", 300), 4, frozenset({"citrate"}), 0),
     "Stop taking magnesium now and see a clinician."),
    (History(NO_MAGNESIUM, 0), "See a clinician before taking magnesium."),
    (None, "See a clinician before taking magnesium."),
])
def test_the_first_line_of_a_referral_says_when_to_seek_urgent_care(priors, past, step):
    """The headline is the step, then the rule's urgent signs, in the person's words."""
    rec = refer(priors, past)
    assert what_to_do(rec) == f"{step} {URGENT}"
    assert safety_step(rec.reason_codes, "", rec.reasons) == f"{step} {URGENT}"


def test_the_urgent_signs_are_the_rules_own_and_the_why_keeps_the_rule(priors):
    """One definition: the signs come from safety.toml's reason, and the rule itself, in the
    clinician's words, is still among the reasons (the Why and the clinician's page)."""
    rule = the_rule(priors, "myasthenia_gravis")
    said = URGENT_CLAUSE.search(rule)
    assert said is not None and URGENT[1:-1] == said.group(0)[1:]
    rec = refer(priors, History(Regimen("citrate", 300), 4, frozenset({"citrate"}), 0))
    assert f"Reason to see a clinician: {rule}." in rec.reasons
    assert "presynaptic acetylcholine release" not in what_to_do(rec)


def test_a_rule_without_urgent_signs_keeps_its_one_sentence(priors):
    """An age under 18 names no urgent signs (no emergency): nothing is added, nothing
    invented. (An eGFR of 20 names the signs of too much magnesium: tests/test_urgent_signs.)"""
    young = Profile(age=16, egfr=90)
    assert URGENT_CLAUSE.search(the_rule(priors, "under_18")) is None
    rec = refer(priors, History(Regimen("glycinate", 200), 30, frozenset({"glycinate"}), 0),
                young)
    assert what_to_do(rec) == "Stop taking magnesium now and see a clinician."


def test_the_urgent_signs_are_said_once_with_two_rules_that_give_them(priors):
    """Pyridostigmine brings the myasthenia rule too: its signs once, not twice."""
    both = Profile(age=52, egfr=80, conditions=("myasthenia gravis",),
                   medications=("pyridostigmine",))
    rec = refer(priors, History(Regimen("citrate", 300), 4, frozenset({"citrate"}), 0), both)
    assert what_to_do(rec).count("urgent care") == 1 and what_to_do(rec).endswith(URGENT)


def test_the_effects_beside_a_referral_are_said_to_be_for_the_clinician():
    """Beside "Stop taking magnesium now" the effects are no reason to go on; beside a hold
    (the routine kept) or any other advice, no lead."""
    lead = effects_lead(("refer", "refer_stop"))
    assert "for your clinician" in lead and "no reason to take magnesium" in lead
    assert effects_lead(("refer",)) == lead
    assert effects_lead(("refer", "prescribed")) == " (for your prescriber)"
    assert effects_lead(("refer", "refer_hold")) == effects_lead(("continue",)) == ""
    said = Headline("Stop taking magnesium now and see a clinician.", "", "", "", "",
                    (("glycinate 300 mg, 28 written nights",
                      ("falling asleep 15 min faster (37 faster to 4 slower): not settled yet",)),),
                    tried_lead=lead)
    assert any(line.startswith(f"What magnesium did for you so far{lead}. ")
               for line in said.lines())


def waiting_words(decision) -> set[str]:
    return {why for a in decision.assessments
            for why, code in zip(a.blocked_by, a.reason_codes, strict=True) if code == "waiting"}


def test_a_return_to_a_judged_regimen_is_said_not_to_wait(priors):
    """The audit's diary: 28 nights on glycinate 200 mg, then 10 nights off. The return is
    advised; every "changes wait" beside it names it as the change that does not."""
    good = FakePosterior(n_draws=1000, benefit={"glycinate": 1.0}, gi={"glycinate": 0.0},
                         benefit_sd=0.05)
    past = History(NO_MAGNESIUM, 10, frozenset({"glycinate"}), 0,
                   {NO_MAGNESIUM: 24, Regimen("glycinate", 200): 28})
    decision = decide(good, priors=priors, diary=past, as_of=AS_OF)
    rec = decision.recommendation
    assert rec.action == "start" and rec.regimen == Regimen("glycinate", 200)
    words = waiting_words(decision)
    assert words and all(
        re.fullmatch(r"only 10 of \d+ nights on no magnesium so far; changes wait \d+ more "
                     r"nights, but not a return to glycinate 200 mg, judged over a full "
                     r"period already", w) for w in words), words


def test_a_step_safety_asks_for_is_said_not_to_wait(priors):
    """Five nights into citrate with three GI nights: a gentler step is open now, and the
    wait of the others says so."""
    harsh = FakePosterior(n_draws=1000, gi={"citrate": 2.5, "glycinate": -0.5})
    past = History(Regimen("citrate", 300), 5, frozenset({"citrate"}), 3)
    decision = decide(harsh, priors=priors, diary=past, as_of=AS_OF)
    assert decision.recommendation.action != "continue"
    words = waiting_words(decision)
    assert words and all(w.endswith(", but not a step safety asks for") for w in words), words


def test_a_wait_nothing_escapes_says_no_exception(priors):
    """Five nights into glycinate, nothing judged before and no safety step: the plain words."""
    model = FakePosterior(n_draws=1000, benefit={"taurate": 1.0}, benefit_sd=0.05)
    past = History(Regimen("glycinate", 200), 5, frozenset({"glycinate"}), 0)
    decision = decide(model, priors=priors, diary=past, as_of=AS_OF)
    assert decision.recommendation.action == "continue"
    words = waiting_words(decision)
    assert words and all(re.fullmatch(r"only 5 of \d+ nights on glycinate 200 mg so far; "
                                      r"changes wait \d+ more nights", w) for w in words), words
