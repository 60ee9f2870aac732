"""'Settled' and 'worse on what counts most' said only where the numbers say them (second round).

An outside audit (/tmp/w51/c):

- C7: the HTML scores table said "settled: yes" at P(best) 0.44 beside How sure's "Not sure",
  and a pathway read "continue taurate 200 mg or raise the dose ..., too close to call (settled
  among the forms and doses tried ...)".
- C9: "(kept by the trial's design, not settled)" was said of "stop magnesium" and "switch to
  glycinate 200 mg", steps that keep nothing.
- C8: "It is expected slightly worse on what counts most for you: evening anxiety 0.1 points
  higher (1.3 lower to 1.6 higher)" beside a restart at expected utility +0.02.
- C12: a Monday to Thursday taker was told "take it on Friday and Saturday nights too", his
  Sunday nights off left unsaid.
- C13: "a blinded placebo period would test that" with 13 placebo nights in the diary.

No fit: hand-built pathways, recommendations, steps, effects and diaries.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from model.analysis.effects import DiaryEffect
from model.analysis.pathways import Pathway, Step
from model.core.regimen import NO_MAGNESIUM, Regimen
from model.data.night_levels import RawNights
from model.evidence.priorset import load_priors
from model.report.pathway_words import CLOSE_CALL, pathway_line, pathway_lines
from tests.test_weekday_shift import _weekday_reasons, _weeks_on
from tests.test_why_driver_words import _analysis, _step

BY_DESIGN_KEPT = " (kept by the trial's design, not settled)"
BY_DESIGN_OVER = " (the planned comparison is over; not settled)"
TAURATE = Regimen("taurate", 200)
GLYCINATE = Regimen("glycinate", 200)


@pytest.fixture(scope="module")
def priors():
    return load_priors()


# --- C7: "settled" only where How sure would call it sure ------------------------------------

def _rec(p_best: float, codes: tuple[str, ...] = ("commit",), commit: bool = True):
    return SimpleNamespace(p_best=p_best, reason_codes=codes, commit=commit)


def test_the_scores_table_says_not_sure_below_the_sure_line():
    from model.report.html import BY_DESIGN_CELL, _settled_cell

    assert _settled_cell(_rec(0.44)) == "no: not sure (P(best) 0.44)"     # the audit's look 5
    assert _settled_cell(_rec(0.91)) is True                              # sure: "yes"
    assert _settled_cell(_rec(0.44, ("learn",), commit=False)) is False
    assert _settled_cell(_rec(0.30, ("commit", "by_design"))) == BY_DESIGN_CELL


def _close_call(codes: tuple[str, ...], sure: bool = True) -> Pathway:
    """As expected: continue taurate 200 mg, or raise the dose: a close call."""
    return Pathway("as_expected", TAURATE, 0.1, "continue", TAURATE, codes,
                   (Step("increase_dose", Regimen("taurate", 300), ("learn",)),), sure)


@pytest.mark.parametrize("sure", [True, False])
@pytest.mark.parametrize("codes", [("commit",), ("commit", "expectation_not_separable")])
def test_a_close_call_is_never_said_settled(codes, sure):
    line = pathway_line(_close_call(codes, sure))
    assert line == ("if it goes as expected: continue taurate 200 mg or raise the dose to "
                    f"taurate 300 mg, {CLOSE_CALL}")
    assert "settled" not in line and "not sure" not in line


# --- C9: "kept by the trial's design" only of a step that keeps --------------------------------

@pytest.mark.parametrize(("action", "regimen", "note"), [
    ("stop", NO_MAGNESIUM, BY_DESIGN_OVER), ("switch_form", GLYCINATE, BY_DESIGN_OVER),
    ("continue", TAURATE, BY_DESIGN_KEPT), ("collect_more_data", TAURATE, BY_DESIGN_KEPT)])
def test_the_trials_design_keeps_only_a_step_that_keeps(action, regimen, note):
    path = Pathway("badly", TAURATE, -0.2, action, regimen, ("commit", "by_design"), (), False)
    line = pathway_line(path)
    assert line.endswith(note)
    assert ("kept by" in line) == (action in ("continue", "collect_more_data"))


def test_three_stops_at_the_trials_end_share_the_note_of_a_change():
    paths = tuple(Pathway(s, TAURATE, b, "stop", NO_MAGNESIUM, ("commit", "by_design"), (), False)
                  for s, b in (("badly", -0.2), ("as_expected", 0.0), ("well", 0.2)))
    assert pathway_lines(paths) == [f"whichever way it goes: stop magnesium{BY_DESIGN_OVER}"]


# --- C8: "worse on what counts most" only when likely worse and not negligible -----------------

def test_a_near_zero_change_on_what_counts_most_is_no_cost(priors):
    from model.report.trade_words import against_most

    # the audit's restart: anxiety 0.1 points higher (1.3 lower to 1.6 higher), EU +0.02
    restart = _step("start", {"anxiety": -0.14, "awakenings": 0.8, "quality": -0.12},
                    utility=0.02, regimen=GLYCINATE, spread=1.45)
    assert against_most(_analysis(restart, priors, codes=("withdrawal_return",))) == ""
    # likely worse (P 0.95) but a fifth of the 1.6 points that matter: negligible
    small = _step("start", {"anxiety": -0.3, "awakenings": 0.8}, utility=0.02, spread=0.3)
    assert against_most(_analysis(small, priors)) == ""
    # half the MCID, but as likely as not (P 0.69 it is worse): not said either
    even = _step("start", {"anxiety": -0.5, "awakenings": 0.8}, utility=0.02, spread=1.65)
    assert against_most(_analysis(even, priors)) == ""


def test_a_likely_and_sizeable_loss_on_what_counts_most_is_still_said(priors):
    from model.report.trade_words import against_most, p_worse

    likely = _step("start", {"anxiety": -0.6, "awakenings": 0.8}, utility=0.02, spread=0.8)
    assert p_worse(likely, "anxiety") == pytest.approx(0.89, abs=0.01)
    assert against_most(_analysis(likely, priors)) == (
        " It is expected slightly worse on what counts most for you: evening anxiety 0.6 points "
        "higher (0.2 lower to 1.4 higher) against now.")


# --- C12: the whole run of days off is named ---------------------------------------------------

def test_a_monday_to_thursday_taker_is_told_of_friday_to_sunday():
    reasons = _weekday_reasons([False] * 14 + _weeks_on(8, off_days=(4, 5, 6)))
    assert len(reasons) == 1
    assert reasons[0].startswith("your nights without magnesium were mostly Friday to Sunday "
                                 "nights (30 of 38, against 0 of the 32 nights with it)")
    assert reasons[0].endswith("take it on Friday to Sunday nights too, or skip it on other "
                               "nights of the week as well")


def test_a_single_day_off_is_not_widened():
    reasons = _weekday_reasons([False] * 14 + _weeks_on(7, off_days=(6,)))
    assert "often Sunday nights (9 of 21," in reasons[0]


# --- C13: a placebo period is asked for only while the diary lacks one ------------------------

def _contrary(placebo: int) -> DiaryEffect:
    """Anxiety 1.0 lower on taurate, its nights 2 points higher than those without."""
    return DiaryEffect("taurate", "anxiety", TAURATE, 20, "points", -1.0, -2.0, 0.1, 0.9, 0.3,
                       0.0, 1.6, "inconclusive", raw=RawNights(5.0, 7.0, 0.3, placebo))


@pytest.mark.parametrize(("placebo", "ends"), [
    (0, "a blinded placebo period would test that)"),
    (3, "a blinded placebo period would test that)"),
    (13, "more placebo nights than your 13 would test that further)")])
def test_a_placebo_period_is_asked_for_only_below_the_placebo_nights_needed(placebo, ends):
    from model.report.effect_words import effect_line

    line = effect_line(_contrary(placebo))
    assert "the model credits that difference to taking anything" in line
    assert line.endswith(ends)
    assert np.char.count(line, "placebo period") == (placebo < 7)


def test_the_raw_nights_count_the_placebo_nights_with_the_outcome_written():
    """What the words read the placebo nights from: the diary's own (the analysis path)."""
    from model.data.diary import read_diary
    from model.data.night_levels import raw_nights

    frame = pd.DataFrame({"date": pd.date_range("2026-03-01", periods=30).strftime("%Y-%m-%d"),
                          "form": ["none"] * 10 + ["placebo"] * 8 + ["taurate"] * 12,
                          "elemental_mg": [0] * 18 + [200] * 12,
                          "sol_min": [30.0] * 30, "anxiety": [5.0] * 17 + [None] + [4.0] * 12})
    nights = read_diary(frame, warn=False).nights
    assert raw_nights(nights, "anxiety", TAURATE, 7).placebo == 7
    assert raw_nights(nights, "sol_min", TAURATE, 7).placebo == 8
