"""The ``mgsleep`` command: one subcommand per step of the pipeline.

Each subcommand lives in ``model.cli.commands.<name>`` and exposes ``add_parser(subparsers)``,
which registers its arguments and sets ``handler``. User errors (:class:`MgsleepError`) become
exit code 2 and one clear message on standard error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from model.cli.commands import COMMANDS
from model.core.errors import MgsleepError


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser with every subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="mgsleep",
        description="Evidence-weighted Bayesian choice of a magnesium supplement for sleep "
        "and anxiety, from your own n-of-1 diary. Supports, does not replace, clinical advice.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args))
    except MgsleepError as error:
        print(f"mgsleep {args.command}: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
