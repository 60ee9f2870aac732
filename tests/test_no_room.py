"""No room to improve: a person at the scales' better end is not sent to try magnesium.

An edge-of-scale audit (/tmp/w44/C, F2 and F3): a good sleeper without magnesium (onset 3-8
min, no awakenings, quality 5) was told "Start glycinate, 200 mg ... planned crossover, form 1
of 3", and on glycinate "Switch to taurate"; someone at the top of every scale on glycinate
200 mg was told to raise the dose, on 0.02 fewer awakenings (they had none). The rule is
:mod:`model.decision.room`'s: less than one MCID of room on every weighted, recorded outcome.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import numpy as np
import pytest
import xarray as xr
from scipy.special import expit, logit

from model.core.forms import FORMS
from model.core.outcomes import SPECS
from model.core.regimen import NO_MAGNESIUM, Regimen
from model.data.profile import Profile
from model.decision import History, decide
from model.decision.room import ROOM_START
from model.decision.settings import VARIABLES

AS_OF = dt.date(2025, 3, 1)
GLYCINATE_200 = Regimen("glycinate", 200)
TOP = {"sol_min": 5.0, "awakenings": 0.05, "quality": 4.95, "freshness": 9.9, "anxiety": 0.05}
"""A good sleeper's typical night without magnesium: every scale at its better end."""


def _person(levels: Mapping[str, float], step: Mapping[str, float], spread: float = 0.5,
            n: int = 400):
    """Joint draws of a toy person: ``levels`` without magnesium, ``step`` the gain at 300 mg.

    Every form alike; the gain follows an Emax curve (ED50 150 mg) and varies by draw, with
    a standard deviation of ``spread`` times ``step`` (a form's own deviation adds to it, so
    that forms differ by draw); GI nights do not depend on the regimen.
    """
    rng = np.random.default_rng(0)
    shared, base, gi = rng.standard_normal(n), rng.standard_normal((5, n)), rng.standard_normal(n)
    own = {f: rng.standard_normal(n) for f in FORMS}

    def values(r: Regimen) -> dict[str, np.ndarray]:
        share = (r.elemental_mg / (150 + r.elemental_mg)) / (300 / 450) if r.active else 0.0
        scale = 1 + spread * (shared + own[r.form]) / np.sqrt(2) if r.active else 0.0
        out = {}
        for k, key in enumerate(VARIABLES[:-1]):
            spec = SPECS[next(o for o in SPECS if SPECS[o].gain_key == key)]
            out[key] = np.maximum(levels[key] * (1 + 0.02 * base[k])
                                  + spec.sign * step.get(key, 0.0) * share * scale, 0.0)
        return out | {"gi_rate": expit(logit(0.05) + 0.2 * gi)}

    def predict(regimens: Sequence[Regimen]) -> xr.Dataset:
        per = [values(r) for r in regimens]
        return xr.Dataset({v: (("regimen", "draw"), np.stack([p[v] for p in per]))
                           for v in per[0]},
                          coords={"regimen": [r.label for r in regimens], "draw": np.arange(n)})

    return predict


def _advice(predict, past: History, profile: Profile | None = None):
    return decide(predict, priors=_advice.priors, diary=past, as_of=AS_OF,
                  profile=profile).recommendation


@pytest.fixture(autouse=True)
def _priors(priors):
    _advice.priors = priors   # type: ignore[attr-defined]


GOOD = _person(TOP, {"sol_min": 1.0, "awakenings": 0.02, "quality": 0.02}, spread=6.0)
"""A good sleeper whom magnesium may help a little on every scale, never by an MCID (a wide,
nearly symmetric posterior: P(better) above the crossover's 0.25)."""


def test_a_good_sleeper_without_magnesium_is_not_started():
    """Stay without magnesium, code no_room, and the reason says the nights are near the best."""
    rec = _advice(GOOD, History(NO_MAGNESIUM, 30, frozenset(), 0))
    assert rec.action == "continue" and not (rec.regimen and rec.regimen.active)
    assert "no_room" in rec.reason_codes and "crossover" not in rec.reason_codes
    said = " ".join(rec.reasons)
    assert ROOM_START in said and "falling asleep 5 min" in said


