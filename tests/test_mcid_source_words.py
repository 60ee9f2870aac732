"""An MCID is said to be the trials' only when a published one is used as it stands (an outside
audit, /tmp/w51/b B2: "the 1.5 a month that trials count as meaningful" of GI nights, whose
``mcid_source`` is "project judgement (no published MCID for GI nights)")."""

import pytest

from model.analysis.effects import diary_effects
from model.report.effect_words import effect_line, mcid_basis
from model.testing import FakePosterior
from tests.test_effects import cached_priors, diary

FAKE = FakePosterior(benefit={"glycinate": 0.0}, gi={"glycinate": 0.0}, benefit_sd=0.1,
                     gi_sd=0.1, baseline_gi_sd=0.1, n_draws=2000)


def effects():
    """Glycinate doing nothing, with placebo nights: every verdict "no meaningful effect"."""
    nights = diary(("none", 0, 14), ("placebo", 0, 14), ("glycinate", 300, 28)).nights
    return diary_effects(FAKE, nights, cached_priors(), forms=["glycinate"])


def test_the_gi_line_says_its_bar_is_a_judgement_not_the_trials():
    gi = effects().get("glycinate", "gi")
    assert gi.verdict == "no_meaningful_effect" and gi.ci_low < 0 < gi.ci_high
    assert gi.mcid_source == cached_priors().settings.outcomes["gi"].mcid_source
    line = effect_line(gi)
    assert "trials" not in line
    assert "the 1.5 a month that we count as meaningful (our judgement), either way" in line


def test_a_published_mcid_still_says_the_trials_count_it():
    sol = effects().get("glycinate", "sol")
    assert sol.verdict == "no_meaningful_effect" and sol.mcid_source == "EDINGER2021_AASM"
    assert "not shown to reach the 20 min that trials count as meaningful" in effect_line(sol)


@pytest.mark.parametrize(("source", "said"), [
    ("EDINGER2021_AASM", "that trials count as meaningful"),
    ("TOUSSAINT2020", "that trials count as meaningful"),
    ("TOUSSAINT2020, converted: GAD-7 4 points = 0.8 SMD x an expert-judged SD of 2 points",
     "that we count as meaningful (converted from a published one)"),
    ("project judgement (no published MCID for GI nights)",
     "that we count as meaningful (our judgement)"),
    ("[E] 5 points, after EDINGER2021_AASM", "that we count as meaningful (our judgement)"),
])
def test_the_words_follow_the_source_not_the_outcome(source, said):
    assert mcid_basis(source) == said
