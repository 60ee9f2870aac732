"""Oura sleep periods (API v2 ``/v2/usercollection/sleep`` JSON, or a CSV with its fields).

Fields used, as documented for the Oura API v2 sleep model (``SleepModel`` /
``PublicModifiedSleepModel``: "A user can have multiple sleep periods per day"; see the
``oura_api`` Deno module docs and the ``ex_oura`` and ``oura-toolkit-api`` generated types):

- ``bedtime_start`` (ISO 8601 with the local offset): the night (:func:`~.common.night_of`);
  ``bedtime_end`` (else the start plus ``time_in_bed``): the end, to join two periods of a
  night split by a long awakening (:func:`~.common.joined`);
- ``type``: ``long_sleep`` is the night's sleep; ``sleep`` (a short period) is kept only as a
  nap (one after the night's ``long_sleep`` is never joined to it, :func:`~.nights.runs`);
  ``late_nap``, ``rest`` and ``deleted`` are left out;
- ``latency`` (seconds, "the time it took for the user to fall asleep after going to bed")
  -> ``sol_min``: the ring's estimate from movement and heart rate;
- ``sleep_phase_5_min`` (one character per 5 minutes: ``1`` deep, ``2`` light, ``3`` REM,
  ``4`` awake) -> ``awakenings`` (runs of ``4`` between the first and last sleep epoch) and
  ``waso_min`` (their minutes); awakenings shorter than 5 minutes are not seen;
- ``total_sleep_duration`` (seconds): picks the longest sleep of a night.

``awake_time`` is not used: it counts the whole bedtime window (latency and the time after the
final awakening included), so it is not WASO. Oura gives no rating: ratings stay blank.

A ``sleep_phase_5_min`` with other characters than ``1``-``4`` is a fault naming the record
(in a CSV its row and column): a spreadsheet that read the column as a number writes
``4,44222E+62``, and the night's awakenings cannot be had from it.

The records of the API v1 (``/v1/sleep``: a ``sleep`` list, as older exports hold them) are
read with their names of the same fields (the v1 "Sleep" documentation of
cloud.ouraring.com; typed alike by its public clients, e.g. python-ouraring, whose converter
maps ``hypnogram_5min`` 1/2/3/4 to deep/light/REM/awake): ``onset_latency`` (seconds) ->
``latency``, ``hypnogram_5min`` (the same characters) -> ``sleep_phase_5_min``, ``total``
(seconds asleep) -> ``total_sleep_duration``, ``duration`` (seconds in bed) ->
``time_in_bed``, and ``is_longest`` (1: the day's longest period) -> ``type``
``long_sleep``, else ``sleep``.

A CSV holds the API's field names as columns, separated by ``,`` or (European locales) ``;``
with decimal commas (:func:`~.common.read_csv`). A file without ``bedtime_start`` or without
any of the values read (``latency``, ``sleep_phase_5_min``, ``total_sleep_duration`` or
their v1 names) is refused once, naming the columns or fields it has.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

from model.core.errors import Fault, InputError
from model.data.importers.common import (
    Faults,
    SleepPeriod,
    above_range,
    duration,
    end_of,
    few,
    load_json,
    local_time,
    night_of,
    number,
    read_csv,
    read_periods,
    records_in,
)
from model.data.importers.hypnogram import runs_inside, wake_totals

WHAT = "an Oura sleep export (JSON, or a CSV of its fields)"
"""What a file given to ``import oura`` should be, for a message."""

SKIPPED_TYPES = ("late_nap", "rest", "deleted")
"""Oura period types that are not a night's sleep (documented values of ``type``)."""

EXPECTED = ("bedtime_start", "bedtime_end", "type", "latency", "total_sleep_duration",
            "sleep_phase_5_min")
"""The fields read (a file must have ``bedtime_start`` and one of :data:`VALUES`)."""

VALUES = ("latency", "sleep_phase_5_min", "total_sleep_duration")
"""The values of a night: a file with none of them (nor their v1 names) is refused."""

V1_NAMES = {"onset_latency": "latency", "hypnogram_5min": "sleep_phase_5_min",
            "total": "total_sleep_duration", "duration": "time_in_bed"}
"""The API v1's names of the fields read (v1 name -> v2 name); ``is_longest`` gives ``type``."""

PHASES, AWAKE_EPOCH, EPOCH_MIN = "1234", "4", 5.0
"""``sleep_phase_5_min``: its characters (deep, light, REM, awake), the awake one, and the
minutes of one character."""

SCIENTIFIC = re.compile(r"^\s*\d+([.,]\d*)?[eE][+-]?\d+\s*$")
"""A number as a spreadsheet writes a long string of digits it took for one (``4,44222E+62``)."""


