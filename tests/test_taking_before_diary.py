"""A diary whose first night is on magnesium is of someone already taking it (an outside audit).

Before, the store was 0 before the diary, so the first night's magnesium built up from 0.1:
a person with no true effect and a bad first fortnight read "glycinate looks to help you
(P 0.86), 17 min faster". Now the regimen of the first night counts as begun long before
(the steady state from the first night), unless the profile's ``taking_since`` gives the
day it began; ``analyze`` says what it assumed.
"""

import datetime as dt
import functools
import html
import math
import warnings

import numpy as np
import pandas as pd
import pytest

from model.analysis.effects import diary_effects
from model.analysis.fit_cache import cache_key
from model.analysis.pipeline import analyze
from model.analysis.store_start import assumed_start, checked_start
from model.core.errors import InputError
from model.data.diary import DiaryWarning, read_diary
from model.data.profile import Profile, load_profile
from model.data.profile_entries import ProfileWarning
from model.evidence.priorset import load_priors
from model.likelihood.kinetics import build_up, design_from_nights, emax_relative
from model.personal.fit import PersonalModel
from model.trial.quick import QuickModel

priors = functools.cache(load_priors)
FIRST = dt.date(2026, 9, 1)


def diary(n: int = 42, bad: int = 14, *, form: str = "glycinate", mg: float = 200,
          seed: int = 0):
    """``n`` nights on ``form`` from the first, no true effect, the first ``bad`` nights worse
    (latency x 1.8, quality one point lower: a bad patch passing)."""
    rng = np.random.default_rng(seed)
    sol = np.exp(np.log(25) + rng.normal(0, 0.45, n))
    sol[:bad] *= 1.8
    quality = np.clip(np.round(3.3 + rng.normal(0, 0.7, n)), 1, 5)
    quality[:bad] = np.clip(quality[:bad] - 1, 1, 5)
    dates = pd.date_range(FIRST, periods=n, freq="D").strftime("%Y-%m-%d")
    return read_diary(pd.DataFrame({
        "date": dates, "form": form, "elemental_mg": mg if form != "placebo" else None,
        "sol_min": np.round(sol), "awakenings": rng.poisson(1.2, n), "quality": quality}))


def since(taking_since):
    """The keyword naming ``taking_since`` (none by default: the call the old code took)."""
    return {} if taking_since is None else {"taking_since": taking_since}


def first_night_exposure(taking_since, tau):
    settings = priors().settings
    design = design_from_nights(diary(14).nights, ed50_mg=settings.ed50_mg,
                                reference_mg=settings.reference_dose_mg, **since(taking_since))
    steady = emax_relative(200, settings.ed50_mg, settings.reference_dose_mg)
    return build_up(design, tau)[0].sum(), steady


@pytest.mark.parametrize("tau", [4.0, 10.0, 27.0, 120.0])
def test_the_store_is_at_its_steady_state_on_the_first_night_by_default(tau):
    exposure, steady = first_night_exposure(None, tau)
    assert exposure == pytest.approx(steady, rel=1e-9)


@pytest.mark.parametrize("tau", [4.0, 10.0, 27.0])
@pytest.mark.parametrize("lead", [0, 12, 40])
def test_taking_since_builds_the_store_up_from_that_day(tau, lead):
    """``taking_since`` = the first night: ``1 - exp(-1 / tau)`` of the steady state on it
    (the old reading); ``lead`` days before: ``1 - exp(-(lead + 1) / tau)``."""
    exposure, steady = first_night_exposure(FIRST - dt.timedelta(days=lead), tau)
    assert exposure == pytest.approx(steady * -math.expm1(-(lead + 1) / tau), rel=1e-9)


def test_the_full_model_reads_the_start_of_its_configuration_and_keeps_it():
    """The graph's arrays (which the quick model fits too: :func:`diary_data`) and the fit
    cache's key follow ``taking_since``."""
    nights = diary(14)
    assert PersonalModel(priors()).graph_data(nights)["since_change"][0] > 1000  # long ago
    keyed = PersonalModel(priors(), taking_since=str(FIRST)).graph_data(nights)
    assert keyed["since_change"][0] == 1
    config = {"gut_sensitivity": "none", "draws": 10, "taking_since": None}
    assert cache_key("d.csv", priors(), config) != cache_key(
        "d.csv", priors(), config | {"taking_since": str(FIRST)})


