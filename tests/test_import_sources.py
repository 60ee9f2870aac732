"""Each importer on small synthetic exports written from the vendors' documented fields.

The fixtures in tests/data/import/ hold, per source: a night spanning midnight, a sleep that
starts after midnight (still the night before), naps and several sleeps in one night, a
night with naps only, a duplicate record and (Fitbit, Apple) the daylight-saving night of
2024-03-30 in Europe/Berlin.
"""

import math
import zipfile
from pathlib import Path

import pytest

from model.core.errors import InputError
from model.data.diary import read_diary
from model.data.importers import import_files
from model.data.importers.apple import samples
from model.data.importers.csd import clock_minutes
from model.data.importers.generic import parse_map
from model.data.importers.oura import wake_runs

DATA = Path(__file__).parent / "data" / "import"


def nights(source, *names, **options):
    imported = import_files(source, [DATA / n for n in names], **options)
    table = imported.table.set_index("date")
    return {day: {c: v for c, v in row.items() if v != ""}
            for day, row in table.to_dict("index").items()}, imported.warnings


def test_fitbit_main_sleep_per_night_stages_and_classic_counts_naps_and_duplicates():
    got, warnings = nights("fitbit", "fitbit-sleep-2024-03-01.json",
                           "fitbit-sleep-2024-03-31.json")
    assert got == {
        "2024-03-01": {"sol_min": "12", "awakenings": "3", "waso_min": "40"},   # stages: wake
        "2024-03-02": {"sol_min": "5", "awakenings": "2", "waso_min": "15"},    # classic; 00:40
        "2024-03-30": {"sol_min": "20", "awakenings": "2", "waso_min": "25"},   # DST night
    }
    assert "fitbit: 1 duplicate record(s) dropped" in warnings
    assert "fitbit: 1 night(s) with naps only, no row: 2024-03-04" in warnings
    assert "fitbit: 1 nap(s) or shorter sleep(s) of a night left out: 2024-03-02" in warnings


def test_apple_one_source_per_night_dst_durations_latency_from_in_bed():
    got, warnings = nights("apple", "apple-export.xml")
    # 2024-03-30: the watch (365 min asleep) beats the phone (270 min); the watch wrote no
    # "in bed", so no latency; 03:00-03:15 and 04:00-04:05 CEST are the awakenings.
    assert got["2024-03-30"] == {"awakenings": "2", "waso_min": "20"}
    # 2024-03-31: phone only, in bed 22:45, asleep 23:10 (a sample written twice), 02:00-02:20
    assert got["2024-03-31"] == {"sol_min": "25", "awakenings": "1", "waso_min": "20"}
    assert set(got) == {"2024-03-30", "2024-03-31"}  # the 40-minute nap of 1 April is no night
    assert any("naps only" in w for w in warnings)


def test_apple_streams_only_sleep_records_and_reports_progress():
    seen = []
    found = samples(DATA / "apple-export.xml", lambda done, size: seen.append((done, size)))
    assert len(found) == 13 and {s.source for s in found} == {"iPhone", "Apple Watch"}
    assert seen and seen[-1][0] == seen[-1][1] == (DATA / "apple-export.xml").stat().st_size


def test_apple_reads_the_shared_zip_in_place(tmp_path):
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.write(DATA / "apple-export.xml", "apple_health_export/export.xml")
        out.writestr("apple_health_export/export_cda.xml", "<ClinicalDocument/>")
    assert nights("apple", archive)[0] == nights("apple", "apple-export.xml")[0]
    with zipfile.ZipFile(tmp_path / "other.zip", "w") as out:
        out.writestr("readme.txt", "no export here")
    with pytest.raises(InputError, match=r"expected an export\.xml in the zip archive"):
        import_files("apple", [tmp_path / "other.zip"])


