"""Diary rows: from a CSV file or a table to typed, validated recorded nights.

The cell rules of the README (see :mod:`model.data.diary` for the conventions): each cell is
parsed and checked against its column's range, the dose against the form, every fault is
collected, and :func:`parse_rows` raises them together as one :class:`DiaryError`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from model.core.errors import DiaryError, Fault
from model.core.forms import FORMS, NONE, PLACEBO, canonical_form, elemental_fractions
from model.core.regimen import LEAST_SUPPLEMENT_MG, grams_meant, small_dose
from model.data.blank_rows import row_ranges
from model.data.column_words import (
    check_usable,
    gi_faults,
    header_words,
    named_column,
    read_as_note,
    read_by_words,
    regimen_faults,
    unread_hint,
)
from model.data.devices import DEVICE, device_name, device_problem
from model.data.diary_columns import GUESS_COLUMN, KNOWN_COLUMNS, NUMERIC, is_missing
from model.data.diary_columns import MISSING_WORDS as MISSING_WORDS  # its readers' name for it
from model.data.form_cells import SHOWN, as_needed_notes, collapsed, unit_dropped, unknown_form
from model.data.night_dates import MAX_SPAN_NIGHTS, as_date, date_problem
from model.data.night_dates import given_date as given_date  # its importers' name for it
from model.data.separators import (
    cell_number,
    column_key,
    decimal_comma,
    decimal_points,
    quoted,
    read_cells,
    thousands,
)
from model.data.yes_no import WORDS_SAID, yes_no

_THREE_DECIMALS = re.compile(r"^\s*[1-9]\d{0,2}[.,]\d{3}\s*$")
"""``1,600``: a decimal mark, or a thousands separator (a dose read as 1.6 that was 1600)?"""
_AGREE_RELATIVE, _AGREE_ABSOLUTE = 0.05, 1.0
"""``elemental_mg`` and converted ``compound_mg`` agree within 5 % or 1 mg."""


def _show(value: Any) -> str:
    """Show a cell in a message, text as the file has it (``'1,79'``, not ``'1.79'``)."""
    if is_missing(value):
        return "blank"
    return quoted(value) if isinstance(value, str) else repr(value)


@dataclass
class _RowParser:
    """Parses one row into typed values, appending faults.

    ``sep`` is the file's separator (decimal commas, thousands separators); without a dose
    column (``dosed`` False) the rows with a form and no dose are kept in ``undosed``, for one
    fault naming the columns (:func:`parse_rows`), not one a row. ``renamed``: the header as
    written of each column read under another name (:data:`RENAMED`), which its faults name.
    """

    file: str
    fractions: Callable[[], dict[str, float]]
    sep: str = ","
    dosed: bool = True
    undosed: list[int] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    renamed: dict[str, str] = field(default_factory=dict)

    def where(self, row: int, column: str) -> str:
        """``row 66, column Period (read as menstruation)``: the header the person wrote."""
        header = self.renamed.get(column)
        return f"row {row}, column " + (f"{header} (read as {column})" if header else column)

    def fault(self, row: int, column: str, message: str) -> None:
        self.faults.append(Fault(self.file, self.where(row, column), message))

    def number(self, row: int, column: str, value: Any) -> float:
        allowed = NUMERIC[column]
        if is_missing(value):
            return math.nan
        if allowed.binary and (said := yes_no(value)) is not None:
            return said             # a Period column of yes and x was refused (/tmp/w56/m M6)
        text = unit_dropped(column, value)         # 200 mg in a column of mg (/tmp/w57/n N10)
        plain = thousands(text, decimal_comma(self.sep)) if isinstance(text, str) else None
        if plain is not None:
            self.fault(row, column, f"{_show(value)} in {column} looks like a thousands "
                       f"separator: write {plain}")
            return math.nan
        number = cell_number(text, self.sep)
        if number is None or not allowed.accepts(number):
            words = f" or a word ({WORDS_SAID})" if allowed.binary else ""
            self.fault(row, column, f"expected {allowed.describe()}{words}, got {_show(value)}")
            return math.nan
        return number

    def parse(
        self, row: int, cells: dict[str, Any]
    ) -> tuple[dt.date | None, dict[str, Any] | None]:
        """Return the row's date and typed values (None when the row has a fault)."""
        before = len(self.faults)
        date = as_date(cells["date"])
        if date is None:
            self.fault(row, "date", date_problem(str(cells["date"]), _show(cells["date"])))
        values = {c: self.number(row, c, cells.get(c)) for c in NUMERIC}
        raw_form = cells.get("form")
        form = NONE if is_missing(raw_form) else canonical_form(str(raw_form))
        if form is None:
            self.fault(row, "form", unknown_form(str(raw_form)))
        elif not any(f.where in (self.where(row, "elemental_mg"), self.where(
                row, "compound_mg")) for f in self.faults[before:]):
            values["elemental_mg"] = self.dose(row, form, values, cells.get("compound_mg"))
        notes = cells.get("notes")
        if (device := device_problem(cells.get(DEVICE))) is not None:
            self.fault(row, DEVICE, device)
        if len(self.faults) > before:
            return date, None
        return date, values | {
            "date": pd.Timestamp(date) if date else None,
            "form": form,
            "split": values["split"] == 1,
            "notes": "" if is_missing(notes) else str(notes),
            DEVICE: device_name(cells.get(DEVICE)),
        }

    def dose(self, row: int, form: str, values: dict[str, float], written: Any) -> float:
        """Elemental mg of a row, checking the form / dose rules (one fault per bad dose).

        ``written``: the compound_mg cell as the file has it, to quote.
        """
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
                elif converted < LEAST_SUPPLEMENT_MG:   # the fault is the compound's, not 0 mg
                    self.fault(row, "compound_mg", f"expected at least {LEAST_SUPPLEMENT_MG:g} "
                               f"mg of elemental magnesium, got {converted:.2g} mg from "
                               f"{_show(written)} mg of {form}: "
                               + (f"a thousands separator? write {re.sub(r'\D', '', str(written))}"
                                  if _THREE_DECIMALS.match(str(written))
                                  else grams_meant(compound)))
                    return math.nan
            elif abs(elemental - converted) > max(_AGREE_ABSOLUTE, _AGREE_RELATIVE * converted):
                self.fault(row, "elemental_mg", f"expected agreement with compound_mg "
                           f"({compound:g} mg of {form} = {converted:.0f} mg elemental), "
                           f"got {elemental:g}")
        if form in FORMS and math.isnan(elemental) and not self.dosed:
            self.undosed.append(row)
        elif form in FORMS and not elemental > 0:
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