def wake_runs(phases: str) -> tuple[float, float]:
    """Awakenings and minutes awake after sleep onset from ``sleep_phase_5_min``.

    Returns
    -------
    tuple of float
        ``(awakenings, waso_min)``; NaN for both when the string has no sleep epoch.

    """
    if not phases.strip(AWAKE_EPOCH):  # no sleep epoch
        return math.nan, math.nan
    return wake_totals(EPOCH_MIN * len(run) for run in runs_inside(phases, AWAKE_EPOCH))


def phases_read(raw: object, file: str, place: str, faults: Faults) -> tuple[float, float]:
    """:func:`wake_runs` of a ``sleep_phase_5_min`` (NaN when blank); other text is a fault.

    A string with other characters than :data:`PHASES` (a spreadsheet's ``4,44222E+62``, a
    number in the JSON) would give awakenings from characters that are no phases.
    """
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return math.nan, math.nan
    if isinstance(raw, str) and set(raw.strip()) <= set(PHASES):
        return wake_runs(raw.strip())
    shown = repr(raw) if len(repr(raw)) <= 40 else f"{repr(raw)[:37]}..."
    hint = ("; a spreadsheet stored it as a number: export the column as text"
            if isinstance(raw, (int, float)) or SCIENTIFIC.match(str(raw)) else "")
    faults.add(file, place, "expected one character per 5 minutes, 1 (deep), 2 (light), 3 (REM) "
               f"or 4 (awake), got {shown}{hint}")
    return math.nan, math.nan


def _places(file: str, index: int) -> tuple[str, str]:
    """Where a record is, and what goes before a field's name (``row 3, column `` in a CSV)."""
    if file.lower().endswith(".csv"):
        return f"row {index}", f"row {index}, column "
    return f"record {index}", f"record {index}, "


def period(record: dict[str, Any], file: str, index: int, faults: Faults) -> SleepPeriod | None:
    """One Oura sleep period (None for skipped types; left out if it added a fault)."""
    where, field = _places(file, index)
    kind = str(record.get("type") or "long_sleep")
    if kind in SKIPPED_TYPES:
        faults.skip(file, where, f"of Oura type {kind} (a nap, a rest or a deleted period, "
                    "not a night's sleep)")
        return None
    start = local_time(record.get("bedtime_start"), file, f"{field}bedtime_start", faults)
    if start is None:
        return None
    awakenings, waso = phases_read(record.get("sleep_phase_5_min"), file,
                                   f"{field}sleep_phase_5_min", faults)
    values = {"sol_min": number(record.get("latency"), file, f"{field}latency", faults, 1 / 60),
              "awakenings": awakenings, "waso_min": waso}
    values, beyond = above_range(values, file, where, faults)
    asleep = duration(record.get("total_sleep_duration"), file,
                      f"{field}total_sleep_duration", faults, 1 / 60)
    in_bed = duration(record.get("time_in_bed"), file, f"{field}time_in_bed", faults, 1 / 60)
    end = end_of(start, record.get("bedtime_end"), asleep if math.isnan(in_bed) else in_bed,
                 file, f"{field}bedtime_end", faults)
    return SleepPeriod(night_of(start), start, end, asleep, kind == "long_sleep", values,
                       beyond, nap=kind == "sleep")


def as_v2(record: dict[str, Any]) -> dict[str, Any]:
    """A record of the API v1 with the v2 names of the fields read (a v2 record as it is)."""
    if "type" in record or any(name in record for name in VALUES):
        return record
    renamed = {V1_NAMES.get(key, key): value for key, value in record.items()}
    if "is_longest" in record:
        renamed["type"] = "long_sleep" if record["is_longest"] in (1, "1") else "sleep"
    return renamed


def _refuse_other(names: list[str], file: str, what: str) -> None:
    """Refuse a file without ``bedtime_start`` or any of :data:`VALUES` (v1 names included)."""
    known = {V1_NAMES.get(name, name) for name in names}
    if not names or ("bedtime_start" in known and known & set(VALUES)):
        return
    raise InputError([Fault(file, "", f"not an Oura sleep export: expected the {what} of "
                            f"Oura's sleep model ({', '.join(EXPECTED)}) or of its API v1 "
                            f"({', '.join(V1_NAMES)}, is_longest); found {what}: "
                            f"{few(names, 12)}")])


def _records(path: Path) -> list[dict[str, Any]]:
    """The records of a JSON export or of a CSV whose columns are the API's field names."""
    if path.suffix.lower() == ".csv":
        table = read_csv(path)
        _refuse_other([str(c) for c in table.columns], str(path), "columns")
        records = [{str(k): v for k, v in row.items()} for row in table.to_dict("records")]
    else:
        records = records_in(load_json(path, WHAT), ("data", "sleep"), str(path))
        _refuse_other(list(dict.fromkeys(str(k) for r in records for k in r)), str(path),
                      "fields")
    return [as_v2(record) for record in records]


def read(paths: list[Path]) -> tuple[list[SleepPeriod], list[str]]:
    """Every sleep period of the given files."""
    return read_periods(paths, _records, period,
                        (*EXPECTED, "time_in_bed", *V1_NAMES, "is_longest"))
