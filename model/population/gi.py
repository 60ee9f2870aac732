"""The population stage's GI outcome, carried exactly rather than as a Gaussian block.

In the personal model (:func:`model.personal.graph.build_graph`) a night's GI event is
Bernoulli with ``logit P = intercept + single[t] @ theta[:, gi] + covariates[t] @
b_gi_covariate`` (``single``: the night's single-intake load per form). It shares no
parameter with the sleep outcomes, and in the per-person stage the effects are a priori
independent, so a person's posterior factorises into (GI intercept, ``theta[:, gi]``,
``b_gi_covariate``) and everything else: the correlation between the GI and
the other coordinates is exactly zero, and leaving the GI effects out of a person's Gaussian
block (:data:`model.population.blocks.GAUSSIAN_SLOTS`) leaves the block of the others as it is.

No Gaussian block can carry the GI likelihood: a person without a GI night while taking a
form has a likelihood in that form's GI effect that rises monotonically as the effect
decreases (flat towards minus infinity). So each person's GI nights are kept as sufficient
statistics (:class:`GiCounts`: the distinct rows of ``single``, with the nights and GI nights
of each; the log-likelihood is ``sum events * eta - nights * log(1 + e^eta)``, exactly the
Bernoulli one of the nights; the covariates' GI shifts are not carried: a person's GI
effects here hold the drinks' and day sleeps' loose nights too), and the population graph
carries each person's GI intercept and GI effects as latent variables (:func:`gi_loglik`),
non-centred: ``theta[p, f] = beta[f, gi] + sd_resp[gi] r[p] + sd_dev[gi] z[p, f]``,
``r, z ~ N(0, 1)`` (the structure :func:`~model.population.blocks.marginal_loglik`
integrates out for the other outcomes), intercept ``intercept_mu + INTERCEPT_SD u[p]``
(the personal model's prior).

A sampler's dimension is fixed when its log-density is compiled, so the graph holds latent
variables for ``capacity`` persons (:func:`capacity_for`: a multiple of
:data:`PERSON_BLOCK`); the data (rows, persons) have no fixed shapes, and the latent variables
of persons beyond those fitted have no rows: they stay standard normal and change nothing else.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import pymc as pm
import pytensor.tensor as pt

from model.core.forms import FORMS
from model.core.outcomes import OUTCOMES
from model.likelihood.families import INTERCEPT_SD

GI = OUTCOMES.index("gi")
PERSON_BLOCK = 32
"""The population graph holds GI latent variables for a multiple of 32 persons."""
GI_PARAMETERS = ("gi_intercept_z", "gi_resp_z", "gi_dev_z")
"""The per-person latent variables (standard normal) of :func:`gi_loglik`."""


def binomial_logit(events: Any, nights: Any, eta: Any, xp: Any = np) -> Any:
    """``events * eta - nights * log(1 + e^eta)``: the log-likelihood of counts at log odds.

    The sum of the Bernoulli log-probabilities of ``nights`` nights with ``events`` GI nights
    among them (no binomial coefficient: it does not depend on the parameters); zero for a
    row of no nights. ``xp`` is ``numpy`` or ``pytensor.tensor``.
    """
    return events * eta - nights * xp.logaddexp(0.0, eta)


@dataclass(frozen=True)
class GiCounts:
    """A person's GI nights as sufficient statistics.

    Attributes
    ----------
    doses : numpy.ndarray
        ``(row, form)`` distinct single-intake loads of the nights with a GI record (zero
        in the columns of forms not taken).
    nights : numpy.ndarray
        ``(row,)`` nights with that load (their likelihood weights summed).
    events : numpy.ndarray
        ``(row,)`` GI nights among them (weighted).
    intercept_mu : float
        Mean of the personal model's prior of the GI intercept (log odds without magnesium;
        its SD is :data:`~model.likelihood.families.INTERCEPT_SD`).
    """

    doses: np.ndarray
    nights: np.ndarray
    events: np.ndarray
    intercept_mu: float

    @classmethod
    def empty(cls) -> GiCounts:
        """No GI record (no rows: the intercept's prior mean changes nothing, so 0)."""
        return cls(np.zeros((0, len(FORMS))), np.zeros(0), np.zeros(0), 0.0)

    @property
    def tried(self) -> np.ndarray:
        """``(form,)`` whether a night with a GI record had a dose of the form."""
        return (self.doses > 0).any(axis=0)

    def loglik(self, intercept: float, theta_gi: np.ndarray) -> float:
        """The GI log-likelihood (:func:`binomial_logit`) at ``(form,)`` GI effects."""
        eta = intercept + self.doses @ theta_gi
        return float(np.sum(binomial_logit(self.events, self.nights, eta)))


def gi_counts(data: Mapping[str, np.ndarray]) -> GiCounts:
    """A person's :class:`GiCounts` from the personal graph's data (:func:`diary_data`).

    Reads ``single``, ``gi_y``, ``gi_w`` and ``intercept_mu`` (its GI entry, the last):
    the exposure and the GI records are the personal model's own. Nights of weight zero
    (no GI record, padding) are left out.
    """
    kept = np.asarray(data["gi_w"]) > 0
    weight = np.asarray(data["gi_w"], dtype=float)[kept]
    doses, row = np.unique(np.asarray(data["single"], dtype=float)[kept], axis=0,
                           return_inverse=True)
    row = row.ravel()
    events = np.asarray(data["gi_y"], dtype=float)[kept] * weight
    return GiCounts(doses.reshape(-1, len(FORMS)),
                    np.bincount(row, weights=weight, minlength=len(doses)),
                    np.bincount(row, weights=events, minlength=len(doses)),
                    float(np.asarray(data["intercept_mu"])[-1]))


class StackedGi(NamedTuple):
    """Persons' :class:`GiCounts` padded to one number of rows (padding: no nights)."""

    gi_doses: np.ndarray
    """``(person, row, form)``"""
    gi_nights: np.ndarray
    """``(person, row)``"""
    gi_events: np.ndarray
    """``(person, row)``"""
    gi_intercept_mu: np.ndarray
    """``(person,)``"""


def stack_gi(counts: Sequence[GiCounts]) -> StackedGi:
    """Pad the persons' counts to the largest number of rows (at least one) and stack them."""
    size = max([1, *(len(c.nights) for c in counts)])
    doses = np.zeros((len(counts), size, len(FORMS)))
    nights, events = np.zeros((len(counts), size)), np.zeros((len(counts), size))
    for p, c in enumerate(counts):
        k = len(c.nights)
        doses[p, :k], nights[p, :k], events[p, :k] = c.doses, c.nights, c.events
    return StackedGi(doses, nights, events, np.array([c.intercept_mu for c in counts]))


def capacity_for(persons: int) -> int:
    """The latent capacity of a graph that fits ``persons``: a multiple of :data:`PERSON_BLOCK`."""
    return max(1, math.ceil(persons / PERSON_BLOCK)) * PERSON_BLOCK


def gi_loglik(stacked: StackedGi, beta: pt.TensorVariable, sd_resp: pt.TensorVariable,
              sd_dev: pt.TensorVariable) -> pt.TensorVariable:
    """``(person,)`` GI log-likelihood of each person, adding the persons' latent variables.

    To the model in context, which must have the coordinates ``gi_person`` (the capacity)
    and ``form``, adds :data:`GI_PARAMETERS` (see the module docstring). ``stacked`` is
    :class:`StackedGi`; its fields may be tensors (``pm.Data``) of any number of rows and of
    at most ``capacity`` persons.
    """
    doses, nights, events, intercept_mu = (pt.as_tensor(x) for x in stacked)
    persons = nights.shape[0]
    # the capacity as a constant shape, not only a coordinate: a compiled graph is keyed by
    # its constants, and coordinates' lengths are shared variables that do not enter the key
    capacity = len(pm.modelcontext(None).coords["gi_person"])
    intercept_z = pm.Normal("gi_intercept_z", 0.0, 1.0, shape=capacity,
                            dims="gi_person")[:persons]
    resp_z = pm.Normal("gi_resp_z", 0.0, 1.0, shape=capacity, dims="gi_person")[:persons]
    dev_z = pm.Normal("gi_dev_z", 0.0, 1.0, shape=(capacity, len(FORMS)),
                      dims=("gi_person", "form"))[:persons]
    theta = beta[None, :, GI] + sd_resp[GI] * resp_z[:, None] + sd_dev[GI] * dev_z   # (P, F)
    eta = (intercept_mu + INTERCEPT_SD * intercept_z)[:, None] + pt.sum(
        doses * theta[:, None, :], axis=2)                                            # (P, R)
    return pt.sum(binomial_logit(events, nights, eta, pt), axis=1)
