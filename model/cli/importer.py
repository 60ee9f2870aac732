"""``mgsleep import``: a tracker's or an app's export into the diary, without losing a row."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from model.cli.options import as_typed
from model.core.errors import Fault, InputError
from model.core.lock import exclusive

SOURCE_NAMES: tuple[str, ...] = ("fitbit", "apple", "oura", "garmin", "csv", "csd", "gwern")
"""The sources (the keys of :data:`model.data.importers.SOURCES`, listed without importing)."""

CANNOT_GIVE: dict[str, str] = {
    "fitbit": "no ratings; sol_min is the device's estimate, none for auto-detected sleep",
    "apple": "no ratings; sol_min only when the source also wrote 'in bed' samples",
    "oura": "no ratings; sol_min is the ring's estimate; awakenings under 5 minutes unseen",
    "garmin": "no sol_min (Garmin's window starts at sleep onset) and no ratings",
    "csv": "only the columns you map",
    "csd": ("no magnesium taken (merge it with --supplements), morning freshness, evening "
            "anxiety, stool form, caffeine or alcohol: the CSD's core items do not ask"),
    "gwern": ("no freshness, anxiety, stool form, caffeine or alcohol (the Zeo trial did not "
              "record them); only the randomised citrate nights are read"),
}
"""What each source leaves blank, printed after an import ("fitbit gives no ratings; ...")."""


def add_parser(subparsers: Any) -> None:
    """Register ``mgsleep import``."""
    parser = subparsers.add_parser(
        "import", help="import sleep from Fitbit, Apple Health, Oura, Garmin, a CSV or a CSD (or "
        "Gwern's published magnesium trial)",
        description="Read a tracker's or an app's export and merge its nights into a diary "
        "(night = the date the night began). Nights already in the diary keep their values "
        "and gain the ones they lacked; the previous file is kept as DIARY.bak.")
    parser.add_argument("source", choices=SOURCE_NAMES, metavar="SOURCE",
                        help="one of " + ", ".join(SOURCE_NAMES))
    parser.add_argument("files", nargs="+", metavar="FILE", help="export file(s)")
    parser.add_argument("--out", required=True, metavar="DIARY.csv",
                        help="the diary to create or merge into")
    parser.add_argument("--supplements", metavar="LOG.csv", help="a CSV of date, form, "
                        "elemental_mg (or compound_mg), split to merge as the regimen")
    parser.add_argument("--map", metavar="COL=SRC[:UNIT],...", help="for SOURCE csv: diary "
                        "column = file column, unit s|min|h for sol_min and waso_min; "
                        "date=COLUMN is required")
    parser.add_argument("--date-is", choices=("night", "morning"), default="night",
                        help="for SOURCE csv: whether a plain date is the night (default) or "
                        "the morning after it")
    parser.add_argument("--overwrite", action="store_true",
                        help="let imported values replace differing values already in the diary")
    parser.add_argument("--quiet", action="store_true", help="no progress on standard error")
    parser.set_defaults(handler=run)


def existing_files(names: list[str]) -> list[Path]:
    """The given files, or an InputError naming each one that is missing or not a file."""
    paths = [Path(n) for n in names]
    missing = [Fault(str(p), "", "file not found" if not p.exists() else "expected a file, "
                     "got a folder") for p in paths if not p.is_file()]
    if missing:
        raise InputError(missing)
    return paths


class Progress:
    """Percent of a big export read, on one line of standard error."""

    def __init__(self) -> None:
        self.shown = -1

    def __call__(self, done: int, size: int) -> None:
        """Show the percent read when it changed."""
        percent = 100 * done // max(size, 1)
        if percent != self.shown:
            self.shown = percent
            print(f"\rreading: {percent:3d}% of {size / 1e6:.0f} MB", end="", file=sys.stderr,
                  flush=True)
            if percent == 100:
                print(file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    """Import, merge, check, back up and write; print what was done."""
    from model.data.importers import import_files
    from model.data.merge import merge_rows, read_checked_rows, read_rows, write_diary

    if args.source != "csv":    # else silently ignored: the source's own dating rules apply
        given = [f for f, v in (("--map", args.map), ("--date-is", args.date_is != "night"))
                 if v]
        if given:
            raise InputError([Fault(option, "", f"applies to SOURCE csv only, not "
                                    f"{args.source}, whose exports say how they date a night")
                              for option in given])
    paths = existing_files(args.files + ([args.supplements] if args.supplements else []))
    exports = paths[:len(args.files)]
    imported = import_files(args.source, exports,
                            mapping=None if args.map is None else as_typed(args.map),
                            date_is_morning=args.date_is == "morning",
                            progress=None if args.quiet else Progress())
    if imported.table.empty:
        raise InputError([Fault(", ".join(args.files), "", f"expected at least one night of "
                                f"{args.source} sleep, found none"
                                + (f" ({'; '.join(imported.warnings)})"
                                   if imported.warnings else ""))])
    out = Path(args.out)
    supplements = read_checked_rows(args.supplements) if args.supplements else None
    with exclusive(out):    # read, merge and write with no other writer in between
        before = read_rows(out) if out.exists() else None
        rows, report = merge_rows(before, imported.table, overwrite=args.overwrite)
        taken = None
        if supplements is not None:
            rows, taken = merge_rows(rows, supplements, overwrite=args.overwrite)
        unchanged = before is not None and not any(
            r.added or r.filled or (args.overwrite and r.differences)
            for r in (report, taken) if r is not None)
        backup = None if unchanged else write_diary(rows, out)   # keep the older backup
    print(f"{args.source}: {len(imported.table)} night(s) read from {len(exports)} file(s); "
          f"{out}: {report.describe()}" + (f" (previous version: {backup})" if backup else "")
          + (" (unchanged, not rewritten)" if unchanged else ""))
    if taken is not None:
        print(f"{args.supplements}: {taken.describe()}")
    for warning in imported.warnings:
        print(f"warning: {warning}")
    print(f"{args.source} gives {CANNOT_GIVE[args.source]}")
    return 0
