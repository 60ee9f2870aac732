"""A European diary kept in Excel or LibreOffice, an outside audit's findings (2026-12-05).

A ``;``-separated diary with decimal commas, saved by a spreadsheet or touched in Notepad:
each test failed before its fix (a silent misread, a fault naming the wrong column, a library's
message).
"""

import datetime as dt
import os
import threading

import pandas as pd
import pytest

from model.core.errors import DiaryError
from model.data.diary import read_diary

TODAY = dt.date(2026, 12, 5)
HEADER = "date;form;elemental_mg;split;sol_min;awakenings;quality;stool_bristol;notes"
NIGHTS = ["2026-11-01;;;0;20,5;2;3;4;",
          "2026-11-02;;;0;35;0;3;5;Müde",
          "2026-11-03;glycinate;200;0;25;1;4;4;",
          "2026-11-04;glycinate;200;0;18,5;1;4;3;gut geschlafen",
          "2026-11-05;glycinate;200;0;22;0;5;4;"]


def eu(tmp_path, nights=NIGHTS, header=HEADER, sep=";", encoding="utf-8"):
    """A diary as Excel saves "CSV UTF-8" where the decimal mark is a comma (BOM, CRLF)."""
    path = tmp_path / "tagebuch.csv"
    text = "\r\n".join([header, *nights]) + "\r\n"
    path.write_bytes(("\ufeff" if encoding == "utf-8" else "").encode()
                     + text.replace(";", sep).encode(encoding))
    return path


def faults_of(source, **options) -> list[str]:
    with pytest.raises(DiaryError) as caught:
        read_diary(source, **options)
    return [str(f) for f in caught.value.faults]


# --- 1. a row with fewer fields than the header ---------------------------------------------
def test_a_row_with_a_value_deleted_with_its_separator_is_refused_naming_it(tmp_path):
    """Its values moved one column left without a word: 3 awakenings read as the quality."""
    nights = [*NIGHTS[:2], "2026-11-03;glycinate;200;0;25;4;4;", *NIGHTS[3:]]
    path = eu(tmp_path, nights)
    assert faults_of(path) == [
        f"{path}: row 3: expected 9 fields (the header's), got 8; a value deleted with its "
        "separator moves every value after it one column left; leave the cell empty instead "
        "(;;)"]
    nights[4] = "2026-11-05;glycinate;200;0;22;0;5;4;;"
    assert faults_of(eu(tmp_path, nights))[0].startswith(f"{path}: row 3: expected 9 fields")
    # a row that leaves out only its empty last cells, as Excel and people write them, reads
    # them as blank (a review: such diaries and exports were refused); so does the cell of
    # Excel's stray separator after the header's last name
    left_out = [*NIGHTS[:3], "2026-11-04;glycinate;200;0;18,5;1;4;3", "2026-11-05;;;0;22"]
    diary = read_diary(eu(tmp_path, left_out))
    assert diary.n_recorded == 5 and diary.nights["stool_bristol"].iloc[3] == 3
    assert read_diary(eu(tmp_path, header=HEADER + ";")).n_recorded == 5


# --- 2. column names ------------------------------------------------------------------------
def test_header_names_with_spaces_or_hyphens_are_the_diary_columns(tmp_path):
    header = "Date;Form;Elemental mg;split;sol  min;awakenings;quality;Stool-Bristol;notes"
    diary = read_diary(eu(tmp_path, header=header))
    assert not diary.warnings
    assert diary.nights["stool_bristol"].tolist() == [4, 5, 4, 3, 4]
    assert diary.nights["sol_min"].iloc[0] == 20.5


@pytest.mark.parametrize(("typed", "meant"), [("stool_bristl", "stool_bristol"),
                                              ("Sol-Mn", "sol_min"), ("note", "notes")])
