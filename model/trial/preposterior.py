"""Pre-posterior simulation of a trial plan: how often it leads to the right regimen.

For a :class:`~model.trial.plan.TrialPlan` and many plausible persons with known truth,
simulate the diary each would keep (:func:`model.simulate.personas.simulate_diary` on the
plan's schedule), analyse it, decide, and score the decision against the truth.

**The question a trial answers.** At the end of the trial, standing without magnesium with
the evaluation period complete: which of "no magnesium" and each form of the trial, at the
trial's dose, to settle on? :class:`Question` asks :func:`model.decision.decide.decide` exactly that
(profile excluding the other forms, ``start_doses_mg`` = the trial dose, a history whose
current regimen is none with ``min_nights`` behind it). The *chosen* regimen is the feasible
candidate of highest expected utility (the Bayes action; ``decision.assessments[0]``).

**The truth's best regimen.** The same ``decide`` on a one-draw "posterior" that is the truth
itself (:func:`truth_draws` through :func:`model.personal.fit.predict_from_draws`): the true
steady-state outcomes of every candidate, the same utility (weights, MCIDs, switching cost),
and the GI constraint evaluated on the true GI rates (a candidate whose true GI rate rises more
than the limit is infeasible). *Right* = the chosen regimen is the truth's best; *regret* = the
true utility of the truth's best minus that of the chosen regimen (utility units: weighted
MCIDs, ``model.decision.decide``).

**When the decision commits.** Every ``look_every`` nights (once a form has been taken) the
diary so far is analysed and ``decide``'s commit rule applied (P(best) >= 0.8 or EVPI < 0.1);
the first such night is the commit night (NaN: not within the trial).

**Plausible truths** (:func:`draw_truth`): each person's effects are drawn from the personal
model's own prior (evidence means and SDs, shared responsiveness, form deviation;
``settings.toml`` ``[personal]``), the build-up time constant from its log-normal prior, the
expectation effect from its prior; the nightly noise, baselines and covariate effects are the
:class:`~model.simulate.personas.Persona` defaults. A :class:`Drift` adds regression to the mean: a
person who starts the diary in a bad patch whose latency and awakenings recover over time.

**The fast analysis** is :class:`model.trial.quick.QuickModel`, a Laplace approximation of
the personal model; :func:`model.trial.agreement.quick_vs_full` measures how often it
decides as the full model does.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr
from scipy.special import logit

from model.core.forms import FORMS, PLACEBO
from model.core.outcomes import ORDINAL, OUTCOMES, SLEEP_OUTCOMES, SPECS
from model.core.regimen import NO_MAGNESIUM, Regimen
from model.data.diary import Diary, read_diary
from model.data.guesses import wilson
from model.data.profile import Profile
from model.decision.decide import Decision, DecisionSettings, History, decide
from model.evidence.priorset import PriorSet, load_priors
from model.likelihood.families import NegativeBinomial, NormalAR1, even_share_cutpoints
from model.likelihood.prior import PersonalPrior
from model.personal.predict import predict_from_draws
from model.simulate.personas import Persona, Schedule, simulate_diary
from model.trial.plan import TrialPlan
from model.trial.quick import QuickModel

# --------------------------------------------------------------------------------------------
# Plausible persons
# --------------------------------------------------------------------------------------------


def draw_truth(priors: PriorSet, rng: np.random.Generator, name: str = "drawn") -> Persona:
    """Draw a person from the personal model's prior (see the module docstring)."""
    prior = PersonalPrior.of(priors)
    theta = prior.draw_theta(rng)
    tau = prior.draw_tau(rng)
    expectation = prior.draw_expectation(rng)
    return Persona(name, "drawn from the priors",
                   {f: dict(zip(OUTCOMES, theta[i].tolist(), strict=True))
                    for i, f in enumerate(FORMS)},
                   Schedule(((NO_MAGNESIUM, 1),)), tau=tau,
                   expectation=dict(zip(SLEEP_OUTCOMES, expectation.tolist(), strict=True)))


