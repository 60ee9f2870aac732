"""A personal fit night by night: pointwise log-likelihood, posterior predictive, ArviZ groups.

The graph (:mod:`model.personal.graph`) adds each outcome's likelihood as one weighted
``pm.Potential``, the cheapest form for the sampler. What ArviZ needs night by night is
computed afterwards in numpy from the posterior draws and the graph's own data
(:func:`model.personal.data.diary_data`): the linear predictor of the graph, then each
family's ``loglik`` and ``draw`` (:mod:`model.likelihood.families`). Nothing is compiled; for
4,000 draws x 120 nights it takes about a tenth of a second.

Variables are named by diary column (``sol_min``, ``awakenings``, ``quality``,
``freshness``, ``anxiety``, ``gi_night``), each on its own night dimension ``{column}_night``
holding only the nights that outcome was recorded (a missing night has no likelihood). The
log-likelihood is that of the diary value: for ``sol_min`` the normal density of
``log1p(minutes)`` minus ``log1p(minutes)`` (the Jacobian), so LOO compares models on minutes.
The AR(1) term makes a sleep-onset night's likelihood conditional on the previous recorded
one, which is what PSIS-LOO over nights then leaves out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd
import xarray as xr

from model.core.outcomes import ORDINAL, OUTCOMES, SLEEP_OUTCOMES, SPECS
from model.data.diary_rows import NUMERIC
from model.likelihood import kinetics
from model.likelihood.families import (
    INTERCEPT_SD,
    Bernoulli,
    NegativeBinomial,
    NormalAR1,
    Ordinal,
)

CHUNK = 500
"""Draws evaluated at once (bounds the ``(draw, night, change)`` exposure array)."""

Draws = Mapping[str, np.ndarray]
Data = Mapping[str, np.ndarray]

COLUMNS: dict[str, str] = {o: SPECS[o].column for o in OUTCOMES}
"""The ArviZ variable of each outcome: its diary column."""

INTERCEPTS = ("sol", "awakenings", "gi")
"""Outcomes whose intercept prior is centred on the diary (``intercept_mu``, in this order)."""


def linear_predictors(draws: Draws, data: Data) -> dict[str, np.ndarray]:
    """Each outcome's ``(draw, night)`` linear predictor, as the graph builds it.

    Sleep outcomes: exposure (build-up with each draw's ``tau``) times the effects, plus
    expectation, the covariates (late caffeine, alcohol, a day sleep, the days before a period:
    :data:`~model.data.diary.COVARIATES`), each source's level
    shift, trend and drift, plus the intercept (none for ordinal outcomes: their cut-points
    carry the level). GI: the night's single-intake load times the GI effects, plus the
    covariates' own GI shifts, plus the intercept.
    """
    theta, n_sleep = draws["theta"], len(SLEEP_OUTCOMES)
    exposure = kinetics.exposure(data["segment"], data["since_change"], data["change_gap"],
                                 data["change_step"], data["current"],
                                 draws["tau"])                        # (draw, night, form)
    nightly = np.column_stack([data["taking"], data["covariates"], data["drift_basis"],
                               data["trend_basis"]])                        # (night, term)
    per_draw = np.concatenate([draws["expectation"][:, None], draws["b_covariate"],
                               draws["drift"][:, None], np.moveaxis(draws["trend"], -1, 1)],
                              axis=1)                                       # (draw, term, o)
    eta = (exposure @ theta[:, :, :n_sleep] + nightly @ per_draw
           + np.einsum("tso,dso->dto", data["device"], draws["b_device"]))  # each shift
    out = {o: eta[..., k] for k, o in enumerate(SLEEP_OUTCOMES)}
    for name in ("sol", "awakenings"):
        out[name] = out[name] + draws[f"{name}_intercept"][:, None]
    out["gi"] = (draws["gi_intercept"][:, None]
                 + theta[:, :, OUTCOMES.index("gi")] @ data["single"].T
                 + draws["b_gi_covariate"] @ data["covariates"].T)
    return out


def pointwise_loglik(draws: Draws, data: Data) -> dict[str, np.ndarray]:
    """Each outcome's ``(draw, night)`` log-likelihood of every night (diary scale).

    Nights the outcome was not recorded hold values of the placeholder 0 and must be masked
    with the weights ``{outcome}_w`` (:func:`nightly_groups` does).
    """
    eta = linear_predictors(draws, data)
    sol = {k: data[f"sol_{k}"] for k in ("gap", "first", "prev")}
    out = {"sol": NormalAR1.loglik(data["sol_y"], eta["sol"], draws["sol_sigma"],
                                   draws["sol_rho"], sol) - data["sol_y"][None],
           "awakenings": NegativeBinomial.loglik(
               data["awakenings_y"], np.exp(eta["awakenings"]),
               draws["awakenings_overdispersion"][:, None]),
           "gi": Bernoulli.loglik(data["gi_y"], eta["gi"])}
    for name in ORDINAL:
        out[name] = Ordinal.loglik(data[f"{name}_y"], eta[name], draws[f"{name}_cutpoints"])
    return out


def data_log_density(draws: Draws, data: Data) -> np.ndarray:
    """``(draw,)`` log density of each draw's parameters under a diary, up to a constant.

    The graph's log density without the terms no diary changes: the weighted log-likelihood
    of every recorded night plus the intercept priors centred on the diary
    (``intercept_mu``). The difference under two diaries is the log importance ratio of a
    posterior draw from one to the other (:meth:`model.personal.fit.PersonalModel.update`);
    a test holds it equal to the compiled graph's.
    """
    def total(part: Draws) -> dict[str, np.ndarray]:
        values = pointwise_loglik(part, data)
        out = sum((np.where(data[f"{o}_w"] > 0, values[o], 0.0) * data[f"{o}_w"])
                  .sum(axis=1) for o in OUTCOMES)
        for k, name in enumerate(INTERCEPTS):
            out = out - 0.5 * ((part[f"{name}_intercept"] - data["intercept_mu"][k])
                               / INTERCEPT_SD) ** 2
        return {"total": np.asarray(out)}

    return _chunked(total, draws)["total"]


def predictive_draws(draws: Draws, data: Data,
                     rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Each outcome's ``(draw, night)`` posterior predictive nights in diary units.

    Sleep-onset latency follows the AR(1) over consecutive nights from each draw's
    parameters (not conditioned on the observed nights): replicated diaries.
    """
    eta = linear_predictors(draws, data)
    log_sol = NormalAR1.draw(eta["sol"], draws["sol_sigma"], draws["sol_rho"], rng)
    alpha = draws["awakenings_overdispersion"][:, None] ** -2
    awakenings = NegativeBinomial.draw(np.exp(eta["awakenings"]), alpha, rng)
    out = {"sol": NormalAR1.minutes(log_sol),      # nights a diary can hold (0-720, 0-50)
           "awakenings": np.minimum(awakenings, NUMERIC[SPECS["awakenings"].column].high),
           "gi": Bernoulli.draw(eta["gi"], rng).astype(int)}
    for name in ORDINAL:
        cuts = draws[f"{name}_cutpoints"][:, None, :]
        out[name] = SPECS[name].lowest + Ordinal.draw(eta[name], cuts, rng)
    return out


def _chunked(function: Callable[[Draws], dict[str, np.ndarray]],
             draws: Draws) -> dict[str, np.ndarray]:
    """``function`` over slices of :data:`CHUNK` draws, joined along the draw axis."""
    total = len(draws["tau"])
    parts = [function({k: v[start:start + CHUNK] for k, v in draws.items()})
             for start in range(0, total, CHUNK)]
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def _by_column(values: Mapping[str, np.ndarray], data: Data, dates: pd.Index,
               shape: tuple[int, int]) -> xr.Dataset:
    """``(draw, night)`` arrays as ``(chain, draw, {column}_night)``: the recorded nights."""
    variables = {}
    for outcome, column in COLUMNS.items():
        seen = np.asarray(data[f"{outcome}_w"][: len(dates)] > 0)
        dim = f"{column}_night"
        kept = values[outcome][:, : len(dates)][:, seen]
        variables[column] = xr.DataArray(kept.reshape(*shape, -1),
                                         dims=("chain", "draw", dim),
                                         coords={dim: dates[seen].to_numpy()})
    return xr.Dataset(variables)


def observed_data(nights: pd.DataFrame, data: Data) -> xr.Dataset:
    """The recorded nights of every outcome in diary units (``observed_data``)."""
    variables = {}
    for outcome, column in COLUMNS.items():
        seen = np.asarray(data[f"{outcome}_w"][: len(nights)] > 0)
        dim = f"{column}_night"
        values = nights[column].to_numpy(float)[seen]
        variables[column] = xr.DataArray(values, dims=dim,
                                         coords={dim: nights.index[seen].to_numpy()})
    return xr.Dataset(variables)


def sample_shape(posterior: xr.Dataset) -> tuple[int, int]:
    """``(chain, draw)`` sizes of a posterior."""
    return posterior.sizes["chain"], posterior.sizes["draw"]


def log_likelihood(posterior: xr.Dataset, draws: Draws, data: Data,
                   dates: pd.Index) -> xr.Dataset:
    """The ``log_likelihood`` group: per outcome, ``(chain, draw, {column}_night)``.

    ``draws`` are ``posterior`` flattened chain-major
    (:func:`model.inference.summary.flatten_draws`).
    """
    values = _chunked(lambda part: pointwise_loglik(part, data), draws)
    return _by_column(values, data, dates, sample_shape(posterior))


def posterior_predictive(posterior: xr.Dataset, draws: Draws, data: Data, dates: pd.Index,
                         seed: int | None = None) -> xr.Dataset:
    """The ``posterior_predictive`` group: replicated recorded nights, diary units."""
    rng = np.random.default_rng(seed)
    values = _chunked(lambda part: predictive_draws(part, data, rng), draws)
    return _by_column(values, data, dates, sample_shape(posterior))


def with_nightly_groups(idata: xr.DataTree, draws: Draws, data: Data,
                        nights: pd.DataFrame) -> xr.DataTree:
    """``idata`` with ``observed_data`` and ``log_likelihood`` groups (set in place)."""
    posterior = idata["posterior"].to_dataset()
    idata["observed_data"] = xr.DataTree(observed_data(nights, data))
    idata["log_likelihood"] = xr.DataTree(log_likelihood(posterior, draws, data,
                                                         nights.index))
    return idata
