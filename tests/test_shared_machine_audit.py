"""A couple sharing one laptop and account (outside audit, 2026-12): whose key, whose export,
whose output, and what an existing file was."""

import json

import pandas as pd
import pytest

from model.cli.main import main
from model.core.errors import InputError
from model.data.diary import read_diary
from model.trial.blinding import plan_id


def _untagged_plan(tmp_path, capsys):
    """A blinded plan of three pots, its diary's codes without the plan tag (typed by hand)."""
    diary = tmp_path / "trial.csv"
    assert main(["plan", "--forms", "glycinate,citrate", "--dose", "200", "--blind", "--seed",
                 "3", "--start", "2026-01-01", "--out", str(diary)]) == 0
    capsys.readouterr()
    table = pd.read_csv(diary, dtype=str, keep_default_na=False)
    table["notes"] = table["notes"].str.replace(r" \(plan \w+\)", "", regex=True)
    table.to_csv(diary, index=False)
    return diary, tmp_path / "trial.key.json", table


def _other_plans_key(key, tmp_path, swap=("A", "B")):
    """The key of another plan on the same dates: two codes' pots swapped, its own id."""
    sealed = json.loads(key.read_text())
    codes = dict(sealed["codes"])
    codes[swap[0]], codes[swap[1]] = codes[swap[1]], codes[swap[0]]
    nights = sealed["nights"]
    other = tmp_path / "partner.key.json"
    other.write_text(json.dumps({**sealed, "codes": codes, "salt": "1" * 32,
                                 "plan": plan_id(codes, nights, "1" * 32)}))
    return other


