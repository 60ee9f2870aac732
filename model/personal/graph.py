"""The PyMC graph of the personal magnesium model, built and compiled once.

Everything that varies between diaries, priors and profiles enters through ``pm.Data`` without
fixed shapes, so one compiled graph serves every fit: a diary of any length, an appended
night, another prior or a sceptical refit do not recompile. Nights with zero likelihood weight
(padding, as the population stage uses) change nothing.

Structure (per outcome ``o`` and form ``f``; details in ``model.personal.fit``):

``theta[f, o] = prior_mean[f, o] + r[o] + sqrt(prior_sd[f, o]^2 + dev_sd[o]^2) * z[f, o]``
with a shared responsiveness ``r[o] ~ N(0, resp_sd[o])``; sleep outcomes respond to the
build-up exposure ``E[t, f]`` (first-order kinetics, time constant ``tau``;
:func:`model.likelihood.kinetics.exposure`), GI to the night's single-intake load and to the
night's covariates by ``b_gi_covariate[c] ~ N(0, cov_gi_sd[c])`` (alcohol, caffeine and a day
sleep loosen stools too: a shift worker's loose night after a night shift blocked glycinate,
/tmp/w53/b B8; so do the first days of a period, :mod:`model.data.cycle_nights`; the sleep
outcomes' ``b_covariate[c, o]``, ``fit``'s doc). A night
measured by a source other than the reference (:func:`model.data.devices.reference_source`)
shifts the level of each outcome a tracker measures
(:data:`~model.core.outcomes.DEVICE_MEASURED`: ``device[t, s, o]`` 1 for its source's shift
``s``) by ``b_device[s, o] ~ N(0, device_sd[o])``, one shift per source (a tracker swap is no
effect; ratings do not shift; one shift pooled over every other source took the wrong sign
when their offsets differed: an outside audit). :data:`~model.data.devices.SHIFTS` shifts,
whatever the diary: unused ones have zero data and keep their prior. Each
outcome's likelihood is its family object's (:func:`model.likelihood.families.family_of`):
:func:`add_likelihood` asks it for its parameters and log-density, so swapping a family (e.g. a
robust sleep-onset likelihood) is a change in ``family_of`` alone.
"""

from __future__ import annotations

import numpy as np
import pymc as pm
import pytensor.tensor as pt

from model.core.forms import FORMS
from model.core.outcomes import OUTCOMES, SLEEP_OUTCOMES, SPECS
from model.data.devices import SHIFTS
from model.data.diary import COVARIATES
from model.likelihood import kinetics
from model.likelihood.cumulative_logit import ordered_logistic_logp
from model.likelihood.families import family_of

__all__ = ["DATA_NAMES", "add_likelihood", "build_graph", "ordered_logistic_logp"]

DATA_NAMES: tuple[str, ...] = (
    "segment", "since_change", "change_gap", "change_step", "current", "single", "taking",
    "covariates", "device", "trend_basis", "drift_basis", "prior_mean", "prior_sd",
    "dev_sd", "resp_sd", "expect_mu", "expect_sd", "drift_mu", "drift_sd", "trend_sd", "cov_sd",
    "cov_gi_sd", "device_sd",
    "log_tau_mu", "log_tau_sd", "intercept_mu",
    "sol_y", "sol_w", "sol_prev", "sol_gap", "sol_first",
    "awakenings_y", "awakenings_w", "quality_y", "quality_w", "freshness_y", "freshness_w",
    "anxiety_y", "anxiety_w", "gi_y", "gi_w",
)


def _data(name: str, shape: tuple[int, ...], dtype: str = "float64") -> pt.TensorVariable:
    return pm.Data(name, np.zeros(shape, dtype=dtype))


