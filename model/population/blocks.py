"""Per-person blocks of the population stage: each person's likelihood as one Gaussian block.

A person's approximate likelihood is carried over the *coordinates* the person informs: the
form x outcome effects of the forms tried (``theta[f, o]``) and the expectation (taking
anything) effect of each sleep outcome, in the order of :data:`COORDINATES`; the GI effects
are not among them (:data:`GAUSSIAN_SLOTS`): their Bernoulli likelihood, which no Gaussian
represents, is carried exactly as counts (:mod:`model.population.gi`). Within a person
these are correlated (tried forms share the baseline and the expectation term), so the block
keeps a full precision matrix ``L`` and an information vector ``h = L m`` (canonical form:
``log lik(u) = -u'Lu/2 + h'u + const``); ``L`` may be singular (a direction the diary does not
inform), which the canonical form represents exactly.

The population stage integrates each person's coordinates out against the population
distribution ``u ~ N(m, S)`` exactly (:func:`marginal_loglik`). With ``e = h - L m`` and
``P = L + S^{-1}``,

``log p(y) = -m'Lm/2 + h'm - (log|S| + log|P|)/2 + e'P^{-1}e/2 + const``,

which needs no inverse of ``L``. ``S`` is the population's structure restricted to the person's
coordinates: for the effects of one outcome a spread on the diagonal plus one responsiveness
shared across forms (compound symmetry), for the expectation terms a diagonal, so ``S^{-1}``
and ``log|S|`` are closed forms and the only factorisation per person is one Cholesky of
``P``. The form stays exact as ``S`` shrinks (``P^{-1} -> S``: nothing cancels).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pytensor.tensor as pt

from model.core.forms import FORMS
from model.core.outcomes import OUTCOMES, SLEEP_OUTCOMES
from model.population.gaussian_op import gaussian_term
from model.population.gi import GI, GiCounts, StackedGi, stack_gi

N_EFFECTS = len(FORMS) * len(OUTCOMES)
COORDINATES: tuple[str, ...] = tuple(f"{f} x {o}" for f in FORMS for o in OUTCOMES) + tuple(
    f"expectation x {s}" for s in SLEEP_OUTCOMES)
"""A block's coordinates: effects ``theta[f, o]`` (row-major), then expectation per sleep
outcome."""
MIN_INFORMATION = 0.05
"""Keep a coordinate when its likelihood precision is at least 5 % of the prior's."""
OUTCOME_OF_SLOT = np.array([i % len(OUTCOMES) for i in range(N_EFFECTS)]
                           + [len(OUTCOMES)] * (len(SLEEP_OUTCOMES) + 1))
"""The outcome index of each coordinate (and of padding, the last): ``len(OUTCOMES)`` where
the coordinate is no effect (an expectation term, padding)."""
GAUSSIAN_SLOTS = np.flatnonzero(OUTCOME_OF_SLOT[:len(COORDINATES)] != GI)
"""The coordinates a block may hold: all but the GI effects (:mod:`model.population.gi`)."""
EIGEN_TOLERANCE = 1e-8
"""Eigenvalues below ``-EIGEN_TOLERANCE x`` the largest are a real defect (warned about);
smaller ones are rounding and are set to zero quietly."""
MONTE_CARLO_Z = 3.0
"""For a posterior covariance estimated from ``draws`` draws: a negative eigenvalue of the
likelihood precision within ``MONTE_CARLO_Z`` standard errors of the estimate (relative error
``sqrt(2 / draws)`` of the posterior precision in that direction) is sampling noise in a
direction the diary does not inform, set to zero quietly like rounding."""


@dataclass(frozen=True)
class PersonBlock:
    """A person's approximate likelihood over the coordinates the person informs.

    Attributes
    ----------
    person : str
        Name (the diary's source).
    nights : int
        Recorded nights.
    slots : numpy.ndarray
        ``(k,)`` indices into :data:`COORDINATES`.
    information : numpy.ndarray
        ``(k,)`` information vector ``h = L m``.
    precision : numpy.ndarray
        ``(k, k)`` positive semi-definite precision ``L``.
    gi : GiCounts
        The person's GI nights (their likelihood, exact; :mod:`model.population.gi`).
    """

    person: str
    nights: int
    slots: np.ndarray
    information: np.ndarray
    precision: np.ndarray
    gi: GiCounts = field(default_factory=GiCounts.empty)

    def mean(self) -> np.ndarray:
        """The likelihood's centre ``L^+ h`` (minimum norm where ``L`` is singular)."""
        return np.linalg.pinv(self.precision) @ self.information