MAX_ROWS = MAX_SPAN_NIGHTS
"""The most rows a diary may have: ten years of nights, as many as its span may hold."""


def cell_problem(column: str, value: str) -> str | None:
    """What the diary reader would say of ``value`` in ``column`` alone (None: it reads).

    For ``mgsleep log``'s questions: an answer is checked, and asked again, as it is typed.
    """
    parser = _RowParser("<answer>", elemental_fractions)
    if column in NUMERIC:
        parser.number(1, column, value)
    elif column == "form" and not is_missing(value) and canonical_form(value) is None:
        return unknown_form(value)
    elif column == DEVICE:
        return device_problem(value)
    return parser.faults[0].message if parser.faults else None


def over_ceiling(elemental_mg: float, compound: str = "compound_mg") -> str | None:
    """What to say of a dose above the bundled ceiling: a typo, or taken (None at or under it).

    For ``log`` (``compound``: its option) and :func:`dose_warnings`; a taken dose was a typo.
    """
    from model.evidence.floor import bundled_safety  # here: read when a dose is checked

    ceiling = bundled_safety().ceiling.default_mg_per_day
    if not elemental_mg > ceiling:
        return None
    return (f"{elemental_mg:g} mg of elemental magnesium a day is above the safety ceiling of "
            f"{ceiling:g} mg ({elemental_mg / ceiling:.1f} times); a typo, or the compound's "
            f"weight ({compound})? If it was taken, never more than {ceiling:g} mg a day (less, "
            "or none, if your advice says so) unless a prescriber set the dose (then write "
            "prescribed_magnesium = true in your profile)")


