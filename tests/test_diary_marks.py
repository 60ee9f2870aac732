"""The diary's menstruation column and its 0/1 marks, as a person keeps them by hand.

An outside audit of people who menstruate (/tmp/w56/m): one day of spotting 19 days after a
period was read as a new period, moving the premenstrual window, and nothing was said (M4); the
documented header ``Period`` was told at every read that it "nearly names" a column, a typo's
guess (M5); a ``Period`` column of ``yes`` and ``x`` was refused while ``mgsleep log
--menstruation yes`` was taken, and the fault named "column menstruation", a name the person
never wrote (M6).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from model.cli import log
from model.cli.log_questions import ANSWERS
from model.cli.main import main
from model.core.errors import DiaryError
from model.data.cycle_nights import PREMENSTRUAL, first_days
from model.data.diary import read_diary
from model.data.diary_columns import written_covariate

START = dt.date(2026, 5, 1)
TODAY = dt.date(2026, 12, 1)


def diary(tmp_path: Path, bleeding: list[str], nights: int = 120, header: str = "Period",
          name: str = "d.csv") -> Path:
    """``nights`` nights without magnesium from :data:`START`, 1 on each day of ``bleeding``."""
    days = [START + dt.timedelta(days=i) for i in range(nights)]
    rows = [f"{day},,,{20 + i % 7},{'1' if str(day) in bleeding else ''}"
            for i, day in enumerate(days)]
    path = tmp_path / name
    path.write_text(f"date,form,elemental_mg,sol_min,{header}\n" + "\n".join(rows) + "\n")
    return path


def spotting_notes(path: Path) -> list[str]:
    return [w for w in read_diary(path, today=TODAY, warn=False).warnings
            if "one day of bleeding" in w]


def period(first: str, days: int = 5) -> list[str]:
    """The days of a period of ``days`` days from ``first``."""
    return [str(dt.date.fromisoformat(first) + dt.timedelta(days=i)) for i in range(days)]


# --- M4: a lone day of bleeding too soon after a period ---------------------------------------
@pytest.mark.parametrize(("before", "spotting", "after"), [
    # first days only, every 28 days: each a lone day at a usual interval
    (["2026-05-03", "2026-05-31", "2026-06-28", "2026-07-26"], "2026-08-12", "2026-07-26"),
    # a first period of one day (none before it), then one of five days
    (["2026-05-03", *period("2026-05-31")], "2026-06-15", "2026-05-31"),
    # a lone day 30 days after a period of five days
    ([*period("2026-05-03"), "2026-06-02"], "2026-06-20", "2026-06-02"),
])
def test_only_a_lone_day_of_bleeding_under_21_days_after_a_period_is_named(tmp_path, before,
                                                                         spotting, after):
    """Named once, with the date of the period before and the fix; still read as a period
    (the person may be right): its nights before are premenstrual."""
    path = diary(tmp_path, [*before, spotting])
    gap = (dt.date.fromisoformat(spotting) - dt.date.fromisoformat(after)).days
    assert gap < 21
    assert spotting_notes(path) == [
        f"{path}: one day of bleeding on {spotting}, {gap} days after the period that began "
        f"{after}: read as a new period's first day (the nights before it as premenstrual); if "
        "it was spotting, write 0 on it"]
    nights = read_diary(path, today=TODAY, warn=False).nights
    assert pd.Timestamp(spotting) in first_days(nights["menstruation"])
    assert written_covariate(nights, PREMENSTRUAL)[pd.Timestamp(spotting) - pd.Timedelta(
        days=3)] == 1


def test_a_period_of_two_days_under_21_days_after_the_last_is_not_named(tmp_path):
    """Not a lone day: two days of bleeding are read as a short cycle, without a word; the
    lone day in the same diary is named."""
    path = diary(tmp_path, [*period("2026-05-03"), *period("2026-05-22", 2), "2026-06-08"])
    assert [note.split(": ")[1].split(",")[0] for note in spotting_notes(path)] == [
        "one day of bleeding on 2026-06-08"]


# --- M5: a header read by its words is said plainly ----------------------------------------------
def test_a_header_read_by_its_words_says_what_it_holds_and_a_near_miss_how_to_rename_it(
        tmp_path):
    period_path = diary(tmp_path, period("2026-05-03"), 30)
    said = read_diary(period_path, today=TODAY, warn=False).warnings
    assert [w for w in said if "'Period'" in w] == [
        f"{period_path}: column 'Period' read as menstruation (1 on a day of menstrual "
        "bleeding, 0 or blank on another)"]
    typo = diary(tmp_path, period("2026-05-03"), 30, header="menstruaton", name="t.csv")
    said = read_diary(typo, today=TODAY, warn=False).warnings
    assert [w for w in said if "'menstruaton'" in w] == [
        f"{typo}: column 'menstruaton' read as menstruation, the diary column it nearly names: "
        "rename it menstruation to say so, or give a column of your own a name further from it"]


# --- M6: yes, x and no in a 0/1 column; a fault names the header as written --------------------
MARKED = "date,form,elemental_mg,sol_min,gi_upset,Period\n"
WORDS = [("yes", "x"), ("X", "No"), (" y ", "n"), ("TRUE", "false"), ("no", ""), ("1", "0")]
NUMBERS = [("1", "1"), ("1", "0"), ("1", "0"), ("1", "0"), ("0", ""), ("1", "0")]


def marked(tmp_path: Path, cells: list[tuple[str, str]], name: str) -> Path:
    path = tmp_path / name
    path.write_text(MARKED + "".join(f"2026-09-0{i + 1},,,20,{gi},{bleeding}\n"
                                     for i, (gi, bleeding) in enumerate(cells)))
    return path


def test_yes_x_and_no_in_0_1_columns_read_as_1_and_0(tmp_path):
    """The same nights as 1 and 0 written: the GI nights and the periods reach the diary."""
    words = read_diary(marked(tmp_path, WORDS, "w.csv"), today=TODAY, warn=False).nights
    numbers = read_diary(marked(tmp_path, NUMBERS, "n.csv"), today=TODAY, warn=False).nights
    assert words["gi_upset"].tolist() == [1, 1, 1, 1, 0, 1]
    assert words["menstruation"].fillna(-1).tolist() == [1, 0, 0, 0, -1, 0]
    assert words["gi_night"].sum() == 5
    pd.testing.assert_frame_equal(words, numbers)


def test_another_word_is_refused_naming_the_header_as_written(tmp_path):
    path = marked(tmp_path, [("1", "maybe"), ("perhaps", "1")], "m.csv")
    with pytest.raises(DiaryError) as caught:
        read_diary(path, today=TODAY)
    faults = [str(f) for f in caught.value.faults]
    assert faults[0].startswith(f"{path}: row 1, column Period (read as menstruation): "
                                "expected 0 or 1 (")
    assert faults[0].endswith("or a word (yes, y, true or x for 1; no, n or false for 0), got "
                              "'maybe'")
    assert faults[1].startswith(f"{path}: row 2, column gi_upset: expected 0 or 1 or a word")
    assert len(faults) == 2


def test_rows_alike_are_said_once_under_the_header_as_written(tmp_path):
    path = marked(tmp_path, [("0", "maybe")] * 7, "r.csv")
    with pytest.raises(DiaryError) as caught:
        read_diary(path, today=TODAY)
    assert [f.where for f in caught.value.faults] == [
        "rows 1-7, column Period (read as menstruation)"]


def test_a_bad_dose_under_a_header_read_by_its_words_is_one_fault_naming_it(tmp_path):
    """The dose's own fault, not a second one of a form with no dose."""
    path = tmp_path / "dose.csv"
    path.write_text("date,form,Elemental magnesium (mg),sol_min\n2026-09-01,glycinate,abc,20\n")
    with pytest.raises(DiaryError) as caught:
        read_diary(path, today=TODAY)
    assert [f.where for f in caught.value.faults] == [
        "row 1, column Elemental magnesium (mg) (read as elemental_mg)"]


