"""`mgsleep priors` end to end, in process and as a real command."""

import json
import re
import subprocess
import sys

import pytest

from model.cli.main import main
from model.cli.priors import table_text
from model.core.forms import FORMS
from model.core.intervals import normal_interval
from model.core.outcomes import OUTCOMES


def test_priors_json_to_stdout(capsys):
    assert main(["priors", "--json", "-"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert len(records) == len(FORMS) * len(OUTCOMES)
    assert all(r["sources"] or r["basis"] == "reference" for r in records)


def test_priors_table_and_explain(capsys):
    assert main(["priors"]) == 0
    out = capsys.readouterr().out
    assert "glycinate" in out and "basis" in out
    assert main(["priors", "--explain", "oxide:sol"]) == 0
    assert "MAH2021" in capsys.readouterr().out
    # a form spelt as on the label, as a diary accepts it
    assert main(["priors", "--explain", "Magnesium Oxide:sol"]) == 0
    assert capsys.readouterr().out.startswith("oxide x sol")
    assert main(["priors", "--explain", "GLYCINATE:SOL"]) == 0      # the outcome in capitals too
    assert capsys.readouterr().out.startswith("glycinate x sol")
    assert main(["priors", "--explain", "placebo:sol"]) == 2
    assert "unknown form 'placebo'" in capsys.readouterr().err


def test_bad_priors_dir_exits_2_and_writes_nothing(priors_copy, tmp_path, capsys):
    (priors_copy / "forms" / "oxide.toml").write_text('form = "oxide"\nbogus = 1\n')
    out = tmp_path / "out.json"
    assert main(["priors", "--priors", str(priors_copy), "--json", str(out)]) == 2
    err = capsys.readouterr().err
    assert re.search(r"oxide\.toml: line 2, key bogus: unknown key 'bogus'", err)
    assert not out.exists()


def test_python_dash_m_model_runs():
    done = subprocess.run([sys.executable, "-m", "model", "priors", "--json", "-"],
                          capture_output=True, text=True, check=True)
    assert json.loads(done.stdout)[0]["form"] == "glycinate"


def pandas_table(priors) -> str:
    """What ``mgsleep priors`` printed when it used pandas, with its 90 % intervals."""
    table = priors.table().drop(columns="sources")
    ends = [normal_interval(m, s) for m, s in zip(table["mean"], table["sd"], strict=True)]
    table["ci_low"], table["ci_high"] = [e[0] for e in ends], [e[1] for e in ends]
    return table.round(3).to_string()


def test_the_table_is_what_pandas_printed(priors):
    variants = [priors, priors.sceptical(0.3), priors.with_certainty_weight(2.0),
                priors.with_override("oxide", "sol", mean=-0.9985, sd=1e-9,  # numpy: -0.998
                                     reason="rounding"),
                priors.with_override("citrate", "gi", mean=-1234567.8912, sd=2.5,
                                     reason="column width")]
    for variant in variants:
        assert table_text(variant) == pandas_table(variant)


@pytest.mark.parametrize("options", [[], ["--json", "-"], ["--explain", "oxide:sol"]])
def test_the_priors_command_imports_neither_pandas_nor_xarray_nor_pymc(options):
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "model", "priors",
                           *options], capture_output=True, text=True, check=True)
    heavy = re.findall(r"\|\s*(pandas|xarray|pymc|pytensor)(\.|\s*$)", done.stderr, re.MULTILINE)
    assert done.stdout and not heavy, sorted({h[0] for h in heavy})
