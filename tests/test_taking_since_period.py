"""The nights on magnesium before the diary count toward its period (an outside audit).

/tmp/w50/a F4: a profile's ``taking_since`` (citrate 300 mg since 30 nights before the diary's
first night) went only to the fit's kinetics. The decision counted the diary's nights alone:
44 nights on citrate 300 mg read "only 14 of 17 nights on citrate 300 mg so far", and after the
tool's own withdrawal the return to citrate waited ("17 of 19 nights on no magnesium") as if
citrate had never had its period. Now the :class:`History` counts those nights toward the
first regimen's period and says them; they hold no sleep, so they are never written nights,
nights that make a form tried, or nights of the baseline rules.
"""

import datetime as dt
import functools
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import pytest

from model.analysis.pipeline import history_of
from model.core.regimen import NO_MAGNESIUM, Regimen
from model.data.diary import read_diary
from model.data.profile import Profile
from model.decision import DecisionSettings, decide
from model.decision.baseline import no_baseline
from model.decision.history import history
from model.decision.period_words import period_nights
from model.decision.rule_words import waiting_block
from model.evidence.priorset import load_priors
from model.testing import FakePosterior

CITRATE = Regimen("citrate", 300)
FIRST = dt.date(2026, 8, 1)
S17 = DecisionSettings(period_from_kinetics=False, min_nights=17)
priors = functools.cache(load_priors)


def diary(tmp_path: Path, nights: list[tuple[str, bool]]):
    """A diary of ``(form, written)`` nights from :data:`FIRST`: citrate 300 mg, or none ("").

    A night not written has no row (the diary takes it as on the regimen around it).
    """
    rows = ["date,form,elemental_mg,sol_min,stool_bristol"]
    for k, (form, written) in enumerate(nights):
        if written:
            rows.append(f"{FIRST + dt.timedelta(days=k)},{form},{300 if form else ''},25,4")
    (tmp_path / "d.csv").write_text("\n".join(rows) + "\n")
    return read_diary(tmp_path / "d.csv")


def before(nights: int) -> dt.date:
    return FIRST - dt.timedelta(days=nights)


def on(n: int, written: bool = True) -> list[tuple[str, bool]]:
    return [("citrate", written)] * n


def test_the_nights_before_the_diary_count_toward_the_period_and_are_said(tmp_path):
    data = diary(tmp_path, on(7))
    past = history(data, taking_since=before(3))
    assert (past.nights_on_current, past.before_run, past.known_nights) == (10, 3, 10)
    assert past.before_diary == {CITRATE: 3}
    assert period_nights(past, S17) == ("10 of 17 nights on citrate 300 mg so far, 3 of them "
                                        "before your diary")
    assert waiting_block(past, S17).startswith(
        "only 10 of 17 nights on citrate 300 mg so far, 3 of them before your diary; changes "
        "wait 7 more nights")
    # the diary's own count is said as before when nothing is given
    assert period_nights(history(data), S17) == "7 of 17 nights on citrate 300 mg so far"


def test_the_audits_44_nights_need_no_more_waiting(tmp_path):
    """p4-w2: 14 diary nights (2 not written), 30 before: every change was held 3 more nights."""
    data = diary(tmp_path, on(1) + on(1, written=False) + on(5) + on(1, False) + on(6))
    model = FakePosterior(n_draws=400, benefit={"citrate": 0.3}, benefit_sd=0.1)
    waits = {}
    for since in (None, before(30)):
        decision = decide(model, priors=priors(), profile=Profile(taking_since=since),
                          diary=data, as_of=data.nights.index[-1].date(), settings=S17)
        waits[since] = [a.regimen for a in decision.assessments if "waiting" in a.reason_codes]
    assert waits[None] and not waits[before(30)]


