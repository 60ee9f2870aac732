"""What to do, in one sentence: the first line of the headline (:func:`what_to_do`).

A safety rule's referral or hold says what to do now (a dose to lower: to how many mg) and
whom to see, in the words of the decision's own reasons
(:func:`model.decision.rule_words.safety_step`; a prescribed magnesium's, its prescriber:
:data:`PRESCRIBED_HOLD`, :data:`PRESCRIBED_REFER`); a step of
the person's own trial plan, and a withdrawal, say the decision's own first reason (a
withdrawal names the regimen and its nights: "Stop glycinate 200 mg for 17 nights, then take
it again", not "for one evaluation period"); every other step says its verb and regimen.
"""

from __future__ import annotations

from model.core.change_words import GI_TROUBLE
from model.decision import Recommendation, describe
from model.decision.explain import PLACEBO_OVER, STAY_WITHOUT
from model.decision.refer_words import with_urgent
from model.decision.rule_words import lower_now, safety_step
from model.decision.rules import BREACHES
from model.report.break_words import stay_off

_VERBS = {"start": "Start", "continue": "Continue", "increase_dose": "Raise the dose to",
          "decrease_dose": "Lower the dose to", "switch_form": "Switch to",
          "split_dose": "Split the dose:"}


UNCHECKED_FIRST = ("First ask a pharmacist or clinician: your profile or diary names a condition "
                   "or medicine that mgsleep's safety data does not know (see the warnings).")


PRESCRIBED_HOLD = ("Your magnesium is prescribed: keep taking it as prescribed, and change its "
                   "form or dose only with your prescriber.")
"""A prescribed magnesium's hold (:mod:`model.decision.prescribed`): kept, never tested."""

PRESCRIBED_REFER = ("Contact your prescriber today about your prescribed magnesium (a safety rule "
                    "below).")
"""A contraindication beside a prescribed magnesium: the prescriber today, not a stop first;
the urgent signs of its rules follow (:func:`~model.decision.refer_words.with_urgent`)."""


UNCHECKED_TOO = ("Tell the clinician too of what your profile or diary names that mgsleep's "
                 "safety data does not know (see the warnings).")
"""``not_checked`` beside a referral: "first ask" after "stop now" read as a wait before the
stop (a pregnancy journey's audit, /tmp/w53/c C6, found the code dropped under a hold)."""


def what_to_do(recommendation: Recommendation) -> str:
    """Say the recommendation in one sentence (and UNCHECKED_FIRST for ``not_checked``).

    Beside a referral, which sees a clinician already: :data:`UNCHECKED_TOO`.
    """
    said = _advice(recommendation)
    if "not_checked" not in recommendation.reason_codes:
        return said
    return f"{said} {UNCHECKED_TOO if recommendation.action == 'refer' else UNCHECKED_FIRST}"


def _ceiling(recommendation: Recommendation) -> str:
    """The dose a rule lowers to: "250 mg a day, your daily ceiling" (its ``max_mg_now``).

    A clinic's audit: "Lower your magnesium to your daily ceiling now (below)" headed the
    clinician page of a pregnant person on 300 mg, the number only in the reasons under it.
    "your daily ceiling" alone for a recommendation built without ``max_mg_now``.
    """
    most = recommendation.max_mg_now
    return "your daily ceiling" if most is None else f"{most:g} mg a day, your daily ceiling"


def _advice(recommendation: Recommendation) -> str:
    action, regimen = recommendation.action, recommendation.regimen
    codes = recommendation.reason_codes
    if action == "refer":
        return _refer(recommendation)
    if "planned" in codes:
        return recommendation.reasons[0]
    if action == "collect_more_data" and "current_excluded" in codes:
        return "Stop your current magnesium: your profile excludes its form."
    if action == "collect_more_data" and "dose_check" in codes and regimen is None:
        return ("Check the dose in your diary (see why) and analyse again; meanwhile take no "
                f"more than {_ceiling(recommendation)}.")
    if action == "collect_more_data" and "current_above_ceiling" in codes:
        return f"{lower_now(_ceiling(recommendation))}, then record more nights."
    if action == "collect_more_data" and {"diagnostics_failed", "acute_gi"} <= set(codes):
        return f"If {GI_TROUBLE} go on, stop your magnesium; then record more nights."
    if action == "placebo_period":
        return ("Take a blinded placebo instead of your magnesium for one evaluation period, "
                "then go back to it.")
    if action == "withdrawal":     # its own words: what to stop, for how many nights
        own = recommendation.reasons[1:] if set(codes) & BREACHES else recommendation.reasons
        return own[0] if own else "Stop your magnesium for one evaluation period, then take " \
            "it again."
    if action == "collect_more_data" and "break_under_way" in codes:
        return stay_off(recommendation)[0]     # "Stay without magnesium for 6 more nights: ..."
    if action == "collect_more_data" and "dose_check" in codes:
        return ("Check the dose in your diary (see why), correct it and analyse again; keep "
                "your current routine meanwhile.")
    if action == "collect_more_data" and "taken_as_needed" in codes and regimen is not None:
        return (f"Take {describe(regimen)}, every night until the next look, not only when "
                "you need it.")     # as needed, the routine cannot be judged (/tmp/w57/n N1)
    if action == "collect_more_data" or regimen is None:
        return "Keep your current routine and record more nights before changing anything."
    if action == "continue" and "no_room" in codes:
        return ("Stay without magnesium: your nights are already near the best these scales "
                "record." if not regimen.active else f"Continue {describe(regimen)}: your "
                "nights are already near the best these scales record; no other form or dose "
                "is worth trying.")
    if action == "stop":
        return "Stop taking magnesium."
    if action == "continue" and not regimen.active:
        return STAY_WITHOUT
    if action == "continue" and any(r.endswith(f": {PLACEBO_OVER}.")
                                    for r in recommendation.reasons):
        return f"Go back to {describe(regimen)}: {PLACEBO_OVER}."
    return f"{_VERBS[action]} {describe(regimen)}."


def _refer(recommendation: Recommendation) -> str:
    """A safety rule's answer: whom to see, and what to do with the magnesium meanwhile."""
    codes = recommendation.reason_codes
    if "prescribed" in codes:       # a prescribed magnesium: its prescriber decides
        return (with_urgent(PRESCRIBED_REFER, recommendation.reasons)
                if "refer_hold" not in codes else PRESCRIBED_HOLD)
    return safety_step(codes, _ceiling(recommendation), recommendation.reasons)
