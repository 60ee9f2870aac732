"""The one error boundary of `mgsleep` (model.cli.main) and its light start-up."""

import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest

import model
import model.cli.priors
from model.cli.main import BUG_REPORT, main
from model.cli.options import FAMILY_NAMES, SAMPLER_NAMES

ROOT = Path(__file__).resolve().parents[1]


def shell(command: str) -> subprocess.CompletedProcess[str]:
    """Run a shell pipeline with this tree first on the import path."""
    env = os.environ | {"PYTHONPATH": os.pathsep.join(
        filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    return subprocess.run(["bash", "-c", f"set -o pipefail; {command}"], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=False, timeout=300)


def one_error_line(err: str, command: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"mgsleep {command}: error: "), err
    assert "Traceback" not in err
    return lines[0]


def test_a_typo_in_explain_exits_2_with_did_you_mean(capsys):
    assert main(["priors", "--explain", "glycinat:quality"]) == 2
    line = one_error_line(capsys.readouterr().err, "priors")
    assert "unknown form 'glycinat' (did you mean 'glycinate'?)" in line


def test_an_unknown_outcome_in_explain_names_the_outcomes(capsys):
    assert main(["priors", "--explain", "glycinate:sleepiness"]) == 2
    line = one_error_line(capsys.readouterr().err, "priors")
    assert "unknown outcome 'sleepiness'" in line and "quality" in line


def test_the_typo_as_a_real_command_leaves_no_traceback():
    done = shell(f"{sys.executable} -m model priors --explain glycinat:quality")
    assert done.returncode == 2
    assert "did you mean 'glycinate'?" in one_error_line(done.stderr, "priors")


@pytest.mark.parametrize("reader", ["head -1", "true"])
def test_a_closed_pipe_ends_quietly(reader):
    """`| true` closes the pipe before anything is written; `| head -1` after the first line."""
    done = shell(f"{sys.executable} -m model priors | {reader}")
    assert done.stderr == ""
    assert done.stdout.count("\n") == (1 if reader == "head -1" else 0)


def test_a_broken_pipe_in_process_returns_1_silently(monkeypatch, capsys):
    def closed(args):
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(model.cli.priors, "run", closed)
    assert main(["priors"]) == 1
    assert capsys.readouterr().err == ""


def test_a_missing_diary_exits_2_with_one_line_naming_it(tmp_path, capsys):
    missing = tmp_path / "no-such-diary.csv"
    assert main(["analyze", str(missing)]) == 2
    line = one_error_line(capsys.readouterr().err, "analyze")
    assert str(missing) in line


def three_nights(path: Path, form: str = "", mg: str = "") -> Path:
    """A diary of three nights, as a new user has after a few mornings."""
    path.write_text("date,form,elemental_mg,sol_min,quality\n" + "".join(
        f"2024-03-0{d},{form},{mg},{20 + 5 * d},3\n" for d in (1, 2, 3)))
    return path


def test_a_diary_too_short_to_fit_says_how_many_nights_more_and_writes_nothing(tmp_path,
                                                                                capsys):
    diary, out = three_nights(tmp_path / "d.csv"), tmp_path / "out.json"
    assert main(["analyze", str(diary), "--json", str(out)]) == 2
    line = one_error_line(capsys.readouterr().err, "analyze")
    assert f"{diary}: 3 nights with an outcome recorded" in line and "record 4 more" in line
    assert not out.exists()


def test_a_short_diary_still_hears_a_hard_rule(tmp_path, priors):
    """Too few nights to fit is no reason to withhold "stop now" or "lower to the ceiling"."""
    from model.analysis.analysed_nights import enough_nights
    from model.core.errors import DiaryError
    from model.data.diary import read_diary
    from model.data.profile import Profile

    taking = read_diary(three_nights(tmp_path / "d.csv", "glycinate", "200"))
    with pytest.raises(DiaryError, match="record 4 more"):
        enough_nights(taking, Profile(), priors)
    enough_nights(taking, Profile(egfr=20), priors)                 # a referral: analysed
    enough_nights(taking, Profile(max_elemental_mg=150), priors)    # above the ceiling
    enough_nights(taking, Profile(excluded_forms=("glycinate",)), priors)


def test_an_output_under_a_file_exits_2_with_one_line(tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    assert main(["priors", "--json", str(blocker / "out.json")]) == 2
    line = one_error_line(capsys.readouterr().err, "priors")
    assert str(blocker) in line


def test_an_output_that_is_a_directory_exits_2_naming_it(tmp_path, capsys):
    assert main(["priors", "--json", str(tmp_path)]) == 2
    line = one_error_line(capsys.readouterr().err, "priors")
    assert line.endswith(f"--json: {tmp_path} is a directory; give a file name")


def test_a_file_that_is_not_text_exits_2(monkeypatch, capsys):
    def undecodable(args):
        b"\xff".decode("utf-8")

    monkeypatch.setattr(model.cli.priors, "run", undecodable)
    assert main(["priors"]) == 2
    assert "not UTF-8 text" in one_error_line(capsys.readouterr().err, "priors")


def test_a_full_disk_is_the_machines_error_not_a_bug(monkeypatch, capsys):
    def full(args):                 # a write to a full disk often names no file
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(model.cli.priors, "run", full)
    assert main(["priors"]) == 2
    line = one_error_line(capsys.readouterr().err, "priors")
    assert "No space left on device; files are written whole or not at all" in line


def test_ctrl_c_ends_with_one_line_and_status_130(monkeypatch, capsys):
    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(model.cli.priors, "run", interrupted)
    assert main(["priors"]) == 130
    assert capsys.readouterr().err.strip() == (
        "mgsleep priors: interrupted; files are written whole or not at all, so each is as "
        "it was or complete")


@pytest.mark.parametrize("error", [ValueError("internal"), KeyError("internal"),
                                   FileNotFoundError(2, "No such file", "/internal/file")])
def test_a_bug_keeps_its_traceback_and_says_how_to_report_it(monkeypatch, error):
    def buggy(args):
        raise error

    monkeypatch.setattr(model.cli.priors, "run", buggy)
    with pytest.raises(type(error)) as caught:
        main(["priors"])
    assert caught.value.__notes__ == [f"mgsleep priors: {BUG_REPORT}"]


def test_a_bug_as_a_real_command_shows_traceback_then_the_report_line(tmp_path):
    script = ("import sys, model.cli.priors as p\n"
              "from model.cli.main import main\n"
              "def boom(args):\n    raise RuntimeError('internal')\n"
              "p.run = boom\nsys.exit(main(['priors']))\n")
    (tmp_path / "bug.py").write_text(script)
    done = shell(f"{sys.executable} {tmp_path / 'bug.py'}")
    assert done.returncode == 1
    assert "Traceback" in done.stderr
    assert done.stderr.rstrip().splitlines()[-1] == f"mgsleep priors: {BUG_REPORT}"


def test_help_imports_no_pymc(tmp_path):
    (tmp_path / "help.py").write_text(
        "import sys\nfrom model.cli.main import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print([m for m in sys.modules if m.split('.')[0] in ('pymc', 'pytensor')])\n")
    done = shell(f"{sys.executable} {tmp_path / 'help.py'}")
    assert done.returncode == 0, done.stderr
    assert done.stdout.rstrip().endswith("[]")


def test_the_cli_choices_are_the_samplers_and_families():
    from model.inference.samplers import SAMPLERS
    from model.nof1.engine import FAMILIES

    assert SAMPLER_NAMES == tuple(SAMPLERS)
    assert FAMILY_NAMES == FAMILIES


def test_the_public_api_loads_lazily_from_the_defining_modules():
    import importlib

    assert sorted(model.__all__) == sorted(model.PUBLIC)
    assert set(model.__all__) <= set(dir(model))
    for name, module in model.PUBLIC.items():
        assert getattr(model, name) is getattr(importlib.import_module(module), name)
    with pytest.raises(AttributeError, match="no attribute 'nonesuch'"):
        _ = model.nonesuch


def test_warnings_are_one_clean_line_and_the_formatter_is_restored(capsys):
    import warnings

    from model.cli.main import one_line

    text = one_line(UserWarning("a  warning\n spread over\nlines"), UserWarning,
                    "/site-packages/lib/module.py", 42)
    assert text == "mgsleep: warning (UserWarning): a warning spread over lines\n"
    before = warnings.formatwarning
    assert main(["priors", "--json", "-"]) == 0
    assert warnings.formatwarning is before


def test_every_help_text_reads_as_printed():
    """No escaped percent sign or unformatted placeholder reaches a person."""
    import argparse

    from model.cli.main import build_parser

    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name, sub in commands.choices.items():
        text = sub.format_help()
        assert "%%" not in text and "%(" not in text, name
