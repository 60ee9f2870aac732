"""Compile the personal model into the disk cache ahead of the first analysis.

The first fit on a machine compiles the personal graph (about a minute on two cores, most of
a first ``mgsleep analyze``). The compiled code depends on the graph alone, not on a diary's
length, its forms or the priors (all are ``pm.Data``; :func:`model.inference.cache_key.
graph_key`), so compiling once, here, serves every later diary. ``make install`` ends with

    python -m model.personal.warmup

which compiles (or loads) the graph and checks it with a short fit of a two-week diary.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from model.data.diary import read_diary
from model.inference.compile_cache import is_cached, manifest_dir
from model.inference.samplers import sampler_available
from model.inference.sampling import SamplerConfig, run_nuts
from model.personal.fit import PersonalModel
from model.personal.sampler import GRAPHS

WARM_NIGHTS = 14
"""Nights of the warm-up diary: a baseline week, then a week of glycinate."""


@dataclass(frozen=True)
class WarmUp:
    """What a warm-up did.

    Attributes
    ----------
    compiled : bool or None
        True when the graph was compiled, False when the disk cache already held it, None
        when the cache does not say.
    seconds : float
        Wall time of the compilation (or loading) and the check fit.
    draws : int
        Finite draws of the check fit.
    """

    compiled: bool | None
    seconds: float
    draws: int


def warm_diary() -> pd.DataFrame:
    """A small valid diary (fixed values): a baseline week, then glycinate 300 mg."""
    nights = np.arange(WARM_NIGHTS)
    taking = nights >= WARM_NIGHTS // 2
    return pd.DataFrame({
        "date": pd.date_range("2026-01-01", periods=WARM_NIGHTS).strftime("%Y-%m-%d"),
        "form": np.where(taking, "glycinate", ""),
        "elemental_mg": np.where(taking, 300.0, np.nan),
        "sol_min": 20.0 + 5.0 * (nights % 3), "awakenings": nights % 2,
        "quality": 2 + nights % 3, "freshness": 4 + nights % 4, "anxiety": nights % 5,
    })


def warm_up(seed: int = 0) -> WarmUp:
    """Compile (or load) the personal graph and check it with a short fit.

    Returns
    -------
    WarmUp

    Raises
    ------
    RuntimeError
        When the check fit gives a non-finite draw (a broken compilation).
    """
    start = time.perf_counter()
    compiled = not is_cached(GRAPHS.get("pymc").graph)
    data = PersonalModel().graph_data(read_diary(warm_diary(), warn=False))
    config = SamplerConfig(sampler="nutpie", draws=20, tune=20, chains=1, seed=seed)
    theta = np.asarray(run_nuts(GRAPHS, config, data=data)["posterior"]["theta"].to_numpy())
    if not np.isfinite(theta).all():
        raise RuntimeError("the compiled personal model gave non-finite draws")
    return WarmUp(compiled, time.perf_counter() - start, theta.shape[1])


def report(warm: Callable[[], WarmUp], said: Callable[[WarmUp], str], skipped: str) -> int:
    """Run a warm-up and say on standard error what it did (``skipped``: without nutpie).

    ``said`` words the line after ``mgsleep: ``; the exit status is 0 either way.
    """
    line = skipped if not sampler_available("nutpie") else said(warm())
    print(f"mgsleep: {line}", file=sys.stderr)
    return 0


def main() -> int:
    """Warm the compile cache and say what was done (``python -m model.personal.warmup``)."""
    def said(done: WarmUp) -> str:
        what = "compiled the personal model" if done.compiled else "the personal model was cached"
        return (f"{what} ({done.seconds:.0f} s, checked with a {done.draws}-draw fit); the first "
                f"analysis on this machine will not compile it (cache: {manifest_dir()})")

    return report(warm_up, said, "nutpie is not installed: nothing to compile ahead (fits use "
                                 "PyMC's own sampler)")


if __name__ == "__main__":
    sys.exit(main())
