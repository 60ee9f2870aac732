"""n-of-1 trial schedules: randomised, counterbalanced, with washouts, optionally blinded.

>>> import datetime as dt
>>> plan = plan_trial(["glycinate", "taurate"], start=dt.date(2026, 1, 1), seed=1)
>>> [p.kind for p in plan.periods][:4]
['baseline', 'treatment', 'washout', 'treatment']

A plan (:func:`plan_trial`) is, night by night:

1. a **baseline** run-in without magnesium (``baseline_days``);
2. ``cycles`` cycles; in each cycle every arm (each form, and placebo when asked for) gets one
   treatment period of ``period_days`` nights, so each cycle is balanced. The order within a
   cycle is random (seeded); cycles come in mirrored pairs (ABBA, ABC-CBA), so that a linear
   drift (regression to the mean, seasons) hits every arm equally across each pair;
3. a **washout** of ``washout_days`` nights off between treatments (never after the last), so
   carry-over fades: by default a withdrawal to the analysis (:func:`~.periods.withdrawal_washout`).

**Titration** (``titration=True``) follows the usual advice: each treatment period opens at
100 mg elemental (or the target dose if lower), is reviewed after ``TITRATION_STEP_DAYS``
nights and steps up by 100 mg until the target dose, which is then held for ``period_days``
nights. No dose is ever above the safety ceiling (``safety.toml``).

**Blinding** (``blind=True``): a helper prepares identical pots labelled with codes ``A``,
``B``, ... and keeps the *sealed key* (:meth:`TrialPlan.key_json`, written to its own file).
A blinded plan always has a placebo arm (added when ``forms`` does not list ``placebo``):
blinding exists to separate a form's own effect from expectation, and only a placebo arm
measures expectation. The person's diary (:meth:`TrialPlan.to_diary_csv`) then leaves
``form`` and ``elemental_mg`` blank (a valid diary that reads as "no magnesium") and carries
the code in ``notes`` with the plan's tag (``code A (plan 3f9a1c2e)``; free text may
follow). After the trial :func:`unblind` fills ``form``, ``elemental_mg`` and ``split`` from
the key, night by night; analyse the unblinded diary, never the blinded one. Without
blinding, ``placebo`` may still be listed as an arm in ``forms``.

The periods, the titration ramp and the defaults are in :mod:`model.trial.periods`, what a
design cannot do in :mod:`model.trial.design_notes` (:meth:`TrialPlan.design_notes`), the
calendar in :mod:`model.trial.calendar` and unblinding in :mod:`model.trial.blinding`; their
public names are importable from here too.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import string
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from model.core.errors import Fault, InputError
from model.core.forms import FORMS, PLACEBO, canonical_form, form_hint
from model.core.regimen import Regimen
from model.data.profile import Profile
from model.decision.decide import largest_studied_mg
from model.decision.other_magnesium import after_other
from model.decision.prescribed import prescribed_plan_refusals
from model.decision.rule_words import beyond_studied_warning, excluded_block, plan_refusals
from model.decision.screening import screen
from model.evidence.floor import bundled_safety
from model.evidence.priorset import load_priors
from model.evidence.schema import Safety
from model.simulate.personas import Schedule
from model.trial.blinding import plan_id, unblind
from model.trial.calendar import ics_calendar
from model.trial.design_notes import design_notes, plan_cautions
from model.trial.periods import (
    BASELINE_DAYS,
    CYCLES,
    DOSE_MG,
    PERIOD_DAYS,
    TITRATION_START_MG,
    TITRATION_STEP_DAYS,
    TITRATION_STEP_MG,
    Period,
    PeriodKind,
    cycle_orders,
    titration_doses,
    treatment_periods,
    washout_nights,
)

__all__ = [
    "DIARY_COLUMNS",
    "TITRATION_START_MG",
    "TITRATION_STEP_DAYS",
    "TITRATION_STEP_MG",
    "Period",
    "PeriodKind",
    "TrialPlan",
    "parse_forms",
    "plan_before_after",
    "plan_trial",
    "titration_doses",
    "unblind",
]

DIARY_COLUMNS: tuple[str, ...] = (
    "date", "form", "elemental_mg", "split", "sol_min", "awakenings", "waso_min", "quality",
    "freshness", "anxiety", "stool_bristol", "gi_upset", "caffeine_late", "alcohol_drinks",
    "notes")
"""Columns of the diary a plan writes (the README); the person fills in the outcomes."""


@dataclass(frozen=True)
class TrialPlan:
    """A night-by-night n-of-1 trial schedule (build one with :func:`plan_trial`).

    Parameters
    ----------
    arms : tuple of str
        The forms compared (``placebo`` included when it is an arm).
    dose_mg : float
        Target elemental dose per day of every active arm.
    periods : tuple of Period
        The schedule, consecutive from ``start``.
    design : {"randomised", "before_after"}
        How it was built.
    blind : bool
        True when arms are coded (see :meth:`key_json`).
    seed : int or None
        The seed that made the order (and the codes; not the ``salt``).
    settings : dict
        The arguments that built it (for the key and reports).
    warnings : tuple of str
        The safety warnings of the person's profile (interactions and their timing, facts
        that were NOT CHECKED), to be read before the first dose.
    salt : str
        A blinded plan's secret (32 hex digits from :mod:`secrets`, whatever the seed), kept
        in the key only: with it the plan id the diary carries tells nothing of the arms
        (:func:`~model.trial.blinding.plan_id`).
    cautions : tuple of str
        The risks of how the plan was asked for (a blinded plan from a seed, a start far
        from today: :func:`~model.trial.design_notes.plan_cautions`); ``mgsleep plan``
        prints them as warnings.

    """

    arms: tuple[str, ...]
    dose_mg: float
    periods: tuple[Period, ...]
    design: Literal["randomised", "before_after"] = "randomised"
    blind: bool = False
    seed: int | None = None
    settings: dict[str, Any] = field(default_factory=dict, compare=False)
    warnings: tuple[str, ...] = ()
    salt: str = ""
    cautions: tuple[str, ...] = ()

    @property
    def start(self) -> dt.date:
        """First night."""
        return self.periods[0].start

    @property
    def end(self) -> dt.date:
        """Last night."""
        return self.periods[-1].end

    @property
    def n_nights(self) -> int:
        """Nights in the trial."""
        return sum(p.nights for p in self.periods)

    @property
    def codes(self) -> dict[str, str]:
        """Blinded code of each arm (empty when not blinded)."""
        return {p.arm: p.code for p in self.periods if p.arm and p.code}

    def design_notes(self) -> tuple[str, ...]:
        """What the design cannot do, each with what to do (:mod:`~.design_notes`)."""
        return design_notes(self.periods, arms=self.arms, blind=self.blind)

    def schedule(self) -> Schedule:
        """Return the plan as a :class:`~model.simulate.personas.Schedule`."""
        return Schedule(tuple((p.regimen, p.nights) for p in self.periods))

    def regimens(self) -> list[Regimen]:
        """Return the regimen of every night."""
        return [p.regimen for p in self.periods for _ in range(p.nights)]

    def dates(self) -> pd.DatetimeIndex:
        """Return the date of every night."""
        return pd.date_range(self.start, periods=self.n_nights, freq="D")

    def table(self) -> pd.DataFrame:
        """One row per period: start, end, nights, kind, cycle and what to take.

        A blinded plan shows codes only, never the forms.
        """
        return pd.DataFrame([{
            "start": p.start.isoformat(), "end": p.end.isoformat(), "nights": p.nights,
            "kind": p.kind, "cycle": p.cycle or "", "take": p.describe(self.dose_mg)}
            for p in self.periods])

    # -- exports -------------------------------------------------------------------------------
    def to_frame(self) -> pd.DataFrame:
        """Return the diary to fill in: one row per night, regimen filled, outcomes blank.

        Blinded: ``form`` and ``elemental_mg`` blank, ``notes`` = ``code X (plan <id>)``
        (the plan tag of :func:`~model.trial.blinding.check_plan`), on a titration step's
        nights ``code X, 33% of the full dose (plan <id>)``: the CSV says how much to take.
        """
        tag = f" (plan {self.key()['plan']})" if self.codes else ""
        rows = []
        for period in self.periods:
            for night in range(period.nights):
                regimen = period.regimen
                hidden = period.code is not None
                rows.append({
                    "date": (period.start + dt.timedelta(days=night)).isoformat(),
                    "form": "" if hidden or not (regimen.active or regimen.form == PLACEBO)
                    else regimen.form,
                    "elemental_mg": "" if hidden or not regimen.active
                    else f"{regimen.elemental_mg:g}",
                    "split": int(regimen.split),
                    "notes": f"code {period.code}{self._step(period)}{tag}" if hidden
                    else period.kind,
                })
        return pd.DataFrame(rows).reindex(columns=list(DIARY_COLUMNS), fill_value="")

    def _step(self, period: Period) -> str:
        """A blinded titration step's share of the pot, said on its nights (else nothing)."""
        return f", {period.amount(self.dose_mg)}" if period.steps > 1 else ""

    def to_diary_csv(self) -> str:
        """Return the diary CSV of the README, ready to fill in (valid for :func:`read_diary`)."""
        return str(self.to_frame().to_csv(index=False, lineterminator="\n"))

    def key(self) -> dict[str, Any]:
        """Return the sealed key: arm of each code, the regimen label of every night, plan id.

        ``plan`` (:func:`~model.trial.blinding.plan_id`) is derived from the codes, the
        nights and the secret ``salt``; the blinded diary carries it after every pot code.
        """
        codes = {code: arm for arm, code in self.codes.items()}
        nights = {d.date().isoformat(): r.label
                  for d, r in zip(self.dates(), self.regimens(), strict=True)}
        return {"schema_version": 3, "plan": plan_id(codes, nights, self.salt),
                "salt": self.salt, "codes": codes, "dose_mg": self.dose_mg, "nights": nights}

    def key_json(self) -> str:
        """Return the sealed key as JSON (keep it from the person until the trial ends)."""
        return json.dumps(self.key(), indent=2) + "\n"

    def to_ics(self) -> str:
        """Return an iCalendar (RFC 5545) text: one all-day event per period, from its change.

        ``DTSTAMP`` is the plan's first night (00:00 UTC) so that the same plan always gives
        the same file; ``UID`` is derived from the plan's content
        (:func:`model.trial.calendar.ics_calendar`), a blinded plan's secret included (so
        that it tells nothing of the arms; a blinded plan made again from the same seed has
        other UIDs).
        """
        identity = self.key_json().encode() + str(self.periods).encode()
        return ics_calendar(self.periods, self.dose_mg, identity)


