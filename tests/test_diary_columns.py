"""Diary columns under other names, products in the form column, notes that look like pot codes.

An outside audit (robustness, findings 1, 2, 10, 11): a stool column named ``bristol_stool``
was ignored and the GI rules saw no loose stools ("Continue citrate" for "Stop taking
magnesium"); ``mg_form,dose_mg`` was read as no magnesium on any night ("Start glycinate" to a
person taking 300 mg); ``ZMA`` got a bare list of forms; a note "code RED at work" made an open
diary a blinded one.
"""

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from model.cli.main import main
from model.core.errors import DiaryError
from model.data.column_words import MEANS
from model.data.diary import CODE_NOTE, pot_codes, read_diary, refuse_blinded
from model.data.diary_rows import cell_problem

START = dt.date(2026, 10, 1)
HEADER = ["date", "form", "elemental_mg", "sol_min", "awakenings", "quality", "anxiety",
          "stool_bristol"]


def nights(n: int = 30) -> list[list[str]]:
    """Half the nights without magnesium, then citrate 200 mg with loose stools most nights."""
    rows = []
    for i in range(n):
        on = i >= n // 2
        rows.append([(START + dt.timedelta(days=i)).isoformat(), "citrate" if on else "",
                     "200" if on else "", str(40 - 5 * on + i % 3), str(i % 3), str(2 + i % 3),
                     str(3 + i % 4), str((6 + i % 2) if on and i % 4 else 3 + i % 2)])
    return rows


def write(tmp_path: Path, header: list[str], rows: list[list[str]], name: str = "d.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(",".join(f'"{c}"' if "," in c else c for c in row)
                              for row in [header, *rows]) + "\n", encoding="utf-8")
    return path


def renamed(column: str, to: str) -> list[str]:
    return [to if c == column else c for c in HEADER]


def faults_of(path: Path) -> list[str]:
    with pytest.raises(DiaryError) as caught:
        read_diary(path)
    return [str(f) for f in caught.value.faults]


# --- 1. a column whose words name a diary column is read as it -----------------------------
@pytest.mark.parametrize(("column", "name"), [
    ("stool_bristol", "bristol_stool"), ("stool_bristol", "Bristol stool"),
    ("stool_bristol", "bristol_stool_form"), ("stool_bristol", "stool_form"),
    ("stool_bristol", "Stool form (Bristol 1-7)"), ("stool_bristol", "StoolBristol"),
    ("stool_bristol", "Bristol"), ("quality", "quality (1-5)"), ("quality", "Sleep quality"),
    ("anxiety", "evening_anxiety"), ("anxiety", "Anxiety (0-10)"),
    ("sol_min", "Sleep latency (min)"), ("sol_min", "minutes to fall asleep"),
    ("awakenings", "Number of awakenings")])
def test_a_column_under_another_name_is_read_as_the_one_its_words_name(tmp_path, column, name):
    """The same values, the same GI nights, and one warning naming the column read as and what
    it holds: no typo's guess for a header the README documents (/tmp/w56/m M5)."""
    right = read_diary(write(tmp_path, HEADER, nights(), "right.csv"))
    path = write(tmp_path, renamed(column, name), nights())
    other = read_diary(path)
    pd.testing.assert_frame_equal(other.nights, right.nights)
    assert other.nights["gi_night"].sum() > 5            # the loose stools the GI rules see
    assert [w for w in other.warnings if name in w] == [
        f"{path}: column {name!r} read as {column} ({MEANS[column]})"]


@pytest.mark.parametrize("name", ["stool", "loose_stools", "Diarrhoea", "Stool (Bristol 1-10)",
                                  "bowel movements", "stool consistency"])
def test_a_stool_or_gi_column_not_read_is_an_error_naming_it(tmp_path, name):
    """Ignored with a warning, the GI rules ran without it: the advice kept a form that loosened
    stools on most nights. Not read, it is refused, naming the file, the column and the fix."""
    path = write(tmp_path, renamed("stool_bristol", name), nights())
    faults = faults_of(path)
    assert len(faults) == 1 and faults[0].startswith(f"{path}: column {name}: ")
    assert "the GI safety rules would run without it" in faults[0]
    assert "Rename it stool_bristol if it holds the Bristol stool form, or gi_upset" in faults[0]