def test_apple_malformed_xml_names_line_and_column(tmp_path):
    broken = tmp_path / "export.xml"
    broken.write_text('<HealthData>\n <Record type="x"\n</HealthData>\n')
    with pytest.raises(InputError, match=r"export.xml: line 3, column \d+: expected Apple"):
        import_files("apple", [broken])


def test_oura_long_sleep_wins_naps_rest_and_duplicates_left_out():
    got, warnings = nights("oura", "oura-sleep.json")
    assert got == {
        "2024-03-01": {"sol_min": "15", "awakenings": "2", "waso_min": "25"},
        # after midnight; the short sleep 01:00-02:10 before the long one (under 90 minutes,
        # not a main sleep) is a doze, not the night's first part: left out
        "2024-03-02": {"sol_min": "7", "awakenings": "1", "waso_min": "5"},
    }
    assert "oura: 1 duplicate record(s) dropped" in warnings
    # a user audit: late naps and rest periods were left out without being counted
    for kind, record in (("late_nap", 2), ("rest", 5)):
        assert (f"oura: 1 record(s) left out, of Oura type {kind} (a nap, a rest or a deleted "
                f"period, not a night's sleep): {DATA / 'oura-sleep.json'} record {record}"
                in warnings)


def test_oura_csv_with_the_api_field_names():
    got, _ = nights("oura", "oura-sleep.csv")
    assert got == {"2024-03-09": {"sol_min": "21", "awakenings": "2", "waso_min": "20"}}


def test_oura_wake_runs_count_only_between_first_and_last_sleep_epoch():
    assert wake_runs("4422442224") == (1.0, 10.0)
    assert all(math.isnan(v) for v in wake_runs("444"))  # no sleep epoch at all


def test_garmin_local_start_epoch_or_text_else_the_night_before_calendar_date():
    got, _ = nights("garmin", "garmin-sleep.json", "garmin-dailysleep.json")
    assert got == {
        "2024-03-01": {"awakenings": "2", "waso_min": "20"},   # epoch ms, 23:30 local
        "2024-03-02": {"awakenings": "4", "waso_min": "45"},   # ISO text, 00:45 local
        "2024-03-03": {"awakenings": "1", "waso_min": "10"},   # calendarDate 03-04 only
        "2024-03-08": {"awakenings": "3", "waso_min": "15"},   # a dailySleepDTO object
    }


def test_generic_csv_units_morning_dates_and_identical_duplicates():
    got, _ = nights("csv", "app-export.csv", date_is_morning=True,
                    mapping="date=Day,sol_min=Latency:s,awakenings=Wakes,quality=Rating")
    assert got == {
        "2024-03-01": {"sol_min": "25", "awakenings": "2", "quality": "4"},
        "2024-03-02": {"sol_min": "10", "awakenings": "0", "quality": "5"},
        "2024-03-03": {"awakenings": "1", "quality": "3"},
    }


def test_generic_csv_conflicting_rows_and_missing_columns_are_named(tmp_path):
    clash = tmp_path / "a.csv"
    clash.write_text("Day,Wakes\n2024-03-02,1\n2024-03-02,3\n")
    with pytest.raises(InputError, match=r"a.csv: row 2, column Day: expected one row per "
                       r"night, got 2024-03-02 again"):
        import_files("csv", [clash], mapping="date=Day,awakenings=Wakes")
    with pytest.raises(InputError, match="column Latency: expected this mapped column; found "
                       "columns: Day, Wakes"):
        import_files("csv", [clash], mapping="date=Day,sol_min=Latency")


def test_a_mapped_value_out_of_range_names_the_files_column_and_the_diarys(tmp_path):
    """It once read "row 1, column Rating as, quality"."""
    rated = tmp_path / "r.csv"
    rated.write_text("Day,Rating\n2024-03-02,9\n")
    with pytest.raises(InputError, match=r"r.csv: row 1, column Rating \(as quality\): "
                       r"expected .*got 9"):
        import_files("csv", [rated], mapping="date=Day,quality=Rating")


