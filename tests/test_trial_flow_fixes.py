"""A blinded trial from plan to unblinding: the fixes of the trial-flow audit.

What the person logged survives unblinding; a ``;`` diary, a byte-order mark and a spaced
header unblind; ``plan`` refuses a plan longer than a diary may be (titration steps counted,
a listed placebo counted once); the key's secret is not the seed's; ``--out -`` gives the CSV
alone on standard output.
"""

import dataclasses
import datetime as dt
import io
import json

import numpy as np
import pandas as pd
import pytest

from model.cli.main import main
from model.data.diary import read_diary, refuse_blinded
from model.trial.blinding import BlindingWarning, unblind
from model.trial.plan import plan_trial

START = "2024-06-01"
PLAN = ["plan", "--forms", "glycinate,taurate", "--blind", "--seed", "11", "--start", START,
        "--baseline-days", "7", "--period-days", "10", "--washout-days", "4"]


@pytest.fixture
def blinded(tmp_path, capsys):
    """A blinded plan's diary and key (seed 11), the plan's output read."""
    diary = tmp_path / "bt.csv"
    assert main([*PLAN, "--out", str(diary)]) == 0
    capsys.readouterr()
    return diary, tmp_path / "bt.key.json"


def rows(path):
    return pd.read_csv(path, dtype=str, keep_default_na=False, sep=None, engine="python")


