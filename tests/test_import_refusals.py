"""Imports refuse what they accepted (outside audit F, findings 5, 6, 7 and 9).

Each input here was imported with exit 0, or refused with a message that named no file or
the wrong cause: a diary given as a CSD (every night moved a day earlier), a sleep ending
before it began, a diary column mapped twice, a zip archive or a file that is not UTF-8
among the exports, a zip archive cut short.
"""

import json
import zipfile
from pathlib import Path

import pandas as pd
import pytest

import model.cli.importer
from model.cli.importer import cannot_give
from model.cli.main import main
from model.core.errors import InputError
from model.data.importers import import_files
from model.data.importers.generic import parse_map

DATA = Path(__file__).parent / "data" / "import"

DIARY = ("date,form,elemental_mg,split,sol_min,awakenings,quality,freshness,anxiety,"
         "stool_bristol\n2026-10-01,,,0,34,0,3,3,5,4\n2026-10-02,glycinate,200,0,45,3,2,3,5,3\n")
"""An mgsleep diary (dated by the night), as a person might give to ``import csd``."""


def error_line(capsys) -> str:
    """The one error line of a refused command."""
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    return err[0]


# --- finding 5: a CSD without any of its clock times is no CSD ---------------------------

def test_a_diary_given_as_a_csd_is_refused_naming_its_columns_and_analyze(tmp_path, capsys):
    """The diary was imported with every night (the dose too) moved a day earlier."""
    diary = tmp_path / "diary.csv"
    diary.write_text(DIARY)
    out = tmp_path / "out" / "diary.csv"
    assert main(["import", "csd", str(diary), "--out", str(out)]) == 2
    line = error_line(capsys)
    assert str(diary) in line and "into_bed, try_to_sleep, final_awakening, out_of_bed" in line
    assert "found columns: date, form, elemental_mg" in line
    assert "mgsleep diary" in line and "analyze" in line and "import csv --map date=date" in line
    assert not out.exists() and not out.parent.exists()


@pytest.mark.parametrize("header, fits", [
    ("bedtime_start,latency", "import oura"),
    ("Day,Latency,Mood,Steps", "import csv --map date=COLUMN"),
])
def test_another_table_given_as_a_csd_names_the_command_that_fits(tmp_path, header, fits):
    table = tmp_path / "t.csv"
    table.write_text(f"date,{header}\n2026-10-01,{','.join('1' * (header.count(',') + 1))}\n")
    with pytest.raises(InputError, match=r"expected a Consensus Sleep Diary") as caught:
        import_files("csd", [table])
    assert fits in str(caught.value)


def test_a_csd_with_one_clock_time_is_still_a_csd(tmp_path):
    csd = tmp_path / "csd.csv"
    csd.write_text("date,final_awakening,sol_min\n2026-10-02,6:40,20\n")
    assert import_files("csd", [csd]).table["date"].tolist() == ["2026-10-01"]


def test_the_csd_summary_names_only_what_no_column_of_the_file_filled():
    """It said "csd gives no magnesium taken" of a file whose doses it had just imported."""
    core = pd.DataFrame({"date": ["2026-10-01"], "sol_min": ["20"]})
    said = cannot_give("csd", core)
    assert said is not None and said.startswith("csd gives no magnesium taken")
    for lacking in ("morning freshness", "evening anxiety", "stool form", "caffeine", "alcohol"):
        assert lacking in said
    dosed = core.assign(form=["glycinate"], elemental_mg=["200"], stool_bristol=["4"],
                        freshness=[""])
    said = cannot_give("csd", dosed)
    assert said is not None and "magnesium" not in said and "stool" not in said
    assert "morning freshness" in said         # its column is there, but blank
    everything = dosed.assign(freshness=["3"], anxiety=["2"], caffeine_late=["0"],
                              alcohol_drinks=["0"])
    assert cannot_give("csd", everything) is None
    assert cannot_give("garmin", core) == f"garmin gives {model.cli.importer.CANNOT_GIVE['garmin']}"


def test_a_csd_import_with_its_own_doses_does_not_say_it_gives_none(tmp_path, capsys):
    csd = tmp_path / "csd.csv"
    csd.write_text("date,try_to_sleep,final_awakening,sol_min,form,elemental_mg\n"
                   "2026-10-02,23:00,6:40,20,glycinate,200\n")
    assert main(["import", "csd", str(csd), "--out", str(tmp_path / "diary.csv")]) == 0
    out = capsys.readouterr().out
    assert "no magnesium" not in out and "csd gives no morning freshness" in out