LONE_DOSE = 5.0
"""A night's dose this many times above or below the same dose of the nights either side of
it is named in a warning: a digit typed twice or dropped (20 mg among 200 mg nights)."""


def dose_warnings(doses: pd.Series, name: str, rows: dict[pd.Timestamp, int]) -> list[str]:
    """Warnings naming the rows of doses above the ceiling, too small, or a digit off.

    Too small: under a product's least dose (:func:`~model.core.regimen.small_dose`:
    capsules, grams or mmol meant?); a digit off: each :data:`LONE_DOSE`. ``doses``: the
    elemental mg of each night, indexed by date (:func:`over_ceiling`). 2000 mg among 200 mg
    nights (5.7 times the ceiling), or 20 mg, went in without a word; 20 mg between nights of
    200 mg is said as a digit off, not as a small dose.
    """
    dosed = doses[doses > 0].sort_index()
    before = dosed.shift(1)
    lone = (before == dosed.shift(-1)) & ((dosed >= LONE_DOSE * before)
                                           | (dosed * LONE_DOSE <= before))
    notes = []
    for mg in dosed.unique():
        days = dosed.index[dosed == mg]
        if not (said := over_ceiling(mg)):     # a small dose among others: a digit off
            said, days = small_dose(mg), days[~lone.loc[days].to_numpy()]
        if said and len(days):
            named = ", ".join(f"row {rows.get(day, '?')} ({day.date()})" for day in days[:3])
            notes.append(f"{name}: {named}{f' and {len(days) - 3} more' * (len(days) > 3)}: "
                         f"{said}.")
    return notes + [f"{name}: row {rows.get(day, '?')} ({day.date()}): {dosed[day]:g} mg of "
                    f"elemental magnesium between nights of {before[day]:g} mg: a digit typed "
                    "twice or dropped?" for day in dosed.index[lone]
                    if not over_ceiling(dosed[day])]


