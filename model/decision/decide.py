"""The decision: from posterior predictions, a profile and the diary to the next step.

The order never changes:

1. **Hard rules** (:func:`screen`, from ``safety.toml``): a contraindication answers ``refer``
   with no form and no dose; cautions, interacting medicines (each named with its timing rule)
   and depletion notes become warnings; excluded forms are removed; the daily ceiling is the
   profile's, at most the safety ceiling.
2. **Candidates**, one change at a time from the current regimen: ``continue``,
   ``increase_dose`` / ``decrease_dose`` (100 mg steps, capped at the ceiling; below 100 mg is
   ``stop``), ``switch_form`` (same elemental dose), ``split_dose`` (from 200 mg), ``stop``;
   without magnesium: ``start`` (each allowed form at 100 and 200 mg in the evening) or
   ``continue`` without. Before the current regimen has ``min_nights`` recorded nights only
   ``continue`` is open, plus ``decrease_dose`` / ``split_dose`` / ``stop`` when safety asks
   for them (an acute GI problem, a current regimen above the ceiling, excluded or breaking
   the GI constraint).
3. **Chance constraint** per candidate: P(gi_rate(candidate) - gi_rate(no magnesium) > limit)
   <= epsilon, per joint posterior draw.
4. **Utility per draw**, averaged only at the end: the sum over outcomes of weight x gain /
   MCID, GI included (weight ``gi_weight``), minus ``switching_cost`` for any change. Gains are
   relative to the current regimen, so ``continue`` has utility 0 in every draw.
5. **Commit rule**: commit when P(best) >= ``commit_p_best`` or EVPI < ``commit_evpi``;
   otherwise try the best action and look again, or ``collect_more_data`` when nothing is
   clearly better than continuing. ``mode="thompson"`` explores instead: the action best in
   one seeded random draw.

Defaults (:class:`DecisionSettings`) and why:

- ``switching_cost = 0.25`` utility units (a quarter of one MCID on an outcome of weight 1):
  a change costs a purchase, a new evaluation period and the noise of a new baseline; the cost
  breaks near-ties in favour of staying put without vetoing any change worth a noticeable gain.
- ``commit_p_best = 0.8``: four chances in five that no other allowed action is better.
- ``commit_evpi = 0.1`` utility units: when perfect knowledge of the person's responses would
  add less than a tenth of an MCID on a weight-1 outcome, more experimenting is not worth the
  nights it costs.
- ``clear_p_better = 0.7``: an uncommitted change is still worth trying when it beats
  continuing in at least 70 % of the draws; otherwise the answer is ``collect_more_data``.
- ``cvar_alpha = 0.1``: the CVaR column is the mean of the worst 10 % of utility draws.
- ``min_nights = 14``: magnesium's effects appear over 1-4 weeks (DESIGN.md) and a fortnight
  of nights averages out most night-to-night noise; the first step is reviewed after 7.

Every probability is a share of posterior draws, so it is never more certain than the
posterior: with D draws the smallest non-zero value is 1/D.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal, Protocol

import numpy as np
import pandas as pd
import xarray as xr

from model.core.forms import FORMS
from model.core.outcomes import GAIN_KEYS, OUTCOME_OF_GAIN, SPECS
from model.core.regimen import NO_MAGNESIUM, Regimen
from model.data.profile import Profile, normalise_name
from model.evidence.priorset import PriorSet
from model.evidence.schema import Contraindication, Safety

Predict = Callable[[Sequence[Regimen]], xr.Dataset]
"""``predict(regimens)``: a Dataset with dims (regimen, draw) and the :data:`VARIABLES`."""

Mode = Literal["expected_utility", "thompson"]

VARIABLES: tuple[str, ...] = GAIN_KEYS
"""Predicted steady-state nightly values, in diary units (``gi_rate``: share of GI nights)."""

_SAFETY_MOVES = frozenset({"decrease_dose", "split_dose", "stop"})
RECORD_COLUMNS: tuple[str, ...] = ("date", "form", "elemental_mg", "split", "sol_min",
                                   "awakenings", "quality", "freshness", "anxiety",
                                   "stool_bristol", "gi_upset")
"""What to write down each night (diary columns of CONTRACT.md)."""


@dataclass(frozen=True)
class DecisionSettings:
    """Tunable constants of the decision (the module docstring explains the defaults)."""

    min_nights: int = 14
    first_review_days: int = 7
    step_mg: float = 100.0
    min_dose_mg: float = 100.0
    start_doses_mg: tuple[float, ...] = (100.0, 200.0)
    split_min_mg: float = 200.0
    switching_cost: float = 0.25
    gi_weight: float = 1.0
    commit_p_best: float = 0.8
    commit_evpi: float = 0.1
    clear_p_better: float = 0.7
    cvar_alpha: float = 0.1
    interval: float = 0.9
    acute_gi_nights: int = 2
    gi_window: int = 7


# --------------------------------------------------------------------------------------------
# What the decision needs from a diary
# --------------------------------------------------------------------------------------------


class DiaryLike(Protocol):
    """Anything with a daily ``nights`` frame, such as :class:`model.data.diary.Diary`.

    The frame needs the columns form, elemental_mg, split, recorded and gi_night.
    """

    @property
    def nights(self) -> pd.DataFrame:
        """One row per calendar night, oldest first."""
        ...


@dataclass(frozen=True)
class History:
    """The few facts of a diary the decision uses.

    Parameters
    ----------
    current : Regimen
        Last night's regimen.
    nights_on_current : int
        Recorded nights in the run of identical regimen that ends last night.
    forms_tried : frozenset of str
        Forms taken on any recorded night.
    recent_gi_nights : int
        GI nights on the current regimen within the last ``gi_window`` nights.

    """

    current: Regimen = NO_MAGNESIUM
    nights_on_current: int = 0
    forms_tried: frozenset[str] = frozenset()
    recent_gi_nights: int = 0

    @property
    def first_step(self) -> bool:
        """True before any magnesium night: the advice rests on the priors alone."""
        return not self.forms_tried and not self.current.active

    @classmethod
    def from_nights(cls, nights: pd.DataFrame, gi_window: int = 7) -> History:
        """Derive the history from a diary's ``nights`` frame."""
        if nights.empty:
            return cls()
        regimens = [Regimen(str(f), float(mg), bool(s) if pd.notna(s) else False)
                    for f, mg, s in zip(nights["form"], nights["elemental_mg"],
                                        nights["split"], strict=True)]
        current = regimens[-1]
        start = len(regimens)
        while start > 0 and regimens[start - 1] == current:
            start -= 1
        run = nights.iloc[start:]
        recorded = nights["recorded"].to_numpy(bool)
        tried = {r.form for r, rec in zip(regimens, recorded, strict=True) if rec and r.active}
        recent = run["gi_night"].iloc[-gi_window:]
        return cls(current, int(run["recorded"].sum()), frozenset(tried),
                   int((recent == 1).sum()))


