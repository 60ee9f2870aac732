"""``decide`` checks a profile as ``analyze`` does; a safety answer is worded once.

A Python API audit: ``decide(..., profile=Profile(medications=["digoxn"]))`` (public, used by
notebook 03's what-if) gave digoxin's hold by a fuzzy match with "NOT CHECKED" only among the
recommendation's warnings, and ``["foobarol"]`` gave a dose, where ``analyze`` refused both.
A maintainer's review: the hold / refer / stop answers were worded in four places, each with
its own branches, and the headline of an excluded form under a pregnancy hold said "before any
other change" above reasons that said "before taking magnesium again".
"""

from __future__ import annotations

import datetime as dt
import warnings

import pytest

from model.analysis.blinded import POTS, pot_rules
from model.core.errors import InputError
from model.core.regimen import Regimen
from model.data.profile import Profile, ProfileWarning, checked_profile
from model.decision import History, decide
from model.decision.refer_words import with_urgent
from model.decision.rule_words import (
    BEFORE_AGAIN,
    BEFORE_ANY_CHANGE,
    BEFORE_OTHER_CHANGE,
    ON_YOUR_OWN,
    SEE_FIRST,
    SOON_ABOUT,
    keep_taking,
    lower_now,
    stop_now,
)
from model.decision.screening import screen
from model.report.advice import what_to_do
from model.testing import FakePosterior

AS_OF = dt.date(2026, 3, 1)
POSTERIOR = FakePosterior(n_draws=200)


def on(form: str, mg: float) -> History:
    """Thirty recorded nights on one regimen, no GI night."""
    return History(Regimen(form, mg), 30, frozenset({form}), 0)


def advice(priors, profile: Profile, past: History | None = None, **given):
    return decide(POSTERIOR, priors=priors, profile=profile, diary=past, as_of=AS_OF,
                  **given).recommendation


# 1. the profile is checked -------------------------------------------------------------------

@pytest.mark.parametrize(("name", "said"), [
    ("digoxn", "unknown medicine 'digoxn' (did you mean 'digoxin'?)"),
    ("foobarol", "unknown medicine 'foobarol'")])
def test_decide_refuses_an_unknown_medicine_as_analyze_does(priors, name, said):
    with pytest.raises(InputError) as error:
        advice(priors, Profile(medications=[name]), on("glycinate", 200))
    assert said in str(error.value)


def test_allow_unknown_accepts_it_with_one_warning_and_a_conditional_advice(priors):
    with pytest.warns(ProfileWarning) as caught:
        rec = advice(priors, Profile(medications=["foobarol"]), allow_unknown=True)
    said = [str(w.message) for w in caught if w.category is ProfileWarning]
    assert len(said) == 1 and "unknown medicine 'foobarol'" in said[0]
    assert said[0].endswith("accepted because of --allow-unknown")
    assert "not_checked" in rec.reason_codes


def test_a_profile_checked_once_is_not_checked_again(priors):
    """An analysis decides a dozen times on its checked profile: no warning, no error again;
    and the profile given to the check is not marked (it is checked, and refused, again)."""
    given = Profile(medications=["foobarol"], max_elemental_mg=500)
    with pytest.warns(ProfileWarning):
        checked = checked_profile(given, safety=priors.safety, allow_unknown=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rec = advice(priors, checked, on("glycinate", 200))
    assert "not_checked" in rec.reason_codes
    with pytest.raises(InputError):
        advice(priors, given, on("glycinate", 200))


def test_decide_caps_the_ceiling_as_analyze_does(priors):
    with pytest.warns(ProfileWarning, match="500 mg/day is above the safety ceiling"):
        rec = advice(priors, Profile(max_elemental_mg=500), on("glycinate", 200))
    assert rec.action != "refer"


def test_analyze_warns_of_an_accepted_unknown_medicine_once(priors):
    """Its checked profile reaches each ``decide`` (the decision, the prior sensitivity, the
    pathways) without a second check."""
    from model.analysis.pipeline import analyze
    from model.cli.demo import example_diary

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = analyze(example_diary(), profile=Profile(medications=["foobarol"]),
                         priors=priors, allow_unknown=True, draws=500, tune=500, chains=2,
                         seed=1)
    said = [str(w.message) for w in caught if issubclass(w.category, ProfileWarning)]
    assert len(said) == 1 and "unknown medicine 'foobarol'" in said[0]
    assert result.fit.diagnostics_.ok and (result.sensitivity or result.pathways)
    assert "not_checked" in result.decision.recommendation.reason_codes


# 2. one wording of each safety answer --------------------------------------------------------

def test_the_headline_of_a_referral_is_the_reasons_own_words(priors):
    taking = advice(priors, Profile(egfr=20), on("taurate", 200))
    assert what_to_do(taking) == with_urgent(f"{stop_now()}.", taking.reasons)
    assert taking.reasons[0] == f"{stop_now(taking='taurate 200 mg')}."
    naive = advice(priors, Profile(egfr=20))
    assert what_to_do(naive) == with_urgent(f"{SEE_FIRST}.", naive.reasons)
    assert naive.reasons[0].startswith(f"{SEE_FIRST}: ")


def test_the_headline_of_a_hold_is_the_reasons_own_words(priors):
    digoxin = advice(priors, Profile(medications=["digoxin"]), on("glycinate", 300))
    assert what_to_do(digoxin) == f"{BEFORE_ANY_CHANGE.capitalize()}."
    assert digoxin.reasons[0] == f"{keep_taking('glycinate 300 mg')} and {BEFORE_ANY_CHANGE}."
    high = advice(priors, Profile(medications=["digoxin"], max_elemental_mg=200),
                  on("glycinate", 300))
    assert what_to_do(high).lower().startswith(f"{SOON_ABOUT} lowering")
    assert what_to_do(high).endswith(f"{ON_YOUR_OWN} meanwhile.")
    assert high.reasons[0].endswith(f"{SOON_ABOUT} lowering it, {ON_YOUR_OWN}.")
    pregnant = advice(priors, Profile(pregnant=True), on("glycinate", 300))
    assert what_to_do(pregnant) == (f"{lower_now('250 mg a day, your daily ceiling')}, and "
                                    f"{BEFORE_OTHER_CHANGE}.")
    assert pregnant.reasons[0].endswith(f"and {BEFORE_OTHER_CHANGE}.")


def test_an_excluded_form_under_a_pregnancy_hold_says_one_thing(priors):
    """The headline said "see your clinician before any other change", its reasons "before
    taking magnesium again" (stopped, the form is not taken again without them)."""
    rec = advice(priors, Profile(pregnant=True, excluded_forms=["glycinate"]),
                 on("glycinate", 300))
    assert what_to_do(rec).endswith(f"{BEFORE_AGAIN}.")
    assert rec.reasons[0].endswith(f"{BEFORE_AGAIN}.")


def test_the_pots_of_a_blinded_trial_are_stopped_in_the_same_words(priors):
    rules = screen(Profile(egfr=20), priors.safety)
    assert pot_rules(rules, 350)[0].startswith(f"{stop_now(POTS)}: ")
