"""`mgsleep demo`: the whole pipeline on the bundled example diary."""

import json

import pytest

from model.cli.demo import NIGHTS, example_diary
from model.cli.main import main
from model.core.forms import FORMS
from model.core.outcomes import OUTCOMES
from model.data.diary import read_diary

pytestmark = pytest.mark.fit

TOP_KEYS = {"schema_version", "as_of", "nights", "diagnostics", "effects", "recommendation",
            "alternatives", "prior_sensitivity", "separability", "pathways",
            "regimen_effects", "plan_ahead", "priors", "warnings",
            "prior_sensitivity_skipped", "p_harm",
            "provenance", "complaint", "weights", "fading", "devices", "covariates"}
# warnings: 3 on; ..._skipped: 10; p_harm: 11; provenance: 13; complaint, weights: 17;
# fading: 18; devices: 20; covariates: 21
RECOMMENDATION_KEYS = {"action", "form", "elemental_mg_per_day", "split", "expected_gain",
                       "p_best", "p_constraint_violation", "evpi", "commit", "next_review",
                       "reasons", "warnings", "reason_codes", "expected_utility",
                       "p_better_than_continue", "learning_value", "from_posterior"}


def test_example_diary_is_valid_and_interesting():
    diary = read_diary(example_diary())
    assert diary.n_recorded == NIGHTS
    assert list(diary.regimen_counts()) == ["none", "citrate@300", "glycinate@300"]
    assert diary.nights["notes"].str.startswith("started").sum() == 2


def test_demo_writes_diary_summary_and_report(tmp_path, capsys):
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Recommendation:" in printed and "Wrote example_diary.csv" in printed
    assert {p.name for p in out.iterdir()} == {"example_diary.csv", "summary.json",
                                               "report.html"}
    summary = json.loads((out / "summary.json").read_text())
    assert set(summary) == TOP_KEYS and summary["schema_version"] == 22
    assert set(summary["recommendation"]) == RECOMMENDATION_KEYS | {"max_mg_now",
                                                                    "options_allowed"}
    assert summary["nights"]["total"] == NIGHTS
    assert len(summary["effects"]) == len(FORMS) * len(OUTCOMES)
    assert all({"diary_change", "p_beyond_mcid", "p_harm_beyond_mcid", "verdict"} <= set(e)
               for e in summary["effects"])
    assert [p["if"] for p in summary["pathways"]] == ["badly", "as_expected", "well"]
    assert all(set(a) == RECOMMENDATION_KEYS | {"feasible", "blocked_by", "after_period"}
               for a in summary["alternatives"])
    report = (out / "report.html").read_text()
    assert report.startswith("<!DOCTYPE html>") and "example_diary.csv" in report
    assert report.count("data:image/png;base64,") == 4
    assert read_diary(out / "example_diary.csv").n_recorded == NIGHTS


def test_demo_help(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["demo", "--help"])
    assert exit_.value.code == 0
    assert "--out" in capsys.readouterr().out


def test_demo_writes_its_json_with_the_folder_or_nothing(tmp_path, monkeypatch, capsys):
    """``--json`` was written after the folder's files, so a JSON that failed left them on
    disk; now they are written together. The JSON's folder becomes a file during the
    analysis, so its JSON cannot be written."""
    from model.analysis import pipeline

    out, elsewhere = tmp_path / "demo", tmp_path / "elsewhere"
    elsewhere.mkdir()
    real_analyze = pipeline.analyze

    def analyze_then_remove(*args, **kwargs):
        result = real_analyze(*args, **kwargs)
        elsewhere.rmdir()
        elsewhere.write_text("in the way")
        return result

    monkeypatch.setattr(pipeline, "analyze", analyze_then_remove)
    argv = ["demo", "--out", str(out), "--json", str(elsewhere / "result.json"),
            "--draws", "200", "--chains", "2"]
    assert main(argv) != 0
    assert "elsewhere" in capsys.readouterr().err
    assert not out.exists() or not any(out.iterdir())
    elsewhere.unlink()
    elsewhere.mkdir()
    monkeypatch.setattr(pipeline, "analyze", real_analyze)
    assert main(argv) == 0
    assert json.loads((elsewhere / "result.json").read_text()) == json.loads(
        (out / "summary.json").read_text())