# --------------------------------------------------------------------------------------------
# Building plans
# --------------------------------------------------------------------------------------------


def parse_forms(names: Sequence[str]) -> tuple[list[str], list[Fault]]:
    """Canonical arm names (forms or ``placebo``) with a "did you mean" hint for a typo."""
    arms, faults = [], []
    for name in names:
        form = canonical_form(name) if name.strip() else None
        if form in (*FORMS, PLACEBO):
            arms.append(form)
            continue
        faults.append(Fault("forms", "", f"unknown form {name!r}{form_hint(name)}; expected "
                            f"{', '.join((*FORMS, PLACEBO))}"))
    duplicated = sorted({a for a in arms if arms.count(a) > 1})
    if duplicated:
        faults.append(Fault("forms", "", f"each form once, got {', '.join(duplicated)} twice"))
    return list(dict.fromkeys(arms)), faults


def _check(arms: list[str], faults: list[Fault], *, dose_mg: float,
           ceiling: tuple[float, str], days: dict[str, int], cycles: int) -> None:
    """Raise an InputError naming each invalid argument (parameter names as ``file``).

    ``ceiling``: the daily ceiling and what it is after (:func:`_screen`).
    """
    if not arms and not faults:
        faults.append(Fault("forms", "", "expected at least one form"))
    if not 0 < dose_mg <= ceiling[0]:
        faults.append(Fault("dose_mg", "", f"expected an elemental dose above 0 and at most "
                            f"the ceiling of {ceiling[0]:g} mg/day{ceiling[1]}, got "
                            f"{dose_mg:.10g}"))
    for name, value in days.items():
        low = 1 if name == "period_days" else 0
        if value < low:
            faults.append(Fault(name, "", f"expected a whole number of days >= {low}, got "
                                f"{value}"))
    if cycles < 1:
        faults.append(Fault("cycles", "", f"expected at least 1 cycle, got {cycles}"))
    if faults:
        raise InputError(faults)


