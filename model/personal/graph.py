"""The PyMC graph of the personal magnesium model, built and compiled once.

Everything that varies between diaries, priors and profiles enters through ``pm.Data`` without
fixed shapes, so one compiled graph serves every fit: a diary of any length, an appended
night, another prior or a sceptical refit do not recompile. Nights with zero likelihood weight
(padding, as the population stage uses) change nothing.

Structure (per outcome ``o`` and form ``f``; details in ``model.personal.fit``):

``theta[f, o] = prior_mean[f, o] + r[o] + sqrt(prior_sd[f, o]^2 + dev_sd[o]^2) * z[f, o]``
with a shared responsiveness ``r[o] ~ N(0, resp_sd[o])``; sleep outcomes respond to the
build-up exposure ``E[t, f]`` (first-order kinetics, time constant ``tau``), GI to the night's
single-intake load.
"""

from __future__ import annotations

import numpy as np
import pymc as pm
import pytensor.tensor as pt

from model.core.forms import FORMS
from model.core.outcomes import OUTCOMES, SPECS

DATA_NAMES: tuple[str, ...] = (
    "exponent", "change_step", "single", "taking", "caffeine", "alcohol", "trend_basis",
    "prior_mean", "prior_sd", "dev_sd", "resp_sd", "expect_sd", "trend_sd", "cov_sd",
    "log_tau_mu", "log_tau_sd", "intercept_mu",
    "sol_y", "sol_w", "sol_prev", "sol_gap", "sol_first",
    "awakenings_y", "awakenings_w", "quality_y", "quality_w", "freshness_y", "freshness_w",
    "anxiety_y", "anxiety_w", "gi_y", "gi_w",
)


def _data(name: str, shape: tuple[int, ...], dtype: str = "float64") -> pt.TensorVariable:
    return pm.Data(name, np.zeros(shape, dtype=dtype))


def build_graph(n_nights: int, n_changes: int, *, shared_responsiveness: bool = True) -> pm.Model:
    """The personal model, filled with zero data of ``n_nights`` x ``n_changes`` (any size).

    Fill it with ``pm.set_data`` (or nutpie's ``with_data``) before sampling. Without
    ``shared_responsiveness`` the effects are a priori independent (``theta = prior_mean +
    sqrt(prior_sd^2 + dev_sd^2) * z``): the per-person stage of the population model uses it.
    """
    n_forms, n_outcomes, n_sleep = len(FORMS), len(OUTCOMES), len(OUTCOMES) - 1
    coords = {"form": list(FORMS), "outcome": list(OUTCOMES), "sleep": list(OUTCOMES[:-1]),
              "degree": [1, 2]}
    for name in ("quality", "freshness", "anxiety"):
        coords[f"{name}_cut"] = list(range(1, SPECS[name].categories))
    with pm.Model(coords=coords) as model:
        exponent = _data("exponent", (n_nights, n_changes))
        change_step = _data("change_step", (n_changes, n_forms))
        single = _data("single", (n_nights, n_forms))
        taking = _data("taking", (n_nights,))
        caffeine = _data("caffeine", (n_nights,))
        alcohol = _data("alcohol", (n_nights,))
        trend_basis = _data("trend_basis", (n_nights, 2))
        prior_mean = _data("prior_mean", (n_forms, n_outcomes))
        prior_sd = pm.Data("prior_sd", np.ones((n_forms, n_outcomes)))
        dev_sd = pm.Data("dev_sd", np.ones(n_outcomes))
        resp_sd = pm.Data("resp_sd", np.ones(n_outcomes))
        expect_sd = pm.Data("expect_sd", np.ones(n_sleep))
        trend_sd = pm.Data("trend_sd", np.ones(n_sleep))
        cov_sd = pm.Data("cov_sd", np.ones(n_sleep))
        log_tau_mu = pm.Data("log_tau_mu", np.log(10.0))
        log_tau_sd = pm.Data("log_tau_sd", 0.5)
        intercept_mu = _data("intercept_mu", (3,))  # sol (log1p min), awakenings (log), gi

        # person-level effects: population prior + shared responsiveness + form deviation
        z = pm.Normal("theta_z", 0.0, 1.0, dims=("form", "outcome"))
        centre = prior_mean
        if shared_responsiveness:
            r = pm.Normal("responsiveness", 0.0, resp_sd, dims="outcome")
            centre = prior_mean + r[None, :]
        theta = pm.Deterministic("theta", centre + pt.sqrt(prior_sd**2 + dev_sd**2) * z,
                                 dims=("form", "outcome"))
        log_tau = pm.Normal("log_tau", log_tau_mu, log_tau_sd)
        tau = pm.Deterministic("tau", pt.exp(log_tau))
        response = -pt.expm1(exponent * (-1.0 / tau))           # (night, change)
        exposure = pt.dot(response, change_step)                # (night, form)

        expectation = pm.Normal("expectation", 0.0, expect_sd, dims="sleep")
        b_caffeine = pm.Normal("b_caffeine", 0.0, cov_sd, dims="sleep")
        b_alcohol = pm.Normal("b_alcohol", 0.0, cov_sd, dims="sleep")
        trend = pm.Normal("trend", 0.0, trend_sd[:, None] / np.array([1.0, 2.0]),
                          dims=("sleep", "degree"))
        eta = (pt.dot(exposure, theta[:, :n_sleep]) + taking[:, None] * expectation
               + caffeine[:, None] * b_caffeine + alcohol[:, None] * b_alcohol
               + pt.dot(trend_basis, trend.T))                  # (night, sleep)

        _sol(eta[:, 0], intercept_mu[0], n_nights)
        _awakenings(eta[:, 1], intercept_mu[1], n_nights)
        for k, name in enumerate(("quality", "freshness", "anxiety"), start=2):
            _ordinal(name, eta[:, k], n_nights)
        gi_intercept = pm.Normal("gi_intercept", intercept_mu[2], 1.0)
        gi_eta = gi_intercept + pt.dot(single, theta[:, n_sleep])
        gi_y = _data("gi_y", (n_nights,), "int64")
        gi_w = _data("gi_w", (n_nights,))
        pm.Potential("gi_loglik", pt.sum(gi_w * pm.logp(pm.Bernoulli.dist(logit_p=gi_eta),
                                                        gi_y)))
    return model


