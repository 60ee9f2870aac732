"""``mgsleep import``: a tracker's or an app's export into the diary, without losing a row."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from model.cli.options import as_typed, parse_date
from model.core.errors import Fault, InputError
from model.core.input_files import not_regular
from model.core.lock import exclusive

if TYPE_CHECKING:
    import pandas as pd

    from model.data.merge import MergeReport, Source

SOURCE_NAMES: tuple[str, ...] = ("fitbit", "apple", "oura", "garmin", "csv", "csd", "gwern")
"""The sources (the keys of :data:`model.data.importers.SOURCES`, listed without importing)."""

CANNOT_GIVE: dict[str, str] = {
    "fitbit": "no ratings; sol_min is the device's estimate, none for auto-detected sleep",
    "apple": "no ratings; sol_min only when the source also wrote 'in bed' samples",
    "oura": "no ratings; sol_min is the ring's estimate; awakenings under 5 minutes unseen",
    "garmin": "no sol_min (Garmin's window starts at sleep onset) and no ratings",
    "csv": "only the columns you map",
    "csd": "the CSD's core items do not ask",
    "gwern": ("no freshness, anxiety, stool form, caffeine or alcohol (the Zeo trial did not "
              "record them); only the randomised citrate nights are read"),
}
"""What each source leaves blank, printed after an import ("fitbit gives no ratings; ...").

A CSD's is the reason only: :data:`CSD_LACKS` says what it lacks (:func:`cannot_give`)."""

CSD_LACKS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("magnesium taken (merge it with --supplements)", ("form", "elemental_mg", "compound_mg")),
    ("morning freshness", ("freshness",)), ("evening anxiety", ("anxiety",)),
    ("stool form", ("stool_bristol",)), ("caffeine", ("caffeine_late",)),
    ("alcohol", ("alcohol_drinks",)))
"""What a CSD's core items do not ask, each with the diary columns that would give it (a
spreadsheet may add them: they are read as they are)."""


def cannot_give(source: str, table: pd.DataFrame) -> str | None:
    """The line saying what ``source`` left blank in the nights it gave (``table``), or None.

    A CSD with its own magnesium or rating columns gives them: the line names only what no
    column of the file filled (it said "csd gives no magnesium taken" of a file whose doses it
    had just imported: an outside audit).
    """
    if source != "csd":
        return f"{source} gives {CANNOT_GIVE[source]}"
    filled = {str(c) for c in table.columns
              if table[c].astype(str).str.strip().ne("").any()}
    lacking = [what for what, columns in CSD_LACKS if not filled.intersection(columns)]
    if not lacking:
        return None
    listed = ", ".join(lacking[:-1]) + (" or " if len(lacking) > 1 else "") + lacking[-1]
    return f"csd gives no {listed}: {CANNOT_GIVE['csd']}"


def add_parser(subparsers: Any) -> None:
    """Register ``mgsleep import``."""
    parser = subparsers.add_parser(
        "import", help="import sleep from Fitbit, Apple Health, Oura, Garmin, a CSV or a CSD (or "
        "Gwern's published magnesium trial)",
        description="Read a tracker's or an app's export and merge its nights into a diary "
        "(night = the date the night began). Nights already in the diary keep their values "
        "and gain the ones they lacked; the previous file is kept as DIARY.csv.bak. An export "
        "whose values differ from the diary's on more than half of at least 10 compared "
        "(another person's export, or a second tracker over the same nights?) is refused unless "
        "--overwrite; a night whose tracker values --overwrite replaces names SOURCE in "
        "column device.")
    parser.add_argument("source", choices=SOURCE_NAMES, metavar="SOURCE",
                        help="one of " + ", ".join(SOURCE_NAMES))
    parser.add_argument("files", nargs="+", metavar="FILE", help="export file(s)")
    parser.add_argument("--out", required=True, metavar="DIARY.csv",
                        help="the diary to create or merge into")
    parser.add_argument("--supplements", metavar="LOG.csv", help="a CSV of date, form, "
                        "elemental_mg (or compound_mg), split to merge as the regimen; date "
                        "is the night the dose is for")
    parser.add_argument("--map", metavar="COL=SRC[:UNIT],...", help="for SOURCE csv: diary "
                        "column = file column, unit s|min|h for sol_min and waso_min; "
                        "date=COLUMN is required")
    parser.add_argument("--date-is", choices=("night", "morning"), default="night",
                        help="for SOURCE csv: whether a plain date is the night (default) or "
                        "the morning after it")
    parser.add_argument("--since", metavar="YYYY-MM-DD", help="keep only the nights from this "
                        "date on (of the export and the supplements log; the diary's own "
                        "nights are all kept)")
    parser.add_argument("--until", metavar="YYYY-MM-DD",
                        help="keep only the nights up to this date")
    parser.add_argument("--overwrite", action="store_true",
                        help="let imported values replace differing values already in the diary")
    parser.add_argument("--quiet", action="store_true", help="no progress on standard error")
    parser.set_defaults(handler=run)


