"""Tracker quirks the importers read wrong (2026-12 audit): each test failed before its fix.

1. Fitbit marks a day's only sleep ``mainSleep`` even when it is an afternoon nap.
2. A nap the tracker labels itself (Oura ``type`` ``sleep``) after the night was joined to it.
3. Fitbit's wall-clock times (no UTC offset) make the parts of a night split across the
   daylight-saving fall-back overlap: the first part was dropped.
4. Apple Health: every ``Awake`` sample, however short, was an awakening.
5. A night-shift worker's day sleeps: split around noon, split into two short parts, begun
   in the afternoon after a shift; a sleep split across a westward flight.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

from test_import_audit import apple_export

from model.data.importers import import_files
from model.data.importers.common import SleepPeriod
from model.data.importers.nights import may_fall_back, runs


def nights(source: str, path: Path) -> tuple[dict[str, dict[str, str]], tuple[str, ...]]:
    imported = import_files(source, [path])
    table = imported.table.set_index("date")
    return ({day: {c: v for c, v in row.items() if v != ""}
             for day, row in table.to_dict("index").items()}, imported.warnings)


def write_json(path: Path, document: object) -> Path:
    path.write_text(json.dumps(document))
    return path


def fitbit_log(start: str, end: str, asleep: float, main: bool = True,
               stages: tuple[tuple[str, int], ...] = ()) -> dict[str, object]:
    """A Fitbit log, auto-detected; ``stages`` (level, seconds) make it a ``stages`` log."""
    return {"startTime": f"{start}.000", "endTime": f"{end}.000", "minutesToFallAsleep": 0,
            "minutesAsleep": asleep, "minutesAwake": 12, "logType": "auto_detected",
            "mainSleep": main, "type": "stages" if stages else "classic",
            "levels": {"summary": {"awake": {"count": 2, "minutes": 3}},
                       "data": [{"dateTime": start, "level": level, "seconds": seconds}
                                for level, seconds in stages]}}


# 1. Fitbit: a daytime nap Fitbit calls the main sleep

FITBIT_NAP = {  # /tmp/hT/fbnap/sleep-2020-10-07.json, shortened
    "logId": 14147921940, "dateOfSleep": "2020-10-07", "startTime": "2020-10-07T15:55:00.000",
    "endTime": "2020-10-07T18:10:00.000", "duration": 8100000, "minutesToFallAsleep": 0,
    "minutesAsleep": 123, "minutesAwake": 12, "minutesAfterWakeup": 0, "timeInBed": 135,
    "type": "classic", "logType": "auto_detected", "mainSleep": True,
    "levels": {"summary": {"asleep": {"count": 0, "minutes": 123},
                           "awake": {"count": 2, "minutes": 3},
                           "restless": {"count": 8, "minutes": 9}}, "data": []}}


def test_fitbit_a_daytime_nap_marked_main_sleep_is_a_nap(tmp_path):
    got, warnings = nights("fitbit", write_json(tmp_path / "sleep.json", [FITBIT_NAP]))
    assert got == {}
    assert "fitbit: 1 night(s) with naps only, no row: 2020-10-07" in warnings


def test_fitbit_the_apple_rule_keeps_long_day_sleeps_and_evening_sleeps(tmp_path):
    logs = [FITBIT_NAP,
            fitbit_log("2020-10-07T23:10:00", "2020-10-08T06:50:00", 430),    # the night
            fitbit_log("2020-10-09T08:00:00", "2020-10-09T15:00:00", 400),    # a night shift
            fitbit_log("2020-10-10T19:00:00", "2020-10-10T20:30:00", 80)]     # from 18:00
    got, warnings = nights("fitbit", write_json(tmp_path / "sleep.json", logs))
    assert set(got) == {"2020-10-07", "2020-10-08", "2020-10-10"}
    assert "fitbit: 1 nap(s) or shorter sleep(s) of a night left out: 2020-10-07" in warnings


# 2. A nap the tracker labels a nap, after the night's sleep, is not joined to it

OURA_PHASES = ("4422222222111133332222222211113333222222222211113333222222222211113333222222"
               "2222111122223333222222444")
OURA_NAP = {"data": [  # /tmp/hT/nap/oura-nap.json
    {"id": "a", "day": "2024-11-13", "type": "long_sleep",
     "bedtime_start": "2024-11-12T23:00:00+01:00", "bedtime_end": "2024-11-13T07:00:00+01:00",
     "latency": 600, "time_in_bed": 28800, "total_sleep_duration": 26400,
     "sleep_phase_5_min": OURA_PHASES},
    {"id": "b", "day": "2024-11-13", "type": "sleep",
     "bedtime_start": "2024-11-13T09:30:00+01:00", "bedtime_end": "2024-11-13T10:10:00+01:00",
     "latency": 300, "time_in_bed": 2400, "total_sleep_duration": 2100,
     "sleep_phase_5_min": "42222224"}]}


def test_oura_a_nap_after_the_night_stays_a_nap(tmp_path):
    got, warnings = nights("oura", write_json(tmp_path / "oura.json", OURA_NAP))
    assert got == {"2024-11-12": {"sol_min": "10", "awakenings": "0", "waso_min": "0"}}
    assert "oura: 1 nap(s) or shorter sleep(s) of a night left out: 2024-11-12" in warnings
    assert not any("joined" in w for w in warnings)


def test_only_a_labelled_nap_after_the_last_main_sleep_is_kept_apart():
    def sleep(start: str, end: str, main: bool = True, nap: bool = False) -> SleepPeriod:
        return SleepPeriod(date(2024, 5, 1), datetime.fromisoformat(start),
                           datetime.fromisoformat(end), 120.0, main, nap=nap)

    night = sleep("2024-05-01T23:00", "2024-05-02T03:00")
    nap = sleep("2024-05-02T04:00", "2024-05-02T04:40", main=False, nap=True)
    rest = sleep("2024-05-02T05:00", "2024-05-02T07:00")
    part = sleep("2024-05-02T05:00", "2024-05-02T07:00", main=False)    # Fitbit's second part
    lead = sleep("2024-05-01T20:30", "2024-05-01T22:30", main=False, nap=True)
    assert runs([night, nap]) == [[night], [nap]]
    assert runs([night, nap, rest]) == [[night, nap, rest]]      # a split night's middle
    assert runs([night, part]) == [[night, part]]                # unlabelled: joined
    assert runs([lead, night]) == [[lead, night]]                # before the night: joined


# 3. Fitbit on the daylight-saving fall-back night

def fall_back_night() -> list[dict[str, object]]:
    """/tmp/hT/dst/sleep-2024-10-27.json: 23:30-02:40 CEST, then 02:15-07:30 CET (35 min on)."""
    first = fitbit_log("2024-10-26T23:30:00", "2024-10-27T02:40:00", 185, main=False,
                       stages=(("light", 6000), ("deep", 2700), ("rem", 2400), ("wake", 300)))
    second = fitbit_log("2024-10-27T02:15:00", "2024-10-27T07:30:00", 300,
                        stages=(("light", 9000), ("wake", 900), ("rem", 9000)))
    return [first, second]


def test_fitbit_a_night_split_across_the_fall_back_is_joined(tmp_path):
    got, warnings = nights("fitbit", write_json(tmp_path / "sleep.json", fall_back_night()))
    # 0 + 1 awakenings inside the parts, plus the 35 minutes between them: 15 + 35 minutes
    assert got == {"2024-10-26": {"awakenings": "2", "waso_min": "50"}}
    assert ("fitbit: 1 night(s) joined across a clock change (their parts' wall-clock times "
            "overlap by up to 1 h, read as the clock going back between them): 2024-10-26"
            in warnings)
    assert not any("left out" in w for w in warnings)


def test_overlapping_duplicates_are_still_alternatives_not_joined(tmp_path):
    night = fitbit_log("2024-10-26T23:00:00", "2024-10-27T07:00:00", 450)
    resynced = fitbit_log("2024-10-26T23:02:00", "2024-10-27T07:05:00", 448)
    short = fitbit_log("2024-10-27T23:00:00", "2024-10-27T23:50:00", 45)
    edited = fitbit_log("2024-10-27T23:05:00", "2024-10-27T23:55:00", 44)
    got, warnings = nights("fitbit", write_json(tmp_path / "sleep.json",
                                                [night, night, resynced, short, edited]))
    assert set(got) == {"2024-10-26", "2024-10-27"}
    assert "fitbit: 1 duplicate record(s) dropped" in warnings
    assert ("fitbit: 2 nap(s) or shorter sleep(s) of a night left out: 2024-10-26, "
            "2024-10-27") in warnings
    assert not any("joined" in w for w in warnings)


def test_overlapping_logs_on_an_ordinary_night_are_not_read_as_a_clock_change(tmp_path):
    """The clock goes back only on some Sunday mornings: on another night two logs that
    overlap by 30 minutes (an auto-detected night and a manual log of the morning) stay
    alternatives, not a night with a 30-minute awakening between them."""
    night = fitbit_log("2024-06-14T23:00:00", "2024-06-15T07:00:00", 450)
    morning = fitbit_log("2024-06-15T06:30:00", "2024-06-15T08:10:00", 95)
    got, warnings = nights("fitbit", write_json(tmp_path / "sleep.json", [night, morning]))
    assert set(got) == {"2024-06-14"}
    assert not any("joined" in w for w in warnings)
    assert may_fall_back(date(2024, 10, 27)) and may_fall_back(date(2024, 11, 3))
    assert may_fall_back(date(2024, 4, 7)) and not may_fall_back(date(2024, 6, 16))
    assert not may_fall_back(date(2024, 10, 26))                  # a Saturday


def test_times_with_an_offset_that_overlap_are_never_read_as_a_clock_change(tmp_path):
    export = {"data": [dict(OURA_NAP["data"][0], bedtime_end="2024-11-13T02:40:00+01:00"),
                       dict(OURA_NAP["data"][0], id="c", bedtime_start="2024-11-13T02:15:00"
                            "+01:00", sleep_phase_5_min="2222")]}
    got, warnings = nights("oura", write_json(tmp_path / "oura.json", export))
    assert len(got) == 1 and not any("joined" in w for w in warnings)


# 4. Apple Health: a wake of up to 3 minutes is no awakening, as Fitbit keeps it apart

def test_apple_short_awake_samples_are_not_awakenings(tmp_path):
    """/tmp/hT/ap/export.xml: eight Awake samples of 1-2 minutes and one of 20 minutes."""
    records = [("2024-11-12 22:40:00", "2024-11-13 06:56:00", "InBed"),
               ("2024-11-12 22:55:00", "2024-11-12 23:10:00", "Awake")]
    clock = datetime(2024, 11, 12, 23, 10)
    for asleep, awake in ((44, 1), (44, 2), (44, 1), (44, 1), (44, 20), (44, 1), (44, 2),
                          (44, 1), (44, 1), (30, 3)):
        for minutes, value in ((asleep, "AsleepCore"), (awake, "Awake")):
            end = clock + timedelta(minutes=minutes)
            records.append((f"{clock:%Y-%m-%d %H:%M:%S}", f"{end:%Y-%m-%d %H:%M:%S}", value))
            clock = end
    records.append((f"{clock:%Y-%m-%d %H:%M:%S}", "2024-11-13 07:30:00", "AsleepCore"))
    got, _ = nights("apple", Path(apple_export(tmp_path / "export.xml", records, "Watch")))
    # the 20-minute wake only; the 3-minute one is as short as Fitbit's shortData wakes
    assert got == {"2024-11-12": {"sol_min": "30", "awakenings": "1", "waso_min": "20"}}


def test_fitbit_a_wake_stage_of_up_to_3_minutes_is_no_awakening_either(tmp_path):
    log = fitbit_log("2024-06-01T23:00:00", "2024-06-02T07:00:00", 420, stages=(
        ("light", 3600), ("wake", 180), ("deep", 3600), ("wake", 240), ("rem", 3600)))
    got, _ = nights("fitbit", write_json(tmp_path / "sleep.json", [log]))
    assert got == {"2024-06-01": {"awakenings": "1", "waso_min": "4"}}


# 5. A night-shift worker and a traveller (2026-12-05 audit)

def test_fitbit_a_day_sleep_split_around_noon_is_one_sleep(tmp_path):
    """08:00-11:30 and 12:15-15:00 were two nights' sleeps, cut by the noon rule: the second
    part was left out as a nap (Apple, which joined before dating, gave the right night)."""
    logs = [fitbit_log("2026-03-08T08:00:00", "2026-03-08T11:30:00", 190, main=True),
            fitbit_log("2026-03-08T12:15:00", "2026-03-08T15:00:00", 150, main=False)]
    got, warnings = nights("fitbit", write_json(tmp_path / "sleep.json", logs))
    assert set(got) == {"2026-03-07"}
    assert got["2026-03-07"]["waso_min"] == "69"                     # 12 + the 45-min gap + 12
    assert not any("left out" in w for w in warnings)


def test_a_split_day_sleep_whose_parts_are_each_short_is_still_the_night(tmp_path):
    """08:30-11:00 and 14:00-16:30 (2.5 h each, 5 h in all) were "naps only, no row"."""
    logs = [fitbit_log("2026-03-08T08:30:00", "2026-03-08T11:00:00", 150, main=True),
            fitbit_log("2026-03-08T14:00:00", "2026-03-08T16:30:00", 150, main=False)]
    got, warnings = nights("fitbit", write_json(tmp_path / "sleep.json", logs))
    assert set(got) == {"2026-03-07"} and not any("naps only" in w for w in warnings)


def test_an_afternoon_day_sleep_after_a_night_shift_is_the_night_before(tmp_path):
    """12:30-18:00 on 10 March shared the night of 10 March with 08:00 on 11 March and was
    left out with no date; the night of 9 March (the shift) had no row."""
    logs = [fitbit_log("2026-03-08T23:00:00", "2026-03-09T07:00:00", 450),
            fitbit_log("2026-03-10T12:30:00", "2026-03-10T18:00:00", 300),
            fitbit_log("2026-03-11T08:00:00", "2026-03-11T14:00:00", 340),
            fitbit_log("2026-03-11T23:00:00", "2026-03-12T07:00:00", 450)]
    got, warnings = nights("fitbit", write_json(tmp_path / "sleep.json", logs))
    assert set(got) == {"2026-03-08", "2026-03-09", "2026-03-10", "2026-03-11"}
    assert any("1 night(s) given the day sleep that began the next afternoon" in w
               and w.endswith(": 2026-03-09") for w in warnings), warnings
    # a night that has its own sleep keeps it: the afternoon sleep is then left out, by date
    own = [fitbit_log("2026-03-09T23:00:00", "2026-03-10T07:00:00", 450), *logs[1:3]]
    got, warnings = nights("fitbit", write_json(tmp_path / "own.json", own))
    assert set(got) == {"2026-03-09", "2026-03-10"}
    assert "fitbit: 1 nap(s) or shorter sleep(s) of a night left out: 2026-03-10" in warnings


def test_sleeps_with_offsets_are_ordered_by_the_instant_across_a_westward_flight(tmp_path):
    """22:00-02:00 at +08:00, then 20:30-23:30 at +01:00 (90 minutes later): ordered by the
    wall clock the second part came first and was left out as a nap."""
    first = dict(OURA_NAP["data"][0], id="a", bedtime_start="2026-04-11T22:00:00+08:00",
                 bedtime_end="2026-04-12T02:00:00+08:00", sleep_phase_5_min="2" * 48)
    second = dict(OURA_NAP["data"][0], id="b", bedtime_start="2026-04-11T20:30:00+01:00",
                  bedtime_end="2026-04-11T23:30:00+01:00", sleep_phase_5_min="2" * 36)
    got, warnings = nights("oura", write_json(tmp_path / "oura.json", {"data": [first, second]}))
    assert "oura: 1 night(s) joined from sleeps split by an awakening of up to 3 h: 2026-04-11" \
        in warnings
    assert got == {"2026-04-11": {"sol_min": "10", "awakenings": "1", "waso_min": "90"}}


def test_a_night_sleepers_naps_leave_the_nights_as_they_were(tmp_path):
    """A review of the shift-work rules: a lie-in then a nap at 12:00 was joined to the night
    (5 awakenings), a sick day's 3.5-h nap after a night with no data made that night a row,
    and two afternoon naps (185 min) beat a short, bad night (00:30-04:00)."""
    liein = [fitbit_log("2026-03-06T23:30:00", "2026-03-07T09:30:00", 540),
             fitbit_log("2026-03-07T12:00:00", "2026-03-07T13:30:00", 85, main=False)]
    got, _ = nights("fitbit", write_json(tmp_path / "a.json", liein))
    assert got == {"2026-03-06": {"awakenings": "2", "waso_min": "12"}}     # the night alone
    sick = [fitbit_log("2026-03-01T23:00:00", "2026-03-02T07:00:00", 450),
            fitbit_log("2026-03-03T13:00:00", "2026-03-03T16:30:00", 200, main=False),
            fitbit_log("2026-03-03T23:00:00", "2026-03-04T07:00:00", 450)]
    got, warnings = nights("fitbit", write_json(tmp_path / "b.json", sick))
    assert set(got) == {"2026-03-01", "2026-03-03"} and not any("shift" in w for w in warnings)
    bad = [fitbit_log("2026-03-02T13:00:00", "2026-03-02T14:40:00", 100, main=False),
           fitbit_log("2026-03-02T15:30:00", "2026-03-02T16:55:00", 85, main=False),
           fitbit_log("2026-03-03T00:30:00", "2026-03-03T04:00:00", 170)]
    got, _ = nights("fitbit", write_json(tmp_path / "c.json", bad))
    assert got == {"2026-03-02": {"awakenings": "2", "waso_min": "12"}}   # not 5 and 74
