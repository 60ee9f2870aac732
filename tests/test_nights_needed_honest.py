""""About N more written nights on it to tell": honest early, one fewer per night written.

An outside audit (/tmp/w46/C F1) ran ``analyze`` every morning: after one night on a form every
outcome said "about 6 more written nights on it to tell", then the count grew faster than
nights were written (glycinate awakenings 1+6, 7+38, 13+71, 19+65): a mostly-prior SD after one
night was taken for one night's spread.
"""


import numpy as np
import pytest

from model.analysis.effects import diary_effects
from model.analysis.verdicts import MIN_LEARNED, nights_needed, prior_spread, verdict_chance
from model.core.forms import FORMS
from model.core.outcomes import OUTCOMES
from model.report.effect_words import verdict_phrase
from model.testing import FakePosterior
from tests.test_effects import cached_priors, diary, normal


def after(nights, prior_sd: float, per_night: float):
    """The posterior SD after ``nights`` (an int or an array) nights each adding
    ``per_night`` precision."""
    return 1 / np.sqrt(prior_sd**-2 + nights * per_night)


def test_nights_that_taught_nothing_give_no_count():
    """A posterior as wide as the prior: no rate to extrapolate, whatever the nights."""
    for nights in (7, 20, 60):
        assert nights_needed(normal(10.0, 10.0), 20.0, nights, 10.0) is None
    barely = 10.0 / np.sqrt(1 - 0.5 * MIN_LEARNED)          # half the share it needs
    assert nights_needed(normal(10.0, 10.0), 20.0, 20, barely) is None
    assert nights_needed(normal(10.0, 10.0), 20.0, 20, 20.0) is not None


@pytest.mark.parametrize("nights", [1, 3, 6])
def test_too_few_nights_give_no_count(nights):
    """One night on a form with a wide prior gave "about 6 more": under the verdict's
    7 nights no rate can be told, however the posterior looks."""
    for prior_sd in (12.0, 40.0, np.inf):
        assert nights_needed(normal(10.0, 10.0), 20.0, nights, prior_sd) is None


@pytest.mark.parametrize(("prior_sd", "per_night", "mean", "nights"), [
    (40.0, 40.0**-2, 0.0, 7), (40.0, 40.0**-2, 5.0, 10), (30.0, 60.0**-2, 15.0, 7),
    (30.0, 60.0**-2, -8.0, 21), (25.0, 30.0**-2, 10.0, 14)])
def test_the_count_follows_a_steady_per_night_precision(prior_sd, per_night, mean, nights):
    """Known answer: when each night adds the same precision to the prior's, the count is
    the first night whose SD on that path (:func:`after`) makes a verdict more likely than
    not. The square-root rule read 7 nights' prior-heavy SD as 7 nights' spread: 16 for the
    first case became 6 (the audit's "about 6 more"), 26 for the third 17."""
    today = after(nights, prior_sd, per_night)
    more = np.arange(1, 366)
    chance = verdict_chance(mean, today, 20.0, after(nights + more, prior_sd, per_night))
    expected = int(more[np.flatnonzero(chance >= 0.5)[0]])
    assert nights_needed(normal(mean, today), 20.0, nights, prior_sd) == pytest.approx(
        expected, abs=1)


def test_a_flat_prior_is_the_square_root_rule():
    """With no prior (``inf``) all of today's precision is the nights': the SD shrinks as
    one over the square root of the nights, as when the prior is negligible."""
    sd, nights = 10.0, 20
    got = nights_needed(normal(15.0, sd), 20.0, nights, np.inf)
    far = nights_needed(normal(15.0, sd), 20.0, nights, 1e6)
    assert got is not None and got == far


def test_a_wide_prior_after_few_nights_never_gives_a_small_count():
    """The count of 7 nights that narrowed a wide prior a little (a 10 % share) is many
    times the count of 7 nights that brought all the precision (a flat prior)."""
    posterior = normal(12.0, 9.0)
    little = nights_needed(posterior, 20.0, 7, 9.0 / np.sqrt(1 - 0.1))
    all_of_it = nights_needed(posterior, 20.0, 7, np.inf)
    assert all_of_it is not None and (little is None or little >= 5 * all_of_it)


FAKE = FakePosterior(benefit={"glycinate": 0.25}, benefit_sd=0.4, n_draws=2000)


def theta(share: float, draws: int = 2000) -> np.ndarray:
    """Posterior effect draws ``(draw, form, outcome)`` whose precision the nights gave
    ``share`` of (the prior's SD times ``sqrt(1 - share)``)."""
    spread = prior_spread(cached_priors()) * np.sqrt(1 - share)
    z = np.random.default_rng(3).standard_normal((draws, len(FORMS), len(OUTCOMES)))
    return z * spread[None]


@pytest.mark.parametrize(("off", "nights", "share", "counted"), [
    (14, 1, 0.9, False), (14, 6, 0.9, False), (120, 20, 0.0, False), (120, 20, 0.9, True),
    (14, 20, 0.9, False)])
def test_diary_effects_count_only_what_the_nights_taught(off, nights, share, counted):
    """End to end: a count needs the verdict's nights on the regimen taken now, nights that
    narrowed the form's prior, and enough nights off the form that more nights on it can
    settle the contrast (14 nights off cap it: /tmp/w46/E F1); without the effect draws no
    count is given."""
    nights_ = diary(("none", 0, off), ("glycinate", 300, nights)).nights
    effects = diary_effects(FAKE, nights_, cached_priors(), forms=["glycinate"],
                            theta=theta(share))
    sol = effects.get("glycinate", "sol")
    assert sol.verdict == "inconclusive"
    assert (sol.nights_needed is not None) == counted, sol
    said = verdict_phrase(sol)
    assert ("more written nights on it to tell" in said) == counted, said
    assert said.startswith("not settled yet")
    blind = diary_effects(FAKE, nights_, cached_priors(), forms=["glycinate"])
    assert all(e.nights_needed is None for e in blind)


def test_one_night_on_a_form_gives_no_six_more():
    """The audit's first morning: one night of glycinate said "about 6 more" on every outcome;
    now it says the verdict alone."""
    nights_ = diary(("none", 0, 14), ("glycinate", 300, 1)).nights
    effects = diary_effects(FAKE, nights_, cached_priors(), forms=["glycinate"],
                            theta=theta(0.5))
    for effect in effects:
        assert effect.nights_needed is None
        assert "on it to tell" not in verdict_phrase(effect)


def test_a_fixed_number_of_nights_off_caps_what_more_nights_on_can_show():
    """28 nights off before a long run on glycinate: "about 171 more written nights on it
    to tell" became 353 after 120 more were written (/tmp/w46/E F1). The change is a
    contrast with the nights off, whose variance more nights on the form cannot take below
    theirs: the count is later, or none, and the same when nights off are plenty."""
    posterior = normal(12.0, 9.0)
    counts = [nights_needed(posterior, 20.0, 28, np.inf, off_nights=off)
              for off in (np.inf, 1e6, 200, 56, 28)]
    assert counts == [35, 35, 47, 131, None]      # later the fewer nights off, then none
