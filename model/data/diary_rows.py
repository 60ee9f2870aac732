"""Diary rows: from a CSV file or a table to typed, validated recorded nights.

The cell rules of the README (see :mod:`model.data.diary` for the conventions): each cell is
parsed and checked against its column's range, the dose against the form, every fault is
collected, and :func:`parse_rows` raises them together as one :class:`DiaryError`.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from model.core.errors import DiaryError, Fault
from model.core.forms import FORMS, NONE, PLACEBO, canonical_form, elemental_fractions, form_hint
from model.core.regimen import LEAST_SUPPLEMENT_MG, grams_meant
from model.data.separators import SEPARATOR_NAMES, decimal_points, separator


@dataclass(frozen=True)
class ColumnRange:
    """Allowed values of a numeric column."""

    low: float
    high: float
    whole: bool = False
    unit: str = ""

    def describe(self) -> str:
        """The allowed values in words, for a message: ``a number from 0 to 720 (minutes)``."""
        if (self.low, self.high, self.whole) == (0, 1, True):
            return "0 or 1"
        kind = "a whole number" if self.whole else "a number"
        return f"{kind} from {self.low:g} to {self.high:g}" + (f" ({self.unit})" if self.unit
                                                              else "")

    def accepts(self, value: float) -> bool:
        """Whether ``value`` is allowed."""
        return self.low <= value <= self.high and (not self.whole or value == round(value))


_BINARY = ColumnRange(0, 1, whole=True)
NUMERIC: dict[str, ColumnRange] = {
    "elemental_mg": ColumnRange(0, 2000, unit="mg of elemental magnesium"),
    "compound_mg": ColumnRange(0, 20000, unit="mg of the compound"),
    "split": _BINARY,
    "sol_min": ColumnRange(0, 720, unit="minutes"),
    "awakenings": ColumnRange(0, 50, whole=True),
    "waso_min": ColumnRange(0, 720, unit="minutes"),
    "quality": ColumnRange(1, 5, whole=True),
    "freshness": ColumnRange(1, 10, whole=True),
    "anxiety": ColumnRange(0, 10, whole=True),
    "stool_bristol": ColumnRange(1, 7, whole=True),
    "gi_upset": _BINARY,
    "caffeine_late": _BINARY,
    "alcohol_drinks": ColumnRange(0, 30, unit="drinks"),
}
"""Range of each numeric diary column (the README)."""

KNOWN_COLUMNS: tuple[str, ...] = ("date", "form", *NUMERIC, "notes")
GUESS_COLUMN = "guess"
"""The column where a person in a blinded trial guesses the arm of a period: read by
``mgsleep unblind`` (:func:`model.trial.blinding.check_guesses`), not analysed, and no
"unknown column" for it."""
MISSING_WORDS = frozenset({"", "na", "n/a", "nan"})
"""Cell texts read as a value not recorded (any case, spaces around)."""
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_AGREE_RELATIVE, _AGREE_ABSOLUTE = 0.05, 1.0
"""``elemental_mg`` and converted ``compound_mg`` agree within 5 % or 1 mg."""


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value.strip().lower() in MISSING_WORDS


def _as_number(value: Any) -> float | None:
    """Return the number in a cell, or None when it is not one (booleans count as 0/1)."""
    if isinstance(value, (bool, np.bool_)):
        return float(value)
    if isinstance(value, (int, float, np.integer, np.floating)):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def as_date(value: Any) -> dt.date | None:
    """Return the date in a cell (YYYY-MM-DD text, a date or a Timestamp), or None."""
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _DATE.match(value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def given_date(value: Any, name: str = "as_of") -> dt.date:
    """The date an API caller gave (a date, a Timestamp or ``YYYY-MM-DD`` text).

    Raises
    ------
    ValueError
        Naming ``name`` and the value, when it is none of those.
    """
    day = as_date(value)
    if day is None:
        raise ValueError(f"{name} must be a date (datetime.date or 'YYYY-MM-DD'), got "
                         f"{value!r}")
    return day


def _show(value: Any) -> str:
    """Show a cell in a message."""
    return "blank" if _is_missing(value) else repr(value)


@dataclass
class _RowParser:
    """Parses one row into typed values, appending faults."""

    file: str
    fractions: Callable[[], dict[str, float]]
    faults: list[Fault] = field(default_factory=list)

    def fault(self, row: int, column: str, message: str) -> None:
        self.faults.append(Fault(self.file, f"row {row}, column {column}", message))

    def number(self, row: int, column: str, value: Any) -> float:
        if _is_missing(value):
            return math.nan
        number = _as_number(value)
        allowed = NUMERIC[column]
        if number is None or not allowed.accepts(number):
            self.fault(row, column, f"expected {allowed.describe()}, got {_show(value)}")
            return math.nan
        return number

    def parse(
        self, row: int, cells: dict[str, Any]
    ) -> tuple[dt.date | None, dict[str, Any] | None]:
        """Return the row's date and typed values (None when the row has a fault)."""
        before = len(self.faults)
        date = as_date(cells["date"])
        if date is None:
            self.fault(row, "date", f"expected a date YYYY-MM-DD, got {_show(cells['date'])}")
        values = {c: self.number(row, c, cells.get(c)) for c in NUMERIC}
        raw_form = cells.get("form")
        form = NONE if _is_missing(raw_form) else canonical_form(str(raw_form))
        if form is None:
            self.fault(row, "form", _unknown_form(str(raw_form)))
        elif not any(f.where in (f"row {row}, column elemental_mg", f"row {row}, column "
                                 "compound_mg") for f in self.faults[before:]):
            values["elemental_mg"] = self.dose(row, form, values)  # one fault per bad dose
        notes = cells.get("notes")
        if len(self.faults) > before:
            return date, None
        return date, values | {
            "date": pd.Timestamp(date) if date else None,
            "form": form,
            "split": values["split"] == 1,
            "notes": "" if _is_missing(notes) else str(notes),
        }

    def dose(self, row: int, form: str, values: dict[str, float]) -> float:
        """Elemental mg of a row, checking the form / dose rules."""
        elemental, compound = values["elemental_mg"], values["compound_mg"]
        if compound == 0 and form in (NONE, PLACEBO):
            compound = math.nan  # a night without magnesium written as 0 mg of compound
        if not math.isnan(compound):
            if form not in FORMS:
                self.fault(row, "compound_mg", f"expected a magnesium form in column form to "
                           f"convert compound_mg, got {form}")
                return math.nan
            converted = compound * self.fractions()[form]
            if math.isnan(elemental):
                # whole mg: 2142 mg of bisglycinate is 302 mg a night, not a regimen of its
                # own at 302.022 mg beside every other night's conversion
                elemental = float(round(converted))
                if converted > NUMERIC["elemental_mg"].high:
                    self.fault(row, "compound_mg", f"expected at most 2000 mg elemental, got "
                               f"{converted:.0f} mg from {compound:g} mg of {form}")
            elif abs(elemental - converted) > max(_AGREE_ABSOLUTE, _AGREE_RELATIVE * converted):
                self.fault(row, "elemental_mg", f"expected agreement with compound_mg "
                           f"({compound:g} mg of {form} = {converted:.0f} mg elemental), "
                           f"got {elemental:g}")
        if form in FORMS and not elemental > 0:
            self.fault(row, "elemental_mg", f"expected a dose > 0 for form {form} "
                       "(elemental_mg or compound_mg), got "
                       + ("blank" if math.isnan(elemental) else f"{elemental:g}"))
        elif form in FORMS and elemental < LEAST_SUPPLEMENT_MG:   # advised "raise to 100.2 mg"
            self.fault(row, "elemental_mg", f"expected at least {LEAST_SUPPLEMENT_MG:g} mg of "
                       f"elemental magnesium, got {elemental:g}: {grams_meant(elemental)}")
        elif form in (NONE, PLACEBO) and elemental > 0:
            expected = "a form for a dose > 0" if form == NONE else "no magnesium for placebo"
            self.fault(row, "form" if form == NONE else "elemental_mg",
                       f"expected {expected}, got {elemental:g} mg with form {form}")
        return 0.0 if form in (NONE, PLACEBO) else elemental


