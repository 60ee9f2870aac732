"""Apple Health's menstrual-flow records: the diary's ``menstruation`` column, from an export.

The days before a period and its first ones change sleep and stools, and a trial of 14-night
periods 14 nights apart puts every treatment period in the same phase of a 28-day cycle: a
form a person took in every premenstrual week "looks to do you harm (P 0.92)" while none did
anything (a cycle audit, /tmp/w56/cyc). The model fits those days apart from magnesium when the
diary says which days were bleeding ones (README, the ``menstruation`` column). Many people
already write them in the Health app (Cycle Tracking, or an app that shares with it), so
``mgsleep import apple`` reads them:

- records of type :data:`FLOW_TYPE`, ``value`` ``HKCategoryValueMenstrualFlow`` (or, since
  iOS 18, its new name ``HKCategoryValueVaginalBleeding``) ``Unspecified``, ``Light``,
  ``Medium`` or ``Heavy`` give ``menstruation = 1``, ``None`` gives 0 (:data:`FLOW`); another
  value is left out, counted in a warning; so is spotting between periods, a type of its own
  (``HKCategoryTypeIdentifierIntermenstrualBleeding``) that is not read;
- a record is a day's (Cycle Tracking writes one a day) or, from another app, one for a whole
  period: it gives every local day from its start's to its end's, the end's day left out when
  the record ends at midnight (00:00 to 00:00 is one day); one longer than :data:`LONGEST` is
  no period's and is left out (a warning). A day is the night that begins that evening (the
  diary's date of a night). Its local clock is that of the record's ``HKTimeZone`` when it has
  one, as for sleep (:func:`~.common.in_zone`: a day recorded in Singapore, exported in
  London, starts at 16:00 the day before), else the export's offsets. Several records of a day
  give 1 when any is bleeding. ``HKMenstrualCycleStart`` is not needed: a period's first day is
  read from the days (the model's rule, :mod:`model.data.cycle_nights`);
- in the nights' table (:func:`with_menstruation`) a night gets 1 or 0 from its day's records
  and is blank (read as 0 once the column has a 1) without them. A bleeding day whose night has
  no sleep (the watch was charging, or the export holds no sleep at all) gets a row of its own,
  with only ``menstruation``: the diary reads it as a night not recorded, and the model still
  knows when the period began (without it, the second day would read as the first and the days
  before it would move a day). An export without a bleeding day writes no such column: its
  days of none say nothing a blank does not. A warning counts the days read.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from model.data.diary_rows import KNOWN_COLUMNS
from model.data.importers.common import Faults, few, in_zone

FLOW_TYPE = "HKCategoryTypeIdentifierMenstrualFlow"
"""The record type of menstrual flow (HealthKit's ``menstrualFlow`` category)."""

FLOW: dict[str, int] = {f"HKCategoryValue{enum}{level}": int(level != "None")
                        for enum in ("MenstrualFlow", "VaginalBleeding")
                        for level in ("Unspecified", "Light", "Medium", "Heavy", "None")}
"""A flow record's value -> the diary's ``menstruation`` (1 bleeding, 0 none)."""

DAY = dt.timedelta(days=1)
LONGEST = 14 * DAY
"""The longest record read as a period's days (a longer one is a broken record)."""

COLUMN = "menstruation"
TIME_FORMAT = "%Y-%m-%d %H:%M:%S %z"
"""How the export writes every date (``2024-03-30 23:10:00 +0100``): local time, UTC offset."""
ZONE_KEY = "HKTimeZone"
"""The metadata key naming the time zone a sample was recorded in."""


def on_clock(start: dt.datetime, end: dt.datetime, name: str,
             unknown: Counter[str]) -> tuple[dt.datetime, dt.datetime]:
    """A record's times on the clock of the zone ``name`` (:func:`~.common.in_zone`).

    A name no time zone database knows keeps the times as the export wrote them and is
    counted in ``unknown``, for a warning: of sleep records and flow records alike.
    """
    there = in_zone(start, name), in_zone(end, name)
    if there[0] is None or there[1] is None:
        unknown[name] += 1
        return start, end
    return there[0], there[1]


@dataclass
class Flow:
    """One menstrual-flow record: its local start and end, and whether it is bleeding."""

    start: dt.datetime
    end: dt.datetime
    bleeding: int

    def days(self) -> list[dt.date]:
        """The local days it covers (see the module doc).

        A record of whole days (Cycle Tracking's, from midnight to midnight where it was
        written) gives its days by the midnight nearest its start: without ``HKTimeZone`` the
        export writes it on the exporting phone's clock, and a Berlin day exported in New York
        began at 18:00 the day before and was dated a day early, its sleep records (with the
        zone) right (an outside audit, /tmp/w56/m M3).
        """
        span = self.end - self.start
        if span > dt.timedelta(0) and span % DAY == dt.timedelta(0):
            first = (self.start + DAY / 2).date()
            return [first + n * DAY for n in range(span // DAY)]
        last = self.end - dt.timedelta(microseconds=1) if self.end > self.start else self.end
        first = self.start.date()
        return [first + dt.timedelta(days=n) for n in range((last.date() - first).days + 1)]


@dataclass
class CycleDays:
    """The menstrual-flow records of an import's exports, as they are read."""

    records: list[Flow] = field(default_factory=list)
    unknown_zones: Counter[str] = field(default_factory=Counter)

    def read(self, attributes: dict[str, str], file: str, where: str,
             faults: Faults) -> Callable[[str], None] | None:
        """Keep one record; what puts it on its ``HKTimeZone``'s clock (None: left out).

        A record whose dates or value do not read, or longer than :data:`LONGEST`, is left
        out and counted (:meth:`~.common.Faults.skip`): the sleep is imported all the same.
        """
        try:
            start = dt.datetime.strptime(attributes.get("startDate", ""), TIME_FORMAT)
            end = dt.datetime.strptime(attributes.get("endDate", ""), TIME_FORMAT)
        except ValueError:
            faults.skip(file, where, "menstrual-flow records whose dates do not read")
            return None
        value = attributes.get("value", "")
        if value not in FLOW:
            faults.skip(file, where, f"menstrual-flow records of a value not known ({value!r})")
            return None
        if not dt.timedelta(0) <= end - start <= LONGEST:
            faults.skip(file, where, "menstrual-flow records ending before they begin or "
                        f"lasting over {LONGEST.days} days (no period's days)")
            return None
        self.records.append(Flow(start, end, FLOW[value]))
        return self.zoned

    def zoned(self, name: str) -> None:
        """The last record on the clock of zone ``name`` (:func:`on_clock`)."""
        last = self.records[-1]
        self.records[-1] = Flow(*on_clock(last.start, last.end, name, self.unknown_zones),
                                last.bleeding)

    def nights(self) -> dict[dt.date, int]:
        """Each day a record covers -> 1 when any of its records is bleeding, else 0."""
        found: dict[dt.date, int] = {}
        for record in self.records:
            for day in record.days():
                found[day] = max(found.get(day, 0), record.bleeding)
        return found


def with_menstruation(table: pd.DataFrame, cycle: CycleDays,
                      source: str) -> tuple[pd.DataFrame, list[str]]:
    """The nights' ``table`` with the ``menstruation`` column, and a warning counting the days.

    A night's cell is its day's (:meth:`CycleDays.nights`), blank without a record; a bleeding
    day whose night is not in ``table`` gets a row of its own (see the module doc). No bleeding
    day: ``table`` as it is, with nothing said but an unknown ``HKTimeZone``.
    """
    days = cycle.nights()
    if not any(days.values()):
        return table, _zones_note(cycle, source)
    dates = set(table["date"].astype(str))
    alone = [d.isoformat() for d in sorted(days) if days[d] and d.isoformat() not in dates]
    out = pd.concat([table, pd.DataFrame({"date": alone})], ignore_index=True).fillna("")
    flow = {d.isoformat(): str(v) for d, v in days.items()}
    out[COLUMN] = out["date"].astype(str).map(lambda d: flow.get(d, ""))
    out = out[[c for c in KNOWN_COLUMNS if c in out.columns]]
    out = out.sort_values("date", kind="stable").reset_index(drop=True)
    none = int(out[COLUMN].eq("0").sum())
    said = (f"{source}: {sum(days.values())} day(s) of menstrual bleeding written menstruation "
            f"= 1{f' and {none} night(s) of no flow written 0' * bool(none)} (the model fits "
            "the days before a period and its first ones apart from magnesium's effect)"
            + (f"; {len(alone)} of them on a night without sleep, each given a row with only "
               f"menstruation: {few(alone)}" if alone else ""))
    return out, [said, *_zones_note(cycle, source)]


def _zones_note(cycle: CycleDays, source: str) -> list[str]:
    """The warning of records whose ``HKTimeZone`` no time zone database knows, if any."""
    if not cycle.unknown_zones:
        return []
    return [f"{source}: {cycle.unknown_zones.total()} menstrual-flow record(s) whose {ZONE_KEY} "
            "no time zone database knows, read at the export's UTC offsets (the exporting "
            f"phone's): {few([repr(z) for z in cycle.unknown_zones])}"]
