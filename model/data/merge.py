"""Merging nights into a diary file and writing it back safely.

:func:`merge_rows` adds new nights to a diary's rows without losing any: a night already in
the diary keeps every value it has and gains the cells it lacked; a cell that differs is kept
as it is (and named in the report) unless ``overwrite``. :func:`write_diary` checks the
result with the diary reader (:func:`model.data.diary.read_diary`) before anything is
written, keeps the previous file as ``<name>.bak`` and replaces the diary atomically.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from model.core.atomic import match_permissions, write_text
from model.core.errors import DiaryError, Fault, InputError, PriorsError
from model.core.forms import canonical_form
from model.core.outcomes import DEVICE_MEASURED, SPECS
from model.data.devices import DEVICE, device_name
from model.data.diary import read_diary
from model.data.diary_rows import (
    KNOWN_COLUMNS,
    NUMERIC,
    column_keys,
    dose_warnings,
    normalise_columns,
    read_table,
    repeated_nights,
)
from model.data.form_cells import collapsed, unit_dropped
from model.data.night_dates import as_date
from model.data.separators import decimal_commas, mark_number, separator


@dataclass(frozen=True)
class Difference:
    """A cell whose new value differed from the diary's."""

    date: str
    column: str
    diary: str
    new: str
    devices: tuple[str, str] = ("", "")
    """The night's device in the diary and in the new nights ("" unnamed)."""


SHOWN_DIFFERENCES = 3
"""Differing cells a report names before "and N more"."""


@dataclass(frozen=True)
class MergeReport:
    """What a merge did.

    Parameters
    ----------
    added : int
        New nights.
    filled : int
        Nights already in the diary that gained values.
    differences : tuple of Difference
        Cells whose new value differed from the diary's, by date.
    overwrote : bool
        Whether those cells took the new value (``overwrite``) or kept the diary's.
    compared : int
        Cells where both the diary and the new nights have a value (the differing ones
        among them).
    """

    added: int
    filled: int
    differences: tuple[Difference, ...] = ()
    overwrote: bool = False
    compared: int = 0

    @property
    def conflicts(self) -> int:
        """How many cells differed."""
        return len(self.differences)

    def describe(self) -> str:
        """One line for people, naming the first differing cells (night, column, values)."""
        line = (f"{self.added} new night(s), {self.filled} existing night(s) completed, "
                f"{self.conflicts} differing value(s) "
                + ("replaced" if self.overwrote else "kept as they were"))
        if not self.differences:
            return line
        named = [f"{d.date} {d.column}: diary {d.diary}, new {d.new}"
                 for d in self.differences[:SHOWN_DIFFERENCES]]
        more = self.conflicts - len(named)
        hint = "" if self.overwrote else "; --overwrite takes the new values"
        return (f"{line} ({'; '.join(named)}" + (f"; and {more} more" if more else "")
                + f"{hint})")


def read_rows(path: str | Path) -> pd.DataFrame:
    """A diary file's rows as text cells with normalised column names (checked later).

    Raises
    ------
    DiaryError
        When a date is given on two rows: merging keys the rows by date, so one of them
        would be lost without a word (``log`` and ``import`` dropped it).
    """
    table, name = read_table(path)
    rows = normalise_columns(table, name)[0].astype(str)
    devices = rows[DEVICE].map(device_name) if DEVICE in rows else [""] * len(rows)
    faults = repeated_nights(name, [(day or None, device) for day, device in zip(
        rows["date"].str.strip(), devices, strict=True)],
        ": keep one row per night (merge the two by hand), then run it again")
    if faults:
        raise DiaryError(collapsed(list(faults.values())))
    return rows


def read_checked_rows(path: str | Path) -> tuple[pd.DataFrame, list[str]]:
    """:func:`read_rows` of a file checked on its own by the diary reader; its dose warnings.

    For a file merged into a diary (a supplements log): a fault is reported with this file's
    rows and columns, not those of the merged diary. The log is read without its diary
    warnings (it has no sleep to warn of), but its doses are warned of as a diary's are
    (:func:`~model.data.diary_rows.dose_warnings`: above the ceiling, too small, a digit
    off; rows are the log's data rows): ``import --supplements`` of glycinate at 900 mg a
    night said nothing while ``log --mg 900`` warned (a safety-case audit, /tmp/w47/A F2).

    Raises
    ------
    DiaryError
        Every fault of the file.
    """
    doses = read_diary(path, warn=False).nights["elemental_mg"]
    rows = read_rows(path)
    at = {pd.Timestamp(day): row for row, value in enumerate(rows["date"], start=1)
          if (day := as_date(value)) is not None}
    return rows, dose_warnings(doses[doses.index.isin(list(at))], str(path), at)


