"""Loose stools on a pot of a blinded trial, said while the diary is still blinded.

A blinded diary cannot be analysed until the trial ends (:func:`model.data.diary.
refuse_blinded`), but stopping a pot that upsets the stomach needs no unblinding: the acute
GI rule of an open diary (:func:`model.decision.rules.acute_gi`: ``acute_gi_nights`` GI nights
within the last ``gi_window``) is applied to each pot code instead of each regimen. Nor does
a hard rule of the profile (:func:`pots_screened`): any pot may hold magnesium.
"""

from __future__ import annotations

import datetime as dt

from model.core.errors import Fault
from model.core.forms import FORMS
from model.data.diary import Diary, pot_codes
from model.data.profile import Profile
from model.decision.history import history
from model.decision.other_magnesium import after_other
from model.decision.prescribed import prescribed_plan_refusals
from model.decision.rule_words import REFERRAL_LABEL, keep_taking, stop_now
from model.decision.rules import acute_gi
from model.decision.screening import Screening, screen
from model.decision.settings import DecisionSettings
from model.evidence.schema import Safety

KEY_HOLDER = "whoever holds the key can tell them what each pot holds"
"""Who knows what the pots hold: the clinician need not wait for the trial's end to learn it."""

POTS = "the trial's pots"
"""What a blinded trial's person takes: magnesium of a form and dose not known here."""

PLAN_DOSE = ("the trial's dose (the same in every pot: its plan's --dose; whoever holds the key "
             "knows it)")
"""What the person may not know of the pots, but can learn without unblinding the trial."""


def pot_rules(rules: Screening, default_mg: float) -> list[str]:
    """What the profile's hard rules say of a blinded trial's pots, one line per rule.

    Any pot may hold magnesium, at the plan's dose, so the pots are magnesium taken now, of
    a form and dose not known here: the words of :func:`model.decision.rule_words.
    hold_reasons` and :func:`~model.decision.rule_words.plan_refusals` (which ``plan --blind``
    refuses such a profile with), said of the pots. A contraindication stops them; a
    medicine's hold keeps them until the clinician advises (stopping is a change too); a
    prescribed magnesium is added to by nothing (:mod:`model.decision.prescribed`); a
    condition's hold (pregnancy) and a ceiling below ``default_mg`` (the safety ceiling, at
    or under which the trial was planned) keep them only at a dose within the ceiling; a
    form excluded is stopped if the trial compares it.
    """
    ceiling = f"your ceiling of {rules.ceiling_mg:g} mg/day{after_other(rules.other_mg)}"
    lowered = rules.ceiling_mg < default_mg
    if rules.referrals:
        first, *more = (*rules.referrals, *rules.holds)
        return [f"{stop_now(POTS)}: {first}",
                *(f"{REFERRAL_LABEL}: {rule}" for rule in more),
                f"Take no pot again before a clinician has advised, and tell them today that "
                f"you have stopped ({KEY_HOLDER})",
                *(prescribed_plan_refusals(rules.referrals[:1], ()) if rules.prescribed
                  else ())]
    keep, within = _pot_hold(rules, ceiling if lowered else "")
    said = [f"{keep}: {rule}" for rule in rules.holds] if keep else []
    if lowered and not within:
        said.append(f"If {PLAN_DOSE} is above {ceiling}, stop taking the trial's pots now "
                    "and tell whoever holds the key: the trial cannot go on at that dose")
    excluded = [form for form in FORMS if form not in rules.allowed_forms]
    if excluded:
        said.append(f"If the trial compares {' or '.join(excluded)}, which your profile "
                    "excludes, stop taking the trial's pots now and tell whoever holds the key "
                    "(they know which pot holds it)")
    return said


def _pot_hold(rules: Screening, ceiling: str) -> tuple[str, bool]:
    """What a hold (no referral) says of the pots, and whether it says the ``ceiling`` too.

    ``ceiling``: the person's ceiling in words when it is below the safety ceiling, else "".
    """
    if not rules.holds:
        return "", False
    if rules.label_holds:
        return (f"{keep_taking(POTS)}, and write the magnesium of your other product in your "
                "profile (other_magnesium_mg)"), False
    if rules.prescribed:
        return ("Stop taking the trial's pots now: they may add magnesium to your prescribed "
                "magnesium, to which nothing is added without your prescriber; tell them of "
                f"the trial ({KEY_HOLDER})"), True
    if rules.medicine_hold:
        above = f"; if {PLAN_DOSE} is above {ceiling}, ask them about lowering it" * bool(ceiling)
        return (f"{keep_taking(POTS)} and see your clinician soon, before any change to them, "
                f"stopping included ({KEY_HOLDER}{above})"), True
    at_most = ceiling or f"your ceiling of {rules.ceiling_mg:g} mg/day"
    return (f"Keep taking the trial's pots only if {PLAN_DOSE} is at most {at_most}, else "
            "stop them now; see your clinician before going on with the trial"), True


