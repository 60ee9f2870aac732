"""End to end on simulated personas: fit, decide, JSON (CONTRACT.md analyze schema)."""

import dataclasses
import json

import pytest

from model.analysis.pipeline import analyze
from model.cli.main import main
from model.core.forms import FORMS, NONE
from model.core.outcomes import OUTCOMES
from model.core.regimen import Regimen
from model.data.diary import read_diary
from model.decision import history
from model.simulate.personas import PERSONAS, Schedule, simulate_diary

pytestmark = pytest.mark.fit
FAST = {"draws": 1000, "tune": 400, "chains": 4, "seed": 3}


def test_glycinate_responder_with_citrate_gi_is_kept_on_glycinate(priors):
    diary = read_diary(simulate_diary("glycinate_responder_citrate_gi", 80, seed=5))
    result = analyze(diary, priors=priors, power_scaling=True, **FAST)
    rec = result.decision.recommendation
    assert result.fit.diagnostics_.ok
    assert rec.regimen is not None and rec.regimen.form == "glycinate", rec.to_dict()
    assert rec.action in {"continue", "increase_dose", "split_dose"}
    payload = json.loads(json.dumps(result.to_json()))
    assert payload["schema_version"] == 22
    assert set(payload) == {"schema_version", "as_of", "nights", "diagnostics", "effects",
                            "recommendation", "alternatives", "prior_sensitivity",
                            "separability", "pathways", "power_scaling", "regimen_effects",
                            "plan_ahead", "priors", "warnings",
                            "prior_sensitivity_skipped", "p_harm",
                            "provenance", "complaint", "weights", "fading", "devices",
                            "covariates"}
    # schema_version 3's on; provenance 13; complaint and weights 17; fading 18
    assert payload["plan_ahead"] is None               # no nights planned after the last
    assert payload["priors"]["bundled"] is True
    # power-scaling next to the refits: the untried forms follow their prior, the tried
    # ones the diary; the weights' reliability is stated
    power = payload["power_scaling"]
    assert isinstance(power["reliable"], bool) and set(power["pareto_k"]) == {"prior",
                                                                              "likelihood"}
    rows = {e["effect"]: e for e in power["effects"]}
    assert len(rows) == len(FORMS) * len(OUTCOMES)
    assert rows["theta[glycinate, sol]"]["likelihood"] > rows["theta[malate, sol]"]["likelihood"]
    assert "power_scaling" not in dataclasses.replace(result, power=None).to_json()
    assert {"ok", "max_rhat", "min_ess_bulk", "divergences"} <= set(payload["diagnostics"])
    assert {s["prior"] for s in payload["prior_sensitivity"]} == {"sceptical", "confident",
                                                                "expectation"}
    # in diary units: glycinate shortens sleep-onset latency; citrate adds loose-stool nights
    entry = {(e["form"], e["outcome"]): e for e in payload["effects"]}
    assert entry[("glycinate", "sol")]["diary_change"]["unit"] == "min"
    assert entry[("glycinate", "sol")]["diary_change"]["mean"] < 0
    assert entry[("citrate", "gi")]["verdict"] == "harms"
    # each counts the nights on its form (any dose) with its outcome recorded, as documented
    taken = payload["nights"]["by_regimen"]
    for form in ("glycinate", "citrate"):
        on_form = sum(n for label, n in taken.items() if label.startswith(f"{form}@"))
        assert 0 < entry[(form, "sol")]["nights"] <= on_form
    assert entry[("malate", "sol")]["nights"] == 0
    # citrate gave loose stools: the fit knows its GI slope is steeper than glycinate's
    effects = result.fit.effects().set_index(["form", "outcome"])
    assert effects.loc[("citrate", "gi"), "mean"] > effects.loc[("glycinate", "gi"), "mean"]


def test_non_responder_is_not_told_to_escalate_with_confidence(priors):
    persona = dataclasses.replace(PERSONAS["non_responder"], schedule=Schedule((
        (Regimen(NONE), 14), (Regimen("glycinate", 200), 60))))
    diary = read_diary(simulate_diary(persona, 74, seed=8))
    rec = analyze(diary, priors=priors, **FAST).decision.recommendation
    assert not (rec.action == "increase_dose" and rec.commit), rec.to_dict()
    assert rec.regimen is None or rec.regimen.elemental_mg <= 350


