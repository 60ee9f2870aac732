"""Running nutpie on a compiled model: its settings, warm starts, and a run that Ctrl-C stops.

nutpie's Python ``sample`` builds the sampler's settings from its keyword arguments, and not
every setting of its sampler (nuts-rs) is among them: how often the low-rank mass matrix is
recomputed within an adaptation window (``mass_matrix_update_freq``, 20 draws by default) is
not. :func:`nuts_settings` builds the settings as ``nutpie.sample`` does and sets that one
through the settings object's own ``update_settings``; :func:`sample_nutpie` hands them to
nutpie's background sampler (nutpie 0.16 internals, as :mod:`model.inference.compile_cache`
relies on; ``tests/test_sampling_nutpie.py`` checks that every setting reaches the trace).

nutpie's progress display on a terminal is a table redrawn in place,
:data:`~model.core.progress.TABLE_COLUMNS` wide: on a narrower terminal the run counts its
draws on one plain line instead (:class:`DrawCount`), and
:func:`model.core.progress.show_progress` (``MGSLEEP_NO_PROGRESS``) can turn either off.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Mapping, Sequence
from importlib import import_module
from typing import Any

import numpy as np

from model.core.progress import (
    TABLE_COLUMNS,
    ProgressLine,
    in_ipython,
    show_progress,
    terminal_columns,
)

ADAPTATION = "low_rank"
"""nutpie's mass-matrix adaptation for every fit (``benchmarks/bench_sampler.py`` compares)."""

MAX_DEPTH = 10
"""nutpie's (and PyMC's) default tree depth. Capping it at 3 (7 leapfrog steps a draw) with
a target acceptance of 0.8-0.85 halves a personal fit's time but also its ESS: no gain in
ESS per second (``bench_sampler.py --variants 'low_rank:maxdepth=3,target_accept=0.85'``,
``benchmarks/README.md``), so the default stays."""

UPDATE_FREQ = 100
"""Draws between two recomputations of the low-rank mass matrix within a window (nutpie's
default: 20). Each recomputation takes thin SVDs of the window's draws and gradients and
eigendecompositions, at a cost that does not depend on the gradient's: on a 114-dimensional
normal (the personal graph has 114 parameters) 500 tuning draws took 378 ms at 20, 195 ms
at 60 and 129 ms at 200, at the same 7,804 leapfrog steps. In 27 pairs of whole personal
fits (2026-12-04; 4 chains x 1,000 draws after 500 tuning steps; 100 and 20 in turn on the
same seed; 120-night responder, two 120-night world diaries, 365-night responder, and
``bench_sampler.py --variants low_rank:update_freq=20``) a fit took 8 % less time (geometric
mean; SE 3 %), the worst-sampled scalar's bulk ESS was the same (-1 %, SE 2 %), no fit
diverged, R-hat at most 1.010 (``benchmarks/README.md``). Not used by the diagonal
adaptation."""


class DrawCount:
    """nutpie's progress callback as one line: the draws of all chains out of ``total``.

    The line (:class:`~model.core.progress.ProgressLine`, on standard error, cut to the
    terminal's width) is redrawn when its percentage changes, and :meth:`finish` ends it if
    the last callback came before the last draw.
    """

    def __init__(self, total: int) -> None:
        self.line = ProgressLine("sampling", total, width=terminal_columns(sys.stderr))
        self.shown = -1

    def __call__(self, chains: Sequence[Any]) -> None:
        """Show the draws done by ``chains`` (nutpie's ``ChainProgress`` objects)."""
        done = sum(chain.finished_draws for chain in chains)
        percent = 100 * done // self.line.total
        if percent != self.shown:
            self.shown = percent
            self.line(done)

    def finish(self) -> None:
        """End the line at every draw done (nothing if it already ended)."""
        if self.shown < 100:
            self.shown = 100
            self.line(self.line.total)


