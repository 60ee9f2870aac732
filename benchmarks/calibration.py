"""Calibration of the personal model: SBC ranks and interval coverage, tried forms separately.

Two suites (issue 19, item 1):

- ``prior``: classic simulation-based calibration. Each person's truth is drawn from the
  model's own prior (``sbc_personal``'s ``persona_from_priors``, crossover baseline ->
  glycinate 300 mg -> washout -> citrate 300 mg -> washout), the diary simulated with the
  model's equations and fitted. Per parameter group (tried-form effects per outcome, untried
  forms, expectation, drift, tau, intercepts): the rank of the truth among ``L`` thinned
  posterior draws, a text rank histogram with a chi-square p-value of uniformity, and coverage
  of the central 50 % and 90 % intervals. Fits that fail their diagnostics are excluded and
  counted. Intercepts and ``sol_sigma`` are drawn from plausible ranges, not from the model's
  prior: their ranks need not be uniform even for an exact posterior.
- ``world``: the independent world (``model.simulate.world``) with named presets that isolate
  one departure each (:data:`SCENARIOS`). Each person runs ``misspecified``'s schedule
  (baseline -> glycinate 200 mg -> washout -> citrate 200 mg); for each tried form the
  posterior of its diary-unit improvement over placebo (link-scale difference times the slope
  at the typical night, :mod:`model.decision.gains`, as the decision scores it) is compared
  with the world's :func:`~model.simulate.world.true_change`: coverage at 50/90 %, bias, the
  share of fits failing diagnostics, and what ``decide`` advises at the end of the diary (its
  true utility, :func:`~model.simulate.world.true_utility`).

    python benchmarks/calibration.py --suite both --persons 200 --quick --workers 2
    python benchmarks/calibration.py --suite prior --persons 40 --workers 2 --json out.json

``--quick`` fits the Laplace approximation (``model.trial.quick.QuickModel``) instead of NUTS
(``PersonalModel``, ``--draws`` x ``--chains``). ``--persons`` is per scenario in the world
suite.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import functools
import json
import sys
import time
import warnings
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import logit
from scipy.stats import chisquare

sys.path.insert(0, str(Path(__file__).resolve().parent))
from misspecified import regimens as world_regimens
from sbc_personal import TRIED

from model.core.forms import FORMS
from model.core.outcomes import (
    GAIN_KEYS,
    OUTCOME_OF_GAIN,
    OUTCOMES,
    SLEEP_OUTCOMES,
    SPECS,
)
from model.core.regimen import NO_MAGNESIUM, Regimen
from model.data.diary import Diary, read_diary
from model.data.profile import Profile
from model.decision.decide import DecisionSettings, decide
from model.decision.gains import diary_gains
from model.evidence.priorset import PriorSet, load_priors
from model.personal.separability import separability
from model.simulate.personas import Persona, persona_from_priors, simulate_diary
from model.simulate.world import (
    WorldPerson,
    draw_world_person,
    simulate_world,
    true_change,
    true_utility,
)

RANKS = 99
"""Thinned posterior draws the truth is ranked among (ranks 0..99, 100 values)."""
BINS = 10
"""Bins of the rank histogram."""
LEVELS = (0.5, 0.9)
"""Central interval levels whose coverage is reported."""
WORLD_DOSE = 200.0
"""Dose of the tried forms in the world suite (``misspecified``'s schedule)."""

CLEAN: dict[str, float] = {
    "sol_shape": 8.0, "bad_enter": 0.0, "rating_rho": 0.0, "lag_days": 0.0, "ramp_days": 8.0,
    "expectation": 0.0, "drift": 0.0, "gut_sensitivity": 0.0}
"""World settings closest to the model: light-tailed latency, no bad-night runs, no rating
autocorrelation, a short ramp without lag, no expectation or drift, no gut sensitivity (GI
still follows the form's chemistry, as it always does in the world)."""

SCENARIOS: dict[str, dict[str, float]] = {
    "clean": CLEAN,
    "heavy_noise": CLEAN | {"sol_shape": 1.2, "bad_enter": 0.12, "bad_stay": 0.7},
    "ar_ratings": CLEAN | {"rating_rho": 0.85},
    "kinetics_dose": CLEAN | {"lag_days": 5.0, "ramp_days": 30.0, "hill_ed50_mg": 300.0},
    "expectation_drift": CLEAN | {"expectation": 0.3, "drift": 0.4, "drift_days": 45.0},
    "gi_chemistry": CLEAN | {"gut_sensitivity": 1.5},
    "world": {},
}
"""Misspecification presets: overrides of a :func:`draw_world_person` person. Each one departs
from :data:`CLEAN` in one respect; ``world`` keeps every departure as drawn."""


@dataclass(frozen=True)
class Settings:
    """How each person is fitted (picklable, sent to the workers)."""

    nights: int = 120
    quick: bool = False
    draws: int = 500
    chains: int = 2
    seed: int = 2026


# -- ranks, histograms, coverage ----------------------------------------------------------------
def thin(draws: np.ndarray, n: int = RANKS) -> np.ndarray:
    """``n`` draws evenly spaced along the first axis (all of them when there are fewer)."""
    if len(draws) <= n:
        return draws
    return draws[np.linspace(0, len(draws) - 1, n).round().astype(int)]


def sbc_rank(draws: np.ndarray, truth: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Rank of each truth among the draws (axis 0): draws below it, ties broken at random.

    Parameters
    ----------
    draws : numpy.ndarray
        ``(L, P)`` posterior draws of ``P`` quantities.
    truth : numpy.ndarray
        ``(P,)`` true values.
    rng : numpy.random.Generator
        Breaks ties (a discrete posterior, e.g. the quick model's tau grid).

    Returns
    -------
    numpy.ndarray
        ``(P,)`` integer ranks in ``0..L``; uniform when the posterior is calibrated.
    """
    below = (draws < truth).sum(axis=0)
    ties = (draws == truth).sum(axis=0)
    return below + rng.integers(0, ties + 1)


def rank_histogram(ranks: Sequence[int] | np.ndarray, n_ranks: int = RANKS + 1,
                   bins: int = BINS) -> tuple[np.ndarray, float]:
    """Counts of ranks in ``bins`` equal bins of ``0..n_ranks - 1`` and the chi-square p-value.

    The p-value tests that the ranks are uniform (``bins - 1`` degrees of freedom); it is
    NaN without ranks.
    """
    ranks = np.asarray(ranks, int)
    counts = np.bincount(ranks * bins // n_ranks, minlength=bins)
    if not len(ranks):
        return counts, float("nan")
    return counts, float(chisquare(counts).pvalue)


def sparkline(counts: np.ndarray) -> str:
    """The histogram as a line of block characters (the tallest bin a full block)."""
    blocks = " ▁▂▃▄▅▆▇█"
    top = max(int(counts.max()), 1)
    return "".join(blocks[round(8 * c / top)] for c in counts)


def interval_stats(draws: np.ndarray, truth: np.ndarray) -> dict[str, np.ndarray]:
    """Posterior mean and, per level of :data:`LEVELS`, the interval and whether it covers."""
    out = {"mean": draws.mean(axis=0)}
    for level in LEVELS:
        low, high = np.quantile(draws, [(1 - level) / 2, (1 + level) / 2], axis=0)
        tag = round(100 * level)
        out |= {f"low{tag}": low, f"high{tag}": high,
                f"covered{tag}": (low <= truth) & (truth <= high)}
    return out


def summary_rows(draws: np.ndarray, truth: np.ndarray, rng: np.random.Generator,
                 labels: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per quantity: its labels, truth, SBC rank and intervals.

    ``draws`` is ``(draw, P)``, ``truth`` ``(P,)``, ``labels`` ``P`` dicts (group, parameter).
    """
    stats = interval_stats(draws, truth) | {"rank": sbc_rank(thin(draws), truth, rng)}
    return [label | {"truth": float(truth[p])}
            | {k: v[p].item() for k, v in stats.items()} for p, label in enumerate(labels)]


# -- fitting ------------------------------------------------------------------------------------
@functools.cache
def _priors() -> PriorSet:
    """The bundled priors, loaded once per process."""
    return load_priors()


def fit_diary(diary: Diary, settings: Settings, seed: int) -> tuple[Any, bool]:
    """Fit a diary (quick model or NUTS); the fit and whether it passed its diagnostics.

    The quick model has no sampler checks: it passes when its draws are finite.
    """
    priors = _priors()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if settings.quick:
            from model.trial.quick import QuickModel
            fit = QuickModel(priors, draws=1000, random_seed=seed).fit(diary)
            ok = all(np.isfinite(fit.draws_of(k)).all() for k in ("theta", "tau"))
            return fit, bool(ok)
        from model.personal.fit import PersonalModel
        fit = PersonalModel(priors, draws=settings.draws, tune=500, chains=settings.chains,
                            random_seed=seed).fit(diary)
    return fit, bool(fit.diagnostics_.ok)


# -- the prior suite ----------------------------------------------------------------------------
def prior_quantities(persona: Persona, fit: Any) -> tuple[np.ndarray, np.ndarray, list[dict]]:
    """Draws ``(draw, P)``, truths ``(P,)`` and labels of every checked quantity of a fit."""
    theta, truth_theta = fit.draws_of("theta"), persona.theta()
    columns, truths, labels = [], [], []

    def add(draws: np.ndarray, truth: float, group: str, parameter: str) -> None:
        columns.append(np.asarray(draws, float))
        truths.append(float(truth))
        labels.append({"group": group, "parameter": parameter})

    for i, form in enumerate(FORMS):
        kind = "tried" if form in TRIED else "untried"
        for j, outcome in enumerate(OUTCOMES):
            add(theta[:, i, j], truth_theta[i, j], f"{kind}: {outcome}",
                f"theta[{form},{outcome}]")
    for k, outcome in enumerate(SLEEP_OUTCOMES):
        add(fit.draws_of("expectation")[:, k], persona.expectation[outcome], "expectation",
            f"expectation[{outcome}]")
        add(fit.draws_of("drift")[:, k], persona.drift[outcome], "drift", f"drift[{outcome}]")
    add(fit.draws_of("tau"), persona.tau, "tau", "tau")
    for name, truth in (("sol_intercept", np.log1p(persona.sol_median)),
                        ("awakenings_intercept", np.log(persona.awakenings_mean)),
                        ("gi_intercept", logit(persona.gi_baseline))):
        add(fit.draws_of(name), truth, "intercepts*", name)
    add(fit.draws_of("sol_sigma"), persona.sol_sigma, "sol_sigma*", "sol_sigma")
    return np.column_stack(columns), np.array(truths), labels


def prior_person(settings: Settings, k: int) -> list[dict[str, Any]]:
    """Draw person ``k`` from the prior, simulate, fit; one row per checked quantity."""
    rng = np.random.default_rng([settings.seed, 0, k])
    persona = persona_from_priors(_priors(), rng)
    diary = read_diary(simulate_diary(persona, settings.nights,
                                      seed=int(rng.integers(1 << 31))), warn=False)
    start = time.perf_counter()
    fit, ok = fit_diary(diary, settings, int(rng.integers(1 << 31)))
    seconds = time.perf_counter() - start
    draws, truth, labels = prior_quantities(persona, fit)
    rows = summary_rows(draws, truth, rng, labels)
    return [r | {"suite": "prior", "scenario": "prior", "person": k, "ok": ok,
                 "fit_s": seconds} for r in rows]


# -- the world suite ----------------------------------------------------------------------------
def world_person(scenario: str, settings: Settings, k: int) -> tuple[WorldPerson, pd.DataFrame]:
    """Person ``k`` of a scenario and their diary.

    The same ``k`` has the same effects and noise seeds in every scenario (paired scenarios):
    only the preset's settings differ.
    """
    rng = np.random.default_rng([settings.seed, 1, k])
    person = dataclasses.replace(draw_world_person(rng), **SCENARIOS[scenario])
    frame = simulate_world(person, world_regimens(settings.nights),
                           seed=int(rng.integers(1 << 31)))
    return person, frame


MEASURES = ("decision", "diary")
"""How a tried form's improvement over placebo is put in diary units (:func:`world_gains`)."""


def world_gains(fit: Any) -> dict[str, np.ndarray]:
    """Per measure, ``(tried form, variable, draw)`` improvements over placebo in diary units.

    ``decision``: the link-scale difference to placebo times the slope halfway between the two
    regimens' typical nights, as the decision scores it (:func:`model.decision.gains.diary_gains`);
    ``diary``: the difference of the predicted diary-scale means. Positive = better;
    variables in :data:`~model.core.outcomes.GAIN_KEYS` order.
    """
    regimens = [Regimen(f, WORLD_DOSE) for f in TRIED] + [Regimen("placebo"), NO_MAGNESIUM]
    data = fit.predict(regimens)
    n = len(TRIED)
    means = {v: data[v].to_numpy() for v in GAIN_KEYS}
    sign = np.array([SPECS[OUTCOME_OF_GAIN[v]].sign for v in GAIN_KEYS])[None, :, None]
    diary = np.stack([means[v][:n] - means[v][n] for v in GAIN_KEYS], axis=1) * sign
    return {"decision": diary_gains(means, np.arange(n), np.full(n, n)),
            "diary": diary}


def advice(fit: Any, diary: Diary, frame: pd.DataFrame, person: WorldPerson,
           ok: bool) -> dict[str, Any]:
    """What ``decide`` advises after the diary and the true utility of it (and of the best).

    ``u_best_tried``: the better of no magnesium and the tried forms at the tried dose.
    """
    priors = _priors()
    as_of = dt.date.fromisoformat(str(frame["date"].iloc[-1]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        decision = decide(fit.predict, priors=priors, diary=diary, as_of=as_of,
                          diagnostics_ok=ok, separable=separability(diary).separable)
    advised = decision.recommendation
    regimen = advised.regimen or NO_MAGNESIUM

    def utility(r: Regimen) -> float:
        return true_utility(person, r, priors, Profile(), DecisionSettings().gi_weight)

    return {"action": advised.action, "advised": regimen.label, "commit": advised.commit,
            "u_advice": utility(regimen),
            "u_best_tried": max(utility(NO_MAGNESIUM),
                                *(utility(Regimen(f, WORLD_DOSE)) for f in TRIED))}


def world_run(scenario: str, settings: Settings, k: int) -> list[dict[str, Any]]:
    """Fit person ``k`` of a scenario; one row per tried form x outcome, with the advice."""
    person, frame = world_person(scenario, settings, k)
    diary = read_diary(frame, warn=False)
    start = time.perf_counter()
    fit, ok = fit_diary(diary, settings, settings.seed + k)
    seconds = time.perf_counter() - start
    truth = np.array([[SPECS[OUTCOME_OF_GAIN[v]].sign
                       * true_change(person, Regimen(f, WORLD_DOSE))[OUTCOME_OF_GAIN[v]]
                       for v in GAIN_KEYS] for f in TRIED])
    rng = np.random.default_rng([settings.seed, 2, k])
    rows = []
    for measure, gains in world_gains(fit).items():          # (form, variable, draw)
        labels = [{"group": f"tried: {OUTCOME_OF_GAIN[v]}", "measure": measure,
                   "parameter": f"gain[{f},{v}]"} for f in TRIED for v in GAIN_KEYS]
        draws = gains.reshape(-1, gains.shape[-1]).T
        rows += summary_rows(draws, truth.ravel(), rng, labels)
    extra = {"suite": "world", "scenario": scenario, "person": k, "ok": ok, "fit_s": seconds,
             "responder": bool(person.effects)} | advice(fit, diary, frame, person, ok)
    return [r | extra for r in rows]


# -- running ------------------------------------------------------------------------------------
def _task(job: tuple[str, Settings, int]) -> list[dict[str, Any]]:
    """One person of a scenario (``prior`` or a world preset): their rows."""
    scenario, settings, k = job
    if scenario == "prior":
        return prior_person(settings, k)
    return world_run(scenario, settings, k)


def run(suites: Iterable[str], persons: int, settings: Settings,
        workers: int = 1) -> pd.DataFrame:
    """Every person of the suites (``prior``, ``world``), in parallel over persons."""
    jobs = [(s, settings, k) for suite in suites
            for s in (("prior",) if suite == "prior" else tuple(SCENARIOS))
            for k in range(persons)]
    if workers <= 1:
        return _collect(map(_task, jobs), len(jobs))
    with ProcessPoolExecutor(workers) as pool:
        return _collect(pool.map(_task, jobs, chunksize=max(1, len(jobs) // (8 * workers))),
                        len(jobs))


def _collect(done: Iterable[list[dict[str, Any]]], total: int) -> pd.DataFrame:
    """The rows of every person as they come, with progress on stderr."""
    results: list[dict[str, Any]] = []
    for n, rows in enumerate(done, 1):
        results += rows
        if n % 10 == 0 or n == total:
            print(f"  {n}/{total} persons fitted", file=sys.stderr, flush=True)
    return pd.DataFrame(results)


# -- tables -------------------------------------------------------------------------------------
def markdown(frame: pd.DataFrame, digits: int = 3, index: bool = False) -> str:
    """A DataFrame as a Markdown table (floats to ``digits`` places; no extra dependency)."""
    data = frame.reset_index() if index else frame

    def cell(value: Any) -> str:
        if isinstance(value, float | np.floating):
            return "n/a" if value != value else f"{value:.{digits}f}"
        return str(value)

    lines = ["| " + " | ".join(map(str, data.columns)) + " |", "|" + "---|" * data.shape[1]]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |"
              for row in data.itertuples(index=False)]
    return "\n".join(lines)


def _group_order(groups: Iterable[str]) -> list[str]:
    """Tried outcomes, all tried, untried outcomes, all untried, then the rest as they come."""
    present = list(dict.fromkeys(groups))
    order = [f"{kind}: {o}" for kind in ("tried", "untried") for o in OUTCOMES]
    return [g for g in order if g in present] + [g for g in present if g not in order]


def group_stats(rows: pd.DataFrame) -> pd.DataFrame:
    """Per group (and all tried / all untried): intervals, coverage, rank histogram, p-value."""
    pooled = [rows] + [rows[rows["group"].str.startswith(f"{kind}:")].assign(
        group=f"{kind} (all outcomes)") for kind in ("tried", "untried")]
    data = pd.concat(pooled)
    out = []
    for group in _group_order(data["group"]):
        part = data[data["group"] == group]
        counts, p = rank_histogram(part["rank"])
        out.append({"group": group, "intervals": len(part),
                    "coverage 50 %": part["covered50"].mean(),
                    "coverage 90 %": part["covered90"].mean(),
                    "rank histogram": f"`{sparkline(counts)}`", "chi2 p": p})
    return pd.DataFrame(out)


def breaks(coverage90: pd.Series, where: str, low: float = 0.85, high: float = 0.97) -> str:
    """A sentence naming the groups (the index) whose 90 % coverage is outside ``[low, high]``.

    Below ``low`` coverage breaks; above ``high`` the intervals are conservative.
    """
    def named(part: pd.Series) -> str:
        return ", ".join(f"{group} {value:.2f}" for group, value in part.items()) or "none"

    return (f"{where}: 90 % coverage breaks (below {low}) in "
            f"{named(coverage90[coverage90 < low])}; conservative (above {high}) in "
            f"{named(coverage90[coverage90 > high])}.")


def prior_report(rows: pd.DataFrame) -> str:
    """The prior suite as Markdown: exclusions, the group table, where coverage breaks."""
    persons = rows.groupby("person")["ok"].first()
    kept = rows[rows["ok"]]
    stats = group_stats(kept)
    return "\n".join([
        f"Prior suite (SBC): {len(persons)} persons, {int((~persons).sum())} fits failing "
        f"diagnostics excluded ({(~persons).mean():.1%}); ranks among {RANKS} thinned draws, "
        f"{BINS} bins; * truth not drawn from the model's prior.", "",
        markdown(stats), "",
        breaks(stats.set_index("group")["coverage 90 %"].filter(regex=r"[^*]$"),
               "Prior suite")])


def world_tables(rows: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series]:
    """World suite summaries of the fits passing diagnostics.

    Returns the cells "90 % coverage (50 % coverage) bias" per scenario and measure x outcome,
    the advice per scenario, and the 90 % coverage per ``scenario/measure/outcome``.
    """
    kept = rows[rows["ok"]].assign(outcome=lambda d: d["group"].str.removeprefix("tried: "),
                                   error=lambda d: d["mean"] - d["truth"])
    order = list(dict.fromkeys(rows["scenario"]))
    cover = kept.groupby(["scenario", "measure", "outcome"]).agg(
        c50=("covered50", "mean"), c90=("covered90", "mean"), bias=("error", "mean"))
    cells = cover.apply(lambda r: f"{r.c90:.2f} ({r.c50:.2f}) {r.bias:+.3g}", axis=1)
    coverage = cells.unstack("outcome").reindex(
        index=pd.MultiIndex.from_product([order, MEASURES], names=["scenario", "measure"]),
        columns=list(OUTCOMES))
    persons = rows.groupby(["scenario", "person"]).first().reset_index()
    decision = persons.groupby("scenario").agg(
        persons=("person", "size"), failing=("ok", lambda s: 1 - s.mean()),
        collect=("action", lambda s: (s == "collect_more_data").mean()),
        commit=("commit", "mean"), u_advice=("u_advice", "mean"),
        u_best=("u_best_tried", "mean"),
        harmful=("u_advice", lambda s: (s < -0.05).mean())).reindex(order)
    c90 = cover["c90"].reindex(pd.MultiIndex.from_product(
        [order, MEASURES, list(OUTCOMES)])).dropna()
    c90.index = ["/".join(key) for key in c90.index]
    return coverage, decision, c90


def world_report(rows: pd.DataFrame) -> str:
    """The world suite as Markdown: coverage and bias, the advice, where coverage breaks."""
    coverage, decision, c90 = world_tables(rows)
    return "\n".join([
        "World suite: tried forms' improvement over placebo in diary units (sol minutes, "
        "awakenings per night, rating points, share of GI nights; positive = better) against "
        "the world's `true_change`. Measure `decision`: link-scale difference times the slope "
        "at the typical night (as the decision scores it); `diary`: difference of predicted "
        "diary means. Cells: 90 % coverage (50 % coverage) bias of the posterior mean; fits "
        "passing diagnostics.", "", markdown(coverage, index=True), "",
        "Advice at the end of the diary (`decide`): share of fits failing diagnostics, of "
        "`collect_more_data`, of committed advice; mean true utility (MCIDs) of the advice and "
        "of the best of none / tried forms; share of advice with true utility < -0.05.", "",
        markdown(decision, 2, index=True), "", breaks(c90, "World suite")])


def main() -> None:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--suite", choices=("prior", "world", "both"), default="both")
    parser.add_argument("--persons", type=int, default=200)
    parser.add_argument("--nights", type=int, default=120)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--draws", type=int, default=500)
    parser.add_argument("--chains", type=int, default=2)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    settings = Settings(args.nights, args.quick, args.draws, args.chains, args.seed)
    model = "quick model" if args.quick else f"NUTS {args.draws} x {args.chains}"
    for suite in ("prior", "world") if args.suite == "both" else (args.suite,):
        start = time.perf_counter()
        rows = run([suite], args.persons, settings, args.workers)
        print(f"\n## {suite} suite: {args.persons} persons x {args.nights} nights, {model}, "
              f"seed {args.seed}, {time.perf_counter() - start:.0f} s\n")
        print(prior_report(rows) if suite == "prior" else world_report(rows), flush=True)
        if args.json:
            path = args.json.with_suffix(f".{suite}.json") if args.suite == "both" else args.json
            path.write_text(json.dumps(rows.to_dict(orient="records"), indent=1, default=str))


if __name__ == "__main__":
    main()