def existing_files(names: list[str]) -> list[Path]:
    """The given files, or an InputError naming each one that is missing or not a file."""
    paths = [Path(n) for n in names]
    missing = [Fault(str(p), "", "file not found" if not p.exists() else "expected a file, "
                     f"got {not_regular(p.stat().st_mode)}") for p in paths if not p.is_file()]
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


@dataclass(frozen=True)
class Merged:
    """A diary merged with what an import brings, not written yet.

    Parameters
    ----------
    rows : pandas.DataFrame
        The diary to write.
    report : MergeReport
        What the export's nights did.
    taken : MergeReport or None
        What the supplements log did.
    unchanged : bool
        Nothing to write (the diary exists and gains nothing).
    sources : tuple of Source
        The diary as it was, the export and the log, which name a fault of ``rows``.
    device_notes : tuple of str
        Columns the export filled whose other nights came from another source
        (:func:`~model.data.devices.stamp_device`).
    """

    rows: pd.DataFrame
    report: MergeReport
    taken: MergeReport | None
    unchanged: bool
    sources: tuple[Source, ...]
    device_notes: tuple[str, ...] = ()


def merged(args: argparse.Namespace, nights: pd.DataFrame,
           supplements: pd.DataFrame | None) -> Merged:
    """The diary ``--out`` merged with the export's nights and the supplements log.

    Raises
    ------
    InputError
        When the result would span more nights than a diary may (naming ``--since``), or
        when most of the values given for nights already in the diary differ from them
        (:func:`~model.data.merge.check_same_nights`; not with ``--overwrite``).

    """
    from model.data.merge import Source, check_same_nights, merge_rows, read_rows

    out = Path(args.out)
    before = read_rows(out) if out.exists() else None
    rows, report = merge_rows(before, nights, overwrite=args.overwrite,
                              device=DEVICES.get(args.source, ""))
    check_same_nights(report, str(out), ", ".join(args.files), before, nights)
    rows, notes = _stamped(args, before, rows, nights)
    taken = None
    if supplements is not None:
        rows, taken = merge_rows(rows, supplements, overwrite=args.overwrite)
        check_same_nights(taken, str(out), str(args.supplements))
    unchanged = before is not None and not any(
        r.added or r.filled or (args.overwrite and r.differences)
        for r in (report, taken) if r is not None)
    if not unchanged:
        _within_limits(rows, args, len(nights))
    sources = (*([Source(f"{out} (not written)", before)] if before is not None else []),
               Source(", ".join(args.files), nights, mapping(args), by_night=True),
               *([Source(args.supplements, supplements)] if supplements is not None else []))
    return Merged(rows, report, taken, unchanged, sources, tuple(notes))


DEVICES: dict[str, str] = {"fitbit": "fitbit", "apple": "apple health", "oura": "oura",
                           "garmin": "garmin", "csd": "csd", "gwern": "zeo"}
"""The ``device`` an import writes on the nights it fills (a CSV: ``--map device=COLUMN``)."""


