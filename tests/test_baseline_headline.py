"""The headline's words for the baseline rules' steps (/tmp/w50/b F-1 F-5, /tmp/w50/a F3).

1. B F-5: a break kept going was headlined "Keep your current routine and record more nights
   before changing anything" and "How sure: ... more nights here would teach little" beside
   "Stay without magnesium for 6 more nights ... those nights will tell".
2. B F-1: the withdrawal of a stale baseline had the why "To learn: nights off show whether
   magnesium helped, or time alone", not when the last nights off were.
3. A F3: the return to citrate after its counted break had the why "On citrate so far: ...
   not settled yet", not that the break counted and citrate looks to help.
4. One bar of "looks to help" (``LOOKS_TO_HELP``), one reading of the break under way
   (``OffNights``) in the report.

The decisions are made on toy posteriors (no fit), as tests/test_baseline_breaks.py makes
them; the headline's words are read off them, and are the decision's own (the JSON's reasons).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from model.core.regimen import NO_MAGNESIUM
from model.data.diary import read_diary
from model.data.profile import Profile
from model.decision import decide
from model.decision.baseline import BASELINE_HORIZON
from model.decision.results import Recommendation, Scores
from model.decision.settings import LOOKS_TO_HELP
from model.evidence.priorset import load_priors
from model.report import left_behind as left_behind_module
from model.report.advice import UNCHECKED_FIRST, what_to_do
from model.report.break_words import break_showed, stay_off
from model.report.headline import _what, _why
from model.report.how_sure import BREAK_SURE, how_sure
from model.report.left_behind import left_behind
from tests.test_baseline_breaks import GLY, YEAR, break_of, diary, tried
from tests.test_no_baseline import entangled, with_onset


@pytest.fixture(scope="module")
def priors():
    return load_priors()


def analysed(frame: pd.DataFrame, priors, model=None, separable: bool | None = False,
             days: float = 10.0) -> SimpleNamespace:
    """What the headline reads of an analysis: the decision on ``frame`` as of its last night."""
    data = read_diary(frame)
    as_of = dt.date.fromisoformat(frame["date"].iloc[-1])
    decision = decide(with_onset(model or entangled(), days), priors=priors, diary=data,
                      as_of=as_of, separable=separable)
    return SimpleNamespace(
        diary=data, as_of=as_of, decision=decision, profile=Profile(),
        separability=SimpleNamespace(separable=separable),
        fit=SimpleNamespace(diagnostics_=SimpleNamespace(ok=True), priors_=priors,
                            draws_={"tau": np.full(400, days)}),
        effects=SimpleNamespace(by_regimen=(), placebo_nights=0))


# --- 1. B F-5: a break kept going -----------------------------------------------------------


def test_a_break_kept_going_is_headlined_with_its_nights_and_what_they_tell(priors):
    result = analysed(break_of(5), priors)
    rec = result.decision.recommendation
    assert "break_under_way" in rec.reason_codes
    what, why = _what(result), _why(result)
    assert what == ("Stay without magnesium for 2 more nights: your break from glycinate "
                    "200 mg then counts as a withdrawal, which tells whether glycinate 200 mg "
                    "still helps you.")
    assert why.startswith(f"Your break began on {result.as_of - dt.timedelta(days=4)} (5 "
                          "nights so far), and 7 nights off, written every night, are what the "
                          "next analysis needs to count it as a withdrawal;")
    assert f"{what} {why}" == rec.reasons[0]       # the decision's words, as the JSON has them
    sure = how_sure(rec)
    assert sure == BREAK_SURE and "teach little" not in sure
    assert "once the break counts as a withdrawal, they tell whether" in sure
    assert "Keep your current routine" not in what and "To learn" not in why


def test_staying_without_magnesium_for_now_is_no_break_kept_going():
    """"Stay without magnesium for now." begins as a break's words do: the code decides."""
    scores = Scores({}, 0.0, 0.5, 0.0, 0.0, 0.0, 0.0)
    stay = Recommendation("continue", NO_MAGNESIUM, scores, False, dt.date(2026, 11, 7),
                          ("Stay without magnesium for now.",), (), ("best_expected",))
    assert stay_off(stay) == ("", "")
    kept = replace(stay, action="collect_more_data", regimen=None,
                   reasons=("Stay without magnesium for 1 more night: X. Y. Z.",),
                   reason_codes=("break_under_way", "withdrawal_test", "not_checked"))
    assert stay_off(kept) == ("Stay without magnesium for 1 more night: X.", "Y. Z.")
    assert what_to_do(kept) == f"Stay without magnesium for 1 more night: X. {UNCHECKED_FIRST}"


# --- 2. B F-1: a stale baseline's withdrawal --------------------------------------------------


def test_a_stale_baseline_says_when_the_last_nights_off_were(priors):
    result = analysed(diary(("", 14), ("glycinate", BASELINE_HORIZON + 10), start=YEAR), priors)
    rec = result.decision.recommendation
    assert rec.action == "withdrawal" and "stale_baseline" in rec.reason_codes
    clause = ("your last nights without magnesium were 2026-01-01 to 2026-01-14, about 6 "
              "months ago: whether glycinate 200 mg still helps you, rather than your sleep's "
              "own course since, only nights off can tell")
    assert _why(result) == f"{clause} (`mgsleep plan --blind` prepares a blinded version)."
    assert clause in " ".join(rec.reasons)          # the decision's own words
    assert "to learn" not in _why(result)


# --- 3. A F3: the return after a counted withdrawal -------------------------------------------


def test_a_return_says_the_break_counted_and_the_regimen_looks_to_help(priors):
    result = analysed(diary(("glycinate", 30), ("", 20)), priors, tried(0.45), separable=True)
    rec = result.decision.recommendation
    assert rec.reason_codes == ("withdrawal_return",) and rec.regimen == GLY
    why = _why(result)
    assert why.startswith("your break from glycinate 200 mg counts as a withdrawal (20 nights "
                          "off since ")
    assert why.endswith("and glycinate 200 mg looks to help you (P(better than staying off) "
                        "0.91, from 0.80), so you take it again, as a withdrawal returns to its "
                        "regimen.")
    assert why[:1].upper() + why[1:-1] in " ".join(rec.reasons)     # the decision's words
    assert "so far:" not in why
    # nothing given up is said beside it: neither "You do not restart" nor the break's effect
    assert left_behind(result) == "" and break_showed(result) == ""


# --- 4. one definition each -------------------------------------------------------------------


def test_looks_to_help_is_the_decision_s_bar():
    assert not hasattr(left_behind_module, "LEFT_HELPING")
    assert left_behind_module.LOOKS_TO_HELP is LOOKS_TO_HELP


def test_a_return_names_what_drives_it_when_something_does(priors, monkeypatch):
    """A restart after a flat break was advised for its awakenings and the Why did not say so
    (/tmp/w51/c C8): the return's words end with the step's driver when it has one."""
    from model.report import headline

    result = analysed(diary(("glycinate", 30), ("", 20)), priors, tried(0.45), separable=True)
    monkeypatch.setattr(headline, "_driver", lambda _: "it matters most for 0.8 fewer "
                        "awakenings a night (2.2 fewer to 0.6 more) against now")
    assert _why(result).endswith("as a withdrawal returns to its regimen; it matters most for "
                                 "0.8 fewer awakenings a night (2.2 fewer to 0.6 more) against "
                                 "now.")
