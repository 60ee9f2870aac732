"""The key of a compiled model in the disk compile cache (:mod:`model.inference.compile_cache`).

Two models share compiled callbacks when their log-density graphs read the same as text, hold
the same constants, have the same sizes (:func:`expanded_shapes`) and were compiled by the same
library versions; data enter the compiled code as inputs and are not part of the key.
"""

from __future__ import annotations

import hashlib
import io
from importlib.metadata import version
from typing import Any

import numpy as np

CACHE_FORMAT = "mgsleep-nutpie-callbacks-2"  # change to invalidate every cached callback


def expanded_shapes(pm_model: Any) -> dict[str, tuple[int, ...]]:
    """Shapes of the free variables (as given and transformed) and of the Deterministics.

    They fix the compiled model's sizes (``n_dim``, ``n_expanded``), yet need not show in the
    graph's text: a dim's length, or the length of a data array a Deterministic spans, is a
    shared variable.
    """
    import pytensor
    import pytensor.tensor as pt

    names = [v.name for v in pm_model.deterministics]
    outputs = [pt.as_tensor(v.shape) for v in pm_model.deterministics]
    shapes: list[np.ndarray] = []
    if outputs:
        given = [(obs, pm_model.rvs_to_values[obs]) for obs in pm_model.observed_RVs]
        shapes = pytensor.function([], outputs, givens=given, on_unused_input="ignore",
                                   mode=pytensor.compile.mode.FAST_COMPILE)()
    return {name: tuple(int(k) for k in shape) for name, shape in
            [*pm_model.eval_rv_shapes().items(), *zip(names, shapes, strict=True)]}


def model_digest(pm_model: Any) -> str:
    """Hash of the model itself: its log density and values as text, constants, transforms.

    No sizes and no library versions: a model of other data lengths digests the same, and
    the digest changes when a prior, a likelihood or a transform does (and when a new
    PyTensor prints the same graph differently). A saved fit's format version follows it
    (``tests/test_fit_format.py``). Float constants count to 12 significant digits, not bit
    for bit: numpy's vectorised logarithms differ in the last bit between processors (with
    AVX-512 or without), and the model is the same on both.
    """
    return _model_hash(pm_model, exact=False).hexdigest()


def _constant_bytes(data: Any, exact: bool) -> bytes:
    """A constant's value as hashed: its bytes, or its floats to 12 significant digits."""
    values = np.asarray(data)
    if exact or values.dtype.kind != "f":
        return values.tobytes()
    return np.char.mod("%.12g", values).tobytes()


def _model_hash(pm_model: Any, exact: bool) -> Any:
    """The running SHA-256 of :func:`model_digest`, for :func:`graph_key` to extend.

    ``exact``: float constants bit for bit (the compiled code's key) rather than to 12
    significant digits (the model's digest).
    """
    import pytensor
    from pytensor.graph import Constant
    from pytensor.graph.traversal import ancestors

    outputs = [pm_model.logp(), *pm_model.unobserved_value_vars]
    text = io.StringIO()
    pytensor.dprint(outputs, file=text, print_type=True)
    digest = hashlib.sha256(text.getvalue().encode())
    for var in ancestors(outputs):
        if isinstance(var, Constant):
            digest.update(_constant_bytes(var.data, exact))
    transforms = (f"{rv.name}:{pm_model.rvs_to_transforms.get(rv)}" for rv in pm_model.free_RVs)
    digest.update("\n".join(transforms).encode())
    return digest


def graph_key(pm_model: Any) -> str:
    """Hash of what the compiled callbacks depend on: the model, its sizes, library versions.

    The model is :func:`model_digest`'s; the sizes are :func:`expanded_shapes`. Data values
    and lengths are left out otherwise: the compiled code takes them as inputs.
    """
    import pytensor

    digest = _model_hash(pm_model, exact=True)
    facts = [CACHE_FORMAT, str(pytensor.config.numba__fastmath), str(pytensor.config.floatX),
             *(f"{name}: {shape}" for name, shape in expanded_shapes(pm_model).items()),
             *(version(p) for p in ("pymc", "pytensor", "nutpie", "numba", "numpy"))]
    digest.update("\n".join(facts).encode())
    return digest.hexdigest()
