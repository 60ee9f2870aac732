"""Three gaps of the decision found by earlier audits (fix brief D, /tmp/w43).

1. A current dose under :data:`~model.core.regimen.LEAST_PRODUCT_MG` (2 mg: 2 capsules, 2 g or
   2 mmol meant?) was advised as "Continue glycinate, 2 mg ... (settled)".
2. "Stop: it harms you" counted outcomes no night of the diary records: their "harm" was the
   prior's, not anything the person's nights show.
3. A dose written as the compound's weight was checked against the ceiling at its default
   salt's reading only (2500 mg of chloride: 299 mg as the hexahydrate, 638 mg anhydrous).

Known answers on toy posteriors (:class:`model.testing.FakePosterior`).
"""

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from model.core.regimen import Regimen
from model.data.profile import Profile
from model.decision import DecisionSettings, History, decide
from model.evidence.priorset import load_priors
from model.testing import FakePosterior

AS_OF = dt.date(2025, 3, 1)
RECORDED = ("sol_min", "quality")
UNRECORDED = ("awakenings", "freshness", "anxiety")


@pytest.fixture(scope="module")
def priors():
    return load_priors()


def _nights(*runs: tuple[str, float, int], recorded=RECORDED, gi=True) -> pd.DataFrame:
    """Consecutive recorded runs (form, elemental mg, nights), outcomes of ``recorded`` only.

    Every outcome column is there (as a diary read has them), those not in ``recorded``
    empty; ``gi`` False leaves the GI record empty too.
    """
    rows = [(form, mg) for form, mg, n in runs for _ in range(n)]
    outcomes = {c: (3.0 if c in recorded else np.nan) for c in (*RECORDED, *UNRECORDED)}
    return pd.DataFrame({"form": [f for f, _ in rows], "elemental_mg": [m for _, m in rows],
                         "split": False, "recorded": True,
                         "gi_night": 0.0 if gi else np.nan, **outcomes})


@dataclass(frozen=True)
class WorseOn:
    """A posterior whose one variable is ``by`` worse on ``form`` (diary units, per draw)."""

    base: FakePosterior
    form: str
    variable: str
    by: float

    def __call__(self, regimens) -> xr.Dataset:
        data = self.base(regimens)
        on = xr.DataArray([r.active and r.form == self.form for r in regimens],
                          dims="regimen", coords={"regimen": data["regimen"]})
        return data.assign({self.variable: data[self.variable] + self.by * on})


FLAT = FakePosterior(benefit={"glycinate": 0.0}, known={"glycinate": 0.05}, gi={"glycinate": 0.0},
                     gi_sd=0.05)
ANXIOUS = Profile(complaint="anxiety")


def _harm(past: History, predict, profile=ANXIOUS):
    return decide(predict, priors=load_priors(), profile=profile, diary=past, as_of=AS_OF)


# 2. the harm check rests on what the diary records

def test_a_harm_only_on_an_unrecorded_outcome_stops_nothing(priors):
    """Anxiety 3 points worse on glycinate in every draw, but no night records anxiety
    (latency and quality only): nothing the nights show says it harms. Before the fix,
    P(harm) > 0.99 and "Stop: it harms you"."""
    past = History.from_nights(_nights(("none", 0, 14), ("glycinate", 200, 20)))
    assert "anxiety" in past.unrecorded and "sol" not in past.unrecorded
    decision = _harm(past, WorseOn(FLAT, "glycinate", "anxiety", 3.0))
    assert decision.p_harm < DecisionSettings().harm_stop_p
    assert "harm" not in decision.recommendation.reason_codes
    assert decision.recommendation.action != "stop"


def test_the_same_harm_recorded_is_still_stopped(priors):
    """Safety kept: the same posterior, anxiety recorded, stops glycinate for harm; so does
    a harm on a recorded outcome (latency) when anxiety is not recorded."""
    recorded = History.from_nights(_nights(("none", 0, 14), ("glycinate", 200, 20),
                                           recorded=(*RECORDED, "anxiety")))
    for past, worse in ((recorded, WorseOn(FLAT, "glycinate", "anxiety", 3.0)),
                        (History.from_nights(_nights(("none", 0, 14), ("glycinate", 200, 20))),
                         WorseOn(FLAT, "glycinate", "sol_min", 30.0))):
        decision = _harm(past, worse)
        assert decision.p_harm > 0.99, decision.p_harm
        assert "harm" in decision.recommendation.reason_codes


def test_gi_counts_in_harm_only_when_recorded(priors):
    """GI nights rising on glycinate are a harm when a stool or GI record shows them; with
    no GI record the GI rate is the prior's (the chance constraint still guards it)."""
    worse = WorseOn(FLAT, "glycinate", "gi_rate", 0.08)
    shown = _harm(History.from_nights(_nights(("none", 0, 14), ("glycinate", 200, 20))),
                  worse, Profile())
    unseen = _harm(History.from_nights(_nights(("none", 0, 14), ("glycinate", 200, 20),
                                               gi=False)), worse, Profile())
    assert shown.p_harm > 0.99 and unseen.p_harm < 0.6, (shown.p_harm, unseen.p_harm)


# 1. a dose under LEAST_PRODUCT_MG is checked before anything rests on it

ON_TWO_MG = History.from_nights(_nights(("none", 0, 14), ("glycinate", 2, 30)))
POSTERIORS = {"flat": FLAT, "helps": FakePosterior(benefit={"glycinate": 0.5},
                                                   known={"glycinate": 0.05}),
              "default": FakePosterior()}


@pytest.mark.parametrize("name", POSTERIORS)
def test_a_dose_to_check_is_neither_settled_nor_changed_for_a_gain(priors, name):
    """30 nights of glycinate "2 mg": before, "Continue glycinate, 2 mg (settled)" (flat)
    and "Raise the dose to glycinate, 102 mg" (helps, default). Now the routine is kept,
    uncommitted, and the doubt is the first reason, with the ceiling meanwhile."""
    rec = decide(POSTERIORS[name], priors=priors, diary=ON_TWO_MG, as_of=AS_OF).recommendation
    assert not rec.commit and "commit" not in rec.reason_codes
    assert rec.action == "collect_more_data" and rec.regimen == Regimen("glycinate", 2)
    assert "dose_check" in rec.reason_codes and "close_call" not in rec.reason_codes
    assert rec.reasons[0].startswith("Check your diary's dose: 2 mg of elemental magnesium")
    assert "2 g" in rec.reasons[0] and "ceiling of 350 mg a day" in rec.reasons[0]
    assert not any("not worth its cost" in r for r in rec.reasons), rec.reasons


def test_a_dose_to_check_still_stops_for_harm(priors):
    """Safety acts on any dose: a regimen whose nights show harm is stopped (before, the
    crossover's switch to taurate "2 mg" left it), the doubt said first."""
    rec = decide(WorseOn(FLAT, "glycinate", "sol_min", 30.0), priors=priors, diary=ON_TWO_MG,
                 as_of=AS_OF).recommendation
    assert rec.action == "stop" and {"harm", "dose_check"} <= set(rec.reason_codes)
    assert rec.reasons[0].startswith("Check your diary's dose")


def test_a_dose_from_25_mg_is_no_dose_to_check(priors):
    """The bound is LEAST_PRODUCT_MG's: 25 mg is taken as written, 24 mg is checked."""
    for mg, checked in ((25, False), (24, True)):
        past = History.from_nights(_nights(("none", 0, 14), ("glycinate", mg, 30)))
        rec = decide(FLAT, priors=priors, diary=past, as_of=AS_OF).recommendation
        assert ("dose_check" in rec.reason_codes) is checked, (mg, rec)
