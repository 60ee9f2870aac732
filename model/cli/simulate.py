"""``mgsleep simulate``: a synthetic diary of a persona with known truth."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from model.cli.options import MAX_NIGHTS, SEED, bounded_int, parse_date
from model.core.atomic import check_outputs, write_text
from model.core.errors import Fault, InputError

START = "2026-01-01"
"""The default date of the first simulated night."""


class ListPersonas(argparse.Action):
    """``--list``: print the personas and exit, as ``--help`` does (no other option needed)."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: str | None = None) -> None:
        """Print each persona's name and description; exit with code 0."""
        from model.simulate.personas import PERSONAS

        for persona in PERSONAS.values():
            print(f"{persona.name:32s} {persona.description}")
        parser.exit()


def add_parser(subparsers: Any) -> None:
    """Register ``mgsleep simulate``."""
    parser = subparsers.add_parser(
        "simulate", help="write a synthetic diary with known truth",
        description="Simulate the diary of a persona (known true effects) for trying the "
        "model. --list names the personas.")
    parser.add_argument("--persona", metavar="NAME", required=True,
                        help="persona name (see --list)")
    parser.add_argument("--nights", type=bounded_int(1, MAX_NIGHTS), default=120, metavar="N",
                        help=f"nights, 1 to {MAX_NIGHTS} (default 120)")
    parser.add_argument("--seed", type=SEED, metavar="N", help="random seed, 0 to 2**32-1")
    parser.add_argument("--start", default=START, metavar="YYYY-MM-DD",
                        help=f"date of the first night (default {START})")
    parser.add_argument("--out", metavar="CSV", required=True, help="output CSV ('-' = "
                        "stdout); an existing file is refused (it may be your own diary) "
                        "unless --force")
    parser.add_argument("--force", action="store_true",
                        help="replace an existing --out file")
    parser.add_argument("--list", action=ListPersonas, help="list the personas and exit")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Write a simulated diary."""
    from model.simulate.personas import PERSONAS, simulate_diary

    faults = []
    if args.persona not in PERSONAS:
        faults.append(Fault("--persona", "", f"expected one of {', '.join(PERSONAS)}, got "
                            f"{args.persona!r}"))
    try:
        start = parse_date(args.start, "--start").isoformat()
    except InputError as error:
        faults += error.faults
    if not args.out:
        faults.append(Fault("--out", "", "expected a CSV path, or - for stdout"))
    elif args.out != "-" and Path(args.out).exists() and not args.force:
        faults.append(Fault("--out", "", f"{args.out} exists (it may be your own diary); give "
                            "another file, or --force to replace it"))
    if faults:
        raise InputError(faults)
    check_outputs({"--out": args.out}, {})
    frame = simulate_diary(args.persona, args.nights, seed=args.seed, start=start)
    write_text(args.out, frame.to_csv(index=False))
    return 0
