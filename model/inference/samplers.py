"""Which NUTS samplers exist, which can run here, and the default: without importing PyMC.

A report names the sampler of a fit read back from the cache (:mod:`model.report.headline`),
and the cached re-analysis must not import PyMC for that; :mod:`model.inference.sampling`
runs them.
"""

from __future__ import annotations

import importlib.util

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
