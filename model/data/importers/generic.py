"""Any CSV (a spreadsheet, another app's export) through a column mapping.

``--map sol_min=Latency:s,awakenings=Wakes,date=Day`` names, for each diary column, the
column of the file that fills it, and for the durations ``sol_min`` and ``waso_min`` the unit
of the file (``s``, ``min`` (default) or ``h``). The ``date`` column is required: a date
(``YYYY-MM-DD``) is the night unless ``--date-is morning`` says the file dates a night by the
morning it ended; a date and time (``2024-03-01 23:40``) is the start of the sleep and gives
its night by :func:`~.common.night_of`. Nothing else is a date: ``20240301`` and
``2024-W09-5``, which Python reads as midnight times, were moved a night back (an outside
audit); they are refused naming row and column, as the diary reader refuses them. Dates at
midnight (``2024-03-02 00:00:00``, as spreadsheets, pandas and R write plain dates) are plain
dates in a file with no time of day (as sleeps starting at midnight, every night would move
a day earlier); in a file of times of day they are sleeps that began at midnight, on the
night before, as the file's other times, and a warning names them (:func:`_midnights`).
Rows repeating a night with the same values are dropped; with different values they are an
error naming both rows.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from model.core.errors import Fault, InputError
from model.data.blank_rows import row_ranges
from model.data.diary_rows import KNOWN_COLUMNS, NUMERIC
from model.data.importers.common import (
    Faults,
    check_ranges,
    format_cell,
    night_of,
    number,
    read_csv,
)
from model.data.importers.unread import map_source, mapped, unread_warnings
from model.data.night_dates import DATE, date_problem

UNITS: dict[str, float] = {"s": 1 / 60, "min": 1.0, "h": 60.0}
"""Minutes per unit of a duration column."""

DURATIONS: tuple[str, ...] = ("sol_min", "waso_min")
"""Diary columns that take a unit."""

_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}")
"""A date and a time of day (seconds, fraction and UTC offset may follow)."""
_MIDNIGHT = re.compile(r"^(\d{4}-\d{2}-\d{2})[ T]00:00(:00(\.0+)?)?(Z|[+-]\d{2}:?\d{2})?$")


@dataclass(frozen=True)
class ColumnMap:
    """One ``diary_column=SourceColumn[:unit]`` of ``--map``."""

    column: str
    source: str
    unit: str = "min"


def parse_map(text: str) -> list[ColumnMap]:
    """Parse ``--map`` (comma-separated ``diary_column=SourceColumn[:unit]``).

    Raises
    ------
    InputError
        Naming each unknown diary column, unknown unit or malformed item, and both items
        of a diary column or a file column mapped twice.

    """
    maps, faults = [], []
    for item in filter(None, (part.strip() for part in text.split(","))):
        column, sep, rest = item.partition("=")
        source, _, unit = rest.rpartition(":") if ":" in rest else (rest, "", "min")
        column = column.strip().lower()
        if not sep or not source.strip():
            faults.append(Fault("--map", item, "expected diary_column=SourceColumn[:unit]"))
        elif column not in KNOWN_COLUMNS:
            faults.append(Fault("--map", item, "expected a diary column (" +
                                ", ".join(KNOWN_COLUMNS) + f"), got {column!r}"))
        elif unit not in UNITS or (unit != "min" and column not in DURATIONS):
            faults.append(Fault("--map", item, "expected a unit s, min or h for "
                                f"{', '.join(DURATIONS)} only, got {unit!r} for {column}"))
        else:
            maps.append(ColumnMap(column, source.strip(), unit))
    faults += _twice(maps)
    if not any(m.column == "date" for m in maps) and not faults:
        faults.append(Fault("--map", "", "expected date=COLUMN among the mappings"))
    if faults:
        raise InputError(faults)
    return maps


def _twice(maps: list[ColumnMap]) -> list[Fault]:
    """A fault for each diary column mapped twice and each file column mapped twice.

    ``sol_min=Latency,sol_min=Wakes`` kept the last (latency from the wakes) and
    ``sol_min=Latency,awakenings=Latency`` read one value as two, without a word (an outside
    audit): a typo either way, so both are named.
    """
    faults = []
    for key, what in ((lambda m: m.column, "diary column"), (lambda m: m.source, "file column")):
        seen: dict[str, ColumnMap] = {}
        for m in maps:
            first = seen.setdefault(key(m), m)
            if first is not m and (what == "diary column" or first.column != m.column):
                faults.append(Fault("--map", f"{_item(first)} and {_item(m)}", f"expected each "
                                    f"{what} mapped once, got {key(m)} twice: keep the one you "
                                    "mean"))
    return faults


def _item(m: ColumnMap) -> str:
    """A mapping as ``--map`` writes it."""
    return f"{m.column}={map_source(m.source, m.unit)}"


def row_night(text: str, morning: bool) -> dt.date | None:
    """The night of a date cell (see the module doc); None when it is neither form."""
    text = text.strip()
    try:
        if DATE.match(text):
            day = dt.date.fromisoformat(text)
            return day - dt.timedelta(days=1) if morning else day
        if _DATE_TIME.match(text):
            return night_of(dt.datetime.fromisoformat(text))
    except ValueError:
        pass
    return None


def _midnights(dates: list[str], file: str, column: str) -> tuple[list[str], list[str]]:
    """The date cells as they are read, and a warning naming midnights read as sleep starts.

    Midnights are plain dates when no cell has a time of day; beside one, the file gives the
    times sleeps began, and a sleep beginning at midnight is the night before's. A file of
    dates with one time typed into it moved every other night a day back without a word (an
    outside audit): the warning names them, and how to write a date.
    """
    midnight = [row for row, cell in enumerate(dates, start=1) if _MIDNIGHT.match(cell)]
    timed = [row for row, cell in enumerate(dates, start=1)
             if _DATE_TIME.match(cell) and not _MIDNIGHT.match(cell)]
    if not midnight or not timed:
        return [cell[:10] if _MIDNIGHT.match(cell) else cell for cell in dates], []
    first = dates[midnight[0] - 1]
    return dates, [f"{file}: {'row' if len(midnight) == 1 else 'rows'} {row_ranges(midnight)}, "
                   f"column {column}: midnight ({first!r}) read as the start of a sleep, on "
                   f"the night before its date ({row_night(first, False)}), as row "
                   f"{timed[0]} gives a time of day ({dates[timed[0] - 1]!r}); if they are "
                   f"dates, write them without the time ({first[:10]!r})"]


def _cells(row: dict[str, str], maps: list[ColumnMap], file: str, where: str,
           faults: Faults) -> dict[str, str]:
    """The diary cells of one row (numbers converted to the diary's units and checked)."""
    cells: dict[str, str] = {}
    for m in maps:
        if m.column == "date":
            continue
        raw = row[m.source]
        if m.column in NUMERIC:
            value = number(raw, file, f"{where}, column {m.source}", faults, UNITS[m.unit])
            check_ranges({m.column: value}, file, where, faults, {m.column: m.source})
            cells[m.column] = format_cell(value)
        else:
            cells[m.column] = raw.strip()
    return cells


def read(paths: list[Path], maps: list[ColumnMap],
         morning: bool = False) -> tuple[pd.DataFrame, list[str]]:
    """The diary rows of mapped CSV files (text cells; see the module doc), and warnings.

    Raises
    ------
    InputError
        A mapped column missing (with the columns found), a bad date or value (file, row,
        column), or one night given twice with different values.

    """
    faults, warnings = Faults(), list[str]()
    rows: dict[dt.date, dict[str, str]] = {}
    first: dict[dt.date, str] = {}
    date_source = next(m.source for m in maps if m.column == "date")
    for path in paths:
        table = read_csv(path)
        missing = [m.source for m in maps if m.source not in table.columns]
        if missing:
            raise InputError([Fault(str(path), f"column {name}", "expected this mapped column; "
                                    "found columns: " + ", ".join(map(str, table.columns)))
                              for name in missing])
        given = {m.column: map_source(m.source, m.unit) for m in maps}
        warnings += unread_warnings(str(path), table.columns, [m.source for m in maps],
                                    tabular=True, how=mapped(given),
                                    filled=[m.column for m in maps])
        table[date_source], said = _midnights([str(cell).strip() for cell in table[date_source]],
                                              str(path), date_source)
        warnings += said
        for number_, raw in enumerate(table.to_dict("records"), start=1):
            where, cell = f"row {number_}", str(raw[date_source])
            night = row_night(cell, morning)
            if night is None:
                faults.add(str(path), f"{where}, column {date_source}", date_problem(cell)
                           if DATE.match(cell.strip()) else "expected a date YYYY-MM-DD or a "
                           f"date and time (YYYY-MM-DD HH:MM), got {raw[date_source]!r}")
                continue
            cells = _cells({str(k): str(v) for k, v in raw.items()}, maps, str(path), where,
                           faults)
            if night in rows and rows[night] != cells:
                faults.add(str(path), f"{where}, column {date_source}", f"expected one row per "
                           f"night, got {night} again with other values (first at "
                           f"{first[night]})")
            rows.setdefault(night, cells)
            first.setdefault(night, f"{path} {where}")
    faults.raise_any()
    columns = ["date", *(c for c in KNOWN_COLUMNS if any(m.column == c for m in maps)
                         and c != "date")]
    return pd.DataFrame([{"date": n.isoformat()} | rows[n] for n in sorted(rows)],
                        columns=columns), warnings
