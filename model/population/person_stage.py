"""The per-person stage of the population fit: each person's likelihood as one block.

:func:`person_likelihood` fits one person's personal model under wide, a priori independent
priors and turns its posterior into a :class:`~model.population.blocks.PersonBlock` (the
priors divided out); :func:`likelihoods` does it for every diary, serially or through Dask.
:class:`~model.population.hierarchical.PopulationModel` then integrates the blocks out.
"""

from __future__ import annotations

import dataclasses
import logging
import warnings
from collections.abc import Callable, Sequence
from typing import Literal

import numpy as np

from model.core.forms import FORMS
from model.core.outcomes import OUTCOMES, SLEEP_OUTCOMES
from model.data.diary import Diary
from model.evidence.priorset import PriorSet
from model.inference.density import graph_density
from model.inference.diagnostics import check_convergence
from model.inference.laplace import laplace
from model.inference.sampling import SamplerConfig, run_nuts
from model.personal.data import diary_data, diary_size
from model.personal.sampler import GRAPHS
from model.population.blocks import PersonBlock, block_from_posterior
from model.population.gi import gi_counts

WIDE_SMD = 1.0
"""The per-person stage's priors: every effect the population pools (each form x outcome, and
the expectation per sleep outcome) ~ N(0, (1 SMD)^2), a priori independent, divided out of
each person's posterior. Moment matching and division are exact for a normal posterior, and
a posterior is nearer normal the more its prior holds it where the population puts people:
against the joint fit of 20 simulated persons (42 nights; two populations, seeds 5 and 6,
``benchmarks/population_joint.py``) the population quantities off by more than the test's
tolerance were 0 and 0 with 1 SMD, 0 and 0 with 1.5 (largest gaps 0.20 and 0.11 SD), 1 and 0
with 2 (the expectation spread of anxiety, 0.37 SD) and 9 with 4 (seed 5). Not narrower: the
division leaves a person's likelihood as the difference of two precisions, and the evidence's
own expectation prior, barely wider than a person's expectation likelihood, gave 4 of 70 off
with the Laplace fit."""


PersonFit = Literal["nuts", "laplace"]
"""How the per-person stage approximates a person's posterior (:func:`person_likelihood`)."""

PERSON_FIT = SamplerConfig(draws=1000, tune=500, chains=4)
"""NUTS settings of the per-person stage: those of a personal fit."""

HELD_SD = 0.01
"""The shared responsiveness's prior SD in the per-person stage's NUTS fit: held near zero so
that the effects stay a priori independent (its variance is under 0.1 % of any effect's prior
variance, the smallest being (1 x 0.5 SMD)^2). At 1e-4 the sampler met a direction a thousand
times narrower than the rest and diverged (246 divergences on a 90-night diary, then 55 steps
a draw in the longer rerun, against 15 at 0.01)."""