def _sol(eta: pt.TensorVariable, intercept_mu: pt.TensorVariable, n: int) -> None:
    """log1p(SOL) normal with stationary AR(1) errors over gaps (exact, no latent states)."""
    y, w, gap, first = (_data(f"sol_{k}", (n,)) for k in ("y", "w", "gap", "first"))
    prev = _data("sol_prev", (n,), "int64")
    intercept = pm.Normal("sol_intercept", intercept_mu, 1.0)
    sigma = pm.HalfNormal("sol_sigma", 1.0)
    rho = pm.TruncatedNormal("sol_rho", mu=0.1, sigma=0.3, lower=-0.95, upper=0.95)
    mean = intercept + eta
    decay = rho**gap
    centre = mean + (1.0 - first) * decay * (y[prev] - mean[prev])
    sd = sigma * pt.sqrt(1.0 - (1.0 - first) * decay**2)
    pm.Potential("sol_loglik", pt.sum(w * pm.logp(pm.Normal.dist(centre, sd), y)))


def _awakenings(eta: pt.TensorVariable, intercept_mu: pt.TensorVariable, n: int) -> None:
    """Awakenings per night: negative binomial, log link."""
    y = _data("awakenings_y", (n,), "int64")
    w = _data("awakenings_w", (n,))
    intercept = pm.Normal("awakenings_intercept", intercept_mu, 1.0)
    over = pm.HalfNormal("awakenings_overdispersion", 1.0)
    dist = pm.NegativeBinomial.dist(mu=pt.exp(intercept + eta), alpha=over**-2)
    pm.Potential("awakenings_loglik", pt.sum(w * pm.logp(dist, y)))


def _ordinal(name: str, eta: pt.TensorVariable, n: int) -> None:
    """An ordinal rating: cumulative logit with ordered cutpoints (centred on even shares)."""
    categories = SPECS[name].categories
    centres = np.log(np.arange(1, categories) / (categories - np.arange(1, categories)))
    y = _data(f"{name}_y", (n,), "int64")
    w = _data(f"{name}_w", (n,))
    cut = pm.Normal(f"{name}_cutpoints", mu=centres, sigma=2.0,
                    transform=pm.distributions.transforms.ordered, initval=centres,
                    dims=f"{name}_cut")
    pm.Potential(f"{name}_loglik", pt.sum(w * ordered_logistic_logp(eta, cut, y)))


def ordered_logistic_logp(eta: pt.TensorVariable, cut: pt.TensorVariable,
                          y: pt.TensorVariable) -> pt.TensorVariable:
    """Cumulative-logit log probability of categories ``y`` (0 ... K-1), one cell per night.

    ``P(y) = sigmoid(c[y+1] - eta) - sigmoid(c[y] - eta)`` with ``c[0] = -inf, c[K] = +inf``,
    as PyMC's ``OrderedLogistic``, but evaluated only at the observed category (O(n), not
    O(n K): a third of the gradient's cost otherwise) and as a log difference, which stays
    finite in the extreme tails.
    """
    big = pt.as_tensor([1e6])
    edges = pt.concatenate([-big, cut, big])
    log_upper = -pt.log1pexp(eta - edges[y + 1])   # log sigmoid(c[y+1] - eta)
    log_lower = -pt.log1pexp(eta - edges[y])
    return log_upper + pt.log1mexp(log_lower - log_upper)
