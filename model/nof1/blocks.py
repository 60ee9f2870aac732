"""Building blocks of n-of-1 models, used inside an active ``pm.Model`` with named dims.

:func:`ar1_latent` (a latent AR(1) process for any family), :func:`smooth_trend` (Legendre
trend), :func:`ordered_cutpoints`, :func:`observe` (families normal, poisson, negbin,
binomial, ordinal, with missing outcomes left out of the likelihood) and
:func:`observe_normal_ar1` (normal with exact AR(1) errors over gaps). The AR(1) conditional
and the even-share cut-point centres are those of :mod:`model.likelihood.families`, written in
this engine's own rounding (see the comments; the other rounding moves the draws of a seed).
The blocks put the data they are given into ``pm.Data`` (``{name}_rows``, ``{name}_observed``,
...), so that a compiled model serves every data set of the same sizes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pymc as pm
import pytensor.tensor as pt
from pymc.distributions.transforms import ordered
from pymc_extras.prior import Prior
from scipy.special import logit

from model.core.errors import MgsleepError
from model.nof1.priors import check_family, default_priors, merge_priors

MAX_AR1_STEPS = 2000
"""Longest series :func:`ar1_latent` builds (its cost grows with the square of the length)."""


def ensure_coord(model: pm.Model, name: str, values: Sequence[Any] | np.ndarray) -> None:
    """Add a coordinate unless the model already has one of that name."""
    if name not in model.coords:
        model.add_coord(name, list(values))


def ar1_latent(
    name: str,
    dim: str,
    *,
    batch_dim: str | None = None,
    sigma_prior: Prior | None = None,
    rho_prior: Prior | None = None,
) -> pt.TensorVariable:
    """Add a stationary AR(1) latent process over ``dim``, non-centred.

    ``x[0] = sigma / sqrt(1 - rho^2) * z[0]`` and ``x[t] = rho * x[t-1] + sigma * z[t]`` with
    ``z ~ Normal(0, 1)``, written as ``x = L z`` for a lower-triangular ``L`` (cost grows with
    the square of the series length; fine up to a few hundred nights). Add it to any linear
    predictor: it works for every family.

    Parameters
    ----------
    name : str
        Name of the process (a Deterministic); creates ``{name}_rho``, ``{name}_sigma`` and
        ``{name}_z``.
    dim : str
        The time dim (already a coordinate of the model), equally spaced steps.
    batch_dim : str, optional
        A leading dim of independent series (e.g. ``person``) sharing ``rho`` and ``sigma``.
    sigma_prior, rho_prior : pymc_extras.prior.Prior, optional
        Priors of the innovation SD (default HalfNormal(1)) and of the autocorrelation
        (default Normal(0, 0.5) truncated to (-1, 1)).

    Returns
    -------
    pytensor.tensor.TensorVariable
        The process, dims ``(batch_dim, dim)`` or ``(dim,)``.

    """
    model = pm.modelcontext(None)
    n = len(model.coords[dim])
    if n > MAX_AR1_STEPS:
        raise MgsleepError(f"an AR(1) process over {n} time steps is too long (at most "
                           f"{MAX_AR1_STEPS}); check the time column's units")
    rho_prior = rho_prior or Prior("TruncatedNormal", mu=0.0, sigma=0.5, lower=-1.0, upper=1.0)
    rho = rho_prior.create_variable(f"{name}_rho")
    sigma = (sigma_prior or Prior("HalfNormal", sigma=1.0)).create_variable(f"{name}_sigma")
    dims = (batch_dim, dim) if batch_dim else (dim,)
    z = pm.Normal(f"{name}_z", 0.0, 1.0, dims=dims)
    # rho ** 0 is the constant 1 so that the gradient stays finite at rho = 0.
    powers = pt.concatenate([pt.ones(1), rho ** np.arange(1, n)])
    lag = np.subtract.outer(np.arange(n), np.arange(n))
    first = pt.concatenate([pt.reshape(1.0 / pt.sqrt(1.0 - rho**2), (1,)), pt.ones(n - 1)])
    weights = powers[np.clip(lag, 0, None)] * (lag >= 0) * first[None, :]
    return pm.Deterministic(name, sigma * pt.dot(z, weights.T), dims=dims)


def smooth_trend(
    name: str,
    time: np.ndarray,
    dim: str,
    *,
    degree: int = 2,
    sd_prior: Prior | None = None,
) -> pt.TensorVariable:
    """Add a smooth trend over time: Legendre polynomials of degree 1..``degree``.

    Time is rescaled to [-1, 1]; the coefficients are ``tau * z_k / k`` with
    ``z_k ~ Normal(0, 1)`` and ``tau`` from ``sd_prior`` (default HalfNormal(1)): a shared
    shrinkage scale, stronger on the higher orders. The trend has no constant term.

    Parameters
    ----------
    name : str
        Creates ``{name}_sd``, ``{name}_z`` (dims ``{name}_degree``) and the Deterministic
        ``name`` (dims ``dim``).
    time : numpy.ndarray
        Time of each element of ``dim``.
    dim : str
        Dim of the returned trend (a coordinate of the model).
    degree : int
        Highest polynomial order.
    sd_prior : pymc_extras.prior.Prior, optional
        Prior of the shrinkage scale.

    Returns
    -------
    pytensor.tensor.TensorVariable

    """
    model = pm.modelcontext(None)
    t = np.asarray(time, dtype=float)
    span = t.max() - t.min()
    u = 2.0 * (t - t.min()) / span - 1.0 if span > 0 else np.zeros_like(t)
    basis = np.polynomial.legendre.legvander(u, degree)[:, 1:] / np.arange(1, degree + 1)
    ensure_coord(model, f"{name}_degree", range(1, degree + 1))
    tau = (sd_prior or Prior("HalfNormal", sigma=1.0)).create_variable(f"{name}_sd")
    z = pm.Normal(f"{name}_z", 0.0, 1.0, dims=f"{name}_degree")
    return pm.Deterministic(name, pt.dot(pm.Data(f"{name}_basis", basis), tau * z), dims=dim)


def ordered_cutpoints(
    name: str, n_categories: int, prior: Prior | None = None
) -> pt.TensorVariable:
    """Ordered cutpoints of a cumulative-logit model with ``n_categories`` categories.

    The prior is Normal(mu_k, sigma) constrained to increasing order (proper), with
    ``mu_k = logit(k / K)`` unless the given Normal ``prior`` states ``mu``.
    """
    model = pm.modelcontext(None)
    prior = prior or Prior("Normal", sigma=2.5)
    if prior.distribution != "Normal":
        raise MgsleepError(f"prior 'cutpoints' must be a Normal, got {prior.distribution}")
    # even shares as model.likelihood.families.even_share_cutpoints, computed as logit(k / K):
    # log(k / (K - k)) differs in the last bit, which changes the posterior draws of a seed
    centres = logit(np.arange(1, n_categories) / n_categories)
    mu = prior.parameters.get("mu", centres)
    ensure_coord(model, f"{name}_index", range(1, n_categories))
    return pm.Normal(
        name,
        mu=mu,
        sigma=prior.parameters.get("sigma", 2.5),
        transform=ordered,
        initval=centres,
        dims=f"{name}_index",
    )


def observe(
    family: str,
    name: str,
    eta: pt.TensorVariable,
    observed: np.ndarray,
    dim: str,
    *,
    priors: Mapping[str, Prior] | None = None,
    trials: np.ndarray | None = None,
    n_categories: int | None = None,
) -> pt.TensorVariable:
    """Add the likelihood of ``observed`` given the linear predictor ``eta``.

    Only the non-missing entries are observed: they get a new dim ``{name}_obs`` whose
    coordinates are those of ``dim`` at the observed positions.

    Parameters
    ----------
    family : {"normal", "poisson", "negbin", "binomial", "ordinal"}
        Identity link with a residual SD ``{name}_sigma``; log link; log link with
        ``{name}_overdispersion`` (``alpha = overdispersion^-2``); logit link, Bernoulli for
        0/1 or Binomial with ``trials``; cumulative logit with cutpoints
        ``{name}_cutpoints``.
    name : str
        Name of the observed variable.
    eta : pytensor.tensor.TensorVariable
        Linear predictor, dims ``(dim,)``. For ordinal it must not contain an intercept.
    observed : numpy.ndarray
        Outcome per element of ``dim``, NaN = missing. Ordinal outcomes are category codes
        0..K-1; counts are non-negative integers.
    dim : str
        Dim of ``eta`` and ``observed``.
    priors : mapping, optional
        Priors by name (``sigma``, ``overdispersion``, ``cutpoints``); defaults from
        :func:`default_priors`.
    trials : numpy.ndarray, optional
        Number of trials per element (binomial only).
    n_categories : int, optional
        Number of categories K (ordinal only), including categories never observed.

    Returns
    -------
    pytensor.tensor.TensorVariable
        The observed random variable.

    """
    check_family(family)
    model = pm.modelcontext(None)
    y = np.asarray(observed, dtype=float)
    keep = np.flatnonzero(~np.isnan(y))
    coords = model.coords.get(dim)
    labels = np.asarray(coords)[keep] if coords is not None else keep
    obs_dim = f"{name}_obs"
    ensure_coord(model, obs_dim, labels)
    categories = n_categories or 0
    if family == "ordinal" and categories < 2:
        raise MgsleepError("the ordinal family needs n_categories (at least 2)")
    p = merge_priors(default_priors(family, y), priors)
    mu = eta[pm.Data(f"{name}_rows", keep)]
    y_obs = pm.Data(f"{name}_observed", y[keep] if family == "normal" else y[keep].astype(int))
    if family == "normal":
        sigma = p["sigma"].create_variable(f"{name}_sigma")
        return pm.Normal(name, mu=mu, sigma=sigma, observed=y_obs, dims=obs_dim)
    if family == "poisson":
        return pm.Poisson(name, mu=pt.exp(mu), observed=y_obs, dims=obs_dim)
    if family == "negbin":
        over = p["overdispersion"].create_variable(f"{name}_overdispersion")
        return pm.NegativeBinomial(name, mu=pt.exp(mu), alpha=over**-2, observed=y_obs,
                                   dims=obs_dim)
    if family == "binomial":
        if trials is None:
            return pm.Bernoulli(name, logit_p=mu, observed=y_obs, dims=obs_dim)
        n = pm.Data(f"{name}_trials", np.asarray(trials, dtype=int)[keep])
        return pm.Binomial(name, n=n, logit_p=mu, observed=y_obs, dims=obs_dim)
    cutpoints = ordered_cutpoints(f"{name}_cutpoints", categories, p["cutpoints"])
    return pm.OrderedLogistic(name, eta=mu, cutpoints=cutpoints, observed=y_obs, dims=obs_dim,
                              compute_p=False)


def observe_normal_ar1(
    name: str,
    mu: pt.TensorVariable,
    observed: np.ndarray,
    time: np.ndarray,
    *,
    group: np.ndarray | None = None,
    sigma_prior: Prior | None = None,
    rho_prior: Prior | None = None,
) -> pt.TensorVariable:
    """Observe a normal outcome with stationary AR(1) errors, marginalised exactly.

    ``y = mu + e`` with ``e`` a stationary AR(1) of marginal SD ``sigma`` and autocorrelation
    ``rho`` per time step. Observed at whole-number times with gaps (missing nights), the
    errors are still Markov: ``e[k] | e[k-1] ~ Normal(rho^g e[k-1], sigma sqrt(1 - rho^(2g)))``
    with ``g`` the gap, so the likelihood is exact and costs O(n) with no latent variables
    (for the normal family far better mixing than :func:`ar1_latent` plus white noise).

    Parameters
    ----------
    name : str
        Observed variable (dim ``{name}_obs``); creates ``{name}_sigma`` and ``{name}_rho``.
    mu : pytensor.tensor.TensorVariable
        Mean of each element (same length as ``observed``).
    observed : numpy.ndarray
        Outcomes, NaN = missing.
    time : numpy.ndarray
        Whole-number time of each element.
    group : numpy.ndarray, optional
        Independent series (e.g. person index) sharing ``sigma`` and ``rho``.
    sigma_prior, rho_prior : pymc_extras.prior.Prior, optional
        Priors of the marginal residual SD (default HalfNormal(1)) and of ``rho`` (default
        Normal(0, 0.5) truncated to (-1, 1)).

    Returns
    -------
    pytensor.tensor.TensorVariable

    """
    model = pm.modelcontext(None)
    y = np.asarray(observed, dtype=float)
    series = np.zeros(y.size, dtype=int) if group is None else np.asarray(group)
    keep = np.flatnonzero(~np.isnan(y))
    keep = keep[np.lexsort((np.asarray(time)[keep], series[keep]))]
    ensure_coord(model, f"{name}_obs", keep)
    first = np.r_[True, series[keep][1:] != series[keep][:-1]]
    gap = np.where(first, 1, np.diff(np.asarray(time)[keep], prepend=0)).astype(int)
    if np.any(gap < 1):
        raise MgsleepError("observe_normal_ar1 needs distinct times within each series")
    rho_prior = rho_prior or Prior("TruncatedNormal", mu=0.0, sigma=0.5, lower=-1.0, upper=1.0)
    rho = rho_prior.create_variable(f"{name}_rho")
    sigma = (sigma_prior or Prior("HalfNormal", sigma=1.0)).create_variable(f"{name}_sigma")
    mean = mu[pm.Data(f"{name}_rows", keep)]
    previous = np.where(first, 0.0, y[np.r_[0, keep[:-1]]])  # a series' first: no predecessor
    residual = pm.Data(f"{name}_previous", previous) - pt.concatenate([mean[:1], mean[:-1]])
    # The conditional of model.likelihood.families.ar1_carry, written with `where`. Equal in
    # value to the product form of the personal graph, but not in rounding: NUTS amplifies
    # the difference, so the product form would change this engine's outputs for the same seed.
    starts = pm.Data(f"{name}_first", first)
    decay = rho ** pm.Data(f"{name}_gap", gap)
    centre = mean + pt.where(starts, 0.0, decay * residual)
    sd = sigma * pt.where(starts, 1.0, pt.sqrt(1.0 - decay**2))
    return pm.Normal(name, mu=centre, sigma=sd, observed=pm.Data(f"{name}_observed", y[keep]),
                     dims=f"{name}_obs")
