"""'The decision in detail' in plain words, one name for each thing (/tmp/w46/D C1, C3, C4; E F6).

A plain-language editor read "Not advised now: increase_dose glycinate@350" where the report's
table said "raise the dose to glycinate 350 mg", "P(better than continuing) < 0.01" for
continuing itself, the GI chance under three names, and GI figures "per 100" and in
"percentage points" beside "-12 a month"; a biostatistician read "P(best) > 0.99 among the 1
option allowed now" for a forced wait.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from model.core.change_words import step_words
from model.core.regimen import NO_MAGNESIUM, Regimen
from model.decision.explain import SCORES_GLOSS, blocked_lines, numbers
from model.decision.gi_words import GI_RISK, gentler_line
from model.decision.results import ActionAssessment
from model.decision.settings import DecisionSettings
from model.evidence.schema import GiConstraint
from model.report.format import COLUMN_NAMES

GLYCINATE = Regimen("glycinate", 300)
GI = GiConstraint(loose_bristol=6, limit=0.10, epsilon=0.20)


def assessed(action: str, regimen: Regimen, *, p_gi: float = 0.09, gi: float = 0.0,
             blocked: tuple[tuple[str, str], ...] = ()) -> ActionAssessment:
    return ActionAssessment(
        action, regimen, {"gi_rate": gi}, {"gi_rate": gi - 0.1}, {"gi_rate": gi + 0.1},
        0.25, -0.1, 0.41, 0.37, p_gi, not blocked, tuple(w for _, w in blocked), 0.0,
        dt.date(2026, 3, 29), 0.18, tuple(c for c, _ in blocked))


def test_blocked_options_are_named_in_the_step_words_of_the_table():
    """C1: internal codes and labels ("increase_dose glycinate@350") stood in the detail."""
    gi_block = (("gi_limit", "too many GI nights"),)
    options = [assessed("increase_dose", Regimen("glycinate", 350), blocked=gi_block),
               assessed("switch_form", Regimen("oxide", 300), blocked=gi_block),
               assessed("split_dose", dataclasses.replace(Regimen("citrate", 300), split=True),
                        blocked=(("waiting", "changes wait 4 more nights"),)),
               assessed("placebo_period", GLYCINATE, blocked=gi_block)]
    text = " ".join(blocked_lines(options))
    for a in options:
        assert step_words(a.action, a.regimen) in text
    for code in ("increase_dose", "switch_form", "split_dose", "placebo_period", "@"):
        assert code not in text
    assert ("Not advised now: split the dose: citrate 300 mg in two intakes, because changes "
            "wait 4 more nights.") in blocked_lines(options)


@pytest.mark.parametrize(("action", "allowed", "best", "better"),
                         [("continue", 1, False, False), ("continue", 4, True, False),
                          ("switch_form", 1, False, True), ("switch_form", 3, True, True)])
def test_the_scores_leave_out_what_means_nothing_and_are_glossed_first(action, allowed, best,
                                                                        better):
    """F6: P(best) among one option; C1: P(better than continuing) of continuing itself."""
    lines = numbers(assessed(action, GLYCINATE), allowed, GLYCINATE, GI, DecisionSettings())
    assert lines[0] == SCORES_GLOSS
    scores = lines[1]
    assert ("P(best) 0.41 among the" in scores) is best
    assert ("P(better than continuing) 0.37" in scores) is better
    assert "among the 1 option" not in scores and scores[0].isupper()
    assert "xpected utility +0.25 (" in scores and "learning value 0.18" in scores


def test_the_gi_chance_has_one_name_and_its_limit_is_in_nights_a_month():
    """C3/C4: "P(GI constraint violated)", "P(GI limit broken)"; "10 percentage points"."""
    lines = numbers(assessed("continue", GLYCINATE), 2, GLYCINATE, GI, DecisionSettings())
    assert lines[-1] == (f"{GI_RISK} 0.09: the chance that GI nights rise more than 3 a month "
                         "above your level without magnesium (allowed up to 0.20).")
    assert COLUMN_NAMES["p_constraint_violation"] == GI_RISK
    assert not any("percentage points" in line or "constraint violated" in line
                   for line in lines)


def test_the_gentlest_step_says_its_gi_change_in_nights_a_month():
    """C4: "about 42.4 fewer GI nights per 100 (90% interval 9.8 to 74.2)" beside "-12 a month"."""
    stay = assessed("continue", Regimen("citrate", 300), p_gi=0.94)
    stop = assessed("stop", NO_MAGNESIUM, p_gi=0.0, gi=0.3)
    switch = dataclasses.replace(assessed("switch_form", GLYCINATE, p_gi=0.1, gi=0.424),
                                 gain_low={"gi_rate": 0.098}, gain_high={"gi_rate": 0.742})
    line = gentler_line(stop, [stay, switch, stop], DecisionSettings())
    assert line.endswith("to switch to glycinate 300 mg (about 13 fewer GI nights a month, 90% "
                         "interval 3 to 22).")
    worse = dataclasses.replace(switch, gain={"gi_rate": -0.006}, gain_low={"gi_rate": -0.017},
                                gain_high={"gi_rate": 0.004})
    said = gentler_line(stop, [stay, worse, stop], DecisionSettings())
    assert "(about 0.2 more GI nights a month, 90% interval -0.1 to 0.5)" in said
    assert "per 100" not in said
