"""Words at the edges of the scale: verdicts the scale settles, nights the model contradicts,
columns at 0 or at their limit (an edge-of-scale audit, /tmp/w44/C F5, F6, F7 and F1)."""

from __future__ import annotations

import functools
from dataclasses import replace

import pandas as pd
import pytest

from model.analysis.effects import DiaryEffect, diary_effects
from model.core.regimen import Regimen
from model.data.diary import read_diary
from model.data.night_levels import COVARIATE_WORDS, RawNights, raw_nights
from model.evidence.priorset import load_priors
from model.report.effect_words import effect_line, verdict_phrase
from model.report.effects_html import tried_html
from model.testing import FakePosterior

GLYCINATE = Regimen("glycinate", 200.0)


def effect(outcome: str, mean: float, low: float, high: float, p_benefit: float,
           verdict: str, mcid: float, raw: RawNights | None, **more) -> DiaryEffect:
    """A glycinate 200 mg effect on 28 nights (unit and MCID tails do not matter here)."""
    return DiaryEffect("glycinate", outcome, GLYCINATE, 28, "", mean, low, high, p_benefit,
                       0.0, 0.0, mcid, verdict, raw=raw, **more)


# --- 1: a verdict the scale settles says so (C F5) ---

def anxiety(without: float, verdict: str = "no_meaningful_effect") -> DiaryEffect:
    """d5's anxiety: 1.54 without magnesium, 0 on every glycinate night, MCID 1.6 points."""
    return effect("anxiety", -0.1, -0.25, -0.03, 0.98, verdict, 1.6,
                  RawNights(without, 0.0, 0.12), lean="helps")


def test_a_verdict_the_whole_baseline_could_not_reach_says_the_scale_settled_it():
    line = effect_line(anxiety(1.54))
    assert line.startswith("evening anxiety 0.1 points lower (0.0 to 0.2 lower): helps a little")
    assert ("(1.5 points without magnesium, within 1.6 points of the scale's best (0): no gain "
            "that matters could show)") in line


@pytest.mark.parametrize("without", [1.6, 4.0])
def test_a_baseline_with_room_for_the_mcid_says_nothing_of_the_scale(without):
    """Room of the MCID or more: the nights could have shown a change that matters."""
    assert "could show" not in effect_line(anxiety(without))


def test_a_harm_is_not_about_the_room_to_gain():
    assert "could show" not in verdict_phrase(anxiety(1.0, "harms"))


def test_an_unsettled_verdict_at_the_ceiling_says_only_a_loss_can_still_show():
    """d1: quality 4.9 of 5 was told "placebo nights are needed" (they cannot show a gain)."""
    quality = effect("quality", 0.0, -0.4, 0.4, 0.5, "inconclusive", 0.4,
                     RawNights(4.9, 4.9, 0.05), needs_placebo=True)
    said = verdict_phrase(quality)
    assert ("4.9 points without magnesium, within 0.4 points of the scale's best (5): no gain "
            "that matters could show; only a loss can") in said


def test_gi_nights_are_a_harm_s_outcome_with_no_room_note():
    gi = effect("gi", -0.005, -0.03, 0.01, 0.6, "no_meaningful_effect", 0.05,
                RawNights(0.0, 0.0, 0.0))
    assert "could show" not in verdict_phrase(gi)


def test_a_level_from_too_few_nights_without_is_not_said():
    """:func:`raw_nights` gives None on fewer than ``least`` nights without magnesium."""
    assert "could show" not in effect_line(replace(anxiety(1.54), raw=None))


# --- 2: an effect said against what the nights showed says what they showed (C F6) ---

def onset(on: float, error: float, mean: float = -33.0) -> DiaryEffect:
    """d2: 155 min to fall asleep without magnesium; the model says 33 min faster, P 0.79."""
    return effect("sol", mean, -99.0, 33.0, 0.79, "inconclusive", 20.0,
                  RawNights(155.25, on, error), nights_needed=38)


def test_nights_worse_on_it_than_without_are_said_beside_a_model_that_says_faster():
    line = effect_line(onset(172.8, 11.5))
    assert line.startswith("falling asleep 33 min faster (99 faster to 33 slower): not settled "
                           "yet: about 38 more written nights on it to tell (")
    assert ("(your time to fall asleep averaged 173 min on it and 155 min without: the model "
            "credits that difference to taking anything (the expectation effect), the diary's "
            "drift or build-up rather than to magnesium; a blinded placebo period would test "
            "that)") in line


def test_a_covariate_apart_on_the_two_sets_of_nights_is_named_first():
    """/tmp/w54/s S3: glycinate only before day sleeps after night shifts."""
    rota = (f"{COVARIATE_WORDS['day_sleep']} on 100 % of its nights, 42 % without",)
    line = effect_line(replace(onset(172.8, 11.5), raw=RawNights(155.25, 172.8, 11.5,
                                                                  covariates=rota)))
    assert (f"the model credits that difference to {COVARIATE_WORDS['day_sleep']} on 100 % of "
            "its nights, 42 % without (fitted apart), to taking anything (the expectation "
            "effect), the diary's drift or build-up rather than to magnesium") in line


