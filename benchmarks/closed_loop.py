"""Closed-loop benchmark: decision policies followed night by night in a world not the model.

Each simulated person (:func:`model.simulate.world.draw_world_person`: gamma latency, Markov
bad-night runs, a lag-and-ramp build-up, a Hill dose curve, expectation, drift, GI by
chemistry; a share of them with an IBS gut and an ``ibs`` profile) keeps 14 nights without
magnesium, then for 12 weeks (84 nights) follows a policy that looks at the diary so far every
evaluation period and says what to take until the next look. The policies meet the same persons
and the same nightly noise (common random numbers: each source of noise has its own random
stream a person, :data:`model.simulate.world.NOISE`). A share of the persons
(``--restricted``, 30 % by default) give the tool safety limits of their own in the profile
(:func:`restrictions`: a personal ceiling of 150-300 mg, an excluded form, a medicine that
holds magnesium or caps it):

- ``tool``: ``decide(mode="expected_utility")`` on the quick model
  (:class:`model.trial.quick.QuickModel`) fitted to the diary so far, told the nights left
  (``horizon_nights``: learning pays only for the periods before the end, and the answer at
  the end is the regimen best by then); the next look is its
  ``next_review`` (at least 7 nights later); ``collect_more_data`` keeps the regimen it names
  (none: no magnesium); ``refer`` stops magnesium for good. When loose stools go on during a
  step (the decision's acute-GI rule: 2 GI nights within 7) the person looks again at once,
  as the advice tells them to ("if loose stools go on, stop, or take the gentler step
  the advice names").
- ``thompson``: the same with ``mode="thompson"``.
- ``fixed``: glycinate 200 mg from night 15 on.
- ``titration``: glycinate 100 -> 200 -> 300 mg every 14 nights, unless the share of GI nights
  of the last 14 rises above the baseline's by more than the GI limit: then one step down (100
  mg: none) and hold.
- ``before_after``: glycinate 200 mg for 4 weeks; kept if the mean latency fell below the
  baseline's, else threonate 200 mg for 4 weeks, then the one with the lower mean latency.
- ``sweep``: a fixed design with no model, as a yardstick of what 12 weeks can find: the three
  chelates (glycinate, threonate, taurate) at 300 mg for 21 nights each, then for the last 21
  nights the one whose last 14 nights scored best (diary means in MCIDs, weighted as the
  utility), if it beat the baseline by at least one MCID, else none (none also on a GI rise
  above the limit).

Scores (true utility of :func:`model.simulate.world.true_utility`, weighted MCIDs): regret at
week 12 = the utility of the person's best allowed regimen (no magnesium, or a form the tool
considers at 100/200/300 mg and at the ceiling, single or split from 200 mg, whose true GI rate
rises by at most the GI limit) minus that of the regimen the policy names at the end, and its
two parts: what the design left out (``design_loss``: the best allowed regimen minus the best
one of the forms the policy tried, at any allowed dose: the regret of an oracle choosing among
them) and what the choice among them lost (``selection_loss``: the rest), of which the dose
(``dose_loss``: the best allowed dose of the final form minus the final regimen; the rest of
it is the form, or no magnesium); regret over the 12 weeks = the nightly mean of the best
utility minus that of the night's regimen (steady state); nights whose true GI rate is over
the limit; ceiling breaches (nights, and the final regimen, over the person's limits: above
the ceiling, of an excluded form, or on magnesium a rule holds; asserted 0 for the tool
policies, counted for the others, whose regret may then fall below 0: they take what the
limits forbid); for the tool policies, the share committed at any look with the week of the
first commitment, and the share "committed and stayed" (some commitment whose form every
later look kept: no change of form, no stop) with the week of that kept commitment; and, for
the tool policies, how far the model's own utility of the regimens of the forms tried
(:func:`estimates` at the last look) is from the truth (``estimate_error``, printed for
responders and non-responders).

Before the quick model is trusted, ``--full-subset K`` persons are decided at two looks of
their ``tool`` run with both the quick and the full model (:class:`PersonalModel` with the NUTS
settings of :data:`FULL_FIT`) and their P(best) and P(GI constraint violation) compared. The
run stops when any P(GI violation) (the safety constraint) differs by more than
``AGREEMENT_TOLERANCE``, when the P(best) of the chosen action or of all actions differs by
more than a third of it on average, or when fewer than ``SAME_ADVICE`` of the looks get the
same advice. A single look whose chosen action's P(best) differs by more than the tolerance is
listed as a warning: with a dozen options, P(best) of the leader moves with the tails of
untried forms (at seed 1, one person's "continue glycinate 300 mg", the same advice from both,
had 0.55 against 0.40 because the full fit gives an untried form a heavier tail). P(best) is
over the options open at the look, and each fit sets the evaluation period from its own
build-up time: at a look where one fit still blocks changes the other allows, P(best) is not
compared (``same_options`` gives the share of looks where they agree), P(GI violation) and the
advice are. A full fit that fails its checks leaves its look out of the P(best) comparison:
when more than a third of the looks' full fits fail the run stops, when any does it is a
warning. ``--full-subset 0`` skips the check: said on stderr and above every table.

``--seeds 1,2,3`` runs each seed (new persons each) and then prints, per policy, each seed's
row and the pooled one (regret at week 12 and P(within 0.25) with their standard errors over
persons, the standard error of the seeds' means) and the tool's regret over the fixed
advice's with its standard error (delta method, paired persons). The default seed, 1, is the
seed the tool's settings were tuned on: quote several.

``--world NAME`` changes every person the same way (:data:`WORLDS`: quiet nights, a flat dose
curve, no expectation or drift, one exposure store per form) on the same persons and noise,
to see which departure of the world from the model a policy's regret comes from;
``--policies`` runs some of them (the tool is the reference of the paired gaps).

``--full-loop K`` also runs ``tool_full``, the tool's rule on the full model (NUTS,
:data:`FULL_FIT`), for the first K persons, and prints it beside the quick model's run on the
same persons.

    PYTHONPATH=. .venv/bin/python benchmarks/closed_loop.py --persons 200 --workers 2 \\
        --seeds 1,2,3 [--world per-form] [--restricted 0.3] [--policies tool,sweep] \\
        [--full-subset 6] [--full-loop 12] [--json out.json]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from functools import cache, partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from model.core.forms import FORMS
from model.core.outcomes import SPECS
from model.core.regimen import NO_MAGNESIUM, Regimen
from model.data.diary import Diary, read_diary
from model.data.profile import Complaint, Profile
from model.decision.candidates import EXPERIMENTS
from model.decision.decide import Decision, DecisionSettings, decide
from model.decision.screening import screen
from model.decision.settings import Mode, Predict
from model.decision.utility import utility_per_gain
from model.evidence.priorset import PriorSet, load_priors
from model.personal.fit import PersonalModel
from model.personal.separability import separability
from model.simulate.world import (
    WorldPerson,
    draw_world_person,
    extend_world,
    separate_stores,
    true_change,
    true_utility,
)
from model.trial.quick import QuickModel

BASELINE = 14
"""Nights without magnesium before the first decision."""
TOTAL = BASELINE + 84
"""Nights of a run: the baseline and 12 weeks."""
MIN_PERIOD = 7
"""The shortest evaluation period, nights (a look at acute GI may come sooner)."""
MODEL_POLICIES = ("tool", "thompson", "tool_full")
"""The policies whose advice says to look again when loose stools go on."""
DOSES = (100.0, 200.0, 300.0)
"""Daily doses of the regimens a person's best is sought among."""
START = dt.date(2026, 1, 1)
"""Date of the first night."""
POLICIES = ("tool", "fixed", "titration", "thompson", "before_after", "sweep")
"""The policies, in the order of the table."""
GLYCINATE_200 = Regimen("glycinate", 200.0)
THREONATE_200 = Regimen("threonate", 200.0)
SWEEP = tuple(Regimen(f, 300.0) for f in ("glycinate", "threonate", "taurate"))
"""The regimens the ``sweep`` design tries, in order."""
SWEEP_NIGHTS = 21
"""Nights of each regimen of the sweep (the last 14 are scored)."""
AGREEMENT_TOLERANCE = 0.15
"""Largest |quick - full| of a P(GI violation) before the loop refuses the quick model (about
five Monte Carlo standard errors of a difference of two 1,000-draw shares); a third of it is
the largest mean |quick - full| of P(best)."""
SAME_ADVICE = 2 / 3
"""Smallest share of the checked looks at which both models give the same advice."""
COMPLAINTS: tuple[Complaint, ...] = ("sleep_onset", "night_waking", "anxiety", "racing_thoughts")
QUIET: dict[str, float] = {"bad_enter": 0.0, "sol_shape": 10.0, "rating_rho": 0.0}
"""Quiet nights: no runs of bad nights, light-tailed latency, ratings without autocorrelation."""
PER_FORM = "per-form"
"""The world whose persons have one exposure store per form (:func:`separate_stores`)."""
WORLDS: dict[str, dict[str, float]] = {
    "drawn": {},
    "quiet": QUIET,
    "flat_dose": QUIET | {"hill_ed50_mg": 60.0},
    "no_expectation": {"expectation": 0.0, "drift": 0.0},
    PER_FORM: {},
}
"""Overrides of every drawn person (``--world``), the same persons and noise otherwise:
``drawn`` keeps them as drawn; ``quiet`` (:data:`QUIET`); ``flat_dose`` quiet nights and a Hill
ED50 of 60 mg, so that 200 mg gives 92 % of a form's saturated effect (the drawn ED50s of
100-250 mg give 39-80 %); ``no_expectation``: no expectation effect and no drift;
``per-form`` (:data:`PER_FORM`): each form builds up and washes out in its own store, with
its own lag and ramp (the drawn world, as the model, has one store for all forms: a switch
of forms at the same dose shows the new form's full effect the first night)."""
RESTRICTED = 0.3
"""Share of the persons whose profile has safety limits of their own (:func:`restrictions`)."""
OWN_CEILINGS = (150.0, 200.0, 250.0, 300.0)
"""The personal ceilings (``max_elemental_mg``) a restricted person may give."""
MEDICINES = ("digoxin", "raltegravir", "magnesium hydroxide 100 mg", "magnesium hydroxide 200 mg")
"""Medicines of the bundled safety rules that hold magnesium (digoxin: no change without a
clinician; raltegravir: refer) or cap it (a magnesium antacid's 100 or 200 mg a day counts
towards the 350 mg limit, leaving 250 or 150 mg)."""