# --- mgsleep log takes the same words --------------------------------------------------------
def test_log_takes_its_answers_and_the_diarys_words(tmp_path):
    """y, yes, true, 1 are 1; n, no, false, 0 are 0 (any case), and x is 1, as in the diary."""
    assert {word: ANSWERS[word] for word in ("y", "yes", "true", "1", "x")} == dict.fromkeys(
        ("y", "yes", "true", "1", "x"), "1")
    assert {word: ANSWERS[word] for word in ("n", "no", "false", "0")} == dict.fromkeys(
        ("n", "no", "false", "0"), "0")
    path = tmp_path / "diary.csv"
    for night, option, said in (("02", "--menstruation", "X"), ("03", "--gi-upset", "x"),
                                ("04", "--menstruation", "No")):
        assert main(["log", str(path), "--date", f"2026-03-{night}", "--sol", "20", option,
                     said]) == 0
    table = pd.read_csv(path, dtype=str, keep_default_na=False).set_index("date")
    assert table[["menstruation", "gi_upset"]].to_dict("index") == {
        "2026-03-02": {"menstruation": "1", "gi_upset": ""},
        "2026-03-03": {"menstruation": "", "gi_upset": "1"},
        "2026-03-04": {"menstruation": "0", "gi_upset": ""}}


