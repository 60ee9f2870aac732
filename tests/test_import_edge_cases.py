"""Importers on the malformed and unusual exports of an outside audit (each failed before its fix).

Fixtures in tests/data/import/edge/: a Fitbit stages log with wake before sleep onset, inside
the night and after the final awakening; an Oura CSV whose ``sleep_phase_5_min`` a spreadsheet
turned into a number; an Oura API v1 export (``onset_latency``, ``hypnogram_5min``).
"""

import json
from pathlib import Path

import pytest

from model.cli.main import main
from model.core.errors import InputError
from model.data.gwern import gwern_diary
from model.data.importers import import_files
from model.data.importers.hypnogram import runs_inside

EDGE = Path(__file__).parent / "data" / "import" / "edge"


def night_values(source, *paths):
    table = import_files(source, list(paths)).table.set_index("date")
    return {day: {c: v for c, v in row.items() if v != ""}
            for day, row in table.to_dict("index").items()}


def test_fitbit_stages_waso_is_the_wake_between_the_first_and_last_sleep_stage():
    """30 min awake before sleep, 15 inside, 25 after the final awakening: Fitbit's
    ``minutesAwake`` (70) counted them all as WASO beside 1 awakening."""
    assert night_values("fitbit", EDGE / "fitbit-stages-wake-edges.json") == {
        "2018-02-28": {"awakenings": "1", "waso_min": "15"}}


def test_fitbit_stages_without_a_sleep_stage_say_nothing(tmp_path):
    log = {"startTime": "2024-03-01T23:00:00.000", "minutesToFallAsleep": 5,
           "minutesAsleep": 400, "minutesAwake": 30, "type": "stages",
           "levels": {"data": [{"level": "wake", "seconds": 600}]}}
    export = tmp_path / "sleep.json"
    export.write_text(json.dumps([log]))
    assert night_values("fitbit", export) == {"2024-03-01": {"sol_min": "5"}}


def test_hypnogram_runs_are_index_ranges_inside_the_sleep():
    assert runs_inside("4422442224", "4") == [range(4, 6)]
    assert runs_inside("444", "4") == []


@pytest.mark.parametrize("source, document, place", [
    ("garmin", [{"dailySleepDTO": None}],
     "record 1, dailySleepDTO: expected an object with the day's sleep fields"),
    ("garmin", {"dailySleepDTO": None}, "record 1, dailySleepDTO: expected an object"),
    ("garmin", [{"dailySleepDTO": [1]}], "record 1, dailySleepDTO: expected an object"),
    ("fitbit", [{"startTime": "2024-03-01T23:00:00.000", "levels": "x"}],
     'record 1, levels: expected an object, got "x"'),
    ("fitbit", [{"startTime": "2024-03-01T23:00:00.000", "levels": []}],
     "record 1, levels: expected an object, got a list"),
    ("fitbit", [{"startTime": "2024-03-01T23:00:00.000", "levels": {"data": "x"}}],
     'record 1, levels.data: expected a list of stages, got "x"'),
    ("fitbit", [{"startTime": "2024-03-01T23:00:00.000", "levels": {"data": [None]}}],
     "record 1, levels.data[0]: expected a stage like"),
    ("fitbit", [{"startTime": "2024-03-01T23:00:00.000", "levels": {"summary": []}}],
     "record 1, levels.summary: expected an object, got a list"),
    ("fitbit", [{"startTime": "2024-03-01T23:00:00.000", "type": "classic",
                 "levels": {"summary": {"awake": 3}}}],
     "record 1, levels.summary.awake: expected an object, got 3"),
    ("fitbit", [{"startTime": "2024-03-01T23:00:00.000", "type": "stages", "levels": {
        "data": [{"level": "light", "seconds": 60}, {"level": "wake", "seconds": "x"},
                 {"level": "deep", "seconds": 60}]}}],
     "record 1, levels.data[1].seconds: expected a number"),
])
def test_a_wrong_json_shape_is_a_fault_naming_file_and_record(tmp_path, source, document,
                                                               place):
    export = tmp_path / "export.json"
    export.write_text(json.dumps(document))
    with pytest.raises(InputError, match="export.json: " + place.replace("[", r"\[")):
        import_files(source, [export])


def test_a_null_garmin_day_and_an_empty_gwern_file_exit_2_naming_the_file(tmp_path, capsys):
    out = tmp_path / "diary.csv"
    export = tmp_path / "sleep.json"
    export.write_text('{"dailySleepDTO": null}')
    assert main(["import", "garmin", str(export), "--out", str(out)]) == 2
    assert "sleep.json: record 1, dailySleepDTO: expected an object" in capsys.readouterr().err
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    assert main(["import", "gwern", str(empty), "--out", str(out)]) == 2
    assert "empty.csv: expected gwern_magnesium_2013_2014.csv, a CSV file" in \
        capsys.readouterr().err
    assert not out.exists()