def test_untagged_codes_refuse_another_plans_key_and_open_with_their_own(tmp_path, capsys):
    """A key with a plan id wrote its diary with tags, so untagged codes were typed by hand:
    every coded night must be the key's pot that night. The partner's key (other pots behind
    the same codes) unblinded all coded nights with exit 0; the right key still opens it."""
    diary, key, table = _untagged_plan(tmp_path, capsys)
    other, out = _other_plans_key(key, tmp_path), tmp_path / "unblinded.csv"
    assert main(["unblind", str(diary), "--key", str(other), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    coded = int(table["notes"].str.startswith("code ").sum())
    assert f"got another pot on {2 * coded // 3} of {coded} coded night(s)" in err
    assert f"{other} is most likely the key of another plan" in err and not out.exists()
    assert main(["unblind", str(diary), "--key", str(key), "--out", str(out)]) == 0
    assert "is checked by dates and codes only" in capsys.readouterr().err
    keyed = json.loads(key.read_text())["nights"]
    assert read_diary(out).regimen_label.tolist() == [keyed[d] for d in table["date"]]


def test_one_untagged_code_off_the_keys_schedule_is_refused_as_a_typo(tmp_path, capsys):
    """The right key, one code typed wrong: refused (it cannot be told from a pot taken out
    of turn without the tag), naming the row, not another plan's key."""
    diary, key, table = _untagged_plan(tmp_path, capsys)
    row = int(table.index[table["notes"] == "code A"][0])
    table.loc[row, "notes"] = "code B"
    table.to_csv(diary, index=False)
    out = tmp_path / "unblinded.csv"
    assert main(["unblind", str(diary), "--key", str(key), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"{diary}: row {row + 1}, column notes:" in err and "1 of " in err
    assert "correct a code typed wrong" in err and "another plan" not in err
    assert not out.exists()


def test_an_old_key_without_plan_id_keeps_unblinding_untagged_codes(tmp_path, capsys):
    """A key of schema 1 (no plan id) wrote untagged diaries: dates and codes, a warning, and
    a pot taken out of turn unblinded as taken, as before."""
    diary, key, table = _untagged_plan(tmp_path, capsys)
    sealed = json.loads(key.read_text())
    key.write_text(json.dumps({k: v for k, v in sealed.items() if k not in ("plan", "salt")}
                              | {"schema_version": 1}))
    row = int(table.index[table["notes"] == "code A"][0])
    table.loc[row, "notes"] = "code B"
    table.to_csv(diary, index=False)
    out = tmp_path / "unblinded.csv"
    assert main(["unblind", str(diary), "--key", str(key), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "a diary written before plan tags" in err and "recorded where the plan had" in err


def test_a_key_naming_a_form_mgsleep_does_not_know_is_an_input_error(tmp_path, capsys):
    """It stopped with a traceback ("bug in mgsleep") from the regimen of a night."""
    diary, key, _ = _untagged_plan(tmp_path, capsys)
    sealed = json.loads(key.read_text())
    code = next(c for c, arm in sealed["codes"].items() if arm == "citrate")
    sealed["codes"][code] = "orotate"
    sealed["nights"] = {d: label.replace("citrate", "orotate")
                        for d, label in sealed["nights"].items()}
    key.write_text(json.dumps(sealed))
    out = tmp_path / "unblinded.csv"
    assert main(["unblind", str(diary), "--key", str(key), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"{key}: key codes.{code}: expected a form mgsleep knows, got 'orotate'" in err
    assert f"{key}: key nights." in err and "unknown form 'orotate'" in err
    assert "Traceback" not in err and "bug" not in err and not out.exists()


def test_demo_refuses_files_it_did_not_write_and_replaces_its_own(tmp_path, capsys):
    """``demo --out .`` replaced a person's report.html, summary.json and her own
    example_diary.csv; run again into its own folder it replaces its files."""
    from model.cli.demo import NIGHTS, check_folder, example_diary

    theirs = tmp_path / "alex"
    theirs.mkdir()
    mine = {"report.html": "<!DOCTYPE html><title>mgsleep report: diary.csv (2026-11-29)",
            "summary.json": '{"nights": {"total": 60}}',
            "example_diary.csv": "date,form,elemental_mg,sol_min\n2026-11-01,glycinate,200,20\n"}
    for name, text in mine.items():
        (theirs / name).write_text(text)
    assert main(["demo", "--out", str(theirs)]) == 2
    err = capsys.readouterr().err
    assert all(f"{theirs / name} exists and is not a file of an earlier mgsleep demo" in err
               for name in mine)
    assert {p.name: p.read_text() for p in theirs.iterdir()} == mine
    out = tmp_path / "demo"         # as an earlier demo left it (a real run checked once)
    out.mkdir()
    (out / "example_diary.csv").write_text(example_diary().to_csv(index=False))
    (out / "summary.json").write_text(json.dumps({"nights": {"total": NIGHTS}}))
    (out / "report.html").write_text("<title>mgsleep report: example_diary.csv (2026-03-21)")
    check_folder(out, None)                         # its own files: run again, replaced
    (out / "report.html").write_text(mine["report.html"])
    assert main(["demo", "--out", str(out)]) == 2
    assert f"{out / 'report.html'} exists and is not a file" in capsys.readouterr().err


def test_a_fault_of_the_priors_met_by_log_names_the_priors_file(tmp_path, monkeypatch, capsys):
    """``log --compound-mg`` with a broken elemental_fractions.csv said "d.csv (not written):
    line 24, column default_for_form": line 24 of the priors file, named as the diary."""
    import shutil

    from model.core import forms
    from model.core.paths import default_priors_dir

    priors = tmp_path / "priors"
    shutil.copytree(default_priors_dir(), priors)
    table = priors / "elemental_fractions.csv"
    lines = table.read_text().splitlines()
    row = next(n for n, line in enumerate(lines) if ",citrate" in line)
    lines[row] = lines[row].replace(",citrate", ",orotat")
    table.write_text("\n".join(lines) + "\n")
    monkeypatch.setattr(forms, "default_priors_dir", lambda: priors)
    diary = tmp_path / "d.csv"
    diary.write_text("date,form,elemental_mg,sol_min\n2026-11-01,glycinate,200,20\n")
    assert main(["log", str(diary), "--date", "2026-11-02", "--form", "citrate",
                 "--compound-mg", "1000", "--sol", "20"]) == 2
    err = capsys.readouterr().err
    assert f"{table}: line {row + 1}, column default_for_form" in err
    assert "(not written)" not in err and "d.csv" not in err


def _nights(values):
    return [(f"2026-10-{day:02d}", sol, wakes) for day, (sol, wakes) in enumerate(values, 1)]


def test_import_refuses_an_export_whose_values_mostly_differ_from_the_diary(tmp_path, capsys):
    """Rule: of at least 10 values compared on nights in both, more than half differ. Sam's
    export merged into Alex's diary with 96 of 120 values differing, exit 0."""
    alex = _nights([(20 + n, n % 3) for n in range(12)])
    diary = tmp_path / "alex_diary.csv"
    diary.write_text("date,sol_min,awakenings\n" + "".join(f"{d},{s},{w}\n" for d, s, w in alex))
    before = diary.read_text()
    sam = tmp_path / "sam_app.csv"
    sam.write_text("Day,Latency,Wakes,WASO\n" + "".join(
        f"{d},{s + 7},{w + (n % 2)},30\n" for n, (d, s, w) in enumerate(alex)))
    argv = ["import", "csv", str(sam), "--map", "date=Day,sol_min=Latency,awakenings=Wakes,"
            "waso_min=WASO", "--out", str(diary), "--quiet"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert f"{sam}: 18 of the 24 values it gives for nights already in {diary} differ" in err
    assert "most likely another person's export" in err and "nothing was written" in err
    assert diary.read_text() == before and not (tmp_path / "alex_diary.csv.bak").exists()
    own = tmp_path / "alex_app.csv"          # her own export: 2 of 24 differ, merged
    own.write_text("Day,Latency,Wakes,WASO\n" + "".join(
        f"{d},{s + (n < 2)},{w},30\n" for n, (d, s, w) in enumerate(alex)))
    assert main([*argv[:2], str(own), *argv[3:]]) == 0
    assert "2 differing value(s) kept" in capsys.readouterr().out
    assert main([*argv, "--overwrite"]) == 0    # the person says the export's values win


def test_an_output_replaces_only_an_empty_file_or_one_of_its_own_kind(tmp_path, capsys):
    """Rule: --json, --report, --clinician, --pdf and --ics replace an existing file only when
    it is empty or of the kind they write (JSON but not a sealed key, HTML, PDF, calendar).
    ``analyze --json alex_diary.csv`` replaced Alex's diary with Sam's JSON; yesterday's own
    outputs are still replaced by the daily re-run."""
    from model.core.atomic import check_outputs

    files = {"r.json": '{\n  "schema_version": 13\n}\n', "p.json": '[{"form": "citrate"}]',
             "report.html": "<!DOCTYPE html>\n<html>", "clin.html": "\ufeff<html lang=en>",
             "c.pdf": "%PDF-1.4\n", "plan.ics": "BEGIN:VCALENDAR\r\n", "empty.json": ""}
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    check_outputs({"--json": tmp_path / "r.json", "--report": tmp_path / "report.html",
                   "--clinician": tmp_path / "clin.html", "--pdf": tmp_path / "c.pdf",
                   "--ics": tmp_path / "plan.ics"}, {})
    check_outputs({"--json": tmp_path / "p.json"}, {})
    check_outputs({"--json": tmp_path / "empty.json"}, {})
    diary = tmp_path / "alex_diary.csv"
    diary.write_text("date,sol_min\n2026-10-01,20\n")
    key = tmp_path / "plan.key.json"
    key.write_text('{"schema_version": 3, "salt": "ab", "codes": {}, "nights": {}}')
    profile = tmp_path / "alex.toml"
    profile.write_text("age = 58\n")
    for option, path in [("--json", diary), ("--json", key), ("--report", profile),
                         ("--pdf", tmp_path / "report.html"), ("--clinician", tmp_path / "c.pdf"),
                         ("--ics", diary)]:
        with pytest.raises(InputError, match=f"{path} exists and is no .* output of mgsleep"):
            check_outputs({option: path}, {})
    sam = tmp_path / "sam.csv"
    sam.write_text("date,sol_min\n" + "".join(f"2026-10-{d:02d},{20 + d}\n" for d in range(1, 15)))
    assert main(["analyze", str(sam), "--json", str(diary)]) == 2
    assert f"--json: {diary} exists and is no JSON output of mgsleep" in capsys.readouterr().err
    assert diary.read_text() == "date,sol_min\n2026-10-01,20\n"


@pytest.mark.fit
def test_the_clinician_page_and_report_say_whose_they_are(tmp_path):
    """Both persons' PDFs were titled "mgsleep clinician summary (2026-11-29)" and both pages
    said "Diary diary.csv": the profile's name and the diary's folder now tell them apart."""
    import dataclasses

    from model.data.profile import Profile, load_profile
    from model.report.clinician import render_clinician
    from model.report.html import render_report
    from model.testing import example_analysis

    base = example_analysis()
    day = base.as_of.isoformat()
    pages = {}
    for person, name in (("alex", "Alex"), ("sam", None)):
        source = str(tmp_path / person / "diary.csv")
        pages[person] = dataclasses.replace(base, profile=Profile(name=name),
                                            diary=dataclasses.replace(base.diary, source=source))
    alex, sam = (render_clinician(pages[p]) for p in ("alex", "sam"))
    assert f"<title>mgsleep clinician summary: Alex, alex/diary.csv ({day})</title>" in alex
    assert ("<h1>Alex: magnesium for sleep (falling asleep), n-of-1 summary for a clinician"
            "</h1>") in alex
    assert f"<title>mgsleep clinician summary: sam/diary.csv ({day})</title>" in sam
    assert "<h1>Magnesium for sleep (falling asleep): n-of-1 summary for a clinician</h1>" in sam
    assert "Diary sam/diary.csv:" in sam and "Diary alex/diary.csv:" in alex
    report = render_report(pages["alex"])
    assert f"<title>mgsleep report: Alex, alex/diary.csv ({day})</title>" in report
    assert "<h1>mgsleep report: Alex</h1>" in report and "of alex/diary.csv up to" in report
    profile = tmp_path / "alex.toml"
    profile.write_text('name = "Alex"\nage = 58\n')
    assert load_profile(profile).name == "Alex"
    profile.write_text('name = "Alex\\nSam"\n')
    with pytest.raises(InputError, match=r"key name: .*expected a name on one line"):
        load_profile(profile)


def test_a_diary_is_named_with_its_folder():
    from model.core.paths import diary_label

    assert diary_label("/home/x/sam/diary.csv") == "sam/diary.csv"
    assert diary_label("sam/diary.csv") == "sam/diary.csv"
    assert diary_label("<DataFrame>") == "<DataFrame>"
    assert diary_label("no_such_example.csv") == "no_such_example.csv"
