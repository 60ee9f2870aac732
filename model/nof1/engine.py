"""A general Bayesian n-of-1 engine in PyMC.

Two layers:

* building blocks that work inside an active ``pm.Model`` with named dims, reused by the
  magnesium model (:mod:`model.personal.fit`): :func:`ar1_latent`, :func:`smooth_trend`,
  :func:`observe` (families normal, poisson, negbin, binomial, ordinal, with missing
  outcomes left out of the likelihood) and :func:`default_priors`;
* :class:`Nof1Model`, a scikit-learn-style estimator for one person's (or, with ``person``,
  a series of persons') trial of any number of treatments against one reference.

Effects are on the linear-predictor scale of the family: a difference in means (normal), a
log rate ratio (poisson, negbin), a log odds ratio (binomial) or a shift of the latent logistic
variable (ordinal; positive = higher categories).
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Self

import numpy as np
import pandas as pd
import pymc as pm
import pytensor.tensor as pt
import xarray as xr
from pymc.distributions.transforms import ordered
from pymc_extras.prior import Prior
from scipy.special import logit

from model.core.errors import Fault, InputError, MgsleepError
from model.inference.diagnostics import Diagnostics, check_convergence
from model.inference.sampling import sample_posterior

FAMILIES: tuple[str, ...] = ("normal", "poisson", "negbin", "binomial", "ordinal")
"""Outcome families of :func:`observe` and :class:`Nof1Model`."""

PRIOR_NAMES: tuple[str, ...] = (
    "intercept",
    "effect",
    "covariate",
    "sigma",
    "overdispersion",
    "cutpoints",
    "ar_sigma",
    "ar_rho",
    "trend_sd",
    "person_sd",
)
"""Names of the priors that :class:`Nof1Model` accepts as overrides."""

MAX_AR1_STEPS = 2000
"""Longest series :func:`ar1_latent` builds (its cost grows with the square of the length)."""


# --------------------------------------------------------------------------------------------
# Priors
# --------------------------------------------------------------------------------------------


def default_priors(family: str, y: np.ndarray) -> dict[str, Prior]:
    """Weakly informative default priors, scaled to the observed outcome.

    With ``s`` the outcome SD for the normal family (1 when it cannot be computed) and 1 on
    the link scale of the other families, and ``c`` the centre of the data on the link scale
    (mean; log mean count; logit of the event rate clipped to [0.05, 0.95]):

    - ``intercept`` ~ Normal(c, 2.5 s) (absent for ordinal: the cutpoints carry the level);
    - ``effect`` and ``covariate`` (per SD of a covariate) ~ Normal(0, 2.5 s), the rstanarm
      convention;
    - ``sigma`` (normal residual SD) ~ HalfNormal(s);
    - ``overdispersion`` (negbin; ``1 / sqrt(alpha)``) ~ HalfNormal(1);
    - ``cutpoints`` (ordinal) ~ Normal(logit(k / K), 2.5), ordered, k = 1..K-1: centred on
      equally likely categories, proper, so empty categories are harmless;
    - ``ar_sigma`` (AR(1) innovation SD) ~ HalfNormal(s); ``ar_rho`` ~ Normal(0, 0.5)
      truncated to (-1, 1);
    - ``trend_sd`` (scale of the trend coefficients) ~ HalfNormal(s);
    - ``person_sd`` (between-person SD of intercepts and effects) ~ HalfNormal(s).

    Parameters
    ----------
    family : str
        One of :data:`FAMILIES`.
    y : numpy.ndarray
        Observed outcome values (NaN = missing).

    Returns
    -------
    dict of str to pymc_extras.prior.Prior

    """
    _check_family(family)
    values = y[~np.isnan(y)]
    spread, centre = 1.0, 0.0
    if family == "normal":
        sd = float(np.std(values, ddof=1)) if values.size > 1 else 0.0
        spread = sd if sd > 0 else 1.0
        centre = float(np.mean(values)) if values.size else 0.0
    elif family in ("poisson", "negbin"):
        centre = float(np.log(np.mean(values) + 0.1)) if values.size else 0.0
    elif family == "binomial":
        rate = float(np.mean(values)) if values.size else 0.5
        centre = float(logit(np.clip(rate, 0.05, 0.95)))
    return {
        "intercept": Prior("Normal", mu=centre, sigma=2.5 * spread),
        "effect": Prior("Normal", mu=0.0, sigma=2.5 * spread),
        "covariate": Prior("Normal", mu=0.0, sigma=2.5 * spread),
        "sigma": Prior("HalfNormal", sigma=spread),
        "overdispersion": Prior("HalfNormal", sigma=1.0),
        "cutpoints": Prior("Normal", sigma=2.5),
        "ar_sigma": Prior("HalfNormal", sigma=spread),
        "ar_rho": Prior("TruncatedNormal", mu=0.0, sigma=0.5, lower=-1.0, upper=1.0),
        "trend_sd": Prior("HalfNormal", sigma=spread),
        "person_sd": Prior("HalfNormal", sigma=spread),
    }


def merge_priors(defaults: Mapping[str, Prior], overrides: Mapping[str, Prior] | None) -> dict:
    """Return ``defaults | overrides`` after checking the override names and types.

    Raises
    ------
    MgsleepError
        For an unknown prior name (with a "did you mean" hint) or a value that is not a
        :class:`pymc_extras.prior.Prior`.

    """
    overrides = dict(overrides or {})
    for name, value in overrides.items():
        if name not in defaults:
            hint = difflib.get_close_matches(name, list(defaults), n=1)
            suggestion = f"; did you mean {hint[0]!r}?" if hint else ""
            raise MgsleepError(
                f"unknown prior {name!r}{suggestion} (known: {', '.join(defaults)})"
            )
        if not isinstance(value, Prior):
            raise MgsleepError(
                f"prior {name!r}: expected a pymc_extras.prior.Prior, got {type(value).__name__}"
            )
    return dict(defaults) | overrides


# --------------------------------------------------------------------------------------------
# Building blocks (inside an active pm.Model)
# --------------------------------------------------------------------------------------------


def _ensure_coord(model: pm.Model, name: str, values: Sequence[Any] | np.ndarray) -> None:
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
    _ensure_coord(model, f"{name}_degree", range(1, degree + 1))
    tau = (sd_prior or Prior("HalfNormal", sigma=1.0)).create_variable(f"{name}_sd")
    z = pm.Normal(f"{name}_z", 0.0, 1.0, dims=f"{name}_degree")
    return pm.Deterministic(name, pt.dot(basis, tau * z), dims=dim)


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
    k = np.arange(1, n_categories) / n_categories
    centres = logit(k)
    mu = prior.parameters.get("mu", centres)
    _ensure_coord(model, f"{name}_index", range(1, n_categories))
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
    _check_family(family)
    model = pm.modelcontext(None)
    y = np.asarray(observed, dtype=float)
    keep = np.flatnonzero(~np.isnan(y))
    coords = model.coords.get(dim)
    labels = np.asarray(coords)[keep] if coords is not None else keep
    obs_dim = f"{name}_obs"
    _ensure_coord(model, obs_dim, labels)
    p = merge_priors(default_priors(family, y), priors)
    mu, y_obs = eta[keep], y[keep]
    if family == "normal":
        sigma = p["sigma"].create_variable(f"{name}_sigma")
        return pm.Normal(name, mu=mu, sigma=sigma, observed=y_obs, dims=obs_dim)
    if family == "poisson":
        return pm.Poisson(name, mu=pt.exp(mu), observed=y_obs.astype(int), dims=obs_dim)
    if family == "negbin":
        over = p["overdispersion"].create_variable(f"{name}_overdispersion")
        return pm.NegativeBinomial(
            name, mu=pt.exp(mu), alpha=over**-2, observed=y_obs.astype(int), dims=obs_dim
        )
    if family == "binomial":
        if trials is None:
            return pm.Bernoulli(name, logit_p=mu, observed=y_obs.astype(int), dims=obs_dim)
        n = np.asarray(trials, dtype=int)[keep]
        return pm.Binomial(name, n=n, logit_p=mu, observed=y_obs.astype(int), dims=obs_dim)
    if n_categories is None:
        raise MgsleepError("the ordinal family needs n_categories")
    cutpoints = ordered_cutpoints(f"{name}_cutpoints", n_categories, p["cutpoints"])
    return pm.OrderedLogistic(
        name, eta=mu, cutpoints=cutpoints, observed=y_obs.astype(int), dims=obs_dim
    )


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
    _ensure_coord(model, f"{name}_obs", keep)
    first = np.r_[True, series[keep][1:] != series[keep][:-1]]
    gap = np.where(first, 1, np.diff(np.asarray(time)[keep], prepend=0)).astype(int)
    if np.any(gap < 1):
        raise MgsleepError("observe_normal_ar1 needs distinct times within each series")
    rho_prior = rho_prior or Prior("TruncatedNormal", mu=0.0, sigma=0.5, lower=-1.0, upper=1.0)
    rho = rho_prior.create_variable(f"{name}_rho")
    sigma = (sigma_prior or Prior("HalfNormal", sigma=1.0)).create_variable(f"{name}_sigma")
    mean = mu[keep]
    previous = np.r_[0, keep[:-1]]
    residual = y[previous] - mean[np.r_[0, np.arange(keep.size - 1)]]
    decay = rho**gap
    centre = mean + pt.where(first, 0.0, decay * residual)
    sd = sigma * pt.where(first, 1.0, pt.sqrt(1.0 - decay**2))
    return pm.Normal(name, mu=centre, sigma=sd, observed=y[keep], dims=f"{name}_obs")


def _check_family(family: str) -> None:
    if family not in FAMILIES:
        raise MgsleepError(f"unknown family {family!r}; expected one of {', '.join(FAMILIES)}")


# --------------------------------------------------------------------------------------------
# Summaries of draws
# --------------------------------------------------------------------------------------------


def summarise_effects(
    draws: xr.DataArray, reference: str, threshold: float | None = None
) -> pd.DataFrame:
    """Tidy table of contrasts from posterior draws with a ``contrast`` dim.

    Parameters
    ----------
    draws : xarray.DataArray
        Dims ``chain``, ``draw`` and ``contrast`` (the treatment labels).
    reference : str
        The level every contrast is against (the ``vs`` column).
    threshold : float, optional
        Adds ``p_beyond``: P(effect > threshold) for a threshold >= 0, P(effect < threshold)
        for a negative one.

    Returns
    -------
    pandas.DataFrame
        Columns treatment, vs, mean, sd, ci_low, ci_high (95 % equal-tailed), p_positive
        [, p_beyond].

    """
    rows = []
    for label in draws["contrast"].values:
        values = draws.sel(contrast=label).values.ravel()
        row = {
            "treatment": str(label),
            "vs": reference,
            "mean": float(values.mean()),
            "sd": float(values.std(ddof=1)),
            "ci_low": float(np.quantile(values, 0.025)),
            "ci_high": float(np.quantile(values, 0.975)),
            "p_positive": float(np.mean(values > 0)),
        }
        if threshold is not None:
            beyond = values > threshold if threshold >= 0 else values < threshold
            row["p_beyond"] = float(np.mean(beyond))
        rows.append(row)
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# Data preparation for Nof1Model
# --------------------------------------------------------------------------------------------


def level_label(value: Any) -> str:
    """Display label of a treatment level: integer-valued numbers without a decimal point.

    ``1``, ``1.0`` and ``"1"`` all give ``"1"``, so a reference given on the command line
    matches numeric treatment codes.
    """
    if isinstance(value, str):
        text = value.strip()
        try:
            number = float(text)
        except ValueError:
            return text
        return level_label(number) if np.isfinite(number) else text
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


@dataclass(frozen=True)
class PreparedData:
    """A validated n-of-1 data set in model coordinates (rows sorted by person and time)."""

    y: np.ndarray
    levels: tuple[str, ...]
    reference: str
    treatment_index: np.ndarray
    time_index: np.ndarray
    time_value: np.ndarray
    persons: tuple[str, ...] | None
    person_index: np.ndarray
    covariates: np.ndarray
    covariate_names: tuple[str, ...]
    trials: np.ndarray | None
    n_categories: int | None
    category_low: int


def _numeric(series: pd.Series, source: str, column: str, faults: list[Fault]) -> np.ndarray:
    """Convert to floats (NaN for blanks); a fault per non-numeric cell."""
    values = pd.to_numeric(series, errors="coerce").astype(float).to_numpy()
    bad = np.flatnonzero(np.isnan(values) & series.notna().to_numpy())
    faults.extend(
        Fault(source, f"row {i + 1}, column {column}", f"expected a number, got {series.iloc[i]!r}")
        for i in bad
    )
    return values


def _family_faults(family: str, y: np.ndarray, source: str, column: str) -> list[Fault]:
    """Faults for outcome values outside the family's support."""
    checks: dict[str, tuple[Callable[[np.ndarray], np.ndarray], str]] = {
        "poisson": (lambda v: (v >= 0) & (v == np.round(v)), "a count (whole number >= 0)"),
        "negbin": (lambda v: (v >= 0) & (v == np.round(v)), "a count (whole number >= 0)"),
        "binomial": (lambda v: (v == 0) | (v == 1), "0 or 1"),
        "ordinal": (lambda v: v == np.round(v), "a whole-number category"),
        "normal": (np.isfinite, "a finite number"),
    }
    test, expected = checks[family]
    with np.errstate(invalid="ignore"):
        bad = np.flatnonzero(~np.isnan(y) & ~test(y))
    return [
        Fault(source, f"row {i + 1}, column {column}", f"expected {expected}, got {y[i]:g}")
        for i in bad
    ]