def test_a_scale_or_unit_other_than_the_columns_is_said_not_read(tmp_path):
    """``(1-10)`` is not stool_bristol's 1-7; ``(h)`` is not sol_min's minutes: a value would
    change its meaning, so neither is read, and each says why."""
    assert "(its scale is 1-10, stool_bristol's is 1-7)" in faults_of(
        write(tmp_path, renamed("stool_bristol", "Stool (Bristol 1-10)"), nights()))[0]
    header = [c for c in renamed("sol_min", "Sleep latency (h)") if c != "quality"]
    diary = read_diary(write(tmp_path, [*header, "Quality (1-10)"],
                             [r[:5] + r[6:] + [r[5]] for r in nights()]))
    assert diary.nights["sol_min"].isna().all() and diary.nights["quality"].isna().all()
    said = " ".join(diary.warnings)
    assert ("unknown column 'Sleep latency (h)' ignored (did you mean 'sol_min'?): its unit is "
            "hours, sol_min's is minutes") in said
    assert "its scale is 1-10, quality's is 1-5" in said


def test_waso_is_never_read_as_awakenings_and_without_a_unit_not_read(tmp_path):
    """WASO is minutes awake; read as awakenings (a count), 40 minutes would be 40 wakings."""
    header = renamed("awakenings", "waso")
    diary = read_diary(write(tmp_path, header, nights()))
    assert diary.nights["awakenings"].isna().all() and diary.nights["waso_min"].isna().all()
    note = next(w for w in diary.warnings if "'waso'" in w)
    assert "unknown column 'waso' ignored (did you mean 'waso_min'?): its unit is not said" in note
    assert "not awakenings" in note
    read = read_diary(write(tmp_path, renamed("awakenings", "WASO (min)"), nights(), "m.csv"))
    assert read.nights["waso_min"].notna().all() and read.nights["awakenings"].isna().all()


def test_two_columns_naming_one_diary_column_are_neither_read(tmp_path):
    rows = [[*r, r[-1]] for r in nights()]
    faults = faults_of(write(tmp_path, [*renamed("stool_bristol", "Bristol"), "stool form"], rows))
    assert len(faults) == 2 and all("another column names stool_bristol too" in f
                                    for f in faults)


def test_a_stool_column_beside_both_gi_columns_or_left_blank_is_only_a_warning(tmp_path):
    """The GI rules see stool_bristol and gi_upset; a blank column holds nothing they miss."""
    both = read_diary(write(tmp_path, [*HEADER, "gi_upset", "stool_notes"],
                            [[*r, "0", "soft"] for r in nights()]))
    assert any("unknown column 'stool_notes' ignored" in w for w in both.warnings)
    blank = read_diary(write(tmp_path, renamed("stool_bristol", "stool"),
                             [[*r[:-1], ""] for r in nights()], "blank.csv"))
    assert any("unknown column 'stool' ignored (did you mean 'stool_bristol'?)" in w
               for w in blank.warnings)


def test_analyze_refuses_an_unread_stool_column_before_any_fit(tmp_path, capsys):
    path = write(tmp_path, renamed("stool_bristol", "stool"), nights())
    assert main(["analyze", str(path), "--seed", "1"]) == 2
    err = capsys.readouterr().err
    assert f"{path}: column stool: expected stool form in stool_bristol" in err


# --- 2. magnesium columns under other names ------------------------------------------------
@pytest.mark.parametrize(("form", "dose"), [("mg_form", "dose_mg"), ("supplement", "dose"),
                                            ("Magnesium form", "magnesium_mg")])
