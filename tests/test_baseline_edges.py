"""The baseline rules at their edges (model/decision/baseline.py): a second-round audit.

1. /tmp/w50/c C5: a stop for loose stools after 20 nights on citrate was held 9 nights as a
   withdrawal "which tells whether citrate 300 mg still helps you", while a return to citrate
   was blocked by its GI trouble: no break is held from a regimen it could not go back to.
2. /tmp/w50/c C8: the return ignored the other-change hold (sertraline begun during the
   break) and the hard-week hold; each branch of the baseline rules under both holds.
3. /tmp/w50/c C10: the person's own placebo period, 5 nights in, was ended by "Switch to
   taurate ... to learn" beside the caution asking for 7 placebo nights: it is kept going.
4. /tmp/w50/c C4: glycinate, best expected and "probably helps", was not taken again after its
   counted break because P(better than staying off) over all outcomes was 0.71 < 0.8.
5. /tmp/w50/c C6: "Your break began on 2026-12-02" of a diary whose last glycinate night was
   16 unwritten nights before.

Known answers with toy posteriors (no fit), as tests/test_baseline_breaks.py makes them.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from model.core.forms import FORMS
from model.core.regimen import NO_MAGNESIUM
from model.data.diary import read_diary
from model.data.profile import Profile
from model.decision import history
from model.decision.baseline import OffNights, lead_of
from model.decision.baseline_words import returned_words
from model.decision.rules import nights_until
from model.decision.settings import LOOKS_TO_HELP
from model.evidence.priorset import load_priors
from model.personal.separability import MIN_PLACEBO_NIGHTS, separability
from model.report.advice import what_to_do
from model.report.how_sure import PLACEBO_SURE, how_sure
from model.testing import FakePosterior
from tests.test_baseline_breaks import GLY, YEAR, advise, break_of, diary, tried
from tests.test_no_baseline import nights, on_magnesium

HOLDS = {"hard_week", "other_change"}


@pytest.fixture(scope="module")
def priors():
    return load_priors()


def then(frame: pd.DataFrame, n: int, form: str = "", mg: float = 0, gap: int = 0,
         seed: int = 7) -> pd.DataFrame:
    """``frame`` followed, after ``gap`` unwritten nights, by ``n`` nights of ``form``."""
    start = pd.Timestamp(frame["date"].iloc[-1]) + pd.Timedelta(days=1 + gap)
    return pd.concat([frame, nights(n, form, mg, start=start, seed=seed)], ignore_index=True)


def hard_week(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with very high anxiety on its last six nights (a hard week)."""
    hard = frame.assign(anxiety=3)
    hard.loc[hard.index[-6:], "anxiety"] = 9
    return hard


def other_change(frame: pd.DataFrame, back: int = 5) -> pd.DataFrame:
    """``frame`` with another change in the person's life ``back`` nights before its last."""
    changed = frame.assign(other_change="")
    changed.loc[changed.index[-1 - back], "other_change"] = "started CBT-I"
    return changed


# --- 1. no break held from a regimen it could not go back to -------------------------------------


def test_a_stop_for_gi_trouble_is_no_break_to_hold(priors):
    """20 nights of glycinate, loose stools on two of its nights (GI trouble, not over, but
    not in the last week: no acute rule), then 3 nights off: the same diary without the
    loose stools is held; with them it is not, and nothing says to stay off to learn."""
    clean = diary(("", 14), ("glycinate", 20), ("", 3))
    rec, _ = advise(clean, priors)
    assert "break_under_way" in rec.reason_codes            # the hold, where it belongs
    loose = clean.copy()
    loose.loc[loose.index[14 + 10], "stool_bristol"] = 7
    loose.loc[loose.index[14 + 12], "stool_bristol"] = 7
    past = history(read_diary(loose))
    assert GLY in past.gi_troubled and past.recent_gi_nights == 0
    rec, _ = advise(loose, priors)
    assert "break_under_way" not in rec.reason_codes
    assert not any("then counts as a withdrawal" in r for r in rec.reasons)


def test_a_stop_from_a_regimen_a_hard_rule_now_blocks_is_no_break_to_hold(priors):
    """The profile's ceiling (100 mg) or its excluded forms leave no way back to glycinate
    200 mg: the break teaches nothing to act on."""
    frame = break_of(5)
    for profile in (Profile(max_elemental_mg=100), Profile(excluded_forms=("glycinate",))):
        rec, _ = advise(frame, priors, profile=profile)
        assert "break_under_way" not in rec.reason_codes, profile