def person_likelihood(diary: Diary, priors: PriorSet, person: str | None = None, *,
                      fit: PersonFit = "nuts", seed: int = 0) -> PersonBlock:
    """One person's likelihood block (:mod:`.blocks`).

    A normal posterior over the effects and the expectation terms under wide priors, with
    those priors divided out.

    The personal model with a priori independent, wide effects and expectation terms
    (:data:`WIDE_SMD`; the shared responsiveness held at zero) is fitted and its posterior
    summarised by a mean and a covariance (:func:`~model.population.blocks.
    block_from_posterior` divides the priors out; warnings name the person for every effect
    without a positive variance and every block that is not positive definite):

    - ``"nuts"`` (default): the mean and covariance of NUTS draws (:data:`PERSON_FIT`, seeded
      by ``seed``). The expectation's posterior is a scale mixture over the noise scale, the
      AR(1) coefficient and the build-up time (its SD given each rises by a third to a half
      from their lowest to their highest fifth): the curvature at the mode understates its
      SD, by 15 % for sleep-onset latency and 4-6 % for the other outcomes on the 20 persons
      of ``benchmarks/population_joint.py``, which widened the population's spread of the
      expectation effect against the joint fit. Effects the diary cannot reach (forms never
      taken; the expectation when nothing was) keep their prior exactly, not Monte Carlo
      noise around it.
    - ``"laplace"``: the mode and the inverse curvature there
      (:func:`~model.inference.laplace.laplace`): 0.13-0.17 s against 3.5-4.7 s for a
      90-night diary.
    """
    name = person or diary.source
    smd = np.array([priors.settings.outcomes[o].smd_sd for o in OUTCOMES])
    wide = np.broadcast_to(WIDE_SMD * smd, (len(FORMS), len(OUTCOMES))).copy()
    wide_expectation = WIDE_SMD * smd[:len(SLEEP_OUTCOMES)]
    data = diary_data(diary, priors, 0.0, *diary_size(diary, priors))
    data |= {"prior_mean": np.zeros_like(wide), "prior_sd": wide,
             "dev_sd": np.zeros(len(OUTCOMES)), "resp_sd": np.ones(len(OUTCOMES)),
             "expect_mu": np.zeros_like(wide_expectation), "expect_sd": wide_expectation}
    prior_mean = np.r_[np.zeros(wide.size), data["expect_mu"]]
    prior_var = np.r_[wide.ravel(), data["expect_sd"]] ** 2
    draws = None
    if fit == "laplace":
        mean, covariance = laplace_moments(data, name)
    else:
        mean, covariance, draws = nuts_moments(data, seed, name)
        silent = ~informed(data)
        mean[silent] = prior_mean[silent]
        covariance[silent] = covariance[:, silent] = 0.0
        covariance[silent, silent] = prior_var[silent]
    return block_from_posterior(name, diary.n_recorded, mean, covariance, prior_mean,
                                prior_var, gi_counts(data), draws)


def informed(data: dict[str, np.ndarray]) -> np.ndarray:
    """Which coordinates of a block the diary's likelihood reaches.

    The effects of forms taken on some night, and the expectation terms when anything was.
    """
    taken = np.any(data["current"] != 0, axis=0)
    return np.r_[np.repeat(taken, len(OUTCOMES)),
                 np.full(len(SLEEP_OUTCOMES), bool(np.any(data["taking"] != 0)))]


def nuts_moments(data: dict[str, np.ndarray], seed: int,
                 name: str) -> tuple[np.ndarray, np.ndarray, float]:
    """Mean and covariance of the NUTS draws of the effects (row-major) and expectation terms.

    Also the smallest bulk ESS of those draws, the effective number of draws the covariance
    was estimated from.

    A fit that fails its checks is run once more as a personal fit is extended
    (:func:`~model.personal.fit.extended`: twice the draws, smaller steps); if that fails
    too, it is warned about, naming the person.
    """
    held = data | {"resp_sd": np.full(len(OUTCOMES), HELD_SD)}
    first = dataclasses.replace(PERSON_FIT, seed=seed)
    for config in (first, first.extended()):
        idata = run_nuts(GRAPHS, config, data=held)
        checked = check_convergence(idata, ["theta", "expectation"])
        if checked.ok:
            break
    else:
        warnings.warn(f"{name}: the per-person fit did not pass its checks (max R-hat "
                      f"{checked.max_rhat:.3f}, min bulk ESS {checked.min_ess_bulk:.0f}, "
                      f"{checked.divergences} divergences); its block may be off",
                      UserWarning, stacklevel=3)
    posterior = idata["posterior"].to_dataset()
    draws = np.concatenate([posterior[variable].to_numpy().reshape(-1, size) for variable, size
                            in (("theta", len(FORMS) * len(OUTCOMES)),
                                ("expectation", len(SLEEP_OUTCOMES)))], axis=1)
    return draws.mean(axis=0), np.cov(draws, rowvar=False), float(checked.min_ess_bulk)


def laplace_moments(data: dict[str, np.ndarray], label: str) -> tuple[np.ndarray, np.ndarray]:
    """Mode and inverse curvature of the effects (row-major) and expectation terms."""
    # The personal graph itself (compiled once per machine); its shared responsiveness is held
    # at 0, which leaves the effects a priori independent: theta = wide * theta_z.
    density = graph_density(GRAPHS, data)
    held = np.zeros(density.start.size, dtype=bool)
    held[density.slices["responsiveness"]] = True
    position = np.cumsum(~held) - 1                     # a free coordinate's place in ``x``

    def log_density(x: np.ndarray) -> tuple[float, np.ndarray]:
        point = np.zeros(density.start.size)
        point[~held] = x
        value, gradient = density.evaluate(point)
        return value, gradient[~held]

    fit = laplace(log_density, density.start[~held], label=label)
    index = np.r_[position[density.slices["theta_z"]], position[density.slices["expectation"]]]
    scale = np.r_[data["prior_sd"].ravel(), np.ones(len(SLEEP_OUTCOMES))]  # theta = wide * z
    covariance = scale[:, None] * fit.covariance[np.ix_(index, index)] * scale[None, :]
    return scale * fit.mode[index], covariance


