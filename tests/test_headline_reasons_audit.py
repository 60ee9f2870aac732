"""What the headline says when it stops, is sure, lacks a GI record, or looks again today.

Two outside audits (/tmp/w46/A F3, F4, F5; /tmp/w46/C F2, F6): a stop "to learn" that hid the
GI limit blocking continuing, "A safety rule, not an estimate" for a stop chosen to learn
within a ceiling, a diary without a GI record said only in the last warning, "in 0 days",
and a look-again date promised to move "by a night or two" that moved by four.
"""

import datetime as dt
from dataclasses import replace
from types import SimpleNamespace

import pytest

from model.core.regimen import Regimen
from model.decision import ActionAssessment, Decision, Recommendation
from model.decision.results import Scores
from model.decision.rule_words import NO_GI_RECORDS, gi_block
from model.report.headline import _why, headline, review_words
from model.report.how_sure import how_sure

REVIEW = dt.date(2026, 4, 17)
GLYCINATE = Regimen("glycinate", 300.0)
NONE = Regimen("none")
LEARNS = ("To learn: nights without magnesium will show more clearly whether the magnesium you "
          "took helped you; the step that looks better today, to split the dose: glycinate "
          "300 mg in two intakes, is ahead by too little to act on")


def assessed(action: str, regimen: Regimen, codes: tuple[str, ...] = (),
             blocked: tuple[str, ...] = (), utility: float = 0.0,
             after_period: bool = False) -> ActionAssessment:
    gain = {"gi_rate": 0.0}
    return ActionAssessment(action, regimen, gain, gain, gain, utility, 0.0, 0.5, 0.5, 0.0,
                            not codes, blocked, 0.0, REVIEW, 0.0, codes, after_period)


def gi_blocked_stay(p: float = 0.71) -> ActionAssessment:
    """Continuing glycinate 300 mg, blocked by the GI chance constraint at ``p``."""
    return assessed("continue", GLYCINATE, ("gi_limit",), (gi_block(p, 0.20),))


def result_of(action: str, regimen: Regimen, codes: tuple[str, ...],
              assessments: tuple[ActionAssessment, ...],
              warnings: tuple[str, ...] = ()) -> SimpleNamespace:
    """An analysis with only the decision the why reads (no fit)."""
    rec = Recommendation(action, regimen, Scores({}, 1.03, 0.43, 0.64, 0.0, 2.01, 0.0), False,
                         REVIEW, (), warnings, codes)
    return SimpleNamespace(decision=Decision(rec, assessments, 0))


def test_a_stop_to_learn_names_the_gi_limit_that_rules_out_continuing():
    """A F3: "Stop ... Why: To learn" while continuing was blocked at P(violated) 0.71."""
    steps = (assessed("split_dose", replace(GLYCINATE, split=True), utility=0.06),
             assessed("stop", NONE))
    codes = ("learn", "expectation_not_separable")
    why = _why(result_of("stop", NONE, codes, (*steps, gi_blocked_stay())))
    assert why.startswith("Continuing glycinate 300 mg is ruled out by the GI limit "
                          "(P(over the GI limit) 0.71 is above 0.20): only steps within "
                          f"it are open. {LEARNS}")
    # without a GI record on magnesium the chance is the evidence's alone, and said so
    alone = _why(result_of("stop", NONE, codes, (*steps, gi_blocked_stay()), (NO_GI_RECORDS,)))
    assert "0.71 is above 0.20, from the evidence alone: your diary has no GI record on " \
        "magnesium): only steps within it are open." in alone
    # continuing open: the learning pick alone; under the acute GI rule its own words lead
    assert _why(result_of("stop", NONE, codes, (*steps, assessed("continue", GLYCINATE)))) \
        .startswith(LEARNS.lower())
    assert _why(result_of("stop", NONE, (*codes, "acute_gi"), (*steps, gi_blocked_stay()))) \
        .startswith(LEARNS.lower())


def test_a_change_that_waits_says_its_date_follows_the_build_up_estimate():
    """C F2: the date moved by up to four nights where "a night or two" had been promised."""
    waits = assessed("switch_form", Regimen("taurate", 300.0), ("waiting",), ("only 5",),
                     utility=0.5, after_period=True)
    why = _why(result_of("continue", GLYCINATE, ("forced",),
                         (assessed("continue", GLYCINATE), waits)))
    assert why.startswith(f"a change waits until {REVIEW.isoformat()}")
    assert "a night or two" not in why
    assert ("(its length follows the build-up time estimated from your nights, so the date may "
            "move, earlier or later, as that estimate settles)") in why