def _blank(value: object) -> bool:
    return str(value).strip().lower() in ("", "na", "n/a", "nan")


def _same(a: object, b: object, column: str = "") -> bool:
    """Whether two cells say the same.

    ``30`` and ``30.0`` do; in ``form``, so do two spellings of one form (``Mg bisglycinate``
    and ``glycinate``); in a 0/1 column, ``x`` and ``1`` (:func:`~.separators.mark_number`);
    in a column of mg, ``200 mg`` and ``200`` (:func:`~.form_cells.unit_dropped`).
    """
    left, right = (unit_dropped(column, str(cell).strip()) for cell in (a, b))
    if column == "form" and canonical_form(left) is not None:
        return canonical_form(left) == canonical_form(right)
    if column in NUMERIC and NUMERIC[column].binary and mark_number(left) is not None:
        return mark_number(left) == mark_number(right)
    try:
        return left == right or float(left) == float(right)
    except ValueError:
        return False


MEASURED = frozenset(SPECS[o].column for o in DEVICE_MEASURED)
"""The columns whose values a tracker measures (on a scale of its own)."""


def merge_rows(existing: pd.DataFrame | None, new: pd.DataFrame, overwrite: bool = False,
               device: str = "") -> tuple[pd.DataFrame, MergeReport]:
    """Merge new nights (text cells, ``date`` first) into a diary's rows.

    ``device``: the source of the new nights that name none in a column device (an import's
    tracker). A night whose tracker values (:data:`MEASURED`) the new ones replace
    (``overwrite``) names the new night's source in column device: it kept ``fitbit`` over
    Oura's values (an outside audit), and the model read them on Fitbit's scale.

    Returns
    -------
    rows : pandas.DataFrame
        Every row of both, one per date, sorted by date; known columns in CONTRACT order,
        then the diary's other columns.
    report : MergeReport

    """
    old = existing if existing is not None else pd.DataFrame(columns=["date"])
    rows = {str(r["date"]).strip(): dict(r) for r in old.astype(str).to_dict("records")}
    added = filled = compared = 0
    differences: list[Difference] = []
    for record in new.astype(str).to_dict("records"):
        day = str(record["date"]).strip()
        if day not in rows:
            rows[day], added = dict(record), added + 1
            continue
        changed, given, found = _merge_night(rows[day], record, overwrite, device)
        filled, compared = filled + changed, compared + given
        differences += found
    stamped = [DEVICE] if any(DEVICE in row for row in rows.values()) else []
    extra = [c for c in (*old.columns, *new.columns) if c not in KNOWN_COLUMNS]
    columns = [c for c in KNOWN_COLUMNS if c in (*old.columns, *new.columns, *stamped)]
    columns += list(dict.fromkeys(extra))
    table = pd.DataFrame([rows[d] for d in sorted(rows)], columns=columns).fillna("")
    return table, MergeReport(added, filled, tuple(differences), overwrite, compared)


def _merge_night(row: dict[Hashable, Any], record: dict[Hashable, Any], overwrite: bool,
                 device: str) -> tuple[bool, int, list[Difference]]:
    """Merge a new night's ``record`` into the diary's ``row`` of that night, in place.

    Returns whether ``row`` gained a value, the cells compared and the differing ones.
    """
    day = str(record["date"]).strip()
    theirs = device_name(record.get(DEVICE, "")) or device
    ours = device_name(row.get(DEVICE, ""))
    changed, compared, differences = False, 0, []
    for column, value in record.items():
        if _blank(value) or column == "date":
            continue
        if _blank(row.get(column, "")):
            row[column], changed = value, True
            continue
        compared += 1
        if not _same(row[column], value, str(column)):
            differences.append(Difference(day, str(column), str(row[column]).strip(),
                                          str(value).strip(), (ours, theirs)))
            if overwrite:            # counted as a differing value replaced, not gained
                row[column] = value
                if column in MEASURED and theirs:
                    row[DEVICE] = theirs
    return changed, compared, differences


FOREIGN_COMPARED = 10
"""Values compared (the diary's and the new nights' on the same night and column) from which
:func:`check_same_nights` judges whether the new nights are the diary's at all."""


