"""nutpie compilation that survives the process: the C callbacks are cached on disk.

``nutpie.compile_pymc_model`` wraps PyTensor's numba log-density in C callbacks that close
over per-process globals (random shared-variable keys, a tuple-unrolling extractor), so numba
compiles them again in every new process: about 25 s for the personal model, most of a
``mgsleep analyze`` run. :func:`compile_nutpie` generates the same callbacks as plain source
with stable names and registers them with PyTensor's numba cache (``~/.pytensor/numba``, or
wherever ``PYTENSOR_FLAGS=base_compiledir=...`` points), keyed by a hash of that source and
of the log-density's own cache key. The first process compiles and writes them; later
processes load them in well under a second. A small manifest beside them (sizes, names,
shared-variable order), keyed by a hash of the model's log-density graph as text, its
constants, its sizes and the library versions (:func:`model.inference.cache_key.graph_key`),
lets a later process skip PyTensor's graph rewriting too: a warm compile of the personal model
takes about a second instead of 30 s (``make install`` compiles it ahead:
:mod:`model.personal.warmup`; a compilation the cache cannot spare says so on standard error).
Data are inputs of the compiled code, so a model whose data are ``pm.Data`` compiles once for
all data sets of its sizes: the personal graph for every diary, an n-of-1 model
(:mod:`model.nof1.engine`) for every data set with the same levels, persons and categories.
The returned object is nutpie's own ``CompiledPyMCModel``, so ``with_data`` and
``nutpie.sample`` work unchanged.

The callbacks follow nutpie's C interface (``logp(dim, x, grad, logp, user_data)`` and
``expand(dim, n_expanded, x, out, user_data)``) and its ``user_data`` record of shared-array
pointers, sizes and shapes; they rely on nutpie internals that are stable across the 0.16
series, and :func:`compile_nutpie` falls back to ``nutpie.compile_pymc_model`` (slow, still
correct) when those internals are missing.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import re
import warnings
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from model.core.atomic import write_json
from model.core.progress import announce
from model.inference.cache_key import CACHE_FORMAT, graph_key

LOGP_SIGNATURE = "int64(uint64, CPointer(double), CPointer(double), CPointer(double), voidptr)"
EXPAND_SIGNATURE = "int64(uint64, uint64, CPointer(double), CPointer(double), voidptr)"


def _extraction_lines(names: Sequence[str], ndims: Sequence[int], dtypes: Sequence[str]) -> str:
    """Source lines that view each shared array of ``user_data`` as ``a0, a1, ...``."""
    lines = ["    shared = carray(user_data_, (), RECORD)['shared']"]
    for i, (name, ndim, dtype) in enumerate(zip(names, ndims, dtypes, strict=True)):
        shape = "".join(f"int(shared['shape']['{name}'][{d}]), " for d in range(ndim))
        lines.append(
            f"    a{i} = carray(as_pointer(shared['data']['{name}'][()]), "
            f"int(shared['size']['{name}'][()]), np.{dtype}).reshape(({shape}))"
        )
    return "\n".join(lines)


NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")
"""What a variable name in a manifest may look like."""


def _ints(value: Any, depth: int) -> bool:
    if depth == 0:
        return type(value) is int and value >= 0
    return isinstance(value, list) and all(_ints(v, depth - 1) for v in value)


def _names(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and NAME.match(v) for v in value)


def check_manifest(manifest: Any) -> dict[str, Any]:
    """Return ``manifest`` if every field has its type, else raise ValueError.

    A manifest is read from the user's cache folder, and its sizes end up in generated
    source: sizes must be whole numbers (not strings), names must look like names, the
    log-density key a hex digest. Nothing else is accepted.
    """
    ok = (isinstance(manifest, dict)
          and set(manifest) == {"n_dim", "n_expanded", "names", "slices", "shapes",
                                "reparameterized", "logp", "expand"}
          and _ints(manifest["n_dim"], 0) and _ints(manifest["n_expanded"], 0)
          and _names(manifest["names"]) and _ints(manifest["slices"], 2)
          and _ints(manifest["shapes"], 2) and _names(manifest["reparameterized"])
          and all(isinstance(manifest[p], dict) and set(manifest[p]) == {"shared", "inner_key"}
                  and _names(manifest[p]["shared"]) and isinstance(manifest[p]["inner_key"], str)
                  and re.fullmatch(r"[0-9A-Za-z_]+", manifest[p]["inner_key"])
                  for p in ("logp", "expand")))
    if not ok:
        raise ValueError("a compile-cache manifest with unexpected fields or types")
    return manifest


def logp_source(names: Sequence[str], ndims: Sequence[int], dtypes: Sequence[str],
                n_dim: int) -> str:
    """Source of nutpie's log-density callback for these shared arrays (``a0 ...`` in order)."""
    args = "".join(f", a{i}" for i in range(len(names)))
    n_dim = _size(n_dim)
    return f"""
def mgsleep_logp(dim, x_, out_, logp_, user_data_):
    if dim != {n_dim}:
        return -1
{_extraction_lines(names, ndims, dtypes)}
    x = carray(x_, ({n_dim},))
    out = carray(out_, ({n_dim},))
    logp = carray(logp_, ())
    logp_val, grad = inner(x{args})
    logp[()] = logp_val
    out[...] = grad
    if not np.all(np.isfinite(out)):
        return 3
    if not np.isfinite(logp_val):
        return 4
    return 0
"""