GWERN_HEADER = ("date,experiment,treatment,mg_citrate_elemental_mg_per_day,Total.Z,Time.to.Z,"
                "Awakenings,Morning.Feel,record_in_day\n")


def test_gwern_keeps_the_longest_zeo_record_of_a_date(tmp_path):
    """2013-10-08 holds a 75-minute fragment first and the 664-minute night second."""
    trial = "mg_citrate_rct_2013_2014"
    data = tmp_path / "gwern.csv"
    data.write_text(GWERN_HEADER + f"2013-10-07,{trial},citrate,136,480,20,4,2,1\n"
                    f"2013-10-08,{trial},placebo,0,75,1,3,0,1\n"
                    f"2013-10-08,{trial},placebo,0,664,3,1,3,2\n")
    diary = gwern_diary(data).set_index("date")
    assert list(diary.index) == ["2013-10-07", "2013-10-08"]
    assert diary.loc["2013-10-08", ["sol_min", "awakenings", "quality"]].tolist() == [3, 1, 4]


def test_gwern_a_cell_that_is_no_number_names_row_and_column(tmp_path):
    data = tmp_path / "gwern.csv"
    data.write_text(GWERN_HEADER + "2013-10-07,mg_citrate_rct_2013_2014,citrate,136,480,20,"
                    "many,2,1\n")
    with pytest.raises(InputError, match=r"gwern\.csv: row 1, column Awakenings: expected a "
                       "number, got 'many'"):
        gwern_diary(data)


def test_oura_phases_that_are_no_phase_digits_are_a_fault_naming_row_and_column(tmp_path):
    with pytest.raises(InputError) as caught:
        import_files("oura", [EDGE / "oura-excel.csv"])
    assert str(caught.value) == (
        f"{EDGE / 'oura-excel.csv'}: row 1, column sleep_phase_5_min: expected one character "
        "per 5 minutes, 1 (deep), 2 (light), 3 (REM) or 4 (awake), got '4,44222E+62'; a "
        "spreadsheet stored it as a number: export the column as text")
    export = tmp_path / "oura.json"
    export.write_text('[{"bedtime_start": "2024-05-01T23:00:00+02:00", '
                      '"sleep_phase_5_min": "442x2224"}]')
    with pytest.raises(InputError, match=r"record 1, sleep_phase_5_min: .* got '442x2224'$"):
        import_files("oura", [export])


def test_oura_api_v1_records_are_read_with_their_names(tmp_path):
    got = night_values("oura", EDGE / "oura-v1.json")
    # onset_latency 900 s; one run of two awake epochs inside the night; the afternoon nap of
    # 2 March (is_longest 0) is left out for the 23:30 sleep of that night
    assert got == {"2020-03-01": {"sol_min": "15", "awakenings": "1", "waso_min": "10"},
                   "2020-03-02": {"sol_min": "20", "awakenings": "1", "waso_min": "10"}}
    other = tmp_path / "oura.json"
    other.write_text('{"sleep": [{"bedtime_start": "2020-03-01T23:10:00+01:00", "score": 80}]}')
    with pytest.raises(InputError, match="oura.json: not an Oura sleep export: expected the "
                       r"fields of Oura's sleep model \(bedtime_start, .* found fields: "
                       "bedtime_start, score$"):
        import_files("oura", [other])


@pytest.mark.parametrize("source, expected", [
    ("fitbit", "not a Fitbit sleep log: expected records with startTime, "),
    ("garmin", "not Garmin sleep data: expected records with dailySleepDTO, "),
    ("oura", "not an Oura sleep export: expected the fields of Oura's sleep model "),
])
def test_a_file_that_is_no_sleep_log_is_one_fault_for_the_file(tmp_path, source, expected):
    """A heart-rate file in a wildcard printed one "startTime" fault per record (~8,000)."""
    heart = tmp_path / "heart_rate-2024-03-01.json"
    heart.write_text(json.dumps([{"dateTime": f"03/01/24 00:00:{s:02d}",
                                  "value": {"bpm": 60, "confidence": 2}} for s in range(60)]))
    with pytest.raises(InputError) as caught:
        import_files(source, [heart])
    assert len(caught.value.faults) == 1
    assert str(caught.value).startswith(f"{heart}: {expected}")
    assert str(caught.value).endswith("found fields: dateTime, value")
