"""The two-stage population fit against a joint NUTS fit of the full hierarchical model.

Issue 19 item 3. Simulated persons (``simulate_population``: each runs a crossover of two
random forms) are fitted twice: by :class:`~model.population.hierarchical.PopulationModel`
(per-person blocks from NUTS draws, then NUTS over the population) and by
:func:`~model.population.joint.joint_fit` (every person's personal model and the population
in one NUTS fit). For every population quantity (``beta`` per form x outcome, the spreads,
the expectation effect and its spread) the table gives both posterior means and SDs, the gap
in pooled posterior SDs and in combined Monte-Carlo standard errors.

    python benchmarks/population_joint.py --persons 20 --nights 42 --draws 1500
"""

from __future__ import annotations

import argparse
import time

import arviz as az
import numpy as np
import pandas as pd
import xarray as xr

from model.data.diary import read_diary
from model.evidence.priorset import load_priors
from model.inference.sampling import SamplerConfig
from model.population.hierarchical import POPULATION_PARAMETERS, PopulationModel
from model.population.joint import joint_fit
from model.simulate.personas import simulate_population

JOINT_TUNE = 1500
"""Tuning steps of the joint fit: its low-rank mass matrix over ~2,350 parameters needs more
than the population stage's (with 200 draws x 2 chains after 200 tuning steps the spreads had
R-hat 1.47 and ESS 4; after 500, R-hat 1.12 and ESS 21; 600 draws x 4 chains after 1,000
stopped at R-hat 1.038; 1,500 after 1,500 reached R-hat 1.007, ESS 666)."""


def fit_both(persons: int, nights: int, draws: int, seed: int, *,
             tune: int = JOINT_TUNE) -> dict[str, object]:
    """Both fits of one simulated population: posteriors, joint sample stats, seconds.

    ``draws`` per chain for both fits (4 chains, 2 at a time); ``tune`` tuning steps of the
    joint fit (the two-stage one tunes ``draws`` steps).
    """
    priors = load_priors()
    frames, _ = simulate_population(priors, persons, nights, seed=seed)
    diaries = [read_diary(f, warn=False) for f in frames]
    start = time.perf_counter()
    two = PopulationModel(priors, draws=draws, tune=draws, chains=4,
                          random_seed=seed).fit(diaries)
    middle = time.perf_counter()
    joint = joint_fit(diaries, priors, SamplerConfig(draws=draws, tune=tune, chains=4,
                                                     seed=seed + 1))
    keep = list(POPULATION_PARAMETERS)
    return {"two": two.idata_["posterior"].to_dataset()[keep],
            "joint": joint["posterior"].to_dataset()[keep],
            "stats": joint["sample_stats"].to_dataset(),
            "informative": two.effects().set_index(["form", "outcome"])["persons_informative"],
            "seconds": {"two_stage": middle - start, "joint": time.perf_counter() - middle}}


def compare(two: xr.Dataset, joint: xr.Dataset) -> pd.DataFrame:
    """One row per population scalar: both means and SDs, the gap in SDs and in MCSEs."""
    rows = []
    for var in POPULATION_PARAMETERS:
        a, b = two[var], joint[var]
        mcse = np.hypot(az.mcse(a, method="mean"), az.mcse(b, method="mean")).values.ravel()
        dims = [d for d in a.dims if d not in ("chain", "draw")]
        labels = a.isel(chain=0, draw=0).to_dataframe(name="x").reset_index()[dims]
        for k, label in enumerate(labels.itertuples(index=False)):
            pick = dict(zip(dims, label, strict=True))
            x, y = a.sel(pick).values.ravel(), b.sel(pick).values.ravel()
            sd = float(np.sqrt(0.5 * (x.var() + y.var())))
            rows.append({"var": var, "index": " x ".join(map(str, label)),
                         "mean_two": x.mean(), "mean_joint": y.mean(), "sd_two": x.std(),
                         "sd_joint": y.std(), "sd_pooled": sd, "mcse": mcse[k],
                         "gap_sd": abs(x.mean() - y.mean()) / sd,
                         "gap_mcse": abs(x.mean() - y.mean()) / mcse[k]})
    table = pd.DataFrame(rows)
    table["sd_ratio"] = table["sd_two"] / table["sd_joint"]
    return table


def main() -> None:
    """Fit, compare, print the table and a summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=20)
    parser.add_argument("--nights", type=int, default=42)
    parser.add_argument("--draws", type=int, default=1500)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--tune", type=int, default=JOINT_TUNE)
    args = parser.parse_args()
    result = fit_both(args.persons, args.nights, args.draws, args.seed, tune=args.tune)
    print(report(compare(result["two"], result["joint"]), result))  # type: ignore[arg-type]
    print(f"{args.persons} persons x {args.nights} nights, {args.draws} draws x 4 chains "
          f"(joint: {args.tune} tuning steps)")


def report(table: pd.DataFrame, result: dict[str, object]) -> str:
    """The table of :func:`compare`, the joint fit's diagnostics and a summary per variable."""
    stats, joint = result["stats"], result["joint"]
    lines = [table.round(3).to_string(line_width=160), "",
             f"seconds {result['seconds']}; joint divergences "
             f"{int(stats['diverging'].sum())}, steps per draw "  # type: ignore[index]
             f"{float(stats['n_steps'].mean()):.1f}, R-hat max "  # type: ignore[index]
             f"{float(az.rhat(joint).to_array().max()):.3f}, ESS min "
             f"{float(az.ess(joint).to_array().min()):.0f}"]
    for var, group in table.groupby("var", sort=False):
        lines.append(f"{var:16s} max gap {group['gap_sd'].max():.3f} SD, "
                     f"{group['gap_mcse'].max():.1f} MCSE; SD ratio "
                     f"{group['sd_ratio'].min():.2f}-{group['sd_ratio'].max():.2f}")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
