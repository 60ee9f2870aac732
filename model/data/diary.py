"""The sleep diary: read and validate the CSV of CONTRACT.md, derive the nightly timeline.

A diary has one row per night (the date the night began). :func:`read_diary` checks every
cell, collects every fault in one pass and raises them together as a :class:`DiaryError`;
a valid diary becomes a :class:`Diary` whose ``nights`` cover every calendar night from the
first to the last date.

Conventions:

- Blank cells, ``NA``, ``N/A`` and ``NaN`` (any case) are missing values.
- Column names are matched after stripping blanks and lower-casing.
- Rows may come in any order; they are sorted by date (with a warning).
- A night missing between two recorded nights is inserted with ``recorded=False`` and every
  outcome and covariate missing. Its regimen is carried over when the recorded nights on
  both sides of the gap have the same regimen (form, dose and split), as someone who skips
  the diary usually keeps taking the supplement; otherwise it is ``none`` (what was taken
  is unknown, and no exposure is the conservative guess for the build-up of an effect).
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from model.core.errors import DiaryError, Fault
from model.core.forms import FORMS, NONE, PLACEBO, canonical_form, elemental_fractions
from model.core.regimen import Regimen

OUTCOMES: tuple[str, ...] = (
    "sol_min",
    "awakenings",
    "waso_min",
    "quality",
    "freshness",
    "anxiety",
    "stool_bristol",
    "gi_upset",
)
"""Outcome columns of a diary, in display order."""

COVARIATES: tuple[str, ...] = ("caffeine_late", "alcohol_drinks")
"""Covariate columns of a diary."""


@dataclass(frozen=True)
class _Range:
    """Allowed values of a numeric column."""

    low: float
    high: float
    whole: bool = False

    def describe(self) -> str:
        if (self.low, self.high, self.whole) == (0, 1, True):
            return "0 or 1"
        kind = "a whole number" if self.whole else "a number"
        return f"{kind} from {self.low:g} to {self.high:g}"

    def accepts(self, value: float) -> bool:
        return self.low <= value <= self.high and (not self.whole or value == round(value))


_BINARY = _Range(0, 1, whole=True)
NUMERIC: dict[str, _Range] = {
    "elemental_mg": _Range(0, 2000),
    "compound_mg": _Range(0, 20000),
    "split": _BINARY,
    "sol_min": _Range(0, 720),
    "awakenings": _Range(0, 50, whole=True),
    "waso_min": _Range(0, 720),
    "quality": _Range(1, 5, whole=True),
    "freshness": _Range(1, 10, whole=True),
    "anxiety": _Range(0, 10, whole=True),
    "stool_bristol": _Range(1, 7, whole=True),
    "gi_upset": _BINARY,
    "caffeine_late": _BINARY,
    "alcohol_drinks": _Range(0, 30),
}
"""Range of each numeric diary column (CONTRACT.md)."""

KNOWN_COLUMNS: tuple[str, ...] = ("date", "form", *NUMERIC, "notes")
_MISSING = {"", "na", "n/a", "nan"}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_AGREE_RELATIVE, _AGREE_ABSOLUTE = 0.05, 1.0
"""``elemental_mg`` and converted ``compound_mg`` agree within 5 % or 1 mg."""


# --------------------------------------------------------------------------------------------
# Cell parsing
# --------------------------------------------------------------------------------------------


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value.strip().lower() in _MISSING


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


def _as_date(value: Any) -> dt.date | None:
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
        date = _as_date(cells["date"])
        if date is None:
            self.fault(row, "date", f"expected a date YYYY-MM-DD, got {_show(cells['date'])}")
        values = {c: self.number(row, c, cells.get(c)) for c in NUMERIC}
        raw_form = cells.get("form")
        form = NONE if _is_missing(raw_form) else canonical_form(str(raw_form))
        if form is None:
            self.fault(row, "form", "expected one of " + ", ".join((*FORMS, PLACEBO))
                       + f" or blank, got {raw_form!r}")
        else:
            values["elemental_mg"] = self.dose(row, form, values)
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
        if not math.isnan(compound):
            if form not in FORMS:
                self.fault(row, "compound_mg", f"expected a magnesium form in column form to "
                           f"convert compound_mg, got {form}")
                return math.nan
            converted = compound * self.fractions()[form]
            if math.isnan(elemental):
                elemental = converted
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
        elif form in (NONE, PLACEBO) and elemental > 0:
            expected = "a form for a dose > 0" if form == NONE else "no magnesium for placebo"
            self.fault(row, "form" if form == NONE else "elemental_mg",
                       f"expected {expected}, got {elemental:g} mg with form {form}")
        return 0.0 if form in (NONE, PLACEBO) else elemental


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


def _read_table(source: str | Path | pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """Return the raw table (text cells for a file) and its name for messages."""
    if isinstance(source, pd.DataFrame):
        return source.reset_index(drop=True), "<DataFrame>"
    name = str(source)
    try:
        table = pd.read_csv(source, dtype=str, keep_default_na=False, skipinitialspace=True)
        with open(source, newline="", encoding="utf-8") as handle:
            header = next(csv.reader(handle, skipinitialspace=True), [])
    except FileNotFoundError:
        raise DiaryError([Fault(name, "", "file not found")]) from None
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError,
            IsADirectoryError, PermissionError) as error:
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise DiaryError([Fault(name, "", f"expected a CSV diary, got: {message}")]) from None
    if len(header) == table.shape[1]:
        table.columns = header  # undo pandas' renaming of duplicate names (date.1)
    return table, name


def _columns(table: pd.DataFrame, name: str) -> tuple[pd.DataFrame, list[str]]:
    """Normalised column names and warnings for unknown columns."""
    renamed = table.rename(columns=lambda c: str(c).strip().lower())
    if renamed.columns.duplicated().any():
        duplicate = renamed.columns[renamed.columns.duplicated()][0]
        raise DiaryError([Fault(name, f"column {duplicate}", "expected each column once, "
                                "got it twice")])
    if "date" not in renamed.columns:
        raise DiaryError([Fault(name, "column date", "expected a date column (YYYY-MM-DD), "
                                "got columns: " + ", ".join(map(str, renamed.columns)))])
    unknown = [c for c in renamed.columns if c not in KNOWN_COLUMNS]
    warnings = [f"{name}: unknown column {c!r} ignored" for c in unknown]
    return renamed, warnings


def _parse_rows(table: pd.DataFrame, name: str, priors_dir: Path | None) -> pd.DataFrame:
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
            parser.fault(row, "date", f"expected a date not already used (row "
                         f"{first_row[date]}), got {date}")
        elif date is not None:
            first_row[date] = row
        if record is not None:
            records.append(record)
    if not len(table):
        parser.faults.append(Fault(name, "", "expected at least one night, got no rows"))
    if parser.faults:
        raise DiaryError(parser.faults)
    return pd.DataFrame.from_records(records).set_index("date")


_COLUMNS = ("form", "elemental_mg", "split", "recorded", *OUTCOMES, "gi_night",
            *COVARIATES, "notes")


def _timeline(recorded: pd.DataFrame) -> pd.DataFrame:
    """Every night from the first to the last date, gap nights filled (see module doc)."""
    recorded = recorded.sort_index().assign(recorded=True)
    dates = pd.date_range(recorded.index.min(), recorded.index.max(), freq="D", name="date")
    nights = recorded.reindex(dates)
    gap = nights["recorded"].isna().to_numpy()
    regimen = ["form", "elemental_mg", "split"]
    before = nights[regimen].ffill()
    after = nights[regimen].bfill()
    same = (before == after).all(axis=1).to_numpy()
    for column, empty in zip(regimen, (NONE, 0.0, False), strict=True):
        carried = np.where(same, before[column].to_numpy(dtype=object),
                           np.full(len(nights), empty, dtype=object))
        nights[column] = np.where(gap, carried, nights[column].to_numpy(dtype=object))
    nights["recorded"] = ~gap
    nights["notes"] = nights["notes"].fillna("")
    nights["gi_night"] = _gi_night(nights["stool_bristol"], nights["gi_upset"])
    typed = nights.astype({"form": str, "elemental_mg": float, "split": bool, "notes": str}
                          | dict.fromkeys((*OUTCOMES, *COVARIATES), float))
    return typed[list(_COLUMNS)]


def _gi_night(bristol: pd.Series, upset: pd.Series) -> pd.Series:
    """1 when loose stool (Bristol >= 6) or GI upset, 0 when observed and neither, else NaN."""
    says = (bristol >= 6) | (upset == 1)
    seen = bristol.notna() | upset.notna()
    return pd.Series(np.where(says, 1.0, np.where(seen, 0.0, np.nan)), index=bristol.index)


def _gap_warning(nights: pd.DataFrame, name: str) -> list[str]:
    missing = int((~nights["recorded"]).sum())
    return [f"{name}: {missing} night(s) missing between recorded dates, inserted as "
            "unrecorded"] if missing else []


def _row_numbers(source: pd.DataFrame | Diary) -> dict[pd.Timestamp, int]:
    """1-based data row of each date in a table (row order of the recorded nights of a Diary)."""
    if isinstance(source, Diary):
        recorded = source.nights.index[source.nights["recorded"]]
        return {day: row for row, day in enumerate(recorded, start=1)}
    dates = _columns(source, "<DataFrame>")[0]["date"]
    return {pd.Timestamp(day): row for row, value in enumerate(dates, start=1)
            if (day := _as_date(value)) is not None}


def read_diary(source: str | Path | pd.DataFrame, *, priors_dir: Path | None = None) -> Diary:
    """Read and validate a diary.

    Parameters
    ----------
    source : str, Path or pandas.DataFrame
        A CSV file (columns of CONTRACT.md) or a table with the same columns.
    priors_dir : Path, optional
        Priors directory whose ``elemental_fractions.csv`` converts ``compound_mg``;
        default the bundled one.

    Returns
    -------
    Diary

    Raises
    ------
    DiaryError
        With every fault found (file, 1-based data row, column, expected, got).

    """
    table, name = _read_table(source)
    table, warnings = _columns(table, name)
    recorded = _parse_rows(table, name, priors_dir)
    if not recorded.index.is_monotonic_increasing:
        warnings.append(f"{name}: rows are not in date order; sorted by date")
    nights = _timeline(recorded)
    return Diary(nights, name, tuple(warnings + _gap_warning(nights, name)))


# --------------------------------------------------------------------------------------------
# The Diary
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Diary:
    """A validated diary on a complete daily timeline.

    Parameters
    ----------
    nights : pandas.DataFrame
        Indexed by a daily ``DatetimeIndex`` named ``date`` from the first to the last
        night. Columns: ``form`` (one of FORMS, ``placebo`` or ``none``), ``elemental_mg``
        (0 for none and placebo), ``split``, ``recorded`` (False for inserted gap nights),
        the outcomes (:data:`OUTCOMES`, NaN = missing), ``gi_night`` (1 loose stool or GI
        upset, 0 observed without, NaN unobserved), the covariates (:data:`COVARIATES`) and
        ``notes``.
    source : str
        File name (or ``<DataFrame>``).
    warnings : tuple of str
        Non-fatal findings (unknown columns, gaps, unsorted rows).

    """

    nights: pd.DataFrame
    source: str
    warnings: tuple[str, ...] = ()

    @property
    def n_nights(self) -> int:
        """Nights on the timeline, first to last date, gap nights included."""
        return len(self.nights)

    @property
    def n_recorded(self) -> int:
        """Nights with a diary row."""
        return int(self.nights["recorded"].sum())

    @property
    def outcomes_present(self) -> tuple[str, ...]:
        """Outcome columns with at least one value, in :data:`OUTCOMES` order."""
        return tuple(c for c in OUTCOMES if self.nights[c].notna().any())

    @property
    def regimen_label(self) -> pd.Series:
        """Regimen label of each night.

        ``glycinate@200``, ``glycinate@200x2`` (split), ``placebo`` or ``none``.
        """
        labels = [
            Regimen(form, mg, bool(split)).label
            for form, mg, split in zip(self.nights["form"], self.nights["elemental_mg"],
                                       self.nights["split"], strict=True)
        ]
        return pd.Series(labels, index=self.nights.index, name="regimen")

    def regimen_counts(self) -> dict[str, int]:
        """Count recorded nights per regimen label, in order of first appearance."""
        labels = self.regimen_label[self.nights["recorded"]]
        return {str(k): int(v) for k, v in labels.value_counts(sort=False).items()}

    def segments(self) -> pd.DataFrame:
        """Return the runs of consecutive nights with the same regimen (gap nights included).

        Returns
        -------
        pandas.DataFrame
            Columns start, end, label, form, elemental_mg, split, n_nights, n_recorded.

        """
        labels = self.regimen_label
        run = (labels != labels.shift()).cumsum().to_numpy()
        frame = self.nights.assign(label=labels.to_numpy(), run=run,
                                   day=self.nights.index)
        grouped = frame.groupby("run", sort=True)
        return pd.DataFrame({
            "start": grouped["day"].min(),
            "end": grouped["day"].max(),
            "label": grouped["label"].first(),
            "form": grouped["form"].first(),
            "elemental_mg": grouped["elemental_mg"].first(),
            "split": grouped["split"].first(),
            "n_nights": grouped.size(),
            "n_recorded": grouped["recorded"].sum().astype(int),
        }).reset_index(drop=True)

    def append(self, new_nights: pd.DataFrame | Diary) -> Diary:
        """Return a new diary with later nights added (validated like :func:`read_diary`).

        Raises
        ------
        DiaryError
            When the new nights are invalid or a new date is not after the last date.

        """
        new = new_nights if isinstance(new_nights, Diary) else read_diary(new_nights)
        last = self.nights.index.max()
        recorded = new.nights[new.nights["recorded"]]
        early = recorded.index[recorded.index <= last]
        if len(early):
            rows = _row_numbers(new_nights)
            raise DiaryError([Fault(new.source, f"row {rows.get(day, '?')}, column date",
                                    f"expected a date after {last.date()} (the diary's last "
                                    f"night), got {day.date()}") for day in early])
        own = self.nights[self.nights["recorded"]]
        combined = pd.concat([own, recorded])
        nights = _timeline(combined.drop(columns=["recorded", "gi_night"]))
        warnings = tuple(w for w in self.warnings + new.warnings if "missing between" not in w)
        return replace(self, nights=nights,
                       warnings=warnings + tuple(_gap_warning(nights, self.source)))
