"""Simulation-based calibration of the personal model: do 90 % intervals cover the truth?

Persons are drawn from the model's own prior (``persona_from_priors``), their diaries simulated
(crossover: baseline, glycinate, washout, citrate, washout), the model fitted, and for every
checked parameter we record whether the central 90 % interval covers the true value.

    .venv/bin/python benchmarks/sbc_personal.py --persons 100 --nights 120 [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
import pandas as pd

from model.core.forms import FORMS
from model.core.outcomes import OUTCOMES
from model.data.diary import read_diary
from model.evidence.priorset import load_priors
from model.personal.fit import PersonalModel
from model.simulate.personas import persona_from_priors, simulate_diary

TRIED = ("glycinate", "citrate")


def coverage_rows(persons: int, nights: int, seed: int, draws: int = 1000,
                  level: float = 0.9) -> pd.DataFrame:
    """One row per person x parameter: truth, interval and whether it covers."""
    priors = load_priors()
    rng = np.random.default_rng(seed)
    rows = []
    for k in range(persons):
        persona = persona_from_priors(priors, rng)
        diary = read_diary(simulate_diary(persona, nights, seed=int(rng.integers(1 << 31))))
        fit = PersonalModel(priors, draws=draws, tune=500, chains=4,
                            random_seed=int(rng.integers(1 << 31))).fit(diary)
        theta, truth = fit.draws_of("theta"), persona.theta()
        q = [(1 - level) / 2, (1 + level) / 2]
        for i, form in enumerate(FORMS):
            for j, outcome in enumerate(OUTCOMES):
                low, high = np.quantile(theta[:, i, j], q)
                rows.append({"person": k, "parameter": f"theta[{form},{outcome}]",
                             "group": ("tried " if form in TRIED else "untried ") + outcome,
                             "truth": truth[i, j], "covered": low <= truth[i, j] <= high,
                             "ok": fit.diagnostics_.ok})
        low, high = np.quantile(fit.draws_of("tau"), q)
        rows.append({"person": k, "parameter": "tau", "group": "tau (onset days)",
                     "truth": persona.tau, "covered": low <= persona.tau <= high,
                     "ok": fit.diagnostics_.ok})
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--persons", type=int, default=100)
    parser.add_argument("--nights", type=int, default=120)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--json", metavar="PATH")
    args = parser.parse_args()
    start = time.perf_counter()
    rows = coverage_rows(args.persons, args.nights, args.seed)
    table = rows.groupby("group")["covered"].agg(["mean", "count"])
    print(f"90% interval coverage over {args.persons} persons x {args.nights} nights "
          f"({time.perf_counter() - start:.0f} s; fits with diagnostics ok: "
          f"{rows.groupby('person')['ok'].first().mean():.0%})")
    print(table.rename(columns={"mean": "coverage", "count": "intervals"}).round(3).to_string())
    print(f"overall: {rows['covered'].mean():.3f} of {len(rows)} intervals; tried forms only: "
          f"{rows[rows['group'].str.startswith('tried')]['covered'].mean():.3f}")
    if args.json:
        with open(args.json, "w") as handle:
            json.dump({"persons": args.persons, "nights": args.nights,
                       "coverage": table["mean"].to_dict(),
                       "overall": float(rows["covered"].mean())}, handle, indent=2)


if __name__ == "__main__":
    main()
