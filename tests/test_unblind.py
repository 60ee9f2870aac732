"""``mgsleep unblind`` round-trips with ``mgsleep plan --blind``; a wrong key is refused."""

import json
import os

import pandas as pd
import pytest

from model.cli.main import main
from model.core.errors import InputError
from model.data.diary import read_diary, refuse_blinded
from model.data.guesses import BlindingCheck, wilson
from model.population.hierarchical import read_diaries
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
    assert main(["analyze", str(diary), "--json", str(result)]) == 3
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
    assert "trial.csv: row 15, column notes: expected pot codes of plan " in err
    assert "the key belongs to another plan" in err
    assert not out.exists()


def snapshot(folder):
    """Every file of a folder (links as their target) and its bytes."""
    return {p.name: (os.readlink(p) if p.is_symlink() else p.read_bytes())
            for p in sorted(folder.iterdir())}


@pytest.mark.parametrize(("target", "link"), [("diary", False), ("key", False),
                                               ("diary", True), ("key", True)])
def test_an_output_over_an_input_is_refused_and_nothing_written(blinded, tmp_path, capsys,
                                                                target, link):
    """``--out`` was written over the blinded diary or the key itself (exit 0, data lost)."""
    diary, key = blinded
    out = {"diary": diary, "key": key}[target]
    if link:
        (tmp_path / "link.csv").symlink_to(out)
        out = tmp_path / "link.csv"
    before = snapshot(tmp_path)
    assert main(["unblind", str(diary), "--key", str(key), "--out", str(out)]) == 2
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1 and captured.out == ""
    assert f"mgsleep unblind: error: --out: {out} is the input " in captured.err
    assert "it would be overwritten" in captured.err
    assert snapshot(tmp_path) == before          # the diary, the key and the link unchanged


def plan_files(tmp_path, seed):
    """A blinded plan of the same forms, dose and start as another seed's: its diary, key."""
    diary = tmp_path / f"blind{seed}.csv"
    assert main(["plan", "--forms", "glycinate,citrate", "--dose", "200", "--blind", "--seed",
                 str(seed), "--start", "2026-01-01", "--washout-days", "7",
                 "--out", str(diary)]) == 0
    return diary, tmp_path / f"blind{seed}.key.json"


