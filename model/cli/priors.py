"""``mgsleep priors``: the prior of every form x outcome with its evidence."""

from __future__ import annotations

import argparse
from typing import Any

from model.core.atomic import check_outputs, write_json


def add_parser(subparsers: Any) -> None:
    """Register ``mgsleep priors``."""
    parser = subparsers.add_parser(
        "priors", help="show the evidence-weighted prior of every form x outcome",
        description="Show the prior of every magnesium form x outcome (model scale) with its "
        "certainty, basis and sources. --explain FORM:OUTCOME prints the chain from the "
        "studies to one prior.")
    parser.add_argument("--priors", metavar="DIR", help="a priors directory (default: bundled)")
    parser.add_argument("--json", metavar="PATH", help="write the JSON list ('-' = stdout)")
    parser.add_argument("--explain", metavar="FORM:OUTCOME",
                        help="show how one prior was derived, e.g. glycinate:quality")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Print the priors table (or one explanation) and optionally write JSON."""
    from model.evidence.priorset import load_priors

    check_outputs({"--json": args.json}, {"--priors": args.priors})
    priors = load_priors(args.priors)
    if args.json:
        write_json(args.json, priors.to_json())
        if args.json == "-":
            return 0
    if args.explain:
        form, _, outcome = args.explain.partition(":")
        print(priors.explain(form.strip(), outcome.strip()))
        return 0
    table = priors.table().drop(columns="sources")
    print(f"Priors from {priors.evidence.directory} (population effect of "
          f"{priors.settings.reference_dose_mg:g} mg elemental Mg/day vs none, model scale)")
    print(table.round(3).to_string())
    print("\nbasis: direct = the form's own trials; expert = only mechanistic/preclinical/"
          "marketing claims; class = borrowed from all forms; reference = no evidence.")
    return 0
