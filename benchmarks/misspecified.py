"""Fits of diaries from a world that is not the model: does the fit pass its checks?

Diaries come from :mod:`model.simulate.world` (gamma sleep-onset latency, Markov runs of bad
nights, weekday and caffeine effects, lag-and-ramp kinetics, a Hill dose curve, a fading
expectation effect, drift, autocorrelated ratings, 4 % blank nights). Each person runs
baseline -> glycinate 200 mg -> washout -> citrate 200 mg. Prints, per diary length, the share
of fits whose diagnostics pass (and of those that passed at the first run, without an extended
one), divergences and fit time. A first week (``--nights 7``) is all baseline.

    python benchmarks/misspecified.py --persons 20 --nights 120 730
"""

from __future__ import annotations

import argparse
import json
import time
import warnings
from pathlib import Path

import numpy as np

from model import load_priors
from model.core.regimen import Regimen
from model.data.diary import read_diary
from model.personal.fit import PersonalModel
from model.simulate.world import draw_world_person, simulate_world

SCHEDULE = ((Regimen("none"), 14), (Regimen("glycinate", 200), 42), (Regimen("none"), 14),
            (Regimen("citrate", 200), 42))


def regimens(nights: int) -> list[Regimen]:
    """The schedule, repeated to ``nights``."""
    cycle = [r for r, n in SCHEDULE for _ in range(n)]
    return [cycle[i % len(cycle)] for i in range(nights)]


def run(persons: int, nights: int, seed: int) -> dict[str, float]:
    """Fit ``persons`` world diaries of ``nights`` nights; summarise their diagnostics."""
    priors = load_priors()
    ok, first, divergences, seconds, rhat = [], [], [], [], []
    for k in range(persons):
        rng = np.random.default_rng([seed, k])
        person = draw_world_person(rng)
        diary = read_diary(simulate_world(person, regimens(nights), seed=seed * 1000 + k),
                           warn=False)
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = PersonalModel(priors, random_seed=k).fit(diary)
        seconds.append(time.perf_counter() - start)
        d = fit.diagnostics_
        ok.append(d.ok)
        first.append(d.ok and d.attempts == 1)
        divergences.append(d.divergences)
        rhat.append(d.max_rhat)
        print(f"  {nights} nights, person {k}: ok={d.ok} divergences={d.divergences} "
              f"max R-hat {d.max_rhat:.4f}, runs {d.attempts} ({seconds[-1]:.1f} s)", flush=True)
    return {"nights": nights, "persons": persons, "share_ok": float(np.mean(ok)),
            "share_ok_first_run": float(np.mean(first)),
            "share_divergence_free": float(np.mean(np.array(divergences) == 0)),
            "divergences_total": int(np.sum(divergences)), "max_rhat": float(np.max(rhat)),
            "median_fit_s": float(np.median(seconds[1:] or seconds))}


def main() -> None:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=20)
    parser.add_argument("--nights", type=int, nargs="+", default=[120])
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    results = [run(args.persons, n, args.seed) for n in args.nights]
    for r in results:
        print(f"{r['nights']:>4} nights x {r['persons']}: diagnostics ok "
              f"{r['share_ok']:.0%} ({r['share_ok_first_run']:.0%} at the first run), "
              f"divergence-free {r['share_divergence_free']:.0%} "
              f"({r['divergences_total']} divergences), max R-hat {r['max_rhat']:.4f}, "
              f"median fit {r['median_fit_s']:.1f} s")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
