"""Magnesium taken when needed is not judged on its nights (model/decision/as_needed.py).

An as-needed taker (glycinate on anxious evenings) was told "Stop taking magnesium ...
looks to do you harm (P 0.99)" as a commitment; the same nights with the taking evenings
drawn at random were told "Continue" (an outside audit, /tmp/w57/n N1, N3). The diaries here
come from a small world of their own: evening anxiety a persistent AR(1) process with
t-distributed shocks, and the evening's dose taken with a chance that rises with it.
"""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from model.data.diary import read_diary
from model.decision import DecisionSettings, decide, history
from model.decision.as_needed import indication
from model.decision.history import night_regimens, planned_off
from model.evidence.priorset import load_priors
from model.testing import FakePosterior

START = pd.Timestamp("2026-09-01")


@pytest.fixture(scope="module")
def priors():
    return load_priors()


def diary(seed: int, taking: str = "as_needed", nights: int = 60,
          baseline: int = 0) -> pd.DataFrame:
    """``nights`` evenings of a person whose anxiety drifts; glycinate 200 mg on some.

    ``taking``: ``as_needed`` (more likely the more anxious the evening), ``random`` (the
    same share, drawn at random) or ``nightly``; ``baseline`` nights without first.
    """
    rng = np.random.default_rng(seed)
    anxiety = np.empty(nights)
    level = 0.0
    for t in range(nights):
        level = 0.8 * level + rng.standard_t(5)
        anxiety[t] = level
    chance = 1 / (1 + np.exp(-2.5 * (anxiety - 0.3)))
    taken = {"as_needed": rng.random(nights) < chance,
             "random": rng.random(nights) < chance.mean(),
             "nightly": np.ones(nights, bool)}[taking]
    taken[:baseline] = False
    rating = np.clip(np.round(4 + 1.2 * anxiety), 0, 10)
    return pd.DataFrame({
        "date": pd.date_range(START, periods=nights).strftime("%Y-%m-%d"),
        "form": np.where(taken, "glycinate", ""), "elemental_mg": np.where(taken, "200", ""),
        "anxiety": rating.astype(int),
        "quality": np.clip(np.round(3.2 - 0.3 * anxiety + rng.normal(0, 0.6, nights)), 1, 5)
        .astype(int),
        "sol_min": np.round(np.exp(np.log(25) + 0.15 * anxiety + rng.normal(0, 0.4, nights)))})


def found(frame: pd.DataFrame):
    nights = read_diary(frame).nights
    return indication(nights, night_regimens(nights), planned_off(nights))


def test_an_as_needed_taker_is_found_by_her_anxious_evenings():
    said = found(diary(2))
    assert said is not None and said.form == "glycinate"
    assert said.measure.startswith("evening anxiety") and said.taken > said.skipped + 1


def test_the_same_share_taken_on_evenings_drawn_at_random_is_seldom_found():
    """The rule's false alarms: a person taking it at random is told so about once in 40."""
    flagged = sum(found(diary(seed, "random")) is not None for seed in range(40))
    assert flagged <= 2, flagged
    assert sum(found(diary(seed)) is not None for seed in range(40)) >= 30   # and its power


def test_nightly_use_and_a_single_start_are_not_as_needed():
    assert found(diary(1, "nightly")) is None
    single = diary(1, "nightly", baseline=20)    # a before/after diary: one start
    single.loc[:19, "anxiety"] = 1                 # calmer before it: drift, not indication
    assert found(single) is None


def harmful() -> FakePosterior:
    """Glycinate looks to harm: the model's reading of an as-needed diary."""
    return FakePosterior(n_draws=1000, benefit={"glycinate": -0.6}, gi={"glycinate": -3.0},
                         benefit_sd=0.1)


def advise(frame: pd.DataFrame, priors):
    as_of = dt.date.fromisoformat(frame["date"].iloc[-1])
    return decide(harmful(), priors=priors, diary=read_diary(frame), as_of=as_of)


