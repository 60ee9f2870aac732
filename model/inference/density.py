"""A compiled graph's log density and gradient, evaluated outside the sampler.

nutpie samples a graph through C callbacks (:mod:`model.inference.compile_cache`); the same
callbacks, called directly with a model's data, give its log density and gradient at any
unconstrained point. The population stage's per-person Laplace fits
(:mod:`model.population.hierarchical`) use them, so the personal graph is compiled once per
machine for both (``make install`` compiles it ahead). Without nutpie, PyMC compiles the
value and the gradient as one function.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pymc as pm

from model.inference.laplace import LogDensity
from model.inference.samplers import default_sampler
from model.inference.sampling import CompiledGraph


def _logp_callback(compiled: Any) -> Callable[[np.ndarray, np.ndarray, np.ndarray], int]:
    """The C log-density callback of nutpie, with the data ``compiled`` holds (``with_data``).

    ``call(x, gradient, value)`` writes the gradient and the value at the unconstrained point
    ``x`` and returns nutpie's code (0 when both are finite). ctypes releases the GIL.
    """
    import ctypes

    function = compiled.compiled_logp_func.ctypes
    double_p = ctypes.POINTER(ctypes.c_double)
    user_data = ctypes.c_void_p(compiled.user_data.ctypes.data)

    def call(x: np.ndarray, gradient: np.ndarray, value: np.ndarray) -> int:
        return int(function(compiled.n_dim, x.ctypes.data_as(double_p),
                            gradient.ctypes.data_as(double_p), value.ctypes.data_as(double_p),
                            user_data))

    return call


def value_and_gradient(compiled: Any) -> LogDensity:
    """The log density and gradient of a nutpie-compiled model with the data it holds.

    Both are returned as computed, finite or not.
    """
    call = _logp_callback(compiled)

    def evaluate(x: np.ndarray) -> tuple[float, np.ndarray]:
        point = np.ascontiguousarray(x, dtype=np.float64).reshape(compiled.n_dim)
        gradient, value = np.empty(compiled.n_dim), np.empty(())
        call(point, gradient, value)
        return float(value), gradient

    return evaluate


def log_density(compiled: Any, points: np.ndarray, threads: int = 2) -> np.ndarray:
    """Evaluate a nutpie-compiled model's log density at unconstrained ``points`` (rows).

    Uses the data the model holds (``with_data``); ``threads`` share the rows. Points where
    the density or its gradient is not finite give ``-inf``.
    """
    from concurrent.futures import ThreadPoolExecutor

    points = np.ascontiguousarray(points, dtype=np.float64).reshape(-1, compiled.n_dim)
    call = _logp_callback(compiled)
    out = np.empty(len(points))

    def evaluate(rows: range) -> None:
        gradient, value = np.empty(compiled.n_dim), np.empty(())
        for i in rows:
            out[i] = float(value) if call(points[i], gradient, value) == 0 else -np.inf

    chunks = [range(k, len(points), threads) for k in range(threads)]
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(evaluate, chunks))
    return out


@dataclass(frozen=True)
class GraphDensity:
    """A graph's log density on its unconstrained space, with the layout of a point.

    Attributes
    ----------
    evaluate : LogDensity
        ``x -> (log density, gradient)``, Jacobians of the transforms included.
    start : numpy.ndarray
        The graph's initial point (its support point) for the data given.
    slices : dict
        Where each free variable (by its value variable's name) sits in a point.
    """

    evaluate: LogDensity
    start: np.ndarray
    slices: dict[str, slice]


_PYMC_FUNCTIONS: weakref.WeakKeyDictionary[pm.Model, Any] = weakref.WeakKeyDictionary()


def _pymc_function(graph: pm.Model) -> Any:
    """PyMC's compiled ``x -> (logp, gradient)`` of ``graph`` on the raveled point, once."""
    if graph not in _PYMC_FUNCTIONS:
        function = graph.logp_dlogp_function(ravel_inputs=True)
        function.set_extra_values({})
        _PYMC_FUNCTIONS[graph] = function
    return _PYMC_FUNCTIONS[graph]


def graph_density(compiled: CompiledGraph, data: Mapping[str, np.ndarray]) -> GraphDensity:
    """The log density of ``compiled``'s graph with ``data`` (its ``pm.Data`` by name).

    nutpie's compilation when nutpie is installed (disk-cached: nothing to compile once
    ``make install`` warmed the graph), else PyMC's. The graph's own data are set too, for
    its initial point.

    Raises
    ------
    LookupError
        When nutpie lays out the free variables otherwise than the graph lists them.
    """
    sampler = default_sampler()
    graph = compiled.get(sampler).graph
    assert graph is not None
    with graph:
        pm.set_data(dict(data))
    initial = graph.initial_point()
    names = [var.name for var in graph.value_vars]
    shapes = [np.shape(initial[name]) for name in names]
    stops = np.cumsum([int(np.prod(shape)) for shape in shapes])
    slices = {name: slice(int(stop - np.prod(shape)), int(stop))
              for name, shape, stop in zip(names, shapes, stops, strict=True)}
    start = np.concatenate([np.ravel(initial[name]) for name in names])
    if sampler == "nutpie":
        nutpie_model = compiled.nutpie_model
        layout = dict(zip(*nutpie_model.shape_info[:2], strict=True))
        if any(layout.get(name) != where for name, where in slices.items()):
            raise LookupError("nutpie lays out the free variables otherwise than the graph")
        return GraphDensity(value_and_gradient(nutpie_model.with_data(**data)), start, slices)
    function = _pymc_function(graph)

    def evaluate(x: np.ndarray) -> tuple[float, np.ndarray]:
        value, gradient = function(np.asarray(x, dtype=np.float64))
        return float(value), np.asarray(gradient)

    return GraphDensity(evaluate, start, slices)
