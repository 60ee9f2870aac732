"""The step the choice takes once the evaluation period is over, on current data.

While the evaluation period holds a change back, the advice names the step that waits for it
("on current data the best step then is to ...") and the report's pathways say what the look
after the period's nights would advise. Both must be the rule's (:mod:`model.decision.choice`):
the words had named the waiting option of the highest expected utility (threonate 200 mg)
while the choice after the period takes the planned crossover's form listed first among those
as promising (taurate 200 mg), and the terminal said both a few lines apart (an outside audit,
/tmp/jI F5). :func:`after_period` runs the choice with the period over; the decision marks
that option (:attr:`model.decision.results.ActionAssessment.after_period`), and
:func:`model.decision.plan_words.best_waiting` names it.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from model.decision.choice import choose
from model.decision.history import History
from model.decision.room import Room
from model.decision.settings import DecisionSettings
from model.decision.utility import Evaluation, held_by_period, rank


def after_period(ev: Evaluation, past: History, s: DecisionSettings,
                 room: Room | None = None) -> int | None:
    """The row of the step the choice takes once the period is over (None: none waits).

    The candidates that the evaluation period alone blocks are opened (P(best) is taken over
    them too) and the current regimen's nights are read as a full period; the rule
    (expected utility mode, every override included) then chooses. None when nothing waits
    for the period or when the choice then is not one of the options that wait (to stay, or
    a step open now). ``room``: as :func:`~model.decision.choice.choose`'s (no room left: no
    step waits, since none is tried).
    """
    waiting = held_by_period(ev.blocked)
    if not waiting.any():
        return None
    feasible = ev.feasible | waiting
    opened = replace(ev, feasible=feasible,
                     blocked=[() if w else b for w, b in zip(waiting, ev.blocked, strict=True)],
                     ranking=rank(ev.utility, feasible & ev.terminal, cvar_alpha=s.cvar_alpha))
    over = replace(past, nights_on_current=max(past.nights_on_current, s.min_nights),
                   unwritten_on_current=0)
    row = choose(opened, over, "expected_utility", np.random.default_rng(0), s, room).index
    return row if row is not None and waiting[row] else None
