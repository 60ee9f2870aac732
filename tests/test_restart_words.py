"""A break-taker's audit (/tmp/w49/c W1, M5): what a restart after a break gives up, and what
the look-again date of an out-of-date diary counts from.

1. After a break, the crossover may start an untried form while a form already tried looks
   to help: the why says which form is not restarted, how sure it helps and what restarting
   it is expected to do, as a switch away from a helping form says what it leaves.
2. A diary whose last night is more than ``LATE_SYNC_DAYS`` before today keeps its own dates:
   the look-again line says the period's nights count from that last night.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from model.core.regimen import NO_MAGNESIUM, Regimen
from model.data.profile import Profile
from model.decision import DecisionSettings, decide
from model.decision.rules import LATE_SYNC_DAYS, nights_until, review_after
from model.evidence.priorset import load_priors
from model.report import headline
from model.report.look_again import review_words
from tests.test_decide import GREAT_TAURATE, PERIOD, RULE_ONLY, on
from tests.test_harm import _past

GLY, TAU, CIT = Regimen("glycinate", 200), Regimen("taurate", 200), Regimen("citrate", 200)
AFTER_A_BREAK = _past(("none", 0, 14), ("glycinate", 200, 42), ("none", 0, 27))
CROSSOVER = "to learn: the planned crossover tries the most promising forms in turn"


def _start(regimen: Regimen, utility: float, p_better: float, feasible: bool = True):
    return SimpleNamespace(action="start", regimen=regimen, expected_utility=utility,
                           p_better_than_continue=p_better, feasible=feasible, reason_codes=())


def _after_break(*assessed, chosen: Regimen = TAU, separable: bool = False, diary=AFTER_A_BREAK):
    """What the headline reads of an analysis whose crossover starts ``chosen`` after a break."""
    mine = next(a for a in assessed if a.regimen == chosen)
    rec = SimpleNamespace(action="start", regimen=chosen, reason_codes=("crossover", "learn"),
                          scores=SimpleNamespace(expected_utility=mine.expected_utility))
    stop = SimpleNamespace(action="stop", regimen=NO_MAGNESIUM, expected_utility=0.0,
                           p_better_than_continue=0.5, feasible=True, reason_codes=())
    decision = SimpleNamespace(recommendation=rec, assessments=[*assessed, stop], p_harm=0.0)
    return SimpleNamespace(decision=decision, profile=Profile(), diary=diary,
                           fit=SimpleNamespace(draws_={}),
                           settings=DecisionSettings(),
                           effects=SimpleNamespace(placebo_nights=0),
                           separability=SimpleNamespace(separable=separable))


# --- 1. a start after a break ----------------------------------------------------------------


def test_an_untried_start_after_a_break_says_the_helping_form_it_does_not_restart():
    """Mira: glycinate "probably helps, P 0.99", its restart expected +2.95; the crossover
    starts taurate (+1.65) and the why said only "To learn"."""
    result = _after_break(_start(GLY, 2.95, 0.99), _start(TAU, 1.65, 0.76))
    why = headline._chosen_why(result)
    assert why.startswith(CROSSOVER)
    assert why.endswith(
        " You do not restart glycinate 200 mg, which looks to help you (P(better than staying "
        "off) 0.99; your diary cannot yet tell magnesium from expecting it to help or from a "
        "bad start passing); restarting it is expected to do more now (+2.95 against +1.65): "
        "if it stays the best, the crossover comes back to it.")
    separable = headline._chosen_why(_after_break(_start(GLY, 2.95, 0.99),
                                                  _start(TAU, 1.65, 0.76), separable=True))
    assert separable.endswith(" You do not restart glycinate 200 mg, which looks to help you "
                              "(P(better than staying off) 0.99); restarting it is expected to "
                              "do more now (+2.95 against +1.65): if it stays the best, the "
                              "crossover comes back to it.")


def test_the_form_not_restarted_is_the_tried_one_expected_to_do_most():
    """Among forms already tried, by expected utility: not an untried one expected higher,
    not a tried one the rules block, not the one the tried form helps less than."""
    tried_twice = _past(("none", 0, 14), ("citrate", 200, 20), ("glycinate", 200, 30),
                        ("none", 0, 20))
    assessed = (_start(Regimen("malate", 200), 3.5, 0.99),        # untried: never "restart"
                _start(Regimen("glycinate", 300), 3.2, 0.99, feasible=False),   # blocked
                _start(CIT, 2.1, 0.9), _start(GLY, 2.0, 0.99), _start(TAU, 1.65, 0.76))
    why = headline._chosen_why(_after_break(*assessed, diary=tried_twice, separable=True))
    assert " You do not restart citrate 200 mg, which looks to help you (P(better than " \
           "staying off) 0.90); restarting it is expected to do more now (+2.10 against " \
           "+1.65)" in why
    assert "malate" not in why and "glycinate" not in why


@pytest.mark.parametrize(("gly", "chosen", "said"), [
    ((2.95, 0.79), TAU, False),     # the tried form's restart does not look to help enough
    ((2.95, 0.80), TAU, True),      # from LOOKS_TO_HELP on, it does
    ((1.00, 0.99), TAU, True),      # helps, but the untried start is expected to do more
    ((2.95, 0.99), GLY, False),     # the start is the tried form itself: nothing given up
])
def test_a_restart_is_named_only_when_a_tried_form_helps_and_another_form_is_started(
        gly, chosen, said):
    result = _after_break(_start(GLY, *gly), _start(TAU, 1.65, 0.76), chosen=chosen)
    why = headline._chosen_why(result)
    assert ("You do not restart glycinate 200 mg" in why) is said
    assert "expected to do more now" not in why or gly[0] > 1.65


def test_a_switch_away_from_a_helping_form_still_says_what_it_leaves():
    """The words a start shares with a switch are one definition: the switch's unchanged."""
    on_gly = _past(("none", 0, 14), ("glycinate", 200, 30))
    result = _after_break(_start(GLY, 2.95, 0.99), _start(TAU, 1.65, 0.76), diary=on_gly,
                          separable=True)
    result.decision.recommendation.action = "switch_form"
    result.decision.assessments[-1].p_better_than_continue = 0.1
    assert headline._chosen_why(result).endswith(
        " You leave glycinate 200 mg, which looks to help you (P(better than stopping) 0.90): "
        "if it stays the best, the crossover comes back to it.")


