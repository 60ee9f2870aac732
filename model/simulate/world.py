"""A world that is not the model: diaries from an independent generator, with known truth.

The personal model's own simulator (:mod:`model.simulate.personas`) writes diaries with the
model's equations, so a fit of them only shows that the model agrees with itself. This
generator deliberately differs from the model wherever real nights are likely to:

- sleep-onset latency is **gamma** distributed in minutes (not log-normal), with **Markov runs
  of bad nights** (a two-state chain: a bad night makes the next one likely bad too) that
  lengthen latency, add awakenings and lower the ratings together;
- a **weekday** effect (Friday and Saturday nights) and late **caffeine**;
- effects build up after a **lag and a linear ramp** of per-person length (not first-order
  kinetics) and follow a **Hill** dose curve (``n = 2``; not Emax). By default
  (``stores="shared"``) there is one exposure level for all forms, the effect of the form
  last taken applied to it: a switch of forms at the same dose shows the new form's full
  built-up effect the first night. This is the structure the model's kinetics assume too
  (:mod:`model.likelihood.kinetics`), so it does not test it; ``stores="per_form"``
  (:func:`separate_stores`) gives each form its own store, lag, ramp and wash-out;
- an **expectation** effect of taking anything (placebo included) that fades over weeks, and
  **drift**: a diary started in a bad patch improves on its own (regression to the mean);
- ratings come from an **autocorrelated normal latent** (not logistic noise);
- GI nights follow the **chemistry** of the form (osmotic salts vs chelates, this world's own
  :data:`WORLD_FORMS`) and a person-level gut sensitivity, in the single-intake dose; the
  shift of magnesium is never below zero (:meth:`WorldPerson.gi_probability`);
- whole nights go blank (4 %) besides single blank cells.

Each source of nightly noise (bad nights, caffeine, latency, awakenings, ratings, GI nights,
stool values, blanks: :data:`NOISE`) draws from its own random stream of the seed, a fixed
number of draws a night whatever the regimens (awakenings by the inverse of the Poisson
distribution of a uniform draw), so that two regimen paths of one person and seed meet the
same noise in every component (common random numbers): a night with the same GI probability
on both paths is a GI night on both or on neither.

Nothing here imports the model's likelihood: it is written from these statements alone.

The closed loop (``benchmarks/closed_loop.py``) scores decisions with the truth:
:func:`true_change` (what a regimen does, magnesium's own effect) and :func:`true_utility` (the
decision's utility of that change), and grows a diary period by period with
:func:`extend_world`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np
import pandas as pd
from scipy.stats import poisson

from model.core.forms import FORMS, PLACEBO
from model.core.outcomes import OUTCOMES, SPECS
from model.core.regimen import NO_MAGNESIUM, Regimen
from model.core.special import expit
from model.data.diary_columns import NUMERIC
from model.data.profile import Profile
from model.evidence.priorset import PriorSet


@dataclass(frozen=True)
class FormFacts:
    """What one form is in this world, stated here and not read from the model's priors.

    ``osmotic``: its GI risk is that of an osmotic salt (else that of a chelate).
    ``helps_weight``: how often, relative to the other forms, a responder's helping form is
    this one (0: it never helps anyone).
    """

    osmotic: bool
    helps_weight: float


WORLD_FORMS: dict[str, FormFacts] = {
    "glycinate": FormFacts(osmotic=False, helps_weight=3.0),
    "taurate": FormFacts(osmotic=False, helps_weight=2.0),
    "threonate": FormFacts(osmotic=False, helps_weight=2.0),
    "citrate": FormFacts(osmotic=True, helps_weight=1.5),
    "oxide": FormFacts(osmotic=True, helps_weight=1.0),
    "malate": FormFacts(osmotic=True, helps_weight=1.0),
    "chloride": FormFacts(osmotic=True, helps_weight=0.0),
    "lactate": FormFacts(osmotic=True, helps_weight=0.0),
}
"""This world's facts of every form of :data:`~model.core.forms.FORMS` (a new form needs its
own line: the world refuses to run without one, :func:`facts`)."""


def facts(form: str) -> FormFacts:
    """The facts this world states of ``form``.

    Raises
    ------
    ValueError
        For a form of :data:`~model.core.forms.FORMS` the world does not describe (a form
        added to mgsleep without its line in ``WORLD_FORMS``): it is never guessed.
    """
    if form not in WORLD_FORMS:
        raise ValueError(f"model/simulate/world.py: WORLD_FORMS states no facts of form "
                         f"{form!r} (FORMS in model/core/forms.py has it); add its line: "
                         "whether it is an osmotic salt and how often it helps a responder")
    return WORLD_FORMS[form]

Stores = Literal["shared", "per_form"]
"""One exposure store for all forms, or one per form (:attr:`WorldPerson.stores`)."""

RATING_SCALES = {"quality": (1, 5), "freshness": (1, 10), "anxiety": (0, 10)}
"""Diary range of each rating."""


@dataclass(frozen=True)
class WorldPerson:
    """One person of the independent world; every effect is at full (saturated) exposure.

    ``effects`` maps ``form -> {outcome: value}``: ``sol`` and ``awakenings`` are
    multipliers (0.7 = 30 % less), ``quality``/``freshness``/``anxiety`` shifts of the rating
    in points (positive = higher rating), ``gi`` a log-odds shift at 300 mg in one intake
    added to the form's chemistry. ``stores``: one exposure store for all forms
    (``"shared"``) or one per form (``"per_form"``), each with the ``(lag_days, ramp_days)``
    of ``form_kinetics`` (the person's own for a form not in it).
    """

    effects: dict[str, dict[str, float]] = field(default_factory=dict)
    sol_minutes: float = 30.0
    sol_shape: float = 2.5
    bad_enter: float = 0.08
    bad_stay: float = 0.55
    awakenings_mean: float = 1.5
    lag_days: float = 2.0
    ramp_days: float = 12.0
    hill_ed50_mg: float = 180.0
    gut_sensitivity: float = 0.0
    expectation: float = 0.15
    expectation_days: float = 21.0
    drift: float = 0.25
    drift_days: float = 30.0
    rating_rho: float = 0.5
    caffeine_rate: float = 0.2
    blank_night_rate: float = 0.04
    blank_cell_rate: float = 0.03
    levels: dict[str, float] = field(default_factory=lambda: {
        "quality": 3.0, "freshness": 5.0, "anxiety": 4.5})
    stores: Stores = "shared"
    form_kinetics: dict[str, tuple[float, float]] = field(default_factory=dict)

    def dose_fraction(self, mg: float) -> float:
        """Hill curve (n = 2) of a daily dose, as a fraction of the saturated effect."""
        return mg**2 / (self.hill_ed50_mg**2 + mg**2) if mg > 0 else 0.0

    def gi_probability(self, regimen: Regimen) -> float:
        """Chance of a loose-stool night on a regimen (steady state, no bad-night effect).

        The log-odds shift of magnesium (chemistry, the person's form shift and gut) is
        floored at 0: magnesium loosens stools (osmotic salts draw water into the bowel,
        chelates much less) and has no known way to firm them, so no regimen has fewer
        loose-stool nights than no magnesium. Unfloored, a gentle chelate and a low gut
        sensitivity made glycinate 350 mg the "best" regimen of most non-responders (worth
        up to half an MCID), and a non-responder who rightly stopped was scored as a regret.
        """
        loosening = 0.0
        if regimen.active:
            osmotic = facts(regimen.form).osmotic
            shift = self.effects.get(regimen.form, {}).get("gi", 0.0)
            gut = self.gut_sensitivity * (1.0 if osmotic else 0.4)
            single = regimen.elemental_mg / (2 if regimen.split else 1)
            loosening = max(0.0, (1.2 if osmotic else -0.2) + shift + gut) * single / 300.0
        return float(expit(np.log(0.04 / 0.96) + loosening))


def _build_up(targets: np.ndarray, lag_days: float, ramp_days: float) -> np.ndarray:
    """Night-by-night exposure to nightly ``targets`` (fractions of the saturated effect).

    A new target is held ``lag_days`` nights before the level climbs to it by ``1 /
    ramp_days`` a night; a lower one is reached by ``2 / ramp_days`` a night (wash-out twice
    as fast).
    """
    level, out = 0.0, np.zeros(len(targets))
    target_previous, lagged = 0.0, 0
    for t, target in enumerate(targets):
        lagged = lagged + 1 if target == target_previous else 0
        if target > level and lagged >= lag_days:
            level = min(target, level + 1.0 / ramp_days)
        elif target < level:
            level = max(target, level - 2.0 / ramp_days)
        target_previous = target
        out[t] = level
    return out


def _targets(person: WorldPerson, regimens: Sequence[Regimen], form: str | None) -> np.ndarray:
    """Each night's Hill fraction of its dose (of ``form`` only, when one is named)."""
    return np.array([person.dose_fraction(r.elemental_mg)
                     if r.active and form in (None, r.form) else 0.0 for r in regimens])


def _ramp(person: WorldPerson, regimens: Sequence[Regimen]) -> np.ndarray:
    """Night-by-night fraction of each night's saturated effect of the one shared store."""
    return _build_up(_targets(person, regimens, None), person.lag_days, person.ramp_days)


def _effect(person: WorldPerson, regimens: Sequence[Regimen], outcome: str,
            neutral: float) -> np.ndarray:
    """Each night's effect on ``outcome`` of the form last taken (kept after a stop)."""
    values, last = np.empty(len(regimens)), neutral
    for t, regimen in enumerate(regimens):
        if regimen.active:
            last = person.effects.get(regimen.form, {}).get(outcome, neutral)
        values[t] = last
    return values


def _exposed(person: WorldPerson, regimens: Sequence[Regimen], outcome: str,
             neutral: float) -> np.ndarray:
    """Per night, magnesium's effect on ``outcome`` less ``neutral``, at that night's exposure.

    One shared store: the form last taken's effect times the store's level. One store per
    form: the sum over the person's helping forms of each effect times its own store's level
    (a switch washes the old form out while the new one lags and ramps up).
    """
    if person.stores == "shared":
        return (_effect(person, regimens, outcome, neutral) - neutral) * _ramp(person, regimens)
    total = np.zeros(len(regimens))
    for form, effect in person.effects.items():
        lag, ramp = person.form_kinetics.get(form, (person.lag_days, person.ramp_days))
        total += (effect.get(outcome, neutral) - neutral) * _build_up(
            _targets(person, regimens, form), lag, ramp)
    return total


def separate_stores(person: WorldPerson, rng: np.random.Generator) -> WorldPerson:
    """The person with one exposure store per form (``stores="per_form"``).

    Each form's lag and ramp are the person's times its own factor, drawn uniform in 0.5-1.5
    (forms are absorbed and reach the brain at their own pace); its wash-out is twice its
    ramp's speed. Every form of :data:`~model.core.forms.FORMS` gets its two factors, in
    that order, so the draws do not depend on which forms help the person.
    """
    kinetics = {}
    for form in FORMS:
        lag, ramp = rng.uniform(0.5, 1.5, 2)
        kinetics[form] = (float(person.lag_days * lag), float(person.ramp_days * ramp))
    return replace(person, stores="per_form", form_kinetics=kinetics)


NOISE = ("bad", "caffeine", "latency", "awakenings", "ratings", "gi", "stool", "blanks")
"""The sources of nightly noise, each with its own random stream (:func:`_streams`)."""


def _streams(seed: int | None) -> dict[str, np.random.Generator]:
    """One independent generator per source of :data:`NOISE`, spawned from ``seed``."""
    children = np.random.SeedSequence(seed).spawn(len(NOISE))
    return {name: np.random.default_rng(child) for name, child in zip(NOISE, children,
                                                                       strict=True)}


def _bad_nights(person: WorldPerson, nights: int, rng: np.random.Generator) -> np.ndarray:
    draws, bad = rng.random(nights), np.zeros(nights, bool)
    for t in range(nights):
        p = person.bad_stay if t and bad[t - 1] else person.bad_enter
        bad[t] = draws[t] < p
    return bad


def _ratings(person: WorldPerson, regimens: Sequence[Regimen], base: np.ndarray,
             rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Each rating of every night: level + magnesium + ``base`` (signed) + an AR(1) latent."""
    n, out = len(regimens), {}
    noise = rng.normal(0, 0.8, (len(RATING_SCALES), n))
    for row, (name, (low, high)) in zip(noise, RATING_SCALES.items(), strict=True):
        sign = -1.0 if name == "anxiety" else 1.0
        latent = np.zeros(n)
        for t in range(n):
            latent[t] = person.rating_rho * (latent[t - 1] if t else 0.0) + row[t]
        shift = _exposed(person, regimens, name, 0.0) + sign * base
        out[name] = np.clip(np.round(person.levels[name] + shift + latent), low, high)
    return out


def simulate_world(person: WorldPerson, regimens: Sequence[Regimen], *, seed: int | None = None,
                   start: str = "2026-01-01") -> pd.DataFrame:
    """The diary (the README's columns) a world person keeps on the given nightly regimens."""
    rng = _streams(seed)
    n = len(regimens)
    dates = pd.date_range(start, periods=n, freq="D")
    taking = np.array([r.active or r.form == PLACEBO for r in regimens], float)
    since_start = np.cumsum(taking) * taking
    expectation = person.expectation * taking * np.exp(-since_start / person.expectation_days)
    drift = person.drift * np.exp(-np.arange(n) / person.drift_days)
    bad = _bad_nights(person, n, rng["bad"])
    weekend = np.isin(dates.day_of_week, (4, 5)).astype(float)
    caffeine = (rng["caffeine"].random(n) < person.caffeine_rate).astype(float)

    sol_factor = 1 + _exposed(person, regimens, "sol", 1.0)
    mean_sol = (person.sol_minutes * sol_factor * (1 - expectation) * np.exp(drift)
                * np.where(bad, 2.5, 1.0) * (1 + 0.15 * weekend) * (1 + 0.3 * caffeine))
    gamma = rng["latency"].standard_gamma(person.sol_shape, n)
    sol = np.minimum(np.round(gamma * mean_sol / person.sol_shape), NUMERIC["sol_min"].high)
    wake_factor = 1 + _exposed(person, regimens, "awakenings", 1.0)
    rate = (person.awakenings_mean * wake_factor * (1 - 0.5 * expectation)
            * np.exp(drift / 2) + 1.5 * bad)
    awakenings = np.maximum(poisson.ppf(rng["awakenings"].random(n), rate), 0.0)
    frame = pd.DataFrame({
        "date": dates.strftime("%Y-%m-%d"),
        "form": [r.form if r.active or r.form == PLACEBO else "" for r in regimens],
        "elemental_mg": [r.elemental_mg if r.active else np.nan for r in regimens],
        "split": [int(r.split) for r in regimens],
        "sol_min": sol.astype(float),
        "awakenings": np.minimum(awakenings, NUMERIC["awakenings"].high).astype(float),
    })
    ratings = _ratings(person, regimens, 3 * expectation - drift - 1.2 * bad, rng["ratings"])
    frame = frame.assign(**ratings)
    gi = rng["gi"].random(n) < [person.gi_probability(r) for r in regimens]
    loose, formed = rng["stool"].integers(6, 8, n), rng["stool"].integers(2, 6, n)
    frame["stool_bristol"] = np.where(gi, loose, formed)
    frame["caffeine_late"] = caffeine
    outcomes = ["sol_min", "awakenings", "quality", "freshness", "anxiety", "stool_bristol"]
    cells = rng["blanks"].random((n, len(outcomes))) < person.blank_cell_rate
    cells |= (rng["blanks"].random(n) < person.blank_night_rate)[:, None]
    frame[outcomes] = frame[outcomes].astype(float).mask(cells)
    return frame


def draw_world_person(rng: np.random.Generator, *, responder: float = 0.5) -> WorldPerson:
    """A random world person; ``responder`` is the chance that magnesium helps them at all.

    A responder gets a sleep-onset multiplier of 0.55-0.85 and matching ratings on one or
    two forms (chelates a little more often), a non-responder none; kinetics, dose curve,
    gut sensitivity, expectation and drift vary from person to person.
    """
    forms = [f for f in FORMS if facts(f).helps_weight > 0]
    effects: dict[str, dict[str, float]] = {}
    if rng.random() < responder:
        weights = np.array([facts(f).helps_weight for f in forms])
        chosen = rng.choice(forms, size=rng.integers(1, 3), replace=False,
                            p=weights / weights.sum())
        for form in chosen:
            sol = rng.uniform(0.55, 0.85)
            effects[str(form)] = {"sol": sol, "awakenings": rng.uniform(0.7, 1.0),
                                  "quality": 2.5 * (1 - sol), "freshness": 3 * (1 - sol),
                                  "anxiety": -4 * (1 - sol)}
    return WorldPerson(
        effects=effects, sol_minutes=float(rng.uniform(18, 60)),
        sol_shape=float(rng.uniform(1.8, 4.0)), bad_enter=float(rng.uniform(0.03, 0.12)),
        bad_stay=float(rng.uniform(0.3, 0.7)), awakenings_mean=float(rng.uniform(0.8, 3.0)),
        lag_days=float(rng.uniform(0, 5)), ramp_days=float(rng.uniform(5, 25)),
        hill_ed50_mg=float(rng.uniform(100, 250)), gut_sensitivity=float(rng.normal(0, 0.7)),
        expectation=float(rng.uniform(0.0, 0.3)), drift=float(rng.uniform(-0.1, 0.4)),
        rating_rho=float(rng.uniform(0.2, 0.7)))


def true_change(person: WorldPerson, regimen: Regimen) -> dict[str, float]:
    """The steady-state change a regimen causes vs no magnesium, in diary units.

    Magnesium's own effect at full build-up (the Hill fraction of the daily dose times the
    form's saturated effect) on an ordinary night (not a bad night, a weekday, no late
    caffeine); expectation and drift do not enter. ``sol``: minutes of sleep-onset latency;
    ``awakenings``: per night; ``quality``, ``freshness``, ``anxiety``: rating points; ``gi``:
    share of GI nights. Negative values are decreases (better for ``sol``, ``awakenings``,
    ``anxiety`` and ``gi``).

    Parameters
    ----------
    person : WorldPerson
        The person.
    regimen : Regimen
        What is taken every evening (none and placebo change nothing).

    Returns
    -------
    dict of str to float
        Keyed by the outcomes of :data:`model.core.outcomes.OUTCOMES`.

    """
    if not regimen.active:
        return dict.fromkeys(OUTCOMES, 0.0)
    fraction = person.dose_fraction(regimen.elemental_mg)
    effect = person.effects.get(regimen.form, {})
    change = {"sol": person.sol_minutes * (effect.get("sol", 1.0) - 1) * fraction,
              "awakenings": person.awakenings_mean * (effect.get("awakenings", 1.0) - 1)
              * fraction}
    change |= {name: effect.get(name, 0.0) * fraction for name in RATING_SCALES}
    change["gi"] = person.gi_probability(regimen) - person.gi_probability(NO_MAGNESIUM)
    return {o: float(change[o]) for o in OUTCOMES}


def true_utility(person: WorldPerson, regimen: Regimen, priors: PriorSet, profile: Profile,
                 gi_weight: float = 1.0) -> float:
    """The utility of a regimen's :func:`true_change`: weighted improvements in MCIDs.

    The sum over outcomes of the profile's weight (:meth:`Profile.outcome_weights`; GI:
    ``gi_weight``, the decision's) times the improvement (the change in the better direction
    of :data:`model.core.outcomes.SPECS`) divided by the MCID of ``priors.settings`` (diary
    units). No magnesium has utility 0; no switching cost.

    Parameters
    ----------
    person : WorldPerson
        The person.
    regimen : Regimen
        The regimen scored.
    priors : PriorSet
        Gives the MCIDs.
    profile : Profile
        Gives the weights.
    gi_weight : float
        Weight of GI nights (``DecisionSettings().gi_weight``).

    Returns
    -------
    float

    """
    weights = profile.outcome_weights() | {"gi": gi_weight}
    change = true_change(person, regimen)
    return float(sum(weights[o] * SPECS[o].sign * change[o] / priors.settings.outcomes[o].mcid
                     for o in OUTCOMES))


def extend_world(person: WorldPerson, frozen: pd.DataFrame, regimens: Sequence[Regimen],
                 nights: int, *, seed: int | None = None,
                 start: str = "2026-01-01") -> pd.DataFrame:
    """A diary grown to ``nights`` nights: the ``frozen`` nights kept, the new ones simulated.

    The whole diary is simulated on ``regimens`` (the nights so far, then the planned ones;
    give the same length at every call, e.g. the horizon padded with the current regimen, so
    that every noise stream keeps its draws) and the nights after the frozen ones appended.

    Parameters
    ----------
    person : WorldPerson
        The person.
    frozen : pandas.DataFrame
        The diary so far (its first rows must have been simulated on ``regimens``' first).
    regimens : sequence of Regimen
        Every night's regimen, at least ``nights`` of them.
    nights : int
        Length of the diary returned.
    seed, start
        As :func:`simulate_world`.

    Returns
    -------
    pandas.DataFrame

    """
    if not len(frozen) <= nights <= len(regimens):
        raise ValueError(f"need len(frozen) <= nights <= len(regimens), got {len(frozen)}, "
                         f"{nights}, {len(regimens)}")
    new = simulate_world(person, regimens, seed=seed, start=start).iloc[len(frozen):nights]
    if frozen.empty:
        return new.reset_index(drop=True)
    return pd.concat([frozen, new], ignore_index=True)
