"""A plan says what its periods cannot do, and the Python API says what ``mgsleep plan`` says.

Outside audits: ``plan --period-days 10`` planned 10-night periods with no word that they are
not whole weeks, build up less of the effect than the analysis waits for, and are too short
for a stop after them to count as a withdrawal; ``plan_trial(blind=True, seed=1)`` was silent
where the command warned that the seed remakes the pot codes (and a notebook taught it); the
help restated the default washout as "14" instead of computing it.
"""

import datetime as dt
import inspect
import json

import pytest

from model.cli.main import build_parser, main
from model.personal.withdrawal import MIN_ON_NIGHTS
from model.trial import periods
from model.trial.design_notes import SEEDED_BLIND
from model.trial.plan import plan_trial

START = dt.date(2026, 12, 7)
FORMS = ["glycinate", "taurate"]


def test_ten_night_periods_are_named_with_what_to_do_and_the_default_plan_has_none():
    short = plan_trial(FORMS, start=START, seed=1, period_days=10, washout_days=5,
                       baseline_days=10).design_notes()
    said = "\n".join(short)
    assert f"10 nights on magnesium in a treatment period are under the {MIN_ON_NIGHTS}" in said
    assert "treatment periods of 10 nights are shorter than the 14" in said
    assert "10 nights build up 63%" in said
    assert ("the baseline (10 nights), treatment periods (10 nights) and washouts (5 nights) "
            "are not whole weeks") in said
    assert said.count("give --period-days 14 or more") == 2 and "give whole weeks" in said
    default = plan_trial(FORMS, start=START, seed=1).design_notes()
    assert [n for n in default if n.startswith("Design:")] == []
    assert len(default) == 1 and default[0].startswith("Taking magnesium now?")


def test_only_the_periods_that_are_not_whole_weeks_are_named():
    notes = plan_trial(FORMS, start=START, seed=1, washout_days=10).design_notes()
    weeks = [n for n in notes if "not whole weeks" in n]
    assert len(weeks) == 1 and weeks[0].startswith("Design: washouts (10 nights) are not")
    assert weeks[0].endswith("(7, 14, 21 nights: --washout-days).")
    assert not any("a withdrawal needs" in n or "build up" in n for n in notes)


def test_titration_nights_count_towards_the_nights_on_a_withdrawal_needs():
    """Two 100 mg-steps and 10 nights at the target: 24 nights on, a stop after them counts."""
    notes = plan_trial(FORMS, start=START, seed=1, period_days=10, dose_mg=300,
                       titration=True).design_notes()
    assert not any("a withdrawal needs" in n for n in notes)
    assert any("treatment periods of 10 nights are shorter" in n for n in notes)


def test_the_api_gives_the_blind_and_seed_and_far_start_cautions():
    seeded = plan_trial(FORMS, start=START, blind=True, seed=1, today=START)
    assert seeded.cautions == (SEEDED_BLIND,)
    assert plan_trial(FORMS, start=START, blind=True, today=START).cautions == ()
    assert plan_trial(FORMS, start=START, seed=1, today=START).cautions == ()
    far = plan_trial(FORMS, start=START, seed=1, today=START + dt.timedelta(days=365))
    assert far.cautions == ("the plan starts on 2026-12-07, 365 nights before today "
                            "(2027-12-07): is the date right?",)


def test_the_command_prints_the_cautions_and_notes_the_plan_carries(tmp_path, capsys):
    args = ["plan", "--forms", "glycinate,taurate", "--blind", "--seed", "1", "--start",
            "2026-01-05", "--period-days", "10", "--out", str(tmp_path / "d.csv"),
            "--json", str(tmp_path / "p.json")]
    assert main(args) == 0
    captured = capsys.readouterr()
    plan = plan_trial(FORMS, start=dt.date(2026, 1, 5), blind=True, seed=1, period_days=10)
    assert captured.err.splitlines() == [f"mgsleep plan: warning: {c}" for c in plan.cautions]
    assert len(plan.cautions) == 2
    assert all(note in captured.out for note in plan.design_notes())
    payload = json.loads((tmp_path / "p.json").read_text())
    assert payload["cautions"] == list(plan.cautions)
    assert payload["design_notes"] == list(plan.design_notes())


def test_the_help_says_the_computed_default_washout(monkeypatch, capsys):
    monkeypatch.setattr(periods, "withdrawal_washout", lambda: 21)
    with pytest.raises(SystemExit):
        main(["plan", "--help"])
    said = " ".join(capsys.readouterr().out.split())
    assert "from the priors' build-up time: 21)" in said and "withdrawal, 14" not in said
    plan = plan_trial(["glycinate"], start=START, seed=1)
    assert [p.nights for p in plan.periods if p.kind == "washout"] == [21]


def test_the_plan_defaults_are_written_once():
    parsed = build_parser().parse_args(["plan", "--forms", "glycinate"])
    given = {"dose_mg": parsed.dose, "baseline_days": parsed.baseline_days,
             "period_days": parsed.period_days, "cycles": parsed.cycles,
             "washout_days": parsed.washout_days}
    signature = inspect.signature(plan_trial).parameters
    assert given == {name: signature[name].default for name in given}
    assert given == {"dose_mg": periods.DOSE_MG, "baseline_days": periods.BASELINE_DAYS,
                     "period_days": periods.PERIOD_DAYS, "cycles": periods.CYCLES,
                     "washout_days": None}