def history(diary: DiaryLike | History | None, gi_window: int = 7) -> History:
    """Return the :class:`History` of a diary (``None``: no data yet)."""
    if diary is None:
        return History()
    if isinstance(diary, History):
        return diary
    return History.from_nights(diary.nights, gi_window)


# --------------------------------------------------------------------------------------------
# Hard rules
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Screening:
    """The outcome of the hard rules for one profile.

    Parameters
    ----------
    referrals : tuple of str
        Contraindications found; any one means ``refer``.
    warnings : tuple of str
        Cautions, medicine timing rules (each naming the medicine), depletion notes.
    ceiling_mg : float
        The daily elemental dose never to exceed.
    allowed_forms : tuple of str
        The forms not excluded by the profile.

    """

    referrals: tuple[str, ...]
    warnings: tuple[str, ...]
    ceiling_mg: float
    allowed_forms: tuple[str, ...]


def _applies(rule: Contraindication, profile: Profile) -> bool:
    if rule.condition is not None and normalise_name(rule.condition) in profile.conditions:
        return True
    if rule.field == "egfr":
        return profile.egfr is not None and rule.below is not None and profile.egfr < rule.below
    return rule.field == "pregnant" and profile.pregnant


def _medicine_warnings(profile: Profile, safety: Safety) -> list[str]:
    found = []
    for medicine in profile.medications:
        for group in safety.interactions:
            if medicine in {normalise_name(m) for m in group.medications}:
                kind = "can lower magnesium" if group.kind == "depletion" else group.group
                named = medicine if kind == medicine else f"{medicine} ({kind})"
                found.append(f"{named}: {group.rule}")
    return found


