"""``mgsleep log -i`` asks in words a person can answer (a plain-language editor's audit, R1).

The night was asked although ``--date`` gave it; raw column names and "Bristol stool form,
1-7" without anchors; "GI upset that day, 0 or 1"; "Enter keeps citrate" without saying what
it keeps or from when; tonight's sleep asked, written, and warned of only at the end; and
"mgsleep: warning (UserWarning):" where other commands say "mgsleep plan: warning:".
"""

import datetime as dt
import io
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pandas as pd
import pytest

from model.cli.main import main
from model.core.errors import PACKAGE_DIR

ROOT = Path(__file__).resolve().parents[1]
HEADER = "date,form,elemental_mg,split,sol_min,awakenings,quality,stool_bristol,gi_upset\n"


def diary_with(tmp_path, *rows: str) -> Path:
    path = tmp_path / "diary.csv"
    path.write_text(HEADER + "".join(f"{row}\n" for row in rows))
    return path


def logged(path: Path, night: str) -> pd.Series:
    table = pd.read_csv(path, dtype=str, keep_default_na=False).set_index("date")
    return table.loc[night]


def asked(monkeypatch, capsys, path: Path, answers: list[str], *options: str) -> str:
    """Run ``log -i`` with ``answers`` typed; what it printed (the questions)."""
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(answers) + "\n"))
    assert main(["log", str(path), "--interactive", *options]) == 0
    return capsys.readouterr().out


def test_date_given_is_not_asked_and_questions_are_words_not_columns(tmp_path, monkeypatch,
                                                                    capsys):
    """The first answer goes to the form, not to a night's date asked again; y/n answers."""
    path = diary_with(tmp_path, "2024-03-01,citrate,300.0,0,30,2,3,4,0")
    answers = ["", "", "", "n", "20", "1", "", "4", "", "", "6", "yes", "", "", ""]
    out = asked(monkeypatch, capsys, path, answers, "--date", "2024-03-02")
    assert "night (date it began)" not in out
    assert "Bristol 1 = hard lumps" in out and "7 = watery" in out
    assert "6 or more counts as loose" in out
    assert "upset stomach on 2024-03-02? (y/n)" in out
    for column in ("stool_bristol", "gi_upset", "elemental_mg", "sol_min", "quality"):
        assert f"{column}:" not in out
    assert "Enter: citrate 300 mg, as on 2024-03-01" in out
    assert "mg [300]" in out                 # the diary's 300.0, as a person types it
    night = logged(path, "2024-03-02")
    assert night[["form", "elemental_mg", "split", "sol_min", "stool_bristol",
                  "gi_upset"]].tolist() == ["citrate", "300", "0", "20", "6", "1"]


def test_a_yes_no_question_asks_again_on_another_answer(tmp_path, monkeypatch, capsys):
    path = diary_with(tmp_path, "2024-03-01,,,,30,2,3,4,0")
    answers = ["", "", "", "", "20"] + [""] * 6 + ["maybe", "No", "", "", ""]
    out = asked(monkeypatch, capsys, path, answers, "--date", "2024-03-02")
    assert "expected y or n, got 'maybe'; again: upset stomach on 2024-03-02? (y/n)" in out
    assert logged(path, "2024-03-02")["gi_upset"] == "0"


def test_the_default_regimen_is_the_night_befores_and_another_form_asks_its_dose(
        tmp_path, monkeypatch, capsys):
    """Not the file's last row: a night corrected before it took a later night's regimen.
    A form typed over the default is asked its own dose, not the old form's."""
    path = diary_with(tmp_path, "2024-03-01,citrate,300,0,30,2,3,4,0",
                      "2024-03-05,,,,30,2,3,4,0")
    out = asked(monkeypatch, capsys, path, ["glycinate", "200", "", "", "20"] + [""] * 10,
                "--date",
                "2024-03-02")
    assert "Enter: citrate 300 mg, as on 2024-03-01" in out
    assert "elemental magnesium that day, mg:" in out      # no [300] once the form changed
    assert logged(path, "2024-03-02")[["form", "elemental_mg", "sol_min"]].tolist() == \
        ["glycinate", "200", "20"]
    out = asked(monkeypatch, capsys, path, ["", "", "", "", "20"] + [""] * 10, "--date",
                "2024-03-06")
    assert "magnesium form taken (Enter or none: no magnesium" in out   # after a night off
    assert logged(path, "2024-03-06")[["form", "elemental_mg"]].tolist() == ["", ""]


def test_tonights_sleep_is_warned_of_before_it_is_asked_and_not_written_unless_said(
        tmp_path, monkeypatch, capsys):
    today = dt.date.today()      # at the test, not at import: a suite may cross midnight
    tonight = today.isoformat()
    path = diary_with(tmp_path, f"{today - dt.timedelta(days=3)},citrate,300,0,30,2,3,4,0")
    with warnings.catch_warnings():
        warnings.simplefilter("error")                   # nothing warned after it either
        out = asked(monkeypatch, capsys, path, ["", "", "", "", "", "", "n", "", "", ""],
                    "--date", tonight)
    assert out.index(f"night {tonight} is tonight, so its sleep is not known yet") < \
        out.index("magnesium form taken")
    assert "minutes to fall asleep" not in out and "stool form" not in out
    assert "upset stomach today? (y/n)" in out
    night = logged(path, tonight)
    assert night[["form", "sol_min", "quality", "gi_upset"]].tolist() == \
        ["citrate", "", "", "0"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")                   # said yes: not warned again
        asked(monkeypatch, capsys, path, ["y", "", "", "", "", "25", "1", "", "4"] + [""] * 7,
              "--date", tonight, "--replace")
    assert logged(path, tonight)[["sol_min", "awakenings", "quality"]].tolist() == \
        ["25", "1", "4"]


def test_a_night_after_today_is_asked_no_sleep(tmp_path, monkeypatch, capsys):
    today = dt.date.today()
    ahead = (today + dt.timedelta(days=2)).isoformat()
    path = diary_with(tmp_path, f"{today - dt.timedelta(days=1)},citrate,300,0,30,2,3,4,0")
    with pytest.warns(UserWarning, match=f"night {ahead} is after today"):
        out = asked(monkeypatch, capsys, path, [""] * 9, "--date", ahead)
    assert f"night {ahead} is after today, so its sleep is not known yet" in out
    assert "minutes to fall asleep" not in out


def test_logs_warnings_are_said_as_mgsleep_log_s_and_a_librarys_keeps_its_class():
    from model.cli.log import said_by_log

    ours = PACKAGE_DIR + os.path.join("cli", "log.py")
    with said_by_log():
        assert warnings.formatwarning("night  x\n is tonight", UserWarning, ours, 1) == \
            "mgsleep log: warning: night x is tonight\n"
        library = warnings.formatwarning("old", FutureWarning, "/site-packages/pandas/a.py", 1)
    assert "FutureWarning" in library and "mgsleep log" not in library


def test_on_the_command_line_no_python_class_is_shown(tmp_path):
    path = diary_with(tmp_path, "2024-03-01,citrate,300,0,30,2,3,4,0")
    ahead = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    done = subprocess.run([sys.executable, "-m", "model", "log", str(path), "--date", ahead,
                           "--form", "glycinate", "--mg", "2000", "--large-dose"], cwd=ROOT,
                          env=os.environ | {"PYTHONPATH": str(ROOT)}, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert f"mgsleep log: warning: night {ahead} is after today" in done.stderr
    assert "mgsleep log: warning: 2000 mg of elemental magnesium" in done.stderr
    assert "UserWarning" not in done.stderr
