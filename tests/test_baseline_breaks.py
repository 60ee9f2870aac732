"""The withdrawals a decision owes (model/decision/baseline.py): a stale baseline, the return a
withdrawal promised, a break under way. Known answers with a toy posterior, no fit.

1. /tmp/w50/b F-1: a person committed to taurate for months whose only nights off were ten
   months old was told "Continue" every look, never offered nights off: a baseline older
   than ``BASELINE_HORIZON`` nights is no baseline; the withdrawal comes first.
2. /tmp/w50/a F3, F6: "Stop citrate 300 mg for 17 nights, then take it again" was followed by
   "Start glycinate 200 mg": once the break counts, a regimen that looks to help is taken
   again.
3. /tmp/w50/b F-5: seven nights into a break the caution asked to finish, the advice started
   a form at P 0.53: a break that one period more makes a withdrawal is finished first.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from model.core.forms import FORMS
from model.core.regimen import Regimen
from model.data.diary import read_diary
from model.data.profile import Profile
from model.decision import DecisionSettings, decide, history
from model.decision.baseline import BASELINE_HORIZON, OffNights, stale
from model.decision.rules import nights_until
from model.evidence.priorset import load_priors
from model.personal.separability import separability
from model.personal.withdrawal import MIN_OFF_NIGHTS, MIN_ON_NIGHTS
from model.testing import FakePosterior
from tests.test_no_baseline import START, entangled, nights, with_onset, withdrawal_nights

GLY = Regimen("glycinate", 200)


@pytest.fixture(scope="module")
def priors():
    return load_priors()


def diary(*runs: tuple[str, int], start: pd.Timestamp = START) -> pd.DataFrame:
    """Consecutive runs of (form, nights) from ``start``: "" is none, a form is 200 mg."""
    frames, day = [], start
    for k, (form, n) in enumerate(runs):
        frames.append(nights(n, form, 200 if form else 0, start=day, seed=k + 1))
        day += pd.Timedelta(days=n)
    return pd.concat(frames, ignore_index=True)


def advise(frame: pd.DataFrame, priors, model=None, separable: bool | None = False,
           days: float = 10.0, **kw):
    """The decision on ``frame`` as of its last night, with a build-up of ``days`` per draw."""
    as_of = dt.date.fromisoformat(frame["date"].iloc[-1])
    predict = with_onset(model or entangled(), days)
    return decide(predict, priors=priors, diary=read_diary(frame), as_of=as_of,
                  separable=separable, **kw).recommendation, as_of


def tried(glycinate: float) -> FakePosterior:
    """Glycinate's effect known from the diary's nights; untried forms promising but unknown."""
    return FakePosterior(n_draws=1000, benefit={**dict.fromkeys(FORMS, 0.3),
                                                "glycinate": glycinate},
                         known={"glycinate": 0.25}, benefit_sd=0.3)


YEAR = pd.Timestamp("2026-01-01")
"""Diaries of more than half a year start here (their nights before today's date)."""


# --- 1. a stale baseline ------------------------------------------------------------------------


def test_a_baseline_older_than_the_horizon_gets_a_withdrawal_first(priors):
    old = diary(("", 14), ("glycinate", BASELINE_HORIZON + 10), start=YEAR)
    for separable in (False, True):      # an old withdrawal makes a diary separable for ever
        rec, as_of = advise(old, priors, separable=separable)
        assert rec.action == "withdrawal", (separable, rec.reason_codes)
        assert {"stale_baseline", "withdrawal_test"} <= set(rec.reason_codes)
        assert "no_baseline" not in rec.reason_codes and not rec.commit
        assert withdrawal_nights(rec) == nights_until(rec.next_review, as_of)   # words, date
        said = " ".join(rec.reasons)
        assert ("your last nights without magnesium were 2026-01-01 to 2026-01-14, about 6 "
                "months ago: whether glycinate 200 mg still helps you, rather than your "
                "sleep's own course since, only nights off can tell") in said
        assert "no nights without magnesium" not in said


def test_the_horizon_is_the_line(priors):
    """The same diary ten nights younger has its baseline within the horizon: no rule."""
    recent = diary(("", 14), ("glycinate", BASELINE_HORIZON - 10), start=YEAR)
    for separable in (False, True):
        rec, _ = advise(recent, priors, separable=separable)
        assert not {"stale_baseline", "no_baseline"} & set(rec.reason_codes)
        assert rec.action != "withdrawal"


def test_a_few_recent_nights_off_are_no_baseline_and_are_said(priors):
    frame = diary(("", 14), ("glycinate", 100), ("", 2), ("glycinate", 100), start=YEAR)
    past = history(read_diary(frame))
    off = OffNights.read(read_diary(frame), past.last_night)
    assert off.recent == 2 < MIN_OFF_NIGHTS and stale(past, off)
    rec, _ = advise(frame, priors)
    assert "stale_baseline" in rec.reason_codes
    assert "within the last 180 nights only 2, too few to compare with" in " ".join(rec.reasons)


def test_safety_comes_first_for_a_stale_baseline(priors):
    old = diary(("", 14), ("glycinate", BASELINE_HORIZON + 10), start=YEAR)
    hard = old.assign(anxiety=3)
    hard.loc[hard.index[-6:], "anxiety"] = 9
    rec, _ = advise(hard, priors)
    assert "hard_week" in rec.reason_codes and rec.action != "withdrawal"
    refer, _ = advise(old, priors, profile=Profile(egfr=25))
    assert refer.action == "refer"
    harmful = FakePosterior(n_draws=1000, benefit={"glycinate": -1.5}, benefit_sd=0.05)
    harm, _ = advise(old, priors, harmful)
    assert "harm" in harm.reason_codes and harm.action != "withdrawal"


# --- 3. a break under way -----------------------------------------------------------------------


def break_of(off: int, on: int = 60) -> pd.DataFrame:
    """A baseline, ``on`` nights of glycinate 200 mg, then ``off`` nights without, to now."""
    return diary(("", 14), ("glycinate", on), ("", off))


@pytest.mark.parametrize(("days", "needed"), [(10.0, 7), (30.0, 21)])
def test_a_break_under_way_is_finished_before_any_step(priors, days, needed):
    taus = {"tau": np.full(100, days)}
    frame = break_of(5)
    assert separability(read_diary(frame), taus).off_nights_needed == needed
    rec, as_of = advise(frame, priors, days=days)
    assert rec.action == "collect_more_data" and rec.regimen is None
    assert {"break_under_way", "withdrawal_test"} <= set(rec.reason_codes)
    assert rec.reasons[0].startswith(
        f"Stay without magnesium for {needed - 5} more nights: your break from glycinate "
        "200 mg then counts as a withdrawal, which tells whether glycinate 200 mg still helps "
        f"you. Your break began on {as_of - dt.timedelta(days=4)} (5 nights so far), and "
        f"{needed} nights off, written every night, are what the next analysis needs to count "
        "it as a withdrawal;")
    assert nights_until(rec.next_review, as_of) == needed - 5     # the words and the date
    done = pd.concat([frame, nights(needed - 5, "", 0, start=pd.Timestamp(as_of)
                                    + pd.Timedelta(days=1), seed=9)], ignore_index=True)
    assert separability(read_diary(done), taus).withdrawals == 1       # and then it counts


@pytest.mark.parametrize(("off", "asked"), [(3, True), (7, True), (8, False)])
def test_a_break_of_a_week_or_less_says_what_to_do_if_the_doses_were_forgotten(priors, off,
                                                                                asked):
    """Three forgotten nights were told to stay off as a withdrawal, never asked if meant
    (an outside audit of people who do not follow the advice, /tmp/w57/n N4)."""
    rec, _ = advise(break_of(off), priors, days=30.0)
    assert "break_under_way" in rec.reason_codes
    said = ("If you did not mean to stop, take glycinate 200 mg again tonight: nights "
            "forgotten are no break, and the advice goes on from it.")
    assert rec.reasons[0].endswith(said) is asked


def test_no_break_is_held_where_it_should_not_be(priors):
    # a stop after fewer than MIN_ON_NIGHTS nights on it (the GI rule's, harm's) is no withdrawal
    short = diary(("", 14), ("glycinate", MIN_ON_NIGHTS - 4), ("", 5))
    rec, _ = advise(short, priors)
    assert "break_under_way" not in rec.reason_codes
    # a separable diary with a recent withdrawal: nothing to finish
    separated = diary(("", 14), ("glycinate", 30), ("", 14), ("glycinate", 30), ("", 5))
    rec, _ = advise(separated, priors, separable=True)
    assert "break_under_way" not in rec.reason_codes
    # a break that one period more would not make a withdrawal (21 needed, 3 off, period 14)
    far = break_of(3)
    rec, _ = advise(far, priors, days=30.0, settings=DecisionSettings(period_from_kinetics=False))
    assert "break_under_way" not in rec.reason_codes


# --- 2. the return after a withdrawal -----------------------------------------------------------


def test_after_a_counted_withdrawal_a_regimen_that_helps_is_taken_again(priors):
    """The audit's case: glycinate looks to help (P 0.91 better than staying off, restarting
    it expected +2.61); the crossover started taurate (+1.55) "to learn"."""
    after = diary(("glycinate", 30), ("", 20))            # its withdrawal, counted
    assert separability(read_diary(after)).withdrawals == 1
    rec, as_of = advise(after, priors, tried(0.45), separable=True)
    assert rec.action == "start" and rec.regimen == GLY
    assert rec.reason_codes == ("withdrawal_return",) and not rec.commit
    said = " ".join(rec.reasons)
    assert "Your break from glycinate 200 mg counts as a withdrawal (20 nights off since" in said
    assert ("and glycinate 200 mg looks to help you (P(better than staying off) 0.91, from "
            "0.80)") in said
    assert "so you take it again" in said
    assert f"Take glycinate 200 mg for {nights_until(rec.next_review, as_of)} nights" in said


def test_a_regimen_that_does_not_look_to_help_is_not_returned_to(priors):
    after = diary(("glycinate", 30), ("", 20))
    rec, _ = advise(after, priors, tried(0.0), separable=True)
    assert "withdrawal_return" not in rec.reason_codes
    assert "crossover" in rec.reason_codes and rec.regimen != GLY     # it goes on, as before
