"""What to do, in one sentence: the first line of the headline (:func:`what_to_do`).

A safety rule's referral or hold says what to do now and whom to see (a prescribed
magnesium's, its prescriber: :data:`PRESCRIBED_HOLD`, :data:`PRESCRIBED_REFER`); a step of
the person's own trial plan, and a withdrawal, say the decision's own first reason (a
withdrawal names the regimen and its nights: "Stop glycinate 200 mg for 17 nights, then take
it again", not "for one evaluation period"); every other step says its verb and regimen.
"""

from __future__ import annotations

from model.core.change_words import GI_TROUBLE
from model.decision import Recommendation, describe
from model.decision.explain import PLACEBO_OVER
from model.decision.rules import BREACHES

_VERBS = {"start": "Start", "continue": "Continue", "increase_dose": "Raise the dose to",
          "decrease_dose": "Lower the dose to", "switch_form": "Switch to",
          "split_dose": "Split the dose:"}


UNCHECKED_FIRST = ("First ask a pharmacist or clinician: your profile names a condition or "
                   "medicine that mgsleep's safety data does not know (see the warnings).")


PRESCRIBED_HOLD = ("Your magnesium is prescribed: keep taking it as prescribed, and change its "
                   "form or dose only with your prescriber.")
"""A prescribed magnesium's hold (:mod:`model.decision.prescribed`): kept, never tested."""

PRESCRIBED_REFER = ("Contact your prescriber today about your prescribed magnesium (a safety rule "
                    "below); seek urgent care at once if weakness gets worse, or swallowing or "
                    "breathing becomes hard.")
"""A contraindication beside a prescribed magnesium: the prescriber today, not a stop first."""


def what_to_do(recommendation: Recommendation) -> str:
    """Say the recommendation in one sentence (and UNCHECKED_FIRST for ``not_checked``)."""
    said = _advice(recommendation)
    return f"{said} {UNCHECKED_FIRST}" if "not_checked" in recommendation.reason_codes \
        else said


def _advice(recommendation: Recommendation) -> str:
    action, regimen = recommendation.action, recommendation.regimen
    codes = recommendation.reason_codes
    if action == "refer":
        if "prescribed" in codes:       # a prescribed magnesium: its prescriber decides
            return PRESCRIBED_REFER if "refer_hold" not in codes else PRESCRIBED_HOLD
        if "refer_stop" in codes:
            return "Stop taking magnesium now and see a clinician."
        if "medicine_hold" in codes and "acute_gi" in codes:    # digoxin, loose stools
            return (f"Call your clinician soon about the {GI_TROUBLE} on your magnesium, and "
                    "change nothing on your own meanwhile.")
        if "medicine_hold" in codes and "current_excluded" in codes:    # digoxin
            return ("See your clinician soon about stopping your magnesium (your profile "
                    "excludes its form), and change nothing on your own meanwhile.")
        if "medicine_hold" in codes and "current_above_ceiling" in codes:
            return ("See your clinician soon about lowering your magnesium to your daily "
                    "ceiling, and change nothing on your own meanwhile.")
        if "refer_hold" in codes and "current_excluded" in codes:   # whatever its dose
            return ("Stop your current magnesium now (your profile excludes its form), and see "
                    "your clinician before any other change.")
        if "refer_hold" in codes and "current_above_ceiling" in codes:   # pregnancy, 300 mg
            return ("Lower your magnesium to your daily ceiling now (below), and see your "
                    "clinician before any other change.")
        if "other_unread" in codes:     # a label to read, not a clinician to see
            return ("Write other_magnesium_mg = ... in your profile (your other magnesium "
                    "product's elemental magnesium a day, from its label) and analyse again; "
                    "keep your current routine meanwhile.")
        if "refer_hold" in codes:
            return "See your clinician before any change to magnesium."
        return "See a clinician before taking magnesium."
    if "planned" in codes:
        return recommendation.reasons[0]
    if action == "collect_more_data" and "current_excluded" in codes:
        return "Stop your current magnesium: your profile excludes its form."
    if action == "collect_more_data" and "current_above_ceiling" in codes:
        return "Lower your magnesium to your daily ceiling now, then record more nights."
    if action == "collect_more_data" and {"diagnostics_failed", "acute_gi"} <= set(codes):
        return f"If {GI_TROUBLE} go on, stop your magnesium; then record more nights."
    if action == "placebo_period":
        return ("Take a blinded placebo instead of your magnesium for one evaluation period, "
                "then go back to it.")
    if action == "withdrawal":     # its own words: what to stop, for how many nights
        own = recommendation.reasons[1:] if set(codes) & BREACHES else recommendation.reasons
        return own[0] if own else "Stop your magnesium for one evaluation period, then take " \
            "it again."
    if action == "collect_more_data" and "dose_check" in codes:
        return ("Check the dose in your diary (see why), correct it and analyse again; keep "
                "your current routine meanwhile.")
    if action == "collect_more_data" or regimen is None:
        return "Keep your current routine and record more nights before changing anything."
    if action == "stop":
        return "Stop taking magnesium."
    if action == "continue" and not regimen.active:
        return "Stay without magnesium for now."
    if action == "continue" and any(r.endswith(f": {PLACEBO_OVER}.")
                                    for r in recommendation.reasons):
        return f"Go back to {describe(regimen)}: {PLACEBO_OVER}."
    return f"{_VERBS[action]} {describe(regimen)}."