def screen(profile: Profile, safety: Safety) -> Screening:
    """Apply the hard rules of ``safety.toml`` to a profile."""
    found = [c for c in safety.contraindications if _applies(c, profile)]
    referrals = tuple(f"see a clinician before taking magnesium: {c.reason}" for c in found)
    fields = {c.field for c in found} - {None}
    warnings = [c.reason for c in safety.cautions
                if _applies(c, profile) and c.field not in fields]
    warnings += _medicine_warnings(profile, safety)
    ceiling = profile.ceiling_mg(safety)
    if profile.max_elemental_mg is not None and profile.max_elemental_mg > ceiling:
        warnings.append(f"max_elemental_mg {profile.max_elemental_mg:g} is above the safety "
                        f"ceiling; {ceiling:g} mg/day is used ({safety.ceiling.source})")
    allowed = tuple(f for f in FORMS if f not in profile.excluded_forms)
    return Screening(referrals, tuple(warnings), ceiling, allowed)


# --------------------------------------------------------------------------------------------
# Candidates
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Candidate:
    action: str
    regimen: Regimen


def _candidates(current: Regimen, rules: Screening, s: DecisionSettings) -> list[_Candidate]:
    """Every action one change away from ``current`` (ceiling-capped steps, allowed forms)."""
    if not current.active:
        doses = sorted({min(d, rules.ceiling_mg) for d in s.start_doses_mg} - {0.0})
        return [_Candidate("continue", NO_MAGNESIUM)] + [
            _Candidate("start", Regimen(f, d)) for f in rules.allowed_forms for d in doses
            if d >= s.min_dose_mg]
    dose = current.elemental_mg
    found = [_Candidate("continue", current)]
    up = min(dose + s.step_mg, rules.ceiling_mg)
    if up > dose:
        found.append(_Candidate("increase_dose", replace(current, elemental_mg=up)))
    down = min(dose - s.step_mg, rules.ceiling_mg)
    if down >= s.min_dose_mg:
        found.append(_Candidate("decrease_dose", replace(current, elemental_mg=down)))
    found += [_Candidate("switch_form", replace(current, form=f))
              for f in rules.allowed_forms if f != current.form]
    if not current.split and dose >= s.split_min_mg:
        found.append(_Candidate("split_dose", replace(current, split=True)))
    return [*found, _Candidate("stop", NO_MAGNESIUM)]


def _rule_blocks(candidate: _Candidate, rules: Screening, past: History,
                 safety_exempt: bool, s: DecisionSettings) -> list[str]:
    """Reasons a hard rule or the evaluation period blocks a candidate."""
    blocks = []
    regimen = candidate.regimen
    if regimen.elemental_mg > rules.ceiling_mg:
        blocks.append(f"{regimen.elemental_mg:g} mg/day is above your ceiling of "
                      f"{rules.ceiling_mg:g} mg/day")
    if regimen.active and regimen.form not in rules.allowed_forms:
        blocks.append(f"{regimen.form} is excluded in your profile")
    waiting = (candidate.action != "continue" and not past.first_step
               and past.nights_on_current < s.min_nights
               and not (safety_exempt and candidate.action in _SAFETY_MOVES))
    if waiting:
        blocks.append(f"only {past.nights_on_current} of {s.min_nights} recorded nights on "
                      f"{past.current.label} so far; changes wait "
                      f"{s.min_nights - past.nights_on_current} more nights")
    return blocks


# --------------------------------------------------------------------------------------------
# Numbers over draws
# --------------------------------------------------------------------------------------------


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
    return {v: rows[v].transpose("regimen", "draw").to_numpy().astype(float)
            for v in VARIABLES if v in rows}