@dataclass(frozen=True)
class Subject:
    """One simulated person: the truth, the profile the tool is given, the diary's seed."""

    index: int
    person: WorldPerson
    profile: Profile
    seed: int


def restrictions(rng: np.random.Generator, share: float) -> dict[str, Any]:
    """The profile's safety limits of one person: none, or (chance ``share``) some of three.

    A restricted person has each of a personal ceiling (:data:`OWN_CEILINGS`), one excluded
    form (any of :data:`~model.core.forms.FORMS`) and a medicine of :data:`MEDICINES` with
    chance 1/2, and at least one of them. Every person takes the same number of draws, so the
    draws of the others do not depend on ``share``.
    """
    restricted, parts, one = rng.random() < share, rng.random(3) < 0.5, int(rng.integers(3))
    ceiling = OWN_CEILINGS[int(rng.integers(len(OWN_CEILINGS)))]
    form = FORMS[int(rng.integers(len(FORMS)))]
    medicine = MEDICINES[int(rng.integers(len(MEDICINES)))]
    if not restricted:
        return {}
    parts[one] |= not parts.any()
    fields = {"max_elemental_mg": ceiling, "excluded_forms": (form,), "medications": (medicine,)}
    return {key: value for key, value, part in zip(fields, fields.values(), parts, strict=True)
            if part}


def draw_subjects(n: int, seed: int, *, responder: float = 0.6, ibs_share: float = 0.1,
                  world: str = "drawn", restricted: float = RESTRICTED) -> list[Subject]:
    """``n`` world persons; ``ibs_share`` of them have an IBS gut (and say so in the profile).

    ``world`` names the overrides of :data:`WORLDS` applied to every person once drawn, so
    that each world has the same persons, profiles and noise seeds (the per-form world's
    kinetics are drawn for every person, from their own stream). ``restricted`` of them have
    safety limits of their own in the profile (:func:`restrictions`, from a stream of their
    own: 0 gives the same persons with the default profile).
    """
    rng = np.random.default_rng(seed)
    kinetics, limits = (np.random.default_rng([seed, stream]) for stream in (1, 2))
    subjects = []
    for index in range(n):
        person = draw_world_person(rng, responder=responder)
        ibs = rng.random() < ibs_share
        if ibs:
            person = replace(person, gut_sensitivity=person.gut_sensitivity + 1.5)
        person = replace(person, **WORLDS[world])
        stored = separate_stores(person, kinetics)
        person = stored if world == PER_FORM else person
        profile = Profile(gut_sensitivity="ibs" if ibs else "none",
                          complaint=COMPLAINTS[int(rng.integers(len(COMPLAINTS)))],
                          **restrictions(limits, restricted))
        subjects.append(Subject(index, person, profile, int(rng.integers(2**31))))
    return subjects


@dataclass(frozen=True)
class Step:
    """A policy's answer: what to take until the next look, and when that look is."""

    regimen: Regimen
    days: int
    commit: bool = False
    action: str = ""
    stop: bool = False
    estimates: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class Look:
    """What a policy sees at a look: the diary so far and the regimen of each night."""

    subject: Subject
    priors: PriorSet
    frame: pd.DataFrame
    taken: tuple[Regimen, ...]

    @property
    def night(self) -> int:
        """Nights so far."""
        return len(self.taken)

    @property
    def as_of(self) -> dt.date:
        """The day after the last night: the morning of the look."""
        return START + dt.timedelta(days=self.night)

    @property
    def last_night(self) -> dt.date:
        """The date the last night began (``decide``'s ``as_of``, as the command line's)."""
        return self.as_of - dt.timedelta(days=1)

    @property
    def remaining(self) -> int:
        """Nights left in the run."""
        return TOTAL - self.night

    @property
    def current(self) -> Regimen:
        """Last night's regimen."""
        return self.taken[-1]


