"""Tracker imports for travellers (a traveller's audit, /tmp/w55/t T2, T3, T6): each failed before.

T2. Apple's export.xml writes every date in the exporting phone's time zone; the zone a sleep was
    recorded in is only in its ``<MetadataEntry key="HKTimeZone">``. A consultant's Singapore
    nights, exported in London, began at 15:14 and were written day sleeps.
T3. A crew rest on the plane (21:23-00:03 at -04:00) and the day sleep at home after landing
    (08:54-15:27 at +02:00), 2 h 51 min apart, were joined into one night with an "awakening"
    of the landing, and the day sleep was not marked.
T6. Garmin's export has no local start time, so no day sleep is ever marked, and nothing said.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest
from test_import_tracker_quirks import nights, write_json

from model.data.importers.common import SleepPeriod
from model.data.importers.nights import runs

PREFIX = "HKCategoryValueSleepAnalysis"
WATCH = "Sam’s Apple Watch"


def apple_record(start: str, end: str, value: str, zone: str | None = None) -> str:
    """One sleep record, times ISO with their offset; ``zone``: its ``HKTimeZone``."""
    def written(moment: str) -> str:
        return dt.datetime.fromisoformat(moment).strftime("%Y-%m-%d %H:%M:%S %z")

    head = (f' <Record type="HKCategoryTypeIdentifierSleepAnalysis" sourceName="{WATCH}" '
            f'startDate="{written(start)}" endDate="{written(end)}" value="{PREFIX}{value}"')
    if zone is None:
        return head + "/>\n"
    return head + f'>\n  <MetadataEntry key="HKTimeZone" value="{zone}"/>\n </Record>\n'


def apple_xml(path: Path, records: list[str]) -> Path:
    path.write_text('<?xml version="1.0" encoding="UTF-8"?>\n<HealthData locale="en_GB">\n'
                    ' <ExportDate value="2026-12-07 08:00:00 +0000"/>\n'
                    f'{"".join(records)}</HealthData>\n', encoding="utf-8")
    return path


def on_phone(moment: str, phone: str) -> str:
    """A local time (ISO with its offset) as a phone at UTC offset ``phone`` writes it."""
    return dt.datetime.fromisoformat(moment).astimezone(
        dt.datetime.fromisoformat(f"2000-01-01T00:00{phone}").tzinfo).isoformat()


def night(bed: str, onset: str, wake: tuple[str, str], end: str, zone: str | None,
          phone: str) -> list[str]:
    """In bed, asleep, awake, asleep again, up: times where slept, written by the phone."""
    parts = [(bed, end, "InBed"), (onset, wake[0], "AsleepCore"),
             (wake[0], wake[1], "Awake"), (wake[1], end, "AsleepCore")]
    return [apple_record(on_phone(a, phone), on_phone(b, phone), value, zone)
            for a, b, value in parts]


SINGAPORE = night("2026-11-17T23:00+08:00", "2026-11-17T23:14+08:00",
                  ("2026-11-18T03:00+08:00", "2026-11-18T03:20+08:00"), "2026-11-18T06:50+08:00",
                  "Asia/Singapore", "+00:00")
"""A Singapore night (bed at 23:00, asleep at 23:14) exported from a phone on London time."""

HOME_DAY_SLEEP = night("2026-11-20T08:50+00:00", "2026-11-20T09:00+00:00",
                       ("2026-11-20T12:00+00:00", "2026-11-20T12:10+00:00"),
                       "2026-11-20T15:00+00:00", "Europe/London", "+00:00")
"""The day sleep in London after the night flight home (09:00-15:00)."""


def test_apple_a_sleep_is_dated_and_marked_on_the_clock_of_its_hktimezone(tmp_path):
    """The Singapore night is no day sleep (it was: 15:14 in London); London's is one."""
    export = apple_xml(tmp_path / "export.xml", SINGAPORE + HOME_DAY_SLEEP)
    got, warnings = nights("apple", export)
    assert got == {
        "2026-11-17": {"sol_min": "14", "awakenings": "1", "waso_min": "20", "day_sleep": "0"},
        "2026-11-19": {"sol_min": "10", "awakenings": "1", "waso_min": "10", "day_sleep": "1"}}
    assert any(w.startswith("apple: 1 night(s) whose sleep began in the day") and
               w.endswith(": 2026-11-19") for w in warnings)