def test_they_are_never_written_tried_or_baseline_nights(tmp_path):
    """Nor do they slow the pace of writing a run's look waits for (:meth:`History.written`)."""
    data = diary(tmp_path, on(2) + on(2, written=False) + on(1))   # 3 of 5 nights written
    without, given = history(data), history(data, taking_since=before(30))
    assert given.nights_on_current == without.nights_on_current + 30 == 35
    assert given.written(S17) == without.written(S17)
    assert (given.written(S17).written, given.written(S17).nights) == (3, 5)
    assert given.written(S17).needed == S17.floor_nights - 3
    assert (given.nights_on, given.forms_tried, given.nights_off) == (
        without.nights_on, without.forms_tried, without.nights_off)
    assert no_baseline(replace(given, nights_on={CITRATE: 13})) == no_baseline(
        replace(without, nights_on={CITRATE: 13}))


def test_after_a_withdrawal_the_return_counts_them(tmp_path):
    """p4-s2: 17 nights on citrate (15 written), 17 off: the period had grown to 19 nights."""
    data = diary(tmp_path, on(1) + on(1, False) + on(13) + on(1, False) + on(1)
                 + [("", True)] * 17)
    past = history(data, taking_since=before(30))
    assert past.current == NO_MAGNESIUM and past.nights_of(CITRATE) == 15 + 30
    assert history(data).nights_of(CITRATE) == 15
    assert past.nights_on_current == 17 and not past.before_run   # the break's own period
    s19 = replace(S17, min_nights=19, period_holds_changes=True)
    model = FakePosterior(n_draws=400, benefit={"citrate": 0.3}, benefit_sd=0.1)
    held = {}
    for since in (None, before(30)):
        decision = decide(model, priors=priors(), profile=Profile(taking_since=since),
                          diary=data, as_of=data.nights.index[-1].date(), settings=s19)
        back = next(a for a in decision.assessments if a.regimen == CITRATE)
        held[since] = "waiting" in back.reason_codes
    assert held == {None: True, before(30): False}


@pytest.mark.parametrize("first", ["", "placebo"])
def test_a_first_night_without_magnesium_ignores_the_key(tmp_path, first):
    rows = [f"{FIRST + dt.timedelta(days=k)},{first if k < 3 else 'citrate'},"
            f"{300 if k >= 3 else ''},25" for k in range(10)]
    (tmp_path / "d.csv").write_text("date,form,elemental_mg,sol_min\n" + "\n".join(rows) + "\n")
    data = read_diary(tmp_path / "d.csv")
    past = history(data, taking_since=before(30))
    assert past == history(data) and not past.before_diary and past.nights_on_current == 7


@pytest.mark.parametrize("since", [FIRST, FIRST + dt.timedelta(days=2)])
def test_a_start_with_the_diary_or_after_it_adds_nothing(tmp_path, since):
    """Begun on the first night: no night before it; a later day (which ``analyze`` refuses)
    is not read by a decision called directly. The day before: one night."""
    data = diary(tmp_path, on(5))
    assert history(data, taking_since=since) == history(data)
    assert history(data, taking_since=before(1)).nights_on_current == 6


def test_a_run_after_a_change_does_not_count_them(tmp_path):
    """Only a run from the diary's first night holds them; a later return to the regimen
    counts them toward its judged nights (:meth:`History.nights_of`), not its run."""
    data = diary(tmp_path, on(10) + [("", True)] * 8 + on(4))
    past = history(data, taking_since=before(30))
    assert (past.nights_on_current, past.before_run) == (4, 0)
    assert past.known_nights == 14 + 30
    assert period_nights(past, S17).startswith("4 of 17 nights on citrate 300 mg since")


def test_the_report_reads_the_history_as_the_decision_did(tmp_path):
    data = diary(tmp_path, on(6))
    result = SimpleNamespace(diary=data, profile=Profile(taking_since=before(30)))
    assert history_of(result) == history(data, taking_since=before(30))
    assert history_of(result).nights_on_current == 36
    assert history_of(SimpleNamespace(diary=data, profile=Profile())) == history(data)