@dataclass(frozen=True)
class _Evaluation:
    """Every candidate's draws and summaries; rows follow ``candidates``."""

    candidates: list[_Candidate]
    variables: tuple[str, ...]
    gains: np.ndarray            # (A, V, D), positive = better
    utility: np.ndarray          # (A, D)
    p_better: np.ndarray         # (A,) P(utility > utility of continue)
    p_violation: np.ndarray      # (A,)
    blocked: list[tuple[str, ...]]
    feasible: np.ndarray         # (A,) bool
    ranking: Ranking


def _evaluate(predict: Predict, candidates: list[_Candidate], past: History,
              rules: Screening, priors: PriorSet, profile: Profile,
              s: DecisionSettings) -> _Evaluation:
    reference = past.current if past.current.active else NO_MAGNESIUM
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
    blocked = _all_blocks(candidates, p_violation, past, rules, limit.epsilon, s)
    feasible = np.array([not b for b in blocked])
    p_better = (utility > utility[0]).mean(axis=1)     # row 0 is ``continue``
    return _Evaluation(candidates, variables, gains, utility, p_better, p_violation, blocked,
                       feasible, rank(utility, feasible, cvar_alpha=s.cvar_alpha))


def _above(p: float, limit: float) -> str:
    """``p`` with enough decimals (2 to 4) to show that it exceeds ``limit``."""
    digits = 2
    while digits < 4 and round(p, digits) <= limit:
        digits += 1
    return f"{p:.{digits}f}"


def _all_blocks(candidates: list[_Candidate], p_violation: np.ndarray, past: History,
                rules: Screening, epsilon: float, s: DecisionSettings) -> list[tuple[str, ...]]:
    gi_blocks = [[f"P(GI constraint violated) {_above(p, epsilon)} is above {epsilon:.2f}"]
                 if p > epsilon else [] for p in p_violation]
    current = candidates[0]          # always ``continue``
    unsafe_now = bool(_rule_blocks(current, rules, past, False, s) or gi_blocks[0])
    exempt = unsafe_now or _acute_gi(past, s)
    return [tuple(_rule_blocks(c, rules, past, exempt, s) + gi)
            for c, gi in zip(candidates, gi_blocks, strict=True)]


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


def _entry(action: str, regimen: Regimen | None, gain: Mapping[str, float], p_best: float,
           p_violation: float, evpi: float, commit: bool, next_review: dt.date,
           reasons: Sequence[str], warnings: Sequence[str]) -> dict[str, Any]:
    """One ``recommendation`` / ``alternatives`` entry of the ``analyze`` JSON."""
    return {"action": action,
            "form": regimen.form if regimen is not None else None,
            "elemental_mg_per_day": regimen.elemental_mg if regimen is not None else None,
            "split": regimen.split if regimen is not None else None,
            "expected_gain": dict(gain), "p_best": p_best,
            "p_constraint_violation": p_violation, "evpi": evpi, "commit": commit,
            "next_review": next_review.isoformat(), "reasons": list(reasons),
            "warnings": list(warnings)}