def read_table(source: str | Path | pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """The table of :func:`~model.data.separators.read_cells`, decimal commas as points."""
    table, name, sep = read_cells(source, MAX_ROWS)
    return decimal_points(table, sep), name


NEAR_MISS = 0.8
"""How alike (difflib's ratio) an unknown column and an absent diary column are when it is read
as that column, with a warning (``stool_bristl``, ``note``): ignored, a GI rule lost its stool
forms; refused, a diary with ``note`` could not be logged in. Less alike: ignored, warned."""


def unknown_columns(columns: Iterable[object]) -> list[str]:
    """The column names (as the file has them) that are no diary column."""
    return [str(c) for c in columns if column_key(c) not in (*KNOWN_COLUMNS, GUESS_COLUMN)]


def unknown_note(column: str, present: Sequence[str], others: Sequence[str] = ()) -> str:
    """``unknown column 'mood' ignored``, with the diary column meant, if one is close.

    ``present``: the diary columns the table has (keys); only an absent one can be meant.
    ``others``: the other columns not read. The column a header's words name, and why it is
    not read (:func:`~model.data.column_words.unread_hint`), else a near miss of the whole name.
    """
    absent = [c for c in KNOWN_COLUMNS if c not in present]
    close = difflib.get_close_matches(column_key(column), absent, n=1)
    return f"unknown column {column!r} ignored" + (
        unread_hint(column, present, others) or "".join(f" (did you mean {c!r}?)" for c in close))


RENAMED = "renamed"
"""The key of a normalised table's ``attrs`` holding, of each column read under another name,
the header as written (:func:`normalise_columns`): a fault in ``Period`` named "column
menstruation", a name the person never wrote (an outside audit, /tmp/w56/m M6)."""


def normalise_columns(table: pd.DataFrame, name: str) -> tuple[pd.DataFrame, list[str]]:
    """Column names as :func:`column_key` makes them, and warnings for unknown columns.

    An unknown column whose words name a diary column the table lacks
    (:func:`~model.data.column_words.read_by_words`), or a near miss of one (:data:`NEAR_MISS`),
    is read as it, said in a warning (:func:`~model.data.column_words.read_as_note`); the
    header as written of each is kept in the table's ``attrs`` (:data:`RENAMED`). A form cell
    read without its words of when taken is said too (:func:`~.form_cells.as_needed_notes`).

    Raises
    ------
    DiaryError
        A column twice, no date column, another format, a stool or GI column not read, or no
        regimen column and one that looks like it (:func:`~.column_words.check_usable`,
        :func:`~model.data.column_words.gi_faults`, :func:`~.column_words.regimen_faults`).
    """
    names = [str(c) for c in table.columns]
    keys = column_keys(names)
    renamed = table.set_axis(keys, axis=1)
    if renamed.columns.duplicated().any():
        duplicate = renamed.columns[renamed.columns.duplicated()][0]
        raise DiaryError([Fault(name, f"column {duplicate}", "expected each column once, "
                                "got it twice")])
    if "date" not in renamed.columns:
        raise DiaryError([Fault(name, "column date", "expected a date column (YYYY-MM-DD), "
                                "got columns: " + ", ".join(names)
                                + "; another layout or a tracker's export is read by "
                                "`mgsleep import` (see --help)")])
    check_usable(renamed, name)
    unread = [n for n, key in zip(names, keys, strict=True)
              if key not in (*KNOWN_COLUMNS, GUESS_COLUMN)]
    faults = gi_faults(name, [(n, table.iloc[:, i]) for i, n in enumerate(names) if n in unread],
                       keys) + regimen_faults(name, unread, keys)
    if faults:
        raise DiaryError(faults)
    read_as = {key: column for column, key in zip(names, keys, strict=True)
               if column_key(column) != key}
    renamed.attrs[RENAMED] = read_as
    return renamed, [f"{name}: {read_as_note(column, key)}" for key, column in read_as.items()
                     ] + [f"{name}: {unknown_note(column, keys, unread)}" for column in unread
                          ] + as_needed_notes(list(renamed.get("form", [])), name)


def column_keys(names: Sequence[str]) -> list[str]:
    """The diary column each header is read as (its :func:`column_key` when it names none)."""
    return _near_misses_read(read_by_words(names, [column_key(c) for c in names]), names)


def _near_misses_read(keys: list[str], names: Sequence[str]) -> list[str]:
    """``keys`` with each near miss of an absent diary column as that column (once each).

    A header whose words name a diary column (``waso``, ``sleep latency (h)``) is no near
    miss: it is read by its words or not at all (:func:`~.column_words.why_unread` says why).
    """
    absent = [c for c in KNOWN_COLUMNS if c not in keys]
    out = []
    for key, name in zip(keys, names, strict=True):
        close = [] if key in (*KNOWN_COLUMNS, GUESS_COLUMN) or named_column(
            header_words(name)) else difflib.get_close_matches(key, absent, n=1, cutoff=NEAR_MISS)
        out.append(close[0] if close else key)
        absent = [c for c in absent if c not in close]
    return out


TWO_SOURCES = ("keep the row of the source you used before and after, or put the other "
               "tracker's numbers in a diary of their own")
"""What to do with a night two trackers measured: the model reads one row a night."""


def repeated_nights(name: str, nights: Sequence[tuple[object, str]],
                    hint: str = "") -> dict[int, Fault]:
    """The fault of each row giving a night already given, by 1-based data row, in order.

    ``nights``: each data row's night (None: unread, skipped) and device name. Two rows of
    a night naming two devices are said as two trackers over the same nights, with both
    names and what to do (:data:`TWO_SOURCES`); more than :data:`~.form_cells.SHOWN` rows
    alike share one message, to be said once with their rows
    (:func:`~.form_cells.collapsed`). A diary of two trackers worn over 14 nights gave 14
    lines of "expected a date not already used" and no word of the two devices (an outside
    audit). ``hint`` ends the message of rows of one source.
    """
    first: dict[object, int] = {}
    groups: dict[tuple[str, ...], list[tuple[int, int, object]]] = {}
    for row, (night, device) in enumerate(nights, start=1):
        if night is None:
            continue
        if night not in first:
            first[night] = row
            continue
        pair = tuple(sorted({nights[first[night] - 1][1], device}))
        groups.setdefault(pair if len(pair) == 2 and all(pair) else (), []).append(
            (row, first[night], night))
    faults = {row: Fault(name, f"row {row}, column date", _repeated(
        pair, group if len(group) > SHOWN else [(row, was, night)], hint))
        for pair, group in groups.items() for row, was, night in group}
    return dict(sorted(faults.items()))


def _repeated(pair: tuple[str, ...], rows: Sequence[tuple[int, int, object]],
              hint: str) -> str:
    """The message of nights given again: (row, first row, night) each, of one device pair."""
    (row, was, night), days = rows[0], sorted(str(r[2]) for r in rows)
    said = (f"{night} (rows {was} and {row})" if len(rows) == 1
            else f"each of {len(rows)} nights, {days[0]} to {days[-1]}")
    if pair:
        return (f"expected one row per night, got two rows for {said} ({', '.join(pair)}): "
                f"{TWO_SOURCES}")
    if len(rows) == 1:
        return f"expected a date not already used (row {was}), got {night}{hint}"
    return f"expected one row per night, got two rows for {said}{hint}"


def parse_rows(table: pd.DataFrame, name: str, priors_dir: Path | None, sep: str = ",",
               unknown: Sequence[str] = ()) -> pd.DataFrame:
    """Typed recorded nights indexed by date; raises every fault together.

    ``sep``: the file's separator (:func:`read_cells`). ``unknown``: its unknown columns
    (:func:`unknown_columns`), named with the faults, as the warning that names them is not
    shown when the diary is refused (a dose column ``Dosis (mg)`` left out gave 46 faults of
    blank doses, and never its name).
    """
    cache: dict[str, dict[str, float]] = {}

    def fractions() -> dict[str, float]:
        if "f" not in cache:
            cache["f"] = elemental_fractions(priors_dir)
        return cache["f"]

    dosed = bool({"elemental_mg", "compound_mg"} & set(table.columns))
    parser = _RowParser(name, fractions, sep, dosed, renamed=table.attrs.get(RENAMED, {}))
    records: list[dict[str, Any]] = []
    rows = [{str(k): v for k, v in raw.items()} for raw in table.to_dict("records")]
    repeated = repeated_nights(name, [(as_date(cells["date"]), device_name(cells.get(DEVICE)))
                                      for cells in rows])
    for row, cells in enumerate(rows, start=1):
        record = parser.parse(row, cells)[1]
        parser.faults += [repeated[row]] if row in repeated else []
        if record is not None:
            records.append(record)
    if not len(table):
        parser.faults.append(Fault(name, "", "expected at least one night, got no rows"))
    if parser.undosed:
        parser.faults.insert(0, Fault(name, "", "no elemental_mg column" + (
            f": {', '.join(map(repr, unknown))} {'is' if len(unknown) == 1 else 'are'} unknown"
            if unknown else "") + f"; expected a dose for the rows with a form "
            f"({row_ranges(parser.undosed)}): a column elemental_mg (mg of elemental magnesium) "
            "or compound_mg (mg of the compound)"))
    elif parser.faults:
        parser.faults += [Fault(name, "", unknown_note(c, list(table.columns), unknown))
                          for c in unknown]
    if parser.faults:
        raise DiaryError(collapsed(parser.faults))
    return pd.DataFrame.from_records(records).set_index("date")