MAX_ROWS = 3650
"""The most rows a diary may have (ten years of nights); see also ``MAX_SPAN_NIGHTS``."""


def cell_problem(column: str, value: str) -> str | None:
    """What the diary reader would say of ``value`` in ``column`` alone (None: it reads).

    For ``mgsleep log``'s questions: an answer is checked, and asked again, as it is typed.
    """
    parser = _RowParser("<answer>", elemental_fractions)
    if column in NUMERIC:
        parser.number(1, column, value)
    elif column == "form" and not _is_missing(value) and canonical_form(value) is None:
        return _unknown_form(value)
    return parser.faults[0].message if parser.faults else None


def _unknown_form(given: str) -> str:
    return (f"expected one of {', '.join((*FORMS, PLACEBO))} or blank, got {given!r}"
            f"{form_hint(given)}")


def _undecodable(path: str | Path, error: UnicodeDecodeError, sep: str) -> Fault:
    """The row and column of the first byte that is not UTF-8."""
    data = Path(path).read_bytes()
    line = data[:error.start].count(b"\n")                # 0 = the header line
    start = data.rfind(b"\n", 0, error.start) + 1
    cells = _cells(data.split(b"\n", 1)[0].decode("utf-8-sig", "replace"), sep)
    index = max(0, len(_cells(data[start:error.start].decode("utf-8", "replace"), sep)) - 1)
    column = cells[index].strip() if index < len(cells) else f"{index + 1}"
    where = f"row {line}, column {column}" if line else f"header, column {index + 1}"
    return Fault(str(path), where, f"expected UTF-8 text, got the byte "
                 f"0x{data[error.start]:02x}; save the file as CSV UTF-8")