@dataclass(frozen=True)
class ActionAssessment:
    """One candidate action, assessed over the posterior draws.

    Gains are improvements over the current regimen (positive = better, diary units);
    ``gain_low`` / ``gain_high`` bound the central interval (90 % by default).
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

    @property
    def summary(self) -> str:
        """One line: the regimen, its expected utility and P(best), or why it is blocked."""
        if not self.feasible:
            return f"{option(self.action, self.regimen)}: blocked: " + "; ".join(self.blocked_by)
        return (f"{option(self.action, self.regimen)}: expected utility "
                f"{self.expected_utility:+.2f}, P(best) {self.p_best:.2f}")

    def to_dict(self) -> dict[str, Any]:
        """Return the ``alternatives`` entry of the ``analyze`` JSON."""
        return _entry(self.action, self.regimen, self.gain, self.p_best,
                      self.p_constraint_violation, self.evpi, False, self.next_review,
                      [self.summary], []) | {"feasible": self.feasible,
                                             "blocked_by": list(self.blocked_by)}


@dataclass(frozen=True)
class Recommendation:
    """The advice: an action (with its regimen unless ``refer`` / ``collect_more_data``).

    ``p_best``, ``p_constraint_violation`` and ``expected_gain`` are those of the assessed
    action behind the advice (``continue`` for ``collect_more_data``); they are 0 / empty when
    no posterior was consulted (``refer``, failed diagnostics). ``refer`` has ``commit`` true
    (a hard rule, not a bet); ``p_best`` is among the actions allowed now, so an action that
    is the only one allowed has ``p_best`` 1 and ``commit`` false.
    """

    action: str
    regimen: Regimen | None
    expected_gain: Mapping[str, float]
    p_best: float
    p_constraint_violation: float
    evpi: float
    commit: bool
    next_review: dt.date
    reasons: tuple[str, ...]
    warnings: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """Return the ``recommendation`` entry of the ``analyze`` JSON."""
        return _entry(self.action, self.regimen, self.expected_gain, self.p_best,
                      self.p_constraint_violation, self.evpi, self.commit, self.next_review,
                      self.reasons, self.warnings)


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

    """

    recommendation: Recommendation
    assessments: tuple[ActionAssessment, ...] = ()
    chosen: int | None = None
    mode: Mode = "expected_utility"

    @property
    def alternatives(self) -> tuple[ActionAssessment, ...]:
        """The assessed actions other than the recommended one."""
        return tuple(a for i, a in enumerate(self.assessments) if i != self.chosen)

    def table(self) -> pd.DataFrame:
        """One row per assessed action: utility, CVaR, probabilities, gains with intervals."""
        rows = []
        for a in self.assessments:
            row = {"action": a.action, "regimen": a.regimen.label, "feasible": a.feasible,
                   "expected_utility": a.expected_utility, "cvar": a.cvar, "p_best": a.p_best,
                   "p_better_than_continue": a.p_better_than_continue,
                   "p_constraint_violation": a.p_constraint_violation,
                   "blocked_by": "; ".join(a.blocked_by)}
            for v in a.gain:
                row |= {f"gain_{v}": a.gain[v], f"gain_{v}_low": a.gain_low[v],
                        f"gain_{v}_high": a.gain_high[v]}
            rows.append(row)
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        """``{"recommendation": ..., "alternatives": [...]}`` of the ``analyze`` JSON."""
        return {"recommendation": self.recommendation.to_dict(),
                "alternatives": [a.to_dict() for a in self.alternatives]}


def _assessments(ev: _Evaluation, evpi: float, review: Callable[[str], dt.date],
                 s: DecisionSettings) -> list[ActionAssessment]:
    """Summaries of every candidate, in candidate order."""
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
        float(ev.p_violation[i]), not ev.blocked[i], ev.blocked[i], evpi, review(c.action))
        for i, c in enumerate(ev.candidates)]


# --------------------------------------------------------------------------------------------
# The choice
# --------------------------------------------------------------------------------------------

Why = Literal["first_step", "forced", "commit", "trial", "plan", "collect"]


@dataclass(frozen=True)
class _Choice:
    index: int | None          # None: collect_more_data
    commit: bool
    why: Why


def _acute_gi(past: History, s: DecisionSettings) -> bool:
    return past.recent_gi_nights >= s.acute_gi_nights


def _thompson(utility: np.ndarray, among: np.ndarray, rng: np.random.Generator) -> int:
    draw = int(rng.integers(utility.shape[1]))
    return int(among[np.argmax(utility[among, draw])])


def _best(ev: _Evaluation, among: np.ndarray) -> int:
    return int(among[np.argmax(ev.ranking.expected[among])])


def _choose(ev: _Evaluation, past: History, mode: Mode, rng: np.random.Generator,
            s: DecisionSettings) -> _Choice:
    feasible = np.flatnonzero(ev.feasible)
    pick = _thompson if mode == "thompson" else None
    if past.first_step:
        starts = np.array([i for i in feasible if ev.candidates[i].action == "start"], int)
        among = starts if starts.size else feasible
        index = pick(ev.utility, among, rng) if pick else _best(ev, among)
        return _Choice(index, False, "first_step")
    if feasible.size == 1:
        return _Choice(int(feasible[0]), False, "forced")
    top = _best(ev, feasible)
    if ev.ranking.p_best[top] >= s.commit_p_best or ev.ranking.evpi < s.commit_evpi:
        return _Choice(top, True, "commit")
    if pick:
        return _Choice(pick(ev.utility, feasible, rng), False, "trial")
    unclear = top == 0 or ev.p_better[top] < s.clear_p_better
    if ev.feasible[0] and not _acute_gi(past, s) and unclear:
        return _Choice(None, False, "collect")
    return _Choice(top, False, "plan")