def test_apple_export_zip_reads_hktimezone_alike(tmp_path):
    """The zip the Health app shares is read by the same reader: the same nights."""
    xml = apple_xml(tmp_path / "export.xml", SINGAPORE + HOME_DAY_SLEEP)
    with zipfile.ZipFile(tmp_path / "export.zip", "w") as archive:
        archive.write(xml, "apple_health_export/export.xml")
    from_zip, from_xml = nights("apple", tmp_path / "export.zip")[0], nights("apple", xml)[0]
    assert from_zip == from_xml
    assert from_zip["2026-11-17"]["day_sleep"] == "0"


def test_apple_a_zone_across_the_fall_back_keeps_the_nights_true_length(tmp_path):
    """A London night across the clocks going back (25 October 2026), exported in Singapore:
    awake from 01:30 BST to 01:20 GMT is 50 minutes, not -10 (a wall clock's); before, the
    night began at 06:00 Singapore time and was written a day sleep."""
    records = night("2026-10-24T23:00+01:00", "2026-10-24T23:05+01:00",
                    ("2026-10-25T01:30+01:00", "2026-10-25T01:20+00:00"),
                    "2026-10-25T06:30+00:00", "Europe/London", "+08:00")
    got, warnings = nights("apple", apple_xml(tmp_path / "export.xml", records))
    assert got == {"2026-10-24": {"sol_min": "5", "awakenings": "1", "waso_min": "50"}}
    assert not any("day" in w for w in warnings)


def test_apple_an_unknown_hktimezone_keeps_the_exports_offsets_and_is_said(tmp_path):
    records = [r.replace("Asia/Singapore", "Mars/Olympus") for r in SINGAPORE]
    got, warnings = nights("apple", apple_xml(tmp_path / "export.xml", records))
    assert got["2026-11-17"]["day_sleep"] == "1"     # 15:14 on the phone's clock, as before
    assert ("apple: 4 sleep record(s) whose HKTimeZone no time zone database knows, read at "
            "the export's UTC offsets (the exporting phone's): 'Mars/Olympus'") in warnings


# T3. A flight between two sleeps ---------------------------------------------------------------
CREW_REST = {"id": "rest", "type": "sleep", "bedtime_start": "2026-09-15T21:23:00-04:00",
             "bedtime_end": "2026-09-16T00:03:00-04:00", "latency": 300,
             "total_sleep_duration": 8940, "time_in_bed": 9600,
             "sleep_phase_5_min": "4" + "2" * 31}
DAY_SLEEP = {"id": "home", "type": "long_sleep", "bedtime_start": "2026-09-16T08:54:00+02:00",
             "bedtime_end": "2026-09-16T15:29:00+02:00", "latency": 600,
             "total_sleep_duration": 18900, "time_in_bed": 23700,
             "sleep_phase_5_min": "44" + "2" * 36 + "444" + "2" * 38}


def test_oura_a_crew_rest_and_the_day_sleep_after_landing_are_two_sleeps(tmp_path):
    """Before: one night of 2 awakenings and 180 minutes awake (the landing), day_sleep 0."""
    got, warnings = nights("oura", write_json(tmp_path / "oura.json",
                                              {"data": [CREW_REST, DAY_SLEEP]}))
    assert got == {"2026-09-15": {"sol_min": "10", "awakenings": "1", "waso_min": "15",
                                  "day_sleep": "1"}}
    assert not any("joined" in w for w in warnings)


def test_apple_a_crew_rest_and_the_day_sleep_after_landing_are_two_sleeps(tmp_path):
    """Asleep 21:23-00:03 at -04:00, then from 08:54 at +02:00, 2 h 51 min later."""
    records = [apple_record("2026-09-15T21:23-04:00", "2026-09-16T00:03-04:00", "AsleepCore"),
               *night("2026-09-16T08:44+02:00", "2026-09-16T08:54+02:00",
                      ("2026-09-16T12:00+02:00", "2026-09-16T12:15+02:00"),
                      "2026-09-16T15:27+02:00", None, "+02:00")]
    got, warnings = nights("apple", apple_xml(tmp_path / "export.xml", records))
    assert got == {"2026-09-15": {"sol_min": "10", "awakenings": "1", "waso_min": "15",
                                  "day_sleep": "1"}}
    assert not any("joined" in w for w in warnings)


