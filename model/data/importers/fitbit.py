"""Fitbit sleep logs (Google Takeout ``sleep-YYYY-MM-DD.json`` or the Web API's ``sleep`` list).

Fields used, as documented for the Fitbit Web API "Get Sleep Log" (the same objects fill the
Takeout files; see the MyDataHelps page "Fitbit Sleep Log Data Export Format", the
``fitbit-sleep-log`` JSON schema of api-evangelist/fitbit, and public Takeout samples):

- ``startTime`` (local time, no offset): the night (:func:`~.common.night_of`);
- ``mainSleep`` (Takeout) or ``isMainSleep`` (Web API): naps are left out (a log with
  neither counts as a main sleep);
- ``minutesToFallAsleep`` -> ``sol_min``: the device's estimate, not the person's; logs that
  Fitbit detected automatically usually start at sleep onset and say 0;
- ``minutesAwake`` -> ``waso_min`` (Fitbit: ``timeInBed = minutesToFallAsleep +
  minutesAsleep + minutesAwake + minutesAfterWakeup``, so it is the wake after onset);
- ``levels.summary.wake.count`` (``type`` ``stages``) or ``levels.summary.awake.count``
  (``type`` ``classic``) -> ``awakenings``;
- ``minutesAsleep``: picks the longest main sleep of a night.

Fitbit gives no rating: ``quality`` and the other ratings stay blank.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from model.data.importers.common import (
    Faults,
    SleepPeriod,
    check_ranges,
    load_json,
    local_time,
    night_of,
    number,
    read_periods,
    records_in,
)


def _awakenings(log: dict[str, Any], file: str, where: str, faults: Faults) -> float:
    """Wake episodes of a stages log, awake episodes of a classic one (NaN when absent)."""
    summary = (log.get("levels") or {}).get("summary") or {}
    level = "awake" if log.get("type") == "classic" else "wake"
    count = (summary.get(level) or {}).get("count")
    return number(count, file, f"{where}, levels.summary.{level}.count", faults)


def period(log: dict[str, Any], file: str, index: int, faults: Faults) -> SleepPeriod | None:
    """One Fitbit sleep log (the reader leaves it out if it added a fault)."""
    where = f"record {index}"
    start = local_time(log.get("startTime"), file, f"{where}, startTime", faults)
    if start is None:
        return None
    values = {
        "sol_min": number(log.get("minutesToFallAsleep"), file, f"{where}, minutesToFallAsleep",
                          faults),
        "awakenings": _awakenings(log, file, where, faults),
        "waso_min": number(log.get("minutesAwake"), file, f"{where}, minutesAwake", faults),
    }
    check_ranges(values, file, where, faults)
    asleep = number(log.get("minutesAsleep"), file, f"{where}, minutesAsleep", faults)
    main = log.get("mainSleep", log.get("isMainSleep", True))
    return SleepPeriod(night_of(start), start, asleep, bool(main), values)


def _records(path: Path) -> list[dict[str, Any]]:
    return records_in(load_json(path), ("sleep",), str(path))


def read(paths: list[Path]) -> list[SleepPeriod]:
    """Every sleep log of the given files (duplicates are dropped by ``nights_table``)."""
    return read_periods(paths, _records, period)