def test_a_column_one_typo_off_a_diary_column_is_read_as_it_with_a_warning(tmp_path, typed,
                                                                           meant):
    """The GI rule lost its stool forms to "ignored": the advice ignored the loose stools.
    Refused instead, a diary with a ``note`` column could not be logged in (a review)."""
    expected = read_diary(eu(tmp_path)).nights[meant].tolist()
    path = eu(tmp_path, header=HEADER.replace(meant, typed))
    diary = read_diary(path)
    assert diary.nights[meant].tolist() == expected
    assert f"{path}: column {typed!r} read as {meant}, the diary column it nearly names: " \
           f"rename it {meant} to say so, or give a column of your own a name further from " \
           "it" in diary.warnings


def test_a_column_near_no_diary_column_stays_a_warning(tmp_path):
    path = eu(tmp_path, header=HEADER + ";Stimmung", nights=[n + ";gut" for n in NIGHTS])
    assert read_diary(path).warnings == (f"{path}: unknown column 'Stimmung' ignored",)


def test_an_unknown_dose_column_is_named_once_not_a_blank_dose_a_row(tmp_path):
    """``Dosis (mg)`` gave 46 faults "expected a dose > 0 ... got blank" and never its name."""
    path = eu(tmp_path, header=HEADER.replace("elemental_mg", "Dosis (mg)"))
    assert faults_of(path) == [
        f"{path}: no elemental_mg column: 'Dosis (mg)' is unknown; expected a dose for the rows "
        "with a form (3-5): a column elemental_mg (mg of elemental magnesium) or compound_mg "
        "(mg of the compound)"]


def test_an_unknown_column_is_named_with_the_faults_of_a_refused_diary(tmp_path):
    path = eu(tmp_path, header=HEADER + ";Stimmung",
              nights=[n + ";gut" for n in NIGHTS[:4]] + ["2026-11-05;glycinate;200;0;22;0;9;4;;"])
    assert faults_of(path) == [
        f"{path}: row 5, column quality: expected a whole number from 1 to 5, got '9'",
        f"{path}: unknown column 'Stimmung' ignored"]


# --- 3. a night dated ahead -----------------------------------------------------------------
@pytest.mark.parametrize("typed", ["2027-11-06", "2026-12-18",
                                   "2026-12-07"])   # two days ahead, after a gap (/tmp/hD)
def test_a_night_with_outcomes_dated_after_today_is_refused_naming_row_and_date(tmp_path,
                                                                                typed):
    """A year typed wrong (or 13 days ahead) moved the analysis to 2027 with 341 empty
    nights, and a warning that named no row."""
    nights = [*NIGHTS[:2], NIGHTS[2].replace("2026-11-03", typed), *NIGHTS[3:]]
    path = eu(tmp_path, nights)
    assert faults_of(path, today=TODAY) == [
        f"{path}: row 3, column date: expected a night up to today, 2026-12-05 (or a day later, "
        f"for time zones), for a row with outcomes, got {typed}: a year or a month mistyped?"]


def test_planned_rows_ahead_and_a_night_a_day_ahead_are_read_with_a_warning(tmp_path):
    """Pre-dated empty rows and rows with only the dose typed are a plan, not a typo."""
    nights = [*NIGHTS, "2026-12-06;glycinate;200;0;30;1;3;4;", "2026-12-07;glycinate;200;;;;;;",
              "2026-12-31;;;;;;;;"]
    diary = read_diary(eu(tmp_path, nights), today=TODAY)
    assert diary.n_recorded == 8
    assert [w for w in diary.warnings if "after today" in w] == [
        f"{tmp_path / 'tagebuch.csv'}: outcomes recorded for nights after today (last "
        "2026-12-06, row 6); is a year mistyped?"]


def test_nights_that_run_on_past_today_are_only_warned_of(tmp_path):
    """`mgsleep simulate`'s own diaries run on past today without a gap (a review: refused)."""
    nights = [f"{day.date()};;;0;20;1;3;4;" for day in pd.date_range("2026-11-20", "2027-01-10")]
    diary = read_diary(eu(tmp_path, nights), today=TODAY)
    assert diary.n_recorded == len(nights)
    assert any("outcomes recorded for nights after today (last 2027-01-10" in w
               for w in diary.warnings)


