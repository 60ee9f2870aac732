"""A blinded trial run with a helper (2026-12-05 audit): each test failed before its fix.

1. Loose stools on a pot were not watched while the diary was blinded (analyse refused it and
   said nothing else), and the advice claimed ``plan --blind --profile`` checked the GI limit.
2. ``Code B`` (typed by hand) was not a pot code: the diary was analysed as 64 nights without
   magnesium ("Start glycinate"), and unblind found "no coded night".
3. Unblind gave the key's pot to nights whose notes had lost their code ("forgot the pot").
4. A blinded titration's diary said "code B" on every step: taken as the full dose.
5. A blinded plan of placebo alone (one pot) was made.
6. ``mgsleep log --notes ... --replace`` wiped a night's pot code; a lost key was only "No such
   file or directory".
"""

from __future__ import annotations

import pandas as pd
import pytest

from model.analysis.blinded import pots_to_stop
from model.cli.main import main
from model.core.errors import DiaryError
from model.data.diary import read_diary, refuse_blinded

PLAN = ["plan", "--forms", "glycinate,taurate", "--blind", "--start", "2024-01-01",
        "--baseline-days", "7", "--period-days", "7", "--washout-days", "3", "--cycles", "1"]


@pytest.fixture
def trial(tmp_path):
    """The diary and key of :data:`PLAN` (written by ``mgsleep plan``)."""
    diary = tmp_path / "trial.csv"
    assert main([*PLAN, "--out", str(diary)]) == 0
    return diary, diary.with_name("trial.key.json")


def logged(diary, nights: int, stool: dict[int, int] | None = None) -> pd.DataFrame:
    """The diary with its first ``nights`` logged (stool 4 unless ``stool`` says)."""
    table = pd.read_csv(diary, dtype=str, keep_default_na=False)
    for row in range(nights):
        table.loc[row, ["sol_min", "awakenings", "quality"]] = ["20", "1", "3"]
        table.loc[row, "stool_bristol"] = str((stool or {}).get(row, 4))
    return table


def test_loose_stools_on_a_pot_say_stop_it_while_the_diary_is_blinded(trial, tmp_path):
    diary, _ = trial
    table = logged(diary, 12, {9: 7, 10: 6, 11: 7})           # nights 8-12: the first pot
    pot = table.loc[9, "notes"].split()[1]
    table.head(12).to_csv(tmp_path / "gi.csv", index=False)     # analysed up to night 12
    read = read_diary(tmp_path / "gi.csv").with_loose_bristol(6)
    [stop] = pots_to_stop(read)
    assert stop.where == f"pot {pot}, nights 2024-01-10 to 2024-01-12"
    assert stop.message.startswith(f"3 GI nights (loose stools or an upset stomach) in the "
                                   f"last 7 on pot {pot}: if they go on, stop pot {pot}")
    with pytest.raises(DiaryError, match=f"stop pot {pot}"):
        refuse_blinded(read, also=pots_to_stop(read))
    logged(diary, 12, {11: 7}).head(12).to_csv(tmp_path / "one.csv", index=False)
    assert pots_to_stop(read_diary(tmp_path / "one.csv").with_loose_bristol(6)) == []


def test_a_pot_code_in_capitals_is_still_a_pot_code(trial, tmp_path, capsys):
    diary, key = trial
    table = logged(diary, 12)
    table["notes"] = table["notes"].str.replace("code ", "Code ").str.replace(
        r"Code ([A-Z])", lambda m: f"Code {m.group(1).lower()}", regex=True)
    table.to_csv(tmp_path / "caps.csv", index=False)
    assert main(["analyze", str(tmp_path / "caps.csv")]) == 3    # a blinded trial in progress
    assert "a blinded diary" in capsys.readouterr().err
    out = tmp_path / "open.csv"
    assert main(["unblind", str(tmp_path / "caps.csv"), "--key", str(key), "--out",
                 str(out)]) == 0
    assert set(read_diary(out).nights["form"]) == {"none", "glycinate", "taurate", "placebo"}
    # an open diary's notes that merely begin with the word are no pot (a review)
    table = logged(diary, 12).head(12)
    table["notes"] = ["Code red at work", "code until 2am", "code b", *table["notes"][3:]]
    table.loc[3:, "notes"] = "slept badly"
    table.to_csv(tmp_path / "open_notes.csv", index=False)
    refuse_blinded(read_diary(tmp_path / "open_notes.csv"))


def test_a_pot_night_whose_code_is_lost_is_named_when_unblinded(trial, tmp_path, capsys):
    diary, key = trial
    table = logged(diary, 12)
    table.loc[9, "notes"] = "forgot the pot"
    table.to_csv(tmp_path / "forgot.csv", index=False)
    assert main(["unblind", str(tmp_path / "forgot.csv"), "--key", str(key), "--out",
                 str(tmp_path / "open.csv")]) == 0
    err = capsys.readouterr().err
    assert ("row 10 (2024-01-10): the key has a pot this night, but its notes carry no pot "
            "code ('forgot the pot' in notes)") in err


def test_a_blinded_titration_says_how_much_of_the_pot_each_night(tmp_path, capsys):
    diary = tmp_path / "tit.csv"
    assert main([*PLAN, "--dose", "300", "--titration", "--out", str(diary)]) == 0
    notes = pd.read_csv(diary, dtype=str, keep_default_na=False)["notes"]
    steps = notes[notes.str.startswith("code")].str.extract(r"code [A-Z](, [^(]*)? \(")[0]
    assert set(steps) == {", 33% of the full dose", ", 67% of the full dose", ", full dose"}
    assert main(["plan", "--forms", "placebo", "--blind", "--out", str(tmp_path / "p.csv")]) == 2
    assert "expected a form to compare with placebo" in capsys.readouterr().err
    assert not (tmp_path / "p.csv").exists()


def test_a_note_written_over_a_pot_night_keeps_its_code(trial, tmp_path, capsys):
    diary, _ = trial
    night = pd.read_csv(diary, dtype=str, keep_default_na=False).loc[9]
    assert main(["log", str(diary), "--date", night["date"], "--notes", "took it late",
                 "--replace"]) == 0
    after = pd.read_csv(diary, dtype=str, keep_default_na=False).loc[9, "notes"]
    assert after == f"{night['notes']} took it late"
    assert main(["log", str(diary), "--date", night["date"], "--notes", "code review ran late",
                 "--replace"]) == 0
    again = pd.read_csv(diary, dtype=str, keep_default_na=False).loc[9, "notes"]
    assert again == f"{night['notes']} code review ran late"
    assert main(["unblind", str(diary), "--key", str(tmp_path / "lost.json"), "--out",
                 str(tmp_path / "open.csv")]) == 2
    assert "whoever fills your pots keeps it" in capsys.readouterr().err