def expand_source(names: Sequence[str], ndims: Sequence[int], dtypes: Sequence[str],
                  n_dim: int, n_expanded: int) -> str:
    """Source of nutpie's expand callback (unconstrained point -> stored variables)."""
    args = "".join(f", a{i}" for i in range(len(names)))
    n_dim, n_expanded = _size(n_dim), _size(n_expanded)
    return f"""
def mgsleep_expand(dim, expanded, x_, out_, user_data_):
    if dim != {n_dim} or expanded != {n_expanded}:
        return -1
{_extraction_lines(names, ndims, dtypes)}
    x = carray(x_, ({n_dim},))
    out = carray(out_, ({n_expanded},))
    (values,) = inner(x{args})
    out[...] = values
    return 0
"""


def _size(value: Any) -> int:
    """A size pasted into generated source: a whole number, never text."""
    if type(value) is not int and not isinstance(value, np.integer):
        raise ValueError(f"expected a whole-number size, got {value!r}")
    return int(value)


def _cached_cfunc(source: str, name: str, signature: str, inner: Any, inner_key: str,
                  record: np.dtype) -> Any:
    """Compile ``source`` as a numba C callback cached under a hash of source and ``inner_key``.

    ``inner`` (the log-density's numba dispatcher) is needed only when the cache misses;
    ``None`` then raises numba's typing error.
    """
    import numba
    from nutpie.compile_pymc import address_as_void_pointer
    from pytensor.link.numba.cache import compile_numba_function_src

    # the module name is part of the key: numba's cache refers to this module by name
    key = hashlib.sha256("\n".join([CACHE_FORMAT, __name__, source, inner_key,
                                    str(record.descr), numba.__version__]).encode()).hexdigest()
    env = globals() | {"carray": numba.carray, "as_pointer": address_as_void_pointer,
                       "RECORD": record, "inner": inner}  # __name__ lets numba reload it
    py_func = compile_numba_function_src(source, name, global_env=env, cache_key=key)
    return numba.cfunc(signature, cache=True)(py_func)


def is_cached(pm_model: Any) -> bool:
    """Whether the disk cache holds ``pm_model``'s compilation (its manifest is there)."""
    return (manifest_dir() / f"{graph_key(pm_model)}.json").exists()


def manifest_dir() -> Path:
    """Where manifests live: beside PyTensor's numba cache."""
    from pytensor.link.numba.cache import NUMBA_CACHE_PATH

    return Path(NUMBA_CACHE_PATH) / "mgsleep-manifests"


def _unreadable(path: Path) -> bool:
    """Whether a numba cache file (index ``.nbi`` or data ``.nbc``) cannot be unpickled."""
    try:
        with path.open("rb") as handle:
            if path.suffix == ".nbi":
                pickle.load(handle)           # numba's version stamp, then the index
            pickle.loads(handle.read())
    except Exception:  # truncated, corrupted or from another version: all unusable
        return True
    return False


def discard_broken_cache(folder: Path) -> list[Path]:
    """Delete the numba cache files in ``folder`` that cannot be read; return them.

    A run killed while numba wrote its cache leaves a truncated ``.nbi`` or ``.nbc`` that
    makes every later load fail (``UnpicklingError``, ``EOFError``) until it is removed.
    """
    broken = [p for p in sorted(folder.glob("*.nb[ic]")) if _unreadable(p)]
    for path in broken:
        path.unlink(missing_ok=True)
    return broken


