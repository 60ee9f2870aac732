"""The ``[personal]`` table of ``settings.toml``: person-level variation and kinetics.

Its tables are :class:`~model.evidence.strict.Strict`, as every table of the priors' files.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from model.core.outcomes import SLEEP_OUTCOMES
from model.evidence.strict import Strict

DEVICE_SMD = 1.0
"""Default SD of a tracker's level shift (SMD): a ring's 0.6 x latency is 0.8 SMD of log1p SOL."""
DAY_SLEEP_SMD = 1.0
"""Default SD of the level shift of a day sleep after a night shift (SMD), of either sign:
weakly informative, as a day sleep may come faster (after a night awake) and be more broken
(daylight, noise), and as the tracker's shift is."""
PREMENSTRUAL_SMD = 1.0
"""Default SD of the level shift of the days before a period and its first two (SMD), of
either sign, as a day sleep's: sleep is worse then for many but not all who menstruate (Baker
FC, Driver HS. Sleep Med 2007;8:613-22; Van Reen E, Kiesner J. Arch Womens Ment Health
2016;19:599-608; loose stools on the first days: Bernstein MT et al. BMC Womens Health
2014;14:14), by how much differs from person to person (the cycle audit, /tmp/w56/cyc)."""


class OutcomeSpreads(Strict):
    """One sleep outcome's own person-level values (``[personal.by_outcome.<outcome>]``).

    ``mgsleep population`` writes them: a population's expectation effect and spreads differ
    by outcome, and its effects are estimated jointly with them. Each given value replaces the
    shared one of ``[personal]`` for that outcome.
    """

    responsiveness_smd: float | None = Field(default=None, gt=0)
    form_deviation_smd: float | None = Field(default=None, gt=0)
    expectation_mean_smd: float | None = Field(default=None, ge=-2, le=2)
    expectation_smd: float | None = Field(default=None, gt=0)


class PersonalSettings(Strict):
    """Person-level variation and kinetics used by the personal model (``[personal]``).

    Every value is required: a default would change the personal prior in silence (the
    bundled ``expectation_mean_smd`` is 0.3, not 0). ``by_outcome`` may be absent (none), and
    ``device_smd`` (default :data:`DEVICE_SMD`): the SD of the level shift of each sleep
    outcome on nights measured by another source than the diary's first
    (:mod:`model.data.devices`), weakly informative, in SMD of the outcome; ``day_sleep_smd``
    (default :data:`DAY_SLEEP_SMD`): the SD of the level shift of each sleep outcome on a day
    sleep after a night shift (the diary's ``day_sleep``); ``premenstrual_smd`` (default
    :data:`PREMENSTRUAL_SMD`): that on the days before a period and its first two (derived from
    the diary's ``menstruation``, :mod:`model.data.cycle_nights`); ``covariate_smd`` is that of
    late caffeine and of each alcoholic drink.
    """

    onset_days_median: float = Field(gt=0, le=120)
    onset_days_log_sd: float = Field(gt=0, le=3)
    responsiveness_smd: float = Field(gt=0)
    form_deviation_smd: float = Field(gt=0)
    expectation_smd: float = Field(gt=0)
    trend_smd: float = Field(gt=0)
    covariate_smd: float = Field(gt=0)
    gi_responsiveness_smd: float = Field(gt=0)
    gi_form_deviation_smd: float = Field(gt=0)
    expectation_mean_smd: float = Field(ge=-2, le=2)
    drift_mean_smd: float = Field(ge=-2, le=2)
    drift_smd: float = Field(gt=0)
    drift_days: float = Field(gt=0, le=365)
    device_smd: float = Field(default=DEVICE_SMD, gt=0)
    day_sleep_smd: float = Field(default=DAY_SLEEP_SMD, gt=0)
    premenstrual_smd: float = Field(default=PREMENSTRUAL_SMD, gt=0)
    by_outcome: dict[str, OutcomeSpreads] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _sleep_outcomes(self) -> PersonalSettings:
        unknown = [o for o in self.by_outcome if o not in SLEEP_OUTCOMES]
        if unknown:
            raise ValueError(f"personal.by_outcome: unknown sleep outcome(s) {unknown}; "
                             f"expected some of {', '.join(SLEEP_OUTCOMES)} (GI has gi_*)")
        return self

    def value(self, name: str, outcome: str) -> float:
        """``name`` (e.g. ``expectation_smd``) for ``outcome``: its own value, else the shared."""
        own = getattr(self.by_outcome.get(outcome), name, None)
        return float(getattr(self, name) if own is None else own)
