"""Oura sleep periods (API v2 ``/v2/usercollection/sleep`` JSON, or a CSV with its fields).

Fields used, as documented for the Oura API v2 sleep model (``SleepModel`` /
``PublicModifiedSleepModel``: "A user can have multiple sleep periods per day"; see the
``oura_api`` Deno module docs and the ``ex_oura`` and ``oura-toolkit-api`` generated types):

- ``bedtime_start`` (ISO 8601 with the local offset): the night (:func:`~.common.night_of`);
  ``bedtime_end`` (else the start plus ``time_in_bed``): the end, to join two periods of a
  night split by a long awakening (:func:`~.common.joined`);
- ``type``: ``long_sleep`` is the night's sleep; ``sleep`` (a short period) is kept only as a
  nap; ``late_nap``, ``rest`` and ``deleted`` are left out;
- ``latency`` (seconds, "the time it took for the user to fall asleep after going to bed")
  -> ``sol_min``: the ring's estimate from movement and heart rate;
- ``sleep_phase_5_min`` (one character per 5 minutes: ``1`` deep, ``2`` light, ``3`` REM,
  ``4`` awake) -> ``awakenings`` (runs of ``4`` between the first and last sleep epoch) and
  ``waso_min`` (their minutes); awakenings shorter than 5 minutes are not seen;
- ``total_sleep_duration`` (seconds): picks the longest sleep of a night.

``awake_time`` is not used: it counts the whole bedtime window (latency and the time after the
final awakening included), so it is not WASO. Oura gives no rating: ratings stay blank.

A CSV holds the API's field names as columns, separated by ``,`` or (European locales) ``;``
with decimal commas (:func:`~.common.read_csv`); one without ``bedtime_start`` is refused once,
naming the columns it has.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from model.core.errors import Fault, InputError
from model.data.importers.common import (
    Faults,
    SleepPeriod,
    above_range,
    end_of,
    load_json,
    local_time,
    night_of,
    number,
    read_csv,
    read_periods,
    records_in,
)
from model.data.importers.hypnogram import runs_inside

SKIPPED_TYPES = ("late_nap", "rest", "deleted")
"""Oura period types that are not a night's sleep (documented values of ``type``)."""

EXPECTED = ("bedtime_start", "bedtime_end", "type", "latency", "total_sleep_duration",
            "sleep_phase_5_min")
"""The fields read (a CSV must have at least ``bedtime_start``)."""

AWAKE_EPOCH, EPOCH_MIN = "4", 5.0
"""``sleep_phase_5_min``: the awake character and the minutes of one character."""


def wake_runs(phases: str) -> tuple[float, float]:
    """Awakenings and minutes awake after sleep onset from ``sleep_phase_5_min``.

    Returns
    -------
    tuple of float
        ``(awakenings, waso_min)``; NaN for both when the string has no sleep epoch.

    """
    if not phases.strip(AWAKE_EPOCH):  # no sleep epoch
        return math.nan, math.nan
    runs = runs_inside(phases, AWAKE_EPOCH)
    return float(len(runs)), EPOCH_MIN * sum(runs)


def period(record: dict[str, Any], file: str, index: int, faults: Faults) -> SleepPeriod | None:
    """One Oura sleep period (None for skipped types; left out if it added a fault)."""
    where = f"record {index}"
    kind = str(record.get("type") or "long_sleep")
    if kind in SKIPPED_TYPES:
        faults.skip(file, where, f"of Oura type {kind} (a nap, a rest or a deleted period, "
                    "not a night's sleep)")
        return None
    start = local_time(record.get("bedtime_start"), file, f"{where}, bedtime_start", faults)
    if start is None:
        return None
    phases = record.get("sleep_phase_5_min")
    awakenings, waso = wake_runs(phases) if isinstance(phases, str) and phases else \
        (math.nan, math.nan)
    values = {"sol_min": number(record.get("latency"), file, f"{where}, latency", faults,
                                1 / 60),
              "awakenings": awakenings, "waso_min": waso}
    values, beyond = above_range(values, file, where, faults)
    asleep = number(record.get("total_sleep_duration"), file, f"{where}, total_sleep_duration",
                    faults, 1 / 60)
    in_bed = number(record.get("time_in_bed"), file, f"{where}, time_in_bed", faults, 1 / 60)
    end = end_of(start, record.get("bedtime_end"), asleep if math.isnan(in_bed) else in_bed,
                 file, f"{where}, bedtime_end", faults)
    return SleepPeriod(night_of(start), start, end, asleep, kind == "long_sleep", values,
                       beyond)


def _records(path: Path) -> list[dict[str, Any]]:
    """The records of a JSON export or of a CSV whose columns are the API's field names."""
    if path.suffix.lower() == ".csv":
        table = read_csv(path)
        if "bedtime_start" not in table.columns:
            raise InputError([Fault(str(path), "", "expected the columns of Oura's sleep model "
                                    f"({', '.join(EXPECTED)}); found columns: "
                                    f"{', '.join(map(str, table.columns))}")])
        return [{str(k): v for k, v in row.items()} for row in table.to_dict("records")]
    return records_in(load_json(path), ("data", "sleep"), str(path))


def read(paths: list[Path]) -> tuple[list[SleepPeriod], list[str]]:
    """Every sleep period of the given files."""
    return read_periods(paths, _records, period)
