"""The personal model's prior of a person's effects, written once.

It lives among the model's pieces (layer ``likelihood``) so that the personal model, the
simulators (which may not import the personal model) and prior sensitivity share it.

``theta[f, o] = prior_mean[f, o] + r[o] + sqrt(prior_sd[f, o]^2 + dev_sd[o]^2) * z[f, o]``
with a shared responsiveness ``r[o] ~ N(0, resp_sd[o])`` and ``z ~ N(0, 1)``: the structure of
:func:`model.personal.graph.build_graph`, here in numpy to draw plausible persons
(:func:`model.trial.preposterior.draw_truth`,
:func:`model.simulate.personas.persona_from_priors`) and to weigh draws under another prior.
The build-up time constant is log-normal, the expectation effects normal (``[personal]`` of
``settings.toml``; a sleep outcome's own ``[personal.by_outcome.<outcome>]`` values, written by
``mgsleep population``, replace the shared ones for it).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from model.core.outcomes import OUTCOMES, SLEEP_OUTCOMES, SPECS
from model.evidence.priorset import PriorSet


@dataclass(frozen=True)
class PersonalPrior:
    """The prior of one person's effects and kinetics.

    Attributes
    ----------
    mean, sd : numpy.ndarray
        ``(form, outcome)`` evidence prior means and SDs (model scales).
    dev_sd, resp_sd : numpy.ndarray
        ``(outcome,)`` SD of a form's own deviation and of the shared responsiveness (GI has
        its own: a small shared gut sensitivity, a larger form-specific part).
    expect_mu, expect_sd : numpy.ndarray
        ``(sleep outcome,)`` mean (a benefit) and SD of the expectation (taking anything)
        effect.
    drift_mu, drift_sd : numpy.ndarray
        ``(sleep outcome,)`` how much worse the first night is than the person's level
        (regression to the mean; it fades with ``drift_days``).
    log_tau_mu, log_tau_sd : float
        Log-normal prior of the build-up time constant (days).
    """

    mean: np.ndarray
    sd: np.ndarray
    dev_sd: np.ndarray
    resp_sd: np.ndarray
    expect_mu: np.ndarray
    expect_sd: np.ndarray
    drift_mu: np.ndarray
    drift_sd: np.ndarray
    log_tau_mu: float
    log_tau_sd: float

    @classmethod
    def of(cls, priors: PriorSet, gi_shift: np.ndarray | float = 0.0) -> PersonalPrior:
        """The prior of a prior set; ``gi_shift`` (per form, or one value) moves GI means."""
        settings, personal = priors.settings, priors.settings.personal
        smd = np.array([settings.outcomes[o].smd_sd for o in OUTCOMES])
        gi = OUTCOMES.index("gi")
        mean = priors.means().values.copy()
        mean[:, gi] += gi_shift

        def per_outcome(name: str, outcomes: Sequence[str]) -> np.ndarray:
            return np.array([personal.value(name, o) for o in outcomes])

        dev = per_outcome("form_deviation_smd", OUTCOMES) * smd
        resp = per_outcome("responsiveness_smd", OUTCOMES) * smd
        dev[gi] = personal.gi_form_deviation_smd * smd[gi]
        resp[gi] = personal.gi_responsiveness_smd * smd[gi]
        benefit = np.array([SPECS[o].sign for o in SLEEP_OUTCOMES])
        sleep = smd[[OUTCOMES.index(o) for o in SLEEP_OUTCOMES]]
        return cls(mean, priors.sds().values.copy(), dev, resp,
                   benefit * per_outcome("expectation_mean_smd", SLEEP_OUTCOMES) * sleep,
                   per_outcome("expectation_smd", SLEEP_OUTCOMES) * sleep,
                   -benefit * personal.drift_mean_smd * sleep, personal.drift_smd * sleep,
                   math.log(personal.onset_days_median), personal.onset_days_log_sd)

    @property
    def spread(self) -> np.ndarray:
        """``(form, outcome)`` SD of ``theta`` given the responsiveness."""
        return np.sqrt(self.sd**2 + self.dev_sd**2)

    @property
    def marginal_sd(self) -> np.ndarray:
        """``(form, outcome)`` SD of ``theta`` before any night, the responsiveness included."""
        return np.sqrt(self.spread**2 + self.resp_sd[None, :] ** 2)

    def draw_theta(self, rng: np.random.Generator) -> np.ndarray:
        """One person's ``(form, outcome)`` effects (draws ``r`` first, then ``z``)."""
        spread = self.spread
        shared = rng.normal(0.0, self.resp_sd)
        return self.mean + shared[None, :] + spread * rng.normal(size=spread.shape)

    def draw_tau(self, rng: np.random.Generator) -> float:
        """One build-up time constant (days)."""
        return math.exp(rng.normal(self.log_tau_mu, self.log_tau_sd))

    def draw_expectation(self, rng: np.random.Generator) -> np.ndarray:
        """One person's ``(sleep outcome,)`` expectation effects."""
        return rng.normal(self.expect_mu, self.expect_sd)

    def draw_drift(self, rng: np.random.Generator) -> np.ndarray:
        """How much worse one person's first night is, per sleep outcome (fades over days)."""
        return rng.normal(self.drift_mu, self.drift_sd)

    def log_density(self, theta: np.ndarray, r: np.ndarray) -> np.ndarray:
        """Log density of effects given the responsiveness, up to a constant.

        Parameters
        ----------
        theta : numpy.ndarray
            ``(draw, form, outcome)`` effects.
        r : numpy.ndarray
            ``(draw, outcome)`` shared responsiveness.

        Returns
        -------
        numpy.ndarray
            ``(draw,)`` ``log p(theta | r)`` without the ``2 pi`` constant (the density of
            ``r`` itself is left out: it does not depend on the evidence priors).
        """
        spread = self.spread
        z = (theta - self.mean[None] - r[:, None, :]) / spread[None]
        return -0.5 * (z**2).sum(axis=(1, 2)) - np.log(spread).sum()

    def expectation_log_density(self, expectation: np.ndarray) -> np.ndarray:
        """``(draw,)`` log density of ``(draw, sleep outcome)`` expectation effects.

        Up to a constant (the ``2 pi`` left out).
        """
        z = (expectation - self.expect_mu[None]) / self.expect_sd[None]
        return -0.5 * (z**2).sum(axis=1) - np.log(self.expect_sd).sum()
