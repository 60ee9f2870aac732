"""Magnesium taken on and off, said in words (an outside audit, /tmp/w49/c M3).

Jon took glycinate 200 mg on weekdays only and missed about one dose in seven: nothing said
his pattern kept the effect from its full size, "Continue glycinate, 200 mg ... a day" never
said every night, and every lapse of 3+ nights restarted the evaluation period with no reason
given ("3 of 19 nights on glycinate 200 mg so far"). Diaries read as a person writes them
(:func:`model.data.diary.read_diary`), decided on a toy posterior.
"""

import datetime as dt

import pandas as pd
import pytest

from model.core.regimen import NO_MAGNESIUM, Regimen
from model.data.diary import read_diary
from model.decision import DecisionSettings, decide
from model.decision.history import History, history
from model.decision.on_off import ON_OFF_NIGHTS, Taking, on_off_note
from model.decision.period_words import period_nights
from model.evidence.priorset import load_priors
from model.testing import FakePosterior

GLYCINATE = Regimen("glycinate", 200)
S = DecisionSettings()
MODEL = FakePosterior(n_draws=400, benefit={"glycinate": 0.3}, gi={"glycinate": 0.0})
ON_OFF = "written nights from"
BASELINE = dt.date(2026, 9, 14)            # a Monday: 14 nights without magnesium from it


@pytest.fixture(scope="module")
def priors():
    return load_priors()


def diary(tmp_path, taken: list[bool], notes: list[str] | None = None):
    """A diary of 14 nights without magnesium, then one night per entry of ``taken``."""
    nights = [False] * 14 + taken
    days = pd.date_range(BASELINE, periods=len(nights), freq="D")
    frame = pd.DataFrame({"date": days.strftime("%Y-%m-%d"),
                          "form": ["glycinate" if on else "" for on in nights],
                          "elemental_mg": [200 if on else "" for on in nights],
                          "sol_min": [30 - 5 * on for on in nights], "quality": 3,
                          "stool_bristol": 4,
                          "notes": notes if notes is not None else [""] * len(nights)})
    path = tmp_path / "diary.csv"
    frame.to_csv(path, index=False)
    return read_diary(path, today=days[-1].date() + dt.timedelta(days=1))


def advice(priors, read):
    """The decision on the diary's last night: its warnings and reasons."""
    as_of = read.nights.index[-1].date()
    return decide(MODEL, priors=priors, diary=read, as_of=as_of).recommendation


def weekdays(weeks: int, missed: set[int]) -> list[bool]:
    """Monday-to-Friday nights of ``weeks`` weeks from a Monday, less the nights ``missed``."""
    return [day % 7 < 5 and day not in missed for day in range(7 * weeks)]


def test_jons_weekdays_with_missed_doses_are_said_with_their_counts(tmp_path, priors):
    """Ten weeks on weekdays only, four doses missed, the diary ending on a Thursday taken:
    the last 28 nights, 2026-11-06 (a Friday) to 2026-12-03, hold 8 weekend nights and two of
    the misses, so glycinate was taken on 18 of them."""
    taken = weekdays(10, missed={8, 17, 50, 58})[:-3]       # ends on a Thursday
    read = diary(tmp_path, taken)
    assert read.nights.index[-1].date() == dt.date(2026, 12, 3)
    past = history(read)
    assert past.pattern == Taking("glycinate", 18, 28, dt.date(2026, 11, 6),
                                  dt.date(2026, 12, 3), past.pattern.run_first, 0)
    assert past.pattern.on_and_off(S)
    rec = advice(priors, read)
    said = [w for w in rec.warnings if ON_OFF in w]
    assert len(said) == 1, rec.warnings
    assert said[0].startswith("You took glycinate on 18 of 28 written nights from 2026-11-06 "
                              "to 2026-12-03: its effect builds up over days")
    if rec.action in ("continue", "collect_more_data"):
        assert said[0].endswith("take it every night until the next look.")


def test_every_night_two_skipped_nights_and_a_planned_washout_say_nothing(tmp_path, priors):
    """Taken every night; with two nights skipped (fewer than a lapse); and in a planned
    trial whose washouts (notes ``washout``) are nights off by design: none is on and off."""
    plain = diary(tmp_path, [True] * 30)
    skipped = diary(tmp_path, [True] * 12 + [False] * 2 + [True] * 12)
    plan = ["baseline"] * 14 + ["treatment"] * 14 + ["washout"] * 7 + ["treatment"] * 14 \
        + ["washout"] * 4
    washout = diary(tmp_path, [True] * 14 + [False] * 7 + [True] * 14 + [False] * 4, plan)
    for read, taken, nights in ((plain, 28, 28), (skipped, 24, 26), (washout, 21, 21)):
        past = history(read)
        assert (past.pattern.taken, past.pattern.nights) == (taken, nights)
        assert not past.pattern.on_and_off(S)
        assert not [w for w in advice(priors, read).warnings if ON_OFF in w]
    assert history(skipped).pattern.lapse == 0
    assert history(washout).pattern.lapse == 0      # a washout planned is no lapse either


def test_a_lapse_that_restarts_the_period_is_said_with_the_run_start(tmp_path, priors):
    """Twenty nights on, four off, three on: the period counts again from the 3 nights, and
    the words say since when and why (the diary's run began on 2026-10-22)."""
    read = diary(tmp_path, [True] * 20 + [False] * 4 + [True] * 3)
    past = history(read)
    assert past.nights_on_current == 3
    assert (past.pattern.run_first, past.pattern.lapse) == (dt.date(2026, 10, 22), 4)
    assert period_nights(past, S) == (f"3 of {S.min_nights} nights on glycinate 200 mg since "
                                      "2026-10-22, counted again after 4 nights without it")
    waiting = " ".join(advice(priors, read).reasons)
    assert "since 2026-10-22, counted again after 4 nights without it" in waiting


def test_the_note_follows_the_step_and_needs_enough_nights():
    """Keeping the regimen asks for every night; a switch asks it of the new regimen; a stop
    asks nothing of it, a referral hears nothing; too few nights say nothing."""
    pattern = Taking("glycinate", 10, 16, dt.date(2026, 11, 1), dt.date(2026, 11, 16))
    (kept,) = on_off_note(pattern, "continue", GLYCINATE, S)
    assert "take it every night until the next look" in kept
    (switched,) = on_off_note(pattern, "switch_form", Regimen("taurate", 200), S)
    assert switched.endswith("take taurate 200 mg every night until the next look.")
    (stopped,) = on_off_note(pattern, "stop", NO_MAGNESIUM, S)
    assert "every night" not in stopped and stopped.endswith("can hardly judge it.")
    assert on_off_note(pattern, "refer", None, S) == ()
    few = Taking("glycinate", 5, ON_OFF_NIGHTS - 1)
    assert not few.on_and_off(S) and on_off_note(few, "continue", GLYCINATE, S) == ()
    assert History().pattern == Taking()
