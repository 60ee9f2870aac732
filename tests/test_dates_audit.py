"""Dates, gaps and clocks: an outside audit by a traveller and night owl (/tmp/iB, 11 findings).

Each test states a property the code before its fix broke: an outcome typed months ahead read
through a plan's rows, nights nobody observed counted as a withdrawal, an import moving nights
a day back, an evening dose filed under last night, a night recorded without magnesium by a
quick morning log, a year typed wrong written without a word, a CSD night across the
fall-back refused, a date asked first and checked last.
"""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from model.cli import log
from model.cli.main import main
from model.core.errors import DiaryError, InputError
from model.data.diary import read_diary
from model.data.importers import import_files
from model.personal.separability import separability

ROOT = Path(__file__).resolve().parents[1]
TODAY = dt.date(2026, 3, 1)
HEADER = "date,form,elemental_mg,split,sol_min,quality,notes"


def night_rows(start: str, nights: int, form: str = "", mg: str = "", sol: str = "20",
               quality: str = "3", notes: str = "") -> list[str]:
    """``nights`` diary rows from ``start`` on, each with the same cells."""
    days = pd.date_range(start, periods=nights)
    return [f"{day.date()},{form},{mg},0,{sol},{quality},{notes}" for day in days]


def diary_file(tmp_path: Path, rows: list[str], name: str = "diary.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n")
    return path


def faults_of(source, **options) -> list[str]:
    with pytest.raises(DiaryError) as caught:
        read_diary(source, **options)
    return [str(f) for f in caught.value.faults]


# --- finding 1: an outcome months ahead, behind rows without outcomes -------------------------
SLEPT = [*night_rows("2026-01-01", 14), *night_rows("2026-01-15", 45, "glycinate", "200")]
"""Nights slept up to 2026-02-28, the day before TODAY."""


def test_an_outcome_months_ahead_is_refused_through_a_plans_rows(tmp_path):
    """A plan's rows (a regimen, no outcome) up to May let an outcome typed for 2026-04-28 on
    2026-03-01 through: the analysis counted the nights up to it as taken."""
    plan = night_rows("2026-03-01", 70, "taurate", "200", sol="", quality="", notes="treatment")
    typo = len(SLEPT) + 59
    plan[58] = "2026-04-28,taurate,200,0,20,3,treatment"
    path = diary_file(tmp_path, [*SLEPT, *plan])
    assert faults_of(path, today=TODAY) == [
        f"{path}: row {typo}, column date: expected a night up to today, 2026-03-01 (or a day "
        "later, for time zones), for a row with outcomes, got 2026-04-28: a year or a month "
        "mistyped?"]


def test_an_outcome_ahead_is_refused_through_dates_filled_down(tmp_path):
    """Dates dragged down a spreadsheet to the end of March, one outcome typed on 03-10."""
    filled = [f"{day.date()},,,,,," for day in pd.date_range("2026-03-01", "2026-03-31")]
    filled[9] = "2026-03-10,glycinate,300,0,20,4,"
    path = diary_file(tmp_path, [*SLEPT, *filled])
    assert faults_of(path, today=TODAY)[0].startswith(
        f"{path}: row {len(SLEPT) + 10}, column date: expected a night up to today")


def test_log_refuses_an_outcome_months_ahead_through_a_plans_rows(tmp_path, capsys):
    """``log --date`` two months ahead on a plan diary said "completed" with a warning."""
    today = dt.date.today()
    rows = [f"{today - dt.timedelta(days=n)},glycinate,200,0,20,3," for n in range(10, 0, -1)]
    rows += [f"{today + dt.timedelta(days=n)},taurate,200,0,,,treatment" for n in range(70)]
    path = diary_file(tmp_path, rows)
    before = path.read_bytes()
    typo = today + dt.timedelta(days=58)
    assert main(["log", str(path), "--date", str(typo), "--sol", "20", "--quality", "3"]) == 2
    assert f"got {typo}: a year or a month mistyped?" in capsys.readouterr().err
    assert path.read_bytes() == before and not path.with_name("diary.csv.bak").exists()


# --- finding 2: nights nobody observed are no withdrawal --------------------------------------
RESUMED = night_rows("2026-02-27", 10, "glycinate", "150")
"""d1's nights (14 without, 26 on glycinate 300 mg to 2026-02-09), then a break, then these."""
D1 = [*night_rows("2026-01-01", 14), *night_rows("2026-01-15", 26, "glycinate", "300")]


