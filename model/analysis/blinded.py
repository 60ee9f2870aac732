"""Loose stools on a pot of a blinded trial, said while the diary is still blinded.

A blinded diary cannot be analysed until the trial ends (:func:`model.data.diary.
refuse_blinded`), but stopping a pot that upsets the stomach needs no unblinding: the acute
GI rule of an open diary (:func:`model.decision.rules.acute_gi`: ``acute_gi_nights`` GI nights
within the last ``gi_window``) is applied to each pot code instead of each regimen.
"""

from __future__ import annotations

import datetime as dt

from model.core.errors import Fault
from model.data.diary import Diary, pot_codes
from model.decision.history import history
from model.decision.rules import acute_gi
from model.decision.settings import DecisionSettings


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
