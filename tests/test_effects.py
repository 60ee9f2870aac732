"""Effects in diary units: verdicts with known answers, agreement with the decision, doses."""

import datetime as dt
import functools

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from model.analysis.effects import DiaryEffect, DiaryEffects, diary_effects
from model.analysis.verdicts import (
    JUDGED,
    VerdictRule,
    lean,
    nights_needed,
    verdict,
    verdict_chance,
)
from model.core.forms import FORMS
from model.core.outcomes import OUTCOMES, SPECS
from model.core.regimen import Regimen
from model.data.diary import read_diary
from model.data.profile import Profile
from model.decision import decide
from model.evidence.priorset import load_priors
from model.report.effect_words import tried_forms, verdict_phrase
from model.testing import FakePosterior

cached_priors = functools.cache(load_priors)
WEIGHTS = Profile().outcome_weights()   # the default order of each dose's effects


def normal(mean: float, sd: float, n: int = 20_000) -> np.ndarray:
    """Draws with exactly the quantiles of N(mean, sd) (no Monte Carlo error), in an order
    of independent draws (sorted, they would read as one long autocorrelated run)."""
    order = np.random.default_rng(n).permutation(n)
    return mean + sd * stats.norm.ppf((order + 0.5) / n)


def diary(*periods: tuple[str, float, int]):
    """A diary of consecutive (form, elemental mg, nights) periods, every outcome recorded."""
    rows = [(form, mg) for form, mg, n in periods for _ in range(n)]
    frame = pd.DataFrame({
        "date": pd.date_range("2025-01-01", periods=len(rows)).strftime("%Y-%m-%d"),
        "form": [f if f != "none" else "" for f, _ in rows],
        "elemental_mg": [mg for _, mg in rows], "sol_min": 30.0, "awakenings": 2,
        "quality": 3, "freshness": 5, "anxiety": 5, "stool_bristol": 4})
    return read_diary(frame)


@pytest.mark.parametrize(("mean", "sd", "expected"), [
    (30.0, 5.0, "works"),                 # P(beyond MCID) 0.98
    (22.0, 10.0, "works"),                # P(benefit) 0.99 and mean beyond the MCID
    (18.0, 10.0, "inconclusive"),         # P(benefit) 0.96 but mean under the MCID
    (-30.0, 5.0, "harms"),
    (-22.0, 10.0, "harms"),
    (2.0, 3.0, "no_meaningful_effect"),   # 90 % interval -2.9 to 6.9, inside +-20
    (12.0, 4.0, "no_meaningful_effect"),  # helps, surely, but surely by less than the MCID
    (0.0, 15.0, "inconclusive"),
])
def test_verdict_known_answers(mean, sd, expected):
    assert verdict(normal(mean, sd), 20.0) == expected


