"""What every importer shares: the night a sleep belongs to, one sleep per night, the table.

An importer turns a tracker's export into :class:`SleepPeriod` records (one per sleep the
tracker logged, naps included) and hands them to :func:`nights_table`, which keeps one sleep
per night and returns the diary rows of CONTRACT.md as text cells.

Rules shared by all sources (README, "Bring your own data"):

- **The night** of a sleep is the date of its local start time shifted back 12 hours
  (:func:`night_of`): a sleep that starts at 23:40 on 3 March or at 01:15 on 4 March both
  belong to the night of 3 March, the CONTRACT's "date the night began". Local means the
  wall-clock time the tracker wrote, so a night across a daylight-saving change keeps its
  date, and durations come from the tracker (or from times with their UTC offsets).
- **One sleep per night**: among the sleeps of a night, those the tracker calls the main
  sleep are kept and the longest of them wins; naps and other short sleeps are left out (and
  counted in a warning). A night with naps only gives no row.
- **Duplicates** (the same sleep twice, as in overlapping exports) are dropped.
- Each value is checked against the diary's range; a fault names the file and the record.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from model.core.errors import Fault, InputError
from model.data.diary_rows import KNOWN_COLUMNS, NUMERIC

NOON_SHIFT = dt.timedelta(hours=12)
"""A sleep starting before noon belongs to the night that began the evening before."""


def night_of(local_start: dt.datetime) -> dt.date:
    """The night (the date it began) of a sleep starting at a local wall-clock time.

    Parameters
    ----------
    local_start : datetime.datetime
        The start as the tracker wrote it (an offset, if any, is ignored: the wall clock
        counts).

    Returns
    -------
    datetime.date

    """
    return (local_start.replace(tzinfo=None) - NOON_SHIFT).date()


@dataclass(frozen=True)
class SleepPeriod:
    """One sleep a tracker logged.

    Parameters
    ----------
    night : datetime.date
        The night it belongs to (:func:`night_of`).
    start : datetime.datetime
        Local start, to recognise the same sleep twice.
    asleep_min : float
        Minutes asleep (the longest main sleep of a night is kept; NaN counts as 0).
    main : bool
        Whether the tracker calls it the main sleep (False for naps).
    values : dict of str to float
        Diary columns (``sol_min``, ``awakenings``, ``waso_min``, ``quality``, ...); NaN or
        absent = the tracker cannot say.
    """

    night: dt.date
    start: dt.datetime
    asleep_min: float
    main: bool
    values: Mapping[str, float] = field(default_factory=dict)

    def key(self) -> tuple[Any, ...]:
        """What makes two records the same sleep."""
        return (self.start.replace(tzinfo=None), round(self.asleep_min, 3),
                tuple(sorted((k, None if math.isnan(v) else v) for k, v in self.values.items())))


@dataclass
class Faults:
    """Faults of one import, collected over every record before raising."""

    items: list[Fault] = field(default_factory=list)

    def add(self, file: str, where: str, message: str) -> None:
        """Record one fault."""
        self.items.append(Fault(file, where, message))

    def raise_any(self) -> None:
        """Raise an InputError with every fault, when there is one."""
        if self.items:
            raise InputError(self.items)


def number(raw: Any, file: str, where: str, faults: Faults, scale: float = 1.0) -> float:
    """A tracker's number (``None`` or blank = NaN) times ``scale``; anything else is a fault.

    Parameters
    ----------
    raw : object
        The value in the export.
    file, where : str
        Location for a fault.
    faults : Faults
        Where a fault goes.
    scale : float
        Factor to the diary's unit (1/60 for seconds to minutes).

    Returns
    -------
    float

    """
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return math.nan
    try:
        value = float(raw)
    except (TypeError, ValueError):
        faults.add(file, where, f"expected a number, got {raw!r}")
        return math.nan
    if not math.isfinite(value) or isinstance(raw, bool):
        faults.add(file, where, f"expected a number, got {raw!r}")
        return math.nan
    return value * scale


def check_ranges(values: Mapping[str, float], file: str, where: str, faults: Faults,
                 sources: Mapping[str, str] | None = None) -> None:
    """Fault each value outside its diary column's range (CONTRACT.md).

    Each fault's place is ``where`` and the diary column, or with ``sources`` (diary column
    -> the file's own column) ``column <source> (as <diary column>)``.
    """
    for column, value in values.items():
        allowed = NUMERIC[column]
        if not math.isnan(value) and not allowed.accepts(value):
            place = (f"{where}, column {sources[column]} (as {column})" if sources
                     else f"{where}, {column}")
            faults.add(file, place, f"expected {allowed.describe()}, got {value:g}")


def local_time(raw: object, file: str, where: str, faults: Faults) -> dt.datetime | None:
    """An ISO 8601 date-time of an export (with or without an offset), or a fault and None."""
    try:
        return dt.datetime.fromisoformat(str(raw))
    except ValueError:
        faults.add(file, where, f"expected an ISO date-time like 2024-03-01T23:20:00, got "
                   f"{raw!r}")
        return None


def load_json(path: str | Path) -> Any:
    """Parse a JSON file; a malformed one is an InputError naming the line and column."""
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except json.JSONDecodeError as error:
        raise InputError([Fault(str(path), f"line {error.lineno}, column {error.colno}",
                                f"expected JSON, got: {error.msg}")]) from None


def read_csv(path: str | Path) -> pd.DataFrame:
    """A CSV file as text cells; an unreadable one is an InputError naming the file."""
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise InputError([Fault(str(path), "", f"expected a CSV file, got: {message}")]) \
            from None


def records_in(document: Any, keys: Iterable[str], file: str) -> list[dict[str, Any]]:
    """The list of records of a JSON export: the document itself or the list under a key."""
    if isinstance(document, dict):
        for key in keys:
            if isinstance(document.get(key), list):
                document = document[key]
                break
    if not isinstance(document, list) or not all(isinstance(r, dict) for r in document):
        under = f" (or an object with one under {', '.join(keys)})" if keys else ""
        raise InputError([Fault(file, "", f"expected a list of sleep records{under}")])
    return document


RecordReader = Callable[[dict[str, Any], str, int, Faults], SleepPeriod | None]
"""Turns one record (with its file, 1-based index and the faults) into a sleep, or None."""


def read_periods(paths: list[Path], records: Callable[[Path], list[dict[str, Any]]],
                 period: RecordReader) -> list[SleepPeriod]:
    """Every sleep of the given files, all faults collected before raising.

    Parameters
    ----------
    paths : list of Path
        The export files.
    records : callable
        The records of one file.
    period : callable
        One record as a sleep (None for records that are not one); a record that added a
        fault is left out.

    Returns
    -------
    list of SleepPeriod

    """
    faults, periods = Faults(), []
    for path in paths:
        for index, record in enumerate(records(path), start=1):
            before = len(faults.items)
            found = period(record, str(path), index, faults)
            if found is not None and len(faults.items) == before:
                periods.append(found)
    faults.raise_any()
    return periods


def format_cell(value: float) -> str:
    """A diary cell: blank for NaN, whole numbers without decimals, else one decimal."""
    if math.isnan(value):
        return ""
    return f"{value:.0f}" if abs(value - round(value)) < 1e-9 else f"{value:.1f}"


def nights_table(periods: list[SleepPeriod], source: str) -> tuple[pd.DataFrame, list[str]]:
    """One diary row per night from the sleeps of a tracker (see the module doc).

    Parameters
    ----------
    periods : list of SleepPeriod
        Every sleep found, in any order, duplicates and naps included.
    source : str
        The source's name, for warnings.

    Returns
    -------
    table : pandas.DataFrame
        Text cells; ``date`` first, then the diary columns the source gives, by date.
    warnings : list of str
        Dropped duplicates, naps left out, nights with naps only.

    """
    unique: dict[tuple[Any, ...], SleepPeriod] = {}
    for period in periods:
        unique.setdefault(period.key(), period)
    by_night: dict[dt.date, list[SleepPeriod]] = {}
    for period in unique.values():
        by_night.setdefault(period.night, []).append(period)
    rows, left_out, nap_only = [], 0, 0
    for night in sorted(by_night):
        main = [p for p in by_night[night] if p.main]
        if not main:
            nap_only += 1
            continue
        left_out += len(by_night[night]) - 1
        chosen = max(main, key=lambda p: (0.0 if math.isnan(p.asleep_min) else p.asleep_min,
                                          p.start.replace(tzinfo=None)))
        rows.append({"date": night.isoformat()}
                    | {c: format_cell(v) for c, v in chosen.values.items()})
    columns = ["date", *(c for c in KNOWN_COLUMNS if c != "date" and any(c in r for r in rows))]
    table = pd.DataFrame(rows, columns=columns).fillna("")
    dropped = len(periods) - len(unique)
    warnings = [w for w in (
        f"{source}: {dropped} duplicate record(s) dropped" if dropped else "",
        f"{source}: {left_out} nap(s) or shorter sleep(s) of a night left out" if left_out
        else "",
        f"{source}: {nap_only} night(s) with naps only, no row" if nap_only else "",
    ) if w]
    return table, warnings
