"""What the headline says of the gut beside the step, where a reader looks first.

Why no step keeps the current regimen when the GI chance constraint blocks continuing
(:func:`gi_limit_words`), and a diary without a GI record on any magnesium night or recent GI
nights on the regimen taken among the cautions said with the dose (:func:`dose_notes`): they
were said only far below the advice, in the decision's details and its last warnings (outside
audits, /tmp/w46/A F3, F5; /tmp/w46/D S4). A step taken during loose stools says so first
(:func:`acute_gi_why`).
"""

from __future__ import annotations

from dataclasses import replace

from model.core.change_words import GI_TROUBLE
from model.core.regimen import Regimen
from model.decision import Decision, Recommendation
from model.decision.gi_words import GENTLEST, KEEPING
from model.decision.rule_words import HOLD_GI_STEP, NO_GI_RECORDS
from model.decision.rules import BREACHES
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
    first (:func:`acute_gi_why`), for advice that changes no magnesium
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


def recent_gi_care(rec: Recommendation, taken: Regimen | None) -> str:
    """The caution of recent GI nights on the regimen taken on the advice, else "".

    "Continue glycinate, 300 mg ... Take care: no age or eGFR given ..." stood above "2 GI
    nights in the last 7 on glycinate 300 mg: if they go on, stop", the last warning (a
    plain-language editor, /tmp/w46/D S4). Its counts are the warning's, which the
    recommendation carries (``recent_gi``: they were parsed out of its words); if the trouble
    goes on, the gentlest step the detail names (:data:`~model.decision.gi_words.GENTLEST`) or
    a stop, or under a medicine's hold (``medicine_hold``) the clinician, as the warning says.
    """
    gi = rec.recent_gi
    if gi is None or gi.regimen != taken:
        return ""
    then = (HOLD_GI_STEP if "medicine_hold" in rec.reason_codes else
            "take the gentlest step named below, or stop"
            if any(r.startswith(GENTLEST) for r in rec.reasons) else "stop")
    return (f"you had {gi.words} on {gi.nights} of the last {gi.window} nights, and if that goes "
            f"on, {then}")


def dose_notes(rules: Screening, rec: Recommendation, taken: Regimen | None) -> str:
    """The rules and cautions said with the dose taken (:meth:`Screening.with_dose`).

    A diary without a GI record on any magnesium night (the decision's warning
    :data:`~model.decision.rule_words.NO_GI_RECORDS`) is among the cautions: without its
    stool column a diary's advice went from "Stop" to "Split the dose", said only in the last
    warning, while "Take care" named a missing eGFR alone (/tmp/w46/A F5). Recent GI nights
    on the regimen taken (:func:`recent_gi_care`) come first: they ask for a step tonight.
    """
    if NO_GI_RECORDS in rec.warnings:
        rules = replace(rules, cautions=(*rules.cautions, NO_GI_RECORD_CARE))
    if recent := recent_gi_care(rec, taken):
        rules = replace(rules, fact_cautions=(recent, *rules.fact_cautions))
    return rules.with_dose(taken)


def acute_gi_why(rec: Recommendation, why: str) -> str:
    """A step taken during loose stools says so first, then why it was the one chosen.

    Under the acute GI rule only gentler steps are open; the reason a step was chosen among
    them (to learn, say) is not the reason a change is made at all.
    """
    if "acute_gi" not in rec.reason_codes or set(rec.reason_codes) & BREACHES \
            or rec.action in KEEPING:
        return why
    said = rec.recent_gi.words if rec.recent_gi else GI_TROUBLE
    return f"{said} lately (see the warning): only gentler steps are open. " \
        f"{why[:1].upper()}{why[1:]}"