def test_a_table_is_refused_so_only_when_told_the_day():
    """A simulated trial (a table) dates its nights ahead on purpose."""
    ahead = pd.DataFrame({"date": ["2026-11-30", "2027-12-01"], "sol_min": [20, 25]})
    assert any("after today" in w for w in read_diary(ahead).warnings)
    assert faults_of(ahead, today=TODAY) == [
        "<DataFrame>: row 2, column date: expected a night up to today, 2026-12-05 (or a day "
        "later, for time zones), for a row with outcomes, got 2027-12-01: a year or a month "
        "mistyped?"]


# --- 4. the header ----------------------------------------------------------------------------
def test_a_title_row_above_the_header_is_named(tmp_path):
    path = eu(tmp_path, [HEADER, *NIGHTS], header="Schlaftagebuch Magnesium 2026;;;;;;;;")
    assert faults_of(path) == [f"{path}: line 1 does not look like the header (is there a "
                               "title row above it?): the header ends on line 2; delete the "
                               "lines above it"]
    path.write_text("Schlaftagebuch;;;;;;;;\n" + "\n".join(NIGHTS) + "\n")
    assert faults_of(path) == [f"{path}: line 1 does not look like the header (is there a "
                               "title row above it?)"]


def test_empty_column_names_at_the_end_of_the_header_are_named(tmp_path):
    """They were "column : expected each column once, got it twice"."""
    path = eu(tmp_path, [n + ";;;" for n in NIGHTS], header=HEADER + ";;;")
    assert faults_of(path) == [f"{path}: the header has 3 empty column names (trailing "
                               "separators): delete them"]


def test_rows_ending_in_empty_cells_the_header_lacks_are_named_so(tmp_path):
    path = eu(tmp_path, [n + ";;;" for n in NIGHTS])
    assert faults_of(path) == [f"{path}: rows 1-5: expected 9 fields (the header's), got 12; "
                               "the cells after the header's last column are empty: delete "
                               "them"]


# --- 5. encodings -------------------------------------------------------------------------------
def test_a_windows_1252_byte_is_named_in_its_column_with_the_fix(tmp_path):
    """Named "row 2, column 2": the byte was in the notes, column 9."""
    nights = [*NIGHTS[:1], "2026-11-02;;;0;35;0;3;5;schlecht geschlafen \u2013 Nachbar laut",
              *NIGHTS[2:]]
    path = eu(tmp_path, nights, encoding="cp1252")
    assert faults_of(path) == [
        f"{path}: row 2, column notes: expected UTF-8 text, got the byte 0x96 ('\u2013' in "
        "Windows-1252: saved as plain CSV by Excel on Windows?); save the file as CSV UTF-8"]


@pytest.mark.parametrize(("encoding", "start"), [("utf-16-le", "FF FE"), ("utf-16-be", "FE FF")])
def test_a_utf16_file_is_named_utf16_with_how_to_save_it(tmp_path, encoding, start):
    path = tmp_path / "unicode.txt"
    path.write_bytes(("\ufeff" + "\n".join([HEADER, *NIGHTS])).replace(";", "\t")
                     .encode(encoding))
    (fault,) = faults_of(path)
    assert fault.startswith(f"{path}: expected UTF-8 text, got UTF-16 (the file begins with "
                            f"the bytes {start}")
    assert "save it as CSV UTF-8" in fault


# --- 6. a tab-separated diary with decimal commas ---------------------------------------------
def test_a_tab_separated_diary_reads_its_decimal_commas(tmp_path):
    diary = read_diary(eu(tmp_path, sep="\t"))
    assert diary.nights["sol_min"].tolist()[:4:3] == [20.5, 18.5]


# --- 7. thousands separators and values as the file has them ---------------------------------
COMPOUND = HEADER.replace("elemental_mg", "compound_mg")


