"""The few special functions the numpy side of the model needs, without importing SciPy.

``import scipy.special`` also imports ``scipy.linalg``: about 0.3 s on the 2-core machine, a
seventh of the nightly re-analysis (``mgsleep analyze`` with a cached fit), which needs only
these. Each equals its SciPy namesake to rounding (``tests/test_special.py``):
:func:`expit`, :func:`log_expit`, :func:`logsumexp`, :func:`normal_quantile` (``ndtri``),
:func:`normal_cdf` (``ndtr``) and :func:`log_rising_factorial` (``gammaln(a + n) -
gammaln(a)`` for whole ``n``).
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
from numpy.typing import ArrayLike


def log_expit(x: ArrayLike) -> np.ndarray:
    """``log(1 / (1 + exp(-x)))``, exact in both tails.

    Three times as fast as ``-numpy.logaddexp(0, -x)`` and twice as fast as SciPy's.
    """
    x = np.asarray(x, dtype=float)
    return np.minimum(x, 0.0) - np.log1p(np.exp(-np.abs(x)))


def expit(x: ArrayLike) -> np.ndarray:
    """The logistic function ``1 / (1 + exp(-x))``, without overflow."""
    x = np.asarray(x, dtype=float)
    small = np.exp(-np.abs(x))                          # exp(-|x|) <= 1: never overflows
    return np.where(x >= 0, 1.0, small) / (1.0 + small)


def logsumexp(a: ArrayLike, axis: int | None = None) -> np.ndarray:
    """``log(sum(exp(a)))`` over ``axis`` (all of ``a`` when None), without overflow."""
    values = np.asarray(a, dtype=float)
    top = np.max(values, axis=axis, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    with np.errstate(divide="ignore"):
        out = np.log(np.sum(np.exp(values - top), axis=axis, keepdims=True)) + top
    return out.squeeze() if axis is None else np.squeeze(out, axis=axis)


def normal_quantile(p: float) -> float:
    """The standard normal quantile at ``p`` (SciPy's ``ndtri``)."""
    return NormalDist().inv_cdf(p)


_ERFC = np.vectorize(math.erfc, otypes=[float])


def normal_cdf(x: ArrayLike) -> np.ndarray:
    """The standard normal distribution function, elementwise (SciPy's ``ndtr``)."""
    return 0.5 * _ERFC(-np.asarray(x, dtype=float) / math.sqrt(2.0))


def log_rising_factorial(a: ArrayLike, n: ArrayLike) -> np.ndarray:
    """``log(a (a + 1) ... (a + n - 1))`` = ``gammaln(a + n) - gammaln(a)`` for whole ``n``.

    Parameters
    ----------
    a : array_like
        Positive reals.
    n : array_like
        Whole numbers >= 0 (counts), broadcast against ``a``.

    Returns
    -------
    numpy.ndarray
        The broadcast shape of ``a`` and ``n``. A table of the running sums of
        ``log(a + j)`` is built once per value of ``a`` and read at each ``n``: the cost
        grows with the largest count, not with the number of counts.

    Raises
    ------
    ValueError
        When ``n`` holds a negative or fractional value.

    """
    a, counts = np.asarray(a, dtype=float), np.asarray(n)
    whole = np.rint(counts)
    if np.any((whole != counts) | (whole < 0)):
        raise ValueError("log_rising_factorial needs whole numbers n >= 0")
    counts = whole.astype(np.int64)
    steps = np.arange(int(counts.max(initial=0)), dtype=float)
    table = np.concatenate([np.zeros((*a.shape, 1)),
                            np.cumsum(np.log(a[..., None] + steps), axis=-1)], axis=-1)
    shape = np.broadcast_shapes(a.shape, counts.shape)
    table = np.broadcast_to(table, shape + table.shape[-1:])
    return np.take_along_axis(table, np.broadcast_to(counts, shape)[..., None], axis=-1)[..., 0]