def test_a_gap_without_rows_is_no_withdrawal(tmp_path):
    """17 nights with no row, taken as without magnesium as the dose changed across them,
    made the diary "separable" and took its caution away."""
    diary = read_diary(diary_file(tmp_path, [*D1, *RESUMED]), today=dt.date(2026, 3, 9))
    apart = separability(diary)
    assert (apart.separable, apart.withdrawals) == (False, 0)
    assert "no withdrawal" in apart.reasons[0]


def test_rows_holding_only_a_date_are_neither_a_withdrawal_nor_nights_without_magnesium(
        tmp_path):
    """A week of rows with a date and nothing else was 7 recorded nights without magnesium in
    the summary, and (with the gap before it) a withdrawal."""
    from model.analysis.analysed_nights import truncated as _truncate

    empty = [f"{day.date()},,,,,," for day in pd.date_range("2026-02-20", periods=7)]
    path = diary_file(tmp_path, [*D1, *empty, *RESUMED])
    data, _ = _truncate(read_diary(path, today=dt.date(2026, 3, 9)), None,
                        dt.date(2026, 3, 9))
    assert data.nights_per_regimen() == \
        "no magnesium: 14, glycinate 300 mg: 26, glycinate 150 mg: 10"
    assert data.n_recorded == 50
    assert f"{path}: 7 row(s) hold only a date (rows 41-47, 2026-02-20 to 2026-02-26): " \
           "neither a night slept nor one without magnesium, an analysis reads them as " \
           "nights not recorded (log their values, or delete them)" in data.warnings
    assert (separability(data).separable, separability(data).withdrawals) == (False, 0)


def test_a_week_off_with_outcomes_is_still_a_withdrawal(tmp_path):
    """The control: nights observed off magnesium after 14 on it separate as before, and a
    row holding a form of none, or a dose of 0, is a night recorded without it."""
    off = [*night_rows("2026-02-10", 6), "2026-02-16,none,0,0,,,"]
    diary = read_diary(diary_file(tmp_path, [*D1, *off, *RESUMED]))
    assert separability(diary).withdrawals == 0            # 6 observed nights off: too few
    off[-1] = "2026-02-16,none,0,0,25,3,"
    diary = read_diary(diary_file(tmp_path, [*D1, *off, *RESUMED]))
    assert (separability(diary).separable, separability(diary).withdrawals) == (True, 1)
    assert not diary.date_only


# --- finding 3: import csv moves no night -----------------------------------------------------
@pytest.mark.parametrize("written", ["20260302", "2026-W10-1", "2026W101"])
def test_import_csv_refuses_a_compact_or_week_date_naming_row_and_column(tmp_path, written):
    """They were read as midnight times, every night moved one day back."""
    export = tmp_path / "app.csv"
    export.write_text(f"Day,Latency\n2026-03-01,10\n{written},20\n")
    with pytest.raises(InputError) as caught:
        import_files("csv", [export], mapping="date=Day,sol_min=Latency")
    assert [str(f) for f in caught.value.faults] == [
        f"{export}: row 2, column Day: expected a date YYYY-MM-DD or a date and time "
        f"(YYYY-MM-DD HH:MM), got '{written}'"]


def test_import_csv_names_midnights_read_as_sleep_starts_beside_a_time_of_day(tmp_path):
    """Dates written as midnight times, one row with a real time: three nights moved a day
    back without a word. In a file of times of day, midnight is a sleep's start (the night
    before, as tests/test_import_audit.py has it): a warning now names those rows."""
    export = tmp_path / "app.csv"
    export.write_text("Day,Latency\n2026-03-02 00:00:00,20\n2026-03-03 00:00:00,35\n"
                      "2026-03-04 00:00:00,15\n2026-03-05 23:40:00,25\n")
    imported = import_files("csv", [export], mapping="date=Day,sol_min=Latency")
    assert imported.table["date"].tolist() == ["2026-03-01", "2026-03-02", "2026-03-03",
                                               "2026-03-05"]
    assert imported.warnings == (
        f"{export}: rows 1-3, column Day: midnight ('2026-03-02 00:00:00') read as the start "
        "of a sleep, on the night before its date (2026-03-01), as row 4 gives a time of day "
        "('2026-03-05 23:40:00'); if they are dates, write them without the time "
        "('2026-03-02')",)
    export.write_text("Day,Latency\n2026-03-02 00:00:00,20\n2026-03-03,35\n")   # no time: dates
    imported = import_files("csv", [export], mapping="date=Day,sol_min=Latency")
    assert imported.table["date"].tolist() == ["2026-03-02", "2026-03-03"]
    assert not imported.warnings