def test_generic_map_faults():
    with pytest.raises(InputError) as caught:
        parse_map("date=Day,sleepiness=S,awakenings=W:h,sol_min")
    message = str(caught.value)
    assert "got 'sleepiness'" in message and "got 'h' for awakenings" in message
    assert "sol_min: expected diary_column=SourceColumn[:unit]" in message
    assert parse_map("date=Day,waso_min=Wake time:h")[1].source == "Wake time"


def test_csd_morning_date_times_after_midnight_and_words_for_quality():
    got, _ = nights("csd", "csd-diary.csv")
    assert got == {
        "2024-03-01": {"sol_min": "30", "awakenings": "2", "waso_min": "25", "quality": "4"},
        "2024-03-02": {"sol_min": "15", "awakenings": "1", "waso_min": "10", "quality": "1",
                       "notes": "late party"},
        "2024-03-03": {"sol_min": "20", "awakenings": "0", "waso_min": "0", "quality": "3"},
    }
    assert (clock_minutes("11:40 pm"), clock_minutes("0:05"), clock_minutes("25:00")) == \
        (23 * 60 + 40, 5, None)


def test_csd_minutes_that_do_not_fit_the_night_are_a_fault(tmp_path):
    diary = tmp_path / "csd.csv"
    diary.write_text("date,try_to_sleep,sol_min,waso_min,final_awakening\n"
                     "2024-03-02,23:30,200,100,03:00\n")
    with pytest.raises(InputError, match=r"row 1, columns sol_min and waso_min: expected at "
                       r"most 210 minutes"):
        import_files("csd", [diary])


def test_csd_quality_in_a_word_it_does_not_know_names_the_words_it_does(tmp_path):
    """A user audit: quality "grand" was answered "expected a number", though the words of
    the CSD (very poor ... very good) are read."""
    diary = tmp_path / "csd.csv"
    diary.write_text("date,try_to_sleep,sol_min,quality\n2024-03-02,23:00,20,grand\n"
                     "2024-03-03,23:00,20,Very  Good\n")
    with pytest.raises(InputError, match=r"row 1, column quality: expected a number from 1 to "
                       r"5 or one of very poor, poor, fair, good, very good, got 'grand'"):
        import_files("csd", [diary])


def test_values_outside_the_diary_range_name_file_record_and_field(tmp_path):
    bad = tmp_path / "sleep.json"
    bad.write_text('[{"startTime": "2024-03-01T23:00:00.000", "minutesToFallAsleep": 800, '
                   '"minutesAwake": "x", "minutesAsleep": 300, "mainSleep": true}]')
    with pytest.raises(InputError) as caught:
        import_files("fitbit", [bad])
    assert "sleep.json: record 1, sol_min: expected a number from 0 to 720 (minutes), got 800" in \
        str(caught.value)
    assert "record 1, minutesAwake: expected a number, got 'x'" in str(caught.value)


@pytest.mark.parametrize("source, names, options", [
    ("fitbit", ["fitbit-sleep-2024-03-01.json"], {}),
    ("apple", ["apple-export.xml"], {}),
    ("oura", ["oura-sleep.json"], {}),
    ("garmin", ["garmin-sleep.json"], {}),
    ("csd", ["csd-diary.csv"], {}),
])
def test_every_import_is_a_valid_diary(source, names, options):
    imported = import_files(source, [DATA / n for n in names], **options)
    diary = read_diary(imported.table)
    assert diary.n_recorded == len(imported.table) and set(diary.nights["form"]) == {"none"}


# Audit of the tracker importers (2024-05 fixtures): each test failed before its fix.

