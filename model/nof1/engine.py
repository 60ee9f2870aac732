"""The n-of-1 estimator :class:`Nof1Model` and its PyMC model.

A scikit-learn-style estimator for one person's (or, with ``person``, a series of persons')
trial of any number of treatments against one reference. Its pieces live beside it: families
and priors (:mod:`model.nof1.priors`), building blocks (:mod:`model.nof1.blocks`), data
validation (:mod:`model.nof1.data`), summaries (:mod:`model.nof1.summaries`) and simulation
with known truth (:mod:`model.nof1.simulation`); all are importable from :mod:`model.nof1`.

Effects are on the linear-predictor scale of the family: a difference in means (normal), a
log rate ratio (poisson, negbin), a log odds ratio (binomial) or a shift of the latent logistic
variable (ordinal; positive = higher categories).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, Self

import numpy as np
import pandas as pd
import pymc as pm
import pytensor.tensor as pt
from pymc_extras.prior import Prior

from model.core.progress import SHOW_PROGRESS
from model.inference.diagnostics import Diagnostics, check_convergence
from model.inference.sampling import sample_posterior
from model.nof1.blocks import ar1_latent, observe, observe_normal_ar1, smooth_trend
from model.nof1.data import PreparedData, prepare_data
from model.nof1.priors import FAMILIES, check_family, default_priors, merge_priors
from model.nof1.simulation import simulate_nof1
from model.nof1.summaries import summarise_effects

__all__ = ["FAMILIES", "Nof1Model", "simulate_nof1"]
"""``model.cli.nof1`` and the benchmarks import these from here; every public name of the
engine is importable from :mod:`model.nof1`."""


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
        progressbar: bool = SHOW_PROGRESS,
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
        check_family(self.family)
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


def _rebuilt(prior: Prior, dims: Any, parameters: Mapping[str, Any]) -> Prior:
    """``prior`` with other ``dims`` and ``parameters`` (its centring and transform kept)."""
    return Prior(prior.distribution, dims=dims, centered=prior.centered,
                 transform=prior.transform, **parameters)


def _prior_with_dims(prior: Prior, name: str, dims: str) -> pt.TensorVariable:
    """Create ``prior`` as a vector variable over ``dims``."""
    return _rebuilt(prior, dims, prior.parameters).create_variable(name)


def _with_data_parameters(priors: Mapping[str, Prior]) -> dict[str, Prior]:
    """The priors with their numeric ``mu`` and ``sigma`` as ``pm.Data`` (``prior_{name}_mu``).

    The defaults are scaled to the data (:func:`default_priors`); as data rather than graph
    constants they leave one compiled graph to serve every data set of the same sizes.
    """
    shared = {}
    for name, prior in priors.items():
        parameters = {
            key: pm.Data(f"prior_{name}_{key}", float(value))
            if key in ("mu", "sigma") and isinstance(value, int | float) else value
            for key, value in prior.parameters.items()
        }
        shared[name] = _rebuilt(prior, prior.dims, parameters)
    return shared


def _person_terms(
    person: pt.TensorVariable, treated: pt.TensorVariable, effect: pt.TensorVariable,
    sd_prior: Prior,
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
    return (intercept_sd * intercept_z)[person] + (treated * deviation[person]).sum(axis=1)


def _build_model(
    family: str, d: PreparedData, ar1: bool, trend: bool, priors: Mapping[str, Prior]
) -> pm.Model:
    """Build the PyMC model of :class:`Nof1Model` for prepared data.

    The data and the data-scaled priors enter as ``pm.Data``: the compiled model
    (:func:`model.inference.compile_cache.compile_nutpie`) serves every data set with the
    same family, options and sizes (levels, covariates, persons, time steps, categories).
    """
    n_times = int(d.time_index.max()) + 1
    coords: dict[str, Any] = {
        "obs": np.arange(d.y.size),
        "contrast": list(d.levels[1:]),
        "covariate": list(d.covariate_names),
        "time": np.arange(n_times),
    }
    if d.persons is not None:
        coords["person"] = list(d.persons)
    with pm.Model(coords=coords) as pm_model:
        priors = _with_data_parameters(priors)
        treated = pm.Data("treated", np.eye(len(d.levels))[d.treatment_index][:, 1:])
        person = pm.Data("person_index", d.person_index)
        time = pm.Data("time_index", d.time_index)
        effect = _prior_with_dims(priors["effect"], "effect", "contrast")
        eta = pt.dot(treated, effect)
        if family != "ordinal":
            eta = eta + priors["intercept"].create_variable("intercept")
        if d.covariate_names:
            beta = _prior_with_dims(priors["covariate"], "covariate_effect", "covariate")
            eta = eta + pt.dot(pm.Data("covariates", d.covariates), beta)
        if d.persons is not None:
            eta = eta + _person_terms(person, treated, effect, priors["person_sd"])
        if trend:
            time_values = np.arange(n_times) + d.time_value.min()
            eta = eta + smooth_trend("trend", time_values, "time",
                                     sd_prior=priors["trend_sd"])[time]
        if ar1 and family == "normal":
            observe_normal_ar1("y", eta, d.y, d.time_index, group=d.person_index,
                               sigma_prior=priors["sigma"], rho_prior=priors["ar_rho"])
            return pm_model
        if ar1:
            batch = "person" if d.persons is not None else None
            process = ar1_latent("ar", "time", batch_dim=batch,
                                 sigma_prior=priors["ar_sigma"], rho_prior=priors["ar_rho"])
            eta = eta + (process[person, time] if batch else process[time])
        observe(family, "y", eta, d.y, "obs", priors=priors, trials=d.trials,
                n_categories=d.n_categories)
    return pm_model