def build_graph(n_nights: int, n_changes: int) -> pm.Model:
    """The personal model, filled with zero data of ``n_nights`` x ``n_changes`` (any size).

    Fill it with ``pm.set_data`` (or nutpie's ``with_data``) before sampling. Holding the
    shared responsiveness at 0 leaves the effects a priori independent (``theta = prior_mean +
    sqrt(prior_sd^2 + dev_sd^2) * z``): the per-person stage of the population model does.
    """
    n_forms, n_outcomes, n_sleep = len(FORMS), len(OUTCOMES), len(OUTCOMES) - 1
    coords = {"form": list(FORMS), "outcome": list(OUTCOMES), "sleep": list(OUTCOMES[:-1]),
              "degree": [1, 2], "shift": list(range(1, SHIFTS + 1)),
              "covariate": list(COVARIATES)}
    for name in ("quality", "freshness", "anxiety"):
        coords[f"{name}_cut"] = list(range(1, SPECS[name].categories))
    with pm.Model(coords=coords) as model:
        segment = _data("segment", (n_nights, n_changes))
        since_change = _data("since_change", (n_nights,))
        change_gap = _data("change_gap", (n_changes, n_changes))
        change_step = _data("change_step", (n_changes, n_forms))
        current = _data("current", (n_nights, n_forms))
        single = _data("single", (n_nights, n_forms))
        taking = _data("taking", (n_nights,))
        covariates = _data("covariates", (n_nights, len(COVARIATES)))
        device = _data("device", (n_nights, SHIFTS, n_sleep))
        trend_basis = _data("trend_basis", (n_nights, 2))
        drift_basis = _data("drift_basis", (n_nights,))
        prior_mean = _data("prior_mean", (n_forms, n_outcomes))
        prior_sd = pm.Data("prior_sd", np.ones((n_forms, n_outcomes)))
        dev_sd = pm.Data("dev_sd", np.ones(n_outcomes))
        resp_sd = pm.Data("resp_sd", np.ones(n_outcomes))
        expect_mu = _data("expect_mu", (n_sleep,))
        expect_sd = pm.Data("expect_sd", np.ones(n_sleep))
        drift_mu = _data("drift_mu", (n_sleep,))
        drift_sd = pm.Data("drift_sd", np.ones(n_sleep))
        trend_sd = pm.Data("trend_sd", np.ones(n_sleep))
        cov_sd = pm.Data("cov_sd", np.ones((len(COVARIATES), n_sleep)))
        device_sd = pm.Data("device_sd", np.ones(n_sleep))
        log_tau_mu = pm.Data("log_tau_mu", np.log(10.0))
        log_tau_sd = pm.Data("log_tau_sd", 0.5)
        intercept_mu = _data("intercept_mu", (3,))  # sol (log1p min), awakenings (log), gi

        # person-level effects: population prior + shared responsiveness + form deviation
        z = pm.Normal("theta_z", 0.0, 1.0, dims=("form", "outcome"))
        r = pm.Normal("responsiveness", 0.0, resp_sd, dims="outcome")
        theta = pm.Deterministic("theta", prior_mean + r[None, :]
                                 + pt.sqrt(prior_sd**2 + dev_sd**2) * z,
                                 dims=("form", "outcome"))
        log_tau = pm.Normal("log_tau", log_tau_mu, log_tau_sd)
        tau = pm.Deterministic("tau", pt.exp(log_tau))
        exposure = kinetics.exposure(segment, since_change, change_gap, change_step, current,
                                     tau, pt)                           # (night, form)

        expectation = pm.Normal("expectation", expect_mu, expect_sd, dims="sleep")
        drift = pm.Normal("drift", drift_mu, drift_sd, dims="sleep")
        b_covariate = pm.Normal("b_covariate", 0.0, cov_sd, dims=("covariate", "sleep"))
        b_device = pm.Normal("b_device", 0.0, device_sd, dims=("shift", "sleep"))
        trend = pm.Normal("trend", 0.0, trend_sd[:, None] / np.array([1.0, 2.0]),
                          dims=("sleep", "degree"))
        eta = (pt.dot(exposure, theta[:, :n_sleep]) + taking[:, None] * expectation
               + pt.dot(covariates, b_covariate)
               + (device * b_device[None]).sum(axis=1)
               + pt.dot(trend_basis, trend.T)
               + drift_basis[:, None] * drift)                  # (night, sleep)
        centres = {"sol": intercept_mu[0], "awakenings": intercept_mu[1], "gi": intercept_mu[2]}
        for k, name in enumerate(SLEEP_OUTCOMES):
            add_likelihood(name, eta[:, k], centres.get(name), n_nights)
        add_likelihood("gi", _gi_eta(single, covariates, theta[:, -1]), centres["gi"], n_nights)
    return model


def _gi_eta(single: pt.TensorVariable, covariates: pt.TensorVariable,
            theta_gi: pt.TensorVariable) -> pt.TensorVariable:
    """GI's linear predictor, plus each covariate's own GI shift (the module doc).

    The single-intake load times the GI effects ``theta_gi``, plus ``covariates`` times
    ``b_gi_covariate ~ N(0, cov_gi_sd)``.
    """
    cov_gi_sd = pm.Data("cov_gi_sd", np.ones(len(COVARIATES)))
    b_gi_covariate = pm.Normal("b_gi_covariate", 0.0, cov_gi_sd, dims="covariate")
    return pt.dot(single, theta_gi) + pt.dot(covariates, b_gi_covariate)


def add_likelihood(outcome: str, eta: pt.TensorVariable, intercept_mu: pt.TensorVariable | None,
                   n: int) -> None:
    """Add an outcome's weighted log-likelihood, asking its family (:func:`family_of`).

    Creates the data ``{outcome}_{field}`` of the family's ``data_fields`` (observations ``y``,
    likelihood weights ``w``, ...), the family's parameters (given ``eta`` and ``w``: a family
    samples its intercept as it needs, the normal one as the nights' level,
    :mod:`model.likelihood.level`) and the Potential ``{outcome}_loglik``. Another family is
    swapped in through :func:`model.likelihood.families.family_of` alone.
    """
    family = family_of(outcome)
    data = {field: _data(f"{outcome}_{field}", (n,), dtype)
            for field, dtype in family.data_fields}
    params = family.add_parameters(outcome, intercept_mu, eta, data["w"])
    loglik = family.logp(data["y"], eta, params, data)
    pm.Potential(f"{outcome}_loglik", pt.sum(data["w"] * loglik))