def _screen(arms: list[str], faults: list[Fault], profile: Profile,
            safety: Safety) -> tuple[float, tuple[str, ...], str]:
    """The person's daily ceiling, safety warnings and what the ceiling is after.

    From :func:`model.decision.screening.screen`; the third item says the magnesium from
    other products taken off the ceiling (:func:`~model.decision.other_magnesium.after_other`).

    A contraindication or a hold (no trial is planned: said as ``analyze`` says it, a
    prescribed magnesium's with its prescriber) and an excluded arm are faults, in ``faults``.
    """
    rules = screen(profile, safety)
    said = (prescribed_plan_refusals(rules.referrals, rules.holds) if rules.prescribed else
            plan_refusals(rules.referrals, rules.holds, rules.ceiling_mg, rules.medicine_hold,
                          rules.label_holds))
    faults += [Fault("profile", "", f"{why}; no trial is planned") for why in said]
    faults += [Fault("forms", "", excluded_block(arm)) for arm in arms
               if arm != PLACEBO and arm not in rules.allowed_forms]
    return rules.ceiling_mg, rules.all_warnings, after_other(rules.other_mg)


def _beyond_studied(arms: list[str], dose_mg: float) -> tuple[str, ...]:
    """The warnings of the arms whose dose is above every dose their studies gave.

    The same as the decision's (:func:`model.decision.decide.largest_studied_mg`): a plan of
    threonate at 200 mg tests a dose its trials (144 mg) never gave.
    """
    priors = load_priors()
    studied = {arm: largest_studied_mg(priors, arm) for arm in arms if arm in FORMS}
    return tuple(beyond_studied_warning(Regimen(arm, dose_mg), mg)
                 for arm, mg in studied.items() if mg is not None and dose_mg > mg)


