"""The ordinal ratings' log-probability as PyTensor Ops with numba kernels.

:func:`model.likelihood.cumulative_logit.ordered_logistic_logp` is the definition: per night,
with ``a = eta - c[y+1]`` and ``b = c[y] - eta``, ``-softplus(a) - softplus(b) + log(1 -
exp(-(c[y+1] - c[y])))``. Written with PyTensor's elementwise Ops and integer indexing, the
three ratings took 35 of the 83 us of a 120-night log density and gradient (nutpie's C
callback timed alone, interleaved runs; as much as the other outcomes together): the
gradient evaluates the sigmoids again and scatters into the cut-points through generic
advanced-indexing Ops.

Here the value is one loop over the nights (two exponentials and two ``log1p`` a night)
that also keeps ``sigmoid(a)`` and ``sigmoid(b)``, and the gradient is one loop that reads
them (no exponential a night; the width terms' derivatives once per category).

Both are ``OpFromGraph`` subclasses whose inner graphs are the definition (the value and the
two sigmoids; the gradient written from them), so every backend without a kernel here
(PyTensor's C and Python linkers; JAX for numpyro and blackjax) evaluates those graphs, while
the numba backend, which nutpie and PyMC's own NUTS use, runs :func:`ordinal_values` and
:func:`ordinal_gradients`. Vectorised over a batch of series (the population's joint model,
:func:`pytensor.graph.replace.vectorize_graph`), the value Op becomes the definition again.
Tests hold the kernels equal to the definition and its gradient.
"""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Sequence
from typing import Any

import numba
import numpy as np
import pytensor.tensor as pt
from pytensor.compile.builders import OpFromGraph
from pytensor.gradient import disconnected_type
from pytensor.graph.basic import Apply, Variable
from pytensor.graph.replace import _vectorize_node, vectorize_graph
from pytensor.link.numba.dispatch.basic import numba_njit, register_funcify_and_cache_key

from model.likelihood.cumulative_logit import OPEN_EDGE, ordered_logistic_logp, with_open_ends


@numba.njit(cache=False)
def _softplus_and_expit(x: float) -> tuple[float, float]:
    """``log(1 + exp(x))`` and ``1 / (1 + exp(-x))`` from one exponential, without overflow."""
    small = np.exp(-abs(x))
    if x > 0.0:
        return x + np.log1p(small), 1.0 / (1.0 + small)
    return np.log1p(small), small / (1.0 + small)


@numba.njit(cache=False)
def _edges(cut: np.ndarray, y: int) -> tuple[float, float]:
    """The lower and upper edge of category ``y`` (the outer ones at ``-+OPEN_EDGE``)."""
    if y < 0 or y > cut.shape[0]:
        raise ValueError("an ordinal rating outside its categories")
    lower = -OPEN_EDGE if y == 0 else cut[y - 1]
    upper = OPEN_EDGE if y == cut.shape[0] else cut[y]
    return lower, upper