def _time_values(series: pd.Series, source: str, column: str, faults: list[Fault]) -> np.ndarray:
    """Whole-number times or dates (as day numbers); a fault per bad cell."""
    numbers = pd.to_numeric(series, errors="coerce").astype(float)
    if numbers.notna().all() and (numbers == numbers.round()).all():
        return numbers.to_numpy()
    dates = pd.to_datetime(series.astype(str), errors="coerce", format="ISO8601")
    if dates.notna().all():
        return ((dates - dates.min()) / pd.Timedelta(days=1)).to_numpy(dtype=float).round()
    for i, value in enumerate(series):
        if pd.isna(numbers.iloc[i]) or numbers.iloc[i] != round(numbers.iloc[i]):
            faults.append(Fault(source, f"row {i + 1}, column {column}",
                                f"expected a whole number or a date, got {value!r}"))
    return np.zeros(len(series))


def prepare_data(
    data: pd.DataFrame,
    *,
    family: str,
    outcome: str,
    treatment: str,
    reference: Any = None,
    time: str | None = None,
    person: str | None = None,
    covariates: Sequence[str] = (),
    trials: str | None = None,
    categories: tuple[int, int] | None = None,
    source: str = "<DataFrame>",
) -> PreparedData:
    """Validate a long-format data set and convert it to model coordinates.

    Every problem is collected and raised together as an :class:`InputError` naming the
    source, the 1-based data row and the column.
    """
    _check_family(family)
    needed = [outcome, treatment, *(c for c in (time, person, trials) if c), *covariates]
    missing = [c for c in needed if c not in data.columns]
    if missing:
        have = ", ".join(map(str, data.columns))
        raise InputError([Fault(source, f"column {c}", f"expected a column {c!r}; the data "
                                f"have: {have}") for c in missing])
    data = data.reset_index(drop=True)
    faults: list[Fault] = []
    y = _numeric(data[outcome], source, outcome, faults)
    faults += _family_faults(family, y, source, outcome)
    faults += [Fault(source, f"row {i + 1}, column {treatment}", "expected a treatment, got blank")
               for i in np.flatnonzero(data[treatment].isna().to_numpy())]
    for column in (time, person):
        if column:
            faults += [Fault(source, f"row {i + 1}, column {column}", "expected a value, got blank")
                       for i in np.flatnonzero(data[column].isna().to_numpy())]
    covariate_values = [_numeric(data[c], source, c, faults) for c in covariates]
    for c, values in zip(covariates, covariate_values, strict=True):
        faults += [Fault(source, f"row {i + 1}, column {c}", "expected a number, got blank")
                   for i in np.flatnonzero(np.isnan(values) & data[c].isna().to_numpy())]
    n_trials = _numeric(data[trials], source, trials, faults) if trials else None
    time_value = (_time_values(data[time], source, time, faults) if time and not faults
                  else np.arange(len(data), dtype=float))
    if faults:
        raise InputError(faults)
    if np.isnan(y).all():
        raise InputError([Fault(source, f"column {outcome}", "expected at least one value")])

    labels = data[treatment].map(level_label)
    levels = tuple(sorted(labels.unique(), key=_level_sort_key))
    ref = levels[0] if reference is None else level_label(reference)
    if ref not in levels:
        raise InputError([Fault(source, f"column {treatment}", f"expected the reference level "
                                f"{ref!r} among the levels {', '.join(levels)}")])
    if len(levels) < 2:
        raise InputError([Fault(source, f"column {treatment}",
                                f"expected at least two treatment levels, got {levels[0]!r}")])
    ordered_levels = (ref, *(lv for lv in levels if lv != ref))

    low, n_categories = 0, None
    if family == "ordinal":
        observed = y[~np.isnan(y)]
        low, high = categories or (int(observed.min()), int(observed.max()))
        outside = np.flatnonzero(~np.isnan(y) & ((y < low) | (y > high)))
        if outside.size:
            raise InputError([Fault(source, f"row {i + 1}, column {outcome}",
                                    f"expected a category in {low}..{high}, got {y[i]:g}")
                              for i in outside])
        n_categories = high - low + 1
        if n_categories < 2:
            raise InputError([Fault(source, f"column {outcome}",
                                    "expected at least two categories")])

    person_labels = (data[person].map(level_label) if person
                     else pd.Series(["all"] * len(data)))
    persons = tuple(sorted(person_labels.unique(), key=_level_sort_key))
    person_index = person_labels.map({p: i for i, p in enumerate(persons)}).to_numpy()
    if not time:  # row order within each person
        time_value = person_labels.groupby(person_labels).cumcount().to_numpy(dtype=float)
    order = np.lexsort((time_value, person_index))
    cov = np.column_stack(covariate_values) if covariates else np.zeros((len(data), 0))
    cov = (cov - cov.mean(axis=0)) / np.where(cov.std(axis=0) > 0, cov.std(axis=0), 1.0)
    return PreparedData(
        y=(y - low)[order],
        levels=ordered_levels,
        reference=ref,
        treatment_index=labels.map({lv: i for i, lv in enumerate(ordered_levels)})
        .to_numpy()[order],
        time_index=(time_value - time_value.min()).astype(int)[order],
        time_value=time_value[order],
        persons=persons if person else None,
        person_index=person_index[order],
        covariates=cov[order],
        covariate_names=tuple(covariates),
        trials=None if n_trials is None else n_trials[order],
        n_categories=n_categories,
        category_low=low,
    )


