"""Nights whose notes name a flight or jet lag, which the model does not know of.

A traveller wrote "jet lag (Singapore)" or "overnight flight" on 33 of 84 nights and the
tool never read them: a trip inside glycinate's period was charged to glycinate (a helpful
form dropped for one that does nothing), and the difference was put down to "the expectation
effect, the diary's drift or build-up" (a traveller's audit, /tmp/w55/t T1). The words are
read (:func:`names_travel`) in ``notes`` and ``other_change`` of the nights kept (an excluded
night is out already): :func:`travel_warning` names those nights with how to leave them out
(``exclude = travel``), and an effect's words name their share where a regimen's nights and
the nights without differ (:func:`travel_share`).

>>> names_travel("jet lag (Singapore)"), names_travel("jet lag gone")
(True, False)
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from model.data.diary_columns import EXCLUDE, OTHER_CHANGE, is_missing
from model.data.period_nights import span
from model.data.pot_notes import untagged

TRAVEL = re.compile(r"\b(?:jet[\s-]?lag\w*|red[\s-]?eye\b|flights?|flew|long[\s-]?haul|layovers?|"
                    r"travel\w*|trip|plane|airport|time[\s-]?(?:zones?|difference))\b",
                    re.IGNORECASE)
"""Words that name a flight, a trip or its jet lag."""

NOT_TRAVEL = re.compile(
    r"\b(?:no|without|never)\s+(?:more\s+|any\s+)?(?:jet[\s-]?lag|flights?|travel\w*|trips?)\b"
    r"|jet[\s-]?lag\s+(?:is\s+|has\s+|finally\s+|now\s+)*(?:gone|over|passed|better)"
    r"|(?<!not )\bover\s+(?:the\s+|my\s+)?jet[\s-]?lag", re.IGNORECASE)
"""A clause that says there was none: "no jet lag now", "jet lag gone", "over the jet lag"
(not "still not over the jet lag")."""

OTHERWISE = re.compile(
    r"flight\s+of\s+stairs|fight[\s-]+or[\s-]+flight|book\w*\s+(?:a\s+|the\s+|my\s+)?"
    r"(?:flights?|trip)|flights?\s+(?:was\s+|were\s+|got\s+)?cancel+ed"
    r"|(?:calls?|meetings?)\b.*time[\s-]?zones?", re.IGNORECASE)
"""A travel word used otherwise, read as no part of the clause: "flight of stairs", "fight or
flight", "booked flights", "flight cancelled", "a call across time zones"."""

CLAUSE = re.compile(r"[,;.!?()]|\bbut\b", re.IGNORECASE)
"""Where a note's clauses part: a denial in one ("no jet lag this time") says nothing of the
next ("but an overnight flight")."""

TRAVEL_WORDS = "jet lag or a flight noted"
"""How the nights are said beside a regimen's (:func:`travel_share`)."""

TRAVEL_SAID = " night(s) whose notes name a flight or jet lag "
"""The words of :func:`travel_warning` by which a diary's warnings are told apart."""

TRAVEL_APART = (0.2, 0.1)
"""A regimen's share of travel nights is named from (at least, and above the nights
without's by): threonate's 44 % against 30 % without went unsaid at a quarter apart (the
traveller's audit, second round, /tmp/w55/t2 T1)."""


def names_travel(text: str) -> bool:
    """Whether a clause of a note names travel and does not deny it.

    A word of :data:`TRAVEL` not used :data:`OTHERWISE`, in a clause no :data:`NOT_TRAVEL`
    denies, clause by clause (:data:`CLAUSE`): the first reader read "still not over jet lag" and
    "jet lag, no time to unwind" as no travel, and "jet lag gone", "flight of stairs" and
    "red eyes" as travel (the traveller's audit, second round, /tmp/w55/t2 N3).
    """
    return any(TRAVEL.search(OTHERWISE.sub(" ", clause)) and not NOT_TRAVEL.search(clause)
               for clause in CLAUSE.split(text))


def travel_nights(nights: pd.DataFrame) -> np.ndarray:
    """Whether each night is kept and its ``notes`` or ``other_change`` names travel.

    ``nights``: by date, with the ``exclude`` reason ("" or NaN: kept) when it has one. A
    blinded pot's code is no part of the note (:func:`~model.data.pot_notes.untagged`).
    """
    named = np.zeros(len(nights), bool)
    for column in ("notes", OTHER_CHANGE):
        if column in nights.columns:
            named |= nights[column].map(
                lambda v: not is_missing(v) and names_travel(untagged(str(v)))).to_numpy(bool)
    if EXCLUDE in nights.columns:
        named &= (nights[EXCLUDE].fillna("").astype(str) == "").to_numpy(bool)
    return named


def travel_warning(nights: pd.DataFrame, name: str) -> list[str]:
    """One warning of the kept nights whose notes name travel (:func:`travel_nights`); [] none."""
    travel = travel_nights(nights)
    if not travel.any():
        return []
    days = nights.index[travel]
    return [f"{name}: {int(travel.sum())}{TRAVEL_SAID}are read as any other night "
            f"({span(days)}: {', '.join(str(d.date()) for d in days[:4])}"
            f"{' and more' if len(days) > 4 else ''}; columns notes, other_change): sleep is "
            "worse for some nights after a flight across time zones, about one for each hour of "
            "time difference, for reasons magnesium has no part in; to leave their sleep out of "
            "the comparison, write exclude = travel on those whose sleep the trip upset"]


def travel_share(nights: pd.DataFrame, without: pd.Index, on: pd.Index) -> tuple[str, ...]:
    """The travel nights' share ``on`` a regimen and ``without`` magnesium, when apart.

    ``("jet lag or a flight noted on 40 % of its nights, 0 % without",)`` when the regimen's
    share is :data:`TRAVEL_APART` or more, and above the other's by as much; else ``()``.
    """
    travel = pd.Series(travel_nights(nights), nights.index)
    on_share, off_share = (float(travel.reindex(index).mean()) if len(index) else 0.0
                           for index in (on, without))
    least, above = TRAVEL_APART
    if not (on_share >= least and on_share - off_share >= above):
        return ()
    return (f"{TRAVEL_WORDS} on {100 * on_share:.0f} % of its nights, "
            f"{100 * off_share:.0f} % without",)
