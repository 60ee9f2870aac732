"""What the sentences of the advice read of an assessed action.

:class:`Assessed` is the protocol :mod:`model.decision.explain` writes its sentences from; an
:class:`~model.decision.results.ActionAssessment` satisfies it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Protocol

from model.core.regimen import Regimen

__all__ = ["Assessed"]


class Assessed(Protocol):
    """What the sentences read of an assessed action (an ``ActionAssessment``)."""

    @property
    def action(self) -> str:
        """The action's name: ``continue``, ``switch_form``, ..."""

    @property
    def regimen(self) -> Regimen:
        """The regimen the action leads to."""

    @property
    def gain(self) -> Mapping[str, float]:
        """Mean gain over the current regimen per variable (positive = better)."""

    @property
    def gain_low(self) -> Mapping[str, float]:
        """Lower end of the central interval of each gain."""

    @property
    def gain_high(self) -> Mapping[str, float]:
        """Upper end of the central interval of each gain."""

    @property
    def expected_utility(self) -> float:
        """Mean utility over the draws (weighted MCIDs, 0 = as now)."""

    @property
    def cvar(self) -> float:
        """Mean of the worst ``cvar_alpha`` share of the utility draws."""

    @property
    def p_best(self) -> float:
        """Share of draws in which the action is best among those allowed."""

    @property
    def p_better_than_continue(self) -> float:
        """Share of draws in which the action beats ``continue``."""

    @property
    def p_constraint_violation(self) -> float:
        """P(GI constraint violated)."""

    @property
    def feasible(self) -> bool:
        """True when no rule blocks the action."""

    @property
    def blocked_by(self) -> tuple[str, ...]:
        """Why the action is blocked (empty: allowed)."""

    @property
    def reason_codes(self) -> tuple[str, ...]:
        """The codes of ``blocked_by`` (``waiting``, ``above_ceiling``, ...)."""

    @property
    def learning_value(self) -> float:
        """What one period on the action teaches (horizon x knowledge gradient)."""

    @property
    def next_review(self) -> dt.date:
        """When to look again after taking the action."""

    @property
    def after_period(self) -> bool:
        """True for the waiting option the choice takes once the evaluation period is over."""