def check_same_nights(report: MergeReport, diary: str, new: str,
                      before: pd.DataFrame | None = None,
                      nights: pd.DataFrame | None = None) -> None:
    """Refuse new nights whose values mostly disagree with the diary's on the same nights.

    Rule: of at least :data:`FOREIGN_COMPARED` values compared, more than half differ. Then
    the export is most likely not of this diary's person or nights (another person's export,
    or its nights dated a day off): merging it completed the diary's nights with another
    person's values (the couple audit: 96 of 120 differed, merged with exit 0, and the next
    ``mgsleep log`` replaced the ``.bak`` that could undo it). With ``overwrite`` the person
    said the new values are to be taken: not refused. When every differing night names
    another device in the diary (``before``) than in the new ``nights``, it is said as a
    second tracker (:func:`_second_tracker`), not as another person's export.

    Raises
    ------
    InputError
        Naming the count, the first differing values, the likely cause and what to do.

    """
    if (report.overwrote or report.compared < FOREIGN_COMPARED
            or 2 * report.conflicts <= report.compared):
        return
    named = "; ".join(f"{d.date} {d.column}: diary {d.diary}, new {d.new}"
                      for d in report.differences[:SHOWN_DIFFERENCES])
    cause = _second_tracker(report, before, nights) or (
        "most likely another person's export, or another period's or nights dated a day off "
        f"(--date-is), not this diary's; nothing was written. If it is of the nights of "
        f"{diary} and its values are the right ones, --overwrite takes them")
    raise InputError([Fault(new, "", (
        f"{report.conflicts} of the {report.compared} values it gives for nights already in "
        f"{diary} differ from the diary's ({named}; ...): {cause}"))])


def _second_tracker(report: MergeReport, before: pd.DataFrame | None,
                    nights: pd.DataFrame | None) -> str | None:
    """What to do with the nights of a second tracker, or None when the devices do not say so.

    Each differing night must name a device in the diary and another in the new nights (the
    same or no device: another person's, as before). A person who changed tracker was told
    the Oura export of her own nights was "most likely another person's" and only of
    ``--overwrite``, which kept ``fitbit`` on Oura's values (an outside audit). ``--since``
    the night after the diary's last of its tracker keeps the two apart.
    """
    pairs = {d.devices for d in report.differences}
    ours = list(dict.fromkeys(a for a, _ in pairs))
    theirs = list(dict.fromkeys(b for _, b in pairs))
    if before is None or DEVICE not in before or not all(a and b and a != b for a, b in pairs) \
            or set(ours) & set(theirs):
        return None
    days = [d for day, cell in zip(before["date"], before[DEVICE], strict=True)
            if device_name(cell) in ours and (d := as_date(day)) is not None]
    if not days:
        return None
    after = (max(days) + dt.timedelta(days=1)).isoformat()
    later = nights is not None and nights["date"].astype(str).str.strip().ge(after).any()
    a, b = ", ".join(ours), ", ".join(theirs)
    first = min(d.date for d in report.differences)
    options = [f"to keep the diary's {a} nights and take {b}'s from the night after its "
               f"last: --since {after}"] if later else []
    options.append(f"to take {b}'s values on the nights both measured (from {first}; column "
                   f"device then names {b} there): --overwrite")
    said = "; or ".join(options)
    return (f"most likely a second tracker over the same nights ({a} in the diary, {b} in "
            "this export), each measuring on a scale of its own; nothing was written. "
            f"{said[0].upper()}{said[1:]}. The model fits one level shift between the two "
            "trackers: a switch far from a change of regimen is told apart from it best")


@dataclass(frozen=True)
class Source:
    """One input of a merge, so that a fault of the merged rows names where its value came from.

    Parameters
    ----------
    name : str
        The input as a message names it (a file).
    rows : pandas.DataFrame
        Its rows as merged: text cells, ``date`` first.
    columns : mapping of str to str
        Diary column -> the input's own column, where they differ (``--map form=Supp``).
    by_night : bool
        Name a row by its night (an export's nights are not its file's rows: records are
        joined, sorted, left out), else by its 1-based data row.
    """

    name: str
    rows: pd.DataFrame
    columns: Mapping[str, str] = field(default_factory=dict)
    by_night: bool = False

    @cached_property
    def _rows_by_date(self) -> dict[str, int]:
        """The 0-based row of each night (its first)."""
        rows: dict[str, int] = {}
        for row, day in enumerate(self.rows["date"]):
            rows.setdefault(str(day).strip(), row)
        return rows

    def place(self, day: str, column: str, value: str) -> str | None:
        """Where in this input night ``day``'s ``column`` is (None: it gave no such value).

        A blank ``value`` (a cell the diary reader missed) is placed in the input that has
        the night at all; another value in the input whose cell says the same.
        """
        row = self._rows_by_date.get(day)
        if row is None:
            return None
        if not _blank(value):
            own = self.rows[column].iloc[row] if column in self.rows.columns else ""
            if _blank(own) or not _same(own, value, column):
                return None
        where = f"night {day}" if self.by_night else f"row {row + 1}"
        return f"{where}, column {self.columns.get(column, column)}"


