"""Garmin Connect sleep (the daily ``dailySleepDTO`` object, or the export's list of them).

Fields used, as they appear in the Garmin Connect sleep service's ``dailySleepDTO`` (public
clients such as garth and garminconnect) and in the records of the Garmin Connect data
export's ``DI_CONNECT/DI-Connect-Wellness/*_sleepData.json`` (``calendarDate``,
``sleepStartTimestampGMT``/``sleepEndTimestampGMT`` as ISO text, ``deepSleepSeconds``,
``lightSleepSeconds``, ``remSleepSeconds``, ``awakeSleepSeconds``, ``awakeCount``,
``sleepScores``; no ``sleepTimeSeconds`` and no local start; typed alike by public readers of
the export such as the ``SleepData`` interface with those fields):

- ``sleepStartTimestampLocal`` (milliseconds since 1970 of the local wall clock, or an ISO
  text): the night (:func:`~.common.night_of`) and whether it is a day sleep; without it the
  night before ``calendarDate`` (Garmin dates a sleep by the morning it ended), and a warning
  counts the nights whose day sleeps cannot be told (:data:`NO_LOCAL_START`);
- the end: the local start plus the GMT window (``sleepEndTimestampGMT`` -
  ``sleepStartTimestampGMT``), else ``sleepEndTimestampLocal``, else the start plus the time
  asleep and awake;
- ``awakeCount`` -> ``awakenings``;
- ``awakeSleepSeconds`` -> ``waso_min`` (awake time inside the sleep window, which Garmin
  starts at detected sleep onset);
- ``sleepTimeSeconds``, else the sum of ``deepSleepSeconds``, ``lightSleepSeconds`` and
  ``remSleepSeconds`` (the export's records): the time asleep. A day without sleep (0) gives
  no row, and a record with neither is left out: both are named in a warning.

Garmin measures no sleep-onset latency (its window begins at detected sleep), so ``sol_min``
stays blank; naps (``napTimeSeconds``) are not the night; ratings stay blank (``sleepScores``
is Garmin's own score, not the diary's quality rating).

A ``dailySleepDTO`` that is not an object (``null``) is a fault naming the record; a file
none of whose records has a field of Garmin's sleep (another export in a wildcard) is one
fault naming the fields it has.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path
from typing import Any

from model.data.importers.common import (
    Faults,
    SleepPeriod,
    above_range,
    duration,
    ends_after,
    load_json,
    night_of,
    not_sleep_data,
    number,
    read_periods,
    records_in,
)

WHAT = "Garmin sleep data (DI-Connect-Wellness/*_sleepData.json)"
"""What a file given to ``import garmin`` should be, for a message."""

STAGES = ("deepSleepSeconds", "lightSleepSeconds", "remSleepSeconds")
"""The stage seconds whose sum is the time asleep when ``sleepTimeSeconds`` is absent."""

FIELDS = ("dailySleepDTO", "calendarDate", "sleepStartTimestampLocal", "sleepStartTimestampGMT",
          "sleepTimeSeconds", *STAGES, "awakeCount", "awakeSleepSeconds")
"""The fields read: a file whose records have none of them is not Garmin's sleep."""

NO_SLEEP_TIME = f"no sleepTimeSeconds and no {', '.join(STAGES[:-1])} or {STAGES[-1]}"
NO_SLEEP = "no time asleep (a day without sleep)"
"""Reasons a record is left out (named in a warning)."""

NO_LOCAL_START = ("night(s) without a local start time (Garmin's export gives none), so day "
                  "sleeps (after a night shift or a flight) cannot be told: write day_sleep = 1 "
                  "yourself on those of them that were")
"""A night's note when the record has no ``sleepStartTimestampLocal``: its start is taken as
midnight, never a day sleep, which was said nowhere (a traveller's audit, /tmp/w55/t T6)."""


def timestamp(raw: Any) -> dt.datetime | None:
    """A time from epoch milliseconds or an ISO text (None if neither)."""
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return dt.datetime(1970, 1, 1) + dt.timedelta(milliseconds=raw)
    if isinstance(raw, str) and raw.strip():
        try:
            return dt.datetime.fromisoformat(raw.strip())
        except ValueError:
            return None
    return None


