"""``mgsleep nof1``: a plain n-of-1 (or series of n-of-1) analysis of any CSV."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from model.cli.options import (
    CHAINS,
    CHAINS_HELP,
    FAMILY_NAMES,
    SAMPLER_NAMES,
    SEED,
    bounded_int,
)
from model.core.atomic import check_outputs, write_json
from model.core.errors import Fault, InputError, MgsleepError
from model.core.provenance import draw_seed, input_entry, provenance

if TYPE_CHECKING:
    import pandas as pd

    from model.nof1.engine import Nof1Model


def add_parser(subparsers: Any) -> None:
    """Register ``mgsleep nof1``."""
    parser = subparsers.add_parser(
        "nof1", help="analyse an n-of-1 trial (any treatments and outcome)",
        description="Bayesian analysis of an n-of-1 trial (or, with --person, a series of "
        "them) with weakly informative default priors. Effects are on the linear-predictor "
        "scale of the family (difference in means, log rate ratio, log odds ratio, ordinal "
        "shift) against the baseline level, with 95 % equal-tailed intervals.")
    parser.add_argument("data", metavar="DATA.csv", help="long-format CSV, one row per "
                        "observation")
    parser.add_argument("--outcome", required=True, metavar="COL", help="outcome column")
    parser.add_argument("--treatment", required=True, metavar="COL", help="treatment column")
    parser.add_argument("--baseline", required=True, metavar="LEVEL",
                        help="reference level of the treatment (numbers match: 1 = 1.0)")
    parser.add_argument("--family", choices=FAMILY_NAMES, default="normal",
                        help="outcome family (default normal)")
    parser.add_argument("--categories", metavar="LOW:HIGH",
                        help="declared range of an ordinal outcome (default: observed range)")
    parser.add_argument("--ar1", action="store_true", help="AR(1) autocorrelation over time")
    parser.add_argument("--trend", action="store_true", help="smooth time trend")
    parser.add_argument("--time", metavar="COL", help="time column (whole numbers or dates; "
                        "default: row order)")
    parser.add_argument("--person", metavar="COL", help="person column: series of n-of-1 "
                        "trials with partially pooled person effects")
    parser.add_argument("--drop-missing-treatment", action="store_true",
                        help="leave out rows whose treatment is blank (counted in the output)")
    parser.add_argument("--json", metavar="PATH", help="write the JSON result ('-' = stdout)")
    parser.add_argument("--draws", type=bounded_int(10, 100_000), default=1000, metavar="N",
                        help="draws per chain, 10 to 100000 (default 1000)")
    parser.add_argument("--tune", type=bounded_int(0, 100_000), default=1000, metavar="N",
                        help="tuning steps per chain (default 1000)")
    parser.add_argument("--chains", type=CHAINS, default=4, metavar="N", help=CHAINS_HELP)
    parser.add_argument("--seed", type=SEED, metavar="N", help="random seed, 0 to 2**32-1 "
                        "(default: one drawn, and reported)")
    parser.add_argument("--sampler", choices=SAMPLER_NAMES, help="NUTS sampler (default "
                        "nutpie when installed, else pymc)")
    parser.set_defaults(handler=run)


def _categories(text: str | None) -> tuple[int, int] | None:
    """Parse ``LOW:HIGH``."""
    if text is None:
        return None
    low, sep, high = text.partition(":")
    try:
        bounds = (int(low), int(high))
    except ValueError:
        bounds = (0, -1)
    if not sep or bounds[0] >= bounds[1]:
        raise MgsleepError(f"--categories: expected LOW:HIGH with LOW < HIGH, got {text!r}")
    return bounds


def _read_csv(path: str) -> pd.DataFrame:
    """Read the data file, turning I/O and parse failures into an InputError."""
    import pandas as pd

    try:
        return pd.read_csv(path)
    except FileNotFoundError:
        raise InputError([Fault(path, "", "file not found")]) from None
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError,
            IsADirectoryError, PermissionError) as error:
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise InputError([Fault(path, "", f"expected a CSV file, got: {message}")]) from None


def check_distinct_times(data: pd.DataFrame, args: argparse.Namespace) -> None:
    """With ``--ar1``, refuse a time used twice in one series, naming both rows.

    The rows are the file's: ``data``'s index is each row's 0-based place in the file.
    """
    if not (args.ar1 and args.time in data.columns):
        return
    person = args.person if args.person in data.columns else None
    seen: dict[tuple[str, str], int] = {}
    faults = []
    for row, time, who in zip(data.index + 1, data[args.time].astype(str).str.strip(),
                              data[person].astype(str) if person else [""] * len(data),
                              strict=True):
        first = seen.setdefault((who, time), row)
        if first != row:
            series = f" of {person} {who!r}" if person else ""
            faults.append(Fault(args.data, f"row {row}, column {args.time}",
                                f"expected distinct times{series} for --ar1, got {time!r} "
                                f"again (first in row {first})"))
    if faults:
        raise InputError(faults)


SCHEMA_VERSION = 3
"""Version of the ``nof1`` JSON: 2 added ``interval`` (the level of every ``ci_low``,
``ci_high``) and ``provenance`` (:mod:`model.core.provenance`); 3 ``provenance.code_sha256``;
version 1's fields kept."""