def test_a_diary_whose_period_column_holds_x_is_asked_for_the_period(tmp_path, monkeypatch):
    """``log -i`` asks the period of a diary that wrote one, in any of the diary's words."""
    questions: list[str] = []

    def answer(question: str) -> str:
        questions.append(question)
        return "y" if "period" in question else "20" if "to fall asleep" in question else ""

    monkeypatch.setattr(log, "prompt", answer)
    path = tmp_path / "diary.csv"
    path.write_text("date,sol_min,Period\n2026-03-01,25,x\n")
    assert main(["log", str(path), "--interactive", "--date", "2026-03-02"]) == 0
    assert [q for q in questions if "period" in q] == [
        "a day of your period (bleeding) on 2026-03-02? (y/n): "]


# --- what else reads a 0/1 cell reads the words alike (separators.mark_number) ----------------
def test_log_on_a_night_whose_cell_holds_x_sees_no_conflict_with_1(tmp_path):
    path = tmp_path / "diary.csv"
    path.write_text("date,sol_min,Period\n2026-03-01,25,x\n")
    assert main(["log", str(path), "--date", "2026-03-01", "--menstruation", "1"]) == 0
    assert main(["log", str(path), "--date", "2026-03-01", "--menstruation", "yes"]) == 0
    assert main(["log", str(path), "--date", "2026-03-01", "--menstruation", "0"]) != 0


def test_a_split_written_yes_is_carried_and_said_as_two_intakes():
    from model.data.logged_night import Carried

    cells = {"form": "glycinate", "elemental_mg": "300"}
    assert Carried("2026-03-01", cells | {"split": "yes"}).words == (
        Carried("2026-03-01", cells | {"split": "1"}).words)
    assert "two intakes" in Carried("2026-03-01", cells | {"split": "x"}).words
    assert "two intakes" not in Carried("2026-03-01", cells | {"split": "no"}).words


def test_a_row_of_a_date_and_a_split_of_no_holds_only_a_date():
    from model.data.diary_nights import date_only_rows

    table = pd.DataFrame({"date": ["2026-03-01", "2026-03-02", "2026-03-03"],
                          "sol_min": ["", "", "20"], "split": ["no", "yes", "no"]})
    assert date_only_rows(table) == {1: dt.date(2026, 3, 1)}
