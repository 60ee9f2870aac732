"""The words of a contraindication's ``refer``: see a clinician, stop now, do not restart.

Each defined once: :func:`refer_reasons` says them of the regimen taken, its headline
(:func:`model.decision.rule_words.safety_step`) of "your magnesium", a blinded trial's of
"the trial's pots". Someone whose diary's last nights had no magnesium is told not to
restart it, not to stop it now (an outside audit, /tmp/w46/A F6: "Stop taking magnesium now"
after 6 nights without it). A rule's signs that call for urgent care are said in the
headline's first line (:func:`with_urgent`), not only at the end of its technical reason.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from model.core.regimen import Regimen
from model.decision.plan_words import last_nights

REFERRAL_LABEL = "Reason to see a clinician"
"""How a contraindication is introduced once magnesium is taken or in a clinician's summary:
not every rule that refers is a contraindication (pregnancy asks for a clinician's dose)."""
SEE_FIRST = "See a clinician before taking magnesium"
"""A contraindication's answer to a person not taking magnesium."""

URGENT_CLAUSE = re.compile(r"\bseek urgent care\b[^;.]*")
"""A rule's own "seek urgent care for ..." clause in its ``safety.toml`` reason, up to the
next ";" or ".": the signs are written once there, and the headline says them from it."""


def stop_now(what: str = "magnesium", taking: str = "") -> str:
    """A contraindication's stop; ``taking``: the regimen taken (the reasons name it)."""
    said = f" (you are taking {taking})" if taking else ""
    return f"Stop taking {what} now{said} and see a clinician"


def not_again(after: str = "") -> str:
    """A contraindication's answer after the diary's last nights without magnesium.

    ``after``: those nights and the regimen before them (the reasons say them). Read as
    nights skipped or not (:attr:`model.decision.history.History.taking`), the answer is the
    same as :func:`stop_now`'s, none from now, in words that fit the diary.
    """
    said = f" ({after})" if after else ""
    return f"Do not restart magnesium{said} and see a clinician"


def no_more(taking: Regimen, since: int) -> str:
    """The first reason of a ``refer`` while magnesium is taken, as a sentence.

    ``since``: the diary's last nights without it
    (:attr:`~model.decision.history.History.since_taken`; 0: taken last night, "stop now").
    """
    if not since:
        return f"{stop_now(taking=taking.words)}."
    return f"{not_again(f'{last_nights(since)} had none, after {taking.words}')}."


def urgent_signs(reasons: Sequence[str]) -> tuple[str, ...]:
    """The "seek urgent care ..." clauses of ``reasons`` (:data:`URGENT_CLAUSE`), each once.

    The one source of a referral's urgent signs: the rules' own, as ``safety.toml`` words
    them, for a headline (:func:`with_urgent`) and a prescribed magnesium's call to its
    prescriber (:mod:`model.decision.prescribed`), which said the myasthenia gravis signs
    beside any rule, an eGFR of 25's too (a clinic's audit: one definition).
    """
    return tuple(dict.fromkeys(m.group(0).rstrip(" ,") for r in reasons
                               for m in URGENT_CLAUSE.finditer(r)))


def with_urgent(step: str, reasons: Sequence[str]) -> str:
    """A referral's first line, ``step``, then the urgent signs its rules give, each once.

    A plain-language editor (/tmp/w46/D S2): "Stop taking magnesium now and see a clinician"
    left "seek urgent care for weakness that gets worse, or trouble swallowing or breathing"
    to the end of a Why in the clinician's words ("presynaptic acetylcholine release"). The
    clauses are the rules' own (:func:`urgent_signs`), found in ``reasons``; the reasons keep
    them for the clinician. Two rules of the same signs (heart block and sick sinus
    syndrome) say them once.
    """
    return " ".join([step, *(f"{said[:1].upper()}{said[1:]}." for said in urgent_signs(reasons))])


def refer_reasons(referrals: Sequence[str], current: Regimen,
                  holds: Sequence[str] = (), since: int = 0) -> list[str]:
    """The reasons of a ``refer`` recommendation, one per contraindication.

    While magnesium is taken, "stop now" comes first, or "do not restart" after ``since``
    nights without it (:func:`no_more`), and each rule follows after :data:`REFERRAL_LABEL`;
    without it, each says to see a clinician before taking magnesium. A ``holds`` rule (a
    medicine such as digoxin: "do not change magnesium without your clinician") is said while
    magnesium is taken with what to do about it: the contraindication comes first, and the
    clinician hears of the stop today.
    """
    if current.active:
        step = "do not restart it" if since else "stop as said"
        lead = [no_more(current, since)]
        found = [f"{REFERRAL_LABEL}: {r}." for r in referrals] + [
            f"{REFERRAL_LABEL}: {h}. The contraindication comes first: {step}, and tell your "
            "clinician today that you have stopped (they may check your magnesium level)."
            for h in holds]
    else:
        lead, found = [], [f"{SEE_FIRST}: {r}." for r in referrals]
    return [*lead, *found, "No form or dose is suggested until a clinician has advised."]


def effects_lead(codes: Sequence[str]) -> str:
    """The lead of the effects shown beside a contraindication's ``refer`` (``codes``), or "".

    A plain-language editor (/tmp/w46/D S2): under "Stop taking magnesium now", "falling
    asleep 15 min faster" could tempt a person to go on taking it. A hold keeps the routine
    (no lead); a prescribed magnesium's effects are its prescriber's to read.
    """
    if "refer" not in codes or "refer_hold" in codes:
        return ""
    if "prescribed" in codes:
        return " (for your prescriber)"
    return (" (for your clinician: under the safety rule above they are no reason to take "
            "magnesium)")
