"""The one place that runs MCMC: :func:`sample_posterior` names the NUTS sampler explicitly."""

from __future__ import annotations

import importlib.util

import pymc as pm
import xarray as xr

from model.core.errors import MgsleepError

SAMPLERS: dict[str, tuple[str, ...]] = {
    "nutpie": ("nutpie",),
    "pymc": (),
    "numpyro": ("numpyro", "jax"),
    "blackjax": ("blackjax", "jax"),
}
"""Known NUTS samplers and the packages each needs."""


def sampler_available(sampler: str) -> bool:
    """Return True when ``sampler`` is known and every package it needs is importable."""
    needs = SAMPLERS.get(sampler)
    return needs is not None and all(importlib.util.find_spec(p) is not None for p in needs)


def default_sampler() -> str:
    """Return the default sampler: ``nutpie`` when installed, else PyMC's own NUTS."""
    return "nutpie" if sampler_available("nutpie") else "pymc"


def resolve_sampler(sampler: str | None) -> str:
    """Return ``sampler`` (or the default) after checking that it can run.

    Raises
    ------
    MgsleepError
        When the sampler is unknown or its packages are not installed.

    """
    name = default_sampler() if sampler is None else sampler
    if name not in SAMPLERS:
        raise MgsleepError(f"unknown sampler {name!r}; expected one of {', '.join(SAMPLERS)}")
    if not sampler_available(name):
        missing = " and ".join(SAMPLERS[name])
        raise MgsleepError(
            f"sampler {name!r} needs {missing}, which is not installed; "
            f"install it or choose --sampler pymc"
        )
    return name


def sample_posterior(
    pm_model: pm.Model,
    *,
    draws: int = 1000,
    tune: int = 1000,
    chains: int = 4,
    sampler: str | None = None,
    random_seed: int | None = None,
    progressbar: bool = False,
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
        With groups ``posterior``, ``sample_stats`` and ``observed_data``.

    Raises
    ------
    MgsleepError
        When the requested sampler is unknown or not installed.

    """
    name = resolve_sampler(sampler)
    with pm_model:
        return pm.sample(
            draws=draws,
            tune=tune,
            chains=chains,
            cores=min(chains, 2),
            nuts_sampler=name,
            random_seed=random_seed,
            progressbar=progressbar,
            target_accept=target_accept,
        )
