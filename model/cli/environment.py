"""The process environment a command sets up: a writable compile cache, no needless Dask import.

PyTensor keeps its compile cache in ``~/.pytensor`` (or ``PYTENSOR_FLAGS=base_compiledir=...``)
and cannot even be imported when that folder cannot be written, e.g. with a read-only or
missing home directory, or a read-only cache named in the flags (a pre-built cache in a
container image). :func:`ensure_compile_cache` then points PyTensor at a folder in the
temporary directory and says so: the command still works, it only compiles again more often.
That folder holds pickled numba caches and generated source that are executed, so the per-user
one (``mgsleep-pytensor-<uid>``) is used only when it is a real directory (not a symlink) of
this user that no one else can write; otherwise (e.g. planted by another user of a shared
``/tmp``) a new private folder is made for the run. Matplotlib's font cache, which would
otherwise print two lines of its own about a home it cannot write, is given such a folder too
(:func:`ensure_plot_config`).

xarray asks whether each new array is a Dask array by importing ``dask.array`` (about 0.6 s
on the 2-core machine) the first time an array is made, although no Dask array can exist
before ``dask.array`` is imported, and whether it is a Dask collection by importing
``dask.base`` (about 0.2 s), although no object without a ``__dask_graph__`` is one.
:func:`lazy_dask_probe` answers both without the imports until they can matter, so that the
nightly re-analysis (``mgsleep analyze`` with a cached fit, 2-3 s) does not pay them.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from model.core.paths import make_private, not_private


def _writable(folder: Path) -> bool:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            return True
    except OSError:
        return False


def _could_make(folder: Path) -> bool:
    """Whether ``folder`` is, or could be made as, a folder this user can write (none is made)."""
    existing = next((p for p in (folder, *folder.parents) if p.exists()), folder.anchor)
    return Path(existing).is_dir() and os.access(existing, os.W_OK | os.X_OK)


def _fallback_cache(shared: Path, prefix: str = "mgsleep-pytensor-") -> Path:
    """``shared`` (made with mode 0o700 when absent) if it is private, else a new private folder.

    Parameters
    ----------
    shared : Path
        The per-user folder in the temporary directory.
    prefix : str
        The name a new folder begins with.

    Returns
    -------
    Path
        ``shared`` when it is private to this user (:func:`model.core.paths.not_private`)
        after the attempt to make it, else a folder from :func:`tempfile.mkdtemp` (mode
        0o700), new at each call.

    """
    if make_private(shared) is None:
        return shared
    return Path(tempfile.mkdtemp(prefix=prefix))


def ensure_compile_cache(command: str) -> Path | None:
    """Use a temporary compile cache when the default one cannot be written.

    Parameters
    ----------
    command : str
        The subcommand, for the warning (``analyze``).

    Returns
    -------
    Path or None
        The temporary cache folder now in use, or None when nothing was changed (the default,
        or the ``base_compiledir`` that ``PYTENSOR_FLAGS`` names, is writable). That is
        ``mgsleep-pytensor-<uid>`` in the temporary directory when it is private to this user
        (:func:`model.core.paths.not_private`), else a new folder (``mgsleep-pytensor-*``)
        for this run.

    """
    flags = [f for f in os.environ.get("PYTENSOR_FLAGS", "").split(",") if f.strip()]
    named = [f for f in flags if f.strip().startswith("base_compiledir=")]
    wanted = Path(named[-1].split("=", 1)[1].strip()) if named else Path.home() / ".pytensor"
    fallback = Path(tempfile.gettempdir()) / f"mgsleep-pytensor-{os.getuid()}"
    usable = not_private(wanted) is None if wanted == fallback else _writable(wanted)
    if usable:
        return None
    folder = _fallback_cache(fallback)
    kept = [f for f in flags if f not in named]
    os.environ["PYTENSOR_FLAGS"] = ",".join([*kept, f"base_compiledir={folder}"])
    print(f"mgsleep {command}: warning: cannot write the compile cache in {wanted}"
          + (" (PYTENSOR_FLAGS base_compiledir)" if named else "") + f"; using {folder} instead"
          + ("" if folder == fallback else f" ({fallback} is not a folder of this user that "
             "only it can write, so it is not trusted)"), file=sys.stderr)
    return folder


def ensure_plot_config() -> Path | None:
    """Point Matplotlib at a private temporary folder when its own folders cannot be written.

    Matplotlib keeps its font cache in ``~/.config/matplotlib`` and ``~/.cache/matplotlib``
    (or the XDG folders); with a read-only or missing home it makes a temporary folder itself
    and prints two long lines about it at every run (a sysadmin's audit), beside the compile
    cache's own warning (:func:`ensure_compile_cache`), which already says the home cannot be
    written. A folder named by ``MPLCONFIGDIR`` is left alone.

    Returns
    -------
    Path or None
        The folder now in ``MPLCONFIGDIR`` (``mgsleep-matplotlib-<uid>`` in the temporary
        directory when private to this user, else a new one), or None when nothing was changed.

    """
    if os.environ.get("MPLCONFIGDIR"):
        return None
    home = Path(os.path.expanduser("~"))
    wanted = [Path(os.environ.get(xdg) or home / default) / "matplotlib"
              for xdg, default in (("XDG_CONFIG_HOME", ".config"), ("XDG_CACHE_HOME", ".cache"))]
    if all(_could_make(folder) for folder in wanted):
        return None
    folder = _fallback_cache(Path(tempfile.gettempdir()) / f"mgsleep-matplotlib-{os.getuid()}",
                             "mgsleep-matplotlib-")
    os.environ["MPLCONFIGDIR"] = str(folder)
    return folder


class _DaskProbe:
    """xarray's record of the ``dask`` duck-array module, looked up once ``dask.array`` is loaded.

    Stands in for ``xarray.namedarray.pycompat.DuckArrayModule("dask")``; until
    ``dask.array`` is imported (by anyone), its array type is the empty tuple, which is
    exact: no object can be a Dask array before that module exists.
    """

    def __init__(self, real: Any) -> None:
        self._real = real
        self._loaded: Any = None

    def __getattr__(self, name: str) -> Any:
        if name == "type" and "dask.array" not in sys.modules:
            return ()
        if self._loaded is None:
            self._loaded = self._real("dask")
        return getattr(self._loaded, name)


Check = Callable[[object], bool]


def _only_with_dask_graph(is_dask_collection: Check) -> Check:
    """``is_dask_collection``, answering False without importing Dask where Dask would.

    Dask's own check is False for any object without a ``__dask_graph__``.
    """

    def answer(x: object) -> bool:
        return hasattr(x, "__dask_graph__") and is_dask_collection(x)

    return answer


def lazy_dask_probe() -> bool:
    """Let xarray ask about Dask arrays without importing Dask until Dask is in use.

    Returns
    -------
    bool
        True when installed; False when xarray already knows about Dask or when its private
        cache (``xarray.namedarray.pycompat``) or its collection check
        (``xarray.namedarray.utils.is_dask_collection``) is not where this xarray version
        kept it, in which case nothing is changed and xarray imports Dask as usual.

    """
    try:
        from xarray.namedarray import pycompat, utils
        cache: Any = pycompat._cached_duck_array_modules  # noqa: SLF001 (checked below)
        real = pycompat.DuckArrayModule
        is_dask_collection = utils.is_dask_collection
    except (ImportError, AttributeError):
        return False
    if not isinstance(cache, dict) or "dask" in cache:
        return False
    cache["dask"] = _DaskProbe(real)
    # the same answers as xarray's TypeGuard function, which mypy cannot see through
    utils.is_dask_collection = _only_with_dask_graph(is_dask_collection)  # type: ignore[assignment]
    return True
