"""Test doubles shared by the tests, the benchmarks and the notebooks.

- :class:`FakePosterior`: a toy personal posterior in numpy (joint draws of every regimen's
  steady-state outcomes). It implements the ``predict(regimens) -> xarray.Dataset`` interface of
  :mod:`model.decision.decide` without PyMC, for fast tests and benchmarks.
- :func:`example_analysis`: one small fitted analysis shared by the plot and report tests (one
  fit per process): the demo's example diary with a placebo run instead of the washout, two
  unrecorded nights and a diary note that tries to inject a script.

This module stands outside the layers (like ``model/__init__``): it may import from any layer
and no module of the package imports it.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
import xarray as xr

from model.core.forms import FORMS, form_streams
from model.core.regimen import Regimen
from model.core.special import expit

if TYPE_CHECKING:
    from model.analysis.pipeline import Analysis
    from model.personal.fit import PersonalModel


@functools.cache
def priors_dose_curve() -> tuple[float, float]:
    """The bundled priors' reference dose and ED50 in mg (``settings.toml``), the fake's own.

    Why: the fake stated them again (300 and 150), beside ``reference_dose_mg`` and
    ``ed50_mg`` of the priors the decision reads (a maintainer's review, /tmp/w45/C F14).
    """
    from model.evidence.priorset import load_priors

    settings = load_priors().settings
    return settings.reference_dose_mg, settings.ed50_mg


@dataclass(frozen=True)
class FakePosterior:
    """Joint posterior draws of a toy person.

    Per draw: a shared magnesium responsiveness, a form deviation per form, a GI harm per form
    (correlated with the responsiveness by ``harm_benefit_corr``), a person-level baseline
    per outcome. A form's own draws come from its own stream (:func:`form_streams`): a form
    added to FORMS leaves every other draw as it was. The benefit follows an Emax curve in
    the daily dose; GI log-odds rise linearly with the single-intake dose.

    Parameters
    ----------
    benefit : mapping form -> float
        Mean benefit at ``reference_mg`` (log-ratio reduction of sleep latency); others scale
        from it.
    gi : mapping form -> float
        Mean GI log-odds increase of a single intake of ``reference_mg``.
    expectation, expectation_sd : float
        The benefit of taking anything (placebo included), mean and SD.
    entangled : mapping form -> float
        How much of the expectation's uncertainty a form's benefit mirrors (1: only their sum
        is known, as after a before/after diary).
    known : mapping form -> float
        A form's own benefit SD in place of ``benefit_sd`` (a form tried on many nights is
        known better than one tried on a few).
    ed50_mg, reference_mg : float
        The Emax curve's ED50 and the dose ``benefit`` and ``gi`` are stated at (default: the
        bundled priors', :func:`priors_dose_curve`).
    """

    n_draws: int = 1000
    seed: int = 0
    benefit: Mapping[str, float] = field(default_factory=dict)
    gi: Mapping[str, float] = field(default_factory=dict)
    benefit_sd: float = 0.2
    gi_sd: float = 0.5
    baseline_gi_sd: float = 1.0
    harm_benefit_corr: float = 0.0
    ed50_mg: float = field(default_factory=lambda: priors_dose_curve()[1])
    reference_mg: float = field(default_factory=lambda: priors_dose_curve()[0])
    expectation: float = 0.0
    expectation_sd: float = 0.0
    entangled: Mapping[str, float] = field(default_factory=dict)
    known: Mapping[str, float] = field(default_factory=dict)

    @cached_property
    def _z(self) -> dict[str, np.ndarray]:
        rng, n = np.random.default_rng(self.seed), self.n_draws
        own = {f: s.standard_normal((2, n)) for f, s in form_streams(self.seed).items()}
        return {"resp": rng.standard_normal(n), "form": np.stack([own[f][0] for f in FORMS]),
                "harm": np.stack([own[f][1] for f in FORMS]), "base": rng.standard_normal((5, n)),
                "gi": rng.standard_normal(n), "expect": rng.standard_normal(n)}

    def _effects(self, form: str) -> tuple[np.ndarray, np.ndarray]:
        z = self._z
        f = FORMS.index(form)
        effect = self.benefit.get(form, 0.1) + self.known.get(form, self.benefit_sd) * (
            np.sqrt(0.5) * z["resp"] + np.sqrt(0.5) * z["form"][f]) - (
            self.entangled.get(form, 0.0) * self.expectation_sd * z["expect"])
        rho = self.harm_benefit_corr
        harm = self.gi.get(form, 0.5) + self.gi_sd * (rho * z["resp"]
                                                      + np.sqrt(1 - rho**2) * z["harm"][f])
        return effect, harm

    def _emax(self, dose: float) -> float:
        reference = self.reference_mg
        return (dose / (self.ed50_mg + dose)) / (reference / (self.ed50_mg + reference))

    def _outcomes(self, regimen: Regimen) -> dict[str, np.ndarray]:
        base = self._z["base"]
        if regimen.active:
            effect, harm = self._effects(regimen.form)
            effect = effect * self._emax(regimen.elemental_mg)
            harm = harm * regimen.single_intake_mg / self.reference_mg
        else:
            effect = harm = np.zeros(self.n_draws)
        if regimen.active or regimen.form == "placebo":
            effect = effect + self.expectation + self.expectation_sd * self._z["expect"]
        return {
            "sol_min": 40.0 * np.exp(0.3 * base[0] - effect),
            "awakenings": 2.0 * np.exp(0.2 * base[1] - 0.5 * effect),
            "quality": np.clip(3.0 + 0.3 * base[2] + 0.8 * effect, 1, 5),
            "freshness": np.clip(5.0 + 0.5 * base[3] + 1.5 * effect, 1, 10),
            "anxiety": np.clip(5.0 + 0.5 * base[4] - 2.0 * effect, 0, 10),
            "gi_rate": expit(np.log(0.05 / 0.95) + self.baseline_gi_sd * self._z["gi"]
                              + harm),
        }

    def __call__(self, regimens: Sequence[Regimen]) -> xr.Dataset:
        """Draws of every outcome under each regimen (dims ``regimen`` x ``draw``)."""
        per = [self._outcomes(r) for r in regimens]
        return xr.Dataset(
            {v: (("regimen", "draw"), np.stack([p[v] for p in per])) for v in per[0]},
            coords={"regimen": [r.label for r in regimens], "draw": np.arange(self.n_draws)})


SCRIPT_NOTE = "<script>alert(1)</script> & a \"quoted\" note"
PLACEBO_NIGHTS = slice(35, 44)   # the washout between citrate and glycinate (rows, inclusive)
DROPPED_ROWS = [50, 51]          # unrecorded nights inside the glycinate run


@functools.cache
def example_analysis() -> Analysis:
    """The example analysis (fitted once per process; 4 chains of 1000 draws, seed 0).

    Returns
    -------
    Analysis
        The demo's diary with a placebo run (rows ``PLACEBO_NIGHTS``), the note
        ``SCRIPT_NOTE`` on row 3, and rows ``DROPPED_ROWS`` left out.

    """
    from model.analysis.pipeline import analyze
    from model.cli.demo import example_diary
    from model.data.diary import DiaryWarning, read_diary

    frame = example_diary()
    frame.loc[PLACEBO_NIGHTS, "form"] = "placebo"
    frame.loc[3, "notes"] = SCRIPT_NOTE
    frame = frame.drop(index=DROPPED_ROWS)
    with warnings.catch_warnings():              # its two unrecorded nights, on purpose
        warnings.simplefilter("ignore", DiaryWarning)
        return analyze(read_diary(frame), draws=1000, tune=400, chains=4, seed=0)


def level_points(points: np.ndarray, slices: Mapping[str, slice],
                 draws: Mapping[str, np.ndarray], data: Mapping[str, np.ndarray]) -> np.ndarray:
    """Unconstrained ``points`` of ``draws`` (rows alike) moved to the diary of ``data``.

    For tests that compare the compiled graph's density at the same draws under two diaries.

    A level's coordinate ``{outcome}_level_z`` depends on the diary
    (:mod:`model.likelihood.level`): the same draws are other points of the graph under
    another diary. Each is recomputed from the draws; ``slices`` gives where each value
    variable sits in a point (:class:`model.inference.density.GraphDensity`).
    """
    from model.likelihood.level import INTERCEPT_SD, level_z
    from model.personal.nightly import INTERCEPTS, linear_predictors

    eta = linear_predictors(draws, data)
    moved = np.array(points, dtype=float, copy=True)
    for name, where in slices.items():
        if name.endswith("_level_z"):
            outcome = name.removesuffix("_level_z")
            intercept = draws[f"{outcome}_intercept"]
            moved[:, where] = level_z(intercept, data["intercept_mu"][INTERCEPTS.index(outcome)],
                                      INTERCEPT_SD, draws[f"{outcome}_sigma"],
                                      eta[outcome] - intercept[:, None],
                                      data[f"{outcome}_w"])[:, None]
    return moved


def graph_log_ratio(fit: PersonalModel, data: Mapping[str, np.ndarray],
                    n: int = 200) -> tuple[np.ndarray, np.ndarray]:
    """The log ratios of a fit's first ``n`` draws from its diary to the diary of ``data``.

    The numpy one the update uses (:meth:`model.personal.proposal.Proposal.log_ratio`) and
    the compiled graph's at the same draws (:func:`level_points`), each centred: a test holds
    them equal, so that ``graph.py`` and ``nightly.py`` write the same model.
    """
    from model.inference.density import log_density
    from model.personal.sampler import GRAPHS

    proposal, compiled, nuts = fit.proposal_, GRAPHS.get("nutpie").nutpie_model, fit.nuts_
    assert nuts is not None, "a NUTS fit"
    points = nuts.unconstrained[:n]
    moved = level_points(points, dict(zip(*compiled.shape_info[:2], strict=True)),
                         {k: v[:n] for k, v in proposal.draws.items()}, data)
    expected = (log_density(compiled.with_data(**data), moved)
                - log_density(compiled.with_data(**proposal.data), points))
    ours = proposal.log_ratio(data)[:n]
    return ours - ours.mean(), expected - expected.mean()