Policy = Callable[[Look], Step]


def fixed(look: Look) -> Step:
    """Glycinate 200 mg for everyone from the first look on."""
    return Step(GLYCINATE_200, look.remaining)


def _gi_share(frame: pd.DataFrame) -> float:
    """Share of GI nights (Bristol >= 6) among the nights with a stool entry."""
    bristol = frame["stool_bristol"].dropna()
    return float((bristol >= 6).mean()) if len(bristol) else 0.0


def titration(look: Look) -> Step:
    """Glycinate 100 -> 200 -> 300 mg every 14 nights; over the GI limit: step down and hold."""
    if look.night == BASELINE:
        return Step(Regimen("glycinate", 100.0), 14)
    current = look.current
    highest = max(r.elemental_mg for r in look.taken)
    if current.elemental_mg < highest:                    # stepped down before: hold
        return Step(current, look.remaining)
    limit = look.priors.safety.gi_constraint.limit
    rise = _gi_share(look.frame.iloc[-14:]) - _gi_share(look.frame.iloc[:BASELINE])
    if rise > limit:
        down = current.elemental_mg - 100.0
        return Step(Regimen("glycinate", down) if down > 0 else NO_MAGNESIUM, look.remaining)
    if current.elemental_mg < DOSES[-1]:
        return Step(Regimen("glycinate", current.elemental_mg + 100.0), 14)
    return Step(current, look.remaining)


def _mean_sol(look: Look, regimen: Regimen) -> float:
    """Mean latency of the nights on ``regimen`` (``inf`` if none is recorded)."""
    on = np.array([r == regimen for r in look.taken])
    sol = look.frame["sol_min"].to_numpy(float)[on]
    return float(np.nanmean(sol)) if np.isfinite(sol).any() else math.inf


def before_after(look: Look) -> Step:
    """Glycinate 200 mg for 4 weeks; kept if latency fell, else threonate 4 weeks; the better."""
    if look.remaining == 0:
        return Step(look.current, 0)
    if look.night == BASELINE:
        return Step(GLYCINATE_200, 28)
    if look.current == GLYCINATE_200 and THREONATE_200 not in look.taken:
        if _mean_sol(look, GLYCINATE_200) < _mean_sol(look, NO_MAGNESIUM):
            return Step(GLYCINATE_200, look.remaining)
        return Step(THREONATE_200, 28)
    if look.current == THREONATE_200 and look.remaining > 0:
        better = min((GLYCINATE_200, THREONATE_200), key=lambda r: _mean_sol(look, r))
        return Step(better, look.remaining)
    return Step(look.current, look.remaining)


def _diary_score(look: Look, regimen: Regimen, last: int = 14) -> float:
    """Weighted diary means, in MCIDs, of the last ``last`` nights on ``regimen`` (higher =
    better; the utility's weights without GI)."""
    on = np.flatnonzero([r == regimen for r in look.taken])[-last:]
    frame = look.frame.iloc[on]
    weights = look.subject.profile.outcome_weights()
    mcid = {o: look.priors.settings.outcomes[o].mcid for o in weights}
    return sum(weights[o] * spec.sign * float(frame[spec.column].mean()) / mcid[o]
               for o, spec in SPECS.items()
               if o in weights and spec.column in frame and frame[spec.column].notna().any())


def sweep(look: Look) -> Step:
    """The chelates at 300 mg for 21 nights each, then the best of them or none."""
    done = (look.night - BASELINE) // SWEEP_NIGHTS
    if done < len(SWEEP) and look.remaining > 0:
        return Step(SWEEP[done], SWEEP_NIGHTS)
    limit = look.priors.safety.gi_constraint.limit
    baseline = _gi_share(look.frame.iloc[:BASELINE])

    def tolerated(r: Regimen) -> bool:
        on = np.flatnonzero([t == r for t in look.taken])[-14:]
        return _gi_share(look.frame.iloc[on]) - baseline <= limit

    options = [r for r in SWEEP if tolerated(r)]
    best = max(options, key=lambda r: _diary_score(look, r), default=NO_MAGNESIUM)
    good = best.active and _diary_score(look, best) >= _diary_score(look, NO_MAGNESIUM) + 1.0
    return Step(best if good else NO_MAGNESIUM, look.remaining)


def quick_predict(diary: Diary, subject: Subject, priors: PriorSet, draws: int,
                  seed: int) -> Predict:
    """The quick model's ``predict`` for a diary."""
    model = QuickModel(priors, gut_sensitivity=subject.profile.gut_sensitivity, draws=draws,
                       random_seed=seed)
    return model.fit(diary).predict


def decide_at(look: Look, predict: Predict, diary: Diary, mode: Mode,
              diagnostics_ok: bool = True) -> Decision:
    """``decide`` on the diary of a look (seeded by the person and the night)."""
    return decide(predict, priors=look.priors, profile=look.subject.profile, diary=diary,
                  as_of=look.last_night, mode=mode, diagnostics_ok=diagnostics_ok,
                  seed=look.subject.seed + look.night,
                  separable=separability(diary).separable, horizon_nights=look.remaining)


def estimates(decision: Decision, look: Look) -> tuple[tuple[str, float], ...]:
    """The model's utility of each magnesium regimen it could move to, against none.

    Per candidate (experiments aside): the weighted sum of its expected changes (each draw's
    change of the nightly means, as the effects give them) over those of no magnesium, in
    MCIDs, before the switching cost, on the scale of :func:`true_utility` (a change of the
    person's nightly means, as the model's expected change is).
    Empty when the decision carries no assessments (a referral, a failed fit).
    """
    none = next((a for a in decision.assessments if a.action not in EXPERIMENTS
                 and not a.regimen.active), None)
    if none is None:
        return ()
    weight = utility_per_gain(look.priors, look.subject.profile, DecisionSettings())
    return tuple((a.regimen.label, sum(w * (a.gain[v] - none.gain[v]) for v, w in weight.items()))
                 for a in decision.assessments
                 if a.action not in EXPERIMENTS and a.regimen.active)


def step_of(decision: Decision, look: Look) -> Step:
    """What the simulated person does on a decision (``refer``: stop for good).

    A fit that failed its checks names no regimen and says to keep the current routine: the
    person does. At the last look the step carries the model's :func:`estimates`.
    """
    advice = decision.recommendation
    if advice.action == "refer":
        return Step(NO_MAGNESIUM, look.remaining, advice.commit, advice.action, stop=True)
    kept = look.current if "diagnostics_failed" in advice.reason_codes else NO_MAGNESIUM
    regimen = advice.regimen if advice.regimen is not None else kept
    days = max(MIN_PERIOD, (advice.next_review - look.as_of).days)
    return Step(regimen, days, advice.commit, advice.action,
                estimates=estimates(decision, look) if look.remaining == 0 else ())


