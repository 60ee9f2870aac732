"""The last fit of each diary, kept between runs: a new night costs seconds, not a full fit.

The daily loop (write down last night, run ``mgsleep analyze`` again) used to pay a full MCMC
fit in a new process. Now ``analyze`` keeps each diary's last fit in a cache directory (one
``.npz`` file per diary, :meth:`model.personal.fit.PersonalModel.save`) and, when the diary only
gained nights since, updates it with :meth:`~model.personal.fit.PersonalModel.update`: the
last NUTS fit's draws are reweighted to the longer diary by Pareto-smoothed importance
sampling (in numpy: neither PyMC nor PyTensor is imported) and kept only under the same trust
rule as any update (Pareto k <= 0.7, enough effective draws); otherwise PyMC is imported and
NUTS refits from them (warm-started). Each later night is weighed against the same NUTS draws,
until the rule asks for a refit.

What invalidates a cached fit:

- the key: the diary file's resolved path, the priors (their fingerprint), the profile's gut
  sensitivity (the one profile fact the fit uses), the MCMC settings and the file format;
- any change to a night the cached fit has seen (a correction, a deleted night): a full fit;
  not a covariate derived from later nights: a period's first day written turns the 5 nights
  before it ``premenstrual`` (:mod:`model.data.cycle_nights`) while their cells stay as they
  were, so the diary only gained nights, and the update weighs every night with the covariate
  the longer diary gives it (the covariates are derived from the nights given, so the saved
  NUTS draws keep those of the nights they were drawn from: the cycle audit, /tmp/w56/cyc);
- a file that cannot be read, or one of another model, format or priors: ignored with a
  warning and replaced, never trusted.

What is removed, so that the folder does not grow without end (each diary keeps up to three
fits, about 10 MB each at 120 nights: the main one and the prior sensitivity check's two):

- fits of an older format of this model (a lower ``FORMAT_VERSION``, or the former netCDF
  ``*.nc``): no later run can use them, as the key holds the format; removed with one
  warning. A file of a newer format (a newer install sharing the folder) or of another
  program is left alone;
- the least recently used fits, once the folder's fits take more than
  :data:`DEFAULT_LIMIT_MB` (or ``$MGSLEEP_CACHE_LIMIT_MB``): reusing a fit counts as a use.
  Their diaries are fitted afresh when next analysed.

The default directory is ``$MGSLEEP_CACHE`` or the user cache directory
(``$XDG_CACHE_HOME/mgsleep/fits``, else ``~/.cache/mgsleep/fits``); when it cannot be written,
the fit is still made and a warning says what the next run will start from (the older cached
fit, still in place, or nothing). A fit is written through one temporary beside it; the
temporary of a run killed while writing is removed by the next run.

A fit holds a copy of the diary's nights and decides the advice, so the cache is private
(an outside audit: in a shared ``/tmp`` folder another user read the fits, planted one that
turned "switch to taurate" into "stop taking magnesium", and linked a key to the victim's
own file, which the next fit overwrote). The fits go in the folder given only when it is
private to this user (:func:`model.core.paths.not_private`: its own, which no one else can
write), else in its subfolder ``mgsleep-<uid>`` when that is (made 0o700), else nowhere:
one warning, and the run fits from scratch (:func:`cache_folder`). Folders it makes are
0o700, fits 0o600 and without the diary's notes (:func:`model.personal.store.save_fit`).
A file at a fit's name that is a symbolic link, or another user's, or that others can
write is never read (a warning) and is replaced, not written through; the clean-ups above
remove this user's own fits only.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import time
import warnings
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd

from model.core.atomic import sweep_folder
from model.core.paths import make_private, not_private
from model.data.diary import Diary
from model.evidence.priorset import PriorSet
from model.personal.fit import PersonalModel
from model.personal.store import FORMAT_VERSION, NOT_KEPT, priors_fingerprint, saved_format

FIT_WORDS = {"fit": "fitted", "cached": "reused the cached fit (no new night)",
             "psis": "updated the cached fit by importance reweighting",
             "nuts": "refitted from the cached fit"}
"""How each way of getting a fit is said on the terminal."""


DEFAULT_LIMIT_MB = 1000
"""The most the cached fits may take together (megabytes) unless ``$MGSLEEP_CACHE_LIMIT_MB``
says otherwise: some 20-25 diaries of 120 nights with the three refits of their sensitivity
checks. Looking for
older formats reads each file's metadata, about a millisecond a file."""


class CacheWarning(UserWarning):
    """A cached fit could not be used or kept (the analysis itself goes on)."""