def test_fitbit_auto_detected_zero_latency_is_blank_manual_zero_kept():
    got, warnings = nights("fitbit", "fitbit-sleep-2024-05-01.json")
    assert "sol_min" not in got["2024-05-01"]         # auto_detected, 0: not measured
    assert got["2024-05-02"]["sol_min"] == "0"        # manual, 0: the person's
    assert got["2024-05-03"]["sol_min"] == "8"        # auto_detected, not 0: kept
    assert "fitbit: 1 auto-detected night(s): Fitbit gives no sleep-onset latency for them; " \
        "left blank" in warnings


def test_a_night_split_by_a_long_awakening_is_joined_fitbit_main_and_later_log():
    got, warnings = nights("fitbit", "fitbit-sleep-2024-05-01.json")
    # main 22:45-02:15 (5 min latency, 2 wakes, 15 min), non-main 04:10-07:00 (1, 10 min):
    # 2 + 1 + 1 awakenings, 15 + 10 + 115 minutes awake after onset
    assert got["2024-05-04"] == {"sol_min": "5", "awakenings": "4", "waso_min": "140"}
    assert "fitbit: 1 night(s) joined from sleeps split by an awakening of up to 3 h: " \
        "2024-05-04" in warnings


def test_a_night_split_by_a_long_awakening_is_joined_oura_two_long_sleeps():
    got, warnings = nights("oura", "oura-sleep-split.json")
    # 22:30-01:30 (latency 10 min, 1 run of 10 min) and 03:00-07:00 (1 run of 5 min);
    # the afternoon late_nap stays out
    assert got == {"2024-05-01": {"sol_min": "10", "awakenings": "3", "waso_min": "105"}}
    assert any("joined" in w and "2024-05-01" in w for w in warnings)


def test_join_keeps_afternoon_naps_out_and_never_joins_overlaps():
    from datetime import date, datetime

    from model.data.importers.common import SleepPeriod
    from model.data.importers.nights import runs

    def sleep(start, end, main=True):
        return SleepPeriod(date(2024, 5, 1), datetime.fromisoformat(start),
                           datetime.fromisoformat(end), 60.0, main)

    nap = sleep("2024-05-01T15:00", "2024-05-01T15:40", main=False)
    night = sleep("2024-05-01T23:00", "2024-05-02T02:00")
    after = sleep("2024-05-02T05:00", "2024-05-02T07:00")   # 3 h after: joined
    overlap = sleep("2024-05-01T23:30", "2024-05-02T01:00")
    assert runs([after, nap, night]) == [[nap], [night, after]]
    assert runs([night, overlap]) == [[night], [overlap]]
    # an evening doze 2 h before bed is not the night's start (nor an awakening of it)
    doze = sleep("2024-05-01T20:00", "2024-05-01T21:00", main=False)
    assert runs([night, doze, after]) == [[doze], [night, after]]


def test_garmin_export_records_without_sleep_time_use_the_stages():
    got, warnings = nights("garmin", "2024-04-28_2024-08-06_12345678_sleepData.json")
    # no sleepTimeSeconds and no local start: deep + light + rem, the night before calendarDate
    assert got == {"2024-05-01": {"awakenings": "2", "waso_min": "30"},
                   "2024-05-02": {"awakenings": "1", "waso_min": "15"}}
    assert any("1 record(s) left out, no sleepTimeSeconds and no deepSleepSeconds, "
               "lightSleepSeconds or remSleepSeconds" in w
               and "record 3 (calendarDate 2024-05-04)" in w for w in warnings)


def test_apple_latency_from_the_in_bed_sample_holding_the_onset():
    got, warnings = nights("apple", "apple-nights.xml")
    assert got["2024-05-01"] == {"sol_min": "110", "awakenings": "0", "waso_min": "0"}
    # in bed since 12:30, asleep 00:40: 730 minutes is beyond the diary's range, left blank
    assert got["2024-05-07"] == {"awakenings": "0", "waso_min": "0"}
    assert "apple: 1 night(s) in bed over 720 minutes before sleep onset: sol_min left blank" \
        in warnings