def test_unblind_keeps_the_regimen_the_person_logged(blinded, tmp_path, capsys):
    """The key's arm replaced a dose logged on a washout night and a pot forgotten (logged as
    none) on a coded night, without a word."""
    diary, key = blinded
    table = rows(diary)
    washout = table["date"][table["notes"].eq("washout")].iloc[0]
    coded = table["date"][table["notes"].str.startswith("code")]
    forgotten, kept = coded.iloc[2], coded.iloc[3]
    assert main(["log", str(diary), "--date", washout, "--form", "citrate", "--mg", "100"]) == 0
    assert main(["log", str(diary), "--date", forgotten, "--form", "none"]) == 0
    capsys.readouterr()
    out = tmp_path / "unb.csv"
    assert main(["unblind", str(diary), "--key", str(key), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    filled = rows(out).set_index("date")
    assert filled.loc[washout, ["form", "elemental_mg"]].tolist() == ["citrate", "100"]
    assert filled.loc[forgotten, "form"] == "none"
    sealed = json.loads(key.read_text())
    assert filled.loc[kept, "form"] == sealed["nights"][kept].split("@")[0]  # blank: the key's
    row = table.index[table["date"] == washout][0] + 1
    assert (f"{diary}: row {row} ({washout}): the diary records form citrate, elemental_mg "
            "100 where the key has no magnesium: kept as recorded") in err
    assert f"({forgotten}): the diary records form none where the key has" in err
    assert f"({kept})" not in err
    # the forgotten pot's night keeps its code after "no pot taken", so that the unblinded
    # diary is not refused as one still blinded (a code on a night without magnesium)
    assert filled.loc[forgotten, "notes"].startswith("no pot taken (code ")
    refuse_blinded(read_diary(out))


def test_unblind_reads_a_semicolon_diary_and_writes_it_back_so(blinded, tmp_path, capsys):
    """A ';' diary crashed (KeyError 'notes', "a bug"): it was read again by a bare CSV reader."""
    diary, key = blinded
    table = rows(diary)
    table.loc[8, "sol_min"] = "12,5"                       # a decimal comma, as Excel writes
    semi = tmp_path / "semi.csv"
    table.to_csv(semi, sep=";", index=False)
    out = tmp_path / "x5.csv"
    assert main(["unblind", str(semi), "--key", str(key), "--out", str(out)]) == 0
    capsys.readouterr()
    text = out.read_text()
    assert text.splitlines()[0].startswith("date;form;elemental_mg;split;")
    assert text.splitlines()[9].split(";")[4] == "12,5"
    assert read_diary(out).nights["sol_min"].iloc[8] == 12.5
    assert read_diary(out).regimen_label.tolist() == [r.label for r in _plan().regimens()]


def test_unblind_reads_a_byte_order_mark_and_a_spaced_header(blinded, tmp_path, capsys):
    diary, key = blinded
    lines = diary.read_text().splitlines()
    lines[0] = lines[0].replace(",notes", ", notes")
    spaced = tmp_path / "spaced.csv"
    spaced.write_text("\ufeff" + "\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "x6.csv"
    assert main(["unblind", str(spaced), "--key", str(key), "--out", str(out)]) == 0
    assert "coded night(s) unblinded" in capsys.readouterr().out
    assert read_diary(out).regimen_label.tolist() == [r.label for r in _plan().regimens()]
    with pytest.warns(BlindingWarning, match="unblinded before the plan's end"):
        filled = unblind(spaced, key)                     # the Python API reads it alike
    assert list(filled.columns)[-1] == "notes"


def _plan():
    return plan_trial(["glycinate", "taurate"], start=dt.date.fromisoformat(START), seed=11,
                      blind=True, baseline_days=7, period_days=10, washout_days=4)


def test_plan_length_counts_titration_steps_and_a_listed_placebo_once(tmp_path, capsys):
    """7,231 nights were written (titration steps not counted), which log then refused; a
    placebo listed in --forms was counted twice with --blind."""
    big = tmp_path / "big.csv"
    assert main(["plan", "--forms", "glycinate,taurate", "--dose", "350", "--titration",
                 "--cycles", "86", "--start", "2026-10-01", "--washout-days", "7",
                 "--out", str(big)]) == 2
    assert ("--cycles: the plan would last 7231 nights; expected at most 3650"
            in capsys.readouterr().err)
    assert list(tmp_path.iterdir()) == []
    diary = tmp_path / "long.csv"
    assert main(["plan", "--forms", "glycinate,placebo", "--blind", "--cycles", "86",
                 "--start", "2016-10-01", "--seed", "1", "--washout-days", "7",
                 "--out", str(diary)]) == 0
    assert "Trial plan: 3619 nights" in capsys.readouterr().out
    assert read_diary(diary).n_nights == 3619


def test_the_key_secret_is_not_drawn_from_the_seed():
    """With --seed the salt came from the seed: trying seeds 0, 1, ... against the diary's
    plan tag found the arms in 0.2 s."""
    one, two = _plan(), _plan()
    assert one.codes == two.codes and one.regimens() == two.regimens()   # still reproducible
    assert one.salt != two.salt and one.key()["plan"] != two.key()["plan"]
    assert len(one.salt) == 32 and int(one.salt, 16) >= 0
    # a key written before, its salt drawn from the seed, still opens its own diary
    old = dataclasses.replace(one, salt=np.random.default_rng([11, 0x5A17]).bytes(16).hex())
    table = pd.read_csv(io.StringIO(old.to_diary_csv()), dtype=str, keep_default_na=False)
    with pytest.warns(BlindingWarning, match="before the plan's end"):    # nothing logged
        labels = read_diary(unblind(table, old.key())).regimen_label.tolist()
    assert labels == [r.label for r in old.regimens()]


def test_plan_out_dash_writes_the_csv_alone_to_stdout(tmp_path, capsys):
    assert main([*PLAN, "--key", str(tmp_path / "k.json"), "--out", "-"]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("date,form,elemental_mg,")
    table = pd.read_csv(io.StringIO(captured.out), dtype=str, keep_default_na=False)
    assert read_diary(table).n_nights == _plan().n_nights
    assert "Trial plan: " in captured.err and "Next: give " in captured.err
    assert "the pot DIARY.csv names" in captured.err


def test_unblind_out_dash_says_how_well_blinding_held_on_stderr(blinded, capsys):
    diary, key = blinded
    table = rows(diary)
    last = table.index[table["notes"].str.startswith("code")][-1]
    table["guess"] = ""
    table.loc[last, "guess"] = "placebo"
    table.to_csv(diary, index=False)
    assert main(["unblind", str(diary), "--key", str(key), "--out", "-"]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("date,form,") and "blinding:" not in captured.out
    assert "blinding: " in captured.err and "guesses right" in captured.err


def test_unblind_help_says_a_wrong_pot_is_unblinded_as_taken(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["unblind", "--help"])
    said = " ".join(capsys.readouterr().out.split())
    assert caught.value.code == 0 and "a code it gives another arm" not in said
    assert "unblinded as the pot taken" in said and "keeps what you logged" in said


def test_a_blinded_plan_from_a_seed_warns_that_the_seed_reveals_the_arms(tmp_path, capsys):
    """The same seed makes the same schedule and codes: a participant trying small seeds
    matched the diary's codes and found the arms in 0.2 s."""
    assert main([*PLAN, "--out", str(tmp_path / "d.csv")]) == 0
    assert ("warning: --seed with --blind: the same seed makes the same schedule and pot codes"
            in capsys.readouterr().err)
    assert main(["plan", "--forms", "glycinate,taurate", "--blind", "--start", START,
                 "--out", str(tmp_path / "e.csv")]) == 0
    assert "--seed with --blind" not in capsys.readouterr().err


def test_unblind_keeps_a_split_the_person_logged(blinded, tmp_path, capsys):
    """A review: `log --split 1` on a pot night was overwritten by the key's split 0."""
    diary, key = blinded
    table = rows(diary)
    night = table["date"][table["notes"].str.startswith("code")].iloc[0]
    assert main(["log", str(diary), "--date", night, "--split", "1", "--sol", "10",
                 "--replace"]) == 0
    out = tmp_path / "unb.csv"
    assert main(["unblind", str(diary), "--key", str(key), "--out", str(out)]) == 0
    capsys.readouterr()
    filled = rows(out).set_index("date")
    sealed = json.loads(key.read_text())
    form = sealed["nights"][night].split("@")[0]
    assert filled.loc[night, "form"] == form
    assert filled.loc[night, "split"] == ("1" if form != "placebo" else "0")
