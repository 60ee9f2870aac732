"""Loose ends of the day's changes: what the trailing-skip reading and the no-baseline rule said.

- ``mgsleep log`` after ``--form none``: the regimen's loose-stool alert is about the night
  logged, and that night took no magnesium (the decision still reads it as a night skipped).
- A trial plan's washout night is a planned stop, not a dose forgotten.
- A withdrawal begun on nights read as skipped: one count of its nights in every sentence.
"""

import re
import warnings

import pandas as pd
import pytest

from model.cli.main import main
from model.data.diary import read_diary
from model.decision import history
from model.evidence.priorset import load_priors
from tests.test_no_baseline import advise, on_magnesium, then_off


@pytest.fixture(scope="module")
def priors():
    return load_priors()


def _citrate_with_loose_stools(path):
    path.write_text("date,form,elemental_mg,sol_min,stool_bristol\n" + "".join(
        f"2024-03-{d:02d},citrate,300,20,{7 if d > 8 else 4}\n" for d in range(1, 11)))


def _logged(args) -> list[str]:
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        assert main(["log", *args]) == 0
    return [str(w.message) for w in seen]


def test_log_stops_the_regimen_alert_once_a_night_without_it_is_logged(tmp_path):
    diary = tmp_path / "open.csv"
    _citrate_with_loose_stools(diary)
    stop = "if they go on, stop citrate 300 mg"
    # the alert is said while citrate is taken ...
    assert any(stop in w for w in _logged([str(diary), "--date", "2024-03-10", "--sol", "20",
                                           "--replace"]))
    # ... not on the night off logged, nor on the next night logged with its sleep alone
    assert not any(stop in w for w in _logged([str(diary), "--date", "2024-03-11", "--form",
                                               "none", "--sol", "20", "--stool", "5"]))
    assert not any(stop in w for w in _logged([str(diary), "--date", "2024-03-12", "--sol",
                                               "25"]))
    # the decision still reads the two nights off as skipped: the alert is log's choice
    assert history(read_diary(diary)).skipped == 2
    # and citrate taken again brings it back (the loose stools are in the last 7 nights)
    assert any(stop in w for w in _logged([str(diary), "--date", "2024-03-13", "--form",
                                           "citrate", "--mg", "300", "--sol", "20",
                                           "--stool", "7"]))


def _with_notes(frame: pd.DataFrame, last: int, note: str) -> pd.DataFrame:
    frame = frame.assign(notes="")
    frame.loc[frame.index[-last:], "notes"] = note
    return frame


@pytest.mark.parametrize("off", [1, 2])
def test_a_planned_washout_night_is_a_stop_not_a_night_skipped(off):
    frame = then_off(on_magnesium(20, baseline=14), off)
    forgotten = history(read_diary(_with_notes(frame, off, "")))
    assert forgotten.skipped == off and forgotten.current.active
    planned = history(read_diary(_with_notes(frame, off, "washout")))
    assert planned.skipped == 0 and not planned.current.active


def test_a_withdrawal_after_nights_skipped_counts_its_nights_once(priors):
    """After 60 nights on glycinate and 2 off: the headline said "for 17 nights", the detail
    "15 nights off are enough" (and "no nights without magnesium"), the look 15 nights on."""
    made, as_of = advise(then_off(on_magnesium(60), 2), priors)
    rec = made.recommendation
    assert rec.action == "withdrawal" and "no_baseline" in rec.reason_codes
    to_come = (rec.next_review - as_of).days - 1             # nights before the look
    said = re.match(r"Stop glycinate 200 mg for (\d+) more nights \((\d+) nights off with "
                    r"your last 2 nights\), then take it again", rec.reasons[0])
    assert said is not None, rec.reasons[0]
    assert (int(said[1]), int(said[2])) == (to_come, to_come + 2)
    why = next(r for r in rec.reasons if r.startswith("A rule, before"))
    assert f"{to_come + 2} nights off (your last 2 nights and {to_come} more) are enough" in why
    assert "has only 2 nights without magnesium, too few to compare with" in why
    # without nights skipped: one number, the nights to the look
    made, as_of = advise(on_magnesium(60), priors)
    rec = made.recommendation
    to_come = (rec.next_review - as_of).days - 1
    assert rec.reasons[0].startswith(f"Stop glycinate 200 mg for {to_come} nights, then take")
    why = next(r for r in rec.reasons if r.startswith("A rule, before"))
    assert "has no nights without magnesium" in why and f" {to_come} nights off are" in why