def test_a_verdict_within_its_monte_carlo_error_of_the_threshold_is_not_claimed():
    """A statistics audit: P(harm direction) 0.898 and 0.905 on two seeds of one diary said
    "not settled yet" and "harms you"; 4,000 independent draws hold P to about +-0.005."""
    rng = np.random.default_rng(5)
    for p_harm, expected in ((0.905, "inconclusive"), (0.95, "harms")):
        harmful = round(p_harm * 4000)      # half at -10, half at -60: P(b < -20) under 0.8
        draws = rng.permutation(np.r_[np.tile([-10.0, -60.0], harmful // 2),
                                      np.full(4000 - harmful, 5.0)])
        assert draws.mean() <= -20.0 and np.mean(draws < -20.0) < 0.8
        assert verdict(draws, 20.0) == expected, p_harm


def test_verdicts_exclusive_and_cover_every_case():
    rng = np.random.default_rng(0)
    seen = set()
    for mean, sd in rng.uniform([-40, 0.5], [40, 25], size=(300, 2)):
        draws = normal(mean, sd, 2000)
        said = verdict(draws, 20.0)
        seen.add(said)
        if said == "works":     # works never sits with an interval inside the ROPE
            assert np.quantile(draws, 0.95) >= 20.0
    assert seen == set(JUDGED)


def simulated_chance(mean: float, sd: float, later_sd: float, rng: np.random.Generator,
                     futures: int = 600) -> float:
    """P(a verdict) after more nights by brute force: future posterior means drawn from
    N(mean, sd^2 - later_sd^2), each judged by :func:`verdict` on its own draws."""
    shift = rng.normal(mean, np.sqrt(sd**2 - later_sd**2), futures)
    base = normal(0.0, later_sd, 4000)
    return float(np.mean([verdict(m + base, 20.0) != "inconclusive" for m in shift]))


@pytest.mark.parametrize(("mean", "sd", "nights"), [
    (15.0, 10.0, 20), (-8.0, 9.0, 30), (25.0, 25.0, 14), (18.0, 6.0, 20)])
def test_the_verdict_chance_is_the_rule_of_verdict_in_normal_terms(mean, sd, nights):
    """The chance of a verdict after more nights agrees with judging simulated futures by
    :func:`verdict` itself, and the nights needed are where it first reaches one half."""
    rng = np.random.default_rng(1)
    assert verdict(normal(mean, sd), 20.0) == "inconclusive"
    more = nights_needed(normal(mean, sd), 20.0, nights, np.inf)   # a flat prior
    assert more is not None
    for k in (max(1, more // 3), more, 3 * more):
        later = sd * np.sqrt(nights / (nights + k))
        analytic = float(verdict_chance(mean, sd, 20.0, np.array([later]))[0])
        assert simulated_chance(mean, sd, later, rng) == pytest.approx(analytic, abs=0.07)
    at = sd * np.sqrt(nights / (nights + np.array([more - 1, more])))
    before, after = verdict_chance(mean, sd, 20.0, at)
    assert after >= 0.5 and (more == 1 or before < 0.5)


def test_nights_needed_limits_and_symmetry():
    assert nights_needed(normal(15.0, 10.0), 20.0, 0, np.inf) is None   # nothing to scale
    # after 1,000 nights a year more leaves the mean near 15 +- 5: still undecided
    assert nights_needed(normal(15.0, 10.0), 20.0, 1000, np.inf) is None
    assert nights_needed(normal(15.0, 10.0), 20.0, 1000, np.inf,
                         VerdictRule(max_nights=10**5))
    # harms mirrors works
    assert nights_needed(normal(-15.0, 10.0), 20.0, 20, np.inf) == nights_needed(
        normal(15.0, 10.0), 20.0, 20, np.inf)


def test_nights_needed_does_not_hinge_on_the_mean_against_the_mcid():
    """The old rule extrapolated today's mean: 18 +- 6 after 20 nights needed 464 more (over
    a year, None), 17 needed 219, 16 121; the coming nights move the mean too."""
    answers = [nights_needed(normal(m, 6.0), 20.0, 20, np.inf) for m in (16.0, 17.0, 18.0, 19.0)]
    assert all(a is not None and a <= 40 for a in answers), answers
    rng = np.random.default_rng(2)   # Monte Carlo draws of one posterior: the same answer
    wobble = [nights_needed(rng.normal(15.0, 10.0, 4000), 20.0, 20, np.inf) for _ in range(8)]
    assert max(wobble) - min(wobble) <= 0.25 * np.median(wobble), wobble


def _shares(share: float, draws: int, rng: np.random.Generator) -> np.ndarray:
    """``draws`` independent draws, ``share`` of them +1, the rest -1, in random order."""
    return rng.permutation(np.r_[np.ones(int(share * draws)), -np.ones(draws - int(share * draws))])


def test_a_lean_clears_its_threshold_by_the_monte_carlo_margin():
    """A statistics audit: P(benefit) 0.8995 to 0.914 in five fits of one diary gave "probably
    helps" in three; with 2,000 draws 0.91 is within two Monte Carlo errors of 0.9."""
    draws, rng = 2000, np.random.default_rng(3)
    assert lean(_shares(0.91, draws, rng)) == ""
    assert lean(_shares(0.93, draws, rng)) == "helps"
    assert lean(-_shares(0.95, draws, rng)) == "worse"


def test_the_monte_carlo_margin_counts_the_effective_draws_not_the_draws():
    """4,000 draws that are 400 draws each repeated 10 times (a resampled fit's repeats, or
    NUTS draws with an autocorrelation time of 10) carry 400 draws' information: at P 0.92
    the margin over 4,000 (0.0086) clears 0.9, the one over 400 (0.027) does not."""
    rng = np.random.default_rng(4)
    few = _shares(0.92, 400, rng)
    assert lean(rng.permutation(np.repeat(few, 10))) == "helps"      # repeats scattered
    assert lean(np.repeat(few, 10)) == ""                              # repeats side by side
    size = np.where(np.arange(400) % 2, 10.0, 60.0)     # P(b > 20) under 0.8, mean over 20
    benefit = np.repeat(np.where(few > 0, size, -5.0), 10)            # a verdict likewise
    assert verdict(rng.permutation(benefit), 20.0) == "works"
    assert verdict(benefit, 20.0) == "inconclusive"


FAKE = FakePosterior(benefit={"glycinate": 2.0, "citrate": 0.0, "taurate": 0.3},
                     gi={"citrate": 2.5, "glycinate": 0.0}, benefit_sd=0.05, gi_sd=0.1,
                     baseline_gi_sd=0.1, n_draws=2000, expectation=0.3)


@functools.cache
def fake_effects(last: tuple[str, float, int] = ("none", 0, 10)):
    """The fake's effects after citrate, then glycinate 200 mg, then ``last``."""
    nights = diary(("none", 0, 14), ("citrate", 300, 21), ("none", 0, 7),
                   ("glycinate", 200, 28), last)
    return nights, diary_effects(FAKE, nights.nights, cached_priors())


def test_known_answers_from_a_fake_posterior():
    effects = fake_effects()[1]
    # against placebo (29.6 min: 40 min less the expectation's 0.3 log ratio) glycinate 200 mg
    # takes off 2.0 x 0.857 (Emax at 200 mg) on the log scale: 40 (e^-2.01 - e^-0.3) min
    sol = effects.get("glycinate", "sol")
    assert sol.verdict == "works" and sol.unit == "min" and sol.mean == pytest.approx(
        40 * (np.exp(-0.3 - 2.0 * (200 / 350) / (300 / 450)) - np.exp(-0.3)), rel=0.1)
    assert sol.ci_low < sol.mean < sol.ci_high < 0
    gi = effects.get("citrate", "gi")
    assert gi.verdict == "harms" and gi.mean > 0.05 and gi.unit == "share of nights"
    assert effects.get("citrate", "sol").verdict == "no_meaningful_effect"
    assert effects.get("glycinate", "gi").verdict == "no_meaningful_effect"
    taurate = effects.get("taurate", "sol")
    assert not taurate.tried and taurate.nights_needed is None


@pytest.mark.parametrize(("ceiling", "untried_mg"), [(250.0, 250.0), (300.0, 300.0),
                                                  (350.0, 300.0), (0.0, None), (-40.0, None)])
def test_forms_not_taken_are_assessed_at_a_dose_within_the_ceiling(ceiling, untried_mg):
    """Under a lower ceiling a form not taken is assessed at it (the report did so alone, the
    JSON kept 300 mg); with none left (other magnesium takes it all), not at all."""
    nights = diary(("none", 0, 14), ("glycinate", 200, 14)).nights
    effects = diary_effects(FAKE, nights, cached_priors(), ceiling_mg=ceiling)
    doses = {e.form: e.regimen.elemental_mg for e in effects}
    assert doses.pop("glycinate") == 200.0
    assert set(doses.values()) == ({untried_mg} if untried_mg else set())
    assert len(doses) == (len(FORMS) - 1 if untried_mg else 0)


def test_a_form_taken_on_few_nights_gets_no_verdict_yet():
    """A statistics audit: two nights on a form were called "works for you", and two or three
    nights without loose stools "no meaningful effect"; a verdict needs 7 nights."""
    few = diary_effects(FAKE, diary(("none", 0, 14), ("glycinate", 200, 3)).nights,
                        cached_priors())
    for outcome in ("sol", "gi"):
        effect = few.get("glycinate", outcome)
        assert effect.nights == 3 and effect.verdict == "inconclusive"
        # no count under 7 nights: "about 6 more" after one night was the verdict's floor,
        # not an estimate (an outside audit, /tmp/w46/C F1)
        assert effect.nights_needed is None
    week = diary_effects(FAKE, diary(("none", 0, 14), ("glycinate", 200, 7)).nights,
                         cached_priors())
    assert week.get("glycinate", "sol").verdict == "works"


def test_dose_taken_and_reference_dose():
    effects = fake_effects()[1]
    assert effects.get("glycinate", "sol").regimen == Regimen("glycinate", 200)
    assert effects.get("glycinate", "sol").nights == 28
    assert effects.get("citrate", "quality").regimen == Regimen("citrate", 300)
    assert effects.get("taurate", "sol").regimen == Regimen("taurate", 300)
    table = effects.table()
    assert len(table) == len(FORMS) * len(OUTCOMES)
    assert list(table["form"].drop_duplicates()[:2]) == ["glycinate", "citrate"]


def test_each_dose_taken_has_its_own_effect_and_nights():
    """A form taken at 100 mg, then 300 mg: an effect at each dose, with that dose's nights."""
    nights = diary(("none", 0, 14), ("glycinate", 100, 30), ("citrate", 300, 14),
                   ("glycinate", 300, 20)).nights
    effects = diary_effects(FAKE, nights, cached_priors())
    assert effects.get("glycinate", "sol").nights == 50  # the form's entry: every dose
    by = {(e.regimen, e.outcome): e for e in effects.by_regimen}
    low, high = by[Regimen("glycinate", 100), "sol"], by[Regimen("glycinate", 300), "sol"]
    assert (low.nights, high.nights, by[Regimen("citrate", 300), "sol"].nights) == (30, 20, 14)
    # Emax: more magnesium, more effect (falling asleep faster is a negative change)
    assert high.mean < low.mean < 0
    assert [e.regimen for e in effects.by_regimen][::len(OUTCOMES)] == [
        Regimen("glycinate", 100), Regimen("glycinate", 300), Regimen("citrate", 300)]
    assert tried_forms(effects, WEIGHTS)[0][0] == "glycinate 100 mg, 30 written nights"
    assert [label for label, _ in tried_forms(effects, WEIGHTS)][1:] == [
        "glycinate 300 mg, 20 written nights", "citrate 300 mg, 14 written nights"]
    entry = high.regimen_entry()
    assert (entry["form"], entry["nights"], entry["diary_change"]["elemental_mg_per_day"]) == (
        "glycinate", 20, 300)


def test_the_change_is_each_draws_own_and_agrees_with_the_decision_in_direction():
    """For the current regimen, the change is each draw's difference of the predicted nightly
    means against placebo (an edge-of-scale audit, C F4: the decision's one slope for all
    draws halved intervals at a scale's end), and minus the decision's gain of stopping it
    up to that slope: a large latency effect (2 SMD) is 25.4 min exactly, 22.0 by the slope."""
    nights, effects = fake_effects(("glycinate", 200, 1))
    d = decide(FAKE, priors=cached_priors(), diary=nights, as_of=dt.date(2025, 3, 12))
    stop = next(a for a in d.assessments if a.action == "stop")
    data = FAKE([Regimen("glycinate", 200), Regimen("placebo")])
    for outcome in OUTCOMES:
        spec = SPECS[outcome]
        effect = effects.get("glycinate", outcome)
        draws = data[spec.gain_key].to_numpy()
        change = draws[0] - draws[1]
        assert effect.mean == pytest.approx(change.mean(), rel=1e-9, abs=1e-12)
        assert (effect.ci_low, effect.ci_high) == pytest.approx(np.quantile(change, [0.05, 0.95]))
        assert effect.mean == pytest.approx(-spec.sign * stop.gain[spec.gain_key], rel=0.2,
                                            abs=0.005)


@pytest.mark.parametrize("placebo", [0, 14])
def test_expectation_is_not_credited_to_magnesium(placebo):
    """A form without an effect shows none, however large the expectation effect. Without
    placebo nights "no meaningful effect" is not claimed either, since the nights show a
    change (a safety audit: 7 nights from 65 to 5 minutes were called "no meaningful
    effect", the expectation prior having taken the change): a placebo period settles it."""
    fake = FakePosterior(benefit={"glycinate": 0.0}, benefit_sd=0.01, expectation=0.8,
                         expectation_sd=0.0, n_draws=1000)
    periods = [("none", 0, 14), ("glycinate", 300, 28)]
    nights = diary(*([("placebo", 0, placebo)] if placebo else []), *periods).nights
    sol = diary_effects(fake, nights, cached_priors(), forms=["glycinate"]).get(
        "glycinate", "sol")
    assert abs(sol.mean) < 0.5
    assert (sol.verdict, sol.needs_placebo) == (("no_meaningful_effect", False) if placebo
                                                else ("inconclusive", True))


def test_json_fields():
    entry = fake_effects()[1].get("glycinate", "sol").to_dict()
    assert set(entry["diary_change"]) >= {"unit", "mean", "ci_low", "ci_high"}
    assert entry["verdict"] in JUDGED
    assert 0 <= entry["p_beyond_mcid"] <= 1 and 0 <= entry["p_harm_beyond_mcid"] <= 1


@pytest.mark.parametrize("placebo", [0, 14])
def test_without_placebo_nights_a_harm_that_only_the_prior_makes_is_not_claimed(placebo):
    """Magnesium cancels exactly the expectation effect: against placebo it harms, but the
    nights (against no magnesium) show nothing; only placebo nights can tell the two apart."""
    fake = FakePosterior(benefit={"glycinate": -1.0}, benefit_sd=0.02, expectation=1.0,
                         n_draws=1000)
    periods = [("none", 0, 14), ("glycinate", 300, 28)]
    nights = diary(*([("placebo", 0, placebo)] if placebo else []), *periods).nights
    effects = diary_effects(fake, nights, cached_priors(), forms=["glycinate"])
    awakenings = effects.get("glycinate", "awakenings")
    assert awakenings.mean > 0.5 and awakenings.p_harm_beyond_mcid > 0.99
    assert effects.placebo_nights == placebo
    if placebo:
        assert awakenings.verdict == "harms" and not awakenings.needs_placebo
    else:
        assert awakenings.verdict == "inconclusive" and awakenings.needs_placebo
        assert awakenings.nights_needed is None
        assert awakenings.to_dict()["needs_placebo"] is True


def test_no_more_nights_are_suggested_on_a_regimen_the_rules_do_not_allow():
    """Gwern's diary: citrate 800 mg, above the 350 mg ceiling, was told "about 336 more
    nights on it to tell" while the advice was to stop it."""
    def inconclusive(mg: float, needed: int) -> DiaryEffect:
        return DiaryEffect("citrate", "quality", Regimen("citrate", mg), 50, "points", -0.1,
                           -0.4, 0.2, 0.3, 0.05, 0.02, 0.5, "inconclusive", needed)

    low, high = inconclusive(136.0, 40), inconclusive(800.0, 336)
    effects = DiaryEffects((low,), 0.9, by_regimen=(low, high))
    kept = effects.only_settled_on(lambda regimen: regimen.elemental_mg <= 350)
    assert [e.nights_needed for e in kept.by_regimen] == [40, None]
    assert kept.effects == (low,) and kept.interval == 0.9
    said = {label: [verdict_phrase(e) for e in own]
            for label, own in tried_forms(kept, WEIGHTS)}
    assert said["citrate 136 mg, 50 written nights"] == [
        "not settled yet: about 40 more written nights on it to tell"]
    assert said["citrate 800 mg, 50 written nights"] == ["not settled yet"]


def test_no_nights_to_tell_are_counted_for_an_outcome_never_recorded_off_the_form():
    """A user audit: quality rated on glycinate nights only was "about 4 more nights on it to
    tell", then 12, then 18: with no rated night off the form, more nights on it cannot tell
    its change from the person's usual rating."""
    fake = FakePosterior(benefit={"glycinate": 0.3}, benefit_sd=0.4, n_draws=2000)
    nights = diary(("none", 0, 120), ("glycinate", 300, 7)).nights.copy()   # sol: many off
    nights.loc[nights["form"] != "glycinate", "quality"] = np.nan
    taught = 0.01 * np.random.default_rng(0).standard_normal((2000, len(FORMS), len(OUTCOMES)))
    effects = diary_effects(fake, nights, cached_priors(), forms=["glycinate"], theta=taught)
    quality, sol = effects.get("glycinate", "quality"), effects.get("glycinate", "sol")
    assert quality.nights == 7 and quality.verdict == "inconclusive"
    assert quality.nights_needed is None
    assert sol.verdict == "inconclusive" and sol.nights_needed is not None  # rated both ways


def test_one_night_off_the_form_does_not_settle_its_change():
    """A tracker user's audit: one night off glycinate (0 minutes to fall asleep, against
    about 20 on 15 glycinate nights) turned "not settled yet" into "no meaningful effect";
    a verdict needs 7 nights off the form to compare with, as it needs 7 on it."""
    nights = diary(("none", 0, 14), ("glycinate", 200, 15)).nights.copy()
    nights.loc[nights["form"] != "glycinate", "sol_min"] = np.nan
    nights.iloc[13, nights.columns.get_loc("sol_min")] = 0.0           # one night off, rated
    sol = diary_effects(FAKE, nights, cached_priors(), forms=["glycinate"]).get("glycinate",
                                                                                "sol")
    assert sol.nights == 15 and sol.verdict == "inconclusive"
    assert sol.nights_needed is None and sol.off_nights_needed == 6
    assert sol.to_dict()["off_nights_needed"] == 6
    assert verdict_phrase(sol).endswith("needs 6 more written nights without it to compare with")
    nights.iloc[7:13, nights.columns.get_loc("sol_min")] = 30.0         # a week off, rated
    week = diary_effects(FAKE, nights, cached_priors(), forms=["glycinate"]).get("glycinate",
                                                                                 "sol")
    assert week.verdict == "works" and week.off_nights_needed is None