def truth_draws(person: Persona) -> dict[str, np.ndarray]:
    """Return a person's true parameters as one posterior "draw" (for ``predict_from_draws``)."""
    draws = {
        "theta": person.theta()[None],
        "trend": np.zeros((1, len(SLEEP_OUTCOMES), 2)),
        "expectation": np.array([[person.expectation.get(o, 0.0) for o in SLEEP_OUTCOMES]]),
        "sol_intercept": np.array([math.log1p(person.sol_median)]),
        "sol_sigma": np.array([person.sol_sigma]),
        "awakenings_intercept": np.array([math.log(person.awakenings_mean)]),
        "gi_intercept": np.array([logit(person.gi_baseline)]),
    }
    for name in ORDINAL:
        cuts = even_share_cutpoints(SPECS[name].categories) - person.levels.get(name, 0.0)
        draws[f"{name}_cutpoints"] = cuts[None]
    return draws


@dataclass(frozen=True)
class Drift:
    """Regression to the mean: the diary starts in a bad patch that fades.

    On night ``t`` latency is multiplied by ``exp(sol * exp(-t / days))`` (on ``1 + SOL``,
    exact on the model's scale) and awakenings gain Poisson extra counts of mean
    ``awakenings_mean * (exp(awakenings * exp(-t / days)) - 1)`` (the person's baseline
    rate; approximate under treatment). ``simulate_diary`` has no drift of its own, so it is
    added to the simulated diary.
    """

    sol: float = 0.5
    awakenings: float = 0.4
    days: float = 14.0

    def apply(self, frame: pd.DataFrame, person: Persona,
              rng: np.random.Generator) -> pd.DataFrame:
        """Return a copy of a simulated diary with the drift added."""
        fade = np.exp(-np.arange(len(frame)) / self.days)
        out = frame.copy()
        out["sol_min"] = np.round(NormalAR1.minutes(np.log1p(frame["sol_min"]) + self.sol * fade))
        extra = rng.poisson(person.awakenings_mean * np.expm1(self.awakenings * fade))
        out["awakenings"] = np.minimum(frame["awakenings"] + extra, NegativeBinomial().max_count)
        return out


def simulate_trial(plan: TrialPlan, person: Persona, *, seed: int, priors: PriorSet,
                   drift: Drift | None = None) -> Diary:
    """Simulate the diary a person would keep on a plan (with an optional drift)."""
    settings = priors.settings
    frame = simulate_diary(person, plan.n_nights, seed=seed, start=plan.start.isoformat(),
                           schedule=plan.schedule(), ed50_mg=settings.ed50_mg,
                           reference_mg=settings.reference_dose_mg)
    if drift is not None:
        frame = drift.apply(frame, person, np.random.default_rng([seed, 1]))
    return read_diary(frame, warn=False)


# --------------------------------------------------------------------------------------------
# The decision a trial answers, and its score against the truth
# --------------------------------------------------------------------------------------------

Predict = Callable[[Sequence[Regimen]], xr.Dataset]


@dataclass(frozen=True)
class Question:
    """Which of no magnesium and ``forms`` at ``dose_mg`` to settle on (module docstring).

    Parameters
    ----------
    forms : tuple of str
        The forms to choose among (placebo is not a choice).
    dose_mg : float
        Elemental dose per day of every form.
    priors : PriorSet
        Rules, MCIDs and utility of the decision.

    """

    forms: tuple[str, ...]
    dose_mg: float
    priors: PriorSet = field(repr=False)

    @classmethod
    def of(cls, plan: TrialPlan, priors: PriorSet, forms: Sequence[str] | None = None
           ) -> Question:
        """Return the question of a plan (its forms, unless ``forms`` names others)."""
        chosen = forms if forms is not None else [a for a in plan.arms if a != PLACEBO]
        return cls(tuple(chosen), plan.dose_mg, priors)

    def decide(self, predict: Predict, tried: Sequence[str], as_of: dt.date) -> Decision:
        """``decide`` from no magnesium with the evaluation period complete."""
        settings = DecisionSettings(start_doses_mg=(self.dose_mg,))
        past = History(NO_MAGNESIUM, settings.max_period_nights, frozenset(tried))
        profile = Profile(excluded_forms=tuple(f for f in FORMS if f not in self.forms))
        return decide(predict, priors=self.priors, profile=profile, diary=past, as_of=as_of,
                      settings=settings)

    def truth(self, person: Persona, as_of: dt.date) -> Decision:
        """Decide on the truth itself (one draw).

        ``assessments[0]`` is the truly best feasible candidate and every
        ``expected_utility`` is a true utility.
        """
        draws = truth_draws(person)
        return self.decide(lambda r: predict_from_draws(draws, r, self.priors), self.forms,
                           as_of)