def _nearest_psd(matrix: np.ndarray, person: str, posterior_precision: np.ndarray,
                 draws: float | None) -> tuple[np.ndarray, np.ndarray]:
    """Nearest positive semi-definite matrix (Frobenius) and the projector on kept directions.

    Negative eigenvalues become zero: those directions carry no information. Warns, naming
    the person, when one is negative by more than rounding (:data:`EIGEN_TOLERANCE`) and, for
    a posterior estimated from ``draws`` draws, by more than its sampling noise
    (:data:`MONTE_CARLO_Z`) in that direction of ``posterior_precision``.
    """
    values, vectors = np.linalg.eigh(0.5 * (matrix + matrix.T))
    scale = max(float(np.abs(values).max()), 1e-300)
    allowed = np.full(values.shape, EIGEN_TOLERANCE * scale)
    if draws is not None:
        along = np.einsum("ji,jk,ki->i", vectors, posterior_precision, vectors)
        allowed = np.maximum(allowed, MONTE_CARLO_Z * np.sqrt(2.0 / draws) * along)
    if (values < -allowed).any():
        warnings.warn(f"{person}: the likelihood block is not positive semi-definite "
                      f"(smallest eigenvalue {values.min():.3g}); it is projected onto the "
                      f"nearest one ({int((values < 0).sum())} of {values.size} directions "
                      "carry no information from this person)", UserWarning, stacklevel=3)
    kept = vectors[:, values > 0]
    return vectors @ np.diag(np.maximum(values, 0.0)) @ vectors.T, kept @ kept.T


def block_from_posterior(person: str, nights: int, mean: np.ndarray, covariance: np.ndarray,
                         prior_mean: np.ndarray, prior_var: np.ndarray,
                         gi: GiCounts | None = None, draws: float | None = None) -> PersonBlock:
    """A person's likelihood block: a normal posterior over :data:`COORDINATES` / its prior.

    The posterior ``N(mean, covariance)`` was obtained under independent normal priors
    ``N(prior_mean, prior_var)``; dividing them out leaves the likelihood (nuisance parameters
    are already integrated out). Only :data:`GAUSSIAN_SLOTS` are kept (the GI effects are
    ``gi``'s, uncorrelated with the rest: :mod:`model.population.gi`). Of those, coordinates
    with a non-positive posterior variance are left out with a warning each; of the rest,
    those whose likelihood precision is below
    :data:`MIN_INFORMATION` of the prior's carry no information and are left out quietly.
    A likelihood precision that is not positive semi-definite (a posterior covariance that
    is not positive definite, or wider than the prior in some direction) is projected onto
    the nearest one, with a warning naming the person: the directions of negative curvature
    carry no information. ``draws``: the effective number of draws the posterior was
    estimated from (None for an exact one), whose noise in a direction the diary does not
    inform is no defect (:data:`MONTE_CARLO_Z`).
    """
    variance = np.diag(covariance)
    gaussian = np.isin(np.arange(len(variance)), GAUSSIAN_SLOTS)
    curved = gaussian & np.isfinite(variance) & (variance > 0)
    gi = gi or GiCounts.empty()
    for i in np.flatnonzero(gaussian & ~curved):
        warnings.warn(f"{person}: the posterior variance of the {COORDINATES[i]} effect is not "
                      "positive; that effect is left out for this person", UserWarning,
                      stacklevel=3)
    marginal = np.where(curved, 1.0 / np.where(curved, variance, 1.0), 0.0) - 1.0 / prior_var
    slots = np.flatnonzero(curved & (marginal >= MIN_INFORMATION / prior_var))
    if slots.size == 0:
        return PersonBlock(person, nights, slots, np.zeros(0), np.zeros((0, 0)), gi)
    post_precision = np.linalg.pinv(covariance[np.ix_(slots, slots)], hermitian=True)
    precision = post_precision - np.diag(1.0 / prior_var[slots])
    information = post_precision @ mean[slots] - prior_mean[slots] / prior_var[slots]
    precision, kept = _nearest_psd(precision, person, post_precision, draws)
    return PersonBlock(person, nights, slots, kept @ information, precision, gi)