def _level_sort_key(label: str) -> tuple[int, float, str]:
    """Sort numeric labels numerically, before text labels."""
    try:
        return (0, float(label), label)
    except ValueError:
        return (1, 0.0, label)


# --------------------------------------------------------------------------------------------
# The estimator
# --------------------------------------------------------------------------------------------


class Nof1Model:
    """Bayesian n-of-1 (or series of n-of-1) analysis with weakly informative priors.

    The linear predictor of night (row) i of person p receiving treatment j is::

        eta_i = intercept + effect_j + person_intercept_p + person_deviation_pj
                + covariates_i @ beta + trend(t_i) + ar_p(t_i)

    with ``effect_reference = 0``; the intercept is dropped for the ordinal family.
    Person terms are partially pooled, non-centred (``person_sd * z``); the person effect
    reported is ``effect_j + person_deviation_pj``. Priors: see :func:`default_priors`.

    Parameters
    ----------
    family : {"normal", "poisson", "negbin", "binomial", "ordinal"}
        Outcome family (see :func:`observe`).
    ar1 : bool
        Add a stationary AR(1) latent process over time (per person).
    trend : bool
        Add a smooth quadratic trend over time (:func:`smooth_trend`).
    reference : str or number, optional
        The reference level of the treatment; default the first level in sorted order
        (numbers sort numerically). ``1`` and ``"1"`` are the same level.
    covariates : sequence of str
        Numeric columns entered standardised (effects per SD); blanks are errors.
    priors : dict, optional
        Overrides of the defaults by name (:data:`PRIOR_NAMES`), as
        :class:`pymc_extras.prior.Prior` objects.
    categories : tuple of int, optional
        The declared range (low, high) of an ordinal outcome; default its observed range.
        Categories in the range with no observation are fine.
    threshold : float, optional
        Adds ``p_beyond`` to the effect tables (see :func:`summarise_effects`).
    draws, tune, chains, sampler, random_seed, progressbar
        Passed to :func:`model.inference.sampling.sample_posterior`.

    Attributes
    ----------
    model_ : pymc.Model
    idata_ : xarray.DataTree
        The posterior; its attribute ``nof1_config`` holds the settings as JSON.
    effects_ : pandas.DataFrame
        One row per non-reference treatment (see :func:`summarise_effects`).
    persons_ : pandas.DataFrame or None
        With ``person``: the same columns plus ``person``.
    diagnostics_ : Diagnostics
        Convergence of the free parameters.

    """

    def __init__(
        self,
        family: str = "normal",
        ar1: bool = False,
        trend: bool = False,
        reference: Any = None,
        covariates: Sequence[str] = (),
        priors: dict[str, Prior] | None = None,
        categories: tuple[int, int] | None = None,
        threshold: float | None = None,
        draws: int = 1000,
        tune: int = 1000,
        chains: int = 4,
        sampler: str | None = None,
        random_seed: int | None = None,
        progressbar: bool = False,
    ) -> None:
        self.family = family
        self.ar1 = ar1
        self.trend = trend
        self.reference = reference
        self.covariates = covariates
        self.priors = priors
        self.categories = categories
        self.threshold = threshold
        self.draws = draws
        self.tune = tune
        self.chains = chains
        self.sampler = sampler
        self.random_seed = random_seed
        self.progressbar = progressbar

    def build(
        self,
        data: pd.DataFrame,
        *,
        outcome: str,
        treatment: str,
        time: str | None = None,
        person: str | None = None,
        trials: str | None = None,
        source: str = "<DataFrame>",
    ) -> pm.Model:
        """Validate ``data`` and return the PyMC model without sampling (sets ``data_``)."""
        _check_family(self.family)
        prepared = prepare_data(
            data, family=self.family, outcome=outcome, treatment=treatment,
            reference=self.reference, time=time, person=person,
            covariates=self.covariates, trials=trials, categories=self.categories,
            source=source,
        )
        self.data_ = prepared
        return _build_model(self.family, prepared, self.ar1, self.trend,
                            merge_priors(default_priors(self.family, prepared.y), self.priors))

    def fit(
        self,
        data: pd.DataFrame,
        *,
        outcome: str,
        treatment: str,
        time: str | None = None,
        person: str | None = None,
        trials: str | None = None,
        source: str = "<DataFrame>",
    ) -> Self:
        """Fit the model to long-format data (one row per observation).

        Parameters
        ----------
        data : pandas.DataFrame
            The observations; blank outcomes are missing nights.
        outcome, treatment : str
            Column names.
        time : str, optional
            Whole-number or date column giving each row's time (gaps allowed); default the
            row order (within person).
        person : str, optional
            Column identifying persons: fits a series of n-of-1 trials.
        trials : str, optional
            Number of trials per row (binomial family).
        source : str
            Name of the data (a file path) for error messages.

        Returns
        -------
        Nof1Model
            ``self``, fitted.

        Raises
        ------
        InputError
            Invalid data, naming the source, row and column.

        """
        self.model_ = self.build(data, outcome=outcome, treatment=treatment, time=time,
                                 person=person, trials=trials, source=source)
        idata = sample_posterior(
            self.model_, draws=self.draws, tune=self.tune, chains=self.chains,
            sampler=self.sampler, random_seed=self.random_seed, progressbar=self.progressbar,
        )
        idata.attrs["nof1_config"] = json.dumps(self._config(outcome, treatment, time, person))
        self.idata_ = idata
        free = [v.name for v in self.model_.free_RVs]
        self.diagnostics_: Diagnostics = check_convergence(idata, var_names=free)
        posterior = idata["posterior"].to_dataset()
        reference = self.data_.reference
        self.effects_ = summarise_effects(posterior["effect"], reference, self.threshold)
        self.persons_: pd.DataFrame | None = None
        if self.data_.persons is not None:
            self.persons_ = pd.concat(
                [summarise_effects(posterior["person_effect"].sel(person=p), reference,
                                   self.threshold).assign(person=p)
                 for p in self.data_.persons],
                ignore_index=True,
            )
        return self

    def _config(self, outcome: str, treatment: str, time: str | None,
                person: str | None) -> dict[str, Any]:
        """Return the settings saved with the posterior."""
        return {
            "family": self.family, "ar1": self.ar1, "trend": self.trend,
            "reference": self.data_.reference, "levels": list(self.data_.levels),
            "outcome": outcome, "treatment": treatment, "time": time, "person": person,
            "covariates": list(self.covariates),
        }