def _cells(line: str, sep: str) -> list[str]:
    """The cells of one CSV line (a stray carriage return or NUL split at ``sep`` only)."""
    try:
        return next(csv.reader([line], delimiter=sep), [""])
    except csv.Error:
        return line.split(sep)


def _parser_fault(name: str, error: Exception, sep: str) -> Fault:
    """A pandas parser error, its file line turned into a 1-based data row."""
    if isinstance(error, pd.errors.EmptyDataError):
        return Fault(name, "", "expected a CSV diary with a header line (date, ...), got an "
                     "empty file")
    message = str(error).splitlines()[0] if str(error) else type(error).__name__
    found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", message)
    if found:
        fields, line, saw = map(int, found.groups())
        return _fields_fault(name, line - 1, fields, saw, sep)
    return Fault(name, "", f"expected a CSV diary, got: {message}")


def _fields_fault(name: str, row: int, fields: int, saw: int, sep: str) -> Fault:
    return Fault(name, f"row {row}", f"expected {fields} fields (the header's), got {saw}; "
                 f"{SEPARATOR_NAMES[sep]} inside a value needs quotes")


def _without_empty_rows(table: pd.DataFrame) -> pd.DataFrame:
    """The rows with at least one cell that is not blank.

    A row of separators only (``,,,,``, as Excel saves rows it once held) is skipped like a
    blank line.
    """
    empty = table.apply(lambda column: column.fillna("").str.strip().eq("")).all(axis=1)
    return table[~empty].reset_index(drop=True) if empty.any() else table


def _dates_from_index(frame: pd.DataFrame) -> pd.DataFrame:
    """A table's rows renumbered; its dates taken from the index when they are there.

    A table without a date column whose index holds the dates (a ``DatetimeIndex``, or an
    index named ``date``, as :attr:`Diary.nights` has) gets them as its date column.
    """
    dated = ("date" not in {str(c).strip().lower() for c in frame.columns}
             and (isinstance(frame.index, pd.DatetimeIndex) or frame.index.name == "date"))
    if not dated:
        return frame.reset_index(drop=True)
    table = frame.reset_index()
    return table.rename(columns={table.columns[0]: "date"})


def read_table(source: str | Path | pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """Return the raw table (text cells for a file) and its name for messages.

    A table's dates may be its index (:func:`_dates_from_index`). A UTF-8 byte-order mark
    (Excel's "CSV UTF-8") is accepted; so is a file separated by
    ``;`` (its decimal commas read as points) or a tab (:mod:`model.data.separators`). Blank
    lines and lines of separators only are skipped. A byte that is not UTF-8 and a row with
    too many fields are named by data row (1-based, the header and skipped lines not counted).
    """
    if isinstance(source, pd.DataFrame):
        return _dates_from_index(source), "<DataFrame>"
    name, sep = str(source), separator(source)
    try:
        table = pd.read_csv(source, dtype=str, keep_default_na=False, skipinitialspace=True,
                            encoding="utf-8-sig", nrows=MAX_ROWS + 1, sep=sep)
        with open(source, newline="", encoding="utf-8-sig") as handle:
            header = next(csv.reader(handle, delimiter=sep, skipinitialspace=True), [])
    except FileNotFoundError:
        raise DiaryError([Fault(name, "", "file not found")]) from None
    except UnicodeDecodeError as error:
        raise DiaryError([_undecodable(source, error, sep)]) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, IsADirectoryError,
            PermissionError) as error:
        raise DiaryError([_parser_fault(name, error, sep)]) from None
    if not isinstance(table.index, pd.RangeIndex):  # row 1's extra fields taken as an index
        raise DiaryError([_fields_fault(name, 1, table.shape[1],
                                        table.shape[1] + table.index.nlevels, sep)])
    if len(header) == table.shape[1]:
        table.columns = header  # undo pandas' renaming of duplicate names (date.1)
    return _without_empty_rows(decimal_points(table, sep)), name


