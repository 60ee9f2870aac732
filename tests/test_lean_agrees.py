"""Without placebo nights an unsettled change leans only where the nights agree (an outside
audit, /tmp/w51/b B1: "evening anxiety 1.1 points higher ...: probably worse (P 0.92)" on a
form whose nights were no worse than the nights off).

Against placebo a diary without placebo nights subtracts an expectation effect that only its
prior knows; the lean of a sleep outcome then counts a draw only when the change against no
magnesium, as the nights show it, goes the same way, and says that joint share.
"""

import numpy as np
import pytest

from model.analysis.effects import diary_effects
from model.analysis.verdicts import lean, lean_chance
from model.core.change_words import chance
from model.report.effect_words import effect_line
from model.testing import FakePosterior
from tests.test_effects import cached_priors, diary

SLEEP = ("sol", "awakenings", "anxiety")
PERIODS = [("none", 0, 14), ("glycinate", 300, 28)]


def glycinate(fake: FakePosterior, placebo: int = 0):
    """The fake's effects of glycinate 300 mg after 14 nights off (and ``placebo`` nights)."""
    nights = diary(*([("placebo", 0, placebo)] if placebo else []), *PERIODS).nights
    return diary_effects(fake, nights, cached_priors(), forms=["glycinate"])


def test_a_lean_counts_a_draw_only_when_both_comparisons_go_its_way():
    rng = np.random.default_rng(0)
    benefit = -np.abs(rng.normal(1.0, 0.3, 4000))           # worse than placebo in every draw
    seen = rng.permutation(np.where(np.arange(4000) < 2000, -1.0, 1.0))  # the nights: a coin
    assert lean(benefit) == "worse" and lean(benefit, seen=seen) == ""
    assert lean_chance(benefit, "worse", seen) == pytest.approx(0.5)
    assert lean(-benefit, seen=-seen) == "" and lean(benefit, seen=np.full(4000, -1.0)) == "worse"


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_worse_or_better_than_placebo_alone_gets_no_lean(sign):
    """Magnesium cancels the expectation effect exactly: against placebo it is worse (or, for
    a nocebo, better) by far, against no magnesium it changes nothing."""
    fake = FakePosterior(benefit={"glycinate": -sign}, benefit_sd=0.02, expectation=sign,
                         n_draws=1000)
    effects = glycinate(fake)
    for outcome in SLEEP:
        effect = effects.get("glycinate", outcome)
        assert effect.verdict == "inconclusive" and effect.needs_placebo
        assert effect.lean == "" and effect.p_lean_agreed is None
        assert "probably" not in effect_line(effect)


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_a_change_both_comparisons_show_leans_with_their_joint_chance(sign):
    """Worse (or better) against placebo in every draw, against no magnesium in most: the lean
    stands and says the share of draws in which both go its way, not P against placebo."""
    fake = FakePosterior(benefit={"glycinate": -0.3 * sign}, benefit_sd=0.1,
                         expectation_sd=0.15, n_draws=2000)
    way = "worse" if sign > 0 else "helps"
    for outcome in ("sol", "awakenings"):
        effect = glycinate(fake).get("glycinate", outcome)
        own = 1 - effect.p_benefit if way == "worse" else effect.p_benefit
        assert effect.verdict == "inconclusive" and effect.lean == way
        assert effect.p_lean == effect.p_lean_agreed < own - 0.02 and effect.p_lean >= 0.9
        assert f"probably {way} (P {chance(effect.p_lean)})" in effect_line(effect)
        assert f"probably {way} (P {chance(own)})" not in effect_line(effect)


def test_with_placebo_nights_the_lean_is_against_placebo_as_before():
    fake = FakePosterior(benefit={"glycinate": -0.3}, benefit_sd=0.1, expectation_sd=0.15,
                         n_draws=2000)
    for outcome in ("sol", "awakenings"):
        effect = glycinate(fake, placebo=14).get("glycinate", outcome)
        assert effect.lean == "worse" and effect.p_benefit < 0.005
        assert "probably worse (P > 0.99), not yet a settled verdict" in effect_line(effect)


def test_a_small_change_the_nights_do_not_show_is_not_said_a_little_worse():
    """Below the MCID against placebo on one side of zero, nothing against no magnesium: "a
    little worse (P > 0.99 it is worse)" was the placebo comparison's alone (a review of B1)."""
    def lines(expectation: float) -> list[str]:
        fake = FakePosterior(benefit={"glycinate": -0.1}, benefit_sd=0.02,
                             expectation=expectation, expectation_sd=0.02, n_draws=1000)
        effects = glycinate(fake)
        assert all(effects.get("glycinate", o).verdict == "no_meaningful_effect" for o in SLEEP)
        return [effect_line(effects.get("glycinate", o)) for o in SLEEP]

    assert all("a little worse (P > 0.99 it is worse)" in line for line in lines(0.0))
    assert not any("a little" in line for line in lines(0.1))
