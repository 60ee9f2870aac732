"""What every importer shares: the night a sleep belongs to, one sleep per night, the table.

An importer turns a tracker's export into :class:`SleepPeriod` records (one per sleep the
tracker logged, naps included, each with its start and end) and hands them to
:func:`nights_table`, which makes one sleep per night and returns the diary rows of
the README's diary as text cells.

Rules shared by all sources (README, "Bring your own data"):

- **The night** of a sleep is the date of its local start time shifted back 12 hours
  (:func:`night_of`): a sleep that starts at 23:40 on 3 March or at 01:15 on 4 March both
  belong to the night of 3 March, the CONTRACT's "date the night began". Local means the
  wall-clock time the tracker wrote, so a night across a daylight-saving change keeps its
  date, and durations come from the tracker (or from times with their UTC offsets).
- **A night split by a long awakening is one night**: the sleeps that follow a main sleep,
  each starting at most :data:`JOIN_GAP` (3 hours) after the previous one ended, are joined
  to it (:func:`joined`): latency from the main sleep, awakenings summed plus one per gap,
  ``waso_min`` summed plus the minutes of the gaps, time asleep summed. Trackers end a sleep
  after a long awakening (Apple's samples at 90 minutes here, Fitbit and Oura by their own
  rules) and log the rest as another sleep. A run begins with a main sleep, or with a sleep
  of at least :data:`LEAD_MIN_ASLEEP` (90 minutes) the tracker does not call main (Fitbit
  marks only the longer part of a split night): a shorter evening doze before bed stays a
  nap, so it cannot lend the night its latency or add an "awakening" of the hours before
  bed.
- **One sleep per night**: among the (joined) sleeps of a night, those with a sleep the
  tracker calls the main sleep are kept and the longest of them wins; naps and other short
  sleeps are left out (and counted in a warning). A night with naps only gives no row, and
  the warning names its date.
- **Duplicates** (the same sleep twice, as in overlapping exports) are dropped.
- Each value is checked against the diary's range; a fault names the file and the record.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from model.core.errors import Fault, InputError
from model.data.diary_rows import KNOWN_COLUMNS, NUMERIC
from model.data.separators import decimal_points, separator

NOON_SHIFT = dt.timedelta(hours=12)
"""A sleep starting before noon belongs to the night that began the evening before."""

JOIN_GAP = dt.timedelta(hours=3)
"""Sleeps of a night this close (end of one to start of the next) are one night's sleep."""

LEAD_MIN_ASLEEP = 90.0
"""Minutes asleep from which a sleep before the main one is the night's first part, not a
doze: a sleep cycle is about 90 minutes, an evening doze on the sofa is shorter."""

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
    """

    night: dt.date
    start: dt.datetime
    end: dt.datetime
    asleep_min: float
    main: bool
    values: Mapping[str, float] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

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
    kept, notes = _blank_above(values, whole_only=True)
    check_ranges(kept, file, where, faults)
    return kept, notes


def _blank_above(values: Mapping[str, float],
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


def beyond_blank(period: SleepPeriod) -> SleepPeriod:
    """A night with its values above their diary column's range left blank, with a note.

    A restless night's 55 awakenings, counted from a tracker's gaps or summed over the parts
    of a joined night, are left blank as :func:`above_range` leaves a tracker's own counts:
    the night is kept.
    """
    kept, notes = _blank_above(period.values, whole_only=False)
    return replace(period, values=kept, notes=(*period.notes, *notes))


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
    for exports without an end time.
    """
    if raw_end is not None and str(raw_end).strip():
        return local_time(raw_end, file, where, faults) or start
    return start + dt.timedelta(minutes=0.0 if math.isnan(minutes) else minutes)


def load_json(path: str | Path) -> Any:
    """Parse a JSON file; a malformed one is an InputError naming the line and column.

    A UTF-8 byte-order mark (as some editors and Windows tools write) is allowed.
    """
    try:
        with open(path, encoding="utf-8-sig") as handle:
            return json.load(handle)
    except json.JSONDecodeError as error:
        raise InputError([Fault(str(path), f"line {error.lineno}, column {error.colno}",
                                f"expected JSON, got: {error.msg}")]) from None