def _prior_with_dims(prior: Prior, name: str, dims: str) -> pt.TensorVariable:
    """Create ``prior`` as a vector variable over ``dims``."""
    return Prior(
        prior.distribution,
        dims=dims,
        centered=prior.centered,
        transform=prior.transform,
        **prior.parameters,
    ).create_variable(name)


def _person_terms(
    d: PreparedData, treated: np.ndarray, effect: pt.TensorVariable, sd_prior: Prior
) -> pt.TensorVariable:
    """Add partially pooled person intercepts and effect deviations, non-centred.

    Creates the Deterministic ``person_effect`` (dims person, contrast): the population
    effect plus the person's deviation.
    """
    intercept_sd = sd_prior.create_variable("person_intercept_sd")
    intercept_z = pm.Normal("person_intercept_z", 0.0, 1.0, dims="person")
    effect_sd = _prior_with_dims(sd_prior, "person_effect_sd", "contrast")
    effect_z = pm.Normal("person_effect_z", 0.0, 1.0, dims=("person", "contrast"))
    deviation = effect_sd * effect_z
    pm.Deterministic("person_effect", effect + deviation, dims=("person", "contrast"))
    return (intercept_sd * intercept_z)[d.person_index] + (
        treated * deviation[d.person_index]
    ).sum(axis=1)


