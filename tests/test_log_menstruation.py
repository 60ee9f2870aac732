"""The days of a period written by hand, and the plan that asks for them (the cycle audit).

A 28-day cycle put every premenstrual week of a 14-night ABAB plan on one form, which then
"looks to do you harm (P 0.92)" while no form did anything (/tmp/w56/cyc): the model fits the
days before a period from the diary's ``menstruation`` column. Before, ``mgsleep log`` had no
way to write it, never asked it, and ``mgsleep plan`` said nothing of a cycle.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from model.cli import log
from model.cli.main import main
from model.report.diary_words import CYCLE_LINE


def written(path: Path) -> dict[str, str]:
    table = pd.read_csv(path, dtype=str, keep_default_na=False).set_index("date")
    return table["menstruation"].to_dict()


def test_log_menstruation_writes_the_nights_day_as_yes_or_no(tmp_path):
    path = tmp_path / "diary.csv"
    assert main(["log", str(path), "--date", "2026-03-02", "--sol", "20",
                 "--menstruation", "1"]) == 0
    assert main(["log", str(path), "--date", "2026-03-03", "--menstruation", "yes"]) == 0
    assert main(["log", str(path), "--date", "2026-03-04", "--menstruation", "n"]) == 0
    assert written(path) == {"2026-03-02": "1", "2026-03-03": "1", "2026-03-04": "0"}
    assert main(["log", str(path), "--date", "2026-03-05", "--menstruation", "2"]) == 2
    assert len(written(path)) == 3


def test_a_bleeding_day_logged_in_the_evening_is_tonights():
    """The day of the night's date: after 18:00 it is today, the night that begins tonight
    (as an upset stomach that day), not "either night's"."""
    evening = dt.datetime(2026, 3, 3, 20, 0)
    assert log.default_night({"menstruation": "1"}, evening)[0] == dt.date(2026, 3, 3)
    assert log.default_night({"menstruation": "1"}, evening.replace(hour=9))[0] == \
        dt.date(2026, 3, 2)


def test_the_period_is_asked_only_of_a_diary_whose_column_has_a_1(tmp_path, monkeypatch):
    """A man, or a person who does not write their periods down (no column, blanks or 0s),
    is never asked; a person who wrote a bleeding day is, and "y" writes 1."""
    questions: list[str] = []

    def answer(question: str) -> str:
        questions.append(question)
        return "y" if "period" in question else "20" if "to fall asleep" in question else ""

    monkeypatch.setattr(log, "prompt", answer)
    for n, (columns, cell, asked) in enumerate((("", "", False), (",menstruation", ",", False),
                                                (",menstruation", ",0", False),
                                                (",menstruation", ",1", True))):
        path = tmp_path / f"diary{n}.csv"
        path.write_text(f"date,sol_min{columns}\n2026-03-01,25{cell}\n")
        questions.clear()
        assert main(["log", str(path), "--interactive", "--date", "2026-03-02"]) == 0
        said = [q for q in questions if "period" in q]
        assert said == (["a day of your period (bleeding) on 2026-03-02? (y/n): "] if asked
                        else []), columns + cell
    assert written(path)["2026-03-02"] == "1"


def test_a_plan_tells_a_person_with_periods_to_write_them(tmp_path, capsys):
    """The default plan's 14-night periods 14 nights apart meet the same week of a 28-day
    cycle: the plan says to write the days of bleeding, in one line."""
    assert main(["plan", "--forms", "glycinate,taurate", "--seed", "3",
                 "--out", str(tmp_path / "plan.csv")]) == 0
    out = capsys.readouterr().out
    assert CYCLE_LINE in out.splitlines()
    assert "menstruation = 1" in CYCLE_LINE and "mgsleep log --menstruation 1" in CYCLE_LINE