def ordinal_values(eta: np.ndarray, cut: np.ndarray, gaps: np.ndarray,
                   y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per night, the log-probability of category ``y``, ``sigmoid(a)`` and ``sigmoid(b)``.

    ``a = eta - c[y+1]``, ``b = c[y] - eta`` (see the module docstring); ``cut`` ``(K - 1,)``,
    ``gaps`` its ``(K - 2,)`` gaps, ``y`` 0-based categories.
    """
    width = np.log(-np.expm1(-gaps))                       # inner categories' width terms
    logp, up, down = np.empty(eta.shape[0]), np.empty(eta.shape[0]), np.empty(eta.shape[0])
    for n in range(eta.shape[0]):
        lower, upper = _edges(cut, y[n])
        soft_a, up[n] = _softplus_and_expit(eta[n] - upper)
        soft_b, down[n] = _softplus_and_expit(lower - eta[n])
        logp[n] = -soft_a - soft_b
        if 0 < y[n] < cut.shape[0]:
            logp[n] += width[y[n] - 1]
    return logp, up, down


def ordinal_gradients(gaps: np.ndarray, y: np.ndarray, up: np.ndarray, down: np.ndarray,
                      cotangent: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``cotangent`` times the Jacobian of the log-probabilities in ``eta``, ``cut``, ``gaps``.

    ``up`` and ``down`` are :func:`ordinal_values`' sigmoids. Returns ``(night,)``,
    ``(K - 1,)`` and ``(K - 2,)``.
    """
    inner = gaps.shape[0] + 1                              # K - 1 cut-points
    d_eta = np.empty(y.shape[0])
    d_cut = np.zeros(inner)
    weight = np.zeros(inner + 1)                           # cotangent summed per category
    for n in range(y.shape[0]):
        d_eta[n] = cotangent[n] * (down[n] - up[n])
        if y[n] < inner:
            d_cut[y[n]] += cotangent[n] * up[n]
        if y[n] > 0:
            d_cut[y[n] - 1] -= cotangent[n] * down[n]
        weight[y[n]] += cotangent[n]
    d_gaps = weight[1:inner] / np.expm1(gaps)
    return d_eta, d_cut, d_gaps


def _definition(eta: Any, cut: Any, gaps: Any, y: Any) -> list[Any]:
    """The definition's log-probabilities, ``sigmoid(a)`` and ``sigmoid(b)``, in PyTensor."""
    edges = with_open_ends(cut, pt)
    return [ordered_logistic_logp(eta, cut, y, gaps), pt.sigmoid(eta - edges[y + 1]),
            pt.sigmoid(edges[y] - eta)]


def _gradient_definition(gaps: Any, y: Any, up: Any, down: Any, cotangent: Any) -> list[Any]:
    """The definition's gradient written from its sigmoids, in PyTensor (one series)."""
    d_edges = pt.zeros(gaps.shape[0] + 3)
    d_edges = pt.inc_subtensor(d_edges[y + 1], cotangent * up)
    d_edges = pt.inc_subtensor(d_edges[y], -cotangent * down)
    weight = pt.inc_subtensor(pt.zeros(gaps.shape[0] + 2)[y], cotangent)
    return [cotangent * (down - up), d_edges[1:-1], weight[1:-1] / pt.expm1(gaps)]


class OrdinalLogp(OpFromGraph):
    """``(eta, cut, gaps, y) -> (logp, sigmoid(a), sigmoid(b))``; numba: :func:`ordinal_values`.

    Only ``logp`` is differentiated (the sigmoids serve its gradient, held).
    """

    def pullback(self, inputs: Sequence[Variable], outputs: Sequence[Variable],
                 output_grads: Sequence[Variable]) -> list[Variable]:
        """The gradient through :class:`OrdinalGradient`; none for the categories ``y``."""
        _, _, gaps, y = inputs
        _, up, down = outputs
        gradient = _GRADIENT.make_node(gaps, y, up, down, output_grads[0]).outputs
        return [*gradient, disconnected_type()]

    def connection_pattern(self, node: Apply) -> list[list[bool]]:
        """``logp`` depends on ``eta``, ``cut`` and ``gaps``; nothing on ``y`` differentiably."""
        return [[True, False, False] for _ in range(3)] + [[False, False, False]]


class OrdinalGradient(OpFromGraph):
    """``(gaps, y, up, down, g) -> g J``; numba: :func:`ordinal_gradients`."""


def _source_key(*functions: Any) -> str:
    """A compile-cache key that changes with the kernels' source and :data:`OPEN_EDGE`."""
    helpers = [f.py_func for f in (_edges, _softplus_and_expit)]
    sources = [inspect.getsource(f) for f in (*functions, *helpers)]
    return hashlib.sha256("".join([__name__, *sources, repr(OPEN_EDGE)]).encode()).hexdigest()


def _logp_op() -> OrdinalLogp:
    """The Op whose inner graph is :func:`_definition`.

    Its name carries the kernels' key: the disk compile cache
    (:func:`model.inference.cache_key.graph_key`) reads the graph as text, where a kernel's
    source does not show otherwise.
    """
    inputs: list[Variable] = [pt.vector("eta"), pt.vector("cut"), pt.vector("gaps"),
                              pt.vector("y", dtype="int64")]
    key = _source_key(ordinal_values, ordinal_gradients)[:16]
    return OrdinalLogp(inputs, _definition(*inputs), name=f"OrdinalLogp_{key}")


def _gradient_op() -> OrdinalGradient:
    """The Op whose inner graph is :func:`_gradient_definition`."""
    inputs: list[Variable] = [pt.vector("gaps"), pt.vector("y", dtype="int64"),
                              pt.vector("up"), pt.vector("down"), pt.vector("g")]
    return OrdinalGradient(inputs, _gradient_definition(*inputs), name="OrdinalGradient")


_LOGP = _logp_op()
_GRADIENT = _gradient_op()


def ordinal_logp(eta: Any, cut: Any, y: Any, gaps: Any = None) -> pt.TensorVariable:
    """Per night, the cumulative-logit log-probability of category ``y`` (0 ... K-1).

    The same value and gradient as :func:`ordered_logistic_logp` (see the module docstring);
    ``gaps`` are taken from ``cut`` when not given.
    """
    gaps = pt.diff(cut) if gaps is None else gaps
    floats = [pt.as_tensor(x).astype("float64") for x in (eta, cut, gaps)]
    logp = _LOGP.make_node(*floats, pt.as_tensor(y).astype("int64")).outputs[0]
    return pt.as_tensor(logp)


@_vectorize_node.register(OrdinalLogp)
@_vectorize_node.register(OrdinalGradient)
def _vectorize(op: OrdinalLogp | OrdinalGradient, node: Apply,
               *batched: Variable) -> list[Variable]:
    """Over a leading batch axis (the population's joint model): the definition, vectorised.

    The kernels take one series; a batch of them runs the definition as it did before.
    """
    definition = _definition if isinstance(op, OrdinalLogp) else _gradient_definition
    outputs = definition(*node.inputs)
    return list(vectorize_graph(outputs, replace=dict(zip(node.inputs, batched, strict=True))))


@register_funcify_and_cache_key(OrdinalLogp)
def _numba_ordinal_logp(op: OrdinalLogp, node: Apply, **kwargs: Any) -> tuple[Any, str]:
    """The numba value kernel."""
    return numba_njit(ordinal_values), _source_key(ordinal_values)


@register_funcify_and_cache_key(OrdinalGradient)
def _numba_ordinal_gradient(op: OrdinalGradient, node: Apply, **kwargs: Any) -> tuple[Any, str]:
    """The numba gradient kernel."""
    return numba_njit(ordinal_gradients), _source_key(ordinal_gradients)
