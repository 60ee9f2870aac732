"""The headline's first line, its "Take care" and a step taken to learn, in plain words.

A plain-language editor (/tmp/w46/D): each test failed before its fix.

S1. A very anxious week beside a stop for harm: 60 words on anxiety came first and "Stop taking
    magnesium." last, so the stop could be read as one against the anxiety.
S4. "Continue glycinate 300 mg ... Take care" named a missing eGFR alone, while the last warning
    said "2 GI nights in the last 7 on glycinate 300 mg: if they go on, stop".
C8. "To learn: its nights are expected to teach more than they cost, though another step looks
    slightly better on today's numbers" named neither the other step nor the cost.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from types import SimpleNamespace

import pandas as pd
import pytest

from model.core.regimen import Regimen
from model.decision import ActionAssessment, Decision, Recommendation
from model.decision.explain import RecentGi
from model.decision.gi_words import GENTLEST
from model.decision.history import History
from model.decision.results import Scores
from model.decision.rule_words import acute_gi_warning
from model.decision.screening import Screening
from model.decision.settings import DecisionSettings
from model.report.gut_words import dose_notes
from model.report.headline import _what, _why

REVIEW = dt.date(2026, 12, 24)
GLYCINATE = Regimen("glycinate", 300.0)
SPLIT = replace(GLYCINATE, split=True)
NONE = Regimen("none")
SCORES = Scores({}, 0.0, 0.4, 0.5, 0.0, 0.2, 0.0)
ANXIOUS = pd.DataFrame({"anxiety": [3.0] * 20 + [9, 9, 8, 4, 9, 5, 4]})
"""Evening anxiety 8 or more on 4 of the last 7 nights: a hard week."""


def rec_of(action: str, regimen: Regimen | None, codes: tuple[str, ...],
           reasons: tuple[str, ...] = (), warnings: tuple[str, ...] = ()) -> Recommendation:
    return Recommendation(action, regimen, SCORES, False, REVIEW, reasons, warnings, codes)


def first_line(rec: Recommendation) -> str:
    return _what(SimpleNamespace(decision=Decision(rec), diary=SimpleNamespace(nights=ANXIOUS)))


# --- S1: a step safety asks for comes before the anxious week's prompt --------------------------
@pytest.mark.parametrize(("action", "regimen", "codes", "step"), [
    ("stop", NONE, ("harm", "acute_gi"), "Stop taking magnesium."),
    ("collect_more_data", None, ("current_excluded",),
     "Stop your current magnesium: your profile excludes its form."),
])
def test_a_step_safety_asks_for_comes_before_the_anxious_weeks_prompt(action, regimen, codes,
                                                                      step):
    said = first_line(rec_of(action, regimen, codes))
    assert said.startswith(f"{step} Also: your evening anxiety was 8 or more on 4 of the last "
                           "7 nights (7 with it recorded): magnesium is no treatment for severe "
                           "anxiety or panic, so talk to your clinician or prescriber soon")
    # the stop is not one to judge: no word that a change is hard to judge
    assert "hard to judge" not in said and said.endswith("emergency number).")


def test_advice_that_changes_nothing_still_opens_with_the_anxious_weeks_prompt():
    said = first_line(rec_of("continue", GLYCINATE, ("hard_week",)))
    assert said.startswith("Your evening anxiety was 8 or more on 4 of the last 7 nights")
    assert said.index("hard to judge") < said.index("Continue glycinate") and "Also" not in said
    calm = SimpleNamespace(decision=Decision(rec_of("stop", NONE, ("harm",))),
                           diary=SimpleNamespace(nights=ANXIOUS.iloc[:20]))
    assert _what(calm) == "Stop taking magnesium."                   # no week, no "Also"


# --- S4: recent GI nights on the regimen taken are said with its dose --------------------------
KIDNEY = "no age or eGFR given: kidney function not known"
RULES = Screening((), (), 350.0, ("glycinate",), fact_cautions=(KIDNEY,))
SETTINGS = DecisionSettings()
GENTLER = (f"{GENTLEST} and you keep taking magnesium, the gentlest step open now is to split "
           "the dose: glycinate 300 mg in two intakes.")


def loose(rec: Recommendation, nights: int = 3, hold: bool = False) -> Recommendation:
    """``rec`` with the decision's warning of ``nights`` recent GI nights on glycinate 300 mg.

    And their counts, as the decision carries them (``recent_gi``).
    """
    past = History(current=GLYCINATE, recent_gi_nights=nights)
    return replace(rec, warnings=(*rec.warnings, acute_gi_warning(past, SETTINGS, hold)),
                   recent_gi=RecentGi.of(past, SETTINGS))


def test_recent_gi_nights_on_the_regimen_kept_come_first_under_take_care():
    window = SETTINGS.gi_window
    rec = loose(rec_of("continue", GLYCINATE, ("learn", "acute_gi"), (GENTLER,)), 3)
    notes = dose_notes(RULES, rec, GLYCINATE)
    assert notes == (f" Take care: you had loose stools or stomach upset on 3 of the last "
                     f"{window} nights, and if that goes on, take the gentlest step named "
                     f"below, or stop; {KIDNEY}.")
    # no gentler step named: stop
    alone = dose_notes(RULES, replace(rec, reasons=()), GLYCINATE)
    assert f"on 3 of the last {window} nights, and if that goes on, stop; {KIDNEY}." in alone
    # with a medicine that holds magnesium (digoxin), the clinician, never "stop"
    held = loose(rec_of("refer", None, ("refer_hold", "medicine_hold")), 2, hold=True)
    said = dose_notes(RULES, held, GLYCINATE)
    assert "on 2 of the last" in said and "call your clinician soon rather than changing " \
        "magnesium yourself" in said and "stop" not in said


def test_no_gi_caution_beside_another_regimen_or_without_the_warning():
    rec = loose(rec_of("split_dose", SPLIT, ("acute_gi",)), 3)
    assert "loose stools" not in dose_notes(RULES, rec, SPLIT)   # its why says it already
    calm = rec_of("continue", GLYCINATE, ("learn",))
    assert dose_notes(RULES, calm, GLYCINATE) == f" Take care: {KIDNEY}."


# --- C8: a step taken to learn names the step ahead today and what its nights show ------------
def assessed(action: str, regimen: Regimen, utility: float,
             blocked: tuple[str, ...] = ()) -> ActionAssessment:
    gain = {"gi_rate": 0.0}
    return ActionAssessment(action, regimen, gain, gain, gain, utility, 0.0, 0.5, 0.5, 0.0,
                            not blocked, blocked, 0.0, REVIEW, 0.0, blocked, False)


def learn_why(action: str, regimen: Regimen) -> str:
    steps = (assessed("split_dose", SPLIT, 0.06), assessed("continue", GLYCINATE, 0.0),
             assessed("stop", NONE, -2.7),
             assessed("increase_dose", Regimen("glycinate", 350.0), 0.5, ("gi_limit",)))
    chosen = next(i for i, a in enumerate(steps) if a.action == action)
    rec = rec_of(action, regimen, ("learn",))
    return _why(SimpleNamespace(decision=Decision(rec, steps, chosen)))


def test_a_step_taken_to_learn_names_the_step_ahead_today_and_what_its_nights_show():
    assert learn_why("continue", GLYCINATE) == (
        "to learn: more nights on glycinate 300 mg will show more clearly whether it helps "
        "you; the step that looks better today, to split the dose: glycinate 300 mg in two "
        "intakes, is ahead by too little to act on before those nights are in.")
    # the step ahead is one open now (a blocked dose step had the higher utility)
    assert "350" not in learn_why("continue", GLYCINATE)
    assert learn_why("stop", NONE).startswith(
        "to learn: nights without magnesium will show more clearly whether the magnesium you "
        "took helped you; the step that looks better today, to split the dose")
