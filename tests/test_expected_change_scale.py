"""The decision's expected changes are possible numbers: each draw's own diary-scale change.

An outside audit (A F2): Bristol 7 on every glycinate night (GI share 0.04 without magnesium,
0.86 on it) had the Why and the expected changes say "GI nights: -36 a month (-46 to -28)"
beside the effects' "+25 a month (+22 to +27)", and ``expected_gain.gi_rate`` 1.21, a share
of nights above 1: one slope at the midpoint of the two levels overshot the jump.
"""

import datetime as dt
import functools
import re

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from scipy.special import expit, logit

from model.analysis.effects import diary_effects
from model.core.change_words import change_words
from model.core.regimen import Regimen
from model.data.diary import read_diary
from model.data.profile import Profile
from model.decision import DecisionSettings, decide
from model.decision.explain import format_gain
from model.decision.gains import diary_gains
from model.decision.utility import utility_per_gain
from model.evidence.priorset import load_priors

cached_priors = functools.cache(load_priors)
WITHOUT, ON = 0.04, 0.86       # GI shares without magnesium (or on placebo) and on glycinate
N_DRAWS = 4000


def loose_on_glycinate(regimens, spread: float = 0.3) -> xr.Dataset:
    """GI log-odds ``logit(WITHOUT)`` without magnesium, ``logit(ON)`` on glycinate, each
    with ``spread`` (independent draws); every other form and the sleep outcomes change
    nothing."""
    rng = np.random.default_rng(11)
    base = logit(WITHOUT) + spread * rng.standard_normal(N_DRAWS)
    shift = logit(ON) - logit(WITHOUT) + spread * rng.standard_normal(N_DRAWS)
    rows = [expit(base + shift * (r.active and r.form == "glycinate")) for r in regimens]
    return xr.Dataset({"gi_rate": (("regimen", "draw"), np.stack(rows)),
                       "sol_min": (("regimen", "draw"), np.full((len(regimens), N_DRAWS), 30.0))},
                      coords={"regimen": [r.label for r in regimens]})


def loose_diary():
    """14 nights without magnesium, then 35 on glycinate 300 mg with Bristol 7 every night."""
    n_off, n_on = 14, 35
    frame = pd.DataFrame({
        "date": pd.date_range("2025-01-01", periods=n_off + n_on).strftime("%Y-%m-%d"),
        "form": [""] * n_off + ["glycinate"] * n_on,
        "elemental_mg": [0] * n_off + [300] * n_on, "sol_min": 30.0, "awakenings": 2,
        "quality": 3, "stool_bristol": [4] * n_off + [7] * n_on})
    return read_diary(frame, warn=False)


@functools.cache
def stopped():
    """The stop's assessment and glycinate's GI effect, from the same draws."""
    nights = loose_diary()
    decision = decide(loose_on_glycinate, priors=cached_priors(), diary=nights,
                      as_of=dt.date(2025, 2, 18))
    stop = next(a for a in decision.assessments if a.action == "stop")
    return stop, diary_effects(loose_on_glycinate, nights.nights, cached_priors()).get(
        "glycinate", "gi")


def test_a_large_gi_jump_is_a_possible_change_in_nights():
    stop, _ = stopped()
    # stopping gains the share's drop, 0.82 (0.86 - 0.04 less the spread's pull): about 25
    # fewer GI nights a month; the one midpoint slope gave 1.11 (33 a month)
    assert stop.gain["gi_rate"] == pytest.approx(ON - WITHOUT, abs=0.03)
    assert 0 < stop.gain_low["gi_rate"] <= stop.gain["gi_rate"] <= stop.gain_high["gi_rate"] <= 1
    words = format_gain("gi_rate", stop.gain["gi_rate"], stop.gain_low["gi_rate"],
                        stop.gain_high["gi_rate"])
    assert words.startswith(("GI nights: -24 a month", "GI nights: -25 a month")), words
    ends = [float(x) for x in words.split("(")[1].rstrip(")").split(" to ")]
    assert all(-30 <= x <= 30 for x in ends), words


def test_the_expected_gi_change_is_the_effects_figure():
    """The Why and the expected changes say, for stopping, minus the effect the table gives
    the regimen taken (against placebo, on the same draws): "-25 a month" beside "+25"."""
    stop, effect = stopped()
    assert stop.gain["gi_rate"] == pytest.approx(effect.mean, rel=1e-9)
    assert (stop.gain_low["gi_rate"], stop.gain_high["gi_rate"]) == pytest.approx(
        (effect.ci_low, effect.ci_high), rel=1e-9)
    said = format_gain("gi_rate", stop.gain["gi_rate"], stop.gain_low["gi_rate"],
                       stop.gain_high["gi_rate"])
    table = change_words("gi", effect.mean, effect.ci_low, effect.ci_high)
    figures = [sorted(abs(float(x)) for x in re.findall(r"[-+]\d+", w)) for w in (said, table)]
    assert said.startswith("GI nights: -") and table.startswith("GI nights: +")
    assert figures[0] == figures[1], (said, table)


def test_the_decision_still_scores_the_link_scale():
    """What is decided does not move: the utility is the link scale's one-slope gain (1.1 of
    a share here, as before), not the change shown (0.82)."""
    stop, _ = stopped()
    data = loose_on_glycinate([Regimen("placebo"), Regimen("glycinate", 300)])
    link = diary_gains({"gi_rate": data["gi_rate"].to_numpy()}, np.array([0]),
                       np.array([1]))[0, 0].mean()
    s = DecisionSettings()
    per_gain = utility_per_gain(cached_priors(), Profile(), s)["gi_rate"]
    assert link > 1 > stop.gain["gi_rate"]
    assert stop.expected_utility == pytest.approx(per_gain * link - s.switching_cost, rel=1e-9)


def test_the_changes_of_many_pairs_at_once_are_each_pairs_own_draws():
    """:func:`shown_gains` takes every pair's differences at once: the same numbers as
    :func:`change_draws` pair by pair, in the better direction (latency: lower is better)."""
    from model.core.regimen import NO_MAGNESIUM
    from model.decision.gains import change_draws, shown_gains

    regimens = [NO_MAGNESIUM, Regimen("glycinate", 200), Regimen("citrate", 100)]
    rng = np.random.default_rng(3)
    data = xr.Dataset({v: (("draw", "regimen"), rng.normal(20, 5, (50, 3)))
                       for v in ("sol_min", "quality")},
                      coords={"regimen": [r.label for r in regimens]})
    pairs = [(regimens[1], regimens[0]), (regimens[2], regimens[1]), (regimens[0], regimens[2])]
    shown = shown_gains(data, ["sol_min", "quality"], *zip(*pairs, strict=True))
    assert shown.shape == (3, 2, 50)
    for k, (regimen, against) in enumerate(pairs):
        np.testing.assert_array_equal(shown[k, 0], -change_draws(data["sol_min"], regimen,
                                                                 against))
        np.testing.assert_array_equal(shown[k, 1], change_draws(data["quality"], regimen,
                                                                against))