def test_a_good_sleeper_on_glycinate_is_not_switched():
    """On glycinate (the crossover's first form): continue or stop, never another form."""
    past = History(GLYCINATE_200, 30, frozenset({"glycinate"}), 0, {GLYCINATE_200: 30})
    rec = _advice(GOOD, past)
    assert rec.action in ("continue", "stop") and "no_room" in rec.reason_codes
    assert "learn" not in rec.reason_codes


TRIED = frozenset({"glycinate", "citrate", "malate"})
CEILING = _person(TOP | {"sol_min": 16.0}, {"sol_min": 10.0})
"""On glycinate 200 mg about 7 min of onset, the rest at the top; 300 mg would save 1.4 min."""


def test_the_ceiling_person_is_not_titrated():
    """After the crossover, at the top: no dose step (it fired on a gain below one MCID)."""
    past = History(GLYCINATE_200, 40, TRIED, 0, {GLYCINATE_200: 40})
    rec = _advice(CEILING, past)
    assert rec.action in ("continue", "stop") and "titration" not in rec.reason_codes
    assert "no_room" in rec.reason_codes


def test_room_on_one_weighted_outcome_keeps_the_titration():
    """The same person with evening anxiety at 6 (weighted 0.5): titrated as before."""
    anxious = _person(TOP | {"sol_min": 16.0, "anxiety": 6.0}, {"sol_min": 10.0})
    past = History(GLYCINATE_200, 40, TRIED, 0, {GLYCINATE_200: 40})
    rec = _advice(anxious, past)
    assert rec.action == "increase_dose" and "titration" in rec.reason_codes
    assert "no_room" not in rec.reason_codes


def test_room_counts_only_weighted_outcomes():
    """Anxiety at 6 weighted 0 leaves no room: the ceiling person is not titrated."""
    anxious = _person(TOP | {"sol_min": 16.0, "anxiety": 6.0}, {"sol_min": 10.0})
    past = History(GLYCINATE_200, 40, TRIED, 0, {GLYCINATE_200: 40})
    rec = _advice(anxious, past, Profile(weights={"anxiety": 0.0}))
    assert "titration" not in rec.reason_codes and "no_room" in rec.reason_codes


def test_an_ordinary_sleeper_is_still_started():
    """Onset 40 min, quality 3: the crossover's first form, as before."""
    ordinary = _person(TOP | {"sol_min": 40.0, "quality": 3.0}, {"sol_min": 10.0})
    rec = _advice(ordinary, History(NO_MAGNESIUM, 30, frozenset(), 0))
    assert rec.action == "start" and "no_room" not in rec.reason_codes


def test_the_headline_says_why_nothing_is_tried():
    """The Why is the room sentence, not "no change is expected to do better" (said of d1b)."""
    from types import SimpleNamespace

    from model.report.headline import _why

    rec = _advice(GOOD, History(NO_MAGNESIUM, 30, frozenset(), 0))
    why = _why(SimpleNamespace(decision=SimpleNamespace(recommendation=rec)))  # type: ignore[arg-type]
    assert why.startswith("your nights are already near the best these scales record (")
    assert "magnesium could not bring a change you would notice" in why


def test_a_titration_has_no_pathway_that_settles_on_its_dose():
    """No "whichever way it goes: continue glycinate 300 mg (settled)" before its first night.

    The titration is taken because the dose curve cannot tell whether more helps; the thirds
    of that curve's draws cannot tell either, so no preview is given.
    """
    from model.analysis.pathways import pathways

    anxious = _person(TOP | {"sol_min": 16.0, "anxiety": 6.0}, {"sol_min": 10.0})
    past = History(GLYCINATE_200, 40, TRIED, 0, {GLYCINATE_200: 40})
    decision = decide(anxious, priors=_advice.priors, diary=past, as_of=AS_OF)
    assert "titration" in decision.recommendation.reason_codes
    assert pathways(anxious, decision, past, priors=_advice.priors, profile=Profile(),
                    as_of=AS_OF) == ()
