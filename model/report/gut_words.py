"""What the headline says of the gut beside the step, where a reader looks first.

Why no step keeps the current regimen when the GI chance constraint blocks continuing
(:func:`gi_limit_words`), and a diary without a GI record on any magnesium night among the
cautions said with the dose (:func:`dose_notes`): both were said only far below the advice,
in the decision's details and its last warning (an outside audit, /tmp/w46/A F3, F5).
"""

from __future__ import annotations

from dataclasses import replace

from model.core.regimen import Regimen
from model.decision import Decision, Recommendation
from model.decision.gi_words import KEEPING
from model.decision.rule_words import NO_GI_RECORDS
from model.decision.screening import Screening

NO_GI_RECORD_CARE = ("no stool form or upset-stomach record on any magnesium night, so the "
                     "advice's GI chances are the evidence's alone (see the warnings)")
"""The caution of a diary without a GI record on magnesium, said with the dose."""


def gi_limit_words(decision: Decision) -> str:
    """Why a change is made while the GI limit blocks continuing, as the why's first sentence.

    Continuing blocked by the GI chance constraint (``gi_limit`` among its codes) is why no
    step keeps the current regimen: "Stop taking magnesium. Why: To learn: its nights are
    expected to teach more than they cost" hid that continuing glycinate was blocked at
    P(GI constraint violated) 0.71 (/tmp/w46/A F3). Without a GI record on any magnesium
    night (the warning :data:`~model.decision.rule_words.NO_GI_RECORDS`) that chance is the
    evidence's alone, and the words say so. "" under the acute GI rule, whose words come
    first (:func:`model.report.headline.acute_gi_why`), for advice that changes no magnesium
    (:data:`~model.decision.gi_words.KEEPING`), and when continuing is not GI-blocked.
    """
    rec = decision.recommendation
    stay = next((a for a in decision.assessments if a.action == "continue"), None)
    if stay is None or "gi_limit" not in stay.reason_codes or rec.action in KEEPING \
            or "acute_gi" in rec.reason_codes:
        return ""
    block = next(b for c, b in zip(stay.reason_codes, stay.blocked_by, strict=True)
                 if c == "gi_limit")
    alone = (", from the evidence alone: your diary has no GI record on magnesium"
             if NO_GI_RECORDS in rec.warnings else "")
    return (f"Continuing {stay.regimen.words} is ruled out by the GI limit ({block}{alone}): "
            "only steps within it are open.")


def dose_notes(rules: Screening, rec: Recommendation, taken: Regimen | None) -> str:
    """The rules and cautions said with the dose taken (:meth:`Screening.with_dose`).

    A diary without a GI record on any magnesium night (the decision's warning
    :data:`~model.decision.rule_words.NO_GI_RECORDS`) is among the cautions: without its
    stool column a diary's advice went from "Stop" to "Split the dose", said only in the last
    warning, while "Take care" named a missing eGFR alone (/tmp/w46/A F5).
    """
    if NO_GI_RECORDS in rec.warnings:
        rules = replace(rules, cautions=(*rules.cautions, NO_GI_RECORD_CARE))
    return rules.with_dose(taken)
