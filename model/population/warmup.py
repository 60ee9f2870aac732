"""Compile the population stage into the disk caches ahead of its first use.

On a new machine ``mgsleep population`` (and notebook 05) first compiles the population graph
(numba, about 35 s on two cores). Each person's fit samples the personal graph
(:mod:`model.population.person_stage`), which :mod:`model.personal.warmup` compiled just
before. Compiled code is kept in PyTensor's compile
directory and serves any number of persons and nights, so compiling it once, here, serves
every later run. ``make install`` ends with

    python -m model.population.warmup

after :mod:`model.personal.warmup`; it fits the population stage to two copies of the
personal warm-up diary with a few draws.
"""

from __future__ import annotations

import sys
import time

import numpy as np

from model.data.diary import read_diary
from model.personal.warmup import WarmUp, report, warm_diary
from model.population.hierarchical import PopulationModel

WARM_DRAWS = 20
"""Draws (and tuning steps) of the check fit: enough to run every compiled function."""


def warm_up(seed: int = 0) -> WarmUp:
    """Compile (or load) the population stage's functions and check them with a short fit.

    Returns
    -------
    WarmUp
        ``compiled`` is None: the two caches are PyTensor's own, which do not say whether
        they held the functions.

    Raises
    ------
    RuntimeError
        When the check fit gives a non-finite draw (a broken compilation).
    """
    start = time.perf_counter()
    diaries = [read_diary(warm_diary(), warn=False) for _ in range(2)]
    fit = PopulationModel(draws=WARM_DRAWS, tune=WARM_DRAWS, chains=1, random_seed=seed,
                          extend=False).fit(diaries)
    beta = np.asarray(fit.idata_["posterior"]["beta"].to_numpy())
    if not np.isfinite(beta).all():
        raise RuntimeError("the compiled population stage gave non-finite draws")
    return WarmUp(None, time.perf_counter() - start, beta.shape[1])


def main() -> int:
    """Warm the caches and say so (``python -m model.population.warmup``)."""
    return report(warm_up, lambda done: (
        f"compiled (or loaded) the population stage ({done.seconds:.0f} s, checked with a "
        f"{done.draws}-draw fit); `mgsleep population` will not compile it"),
        "nutpie is not installed: the population stage is not compiled ahead")


if __name__ == "__main__":
    sys.exit(main())