def keep_generated_source() -> Path:
    """Write PyTensor's generated source into the compile cache, not the temporary folder.

    PyTensor's numba backend writes the Python source of every op it compiles to a file, and
    by default each gets a new file in the temporary folder that nobody removes (dozens a
    fit: some 14,000 on this machine after a few days of tests). In a folder of its own
    (``generated_src_dir``) the files are named by their content, so a later process reuses
    them, and PyTensor removes those not used for a week when a process exits. A folder the
    user set (``PYTENSOR_FLAGS=generated_src_dir=...``) is kept.

    Returns
    -------
    Path
        The folder in use: ``generated_src`` under PyTensor's ``base_compiledir`` by default.

    """
    import pytensor

    if not pytensor.config.generated_src_dir:
        pytensor.config.generated_src_dir = str(
            Path(pytensor.config.base_compiledir) / "generated_src")
    return Path(pytensor.config.generated_src_dir)


def compile_nutpie(pm_model: Any) -> Any:
    """Compile ``pm_model`` for nutpie; a broken numba cache is discarded and rebuilt.

    See :func:`compile_cached`; a truncated cache file (from a killed run) is deleted with a
    warning and the compilation tried once more. Generated source goes to
    :func:`keep_generated_source`'s folder.
    """
    from pytensor.link.numba.cache import NUMBA_CACHE_PATH

    keep_generated_source()
    try:
        return compile_cached(pm_model)
    except (EOFError, pickle.UnpicklingError) as error:
        broken = discard_broken_cache(Path(NUMBA_CACHE_PATH))
        warnings.warn(f"the compile cache in {NUMBA_CACHE_PATH} was damaged ({error}); "
                      f"{len(broken)} unreadable file(s) removed, compiling again",
                      RuntimeWarning, stacklevel=2)
        return compile_cached(pm_model)


COMPILING = ("compiling this model once for this machine (up to a minute or so on two cores; "
             "later runs of it reuse the compiled code)")
"""What :func:`compile_cached` says on standard error before a compilation the disk cache
could not spare."""


def compile_cached(pm_model: Any) -> Any:
    """Compile ``pm_model`` for nutpie with C callbacks cached on disk across processes.

    Parameters
    ----------
    pm_model : pymc.Model
        A model whose data are ``pm.Data`` (shared variables), so one compilation serves
        every data set through ``CompiledPyMCModel.with_data``.

    Returns
    -------
    nutpie.compile_pymc.CompiledPyMCModel
        Ready for ``nutpie.sample``.

    Notes
    -----
    A compilation the disk cache cannot spare is announced on standard error
    (:data:`COMPILING`), since it keeps the user waiting.

    """
    import nutpie

    try:
        path = manifest_dir() / f"{graph_key(pm_model)}.json"
        if path.exists():
            try:
                return assemble(pm_model, check_manifest(json.loads(path.read_text())),
                                None)
            except Exception:  # a stale or evicted entry: compile again
                pass
        announce(COMPILING)
        functions = _pytensor_functions(pm_model)
        compiled = assemble(pm_model, functions[0], functions[1:])
        write_json(path, functions[0])
        return compiled
    except (ImportError, AttributeError, LookupError, TypeError, ValueError) as error:
        warnings.warn(f"nutpie's disk-cached compilation is unavailable ({error}); "
                      "compiling without the cache", RuntimeWarning, stacklevel=2)
        return nutpie.compile_pymc_model(pm_model)


def _initial_point_fn(pm_model: Any) -> Any:
    """PyMC's initial point (support point + jitter, as nutpie uses), thread-safe."""
    from nutpie.compile_pymc import _wrap_with_lock
    from pymc.initial_point import make_initial_point_fn

    return _wrap_with_lock(make_initial_point_fn(
        model=pm_model, jitter_rvs=set(pm_model.free_RVs), return_transformed=True))


