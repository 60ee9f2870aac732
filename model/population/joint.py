"""The full hierarchical model in one piece: every person's personal model under the population.

The reference the two-stage fit (:class:`~model.population.hierarchical.PopulationModel`) is
checked against: the same population parameters
(:func:`~model.population.hierarchical.population_parameters`), and for each person the
whole personal model (:func:`model.personal.graph.build_graph` with the shared
responsiveness) whose person-level priors are the population's: ``prior_mean = beta``,
``prior_sd = 0``, ``dev_sd = sd_dev``, ``resp_sd = sd_resp``, ``expect_mu = expectation``,
``expect_sd = sd_expectation``. Each person's log density is the personal graph's, with its
data made constants and its unconstrained parameters taken from one flat vector per person.
NUTS then samples everything jointly: exact, and slow (minutes for 20 short diaries), so it
serves to check, not to fit.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pymc as pm
import pytensor.tensor as pt
import xarray as xr
from pytensor.graph.replace import graph_replace

from model.data.diary import Diary
from model.evidence.priorset import PriorSet
from model.inference.sampling import SamplerConfig, run_nuts
from model.personal.data import diary_data, diary_size
from model.population.hierarchical import (
    POPULATION_COORDS,
    population_parameters,
    population_prior,
)

POPULATION_PRIORS = ("prior_mean", "prior_sd", "dev_sd", "resp_sd", "expect_mu", "expect_sd")
"""The personal graph's data that the population's parameters replace."""


def _person_graph(diary: Diary, priors: PriorSet) -> tuple[pm.Model, dict[str, np.ndarray]]:
    """A person's personal graph (shared responsiveness) and its data."""
    from model.personal.graph import build_graph

    n_nights, n_changes = diary_size(diary, priors)
    return (build_graph(n_nights, n_changes, shared_responsiveness=True),
            diary_data(diary, priors, 0.0, n_nights, n_changes))


def _person_logp(graph: pm.Model, data: dict[str, np.ndarray], name: str,
                 population: dict[str, pt.TensorVariable]) -> pt.TensorVariable:
    """A person's personal-model log density as a function of a new flat vector ``name``.

    Adds ``name`` to the model in context; ``graph`` must have been built outside it.
    """
    start = graph.initial_point()
    sizes = [int(np.prod(start[v.name].shape)) for v in graph.value_vars]
    flat = pm.Flat(name, shape=sum(sizes),
                   initval=np.concatenate([start[v.name].ravel() for v in graph.value_vars]))
    bounds = np.cumsum([0, *sizes])
    replace: dict[pt.Variable, pt.Variable] = {
        v: flat[bounds[i]:bounds[i + 1]].reshape(start[v.name].shape)
        for i, v in enumerate(graph.value_vars)}
    for shared in graph.data_vars:
        value = population.get(shared.name)
        replace[shared] = value if value is not None else pt.constant(
            np.asarray(data[shared.name], dtype=shared.dtype))
    return graph_replace(graph.logp(jacobian=True), replace, strict=False)


def joint_model(diaries: Sequence[Diary], priors: PriorSet) -> pm.Model:
    """The full hierarchical model of ``diaries`` (see the module docstring)."""
    persons = [_person_graph(diary, priors) for diary in diaries]  # outside: not sub-models
    with pm.Model(coords=POPULATION_COORDS) as model:
        beta, sd_resp, sd_dev, mu_exp, sd_exp = population_parameters(population_prior(priors))
        population = dict(zip(POPULATION_PRIORS, (beta, pt.zeros_like(beta), sd_dev, sd_resp,
                                                  mu_exp, sd_exp), strict=True))
        for k, (graph, data) in enumerate(persons):
            name = f"person_{k:03d}"
            pm.Potential(f"{name}_logp", _person_logp(graph, data, name, population))
    return model


def joint_fit(diaries: Sequence[Diary], priors: PriorSet, config: SamplerConfig) -> xr.DataTree:
    """NUTS over :func:`joint_model` (the persons' parameters are in the posterior too)."""
    return run_nuts(joint_model(diaries, priors), config)