# --- finding 6: a sleep that ends before it begins stops the import ----------------------

def fitbit_log(**fields) -> dict:
    return {"startTime": "2026-10-01T23:00:00.000", "minutesToFallAsleep": 12,
            "minutesAsleep": 420, "logType": "manual", "type": "classic",
            "levels": {"summary": {"awake": {"count": 2}}}, "minutesAwake": 20} | fields


@pytest.mark.parametrize("source, document, place, times", [
    ("oura", {"data": [{"bedtime_start": "2026-10-01T23:00:00+01:00",
                        "bedtime_end": "2026-10-01T22:00:00+01:00", "type": "long_sleep",
                        "latency": 600}]},
     "record 1, bedtime_end", ("2026-10-01 23:00:00+01:00", "2026-10-01 22:00:00+01:00")),
    ("fitbit", [fitbit_log(endTime="2026-10-01T21:00:00.000")],
     "record 1, endTime", ("2026-10-01 23:00:00", "2026-10-01 21:00:00")),
    ("fitbit", [fitbit_log(duration=-7200000)], "record 1, duration", ("-7200000",)),
    ("fitbit", [fitbit_log(minutesAsleep=-420)], "record 1, minutesAsleep", ("-420",)),
    ("oura", [{"bedtime_start": "2026-10-01T23:00:00+01:00", "time_in_bed": -3600,
               "latency": 600}], "record 1, time_in_bed", ("-3600",)),
    ("garmin", [{"calendarDate": "2026-10-02", "sleepTimeSeconds": 25200,
                 "sleepStartTimestampGMT": "2026-10-01T22:00:00.0",
                 "sleepEndTimestampGMT": "2026-10-01T21:00:00.0",
                 "sleepStartTimestampLocal": "2026-10-01T23:00:00.0"}],
     "record 1, sleepEndTimestampGMT", ("2026-10-01 22:00:00", "2026-10-01 21:00:00")),
    ("garmin", [{"calendarDate": "2026-10-02", "sleepTimeSeconds": 25200,
                 "sleepStartTimestampLocal": "2026-10-01T23:00:00.0",
                 "sleepEndTimestampLocal": "2026-10-01T20:00:00.0"}],
     "record 1, sleepEndTimestampLocal", ("2026-10-01 23:00:00", "2026-10-01 20:00:00")),
    ("garmin", [{"calendarDate": "2026-10-02", "sleepTimeSeconds": -25200,
                 "sleepStartTimestampLocal": "2026-10-01T23:00:00.0"}],
     "record 1, sleepTimeSeconds", ("-25200",)),
])
def test_a_tracker_sleep_ending_before_it_begins_names_file_record_and_times(
        tmp_path, source, document, place, times):
    """Oura's end 22:00 before its start 23:00 and Fitbit's -7,200,000 ms were nights."""
    export = tmp_path / f"{source}.json"
    export.write_text(json.dumps(document))
    with pytest.raises(InputError, match="a broken record") as caught:
        import_files(source, [export])
    message = str(caught.value)
    assert f"{export}: {place}: expected" in message
    assert all(time in message for time in times)


def test_an_apple_sample_ending_before_it_begins_names_its_line(tmp_path):
    record = ('<Record type="HKCategoryTypeIdentifierSleepAnalysis" sourceName="Watch" '
              'startDate="{}" endDate="{}" value="HKCategoryValueSleepAnalysisAsleepCore"/>\n')
    export = tmp_path / "export.xml"
    export.write_text('<?xml version="1.0" encoding="UTF-8"?>\n<HealthData>\n'
                      + record.format("2026-10-01 23:00:00 +0100", "2026-10-02 06:00:00 +0100")
                      + record.format("2026-10-02 23:00:00 +0100", "2026-10-02 22:00:00 +0100")
                      + "</HealthData>\n")
    with pytest.raises(InputError) as caught:
        import_files("apple", [export])
    message = str(caught.value)
    assert f"{export}: line 4, sleep record: expected the end of the sleep after its start " \
           "(2026-10-02 23:00:00+01:00), got 2026-10-02 22:00:00+01:00" in message
    assert "line 3" not in message