def _build_model(
    family: str, d: PreparedData, ar1: bool, trend: bool, priors: Mapping[str, Prior]
) -> pm.Model:
    """Build the PyMC model of :class:`Nof1Model` for prepared data."""
    n_times = int(d.time_index.max()) + 1
    coords: dict[str, Any] = {
        "obs": np.arange(d.y.size),
        "contrast": list(d.levels[1:]),
        "covariate": list(d.covariate_names),
        "time": np.arange(n_times),
    }
    if d.persons is not None:
        coords["person"] = list(d.persons)
    treated = np.eye(len(d.levels))[d.treatment_index][:, 1:]
    with pm.Model(coords=coords) as pm_model:
        effect = _prior_with_dims(priors["effect"], "effect", "contrast")
        eta = pt.dot(treated, effect)
        if family != "ordinal":
            eta = eta + priors["intercept"].create_variable("intercept")
        if d.covariate_names:
            beta = _prior_with_dims(priors["covariate"], "covariate_effect", "covariate")
            eta = eta + pt.dot(d.covariates, beta)
        if d.persons is not None:
            eta = eta + _person_terms(d, treated, effect, priors["person_sd"])
        if trend:
            time_values = np.arange(n_times) + d.time_value.min()
            eta = eta + smooth_trend("trend", time_values, "time",
                                     sd_prior=priors["trend_sd"])[d.time_index]
        if ar1 and family == "normal":
            observe_normal_ar1("y", eta, d.y, d.time_index, group=d.person_index,
                               sigma_prior=priors["sigma"], rho_prior=priors["ar_rho"])
            return pm_model
        if ar1:
            batch = "person" if d.persons is not None else None
            process = ar1_latent("ar", "time", batch_dim=batch,
                                 sigma_prior=priors["ar_sigma"], rho_prior=priors["ar_rho"])
            eta = eta + (process[d.person_index, d.time_index] if batch
                         else process[d.time_index])
        observe(family, "y", eta, d.y, "obs", priors=priors, trials=d.trials,
                n_categories=d.n_categories)
    return pm_model