# --- 2. the holds and the baseline rules' three branches -----------------------------------------


def counted(model: FakePosterior, frame: pd.DataFrame, priors, **kw):
    """The decision on a diary whose break from glycinate counts (separable)."""
    assert separability(read_diary(frame)).withdrawals == 1
    return advise(frame, priors, model, separable=True, **kw)[0]


@pytest.mark.parametrize("held", [hard_week, other_change])
def test_the_return_waits_in_a_hard_week_and_after_another_change(priors, held):
    after = diary(("glycinate", 30), ("", 20))
    assert counted(tried(0.45), after, priors).reason_codes == ("withdrawal_return",)
    rec = counted(tried(0.45), held(after), priors)
    assert rec.action == "collect_more_data" and rec.regimen is None    # kept: no magnesium
    assert rec.reason_codes[0] in HOLDS and "withdrawal_return" not in rec.reason_codes


@pytest.mark.parametrize("held", [hard_week, other_change])
def test_the_withdrawal_first_waits_in_a_hard_week_and_after_another_change(priors, held):
    frame = on_magnesium(60)
    rec, _ = advise(held(frame), priors)
    assert rec.action == "collect_more_data" and rec.regimen == GLY      # kept: glycinate
    assert rec.reason_codes[0] in HOLDS and "no_baseline" not in rec.reason_codes


@pytest.mark.parametrize("held", [hard_week, other_change])
def test_a_break_kept_going_is_what_either_hold_asks(priors, held):
    """Staying off is keeping what is taken: the break's own words say why, not a hold's."""
    rec, as_of = advise(held(break_of(5)), priors)
    assert rec.action == "collect_more_data" and rec.regimen is None
    assert rec.reason_codes[:2] == ("break_under_way", "withdrawal_test")
    assert rec.reasons[0].startswith("Stay without magnesium for 2 more nights")
    assert nights_until(rec.next_review, as_of) == 2


# --- 3. a placebo period under way ---------------------------------------------------------------


@pytest.mark.parametrize("separable", [False, True])
def test_a_placebo_period_under_way_is_kept_going(priors, separable):
    """5 placebo nights after glycinate: 2 more, then the look. Fresh baseline and separable:
    nothing to keep going; a stale one is (separable or not, as a break)."""
    fresh = then(diary(("", 14), ("glycinate", 60)), 5, "placebo")
    stale = then(diary(("", 14), ("glycinate", 190), start=YEAR), 5, "placebo")
    for frame in (fresh, stale) if not separable else (stale,):
        assert history(read_diary(frame)).placebo_nights == 5
        rec, as_of = advise(frame, priors, separable=separable)
        assert rec.action == "collect_more_data" and rec.regimen is None, rec.reason_codes
        assert rec.reason_codes[:2] == ("break_under_way", "placebo_test")
        left = MIN_PLACEBO_NIGHTS - 5
        assert rec.reasons[0].startswith(
            f"Stay on placebo for {left} more nights in place of glycinate 200 mg: your "
            f"placebo period then has the {MIN_PLACEBO_NIGHTS} placebo nights that tell what "
            "glycinate 200 mg does for you from expecting it to help. Your placebo period has "
            "5 nights written so far")
        assert nights_until(rec.next_review, as_of) == left          # the words and the date
        assert what_to_do(rec).startswith(f"Stay on placebo for {left} more nights")
        assert how_sure(rec) == PLACEBO_SURE              # not "once the break counts ..."
        assert not any(r.startswith("Keep ") for r in rec.reasons), rec.reasons
    rec, _ = advise(fresh, priors, separable=True)
    assert "break_under_way" not in rec.reason_codes


def test_a_placebo_period_with_its_nights_is_not_held(priors):
    done = then(diary(("", 14), ("glycinate", 60)), MIN_PLACEBO_NIGHTS, "placebo")
    rec, _ = advise(done, priors)
    assert "break_under_way" not in rec.reason_codes


# --- 4. the return when the regimen is the best expected step ------------------------------------


