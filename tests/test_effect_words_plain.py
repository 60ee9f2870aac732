"""An effect's words as a skimming reader takes them: the lean first, the interval's direction
said, the MCID against the person's own level (a plain-language editor, /tmp/w46/D S3 and R2;
a cross-checking biostatistician, /tmp/w46/E F4)."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from model.analysis.effects import DiaryEffect
from model.analysis.verdicts import VerdictRule
from model.core.change_words import WORDS, change_words
from model.core.outcomes import SPECS
from model.core.regimen import Regimen
from model.data.night_levels import RawNights
from model.report.effect_words import UNSETTLED, effect_line, verdict_phrase


def effect(outcome: str = "sol", mean: float = -18.0, low: float = -41.0, high: float = -1.0,
           verdict: str = "inconclusive", **more) -> DiaryEffect:
    """r2_a2's sleep onset: 18 min faster (1 to 41), P 0.96 it helps, 28 nights on it."""
    fields = {"p_benefit": 0.96, "p_beyond_mcid": 0.45, "p_harm_beyond_mcid": 0.0,
              "mcid": 20.0, "nights": 28, "lean": "helps",
              "mcid_source": "EDINGER2021_AASM"} | more
    return DiaryEffect("glycinate", outcome, Regimen("glycinate", 300), unit=SPECS[outcome].unit,
                       mean=mean, ci_low=low, ci_high=high, verdict=verdict, **fields)


CITRATE_GI = effect("gi", 0.4, 0.1, 0.7, p_benefit=0.01, p_beyond_mcid=0.0,
                    p_harm_beyond_mcid=0.97, mcid=0.05, nights=4, lean="worse")
"""gi_a1's citrate GI nights: +12 a month (+3 to +21), P 0.99 worse, on 4 nights: the same
output stopped citrate for doing harm."""


# --- a: an unsettled change that leans says the lean first ---

def test_a_leaning_harm_opens_with_the_harm_not_with_not_settled():
    line = effect_line(CITRATE_GI)
    assert line == ("GI nights: +12 a month (+3 to +21): probably worse (P 0.99), not yet a "
                    "settled verdict: only 4 written nights on it, and a verdict takes at least "
                    f"{VerdictRule.min_nights}")
    assert CITRATE_GI.verdict == "inconclusive"


def test_a_leaning_help_says_how_likely_it_reaches_what_matters():
    assert effect_line(effect()) == (
        "falling asleep 18 min faster (1 to 41 faster): probably helps (P 0.96), not yet a "
        "settled verdict: P 0.45 it helps by more than the 20 min that matters")
    no_lean = verdict_phrase(effect(mean=-3.0, low=-20.0, high=10.0, p_benefit=0.6, lean="",
                                    nights_needed=40))
    assert no_lean == "not settled yet: about 40 more written nights on it to tell"


@pytest.mark.parametrize(("more", "prescribed", "why"), [
    ({}, False, "P 0.45 it helps by more than the 20 min"),
    ({"nights": 3}, False, "only 3 written nights on it"),
    ({"off_nights_needed": 5}, False, "needs 5 more written nights without it"),
    ({"needs_placebo": True}, False, "placebo nights are needed"),
    ({"needs_placebo": True}, True, "its prescriber decides"),
    ({"nights_needed": 40}, False, "about 40 more written nights on it to tell"),
    ({"nights": 0}, False, "P 0.45 it helps by more than"),      # a form not taken yet
])
def test_every_lean_comes_first_and_says_why_it_is_no_verdict(more, prescribed, why):
    said = verdict_phrase(effect(**more), prescribed)
    assert said.startswith(f"probably helps (P 0.96), {UNSETTLED}: "), said
    assert why in said and "not settled yet" not in said
    assert "only 0 written nights" not in said


# --- b: an interval on one side of zero says its direction ---

@given(st.sampled_from([o for o in WORDS if o != "gi"]), st.floats(0.3, 50), st.floats(0, 1),
       st.floats(1, 3), st.booleans())
def test_an_interval_on_one_side_names_its_direction(outcome, size, near, far, up):
    ends = (size * near, size * far) if up else (-size * far, -size * near)
    said = change_words(outcome, size if up else -size, *ends)
    word = WORDS[outcome][1 if up else 2]
    assert re.fullmatch(rf".* {word}( [a-z ]+)? \([\d.]+ to [\d.]+ {word}\)", said), said


def test_the_auditors_interval_reads_faster_on_both_sides():
    assert change_words("sol", -18, -41, -1) == "falling asleep 18 min faster (1 to 41 faster)"
    assert change_words("sol", -4, -26, 15) == \
        "falling asleep 4 min faster (26 faster to 15 slower)"


# --- c: the MCID against the person's own level ---

def test_no_meaningful_effect_says_how_large_the_mcid_is_for_this_person():
    usual = RawNights(30.0)
    straddles = effect(mean=-5.0, low=-15.0, high=2.0, verdict="no_meaningful_effect",
                       lean="", raw=usual)
    assert verdict_phrase(straddles) == (
        "not shown to reach the 20 min that trials count as meaningful (about 70 % of your "
        "30 min without magnesium), either way")
    small = effect(mean=-7.5, low=-12.0, high=-3.0, verdict="no_meaningful_effect",
                   p_benefit=0.99, lean="helps", raw=usual)
    assert verdict_phrase(small).endswith(
        "by less than the 20 min that matters (about 70 % of your 30 min without magnesium)")
    awake = effect("awakenings", -0.2, -0.5, 0.1, verdict="no_meaningful_effect", mcid=0.5,
                   lean="", raw=RawNights(2.0))
    assert "(about 20 % of your 2.0 a night without magnesium)" in verdict_phrase(awake)


@pytest.mark.parametrize(("outcome", "level", "mcid"), [
    ("quality", 3.0, 0.5),      # a rating has no zero: a share of its level means nothing
    ("sol", 15.0, 20.0),        # within the MCID of zero: the room note says it
    ("sol", 400.0, 20.0),       # 5 %: no help
])
def test_the_share_only_where_it_says_something(outcome, level, mcid):
    def said(raw: RawNights) -> str:
        return verdict_phrase(effect(outcome, -0.1, -0.3, 0.1, verdict="no_meaningful_effect",
                                     mcid=mcid, lean="", raw=raw))

    assert "% of your" not in said(RawNights(level)), said(RawNights(level))
    assert "% of your" in verdict_phrase(effect(mean=-0.1, low=-0.3, high=0.1, lean="",
                                                verdict="no_meaningful_effect",
                                                raw=RawNights(60.0)))
