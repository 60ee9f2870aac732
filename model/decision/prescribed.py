"""Magnesium a clinician prescribes: held as prescribed, never tested, lowered or added to.

A person may take magnesium as a treatment (low magnesium, hypomagnesaemia: a PPI's, a
diuretic's), not as a sleep supplement. mgsleep had withdrawn it for 17 nights, lowered it to
the 350 mg supplement limit, or stopped it under a contraindication, with no word of the
prescriber (a pharmacist's audit, 2026-12, finding 1: Joan, glycinate 400 mg from her GP).

The profile says so with the key ``prescribed_magnesium = true``, a magnesium entry among the
medicines marked ``(prescribed)`` (:func:`model.data.profile_entries.prescribed_of`), or a low
magnesium among the conditions (``hypomagnesaemia``, ``low Mg``: what magnesium treats). Each
sets a rule of ``safety.toml`` of ``kind = "clinician"`` (:data:`PRESCRIBED_RULES`), which
:func:`model.decision.screening.screen` makes a medicine's hold, as digoxin's: stopping or
lowering is a change too, and the routine is kept until the prescriber advises. While it
holds, the supplement upper limit is not the ceiling of the magnesium taken now
(:func:`prescribed_ceiling`): the IOM's upper limit is for intake without a physician's
supervision, and a dose the prescriber chose above it is theirs to change. Nothing is added
to it: a hold suggests no form or dose.

With a rule that refers as well (myasthenia gravis, an eGFR below 30), the prescribed
treatment is not stopped on mgsleep's word: the prescriber is contacted today, and urgent
care sought for the signs the rule gives (:func:`prescribed_refer_reasons`; the signs are the
rules' own, :func:`model.decision.refer_words.urgent_signs`).
"""

from __future__ import annotations

from collections.abc import Sequence

from model.core.regimen import Regimen
from model.decision.refer_words import REFERRAL_LABEL, urgent_signs, with_urgent
from model.evidence.schema import Contraindication

PRESCRIBED = "prescribed_magnesium"
"""The condition of ``safety.toml``'s rule that the profile key ``prescribed_magnesium`` sets."""

PRESCRIBED_RULES = (PRESCRIBED, "hypomagnesaemia")
"""The ids of the ``kind = "clinician"`` rules that mean the magnesium is a prescribed treatment."""


def prescribed_holds(found: Sequence[tuple[Contraindication, str]]) -> tuple[str, ...]:
    """The reason of the prescribed rule that applies (the first, of :data:`PRESCRIBED_RULES`).

    A low magnesium among the conditions says what the magnesium is for; with
    ``prescribed_magnesium = true`` too, the one reason is said once, not twice.
    """
    said = sorted(((PRESCRIBED_RULES.index(c.id), reason) for c, reason in found
                   if c.id in PRESCRIBED_RULES), reverse=True)
    return (said[0][1],) if said else ()


def prescribed_ceiling(ceiling_mg: float, taking: Regimen, prescribed: bool) -> float:
    """The daily ceiling while magnesium is prescribed: at least the dose taken now.

    The supplement's upper limit does not lower a supervised treatment (no lowering to 350
    mg); it is never raised above the dose taken now, and a hold suggests no other dose.
    ``prescribed`` is false when another magnesium product is counted beside the diary's:
    the diary's supplement may then be the person's own, on top of the prescribed one, and
    its dose above what is left is put to the prescriber (a hold above its ceiling).
    """
    return max(ceiling_mg, taking.elemental_mg) if prescribed and taking.active else ceiling_mg


def prescribed_refer_reasons(referrals: Sequence[str], current: Regimen) -> list[str]:
    """The reasons of a ``refer`` while a prescribed magnesium is taken: the prescriber, today.

    "Stop taking magnesium now" stopped a treatment first and told its prescriber after; the
    contraindication is said, with whom to contact and when to seek urgent care instead: the
    signs of the rules in ``referrals`` (:func:`~model.decision.refer_words.with_urgent`),
    none for a rule that gives none.
    """
    call = (f"Contact your prescriber today about your prescribed magnesium ({current.words}): "
            "a rule below asks for a clinician before magnesium is taken; do not raise it or "
            "add any other magnesium.")
    return [with_urgent(call, referrals),
            *(f"{REFERRAL_LABEL}: {reason}." for reason in referrals),
            "No form or dose is suggested until your prescriber has advised."]


def prescribed_plan_refusals(referrals: Sequence[str], holds: Sequence[str]) -> list[str]:
    """Why ``plan`` plans no trial of a prescribed magnesium: each rule, with its prescriber.

    :func:`~model.decision.rule_words.plan_refusals` said "stop it" beside a contraindication
    and "see them soon about lowering it" above the supplement ceiling, of a treatment. The
    urgent signs are the contraindications' own (:func:`~model.decision.refer_words.urgent_signs`).
    """
    signs = "; ".join(urgent_signs(referrals))
    meanwhile = f" ({signs} meanwhile)" if signs else ""
    do = (f"contact your prescriber today about it{meanwhile}" if referrals
          else "keep taking it as prescribed and change it only with your prescriber")
    return [f"your magnesium is prescribed: {do}: {rule}" for rule in (*referrals, *holds)]