def test_a_date_that_does_not_exist_is_named_so(tmp_path):
    """2026-02-29 was "expected a date YYYY-MM-DD", which it is in form (finding 7)."""
    path = diary_file(tmp_path, [*night_rows("2026-02-27", 2), "2026-02-29,,,0,20,3,"])
    assert faults_of(path) == [f"{path}: row 3, column date: expected a date YYYY-MM-DD, got "
                               "'2026-02-29', which is no day: 2026 is not a leap year"]


# --- finding 4: the night a log without --date is for ----------------------------------------
EVENING, MORNING = dt.datetime(2026, 2, 10, 23, 0), dt.datetime(2026, 2, 10, 9, 0)


@pytest.mark.parametrize(("at", "values", "night"), [
    (EVENING, {"form": "taurate", "elemental_mg": "300"}, dt.date(2026, 2, 10)),
    (EVENING, {"anxiety": "4", "alcohol_drinks": "1"}, dt.date(2026, 2, 10)),
    (EVENING, {"sol_min": "20", "quality": "4"}, dt.date(2026, 2, 9)),
    (MORNING, {"form": "taurate", "elemental_mg": "300"}, dt.date(2026, 2, 9)),
    (dt.datetime(2026, 2, 11, 0, 30), {"form": "taurate"}, dt.date(2026, 2, 10)),
    (dt.datetime(2026, 2, 10, 17, 59), {"sol_min": "20"}, dt.date(2026, 2, 9))])
def test_the_default_night_is_the_one_the_values_belong_to(at, values, night):
    assert log.default_night(values, at)[0] == night


@pytest.mark.parametrize("values", [{"form": "taurate", "sol_min": "20"}, {"notes": "late"}])
def test_an_evening_log_of_either_night_asks_for_the_date(values):
    with pytest.raises(InputError, match=r"expected --date 2026-02-10 \(tonight\) or --date "
                                         r"2026-02-09 \(last night\): after 18:00"):
        log.default_night(values, EVENING)


def test_an_evening_dose_is_tonights_not_last_nights(tmp_path, capsys, monkeypatch):
    """At 23:00, ``log --form taurate --mg 300`` made last night, slept without magnesium and
    with its outcomes, a taurate night."""
    monkeypatch.setattr(log, "now", lambda: EVENING, raising=False)
    path = diary_file(tmp_path, [*night_rows("2026-02-01", 8), "2026-02-09,,,0,26,2,"])
    assert main(["log", str(path), "--form", "taurate", "--mg", "300"]) == 0
    assert "night 2026-02-10 (no --date: tonight, as --form, --mg after 18:00) added" in \
        capsys.readouterr().out
    written = pd.read_csv(path, dtype=str, keep_default_na=False).set_index("date")
    assert written.loc["2026-02-09", "form"] == ""
    assert written.loc["2026-02-10", ["form", "elemental_mg"]].tolist() == ["taurate", "300"]


# --- finding 5: a quick morning log keeps the regimen -----------------------------------------
def test_a_morning_log_without_a_form_carries_the_last_nights_over(tmp_path, capsys,
                                                                   monkeypatch):
    """``log --sol 20 --quality 4`` after 26 glycinate nights recorded a night without it."""
    monkeypatch.setattr(log, "now", lambda: dt.datetime(2026, 2, 11, 9, 0), raising=False)
    path = diary_file(tmp_path, D1)
    assert main(["log", str(path), "--date", "2026-02-10", "--sol", "20", "--quality", "4"]) == 0
    assert f"{path}: form and dose carried over from 2026-02-09: glycinate 300 mg; if you " \
           f"took none that night: mgsleep log {path} --date 2026-02-10 --form none " \
           "--replace" in capsys.readouterr().out
    assert read_diary(path).nights_per_regimen() == "no magnesium: 14, glycinate 300 mg: 27"
    assert main(["log", str(path), "--date", "2026-02-11", "--form", "none", "--sol", "20"]) == 0
    assert main(["log", str(path), "--date", "2026-02-12", "--sol", "25"]) == 0
    assert "carried over" not in capsys.readouterr().out     # none given, none to carry
    assert read_diary(path).nights_per_regimen() == "no magnesium: 16, glycinate 300 mg: 27"