def test_a_sleep_of_no_length_and_a_normal_night_are_still_read(tmp_path):
    export = tmp_path / "oura.json"
    export.write_text(json.dumps([
        {"bedtime_start": "2026-10-01T23:00:00+01:00", "bedtime_end": "2026-10-02T07:00:00+01:00",
         "type": "long_sleep", "latency": 600},
        {"bedtime_start": "2026-10-02T23:00:00+01:00", "bedtime_end": "2026-10-02T23:00:00+01:00",
         "type": "long_sleep", "latency": 300}]))
    table = import_files("oura", [export]).table
    assert table[["date", "sol_min"]].to_dict("records") == [
        {"date": "2026-10-01", "sol_min": "10"}, {"date": "2026-10-02", "sol_min": "5"}]


# --- finding 7: a diary column or a file column mapped twice -----------------------------

@pytest.mark.parametrize("text, named", [
    ("date=Day,sol_min=Latency,sol_min=Wakes",
     "sol_min=Latency and sol_min=Wakes: expected each diary column mapped once, got sol_min"),
    ("date=Day,sol_min=Latency:s,SOL_MIN=Wakes",
     "sol_min=Latency:s and sol_min=Wakes: expected each diary column mapped once"),
    ("date=Day,sol_min=Latency,awakenings=Latency",
     "sol_min=Latency and awakenings=Latency: expected each file column mapped once, got "
     "Latency"),
    ("date=Day,notes=Day", "date=Day and notes=Day: expected each file column mapped once"),
])
def test_a_column_mapped_twice_is_refused_naming_both(text, named):
    """The last of sol_min=Latency,sol_min=Wakes was kept: latency from the wakes."""
    with pytest.raises(InputError) as caught:
        parse_map(text)
    assert f"--map: {named}" in str(caught.value)


def test_the_same_mapping_twice_is_said_once():
    with pytest.raises(InputError) as caught:
        parse_map("date=Day,sol_min=Latency,sol_min=Latency")
    assert len(caught.value.faults) == 1


def test_a_column_mapped_twice_writes_no_diary(tmp_path, capsys):
    table = tmp_path / "app.csv"
    table.write_text("Day,Latency,Wakes\n2026-10-01,10,1\n2026-10-02,20,2\n")
    out = tmp_path / "diary.csv"
    assert main(["import", "csv", str(table), "--map", "date=Day,sol_min=Latency,sol_min=Wakes",
                 "--out", str(out)]) == 2
    assert "sol_min=Latency and sol_min=Wakes" in error_line(capsys) and not out.exists()


# --- finding 9: the file at fault is named, and so is its kind ---------------------------

def test_a_file_that_is_not_utf8_among_several_is_named(tmp_path, capsys):
    """"a file you gave is not UTF-8 text" named none among a wildcard of hundreds."""
    good = tmp_path / "sleep-2026-10-01.json"
    good.write_text(json.dumps([fitbit_log()]))
    bad = tmp_path / "sleep-2026-10-02.json"
    bad.write_bytes(b'[{"startTime": "2026-10-02T23:00:00.000", "note": "caf\xe9"}]')
    assert main(["import", "fitbit", str(good), str(bad), "--out",
                 str(tmp_path / "d.csv")]) == 2
    line = error_line(capsys)
    assert f"{bad}: expected a Fitbit sleep log" in line and "UTF-8" in line
    assert str(good) not in line