def _pytensor_functions(pm_model: Any) -> tuple[dict[str, Any], Any, Any]:
    """Rewrite and compile the log-density and expand functions (the slow part).

    Returns the manifest (everything a later process needs to reload the callbacks) and the
    two compiled numba dispatchers.
    """
    from nutpie.compile_pymc import _make_functions
    from pytensor.link.numba.cache import CACHED_SRC_FUNCTIONS

    (n_dim, n_expanded, logp_fn, expand_fn, _, (names, slices, shapes),
     reparameterized) = _make_functions(pm_model, mode="NUMBA", compute_grad=True,
                                        join_expanded=True,
                                        pymc_initial_point_fn=_initial_point_fn(pm_model))
    parts = {}
    for part, function in (("logp", logp_fn), ("expand", expand_fn)):
        shared = [var.name for var in function.get_shared()]
        if None in shared or not set(shared) <= pm_model.named_vars.keys():
            raise LookupError(f"the {part} function uses unnamed or foreign shared variables")
        inner_key = CACHED_SRC_FUNCTIONS.get(function.vm.jit_fn.py_func)
        if inner_key is None:
            raise LookupError("PyTensor did not give the log-density a numba cache key")
        parts[part] = {"shared": shared, "inner_key": inner_key}
    manifest = {"n_dim": int(n_dim), "n_expanded": int(n_expanded), "names": names,
                "slices": [[int(s.start), int(s.stop)] for s in slices],
                "shapes": [[int(n) for n in shape] for shape in shapes],
                "reparameterized": reparameterized, **parts}
    return manifest, logp_fn.vm.jit_fn, expand_fn.vm.jit_fn


def assemble(pm_model: Any, manifest: dict[str, Any], inners: Sequence[Any] | None) -> Any:
    """Build nutpie's ``CompiledPyMCModel`` from a manifest and (cached) callbacks.

    ``inners`` are the compiled log-density and expand dispatchers when they were just
    compiled, or None: then the callbacks can only come from the disk cache (a new process).
    """
    from nutpie.compile_pymc import (
        CompiledPyMCModel,
        _prepare_dims_and_coords,
        _rv_dict_to_flat_array_wrapper,
        make_user_data,
    )

    n_dim, n_expanded = manifest["n_dim"], manifest["n_expanded"]
    names = list(dict.fromkeys(manifest["logp"]["shared"] + manifest["expand"]["shared"]))
    keys = {pm_model[name]: f"s{i}" for i, name in enumerate(names)}
    shared_data = {}
    for var, key in keys.items():
        value = np.array(var.get_value(), order="C", copy=True)
        value.flags.writeable = False
        shared_data[key] = value
    user_data = make_user_data(keys, shared_data)

    def callback(part: str, inner: Any, source_of: Callable[..., str], signature: str) -> Any:
        used = [keys[pm_model[name]] for name in manifest[part]["shared"]]
        source = source_of(used, [shared_data[k].ndim for k in used],
                           [shared_data[k].dtype.name for k in used])
        return _cached_cfunc(source, f"mgsleep_{part}", signature, inner,
                             manifest[part]["inner_key"], user_data.dtype)

    logp_inner, expand_inner = inners if inners is not None else (None, None)
    logp = callback("logp", logp_inner, partial(logp_source, n_dim=n_dim), LOGP_SIGNATURE)
    expand = callback("expand", expand_inner,
                      partial(expand_source, n_dim=n_dim, n_expanded=n_expanded),
                      EXPAND_SIGNATURE)
    shape_info = (manifest["names"], [slice(*s) for s in manifest["slices"]],
                  [tuple(shape) for shape in manifest["shapes"]])
    free_names = [pm_model.rvs_to_values[rv].name for rv in pm_model.free_RVs]
    initial_point = _rv_dict_to_flat_array_wrapper(
        _initial_point_fn(pm_model), names=free_names,
        shapes=[shape_info[2][manifest["names"].index(n)] for n in free_names])
    dims, coords = _prepare_dims_and_coords(pm_model, shape_info, manifest["reparameterized"])
    return CompiledPyMCModel(
        _n_dim=n_dim, dims=dims, _coords=coords,
        _shapes={name: tuple(shape) for name, _, shape in zip(*shape_info, strict=True)},
        compiled_logp_func=logp, compiled_expand_func=expand,
        initial_point_func=initial_point, shared_data=shared_data, shared_var_keys=keys,
        user_data=user_data, n_expanded=n_expanded, shape_info=shape_info,
        logp_func=None, expand_func=None, reparameterized_names=manifest["reparameterized"],
    )

