"""Loose stools on a pot of a blinded trial, said while the diary is still blinded.

A blinded diary cannot be analysed until the trial ends (:func:`model.data.diary.
refuse_blinded`), but stopping a pot that upsets the stomach needs no unblinding: the acute
GI rule of an open diary (:func:`model.decision.rules.acute_gi`: ``acute_gi_nights`` GI nights
within the last ``gi_window``) is applied to each pot code instead of each regimen.
"""

from __future__ import annotations

from model.core.errors import Fault
from model.data.diary import Diary, pot_codes
from model.decision.settings import DecisionSettings


def pots_to_stop(diary: Diary, settings: DecisionSettings | None = None) -> list[Fault]:
    """One fault per pot with loose-stool nights in the diary's last nights, saying to stop it.

    Parameters
    ----------
    diary : Diary
        The diary as analysed (its ``gi_night`` from the safety file's Bristol threshold).
    settings : DecisionSettings, optional
        Gives ``gi_window`` and ``acute_gi_nights`` (default: the decision's defaults).

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
        nights = last.index[gi & (pots == pot)]
        if len(nights) >= s.acute_gi_nights:
            faults.append(Fault(diary.source, f"pot {pot}, nights {nights[0].date()} to "
                                f"{nights[-1].date()}", (
                                    f"{len(nights)} GI nights (loose stools or an upset "
                                    f"stomach) in the last {s.gi_window} on pot {pot}: if "
                                    f"they go on, stop pot {pot} (you need not know what is "
                                    "in it), log the nights without it with form none, and "
                                    "tell whoever holds the key; the trial goes on with the "
                                    "other pots")))
    return faults
