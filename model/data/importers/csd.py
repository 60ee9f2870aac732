"""The Consensus Sleep Diary (CSD) core items, kept in a spreadsheet, as a diary.

The CSD (Carney et al. 2012, "The Consensus Sleep Diary: Standardizing Prospective Sleep
Self-Monitoring", SLEEP 35(2):287, doi:10.5665/sleep.1642) asks each morning: 1 what time did
you get into bed, 2 what time did you try to go to sleep, 3 how long did it take you to fall
asleep, 4 how many times did you wake up, not counting your final awakening, 5 in total, how
long did these awakenings last, 6 what time was your final awakening, 7 what time did you get
out of bed for the day, 8 how would you rate the quality of your sleep (very poor, poor, fair,
good, very good), 9 comments. Its date is "the date of the morning you are filling out the
diary", so the night is the day before.

One row per morning, with the columns (any may be blank except ``date``): ``date``,
``into_bed``, ``try_to_sleep``, ``sol_min``, ``awakenings``, ``waso_min``,
``final_awakening``, ``out_of_bed``, ``quality`` (1-5 or the CSD words) and ``comments``
(to ``notes``); diary columns such as ``form`` and ``elemental_mg`` pass through. Times are
``23:40``, ``1:15`` or ``11:40 pm``; each time is taken as the first such clock time after
the one before it (bed, try, final awakening, out of bed), so times after midnight need no
date. The minutes asleep-onset plus awake after onset must fit between trying to sleep and
the final awakening (an hour more on a morning the clocks may go back). A file with none of
the four clock times is no CSD (an mgsleep diary, dated by the night, had every night moved a
day earlier): it is refused naming its columns and the command that fits (:func:`not_csd`).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path

import pandas as pd

from model.core.errors import Fault
from model.data.diary_rows import KNOWN_COLUMNS
from model.data.importers.common import Faults, check_ranges, format_cell, number, read_csv
from model.data.importers.nights import (
    CLOCK_BACK,
    day_sleep_warning,
    is_day_sleep,
    may_fall_back,
)
from model.data.importers.unread import renamed, unread_warnings

TIMES: tuple[str, ...] = ("into_bed", "try_to_sleep", "final_awakening", "out_of_bed")
"""CSD items 1, 2, 6 and 7, in the order they happen."""

QUALITY_WORDS: dict[str, int] = {"very poor": 1, "poor": 2, "fair": 3, "good": 4,
                                 "very good": 5}
"""CSD item 8 in words, as 1-5."""

_CLOCK = re.compile(r"^(\d{1,2})[:.h](\d{2})\s*([ap]\.?m\.?)?$", re.IGNORECASE)
DAY_MIN = 24 * 60
CLOCK_BACK_MIN = int(CLOCK_BACK.total_seconds() // 60)
"""The minutes a daylight-saving fall-back adds to a night (not on its clock times)."""


def clock_minutes(text: str) -> int | None:
    """Minutes after midnight of a clock time (``23:40``, ``1:15``, ``11:40 pm``), or None."""
    found = _CLOCK.match(text.strip())
    if not found:
        return None
    hour, minute, half = int(found.group(1)), int(found.group(2)), found.group(3)
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half.lower().startswith("p") else 0)
    return hour * 60 + minute if hour < 24 and minute < 60 else None


def _timeline(row: dict[str, str], file: str, where: str, faults: Faults) -> dict[str, int]:
    """Minutes of each given time after the first one, each after the one before it."""
    elapsed: dict[str, int] = {}
    previous: int | None = None
    total = 0
    for item in TIMES:
        text = row.get(item, "").strip()
        if not text:
            continue
        minutes = clock_minutes(text)
        if minutes is None:
            faults.add(file, f"{where}, column {item}", f"expected a clock time like 23:40 or "
                       f"11:40 pm, got {text!r}")
            continue
        if previous is not None:
            total += (minutes - previous) % DAY_MIN
        elapsed[item], previous = total, minutes
    return elapsed


def _quality(text: str, file: str, where: str, faults: Faults) -> float:
    """Item 8 as 1-5, from a number or a word of :data:`QUALITY_WORDS` (else a fault)."""
    said = " ".join(text.lower().split())
    if said in QUALITY_WORDS:
        return float(QUALITY_WORDS[said])
    value = number(text, file, f"{where}, column quality", Faults())
    if said and math.isnan(value):
        faults.add(file, f"{where}, column quality", "expected a number from 1 to 5 or one of "
                   f"{', '.join(QUALITY_WORDS)}, got {text!r}")
    return value


def _row(row: dict[str, str], file: str, where: str, faults: Faults,
         morning: dt.date) -> dict[str, str]:
    """The diary cells of one CSD row (``morning``: its date, the morning after the night).

    On a morning the clocks may go back (:func:`~.nights.may_fall_back`) the night lasted an
    hour longer than its clock times say: the minutes asleep-onset plus awake after onset may
    fill that hour too (a valid night across the fall-back was refused; the Fitbit importer
    allowed it, and a spring-forward night has the hour on its clock times already).
    """
    values = {c: number(row.get(c), file, f"{where}, column {c}", faults)
              for c in ("sol_min", "awakenings", "waso_min")}
    values["quality"] = _quality(row.get("quality", ""), file, where, faults)
    check_ranges(values, file, where, faults)
    times = _timeline(row, file, where, faults)
    if "try_to_sleep" in times and "final_awakening" in times:
        window = times["final_awakening"] - times["try_to_sleep"]
        back = may_fall_back(morning)
        used = sum(v for c, v in values.items() if c in ("sol_min", "waso_min") and v == v)
        if used > window + back * CLOCK_BACK_MIN:
            faults.add(file, f"{where}, columns sol_min and waso_min", f"expected at most "
                       f"{window} minutes from try_to_sleep to final_awakening"
                       + (f" ({window + CLOCK_BACK_MIN} if the clocks went back that night)"
                          if back else "") + f", got {used:g}")
    passed = {c: row[c].strip() for c in KNOWN_COLUMNS
              if c in row and c not in values and c != "date"}
    notes = row.get("comments", "").strip()
    return passed | {c: format_cell(v) for c, v in values.items()} | (
        {"notes": notes} if notes else {})


def not_csd(file: str, columns: list[str]) -> Fault | None:
    """The fault of a file with none of the CSD's clock times (:data:`TIMES`), else None.

    A CSD is dated by the morning, so a diary (dated by the night) imported as one had every
    night, dose included, moved a day earlier (an outside audit). The fault names the
    columns found and the command that fits them: a diary's own columns, an Oura CSV's, or
    any other table's (``import csv --map``).
    """
    if set(TIMES) & set(columns):
        return None
    diary = [c for c in columns if c in KNOWN_COLUMNS]
    if "bedtime_start" in columns:
        fits = "this looks like an Oura CSV: mgsleep import oura"
    elif len(diary) * 2 > len(columns):
        fits = ("this looks like an mgsleep diary (dated by the night): pass it to analyze "
                "directly, or merge it with mgsleep import csv --map "
                + ",".join(f"{c}={c}" for c in diary))
    else:
        fits = ("for another table, mgsleep import csv --map date=COLUMN,... (with --date-is "
                "morning if it dates a night by the morning)")
    return Fault(file, "", "expected a Consensus Sleep Diary with at least one of its clock "
                 f"times ({', '.join(TIMES)}), found columns: {', '.join(columns)}; {fits}")


READ: tuple[str, ...] = (*KNOWN_COLUMNS, *TIMES, "comments")
"""The columns a CSD import reads (the diary's own pass through); any other is named."""


def day_sleep(row: dict[str, str]) -> str | None:
    """Whether a row's sleep is a day sleep after a night shift, as ``day_sleep`` writes it.

    ``"1"`` when its ``try_to_sleep`` (else ``into_bed``) is a day's clock time
    (:func:`~.nights.is_day_sleep`, its length to ``final_awakening``), ``"0"`` otherwise; None
    without either time, or when the file has its own ``day_sleep``.
    """
    if "day_sleep" in row:
        return None
    woke = clock_minutes(row.get("final_awakening", ""))
    for item in ("try_to_sleep", "into_bed"):
        if (minutes := clock_minutes(row.get(item, ""))) is not None:
            bedtime = dt.datetime(2000, 1, 1, minutes // 60, minutes % 60)
            length = math.nan if woke is None else (woke - minutes) % DAY_MIN
            return str(int(is_day_sleep(bedtime, length)))
    return None


def read(paths: list[Path]) -> tuple[pd.DataFrame, list[str]]:
    """Diary rows of CSD spreadsheets (text cells; the night is the day before ``date``).

    With a warning per file naming the columns not read (:func:`~.unread.unread_warnings`).
    When a row's bedtime is a day's (:func:`day_sleep`), every row with a bedtime gets
    ``day_sleep``, as the trackers' imports do (:mod:`~.nights`).
    """
    faults, rows, warnings, days = Faults(), {}, list[str](), dict[dt.date, str]()
    for path in paths:
        table = read_csv(path)
        table.columns = [str(c).strip().lower() for c in table.columns]
        warnings += unread_warnings(str(path), table.columns, READ, tabular=True, how=renamed)
        if "date" not in table.columns:
            faults.add(str(path), "column date", "expected the CSD date (the morning); found "
                       "columns: " + ", ".join(table.columns))
            continue
        if fault := not_csd(str(path), list(table.columns)):
            faults.items.append(fault)
            continue
        for index, raw in enumerate(table.to_dict("records"), start=1):
            where = f"row {index}"
            try:
                night = dt.date.fromisoformat(str(raw["date"]).strip()) - dt.timedelta(days=1)
            except ValueError:
                faults.add(str(path), f"{where}, column date", "expected the morning's date "
                           f"YYYY-MM-DD, got {raw['date']!r}")
                continue
            if night in rows:
                faults.add(str(path), f"{where}, column date", f"expected one row per "
                           f"morning, got {night + dt.timedelta(days=1)} twice")
            cells = {str(k): str(v) for k, v in raw.items()}
            rows[night] = _row(cells, str(path), where, faults, night + dt.timedelta(days=1))
            if (day := day_sleep(cells)) is not None:
                days[night] = day
    faults.raise_any()
    if "1" in days.values():
        for night, day in days.items():
            rows[night]["day_sleep"] = day
        said = day_sleep_warning([n.isoformat() for n in sorted(days) if days[n] == "1"])
        warnings.append(f"csd: {said}")
    columns = ["date", *(c for c in KNOWN_COLUMNS
                         if c != "date" and any(c in r for r in rows.values()))]
    return pd.DataFrame([{"date": n.isoformat()} | rows[n] for n in sorted(rows)],
                        columns=columns).fillna(""), warnings
