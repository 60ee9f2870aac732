"""The periods of a trial plan: consecutive nights on one regimen, and the titration ramp."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

import numpy as np

from model.core.forms import PLACEBO
from model.core.regimen import NO_MAGNESIUM, Regimen
from model.core.special import normal_quantile

DOSE_MG = 200.0
"""A plan's elemental dose per day by default (mg): the dose the priors' trials mostly gave."""
BASELINE_DAYS = 14
"""Nights of a plan's baseline by default: two whole weeks."""
PERIOD_DAYS = 14
"""Nights of a plan's treatment period at the target dose by default: two whole weeks, the
decision's look period (``DecisionSettings.min_nights``) and the nights on magnesium a
withdrawal needs (:data:`model.personal.withdrawal.MIN_ON_NIGHTS`)."""
CYCLES = 2
"""A plan's cycles by default: one mirrored pair (ABBA)."""

TITRATION_START_MG = 100.0
"""First dose of a titration (mg elemental per day)."""
TITRATION_STEP_MG = 100.0
"""Dose step of a titration."""
TITRATION_STEP_DAYS = 7
"""Nights on each titration step before the review and the next step."""

PeriodKind = Literal["baseline", "treatment", "washout"]
"""The role of a period in a trial."""


@dataclass(frozen=True)
class Period:
    """Consecutive nights on one regimen.

    Parameters
    ----------
    start : datetime.date
        First night.
    nights : int
        Number of nights.
    kind : {"baseline", "treatment", "washout"}
        Its role in the trial.
    regimen : Regimen
        What is taken (``none`` for baseline and washout).
    cycle : int or None
        1-based cycle of a treatment period.
    arm : str or None
        The form (or ``placebo``) of a treatment period.
    code : str or None
        The blinded code of the arm (blinded plans only).
    step : int
        1-based titration step (1 without titration).
    steps : int
        Titration steps of the treatment period (1 without titration).
    step_mg : float
        Nominal dose of the step (what a blinded pot is measured against; 0 off treatment).

    """

    start: dt.date
    nights: int
    kind: PeriodKind
    regimen: Regimen = NO_MAGNESIUM
    cycle: int | None = None
    arm: str | None = None
    code: str | None = None
    step: int = 1
    steps: int = 1
    step_mg: float = 0.0

    @property
    def end(self) -> dt.date:
        """Last night."""
        return self.start + dt.timedelta(days=self.nights - 1)

    def amount(self, dose_mg: float) -> str:
        """How much of a pot to take: ``full dose`` or ``33% of the full dose`` (a step)."""
        share = self.step_mg / dose_mg
        return "full dose" if share == 1 else f"{share:.0%} of the full dose"

    def describe(self, dose_mg: float) -> str:
        """Say what to take, in words (codes only for a blinded arm)."""
        if self.kind != "treatment":
            return f"{self.kind}: no magnesium"
        step = f" (titration step {self.step} of {self.steps})" if self.steps > 1 else ""
        if self.code is not None:
            return f"pot {self.code}, {self.amount(dose_mg)}{step}"
        if self.regimen.form == PLACEBO:
            return f"placebo{step}"
        return f"{self.regimen.form} {self.regimen.elemental_mg:g} mg elemental{step}"


def titration_doses(dose_mg: float) -> tuple[float, ...]:
    """Doses of a titration towards ``dose_mg``: 100, 200, ... mg, then the target.

    Examples
    --------
    >>> titration_doses(300.0)
    (100.0, 200.0, 300.0)
    >>> titration_doses(150.0)
    (100.0, 150.0)

    """
    ramp = np.arange(TITRATION_START_MG, dose_mg, TITRATION_STEP_MG)
    return (*(float(d) for d in ramp), float(dose_mg))


WASHOUT_TAU_QUANTILE = 0.9
"""The prior's quantile of the build-up/fade time constant a plan's washout is long enough for.

The analysis counts a withdrawal after :func:`~model.personal.withdrawal.off_nights_needed`
nights off, at the 80th percentile of the fit's time constants
(:data:`~model.personal.withdrawal.WITHDRAWAL_SURE`); a plan cannot know it, and 7 nights
(the rule at the prior median, 10 days) fell one short at 10.1-11.5 days (an outside audit:
"8+ nights off ... 7 is too few" after a whole plan followed). At the prior's 90th percentile
(19 days) the rule asks 14 nights, enough while the fit's 80th percentile stays below it."""


def withdrawal_washout() -> int:
    """The nights of a washout that counts as a withdrawal (see :data:`WASHOUT_TAU_QUANTILE`).

    The separability rule itself (:func:`~model.personal.withdrawal.off_nights_needed`),
    given the prior's time constant at that quantile (``[personal]`` of the bundled
    ``settings.toml``: ``onset_days_median``, ``onset_days_log_sd``; a plan is made with the
    bundled priors, so a ``priors_dir`` parameter no caller passed was dropped: a maintainer's
    review).
    """
    from model.evidence.priorset import load_priors
    from model.personal.withdrawal import off_nights_needed

    personal = load_priors().settings.personal
    tau = personal.onset_days_median * np.exp(
        personal.onset_days_log_sd * normal_quantile(WASHOUT_TAU_QUANTILE))
    return off_nights_needed({"tau": np.array([tau])})


def washout_nights(washout_days: int | None) -> int:
    """``washout_days``, or when None (not given) the :func:`withdrawal_washout` default.

    One definition for :func:`~model.trial.plan.plan_trial` and for ``mgsleep plan``, which
    counts a plan's nights before building it (a maintainer's review: computed twice).
    """
    return withdrawal_washout() if washout_days is None else washout_days


def cycle_orders(arms: list[str], cycles: int, rng: np.random.Generator) -> list[list[str]]:
    """Order of the arms in each cycle: random, and every second cycle mirrors the one before."""
    orders: list[list[str]] = []
    for cycle in range(cycles):
        if cycle % 2:
            orders.append(orders[-1][::-1])
        else:
            orders.append([arms[i] for i in rng.permutation(len(arms))])
    return orders


def treatment_periods(arm: str, cycle: int, code: str | None, start: dt.date, *,
                      dose_mg: float, period_days: int, titration: bool) -> list[Period]:
    """Return the periods of one treatment: titration steps (if any), then the target dose."""
    doses = titration_doses(dose_mg) if titration else (dose_mg,)
    periods = []
    for step, dose in enumerate(doses, start=1):
        nights = period_days if step == len(doses) else TITRATION_STEP_DAYS
        regimen = Regimen(PLACEBO) if arm == PLACEBO else Regimen(arm, dose)
        periods.append(Period(start, nights, "treatment", regimen, cycle, arm, code, step,
                              len(doses), dose))
        start += dt.timedelta(days=nights)
    return periods