def test_a_look_due_today_says_today():
    """C F6: "Look again: 2026-12-06 (in 0 days)." on 2026-12-06."""
    as_of = dt.date(2026, 11, 16)
    since = ("nights counted from your diary's last night, 2026-11-16; log the nights since "
             "with mgsleep log --date and analyse again).")       # out of date: /tmp/w49/c M5
    assert review_words(dt.date(2026, 12, 6), as_of, dt.date(2026, 12, 6)) == \
        f"2026-12-06 (today: 19 {since}"
    assert review_words(dt.date(2026, 12, 7), as_of, dt.date(2026, 12, 6)) == \
        f"2026-12-07 (in 1 day: 20 {since}"
    assert review_words(dt.date(2026, 12, 6), dt.date(2026, 12, 5), dt.date(2026, 12, 6)) == \
        "2026-12-06 (today)."


CEILING_BREACH = ("Your current glycinate 200 mg is above your ceiling of 150 mg/day, so it is "
                  "not kept: the dose must come down to at most 150 mg a day, or stop.")
LEARNED = ("the step with the higher expected utility now is to lower the dose to glycinate "
           "150 mg (-0.25 vs -0.36), but what these nights will teach is worth more (learning "
           "value 2.00).")
LEARN_REASON = f"Chosen to learn: {LEARNED} Look again on 2026-03-16."
"""The reasons of /tmp/w46/A out/d0225b_m150.json (glycinate 200 mg, max_elemental_mg 150)."""


def test_a_stop_to_learn_within_a_ceiling_says_the_rule_only_sets_the_limit():
    """A F4: "How sure: A safety rule, not an estimate" beside "Chosen to learn" in the detail."""
    rec = Recommendation("stop", NONE, Scores({}, -0.36, 0.47, 0.45, 0.0, 2.0, 0.0), False,
                         dt.date(2026, 3, 16), (CEILING_BREACH, LEARN_REASON), (),
                         ("learn", "expectation_not_separable", "current_above_ceiling"), 150.0,
                         learned=LEARNED)
    assert how_sure(rec) == (
        "not a final answer: a safety rule asks only that the dose come down to at most 150 mg a "
        "day; among the steps it allows, this one was chosen to learn: the step with the higher "
        "expected utility now is to lower the dose to glycinate 150 mg (-0.25 vs -0.36), but "
        "what these nights will teach is worth more (learning value 2.00).")
    excluded = replace(rec, reason_codes=("learn", "current_excluded"), max_mg_now=None)
    assert how_sure(excluded).startswith(
        "not a final answer: a safety rule asks only that the current form be left; among")
    # the only step a rule allows is the rule's
    forced = replace(rec, reason_codes=("forced", "current_above_ceiling"))
    assert how_sure(forced).startswith("a safety rule, not an estimate")
    # the best expected among the doses the rule allows is the model's choice too (350, 300,
    # 200 and 100 mg and stopping were open below a 350 mg ceiling: stop 74's note)
    best = replace(rec, action="decrease_dose", regimen=Regimen("glycinate", 150),
                   reason_codes=("best_expected", "current_above_ceiling"))
    assert how_sure(best) == (
        "a safety rule asks only that the dose come down to at most 150 mg a day; among the "
        "steps it allows, this one is the best expected: for your sleep alone the model finds "
        "it better than what you do now in 45% of its scenarios.")


@pytest.mark.fit
def test_a_step_without_a_gi_record_says_so_with_the_dose_and_in_its_why():
    """A F5: without its stool column a diary's "Stop" became "Split the dose"; "Take care"
    named a missing eGFR alone, the missing GI record only the last warning."""
    from model.testing import example_analysis

    result = example_analysis()               # glycinate 300 mg, advised to split it
    rec = result.decision.recommendation
    assert rec.action == "split_dose" and rec.regimen is not None and rec.regimen.active
    rec = replace(rec, reason_codes=("best_expected",), warnings=(*rec.warnings, NO_GI_RECORDS))
    assessments = tuple(gi_blocked_stay(0.21) if a.action == "continue" else a
                        for a in result.decision.assessments)
    said = headline(replace(result, decision=replace(result.decision, recommendation=rec,
                                                     assessments=assessments)))
    care = said.what[said.what.index(" Take care: "):]
    assert care.endswith("; no stool form or upset-stomach record on any magnesium night, so "
                         "the advice's GI chances are the evidence's alone (see the warnings).")
    assert said.why.startswith(
        "Continuing glycinate 300 mg is ruled out by the GI limit (P(over the GI limit) "
        "0.21 is above 0.20, from the evidence alone: your diary has no GI record on "
        "magnesium): only steps within it are open. It matters most for GI nights")
    # a diary with GI records: no such caution
    recorded = headline(replace(result, decision=replace(result.decision, recommendation=replace(
        rec, warnings=tuple(w for w in rec.warnings if w != NO_GI_RECORDS)))))
    assert "no stool form" not in recorded.what