def cut_short(source: str | Path | pd.DataFrame, n_rows: int) -> list[str]:
    """A warning when the file's last line has no line end and fewer fields than its header.

    That is how a write cut short looks (a copy, a sync or an editor stopped mid-line):
    ``2026-03-02,glycinate,30`` of a ``300`` would be read as 30 mg.
    """
    if isinstance(source, pd.DataFrame):
        return []
    sep = separator(source)
    with open(source, "rb") as handle:
        handle.seek(0, io.SEEK_END)
        handle.seek(max(0, handle.tell() - 4096))
        tail = handle.read()
    if not tail or tail.endswith((b"\n", b"\r")):
        return []
    with open(source, newline="", encoding="utf-8-sig") as handle:
        header = next(csv.reader(handle, delimiter=sep), [])
    last = tail.splitlines()[-1].decode("utf-8", "replace")
    fields = next(csv.reader([last], delimiter=sep), [])
    if len(fields) >= len(header):
        return []
    return [f"{source}: row {n_rows}: the last line ends without a line end and has "
            f"{len(fields)} of the header's {len(header)} fields ({last!r}): a write cut "
            "short? Check it before relying on it"]


def normalise_columns(table: pd.DataFrame, name: str) -> tuple[pd.DataFrame, list[str]]:
    """Normalised column names and warnings for unknown columns."""
    renamed = table.rename(columns=lambda c: str(c).strip().lower())
    if renamed.columns.duplicated().any():
        duplicate = renamed.columns[renamed.columns.duplicated()][0]
        raise DiaryError([Fault(name, f"column {duplicate}", "expected each column once, "
                                "got it twice")])
    if "date" not in renamed.columns:
        raise DiaryError([Fault(name, "column date", "expected a date column (YYYY-MM-DD), "
                                "got columns: " + ", ".join(map(str, table.columns))
                                + "; another layout or a tracker's export is read by "
                                "`mgsleep import` (see --help)")])
    unknown = [c for c in renamed.columns if c not in (*KNOWN_COLUMNS, GUESS_COLUMN)]
    check_usable(renamed, name)
    absent = [c for c in KNOWN_COLUMNS if c not in renamed.columns]
    warnings = [f"{name}: unknown column {c!r} ignored"
                + "".join(f" (did you mean {close!r}?)"
                          for close in difflib.get_close_matches(c, absent, n=1))
                for c in unknown]
    return renamed, warnings


def check_usable(table: pd.DataFrame, name: str) -> None:
    """Raise one clear fault when a table looks like another format, not a diary.

    That is: no column besides ``date`` is a diary column, or there is no regimen column
    (``form``, ``elemental_mg``, ``compound_mg``) and more unknown columns than diary ones (a
    tracker's or an experiment's export). The fault lists the columns found and expected and
    points to ``mgsleep import``.
    """
    usable = [c for c in table.columns if c in KNOWN_COLUMNS and c != "date"]
    unknown = [c for c in table.columns if c not in KNOWN_COLUMNS]
    regimen = any(c in table.columns for c in ("form", "elemental_mg", "compound_mg"))
    if unknown and (not usable or (not regimen and len(unknown) > len(usable))):
        raise DiaryError([Fault(name, "columns", "expected a diary (date and "
                                + ", ".join(c for c in KNOWN_COLUMNS if c != "date")
                                + f"), got {len(usable)} diary column(s) ("
                                + (", ".join(usable) or "none") + ") and "
                                + f"{len(unknown)} other(s): " + ", ".join(map(str, unknown))
                                + "; to bring another format in, use mgsleep import (for a "
                                "CSV: mgsleep import csv FILE --map date=COL,sol_min=COL,...)")])


def repeated_date(first: int, date: object) -> str:
    """The fault of a night's date given again (first at data row ``first``)."""
    return f"expected a date not already used (row {first}), got {date}"


def parse_rows(table: pd.DataFrame, name: str, priors_dir: Path | None) -> pd.DataFrame:
    """Typed recorded nights indexed by date; raises every fault together."""
    cache: dict[str, dict[str, float]] = {}

    def fractions() -> dict[str, float]:
        if "f" not in cache:
            cache["f"] = elemental_fractions(priors_dir)
        return cache["f"]

    parser = _RowParser(name, fractions)
    records: list[dict[str, Any]] = []
    first_row: dict[dt.date, int] = {}
    for row, raw in enumerate(table.to_dict("records"), start=1):
        date, record = parser.parse(row, {str(k): v for k, v in raw.items()})
        if date is not None and date in first_row:
            parser.fault(row, "date", repeated_date(first_row[date], date))
        elif date is not None:
            first_row[date] = row
        if record is not None:
            records.append(record)
    if not len(table):
        parser.faults.append(Fault(name, "", "expected at least one night, got no rows"))
    if parser.faults:
        raise DiaryError(parser.faults)
    return pd.DataFrame.from_records(records).set_index("date")
