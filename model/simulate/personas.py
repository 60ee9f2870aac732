"""Simulated persons with known truth, for tests, notebooks, benchmarks and the demo.

A :class:`Persona` holds the true values of every quantity of the personal model; a
:class:`Schedule` says what the person takes each night; :func:`simulate_diary` writes the
diary they would keep (the CSV of the README, with missing cells) by the same equations as
the model (:mod:`model.likelihood.kinetics`), so a fit can be checked against the truth.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from model.core.forms import FORMS, NONE, form_streams
from model.core.outcomes import ORDINAL, OUTCOMES, SPECS
from model.core.regimen import Regimen
from model.data.diary_columns import NUMERIC
from model.evidence.priorset import PriorSet
from model.likelihood.families import (
    Bernoulli,
    NegativeBinomial,
    NormalAR1,
    Ordinal,
    even_share_cutpoints,
)
from model.likelihood.kinetics import build_up, design_from_regimens
from model.likelihood.prior import PersonalPrior


@dataclass(frozen=True)
class Schedule:
    """Consecutive periods of a regimen: ``((Regimen, nights), ...)``; repeats if too short."""

    periods: tuple[tuple[Regimen, int], ...]

    def regimens(self, nights: int) -> list[Regimen]:
        """The regimen of each of ``nights`` nights."""
        cycle = [r for r, n in self.periods for _ in range(n)]
        return [cycle[i % len(cycle)] for i in range(nights)]


def _crossover(*forms: str, dose: float = 300.0, baseline: int = 14, period: int = 28,
               washout: int = 14) -> Schedule:
    periods: list[tuple[Regimen, int]] = [(Regimen(NONE), baseline)]
    for form in forms:
        periods += [(Regimen(form, dose), period), (Regimen(NONE), washout)]
    return Schedule(tuple(periods))


@dataclass(frozen=True)
class Persona:
    """True parameters of one simulated person (model scales of ``priors/settings.toml``).

    ``effects`` maps ``form -> {outcome: value}``; forms or outcomes not named have no effect.
    """

    name: str
    description: str
    effects: dict[str, dict[str, float]]
    schedule: Schedule
    tau: float = 7.0
    sol_median: float = 35.0
    sol_sigma: float = 0.45
    sol_rho: float = 0.15
    awakenings_mean: float = 2.0
    overdispersion: float = 0.3
    levels: dict[str, float] = field(default_factory=lambda: {
        "quality": -0.3, "freshness": -0.3, "anxiety": 0.3})
    gi_baseline: float = 0.05
    expectation: dict[str, float] = field(default_factory=dict)
    drift: dict[str, float] = field(default_factory=dict)
    drift_days: float = 21.0
    caffeine: dict[str, float] = field(default_factory=lambda: {"sol": 0.25, "quality": -0.4})
    alcohol: dict[str, float] = field(default_factory=lambda: {"awakenings": 0.15})
    missing_rate: float = 0.05

    def theta(self) -> np.ndarray:
        """True ``(form, outcome)`` effect matrix."""
        return np.array([[self.effects.get(f, {}).get(o, 0.0) for o in OUTCOMES]
                         for f in FORMS])


_GOOD = {"sol": -0.6, "awakenings": -0.25, "quality": 0.8, "freshness": 0.6, "anxiety": -0.7,
         "gi": 0.3}

PERSONAS: dict[str, Persona] = {p.name: p for p in (
    Persona("responder", "falls asleep slowly (about 55 min) and responds well: glycinate "
            "takes off about 25 min, citrate about 19 min; little GI trouble",
            {"glycinate": _GOOD, "citrate": {k: v * 0.7 for k, v in _GOOD.items()}},
            _crossover("glycinate", "citrate"), sol_median=55.0),
    Persona("non_responder", "no effect of any form on sleep or anxiety; ordinary GI response",
            {f: {"gi": 0.5} for f in FORMS}, _crossover("glycinate", "citrate")),
    Persona("gi_sensitive", "modest sleep benefit; loose stools on citrate and oxide",
            {"glycinate": {"sol": -0.15, "quality": 0.4, "gi": 0.6},
             "citrate": {"sol": -0.15, "quality": 0.4, "gi": 2.2},
             "oxide": {"sol": -0.1, "gi": 2.5}},
            _crossover("glycinate", "citrate"), gi_baseline=0.08),
    Persona("dose_responder", "benefit grows with the dose (titration 100 -> 200 -> 300 mg)",
            {"glycinate": {"sol": -0.4, "quality": 0.9, "anxiety": -0.5, "gi": 0.4}},
            Schedule(((Regimen(NONE), 14), (Regimen("glycinate", 100), 21),
                      (Regimen("glycinate", 200), 21), (Regimen("glycinate", 300), 28),
                      (Regimen(NONE), 14)))),
    Persona("glycinate_responder_citrate_gi",
            "sleeps better on glycinate; had loose stools on citrate",
            {"glycinate": {"sol": -0.4, "awakenings": -0.2, "quality": 0.9, "anxiety": -0.5,
                           "gi": 0.2},
             "citrate": {"sol": -0.2, "quality": 0.4, "gi": 2.4}},
            Schedule(((Regimen(NONE), 14), (Regimen("citrate", 300), 21), (Regimen(NONE), 10),
                      (Regimen("glycinate", 300), 35)))),
)}
"""Named personas (``mgsleep simulate --list``)."""


def simulate_diary(persona: Persona | str, nights: int, *, seed: int | None = None,
                   start: str = "2026-01-01", schedule: Schedule | None = None,
                   ed50_mg: float = 150.0, reference_mg: float = 300.0) -> pd.DataFrame:
    """Simulate a diary (the diary columns of the README) for a persona.

    Parameters
    ----------
    persona : Persona or str
        A persona or the name of one in :data:`PERSONAS`.
    nights : int
        Number of nights.
    seed : int, optional
        Makes the diary reproducible.
    start : str
        Date of the first night.
    schedule : Schedule, optional
        Overrides the persona's schedule.
    ed50_mg, reference_mg : float
        Dose-response constants (as in ``settings.toml``).

    Returns
    -------
    pandas.DataFrame
        One row per night; missing cells are NaN.
    """
    who = PERSONAS[persona] if isinstance(persona, str) else persona
    if nights < 1:
        raise ValueError("nights must be at least 1")
    rng = np.random.default_rng(seed)
    regimens = (schedule or who.schedule).regimens(nights)
    design = design_from_regimens([r.form for r in regimens], [r.elemental_mg for r in regimens],
                                  [r.split for r in regimens], ed50_mg=ed50_mg,
                                  reference_mg=reference_mg)
    exposure = build_up(design, who.tau)
    theta = who.theta()
    caffeine = (rng.random(nights) < 0.2).astype(float)
    alcohol = np.minimum(rng.poisson(0.3, nights), 6).astype(float)

    def eta(outcome: str) -> np.ndarray:
        j = OUTCOMES.index(outcome)
        return (exposure @ theta[:, j] + who.expectation.get(outcome, 0.0) * design.taking
                + who.drift.get(outcome, 0.0) * np.exp(-np.arange(nights) / who.drift_days)
                + who.caffeine.get(outcome, 0.0) * caffeine
                + who.alcohol.get(outcome, 0.0) * alcohol)

    sol = np.round(NormalAR1.minutes(NormalAR1.draw(np.log1p(who.sol_median) + eta("sol"),
                                                    who.sol_sigma, who.sol_rho, rng)))
    mu = who.awakenings_mean * np.exp(eta("awakenings"))
    awakenings = np.minimum(NegativeBinomial.draw(mu, who.overdispersion**-2, rng),
                            int(NUMERIC["awakenings"].high))
    frame = pd.DataFrame({
        "date": pd.date_range(start, periods=nights, freq="D").strftime("%Y-%m-%d"),
        "form": [r.form if r.active or r.form == "placebo" else "" for r in regimens],
        "elemental_mg": [r.elemental_mg if r.active else np.nan for r in regimens],
        "split": [int(r.split) for r in regimens],
        "sol_min": sol, "awakenings": awakenings.astype(float),
    })
    for name in ORDINAL:
        spec = SPECS[name]
        cuts = even_share_cutpoints(spec.categories) - who.levels.get(name, 0.0)
        frame[name] = spec.lowest + Ordinal.draw(eta(name), cuts, rng).astype(float)
    gi_logit = np.log(who.gi_baseline / (1 - who.gi_baseline))
    gi = Bernoulli.draw(gi_logit + design.single @ theta[:, OUTCOMES.index("gi")],
                        rng)
    frame["stool_bristol"] = np.where(gi, rng.integers(6, 8, nights), rng.integers(2, 6, nights))
    frame["caffeine_late"] = caffeine
    frame["alcohol_drinks"] = alcohol
    outcome_cols = ["sol_min", "awakenings", "quality", "freshness", "anxiety", "stool_bristol"]
    mask = rng.random((nights, len(outcome_cols))) < who.missing_rate
    frame[outcome_cols] = frame[outcome_cols].astype(float).mask(mask)
    return frame


def _by_form(rng: np.random.Generator, size: int) -> np.ndarray:
    """Standard normals, ``(form, size)``, each form's row from its own stream.

    One draw of ``rng`` seeds the streams (:func:`~model.core.forms.form_streams`), so a form
    added to FORMS changes neither the other forms' rows nor ``rng``'s later draws.
    """
    streams = form_streams(int(rng.integers(1 << 62)))
    return np.stack([streams[f].standard_normal(size) for f in FORMS])


def _theta(prior: PersonalPrior, rng: np.random.Generator) -> np.ndarray:
    """One person's ``(form, outcome)`` effects: as ``prior.draw_theta``, by form's stream."""
    shared = rng.normal(0.0, prior.resp_sd)
    return prior.mean + shared[None, :] + prior.spread * _by_form(rng, len(OUTCOMES))


def persona_from_priors(priors: PriorSet, rng: np.random.Generator, *,
                        schedule: Schedule | None = None, name: str = "prior_draw") -> Persona:
    """A persona whose effects, kinetics and nuisance effects are drawn from the model's prior.

    The person's effects follow the personal model's own structure:
    ``theta = prior mean + shared responsiveness + sqrt(prior sd^2 + deviation sd^2) * z``;
    ``tau`` is log-normal as in ``[personal]``. Baseline levels are drawn from plausible
    ranges. Used for simulation-based calibration (truth drawn from the prior).
    """
    settings, personal = priors.settings, priors.settings.personal
    prior = PersonalPrior.of(priors)
    theta = _theta(prior, rng)
    sleep = [o for o in OUTCOMES if o != "gi"]

    def per_outcome(sd_smd: float) -> dict[str, float]:
        return {o: float(rng.normal(0.0, sd_smd * settings.outcomes[o].smd_sd)) for o in sleep}

    return Persona(
        name, "drawn from the prior",
        {f: {o: float(theta[i, j]) for j, o in enumerate(OUTCOMES)} for i, f in enumerate(FORMS)},
        schedule or _crossover("glycinate", "citrate"),
        tau=prior.draw_tau(rng),
        sol_median=float(rng.uniform(15, 60)), sol_sigma=float(rng.uniform(0.3, 0.6)),
        sol_rho=float(rng.uniform(0.0, 0.3)), awakenings_mean=float(rng.uniform(1, 4)),
        levels={o: float(rng.normal(0, 0.5)) for o in ("quality", "freshness", "anxiety")},
        gi_baseline=float(rng.uniform(0.02, 0.1)),
        expectation=dict(zip(sleep, prior.draw_expectation(rng).tolist(), strict=True)),
        drift=dict(zip(sleep, prior.draw_drift(rng).tolist(), strict=True)),
        drift_days=personal.drift_days,
        caffeine=per_outcome(personal.covariate_smd),
        alcohol=per_outcome(personal.covariate_smd),
    )


@dataclass(frozen=True)
class PopulationTruth:
    """True population effects and person-level spreads of a simulated population."""

    beta: np.ndarray       # (form, outcome)
    sd_resp: np.ndarray    # (outcome,)
    sd_dev: np.ndarray     # (outcome,)
    personas: tuple[Persona, ...]


def simulate_population(priors: PriorSet, persons: int, nights: int, *, seed: int | None = None,
                        forms_per_person: int = 2) -> tuple[list[pd.DataFrame], PopulationTruth]:
    """Diaries of a population with known effects: each person tries a few random forms.

    The population effects are drawn from the priors, each person's effects around them by
    the personal model's structure (:class:`~model.likelihood.prior.PersonalPrior` with the
    population effects as means) with the spreads of ``settings.toml`` ``[personal]``; each
    person runs a crossover of ``forms_per_person`` forms in random order (baseline, form,
    washout, ...).
    """
    rng = np.random.default_rng(seed)
    prior = PersonalPrior.of(priors)
    beta = prior.mean + prior.sd * _by_form(rng, len(OUTCOMES))
    around_beta = dataclasses.replace(prior, mean=beta, sd=np.zeros_like(beta))
    frames, personas = [], []
    for k in range(persons):
        theta = _theta(around_beta, rng)
        order = np.argsort(_by_form(rng, 1)[:, 0])        # a random order, form by form
        chosen = [FORMS[i] for i in order[:forms_per_person]]
        base = persona_from_priors(priors, rng, schedule=_crossover(*chosen),
                                   name=f"person_{k:04d}")
        persona = dataclasses.replace(base, effects={
            f: {o: float(theta[i, j]) for j, o in enumerate(OUTCOMES)}
            for i, f in enumerate(FORMS)})
        personas.append(persona)
        frames.append(simulate_diary(persona, nights, seed=int(rng.integers(1 << 31))))
    return frames, PopulationTruth(beta, prior.resp_sd, prior.dev_sd, tuple(personas))