def _review_days(action: str, past: History, s: DecisionSettings) -> int:
    if past.first_step:
        return s.first_review_days
    if action == "continue" and past.nights_on_current < s.min_nights:
        return s.min_nights - past.nights_on_current
    return s.min_nights


# --------------------------------------------------------------------------------------------
# Plain words
# --------------------------------------------------------------------------------------------


def option(action: str, regimen: Regimen) -> str:
    """Name an action with its regimen: ``switch_form taurate@200``; ``stop`` alone."""
    return f"{action} {regimen.label}" if regimen.active else action


def describe(regimen: Regimen) -> str:
    """Say a regimen in words: ``glycinate, 200 mg elemental magnesium a day, ...``."""
    if not regimen.active:
        return "no magnesium"
    intake = (f"two intakes of {regimen.single_intake_mg:g} mg (late afternoon and bedtime)"
              if regimen.split else "one evening dose")
    return f"{regimen.form}, {regimen.elemental_mg:g} mg elemental magnesium a day, {intake}"


def _headline(action: str, regimen: Regimen, current: Regimen) -> str:
    if action == "continue":
        return ("Stay without magnesium for now." if not regimen.active
                else f"Continue {describe(regimen)}.")
    if action == "stop":
        return f"Stop magnesium (now {describe(current)})."
    if action == "start":
        return f"Start {describe(regimen)}."
    changes = {"increase_dose": f"raise the dose to {regimen.elemental_mg:g} mg",
               "decrease_dose": f"lower the dose to {regimen.elemental_mg:g} mg",
               "switch_form": f"switch to {regimen.form} at the same dose",
               "split_dose": "split the same dose into two intakes"}
    return f"Change one thing: {changes[action]} (now {current.label}; then {describe(regimen)})."


def format_gain(variable: str, mean: float, low: float, high: float, interval: float) -> str:
    """``sol_min +5.2 min (90% interval -3.1 to +12.4)``: the numbers of the table, rounded."""
    spec = SPECS[OUTCOME_OF_GAIN[variable]]
    d = spec.digits
    return (f"{variable} {mean:+.{d}f} {spec.unit} ({interval:.0%} interval "
            f"{low:+.{d}f} to {high:+.{d}f})")


def _numbers(a: ActionAssessment, n_feasible: int, reference: Regimen, limit: float,
             epsilon: float, s: DecisionSettings) -> list[str]:
    gains = "; ".join(format_gain(v, a.gain[v], a.gain_low[v], a.gain_high[v], s.interval)
                      for v in a.gain)
    return [
        f"P(best) {a.p_best:.2f} among the {n_feasible} option{'s' * (n_feasible != 1)} "
        f"allowed now; expected utility "
        f"{a.expected_utility:+.2f} (weighted MCIDs, 0 = as now); mean of the worst "
        f"{s.cvar_alpha:.0%} of draws {a.cvar:+.2f}.",
        f"Expected change vs {reference.label} (positive = better): {gains}.",
        f"P(GI constraint violated) {a.p_constraint_violation:.2f}: the chance that GI nights "
        f"rise more than {limit * 100:g} percentage points above your level without "
        f"magnesium (allowed: {epsilon:.2f}).",
    ]


def _record_line() -> str:
    return ("Record each night: " + ", ".join(RECORD_COLUMNS)
            + " (stool_bristol >= 6 or gi_upset = 1 counts as a GI night).")


