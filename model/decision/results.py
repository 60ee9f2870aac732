"""The results of a decision: assessed actions, the recommendation, their JSON."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from model.core.regimen import Regimen
from model.decision import explain
from model.decision.settings import DecisionSettings, Mode
from model.decision.utility import Evaluation


@dataclass(frozen=True)
class Scores:
    """The numbers an entry of the JSON carries besides its regimen and words.

    ``from_posterior`` is False for advice given without consulting a posterior (a hard
    rule, a failed fit): the numbers are then placeholders (0, no gains), not estimates.
    """

    gain: Mapping[str, float]
    expected_utility: float
    p_best: float
    p_better_than_continue: float
    p_constraint_violation: float
    learning_value: float
    evpi: float
    from_posterior: bool = True


NO_SCORES = Scores({}, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, from_posterior=False)
"""The scores of advice given without consulting a posterior (``refer``, a failed fit)."""


def _entry(action: str, regimen: Regimen | None, scores: Scores, commit: bool,
           next_review: dt.date, reasons: Sequence[str], warnings: Sequence[str],
           codes: Sequence[str]) -> dict[str, Any]:
    """One ``recommendation`` / ``alternatives`` entry of the ``analyze`` JSON.

    ``next_review`` is null for ``refer`` (schema_version 12): the next step is the
    clinician's, as every other surface says ("after a clinician has advised"); a date there
    had an app show one (a life-stage audit). ``p_best`` is among the recommendation's
    ``options_allowed`` (:attr:`Decision.options_allowed`): 1 for a step that is the only
    one allowed.
    """
    return {"action": action,
            "form": regimen.form if regimen is not None else None,
            "elemental_mg_per_day": regimen.elemental_mg if regimen is not None else None,
            "split": regimen.split if regimen is not None else None,
            "expected_gain": dict(scores.gain), "p_best": scores.p_best,
            "p_constraint_violation": scores.p_constraint_violation, "evpi": scores.evpi,
            "commit": commit,
            "next_review": None if action == "refer" else next_review.isoformat(),
            "reasons": list(reasons), "warnings": list(warnings),
            "reason_codes": list(codes), "expected_utility": scores.expected_utility,
            "p_better_than_continue": scores.p_better_than_continue,
            "learning_value": scores.learning_value, "from_posterior": scores.from_posterior}


@dataclass(frozen=True)
class ActionAssessment:
    """One candidate action, assessed over the posterior draws.

    Gains are magnesium's own improvements over the current regimen (positive = better, diary
    units: each draw's own change of the nightly means, :func:`~model.decision.gains.shown_gains`,
    as the effects give it); ``gain_low`` / ``gain_high`` bound the central
    interval (90 % by default). ``learning_value`` is what one period on it teaches, in
    utility units (horizon x knowledge gradient); ``reason_codes`` are the codes of its blocks.
    ``after_period`` marks the option that waits for the evaluation period and that the choice
    takes once it is over (:func:`model.decision.after_period.after_period`): the step the
    advice names for then.
    """

    action: str
    regimen: Regimen
    gain: Mapping[str, float]
    gain_low: Mapping[str, float]
    gain_high: Mapping[str, float]
    expected_utility: float
    cvar: float
    p_best: float
    p_better_than_continue: float
    p_constraint_violation: float
    feasible: bool
    blocked_by: tuple[str, ...]
    evpi: float
    next_review: dt.date
    learning_value: float = 0.0
    reason_codes: tuple[str, ...] = ()
    after_period: bool = False

    @property
    def scores(self) -> Scores:
        """The numbers of this action."""
        return Scores(self.gain, self.expected_utility, self.p_best,
                      self.p_better_than_continue, self.p_constraint_violation,
                      self.learning_value, self.evpi)

    @property
    def summary(self) -> str:
        """One line: the regimen, its expected utility and P(best), or why it is blocked."""
        return explain.summary(self)

    def to_dict(self) -> dict[str, Any]:
        """Return the ``alternatives`` entry of the ``analyze`` JSON."""
        return _entry(self.action, self.regimen, self.scores, False, self.next_review,
                      [self.summary], [], self.reason_codes) | {
                          "feasible": self.feasible, "blocked_by": list(self.blocked_by),
                          "after_period": self.after_period}


@dataclass(frozen=True)
class Recommendation:
    """The advice: an action and its regimen.

    ``refer`` and a failed fit carry no regimen; ``collect_more_data`` after a fit names the
    regimen to keep taking while nights accumulate (none when nothing is being taken).

    The scores (gains, expected utility, P(best), P(better than continue), P(constraint
    violated), learning value) are those of the assessed action behind the advice
    (``continue`` for ``collect_more_data``); they are 0 / empty when no posterior was
    consulted (``refer``, failed diagnostics). ``refer`` has ``commit`` true (a hard rule, not
    a bet); ``p_best`` is among the regimens allowed now (:attr:`Decision.options_allowed`,
    the JSON's ``options_allowed``), so an action that is the only one allowed has ``p_best``
    1 and ``commit`` false. ``reason_codes`` are stable codes
    (:data:`model.decision.reason_codes.REASON_CODES`) for programs.

    ``max_mg_now`` is the most elemental magnesium a day the person may take now when a hard
    rule asks to lower the current dose (code ``current_above_ceiling``): the ceiling; None
    otherwise. A clinic's audit: a pregnant person on glycinate 300 mg got ``refer`` with a
    null form and dose, "at most 250 mg/day" only in the prose.

    Not in the JSON, for the report to read rather than parse back out of the words (a
    maintainer's review): ``learned``, the reason of a step taken to learn (code ``learn``)
    after "Chosen to learn: " and before its look-again date ("" for any other step);
    ``recent_gi``, the counts of the acute GI warning among ``warnings`` (None without one).
    """

    action: str
    regimen: Regimen | None
    scores: Scores
    commit: bool
    next_review: dt.date
    reasons: tuple[str, ...]
    warnings: tuple[str, ...]
    reason_codes: tuple[str, ...] = ()
    max_mg_now: float | None = None
    learned: str = ""
    recent_gi: explain.RecentGi | None = None

    def __repr__(self) -> str:
        regimen = f" {self.regimen.label}" if self.regimen is not None else ""
        return (f"Recommendation({self.action}{regimen}; reason codes "
                f"{', '.join(self.reason_codes) or 'none'}; look again "
                f"{self.next_review.isoformat()})")

    @property
    def expected_gain(self) -> Mapping[str, float]:
        """Magnesium's own expected gain per outcome (diary units, positive = better)."""
        return self.scores.gain

    @property
    def p_best(self) -> float:
        """P(best) of the action behind the advice."""
        return self.scores.p_best

    @property
    def p_constraint_violation(self) -> float:
        """P(GI constraint violated) of the action behind the advice."""
        return self.scores.p_constraint_violation

    @property
    def evpi(self) -> float:
        """Expected value of perfect information over the regimens allowed now."""
        return self.scores.evpi

    def to_dict(self) -> dict[str, Any]:
        """Return the ``recommendation`` entry of the ``analyze`` JSON, with ``max_mg_now``."""
        return _entry(self.action, self.regimen, self.scores, self.commit, self.next_review,
                      self.reasons, self.warnings, self.reason_codes) | {
                          "max_mg_now": self.max_mg_now}


@dataclass(frozen=True)
class Decision:
    """A recommendation with every assessed action.

    Parameters
    ----------
    recommendation : Recommendation
        The advice.
    assessments : tuple of ActionAssessment
        Every candidate, feasible ones first, by expected utility (empty when no posterior was
        consulted).
    chosen : int or None
        Index in ``assessments`` of the recommended action (None for ``refer`` and
        ``collect_more_data``).
    mode : str
        ``expected_utility`` or ``thompson``.
    p_harm : float
        P(the current regimen is worse than placebo and, without a placebo night, than no
        magnesium as the nights show it: :func:`model.decision.utility.harm_probability`),
        its own utility before the cost of a change (0 without magnesium taken, or without
        a posterior); from ``DecisionSettings.harm_stop_p`` it is stopped (reason code ``harm``).
    runner_up : int or None
        Index in ``assessments`` of the runner-up the Monte Carlo error could rank first
        (:func:`model.decision.choice.close_call`; reason code ``close_call``), or None.
    period_nights : int or None
        The evaluation period the build-up estimate gave the decision
        (:func:`model.decision.rules.evaluation_nights`); None when its settings do not take
        it from the kinetics, or no posterior was consulted.

    """

    recommendation: Recommendation
    assessments: tuple[ActionAssessment, ...] = ()
    chosen: int | None = None
    mode: Mode = "expected_utility"
    p_harm: float = 0.0
    runner_up: int | None = None
    period_nights: int | None = None

    def __repr__(self) -> str:
        return (f"Decision({self.recommendation!r}, {len(self.assessments)} actions assessed; "
                "table() lists them)")

    @property
    def behind(self) -> int | None:
        """Index in ``assessments`` of the action whose scores the recommendation carries.

        ``chosen``; for ``collect_more_data``, the ``continue`` it keeps taking (None when
        continuing is not allowed: the recommendation names no regimen then).
        """
        if self.chosen is not None or self.recommendation.action != "collect_more_data":
            return self.chosen
        return next((i for i, a in enumerate(self.assessments)
                     if a.action == "continue" and a.feasible), None)

    @property
    def alternatives(self) -> tuple[ActionAssessment, ...]:
        """The assessed actions other than the one behind the recommendation (:attr:`behind`).

        Each regimen appears once among the recommendation and its alternatives, so their
        P(best) sums to 1: ``collect_more_data`` carries continuing's scores, and "continue"
        listed again had it counted twice (an outside audit: a sum of 1.141).
        """
        behind = self.behind
        return tuple(a for i, a in enumerate(self.assessments) if i != behind)

    @property
    def options_allowed(self) -> int | None:
        """How many options the recommendation's P(best) is taken among; None without a posterior.

        The regimens allowed now that one may stay on (:func:`explain.options_allowed`). A
        step that is the only one allowed (code
        ``forced``) has P(best) 1 among 1: a clinic's dashboard showed "100 %" of it (a
        clinic's audit, an upgrading user's audit).
        """
        if not self.recommendation.scores.from_posterior:
            return None
        return explain.options_allowed(self.assessments)

    @property
    def period_sets_step(self) -> bool:
        """Whether the evaluation period, not the posterior, sets the step.

        Of the whole decision (:func:`model.decision.utility.held_by_period` is per candidate).

        The recommendation is the only action allowed (reason code ``forced``) and every
        other one waits for the current regimen's period to end (block ``waiting``): no
        prior could open a choice, except a step safety asks for, which the main fit's GI
        constraint decides.
        """
        others = self.alternatives
        return ("forced" in self.recommendation.reason_codes and bool(others)
                and all("waiting" in a.reason_codes for a in others))

    def table(self) -> pd.DataFrame:
        """One row per assessed action: utility, CVaR, probabilities, gains with intervals."""
        rows = []
        for a in self.assessments:
            row = {"action": a.action, "regimen": a.regimen.label, "feasible": a.feasible,
                   "expected_utility": a.expected_utility,
                   "learning_value": a.learning_value, "cvar": a.cvar, "p_best": a.p_best,
                   "p_better_than_continue": a.p_better_than_continue,
                   "p_constraint_violation": a.p_constraint_violation,
                   "blocked_by": "; ".join(a.blocked_by)}
            for v in a.gain:
                row |= {f"gain_{v}": a.gain[v], f"gain_{v}_low": a.gain_low[v],
                        f"gain_{v}_high": a.gain_high[v]}
            rows.append(row)
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        """``recommendation`` (with ``options_allowed``), ``alternatives`` and ``p_harm``."""
        return {"recommendation": self.recommendation.to_dict()
                | {"options_allowed": self.options_allowed},
                "alternatives": [a.to_dict() for a in self.alternatives],
                "p_harm": self.p_harm}


def assess(ev: Evaluation, review: Callable[[str], dt.date],
           s: DecisionSettings) -> list[ActionAssessment]:
    """Summaries of every candidate, in candidate order.

    Parameters
    ----------
    ev : Evaluation
        The candidates' draws, blocks and ranking.
    review : callable
        ``review(action)``: the date of the next look after taking ``action``.
    s : DecisionSettings
        The width of the gains' interval.

    Returns
    -------
    list of ActionAssessment

    """
    tail = (1 - s.interval) / 2
    mean = ev.gains.mean(axis=2)
    low, high = np.quantile(ev.gains, [tail, 1 - tail], axis=2)
    r = ev.ranking
    return [ActionAssessment(
        c.action, c.regimen,
        dict(zip(ev.variables, mean[i].tolist(), strict=True)),
        dict(zip(ev.variables, low[i].tolist(), strict=True)),
        dict(zip(ev.variables, high[i].tolist(), strict=True)),
        float(r.expected[i]), float(r.cvar[i]), float(r.p_best[i]), float(ev.p_better[i]),
        float(ev.p_violation[i]), not ev.blocked[i], tuple(why for _, why in ev.blocked[i]),
        r.evpi, review(c.action), float(ev.learning[i]),
        tuple(code for code, _ in ev.blocked[i]))
        for i, c in enumerate(ev.candidates)]
