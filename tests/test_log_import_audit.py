"""`log` and `import` faults an outside audit found (2026-12-05), each with a small input."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from test_import_audit import apple_export

from model.cli.main import main
from model.data.diary import read_diary

DIARY = "date,form,elemental_mg,sol_min,awakenings\n2024-03-01,glycinate,200,30,2\n"


@pytest.fixture
def diary(tmp_path: Path) -> Path:
    path = tmp_path / "diary.csv"
    path.write_text(DIARY)
    return path


def rows(path: Path, sep: str = ",") -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, sep=sep).set_index("date")


def fitbit_export(path: Path, nights: list[str]) -> str:
    """A Fitbit sleep log (classic, manual) of one 8-hour sleep from 23:00 each night."""
    records = [{"dateOfSleep": night, "startTime": f"{night}T23:00:00.000", "duration": 28800000,
                "minutesToFallAsleep": 10, "minutesAsleep": 460, "minutesAwake": 20,
                "mainSleep": True, "logType": "manual", "type": "classic",
                "levels": {"summary": {"awake": {"count": 2, "minutes": 20}}, "data": []}}
               for night in nights]
    path.write_text(json.dumps(records))
    return str(path)


# 1. numbers given to log: plain decimals, written in the diary's canonical form

@pytest.mark.parametrize("value", ["1_0", "1e2", "1E1", "١٢"])
def test_log_refuses_a_number_python_reads_and_a_spreadsheet_does_not(diary, capsys, value):
    """``--sol 1_0`` and ``--sol 1e2`` were written as they were typed."""
    assert main(["log", str(diary), "--date", "2024-03-02", "--sol", value]) == 2
    assert (f"--sol: expected a plain decimal number such as 12 or 12.5, got {value!r}"
            in capsys.readouterr().err)
    assert diary.read_text() == DIARY


def test_log_writes_numbers_in_the_diarys_canonical_form(diary, tmp_path):
    assert main(["log", str(diary), "--date", "2024-03-02", "--form", "glycinate", "--mg",
                 "200.000", "--sol", " 10.50 ", "--awakenings", "2.0"]) == 0
    assert rows(diary).loc["2024-03-02", ["elemental_mg", "sol_min", "awakenings"]].tolist() \
        == ["200", "10.5", "2"]
    semi = tmp_path / "semi.csv"           # a ';' diary takes (and keeps) decimal commas
    semi.write_text("date;form;elemental_mg;sol_min\n2024-03-01;glycinate;200;12,5\n")
    assert main(["log", str(semi), "--date", "2024-03-02", "--sol", "7,25"]) == 0
    assert rows(semi, ";").loc["2024-03-02", "sol_min"] == "7,25"


def test_a_dose_under_one_mg_is_refused_and_nothing_written(diary, capsys):
    """``--mg 0.0001`` was written with a warning; a diary now refuses a dose under 1 mg
    (grams meant?), so the log does too, naming the row and column."""
    before = diary.read_text()
    assert main(["log", str(diary), "--date", "2024-03-02", "--form", "glycinate", "--mg",
                 "0.0001"]) == 2
    assert "expected at least 1 mg of elemental magnesium, got 0.0001" in capsys.readouterr().err
    assert diary.read_text() == before


# 2. a missed dose on a planned night

PLANNED = ("date,form,elemental_mg,compound_mg,split,sol_min,notes\n"
           "2026-11-15,taurate,200,,0,,treatment\n"
           "2026-11-16,citrate,,1000,1,,treatment\n")


@pytest.mark.parametrize("form", ["none", ""])
def test_form_none_with_replace_records_a_night_without_magnesium(tmp_path, capsys, form):
    """``--form none --replace`` was refused with no fix offered, and ``--form ""
    --replace`` said the night was unchanged."""
    path = tmp_path / "plan.csv"
    path.write_text(PLANNED)
    assert main(["log", str(path), "--date", "2026-11-15", "--form", form]) == 2
    assert ("plan.csv: row 1, column form: night 2026-11-15 already has taurate, got none: add "
            "--replace to record that no magnesium was taken (its dose is cleared)"
            in capsys.readouterr().err)
    for night in ("2026-11-15", "2026-11-16"):
        assert main(["log", str(path), "--date", night, "--form", form, "--replace",
                     "--sol", "20"]) == 0
        assert f"night {night} corrected" in capsys.readouterr().out
    logged = rows(path)
    assert logged[["form", "elemental_mg", "compound_mg", "split"]].values.tolist() == \
        [["none", "0", "", "0"], ["none", "", "0", "0"]]
    assert read_diary(path).regimen_label.tolist() == ["none", "none"]


# 3. import faults named where the value came from; nothing created on failure

def test_an_import_names_the_diarys_own_row(tmp_path, capsys):
    """A bad dose in the diary's row 2 was reported at row 4, its row in the merged result."""
    out = tmp_path / "diary.csv"
    before = ("date,form,elemental_mg,sol_min\n2024-05-10,glycinate,200,20\n"
              "2024-05-11,glycinate,,25\n")
    out.write_text(before)
    export = fitbit_export(tmp_path / "sleep.json", ["2024-05-01", "2024-05-02"])
    assert main(["import", "fitbit", export, "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "diary.csv (not written): row 2, column elemental_mg: expected a dose > 0" in err
    assert out.read_text() == before


def test_an_import_names_the_csv_row_and_column_and_creates_no_folder(tmp_path, capsys):
    """The mapped form column's fault named the diary to be written (``newdir/d.csv (not
    written): row 1, column form``), whose folder and lock file were created."""
    app = tmp_path / "app.csv"
    app.write_text("Day,Supp,Dose\n2024-03-02,magnesium,200\n2024-03-03,glycinate,\n")
    out = tmp_path / "newdir" / "d.csv"
    command = ["import", "csv", str(app), "--map", "date=Day,form=Supp,elemental_mg=Dose",
               "--out", str(out)]
    assert main(command) == 2
    err = capsys.readouterr().err
    assert "app.csv: row 1, column Supp: expected one of glycinate" in err
    assert "d.csv" not in err
    app.write_text("Day,Supp,Dose\n2024-03-02,glycinate,200\n2024-03-03,glycinate,\n")
    assert main(command) == 2       # a fault across columns: named by the export's night
    assert ("app.csv: night 2024-03-03, column Dose: expected a dose > 0 for form glycinate"
            in capsys.readouterr().err)
    assert not (tmp_path / "newdir").exists()


def test_a_bad_log_value_creates_no_folder(tmp_path, capsys):
    path = tmp_path / "newdir" / "d.csv"
    assert main(["log", str(path), "--date", "2024-03-01", "--quality", "9"]) == 2
    assert "d.csv (not written): row 1, column quality" in capsys.readouterr().err
    assert not (tmp_path / "newdir").exists()


# 4. Apple exports: localized archives, the iOS 16 header, control characters

SLEEP = [("2024-06-03 22:45:00", "2024-06-04 07:00:00", "InBed"),
         ("2024-06-03 23:00:00", "2024-06-04 07:00:00", "AsleepUnspecified")]
NIGHT = [{"date": "2024-06-03", "sol_min": "15", "awakenings": "0", "waso_min": "0"}]


def imported(tmp_path: Path, capsys, export: str) -> tuple[list[dict[str, str]], str]:
    out = tmp_path / "out.csv"
    out.unlink(missing_ok=True)
    assert main(["import", "apple", export, "--out", str(out), "--quiet"]) == 0
    table = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert set(table.pop("device")) <= {"apple health", ""}   # the nights' source
    return table.to_dict("records"), capsys.readouterr().out


def test_a_localized_zip_export_is_read_whatever_its_xml_is_named(tmp_path, capsys):
    xml = apple_export(tmp_path / "exportar.xml", SLEEP)
    archive = tmp_path / "exportar.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.write(xml, "apple_health_export/exportar.xml")
        out.writestr("apple_health_export/export_cda.xml", "<ClinicalDocument/>")
        out.writestr("__MACOSX/apple_health_export/._exportar.xml", "mac resource fork")
        out.writestr("apple_health_export/workout-routes/route_1.gpx", "<gpx/>")
    assert imported(tmp_path, capsys, str(archive))[0] == NIGHT
    with zipfile.ZipFile(archive, "a") as out:
        out.write(xml, "apple_health_export/eksport.xml")
    assert main(["import", "apple", str(archive), "--out", str(tmp_path / "d.csv")]) == 2
    assert ("expected one export XML in the zip archive, found several (unzip it and import "
            "the one you mean): apple_health_export/exportar.xml, apple_health_export/"
            "eksport.xml") in capsys.readouterr().err


def test_an_ios16_export_with_its_broken_doctype_is_read_with_a_warning(tmp_path, capsys):
    """iOS 16 wrote ``<!ATTLIST VisionPrescription`` without its ``>``: "syntax error"."""
    xml = Path(apple_export(tmp_path / "export.xml", SLEEP))
    header = ('<!DOCTYPE HealthData [\n<!ELEMENT HealthData (Record*)>\n'
              '<!ATTLIST VisionPrescription\n  brand CDATA #IMPLIED\n'
              '<!ELEMENT Attachment EMPTY>\n]>\n')
    xml.write_text(xml.read_text().replace("<HealthData", header + "<HealthData", 1))
    table, printed = imported(tmp_path, capsys, str(xml))
    assert table == NIGHT
    assert "DOCTYPE header could not be read (a known defect of iOS 16 exports)" in printed
    xml.write_text(xml.read_text().replace('startDate="2024-06-03 23:00:00',
                                           'startDate="2024-06-0x 23:00:00'))
    assert main(["import", "apple", str(xml), "--out", str(tmp_path / "d.csv")]) == 2
    assert "export.xml: line 10, sleep record: expected startDate" in capsys.readouterr().err


def test_control_characters_are_read_past_but_never_into_a_sleep_record(tmp_path, capsys):
    xml = Path(apple_export(tmp_path / "export.xml", SLEEP, source="Max\x0bs iPhone"))
    step = ('<Record type="HKQuantityTypeIdentifierStepCount" sourceName="Ma\x0bx" '
            'startDate="2024-06-03 10:00:00 -0400" endDate="2024-06-03 10:05:00 -0400"/>\n')
    xml.write_text(xml.read_text().replace("<Record", step + "<Record", 1))
    table, printed = imported(tmp_path, capsys, str(xml))
    assert table == NIGHT
    assert "1 record(s) left out, not sleep records, with a control character" in printed
    assert "2 sleep record(s) with a control character in their source's name" in printed
    xml.write_text(xml.read_text().replace("AsleepUnspecified", "Asleep\x0bUnspecified"))
    assert main(["import", "apple", str(xml), "--out", str(tmp_path / "d.csv")]) == 2
    assert "export.xml: line 5, sleep record: expected no control character in value" in \
        capsys.readouterr().err


# 5. a history longer than a diary holds: --since and --until

def test_a_history_over_ten_years_is_imported_by_range(tmp_path, capsys):
    export = fitbit_export(tmp_path / "sleep.json", ["2012-05-01", "2020-01-01", "2023-06-01"])
    out = tmp_path / "diary.csv"
    assert main(["import", "fitbit", export, "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "diary.csv (not written): expected a diary of at most 3650 nights" in err
    assert "import a part with --since YYYY-MM-DD (and --until YYYY-MM-DD)" in err
    assert not out.exists()
    assert main(["import", "fitbit", export, "--out", str(out), "--quiet", "--since",
                 "2019-01-01", "--until", "2022-12-31"]) == 0
    assert "1 night(s) read from 1 file(s) (2 outside --since/--until left out)" in \
        capsys.readouterr().out
    assert list(rows(out).index) == ["2020-01-01"]
    assert main(["import", "fitbit", export, "--out", str(out), "--since", "2024-01-01",
                 "--until", "2023-01-01"]) == 2
    assert "--since: expected a date up to --until 2023-01-01" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["log", "import"])
def test_a_diary_with_a_date_twice_is_refused_not_merged_away(tmp_path, capsys, command):
    """log and import keyed the rows by date: of two rows of one night one was dropped, with
    no word (the diary reader refuses such a diary; the merge read it unchecked)."""
    diary = tmp_path / "diary.csv"
    text = ("date,form,elemental_mg,sol_min\n2026-01-01,glycinate,200,20\n"
            "2026-01-01,glycinate,200,30\n2026-01-02,glycinate,200,25\n")
    diary.write_text(text)
    if command == "log":
        args = ["log", str(diary), "--date", "2026-01-03", "--form", "glycinate", "--mg", "200",
                "--sol", "15"]
    else:
        export = tmp_path / "app.csv"
        export.write_text("Day,Latency\n2026-01-03,15\n")
        args = ["import", "csv", str(export), "--map", "date=Day,sol_min=Latency",
                "--out", str(diary), "--quiet"]
    assert main(args) == 2
    assert (f"{diary}: row 2, column date: expected a date not already used (row 1), got "
            "2026-01-01") in capsys.readouterr().err
    assert diary.read_text() == text and not (tmp_path / "diary.csv.bak").exists()
