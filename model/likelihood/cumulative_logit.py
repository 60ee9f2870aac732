"""The cumulative-logit log-probability of an ordinal rating, for PyTensor and numpy alike.

:class:`model.likelihood.families.Ordinal` is the family; this module holds its arithmetic:
the open-ended outer categories (:func:`with_open_ends`), the per-category width term
(:func:`ordinal_log_width`) and the graph's log-probability (:func:`ordered_logistic_logp`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

OPEN_EDGE = 200.0
"""Where the outer categories' open ends sit, in logits (``c[0] = -OPEN_EDGE``, ``c[K] =
+OPEN_EDGE`` stand for minus and plus infinity). Far enough that the term they add is below
``exp(-185)`` for any linear predictor within 15 logits of zero; near enough that no argument
of a softplus leaves ``exp``'s range (|x| < 709) while ``|eta| < 500``. PyTensor's JAX softplus
evaluates every branch, ``exp(-x)`` included, and its gradient is NaN once one overflows
(pymc-devs/pytensor#2264): with ends at 1e6, numpyro diverged on every draw (blackjax samples
the same JAX graph)."""


def with_open_ends(cuts: Any, xp: Any = np) -> Any:
    """The cut-points ``(..., K - 1)`` with the open ends added on the last axis.

    ``-OPEN_EDGE`` first, ``+OPEN_EDGE`` last; numpy or PyTensor (``xp``).
    """
    end = xp.ones_like(cuts[..., :1]) * OPEN_EDGE
    return xp.concatenate([-end, cuts, end], axis=-1)


def ordinal_log_width(gaps: Any, xp: Any = np) -> Any:
    """Per category, ``log(1 - exp(-(c[k+1] - c[k])))``: 0 for the two open-ended ones.

    The one definition of the factored ordinal log-probability's width term, for numpy and
    PyTensor alike (``xp``); ``gaps`` on the last axis (``(..., K - 2)``).
    """
    zero = xp.zeros_like(gaps[..., :1])
    if xp is np:
        with np.errstate(divide="ignore"):
            inner = np.log(-np.expm1(-gaps))
    else:
        inner = xp.log1mexp(-gaps)
    return xp.concatenate([zero, inner, zero], axis=-1)


def ordered_logistic_logp(eta: Any, cut: Any, y: Any, gaps: Any = None) -> Any:
    """Cumulative-logit log probability of categories ``y`` (0 ... K-1), one cell per night.

    ``P(y) = sigmoid(a) - sigmoid(b)`` with ``a = c[y+1] - eta``, ``b = c[y] - eta``,
    ``c[0] = -inf, c[K] = +inf`` (:data:`OPEN_EDGE`), as PyMC's ``OrderedLogistic``, but
    evaluated only at the observed category (O(n), not O(n K): a third of the gradient's cost
    otherwise) and in the factored form ``log sigmoid(a) + log sigmoid(-b) + log(1 -
    exp(-(c[y+1] - c[y])))`` (:func:`ordinal_log_width`), which stays finite in the extreme
    tails. The last term does not depend on ``eta``: it is computed once per category, not per
    night, and the two softplus terms are all a night costs (a fifth less gradient time than
    the log difference of two sigmoids, ``benchmarks/bench_gradient.py``). ``gaps`` are the
    cut-points' gaps ``c[k+1] - c[k]`` when the graph has them (the ordinal prior's
    parameters); else they are taken from ``cut``.
    """
    import pytensor.tensor as pt

    edges = with_open_ends(cut, pt)
    width = ordinal_log_width(pt.diff(cut) if gaps is None else gaps, pt)
    return -pt.log1pexp(eta - edges[y + 1]) - pt.log1pexp(edges[y] - eta) + width[y]