@pytest.mark.parametrize(("on", "error", "mean"), [
    (172.8, 15.0, -33.0),      # 17.6 min slower is 1.17 standard errors: the nights' noise
    (140.0, 11.5, -33.0),      # the nights agree with the model: faster
    (172.8, 11.5, 33.0),       # the model says slower too
    (172.8, 11.5, -0.04),      # the model's change is said as "no change": no direction
])
def test_no_contrary_note_within_noise_or_when_the_two_agree(on, error, mean):
    assert "averaged" not in effect_line(onset(on, error, mean))


def test_nights_better_on_it_beside_a_model_that_says_worse_are_said_too():
    better = effect("quality", -0.2, -0.5, 0.1, 0.15, "inconclusive", 0.4,
                    RawNights(2.0, 2.6, 0.1))
    assert "your sleep quality averaged 2.6 points on it and 2.0 points without" in \
        verdict_phrase(better)


# --- the nights' own levels: RawNights of a diary ---

def frame(sol: list[float], forms: list[str], mg: list[float], **columns) -> pd.DataFrame:
    return pd.DataFrame({
        "date": pd.date_range("2026-01-01", periods=len(sol)).strftime("%Y-%m-%d"),
        "form": forms, "elemental_mg": mg, "sol_min": sol, "awakenings": 1, "quality": 3,
        "stool_bristol": 4} | columns)


def test_raw_nights_compare_the_regimen_s_nights_with_those_without_magnesium_alone():
    """Placebo nights and another dose are neither the level without nor the regimen's."""
    sol = [10.0] * 8 + [90.0] * 7 + [40.0] * 8 + [70.0] * 7
    forms = [""] * 8 + ["placebo"] * 7 + ["glycinate"] * 8 + ["glycinate"] * 7
    mg = [0.0] * 15 + [200.0] * 8 + [300.0] * 7
    nights = read_diary(frame(sol, forms, mg)).nights
    raw = raw_nights(nights, "sol_min", GLYCINATE, 7)
    assert raw == RawNights(10.0, 40.0, 0.0, placebo=7)
    assert raw_nights(nights, "sol_min", Regimen("taurate", 200.0), 7) == RawNights(10.0,
                                                                                    placebo=7)
    assert raw_nights(nights, "sol_min", GLYCINATE, 9) is None     # 8 nights without: too few


def test_the_nights_direction_needs_p_0_9_one_sided():
    assert RawNights(155.0, 173.0, 11.5).direction(0.9) == 1        # 1.57 standard errors
    assert RawNights(155.0, 173.0, 15.0).direction(0.9) == 0        # 1.2
    assert RawNights(155.0, 137.0, 11.5).direction(0.9) == -1
    assert RawNights(155.0).direction(0.9) == 0


@functools.cache
def insomniac_effects():
    """28 nights at 150 min without magnesium, 28 at 180 on glycinate; the fake says faster."""
    sol = [140.0, 160.0] * 14 + [170.0, 190.0] * 14
    diary = read_diary(frame(sol, [""] * 28 + ["glycinate"] * 28, [0.0] * 28 + [200.0] * 28))
    fake = FakePosterior(benefit={"glycinate": 0.3}, benefit_sd=0.2, n_draws=1000)
    return diary_effects(fake, diary.nights, load_priors())


def test_the_effects_carry_what_the_nights_showed_and_every_rendering_says_it():
    effects = insomniac_effects()
    sol = effects.get("glycinate", "sol")
    assert sol.raw is not None and (sol.raw.without, sol.raw.on) == (150.0, 180.0)
    assert sol.mean < 0 and "averaged 180 min on it and 150 min without" in effect_line(sol)
    assert "averaged 180 min on it and 150 min without" in tried_html(effects, {"sol": 1.0})
    assert effects.get("taurate", "sol").raw == RawNights(150.0)       # not taken: no change


# --- 3: a measured column at 0 on many nights, or at the diary's limit (C F7, F1) ---

def warnings_of(sol: list[float], awakenings: list[float] | None = None) -> tuple[str, ...]:
    n = len(sol)
    return read_diary(frame(sol, [""] * n, [0.0] * n,
                            awakenings=awakenings or [1.0] * n)).warnings


def test_sleep_onset_at_0_on_a_quarter_of_the_nights_is_named():
    said = warnings_of([0.0] * 20 + [25.0] * 36)
    assert said == ("<DataFrame>: sol_min is 0 on 20 of 56 nights: if your tracker writes 0 "
                    "when it did not measure, leave those cells blank",)


@pytest.mark.parametrize("sol", [
    [0.0] * 4 + [25.0] * 4,      # half the nights, but 4: a short diary's chance
    [0.0] * 5 + [25.0] * 16,     # 5 nights, under a quarter: "at once" rounded down
])
def test_a_few_zeros_are_not_named(sol):
    assert not warnings_of(sol)


def test_no_awakening_on_every_night_is_a_good_sleeper_not_a_tracker():
    assert not warnings_of([5.0] * 30, [0.0] * 30)


def test_a_value_at_the_diary_s_limit_is_named_from_one_night_with_its_row():
    said = warnings_of([20.0] * 9 + [720.0], [1.0] * 5 + [50.0] * 5)
    assert said == (
        "<DataFrame>: sol_min is at the diary's limit (720) on 1 night (row 10 (2026-01-10)): a "
        "value that large is rarely a night's; check them",
        "<DataFrame>: awakenings is at the diary's limit (50) on 5 nights (row 6 (2026-01-06), "
        "row 7 (2026-01-07), row 8 (2026-01-08) and 2 more): a value that large is rarely a "
        "night's; check them")
