"""The population stage's NUTS graph: population parameters, persons' blocks and GI counts.

One graph whose data (the priors, the persons' stacked Gaussian blocks and GI counts) are
``pm.Data`` without fixed shapes, compiled once for nutpie and reused by every fit. Each
person's Gaussian block is integrated out exactly
(:func:`~model.population.blocks.marginal_loglik`); each person's GI intercept and effects are
latent variables under the population (:func:`~model.population.gi.gi_loglik`), so the
graph's dimension depends on its person capacity (:func:`~model.population.gi.capacity_for`):
one compilation per capacity, :func:`population_compiled`.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pymc as pm
import pytensor.tensor as pt

from model.core.forms import FORMS
from model.core.outcomes import OUTCOMES, SLEEP_OUTCOMES
from model.evidence.priorset import PriorSet
from model.inference.sampling import CompiledGraph
from model.likelihood.prior import PersonalPrior
from model.population.blocks import StackedBlocks, marginal_loglik, stack_likelihoods
from model.population.gi import PERSON_BLOCK, capacity_for, gi_loglik

POPULATION_COORDS = {"form": list(FORMS), "outcome": list(OUTCOMES),
                     "sleep": list(SLEEP_OUTCOMES)}


def population_prior(priors: PriorSet) -> dict[str, np.ndarray]:
    """The values of the population parameters' priors (the data of :func:`population_parameters`).

    ``beta`` gets the evidence prior; the spreads ``sd_resp`` and ``sd_dev`` (outcome) and
    ``sd_expectation`` (sleep outcome) half-normal priors of twice the person-level SDs of
    ``settings.toml`` ``[personal]``; the mean ``expectation`` effect the person-level
    expectation prior.
    """
    prior = PersonalPrior.of(priors)
    return {"beta_mu": prior.mean, "beta_sd": prior.sd, "sd_resp_scale": 2 * prior.resp_sd,
            "sd_dev_scale": 2 * prior.dev_sd, "expectation_mu": prior.expect_mu,
            "expectation_sd": prior.expect_sd, "sd_expectation_scale": 2 * prior.expect_sd}


def population_parameters(values: Mapping[str, np.ndarray]) -> tuple[pt.TensorVariable, ...]:
    """The population parameters and their priors, added to the model in context.

    ``values`` are those of :func:`population_prior`; they enter as ``pm.Data``, so a
    compiled graph serves every prior set. Also adds ``between_person_sd``. Returns
    ``(beta, sd_resp, sd_dev, expectation, sd_expectation)``.
    """
    data = {name: pm.Data(name, value) for name, value in values.items()}
    beta = pm.Normal("beta", data["beta_mu"], data["beta_sd"], dims=("form", "outcome"))
    sd_resp = pm.HalfNormal("sd_resp", data["sd_resp_scale"], dims="outcome")
    sd_dev = pm.HalfNormal("sd_dev", data["sd_dev_scale"], dims="outcome")
    mu_exp = pm.Normal("expectation", data["expectation_mu"], data["expectation_sd"],
                       dims="sleep")
    sd_exp = pm.HalfNormal("sd_expectation", data["sd_expectation_scale"], dims="sleep")
    pm.Deterministic("between_person_sd", pt.sqrt(sd_resp[None, :] ** 2 + sd_dev[None, :] ** 2)
                     * pt.ones((len(FORMS), 1)), dims=("form", "outcome"))
    return beta, sd_resp, sd_dev, mu_exp, sd_exp


def population_graph(capacity: int = PERSON_BLOCK) -> pm.Model:
    """The population stage as one graph whose data (priors, stacked blocks) are ``pm.Data``.

    Built with placeholder data of no person; GI latent variables for ``capacity`` persons
    (coordinate ``gi_person``). :data:`POPULATION_GRAPH` holds the graph of the smallest
    capacity.
    """
    f, o, s = len(FORMS), len(OUTCOMES), len(SLEEP_OUTCOMES)
    placeholder = {"beta_mu": np.zeros((f, o)), "beta_sd": np.ones((f, o)),
                   "sd_resp_scale": np.ones(o), "sd_dev_scale": np.ones(o),
                   "expectation_mu": np.zeros(s), "expectation_sd": np.ones(s),
                   "sd_expectation_scale": np.ones(s)}
    coords = POPULATION_COORDS | {"gi_person": list(range(capacity))}
    with pm.Model(coords=coords) as model:
        beta, sd_resp, sd_dev, mu_exp, sd_exp = population_parameters(placeholder)
        blocks = StackedBlocks(*(pm.Data(name, value) for name, value in
                                 zip(StackedBlocks._fields, stack_likelihoods([]), strict=True)))
        pm.Potential("persons", pt.sum(marginal_loglik(blocks, beta, sd_resp, sd_dev, mu_exp,
                                                       sd_exp)))
        pm.Potential("persons_gi", pt.sum(gi_loglik(blocks.gi, beta, sd_resp, sd_dev)))
    return model


POPULATION_GRAPH = CompiledGraph(population_graph)
"""The population graph of this process for up to :data:`PERSON_BLOCK` persons: built and
compiled on first use, then reused by every fit whatever its persons and priors (the compiled
code is also kept across processes, :mod:`model.inference.compile_cache`)."""
_GRAPHS = {PERSON_BLOCK: POPULATION_GRAPH}


def population_compiled(persons: int) -> CompiledGraph:
    """The population graph (:data:`POPULATION_GRAPH` or a larger one) that fits ``persons``."""
    capacity = capacity_for(persons)
    if capacity not in _GRAPHS:
        _GRAPHS[capacity] = CompiledGraph(lambda: population_graph(capacity))
    return _GRAPHS[capacity]