def progress_display(progressbar: bool, total: int) -> tuple[bool, DrawCount | None]:
    """A run's progress: nutpie's own display, a :class:`DrawCount` of ``total`` draws, or none.

    None unless ``progressbar`` and :func:`~model.core.progress.show_progress` agree;
    nutpie's own in a notebook (HTML) and on a terminal at least
    :data:`~model.core.progress.TABLE_COLUMNS` wide; else the one line.
    """
    if not progressbar or not show_progress(sys.stderr):
        return False, None
    if in_ipython() or terminal_columns(sys.stderr) >= TABLE_COLUMNS:
        return True, None
    return False, DrawCount(total)


def nuts_settings(*, draws: int, tune: int, chains: int, seed: int | None,
                  target_accept: float, maxdepth: int = MAX_DEPTH,
                  adaptation: str = ADAPTATION, update_freq: int = UPDATE_FREQ) -> Any:
    """The NUTS settings of a nutpie run, with unconstrained draws kept.

    ``adaptation`` is ``"low_rank"`` or ``"diag"``; ``update_freq`` (low rank only) is
    :data:`UPDATE_FREQ`'s setting.
    """
    from nutpie import _lib

    kinds = {"low_rank": _lib.PyNutsSettings.LowRank, "diag": _lib.PyNutsSettings.Diag}
    if adaptation not in kinds:
        raise ValueError(f"unknown nutpie adaptation {adaptation!r} (expected one of "
                         f"{', '.join(kinds)})")
    settings = kinds[adaptation](seed)
    settings.update({"num_draws": draws, "num_tune": tune, "num_chains": chains,
                     "target_accept": target_accept, "maxdepth": maxdepth})
    settings.store_unconstrained = True
    if adaptation == "low_rank":
        tree = settings.as_dict()["settings"]
        tree["adapt_options"]["mass_matrix_update_freq"] = update_freq
        settings.update_settings(tree)
    return settings


def warm_started(compiled: Any, starts: np.ndarray) -> Any:
    """A nutpie model whose chains begin at rows of ``starts`` (draws of an earlier fit)."""

    def start(chain_seed: int) -> np.ndarray:
        return starts[np.random.default_rng(chain_seed).integers(len(starts))].copy()

    return dataclasses.replace(compiled, initial_point_func=start)


def sample_nutpie(compiled: Any, *, data: Mapping[str, np.ndarray], draws: int, tune: int,
                  chains: int, cores: int, seed: int | None, target_accept: float,
                  progressbar: bool, starts: np.ndarray | None = None,
                  adaptation: str = ADAPTATION, maxdepth: int = MAX_DEPTH,
                  update_freq: int = UPDATE_FREQ, save_warmup: bool = False) -> Any:
    """Sample a compiled model with ``data`` (unconstrained draws kept).

    Called by :func:`model.inference.sampling.run_nuts`; ``starts`` warm-starts the chains
    (:func:`warm_started`); ``adaptation``, ``maxdepth`` and ``update_freq`` are
    :func:`nuts_settings`'; ``save_warmup`` keeps the tuning draws too; ``progressbar``
    asks for progress (:func:`progress_display` chooses which). Ctrl-C stops the sampler and
    is raised (``KeyboardInterrupt``): nutpie's own blocking call would return the draws so
    far, which a fit would then check, extend and even keep as if complete.
    """
    model = compiled.with_data(**data)
    if starts is not None:
        model = warm_started(model, starts)
    settings = nuts_settings(draws=draws, tune=tune, chains=chains, seed=seed,
                             target_accept=target_accept, maxdepth=maxdepth,
                             adaptation=adaptation, update_freq=update_freq)
    table, line = progress_display(progressbar, chains * (draws + tune))
    background = import_module("nutpie.sample")._BackgroundSampler  # noqa: SLF001 (module doc)
    sampler = background(model, settings, np.zeros(model.n_dim), cores,
                         progress_bar=table, progress_callback=line, save_warmup=save_warmup,
                         store_unconstrained=True)
    try:
        trace = sampler.wait()
    except BaseException:
        sampler.cancel()
        raise
    if line is not None:
        line.finish()
    return trace
