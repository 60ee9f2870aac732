"""The population stage's per-person Gaussian term as one PyTensor Op with a numba kernel.

For stacked ``P`` (``(person, K, K)``, symmetric) and ``e`` (``(person, K)``) the Op gives
``-log|P|/2 + e'P^{-1}e/2`` per person and ``P^{-1}``; the gradient is written out with
``P^{-1}`` held: ``z = P^{-1}e`` in ``e`` and ``-(P^{-1} + z z')/2`` in ``P``. Second
derivatives in ``e`` are exact (the term is quadratic in ``e``); those through ``P`` are not
(no sampler uses them). A person whose ``P`` is not positive definite (or not finite) gets
``-inf`` and a zero gradient, which a sampler treats as a divergence.

Why one Op rather than PyTensor's linear algebra: PyMC rewrites the log-density before taking
its gradient, and the gradient of a batched Cholesky factor (or of ``slogdet``, which PyTensor
turns into one) holds a batched ``AllocDiag`` that numba compiles, on some compilations but
not others, into a call back to Python. An error there does not become ``nan``: it stops
nutpie ("Logp function returned error"), as it did once in three fresh-machine runs of the
population notebook. The kernel here is plain loops (``K`` is at most a few dozen), compiled
by numba in nopython mode and cached with the rest of the log-density.
"""

from __future__ import annotations

import inspect
import zlib
from collections.abc import Sequence
from typing import Any

import numba
import numpy as np
import pytensor.tensor as pt
from pytensor.graph.basic import Apply, Variable
from pytensor.graph.op import Op
from pytensor.link.numba.dispatch.basic import numba_njit, register_funcify_default_op_cache_key


def block_terms(post: np.ndarray, residual: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per person: the term and ``P^{-1}`` (zeros where ``P`` is not PD).

    Parameters
    ----------
    post : numpy.ndarray
        ``(person, K, K)`` symmetric ``P`` (only the lower triangle is read).
    residual : numpy.ndarray
        ``(person, K)`` ``e``.

    Returns
    -------
    tuple of numpy.ndarray
        ``(person,)`` ``-log|P|/2 + e'P^{-1}e/2`` (``-inf`` where ``P`` is not PD) and
        ``(person, K, K)`` ``P^{-1}``.
    """
    persons, size = residual.shape
    value = np.empty(persons)
    inverse = np.zeros((persons, size, size))
    for p in range(persons):
        chol = np.zeros((size, size))
        log_det = 0.0
        for j in range(size):
            pivot = post[p, j, j]
            for m in range(j):
                pivot -= chol[j, m] * chol[j, m]
            if not (pivot > 0.0 and np.isfinite(pivot)):
                log_det = np.nan
                break
            chol[j, j] = np.sqrt(pivot)
            log_det += 2.0 * np.log(chol[j, j])
            for i in range(j + 1, size):
                entry = post[p, i, j]
                for m in range(j):
                    entry -= chol[i, m] * chol[j, m]
                chol[i, j] = entry / chol[j, j]
        if not np.isfinite(log_det):
            value[p] = -np.inf
            continue
        lower_inverse = np.zeros((size, size))              # L^{-1}, column by column
        for c in range(size):
            for i in range(c, size):
                entry = 1.0 if i == c else 0.0
                for m in range(c, i):
                    entry -= chol[i, m] * lower_inverse[m, c]
                lower_inverse[i, c] = entry / chol[i, i]
        for i in range(size):                               # P^{-1} = L^{-T} L^{-1}
            for j in range(i + 1):
                entry = 0.0
                for m in range(i, size):
                    entry += lower_inverse[m, i] * lower_inverse[m, j]
                inverse[p, i, j] = entry
                inverse[p, j, i] = entry
        quadratic = 0.0
        for i in range(size):
            for j in range(size):
                quadratic += residual[p, i] * inverse[p, i, j] * residual[p, j]
        value[p] = -0.5 * log_det + 0.5 * quadratic
        if not np.isfinite(value[p]):
            value[p] = -np.inf
            inverse[p] = 0.0
    return value, inverse


_compiled_block_terms = numba.njit(cache=False)(block_terms)


class GaussianBlockTerms(Op):
    """``(P, e) -> (term, P^{-1})``; see the module docstring. Only ``term`` has a gradient."""

    __props__ = ()

    def make_node(self, *inputs: Any) -> Apply:
        """``(P, e)``: check ranks (3 and 2) and cast both to float64."""
        post, residual = (pt.as_tensor(x).astype("float64") for x in inputs)
        if post.ndim != 3 or residual.ndim != 2:
            raise ValueError(f"P must be (person, K, K) and e (person, K); got ndim "
                             f"{post.ndim} and {residual.ndim}")
        outputs = [pt.vector(dtype="float64"), pt.tensor3(dtype="float64")]
        return Apply(self, [post, residual], outputs)

    def perform(self, node: Apply, inputs: Sequence[Any], output_storage: list[list[Any | None]]
                ) -> None:
        """Run the numba kernel on the inputs (contiguous float64 copies)."""
        post, residual = (np.ascontiguousarray(x, dtype=np.float64) for x in inputs)
        for storage, result in zip(output_storage, _compiled_block_terms(post, residual),
                                   strict=True):
            storage[0] = result

    def infer_shape(self, node: Apply, shapes: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        """``(person,)`` and ``(person, K, K)``."""
        persons, size = shapes[1]
        return [(persons,), (persons, size, size)]

    def connection_pattern(self, node: Apply) -> list[list[bool]]:
        """Only the term is differentiated (``P^{-1}`` serves its gradient, held)."""
        return [[True, False], [True, False]]

    def pullback(self, inputs: Sequence[Variable], outputs: Sequence[Variable],
                 cotangents: Sequence[Variable]) -> list[Variable]:
        """``g * -(P^{-1} + z z')/2`` for ``P`` and ``g * z`` for ``e``."""
        residual, inverse, grad = (pt.as_tensor(x) for x in (inputs[1], outputs[1],
                                                             cotangents[0]))
        z = pt.sum(inverse * residual[:, None, :], axis=2)
        return [-0.5 * grad[:, None, None] * (inverse + z[:, :, None] * z[:, None, :]),
                grad[:, None] * z]


_GAUSSIAN_BLOCK_TERMS = GaussianBlockTerms()


def gaussian_term(post: pt.TensorLike, residual: pt.TensorLike) -> pt.TensorVariable:
    """``(person,)`` ``-log|P|/2 + e'P^{-1}e/2`` of stacked ``P`` and ``e`` (see the module)."""
    term, _ = _GAUSSIAN_BLOCK_TERMS.make_node(post, residual).outputs
    return pt.as_tensor(term)


@register_funcify_default_op_cache_key(GaussianBlockTerms)
def _numba_gaussian_block_terms(op: GaussianBlockTerms, node: Apply, **kwargs: Any
                                ) -> tuple[Any, int]:
    """The numba implementation (nopython), keyed in PyTensor's compile cache by its source."""
    kernel = numba_njit(block_terms)

    @numba_njit
    def gaussian_block_terms_kernel(post: np.ndarray, residual: np.ndarray
                                    ) -> tuple[np.ndarray, np.ndarray]:
        return kernel(np.ascontiguousarray(post), np.ascontiguousarray(residual))

    return gaussian_block_terms_kernel, zlib.crc32(inspect.getsource(block_terms).encode())
