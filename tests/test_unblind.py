"""``mgsleep unblind`` round-trips with ``mgsleep plan --blind``; a wrong key is refused."""

import pandas as pd
import pytest

from model.cli.main import main
from model.core.errors import InputError
from model.data.diary import read_diary, refuse_blinded
from model.population.hierarchical import read_diaries
from model.trial.blinding import BlindingCheck, wilson
from model.trial.plan import plan_trial


@pytest.fixture
def blinded(tmp_path, capsys):
    diary, key = tmp_path / "trial.csv", tmp_path / "trial.key.json"
    assert main(["plan", "--forms", "glycinate,taurate", "--blind", "--start", "2024-01-01",
                 "--seed", "3", "--out", str(diary)]) == 0
    capsys.readouterr()
    return diary, key


def test_unblind_round_trips_with_plan_blind(blinded, tmp_path, capsys):
    diary, key = blinded
    out = tmp_path / "unblinded.csv"
    assert main(["unblind", str(diary), "--key", str(key), "--out", str(out)]) == 0
    assert "coded night(s) unblinded" in capsys.readouterr().out
    plan = plan_trial(["glycinate", "taurate"], start=pd.Timestamp("2024-01-01").date(),
                      seed=3, blind=True)
    assert read_diary(out).regimen_label.tolist() == [r.label for r in plan.regimens()]
    assert set(read_diary(diary).nights["form"]) == {"none"}  # the blinded file is untouched


def test_a_blinded_diary_is_analysed_only_once_unblinded(blinded, tmp_path, capsys):
    """Coded nights read as nights without magnesium: analysed so, the advice would ignore
    what the person takes (it said "Start threonate" halfway through a blinded trial)."""
    diary, key = blinded
    result = tmp_path / "result.json"
    assert main(["analyze", str(diary), "--json", str(result)]) == 2
    err = capsys.readouterr().err
    assert f"{diary}: column notes, 84 nights from 2024-01-15 to " in err
    assert f"mgsleep unblind {diary} --key" in err and not result.exists()
    with pytest.raises(InputError, match="pot codes"):   # nor a population of diaries
        read_diaries(diary.parent)
    out = tmp_path / "unblinded.csv"
    assert main(["unblind", str(diary), "--key", str(key), "--out", str(out)]) == 0
    refuse_blinded(read_diary(out))        # every night's regimen filled: nothing refused


def test_a_key_of_another_plan_is_refused_and_nothing_written(blinded, tmp_path, capsys):
    diary, _ = blinded
    other = tmp_path / "other.key.json"
    assert main(["plan", "--forms", "glycinate,taurate", "--blind", "--start", "2025-06-01",
                 "--seed", "3", "--out", str(tmp_path / "other.csv"), "--key", str(other)]) == 0
    capsys.readouterr()
    out = tmp_path / "unblinded.csv"
    assert main(["unblind", str(diary), "--key", str(other), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "trial.csv: row" in err and "expected a night of the key (is it the key of " \
        "another plan?)" in err
    assert not out.exists()


def test_a_key_that_is_not_a_key_is_refused(blinded, tmp_path, capsys):
    diary, _ = blinded
    out = tmp_path / "unblinded.csv"
    broken = tmp_path / "k.json"
    broken.write_text("{not json")
    assert main(["unblind", str(diary), "--key", str(broken), "--out", str(out)]) == 2
    assert "k.json: line 1, column 2: expected the JSON key" in capsys.readouterr().err
    broken.write_text('{"codes": {}}')
    assert main(["unblind", str(diary), "--key", str(broken), "--out", str(out)]) == 2
    assert "k.json: key nights: expected an object" in capsys.readouterr().err
    assert main(["unblind", str(diary), "--key", str(tmp_path / "none.json"), "--out",
                 str(out)]) == 2
    assert not out.exists()


def test_guesses_say_how_well_blinding_held(blinded, tmp_path, capsys):
    diary, key = blinded
    table = pd.read_csv(diary, dtype=str, keep_default_na=False)
    out = tmp_path / "unblinded.csv"
    assert main(["unblind", str(diary), "--key", str(key), "--out", str(out)]) == 0
    capsys.readouterr()
    arms = pd.read_csv(out, dtype=str, keep_default_na=False)["form"].replace("", "none")
    coded = [i for i, a in enumerate(arms) if a != "none"]
    table["guess"] = ""
    table.loc[coded, "guess"] = arms[coded]  # every guess right: blinding failed
    table.to_csv(diary, index=False)
    assert main(["unblind", str(diary), "--key", str(key), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert f"blinding: {len(coded)} of {len(coded)} guesses right" in printed
    assert "chance 33%" in printed and "warning: clearly above chance" in printed
    table.loc[coded[0], "guess"] = "magic"
    table.to_csv(diary, index=False)
    assert main(["unblind", str(diary), "--key", str(key), "--out", str(out)]) == 2
    assert f"row {coded[0] + 1}, column guess: expected one of the arms" in \
        capsys.readouterr().err


def test_wilson_interval_and_chance_level():
    check = BlindingCheck(20, 7, 1 / 3, *wilson(7, 20))
    assert check.low == pytest.approx(0.1812, abs=1e-3)
    assert check.high == pytest.approx(0.5671, abs=1e-3)
    assert not check.clearly_above_chance and "warning" not in check.describe()