def plan_trial(forms: Sequence[str], *, dose_mg: float = DOSE_MG,
               baseline_days: int = BASELINE_DAYS, period_days: int = PERIOD_DAYS,
               washout_days: int | None = None, cycles: int = CYCLES, start: dt.date,
               blind: bool = False, seed: int | None = None, titration: bool = False,
               ceiling_mg: float | None = None, profile: Profile | None = None,
               today: dt.date | None = None) -> TrialPlan:
    """Build a randomised, counterbalanced n-of-1 schedule (see the module docstring).

    Parameters
    ----------
    forms : sequence of str
        The arms: forms (aliases accepted) and optionally ``placebo``.
    dose_mg : float
        Target elemental magnesium per day, mg (at most the ceiling).
    baseline_days, period_days, washout_days : int
        Nights of the run-in without magnesium, of each treatment period (at the target dose)
        and of each washout between treatment periods (0: none; None: the nights that make it
        a withdrawal, :func:`~.periods.withdrawal_washout`).
    cycles : int
        Cycles; each gives every arm one period.
    start : datetime.date
        First night of the baseline.
    blind : bool
        Code the arms ``A``, ``B``, ... (adds a placebo arm when ``forms`` has none).
    seed : int, optional
        Makes the random order (and the codes) reproducible, never the key's secret
        (``salt``, drawn from the operating system), so a blinded plan made again from the
        same seed has another plan id and only its own key opens its diary.
    titration : bool
        Open each treatment period with 100 mg steps of ``TITRATION_STEP_DAYS`` nights.
    ceiling_mg : float, optional
        A daily ceiling below the profile's.
    profile : Profile, optional
        The person (default: ``Profile()``): the hard rules of ``safety.toml`` apply to it
        as to every decision. A contraindication refuses the plan, an excluded form is an
        invalid arm, the dose is at most the person's ceiling, and the profile's warnings
        are the plan's ``warnings``.
    today : datetime.date, optional
        The date a start far from is named in the plan's ``cautions`` (default: today).

    Returns
    -------
    TrialPlan
        With its ``cautions`` (also a blinded plan made from a ``seed``); its
        :meth:`~TrialPlan.design_notes` say what its design cannot do.

    Raises
    ------
    InputError
        One fault per invalid argument (and per contraindication, as ``profile``); each
        fault's ``file`` is the parameter name.

    """
    arms, faults = parse_forms(forms)
    washout_days = washout_nights(washout_days)
    ceiling, notes, after = _screen(arms, faults, profile or Profile(), bundled_safety())
    notes += _beyond_studied(arms, dose_mg)
    ceiling = ceiling if ceiling_mg is None else min(ceiling, ceiling_mg)
    if blind and arms and set(arms) == {PLACEBO}:
        faults.append(Fault("forms", "", "expected a form to compare with placebo: blinded, "
                            "placebo alone is one pot, so the blind hides nothing"))
    _check(arms, faults, dose_mg=dose_mg, ceiling=(ceiling, after), cycles=cycles,
           days={"baseline_days": baseline_days, "period_days": period_days,
                 "washout_days": washout_days})
    if blind and PLACEBO not in arms:
        arms.append(PLACEBO)
    rng = np.random.default_rng(seed)
    codes = dict(zip([arms[i] for i in rng.permutation(len(arms))], string.ascii_uppercase,
                     strict=False)) if blind else {}
    periods: list[Period] = []
    day = start
    if baseline_days:
        periods.append(Period(day, baseline_days, "baseline"))
        day += dt.timedelta(days=baseline_days)
    for cycle, order in enumerate(cycle_orders(arms, cycles, rng), start=1):
        for arm in order:
            if washout_days and any(p.kind == "treatment" for p in periods):
                periods.append(Period(day, washout_days, "washout"))
                day += dt.timedelta(days=washout_days)
            periods += treatment_periods(arm, cycle, codes.get(arm), day, dose_mg=dose_mg,
                                         period_days=period_days, titration=titration)
            day = periods[-1].end + dt.timedelta(days=1)
    settings = {"forms": list(forms), "dose_mg": dose_mg, "baseline_days": baseline_days,
                "period_days": period_days, "washout_days": washout_days, "cycles": cycles,
                "start": start.isoformat(), "blind": blind, "seed": seed,
                "titration": titration}
    # the key's secret, from the operating system whatever the seed: a salt drawn from the
    # seed was found by trying seeds 0, 1, 2, ... against the diary's plan tag
    salt = secrets.token_hex(16) if blind else ""
    return TrialPlan(tuple(arms), float(dose_mg), tuple(periods), "randomised", blind, seed,
                     settings, notes, salt,
                     plan_cautions(start, today or dt.date.today(), blind=blind, seed=seed))


def plan_before_after(form: str, *, dose_mg: float = DOSE_MG,
                      baseline_days: int = BASELINE_DAYS, nights: int,
                      start: dt.date) -> TrialPlan:
    """Plan the plain before/after design: a baseline, then one form for the rest of ``nights``.

    No randomisation, no washout, no second form: the comparison design that
    :mod:`model.trial.preposterior` measures the randomised plans against.
    """
    [arm], faults = parse_forms([form])
    if faults or arm == PLACEBO:
        raise InputError(faults or [Fault("forms", "", "expected a magnesium form")])
    after = nights - baseline_days
    periods = (Period(start, baseline_days, "baseline"),
               Period(start + dt.timedelta(days=baseline_days), after, "treatment",
                      Regimen(arm, dose_mg), 1, arm, step_mg=dose_mg))
    return TrialPlan((arm,), float(dose_mg), periods, "before_after",
                     settings={"forms": [form], "dose_mg": dose_mg,
                               "baseline_days": baseline_days, "nights": nights,
                               "start": start.isoformat()})