def test_egfr_25_is_referred_through_the_command(tmp_path, capsys):
    diary = tmp_path / "diary.csv"
    # a dose titration on glycinate with no withdrawal: magnesium and expectation entangled
    simulate_diary("dose_responder", 70, seed=2).to_csv(diary, index=False)
    profile = tmp_path / "me.toml"
    profile.write_text("egfr = 25\nmedications = [\"levothyroxine\"]\n")
    out = tmp_path / "result.json"
    assert main(["analyze", str(diary), "--profile", str(profile), "--json", str(out),
                 "--clinician", str(tmp_path / "clinician.html"),
                 "--report", str(tmp_path / "report.html"),
                 "--draws", "600", "--chains", "2", "--seed", "1"]) == 0
    clinician = (tmp_path / "clinician.html").read_text(encoding="utf-8")
    report = (tmp_path / "report.html").read_text(encoding="utf-8")
    # the diary ends on magnesium: stop now, not "before taking"
    assert "Stop taking magnesium now and see a clinician." in clinician
    assert "before taking magnesium." not in clinician
    assert "Reason to see a clinician: your eGFR 25 (below 30): kidney disease (an eGFR" \
        in clinician
    assert "ask the clinician for a serum magnesium check" in clinician
    assert "levothyroxine" in clinician
    rec = json.loads(out.read_text())["recommendation"]
    assert rec["action"] == "refer" and rec["reason_codes"] == ["refer", "refer_stop"]
    assert rec["form"] is None and rec["elemental_mg_per_day"] is None
    # a rule, not an estimate: its zero P(constraint violation) is marked as no estimate
    assert rec["from_posterior"] is False and rec["expected_gain"] == {}
    assert any("30" in r or "kidney" in r.lower() or "egfr" in r.lower()
               for r in rec["reasons"])
    printed = capsys.readouterr().out
    assert "clinician" in printed
    # not a date to come back on: the next step is the clinician's
    assert "Look again: after a clinician has advised: while your profile gives this reason, " \
        "mgsleep suggests no new form or dose." in printed
    assert "<dt>Look again</dt><dd>after a clinician has advised" in report
    # told to stop, never "about N more nights on it to tell"
    assert "more nights on it" not in printed + report
    assert all(e["nights_needed"] is None for e in json.loads(out.read_text())["effects"])
    # no prior changes a safety rule: no sensitivity refits, and the reader is told why
    assert json.loads(out.read_text())["prior_sensitivity"] == []
    assert "a safety rule" in json.loads(out.read_text())["prior_sensitivity_skipped"]
    assert "Prior sensitivity: not checked: a safety rule" in printed
    assert "Prior sensitivity not checked: a safety rule" in report
    # the diary cannot tell magnesium from expectation; that is in the JSON, but a referral's
    # reader is not told about it: it has no bearing on "see a clinician"
    entangled = json.loads(out.read_text())["separability"]["reasons"]
    assert entangled
    assert not any(r[1:] in text for r in entangled for text in (clinician, printed, report))


def test_no_sensitivity_refits_while_the_period_holds_the_step(tmp_path, capsys):
    """A morning three nights into a regimen refitted the diary under three other priors
    (2-5 s each, most of a daily re-analysis) to say the only step open still held."""
    persona = dataclasses.replace(PERSONAS["responder"], schedule=Schedule((
        (Regimen(NONE), 14), (Regimen("glycinate", 200), 3))))
    diary, out = tmp_path / "diary.csv", tmp_path / "result.json"
    simulate_diary(persona, 17, seed=4).to_csv(diary, index=False)
    assert main(["analyze", str(diary), "--json", str(out), "--draws", "600", "--chains", "2",
                 "--seed", "1"]) == 0
    payload = json.loads(out.read_text())
    rec = payload["recommendation"]
    assert rec["action"] == "continue" and "forced" in rec["reason_codes"]
    assert all("waiting" in a["reason_codes"] for a in payload["alternatives"])
    assert payload["prior_sensitivity"] == []
    said = payload["prior_sensitivity_skipped"]
    assert said.startswith("not checked: the evaluation period, not the prior")
    assert f"until {rec['next_review']}" in said
    assert f"Prior sensitivity: {said}" in capsys.readouterr().out


def test_bad_diary_exits_2_and_writes_nothing(tmp_path, capsys):
    diary = tmp_path / "diary.csv"
    diary.write_text("date,form,elemental_mg,sol_min\n2026-01-01,glycinat,200,abc\n")
    out = tmp_path / "result.json"
    assert main(["analyze", str(diary), "--json", str(out)]) == 2
    err = capsys.readouterr().err
    assert "row 1, column form" in err and "row 1, column sol_min" in err
    assert not out.exists()
    assert diary.read_text().startswith("date,form")  # the input is never modified