class StackedBlocks(NamedTuple):
    """Persons' blocks and GI counts, stacked: the data of the population graph.

    Blocks are padded to one size ``K`` (padding: slot -1, zero information), GI counts to
    one number of rows (no nights; :class:`~model.population.gi.StackedGi`).
    """

    information: np.ndarray
    """``(person, K)``"""
    precision: np.ndarray
    """``(person, K, K)``"""
    slots: np.ndarray
    """``(person, K)`` indices into :data:`COORDINATES`, -1 for padding."""
    gi_doses: np.ndarray
    """``(person, row, form)``"""
    gi_nights: np.ndarray
    """``(person, row)``"""
    gi_events: np.ndarray
    """``(person, row)``"""
    gi_intercept_mu: np.ndarray
    """``(person,)``"""

    @property
    def gi(self) -> StackedGi:
        """The GI fields."""
        return StackedGi(self.gi_doses, self.gi_nights, self.gi_events, self.gi_intercept_mu)


def stack_likelihoods(blocks: Sequence[PersonBlock]) -> StackedBlocks:
    """Pad the persons' blocks to the largest one (at least one slot) and stack them."""
    size = max([1, *(len(b.slots) for b in blocks)])
    info = np.zeros((len(blocks), size))
    prec = np.zeros((len(blocks), size, size))
    slots = np.full((len(blocks), size), -1, dtype=np.int64)
    for p, block in enumerate(blocks):
        k = len(block.slots)
        info[p, :k], prec[p, :k, :k], slots[p, :k] = block.information, block.precision, \
            block.slots
    return StackedBlocks(info, prec, slots, *stack_gi([b.gi for b in blocks]))


def informative_persons(blocks: Sequence[PersonBlock]) -> np.ndarray:
    """``(form, outcome)`` number of persons informing each effect.

    Those whose block holds it; for GI, those whose GI counts have nights on the form.
    """
    counts = np.zeros(len(COORDINATES), dtype=int)
    for block in blocks:
        counts[block.slots] += 1
    table = counts[:N_EFFECTS].reshape(len(FORMS), len(OUTCOMES))
    table[:, GI] += np.sum([b.gi.tried for b in blocks], axis=0, dtype=int)
    return table


def marginal_loglik(stacked: StackedBlocks, beta: pt.TensorVariable,
                    sd_resp: pt.TensorVariable, sd_dev: pt.TensorVariable,
                    mu_exp: pt.TensorVariable, sd_exp: pt.TensorVariable) -> pt.TensorVariable:
    """``(person,)`` log marginal likelihood of each block under the population (to a constant).

    The population: ``theta[f, o] = beta[f, o] + r[o] + dev[f, o]`` with ``r ~ N(0,
    sd_resp[o])`` shared across forms and ``dev ~ N(0, sd_dev[o])``; expectation ``e[s] ~
    N(mu_exp[s], sd_exp[s])``. ``stacked`` is :class:`StackedBlocks` (its GI fields are
    not read here: :func:`~model.population.gi.gi_loglik`); its fields may be
    tensors (e.g. ``pm.Data``), so one graph serves any number and size of blocks. The
    closed form is the module docstring's: for the ``n`` effects of one outcome that a person
    carries, ``S = d I + a 11'`` (``d = sd_dev^2``, ``a = sd_resp^2``), so ``S^{-1} = I/d -
    a 11' / (d (d + n a))`` and ``log|S| = n log d + log(1 + n a / d)``; a padding slot is a
    coordinate of variance 1 and no information, which adds nothing.
    """
    information, precision, slots = (pt.as_tensor(x) for x in (
        stacked.information, stacked.precision, stacked.slots))
    n_out = len(OUTCOMES)
    index = pt.switch(slots < 0, len(COORDINATES), slots)
    outcome = pt.as_tensor(OUTCOME_OF_SLOT)[index]                          # (P, K)
    shared = pt.eq(outcome[:, :, None], outcome[:, None, :]) & (outcome < n_out)[:, :, None]
    count = pt.sum(shared, axis=2)                          # the person's effects of the outcome
    one = pt.ones(1)
    centre = pt.concatenate([pt.flatten(beta), mu_exp, 0.0 * one])[index]         # (P, K)
    var = pt.concatenate([pt.tile(sd_dev**2, len(FORMS)), sd_exp**2, one])[index]  # (P, K)
    resp = pt.concatenate([sd_resp**2, 0.0 * one])[outcome]                       # (P, K)
    log_det_s = pt.sum(pt.log(var) + pt.log1p(count * resp / var) / pt.maximum(count, 1),
                       axis=1)
    s_inv = (pt.eye(slots.shape[1])[None] / var[:, :, None]
             - shared * (resp / (var * (var + count * resp)))[:, :, None])
    lam_centre = pt.sum(precision * centre[:, None, :], axis=2)                   # (P, K)
    return (-0.5 * pt.sum(centre * lam_centre, axis=1) + pt.sum(information * centre, axis=1)
            - 0.5 * log_det_s
            + gaussian_term(precision + s_inv, information - lam_centre))
