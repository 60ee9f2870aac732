"""``mgsleep priors``: the prior of every form x outcome with its evidence."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from model.core.atomic import check_outputs, write_json
from model.core.errors import Fault, InputError
from model.core.intervals import LEVEL
from model.core.texttable import text_table

if TYPE_CHECKING:
    from model.evidence.priorset import PriorSet


def add_parser(subparsers: Any) -> None:
    """Register ``mgsleep priors``."""
    parser = subparsers.add_parser(
        "priors", help="show the evidence-weighted prior of every form x outcome",
        description="Show the prior of every magnesium form x outcome (model scale) with its "
        "certainty and basis (--json adds its sources). --explain FORM:OUTCOME prints the "
        "chain from the studies to one prior.")
    parser.add_argument("--priors", metavar="DIR", help="a priors directory (default: bundled)")
    parser.add_argument("--json", metavar="PATH", help="write the JSON list ('-' = stdout)")
    parser.add_argument("--explain", metavar="FORM:OUTCOME",
                        help="show how one prior was derived, e.g. glycinate:quality")
    parser.set_defaults(handler=run)


def table_text(priors: PriorSet) -> str:
    """The printed table: ``priors.table()`` without sources, rounded to 3 decimals.

    The same text as pandas' ``table().drop(columns="sources").round(3).to_string()``, made
    without importing pandas (see :mod:`model.core.texttable`), with ``ci_low``, ``ci_high``
    the interval every person reads (:meth:`PriorSet.rows`, 90 %), as the priors figure
    draws it.
    """
    import numpy as np

    from model.evidence.priorset import TABLE_COLUMNS

    columns = [c for c in TABLE_COLUMNS if c != "sources"]
    rows = priors.rows()
    rounded = {c: np.round([r[c] for r in rows], 3).tolist() for c in columns
               if isinstance(rows[0][c], float)}
    cells = [[r["form"], r["outcome"], *(rounded[c][k] if c in rounded else r[c]
                                         for c in columns)] for k, r in enumerate(rows)]
    return text_table(("form", "outcome"), columns, cells)


def check_json_out(out: str | None, explain: str | None, directory: Path) -> None:
    """Refuse a ``--json`` the priors would not survive, or that hides ``--explain``.

    A file inside the priors directory in use (``DIR/forms/new.json``) would break its next
    load (``forms/`` holds only ``<form>.toml`` files) or sit among the evidence files;
    ``--json -`` fills standard output with JSON, where ``--explain`` prints its text.

    Raises
    ------
    InputError
        One fault per refused option, before the priors are read.

    """
    faults = []
    if out == "-" and explain:
        faults.append(Fault("--explain", "", "prints text to standard output, which --json - "
                            "fills with JSON; give --json a file, or run --explain alone"))
    priors_dir = Path(os.path.realpath(directory))
    if out not in (None, "", "-") and priors_dir in Path(os.path.realpath(str(out))).parents:
        faults.append(Fault("--json", "", f"{out} lies inside the priors directory in use "
                            f"({directory}), whose files are read as evidence: write it "
                            "elsewhere"))
    if faults:
        raise InputError(faults)


def run(args: argparse.Namespace) -> int:
    """Print the priors table (or one explanation) and optionally write JSON."""
    from model.core.paths import default_priors_dir
    from model.evidence.priorset import load_priors

    check_outputs({"--json": args.json}, {"--priors": args.priors})
    check_json_out(args.json, args.explain, Path(args.priors or default_priors_dir()))
    priors = load_priors(args.priors)
    form, _, outcome = (args.explain or "").partition(":")
    said = priors.explain(form.strip(), outcome.strip().lower()) if args.explain else None
    if args.json:
        write_json(args.json, priors.to_json())
    if said is not None:
        print(said)
        return 0
    if args.json == "-":
        return 0
    print(f"Priors from {priors.evidence.directory} (population effect of "
          f"{priors.settings.reference_dose_mg:g} mg elemental Mg/day vs none, model scale; "
          f"ci_low, ci_high: {LEVEL * 100:g} % intervals)")
    print(table_text(priors))
    print("\nbasis: direct = the form's own trials; expert = only mechanistic/preclinical/"
          "marketing claims; group = borrowed from its chemical group (osmotic salts, "
          "chelates); class = borrowed from all forms; pooled = a population fit written "
          "back; override = set by hand; reference = no evidence. certainty = the grade of "
          "the evidence the basis names.")
    return 0