def run_analyze(tmp_path, frame, name: str) -> tuple[dict, str]:
    """``mgsleep analyze`` (default draws) on a diary frame: the JSON and the report HTML."""
    diary, out, report = (tmp_path / f"{name}{ext}" for ext in (".csv", ".json", ".html"))
    frame.to_csv(diary, index=False)
    assert main(["analyze", str(diary), "--json", str(out), "--report", str(report),
                 "--seed", "1", "--no-cache"]) == 0
    return json.loads(out.read_text()), report.read_text(encoding="utf-8")


def sol_effect(result: dict, form: str) -> dict:
    return next(e for e in result["effects"]
                if e["form"] == form and e["outcome"] == "sol")


def test_responder_is_told_glycinate_works_in_minutes(tmp_path, capsys):
    """Issue 16: the responder (about 25 min faster on glycinate) reads `works`, in minutes."""
    result, report = run_analyze(tmp_path, simulate_diary("responder", 120, seed=1), "r")
    terminal = capsys.readouterr().out
    sol = sol_effect(result, "glycinate")
    change = sol["diary_change"]
    assert sol["verdict"] == "works" and change["unit"] == "min"
    assert change["ci_low"] < change["mean"] <= -sol["mcid"] < 0 < sol["p_beyond_mcid"]
    said = f"falling asleep {-change['mean']:.0f} min faster"
    assert f"{said} ({-change['ci_high']:.0f} to {-change['ci_low']:.0f} faster): works for you" \
        in terminal
    assert result["diagnostics"]["ok"]
    # the report's headline (the answer and its "Why", above the first section) says it too
    headline = report[report.index('class="answer"'):report.index("<h2>")]
    assert f"{said} ({-change['ci_high']:.0f} to {-change['ci_low']:.0f} faster): works for you" \
        in headline


def test_non_responder_after_a_crossover_is_not_told_it_works(tmp_path, capsys):
    """Issue 16: no effect of either form reads as no effect or as needing more nights."""
    frame = simulate_diary("non_responder", 98, seed=2)
    result, _ = run_analyze(tmp_path, frame, "n")
    terminal = capsys.readouterr().out
    now = history(read_diary(frame)).current.form     # none here: both forms were left
    for form in ("glycinate", "citrate"):
        sol = sol_effect(result, form)
        assert sol["verdict"] in ("no_meaningful_effect", "inconclusive"), sol
        # more nights to tell are counted on the form taken now only (/tmp/jJ F7)
        assert sol["verdict"] == "no_meaningful_effect" or sol["needs_placebo"] or (
            (sol["nights_needed"] is not None) == (form == now)), sol
    assert "works for you" not in terminal.split("What magnesium did")[1].split("citrate")[0]


def test_the_terminal_names_the_step_another_prior_leads_to():
    """A user audit: "changes under the sceptical prior (-> switch_form)" named no form,
    while the JSON and the report said malate."""
    from model.analysis.sensitivity import Sensitivity
    from model.report.how_sure import sensitivity_step as _step  # the page's too

    assert _step(Sensitivity("sceptical", "switch_form", "malate", 200.0, False,
                             "refit")) == "switch to malate 200 mg"
    assert _step(Sensitivity("confident", "stop", "none", 0.0, False, "refit")) == \
        "stop magnesium"
    assert _step(Sensitivity("confident", "refer", None, None, False, "refit")) == \
        "see a clinician"


def test_the_pdf_is_written_with_the_other_outputs_or_none_is(tmp_path, monkeypatch):
    """A contract audit: the PDF was written after the others, so a PDF that failed left the
    JSON and the report on disk; now every output is written together or none is."""
    diary = tmp_path / "diary.csv"
    simulate_diary("responder", 21, seed=4).to_csv(diary, index=False)
    json_out, pdf = tmp_path / "result.json", tmp_path / "summary.pdf"
    argv = ["analyze", str(diary), "--json", str(json_out), "--pdf", str(pdf),
            "--report", str(tmp_path / "report.html"), "--cache", str(tmp_path / "cache"),
            "--draws", "600", "--chains", "2", "--seed", "1", "--as-of", "2026-01-21"]

    def broken(page):
        raise RuntimeError("the printer caught fire")

    monkeypatch.setattr("model.report.clinician.pdf_bytes", broken)
    with pytest.raises(RuntimeError, match="caught fire"):
        main(argv)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache", "diary.csv"]
    monkeypatch.setattr("model.report.clinician.pdf_bytes", lambda page: b"%PDF-1.7 test")
    assert main(argv) == 0
    assert pdf.read_bytes() == b"%PDF-1.7 test" and json.loads(json_out.read_text())
    assert (tmp_path / "report.html").exists()