def best_but_unsure(glycinate: float = 0.25) -> FakePosterior:
    """Glycinate known and best expected; untried forms expected to do less."""
    return FakePosterior(n_draws=1000, benefit={**dict.fromkeys(FORMS, 0.1),
                                                "glycinate": glycinate},
                         known={"glycinate": 0.25}, benefit_sd=0.3)


def test_the_best_expected_regimen_is_taken_again_below_the_bar(priors):
    after = diary(("glycinate", 30), ("", 20))
    d = advise(after, priors, best_but_unsure(), separable=True, days=10.0)[0]
    assert d.action == "start" and d.regimen == GLY
    assert d.reason_codes == ("withdrawal_return",)
    p = d.scores.p_better_than_continue
    assert 0.5 < p < LOOKS_TO_HELP                              # the branch below the bar
    said = " ".join(d.reasons)
    assert ("and glycinate 200 mg is the step expected to do best of those open now "
            "(P(better than staying off) 0.74: below 0.80 over all outcomes together, but no "
            "other step is expected to do better), so you take it again") in said
    assert "looks to help you" not in said


def test_a_regimen_neither_best_nor_likely_to_help_is_left(priors):
    """Untried forms expected to do more (0.3), glycinate's P 0.74: the crossover goes on."""
    after = diary(("glycinate", 30), ("", 20))
    rec = counted(tried(0.25), after, priors)
    assert "withdrawal_return" not in rec.reason_codes and rec.regimen != GLY


def test_the_return_says_which_branch():
    above = returned_words("citrate 300 mg", 0.91, None)
    below = returned_words("citrate 300 mg", 0.71, None)
    assert "looks to help you (P(better than staying off) 0.91, from 0.80)" in above
    assert "expected to do best" not in above
    assert "is the step expected to do best of those open now" in below
    assert "looks to help" not in below


# --- 5. the break's first night, as far as the diary says it -------------------------------------


def test_a_break_after_unwritten_nights_says_what_the_diary_gives(priors):
    frame = then(diary(("", 14), ("glycinate", 60)), 4, gap=16)
    data = read_diary(frame)
    off = OffNights.read(data, history(data).last_night)
    last_on = dt.date.fromisoformat(diary(("", 14), ("glycinate", 60))["date"].iloc[-1])
    assert off.stopped == GLY and off.taken == last_on
    rec, as_of = advise(frame, priors)
    assert "break_under_way" in rec.reason_codes
    first = as_of - dt.timedelta(days=3)
    said = " ".join(rec.reasons)
    assert (f"Your last night written on glycinate 200 mg is {last_on} and your first night "
            f"written without it {first}; the nights between are not written, so the break "
            f"is counted from {first} (4 nights so far)") in said
    assert "Your break began on" not in said
    written = break_of(5)                       # no gap: when it began is what the diary says
    rec, as_of = advise(written, priors)
    assert f"Your break began on {as_of - dt.timedelta(days=4)} (5 nights so far)" in " ".join(
        rec.reasons)


def test_no_break_reads_as_no_magnesium_taken():
    data = read_diary(on_magnesium(30))
    off = OffNights.read(data, history(data).last_night)
    assert off.brk is None and off.taken is None and off.stopped == NO_MAGNESIUM


# --- 6. /tmp/w50/c C7: the nights before the diary count for the run a break follows ---------


def test_a_two_year_takers_break_is_a_break():
    """Glycinate since two years before the diary (the profile's ``taking_since``), 6 diary
    nights on it, then 5 off: a break after a full store, held until it counts (it was "Start
    glycinate ... form 1 of 3"); without the key, 6 nights on are no run to break from."""
    frame = diary(("glycinate", 6), ("", 5))
    first = dt.date.fromisoformat(frame["date"].iloc[0])
    since = Profile(taking_since=first - dt.timedelta(days=730))
    rec, _ = advise(frame, load_priors(), profile=since)
    assert rec.reason_codes[:2] == ("break_under_way", "withdrawal_test"), rec.reason_codes
    rec, _ = advise(frame, load_priors(), profile=Profile())
    assert "break_under_way" not in rec.reason_codes
    read = read_diary(diary(("glycinate", 6), ("", 21)))
    lead = lead_of(history(read, taking_since=since.taking_since))
    assert lead >= 700
    draws = {"tau": np.full(400, 5.0)}
    assert separability(read, draws, lead).withdrawals == 1
    assert separability(read, draws).withdrawals == 0