def chosen_regimen(decision: Decision) -> Regimen:
    """Return the Bayes action's regimen: the feasible candidate of highest expected utility."""
    return decision.assessments[0].regimen


def forms_tried(diary: Diary) -> list[str]:
    """The forms taken on at least one recorded night, sorted."""
    nights = diary.nights
    taken = nights["recorded"].to_numpy(bool) & (nights["elemental_mg"].to_numpy(float) > 0)
    return sorted(set(nights["form"].to_numpy()[taken]))


def _truncate(diary: Diary, nights: int) -> Diary:
    return Diary(diary.nights.iloc[:nights], diary.source)


def _fit_quick(diary: Diary, priors: PriorSet, seed: int) -> Predict:
    return QuickModel(priors, draws=1000, random_seed=seed).fit(diary).predict


def score_trial(diary: Diary, person: Persona, question: Question, *, seed: int,
                look_every: int = DecisionSettings.min_nights,
                fit: Callable[[Diary, PriorSet, int], Predict] = _fit_quick) -> dict[str, Any]:
    """Analyse one simulated diary at each look and at the end; score against the truth.

    Returns
    -------
    dict
        ``truth_best``, ``chosen`` (labels), ``right``, ``regret``, ``commit_night`` (NaN:
        never), ``right_at_commit`` and ``p_best`` of the final decision.

    """
    end = diary.nights.index[-1].date()
    truth = question.truth(person, end)
    best = chosen_regimen(truth)
    utility = {a.regimen: a.expected_utility for a in truth.assessments}

    def analyse(nights: int) -> Decision | None:
        part = _truncate(diary, nights)
        tried = forms_tried(part)
        return question.decide(fit(part, question.priors, seed), tried,
                               part.nights.index[-1].date()) if tried else None

    commit_night, at_commit, final = math.nan, None, None
    for nights in [*range(look_every, diary.n_nights, look_every), diary.n_nights]:
        decision = analyse(nights)
        final = decision if nights == diary.n_nights else None
        if decision is not None and decision.recommendation.commit:
            commit_night, at_commit = nights, chosen_regimen(decision)
            break
    final = final or analyse(diary.n_nights)
    chosen = chosen_regimen(final) if final is not None else NO_MAGNESIUM
    return {"truth_best": best.label, "chosen": chosen.label, "right": chosen == best,
            "regret": utility[best] - utility[chosen], "commit_night": commit_night,
            "right_at_commit": (at_commit == best) if at_commit is not None else math.nan,
            "p_best": final.assessments[0].p_best if final is not None else math.nan}


