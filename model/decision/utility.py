"""Utility over posterior draws, the ranking and the choice.

- **Chance constraint** per candidate: P(gi_rate(candidate) - gi_rate(no magnesium) > limit)
  <= epsilon, per joint posterior draw.
- **Utility per draw**, averaged only at the end: the sum over outcomes of weight x gain /
  MCID, GI included (weight ``gi_weight``), minus ``switching_cost`` for any change. Gains are
  relative to the current regimen, so ``continue`` has utility 0 in every draw.
- **Commit rule** (:func:`choose`): commit when P(best) >= ``commit_p_best`` or EVPI <
  ``commit_evpi``; otherwise try the best action and look again, or ``collect_more_data`` when
  nothing is clearly better than continuing. ``mode="thompson"`` explores instead: the action
  best in one seeded random draw.

Every probability is a share of posterior draws, so it is never more certain than the
posterior: with D draws the smallest non-zero value is 1/D.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.core.errors import NonFiniteDraws
from model.core.outcomes import OUTCOME_OF_GAIN, SPECS
from model.core.regimen import NO_MAGNESIUM, Regimen
from model.data.profile import Profile
from model.decision.candidates import Candidate
from model.decision.history import History
from model.decision.rules import Screening, acute_gi, blocks
from model.decision.settings import VARIABLES, DecisionSettings, Mode, Predict, Why
from model.evidence.priorset import PriorSet


@dataclass(frozen=True)
class Ranking:
    """Summaries of utility draws over actions.

    Parameters
    ----------
    expected : numpy.ndarray
        Expected utility per action, shape (A,).
    p_best : numpy.ndarray
        Share of draws in which each action has the highest utility among the feasible
        actions (0 for infeasible actions), shape (A,).
    cvar : numpy.ndarray
        Mean of the worst ``alpha`` share of each action's utility draws, shape (A,).
    evpi : float
        E[max_a U] - max_a E[U] over the feasible actions.

    """

    expected: np.ndarray
    p_best: np.ndarray
    cvar: np.ndarray
    evpi: float


def rank(utility: np.ndarray, feasible: np.ndarray | None = None, *,
         cvar_alpha: float = 0.1) -> Ranking:
    """Rank actions from joint utility draws.

    Parameters
    ----------
    utility : numpy.ndarray
        Utility of each action in each posterior draw, shape (A, D).
    feasible : numpy.ndarray of bool, optional
        Which actions may be chosen (default: all); at least one must be.
    cvar_alpha : float
        Share of worst draws averaged by the CVaR.

    Returns
    -------
    Ranking
        Ties in a draw go to the first action (put the status quo first).

    """
    n_actions, n_draws = utility.shape
    allowed = np.ones(n_actions, bool) if feasible is None else np.asarray(feasible, bool)
    index = np.flatnonzero(allowed)
    if index.size == 0:
        raise ValueError("rank needs at least one feasible action")
    sub = utility[index]
    best = index[np.argmax(sub, axis=0)]
    p_best = np.bincount(best, minlength=n_actions) / n_draws
    expected = utility.mean(axis=1)
    evpi = float(sub.max(axis=0).mean() - expected[index].max())
    worst = max(1, int(np.ceil(cvar_alpha * n_draws)))
    cvar = np.partition(utility, worst - 1, axis=1)[:, :worst].mean(axis=1)
    return Ranking(expected, p_best, cvar, max(evpi, 0.0))


def _draws(predict: Predict, regimens: list[Regimen]) -> dict[str, np.ndarray]:
    """Predicted draws per variable, shape (regimens, draws), rows in ``regimens`` order."""
    data = predict(regimens)
    if "gi_rate" not in data:
        raise ValueError("predict() must return gi_rate: the GI constraint needs it")
    rows = data.sel(regimen=[r.label for r in regimens])
    draws = {v: rows[v].transpose("regimen", "draw").to_numpy().astype(float)
             for v in VARIABLES if v in rows}
    bad = [v for v, d in draws.items() if not np.isfinite(d).all()]
    if bad:  # a NaN would count as "no violation" and lower a risk: refuse instead
        raise NonFiniteDraws(f"predict() returned NaN or infinite draws of {', '.join(bad)}; "
                             "such a fit fails its checks: decide with diagnostics_ok=False")
    return draws


@dataclass(frozen=True)
class Evaluation:
    """Every candidate's draws and summaries; rows follow ``candidates``.

    Parameters
    ----------
    candidates : list of Candidate
        ``continue`` first.
    variables : tuple of str
        The predicted variables, in the order of the gains' second axis.
    gains : numpy.ndarray
        Gain over the current regimen, positive = better, shape (A, V, D).
    utility : numpy.ndarray
        Utility per draw, shape (A, D).
    p_better : numpy.ndarray
        P(utility > utility of ``continue``), shape (A,).
    p_violation : numpy.ndarray
        P(GI constraint violated), shape (A,).
    blocked : list of tuple of str
        Why each candidate is blocked (empty: allowed).
    feasible : numpy.ndarray of bool
        Shape (A,).
    ranking : Ranking
        Over the feasible candidates.

    """

    candidates: list[Candidate]
    variables: tuple[str, ...]
    gains: np.ndarray
    utility: np.ndarray
    p_better: np.ndarray
    p_violation: np.ndarray
    blocked: list[tuple[str, ...]]
    feasible: np.ndarray
    ranking: Ranking


def evaluate(predict: Predict, candidates: list[Candidate], past: History,
             rules: Screening, priors: PriorSet, profile: Profile,
             s: DecisionSettings) -> Evaluation:
    """Gains in MCID units, utility per draw, the chance constraint, blocks and ranking."""
    reference = past.reference
    regimens = list(dict.fromkeys([NO_MAGNESIUM, reference,
                                   *(c.regimen for c in candidates)]))
    row = {r: i for i, r in enumerate(regimens)}
    draws = _draws(predict, regimens)
    variables = tuple(draws)
    rows = [row[c.regimen] for c in candidates]
    outcomes = priors.settings.outcomes
    sign = np.array([SPECS[OUTCOME_OF_GAIN[v]].sign for v in variables])
    gains = np.stack([draws[v][rows] - draws[v][row[reference]] for v in variables], axis=1)
    gains *= sign[None, :, None]
    weights = profile.outcome_weights() | {"gi": s.gi_weight}
    scale = np.array([weights[OUTCOME_OF_GAIN[v]] / outcomes[OUTCOME_OF_GAIN[v]].mcid
                      for v in variables])
    changed = np.array([c.regimen != reference for c in candidates], float)
    utility = np.einsum("v,avd->ad", scale, gains) - s.switching_cost * changed[:, None]
    gi = draws["gi_rate"]
    limit = priors.safety.gi_constraint
    p_violation = ((gi[rows] - gi[row[NO_MAGNESIUM]]) > limit.limit).mean(axis=1)
    blocked = blocks(candidates, p_violation, past, rules, limit.epsilon, s)
    feasible = np.array([not b for b in blocked])
    p_better = (utility > utility[0]).mean(axis=1)     # row 0 is ``continue``
    return Evaluation(candidates, variables, gains, utility, p_better, p_violation, blocked,
                      feasible, rank(utility, feasible, cvar_alpha=s.cvar_alpha))


@dataclass(frozen=True)
class Choice:
    """The chosen candidate and why.

    Parameters
    ----------
    index : int or None
        Row of the chosen candidate; None: ``collect_more_data``.
    commit : bool
        True when the choice is clear enough to commit to.
    why : str
        The branch of the commit rule that chose.

    """

    index: int | None
    commit: bool
    why: Why


def _thompson(utility: np.ndarray, among: np.ndarray, rng: np.random.Generator) -> int:
    draw = int(rng.integers(utility.shape[1]))
    return int(among[np.argmax(utility[among, draw])])


def _best(ev: Evaluation, among: np.ndarray) -> int:
    return int(among[np.argmax(ev.ranking.expected[among])])


def choose(ev: Evaluation, past: History, mode: Mode, rng: np.random.Generator,
           s: DecisionSettings) -> Choice:
    """Apply the commit rule (or Thompson sampling) to an evaluation."""
    feasible = np.flatnonzero(ev.feasible)
    pick = _thompson if mode == "thompson" else None
    if past.first_step:
        starts = np.array([i for i in feasible if ev.candidates[i].action == "start"], int)
        among = starts if starts.size else feasible
        index = pick(ev.utility, among, rng) if pick else _best(ev, among)
        return Choice(index, False, "first_step")
    if feasible.size == 1:
        return Choice(int(feasible[0]), False, "forced")
    top = _best(ev, feasible)
    if ev.ranking.p_best[top] >= s.commit_p_best or ev.ranking.evpi < s.commit_evpi:
        return Choice(top, True, "commit")
    if pick:
        return Choice(pick(ev.utility, feasible, rng), False, "trial")
    unclear = top == 0 or ev.p_better[top] < s.clear_p_better
    if ev.feasible[0] and not acute_gi(past, s) and unclear:
        return Choice(None, False, "collect")
    return Choice(top, False, "plan")