def pots_screened(diary: Diary, profile: Profile, safety: Safety) -> list[Fault]:
    """The profile's hard rules on the pots of a diary still blinded (:func:`pot_rules`).

    A blinded diary is not analysed (:func:`model.data.diary.refuse_blinded`), and it was
    refused before its profile was screened: eGFR 25, a pregnancy or myasthenia gravis that
    came after ``plan --blind`` checked the profile got "Analyse it when the trial ends" and
    no stop (a clinic's audit). Empty for a diary without a sealed pot.

    Returns
    -------
    list of Fault
        One per line of :func:`pot_rules`, naming no file (the person's rules, first).
    """
    if not pot_codes(diary.nights).notna().any():
        return []
    rules = screen(profile, safety)
    return [Fault("", "", line) for line in pot_rules(rules,
                                                      safety.ceiling.default_mg_per_day)]


def pots_to_stop(diary: Diary, settings: DecisionSettings | None = None,
                 taken_last: bool = False) -> list[Fault]:
    """One fault per pot with loose-stool nights in the diary's last nights, saying to stop it.

    Parameters
    ----------
    diary : Diary
        The diary as analysed (its ``gi_night`` from the safety file's Bristol threshold).
    settings : DecisionSettings, optional
        Gives ``gi_window`` and ``acute_gi_nights`` (default: the decision's defaults).
    taken_last : bool
        Only the pot of the diary's last night: once stopped, a pot is not said to be
        stopped again on every night logged after (a review of ``mgsleep log``'s alert).

    Returns
    -------
    list of Fault
        Naming the diary, the pot and its GI nights; empty when no pot has enough of them.

    """
    s = settings or DecisionSettings()
    last = diary.nights.iloc[-s.gi_window:]
    pots = pot_codes(last)
    gi = last["gi_night"] == 1
    faults = []
    for pot in sorted(pots.dropna().unique()):
        if taken_last and pots.iloc[-1] != pot:
            continue
        nights = last.index[gi & (pots == pot)]
        if len(nights) >= s.acute_gi_nights:
            stop = (f"stop pot {pot} now" if len(nights) > s.gi_window / 2 else
                    f"if they go on, stop pot {pot}")
            faults.append(Fault(diary.source, f"pot {pot}, nights {nights[0].date()} to "
                                f"{nights[-1].date()}", (
                                    f"{len(nights)} GI nights (loose stools or an upset "
                                    f"stomach) in the last {s.gi_window} on pot {pot}: {stop} "
                                    "(you need not know what is in it), log the nights "
                                    "without it with form none, and tell whoever holds the "
                                    f"key; take pot {pot} again only if they agree (its "
                                    "period may come back in the plan); the trial goes on "
                                    "with the other pots")))
    return faults


def gi_alerts(diary: Diary, settings: DecisionSettings | None = None,
              pots: bool = True) -> list[str]:
    """What ``mgsleep log`` says of loose stools lately: per pot, or on the open regimen.

    During a blinded trial nobody analyses the diary, so the check ran only if the person
    did (and was refused): stool form 7 on four nights in a row on a pot went unremarked
    (an outside audit). The open diary's acute rule (:func:`model.decision.rules.acute_gi`)
    is said too, pointing to ``mgsleep analyze`` for the gentler step. Each only while the
    last night was on that pot or regimen: after a stop, nothing more is said. ``pots``:
    False when the last night was logged with a form (``--form none``: the pot stopped, as
    the alert asks; the night keeps its code, so only what was logged tells).
    """
    s = settings or DecisionSettings()
    slept = diary.last_slept_date(dt.date.today())   # a plan's rows ahead were not slept yet
    if slept is not None:
        diary = Diary(diary.nights.loc[:str(slept)], diary.source)
    said = [f"{fault.where}: {fault.message}"
            for fault in (pots_to_stop(diary, s, taken_last=True) if pots else ())]
    past = history(diary, s.gi_window, s.floor_nights, s.acute_gi_nights)
    if not said and past.current.active and acute_gi(past, s):
        said.append(f"{past.recent_gi_nights} GI nights (loose stools or an upset stomach) in "
                    f"the last {s.gi_window} on {past.current.words}: run mgsleep analyze for "
                    f"the gentler step it advises, and if they go on, stop "
                    f"{past.current.words}")
    return said