# --- finding 6: a year typed wrong ------------------------------------------------------------
def test_a_night_far_before_the_diary_is_warned_of(tmp_path, monkeypatch):
    monkeypatch.setattr(log, "now", lambda: dt.datetime(2026, 1, 2, 9, 0), raising=False)
    path = diary_file(tmp_path, night_rows("2025-12-20", 12))
    with pytest.warns(UserWarning, match=r"night 2025-01-01 leaves 352 nights empty before "
                                         r"the diary's first night 2025-12-20: is the year "
                                         r"right\?"):
        assert main(["log", str(path), "--date", "2025-01-01", "--sol", "20"]) == 0


# --- finding 8: the CSD night the clocks go back ----------------------------------------------
def test_a_csd_night_across_the_fall_back_has_its_extra_hour(tmp_path):
    """00:10 to 08:00 on the morning of 2026-10-25 (EU clocks back) is 530 minutes."""
    csd = tmp_path / "csd.csv"
    csd.write_text("date,try_to_sleep,sol_min,waso_min,final_awakening\n"
                   "2026-10-25,00:10,60,450,08:00\n")
    assert import_files("csd", [csd]).table["date"].tolist() == ["2026-10-24"]
    csd.write_text("date,try_to_sleep,sol_min,waso_min,final_awakening\n"
                   "2026-10-18,00:10,60,450,08:00\n")
    with pytest.raises(InputError, match="expected at most 470 minutes from try_to_sleep to "
                                         "final_awakening, got 510"):
        import_files("csd", [csd])


# --- finding 10: the interactive date, a closed standard input, the backup's name ------------
def test_the_interactive_date_is_asked_again_at_once(tmp_path, capsys, monkeypatch):
    """"02/03/2026" failed the whole night after 15 more questions."""
    path = diary_file(tmp_path, night_rows("2026-02-01", 2))
    answers = ["02/03/2026", "2026-02-03", "", "", "", "", "18"] + [""] * 10
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(answers) + "\n"))
    assert main(["log", str(path), "--interactive"]) == 0
    assert "expected a date YYYY-MM-DD, got '02/03/2026'; again: night" in \
        capsys.readouterr().out
    assert read_diary(path).nights["sol_min"].tolist() == [20, 20, 18]


@pytest.mark.parametrize(("options", "said"), [
    ([], "expected at least one value"),
    (["--interactive"], "input ended before every field was answered; nothing written")])
def test_a_closed_standard_input_is_an_error_not_a_traceback(tmp_path, options, said):
    """``mgsleep log diary.csv <&-`` failed with a traceback (None has no isatty); a closed
    stream is now the null device (:func:`model.cli.main.ready_streams`)."""
    path = diary_file(tmp_path, night_rows("2026-02-01", 2))
    done = subprocess.run(["bash", "-c", 'exec "$@" <&-', "bash", sys.executable, "-m", "model",
                           "log", str(path), *options], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert said in done.stderr


@pytest.mark.parametrize("command", ["log", "import"])
def test_the_help_names_the_backup_as_it_is_written(capsys, command):
    with pytest.raises(SystemExit):
        main([command, "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "DIARY.csv.bak" in text and "DIARY.bak" not in text


@pytest.mark.parametrize(("typed", "said"), [
    ("20260210", "expected a date YYYY-MM-DD, got '20260210'"),
    ("2026-W07-2", "expected a date YYYY-MM-DD, got '2026-W07-2'"),
    ("2026-02-29", "2026 is not a leap year")])
def test_a_date_option_reads_dates_as_a_diary_does(typed, said):
    """--date, --start, --as-of took 20260210 and 2026-W07-2, which a diary refuses."""
    from model.cli.options import parse_date

    with pytest.raises(InputError, match=said):
        parse_date(typed, "--start")
    assert parse_date("2026-02-10", "--start") == dt.date(2026, 2, 10)


@pytest.mark.parametrize(("offset", "said"), [(-365, "365 nights before today"),
                                              (61, "61 nights after today"), (-60, None),
                                              (14, None)])
def test_a_plan_starting_far_from_today_is_named_in_a_warning(tmp_path, capsys, offset, said):
    """A session's note: ``--start`` a year off (last year typed) made a plan in silence."""
    start = dt.date.today() + dt.timedelta(days=offset)
    assert main(["plan", "--forms", "glycinate", "--start", start.isoformat(), "--seed", "1",
                 "--out", str(tmp_path / "plan.csv")]) == 0
    err = capsys.readouterr().err
    if said:
        assert f"warning: the plan starts on {start}, {said}" in err and "date right?" in err
    else:
        assert "the plan starts on" not in err