def read_csv(path: str | Path) -> pd.DataFrame:
    """A CSV file as text cells; an unreadable one is an InputError naming the file.

    The separator is found from the header (:func:`model.data.separators.separator`); in a
    ``;``-separated file a number with a decimal comma (``14,5``) is read as ``14.5``.
    """
    sep = separator(path)
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True,
                            sep=sep, encoding="utf-8-sig")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise InputError([Fault(str(path), "", f"expected a CSV file, got: {message}")]) \
            from None
    return decimal_points(table, sep)


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
                 period: RecordReader) -> tuple[list[SleepPeriod], list[str]]:
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
    periods : list of SleepPeriod
    warnings : list of str
        Records left out without a fault (:meth:`Faults.skip`), by reason.

    """
    faults, periods = Faults(), []
    for path in paths:
        for index, record in enumerate(records(path), start=1):
            before = len(faults.items)
            found = period(record, str(path), index, faults)
            if found is not None and len(faults.items) == before:
                periods.append(found)
    faults.raise_any()
    return periods, faults.warnings()


def format_cell(value: float) -> str:
    """A diary cell: blank for NaN, whole numbers without decimals, else one decimal."""
    if math.isnan(value):
        return ""
    return f"{value:.0f}" if abs(value - round(value)) < 1e-9 else f"{value:.1f}"


def runs(periods: Iterable[SleepPeriod]) -> list[list[SleepPeriod]]:
    """The sleeps of a night in start order, grouped into runs to join.

    A sleep starting within JOIN_GAP after the previous one ended continues its run when the
    run began with a main sleep or one of at least LEAD_MIN_ASLEEP minutes; overlapping sleeps
    are alternatives, never joined.
    """
    groups: list[list[SleepPeriod]] = []
    for period in sorted(periods, key=lambda p: p.start.replace(tzinfo=None)):
        lead = groups[-1][0] if groups else None
        if lead is not None and (lead.main or lead.asleep >= LEAD_MIN_ASLEEP) and \
                dt.timedelta(0) <= elapsed(groups[-1][-1].end, period.start) <= JOIN_GAP:
            groups[-1].append(period)
        else:
            groups.append([period])
    return groups


def joined(run: list[SleepPeriod]) -> SleepPeriod:
    """One sleep from the consecutive sleeps of a night (see the module doc).

    Latency (and every column but awakenings and WASO) and notes come from the first sleep;
    awakenings are summed plus one per gap and ``waso_min`` summed plus the gaps' minutes
    (NaN when a sleep does not say); time asleep is summed.
    """
    first = run[0]
    if len(run) == 1:
        return first
    gaps = [elapsed(a.end, b.start).total_seconds() / 60.0 for a, b in itertools.pairwise(run)]
    columns = dict.fromkeys(c for p in run for c in p.values)
    extra = {"awakenings": float(len(gaps)), "waso_min": sum(gaps)}
    values = {c: (sum(p.values.get(c, math.nan) for p in run) + extra[c]) if c in extra
              else first.values.get(c, math.nan) for c in columns}
    return SleepPeriod(first.night, first.start, run[-1].end, sum(p.asleep for p in run),
                       any(p.main for p in run), values, first.notes)


@dataclass
class _Tally:
    """What :func:`nights_table` did, for its warnings."""

    left_out: int = 0
    joined: list[str] = field(default_factory=list)
    nap_only: list[str] = field(default_factory=list)
    notes: dict[str, int] = field(default_factory=dict)

    def warnings(self, source: str, dropped: int) -> list[str]:
        """The warnings, each starting with the source's name."""
        hours = f"{JOIN_GAP.total_seconds() / 3600:g} h"
        return [f"{source}: {w}" for w in (
            f"{dropped} duplicate record(s) dropped" if dropped else "",
            f"{self.left_out} nap(s) or shorter sleep(s) of a night left out" if self.left_out
            else "",
            f"{len(self.joined)} night(s) joined from sleeps split by an awakening of up to "
            f"{hours}: {few(self.joined)}" if self.joined else "",
            f"{len(self.nap_only)} night(s) with naps only, no row: {few(self.nap_only)}"
            if self.nap_only else "",
            *(f"{count} {note}" for note, count in self.notes.items()),
        ) if w]


def nights_table(periods: list[SleepPeriod], source: str,
                 notes: Sequence[str] = ()) -> tuple[pd.DataFrame, list[str]]:
    """One diary row per night from the sleeps of a tracker (see the module doc).

    Parameters
    ----------
    periods : list of SleepPeriod
        Every sleep found, in any order, duplicates and naps included.
    source : str
        The source's name, for warnings.
    notes : sequence of str
        The reader's own warnings (records left out), given the source's name first.

    Returns
    -------
    table : pandas.DataFrame
        Text cells; ``date`` first, then the diary columns the source gives, by date.
    warnings : list of str
        The reader's notes, dropped duplicates, naps left out, joined nights, nights with
        naps only (named), and the periods' notes counted over the nights kept.

    """
    unique: dict[tuple[Any, ...], SleepPeriod] = {}
    for period in periods:
        unique.setdefault(period.key(), period)
    by_night: dict[dt.date, list[SleepPeriod]] = {}
    for period in unique.values():
        by_night.setdefault(period.night, []).append(period)
    rows, tally = [], _Tally()
    for night in sorted(by_night):
        candidates = [run for run in runs(by_night[night]) if any(p.main for p in run)]
        if not candidates:
            tally.nap_only.append(night.isoformat())
            continue
        best = max(candidates, key=lambda r: (sum(p.asleep for p in r),
                                              r[0].start.replace(tzinfo=None)))
        tally.left_out += len(by_night[night]) - len(best)
        if len(best) > 1:
            tally.joined.append(night.isoformat())
        chosen = beyond_blank(joined(best))
        for note in chosen.notes:
            tally.notes[note] = tally.notes.get(note, 0) + 1
        rows.append({"date": night.isoformat()}
                    | {c: format_cell(v) for c, v in chosen.values.items()})
    columns = ["date", *(c for c in KNOWN_COLUMNS if c != "date" and any(c in r for r in rows))]
    table = pd.DataFrame(rows, columns=columns).fillna("")
    warnings = [f"{source}: {note}" for note in notes]
    return table, warnings + tally.warnings(source, len(periods) - len(unique))