def _night(dto: dict[str, Any], file: str, where: str,
           faults: Faults) -> tuple[dt.date, dt.datetime, tuple[str, ...]] | None:
    """The night, local start and notes of a record (from its start, else ``calendarDate``)."""
    start = timestamp(dto.get("sleepStartTimestampLocal"))
    if start is not None:
        return night_of(start), start, ()
    try:
        morning = dt.date.fromisoformat(str(dto.get("calendarDate")))
    except ValueError:
        faults.add(file, f"{where}, calendarDate", "expected sleepStartTimestampLocal or a "
                   f"calendarDate YYYY-MM-DD, got {dto.get('calendarDate')!r}")
        return None
    night = morning - dt.timedelta(days=1)
    return night, dt.datetime.combine(night, dt.time(0)), (NO_LOCAL_START,)


def asleep_minutes(dto: dict[str, Any], file: str, where: str, faults: Faults) -> float:
    """``sleepTimeSeconds``, else the sum of the stage seconds given, in minutes (NaN if none)."""
    if dto.get("sleepTimeSeconds") is not None:
        return duration(dto["sleepTimeSeconds"], file, f"{where}, sleepTimeSeconds", faults,
                        1 / 60)
    stages = [duration(dto.get(name), file, f"{where}, {name}", faults, 1 / 60)
              for name in STAGES]
    known = [minutes for minutes in stages if not math.isnan(minutes)]
    return sum(known) if known else math.nan


def _end(dto: dict[str, Any], start: dt.datetime, minutes: float, file: str, where: str,
         faults: Faults) -> dt.datetime:
    """The end: start + the GMT window, else the local end, else start + ``minutes``.

    A window or a local end before the start is a fault (:func:`~.common.ends_after`).
    """
    first, last = (timestamp(dto.get(f"sleep{e}TimestampGMT")) for e in ("Start", "End"))
    if first is not None and last is not None:
        ends_after(first, last, file, f"{where}, sleepEndTimestampGMT", faults)
        return start + (last - first)
    local_end = timestamp(dto.get("sleepEndTimestampLocal"))
    if local_end is not None:
        ends_after(start, local_end, file, f"{where}, sleepEndTimestampLocal", faults)
        return local_end
    return start + dt.timedelta(minutes=0.0 if math.isnan(minutes) else minutes)


def period(record: dict[str, Any], file: str, index: int, faults: Faults) -> SleepPeriod | None:
    """One day's Garmin sleep (None without sleep; left out if it added a fault)."""
    dto = record.get("dailySleepDTO", record)
    where = f"record {index}"
    if not isinstance(dto, dict):
        shown = "a list" if isinstance(dto, list) else json.dumps(dto)[:40]
        faults.add(file, f"{where}, dailySleepDTO", "expected an object with the day's sleep "
                   f"fields ({', '.join(FIELDS[1:5])}, ...), got {shown}")
        return None
    asleep = asleep_minutes(dto, file, where, faults)
    if math.isnan(asleep) or asleep <= 0:
        day = f" (calendarDate {dto['calendarDate']})" if dto.get("calendarDate") else ""
        faults.skip(file, where + day, NO_SLEEP_TIME if math.isnan(asleep) else NO_SLEEP)
        return None
    timing = _night(dto, file, where, faults)
    values = {"awakenings": number(dto.get("awakeCount"), file, f"{where}, awakeCount", faults),
              "waso_min": number(dto.get("awakeSleepSeconds"), file,
                                 f"{where}, awakeSleepSeconds", faults, 1 / 60)}
    values, beyond = above_range(values, file, where, faults)
    if timing is None:
        return None
    end = _end(dto, timing[1], asleep + (0.0 if math.isnan(values["waso_min"])
                                         else values["waso_min"]), file, where, faults)
    return SleepPeriod(timing[0], timing[1], end, asleep, True, values, beyond + timing[2])


def _records(path: Path) -> list[dict[str, Any]]:
    """One ``dailySleepDTO`` response, or the list of the export."""
    document = load_json(path, WHAT)
    if isinstance(document, dict) and "dailySleepDTO" in document:
        return [document]
    records = records_in(document, (), str(path))
    if records and not any(set(FIELDS) & set(record) for record in records):
        raise not_sleep_data(path, records, "Garmin sleep data", FIELDS)
    return records


def read(paths: list[Path]) -> tuple[list[SleepPeriod], list[str]]:
    """Every day's sleep of the given files, and a warning for each kind of record left out."""
    return read_periods(paths, _records, period, FIELDS)
