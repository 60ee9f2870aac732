"""Save and load a fitted personal model as one netCDF file.

The file holds the posterior, the diary nights and, in the root attributes, the model's name,
a format version, its configuration and a fingerprint of the priors it was fitted with. A
file of another model, another format version or other priors is refused. This module knows
the file, not the model: :meth:`model.personal.fit.PersonalModel.save` and ``load`` pass a
:class:`SavedFit` in and out.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import xarray as xr

from model.core.errors import MgsleepError
from model.data.diary import Diary
from model.evidence.priorset import PriorSet
from model.inference.diagnostics import Diagnostics

MODEL_NAME = "mgsleep.PersonalModel"
FORMAT_VERSION = 1
CONFIG_KEYS = ("gut_sensitivity", "draws", "tune", "chains", "sampler", "random_seed")


@dataclass(frozen=True)
class SavedFit:
    """What a saved personal fit holds.

    Attributes
    ----------
    config : dict
        The model's settings (:data:`CONFIG_KEYS`), as keyword arguments of the model.
    diary : Diary
        The diary it was fitted to.
    idata : xarray.DataTree
        Its ``posterior`` (and, for a NUTS fit, ``sample_stats``).
    method : str
        ``"nuts"`` or ``"psis"``.
    diagnostics : Diagnostics or None
        Its diagnostics (None in files that did not store them).
    """

    config: Mapping[str, Any]
    diary: Diary
    idata: xr.DataTree
    method: str
    diagnostics: Diagnostics | None


def priors_fingerprint(priors: PriorSet) -> str:
    """A short hash of every prior mean and sd and of the synthesis settings."""
    payload = json.dumps([priors.to_json(), priors.settings.model_dump()], sort_keys=True,
                         default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def save_fit(saved: SavedFit, priors: PriorSet, path: Path) -> None:
    """Write ``saved`` (fitted with ``priors``) to ``path`` atomically (temporary + rename)."""
    nights = saved.diary.nights.copy()
    nights["notes"] = nights["notes"].fillna("").astype(str)
    nights["form"] = nights["form"].astype(str)
    groups = {name: saved.idata[name].to_dataset() for name in ("posterior", "sample_stats")
              if name in saved.idata.children}
    groups["diary"] = xr.Dataset.from_dataframe(nights.rename_axis("date"))
    tree = xr.DataTree.from_dict(groups)
    config = {k: saved.config[k] for k in CONFIG_KEYS}
    diagnostics = saved.diagnostics.to_dict() if saved.diagnostics else None
    tree.attrs = {"model": MODEL_NAME, "format_version": FORMAT_VERSION,
                  "config": json.dumps(config), "priors_fingerprint":
                  priors_fingerprint(priors), "diary_source": saved.diary.source,
                  "date_unit": pd.DatetimeIndex(saved.diary.nights.index).unit,
                  "method": saved.method, "diagnostics": json.dumps(diagnostics)}
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tree.to_netcdf(tmp, engine="h5netcdf")
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def load_fit(path: Path, priors: PriorSet) -> SavedFit:
    """Read a file written by :func:`save_fit`, refusing one fitted with other ``priors``."""
    try:
        tree = xr.open_datatree(path, engine="h5netcdf").load()
    except (OSError, ValueError) as error:
        raise MgsleepError(f"{path}: not a saved mgsleep fit ({error})") from error
    attrs: dict[str, Any] = {str(k): v for k, v in tree.attrs.items()}
    if attrs.get("model") != MODEL_NAME:
        raise MgsleepError(f"{path}: holds {attrs.get('model', 'an unknown model')!r}, "
                           f"not a {MODEL_NAME}")
    if int(attrs.get("format_version", -1)) != FORMAT_VERSION:
        raise MgsleepError(f"{path}: format version {attrs.get('format_version')} is not "
                           f"{FORMAT_VERSION}; refit the diary")
    if attrs.get("priors_fingerprint") != priors_fingerprint(priors):
        raise MgsleepError(f"{path}: was fitted with other priors than the ones given; load it "
                           "with the same priors or refit")
    nights = tree["diary"].to_dataset().to_dataframe()
    unit: Literal["s", "ms", "us", "ns"] = attrs.get("date_unit", "s")
    nights.index = pd.DatetimeIndex(nights.index, name="date", freq="D").as_unit(unit)
    nights["recorded"] = nights["recorded"].astype(bool)
    nights["split"] = nights["split"].astype(bool)
    nights["notes"] = nights["notes"].replace("", np.nan)
    stored = json.loads(attrs.get("diagnostics", "null"))
    return SavedFit(
        config=json.loads(attrs["config"]),
        diary=Diary(nights, str(attrs.get("diary_source", path))),
        idata=xr.DataTree.from_dict({name: tree[name].to_dataset() for name in
                                     ("posterior", "sample_stats") if name in tree.children}),
        method=str(attrs.get("method", "nuts")),
        diagnostics=Diagnostics(**stored | {"checked": tuple(stored.get("checked", ()))})
        if stored else None)
