"""The words of a contraindication's ``refer``: see a clinician, stop now, do not restart.

Each defined once: :func:`model.decision.rule_words.refer_reasons` says them of the regimen
taken, its headline (:func:`model.decision.rule_words.safety_step`) of "your magnesium", a
blinded trial's of "the trial's pots". Someone whose diary's last nights had no magnesium is
told not to restart it, not to stop it now (an outside audit, /tmp/w46/A F6: "Stop taking
magnesium now" after 6 nights without it).
"""

from __future__ import annotations

from model.core.regimen import Regimen
from model.decision.plan_words import last_nights

REFERRAL_LABEL = "Reason to see a clinician"
"""How a contraindication is introduced once magnesium is taken or in a clinician's summary:
not every rule that refers is a contraindication (pregnancy asks for a clinician's dose)."""
SEE_FIRST = "See a clinician before taking magnesium"
"""A contraindication's answer to a person not taking magnesium."""


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