_CELL = re.compile(r"^row (\d+), column (.+)$")
"""A fault's place in a table: ``row 3, column sol_min``."""


def _blamed(fault: Fault, rows: pd.DataFrame, path: str | Path,
            sources: Sequence[Source]) -> Fault:
    """``fault`` of the merged ``rows`` named in the input its value came from, if one did."""
    found = _CELL.match(fault.where)
    if found is not None and int(found[1]) <= len(rows):
        merged = rows.iloc[int(found[1]) - 1]
        day, column = str(merged["date"]).strip(), found[2]
        value = str(merged[column]) if column in rows.columns else ""
        for source in sources:
            if (place := source.place(day, column, value)) is not None:
                return Fault(source.name, place, fault.message)
    return Fault(f"{path} (not written)", fault.where, fault.message)


def check_rows(rows: pd.DataFrame, path: str | Path, sources: Sequence[Source] = ()) -> None:
    """Validate rows as the diary reader does, before ``path`` is written.

    A fault is named in the first of ``sources`` its value came from (the diary as it is,
    then an export, then a supplements log: that file's row or night, and its column), else
    in ``path`` at the row it would have.

    A night with outcomes dated after today is refused, as :func:`read_diary` refuses it in a
    file (a table is not checked so unless told the day).

    Raises
    ------
    DiaryError
        Every fault.
    PriorsError
        A fault of the priors the rows are read with (``compound_mg`` converted by
        ``elemental_fractions.csv``), as it is: its file and line, not the diary's.

    """
    try:
        read_diary(rows, today=dt.date.today(), warn=False)
    except PriorsError:
        raise     # a fault of the priors (elemental_fractions.csv), named in its own file
    except InputError as error:
        raise DiaryError([_blamed(f, rows, path, sources) for f in error.faults]) from None


def own_headers(path: Path) -> dict[str, str]:
    """The diary file's own header of each column it has, by the column it is read as.

    ``DaySleep`` for ``day_sleep``: ``mgsleep log`` and ``import`` wrote a diary's headers
    back as their column names without a word (a shift worker's audit, /tmp/w54/s S12).
    """
    names = [str(c) for c in read_table(path)[0].columns]
    return dict(zip(column_keys(names), names, strict=True))


def write_diary(rows: pd.DataFrame, path: str | Path, sources: Sequence[Source] = (),
                like: Iterable[str | Path | None] = ()) -> Path | None:
    """Check the rows, keep the previous file as ``<name>.bak`` and write the diary atomically.

    The backup is the previous file byte for byte; the new file keeps its byte-order mark,
    line endings, separator (a ``;`` diary keeps its decimal commas, and so does a
    tab-separated one that has some) and headers (:func:`own_headers`), so a diary Excel
    saved stays one Excel reads, accents included.

    ``sources`` name a fault where its value came from (:func:`check_rows`). ``like``: the
    files the rows come from (an import's exports), than which a new diary is no more open
    (:func:`model.core.atomic.write_all`); a diary replaced keeps its mode, and its backup
    is never more open than it, not even while written.

    Returns
    -------
    Path or None
        The backup, when there was a previous file.

    """
    check_rows(rows, path, sources)
    target = Path(path)
    backup, start, newline, sep, before = None, "", "\n", ",", ""
    if target.exists():
        rows = rows.rename(columns=own_headers(target))
        backup = target.with_name(target.name + ".bak")
        with open(target, encoding="utf-8", newline="") as handle:   # as it is, CRLF and BOM
            before = handle.read()
        write_text(backup, before, like=[target])
        match_permissions(backup, target)    # a private diary's backup is as private
        start = "\ufeff" if before.startswith("\ufeff") else ""
        newline = "\r\n" if before.split("\n", 1)[0].endswith("\r") else "\n"
        sep = separator(target)
    text = decimal_commas(rows, sep, before).to_csv(index=False, lineterminator=newline,
                                                    sep=sep)
    write_text(target, start + text, like=like)
    return backup