# --- 2. the look-again date of an out-of-date diary ------------------------------------------


def test_a_look_again_counted_from_an_out_of_date_diary_says_so():
    """Ana: last night 2026-11-27, read on 2026-12-07, an 18-night period: "Look again:
    2026-12-16 (in 9 days)" beside "try taurate 150 mg for 18 nights"."""
    last, today = dt.date(2026, 11, 27), dt.date(2026, 12, 7)
    review = review_after(last, 18)
    assert review_words(review, last, today) == (
        "2026-12-16 (in 9 days: 18 nights counted from your diary's last night, 2026-11-27; "
        "log the nights since with mgsleep log --date and analyse again).")
    # a tracker synced late (within LATE_SYNC_DAYS) counts from tonight: nothing to add
    synced = today - dt.timedelta(days=LATE_SYNC_DAYS)
    assert review_words(review_after(today - dt.timedelta(days=1), 18), synced, today) == \
        "2026-12-25 (in 18 days)."
    assert review_words(review, last, today - dt.timedelta(days=3)) == "2026-12-16 (in 12 days)."


@pytest.fixture(scope="module")
def priors():
    return load_priors()


def test_the_nights_said_are_the_decisions_own_when_read_long_after_the_last_night(priors):
    """A decision read 12 days after its diary's last night: its review counts from that
    night (by design: an archived diary keeps its dates), and the line says how many nights
    that is, the evaluation period of a switch, the rest of it when the regimen stays."""
    as_of = dt.date(2025, 3, 1)
    today = as_of + dt.timedelta(days=12)
    switch = decide(GREAT_TAURATE, priors=priors, diary=on("glycinate", 200), as_of=as_of,
                    settings=RULE_ONLY, today=today).recommendation
    assert switch.action == "switch_form"
    assert nights_until(switch.next_review, as_of) == PERIOD
    said = review_words(switch.next_review, as_of, today)
    assert said.startswith(f"{switch.next_review.isoformat()} (in {PERIOD + 1 - 12} days: "
                           f"{PERIOD} nights counted from your diary's last night, 2025-03-01; ")
    stay = decide(GREAT_TAURATE, priors=priors, diary=on("glycinate", 200, nights=5),
                  as_of=as_of, today=today).recommendation
    assert stay.action == "continue"
    assert f": {PERIOD - 5} nights counted from your diary's last night" in review_words(
        stay.next_review, as_of, today)
    # past the date, the words of a date that has passed (no count of nights to come)
    late = review_words(switch.next_review, as_of, as_of + dt.timedelta(days=PERIOD + 5))
    assert "that date has passed" in late and "counted from" not in late
