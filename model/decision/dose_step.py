"""The planned titration: a dose step up the current form (:func:`titration`).

:mod:`model.decision.choice` takes it after the crossover, when the rule would keep the
current regimen (its module docstring says why it is a rule, not a step chosen to learn),
and only with one MCID of room on a weighted, recorded outcome (:mod:`model.decision.room`):
at the top of every scale it fired on 0.02 fewer awakenings for someone who had none (an
edge-of-scale audit).
"""

from __future__ import annotations

from model.decision.history import History
from model.decision.rules import acute_gi
from model.decision.settings import DecisionSettings
from model.decision.utility import Evaluation


def titration(ev: Evaluation, past: History, s: DecisionSettings) -> int | None:
    """The planned dose step up the current form, or None when there is none to take.

    The allowed ``increase_dose`` to at most ``s.titration_max_mg`` whose expected utility
    before the switching cost beats staying on the current regimen (row 0, ``continue``) by
    at least ``s.commit_value`` (a gain that matters, not Monte Carlo noise), and not back
    to a dose that gave loose stools (:attr:`History.gi_troubled`). None without
    magnesium, during an acute GI problem or when no such step is open. Not to a dose
    already taken for a full evaluation period either: the model has its nights, so what it
    expects of it is no longer the fixed dose curve's guess, and the step would be a return
    to a judged regimen, not a titration (a two-year diary was sent from glycinate 200 mg
    "to learn whether you need more" on 300 mg, taken for 49 nights before).
    """
    if not past.current.active or acute_gi(past, s):
        return None
    stay = float(ev.ranking.expected[0])
    rows = [i for i, c in enumerate(ev.candidates)
            if ev.feasible[i] and c.action == "increase_dose"
            and c.regimen.elemental_mg <= s.titration_max_mg
            and c.regimen not in past.gi_troubled and past.nights_of(c.regimen) < s.min_nights
            and float(ev.ranking.expected[i]) + s.switching_cost >= stay + s.commit_value]
    return rows[0] if rows else None
