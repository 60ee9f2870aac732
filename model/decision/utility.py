"""Utility over posterior draws, the ranking, and the value of what each action teaches.

- **Chance constraint** per candidate: P(gi_rate(candidate) - gi_rate(no magnesium) > limit)
  <= epsilon, per joint posterior draw (diary scale: it is a limit on GI nights).
- **Utility per draw**, averaged only at the end: the sum over outcomes of weight x gain /
  MCID, GI included (weight ``gi_weight``), minus ``switching_cost`` for any change (plus
  ``experiment_cost`` for an experiment). Gains are magnesium's own effect on the link scale,
  in diary units at the person's typical night (:mod:`model.decision.gains`): a symmetric
  posterior gains nothing in expectation, and neither expectation nor drift counts. Gains are
  relative to the current regimen, so ``continue`` has utility 0 in every draw.
- **Learning value** per candidate: ``learning_periods`` (for an experiment at least
  ``experiment_periods``) x the knowledge gradient (KG(*): per period, over the best number of
  periods up to ``learning_repeats``) of evaluation periods on it
  (:mod:`model.decision.learning`). ``continue`` teaches about the
  current regimen's contrast with no magnesium when the diary can separate it from
  expectation and drift; when it cannot, its contrast with the other magnesium regimen taken
  most (the contrast a switch is valued for: taking something either way), so that the period
  a switch began is not worth nothing the next morning; a placebo period shows magnesium's
  own effect. A withdrawal shows what stopping shows once the current regimen has had its
  period (:func:`_compared`): no magnesium against the current regimen at the same future
  time. The trend of the predictions is common to every regimen, so it cancels in that
  contrast: the withdrawal is not valued for separating magnesium from drift. Its value is
  stopping's less ``experiment_cost`` while both have the same horizon (before the planned
  crossover ends; it is then never chosen over stopping); after it, stopping's horizon is zero
  and the withdrawal keeps ``experiment_periods``.

The choice itself is :mod:`model.decision.choice`. Every probability is a share of posterior
draws, so it is never more certain than the posterior: with D draws the smallest non-zero
value is 1/D. What the choice ranks by (expected utility plus learning value) is also taken
without each of :data:`BATCHES` contiguous batches of the draws in turn (a delete-a-group
jackknife: chains are contiguous, so the batches carry the draws' autocorrelation, and the
learning value, a maximum, is estimated from 7/8 of the draws rather than from one batch's
few): their spread gives its Monte Carlo error, and a choice it could flip is a close call
(:func:`model.decision.choice.close_call`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import xarray as xr

from model.core.errors import NonFiniteDraws
from model.core.forms import PLACEBO
from model.core.outcomes import OUTCOME_OF_GAIN
from model.core.regimen import NO_MAGNESIUM, Regimen
from model.data.profile import Profile
from model.decision.candidates import Candidate
from model.decision.compound_ceiling import CompoundDose
from model.decision.gains import diary_gains, per_night_variance, shown_gains, slope
from model.decision.history import History
from model.decision.learning import DrawMoments, gradient_star, period_noise
from model.decision.rules import Block, blocks
from model.decision.screening import Screening
from model.decision.settings import VARIABLES, DecisionSettings, Predict
from model.evidence.priorset import PriorSet

PLACEBO_REGIMEN = Regimen(PLACEBO)


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


def regimens_of(candidates: list[Candidate], past: History) -> list[Regimen]:
    """The regimens an evaluation needs: none, placebo, the reference and every candidate's."""
    return list(dict.fromkeys([NO_MAGNESIUM, PLACEBO_REGIMEN, past.reference,
                               *(c.regimen for c in candidates)]))


def predicted(predict: Predict, candidates: list[Candidate], past: History) -> xr.Dataset:
    """``predict`` over :func:`regimens_of` (checked for ``gi_rate``)."""
    data = predict(regimens_of(candidates, past))
    if "gi_rate" not in data:
        raise ValueError("predict() must return gi_rate: the GI constraint needs it")
    return data


def learning_horizon(experiment: np.ndarray, s: DecisionSettings) -> np.ndarray:
    """Per candidate, the periods what it teaches pays for.

    ``learning_periods``; for an experiment (``experiment``) at least ``experiment_periods``.
    """
    return np.where(experiment, max(s.learning_periods, s.experiment_periods),
                    s.learning_periods)


def held_by_period(blocked: Sequence[tuple[Block, ...]]) -> np.ndarray:
    """Per candidate: blocked by the evaluation period alone (``waiting``), shape (A,)."""
    return np.array([bool(b) and all(code == "waiting" for code, _ in b) for b in blocked])


