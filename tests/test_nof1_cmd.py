"""``mgsleep nof1``: JSON schema, table output, and input errors (exit 2, nothing written)."""

import json
from pathlib import Path

import pandas as pd
import pytest

from model.cli.main import main
from model.nof1.engine import simulate_nof1

REAL = Path(__file__).resolve().parents[2] / "shared" / "real-data"
FAST = ["--draws", "200", "--tune", "200", "--chains", "2", "--seed", "3"]


@pytest.fixture(scope="module")
def nof1ins() -> Path:
    path = REAL / "nof1_nof1ins_readme_28day.csv"
    if not path.is_file():
        pytest.skip(f"real data not available: {path}")
    return path


@pytest.mark.fit
def test_json_schema_version_3(nof1ins, tmp_path, capsys):
    out = tmp_path / "result.json"
    code = main(["nof1", str(nof1ins), "--outcome", "Y", "--treatment", "Treat",
                 "--baseline", "1", "--time", "Day", "--ar1", "--json", str(out), *FAST])
    assert code == 0
    payload = json.loads(out.read_text())
    assert set(payload) == {"schema_version", "family", "ar1", "trend", "effects",
                            "diagnostics", "rows", "interval", "provenance"}
    assert payload["rows"] == {"used": 28, "dropped_missing_treatment": 0, "with_outcome": 26}
    assert (payload["schema_version"], payload["family"], payload["ar1"],
            payload["trend"], payload["interval"]) == (3, "normal", True, False, 0.95)
    assert len(payload["provenance"]["code_sha256"]) == 64
    [effect] = payload["effects"]
    assert set(effect) == {"treatment", "vs", "mean", "sd", "ci_low", "ci_high", "p_positive"}
    assert (effect["treatment"], effect["vs"]) == ("2", "1")
    assert effect["ci_low"] < effect["mean"] < effect["ci_high"] and effect["mean"] < 0
    assert set(payload["diagnostics"]) == {"ok", "max_rhat", "min_ess_bulk", "divergences"}
    assert "n-of-1 analysis" in capsys.readouterr().out  # the table is printed too


@pytest.mark.fit
def test_persons_and_json_to_stdout(tmp_path, capsys):
    frames = [simulate_nof1("poisson", n_nights=28, seed=s).assign(who=f"p{s}")
              for s in range(2)]
    path = tmp_path / "series.csv"
    pd.concat(frames).to_csv(path, index=False)
    code = main(["nof1", str(path), "--outcome", "y", "--treatment", "treatment",
                 "--baseline", "A", "--family", "poisson", "--person", "who", "--time",
                 "night", "--json", "-", *FAST])
    payload = json.loads(capsys.readouterr().out)  # only JSON on stdout
    assert code == int(not payload["diagnostics"]["ok"])   # short runs: 1 when not converged
    assert [p["person"] for p in payload["persons"]] == ["p0", "p1"]
    assert payload["persons"][0]["effects"][0]["treatment"] == "B"


@pytest.mark.fit
def test_a_fit_that_fails_its_checks_exits_1_after_writing_its_results(tmp_path, capsys):
    """The README says so (and population does); it exited 0, so a script took a failed fit
    for a result (two outside audits)."""
    path, out = tmp_path / "series.csv", tmp_path / "result.json"
    simulate_nof1("normal", n_nights=28, seed=1).to_csv(path, index=False)
    code = main(["nof1", str(path), "--outcome", "y", "--treatment", "treatment",
                 "--baseline", "A", "--json", str(out), "--draws", "10", "--tune", "10",
                 "--chains", "2", "--seed", "1"])
    assert code == 1 and json.loads(out.read_text())["diagnostics"]["ok"] is False
    assert "NOT CONVERGED: do not trust these numbers" in capsys.readouterr().out


def test_help_exits_zero(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["nof1", "--help"])
    assert caught.value.code == 0
    assert "--baseline" in capsys.readouterr().out


@pytest.mark.parametrize(("args", "message"), [
    (["--outcome", "Nope"], "column Nope"),
    (["--baseline", "7"], "column Treat: expected the reference level '7'"),
    (["--family", "poisson", "--outcome", "Score"], "row 2, column Score: expected a count"),
    (["--outcome", "Word"], "row 3, column Word: expected a number, got 'high'"),
])
def test_bad_input_exits_2_and_writes_nothing(tmp_path, capsys, args, message):
    path = tmp_path / "d.csv"
    path.write_text("Score,Treat,Word\n1.5,1,1\n2.5,2,2\n3,1,high\n4,2,4\n")
    out = tmp_path / "out.json"
    base = {"--outcome": "Score", "--treatment": "Treat", "--baseline": "1"}
    base.update(dict(zip(args[::2], args[1::2], strict=True)))
    argv = ["nof1", str(path), *[x for kv in base.items() for x in kv], "--json", str(out)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert str(path) in err and message in err
    assert not out.exists()


def test_after_blank_treatments_are_dropped_a_fault_names_the_files_row(tmp_path, capsys):
    """A user audit: with the first row dropped, 'abc' in data row 3 was called row 2."""
    path = tmp_path / "n1.csv"
    path.write_text("t,y,day\n,1,1\na,2,2\nb,abc,3\na,4,3\nb,5,5\n")
    argv = ["nof1", str(path), "--outcome", "y", "--treatment", "t", "--baseline", "a",
            "--drop-missing-treatment"]
    assert main(argv) == 2
    assert "row 3, column y: expected a number, got 'abc'" in capsys.readouterr().err
    assert main([*argv, "--time", "day", "--ar1"]) == 2
    assert "row 4, column day: expected distinct times for --ar1, got '3' again (first in " \
        "row 3)" in capsys.readouterr().err


def test_blank_treatments_are_reported_with_every_other_fault(tmp_path, capsys):
    """A user audit: 'abc' in row 3 went unreported beside the blank treatment of row 1, so
    the person fixed one and met the next; the README says one line per fault."""
    path = tmp_path / "n1.csv"
    path.write_text("t,y\n,1\na,2\nb,abc\na,4\nb,5\n")
    assert main(["nof1", str(path), "--outcome", "y", "--treatment", "t", "--baseline",
                 "a"]) == 2
    err = capsys.readouterr().err
    assert "row 1, column t: expected a value in every row" in err
    assert "row 3, column y: expected a number, got 'abc'" in err


def test_missing_file_exits_2(tmp_path, capsys):
    assert main(["nof1", str(tmp_path / "absent.csv"), "--outcome", "y", "--treatment", "t",
                 "--baseline", "a"]) == 2
    assert "file not found" in capsys.readouterr().err
