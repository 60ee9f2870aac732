"""Fitbit sleep logs (Google Takeout ``sleep-YYYY-MM-DD.json`` or the Web API's ``sleep`` list).

Fields used, as documented for the Fitbit Web API "Get Sleep Log by Date" (v1.2,
dev.fitbit.com; the same objects fill the Takeout files; see also the MyDataHelps page
"Fitbit Sleep Log Data Export Format", the ``fitbit-sleep-log`` JSON schema of
api-evangelist/fitbit, and public Takeout samples):

- ``startTime`` (local time, no offset): the night (:func:`~.common.night_of`);
- ``endTime`` (else ``startTime`` + ``duration`` in milliseconds): the end, to join a night
  split by a long awakening (:func:`~.common.joined`);
- ``mainSleep`` (Takeout) or ``isMainSleep`` (Web API): naps are left out (a log with
  neither counts as a main sleep);
- ``minutesToFallAsleep`` -> ``sol_min``: the device's estimate, not the person's. Fitbit
  measures it only for sleep logged by hand: ``logType`` is ``"auto_detected"`` (Fitbit found
  the sleep itself, and then starts the log at sleep onset and writes 0) or ``"manual"``
  (logged by the person); these two values are the ones public Web API responses, client
  test data and research-pipeline notes show (e.g. a Fitabase/Fitbit pipeline's "Either
  auto_detected or manual"). An auto-detected log's 0 is therefore
  left blank (NaN) and counted in a warning; a manual log's 0, any non-zero value and a log
  without ``logType`` are kept;
- ``minutesAwake`` -> ``waso_min`` (Fitbit: ``timeInBed = minutesToFallAsleep +
  minutesAsleep + minutesAwake + minutesAfterWakeup``, so it is the wake after onset);
- ``awakenings``: for a ``stages`` log, the runs of ``wake`` in ``levels.data`` between the
  first and the last sleep stage. Fitbit keeps wakes of up to 3 minutes apart, in
  ``levels.shortData``, and counts them in ``levels.summary.wake.count`` too (15-35 a night
  is common), so that count is used only when ``levels.data`` is empty: a diary's awakenings
  are the ones a person would count, as Oura's 5-minute epochs see them. For a ``classic``
  log, ``levels.summary.awake.count``;
- ``minutesAsleep``: picks the longest main sleep of a night.

Fitbit gives no rating: ``quality`` and the other ratings stay blank.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from model.data.importers.common import (
    Faults,
    SleepPeriod,
    above_range,
    end_of,
    load_json,
    local_time,
    night_of,
    number,
    read_periods,
    records_in,
)
from model.data.importers.hypnogram import runs_inside

AUTO_DETECTED = "auto_detected"
"""``logType`` of a sleep Fitbit detected itself (the other documented value is ``manual``)."""

NO_LATENCY = "auto-detected night(s): Fitbit gives no sleep-onset latency for them; left blank"
"""The note of a log whose 0 latency is not a measurement (counted in a warning)."""


def _awakenings(log: dict[str, Any], file: str, where: str, faults: Faults) -> float:
    """Awakenings of a log (NaN when absent): see the module's notes."""
    levels = log.get("levels") or {}
    classic = log.get("type") == "classic"
    data = levels.get("data")
    if not classic and isinstance(data, list) and data:
        stages = [entry.get("level") if isinstance(entry, dict) else None for entry in data]
        return float(len(runs_inside(stages, "wake")))
    level = "awake" if classic else "wake"
    count = ((levels.get("summary") or {}).get(level) or {}).get("count")
    return number(count, file, f"{where}, levels.summary.{level}.count", faults)


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
    values = {
        "sol_min": sol,
        "awakenings": _awakenings(log, file, where, faults),
        "waso_min": number(log.get("minutesAwake"), file, f"{where}, minutesAwake", faults),
    }
    values, beyond = above_range(values, file, where, faults)
    asleep = number(log.get("minutesAsleep"), file, f"{where}, minutesAsleep", faults)
    length = number(log.get("duration"), file, f"{where}, duration", faults, 1 / 60000)
    end = end_of(start, log.get("endTime"), asleep if math.isnan(length) else length, file,
                 f"{where}, endTime", faults)
    main = log.get("mainSleep", log.get("isMainSleep", True))
    return SleepPeriod(night_of(start), start, end, asleep, bool(main), values,
                       notes + beyond)


def _records(path: Path) -> list[dict[str, Any]]:
    return records_in(load_json(path), ("sleep",), str(path))


def read(paths: list[Path]) -> tuple[list[SleepPeriod], list[str]]:
    """Every sleep log of the given files (duplicates are dropped by ``nights_table``)."""
    return read_periods(paths, _records, period)
