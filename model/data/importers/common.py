"""What every importer shares: the night a sleep belongs to, one sleep per night, the table.

An importer turns a tracker's export into :class:`SleepPeriod` records (one per sleep the
tracker logged, naps included, each with its start and end) and hands them to
:func:`~.nights.nights_table`, which makes one sleep per night and returns the diary rows of
the README's diary as text cells.

Rules shared by all sources (README, "Bring your own data"):

- **The night** of a sleep is the date of its local start time shifted back 12 hours
  (:func:`night_of`): a sleep that starts at 23:40 on 3 March or at 01:15 on 4 March both
  belong to the night of 3 March, the CONTRACT's "date the night began". Local means the
  wall-clock time the tracker wrote, so a night across a daylight-saving change keeps its
  date, and durations come from the tracker (or from times with their UTC offsets).
- **One sleep per night**, a night split by a long awakening joined, duplicates dropped:
  :mod:`~.nights`.
- Each value is checked against the diary's range; a fault names the file and the record.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd

from model.core.errors import Fault, InputError
from model.core.input_files import MB, read_input
from model.data.diary_rows import NUMERIC
from model.data.file_kinds import HTML, JSON, XML, ZIP, wrong_kind
from model.data.form_cells import collapsed
from model.data.importers.unread import import_csv, supplements, unread_warnings
from model.data.separators import decimal_points, read_text

EXPORT_CAP = 500 * MB
"""The most bytes a tracker's CSV or JSON export is read to (a diary's cap is 50 MB): ten years
of Oura or Fitbit JSON are tens of MB, and ``json`` holds several times the file in memory;
``/dev/zero`` given as an export read until memory ran out (an outside audit)."""

NOON_SHIFT = dt.timedelta(hours=12)
"""A sleep starting before noon belongs to the night that began the evening before."""

SHOWN = 3
"""How many dates or records a warning names before "and N more"."""


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


def in_zone(moment: dt.datetime, name: str) -> dt.datetime | None:
    """``moment`` on the clock of the time zone ``name``, at a fixed UTC offset (None: unknown).

    Apple writes every date in the exporting phone's zone, the zone a sleep was recorded in
    only in its ``HKTimeZone``: a traveller's Singapore nights, exported in London, began at
    15:14 and were written day sleeps (a traveller's audit, /tmp/w55/t T2). The offset is
    fixed, as an export's are: two times of one ``ZoneInfo`` subtract on the wall clock, which
    loses a daylight-saving hour.
    """
    try:
        zone = ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder ("Europe")
        return None
    there = moment.astimezone(zone)
    return there.replace(tzinfo=dt.timezone(there.utcoffset() or dt.timedelta(0)))


def few(items: Sequence[str], most: int = SHOWN) -> str:
    """The first ``most`` items joined by commas, then "and N more" for the rest."""
    shown = ", ".join(items[:most])
    return shown + (f" and {len(items) - most} more" if len(items) > most else "")


def elapsed(earlier: dt.datetime, later: dt.datetime) -> dt.timedelta:
    """Time from one moment to another; wall clocks when only one of them has an offset."""
    if (earlier.tzinfo is None) != (later.tzinfo is None):
        return later.replace(tzinfo=None) - earlier.replace(tzinfo=None)
    return later - earlier


@dataclass(frozen=True)
class SleepPeriod:
    """One sleep a tracker logged.

    Parameters
    ----------
    night : datetime.date
        The night it belongs to (:func:`night_of`).
    start : datetime.datetime
        Local start, to recognise the same sleep twice and to order the sleeps of a night.
    end : datetime.datetime
        Its end (with the start's offset, if any), to join sleeps split by an awakening.
    asleep_min : float
        Minutes asleep (the longest main sleep of a night is kept; NaN counts as 0).
    main : bool
        Whether the tracker calls it the main sleep (False for naps).
    values : dict of str to float
        Diary columns (``sol_min``, ``awakenings``, ``waso_min``, ``quality``, ...); NaN or
        absent = the tracker cannot say.
    notes : tuple of str
        What the reader did to its values, counted over the nights kept in a warning
        (``"auto-detected night(s): ..."`` becomes ``"fitbit: 12 auto-detected night(s): ..."``).
    nap : bool
        Whether the tracker itself labels it a nap (Oura's ``type`` ``sleep``), not only "not
        the main sleep" (Fitbit's second part of a split night): never joined to the night
        it follows.
    """

    night: dt.date
    start: dt.datetime
    end: dt.datetime
    asleep_min: float
    main: bool
    values: Mapping[str, float] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    nap: bool = False

    def key(self) -> tuple[Any, ...]:
        """What makes two records the same sleep."""
        return (self.start.replace(tzinfo=None), round(self.asleep_min, 3),
                tuple(sorted((k, None if math.isnan(v) else v) for k, v in self.values.items())))

    @property
    def asleep(self) -> float:
        """Minutes asleep, 0 when unknown (to compare sleeps)."""
        return 0.0 if math.isnan(self.asleep_min) else self.asleep_min


@dataclass
class Faults:
    """Faults of one import, collected over every record before raising.

    ``skipped`` holds the records left out without a fault (reason -> their places), for a
    warning: a record is never dropped without a word.
    """

    items: list[Fault] = field(default_factory=list)
    skipped: dict[str, list[str]] = field(default_factory=dict)

    def add(self, file: str, where: str, message: str) -> None:
        """Record one fault."""
        self.items.append(Fault(file, where, message))

    def skip(self, file: str, where: str, reason: str) -> None:
        """Record a record left out (not a fault), for :meth:`warnings`."""
        self.skipped.setdefault(reason, []).append(f"{file} {where}")

    def warnings(self) -> list[str]:
        """One warning per reason a record was left out, naming the first few."""
        return [f"{len(places)} record(s) left out, {reason}: {few(places)}"
                for reason, places in self.skipped.items()]

    def raise_any(self) -> None:
        """Raise an InputError with every fault, when there is one (alike ones said once).

        :func:`~model.data.form_cells.collapsed`: a fault repeated on many rows is one.
        """
        if self.items:
            raise InputError(collapsed(self.items))


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
    """Fault each value outside its diary column's range (the README).

    Each fault's place is ``where`` and the diary column, or with ``sources`` (diary column
    -> the file's own column) ``column <source> (as <diary column>)``.
    """
    for column, value in values.items():
        allowed = NUMERIC[column]
        if not math.isnan(value) and not allowed.accepts(value):
            place = (f"{where}, column {sources[column]} (as {column})" if sources
                     else f"{where}, {column}")
            faults.add(file, place, f"expected {allowed.describe()}, got {value:g}")


def above_range(values: Mapping[str, float], file: str, where: str,
                faults: Faults) -> tuple[dict[str, float], tuple[str, ...]]:
    """A device's values with counts above their diary column's range left blank, and notes.

    A tracker's count above the range (a restless night's 53 wakes) is a measurement the
    diary cannot hold, not a typo to correct: it is left blank and counted in a warning. Any
    other value out of range (a negative count, minutes beyond 12 hours: a wrong unit or a
    broken record) is a fault, as in :func:`check_ranges`.
    """
    kept, notes = blank_above(values, whole_only=True)
    check_ranges(kept, file, where, faults)
    return kept, notes


def blank_above(values: Mapping[str, float],
                 whole_only: bool) -> tuple[dict[str, float], tuple[str, ...]]:
    """Values above their diary column's range made NaN, with a note each.

    ``whole_only``: counts only (a value in minutes above the range is then left as it is).
    """
    kept, notes = dict(values), []
    for column, value in values.items():
        allowed = NUMERIC.get(column)
        if allowed is not None and (allowed.whole or not whole_only) \
                and not math.isnan(value) and value > allowed.high:
            kept[column] = math.nan
            notes.append(f"night(s) with {column} above the diary's range "
                         f"({allowed.describe()}): left blank")
    return kept, tuple(notes)


def local_time(raw: object, file: str, where: str, faults: Faults) -> dt.datetime | None:
    """An ISO 8601 date-time of an export (with or without an offset), or a fault and None."""
    try:
        return dt.datetime.fromisoformat(str(raw))
    except ValueError:
        faults.add(file, where, f"expected an ISO date-time like 2024-03-01T23:20:00, got "
                   f"{raw!r}")
        return None


def end_of(start: dt.datetime, raw_end: object, minutes: float, file: str, where: str,
           faults: Faults) -> dt.datetime:
    """A sleep's end: the export's ISO end time when it has one, else ``start`` + ``minutes``.

    ``minutes`` (the sleep's length as the export gives it; NaN counts as 0) is the fallback
    for exports without an end time. An end before the start is a fault (:func:`ends_after`).
    """
    if raw_end is not None and str(raw_end).strip():
        end = local_time(raw_end, file, where, faults) or start
        ends_after(start, end, file, where, faults)
        return end
    return start + dt.timedelta(minutes=0.0 if math.isnan(minutes) else minutes)


def ends_after(start: dt.datetime, end: dt.datetime, file: str, where: str,
               faults: Faults) -> bool:
    """Whether a record's sleep ends no earlier than it begins; if not, a fault naming both.

    A sleep that ends before it begins is a broken record: it stops the import as a negative
    count does (the README), instead of giving a night (an outside audit).
    """
    if elapsed(start, end) >= dt.timedelta(0):
        return True
    faults.add(file, where, f"expected the end of the sleep after its start "
               f"({start.isoformat(sep=' ')}), got {end.isoformat(sep=' ')}, before it: a "
               "broken record (export it again, or delete it)")
    return False


def duration(raw: Any, file: str, where: str, faults: Faults, scale: float = 1.0) -> float:
    """A record's length or time asleep (:func:`number`); a negative one is a fault (NaN)."""
    value = number(raw, file, where, faults, scale)
    if value < 0:
        faults.add(file, where, f"expected a duration of 0 or more, got {raw!r}: a broken "
                   "record (export it again, or delete it)")
        return math.nan
    return value


def load_json(path: str | Path, what: str = "a JSON export") -> Any:
    """Parse a JSON file; a malformed one is an InputError naming the file and the fault.

    A UTF-8 byte-order mark (as some editors and Windows tools write) is allowed. A zip
    archive (:func:`~model.data.file_kinds.wrong_kind`, a cut-short one said so) or a file
    that is not UTF-8 text is refused naming the file and ``what`` it should be: among a
    wildcard of hundreds of files, "a file you gave is not UTF-8" named none (an outside audit).
    """
    if fault := wrong_kind(path, what, (ZIP,)):
        raise InputError([fault])
    try:
        return json.loads(read_input(path, what, cap=EXPORT_CAP).decode("utf-8-sig"))
    except json.JSONDecodeError as error:
        raise InputError([Fault(str(path), f"line {error.lineno}, column {error.colno}",
                                f"expected JSON, got: {error.msg}")]) from None
    except UnicodeDecodeError as error:
        raise InputError([Fault(str(path), "", f"expected {what} as UTF-8 text, got the byte "
                                f"0x{error.object[error.start]:02x} ({error.reason}): not a "
                                "JSON file, or one saved in another encoding (save it as "
                                "UTF-8)")]) from None


def read_csv(path: str | Path) -> pd.DataFrame:
    """A CSV file as text cells; an unreadable one is an InputError naming the file.

    Read as the diary reader reads its file (:func:`model.data.separators.read_text`): the
    separator found from the header; a byte that is not UTF-8 or a row with more fields than
    the header or fewer named by data row and column; in a file separated by ``;`` or a tab a
    number with a decimal comma (``14,5``) read as ``14.5``. A zip archive, a JSON file or an
    HTML or XML page is refused as such (:func:`~model.data.file_kinds.wrong_kind`), not as a
    CSV with a byte that is not UTF-8 or rows of too many fields.
    """
    if fault := wrong_kind(path, "a CSV file", (ZIP, JSON, HTML, XML)):
        raise InputError([fault])
    text = read_text(path, "a CSV file with a header line", cap=EXPORT_CAP)
    if faults := text.field_faults():
        raise InputError(faults)
    return decimal_points(text.table(), text.sep)


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


def not_sleep_data(path: Path, records: list[dict[str, Any]], what: str,
                   fields: Sequence[str]) -> InputError:
    """The error of a file whose records are not the source's sleep.

    One fault naming the fields expected and those found (a ``heart_rate-*.json`` in a
    wildcard gave one fault a record, thousands).
    """
    found = list(dict.fromkeys(str(key) for record in records for key in record))
    return InputError([Fault(str(path), "", f"not {what}: expected records with "
                             f"{', '.join(fields)}; found fields: {few(found, 8) or 'none'}")])


def read_periods(paths: list[Path], records: Callable[[Path], list[dict[str, Any]]],
                 period: RecordReader,
                 used: Collection[str]) -> tuple[list[SleepPeriod], list[str]]:
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
    used : collection of str
        The fields the reader reads: of a CSV every other column is named in a warning, of
        a JSON export every other field that looks like a diary column
        (:func:`~.unread.unread_warnings`; how to bring it in: :func:`~.unread.import_csv`
        with ``bedtime_start``, the one CSV a tracker's reader takes, or ``--supplements``).

    Returns
    -------
    periods : list of SleepPeriod
    warnings : list of str
        Records left out without a fault (:meth:`Faults.skip`), by reason, and what was not
        read.

    """
    faults, periods, unread = Faults(), [], list[str]()
    for path in paths:
        listed = records(path)
        tabular = path.suffix.lower() == ".csv"
        unread += unread_warnings(str(path), (k for r in listed for k in r), used,
                                  tabular=tabular, how=import_csv(str(path), "bedtime_start")
                                  if tabular else supplements)
        for index, record in enumerate(listed, start=1):
            before = len(faults.items)
            found = period(record, str(path), index, faults)
            if found is not None and len(faults.items) == before:
                periods.append(found)
    faults.raise_any()
    return periods, faults.warnings() + unread


def format_cell(value: float) -> str:
    """A diary cell: blank for NaN, whole numbers without decimals, else one decimal."""
    if math.isnan(value):
        return ""
    return f"{value:.0f}" if abs(value - round(value)) < 1e-9 else f"{value:.1f}"