def _plan_line(choice: _Choice, chosen: ActionAssessment, ev: _Evaluation, past: History,
               s: DecisionSettings) -> str:
    label = chosen.regimen.label
    evpi = ev.ranking.evpi
    when = chosen.next_review.isoformat()
    if choice.why == "first_step" and chosen.action == "continue":
        return ("No start is open to you now (see below, or your profile excludes every form "
                f"or sets a ceiling under {s.min_dose_mg:g} mg). Keep recording nights and "
                f"look again on {when}.")
    if choice.why == "first_step":
        return (f"A first step from published evidence only (low certainty: no nights on "
                f"magnesium yet). Take it for {s.first_review_days} nights and look again on "
                f"{when}; judge it after {s.min_nights} nights.")
    if choice.why == "forced":
        waiting = (f" ({past.nights_on_current} of {s.min_nights} recorded nights on "
                   f"{past.current.label} so far)" if past.nights_on_current < s.min_nights
                   else "")
        return f"The only step allowed now{waiting}.{_waiting(ev)} Look again on {when}."
    if choice.why == "commit":
        clear = (f"P(best) {chosen.p_best:.2f} >= {s.commit_p_best:.2f}"
                 if chosen.p_best >= s.commit_p_best else
                 f"EVPI {evpi:.2f} < {s.commit_evpi:.2f}: more data would hardly change it")
        return f"Clear enough to commit ({clear}). Look again on {when}."
    if choice.why == "trial":
        return (f"Trial mode: {label} was best in one random posterior draw (Thompson "
                f"sampling); EVPI {evpi:.2f}. Try it for {s.min_nights} nights and look "
                f"again on {when}.")
    return (f"Not certain yet (EVPI {evpi:.2f}): try {label} for {s.min_nights} nights and "
            f"look again on {when}.")


def _waiting(ev: _Evaluation) -> str:
    blocked = np.flatnonzero(~ev.feasible)
    if blocked.size == 0:
        return ""
    top = int(blocked[np.argmax(ev.ranking.expected[blocked])])
    c = ev.candidates[top]
    return (f" On current data the best-ranked option that must wait is "
            f"{option(c.action, c.regimen)} (expected utility "
            f"{ev.ranking.expected[top]:+.2f}).")


def _collect_line(ev: _Evaluation, reference: Regimen, s: DecisionSettings) -> str:
    top = _best(ev, np.flatnonzero(ev.feasible))
    evpi = f"EVPI {ev.ranking.evpi:.2f} says more data are worth having."
    if top == 0:
        return (f"Continuing {reference.label} ranks first but not clearly (P(best) below "
                f"{s.commit_p_best:.2f}); {evpi}")
    other = ev.candidates[top]
    return (f"Nothing is clearly better than continuing {reference.label}: the best-ranked "
            f"option, {option(other.action, other.regimen)}, has P(better than continuing) "
            f"{ev.p_better[top]:.2f} (below {s.clear_p_better:.2f}); {evpi}")


def _blocked_lines(ev: _Evaluation) -> list[str]:
    grouped: dict[str, list[str]] = {}
    for c, blocks in zip(ev.candidates, ev.blocked, strict=True):
        for b in blocks:
            grouped.setdefault(b, []).append(option(c.action, c.regimen))
    return [f"Not allowed: {', '.join(names)}: {why}." for why, names in grouped.items()]


# --------------------------------------------------------------------------------------------
# The decision
# --------------------------------------------------------------------------------------------


def _without_posterior(action: str, as_of: dt.date, days: int, reasons: list[str],
                       warnings: tuple[str, ...], commit: bool) -> Decision:
    return Decision(Recommendation(action, None, {}, 0.0, 0.0, 0.0, commit,
                                   as_of + dt.timedelta(days=days), tuple(reasons), warnings))


def _current_warnings(past: History, rules: Screening, s: DecisionSettings) -> list[str]:
    current = past.current
    notes = []
    if _acute_gi(past, s):
        notes.append(f"{past.recent_gi_nights} GI nights in the last {s.gi_window} on "
                     f"{current.label}: if loose stools go on, lower the dose, split it or stop")
    if current.elemental_mg > rules.ceiling_mg:
        notes.append(f"your current {current.label} is above your ceiling of "
                     f"{rules.ceiling_mg:g} mg/day")
    if current.active and current.form not in rules.allowed_forms:
        notes.append(f"your current form {current.form} is excluded in your profile")
    return notes


