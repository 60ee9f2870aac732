"""``mgsleep unblind``: fill a blinded diary's regimen from the sealed key of its plan."""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path
from typing import Any

from model.core.errors import Fault, InputError


def add_parser(subparsers: Any) -> None:
    """Register ``mgsleep unblind``."""
    parser = subparsers.add_parser(
        "unblind", help="reveal what a blinded diary's coded pots were, from the sealed key",
        description="After a blinded trial (mgsleep plan --blind), fill form, elemental_mg "
        "and split of every night from the sealed key. A key that does not belong to the "
        "diary (the plan tag after the pot codes, code A (plan ...), is not the key's; a "
        "coded night missing from it; a code it does not know; pot codes typed without the "
        "plan tag on a night where the key had another pot, when the key has a plan id) is "
        "refused and nothing is written, as is a key naming a form mgsleep does not know "
        "and an --out that is the diary or the key. A night with the code of "
        "another pot than planned is unblinded as the pot taken, and a night whose form or "
        "dose you logged keeps what you logged, each with a warning. With a guess column "
        "(the arm you guessed, e.g. at the end of each period) it says how well blinding "
        "held. Analyse the unblinded diary, never the blinded one.")
    parser.add_argument("diary", metavar="DIARY.csv", help="the blinded diary you kept")
    parser.add_argument("--key", required=True, metavar="PLAN.key.json",
                        help="the sealed key written by mgsleep plan --blind")
    parser.add_argument("--out", required=True, metavar="CSV",
                        help="where to write the unblinded diary ('-' = stdout); an existing "
                        "file is refused (it may hold nights logged since) unless --force")
    parser.add_argument("--force", action="store_true",
                        help="replace an existing --out file")
    parser.set_defaults(handler=run)


def check_out_is_new(out: str, force: bool) -> None:
    """Refuse to write over an existing, non-empty ``--out`` without ``--force``.

    An unblinded diary is the one the person goes on logging in: unblinding again into it
    replaced the nights logged since, silently (an outside audit lost three taurate nights).
    """
    path = Path(out) if out != "-" else None
    if path is not None and not force and path.is_file() and path.stat().st_size > 0:
        raise InputError([Fault("--out", "", f"{path} exists: it may hold nights logged since "
                                "it was unblinded, which a new unblinding would replace; give "
                                "another --out, or --force to replace it")])


def load_key(path: str) -> dict[str, Any]:
    """The sealed key, or an InputError naming what is wrong with the file."""
    try:
        key = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError([Fault(path, "", "no such file: the sealed key that mgsleep plan "
                                "--blind wrote (by default beside the plan's diary, as "
                                "PLAN.key.json); whoever fills your pots keeps it")]) from None
    except json.JSONDecodeError as error:
        raise InputError([Fault(path, f"line {error.lineno}, column {error.colno}",
                                f"expected the JSON key of mgsleep plan --blind, got: "
                                f"{error.msg}")]) from None
    missing = [k for k in ("codes", "nights") if not isinstance(key, dict)
               or not isinstance(key.get(k), dict)]
    if missing:
        raise InputError([Fault(path, f"key {k}", "expected an object (the key of mgsleep "
                                "plan --blind)") for k in missing])
    return key


def run(args: argparse.Namespace) -> int:
    """Unblind, check the result like the diary reader, write it atomically.

    The diary is read once (:func:`model.trial.blinding.read_blinded`) and written with its
    own separator (a ``;`` diary keeps its decimal commas), as ``mgsleep log`` rewrites one.
    With ``--out -`` the lines for people go to standard error, the diary alone to standard
    output.
    """
    from model.core.atomic import check_outputs, write_text
    from model.data.merge import check_rows
    from model.data.pot_notes import CODE_NOTE
    from model.data.separators import decimal_commas, separator
    from model.trial.blinding import BlindingWarning, check_guesses, unblind

    check_outputs({"--out": args.out}, {"DIARY": args.diary, "--key": args.key})
    check_out_is_new(args.out, args.force)
    key = load_key(args.key)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", BlindingWarning)
        filled = unblind(args.diary, key, args.key)
        guesses = check_guesses(filled, key, args.diary)
    for item in caught:
        print(f"mgsleep unblind: warning: {item.message}", file=sys.stderr)
    check_rows(filled, args.out)
    sep = separator(args.diary)
    write_text(args.out, decimal_commas(filled, sep).to_csv(index=False, lineterminator="\n",
                                                            sep=sep), like=[args.diary])
    said = sys.stderr if args.out == "-" else sys.stdout
    if args.out != "-":
        coded = int(filled["notes"].astype(str).str.match(CODE_NOTE).sum())
        print(f"{args.out}: {len(filled)} night(s), {coded} coded night(s) unblinded")
    if guesses is not None:
        print(guesses.describe(), file=said)
    return 0
