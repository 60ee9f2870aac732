"""Time the decision: rank every candidate action from 4,000 joint posterior draws.

Target (DESIGN.md): < 50 ms. The predictions come from the numpy fake posterior of the tests,
computed once and served from a cache, so the figure is the decision's own cost (rules,
candidates, utilities per draw, P(best), EVPI, CVaR, intervals, the words), not the model's.

    .venv/bin/python benchmarks/bench_decide.py [--draws N] [--repeat N] [--json PATH]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time
from pathlib import Path

import numpy as np
import xarray as xr

from model.core.regimen import Regimen
from model.decision import History, decide
from model.evidence.priorset import load_priors
from model.testing import FakePosterior

CASES = {
    "first_step": None,
    "on_glycinate_200": History(Regimen("glycinate", 200), 30, frozenset({"glycinate"}), 0),
}


class CachedPredict:
    """Serve the draws of a list of regimens from a cache filled on first use."""

    def __init__(self, model: FakePosterior) -> None:
        self.model = model
        self.cache: dict[tuple[str, ...], xr.Dataset] = {}

    def __call__(self, regimens: list[Regimen]) -> xr.Dataset:
        key = tuple(r.label for r in regimens)
        if key not in self.cache:
            self.cache[key] = self.model(regimens)
        return self.cache[key]


def time_case(predict, past, repeat: int) -> dict[str, float]:
    priors = load_priors()
    as_of = dt.date(2025, 1, 1)
    actions: list[int] = []

    def once() -> float:
        start = time.perf_counter()
        decision = decide(predict, priors=priors, diary=past, as_of=as_of)
        elapsed = time.perf_counter() - start
        actions.append(len(decision.assessments))
        return elapsed

    once()                                          # warm the cache
    seconds = np.array([once() for _ in range(repeat)])
    return {"actions": actions[-1], "median_ms": 1e3 * float(np.median(seconds)),
            "max_ms": 1e3 * float(seconds.max())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=4000)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--json", metavar="PATH")
    args = parser.parse_args()
    predict = CachedPredict(FakePosterior(n_draws=args.draws))
    results = {name: time_case(predict, past, args.repeat) for name, past in CASES.items()}
    for name, r in results.items():
        print(f"decide, {args.draws} draws, {name}: {r['actions']} actions ranked in "
              f"{r['median_ms']:.1f} ms median ({r['max_ms']:.1f} ms max, {args.repeat} runs;"
              f" target < 50 ms)")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