def decide(predict: Predict, *, priors: PriorSet, profile: Profile | None = None,
           diary: DiaryLike | History | None = None, as_of: dt.date,
           diagnostics_ok: bool = True, settings: DecisionSettings | None = None,
           mode: Mode = "expected_utility", seed: int | None = None) -> Decision:
    """Decide the next step.

    Parameters
    ----------
    predict : callable
        ``predict(regimens) -> xarray.Dataset`` with dims (regimen, draw), coordinate
        ``regimen`` = the labels, variables :data:`VARIABLES` (``gi_rate`` required; a missing
        outcome simply does not count). Draws must be joint across regimens and variables.
    priors : PriorSet
        Gives the hard rules (``safety``), the MCIDs and better directions (``settings``).
    profile : Profile, optional
        The person (default: ``Profile()``).
    diary : Diary, History or None
        The diary (or its :class:`History`); None before any data.
    as_of : datetime.date
        Today; ``next_review`` counts from it.
    diagnostics_ok : bool
        False when the fit's diagnostics failed: the answer is ``collect_more_data`` without
        any dosing advice, and ``predict`` is not called.
    settings : DecisionSettings, optional
        The constants of the decision.
    mode : {"expected_utility", "thompson"}
        Thompson mode explores: when not committed, the action best in one random draw.
    seed : int, optional
        Seed of the Thompson draw.

    Returns
    -------
    Decision

    """
    if mode not in ("expected_utility", "thompson"):
        raise ValueError(f"mode must be 'expected_utility' or 'thompson', got {mode!r}")
    s = settings or DecisionSettings()
    person = profile or Profile()
    past = history(diary, s.gi_window)
    rules = screen(person, priors.safety)
    warnings = (*rules.warnings, *_current_warnings(past, rules, s))
    if rules.referrals:
        return _without_posterior("refer", as_of, s.min_nights, [
            *(r[0].upper() + r[1:] + "." for r in rules.referrals),
            "No form or dose is suggested until a clinician has advised."], warnings, True)
    if not diagnostics_ok:
        return _without_posterior("collect_more_data", as_of, s.first_review_days, [
            "The model fit did not pass its convergence checks, so no dosing advice is given.",
            "Keep your current routine, record more nights and run the analysis again.",
            _record_line()], warnings, False)
    ev = _evaluate(predict, _candidates(past.current, rules, s), past, rules, priors, person,
                   s)
    choice = _choose(ev, past, mode, np.random.default_rng(seed), s)

    def review(action: str) -> dt.date:
        return as_of + dt.timedelta(days=_review_days(action, past, s))

    assessed = _assessments(ev, ev.ranking.evpi, review, s)
    order = sorted(range(len(assessed)),
                   key=lambda i: (not assessed[i].feasible, -assessed[i].expected_utility))
    shown = 0 if choice.index is None else choice.index
    reasons = _reasons(ev, choice, assessed[shown], past, priors.safety, s)
    chosen = assessed[shown]
    action = "collect_more_data" if choice.index is None else chosen.action
    recommendation = Recommendation(
        action, None if choice.index is None else chosen.regimen, chosen.gain, chosen.p_best,
        chosen.p_constraint_violation, ev.ranking.evpi, choice.commit, chosen.next_review,
        tuple(reasons), warnings)
    return Decision(recommendation, tuple(assessed[i] for i in order),
                    None if choice.index is None else order.index(choice.index), mode)


def _reasons(ev: _Evaluation, choice: _Choice, chosen: ActionAssessment, past: History,
             safety: Safety, s: DecisionSettings) -> list[str]:
    reference = past.current if past.current.active else NO_MAGNESIUM
    n_feasible = int(ev.feasible.sum())
    gi = safety.gi_constraint
    numbers = _numbers(chosen, n_feasible, reference, gi.limit, gi.epsilon, s)
    if choice.why == "collect":
        lines = [_collect_line(ev, reference, s), *numbers,
                 f"Keep {reference.label} and look again on {chosen.next_review.isoformat()}.",
                 _record_line()]
    else:
        lines = [_headline(chosen.action, chosen.regimen, reference), *numbers,
                 _plan_line(choice, chosen, ev, past, s)]
        if choice.why == "first_step":
            lines.append(_record_line())
    return lines + _blocked_lines(ev)
