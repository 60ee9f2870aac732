"""`mgsleep import`: merging without losing rows, backups, errors that write nothing."""

from pathlib import Path

import pandas as pd

from model.cli.main import main
from model.data.diary import read_diary

DATA = Path(__file__).parent / "data" / "import"


def rows(path):
    return pd.read_csv(path, dtype=str, keep_default_na=False).set_index("date")


def test_import_creates_a_valid_diary_and_says_what_the_tracker_cannot_give(tmp_path, capsys):
    out = tmp_path / "diary.csv"
    assert main(["import", "garmin", str(DATA / "garmin-sleep.json"), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "garmin: 3 night(s) read from 1 file(s)" in printed
    assert "garmin gives no sol_min" in printed
    assert list(rows(out).index) == ["2024-03-01", "2024-03-02", "2024-03-03"]
    assert read_diary(out).n_recorded == 3
    assert not (tmp_path / "diary.csv.bak").exists()


def test_merge_keeps_every_row_fills_blanks_keeps_differing_values_and_backs_up(tmp_path,
                                                                               capsys):
    out = tmp_path / "diary.csv"
    before = ("date,form,elemental_mg,sol_min,awakenings,quality,notes\n"
              "2024-02-28,glycinate,200,30,1,4,before the tracker\n"
              "2024-03-01,glycinate,200,,5,3,\n"
              "2024-03-02,glycinate,200,,4.0,,\n")
    out.write_text(before)
    assert main(["import", "garmin", str(DATA / "garmin-sleep.json"), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "1 new night(s), 2 existing night(s) completed, 1 differing value(s) kept" in printed
    # the differing cell is named: night, column, both values, and how to take the new one
    assert "(2024-03-01 awakenings: diary 5, new 2; --overwrite takes the new values)" in printed
    merged = rows(out)
    assert list(merged.index) == ["2024-02-28", "2024-03-01", "2024-03-02", "2024-03-03"]
    assert merged.loc["2024-02-28", "notes"] == "before the tracker"
    assert merged.loc["2024-03-01", ["form", "awakenings", "waso_min", "quality"]].tolist() == \
        ["glycinate", "5", "20", "3"]  # the diary's 5 awakenings kept, WASO added
    assert (tmp_path / "diary.csv.bak").read_text() == before
    capsys.readouterr()
    assert main(["import", "garmin", str(DATA / "garmin-sleep.json"), "--out", str(out),
                 "--overwrite"]) == 0
    assert rows(out).loc["2024-03-01", "awakenings"] == "2"
    # nothing was left to fill: the replaced value is not a night "completed"
    assert "0 new night(s), 0 existing night(s) completed, 1 differing value(s) replaced" in \
        capsys.readouterr().out
    # a user audit: importing again with nothing new rewrote the diary and its backup
    backup = (tmp_path / "diary.csv.bak").read_text()
    assert main(["import", "garmin", str(DATA / "garmin-sleep.json"), "--out", str(out)]) == 0
    assert "(unchanged, not rewritten)" in capsys.readouterr().out
    assert (tmp_path / "diary.csv.bak").read_text() == backup


def import_with_log(tmp_path, second: str) -> tuple[int, Path, Path]:
    """``import oura`` with a supplements log of glycinate 200 mg, then ``second``'s night."""
    log = tmp_path / "supplements.csv"
    log.write_text(f"date,form,elemental_mg\n2024-03-01,glycinate,200\n2024-03-02,{second}\n")
    out = tmp_path / "diary.csv"
    return main(["import", "oura", str(DATA / "oura-sleep.json"), "--out", str(out),
                 "--supplements", str(log)]), log, out


def test_supplement_log_gives_the_regimen(tmp_path, capsys):
    code, log, out = import_with_log(tmp_path, "placebo,")
    assert code == 0
    # what the log did is said too (it read "0 existing night(s) completed" alone)
    assert f"{log}: 0 new night(s), 2 existing night(s) completed" in capsys.readouterr().out
    diary = read_diary(out)
    assert diary.regimen_label.tolist() == ["glycinate@200", "placebo"]
    assert diary.nights["sol_min"].tolist() == [15.0, 7.0]


def test_a_supplement_dose_above_the_ceiling_is_warned_of_as_log_warns(tmp_path, capsys):
    """A safety-case audit (/tmp/w47/A F2): 900 mg a night came in without a word."""
    code, log, _ = import_with_log(tmp_path, "glycinate,900")
    assert code == 0
    said = capsys.readouterr().out
    assert (f"warning: {log}: row 2 (2024-03-02): 900 mg of elemental magnesium a day is above "
            "the safety ceiling of 350 mg") in said
    assert "row 1 (" not in said


def test_a_fault_in_the_supplement_log_names_the_log_and_writes_nothing(tmp_path, capsys):
    code, log, out = import_with_log(tmp_path, "glycinat,200")
    assert code == 2
    err = capsys.readouterr().err
    assert f"{log}: row 2, column form:" in err and "(did you mean 'glycinate'?)" in err
    assert "diary.csv" not in err
    assert not out.exists()


def test_apple_progress_goes_to_standard_error(tmp_path, capsys):
    out = tmp_path / "diary.csv"
    assert main(["import", "apple", str(DATA / "apple-export.xml"), "--out", str(out)]) == 0
    assert "reading: 100% of" in capsys.readouterr().err
    assert main(["import", "apple", str(DATA / "apple-export.xml"), "--out", str(out),
                 "--quiet"]) == 0
    assert capsys.readouterr().err == ""


def test_a_bad_export_exits_2_names_file_and_record_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "diary.csv"
    out.write_text("date,sol_min\n2024-02-28,30\n")
    bad = tmp_path / "sleep.json"
    bad.write_text('[{"startTime": "2024-03-01T23:00:00", "minutesAwake": 900}]')
    assert main(["import", "fitbit", str(bad), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("mgsleep import: error: ")
    assert ("sleep.json: record 1, waso_min: expected a number from 0 to 720 (minutes), "
            "got 900") in err
    assert out.read_text() == "date,sol_min\n2024-02-28,30\n"
    assert not (tmp_path / "diary.csv.bak").exists()


def test_missing_file_and_broken_json_exit_2(tmp_path, capsys):
    out = tmp_path / "diary.csv"
    assert main(["import", "oura", str(tmp_path / "nope.json"), "--out", str(out)]) == 2
    assert "nope.json: file not found" in capsys.readouterr().err
    broken = tmp_path / "broken.json"
    broken.write_text('{"data": [\n  {"bedtime_start": }\n]}')
    assert main(["import", "oura", str(broken), "--out", str(out)]) == 2
    assert "broken.json: line 2, column 21: expected JSON" in capsys.readouterr().err
    assert not out.exists()


def test_a_merge_that_makes_the_diary_invalid_is_refused(tmp_path, capsys):
    out = tmp_path / "diary.csv"
    before = "date,form,elemental_mg\n2024-03-01,glycinate,\n"  # no dose: invalid already
    out.write_text(before)
    assert main(["import", "garmin", str(DATA / "garmin-sleep.json"), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "diary.csv (not written): row 1, column elemental_mg: expected a dose > 0" in err
    assert out.read_text() == before


def test_csv_source_needs_a_date_mapping(tmp_path, capsys):
    out = tmp_path / "diary.csv"
    assert main(["import", "csv", str(DATA / "app-export.csv"), "--out", str(out),
                 "--map", "sol_min=Latency:s"]) == 2
    assert "--map: expected date=COLUMN among the mappings" in capsys.readouterr().err


def test_the_cli_lists_every_importer_and_what_each_cannot_give():
    from model.cli.importer import CANNOT_GIVE, SOURCE_NAMES
    from model.data.importers import SOURCES

    assert SOURCE_NAMES == SOURCES and tuple(CANNOT_GIVE) == SOURCES


def test_an_export_without_a_night_says_so(tmp_path, capsys):
    naps = tmp_path / "naps.json"
    naps.write_text('[{"startTime": "2024-03-02T14:00:00.000", "minutesAsleep": 40, '
                    '"mainSleep": false}]')
    assert main(["import", "fitbit", str(naps), "--out", str(tmp_path / "d.csv")]) == 2
    assert "naps.json: expected at least one night of fitbit sleep, found none (fitbit: 1 " \
        "night(s) with naps only, no row: 2024-03-02)" in capsys.readouterr().err


def test_garmin_records_without_a_sleep_time_are_named_not_found_none(tmp_path, capsys):
    """A Garmin export whose records have neither sleepTimeSeconds nor stage seconds once
    said only "found none"."""
    export = tmp_path / "x_sleepData.json"
    export.write_text('[{"calendarDate": "2024-05-04", "awakeCount": 1}]')
    assert main(["import", "garmin", str(export), "--out", str(tmp_path / "d.csv")]) == 2
    err = capsys.readouterr().err
    assert "found none (garmin: 1 record(s) left out, no sleepTimeSeconds and no " \
        "deepSleepSeconds, lightSleepSeconds or remSleepSeconds: " in err
    assert "x_sleepData.json record 1 (calendarDate 2024-05-04))" in err
