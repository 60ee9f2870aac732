"""Layer 5: the decision.

Hard rules, candidates, utility over posterior draws, chance constraints and the explanation.
Reads draws, never PyMC.

Modules, lowest first: :mod:`~model.decision.settings` (constants and vocabulary),
:mod:`~model.decision.history` (the diary's facts), :mod:`~model.decision.explain` (every
sentence), :mod:`~model.decision.candidates` (the actions, experiments included),
:mod:`~model.decision.learning` (what a period teaches: the knowledge gradient),
:mod:`~model.decision.rules` (the hard rules, the evaluation period),
:mod:`~model.decision.gains` (link-scale gains in diary units),
:mod:`~model.decision.utility` (utility, the GI constraint, ranking, learning values),
:mod:`~model.decision.baseline` (a withdrawal first for a diary with no nights off magnesium),
:mod:`~model.decision.choice` (the choice and the commit rule),
:mod:`~model.decision.results` (what a decision returns, reason codes) and
:mod:`~model.decision.decide` (:func:`decide`, orchestrating them).
"""

from model.decision.candidates import Candidate, candidates
from model.decision.decide import decide
from model.decision.explain import describe, format_gain, option
from model.decision.history import DiaryLike, History, history
from model.decision.results import ActionAssessment, Decision, Recommendation
from model.decision.screening import Screening, screen
from model.decision.settings import RECORD_COLUMNS, VARIABLES, DecisionSettings, Mode, Predict
from model.decision.utility import Ranking, rank

__all__ = [
    "RECORD_COLUMNS", "VARIABLES", "ActionAssessment", "Candidate", "Decision",
    "DecisionSettings", "DiaryLike", "History", "Mode", "Predict", "Ranking", "Recommendation",
    "Screening", "candidates", "decide", "describe", "format_gain", "history", "option", "rank",
    "screen",
]
