"""The one place that runs MCMC: every fit goes through :func:`run_nuts`.

A :class:`SamplerConfig` holds the settings of one fit (sampler, draws, tune, chains, seed,
target acceptance). :func:`run_nuts` samples a PyMC model with them; given the model's
nutpie compilation (:class:`CompiledGraph`) it samples that instead, with new data and
optionally chains warm-started at earlier draws. :func:`sample_posterior` is the keyword
form of :func:`run_nuts` for a plain PyMC model. nutpie's own calls live in
:mod:`model.inference.compile_cache`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pymc as pm
import xarray as xr

from model.core.errors import MgsleepError
from model.core.progress import SHOW_PROGRESS, show_progress
from model.inference.compile_cache import keep_generated_source
from model.inference.samplers import check_settings, resolve_sampler

EXTENDED_TARGET_ACCEPT = 0.97
"""Target acceptance of a run extending a fit that failed its checks, and of every run of a
diary of few nights (:data:`FEW_NIGHTS`); 0.9 otherwise."""

FEW_NIGHTS = 5
"""A diary of fewer recorded nights is sampled from its first run with the smaller steps of an
extension (:data:`EXTENDED_TARGET_ACCEPT`). Its posterior is mostly the prior's, funnel and
all: at 0.9 the first run of three diaries of 3 or 4 nights met 1-4 divergences at 37 of 55
seeds (and all three runs of one fit in the suite failed), of the demo diary's first 5 or 6
nights at 0 of 20; at 0.97, at 4 of 20 (one diary of 3 nights, 16 of 20 at 0.9), a run some
40 % longer, 3 s (2026-12-07)."""


@dataclass(frozen=True)
class SamplerConfig:
    """Settings of one NUTS fit.

    Attributes
    ----------
    sampler : str, optional
        ``nutpie``, ``pymc``, ``numpyro`` or ``blackjax`` (default :func:`default_sampler`).
    draws, tune, chains : int
        Retained draws and tuning steps per chain, and the number of chains.
    seed : int, optional
        Seed for reproducible draws.
    target_accept : float
        Target acceptance rate of the step-size adaptation (0.9 tolerates the funnels of
        hierarchical and latent-process models better than PyMC's 0.8).
    progressbar : bool
        Show the sampler's progress bar.
    adaptation : str, optional
        nutpie's mass-matrix adaptation (``"low_rank"`` or ``"diag"``); None:
        :data:`model.inference.nutpie_run.ADAPTATION`. Other samplers ignore it.

    """

    sampler: str | None = None
    draws: int = 1000
    tune: int = 1000
    chains: int = 4
    seed: int | None = None
    target_accept: float = 0.9
    progressbar: bool = dataclasses.field(default_factory=show_progress)
    adaptation: str | None = None

    def __post_init__(self) -> None:
        """Refuse settings no sampler can run (:func:`check_settings`)."""
        check_settings(draws=self.draws, tune=self.tune, chains=self.chains, seed=self.seed)
        if not 0.0 < self.target_accept < 1.0:
            raise MgsleepError(f"target_accept must be between 0 and 1, got "
                               f"{self.target_accept!r}")

    @property
    def cores(self) -> int:
        """Chains run in parallel on at most two cores (the machines have two)."""
        return min(self.chains, 2)

    def for_nights(self, nights: int) -> SamplerConfig:
        """These settings for a diary of ``nights`` recorded nights (:data:`FEW_NIGHTS`)."""
        if nights >= FEW_NIGHTS or self.target_accept >= EXTENDED_TARGET_ACCEPT:
            return self
        return dataclasses.replace(self, target_accept=EXTENDED_TARGET_ACCEPT)

    def extended(self) -> SamplerConfig:
        """The run extending a fit that failed its checks: twice the draws, smaller steps."""
        return dataclasses.replace(self, draws=2 * self.draws,
                                   target_accept=EXTENDED_TARGET_ACCEPT)

    def with_tune(self, tune: int) -> SamplerConfig:
        """The same settings with ``tune`` tuning steps."""
        return dataclasses.replace(self, tune=tune)


@dataclass
class CompiledGraph:
    """A PyMC graph whose data are ``pm.Data``, built once and compiled for nutpie on demand.

    Its data have no fixed shapes, so one compiled graph serves data sets of every size
    (:mod:`model.inference.compile_cache` also keeps the compiled code across processes).

    Parameters
    ----------
    build : callable
        Returns the graph; called on first use.

    """

    build: Callable[[], pm.Model]
    graph: pm.Model | None = None
    nutpie_model: Any = None

    def get(self, sampler: str) -> CompiledGraph:
        """Build the graph (and compile it when ``sampler`` is nutpie) on first use; self."""
        if self.graph is None:
            self.graph = self.build()
        if sampler == "nutpie" and self.nutpie_model is None:
            from model.inference.compile_cache import compile_nutpie

            self.nutpie_model = compile_nutpie(self.graph)
        return self


def run_nuts(model: pm.Model | CompiledGraph, config: SamplerConfig, *,
             data: Mapping[str, np.ndarray] | None = None,
             starts: np.ndarray | None = None) -> xr.DataTree:
    """Sample a posterior with NUTS: the one sampler entry point of the package.

    Parameters
    ----------
    model : pymc.Model or CompiledGraph
        The model. With nutpie either is sampled through its disk-cached compilation
        (:func:`model.inference.compile_cache.compile_nutpie`; low-rank mass matrix,
        unconstrained draws stored): a model whose data are ``pm.Data`` compiles once for
        every data set of its sizes.
    config : SamplerConfig
        Sampler settings.
    data : mapping, optional
        New values of the model's ``pm.Data`` (only with a :class:`CompiledGraph`).
    starts : numpy.ndarray, optional
        Unconstrained points (rows) the nutpie chains start at (warm start).

    Returns
    -------
    xarray.DataTree
        With groups ``posterior`` and ``sample_stats`` (and ``observed_data`` from PyMC).

    Raises
    ------
    MgsleepError
        When the requested sampler is unknown or not installed.

    """
    keep_generated_source()
    name = resolve_sampler(config.sampler)
    if name == "nutpie" and not isinstance(model, CompiledGraph):
        graph = model
        model = CompiledGraph(lambda: graph)
    if isinstance(model, CompiledGraph):
        compiled = model.get(name)
        graph = compiled.graph
        assert graph is not None
        with graph:  # nutpie's starting points (support point + jitter) read the graph's data
            pm.set_data(dict(data or {}))
        if name == "nutpie":
            from model.inference.nutpie_run import ADAPTATION, sample_nutpie

            return sample_nutpie(compiled.nutpie_model, data=data or {}, starts=starts,
                                 draws=config.draws, tune=config.tune, chains=config.chains,
                                 cores=config.cores, seed=config.seed,
                                 target_accept=config.target_accept,
                                 progressbar=config.progressbar,
                                 adaptation=config.adaptation or ADAPTATION)
        model = graph
    with model, contextlib.redirect_stdout(sys.stderr):   # PyMC prints its progress there:
        tree = pm.sample(                                  # stdout may carry the JSON
            draws=config.draws,
            tune=config.tune,
            chains=config.chains,
            cores=config.cores,
            nuts_sampler=name,
            random_seed=config.seed,
            progressbar=config.progressbar and show_progress(sys.stderr),  # as nutpie's
            target_accept=config.target_accept,
        )
    return whole_run(tree, config)


def whole_run(tree: xr.DataTree, config: SamplerConfig) -> xr.DataTree:
    """``tree`` when it holds every chain and draw asked for, else KeyboardInterrupt.

    PyMC catches Ctrl-C itself and returns the draws so far: a fit cut short was saved,
    cached and reused as if whole, and ``analyze`` exited 0 (an outside audit; nutpie's run
    raises, :mod:`model.inference.nutpie_run`).
    """
    sizes = tree["posterior"].sizes
    if sizes.get("chain", 0) < config.chains or sizes.get("draw", 0) < config.draws:
        raise KeyboardInterrupt
    return tree


def sample_posterior(
    pm_model: pm.Model,
    *,
    draws: int = 1000,
    tune: int = 1000,
    chains: int = 4,
    sampler: str | None = None,
    random_seed: int | None = None,
    progressbar: bool = SHOW_PROGRESS,
    target_accept: float = 0.9,
) -> xr.DataTree:
    """Sample the posterior of ``pm_model`` with NUTS.

    Parameters
    ----------
    pm_model : pymc.Model
        The model to sample.
    draws, tune, chains : int
        Retained draws and tuning steps per chain, and the number of chains.
    sampler : {"nutpie", "pymc", "numpyro", "blackjax"}, optional
        NUTS implementation, passed to ``pm.sample`` as ``nuts_sampler``; default
        :func:`default_sampler`.
    random_seed : int, optional
        Seed for reproducible draws.
    progressbar : bool
        Show a progress bar.
    target_accept : float
        Target acceptance rate of the step-size adaptation (0.9 tolerates the funnels of
        hierarchical and latent-process models better than PyMC's 0.8).

    Returns
    -------
    xarray.DataTree
        With groups ``posterior`` and ``sample_stats`` (see :func:`run_nuts`).

    Raises
    ------
    MgsleepError
        When the requested sampler is unknown or not installed.

    """
    config = SamplerConfig(sampler=sampler, draws=draws, tune=tune, chains=chains,
                           seed=random_seed, target_accept=target_accept,
                           progressbar=progressbar)
    return run_nuts(pm_model, config)