def test_as_needed_nights_give_no_stop_for_harm_and_no_commitment(priors):
    frame = diary(0)                                          # its last 3 nights on it
    assert history(read_diary(frame)).taken_as_needed(DecisionSettings())
    rec = advise(frame, priors).recommendation
    assert rec.action == "collect_more_data" and not rec.commit
    assert rec.reason_codes[0] == "taken_as_needed" and "harm" not in rec.reason_codes
    assert rec.regimen is not None and rec.regimen.form == "glycinate"
    assert rec.reasons[0].startswith("You took glycinate mostly when your nights were already "
                                     "worse: evening anxiety ")
    assert ("not as harm, not as help (the lines of what glycinate did, below, read those "
            "nights with the reason you took it in them). Take glycinate 200 mg every night"
            ) in rec.reasons[0]


def test_the_same_posterior_on_nights_taken_every_night_stops_for_harm(priors):
    """The rule withholds a verdict of the nights; it does not hide a harm nightly use shows."""
    frame = diary(1, "nightly", baseline=20)
    assert not history(read_diary(frame)).taken_as_needed(DecisionSettings())
    rec = advise(frame, priors).recommendation
    assert "harm" in rec.reason_codes and rec.action in ("stop", "switch_form")
    assert rec.regimen is not None and rec.regimen.form != "glycinate"     # it is left


def test_a_period_taken_every_night_as_asked_is_judged_again(priors):
    """The finding's window (56 nights) still holds the nights taken when needed; a run of a
    whole period taken every night, as the advice asks, is judged on them again."""
    frame = diary(0)
    after = pd.Timestamp(frame["date"].iloc[-1]) + pd.Timedelta(days=1)
    nightly = diary(2, "nightly", nights=17).assign(
        date=pd.date_range(after, periods=17).strftime("%Y-%m-%d"))
    both = pd.concat([frame, nightly], ignore_index=True)
    past = history(read_diary(both))
    assert found(both) is not None and past.nights_on_current >= 17
    assert not past.taken_as_needed(DecisionSettings(min_nights=17))
    assert past.taken_as_needed(DecisionSettings(min_nights=28))
    rec = advise(both, priors).recommendation
    assert "taken_as_needed" not in rec.reason_codes and "harm" in rec.reason_codes


def cycled_with_harm(seed: int, harm: float = 1.2) -> pd.DataFrame:
    """Glycinate a week on and a week off by the calendar, worsening sleep over 3 nights on it.

    The second round's UNSAFE case (/tmp/w57/n2 A): the night before a run's second night is
    on the form, so a harm made it worse and looked like the reason it was taken."""
    rng = np.random.default_rng(seed)
    nights = 64
    taken = (np.arange(nights) // 7) % 2 == 1
    build = np.zeros(nights)
    for t in range(1, nights):
        build[t] = build[t - 1] + (1 - build[t - 1]) / 3 if taken[t] else build[t - 1] * 0.5
    quality = np.clip(np.round(3 - harm * build + rng.standard_t(5, nights) * 0.7), 1, 5)
    return pd.DataFrame({
        "date": pd.date_range(START, periods=nights).strftime("%Y-%m-%d"),
        "form": np.where(taken, "glycinate", ""), "elemental_mg": np.where(taken, "200", ""),
        "anxiety": np.clip(np.round(4 + rng.normal(0, 1.5, nights)), 0, 10).astype(int),
        "quality": quality.astype(int),
        "sol_min": np.round(np.exp(np.log(25) + 0.3 * harm * build
                                   + rng.normal(0, 0.4, nights)))})


def test_a_harm_taken_by_the_calendar_is_not_read_as_taken_when_needed():
    assert sum(found(cycled_with_harm(seed)) is not None for seed in range(20)) == 0


def test_taken_every_other_night_after_the_advice_is_still_held():
    """A run joins across one-night gaps (nights skipped): every other night for a period
    had lifted the hold on nights still taken when needed (/tmp/w57/n2 C)."""
    frame = diary(0)
    after = pd.Timestamp(frame["date"].iloc[-1]) + pd.Timedelta(days=1)
    other = diary(3, "nightly", nights=24).assign(
        date=pd.date_range(after, periods=24).strftime("%Y-%m-%d"))
    other.loc[other.index[1::2], ["form", "elemental_mg"]] = ["", ""]
    other.loc[other.index[-1], ["form", "elemental_mg"]] = ["glycinate", "200"]
    past = history(read_diary(pd.concat([frame, other], ignore_index=True)))
    assert past.nights_on_current >= 17 and past.pattern.on_and_off(DecisionSettings())
    assert past.taken_as_needed(DecisionSettings(min_nights=17))
