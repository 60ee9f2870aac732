"""``mgsleep population``: a series of n-of-1 trials, optionally written back as priors."""

from __future__ import annotations

import argparse
from typing import Any

from model.core.atomic import write_json


def add_parser(subparsers: Any) -> None:
    """Register ``mgsleep population``."""
    parser = subparsers.add_parser(
        "population", help="fit a series of n-of-1 diaries; write the result back as priors",
        description="Hierarchical fit of many persons' diaries (every *.csv in a directory): "
        "population effect of each form on each outcome and how much people differ. The "
        "per-person stage runs in parallel through Dask with --workers or --scheduler.")
    parser.add_argument("directory", metavar="DIR_OF_DIARIES", help="directory of diary CSVs")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--workers", type=int, default=0, metavar="N",
                       help="local Dask worker processes (default 0 = serial)")
    group.add_argument("--scheduler", metavar="ADDRESS", help="an existing Dask scheduler")
    parser.add_argument("--priors", metavar="DIR", help="priors directory (default: bundled)")
    parser.add_argument("--json", metavar="PATH", help="write the JSON result ('-' = stdout)")
    parser.add_argument("--write-priors", metavar="DIR",
                        help="write the population posterior as a priors directory")
    parser.add_argument("--seed", type=int, metavar="N", help="random seed")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Fit, print the effects table, write the requested outputs."""
    from model.evidence.priorset import load_priors
    from model.population.hierarchical import PopulationModel, read_diaries, write_priors

    diaries = read_diaries(args.directory)
    fit = PopulationModel(load_priors(args.priors), random_seed=args.seed, workers=args.workers,
                          scheduler=args.scheduler).fit(diaries)
    payload = fit.to_json()
    if args.write_priors:
        write_priors(fit, args.write_priors)
    if args.json:
        write_json(args.json, payload)
    if args.json != "-":
        table = fit.effects().set_index(["form", "outcome"])
        print(f"{payload['persons']} persons, {payload['nights']} nights; diagnostics "
              f"{'ok' if fit.diagnostics_.ok else 'FAILED'}")
        print(table[["mean", "ci_low", "ci_high", "p_benefit", "between_person_sd",
                     "persons_informative"]].round(3).to_string())
        if args.write_priors:
            print(f"\npriors written to {args.write_priors}: mgsleep priors --priors "
                  f"{args.write_priors}")
    return 0