def onset_days(data: xr.Dataset, priors: PriorSet) -> float:
    """The build-up time constant: the posterior median when predictions carry it."""
    if "onset_days" in data:
        return float(np.median(data["onset_days"].to_numpy()))
    return priors.settings.personal.onset_days_median


def _draws(data: xr.Dataset, regimens: list[Regimen]) -> dict[str, np.ndarray]:
    """Predicted draws per variable, shape (regimens, draws), rows in ``regimens`` order."""
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
        Magnesium's own gain over the current regimen as a person reads it, each draw's
        difference of predicted nightly means (:func:`model.decision.gains.shown_gains`;
        positive = better), shape (A, V, D). Not the link-scale gains the utility is made of
        (:func:`model.decision.gains.diary_gains`): their one slope gave a GI share's change
        of 1.21 (an outside audit, A F2).
    utility : numpy.ndarray
        Utility per draw, shape (A, D).
    p_better : numpy.ndarray
        P(utility > utility of ``continue``), shape (A,).
    p_violation : numpy.ndarray
        P(GI constraint violated), shape (A,).
    blocked : list of tuple of (code, reason)
        Why each candidate is blocked (empty: allowed).
    feasible : numpy.ndarray of bool
        Shape (A,).
    terminal : numpy.ndarray of bool
        False for experiments (a person returns from them), shape (A,).
    learning : numpy.ndarray
        Learning value (horizon x KG(*) per period) of each action, (A,).
    ranking : Ranking
        Over the feasible regimens to stay on (experiments have ``p_best`` 0).
    worth_jackknife : numpy.ndarray
        Expected utility plus learning value of each action from the draws without each of
        :data:`BATCHES` contiguous batches in turn (fewer with fewer draws; one column, from
        every draw, with a single draw), shape (A, batches).
    expected_jackknife : numpy.ndarray
        The expected utility alone from the same draws, shape (A, batches).
    p_harm : float
        P(the current regimen is worse than placebo and, without a placebo night, than no
        magnesium as the nights show it), on the outcomes the diary records,
        :func:`harm_probability`.

    """

    candidates: list[Candidate]
    variables: tuple[str, ...]
    gains: np.ndarray
    utility: np.ndarray
    p_better: np.ndarray
    p_violation: np.ndarray
    blocked: list[tuple[Block, ...]]
    feasible: np.ndarray
    terminal: np.ndarray
    learning: np.ndarray
    ranking: Ranking
    worth_jackknife: np.ndarray
    expected_jackknife: np.ndarray
    p_harm: float = 0.0


def placebo_recorded(past: History) -> bool:
    """Whether the diary has a recorded placebo night (as :mod:`model.analysis.effects` asks)."""
    return any(r.form == PLACEBO and n > 0 for r, n in past.nights_on.items())


def harm_probability(candidates: Sequence[Candidate], own: np.ndarray, past: History,
                     seen: np.ndarray | None = None) -> float:
    """P(the current regimen is worse than placebo and, without placebo nights, than none).

    ``own``: each candidate's utility per draw before the cost of a change, over the
    outcomes the diary records (:attr:`Scales.shown`), ``continue`` (0: the reference)
    first; ``stop``'s row is magnesium's own effect (the current regimen against placebo).
    The share of draws in which stopping gains: P(better than continuing) charges the stop a
    switching cost, which says whether a change pays, not whether what is taken does harm.
    0 without magnesium taken (nothing to stop). An outcome no night records
    (:attr:`History.unrecorded`; GI too, without a stool or GI record) does not count: its
    "harm" would be the prior's alone, nothing the person's nights show, and "Stop: it harms
    you" must rest on what the diary shows (an outside audit; the utility still counts it).

    ``seen``: the utility per draw of stopping against no magnesium as the nights show it
    (expectation included), given when the diary has no placebo night
    (:func:`placebo_recorded`). Against placebo, such a diary's comparison subtracts an
    expectation effect that only its prior (centred on a benefit) knows, so a regimen that
    changed nothing reads as harm (an outside audit: 3 of 5 flat null diaries were told
    "P 0.94 that it is worse than no magnesium"). Then a draw counts as harm only when
    stopping gains on both comparisons: P(worse than placebo *and* worse than no magnesium),
    the probability of one event, never above either comparison's own (the smaller of the
    two probabilities is no event's probability, and would count draws in which one of them
    says the regimen helps). As in the verdicts of :mod:`model.analysis.effects`, a harm
    stands only when what the nights show agrees.
    """
    stop = [k for k, c in enumerate(candidates) if c.action == "stop"]
    if not past.current.active or not stop:
        return 0.0
    worse = own[stop[0]] > own[0]
    if seen is not None:
        worse &= seen > own[0]
    return float(worse.mean())


BATCHES = 8
"""Contiguous batches of the draws whose spread gives the Monte Carlo error of an action's
worth (8 batches: 7 degrees of freedom; each has 500 of the fit's 4,000 draws)."""


@dataclass(frozen=True)
class Scales:
    """The person's utility scale: weights per diary unit and the noise of a period.

    ``shown``: the weights of what a period shows, 0 for an outcome no night of the diary
    records (:attr:`History.unrecorded`): its expected gain still counts in the utility (the
    person cares about it; the evidence gives it), but the coming nights will not show it,
    so it teaches nothing and adds no noise (an outside audit: an anxiety complaint with no
    anxiety column doubled a switch's learning value, 2.12 to 4.24). Nor does it count in
    P(harm) (:func:`harm_probability`): a harm there would be the prior's, not the nights'.
    """

    per_gain: np.ndarray          # utility units per diary unit of gain, shape (V,)
    shown: np.ndarray             # the same, 0 for an outcome the diary does not record, (V,)
    noise: float                  # variance of one period's contrast (what it shows)


def utility_per_gain(priors: PriorSet, profile: Profile,
                     s: DecisionSettings) -> dict[str, float]:
    """Utility units per diary unit of each gain, keyed by :data:`VARIABLES`.

    The outcome's weight (the profile's; GI: ``s.gi_weight``) over its MCID.
    """
    weights = profile.outcome_weights() | {"gi": s.gi_weight}
    return {v: weights[OUTCOME_OF_GAIN[v]] / priors.settings.outcomes[OUTCOME_OF_GAIN[v]].mcid
            for v in VARIABLES}


def _scales(means: dict[str, np.ndarray], reference_row: int, priors: PriorSet,
            profile: Profile, onset_days: float, s: DecisionSettings,
            unrecorded: frozenset[str]) -> Scales:
    outcomes = priors.settings.outcomes
    typical = {v: float(np.nanmean(m[reference_row])) for v, m in means.items()}
    names = [OUTCOME_OF_GAIN[v] for v in means]
    weight = utility_per_gain(priors, profile, s)
    per_gain = np.array([weight[v] for v in means])
    shown = per_gain * np.array([o not in unrecorded for o in names])
    per_link = shown * np.array([slope(v, typical[v]) for v in means])
    variances = np.array([per_night_variance(v, typical[v], outcomes[o].smd_sd)
                          for v, o in zip(means, names, strict=True)])
    noise = period_noise(per_link, variances, [o != "gi" for o in names], s.min_nights,
                         onset_days, s.night_autocorrelation)
    return Scales(per_gain, shown, noise)


def _stop_as_seen(means: dict[str, np.ndarray], scales: Scales, past: History, none: int,
                  reference: int) -> np.ndarray | None:
    """Utility per draw of stopping against no magnesium, expectation included (the nights).

    Over the outcomes the diary records (:attr:`Scales.shown`), as :func:`harm_probability`.

    None when the diary has a placebo night: then :func:`harm_probability` needs no more
    than the comparison with placebo. ``none`` and ``reference`` are rows of ``means``.
    """
    if placebo_recorded(past):
        return None
    return scales.shown @ diary_gains(means, np.array([none]), np.array([reference]))[0]


def _compared(candidate: Candidate, past: History, row: dict[Regimen, int],
              reference: Regimen, separable: bool | None, judged: int) -> int:
    """The row whose contrast with the candidate's regimen a period on it would show.

    Without magnesium now, against that (a start against no magnesium; continuing without it
    shows nothing). A change is seen against the current regimen, once its evaluation period
    (``judged`` nights) has been recorded; ``continue`` against no magnesium when the diary
    can separate magnesium from expectation and drift. Otherwise against the other magnesium
    regimen taken on most nights (taking something either way), or nothing. A switch to a new form
    was valued for its contrast with the form before; the next morning continuing it taught
    nothing and going back taught as much (both were seen against the new form's single
    night), so a return after one night won on expected utility (a daily user's audit,
    /tmp/hL).
    """
    if not reference.active:
        return row[reference]
    if candidate.action == "continue" and separable is not False:
        return row[NO_MAGNESIUM]
    if candidate.action != "continue" and (
            candidate.experiment or past.nights_on.get(reference, 0) >= judged):
        return row[reference]
    others = [r for r in past.nights_on if r.active and r != candidate.regimen and r in row]
    return row[max(others, key=lambda r: past.nights_on[r])] if others else row[reference]


def evaluate(data: xr.Dataset, candidates: list[Candidate], past: History,
             rules: Screening, priors: PriorSet, profile: Profile,
             s: DecisionSettings, *, separable: bool | None = None,
             compound: CompoundDose | None = None) -> Evaluation:
    """Gains, utility per draw, the chance constraint, blocks, ranking and learning values.

    ``data`` are the predictions of :func:`predicted`; ``separable`` False says the diary
    cannot yet tell magnesium from expectation and drift (then continuing teaches nothing
    about the current regimen's effect). ``s.min_nights`` is the evaluation period. An
    outcome no night of the diary records (:attr:`History.unrecorded`) counts in the utility
    but not in what a period shows (:class:`Scales`), nor in P(harm). ``compound``: the
    current dose as a compound's weight, which the ceiling reads on the safe side
    (:func:`model.decision.rules.blocks`).
    """
    reference = past.reference
    regimens = regimens_of(candidates, past)
    row = {r: i for i, r in enumerate(regimens)}
    means = _draws(data, regimens)
    variables = tuple(means)
    scales = _scales(means, row[reference], priors, profile, onset_days(data, priors), s,
                     past.unrecorded)

    def own(r: Regimen) -> int:               # magnesium's own effect: against placebo
        return row[r] if r.active else row[PLACEBO_REGIMEN]

    rows = np.array([own(c.regimen) for c in candidates])
    gains = diary_gains(means, rows, np.full(rows.size, own(reference)))
    experiment = np.array([c.experiment for c in candidates])
    changed = np.array([c.regimen != reference or c.experiment for c in candidates], float)
    costs = s.switching_cost * changed + s.experiment_cost * experiment
    utility = np.einsum("v,avd->ad", scales.per_gain, gains) - costs[:, None]
    gi = means["gi_rate"]
    limit = priors.safety.gi_constraint
    p_violation = ((gi[[row[c.regimen] for c in candidates]] - gi[row[NO_MAGNESIUM]])
                   > limit.limit).mean(axis=1)
    p_harm = harm_probability(candidates, np.einsum("v,avd->ad", scales.shown, gains), past,
                              _stop_as_seen(means, scales, past, row[NO_MAGNESIUM],
                                            own(reference)))
    blocked = blocks(candidates, p_violation, past, rules, limit.epsilon, s,
                     harm=s.harmful(p_harm) and not past.taken_as_needed(s), compound=compound)
    feasible = np.array([not b for b in blocked])
    terminal = ~experiment
    open_later = terminal & (feasible | held_by_period(blocked))
    compared = [_compared(c, past, row, reference, separable, s.min_nights) for c in candidates]
    observed = np.einsum("v,avd->ad", scales.shown, diary_gains(      # what a period shows
        means, np.array([row[c.regimen] for c in candidates]), np.array(compared)))

    periods = learning_horizon(experiment, s)

    def teaching(moments: DrawMoments) -> np.ndarray:
        if not open_later.any():
            return np.zeros(len(candidates))
        return periods * gradient_star(
            moments, np.full(len(candidates), scales.noise), s.learning_repeats)

    n_draws = utility.shape[1]
    edges = np.linspace(0, n_draws, min(BATCHES, n_draws) + 1).astype(int)
    groups = [slice(int(a), int(b)) for a, b in pairwise(edges)] if n_draws > 1 else []
    choosable = utility[open_later]
    full, *left_out = DrawMoments.without_each(choosable, observed, [slice(0, 0), *groups])
    total = utility.sum(axis=1)
    expected_jackknife = (np.stack([(total - utility[:, g].sum(axis=1))
                                    / (n_draws - g.stop + g.start) for g in groups], 1)
                          if groups else utility.mean(axis=1)[:, None])
    worth_jackknife = expected_jackknife + (
        np.stack([teaching(m) for m in left_out], 1) if groups else teaching(full)[:, None])
    shown = shown_gains(data, variables, [regimens[i] for i in rows],
                        [regimens[own(reference)]] * rows.size)
    return Evaluation(candidates, variables, shown, utility,
                      (utility > utility[0]).mean(axis=1), p_violation, blocked, feasible,
                      terminal, teaching(full),
                      rank(utility, feasible & terminal, cvar_alpha=s.cvar_alpha), worth_jackknife,
                      expected_jackknife, p_harm)
