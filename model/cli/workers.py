"""The hook of the Dask workers a command starts (``mgsleep population --workers N``).

A worker that has fitted persons holds a large heap of PyTensor graphs and compiled functions.
When its interpreter exits, CPython's final garbage collection walks all of it, which takes
2-4 s on a busy two-core machine; the Dask nanny waits 4 s (80 % of its fixed 5 s close
timeout), then kills the worker and logs ``distributed.nanny - WARNING - Worker process still
alive after 4.0 seconds, killing`` on standard error. :func:`dask_teardown` runs in each worker
as it closes, after its last task: it moves every object out of the collector's reach
(:func:`gc.freeze`), so the interpreter exits in a fraction of a second and nothing is killed.
:func:`model.cli.main.main` names this module as the workers' preload.
"""

from __future__ import annotations

import gc
from typing import Any


def dask_teardown(worker: Any) -> None:
    """Called by Dask as ``worker`` closes: spare the exit its final garbage collection."""
    gc.freeze()
