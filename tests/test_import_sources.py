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
    assert "fitbit: 1 night(s) with naps only, no row" in warnings
    assert "fitbit: 1 nap(s) or shorter sleep(s) of a night left out" in warnings  # 2 March


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
        "2024-03-02": {"sol_min": "7", "awakenings": "1", "waso_min": "5"},  # after midnight
    }
    assert "oura: 1 duplicate record(s) dropped" in warnings


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


def test_values_outside_the_diary_range_name_file_record_and_field(tmp_path):
    bad = tmp_path / "sleep.json"
    bad.write_text('[{"startTime": "2024-03-01T23:00:00.000", "minutesToFallAsleep": 800, '
                   '"minutesAwake": "x", "minutesAsleep": 300, "mainSleep": true}]')
    with pytest.raises(InputError) as caught:
        import_files("fitbit", [bad])
    assert "sleep.json: record 1, sol_min: expected a number from 0 to 720, got 800" in \
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
