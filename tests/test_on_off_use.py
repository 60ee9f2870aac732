"""Magnesium taken on and off, said in words (an outside audit, /tmp/w49/c M3).

Jon took glycinate 200 mg on weekdays only and missed about one dose in seven: nothing said
his pattern kept the effect from its full size, "Continue glycinate, 200 mg ... a day" never
said every night, and every lapse of 3+ nights restarted the evaluation period with no reason
given ("3 of 19 nights on glycinate 200 mg so far"). The note then fired after a single stop
and a restart, and after nights on another form (an outside audit, /tmp/w49/g G3): it is for
short lapses within one stretch of use only. Diaries read as a person writes them
(:func:`model.data.diary.read_diary`), decided on a toy posterior.
"""

import datetime as dt

import pandas as pd
import pytest

from model.core.regimen import NO_MAGNESIUM, Regimen
from model.data.diary import read_diary
from model.decision import DecisionSettings, decide
from model.decision.history import History, history
from model.decision.on_off import LAPSE_NIGHTS, ON_OFF_NIGHTS, Taking, on_off_note
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


def diary(tmp_path, taken: list[bool | str], notes: list[str] | None = None):
    """A diary of 14 nights without magnesium, then one night per entry of ``taken``.

    An entry is True for glycinate 200 mg, False for no magnesium, or another form's name
    (200 mg of it).
    """
    nights = [False] * 14 + taken
    days = pd.date_range(BASELINE, periods=len(nights), freq="D")
    frame = pd.DataFrame({"date": days.strftime("%Y-%m-%d"),
                          "form": [on if isinstance(on, str) else "glycinate" if on else ""
                                   for on in nights],
                          "elemental_mg": [200 if on else "" for on in nights],
                          "sol_min": [30 - 5 * bool(on) for on in nights], "quality": 3,
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
    trial whose washouts (notes ``washout``) are nights off by design, which end the stretch
    of use: none is on and off."""
    plain = diary(tmp_path, [True] * 30)
    skipped = diary(tmp_path, [True] * 12 + [False] * 2 + [True] * 12)
    plan = ["baseline"] * 14 + ["treatment"] * 14 + ["washout"] * 7 + ["treatment"] * 14 \
        + ["washout"] * 4
    washout = diary(tmp_path, [True] * 14 + [False] * 7 + [True] * 14 + [False] * 4, plan)
    for read, taken, nights in ((plain, 28, 28), (skipped, 24, 26), (washout, 14, 14)):
        past = history(read)
        assert (past.pattern.taken, past.pattern.nights) == (taken, nights)
        assert not past.pattern.on_and_off(S)
        assert not [w for w in advice(priors, read).warnings if ON_OFF in w]
    assert history(skipped).pattern.lapse == 0
    assert history(washout).pattern.lapse == 0      # a washout planned is no lapse either


def days_from_start(night: int) -> dt.date:
    """The date of night ``night`` of a :func:`diary` (0: the first night without magnesium)."""
    return BASELINE + dt.timedelta(days=night)


@pytest.mark.parametrize("restart", [5, 10, 13, 30])
def test_a_break_then_a_restart_of_any_length_is_no_pattern(tmp_path, priors, restart):
    """Twenty nights on, a 14-night break (as for the gut), then taken every night again:
    one stop, not a pattern; the window is the restart's nights alone (the 28 calendar nights
    before held the break, and 12 of 26 nights was said: /tmp/w49/g G3)."""
    read = diary(tmp_path, [True] * 20 + [False] * 14 + [True] * restart)
    pattern = history(read).pattern
    assert (pattern.first, pattern.taken, pattern.nights) == (
        days_from_start(48 + max(restart - 28, 0)), min(restart, 28), min(restart, 28))
    assert not [w for w in advice(priors, read).warnings if ON_OFF in w]


def test_nights_on_another_form_are_not_nights_off(tmp_path, priors):
    """Magnesium every night: glycinate, 14 nights on taurate, then back to glycinate (a
    crossover), or on to taurate: the other form's nights end the stretch of use."""
    back = diary(tmp_path, [True] * 20 + ["taurate"] * 14 + [True] * 10)
    assert history(back).pattern == Taking("glycinate", 10, 10, days_from_start(48),
                                           days_from_start(57), days_from_start(48), 0)
    assert not [w for w in advice(priors, back).warnings if ON_OFF in w]
    on = diary(tmp_path, [True] * 20 + ["taurate"] * 20)
    assert (history(on).pattern.form, history(on).pattern.taken,
            history(on).pattern.nights) == ("taurate", 20, 20)


def test_weekend_lapses_after_a_break_are_said_from_the_restart(tmp_path, priors):
    """Twenty nights on, an 8-night break, then weekdays only with one dose missed: on and
    off, counted over the weekday stretch alone (14 of its 19 nights from the Monday it
    began), not over 28 nights reaching back across the break (15 of 28)."""
    read = diary(tmp_path, [True] * 20 + [False] * 8 + weekdays(3, missed={8})[:-2])
    past = history(read)
    assert (past.pattern.taken, past.pattern.nights) == (14, 19)
    assert (past.pattern.first, past.pattern.last) == (days_from_start(42), days_from_start(60))
    assert past.pattern.first.weekday() == 0 and past.pattern.on_and_off(S)
    said = [w for w in advice(priors, read).warnings if ON_OFF in w]
    assert len(said) == 1 and said[0].startswith(
        "You took glycinate on 14 of 19 written nights from 2026-10-26 to 2026-11-13:"), said


def test_a_lapse_of_a_week_stays_in_the_stretch_a_longer_one_ends_it(tmp_path):
    """Twenty nights on, LAPSE_NIGHTS off, ten on: one stretch, 21 of its last 28 nights taken
    (on and off); one night more off: a break, and the stretch is the ten nights since."""
    week = history(diary(tmp_path, [True] * 20 + [False] * LAPSE_NIGHTS + [True] * 10))
    assert (week.pattern.taken, week.pattern.nights) == (21, 28) and week.pattern.on_and_off(S)
    longer = history(diary(tmp_path, [True] * 20 + [False] * (LAPSE_NIGHTS + 1) + [True] * 10))
    assert (longer.pattern.taken, longer.pattern.nights) == (10, 10)
    assert longer.pattern.first == days_from_start(14 + 20 + LAPSE_NIGHTS + 1)


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


def doses(tmp_path, mgs: list[int]):
    """14 nights without magnesium, then one night of glycinate per entry (0: none)."""
    nights = [0] * 14 + mgs
    days = pd.date_range(BASELINE, periods=len(nights), freq="D")
    frame = pd.DataFrame({"date": days.strftime("%Y-%m-%d"),
                          "form": ["glycinate" if mg else "" for mg in nights],
                          "elemental_mg": [mg or "" for mg in nights], "sol_min": 30,
                          "quality": 3, "stool_bristol": 4})
    path = tmp_path / "doses.csv"
    frame.to_csv(path, index=False)
    return read_diary(path, today=days[-1].date() + dt.timedelta(days=1), warn=False)


def test_a_lapse_with_a_night_at_another_dose_says_so(tmp_path):
    """A dose doubled after a bad night, then two nights off, restarted the count with no
    word of why (an outside audit, /tmp/w57/n N2)."""
    past = history(doses(tmp_path, [200] * 20 + [400, 0, 0] + [200] * 2))
    assert (past.nights_on_current, past.pattern.lapse, past.pattern.lapse_dosed) == (2, 3, 1)
    assert period_nights(past, S).endswith(
        "counted again after 3 nights off it, 2 without magnesium and 1 at another dose")


def test_a_dose_step_and_back_is_no_lapse(tmp_path):
    """Back to 200 mg after two weeks at 300: a change of dose, not nights off 200 mg."""
    past = history(doses(tmp_path, [200] * 20 + [300] * 14 + [200] * 2))
    assert (past.pattern.lapse, past.pattern.lapse_dosed) == (0, 0)
    assert "counted again" not in period_nights(past, S)


@pytest.mark.parametrize(("lapse", "dosed", "said"), [
    (1, 1, "counted again after 1 night off it, 1 at another dose"),
    (1, 0, "counted again after 1 night without it"),
    (3, 3, "counted again after 3 nights off it, 3 at another dose")])
def test_the_lapse_words_name_only_what_the_nights_were(tmp_path, lapse, dosed, said):
    from dataclasses import replace

    past = history(doses(tmp_path, [200] * 20))
    lapsed = replace(past, pattern=replace(past.pattern, lapse=lapse, lapse_dosed=dosed,
                                           run_first=dt.date(2026, 10, 22)))
    assert period_nights(lapsed, S).endswith(said)


def test_doses_taken_by_turns_are_said_with_the_dose_to_keep(tmp_path):
    """Taurate 100 mg raised on some nights only was never named (/tmp/w57/n N8)."""
    turns = [100] * 10 + [200, 200, 100, 200, 100, 100, 200, 200, 100, 100, 200, 100]
    past = history(doses(tmp_path, turns))
    assert [(r.elemental_mg, n) for r, n in past.pattern.doses] == [(100, 16), (200, 6)]
    note = on_off_note(past.pattern, "continue", past.current, S)
    assert note == ("You took glycinate at 2 doses by turns, glycinate 100 mg on 16 and "
                    "glycinate 200 mg on 6 of its 22 written nights from 2026-09-28 to "
                    "2026-10-19: each dose's nights are too few and too mixed to tell what it "
                    "does; take glycinate 100 mg every night until the next look.",)


@pytest.mark.parametrize("steps", [[100] * 14 + [200] * 14, [100] * 10 + [200] * 10 + [100] * 8,
                                   [100] * 7 + [200] * 7 + [300] * 7 + [200] * 7])
def test_a_dose_step_and_a_step_back_are_not_doses_by_turns(tmp_path, steps):
    past = history(doses(tmp_path, steps))
    assert past.pattern.doses == ()
    assert on_off_note(past.pattern, "continue", past.current, S) == ()


def test_a_break_kept_going_is_not_asked_for_a_night_of_magnesium(tmp_path):
    """'Stay without magnesium for 3 more nights' stood beside 'take it every night until the
    next look' (the second round of the as-needed audit, /tmp/w57/n2 B)."""
    pattern = Taking("glycinate", 10, 20, dt.date(2026, 11, 1), dt.date(2026, 11, 20))
    note = on_off_note(pattern, "collect_more_data", None, S)
    assert note and not any("every night" in one for one in note)