def default_cache_dir() -> Path:
    """``$MGSLEEP_CACHE``, else ``$XDG_CACHE_HOME/mgsleep/fits``, else ``~/.cache/...``."""
    if os.environ.get("MGSLEEP_CACHE"):
        return Path(os.environ["MGSLEEP_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "mgsleep" / "fits"


def diary_place(source: str) -> str:
    """The diary file's resolved path (``source`` as it is when no such file): a diary's key.

    What :func:`cache_key` and the record of the last result
    (:mod:`model.analysis.since_last`) know a diary by.
    """
    return str(Path(source).resolve()) if source and Path(source).exists() else source


def cache_key(source: str, priors: PriorSet, config: Mapping[str, Any]) -> str:
    """The file name stem of a diary's cached fit (see the module docstring)."""
    text = json.dumps({"diary": diary_place(source), "priors": priors_fingerprint(priors),
                       "config": dict(config), "format": FORMAT_VERSION}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _same(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    """The same nights with the same values (NaN equal to NaN; notes, unread by the fit, aside)."""
    a, b = (f.drop(columns=list(NOT_KEPT), errors="ignore") for f in (a, b))
    if not a.index.equals(b.index) or list(a.columns) != list(b.columns):
        return False
    return bool(a.astype(object).where(a.notna(), None)
                .equals(b.astype(object).where(b.notna(), None)))


def later_nights(seen: Diary, diary: Diary) -> Diary | None:
    """The nights ``diary`` adds after those of ``seen``; None when it changed one of them.

    An empty diary (no later night) is returned when nothing was added. The nights' cells are
    compared, not what is derived from them (``premenstrual``: the module doc).
    """
    last = seen.nights.index.max()
    if diary.nights.index.max() < last:
        return None
    if not _same(seen.nights, diary.nights.loc[:last]):
        return None
    return replace(diary, nights=diary.nights.loc[diary.nights.index > last], warnings=())


def cache_folder(directory: Path) -> Path | None:
    """Where the fits go: ``directory``, or its ``mgsleep-<uid>``; None: no cache (a warning).

    ``directory`` when it is private to this user (made 0o700 with its missing parents when
    absent), else its subfolder ``mgsleep-<uid>`` (made 0o700) when that is private: in a
    folder others can write (a shared ``/tmp`` one) or another user's, each user keeps fits
    of their own. See :func:`model.core.paths.not_private`.
    """
    why = make_private(directory)
    if why is None:
        return directory
    own = directory / f"mgsleep-{os.getuid()}"
    why_own = make_private(own)
    if why_own is None:
        return own
    warnings.warn(f"no fit cache in this run: {directory} is not private to this user ({why}) "
                  f"and {own.name} in it is not either ({why_own}); the fit is made from "
                  "scratch and not kept", CacheWarning, stacklevel=3)
    return None


def _load(path: Path, priors: PriorSet) -> PersonalModel | None:
    """The cached fit at ``path``; None when there is none, or none to trust (a warning)."""
    if not os.path.lexists(path):
        return None
    why = not_private(path, folder=False)
    if why is not None:
        warnings.warn(f"ignored the cached fit {path}: {why}; it is not read, and the new fit "
                      "replaces it", CacheWarning, stacklevel=3)
        return None
    try:
        return PersonalModel.load(path, priors)
    except Exception as error:  # a broken or foreign file is never trusted
        why = str(error).removeprefix(f"{path}: ")
        warnings.warn(f"ignored the cached fit {path}: {why}", CacheWarning, stacklevel=3)
        return None


LEGACY_TEMPORARY = re.compile(r"^\.\.?[0-9a-f]{32}\.npz\.[a-z0-9_]{8}\.tmp(\.tmp)?$")
"""A temporary of earlier builds (two per write: ``.<key>.npz.<random>.tmp`` and
``..<key>.npz.<random>.tmp.tmp``; no pid in the name to tell if its writer still runs):
removed once an hour old, as no write takes that long."""


FIT_NAME = re.compile(r"^[0-9a-f]{32}\.(npz|nc)$")
"""The name of a cached fit (:func:`cache_key` and its suffix): nothing else in the folder is
touched. A cache pointed at a shared folder deleted a project's ``experiment.nc`` as "an
older format" and a numpy ``my_arrays.npz`` to keep to the size limit (an outside audit)."""


def _fits(directory: Path, suffix: str) -> dict[Path, os.stat_result]:
    """The cached fits in ``directory`` with ``suffix`` (``.npz`` or ``.nc``) and their status.

    Only files named as fits (:data:`FIT_NAME`) that are this user's own (not links, no one
    else can write them: :func:`~model.core.paths.not_private`): in a folder shared after all,
    another user's fits are neither read nor removed.
    """
    found = {}
    for path in directory.glob(f"*{suffix}"):
        if FIT_NAME.match(path.name) and not_private(path, folder=False) is None:
            with contextlib.suppress(OSError):
                found[path] = path.lstat()
    return found


def _drop_legacy(directory: Path) -> None:
    """Remove what a former version or a killed run left: never read, it would only take room.

    Fits of an older format (``*.nc`` of version 1, ``*.npz`` of a lower
    :data:`~model.personal.store.FORMAT_VERSION`; one warning), temporaries of processes no
    longer running (:func:`model.core.atomic.sweep_folder`; a run killed while writing its
    fit) and temporaries of former versions an hour old (:data:`LEGACY_TEMPORARY`).
    """
    older = list(_fits(directory, ".nc"))
    older += [path for path in _fits(directory, ".npz")
              if (version := saved_format(path)) is not None and version < FORMAT_VERSION]
    for path in older:
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)
    if older:
        names = ", ".join(path.name for path in older[:3]) + (", ..." if len(older) > 3 else "")
        warnings.warn(f"removed {len(older)} cached fit(s) of an older file format from "
                      f"{directory} ({names}): this version cannot reuse them, so their "
                      "diaries are fitted afresh", CacheWarning, stacklevel=3)
    with contextlib.suppress(OSError):
        sweep_folder(directory)
        for stale in directory.glob(".*.tmp"):
            if LEGACY_TEMPORARY.match(stale.name) and time.time() - stale.stat().st_mtime > 3600:
                stale.unlink(missing_ok=True)


def cache_limit_bytes() -> int:
    """The cache's limit in bytes: ``$MGSLEEP_CACHE_LIMIT_MB``, else :data:`DEFAULT_LIMIT_MB`.

    A value that is not a positive number of megabytes is a warning, and the default holds.
    """
    text = os.environ.get("MGSLEEP_CACHE_LIMIT_MB", "").strip()
    try:
        megabytes = float(text) if text else DEFAULT_LIMIT_MB
    except ValueError:
        megabytes = -1.0
    if not megabytes > 0 or megabytes == float("inf"):
        warnings.warn(f"MGSLEEP_CACHE_LIMIT_MB={text!r} is not a positive number of megabytes; "
                      f"keeping the cache to {DEFAULT_LIMIT_MB} MB", CacheWarning, stacklevel=3)
        megabytes = DEFAULT_LIMIT_MB
    return int(megabytes * 2**20)


def _trim(directory: Path, keep: Path) -> None:
    """Remove the least recently used fits (not ``keep``) until they fit the cache's limit."""
    fits = [(status.st_mtime, status.st_size, path)
            for path, status in _fits(directory, ".npz").items()]
    total, limit = sum(size for _, size, _ in fits), cache_limit_bytes()
    for _, size, path in sorted(fits):
        if total <= limit:
            return
        if path != keep:
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)
                total -= size


def _store(fit: PersonalModel, path: Path, previous: PersonalModel | None) -> None:
    """Write the fit to ``path`` atomically (:func:`model.personal.store.save_fit`).

    When it cannot be written, a warning says what the next run will start from: the older
    cached fit ``previous`` (still in place) or nothing.
    """
    try:
        fit.save(path)
    except OSError as error:
        then = ("fit from scratch" if previous is None else "start again from the older "
                f"cached fit there ({previous.diary_.n_nights} nights), updating it")
        warnings.warn(f"could not keep the fit in {path.parent} ({error.strerror or error}); "
                      f"the next run will {then}", CacheWarning, stacklevel=3)


def fit_with_cache(diary: Diary, priors: PriorSet, config: Mapping[str, Any],
                   directory: Path | None) -> tuple[PersonalModel, str]:
    """Fit ``diary``, reusing and refreshing its cached fit in ``directory`` (None: no cache).

    Parameters
    ----------
    diary : Diary
        The diary as analysed (after any ``--as-of``).
    priors : PriorSet
        The priors of the fit.
    config : mapping
        Keyword arguments of :class:`~model.personal.fit.PersonalModel` (gut sensitivity,
        draws, tune, chains, sampler, random seed, progress bar).
    directory : Path or None
        The cache directory (the fits go in it or in a folder of this user's in it:
        :func:`cache_folder`).

    Returns
    -------
    tuple of (PersonalModel, str)
        The fit and how it was made: ``"fit"`` (no usable cached fit), ``"cached"`` (no new
        night), ``"psis"`` (reweighted) or ``"nuts"`` (refitted from the cached draws).

    """
    directory = None if directory is None else cache_folder(directory)
    if directory is None:
        return PersonalModel(priors, **config).fit(diary), "fit"
    keyed = {k: v for k, v in config.items() if k != "progressbar"}
    path = directory / f"{cache_key(diary.source, priors, keyed)}.npz"
    _drop_legacy(directory)
    previous = _load(path, priors)
    later = later_nights(previous.diary_, diary) if previous is not None else None
    if previous is None or later is None:
        fit, how = PersonalModel(priors, **config).fit(diary), "fit"
    elif later.nights.empty:
        with contextlib.suppress(OSError):
            os.utime(path)                     # a use: the last to go when the cache is full
        return previous, "cached"
    else:
        fit = previous.update(later)
        how = fit.method_
    _store(fit, path, previous)
    _trim(directory, keep=path)
    return fit, how
