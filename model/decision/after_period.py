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

With the period over, the current form has been tried (:func:`period_over`), as the pathways
read it (:func:`model.analysis.pathways.pathways`): a traveller's threonate, 3 of its 16 nights
judged, was not yet among the forms tried, so the choice "after" its period still ran the
crossover and named citrate, untried, while the pathways, the crossover over, said glycinate
whichever way the period went (a traveller's audit, /tmp/w55/t T7). The comparison it ends
sets the learning horizon (:func:`horizon_after`) and, for a trial the person planned, the
forms a step may go to (:func:`chosen_forms`), as the decision after the period has them.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from model.decision.candidates import forms_open
from model.decision.choice import choose
from model.decision.history import History
from model.decision.room import Room
from model.decision.settings import DecisionSettings
from model.decision.utility import Evaluation, held_by_period, learning_horizon, rank


def period_over(past: History, s: DecisionSettings) -> History:
    """``past`` with the current regimen's evaluation period over, read as a full period.

    Its run has at least ``s.min_nights`` nights, all written, and so do its nights in the
    diary (:attr:`History.nights_on`); a magnesium form is then tried
    (:attr:`History.forms_tried`: a period is at least ``floor_nights`` judged nights), so the
    planned crossover counts it.
    """
    current = past.current
    full = max(past.nights_on_current, s.min_nights)
    nights_on = dict(past.nights_on) | {current: max(past.nights_on.get(current, 0), full)}
    tried = past.forms_tried | ({current.form} if current.active else set())
    return replace(past, nights_on_current=full, unwritten_on_current=0, nights_on=nights_on,
                   forms_tried=frozenset(tried))


def horizon_after(ev: Evaluation, over: History,
                  s: DecisionSettings) -> tuple[Evaluation, DecisionSettings]:
    """``ev`` and ``s`` with the learning horizon the decision would then have.

    Once the period ends the planned comparison, :func:`model.decision.decide.decide` sets
    ``learning_periods`` to zero (explore, then commit; an experiment keeps
    ``experiment_periods``). Every learning value is its horizon
    (:func:`~model.decision.utility.learning_horizon`) times the knowledge gradient, so each
    is scaled by the ratio of the horizons;
    the jackknife of worth with it. Unchanged while the comparison goes on, or is over today.
    """
    if s.learning_periods <= 0 or not over.compared(s.crossover_forms):
        return ev, s
    experiment = np.array([c.experiment for c in ev.candidates])
    then = replace(s, learning_periods=0.0)
    before, after = (learning_horizon(experiment, t) for t in (s, then))
    scale = np.divide(after, before, out=np.zeros(len(before)), where=before > 0)
    teaching = ev.worth_jackknife - ev.expected_jackknife
    return (replace(ev, learning=ev.learning * scale,
                    worth_jackknife=ev.expected_jackknife + teaching * scale[:, None]), then)


def chosen_forms(ev: Evaluation, over: History, past: History) -> np.ndarray:
    """Per candidate: whether a step may go to it once the period ends a planned trial.

    A trial the person planned (``mgsleep plan``) that the period completes is over then:
    the decision's steps go only to the forms it compared or others tried
    (:func:`~model.decision.candidates.forms_open`), as the pathways' and the next look's
    do. Every candidate while the trial goes on, or when it is over today (the candidates
    are those forms already).
    """
    if not over.trial_over or past.trial_over:
        return np.ones(len(ev.candidates), bool)
    forms = dict.fromkeys(c.regimen.form for c in ev.candidates if c.regimen.active)
    opened = set(forms_open(over, tuple(forms)))
    return np.array([not c.regimen.active or c.regimen.form in opened for c in ev.candidates])


def after_period(ev: Evaluation, past: History, s: DecisionSettings,
                 room: Room | None = None) -> int | None:
    """The row of the step the choice takes once the period is over (None: none waits).

    The candidates that the evaluation period alone blocks are opened (P(best) is taken over
    them too), the current regimen's nights are read as a full period (:func:`period_over`),
    and the forms open (:func:`chosen_forms`) and the learning horizon
    (:func:`horizon_after`) are those the decision then has; the rule (expected utility
    mode, every override included) then chooses. None when nothing waits for the period or
    when the choice then is not one of the options that wait (to stay, or a step open now).
    ``room``: as :func:`~model.decision.choice.choose`'s (no room left: no step waits, since
    none is tried).
    """
    waiting = held_by_period(ev.blocked)
    if not waiting.any():
        return None
    over = period_over(past, s)
    feasible = (ev.feasible | waiting) & chosen_forms(ev, over, past)
    opened = replace(ev, feasible=feasible,
                     blocked=[() if w else b for w, b in zip(waiting, ev.blocked, strict=True)],
                     ranking=rank(ev.utility, feasible & ev.terminal, cvar_alpha=s.cvar_alpha))
    opened, then = horizon_after(opened, over, s)
    row = choose(opened, over, "expected_utility", np.random.default_rng(0), then, room).index
    return row if row is not None and waiting[row] else None
