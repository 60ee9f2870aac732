"""Where a result came from: the versions, the run's settings and fingerprints of its inputs.

The JSON of ``mgsleep analyze``, ``nof1`` and ``population`` carries a ``provenance`` object
made by :func:`provenance` (an outside reproducibility audit: none said which version, seed,
sampler or inputs a result came from). Inputs are named by their file name only, never their
folder (privacy), with a SHA-256 of the file when the result is written, so that
``sha256sum diary.csv`` tells whether a result is of the diary at hand. A run without a
seed draws one (:func:`draw_seed`) and reports it: given back as ``--seed``, it reproduces
the run. The code is named by a fingerprint of its own files (:func:`code_sha256`): the
package version never moved from 0.1.0 while the code changed many times a day, so a result
could not be traced to the code that made it (a clinic's audit, an upgrading user's audit).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import platform
import secrets
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

from model.core.paths import default_priors_dir

LIBRARIES = ("numpy", "pymc", "pytensor", "nutpie", "arviz")
"""The libraries whose versions a result names (null for one not installed)."""

SEED_BITS = 32
"""A drawn seed is below 2**32: the samplers (and ``--seed``) take unsigned 32-bit seeds."""


def package_version(name: str) -> str | None:
    """The installed version of the distribution ``name``; None when it is not installed."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


PACKAGE = Path(__file__).resolve().parents[1]
"""The ``model`` package, whose ``.py`` files :func:`code_sha256` fingerprints."""


def tree_sha256(package: Path, data: Path) -> str:
    """The SHA-256 over a package's ``.py`` files and the data files it reads.

    Each file is taken by its path relative to its root (``model/...``, ``priors/...``,
    ``/`` separated, so that a wheel's ``model/_default_priors`` and a checkout's ``priors``
    give the same name), in sorted order: its name, its size and its bytes. No git is needed,
    and an edited file, one added or one removed changes it.
    """
    files = sorted([(f"model/{path.relative_to(package).as_posix()}", path)
                    for path in package.rglob("*.py")]
                   + [(f"priors/{path.relative_to(data).as_posix()}", path)
                      for path in data.rglob("*") if path.is_file()])
    digest = hashlib.sha256()
    for name, path in files:
        content = path.read_bytes()
        digest.update(f"{name}\0{len(content)}\0".encode())
        digest.update(content)
    return digest.hexdigest()


@functools.cache
def code_sha256() -> str:
    """The fingerprint of the code running, computed once per process.

    :func:`tree_sha256` of :data:`PACKAGE` and the bundled priors.
    """
    return tree_sha256(PACKAGE, default_priors_dir())


def versions() -> dict[str, Any]:
    """The versions of mgsleep (its package metadata), Python and :data:`LIBRARIES`.

    With ``code_sha256``, the fingerprint of the code itself (:func:`code_sha256`): the
    package version says little between releases.
    """
    return {"mgsleep": package_version("mgsleep"), "code_sha256": code_sha256(),
            "python": platform.python_version(),
            "libraries": {name: package_version(name) for name in LIBRARIES}}


def run_attrs(sampler: str, seed: int, method: str) -> dict[str, str | int]:
    """What a posterior's ``attrs`` say of its run (ArviZ's names where it has them).

    ``inference_library`` (the sampler used) and its version, ``random_seed`` (the seed
    used), ``method`` (``nuts``, or ``psis`` for an update by reweighting),
    ``mgsleep_version``, ``mgsleep_code_sha256`` (:func:`code_sha256`: a saved posterior
    names the code that drew it, as the JSON does), ``python_version`` and each installed
    library's ``<name>_version``.
    """
    known = versions()
    attrs: dict[str, str | int] = {"inference_library": sampler, "random_seed": int(seed),
                                   "method": method, "mgsleep_version": str(known["mgsleep"]),
                                   "mgsleep_code_sha256": known["code_sha256"],
                                   "python_version": known["python"]}
    library = package_version(sampler)
    attrs |= {"inference_library_version": library} if library else {}
    return attrs | {f"{name}_version": version
                    for name, version in known["libraries"].items() if version}


def draw_seed() -> int:
    """A seed from the operating system's randomness, 0 to 2**32 - 1 (what ``--seed`` takes)."""
    return secrets.randbits(SEED_BITS)


def sha256_hex(data: bytes) -> str:
    """The SHA-256 of ``data`` as 64 hex digits."""
    return hashlib.sha256(data).hexdigest()


def input_entry(source: str | Path | None, data: bytes | None = None) -> dict[str, Any]:
    """An input as a result names it: its file name (not its folder) and a SHA-256.

    Parameters
    ----------
    source : str or Path, optional
        Where the input was read from (only its last component is kept).
    data : bytes, optional
        What was read, when it was not a file (a table given in Python, as text): then
        ``of`` is ``"table"``. None: the file's bytes are hashed (``of`` = ``"file"``).

    Returns
    -------
    dict
        ``file`` (the name, or null), ``sha256`` and ``of``.
    """
    name = Path(source).name if source else None
    if data is None:
        return {"file": name, "sha256": sha256_hex(Path(str(source)).read_bytes()),
                "of": "file"}
    return {"file": name, "sha256": sha256_hex(data), "of": "table"}


def provenance(*, seed: int, seed_drawn: bool, sampler: str, draws: int, tune: int,
               chains: int, inputs: Mapping[str, Any],
               run_date: dt.date | None = None) -> dict[str, Any]:
    """The ``provenance`` object of a JSON result.

    Parameters
    ----------
    seed : int
        The seed the run used.
    seed_drawn : bool
        Whether it was drawn (:func:`draw_seed`) because none was given.
    sampler : str
        The NUTS sampler actually used (``nutpie`` or ``pymc``).
    draws, tune, chains : int
        The MCMC settings.
    inputs : mapping
        The command's own entries (its inputs' :func:`input_entry`, the priors' fingerprint,
        how the fit was made), added last.
    run_date : datetime.date, optional
        The day of the run (default: the clock's).

    Returns
    -------
    dict
        ``mgsleep``, ``code_sha256``, ``python``, ``libraries``, ``run_date``, ``seed``,
        ``seed_drawn``, ``sampler``, ``draws``, ``tune``, ``chains``, then ``inputs``' keys.
    """
    return versions() | {"run_date": (run_date or dt.date.today()).isoformat(),
                         "seed": int(seed), "seed_drawn": seed_drawn, "sampler": sampler,
                         "draws": int(draws), "tune": int(tune),
                         "chains": int(chains)} | dict(inputs)