def test_magnesium_columns_under_other_names_are_an_error_not_no_magnesium(tmp_path, form, dose):
    """Read as "no magnesium: 35", the advice was to start 200 mg on top of 300 mg taken."""
    header = [form, dose, *HEADER[3:]]
    path = write(tmp_path, ["date", *header], [[r[0], "glycinate", "300", *r[3:]]
                                               for r in nights()])
    faults = faults_of(path)
    assert faults == [
        f"{path}: columns {form}, {dose}: expected the magnesium taken in a column form "
        "(glycinate, citrate, ...; blank: none) with its dose in elemental_mg (mg of elemental "
        "magnesium) or compound_mg (mg of the compound), got none of these: "
        f"{form!r}, {dose!r} look like them and are not read, so every night would count as one "
        "without magnesium. Rename them to the names the diary reads (form, elemental_mg or "
        "compound_mg); a diary of nights without magnesium says so with an empty form column"]
    assert main(["analyze", str(path), "--seed", "1"]) == 2


def test_a_diary_without_magnesium_columns_and_none_like_them_still_reads(tmp_path):
    """A baseline diary, or one with another substance's dose, is no magnesium column."""
    header = ["date", *HEADER[3:], "melatonin_mg"]
    diary = read_diary(write(tmp_path, header, [[r[0], *r[3:], "3"] for r in nights()]))
    assert (diary.nights["form"] == "none").all()
    assert any("unknown column 'melatonin_mg' ignored" in w for w in diary.warnings)
    said = read_diary(write(tmp_path, ["date", "form", "supplement_notes", *HEADER[3:]],
                            [[r[0], "", "none yet", *r[3:]] for r in nights()], "s.csv"))
    assert (said.nights["form"] == "none").all()


# --- 10a. a product in the form column -----------------------------------------------------
def test_zma_is_said_to_be_a_product_whose_magnesium_is_no_modelled_form(tmp_path):
    message = cell_problem("form", "ZMA")
    assert message is not None
    assert "ZMA is a product (zinc, magnesium aspartate and vitamin B6), not a form" in message
    assert "Magnesium L-aspartate anhydrous is none of the forms mgsleep models" in message
    assert "other_magnesium_mg" in message
    path = write(tmp_path, HEADER, [[r[0], "ZMA", "200", *r[3:]] if i == 20 else r
                                    for i, r in enumerate(nights())])
    assert faults_of(path) == [f"{path}: row 21, column form: {message}"]


# --- 11. a note that begins with "code" ----------------------------------------------------
@pytest.mark.parametrize("note", ["code RED at work all day", "Code red at work",
                                  "code AB", "code b", "code until 2am", "Code Review day"])
def test_an_open_diarys_note_beginning_with_code_is_no_pot(tmp_path, note):
    """Only the codes ``mgsleep plan --blind`` writes (one capital letter) make a pot."""
    rows = [[*r, note if i == 10 else ""] for i, r in enumerate(nights())]
    diary = read_diary(write(tmp_path, [*HEADER, "notes"], rows))
    refuse_blinded(diary)                                  # no "mgsleep unblind --key" for it
    assert pot_codes(diary.nights).isna().all() and CODE_NOTE.match(note) is None


@pytest.mark.parametrize(("note", "code"), [
    ("code A", "A"), ("code B (plan 3f9a1c2e)", "B"), ("Code b (plan 3f9a1c2e)", "B"),
    ("code C, 33% of the full dose (plan 710592b0)", "C"),
    ("code C (plan 710592b0) took it late", "C")])
def test_a_pot_code_as_the_plan_writes_it_still_makes_a_blinded_night(tmp_path, note, code):
    rows = [[r[0], "", "", *r[3:], note if i >= 20 else ""] for i, r in enumerate(nights())]
    diary = read_diary(write(tmp_path, [*HEADER, "notes"], rows))
    assert pot_codes(diary.nights).dropna().unique().tolist() == [code]
    with pytest.raises(DiaryError, match="got pot codes"):
        refuse_blinded(diary)


def test_a_second_column_of_a_gi_column_the_diary_has_is_a_warning(tmp_path):
    """``Bristol`` beside ``stool_bristol`` takes nothing from the GI rules: not refused."""
    diary = read_diary(write(tmp_path, [*HEADER, "Bristol"], [[*r, r[-1]] for r in nights()]))
    assert any("unknown column 'Bristol' ignored (the diary has a column stool_bristol, which "
               "is read)" in w for w in diary.warnings)
