"""`mgsleep priors` end to end, in process and as a real command."""

import json
import subprocess
import sys

from model.cli.main import main


def test_priors_json_to_stdout(capsys):
    assert main(["priors", "--json", "-"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert len(records) == 48
    assert all(r["sources"] or r["basis"] == "reference" for r in records)


def test_priors_table_and_explain(capsys):
    assert main(["priors"]) == 0
    out = capsys.readouterr().out
    assert "glycinate" in out and "basis" in out
    assert main(["priors", "--explain", "oxide:sol"]) == 0
    assert "MAH2021" in capsys.readouterr().out


def test_bad_priors_dir_exits_2_and_writes_nothing(priors_copy, tmp_path, capsys):
    (priors_copy / "forms" / "oxide.toml").write_text('form = "oxide"\nbogus = 1\n')
    out = tmp_path / "out.json"
    assert main(["priors", "--priors", str(priors_copy), "--json", str(out)]) == 2
    err = capsys.readouterr().err
    assert "oxide.toml: key bogus: unknown key 'bogus'" in err
    assert not out.exists()


def test_python_dash_m_model_runs():
    done = subprocess.run([sys.executable, "-m", "model", "priors", "--json", "-"],
                          capture_output=True, text=True, check=True)
    assert json.loads(done.stdout)[0]["form"] == "glycinate"
