"""A cache for functions of frozen objects, keyed by the objects themselves (their identity).

The safety rules (a frozen :class:`model.evidence.schema.Safety`) are read by every decision:
indexed for names (:meth:`model.evidence.names.NameIndex.of`) and checked against the safety
floor (:func:`model.evidence.floor.loosened_in_use`, by
:func:`model.decision.screening.screen`) nine times and once a decision, a fifth of its 98 ms
(13 ms once they are made once and the shown changes taken in one array). A frozen object
holding a dict cannot be hashed, and comparing two for equality costs as much as the work
saved, so the cache keeps the objects themselves beside the result: an object kept alive
cannot lend its ``id`` to another one. A result is shared by every caller: none may change it.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable

KEPT = 16
"""Calls remembered per function (the oldest is forgotten first)."""


def identity_cache[**P, R](function: Callable[P, R]) -> Callable[P, R]:
    """Remember ``function``'s result for each of the last :data:`KEPT` calls.

    A call is the same when each argument is the very object given before.

    Parameters
    ----------
    function : callable
        A function of frozen objects (never changed after they are made).

    Returns
    -------
    callable
        The same function, computed once per arguments while they are remembered.

    """
    kept: dict[tuple[object, ...], tuple[tuple[object, ...], R]] = {}
    lock = threading.Lock()

    @functools.wraps(function)
    def cached(*args: P.args, **kwargs: P.kwargs) -> R:
        given = (*args, *kwargs.values())
        key = (*map(id, given), *kwargs)
        with lock:
            hit = kept.get(key)
        if hit is not None and all(a is b for a, b in zip(hit[0], given, strict=True)):
            return hit[1]
        result = function(*args, **kwargs)
        with lock:
            if len(kept) >= KEPT:
                kept.pop(next(iter(kept)))
            kept[key] = (given, result)
        return result

    return cached