@pytest.mark.parametrize(("offset", "joined"), [
    (0, True),      # the clocks went back an hour: still one night
    (2, True),      # the clocks went forward an hour
    (3, False),     # flown two zones east: back to sleep at 09:30 is a sleep of its own
    (-2, True),     # flown three zones west: back to sleep at 04:30, in the night
])
def test_parts_with_offsets_over_an_hour_apart_join_only_within_the_hour_or_at_night(
        offset, joined):
    """02:30-05:00 at +01:00 (150 minutes asleep), then 2 h 30 min later at ``offset``."""
    zone = dt.timezone(dt.timedelta(hours=offset))
    first = SleepPeriod(dt.date(2026, 3, 1), dt.datetime(2026, 3, 2, 2, 30, tzinfo=dt.timezone(
        dt.timedelta(hours=1))), dt.datetime(2026, 3, 2, 5, tzinfo=dt.timezone(
            dt.timedelta(hours=1))), 150.0, True)
    start = dt.datetime(2026, 3, 2, 6, 30, tzinfo=dt.UTC).astimezone(zone)
    later = SleepPeriod(dt.date(2026, 3, 1), start, start + dt.timedelta(hours=3), 170.0, True)
    assert (runs([first, later]) == [[first, later]]) is joined


# T6. Garmin's local start ----------------------------------------------------------------------
def garmin_record(morning: str, start_gmt: str, end_gmt: str, local_start: str | None) -> dict:
    """A ``*_sleepData.json`` record; ``local_start`` as the Garmin Connect API writes it."""
    record = {"calendarDate": morning, "sleepStartTimestampGMT": f"{start_gmt}.0",
              "sleepEndTimestampGMT": f"{end_gmt}.0", "deepSleepSeconds": 4200,
              "lightSleepSeconds": 12000, "remSleepSeconds": 4800, "awakeSleepSeconds": 900,
              "awakeCount": 2}
    if local_start is not None:
        epoch = dt.datetime.fromisoformat(local_start) - dt.datetime(1970, 1, 1)
        record["sleepStartTimestampLocal"] = int(epoch.total_seconds() * 1000)
    return record


def garmin_export(tmp_path: Path, local: bool) -> Path:
    """A night at home (23:10 CEST), then the day sleep after a red-eye (08:54 CEST)."""
    records = [garmin_record("2026-09-15", "2026-09-14T21:10:00", "2026-09-15T05:10:00",
                             "2026-09-14T23:10:00" if local else None),
               garmin_record("2026-09-16", "2026-09-16T06:54:00", "2026-09-16T13:27:00",
                             "2026-09-16T08:54:00" if local else None)]
    return write_json(tmp_path / "sleepData.json", records)


NO_LOCAL_START = ("garmin: 2 night(s) without a local start time (Garmin's export gives none), "
                  "so day sleeps (after a night shift or a flight) cannot be told: write "
                  "day_sleep = 1 yourself on those of them that were")


def test_garmin_an_export_without_a_local_start_says_day_sleeps_cannot_be_told(tmp_path):
    got, warnings = nights("garmin", garmin_export(tmp_path, local=False))
    assert set(got) == {"2026-09-14", "2026-09-15"}
    assert not any("day_sleep" in row for row in got.values())
    assert NO_LOCAL_START in warnings


def test_garmin_a_local_start_marks_the_day_sleep_and_says_nothing_of_it(tmp_path):
    """A guard of what the auditor's variant showed (the start's wall clock is read)."""
    got, warnings = nights("garmin", garmin_export(tmp_path, local=True))
    assert {day: row["day_sleep"] for day, row in got.items()} == {"2026-09-14": "0",
                                                                    "2026-09-15": "1"}
    assert not any("local start" in w for w in warnings)