# --------------------------------------------------------------------------------------------
# Many simulated trials
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Preposterior:
    """The scores of many simulated trials of one plan.

    Parameters
    ----------
    records : pandas.DataFrame
        One row per simulated person (columns of :func:`score_trial`, plus ``sim``).
    n_nights : int
        Nights in the trial.
    seconds : float
        Wall time of the simulation.

    """

    records: pd.DataFrame
    n_nights: int
    seconds: float

    @property
    def p_right(self) -> float:
        """Share of persons for whom the trial chose the truly best regimen."""
        return float(self.records["right"].mean())

    @property
    def p_right_se(self) -> float:
        """Monte Carlo standard error of :attr:`p_right`."""
        p, n = self.p_right, len(self.records)
        return math.sqrt(p * (1 - p) / n)

    @property
    def regret(self) -> float:
        """Mean regret (utility units: weighted MCIDs)."""
        return float(self.records["regret"].mean())

    def commit_nights(self) -> pd.Series:
        """Nights after which the decision committed (persons who never did left out)."""
        return self.records["commit_night"].dropna()

    def summary(self) -> dict[str, Any]:
        """Machine-readable summary (JSON-safe)."""
        commits = self.commit_nights()
        quartiles = commits.quantile([0.25, 0.5, 0.75]).tolist() if len(commits) else []
        at_commit = self.records["right_at_commit"].dropna()
        return {
            "simulations": len(self.records), "nights": self.n_nights,
            "p_right": self.p_right, "p_right_se": self.p_right_se,
            "p_right_interval": list(wilson(int(self.records["right"].sum()),
                                            len(self.records))),
            "regret_mean": self.regret,
            "regret_p90": float(self.records["regret"].quantile(0.9)),
            "p_commit": len(commits) / len(self.records),
            "commit_night_quartiles": quartiles,
            "p_right_at_commit": float(at_commit.mean()) if len(at_commit) else None,
            "seconds_per_trial": self.seconds / len(self.records),
        }

    def describe(self) -> str:
        """Three lines of plain words."""
        s = self.summary()
        commit = ("the decision never became clear within the trial" if not s["p_commit"] else
                  f"it became clear (commit) in {s['p_commit']:.0%} of persons, after a median "
                  f"of {s['commit_night_quartiles'][1]:.0f} nights (quartiles "
                  f"{s['commit_night_quartiles'][0]:.0f}-{s['commit_night_quartiles'][2]:.0f})")
        low, high = s["p_right_interval"]   # Wilson: no "+/- 0.00" when all are right
        return (f"P(right decision) {s['p_right']:.2f} (95% interval {low:.2f} to {high:.2f}) "
                f"over {s['simulations']} simulated persons of {s['nights']} nights;\n"
                f"expected regret {s['regret_mean']:.2f} utility units (90th percentile "
                f"{s['regret_p90']:.2f});\n{commit}.")


def preposterior(plan: TrialPlan, *, n_sims: int = 100, seed: int = 0,
                 priors: PriorSet | None = None, persons: Sequence[Persona] | None = None,
                 drift: Drift | None = None, forms: Sequence[str] | None = None,
                 look_every: int = DecisionSettings.min_nights,
                 progress: Callable[[int], None] | None = None) -> Preposterior:
    """Simulate ``n_sims`` trials of a plan and score their decisions.

    Parameters
    ----------
    plan : TrialPlan
        The schedule every simulated person follows.
    n_sims : int
        Simulated persons.
    seed : int
        Seeds the persons and their diaries: two plans given the same seed meet the same
        persons and the same nightly noise (common random numbers).
    priors : PriorSet, optional
        Priors of the truths and of the analysis (default: bundled).
    persons : sequence of Persona, optional
        Fixed truths (cycled) instead of draws from the priors.
    drift : Drift, optional
        Regression to the mean added to every diary.
    forms : sequence of str, optional
        The forms the decision chooses among (default: the plan's).
    look_every : int
        Nights between interim analyses (commit timing).
    progress : callable, optional
        Called with the number of trials simulated so far, before each one and at the end
        (e.g. a :class:`model.core.progress.ProgressLine`).

    Returns
    -------
    Preposterior

    """
    used = priors if priors is not None else load_priors()
    question = Question.of(plan, used, forms)
    started = time.perf_counter()
    rows = []
    for sim in range(n_sims):
        if progress is not None:
            progress(sim)
        rng = np.random.default_rng([seed, sim])
        person = persons[sim % len(persons)] if persons else draw_truth(used, rng)
        diary = simulate_trial(plan, person, seed=int(rng.integers(2**31)), priors=used,
                               drift=drift)
        rows.append({"sim": sim} | score_trial(diary, person, question, seed=sim,
                                               look_every=look_every))
    if progress is not None:
        progress(n_sims)
    return Preposterior(pd.DataFrame(rows), plan.n_nights, time.perf_counter() - started)


def compare_designs(plans: Mapping[str, TrialPlan], *, forms: Sequence[str],
                    n_sims: int = 100, seed: int = 0, priors: PriorSet | None = None,
                    drift: Drift | None = None) -> pd.DataFrame:
    """Simulate several plans on the same persons and noise; one summary row per plan."""
    used = priors if priors is not None else load_priors()
    rows = []
    for name, plan in plans.items():
        result = preposterior(plan, n_sims=n_sims, seed=seed, priors=used, drift=drift,
                              forms=forms)
        rows.append({"design": name} | result.summary())
    return pd.DataFrame(rows).set_index("design")
