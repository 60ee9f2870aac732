"""A contraindication said to someone whose diary's last nights had no magnesium.

An outside audit (/tmp/w46/A F6): myasthenia gravis in the profile, glycinate 300 mg until 6
nights before the diary's end, and the answer was "Stop taking magnesium now (you are taking
glycinate 300 mg)". Those nights are still read as magnesium taken lately (a gap is no proof
of stopping: the referral stays ``refer_stop``), but the words say not to restart it; the
last night on magnesium still says "stop now". No dose is given either way.
"""

import datetime as dt

import pandas as pd
import pytest

from model.core.forms import PLACEBO
from model.data.profile import Profile
from model.decision import History, decide
from model.decision.refer_words import no_more
from model.report.advice import what_to_do

AS_OF = dt.date(2026, 3, 31)
MYASTHENIA = Profile(age=40, egfr=90, conditions=("myasthenia gravis",))
URGENT = "Seek urgent care for weakness that gets worse, or trouble swallowing or breathing."
DO_NOT_RESTART = f"Do not restart magnesium and see a clinician. {URGENT}"
STOP_NOW = f"Stop taking magnesium now and see a clinician. {URGENT}"


def never_called(regimens):
    raise AssertionError("a safety rule answers without the posterior")


def diary(*runs: tuple[str, float, int]) -> History:
    """The history of consecutive runs (form, elemental mg, nights), all written, to AS_OF."""
    rows = [(form, mg) for form, mg, n in runs for _ in range(n)]
    nights = pd.DataFrame({"form": [f for f, _ in rows], "elemental_mg": [m for _, m in rows],
                           "split": False, "recorded": True, "gi_night": 0.0},
                          index=pd.date_range(end=pd.Timestamp(AS_OF), periods=len(rows)))
    return History.from_nights(nights)


def refer(priors, past: History, profile: Profile = MYASTHENIA):
    return decide(never_called, priors=priors, profile=profile, diary=past,
                  as_of=AS_OF).recommendation


def no_dose(rec) -> bool:
    """Nothing to take: no regimen, no dose in the JSON, and no words of one."""
    entry = rec.to_dict()
    return (rec.action == "refer" and rec.regimen is None and entry["form"] is None
            and entry["elemental_mg_per_day"] is None and rec.max_mg_now is None)


@pytest.mark.parametrize(("off", "last"), [(6, "none"), (1, "none"), (2, "none"),
                                           (3, PLACEBO)])
def test_nights_off_after_magnesium_say_do_not_restart(priors, off, last):
    """The audit's 6 nights off, nights read as skipped (1, 2) and a placebo period: the
    magnesium is still the one taken lately (refer_stop), and nothing says "stop now"."""
    past = diary(("none", 0, 14), ("glycinate", 300, 30), (last, 0, off))
    assert past.taking.words == "glycinate 300 mg" and past.since_taken == off
    rec = refer(priors, past)
    said = "your last night" if off == 1 else f"your last {off} nights"
    assert rec.reasons[0] == (f"Do not restart magnesium ({said} had none, after glycinate "
                              "300 mg) and see a clinician.")
    assert rec.reason_codes == ("refer", "refer_stop", "off_lately")
    assert what_to_do(rec) == DO_NOT_RESTART
    assert not any("Stop taking" in line for line in (*rec.reasons, *rec.warnings))
    assert rec.reasons[1].startswith("Reason to see a clinician: myasthenia gravis")
    assert no_dose(rec)


@pytest.mark.parametrize("runs", [
    (("none", 0, 6), ("glycinate", 300, 30)),
    (("glycinate", 300, 20), ("none", 0, 2), ("glycinate", 300, 1)),   # back on last night
])
def test_magnesium_last_night_still_says_stop_now(priors, runs):
    """Last night had magnesium: "stop now", named, in the reasons and the headline."""
    past = diary(*runs)
    assert past.since_taken == 0
    rec = refer(priors, past)
    assert rec.reasons[0] == ("Stop taking magnesium now (you are taking glycinate 300 mg) "
                              "and see a clinician.")
    assert rec.reason_codes == ("refer", "refer_stop")
    assert what_to_do(rec) == STOP_NOW and no_dose(rec)


def test_long_off_magnesium_is_not_taking_it(priors):
    """Beyond the GI window (7 nights) nothing is taken lately: see a clinician first."""
    past = diary(("glycinate", 300, 30), ("none", 0, 8))
    assert past.since_taken == 0 and not past.taking.active
    rec = refer(priors, past)
    assert rec.reason_codes == ("refer",) and what_to_do(rec).startswith(
        "See a clinician before taking magnesium") and no_dose(rec)


def test_a_hold_beside_the_referral_says_do_not_restart_too(priors):
    """Digoxin beside myasthenia gravis, after nights off: its hold is said with the step
    the diary fits ("do not restart it"), not "stop as said"."""
    both = Profile(age=40, egfr=90, conditions=("myasthenia gravis",),
                   medications=("digoxin",))
    rec = refer(priors, diary(("glycinate", 300, 30), ("none", 0, 4)), both)
    held = [r for r in rec.reasons if "The contraindication comes first" in r]
    assert held and all("do not restart it," in r and "stop as said" not in r for r in held)
    assert what_to_do(rec) == DO_NOT_RESTART and no_dose(rec)


def test_the_first_reason_counts_the_nights_and_names_the_regimen():
    """One phrase for the count (as a withdrawal's words say it) and the regimen before."""
    past = diary(("citrate", 150, 10), ("none", 0, 5))
    assert no_more(past.taking, past.since_taken) == (
        "Do not restart magnesium (your last 5 nights had none, after citrate 150 mg) and see "
        "a clinician.")
    assert no_more(past.taking, 0).startswith("Stop taking magnesium now (you are taking")


def test_a_night_skipped_is_not_said_to_go_on_beside_a_referral(priors):
    """"The period of glycinate 300 mg goes on. If you stopped on purpose, keep to the step
    you were given" stood beside "Do not restart magnesium": the first reason says the night."""
    rec = refer(priors, diary(("glycinate", 300, 30), ("none", 0, 1)))
    assert rec.reasons[0].startswith("Do not restart magnesium (your last night had none")
    assert not any("goes on" in w or "keep to the step" in w for w in rec.warnings)