def tool(look: Look, *, mode: Mode = "expected_utility", draws: int = 1000) -> Step:
    """``decide`` on the quick model fitted to the diary so far."""
    diary = read_diary(look.frame, warn=False)
    predict = quick_predict(diary, look.subject, look.priors, draws, look.subject.seed)
    return step_of(decide_at(look, predict, diary, mode), look)


FULL_FIT: dict[str, int] = {"draws": 1000, "tune": 500, "chains": 2}
"""NUTS settings of the full model in the loop and in its check against the quick model. With
500 draws the first run of nearly every fit failed its checks (R-hat of two short chains) and
was extended to 1,000 draws at a target acceptance of 0.97: 1 or 2 of 36 fits of the check's
12 looks passed at once, 5.0-5.3 s a fit; with 1,000 draws 21 of 24 did, 2.4 s a fit
(2026-12-04)."""


def tool_full(look: Look, *, full: dict[str, int] | None = None) -> Step:
    """``decide`` on the full model (:class:`PersonalModel`, NUTS) fitted to the diary so far.

    The same rule as ``tool``; a fit that fails its checks gives ``collect_more_data``, as the
    command line would.
    """
    diary = read_diary(look.frame, warn=False)
    model = PersonalModel(look.priors, gut_sensitivity=look.subject.profile.gut_sensitivity,
                          random_seed=look.subject.seed, progressbar=False,
                          **(FULL_FIT | dict(full or {}))).fit(diary)
    decision = decide_at(look, model.predict, diary, "expected_utility", model.diagnostics_.ok)
    return step_of(decision, look)


def policies(draws: int) -> dict[str, Policy]:
    """Every policy by name (the tool's with ``draws`` posterior draws).

    ``tool_full`` (the tool on the full model) is not in :data:`POLICIES`: a minute or two
    a person, it runs on a subset (``--full-loop``).
    """
    return {"tool": partial(tool, draws=draws), "fixed": fixed, "titration": titration,
            "thompson": partial(tool, mode="thompson", draws=draws),
            "before_after": before_after, "sweep": sweep, "tool_full": tool_full}


def acute_gi_end(frame: pd.DataFrame, start: int, end: int,
                 s: DecisionSettings | None = None) -> int:
    """The night after which a step from ``start`` shows acute GI (``end`` when it does not).

    Acute GI is the decision's own rule: ``acute_gi_nights`` GI nights (Bristol 6-7) among
    the last ``gi_window`` nights of the step.
    """
    s = s or DecisionSettings()
    gi = (frame["stool_bristol"].to_numpy(float)[start:end] >= 6).astype(int)
    for k in range(len(gi)):
        if gi[max(0, k + 1 - s.gi_window):k + 1].sum() >= s.acute_gi_nights:
            return start + k + 1
    return end


def follow(subject: Subject, policy: Policy, priors: PriorSet, *, gi_looks: bool = False,
           every: int | None = None) -> tuple[pd.DataFrame, list[Regimen], list[dict[str, Any]]]:
    """Run one person under one policy for the whole run.

    ``gi_looks``: the person does what the tool's advice says when loose stools go on during
    a step (stop, or take the gentler step it names: look again now), so a step on magnesium
    ends early at acute GI (:func:`acute_gi_end`) and the next look has ``gi_look`` True.
    ``every``: the person also looks every ``every`` nights between the look-again dates, as
    one who re-analyses the diary each morning (1) would.

    Returns
    -------
    tuple
        The diary (``TOTAL`` nights), each night's regimen, and one entry per look (``night``,
        ``action``, ``regimen``, ``commit``, ``gi_look``); the last look, after the last
        night, names the final regimen and is not followed.

    """
    taken = [NO_MAGNESIUM] * BASELINE
    frame = extend_world(subject.person, pd.DataFrame(), [NO_MAGNESIUM] * TOTAL, BASELINE,
                         seed=subject.seed, start=START.isoformat())
    looks: list[dict[str, Any]] = []
    stopped: Step | None = None
    early = False
    while True:
        look = Look(subject, priors, frame, tuple(taken))
        step = stopped or policy(look)
        stopped = step if step.stop else stopped
        # an experiment is left at its end: the regimen it interrupts is the one kept
        kept = taken[-1] if step.action in EXPERIMENTS else step.regimen
        looks.append({"night": look.night, "action": step.action, "regimen": kept.label,
                      "commit": step.commit, "gi_look": early,
                      "estimates": dict(step.estimates)})
        if look.night == TOTAL:
            return frame, taken, looks
        span = max(MIN_PERIOD, step.days)
        planned = min(TOTAL, look.night + (min(span, every) if every else span))
        ahead = extend_world(subject.person, frame, taken + [step.regimen] * (TOTAL - look.night),
                             planned, seed=subject.seed, start=START.isoformat())
        end = (acute_gi_end(ahead, look.night, planned)
               if gi_looks and step.regimen.active and not stopped else planned)
        early = end < planned
        taken += [step.regimen] * (end - look.night)
        frame = ahead.iloc[:end]


def safety_limits(profile: Profile, priors: PriorSet) -> tuple[float, tuple[str, ...]]:
    """The person's daily ceiling and allowed forms under the safety rules (``screen``).

    The ceiling is 0 when a rule refers or holds magnesium (the person starts without it,
    and a hold keeps the current routine).
    """
    screening = screen(profile, priors.safety)
    held = bool(screening.referrals or screening.holds)
    return (0.0 if held else screening.ceiling_mg), screening.allowed_forms


def breaches(regimens: Sequence[Regimen], profile: Profile, priors: PriorSet) -> int:
    """Regimens over the person's limits: above the ceiling, of an excluded form, or any
    magnesium when a rule refers or holds it."""
    ceiling, forms = safety_limits(profile, priors)
    return sum(r.active and (r.elemental_mg > ceiling or r.form not in forms) for r in regimens)


def allowed_regimens(profile: Profile, priors: PriorSet) -> list[Regimen]:
    """No magnesium and every allowed form at 100/200/300 mg and at the ceiling (the tool's
    dose steps stop there: 350 mg by default), never above it (:func:`safety_limits`)."""
    ceiling, forms = safety_limits(profile, priors)
    split_min = DecisionSettings().split_min_mg
    found = [NO_MAGNESIUM]
    for form in (forms if ceiling > 0 else ()):
        for dose in sorted({min(d, ceiling) for d in DOSES} | {ceiling}):
            found += [Regimen(form, dose, split) for split in (False, True)
                      if not split or dose >= split_min]
    return found


