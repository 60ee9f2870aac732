"""Garmin Connect sleep (the daily ``dailySleepDTO`` object, or the export's list of them).

Fields used, as they appear in the Garmin Connect sleep service's ``dailySleepDTO`` (public
clients such as garth and garminconnect, and Garmin Connect data exports'
``*_sleepData.json``):

- ``sleepStartTimestampLocal`` (milliseconds since 1970 of the local wall clock, or an ISO
  text): the night (:func:`~.common.night_of`); without it the night before ``calendarDate``
  (Garmin dates a sleep by the morning it ended);
- ``awakeCount`` -> ``awakenings``;
- ``awakeSleepSeconds`` -> ``waso_min`` (awake time inside the sleep window, which Garmin
  starts at detected sleep onset);
- ``sleepTimeSeconds``: a day without sleep (0 or missing) gives no row.

Garmin measures no sleep-onset latency (its window begins at detected sleep), so ``sol_min``
stays blank; naps (``napTimeSeconds``) are not the night; ratings stay blank.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

from model.data.importers.common import (
    Faults,
    SleepPeriod,
    check_ranges,
    load_json,
    night_of,
    number,
    read_periods,
    records_in,
)


def local_start(raw: Any) -> dt.datetime | None:
    """The local start from epoch milliseconds of the wall clock or an ISO text (None if not)."""
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return dt.datetime(1970, 1, 1) + dt.timedelta(milliseconds=raw)
    if isinstance(raw, str) and raw.strip():
        try:
            return dt.datetime.fromisoformat(raw.strip())
        except ValueError:
            return None
    return None


def _night(dto: dict[str, Any], file: str, where: str,
           faults: Faults) -> tuple[dt.date, dt.datetime] | None:
    """The night and local start of a record (from the start, else from ``calendarDate``)."""
    start = local_start(dto.get("sleepStartTimestampLocal"))
    if start is not None:
        return night_of(start), start
    try:
        morning = dt.date.fromisoformat(str(dto.get("calendarDate")))
    except ValueError:
        faults.add(file, f"{where}, calendarDate", "expected sleepStartTimestampLocal or a "
                   f"calendarDate YYYY-MM-DD, got {dto.get('calendarDate')!r}")
        return None
    night = morning - dt.timedelta(days=1)
    return night, dt.datetime.combine(night, dt.time(0))


def period(record: dict[str, Any], file: str, index: int, faults: Faults) -> SleepPeriod | None:
    """One day's Garmin sleep (None without sleep; left out if it added a fault)."""
    dto = record.get("dailySleepDTO", record)
    where = f"record {index}"
    asleep = number(dto.get("sleepTimeSeconds"), file, f"{where}, sleepTimeSeconds", faults,
                    1 / 60)
    if math.isnan(asleep) or asleep <= 0:
        return None
    timing = _night(dto, file, where, faults)
    values = {"awakenings": number(dto.get("awakeCount"), file, f"{where}, awakeCount", faults),
              "waso_min": number(dto.get("awakeSleepSeconds"), file,
                                 f"{where}, awakeSleepSeconds", faults, 1 / 60)}
    check_ranges(values, file, where, faults)
    if timing is None:
        return None
    return SleepPeriod(timing[0], timing[1], asleep, True, values)


def _records(path: Path) -> list[dict[str, Any]]:
    """One ``dailySleepDTO`` response, or the list of the export."""
    document = load_json(path)
    if isinstance(document, dict) and "dailySleepDTO" in document:
        return [document]
    return records_in(document, (), str(path))


def read(paths: list[Path]) -> list[SleepPeriod]:
    """Every day's sleep of the given files."""
    return read_periods(paths, _records, period)
