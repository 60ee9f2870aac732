"""``mgsleep log``, ``import csv`` and ``analyze`` on a European spreadsheet diary (an outside
audit, 2026-12-05): each test failed before its fix."""

import datetime as dt

import pandas as pd
import pytest

from model.cli.main import main

HEADER = "date;form;elemental_mg;sol_min;quality;notes"
DIARY = "\ufeff" + HEADER + "\r\n2026-11-01;glycinate;200;20,5;3;\r\n"
MAP = "date=Datum,form=Form,elemental_mg=Dosis,sol_min=Einschlafzeit,notes=Bemerkung"
EXPORT = ["Datum;Form;Dosis;Einschlafzeit;Bemerkung", "2026-11-01;;;20,5;",
          "2026-11-02;glycinate;200;35;", "2026-11-03;glycinate;200;25;früh ins Bett"]


@pytest.fixture
def diary(tmp_path):
    path = tmp_path / "tagebuch.csv"
    path.write_bytes(DIARY.encode())
    return path


def rows(path, sep=";"):
    return pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, encoding="utf-8-sig")


# --- 9. log: a thousands separator, a dose above the ceiling -----------------------------------
@pytest.mark.parametrize("option", ["--mg", "--sol"])
def test_log_refuses_a_thousands_separator_on_a_decimal_comma_diary(diary, capsys, option):
    """``--mg 1.000`` was stored as 1 mg and ``--sol 1.000`` as one minute, without a word."""
    assert main(["log", str(diary), "--date", "2026-11-02", option, "1.000"]) == 2
    assert (f"{option}: expected a plain number, got '1.000', which looks like a thousands "
            "separator: write 1000") in capsys.readouterr().err
    assert diary.read_bytes() == DIARY.encode()


def test_log_warns_of_a_dose_above_the_ceiling_in_the_readers_words(diary):
    with pytest.warns(UserWarning, match=r"^2000 mg of elemental magnesium a day is above the "
                      r"safety ceiling of 350 mg \(5.7 times\); a typo, or the compound's "
                      r"weight \(--compound-mg\)\? If it was taken, never more than 350 mg a day "
                      r"\(less, or none, if your advice says so\) unless a prescriber set the "
                      r"dose \(then write prescribed_magnesium = true in your profile\)\.$"):
        assert main(["log", str(diary), "--date", "2026-11-02", "--form", "glycinate", "--mg",
                     "2000", "--large-dose"]) == 0   # confirmed: not the compound's weight


def test_log_refuses_a_diary_whose_row_lost_a_cell(diary, capsys):
    """Logging into it wrote the row back with its values moved for good."""
    diary.write_bytes(DIARY.encode() + b"2026-11-02;glycinate;25;4;\r\n")
    before = diary.read_bytes()
    assert main(["log", str(diary), "--date", "2026-11-03", "--sol", "20"]) == 2
    assert "row 2: expected 6 fields (the header's), got 5" in capsys.readouterr().err
    assert diary.read_bytes() == before


# --- 6. a tab-separated diary with decimal commas ---------------------------------------------
def test_log_takes_and_keeps_decimal_commas_in_a_tab_separated_diary(tmp_path):
    path = tmp_path / "tab.csv"
    path.write_bytes(DIARY.replace(";", "\t").encode())
    assert main(["log", str(path), "--date", "2026-11-02", "--sol", "12,5"]) == 0
    assert rows(path, "\t")["sol_min"].tolist() == ["20,5", "12,5"]


# --- 3. analyze refuses a night with outcomes dated ahead -------------------------------------
def test_analyze_refuses_a_night_with_outcomes_a_year_ahead_before_fitting(tmp_path, capsys):
    ahead = dt.date.today() + dt.timedelta(days=365)
    path = tmp_path / "d.csv"
    path.write_text("date,sol_min\n" + "".join(f"2026-11-{d:02},20\n" for d in range(1, 15))
                    + f"{ahead},25\n")
    assert main(["analyze", str(path)]) == 2
    assert (f"{path}: row 15, column date: expected a night up to today, {dt.date.today()}"
            in capsys.readouterr().err)


# --- 8. import csv: the diary reader's words, not a library's --------------------------------
def imported(tmp_path, capsys, data: bytes) -> str:
    export, out = tmp_path / "export.csv", tmp_path / "out.csv"
    export.write_bytes(data)
    assert main(["import", "csv", str(export), "--map", MAP, "--out", str(out)]) == 2
    assert not out.exists()
    return capsys.readouterr().err.replace(str(export), "F")


def test_import_csv_names_a_windows_1252_byte_by_row_and_column(tmp_path, capsys):
    """It said "'utf-8' codec can't decode byte 0xfc in position 112"."""
    err = imported(tmp_path, capsys, "\r\n".join(EXPORT).encode("cp1252"))
    assert ("F: row 3, column Bemerkung: expected UTF-8 text, got the byte 0xfc ('ü' in "
            "Windows-1252: saved as plain CSV by Excel on Windows?); save the file as CSV UTF-8"
            in err)


def test_import_csv_names_a_row_with_a_separator_in_a_value(tmp_path, capsys):
    """It said "Error tokenizing data. C error: Expected 5 fields in line 4, saw 6"."""
    err = imported(tmp_path, capsys, "\n".join([*EXPORT[:3], EXPORT[3] + "; Kopfweh"]).encode())
    assert "F: row 3: expected 5 fields (the header's), got 6; a ';' inside a value needs " \
        "quotes" in err


def test_import_csv_names_a_row_with_a_cell_deleted(tmp_path, capsys):
    err = imported(tmp_path, capsys, "\n".join([*EXPORT[:2], "2026-11-02;glycinate;35;", ""])
                   .encode())
    assert "F: row 2: expected 5 fields (the header's), got 4; a value deleted" in err


def test_import_csv_says_a_utf16_file_is_utf16(tmp_path, capsys):
    err = imported(tmp_path, capsys, ("\ufeff" + "\n".join(EXPORT)).encode("utf-16-le"))
    assert "F: expected UTF-8 text, got UTF-16 (the file begins with the bytes FF FE" in err