Progress = Callable[[int], None]
"""Called as ``progress(done)`` each time a person's block is ready (e.g.
:class:`model.core.progress.ProgressLine`)."""


def likelihoods(diaries: Sequence[Diary], priors: PriorSet, *, workers: int = 0,
                scheduler: str | None = None, progress: Progress | None = None,
                fit: PersonFit = "nuts", seed: int = 0) -> list[PersonBlock]:
    """Per-person likelihood blocks, serially (``workers=0``) or through Dask.

    ``workers=N`` starts a local cluster of N single-threaded worker processes (its own
    logs are silenced: no shutdown noise on stderr); ``scheduler=ADDRESS`` uses an
    existing cluster. Person ``k`` is fitted with seed ``seed + k`` (:func:`person_likelihood`,
    ``fit``), so results are identical to the serial path and in the order of ``diaries``,
    and named by :func:`person_name`; ``progress`` is told of each person done. A person's
    warnings (a fit that failed its checks, an effect left out) are caught where the person
    was fitted, a Dask worker's process included, and raised again here, in the caller's
    process: a worker's own would reach nobody.
    """
    report = progress or (lambda done: None)
    jobs = [(diary, person_name(diary, k), seed + k) for k, diary in enumerate(diaries)]
    if workers <= 0 and scheduler is None:
        blocks = []
        for job in jobs:
            blocks.append(_relayed(_seeded_block(job, priors, fit)))
            report(len(blocks))
        return blocks
    from dask.distributed import Client, LocalCluster, as_completed

    # quiet: a task's error reaches us through gather; the cluster's own logs (a worker's
    # heartbeat to a scheduler already closed) are shutdown noise. Its HTTP endpoint listens
    # on a free local port, not 8787 (which warns when taken).
    cluster = None if scheduler else LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
        silence_logs=logging.CRITICAL,
        scheduler_kwargs={"dashboard": False, "dashboard_address": "127.0.0.1:0"})
    try:
        with Client(scheduler or cluster) as client:
            shared = client.scatter(priors, broadcast=True)  # sent once, not with every task
            futures = client.map(_seeded_block, jobs, priors=shared, fit=fit, pure=False)
            for done, _ in enumerate(as_completed(futures), start=1):
                report(done)
            return [_relayed(result) for result in client.gather(futures)]
    finally:
        if cluster is not None:
            cluster.close()


def person_name(diary: Diary, k: int) -> str:
    """How warnings and blocks name the ``k``-th diary: its file, else ``person {k + 1}``.

    Diaries read from data frames all have the source ``<DataFrame>``, which names nobody.
    """
    return f"person {k + 1}" if diary.source == "<DataFrame>" else diary.source


Caught = list[tuple[type[Warning], str]]
"""Warnings raised while a person was fitted: category and message."""


def _seeded_block(job: tuple[Diary, str, int], priors: PriorSet,
                  fit: PersonFit) -> tuple[PersonBlock, Caught]:
    """:func:`person_likelihood` of a ``(diary, name, seed)`` triple (one Dask task).

    Returned with the warnings it raised, caught for :func:`_relayed` (those the process's
    filters let through: a worker's ignore the deprecations of the libraries, as the caller's
    do).
    """
    diary, name, seed = job
    with warnings.catch_warnings(record=True) as caught:
        block = person_likelihood(diary, priors, name, fit=fit, seed=seed)
    return block, [(w.category, str(w.message)) for w in caught]


def _relayed(result: tuple[PersonBlock, Caught]) -> PersonBlock:
    """The block of a :func:`_seeded_block` result; its warnings are raised again here.

    The caller's filters decide which are shown.
    """
    block, caught = result
    for category, message in caught:
        warnings.warn(message, category, stacklevel=3)
    return block