def test_the_key_of_another_seed_is_refused_the_right_key_unblinds(tmp_path, capsys):
    """Same forms, dose and start, another seed: the same pot codes on the same nights, other
    arms behind them. The key was accepted and some nights got the wrong arm."""
    diary, key = plan_files(tmp_path, 3)
    _, other = plan_files(tmp_path, 4)
    capsys.readouterr()
    out = tmp_path / "unblinded.csv"
    assert main(["unblind", str(diary), "--key", str(other), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    ids = [json.loads(k.read_text())["plan"] for k in (key, other)]
    assert ids[0] != ids[1]
    assert (f"{diary}: row 15, column notes: expected pot codes of plan {ids[1]} (the plan "
            f"of {other}), got plan {ids[0]} on 84 coded night(s) (rows 15-28, ") in err
    assert "the key belongs to another plan" in err and err.count("\n") == 1
    assert not out.exists()
    assert main(["unblind", str(diary), "--key", str(key), "--out", str(out)]) == 0
    plan = plan_trial(["glycinate", "citrate"], start=pd.Timestamp("2026-01-01").date(),
                      seed=3, blind=True, dose_mg=200, washout_days=7)
    assert read_diary(out).regimen_label.tolist() == [r.label for r in plan.regimens()]
    err = capsys.readouterr().err           # no night logged: unblinded before the plan's end
    assert err.startswith("mgsleep unblind: warning:") and err.count("\n") == 1
    assert "unblinded before the plan's end: 133 of its nights come after the last one " \
        "logged (none)" in err


def test_free_text_after_the_tag_is_kept_a_lost_tag_is_named(blinded, tmp_path, capsys):
    diary, key = blinded
    out = tmp_path / "unblinded.csv"
    table = pd.read_csv(diary, dtype=str, keep_default_na=False)
    coded = table.index[table["notes"].str.startswith("code")]
    table.loc[coded[0], "notes"] += " slept badly"      # free text after the code and tag
    table.to_csv(diary, index=False)
    assert main(["unblind", str(diary), "--key", str(key), "--out", str(out)]) == 0
    assert pd.read_csv(out)["notes"][coded[0]].endswith(") slept badly")
    out.unlink()
    table.loc[coded[[1, 2, 5]], "notes"] = table.loc[coded[0], "notes"].split(" (")[0]
    table.to_csv(diary, index=False)
    capsys.readouterr()
    assert main(["unblind", str(diary), "--key", str(key), "--out", str(out)]) == 2
    assert (f"row {coded[1] + 1}, column notes: expected the plan tag after the pot code "
            f"(code A (plan {json.loads(key.read_text())['plan']})), got none on 3 coded "
            f"night(s) (rows {coded[1] + 1}-{coded[2] + 1}, {coded[5] + 1})") \
        in capsys.readouterr().err
    assert not out.exists()


def test_a_night_on_another_pot_is_unblinded_as_taken_an_unknown_code_is_refused(
        blinded, tmp_path, capsys):
    # the trial-runner audit: writing the pot actually taken ("took pot A by mistake") made
    # the whole diary fail to unblind, and only relabelling the night as planned went on
    diary, key = blinded
    sealed = json.loads(key.read_text())
    out = tmp_path / "unblinded.csv"
    table = pd.read_csv(diary, dtype=str, keep_default_na=False)
    coded = table.index[table["notes"].str.startswith("code")]
    night = coded[3]
    planned = table.loc[night, "notes"][5]
    other = next(c for c in sealed["codes"] if c != planned)
    table.loc[night, "notes"] = table.loc[night, "notes"].replace(f"code {planned}",
                                                                  f"code {other}")
    table.to_csv(diary, index=False)
    assert main(["unblind", str(diary), "--key", str(key), "--out", str(out)]) == 0
    said = capsys.readouterr().err
    assert f"row {night + 1} ({table.loc[night, 'date']}): pot {other} recorded where the " \
        "plan had another pot: unblinded as what pot" in said
    arm = sealed["codes"][other]
    assert pd.read_csv(out, dtype=str, keep_default_na=False).loc[night, "form"] == (
        "" if arm == "none" else arm)
    table.loc[night, "notes"] = table.loc[night, "notes"].replace(f"code {other}", "code Q")
    table.to_csv(diary, index=False)
    out.unlink()
    assert main(["unblind", str(diary), "--key", str(key), "--out", str(out)]) == 2
    assert f"row {night + 1}, column notes: expected a pot code of the key (A, B, C), got " \
        "'Q'" in capsys.readouterr().err
    assert not out.exists()


def test_an_edited_key_and_a_diary_without_codes_are_refused(blinded, tmp_path, capsys):
    diary, key = blinded
    out = tmp_path / "unblinded.csv"
    original = key.read_text()
    sealed = json.loads(original)
    first = next(d for d, label in sealed["nights"].items() if label != "none")
    sealed["nights"][first] = "none"           # a night's arm changed by hand: not the plan's
    key.write_text(json.dumps(sealed))
    assert main(["unblind", str(diary), "--key", str(key), "--out", str(out)]) == 2
    assert (f"{key}: key plan: expected ") in capsys.readouterr().err
    key.write_text(original)
    table = pd.read_csv(diary, dtype=str, keep_default_na=False)
    table["notes"] = ""
    table.to_csv(diary, index=False)
    assert main(["unblind", str(diary), "--key", str(key), "--out", str(out)]) == 2
    assert f"{diary}: column notes: expected the pot codes of a blinded diary" in \
        capsys.readouterr().err
    assert not out.exists()


def test_an_old_key_without_a_plan_id_is_checked_by_its_content(tmp_path, capsys):
    """Keys written before plan ids (schema 1) still open their diary; the id is derived."""
    diary, key = plan_files(tmp_path, 3)
    _, other = plan_files(tmp_path, 4)
    for path in (key, other):
        sealed = json.loads(path.read_text())
        del sealed["plan"]
        path.write_text(json.dumps({**sealed, "schema_version": 1}))
    capsys.readouterr()
    out = tmp_path / "unblinded.csv"
    assert main(["unblind", str(diary), "--key", str(other), "--out", str(out)]) == 2
    assert "the key belongs to another plan" in capsys.readouterr().err
    assert main(["unblind", str(diary), "--key", str(key), "--out", str(out)]) == 0


def test_the_plan_tag_does_not_betray_the_arms(tmp_path):
    """The tag was a hash of the codes and nights only: from the diary's dates and codes and
    the forms compared, trying the 3! ways to give the arms to the codes found the key's."""
    import itertools

    from model.trial.blinding import plan_id

    diary, key = plan_files(tmp_path, 11)
    sealed = json.loads(key.read_text())
    assert sealed["schema_version"] == 3 and len(sealed["salt"]) == 32
    table = pd.read_csv(diary, dtype=str, keep_default_na=False)
    tag = table["notes"].str.extract(r"\(plan ([0-9a-f]+)\)")[0].dropna().unique()
    assert list(tag) == [sealed["plan"]]
    found = []
    for arms in itertools.permutations(["glycinate", "citrate", "placebo"]):
        codes = dict(zip("ABC", arms, strict=True))
        nights = {day: (codes[code] + "@200" if codes[code] != "placebo" else "placebo")
                  if code else label
                  for day, code, label in zip(sealed["nights"], _codes(table),
                                              sealed["nights"].values(), strict=True)}
        found += [arms] if plan_id(codes, nights) == sealed["plan"] else []
    assert found == []               # the old, unsalted id of the right assignment matched
    again = plan_trial(["glycinate", "citrate"], start=pd.Timestamp("2026-01-01").date(),
                       seed=11, blind=True, dose_mg=200)
    assert again.codes == plan_trial(["glycinate", "citrate"], seed=11, blind=True, dose_mg=200,
                                     start=pd.Timestamp("2026-01-01").date()).codes
    assert again.key()["plan"] != sealed["plan"]   # the same seed, another secret: another id


def _codes(table: pd.DataFrame) -> list[str]:
    """Each night's pot code ('' for a night without one)."""
    return table["notes"].str.extract(r"^code ([A-Z])")[0].fillna("").tolist()


def test_a_diary_from_before_plan_tags_unblinds_with_a_warning(tmp_path, capsys):
    """Its pot codes carry no tag: nothing ties the key to it but dates and codes."""
    diary, key = plan_files(tmp_path, 3)
    table = pd.read_csv(diary, dtype=str, keep_default_na=False)
    table["notes"] = table["notes"].str.replace(r" \(plan \w+\)", "", regex=True)
    table.to_csv(diary, index=False)
    capsys.readouterr()
    out = tmp_path / "unblinded.csv"
    assert main(["unblind", str(diary), "--key", str(key), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert f"{diary}: its pot codes carry no plan tag" in err
    assert f"{key} is checked by dates and codes only" in err
    plan = plan_trial(["glycinate", "citrate"], start=pd.Timestamp("2026-01-01").date(),
                      seed=3, blind=True, dose_mg=200, washout_days=7)
    assert read_diary(out).regimen_label.tolist() == [r.label for r in plan.regimens()]


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
    assert main(["unblind", str(diary), "--key", str(key), "--out", str(out), "--force"]) == 0
    printed = capsys.readouterr().out
    assert f"blinding: {len(coded)} of {len(coded)} guesses right" in printed
    assert "chance 33%" in printed and "warning: clearly above chance" in printed
    washout = next(i for i, a in enumerate(arms) if a == "none" and i > coded[0])
    table.loc[washout, "guess"] = arms[coded[0]]  # the night after the period: not counted
    table.to_csv(diary, index=False)
    assert main(["unblind", str(diary), "--key", str(key), "--out", str(out), "--force"]) == 0
    captured = capsys.readouterr()
    assert f"blinding: {len(coded)} of {len(coded)} guesses right" in captured.out
    assert (f"warning: {diary}: 1 guess(es) on nights of no arm (baseline or washout; "
            f"row(s) {washout + 1}) are not counted") in captured.err
    table.loc[washout, "guess"] = ""
    table.loc[coded[0], "guess"] = "magic"
    table.to_csv(diary, index=False)
    assert main(["unblind", str(diary), "--key", str(key), "--out", str(out), "--force"]) == 2
    assert f"row {coded[0] + 1}, column guess: expected one of the arms" in \
        capsys.readouterr().err


def test_wilson_interval_and_chance_level():
    check = BlindingCheck(20, 7, 1 / 3, *wilson(7, 20))
    assert check.low == pytest.approx(0.1812, abs=1e-3)
    assert check.high == pytest.approx(0.5671, abs=1e-3)
    assert not check.clearly_above_chance and "warning" not in check.describe()


def test_an_unblinded_diary_still_says_when_blinding_failed(blinded, tmp_path, capsys):
    """``analyze`` reads the unblinded diary, not the key: guesses that named the arm far above
    chance were said once by ``unblind`` and then lost, while the effects they may explain
    were reported as magnesium's."""
    diary, key = blinded
    out = tmp_path / "unblinded.csv"
    assert main(["unblind", str(diary), "--key", str(key), "--out", str(out)]) == 0
    capsys.readouterr()
    table = pd.read_csv(out, dtype=str, keep_default_na=False)
    coded = [i for i, a in enumerate(table["form"]) if a not in ("", "none")]
    table["guess"] = ""
    table.loc[coded, "guess"] = table.loc[coded, "form"]            # every guess right
    table.to_csv(out, index=False)
    said = [w for w in read_diary(out).warnings if "guesses right" in w]
    assert said == [f"{out}: blinding: {len(coded)} of {len(coded)} guesses right (100%, 95% "
                    f"interval {said[0].split('interval ')[1].split(';')[0]}; chance 33%); "
                    "warning: clearly above chance, so the person could tell the arms apart "
                    "and expectation may explain part of any effect"]
    arms = sorted(set(table.loc[coded, "form"]))
    table.loc[coded, "guess"] = [arms[i % 3] for i in range(len(coded))]   # guessing blind
    table.loc[coded[0], "guess"] = "magic"
    table.to_csv(out, index=False)
    warned = read_diary(out).warnings
    assert not any("guesses right" in w for w in warned)
    assert f"{out}: row {coded[0] + 1}, column guess: 'magic' names no arm of the trial " \
           "(glycinate, placebo, taurate); not counted" in warned
