"""A change held back while the current regimen has too few written nights to judge it.

The evaluation period counts the nights of the current run written down or not (a night
not written is taken as on the regimen, for its store); judging the regimen needs its sleep,
which only written nights hold (:func:`model.decision.judged_nights.written_run`). A person
who wrote 5 of 27 nights on glycinate was switched to taurate "to learn" on those 5 nights
(an outside audit, /tmp/w43/S F3). :func:`model.decision.choice.choose` applies the hold.
"""

from __future__ import annotations

from model.decision.history import History
from model.decision.overrides import HELD_IN_A_HARD_WEEK
from model.decision.rules import SAFETY_MOVES, acute_gi
from model.decision.settings import DecisionSettings, Why
from model.decision.utility import Evaluation

HELD_UNWRITTEN: frozenset[Why] = HELD_IN_A_HARD_WEEK | {"trial"}
"""The branches whose change waits for written nights: those made for a gain or to learn
(a Thompson draw too), not those safety asks for (a stop for harm, a gentler dose, a step the
hard rules or the GI constraint leave alone)."""


def held_for_unwritten(ev: Evaluation, index: int | None, why: Why, past: History,
                       s: DecisionSettings) -> bool:
    """Whether the chosen change waits for the current regimen's written nights.

    While the evaluation period holds changes (``s.period_holds_changes``), after the first
    step, when the current regimen has fewer written nights than it is judged on
    (:meth:`History.written`): a change made for a gain or to learn (:data:`HELD_UNWRITTEN`),
    not one of :data:`~model.decision.rules.SAFETY_MOVES`, only while keeping the current
    regimen is allowed and no acute GI problem asks for a step.
    """
    if not s.period_holds_changes or past.first_step or not past.written(s).needed:
        return False
    if index in (None, 0) or not ev.feasible[0] or acute_gi(past, s):
        return False
    return why in HELD_UNWRITTEN and ev.candidates[index].action not in SAFETY_MOVES