def result_json(fitted: Nof1Model) -> dict[str, Any]:
    """Return the ``nof1`` JSON (:data:`SCHEMA_VERSION`, without ``rows`` and ``provenance``)."""
    from model.inference.summary import SUMMARY_LEVEL

    payload: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "interval": SUMMARY_LEVEL,
        "family": fitted.family,
        "ar1": fitted.ar1,
        "trend": fitted.trend,
        "effects": fitted.effects_.to_dict("records"),
    }
    if fitted.persons_ is not None:
        payload["persons"] = [
            {"person": person, "effects": rows.drop(columns="person").to_dict("records")}
            for person, rows in fitted.persons_.groupby("person", sort=False)
        ]
    payload["diagnostics"] = fitted.diagnostics_.to_dict()
    return payload


def _print_table(fitted: Nof1Model, source: str) -> None:
    """Human-readable summary."""
    extras = [name for name, on in (("AR(1)", fitted.ar1), ("trend", fitted.trend)) if on]
    from model.inference.summary import SUMMARY_LEVEL

    print(f"n-of-1 analysis of {source}: family {fitted.family}"
          + (f" with {' and '.join(extras)}" if extras else ""))
    print(f"ci_low, ci_high: {SUMMARY_LEVEL:.0%} equal-tailed intervals")
    print(fitted.effects_.round(3).to_string(index=False))
    if fitted.persons_ is not None:
        print("\nPer person (partially pooled):")
        print(fitted.persons_.round(3).to_string(index=False))
    d = fitted.diagnostics_
    status = "ok" if d.ok else "NOT CONVERGED: do not trust these numbers"
    print(f"\nDiagnostics: {status} (max R-hat {d.max_rhat:.3f}, min bulk ESS "
          f"{d.min_ess_bulk:.0f}, divergences {d.divergences})")


def _cell_faults(kept: Any, args: argparse.Namespace) -> list[Any]:
    """The faults of the cells of ``kept`` (rows of the file, blank treatments left out)."""
    from model.data.blank_rows import renumbered
    from model.nof1.data import prepare_data

    try:
        prepare_data(kept.reset_index(drop=True), family=args.family, outcome=args.outcome,
                     treatment=args.treatment, reference=args.baseline, time=args.time,
                     person=args.person, categories=_categories(args.categories),
                     source=args.data)
    except InputError as error:
        return list(renumbered(error, list(kept.index + 1)).faults)
    return []


def run(args: argparse.Namespace) -> int:
    """Fit the model, print the effects and optionally write JSON."""
    from model.data.blank_rows import drop_blank, renumbered

    check_outputs({"--json": args.json}, {"DATA.csv": args.data})
    data = _read_csv(args.data)
    try:
        data, dropped = drop_blank(data, args.treatment, drop=args.drop_missing_treatment,
                                   source=args.data, option="--drop-missing-treatment")
    except InputError as blank:   # with the faults of the other rows, all in one report
        kept, _ = drop_blank(data, args.treatment, drop=True, source=args.data, option="")
        raise InputError([*blank.faults, *_cell_faults(kept, args)]) from None
    check_distinct_times(data, args)
    from model.inference.samplers import resolve_sampler
    from model.nof1.engine import Nof1Model  # PyMC: only once the data are read

    seed = draw_seed() if args.seed is None else args.seed
    model = Nof1Model(
        family=args.family, ar1=args.ar1, trend=args.trend, reference=args.baseline,
        categories=_categories(args.categories), draws=args.draws, tune=args.tune,
        chains=args.chains, sampler=args.sampler, random_seed=seed)
    try:
        fitted = model.fit(data.reset_index(drop=True), outcome=args.outcome,
                           treatment=args.treatment, time=args.time, person=args.person,
                           source=args.data)
    except InputError as error:   # its rows among those kept: name the file's
        raise renumbered(error, list(data.index + 1)) from None
    rows = {"used": len(data), "dropped_missing_treatment": dropped,
            "with_outcome": int(data[args.outcome].notna().sum())}
    record = provenance(seed=seed, seed_drawn=args.seed is None,
                        sampler=resolve_sampler(args.sampler), draws=args.draws,
                        tune=args.tune, chains=args.chains,
                        inputs={"data": input_entry(args.data)})
    payload = result_json(fitted) | {"rows": rows, "provenance": record}
    failed = int(not fitted.diagnostics_.ok)   # 1: results written, marked, not to be trusted
    if args.json:
        write_json(args.json, payload, like=[args.data])
        if args.json == "-":
            return failed
    _print_table(fitted, args.data)
    print(f"Rows used: {rows['used']} ({rows['with_outcome']} with {args.outcome}); "
          f"{dropped} dropped for a blank {args.treatment}")
    print(f"Fit: NUTS ({record['sampler']}), {args.chains} chains x {args.draws} draws after "
          f"{args.tune} tuning steps, seed {seed}" + (" (drawn)" if args.seed is None else ""))
    return failed
