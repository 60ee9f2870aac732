"""A kept regimen's look-again date does not follow the fit's build-up estimate.

Keeping a regimen, the look ends its current period, counted in whole periods from the run's
first night (model/decision/history.py, ``review_days``). The periods were the evaluation
period of the posterior's build-up time constant, which moves a little from one fit to the
next: 16, 17, then 18 nights over three looks moved the look of the run's 32nd, 34th and 36th
nights 2 nights on each time, and "Stay without magnesium" said "look again" 2 days away three
times in a row (the cycle audit's closed loop, /tmp/w56/m). Past its first period a kept
regimen is now looked at every ``kept_period_nights`` (the period at the priors' median time
constant), which no fit moves.
"""

import datetime as dt

import pytest

from model.data.diary import read_diary
from model.decision import DecisionSettings, decide, history
from model.decision.look_nights import review_days
from model.decision.rules import evaluation_nights
from model.evidence.priorset import load_priors
from model.testing import FakePosterior
from tests.test_no_baseline import on_magnesium, with_onset


@pytest.fixture(scope="module")
def priors():
    return load_priors()


@pytest.mark.parametrize("on", [17, 20, 33, 35, 50])
def test_past_its_first_period_the_look_is_the_same_whatever_the_period(on):
    past = history(read_diary(on_magnesium(n=on, baseline=14)))
    assert past.nights_on_current == on
    looks = {p: on + review_days("continue", past, DecisionSettings(min_nights=p,
                                                                    kept_period_nights=17))
             for p in range(7, min(on, 28) + 1)}
    for period, look in looks.items():   # a whole kept period, after tonight and the floor
        assert look % 17 == 0 and look > on and look >= period + 7, (period, look)
    settled = {look for period, look in looks.items() if period + 7 <= on + 1}
    assert len(settled) == 1                     # the first period ended 6 or more nights ago


def test_the_first_look_after_the_first_period_is_a_week_to_a_kept_period_on():
    for period in range(7, 29):
        past = history(read_diary(on_magnesium(n=period, baseline=14)))
        s = DecisionSettings(min_nights=period, kept_period_nights=17)
        assert 7 <= review_days("continue", past, s) <= 7 + 17, period


def test_in_its_first_period_the_look_ends_the_period_of_the_build_up():
    past = history(read_diary(on_magnesium(n=5, baseline=14)))
    for period in (9, 16, 23):
        s = DecisionSettings(min_nights=period, kept_period_nights=17)
        assert review_days("continue", past, s) == period - 5


def test_without_kept_periods_the_period_is_kept_as_before():
    past = history(read_diary(on_magnesium(n=33, baseline=14)))
    assert review_days("continue", past, DecisionSettings(min_nights=14)) == 14 - 33 % 14


def test_three_looks_with_a_drifting_build_up_give_one_date(priors):
    """The audit's shape: three looks two mornings apart, each fit's time constant longer."""
    model = FakePosterior(n_draws=1000, benefit={"glycinate": 0.4}, gi={"glycinate": -3.0})
    dates, periods = set(), []
    for on, onset in ((35, 9.0), (37, 10.0), (39, 11.0)):
        frame = on_magnesium(n=on, mg=300, baseline=14)      # at the titration's top
        as_of = dt.date.fromisoformat(frame["date"].iloc[-1])
        decision = decide(with_onset(model, onset), priors=priors, diary=read_diary(frame),
                          as_of=as_of)
        assert decision.recommendation.action == "continue", decision.recommendation.reasons
        dates.add(decision.recommendation.next_review)
        periods.append(decision.period_nights)
    assert periods == sorted(set(periods)) and len(periods) == 3   # the fit's period moved
    kept = evaluation_nights(priors.settings.personal.onset_days_median, DecisionSettings())
    assert len(dates) == 1, dates
    first = dt.date.fromisoformat(on_magnesium(n=1, baseline=14)["date"].iloc[-1])
    assert (dates.pop() - first).days % kept in (0, 1)   # a whole kept period (the look's morning)