def test_apple_sessions_split_by_a_long_awakening_are_one_night():
    got, _ = nights("apple", "apple-nights.xml")
    assert got["2024-05-02"] == {"awakenings": "1", "waso_min": "120"}  # 23-01, 03-07


def test_apple_a_short_terrible_night_is_a_night_and_dropped_nights_are_named():
    got, warnings = nights("apple", "apple-nights.xml")
    # in bed 23:00, asleep 00:30-02:00 and 02:40-04:00 (170 min); the 15:00 nap stays out
    assert got["2024-05-03"] == {"sol_min": "90", "awakenings": "1", "waso_min": "40"}
    assert "apple: 1 night(s) with naps only, no row: 2024-05-05" in warnings
    assert "apple: 1 nap(s) or shorter sleep(s) of a night left out: 2024-05-03" in warnings


def test_apple_prefers_the_source_with_sleep_stages_and_says_so():
    got, warnings = nights("apple", "apple-nights.xml")
    assert got["2024-05-04"] == {"awakenings": "3", "waso_min": "40"}  # not SleepApp's block
    assert "apple: 1 night(s) with sleep from several sources: used Apple Watch (it records " \
        "sleep stages or awake times), not SleepApp" in warnings


def test_apple_every_bad_record_is_named_by_its_line(tmp_path):
    lines = (DATA / "apple-nights.xml").read_text().splitlines(keepends=True)
    bad = [i for i, line in enumerate(lines) if 'sourceName="SleepApp"' in line or
           "2024-05-05 14:00:00" in line]
    for i in bad:
        lines[i] = lines[i].replace('startDate="2024-05-0', 'startDate="2024/05/0')
    export = tmp_path / "export.xml"
    export.write_text("".join(lines))
    with pytest.raises(InputError) as caught:
        import_files("apple", [export])
    message = str(caught.value)
    for i in bad:
        assert f"export.xml: line {i + 1}, sleep record: expected startDate and endDate" \
            in message
    assert "sleep record 1" not in message


def test_fitbit_json_with_a_byte_order_mark(tmp_path):
    export = tmp_path / "sleep-2024-05-01.json"
    export.write_bytes(b"\xef\xbb\xbf" + (DATA / "fitbit-sleep-2024-05-01.json").read_bytes())
    assert nights("fitbit", export)[0] == nights("fitbit", "fitbit-sleep-2024-05-01.json")[0]


def test_oura_csv_separated_by_semicolons_with_decimal_commas():
    got, _ = nights("oura", "oura-sleep-eu.csv")
    assert got == {"2024-05-01": {"sol_min": "10.2", "awakenings": "2", "waso_min": "15"},
                   "2024-05-02": {"sol_min": "8", "awakenings": "0", "waso_min": "0"}}


def test_oura_csv_without_its_columns_fails_once_naming_the_columns_seen(tmp_path):
    other = tmp_path / "oura.csv"
    other.write_text("date|start|latency\n2024-05-01|23:00|600\n")
    with pytest.raises(InputError) as caught:
        import_files("oura", [other])
    assert str(caught.value).count("\n") == 0
    assert "expected the columns of Oura's sleep model (bedtime_start, " in str(caught.value)
    assert "found columns: date|start|latency" in str(caught.value)