def kept_commit(looks: Sequence[dict[str, Any]]) -> int | None:
    """Night of the first committing look whose form every later look keeps (None: none).

    No magnesium counts as a form: a stop after a commitment to a form leaves it, as does a
    change of form; a change of dose or split does not.
    """
    forms = [Regimen.from_label(k["regimen"]).form for k in looks]
    return next((k["night"] for i, k in enumerate(looks)
                 if k["commit"] and all(f == forms[i] for f in forms[i:])), None)


def score(subject: Subject, taken: Sequence[Regimen], looks: Sequence[dict[str, Any]],
          priors: PriorSet) -> dict[str, Any]:
    """Regret, GI-limit nights, ceiling breaches and commitment of one run (module docstring)."""
    limit = priors.safety.gi_constraint.limit
    gi_weight = DecisionSettings().gi_weight

    def utility(regimen: Regimen) -> float:
        return true_utility(subject.person, regimen, priors, subject.profile, gi_weight)

    feasible = [r for r in allowed_regimens(subject.profile, priors)
                if true_change(subject.person, r)["gi"] <= limit]
    best = max(feasible, key=utility)
    final = Regimen.from_label(looks[-1]["regimen"])
    followed = taken[BASELINE:]
    tried = {r.form for r in followed if r.active}
    best_tried = max((r for r in feasible if not r.active or r.form in tried), key=utility)
    nightly = {r: utility(r) for r in set(followed)}
    regret_final = utility(best) - utility(final)
    same_form = [utility(r) for r in feasible if r.active and r.form == final.form]
    dose_loss = max([utility(final), *same_form]) - utility(final) if final.active else 0.0
    errors = [value - utility(Regimen.from_label(label))
              for label, value in looks[-1]["estimates"].items()
              if Regimen.from_label(label).form in tried]
    commits = [k["night"] for k in looks if k["commit"]]
    kept = kept_commit(looks)
    return {
        "person": subject.index, "best": best.label, "best_utility": utility(best),
        "final": final.label, "final_utility": utility(final), "regret_week12": regret_final,
        "regret_mean": float(np.mean([utility(best) - nightly[r] for r in followed])),
        "design_loss": utility(best) - utility(best_tried),
        "selection_loss": utility(best_tried) - utility(final), "dose_loss": dose_loss,
        "within_025": regret_final <= 0.25,
        "estimate_error": float(np.mean(errors)) if errors else None,
        "gi_limit_nights": sum(true_change(subject.person, r)["gi"] > limit for r in followed),
        "ceiling_breaches": breaches([*followed, final], subject.profile, priors),
        "committed": bool(commits),
        "commit_week": (commits[0] - BASELINE) / 7 if commits else None,
        "committed_kept": kept is not None,
        "kept_commit_week": (kept - BASELINE) / 7 if kept is not None else None,
        "restricted": bool(subject.profile.max_elemental_mg is not None
                           or subject.profile.excluded_forms or subject.profile.medications),
        "looks": list(looks), "responder": bool(subject.person.effects),
        "ibs": subject.profile.gut_sensitivity == "ibs", "complaint": subject.profile.complaint,
    }


@cache
def bundled_priors() -> PriorSet:
    """The bundled priors, loaded once per process."""
    return load_priors()


def run_subject(subject: Subject, draws: int = 1000, names: Sequence[str] = POLICIES,
                every: int | None = None) -> list[dict[str, Any]]:
    """Every policy on one person: one record per policy (with its seconds).

    ``every``: the model policies' persons also look every ``every`` nights (:func:`follow`).
    """
    priors = bundled_priors()
    records = []
    for name in names:
        started = time.perf_counter()
        model = name in MODEL_POLICIES
        _, taken, looks = follow(subject, policies(draws)[name], priors, gi_looks=model,
                                 every=every if model else None)
        records.append({"policy": name} | score(subject, taken, looks, priors)
                       | {"seconds": time.perf_counter() - started})
    return records