def zip_of(path: Path, members: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return path


@pytest.mark.parametrize("source, expected", [
    ("fitbit", "a Fitbit sleep log"), ("oura", "an Oura sleep export"),
    ("garmin", "Garmin sleep data"), ("csd", "a CSV file"), ("csv", "a CSV file")])
def test_a_zip_given_for_a_json_or_a_csv_says_it_is_one_and_what_to_give(tmp_path, source,
                                                                        expected):
    """A zip got "not UTF-8 text ... save it as UTF-8 (CSV UTF-8)"."""
    archive = zip_of(tmp_path / "takeout.zip", {"Sleep/sleep-2026-10-01.json": "[]"})
    with pytest.raises(InputError) as caught:
        import_files(source, [archive], mapping="date=Day" if source == "csv" else None)
    message = str(caught.value)
    assert message.startswith(f"{archive}: expected {expected}")
    assert "got a zip archive; unzip it and import the files inside " \
           "(Sleep/sleep-2026-10-01.json)" in message and "UTF-8" not in message


@pytest.mark.parametrize("source", ["apple", "fitbit", "garmin"])
def test_a_zip_cut_short_says_so(tmp_path, source):
    """Half an export.zip (a download cut short) was "line 1, column 2: expected Apple Health
    XML"."""
    whole = zip_of(tmp_path / "whole.zip", {"apple_health_export/export.xml": "<HealthData>"
                                            + "<Record type='x'/>" * 2000 + "</HealthData>"})
    cut = tmp_path / "export.zip"
    cut.write_bytes(whole.read_bytes()[:whole.stat().st_size // 2])
    with pytest.raises(InputError) as caught:
        import_files(source, [cut])
    assert str(caught.value) == (f"{cut}: not a complete zip archive (cut short or "
                                 "damaged?): export it again")


def test_a_damaged_apple_zip_says_so(tmp_path):
    records = "".join(f'<Record type="HKQuantityTypeIdentifierStepCount" value="{i}"/>\n'
                      for i in range(20000))
    whole = zip_of(tmp_path / "whole.zip", {"apple_health_export/export.xml":
                                            f"<HealthData>\n{records}</HealthData>\n"})
    data = bytearray(whole.read_bytes())
    middle = len(data) // 2
    data[middle:middle + 256] = bytes(range(256))
    damaged = tmp_path / "export.zip"
    damaged.write_bytes(bytes(data))
    with pytest.raises(InputError, match="not a complete zip archive"):
        import_files("apple", [damaged])


@pytest.mark.parametrize("text, kind", [
    ('{\n  "schema_version": 15,\n  "nights": {"total": 45}\n}\n', "JSON"),
    ("<!DOCTYPE html>\n<html><body>report</body></html>\n", "an HTML page")])
def test_a_result_file_given_for_a_csv_is_named_as_what_it_is(tmp_path, text, kind):
    result = tmp_path / "r.json"
    result.write_text(text)
    for source in ("csd", "csv"):
        with pytest.raises(InputError) as caught:
            import_files(source, [result], mapping="date=Day" if source == "csv" else None)
        assert str(caught.value) == f"{result}: expected a CSV file, got {kind}"


def test_a_decode_error_no_reader_caught_names_the_given_file(tmp_path, monkeypatch, capsys):
    """The fallback of the command line said "a file you gave" without naming it."""
    def undecodable(args):
        b"\xff".decode("utf-8")

    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_text("[]")
    bad.write_bytes(b"[\xff]")
    archive = zip_of(tmp_path / "x.zip", {"a.json": "[]"})
    monkeypatch.setattr(model.cli.importer, "run", undecodable)
    assert main(["import", "fitbit", str(good), str(bad), str(archive), "--out",
                 str(tmp_path / "d.csv")]) == 2
    line = error_line(capsys)
    assert f"{bad}: not UTF-8 text" in line and f"{archive}: a zip archive" in line
    assert f"{good}:" not in line


def test_json_or_html_given_to_apple_and_a_zip_to_gwern_say_what_they_are(tmp_path):
    result = tmp_path / "r.json"
    result.write_text('{"schema_version": 15}\n')
    with pytest.raises(InputError) as caught:
        import_files("apple", [result])
    assert str(caught.value) == (f"{result}: expected Apple Health's export.xml or "
                                 "export.zip, got JSON")
    archive = zip_of(tmp_path / "gwern.zip", {"gwern_magnesium_2013_2014.csv": "date\n"})
    with pytest.raises(InputError) as caught:
        import_files("gwern", [archive])
    assert str(caught.value).startswith(f"{archive}: expected gwern_magnesium_2013_2014.csv, "
                                        "a CSV file, got a zip archive; unzip it")


def test_a_result_json_given_as_the_diary_is_named_as_json(tmp_path):
    """One 3.2 KB line of row ranges ending "the cells after the header's last column are
    empty: delete them" (a wrong cause and fix) for the JSON of mgsleep analyze --json."""
    from model.data.diary import read_diary

    result = tmp_path / "r.json"
    result.write_text('{\n  "schema_version": 15,\n  "as_of": "2026-12-03",\n  "nights": {\n'
                      '    "total": 45,\n    "by_regimen": {\n      "none": 14\n    }\n  }\n}\n')
    with pytest.raises(InputError) as caught:
        read_diary(result)
    assert str(caught.value).startswith(f"{result}: expected a CSV diary")
    assert "got JSON (a result of mgsleep analyze --json?)" in str(caught.value)
