"""``mgsleep plan``: files written, printed schedule, exit codes (2 and nothing written)."""

import json

import pytest

from model.cli.main import main
from model.data.diary import read_diary

BASE = ["plan", "--forms", "glycinate,taurate", "--start", "2026-03-02", "--seed", "4",
        "--washout-days", "7"]


def test_help_exits_zero(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["plan", "--help"])
    assert caught.value.code == 0 and "--simulate" in capsys.readouterr().out


def test_writes_diary_and_calendar(tmp_path, capsys):
    diary, ics = tmp_path / "diary.csv", tmp_path / "plan.ics"
    assert main([*BASE, "--out", str(diary), "--ics", str(ics)]) == 0
    printed = capsys.readouterr().out
    assert "91 nights, 2026-03-02 to 2026-05-31" in printed and "glycinate 200 mg" in printed
    nights = read_diary(diary).nights
    assert len(nights) == 91 and set(nights["form"]) == {"none", "glycinate", "taurate"}
    assert ics.read_bytes().startswith(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["diary.csv", "plan.ics"]


def test_same_seed_same_files(tmp_path):
    for name in ("a.csv", "b.csv"):
        assert main([*BASE, "--out", str(tmp_path / name)]) == 0
    assert (tmp_path / "a.csv").read_text() == (tmp_path / "b.csv").read_text()


def test_blind_writes_the_sealed_key_and_prints_codes_only(tmp_path, capsys):
    diary = tmp_path / "diary.csv"
    assert main([*BASE, "--blind", "--out", str(diary)]) == 0
    printed = capsys.readouterr().out
    assert "pot A" in printed and "glycinate" not in printed and "placebo" not in printed
    key = json.loads((tmp_path / "diary.key.json").read_text())
    assert sorted(key["codes"].values()) == ["glycinate", "placebo", "taurate"]
    # what to do next, with no arm named (the trial runner did not know who fills the pots)
    assert f"Next: give {tmp_path / 'diary.key.json'} to someone else, who fills pots A, B, C" \
        in printed
    assert f"mgsleep unblind {diary} --key {tmp_path / 'diary.key.json'}" in printed
    # a contract audit: the plan's JSON gave the seed, which remakes the key
    plan_json = tmp_path / "plan.json"
    assert main([*BASE, "--blind", "--seed", "2", "--out", str(tmp_path / "again.csv"),
                 "--json", str(plan_json)]) == 0
    assert json.loads(plan_json.read_text())["seed"] is None


def test_a_plan_is_never_written_over_a_diary_or_a_sealed_key(tmp_path, capsys):
    """Re-running the plan over its diary replaced the logged nights and the key (no .bak),
    so the old diary could never be unblinded."""
    diary = tmp_path / "diary.csv"
    assert main([*BASE, "--blind", "--out", str(diary)]) == 0
    logged = diary.read_text().replace(",,,", ",25,1,", 1)
    diary.write_text(logged)
    key = (tmp_path / "diary.key.json").read_text()
    capsys.readouterr()
    assert main([*BASE, "--blind", "--out", str(diary)]) == 2
    error = capsys.readouterr().err
    assert f"--out: {diary} exists: a plan writes a new diary" in error
    assert f"--key: {tmp_path / 'diary.key.json'} exists" in error
    assert diary.read_text() == logged and (tmp_path / "diary.key.json").read_text() == key
    assert main([*BASE, "--blind", "--out", str(tmp_path / "new.csv"), "--key",
                 str(tmp_path / "diary.key.json")]) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["diary.csv", "diary.key.json"]


@pytest.mark.parametrize(("extra", "option", "hint"), [
    (["--forms", "glycinat"], "--forms", "did you mean 'glycinate'"),
    (["--dose", "500"], "--dose", "ceiling of 350"),
    (["--dose", "350.0001"], "--dose", "ceiling of 350 mg/day, got 350.0001"),
    (["--washout-days", "-2"], "--washout-days", ">= 0"),
    (["--period-days", "0"], "--period-days", ">= 1"),
    (["--start", "2026-13-01"], "--start", "YYYY-MM-DD"),
    (["--blind", "--out", "-"], "--blind", "--key"),
])
def test_invalid_input_exit_2_and_nothing_written(tmp_path, capsys, extra, option, hint):
    outputs = ["--ics", str(tmp_path / "p.ics"), "--json", str(tmp_path / "p.json")]
    if "--out" not in extra:
        outputs += ["--out", str(tmp_path / "d.csv")]
    assert main([*BASE, *outputs, *extra]) == 2
    err = capsys.readouterr().err
    assert f"{option}: " in err and hint in err
    assert list(tmp_path.iterdir()) == []


def test_simulate_with_json(tmp_path, capsys):
    out = tmp_path / "plan.json"
    assert main([*BASE, "--period-days", "7", "--cycles", "1", "--simulate", "--sims", "3",
                 "--json", str(out)]) == 0
    assert "P(right decision)" in capsys.readouterr().out
    payload = json.loads(out.read_text())
    assert payload["schema_version"] == 4 and payload["nights"] == 14 + 7 + 7 + 7
    simulation = payload["simulation"]
    assert simulation["simulations"] == 3 and 0 <= simulation["p_right"] <= 1
    low, high = simulation["p_right_interval"]   # Wilson: never of width 0 on 3 persons
    assert 0 <= low <= simulation["p_right"] <= high <= 1 and high - low > 0.3


def test_json_to_stdout_only(capsys):
    assert main([*BASE, "--json", "-"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["simulation"] is None and len(payload["periods"]) == 8
    kinds = {(p["kind"], type(p["cycle"]).__name__) for p in payload["periods"]}
    assert kinds == {("baseline", "NoneType"), ("treatment", "int"), ("washout", "NoneType")}
    assert [p["cycle"] for p in payload["periods"] if p["kind"] == "treatment"] == [1, 1, 2, 2]


def profile_file(tmp_path, text: str) -> str:
    path = tmp_path / "me.toml"
    path.write_text(text)
    return str(path)


def test_a_contraindication_plans_nothing_and_says_see_a_clinician(tmp_path, capsys):
    profile = profile_file(tmp_path, "egfr = 20\n")
    out = tmp_path / "diary.csv"
    assert main([*BASE, "--profile", profile, "--out", str(out), "--json",
                 str(tmp_path / "plan.json")]) == 2
    err = capsys.readouterr().err
    assert (f"{profile}: if you take magnesium now, stop it and see a clinician (do not start "
            "it before one has advised): your eGFR 20 (below 30): kidney disease (an eGFR") in err
    assert "no trial is planned" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["me.toml"]


def test_the_profile_excludes_forms_and_caps_the_dose(tmp_path, capsys):
    profile = profile_file(tmp_path, 'max_elemental_mg = 250\nexcluded_forms = ["taurate"]\n')
    assert main([*BASE, "--profile", profile, "--dose", "300",
                 "--out", str(tmp_path / "d.csv")]) == 2
    err = capsys.readouterr().err
    assert "--forms: taurate is excluded in your profile" in err
    assert "--dose: expected an elemental dose above 0 and at most the ceiling of 250" in err
    assert main(["plan", "--forms", "glycinate", "--profile", profile, "--dose", "250",
                 "--start", "2026-03-02", "--seed", "4"]) == 0     # within both rules


def test_the_profile_warnings_come_with_the_plan(tmp_path, capsys):
    profile = profile_file(tmp_path, 'medications = ["levothyroxine"]\n')
    out = tmp_path / "plan.json"
    assert main([*BASE, "--profile", profile, "--json", str(out)]) == 0
    assert "Safety: levothyroxine: take the thyroid medicine at least 4 h apart from magnesium." \
        in capsys.readouterr().out
    payload = json.loads(out.read_text())
    assert payload["schema_version"] == 4 and payload["periods"]
    assert payload["warnings"][-1:] == ["levothyroxine: take the thyroid medicine at least 4 h "
                                        "apart from magnesium"]
    assert payload["warnings"][0].startswith("age not given: mgsleep's advice is for adults")


def test_a_misspelt_medicine_is_an_error_or_a_warning_never_silence(tmp_path, capsys):
    profile = profile_file(tmp_path, 'medications = ["levothyroxin"]\n')
    assert main([*BASE, "--profile", profile]) == 2
    assert "did you mean 'levothyroxine'" in capsys.readouterr().err
    assert main([*BASE, "--profile", profile, "--allow-unknown"]) == 0
    said = capsys.readouterr()
    assert "Safety: NOT CHECKED: the medicine 'levothyroxin'" in said.out
    assert "warning:" in said.err and "--allow-unknown" in said.err


def test_an_open_placebo_arm_is_said_to_need_blinding(tmp_path, capsys):
    """An outside audit: ``--forms glycinate,placebo`` without ``--blind`` said nothing."""
    assert main(["plan", "--forms", "glycinate,placebo", "--out", str(tmp_path / "d.csv")]) == 0
    assert "Design: an open placebo arm" in capsys.readouterr().out
    assert main(["plan", "--forms", "glycinate", "--blind", "--out", str(tmp_path / "b.csv")]) == 0
    assert "Design: an open placebo arm" not in capsys.readouterr().out