def p_benefit(taking_since, seed):
    """P(glycinate shortens sleep-onset latency) of the quick model's fit."""
    nights = diary(seed=seed)
    fit = QuickModel(priors(), random_seed=1, **since(taking_since)).fit(nights)
    effects = diary_effects(fit.predict, nights.nights, priors())
    return next(e.p_benefit for e in effects if e.form == "glycinate" and e.outcome == "sol")


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_bad_first_fortnight_on_magnesium_is_not_credited_to_it(seed):
    """No true effect, every night on glycinate, the first 14 worse: read as a build-up from
    the first night P(benefit) was 0.86 to 0.96; read as begun before the diary, the diary
    cannot tell, and no benefit is claimed."""
    assert p_benefit(None, seed) < 0.8
    assert p_benefit(str(FIRST), seed) > p_benefit(None, seed)


def test_taking_since_is_a_date_or_an_error_naming_the_file_and_key(tmp_path):
    for text, said in (('"last spring"', "expected the day you began"),
                       ('"2026-02-30"', "not a day of the calendar"), ("12", "expected the day")):
        path = tmp_path / "me.toml"
        path.write_text(f"taking_since = {text}\n")
        with pytest.raises(InputError, match=rf"me\.toml: line 1, key taking_since: {said}"):
            load_profile(path)
    for text in ("2026-08-01", '"2026-08-01"', "2026-08-01T21:00:00"):
        path.write_text(f"taking_since = {text}\n")
        assert load_profile(path).taking_since == dt.date(2026, 8, 1)


def test_a_day_after_the_first_night_is_an_error_naming_the_file_and_key():
    with pytest.raises(InputError, match=r"me\.toml: key taking_since: 2026-09-02 is after the "
                                         r"diary's first night \(2026-09-01\)"):
        checked_start(diary(14), Profile(taking_since=dt.date(2026, 9, 2)), "me.toml")
    assert checked_start(diary(14), Profile(taking_since=FIRST), "me.toml") == "2026-09-01"


def test_analyze_refuses_such_a_day_before_fitting(tmp_path):
    path = tmp_path / "me.toml"
    path.write_text("taking_since = 2026-10-01\n")
    with pytest.raises(InputError, match="key taking_since: 2026-10-01 is after"):
        analyze(diary(14), profile=path, draws=100, chains=2, seed=1)


@pytest.mark.parametrize("form", ["none", "placebo"])
def test_the_key_beside_a_first_night_off_magnesium_is_a_warning_not_ignored_silently(form):
    off = diary(14, form=form, mg=0)
    with pytest.warns(ProfileWarning, match="key taking_since: the diary's first night "
                                            r"\(2026-09-01\) is (without magnesium|on placebo)"
                                            r", so taking_since \(2026-08-01\) is not used"):
        assert checked_start(off, Profile(taking_since=dt.date(2026, 8, 1)), "me.toml") is None
    assert assumed_start(off, Profile()).warnings == off.warnings


def test_the_assumption_is_said_only_when_it_is_made():
    nights = diary(14)
    said = assumed_start(nights, Profile()).warnings[-1]
    assert ("assumed you were already taking glycinate 200 mg before 2026-09-01" in said
            and "taking_since = YYYY-MM-DD" in said)
    assert assumed_start(nights, Profile(taking_since=FIRST)).warnings == nights.warnings


@pytest.fixture(scope="module")
def analysis():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = analyze(diary(21), draws=800, tune=500, chains=2, seed=1)   # R-hat 1.017 at 300
    return result, caught


def test_analyze_names_the_assumption_once_and_draws_no_build_up(analysis):
    """The terminal's and the JSON's warnings, the report's build-up panel and the clinician
    page say the magnesium was taken before the diary; the fit's exposure is full on night 1."""
    from model.report.clinician import render_clinician
    from model.viz.timeline import plot_timeline

    result, caught = analysis
    said = [str(w.message) for w in caught if issubclass(w.category, DiaryWarning)
            and "assumed you were already taking glycinate 200 mg" in str(w.message)]
    assert len(said) == 1
    assert [w for w in result.to_json()["warnings"] if "assumed you were" in w] == said
    exposure = result.fit.exposure().sum("form").values
    assert exposure[0] == pytest.approx(exposure[-1]) and exposure[0] > 0.5
    title = plot_timeline(result.fit).axes[-1].get_title()
    assert "glycinate 200 mg already taken before 2026-09-01: full from the first night" in title
    page = html.unescape(render_clinician(result))
    assert "2026-09-01 to 2026-09-21 (already taken before 2026-09-01)" in page
