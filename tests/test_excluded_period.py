"""An evaluation period is judged on nights whose sleep was recorded, not on excluded nights.

The diary's ``exclude`` column (1, yes or a word: ``travel``, ``ill``) leaves a night's sleep
outcomes out; its dose and stool record are kept (model/data/life_events.py). The decision
still counted such nights as nights of the period: ten nights of jet lag marked
``exclude = travel`` within a 14-night period on glycinate had it judged after the 14th night
on 4 usable nights, and glycinate counted as tried (an outside audit: "a form judged on 11
usable nights"). Excluded nights now count for the run (the magnesium store) and for the GI
rules, never toward the nights a regimen is judged on (model/decision/judged_nights.py).
"""

import datetime as dt

import pandas as pd
import pytest

from model.core.regimen import Regimen
from model.data.diary import read_diary
from model.decision import DecisionSettings, decide, history
from model.decision.judged_nights import left_out_words
from model.decision.look_nights import review_days
from model.evidence.priorset import load_priors
from model.testing import FakePosterior
from tests.test_no_baseline import nights, on_magnesium

GLYCINATE = Regimen("glycinate", 200.0)
FIXED = DecisionSettings(period_from_kinetics=False)     # a period of min_nights = 14
TRAVEL = range(15, 25)                                   # rows: nights 2-11 of glycinate


@pytest.fixture(scope="module")
def priors():
    return load_priors()


def excluded(frame: pd.DataFrame, rows: range, word: str = "travel") -> pd.DataFrame:
    """``frame`` with ``exclude`` set to ``word`` on ``rows`` (positions), blank elsewhere."""
    out = frame.assign(exclude="")
    out.loc[out.index[list(rows)], "exclude"] = word
    return out


def jet_lag() -> pd.DataFrame:
    """14 nights without magnesium, 14 of glycinate 200 mg, 10 of them marked travel."""
    return excluded(on_magnesium(n=14, baseline=14), TRAVEL)


def advise(frame: pd.DataFrame, priors, model: FakePosterior | None = None):
    as_of = dt.date.fromisoformat(frame["date"].iloc[-1])
    return decide(model or FakePosterior(n_draws=1000), priors=priors, diary=read_diary(frame),
                  as_of=as_of, settings=FIXED).recommendation


def test_a_period_of_mostly_excluded_nights_counts_only_its_usable_nights():
    past, whole = history(read_diary(jet_lag())), history(read_diary(on_magnesium(14, 200, 14)))
    assert past.current == whole.current == GLYCINATE
    assert (past.nights_on_current, past.excluded_on_current) == (4, 10)
    assert (whole.nights_on_current, whole.excluded_on_current) == (14, 0)
    assert past.known_nights == past.nights_of(GLYCINATE) == 4
    assert "glycinate" not in past.forms_tried and "glycinate" in whole.forms_tried
    # the look is pushed back by the 10 excluded nights, and the words say why
    assert review_days("continue", past, FIXED) == 10
    assert review_days("continue", whole, FIXED) == 14                # a new period
    said = left_out_words(past.excluded_on_current, "continue")
    assert said.startswith("10 nights of this run are marked exclude") and "not count" in said
    assert left_out_words(past.excluded_on_current, "switch_form") == ""
    assert left_out_words(whole.excluded_on_current, "continue") == ""


@pytest.mark.parametrize("model", [FakePosterior(n_draws=1000),
                                   FakePosterior(n_draws=1000, benefit={"citrate": 1.0})],
                         ids=["neutral", "citrate-better"])
def test_the_decision_waits_for_the_usable_nights(priors, model):
    """4 usable nights of 14 are no period: no switch, no commitment, a look 10 nights on."""
    frame = jet_lag()
    as_of = dt.date.fromisoformat(frame["date"].iloc[-1])
    rec = advise(frame, priors, model)
    assert rec.action == "continue" and rec.regimen == GLYCINATE and not rec.commit
    assert rec.next_review == as_of + dt.timedelta(days=11)     # 10 nights, the morning after
    judged = advise(on_magnesium(n=14, baseline=14), priors, model)
    assert judged.action != "continue" and judged.regimen != GLYCINATE     # judged: it moves on


def test_a_harm_is_still_stopped_within_the_period(priors):
    """Excluded nights lengthen the period; they never hold back a stop safety asks for."""
    rec = advise(jet_lag(), priors, FakePosterior(n_draws=1000, benefit={"glycinate": -1.0}))
    assert rec.regimen != GLYCINATE and "harm" in rec.reason_codes     # a stop here


def test_a_night_not_written_down_still_counts_an_excluded_one_does_not():
    """Unwritten nights within a run are taken as on it (the diary's rule); excluded ones say
    their sleep does not count. Both keep the run going (the store builds up on them)."""
    frame = on_magnesium(n=14, baseline=14)
    gaps = history(read_diary(frame.drop(frame.index[list(TRAVEL)])))
    assert gaps.current == GLYCINATE and gaps.nights_on_current == 14
    split = excluded(on_magnesium(n=24, baseline=14), range(20, 30))    # mid-run: one run
    past = history(read_diary(split))
    assert (past.nights_on_current, past.excluded_on_current) == (14, 10)
    assert "glycinate" in past.forms_tried


def stools(frame: pd.DataFrame, rows: range, bristol: int = 7) -> pd.DataFrame:
    """``frame`` with loose stools (Bristol ``bristol``) on ``rows`` (positions)."""
    out = frame.copy()
    out.loc[out.index[list(rows)], "stool_bristol"] = bristol
    return out


def test_excluded_nights_keep_counting_for_the_gi_rules(priors):
    """An excluded night with loose stools is still a GI night: the GI facts do not change."""
    loose = stools(on_magnesium(n=14, baseline=14), range(25, 28))
    plain, left = history(read_diary(loose)), history(read_diary(excluded(loose, range(18, 28))))
    assert left.recent_gi_nights == plain.recent_gi_nights == 3
    assert left.gi_troubled == plain.gi_troubled == frozenset({GLYCINATE})
    assert (left.gi_records_on, left.background_gi_rate) == (plain.gi_records_on,
                                                             plain.background_gi_rate)
    assert left.nights_on_current == 4 and plain.nights_on_current == 14
    both = [advise(frame, priors) for frame in (loose, excluded(loose, range(18, 28)))]
    assert all("acute_gi" in rec.reason_codes for rec in both)
    assert both[0].action == both[1].action and both[0].regimen == both[1].regimen


def test_a_form_whose_only_nights_are_excluded_is_not_tried():
    citrate = nights(14, "citrate", start=pd.Timestamp("2026-09-15"), seed=4)
    glycinate = nights(14, start=pd.Timestamp("2026-09-29"), seed=5)
    frame = pd.concat([nights(14, "", 0, seed=2), citrate, glycinate], ignore_index=True)
    assert history(read_diary(frame)).forms_tried == {"citrate", "glycinate"}
    past = history(read_diary(excluded(frame, range(14, 28), "ill")))
    assert past.forms_tried == {"glycinate"}
    assert past.nights_of(Regimen("citrate", 200.0)) == 0
    assert Regimen("citrate", 200.0) in past.nights_on           # taken, not judged
    assert not past.first_step and past.nights_on_current == 14
