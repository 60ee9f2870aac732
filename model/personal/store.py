"""Save and load a fitted personal model as one ``.npz`` file (arrays + JSON metadata).

The file holds the last NUTS fit (its ``posterior`` and ``sample_stats``: the draws later
nights are reweighted from), the diary's nights as the fit reads them (text as UTF-8 bytes),
the current posterior as indices into those draws (after an update by importance
reweighting) and, in a JSON ``meta`` entry, the model's name, a format version, its
configuration, diagnostics and a fingerprint of the priors it was fitted with. A file of
another model, another format version or other priors is refused.

It keeps no more of the person than the fit needs (:data:`NOT_KEPT`): the free-text notes,
which the fit does not read, are blank, so that a note deleted from the diary does not live
on in the cache (an outside audit found "argued with spouse" in a world-readable fit), and
of the diary's path only its file name (a plot's title) is kept. The file is written 0o600
(:func:`model.core.atomic.write_with`).

The format is plain numpy (no pickled objects) so that reading it costs milliseconds and no
PyMC, PyTensor or netCDF library: ``mgsleep analyze`` reads one at every run
(:mod:`model.analysis.fit_cache`). This module knows the file, not the model:
:meth:`model.personal.fit.PersonalModel.save` and ``load`` pass a :class:`SavedFit` in and out.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd
import xarray as xr

from model.core.atomic import write_with
from model.core.errors import MgsleepError
from model.data.diary import Diary
from model.evidence.priorset import PriorSet
from model.inference.diagnostics import Diagnostics

MODEL_NAME = "mgsleep.PersonalModel"
FORMAT_VERSION = 14
"""The model a saved fit's draws belong to: 14, a fourth covariate, the days before a period
and its first two (``premenstrual``, derived from the diary's ``menstruation``,
:mod:`model.data.cycle_nights`; the cycle audit, /tmp/w56/cyc): 13's ``b_covariate`` and
``b_gi_covariate`` have three; 13, the covariates shift GI too
(``b_gi_covariate`` of dim ``covariate``): 12's GI knew none of them; 12, the covariates as
one ``b_covariate`` of dims
``covariate, sleep`` (:data:`model.data.diary.COVARIATES`), a day sleep after a night shift among
them: 11's ``b_caffeine`` and ``b_alcohol`` fitted no day sleep; 11, the same model as 10,
the sleep-onset intercept sampled as its nights' level in units of their SD (``sol_level_z``,
:mod:`model.likelihood.level`): 10's unconstrained draws, the warm starts of a refit, are points
of another space; 10, one level shift per measuring source other than
the reference, the tracker with the most nights (``b_device`` of dims ``shift, sleep``,
:data:`model.data.devices.SHIFTS` shifts): 9's one shift pooled every source but the first
night's; 9, the same graph as 8, the magnesium of the diary's
first night begun before it (the store at its steady state from the first night, or built up
since the profile's ``taking_since``, kept in the configuration): 8's draws credited a build-up
from 0 on the first night (:mod:`model.likelihood.kinetics`); 8, the device's level shift only
on the outcomes a tracker measures (latency and awakenings, not the ratings); 7, a level shift
of each sleep outcome on nights measured by another device than the diary's first (``b_device``;
the diary's ``device`` column, :mod:`model.data.devices`); 6, the same graph as 5, its metadata
gaining the seed and the sampler the fit used (``seed``, ``sampler_used``: a fit made without a
seed draws one), and the diary's blank covariate cells read anew (:mod:`model.personal.data`);
5, the same model as 4 without the diary's notes or its folder (4's files hold them: the cache
removes them as an older format); 4, the latency SD log-normal a priori (3 had it half-normal);
3, the shared-store kinetics (:mod:`model.likelihood.kinetics`; 2 assumed one store per form). 2
to 11 are ``.npz`` with the NUTS draws and resampling indices (1 was netCDF). Only this version
is read: draws of another model are not reweighted into this one. A change of the personal graph
must bump it (``tests/test_fit_format.py`` says when)."""
NOT_KEPT = ("notes",)
"""Diary columns a saved fit holds blank: free text the fit does not read."""
CONFIG_KEYS = ("gut_sensitivity", "draws", "tune", "chains", "sampler", "random_seed",
               "taking_since")
GROUPS = ("posterior", "sample_stats")


@dataclass(frozen=True)
class SavedFit:
    """What a saved personal fit holds.

    Attributes
    ----------
    config : dict
        The model's settings (:data:`CONFIG_KEYS`), as keyword arguments of the model.
    diary : Diary
        The diary of the current posterior.
    nuts : Groups
        The last NUTS fit: ``posterior`` and (when the sampler gave them) ``sample_stats``.
    nuts_nights : int
        Its diary: the first ``nuts_nights`` nights of ``diary``.
    nuts_diagnostics : Diagnostics
        Its diagnostics.
    method : str
        How the current posterior was made: ``"nuts"`` (it is the NUTS fit) or ``"psis"``.
    diagnostics : Diagnostics
        The current posterior's diagnostics.
    index : numpy.ndarray or None
        ``"psis"``: the NUTS draws (chain-major) that make up the current posterior.
    arrays : dict of str to numpy.ndarray
        Other per-draw arrays the model keeps (e.g. the importance weights).
    seed : int
        The seed the NUTS fit used (``config``'s ``random_seed``, or the one drawn without it).
    sampler : str
        The sampler it used (``config``'s ``sampler`` may be None: the default).
    """

    config: Mapping[str, Any]
    diary: Diary
    nuts: Groups
    nuts_nights: int
    nuts_diagnostics: Diagnostics
    method: str
    diagnostics: Diagnostics
    index: np.ndarray | None = None
    arrays: Mapping[str, np.ndarray] | None = None
    seed: int = 0
    sampler: str = ""


def priors_fingerprint(priors: PriorSet) -> str:
    """A short hash of the prior means and sds, the settings, the safety rules and the groups.

    The safety rules and the groups enter the fit too (``gut_sensitivity``'s shifts of the GI
    prior, each group's share of them), so a fit made under others is never reused.
    """
    payload = json.dumps([priors.to_json(), priors.settings.model_dump(),
                          priors.safety.model_dump(), priors.evidence.groups.model_dump()],
                         sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def _plain(values: np.ndarray) -> np.ndarray:
    """An array numpy stores without pickling (objects become strings)."""
    return values.astype(str) if values.dtype == object else values


@dataclass(frozen=True)
class Groups:
    """ArviZ groups (``posterior``, ``sample_stats``) as the named arrays a file holds.

    Reading them is a matter of milliseconds; the ``DataTree`` is made only when asked for
    (:meth:`tree`), the flattened draws (:meth:`draws`) without xarray.

    Attributes
    ----------
    arrays : dict of str to numpy.ndarray
        ``{group}/{variable}`` (dims ``chain, draw, ...``) and ``coord/{group}/{dim}``.
    layout : dict
        Per group, each variable's dims.
    """

    arrays: Mapping[str, np.ndarray]
    layout: Mapping[str, Mapping[str, list[str]]]

    @classmethod
    def of(cls, tree: xr.DataTree) -> Groups:
        """The groups of ``tree`` this file format keeps."""
        arrays: dict[str, np.ndarray] = {}
        layout: dict[str, dict[str, list[str]]] = {}
        for group in GROUPS:
            if group not in tree.children:
                continue
            data = tree[group].to_dataset().transpose("chain", "draw", ...)
            layout[group] = {str(k): list(map(str, v.dims)) for k, v in data.data_vars.items()}
            arrays |= {f"{group}/{k}": _plain(v.values) for k, v in data.data_vars.items()}
            arrays |= {f"coord/{group}/{k}": _plain(v.values) for k, v in data.coords.items()}
        return cls(arrays, layout)

    def tree(self) -> xr.DataTree:
        """The groups as an ArviZ ``DataTree``."""
        groups = {}
        for group, variables in self.layout.items():
            coords = {k.split("/", 2)[2]: v for k, v in self.arrays.items()
                      if k.startswith(f"coord/{group}/")}
            groups[group] = xr.Dataset({name: (tuple(dims), self.arrays[f"{group}/{name}"])
                                        for name, dims in variables.items()}, coords=coords)
        return xr.DataTree.from_dict(groups)

    def draws(self) -> dict[str, np.ndarray]:
        """The posterior with chains and draws flattened into a leading axis (chain-major).

        The same arrays as :func:`model.inference.summary.flatten_draws` of :meth:`tree`.
        """
        return {name: (values := self.arrays[f"posterior/{name}"])
                .reshape(-1, *values.shape[2:]) for name in self.layout["posterior"]}


def _text_arrays(column: str, values: pd.Series) -> dict[str, np.ndarray]:
    """A text column as its cells' UTF-8 bytes end to end, where each cell ends, what is missing.

    Variable-length, unlike a numpy string array (4 bytes per character of the longest cell,
    for every night: a 60-night diary with one 50 MB note made a 12.6 GB file).

    Parameters
    ----------
    column : str
        The column's name.
    values : pandas.Series
        Its cells (missing ones are stored as empty text and marked in ``diary_na``).

    Returns
    -------
    dict of str to numpy.ndarray
        ``diary/{column}`` (uint8), ``diary_ends/{column}`` (int64, each cell's end offset)
        and ``diary_na/{column}`` (bool).

    """
    cells = [str(v).encode("utf-8", "surrogatepass") for v in values.fillna("")]
    return {f"diary/{column}": np.frombuffer(b"".join(cells), dtype=np.uint8),
            f"diary_ends/{column}": np.cumsum([len(c) for c in cells], dtype=np.int64),
            f"diary_na/{column}": values.isna().to_numpy()}


def _diary_arrays(nights: pd.DataFrame) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """Each diary column as arrays (text: :func:`_text_arrays`) and its dtype."""
    arrays: dict[str, np.ndarray] = {"diary/date": pd.DatetimeIndex(nights.index).asi8}
    dtypes = {}
    for column in nights.columns:
        values = nights[column]
        dtypes[str(column)] = str(values.dtype)
        if values.dtype.kind in "biuf":
            arrays[f"diary/{column}"] = values.to_numpy()
        else:
            arrays |= _text_arrays(str(column), values)
    return arrays, dtypes


def _text(arrays: Mapping[str, np.ndarray], column: str) -> np.ndarray:
    """The cells of a text column stored by :func:`_text_arrays`.

    Files of earlier builds (the same format version) hold numpy strings instead, returned
    as they are.
    """
    values = arrays[f"diary/{column}"]
    if f"diary_ends/{column}" not in arrays:
        return values
    data, ends = values.tobytes(), arrays[f"diary_ends/{column}"].tolist()
    cells = [data[start:end].decode("utf-8", "surrogatepass")
             for start, end in zip([0, *ends], ends, strict=False)]
    return np.array(cells, dtype=object)


def _nights(arrays: Mapping[str, np.ndarray], dtypes: Mapping[str, str],
            unit: str) -> pd.DataFrame:
    columns = {}
    for column, dtype in dtypes.items():
        if f"diary_na/{column}" in arrays:
            series = pd.Series(_text(arrays, column), dtype=dtype)
            columns[column] = series.mask(arrays[f"diary_na/{column}"])
        else:
            columns[column] = pd.Series(arrays[f"diary/{column}"], dtype=dtype)
    index = pd.DatetimeIndex(arrays["diary/date"].astype(f"datetime64[{unit}]"), name="date",
                             freq="D")
    frame = pd.DataFrame(columns)
    frame.index = index
    return frame


def save_fit(saved: SavedFit, priors: PriorSet, path: Path) -> None:
    """Write ``saved`` (fitted with ``priors``) to ``path`` atomically, private to this user.

    One temporary beside ``path`` (``.<name>.<pid>.<random>.tmp``, swept when its process is
    gone: :func:`model.core.atomic.write_with`), 0o600, renamed over ``path`` when complete (a
    symbolic link there is replaced, not followed). The notes are left blank (:data:`NOT_KEPT`)
    and the diary is named by its file name alone.
    """
    arrays, layout = dict(saved.nuts.arrays), saved.nuts.layout
    nights = saved.diary.nights
    diary_arrays, dtypes = _diary_arrays(nights.assign(**{c: "" for c in NOT_KEPT
                                                          if c in nights}))
    arrays |= diary_arrays | {f"array/{k}": v for k, v in (saved.arrays or {}).items()}
    if saved.index is not None:
        arrays["index"] = np.asarray(saved.index, dtype=np.int64)
    meta = {"model": MODEL_NAME, "format_version": FORMAT_VERSION,
            "config": {k: saved.config[k] for k in CONFIG_KEYS},
            "priors_fingerprint": priors_fingerprint(priors),
            "diary_source": Path(saved.diary.source).name, "diary_dtypes": dtypes,
            "date_unit": pd.DatetimeIndex(saved.diary.nights.index).unit,
            "layout": layout, "nuts_nights": saved.nuts_nights, "method": saved.method,
            "seed": saved.seed, "sampler_used": saved.sampler,
            "nuts_diagnostics": asdict(saved.nuts_diagnostics),
            "diagnostics": asdict(saved.diagnostics)}
    arrays["meta"] = np.array(json.dumps(meta))
    write_with(path, partial(_savez, arrays=arrays))


def _savez(stream: IO[bytes], arrays: Mapping[str, np.ndarray]) -> None:
    np.savez(stream, allow_pickle=False, **arrays)


def _diagnostics(stored: Mapping[str, Any]) -> Diagnostics:
    return Diagnostics(**dict(stored) | {"checked": tuple(stored.get("checked", ()))})


def saved_format(path: Path) -> int | None:
    """The format version of a fit :func:`save_fit` wrote, reading its metadata alone.

    None for any other file (unreadable, foreign, another model's). Costs about a millisecond
    however large the file: only its ``meta`` entry is decompressed.
    """
    try:
        with np.load(path, allow_pickle=False) as stored:
            meta = json.loads(str(stored["meta"]))
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return None
    if not isinstance(meta, dict) or meta.get("model") != MODEL_NAME:
        return None
    version = meta.get("format_version")
    return version if isinstance(version, int) else None


def _read(path: Path) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """The arrays and metadata of a saved fit; MgsleepError for anything else."""
    try:
        with np.load(path, allow_pickle=False) as stored:
            arrays = {name: stored[name] for name in stored.files}
        meta = json.loads(str(arrays.pop("meta")))
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as error:
        raise MgsleepError(f"{path}: not a {MODEL_NAME} file ({error})") from error
    if not isinstance(meta, dict) or meta.get("model") != MODEL_NAME:
        name = meta.get("model", "an unknown model") if isinstance(meta, dict) else "?"
        raise MgsleepError(f"{path}: holds {name!r}, not a {MODEL_NAME}")
    if meta.get("format_version") != FORMAT_VERSION:
        raise MgsleepError(f"{path}: format version {meta.get('format_version')} is not "
                           f"{FORMAT_VERSION}; refit the diary")
    return arrays, meta


def load_fit(path: Path, priors: PriorSet) -> SavedFit:
    """Read a file written by :func:`save_fit`, refusing one fitted with other ``priors``."""
    arrays, meta = _read(path)
    if meta.get("priors_fingerprint") != priors_fingerprint(priors):
        raise MgsleepError(f"{path}: was fitted with other priors than the ones given; load it "
                           "with the same priors or refit")
    try:
        nights = _nights(arrays, meta["diary_dtypes"], meta["date_unit"])
        return SavedFit(
            config=meta["config"], diary=Diary(nights, str(meta["diary_source"])),
            nuts=Groups({k: v for k, v in arrays.items() if k.split("/", 1)[0] in
                         (*GROUPS, "coord")}, meta["layout"]), nuts_nights=int(meta["nuts_nights"]),
            nuts_diagnostics=_diagnostics(meta["nuts_diagnostics"]), method=meta["method"],
            diagnostics=_diagnostics(meta["diagnostics"]), index=arrays.get("index"),
            arrays={k.split("/", 1)[1]: v for k, v in arrays.items()
                    if k.startswith("array/")},
            seed=int(meta["seed"]), sampler=str(meta["sampler_used"]))
    except (KeyError, TypeError, ValueError) as error:
        raise MgsleepError(f"{path}: a damaged {MODEL_NAME} file ({error!r})") from error