def parallel(task: Callable[[Subject], list[dict[str, Any]]], subjects: Sequence[Subject],
             workers: int) -> list[dict[str, Any]]:
    """``task`` on every subject (in ``workers`` processes when more than 1), rows flattened."""
    if workers <= 1:
        return [r for s in subjects for r in task(s)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return [r for rows in pool.map(task, subjects, chunksize=1) for r in rows]



def run(subjects: Sequence[Subject], *, workers: int = 2, draws: int = 1000,
        names: Sequence[str] = POLICIES, every: int | None = None) -> pd.DataFrame:
    """Every policy on every person, in ``workers`` processes (0 or 1: in this one)."""
    task = partial(run_subject, draws=draws, names=tuple(names), every=every)
    return pd.DataFrame(parallel(task, subjects, workers))


# --------------------------------------------------------------------------------------------
# The quick model against the full fit
# --------------------------------------------------------------------------------------------


def _advised(decision: Decision) -> str:
    """The advice with the regimen behind it (:attr:`Decision.behind`), or the action alone."""
    behind = decision.behind
    if behind is None:
        return decision.recommendation.action
    return f"{decision.recommendation.action} {decision.assessments[behind].regimen.label}"


def compare_at(look: Look, draws: int, full: dict[str, Any]) -> dict[str, Any]:
    """Decide one look with the quick and with the full model; pair their assessments."""
    diary = read_diary(look.frame, warn=False)
    subject, priors = look.subject, look.priors
    quick = decide_at(look, quick_predict(diary, subject, priors, draws, subject.seed), diary,
                      "expected_utility")
    model = PersonalModel(priors, gut_sensitivity=subject.profile.gut_sensitivity,
                          random_seed=subject.seed, **full).fit(diary)
    slow = decide_at(look, model.predict, diary, "expected_utility", model.diagnostics_.ok)
    by_key = {(a.action, a.regimen): a for a in slow.assessments}
    pairs = [(a, by_key[(a.action, a.regimen)]) for a in quick.assessments
             if (a.action, a.regimen) in by_key]
    chosen = None if quick.behind is None else quick.assessments[quick.behind]
    # P(best) is over the options open now; each fit's build-up time sets its own evaluation
    # period, so one may still block the changes the other allows: then P(best) is not compared
    # a full fit that failed its checks has nothing to compare: counted in the verdict
    same_options = model.diagnostics_.ok and all(q.feasible == f.feasible for q, f in pairs)
    return {
        "person": subject.index, "night": look.night, "diagnostics_ok": model.diagnostics_.ok,
        "quick": _advised(quick), "full": _advised(slow),
        "same_options": same_options,
        "p_best_chosen": (chosen.p_best, by_key[(chosen.action, chosen.regimen)].p_best)
        if same_options and chosen is not None and (chosen.action, chosen.regimen) in by_key
        else None,
        "p_best": [(q.p_best, f.p_best) for q, f in pairs] if same_options else [],
        "p_violation": [(q.p_constraint_violation, f.p_constraint_violation) for q, f in pairs],
        "full_seconds": model.fit_seconds_,
    }


def check_subject(subject: Subject, draws: int = 1000,
                  full: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Quick vs full at two looks of the person's ``tool`` run: the middle one and the last."""
    priors = bundled_priors()
    frame, taken, looks = follow(subject, policies(draws)["tool"], priors, gi_looks=True)
    nights = sorted({looks[len(looks) // 2]["night"], looks[-1]["night"]})
    options = FULL_FIT | dict(full or {})
    return [compare_at(Look(subject, priors, frame.iloc[:n], tuple(taken[:n])), draws, options)
            for n in nights]


def agreement(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Max |quick - full| and correlation of P(best) (chosen; all) and of P(violation)."""
    out: dict[str, Any] = {"looks": len(rows),
                           "same_advice": float(np.mean([r["quick"] == r["full"] for r in rows])),
                           "full_fit_ok": float(np.mean([r["diagnostics_ok"] for r in rows])),
                           "same_options": float(np.mean([r["same_options"] for r in rows]))}
    series = {"p_best_chosen": [r["p_best_chosen"] for r in rows if r["p_best_chosen"]],
              "p_best_all": [p for r in rows for p in r["p_best"]],
              "p_violation_all": [p for r in rows for p in r["p_violation"]]}
    for name, pairs in series.items():
        q, f = np.array(pairs, float).reshape(-1, 2).T
        spread = len(q) > 2 and q.std() > 0 and f.std() > 0
        out[name] = {"n": len(q), "max_abs_diff": float(np.max(np.abs(q - f), initial=0.0)),
                     "mean_abs_diff": float(np.mean(np.abs(q - f))) if len(q) else math.nan,
                     "corr": float(np.corrcoef(q, f)[0, 1]) if spread else math.nan}
    return out


def verdict(agree: dict[str, Any]) -> tuple[str, str]:
    """Why the quick model is refused (empty: it is not), and what is only a warning.

    A look whose full fit failed its checks counts: refused when more than a third of the
    looks' full fits failed (``SAME_ADVICE``), a warning when any did.
    """
    if not agree:
        return "", ""
    worst_gi = agree["p_violation_all"]["max_abs_diff"]
    chosen, every = agree["p_best_chosen"], agree["p_best_all"]
    reasons = []
    if worst_gi > AGREEMENT_TOLERANCE:
        reasons.append(f"P(GI violation) differs by up to {worst_gi:.3f}")
    if chosen["mean_abs_diff"] > AGREEMENT_TOLERANCE / 3:
        reasons.append(f"P(best) of the chosen action differs by {chosen['mean_abs_diff']:.3f} "
                       "on average")
    if every["mean_abs_diff"] > AGREEMENT_TOLERANCE / 3:
        reasons.append(f"P(best) of all actions differs by {every['mean_abs_diff']:.3f} on "
                       "average")
    if agree["same_advice"] < SAME_ADVICE:
        reasons.append(f"the same advice at only {agree['same_advice']:.0%} of the looks")
    failed = f"the full fit failed its checks at {1 - agree['full_fit_ok']:.0%} of the looks " \
             "(its P(best) is not compared there)"
    if agree["full_fit_ok"] < SAME_ADVICE:
        reasons.append(failed)
    warned = [f"at one look or more the chosen action's P(best) differs by up to "
              f"{chosen['max_abs_diff']:.3f} (mean {chosen['mean_abs_diff']:.3f})"
              if chosen["max_abs_diff"] > AGREEMENT_TOLERANCE else "",
              failed if SAME_ADVICE <= agree["full_fit_ok"] < 1 else ""]
    return "; ".join(reasons), "; ".join(filter(None, warned))


# --------------------------------------------------------------------------------------------
# The report
# --------------------------------------------------------------------------------------------


def paired_gap(records: pd.DataFrame, policy: str, reference: str = "tool"
               ) -> tuple[float, float] | None:
    """Mean regret at week 12 of ``policy`` minus ``reference``'s, person by person, and its
    standard error; None when either policy did not run.

    Policies run on the same persons and noise, so their difference has far less noise than
    either mean: it says whether a gap is more than chance (about 2 standard errors).
    """
    wide = records.pivot(index="person", columns="policy", values="regret_week12")
    if policy not in wide or reference not in wide:
        return None
    gap = (wide[policy] - wide[reference]).dropna()
    error = gap.std(ddof=1) / math.sqrt(len(gap)) if len(gap) > 1 else math.nan
    return float(gap.mean()), float(error)


def summarise(records: pd.DataFrame) -> pd.DataFrame:
    """One row per policy (the figures of the table)."""
    rows = []
    for name, group in records.groupby("policy", sort=False):
        gap = paired_gap(records, str(name))
        tool_like = name in MODEL_POLICIES
        weeks, kept = group["commit_week"].dropna(), group["kept_commit_week"].dropna()
        rows.append({
            "policy": name, "persons": len(group),
            "regret_week12": group["regret_week12"].mean(),
            "regret_12_weeks": group["regret_mean"].mean(),
            "p_within_025": group["within_025"].mean(),
            "design_loss": group["design_loss"].mean(),
            "selection_loss": group["selection_loss"].mean(),
            "dose_loss": group["dose_loss"].mean(),
            "gap_to_tool": gap[0] if gap else None, "gap_to_tool_se": gap[1] if gap else None,
            "gi_limit_nights": group["gi_limit_nights"].mean(),
            "ceiling_breaches": int(group["ceiling_breaches"].sum()),
            "commit_rate": group["committed"].mean() if tool_like else None,
            "commit_week": weeks.mean() if tool_like and len(weeks) else None,
            "committed_kept": group["committed_kept"].mean() if tool_like else None,
            "kept_commit_week": kept.mean() if tool_like and len(kept) else None,
            "seconds": group["seconds"].sum()})
    return pd.DataFrame(rows)


def markdown(summary: pd.DataFrame) -> str:
    """The per-policy table in Markdown."""
    head = ("| policy | persons | regret wk 12 | of it: forms never tried | of it: choice among "
            "tried | of that: the dose | minus the tool's (paired SE) | regret 12 wk | "
            "P(within 0.25) | GI-limit nights | ceiling breaches | committed at any look | "
            "week of the first commit | committed and stayed | week of the kept commit | "
            "CPU s |")
    lines = [head, "|" + "---|" * 16]

    def fmt(value: Any, digits: int = 2) -> str:
        return "n/a" if value is None or value != value else f"{value:.{digits}f}"

    for r in summary.to_dict("records"):
        lines.append(f"| {r['policy']} | {r['persons']} | {fmt(r['regret_week12'])} | "
                     f"{fmt(r['design_loss'])} | {fmt(r['selection_loss'])} | "
                     f"{fmt(r['dose_loss'])} | "
                     f"{fmt(r['gap_to_tool'])} ({fmt(r['gap_to_tool_se'])}) | "
                     f"{fmt(r['regret_12_weeks'])} | {fmt(r['p_within_025'])} | "
                     f"{fmt(r['gi_limit_nights'], 1)} | {r['ceiling_breaches']} | "
                     f"{fmt(r['commit_rate'])} | {fmt(r['commit_week'], 1)} | "
                     f"{fmt(r['committed_kept'])} | {fmt(r['kept_commit_week'], 1)} | "
                     f"{fmt(r['seconds'], 0)} |")
    return "\n".join(lines)


def forms_in_order(looks: Sequence[dict[str, Any]]) -> list[str]:
    """The forms a run took, in the order it first took them (no magnesium left out)."""
    order: list[str] = []
    for look in looks:
        regimen = Regimen.from_label(look["regimen"])
        if regimen.active and regimen.form not in order:
            order.append(regimen.form)
    return order


def kept_by_slot(group: pd.DataFrame) -> str:
    """Which form a policy kept when it tried the best one, by the slot it tried the best in.

    For the responders whose best form was tried, grouped by whether it was tried first,
    second, third, ...: how many ended on it, on the first form tried instead, or on no
    magnesium. An order effect (a novelty that fades, or a build-up the model reads otherwise)
    shows as a later slot losing to the first. Non-responders are left out: magnesium does
    nothing for their sleep nor for their stools, so none is their best regimen.
    """
    counts: dict[int, Counter[str]] = {}
    responders = group[group["responder"]]
    for looks, best, final in zip(responders["looks"], responders["best"], responders["final"],
                                  strict=True):
        order, best_form = forms_in_order(looks), Regimen.from_label(best).form
        if best_form not in order:
            continue
        final_form = Regimen.from_label(final).form
        kept = ("best" if final_form == best_form else "first" if final_form == order[0]
                else "none" if final_form == NO_MAGNESIUM.form else "other")
        counts.setdefault(order.index(best_form) + 1, Counter())[kept] += 1
    return "; ".join(f"tried #{slot}: {sum(c.values())} persons, kept it {c['best']}, the "
                     f"first form {c['first']}, none {c['none']}, another {c['other']}"
                     for slot, c in sorted(counts.items()))


def estimate_bias(group: pd.DataFrame) -> str:
    """The model's utility of the regimens tried, at the last look, minus the truth."""
    def say(part: pd.DataFrame) -> str:
        errors = part["estimate_error"].dropna()
        return f"{errors.mean():+.2f} ({len(errors)} persons)" if len(errors) else "n/a"

    return ("the model's utility of the forms tried (at the doses it could move to), minus "
            f"the truth, at the last look: responders {say(group[group['responder']])}, "
            f"non-responders {say(group[~group['responder']])}")


def behaviour(records: pd.DataFrame) -> str:
    """What the tool policies did: first steps, actions, final regimens, time on magnesium."""
    lines = []
    for name in ("tool", "thompson"):
        group = records[records["policy"] == name]
        if group.empty:
            continue
        looks = [k for ks in group["looks"] for k in ks]
        first = Counter(ks[0]["regimen"] for ks in group["looks"])
        actions = Counter(k["action"] for k in looks)
        finals = Counter(group["final"])
        lines += [f"{name}: first step {dict(first.most_common(4))}",
                  f"{name}: actions over {len(looks)} looks {dict(actions.most_common())}",
                  f"{name}: final regimens {dict(finals.most_common(5))}; best regimens "
                  f"{dict(Counter(group['best']).most_common(5))}",
                  f"{name}: looks per person {len(looks) / len(group):.1f}",
                  f"{name}: responders' best form, by when it was tried: "
                  f"{kept_by_slot(group)}",
                  f"{name}: {estimate_bias(group)}"]
    return "\n".join(lines)


def full_loop(subjects: Sequence[Subject], records: pd.DataFrame,
              draws: int) -> dict[str, Any]:
    """The tool on the full model for ``subjects``, printed beside its quick-model run.

    One person at a time (each fit samples its chains on both cores); the table pairs the
    two on the same persons and noise.
    """
    started = time.perf_counter()
    full = run(subjects, workers=1, draws=draws, names=["tool_full"])
    quick = records[(records["policy"] == "tool") & records["person"].isin(full["person"])]
    summary = summarise(pd.concat([quick, full], ignore_index=True))
    print(f"\nThe tool on the quick and on the full model, the same {len(subjects)} persons "
          f"({time.perf_counter() - started:.0f} s):\n")
    print(markdown(summary))
    return {"summary": summary.to_dict("records"), "records": full.to_dict("records")}


def policy_names(text: str) -> tuple[str, ...]:
    """``--policies``: comma-separated names of :data:`POLICIES`, in the table's order."""
    names = {name.strip() for name in text.split(",") if name.strip()}
    unknown = sorted(names - set(POLICIES))
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown policy {', '.join(unknown) or '(none given)'}: choose from "
            f"{', '.join(POLICIES)}")
    return tuple(name for name in POLICIES if name in names)


def seed_list(text: str) -> tuple[int, ...]:
    """``--seeds``: comma-separated integers, each once, in the order given."""
    try:
        seeds = tuple(dict.fromkeys(int(part) for part in text.split(",") if part.strip()))
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"--seeds takes integers such as 1,2,3: {error}") from None
    if not seeds:
        raise argparse.ArgumentTypeError("--seeds names no seed")
    return seeds


SKIPPED = ("WARNING: the quick-vs-full agreement check was SKIPPED (--full-subset 0): the "
           "quick model the tool policies use is not checked against the full fit in this run")
"""Said on stderr and above the table when the tool policies run without the check."""


def check_quick_model(subjects: Sequence[Subject], args: argparse.Namespace
                      ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The quick-vs-full check on ``--full-subset`` persons (module docstring); stops the run
    when the quick model is refused, warns when the check is skipped or finds a warning."""
    started = time.perf_counter()
    tools = bool(set(MODEL_POLICIES) & set(args.policies))
    checked = subjects[:args.full_subset] if tools else []
    checks = parallel(partial(check_subject, draws=args.draws), checked, args.workers)
    agree = agreement(checks) if checks else {}
    if tools and not checks:
        print(SKIPPED, file=sys.stderr, flush=True)
    print(f"quick vs full model ({time.perf_counter() - started:.0f} s): "
          f"{json.dumps(agree, indent=1)}", flush=True)
    refused, warned = verdict(agree)
    looks = "\n".join(f"  person {r['person']} night {r['night']}: quick {r['quick']} vs "
                      f"full {r['full']}, P(best) of the chosen {r['p_best_chosen']}"
                      f"{'' if r['diagnostics_ok'] else ' (the full fit failed its checks)'}"
                      for r in checks)
    if refused:
        raise SystemExit(f"the quick model disagrees with the full fit ({refused}): not used "
                         f"in the loop\n{looks}")
    if warned:
        print(f"warning: {warned}\n{looks}", flush=True)
    return agree, checks


def run_seed(args: argparse.Namespace, seed: int) -> dict[str, Any]:
    """Check the quick model, run every policy on the persons of ``seed``, print the table."""
    subjects = draw_subjects(args.persons, seed, world=args.world, restricted=args.restricted)
    agree, checks = check_quick_model(subjects, args)
    started = time.perf_counter()
    records = run(subjects, workers=args.workers, draws=args.draws, names=args.policies,
                  every=args.look_every)
    wall = time.perf_counter() - started
    summary = summarise(records)
    tools = summary[summary["policy"].isin(MODEL_POLICIES)]
    assert tools["ceiling_breaches"].sum() == 0, "a tool policy went over a person's limits"
    looking = f", looking every {args.look_every} nights too" if args.look_every else ""
    restricted = int(records.groupby("person")["restricted"].first().sum())
    print(f"\nseed {seed}: {args.persons} persons ({args.world} world{looking}; {restricted} "
          f"with safety limits of their own) x {len(args.policies)} policies in "
          f"{wall:.0f} s wall time ({args.workers} workers)\n")
    if set(MODEL_POLICIES) & set(args.policies) and not checks:
        print(SKIPPED + "\n")
    print(markdown(summary))
    print("\n" + behaviour(records))
    result = {"persons": args.persons, "seed": seed, "world": args.world,
              "restricted": args.restricted, "look_every": args.look_every,
              "policies": list(args.policies), "wall_seconds": wall,
              "agreement": agree, "agreement_checked": bool(checks), "checks": checks,
              "summary": summary.to_dict("records"), "records": records.to_dict("records")}
    if args.full_loop:
        result["full_loop"] = full_loop(subjects[:args.full_loop], records, args.draws)
    return result


def ratio(records: pd.DataFrame, top: str = "tool", bottom: str = "fixed"
          ) -> tuple[float, float] | None:
    """Mean regret at week 12 of ``top`` over ``bottom``'s, and its standard error (delta
    method on the paired persons); None when either policy did not run."""
    wide = records.pivot(index=["seed", "person"], columns="policy", values="regret_week12")
    if top not in wide or bottom not in wide or len(wide) < 2:
        return None
    a, b = wide[top].to_numpy(float), wide[bottom].to_numpy(float)
    value = a.mean() / b.mean()
    cov = np.cov(a, b) / len(a)
    variance = (cov[0, 0] - 2 * value * cov[0, 1] + value**2 * cov[1, 1]) / b.mean() ** 2
    return float(value), float(math.sqrt(max(variance, 0.0)))


def across_seeds(runs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Per policy and seed, and over all seeds: regret at week 12 and P(within 0.25) with
    their standard errors (persons of all seeds pooled: each seed draws new persons), the
    standard error of the seeds' means, and the ratio of the tool's regret to the fixed
    advice's. Printed as a table; returned as its rows."""
    records = pd.concat([pd.DataFrame(r["records"]).assign(seed=r["seed"]) for r in runs],
                        ignore_index=True)
    groups = [(name, seed, g) for (name, seed), g in records.groupby(["policy", "seed"],
                                                                      sort=False)]
    groups += [(name, "all", g) for name, g in records.groupby("policy", sort=False)]
    rows = []
    for name, seed, group in groups:
        n = len(group)
        means = group.groupby("seed")["regret_week12"].mean()
        rows.append({"policy": name, "seed": seed, "persons": n,
                     "regret_week12": group["regret_week12"].mean(),
                     "regret_se": group["regret_week12"].std(ddof=1) / math.sqrt(n),
                     "seeds_se": means.std(ddof=1) / math.sqrt(len(means))
                     if len(means) > 1 else math.nan,
                     "p_within_025": group["within_025"].mean(),
                     "p_within_se": group["within_025"].std(ddof=1) / math.sqrt(n),
                     "ceiling_breaches": int(group["ceiling_breaches"].sum()),
                     "committed_kept": group["committed_kept"].mean()
                     if name in MODEL_POLICIES else math.nan})
    rows.sort(key=lambda r: (POLICIES.index(r["policy"]) if r["policy"] in POLICIES else 99,
                             str(r["seed"]) == "all"))
    ratios = {str(seed): ratio(group) for seed, group in records.groupby("seed")}
    ratios["all"] = ratio(records)
    lines = ["| policy | seed | persons | regret wk 12 (SE) | SE of the seeds' means | "
             "P(within 0.25) (SE) | ceiling breaches | committed and stayed |",
             "|" + "---|" * 8]
    for r in rows:
        spread, kept = (f"{r[k]:.2f}" if r[k] == r[k] else "" for k in ("seeds_se",
                                                                          "committed_kept"))
        lines.append(f"| {r['policy']} | {r['seed']} | {r['persons']} | "
                     f"{r['regret_week12']:.2f} ({r['regret_se']:.2f}) | {spread} | "
                     f"{r['p_within_025']:.2f} ({r['p_within_se']:.2f}) | "
                     f"{r['ceiling_breaches']} | {kept} |")
    said = [f"{seed} {value[0]:.2f} (SE {value[1]:.2f})" for seed, value in ratios.items()
            if value]
    print(f"\nOver the seeds {', '.join(str(r['seed']) for r in runs)}:\n\n" + "\n".join(lines))
    print("\nregret at week 12, tool / fixed: " + ("; ".join(said) or "n/a"))
    return {"rows": rows, "tool_over_fixed": ratios}


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    """Parse the arguments, then check the quick model and run every policy on each seed."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--seeds", type=seed_list, default=None, metavar="S1,S2,...",
                        help="run every seed named (new persons each) and summarise over them "
                             "(instead of --seed)")
    parser.add_argument("--full-subset", type=int, default=6)
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--full-loop", type=int, default=0, metavar="K",
                        help="also run the tool on the full model for the first K persons")
    parser.add_argument("--world", choices=tuple(WORLDS), default="drawn",
                        help="change every person the same way (default: as drawn)")
    parser.add_argument("--restricted", type=float, default=RESTRICTED, metavar="SHARE",
                        help="share of persons with safety limits of their own (default "
                             f"{RESTRICTED}; 0: everyone has the default profile)")
    parser.add_argument("--policies", type=policy_names, default=POLICIES,
                        help=f"comma-separated, of {','.join(POLICIES)} (default: all)")
    parser.add_argument("--look-every", type=int, default=None, metavar="K",
                        help="the model policies' persons also look every K nights between "
                             "the look-again dates (1: every morning, as a daily loop)")
    parser.add_argument("--json", metavar="PATH")
    args = parser.parse_args(argv)
    if args.look_every is not None and args.look_every < 1:
        parser.error(f"--look-every must be at least 1, got {args.look_every}")
    if not 0 <= args.restricted <= 1:
        parser.error(f"--restricted is a share, 0 to 1, got {args.restricted}")
    runs = [run_seed(args, seed) for seed in args.seeds or (args.seed,)]
    result = runs[0] if len(runs) == 1 else {"seeds": [r["seed"] for r in runs],
                                             "across": across_seeds(runs), "runs": runs}
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1, default=str))
    return result


if __name__ == "__main__":
    main()