def test_fitbit_stages_awakenings_are_the_wakes_of_levels_data_not_the_summary_count(tmp_path):
    """A user audit: Fitbit's ``levels.summary.wake.count`` (29) also counts the wakes of up to
    3 minutes kept in ``shortData``, and became 29 "awakenings" beside a hand-kept 1-3: the
    analysis then said glycinate "harms you (17.6 more awakenings a night)"."""
    import json

    stages = ["wake", "light", "deep", "wake", "light", "rem", "wake", "light", "wake"]
    log = {"startTime": "2024-06-01T23:00:00.000", "endTime": "2024-06-02T07:00:00.000",
           "duration": 28800000, "minutesToFallAsleep": 9, "minutesAsleep": 430,
           "minutesAwake": 31, "type": "stages", "logType": "auto_detected", "mainSleep": True,
           "levels": {"summary": {"wake": {"count": 29, "minutes": 31}},
                      "data": [{"dateTime": "x", "level": s, "seconds": 600} for s in stages],
                      "shortData": [{"dateTime": "x", "level": "wake", "seconds": 60}] * 27}}
    export = tmp_path / "sleep-2024-06-01.json"
    export.write_text(json.dumps([log]))
    imported = import_files("fitbit", [export]).table.set_index("date")
    # the wakes inside the night: 2 (the first is before sleep onset, the last the morning's)
    assert imported.loc["2024-06-01", "awakenings"] == "2"


def test_a_device_count_above_the_diary_range_is_left_blank_not_fatal(tmp_path):
    """A user audit: one restless night (53 wakes) stopped a whole Fitbit import; the
    person cannot correct a tracker's measurement. A negative count is still a fault."""
    import json

    def log(day: int, wakes: int) -> dict:
        return {"startTime": f"2024-06-0{day}T23:00:00.000", "duration": 28800000,
                "minutesToFallAsleep": 10, "minutesAsleep": 420, "minutesAwake": 40,
                "type": "classic", "logType": "manual", "mainSleep": True,
                "levels": {"summary": {"awake": {"count": wakes, "minutes": 20}}, "data": []}}

    export = tmp_path / "sleep-2024-06-01.json"
    export.write_text(json.dumps([log(1, 3), log(2, 53)]))
    imported = import_files("fitbit", [export])
    table = imported.table.set_index("date")
    assert table.loc["2024-06-01", "awakenings"] == "3"
    assert table.loc["2024-06-02", "awakenings"] == ""
    assert table.loc["2024-06-02", "sol_min"] == "10"
    assert ("fitbit: 1 night(s) with awakenings above the diary's range (a whole number from "
            "0 to 50): left blank") in imported.warnings
    export.write_text(json.dumps([log(1, -1)]))
    with pytest.raises(InputError, match="record 1, awakenings: expected a whole number"):
        import_files("fitbit", [export])


def test_apple_in_bed_from_the_phone_and_sleep_from_the_watch_is_said(tmp_path):
    """A user audit: with the commonest setup (the iPhone's bedtime, the watch's sleep) every
    night's sol_min was blank, said only as "sol_min only when the source also wrote 'in bed'
    samples". One source is used a night; the warning now says which wrote what."""
    record = ('<Record type="HKCategoryTypeIdentifierSleepAnalysis" sourceName="{}" '
              'startDate="2024-06-0{} +0200" endDate="2024-06-0{} +0200" '
              'value="HKCategoryValueSleepAnalysis{}"/>\n')
    rows = [("Jane's iPhone", "1 22:40:00", "2 06:50:00", "InBed"),
            ("Jane's Apple Watch", "1 23:05:00", "2 02:00:00", "AsleepCore"),
            ("Jane's Apple Watch", "2 02:00:00", "2 02:10:00", "Awake"),
            ("Jane's Apple Watch", "2 02:10:00", "2 06:40:00", "AsleepDeep")]
    export = tmp_path / "export.xml"
    export.write_text('<?xml version="1.0" encoding="UTF-8"?>\n<HealthData locale="en_US">\n'
                      + "".join(record.format(*r) for r in rows) + "</HealthData>\n")
    imported = import_files("apple", [export])
    night = imported.table.set_index("date").loc["2024-06-01"]
    assert (night["sol_min"], night["awakenings"], night["waso_min"]) == ("", "1", "10")
    assert ("apple: 1 night(s) whose 'in bed' times came from Jane's iPhone and sleep from "
            "Jane's Apple Watch: one source is used per night, so sol_min is left blank "
            "(mgsleep log --sol adds it by hand)") in imported.warnings
