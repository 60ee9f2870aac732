"""A blinded trial never skips the safety screen; its refusal has its own exit code.

A clinic's audit (2026-12, /tmp/w44/A): each test failed before its fix.

F1. ``analyze`` refused a blinded diary before it screened the profile: a person whose
    profile now said myasthenia gravis (or eGFR 25, or pregnant) read only "a blinded diary.
    Analyse it when the trial ends" and kept taking pots that may hold magnesium; ``log
    --profile`` said nothing of it either.
F6. A blinded diary mid-trial (an expected state) exited 2, as a broken file does.
"""

from __future__ import annotations

import pandas as pd
import pytest

from model.analysis.pipeline import analyze
from model.cli.main import BLINDED, main
from model.core.errors import BlindedDiary, DiaryError, Fault
from model.data.diary import DiaryWarning

PLAN = ["plan", "--forms", "glycinate,taurate", "--blind", "--start", "2024-01-01",
        "--baseline-days", "7", "--period-days", "7", "--washout-days", "3", "--cycles", "1"]

STOP = "mgsleep analyze: Stop taking the trial's pots now and see a clinician: myasthenia gravis"

PROFILES = {"clean": "age = 40\negfr = 90\n",
            "myasthenia": 'age = 40\negfr = 90\nconditions = ["myasthenia gravis"]\n',
            "pregnant": "age = 31\negfr = 110\npregnant = true\n",
            "digoxin": 'age = 72\negfr = 65\nmedications = ["digoxin 125 mcg"]\n'}


@pytest.fixture
def blinded(tmp_path):
    """A blinded trial in progress: 12 nights logged (5 of them on a pot), keeping the codes."""
    plan = tmp_path / "trial.csv"
    assert main([*PLAN, "--out", str(plan)]) == 0
    table = pd.read_csv(plan, dtype=str, keep_default_na=False)
    for row in range(12):
        table.loc[row, ["sol_min", "awakenings", "quality", "stool_bristol"]] = \
            ["20", "1", "3", "4"]
    diary = tmp_path / "diary.csv"
    table.to_csv(diary, index=False)
    for name, text in PROFILES.items():
        (tmp_path / f"{name}.toml").write_text(text)
    return diary


def refused(diary, profile: str, capsys) -> list[str]:
    """The stderr lines of ``analyze`` refusing ``diary`` with ``profile``, which writes nothing."""
    out = diary.with_name("result.json")
    assert main(["analyze", str(diary), "--profile", str(diary.with_name(f"{profile}.toml")),
                 "--json", str(out), "--no-cache"]) == BLINDED == 3
    assert not out.exists()
    return capsys.readouterr().err.splitlines()


def test_a_contraindication_mid_trial_says_stop_the_pots_first(blinded, capsys):
    lines = refused(blinded, "myasthenia", capsys)
    assert lines[0].startswith(STOP)
    assert "error" not in lines[0]
    assert "a blinded diary. Analyse it when the trial ends" in lines[-1]
    assert any(line.startswith("Take no pot again before a clinician has advised")
               for line in lines)


def test_a_clean_profile_gets_the_unblind_hint_alone(blinded, capsys):
    lines = refused(blinded, "clean", capsys)
    assert len(lines) == 1 and lines[0].startswith(f"mgsleep analyze: {blinded}: column notes")
    assert f"mgsleep unblind {blinded} --key" in lines[0]


def test_a_pregnancy_keeps_the_pots_only_within_its_ceiling(blinded, capsys):
    first = refused(blinded, "pregnant", capsys)[0]
    assert first.startswith("mgsleep analyze: Keep taking the trial's pots only if the "
                            "trial's dose")
    assert "is at most your ceiling of 250 mg/day, else stop them now" in first
    assert "see your clinician before going on with the trial: pregnancy: " in first


def test_digoxin_keeps_the_pots_until_the_clinician_advises(blinded, capsys):
    first = refused(blinded, "digoxin", capsys)[0]
    assert first.startswith("mgsleep analyze: Keep taking the trial's pots as you do now and "
                            "see your clinician soon, before any change to them, stopping "
                            "included")
    assert "digoxin 125 mcg" in first


def test_a_broken_diary_still_exits_2(tmp_path, capsys):
    diary = tmp_path / "broken.csv"
    diary.write_text("date,form,elemental_mg,sol_min\n2024-01-01,glycinate,200,20\n"
                     "2024-09-31,glycinate,200,25\n")
    assert main(["analyze", str(diary), "--no-cache"]) == 2
    assert capsys.readouterr().err.startswith("mgsleep analyze: error: ")


def test_python_callers_get_the_stop_as_the_first_fault(blinded):
    with pytest.warns(DiaryWarning, match="planned nights"), \
            pytest.raises(BlindedDiary) as raised:
        analyze(blinded, profile=blinded.with_name("myasthenia.toml"))
    assert isinstance(raised.value, DiaryError)           # a caller of DiaryError still gets it
    assert str(raised.value.faults[0]).startswith("Stop taking the trial's pots now")
    assert "a blinded diary" in raised.value.faults[-1].message


def test_log_with_a_profile_says_stop_the_pots(blinded, recwarn):
    assert main(["log", str(blinded), "--date", "2024-01-13", "--sol", "15",
                 "--profile", str(blinded.with_name("myasthenia.toml"))]) == 0
    said = [str(w.message) for w in recwarn]
    assert said[0].startswith("Stop taking the trial's pots now and see a clinician: "
                              "myasthenia gravis")
    assert said[-1].startswith("Take no pot again before a clinician has advised")


def test_a_fault_of_no_file_is_its_message_alone():
    assert str(Fault("", "", "Stop now")) == "Stop now"
    assert str(Fault("", "row 3", "bad")) == "row 3: bad"
    assert str(Fault("d.csv", "", "bad")) == "d.csv: bad"