@pytest.mark.parametrize("written", ["1.600", "1\u00a0600", "1\u202f600", "1 600", "1.600,0"])
def test_a_thousands_separator_is_named_in_its_column(tmp_path, written):
    """Excel's #.##0 wrote 1.600: read as 1.6 mg, then "elemental_mg ... got 0"."""
    nights = [*NIGHTS[:2], f"2026-11-03;citrate;{written};0;25;1;4;4;"]
    path = eu(tmp_path, nights, header=COMPOUND)
    plain = "1600,0" if written.endswith(",0") else "1600"
    assert faults_of(path) == [f"{path}: row 3, column compound_mg: '{written}' in compound_mg "
                               f"looks like a thousands separator: write {plain}"]


def test_a_compound_dose_read_as_under_a_milligram_is_the_compounds_fault(tmp_path):
    path = eu(tmp_path, [*NIGHTS[:2], "2026-11-03;citrate;1,600;0;25;1;4;4;"], header=COMPOUND)
    assert faults_of(path) == [f"{path}: row 3, column compound_mg: expected at least 1 mg of "
                               "elemental magnesium, got 0.26 mg from '1,600' mg of citrate: a "
                               "thousands separator? write 1600"]


def test_a_fault_quotes_the_value_as_the_file_has_it(tmp_path):
    """A totals row's ``1,79`` was quoted as '1.79', a value the file does not hold."""
    path = eu(tmp_path, [*NIGHTS, "2026-11-06;;;0;24,2;1,79;3;4;"])
    assert faults_of(path) == [f"{path}: row 6, column awakenings: expected a whole number from "
                               "0 to 50, got '1,79'"]


# --- 9. doses a digit off -------------------------------------------------------------------------
@pytest.mark.parametrize(("dose", "said"), [
    ("2000", "row 4 (2026-11-04): 2000 mg of elemental magnesium a day is above the safety "
             "ceiling of 350 mg (5.7 times); a typo, or the compound's weight (compound_mg)? If it "
             "was taken, never more than 350 mg a day (less, or none, if your advice says so) "
             "unless a prescriber set the dose (then write prescribed_magnesium = true in your "
             "profile)."),
    ("20", "row 4 (2026-11-04): 20 mg of elemental magnesium between nights of 200 mg: a digit "
           "typed twice or dropped?")])
def test_a_dose_a_digit_off_among_other_nights_is_named(tmp_path, dose, said):
    nights = [*NIGHTS[:3], NIGHTS[3].replace(";200;", f";{dose};"), *NIGHTS[4:]]
    path = eu(tmp_path, nights)
    assert read_diary(path).warnings == (f"{path}: {said}",)


def test_nights_above_the_ceiling_are_named_in_one_warning_per_dose(tmp_path):
    nights = [n.replace(";200;", ";400;") for n in NIGHTS]
    (warning,) = read_diary(eu(tmp_path, nights)).warnings
    assert ": row 3 (2026-11-03), row 4 (2026-11-04), row 5 (2026-11-05): 400 mg of " in warning


def test_a_semicolon_diary_from_a_pipe_is_read_once(tmp_path):
    """A pipe is read once: its separator came from reopening the path, which a pipe has
    emptied (``analyze /dev/stdin`` refused a ``;`` diary, a named FIFO hung)."""
    fifo = tmp_path / "diary.csv"
    os.mkfifo(fifo)
    text = "\r\n".join([HEADER, *NIGHTS]) + "\r\n"
    threading.Thread(target=lambda: fifo.write_bytes(text.encode()), daemon=True).start()
    read: list = []
    reader = threading.Thread(target=lambda: read.append(read_diary(fifo, today=TODAY)),
                              daemon=True)
    reader.start()
    reader.join(timeout=30)
    if reader.is_alive():  # the second open waits for a writer that has gone
        with open(fifo, "wb"):
            pass
        pytest.fail("the diary was opened a second time")
    assert read[0].nights["sol_min"].tolist()[:2] == [20.5, 35.0]
