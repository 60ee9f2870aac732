"""Fitbit sleep logs (Google Takeout ``sleep-YYYY-MM-DD.json`` or the Web API's ``sleep`` list).

Fields used, as documented for the Fitbit Web API "Get Sleep Log by Date" (v1.2,
dev.fitbit.com; the same objects fill the Takeout files; see also the MyDataHelps page
"Fitbit Sleep Log Data Export Format", the ``fitbit-sleep-log`` JSON schema of
api-evangelist/fitbit, and public Takeout samples):

- ``startTime`` (local time, no offset): the night (:func:`~.common.night_of`);
- ``endTime`` (else ``startTime`` + ``duration`` in milliseconds): the end, to join a night
  split by a long awakening (:func:`~.common.joined`);
- ``mainSleep`` (Takeout) or ``isMainSleep`` (Web API): naps are left out (a log with
  neither counts as a main sleep). Fitbit marks a day's only sleep main even when it is an
  afternoon nap (15:55-18:10): as Apple's, a main sleep is the night's only when it begins
  between 18:00 and 06:00 or lasts 3 hours or more (:func:`~.nights.may_be_main`), else it
  is a nap;
- ``minutesToFallAsleep`` -> ``sol_min``: the device's estimate, not the person's. Fitbit
  measures it only for sleep logged by hand: ``logType`` is ``"auto_detected"`` (Fitbit found
  the sleep itself, and then starts the log at sleep onset and writes 0) or ``"manual"``
  (logged by the person); these two values are the ones public Web API responses, client
  test data and research-pipeline notes show (e.g. a Fitabase/Fitbit pipeline's "Either
  auto_detected or manual"). An auto-detected log's 0 is therefore
  left blank (NaN) and counted in a warning; a manual log's 0, any non-zero value and a log
  without ``logType`` are kept;
- ``awakenings`` and ``waso_min``: for a ``stages`` log, the runs of ``wake`` in
  ``levels.data`` between the first and the last sleep stage, and the minutes of their
  ``seconds`` (a run of up to 3 minutes is none, :func:`~.hypnogram.wake_totals`). Fitbit's
  ``minutesAwake`` (its ``levels.summary.wake.minutes``) also holds the wake before falling
  asleep and after the final awakening, which a stages log does not put in
  ``minutesToFallAsleep`` or ``minutesAfterWakeup`` (usually 0), so it is not WASO. Fitbit
  keeps wakes of up to 3 minutes apart, in ``levels.shortData``, and counts them in
  ``levels.summary.wake.count`` too (15-35 a night is common); they are left out of both: a
  diary's awakenings are the ones a person would count, as Oura's 5-minute epochs see them.
  Only when ``levels.data`` is empty, ``levels.summary.wake.count`` and ``minutesAwake``. For
  a ``classic`` log, ``levels.summary.awake.count`` and ``minutesAwake`` (Fitbit: ``timeInBed
  = minutesToFallAsleep + minutesAsleep + minutesAwake + minutesAfterWakeup``);
- ``minutesAsleep``: picks the longest main sleep of a night.

Fitbit gives no rating: ``quality`` and the other ratings stay blank. A file whose records have
no ``startTime`` (another Fitbit export, such as ``heart_rate-*.json``, in a wildcard) is one
fault naming the fields it has; a field of the wrong JSON type (``"levels": "x"``) is a fault
naming the record.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from model.data.importers.common import (
    Faults,
    SleepPeriod,
    above_range,
    duration,
    end_of,
    load_json,
    local_time,
    night_of,
    not_sleep_data,
    number,
    read_periods,
    records_in,
)
from model.data.importers.hypnogram import runs_inside, wake_totals
from model.data.importers.nights import may_be_main

WHAT = "a Fitbit sleep log (sleep-YYYY-MM-DD.json)"
"""What a file given to ``import fitbit`` should be, for a message."""

AUTO_DETECTED = "auto_detected"
"""``logType`` of a sleep Fitbit detected itself (the other documented value is ``manual``)."""

NO_LATENCY = "auto-detected night(s): Fitbit gives no sleep-onset latency for them; left blank"
"""The note of a log whose 0 latency is not a measurement (counted in a warning)."""

FIELDS = ("startTime", "endTime", "duration", "minutesToFallAsleep", "minutesAsleep",
          "minutesAwake", "type", "levels")
"""The fields of a Fitbit sleep log read (a file whose records lack ``startTime`` is no log)."""


def _kind(raw: object) -> str:
    """A JSON value for a message: a scalar as JSON writes it (shortened), else its kind."""
    if not isinstance(raw, (list, dict)):
        text = json.dumps(raw)
        return text if len(text) <= 40 else f"{text[:37]}..."
    return "a list" if isinstance(raw, list) else "an object"


def _object(raw: object, file: str, where: str, faults: Faults) -> dict[str, Any]:
    """A JSON object of a log (absent or null: empty); anything else is a fault (and empty)."""
    if raw is None:
        return {}
    if isinstance(raw, dict):
        return raw
    faults.add(file, where, f"expected an object, got {_kind(raw)}")
    return {}


def _stages(levels: dict[str, Any], file: str, where: str,
            faults: Faults) -> list[dict[str, Any]]:
    """``levels.data``: the stage records in time order (none if absent or if one is bad)."""
    data = levels.get("data")
    if data is None:
        return []
    if not isinstance(data, list):
        faults.add(file, f"{where}, levels.data", f"expected a list of stages, got {_kind(data)}")
        return []
    for i, entry in enumerate(data):
        if not isinstance(entry, dict) or not isinstance(entry.get("level"), str):
            faults.add(file, f"{where}, levels.data[{i}]", 'expected a stage like {"level": '
                       f'"wake", "seconds": 600}}, got {_kind(entry)}')
            return []
    return data


def _wake(log: dict[str, Any], file: str, where: str, faults: Faults) -> tuple[float, float]:
    """Awakenings and ``waso_min`` of a log (see the module's notes).

    NaN when the log does not say, or when its ``levels.data`` has no sleep stage.
    """
    levels = _object(log.get("levels"), file, f"{where}, levels", faults)
    classic = log.get("type") == "classic"
    stages = [] if classic else _stages(levels, file, where, faults)
    if stages:
        names = [stage["level"] for stage in stages]
        if all(name == "wake" for name in names):  # no sleep stage: nothing to count
            return math.nan, math.nan
        return wake_totals(sum(number(stages[i].get("seconds"), file,
                                      f"{where}, levels.data[{i}].seconds", faults)
                               for i in run) / 60.0 for run in runs_inside(names, "wake"))
    level = "awake" if classic else "wake"
    summary = _object(levels.get("summary"), file, f"{where}, levels.summary", faults)
    count = _object(summary.get(level), file, f"{where}, levels.summary.{level}", faults)
    return (number(count.get("count"), file, f"{where}, levels.summary.{level}.count", faults),
            number(log.get("minutesAwake"), file, f"{where}, minutesAwake", faults))


def latency(log: dict[str, Any], file: str, where: str,
            faults: Faults) -> tuple[float, tuple[str, ...]]:
    """``minutesToFallAsleep`` and the notes: an auto-detected log's 0 is NaN (not measured).

    Returns
    -------
    tuple
        ``(sol_min, notes)``; notes is ``(NO_LATENCY,)`` when a 0 was left blank.

    """
    value = number(log.get("minutesToFallAsleep"), file, f"{where}, minutesToFallAsleep",
                   faults)
    if value == 0 and log.get("logType") == AUTO_DETECTED:
        return math.nan, (NO_LATENCY,)
    return value, ()


def period(log: dict[str, Any], file: str, index: int, faults: Faults) -> SleepPeriod | None:
    """One Fitbit sleep log (the reader leaves it out if it added a fault)."""
    where = f"record {index}"
    start = local_time(log.get("startTime"), file, f"{where}, startTime", faults)
    if start is None:
        return None
    sol, notes = latency(log, file, where, faults)
    awakenings, waso = _wake(log, file, where, faults)
    values = {"sol_min": sol, "awakenings": awakenings, "waso_min": waso}
    values, beyond = above_range(values, file, where, faults)
    asleep = duration(log.get("minutesAsleep"), file, f"{where}, minutesAsleep", faults)
    length = duration(log.get("duration"), file, f"{where}, duration", faults, 1 / 60000)
    end = end_of(start, log.get("endTime"), asleep if math.isnan(length) else length, file,
                 f"{where}, endTime", faults)
    main = bool(log.get("mainSleep", log.get("isMainSleep", True)))
    return SleepPeriod(night_of(start), start, end, asleep, main and may_be_main(start, asleep),
                       values, notes + beyond)


def _records(path: Path) -> list[dict[str, Any]]:
    """The logs of a file; one whose records all lack ``startTime`` is not a sleep log."""
    records = records_in(load_json(path, WHAT), ("sleep",), str(path))
    if records and not any("startTime" in record for record in records):
        raise not_sleep_data(path, records, "a Fitbit sleep log", FIELDS)
    return records


def read(paths: list[Path]) -> tuple[list[SleepPeriod], list[str]]:
    """Every sleep log of the given files (duplicates are dropped by ``nights_table``)."""
    return read_periods(paths, _records, period,
                        (*FIELDS, "mainSleep", "isMainSleep", "logType"))