def _stamped(args: argparse.Namespace, before: pd.DataFrame | None, rows: pd.DataFrame,
             nights: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """``rows`` with the source's name in column device on the nights it filled, and warnings.

    :func:`~model.data.devices.stamp_device`; the columns in the diary's order after.
    """
    from model.data.devices import DEVICE, stamp_device
    from model.data.diary_rows import KNOWN_COLUMNS

    device = DEVICES.get(args.source)
    if device is None or DEVICE in nights.columns:
        return rows, []
    stamped, notes = stamp_device(before, rows, nights, device)
    order = [c for c in KNOWN_COLUMNS if c in stamped.columns]
    return stamped[order + [c for c in stamped.columns if c not in order]], notes


def mapping(args: argparse.Namespace) -> dict[str, str]:
    """Diary column -> the CSV's column, of ``--map`` (empty for another source)."""
    from model.data.importers.generic import parse_map

    if args.source != "csv":
        return {}
    return {m.column: m.source for m in parse_map(as_typed(args.map or ""))}


def _within_limits(rows: pd.DataFrame, args: argparse.Namespace, imported: int) -> None:
    """Refuse a diary longer than the reader allows, saying how to import a part of it."""
    from model.data.diary import MAX_ROWS, MAX_SPAN_NIGHTS
    from model.data.diary_rows import as_date

    days = sorted(d for cell in rows["date"] if (d := as_date(cell)) is not None)
    if not days or (len(rows) <= MAX_ROWS
                    and (days[-1] - days[0]).days < MAX_SPAN_NIGHTS):
        return
    since = days[-1] - dt.timedelta(days=MAX_SPAN_NIGHTS - 1)
    raise InputError([Fault(f"{args.out} (not written)", "", f"expected a diary of at most "
                            f"{MAX_SPAN_NIGHTS} nights from the first to the last (ten years), "
                            f"got {len(rows)} row(s) from {days[0]} to {days[-1]}, "
                            f"{imported} of them from {', '.join(args.files)}; import a part "
                            f"with --since YYYY-MM-DD (and --until YYYY-MM-DD), e.g. --since "
                            f"{since}")])


def in_range(rows: pd.DataFrame, since: dt.date | None,
             until: dt.date | None) -> pd.DataFrame:
    """The rows whose night lies from ``since`` to ``until`` (either may be None: open).

    The dates are checked ``YYYY-MM-DD`` text, whose order is the dates'.
    """
    low, high = since.isoformat() if since else "", until.isoformat() if until else ""
    keep = rows["date"].astype(str).str.strip().map(
        lambda day: day >= low and (not high or day <= high))
    return rows[keep.astype(bool)].reset_index(drop=True)


def _dates(args: argparse.Namespace) -> tuple[dt.date | None, dt.date | None]:
    """``--since`` and ``--until``, checked."""
    since = parse_date(args.since, "--since") if args.since else None
    until = parse_date(args.until, "--until") if args.until else None
    if since and until and since > until:
        raise InputError([Fault("--since", "", f"expected a date up to --until {until}, got "
                                f"{since}")])
    return since, until


def mapped_forms(paths: list[Path], mapping: dict[str, str]) -> None:
    """Check the form column a CSV maps, naming each bad cell by the file's row and column.

    The merged diary names a night, not the row it came from (nights are sorted and joined).

    Raises
    ------
    InputError
        Every form the diary reader would refuse.

    """
    from model.data.diary_rows import cell_problem
    from model.data.form_cells import collapsed
    from model.data.importers.common import read_csv

    if "form" not in mapping:
        return
    column = mapping["form"]
    faults = [Fault(str(path), f"row {row}, column {column}", problem)
              for path in paths
              for row, cell in enumerate(read_csv(path)[column].astype(str), start=1)
              if (problem := cell_problem("form", cell)) is not None]
    if faults:
        raise InputError(collapsed(faults))


def _csv_only(args: argparse.Namespace) -> None:
    """Refuse --map and --date-is with another source (else silently ignored)."""
    given = [f for f, v in (("--map", args.map), ("--date-is", args.date_is != "night")) if v]
    if args.source != "csv" and given:
        raise InputError([Fault(option, "", f"applies to SOURCE csv only, not {args.source}, "
                                "whose exports say how they date a night")
                          for option in given])


def run(args: argparse.Namespace) -> int:
    """Import, merge, check, back up and write; print what was done.

    The merge is checked before the diary's lock is taken, so that a fault leaves no folder
    or lock file behind; it is made again under the lock (another writer may have changed the
    diary meanwhile) and written.
    """
    from model.data.importers import import_files
    from model.data.merge import check_rows, read_checked_rows, write_diary
    from model.data.short_rows import padded_row_notes

    _csv_only(args)
    since, until = _dates(args)
    paths = existing_files(args.files + ([args.supplements] if args.supplements else []))
    exports = paths[:len(args.files)]
    imported = import_files(args.source, exports,
                            mapping=None if args.map is None else as_typed(args.map),
                            date_is_morning=args.date_is == "morning",
                            progress=None if args.quiet else Progress())
    mapped_forms(exports, mapping(args))
    nights = in_range(imported.table, since, until)
    outside = len(imported.table) - len(nights)
    if nights.empty:
        raise InputError([Fault(", ".join(args.files), "", f"expected at least one night of "
                                f"{args.source} sleep, found none"
                                + (f" from {since or 'the first'} to {until or 'the last'} "
                                   f"({outside} outside)" if outside else "")
                                + (f" ({'; '.join(imported.warnings)})"
                                   if imported.warnings else ""))])
    out = Path(args.out)
    log, doses = read_checked_rows(args.supplements) if args.supplements else (None, [])
    supplements = None if log is None else in_range(log, since, until)
    first = merged(args, nights, supplements)
    if not first.unchanged:
        check_rows(first.rows, out, first.sources)
    with exclusive(out):    # read, merge and write with no other writer in between
        done = merged(args, nights, supplements)
        padded = [] if done.unchanged or not out.exists() else padded_row_notes(out)
        backup = None if done.unchanged else write_diary(
            done.rows, out, done.sources, like=[*args.files, args.supplements])
    _say(args, out, done, (len(nights), outside), backup)
    for warning in (*imported.warnings, *doses, *done.device_notes, *padded):
        print(f"warning: {warning}")
    if (lacking := cannot_give(args.source, nights)) is not None:
        print(lacking)
    return 0


def _say(args: argparse.Namespace, out: Path, done: Merged, counts: tuple[int, int],
         backup: Path | None) -> None:
    """Print what the import read (nights kept, left out) and did to the diary and the log."""
    nights, outside = counts
    print(f"{args.source}: {nights} night(s) read from {len(args.files)} file(s)"
          + (f" ({outside} outside --since/--until left out)" if outside else "")
          + f"; {out}: {done.report.describe()}"
          + (f" (previous version: {backup})" if backup else "")
          + (" (unchanged, not rewritten)" if done.unchanged else ""))
    if done.taken is not None:
        print(f"{args.supplements}: {done.taken.describe()}")
