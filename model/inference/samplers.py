"""Which NUTS samplers exist, which can run here, and the default: without importing PyMC.

A report names the sampler of a fit read back from the cache (:mod:`model.report.headline`),
and the cached re-analysis must not import PyMC for that; :mod:`model.inference.sampling`
runs them.
"""

from __future__ import annotations

import importlib.util
import numbers

from model.core.errors import MgsleepError

SAMPLERS: dict[str, tuple[str, ...]] = {
    "nutpie": ("nutpie",),
    "pymc": (),
    "numpyro": ("numpyro", "jax"),
    "blackjax": ("blackjax", "jax"),
}
"""Known NUTS samplers and the packages each needs."""

MAX_SEED = 2**32 - 1
"""The largest seed (the samplers take unsigned 32-bit seeds)."""

CHECKED_CHAINS = 2
"""The fewest chains of a fit whose checks mean anything: split R-hat compares chains."""


def check_settings(*, draws: int, tune: int, chains: int, seed: int | None,
                   least_chains: int = 1) -> None:
    """Refuse MCMC settings no sampler can run, naming the setting.

    Not a C overflow or a reshape error from deep inside a sampler later: draws and chains
    at least 1 (``least_chains`` for a fit whose checks must mean something), tune at least
    0, a seed from 0 to :data:`MAX_SEED`, each a whole number.

    Raises
    ------
    MgsleepError
        Naming the first setting out of range and why.

    """
    for name, value, low in (("draws", draws, 1), ("tune", tune, 0),
                             ("chains", chains, least_chains), ("seed", seed, 0)):
        if name == "seed" and value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) \
                or value < low or (name == "seed" and value > MAX_SEED):
            span = f"from 0 to {MAX_SEED}" if name == "seed" else f"at least {low}"
            why = (" (the fit's checks compare chains: split R-hat)"
                   if name == "chains" and low > 1 else "")
            raise MgsleepError(f"{name} must be a whole number {span}{why}, got {value!r}")


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