# --------------------------------------------------------------------------------------------
# Simulation with known truth
# --------------------------------------------------------------------------------------------

_SIM_BASE = {"normal": 10.0, "poisson": float(np.log(4.0)), "negbin": float(np.log(4.0)),
             "binomial": float(logit(0.3)), "ordinal": 0.0}
_SIM_CUTPOINTS = logit(np.array([0.1, 0.3, 0.6, 0.85]))


def simulate_nof1(
    family: str,
    *,
    n_nights: int = 120,
    effects: Mapping[str, float] | None = None,
    ar_rho: float = 0.0,
    noise_sd: float = 1.0,
    period: int = 7,
    missing: float = 0.1,
    seed: int | None = None,
) -> pd.DataFrame:
    """Simulate one person's n-of-1 trial with known effects (for tests and benchmarks).

    Treatments come in blocks of ``period`` nights; each cycle gives every level (``A``, the
    reference, then ``effects``' keys) one block in random order. The linear predictor is a
    family-specific baseline (normal 10; log 4 per night; logit 0.3; ordinal 5 categories
    with cutpoints at cumulative probabilities 0.1, 0.3, 0.6, 0.85) plus the effect plus a
    stationary AR(1) error of autocorrelation ``ar_rho`` and marginal SD ``noise_sd`` (for
    the normal family the whole residual; for the others a latent term of SD
    ``noise_sd / 2``, present only when ``ar_rho`` is not 0, so that data without
    autocorrelation follow the family exactly). A fraction ``missing`` of outcomes is
    blanked.

    Returns
    -------
    pandas.DataFrame
        Columns ``night`` (0..n-1), ``treatment``, ``y``; ``attrs["effects"]`` holds the
        true effects (linear-predictor scale, vs ``A``).

    """
    _check_family(family)
    rng = np.random.default_rng(seed)
    effects = dict(effects or {"B": 1.0})
    levels = ["A", *effects]
    cycles = -(-n_nights // (period * len(levels)))
    order = np.concatenate([rng.permutation(levels) for _ in range(cycles)])
    treatment = np.repeat(order, period)[:n_nights]
    sd = noise_sd if family == "normal" else noise_sd / 2.0 if ar_rho else 0.0
    error = np.empty(n_nights)
    error[0] = rng.normal(0.0, sd)
    for t in range(1, n_nights):
        error[t] = ar_rho * error[t - 1] + rng.normal(0.0, sd * np.sqrt(1.0 - ar_rho**2))
    eta = _SIM_BASE[family] + np.array([effects.get(t, 0.0) for t in treatment]) + error
    y = _simulate_outcome(family, eta, rng)
    y[rng.random(n_nights) < missing] = np.nan
    frame = pd.DataFrame({"night": np.arange(n_nights), "treatment": treatment, "y": y})
    frame.attrs["effects"] = effects
    return frame


def _simulate_outcome(family: str, eta: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Draw outcomes given the linear predictor (the noise of normal is already in eta)."""
    if family == "normal":
        return eta.astype(float)
    if family == "poisson":
        return rng.poisson(np.exp(eta)).astype(float)
    if family == "negbin":
        alpha = 5.0
        return rng.negative_binomial(alpha, alpha / (alpha + np.exp(eta))).astype(float)
    if family == "binomial":
        return (rng.random(eta.size) < 1.0 / (1.0 + np.exp(-eta))).astype(float)
    below = 1.0 / (1.0 + np.exp(-(_SIM_CUTPOINTS[None, :] - eta[:, None])))
    return (rng.random(eta.size)[:, None] > below).sum(axis=1).astype(float)
