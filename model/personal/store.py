"""Save and load a fitted :class:`~model.personal.fit.PersonalModel` as one netCDF file.

The file holds the posterior, the diary nights and, in the root attributes, the model's name,
a format version, its configuration and a fingerprint of the priors it was fitted with. A
file of another model, another format version or other priors is refused.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
import xarray as xr

from model.core.errors import MgsleepError
from model.data.diary import Diary
from model.evidence.priorset import PriorSet, load_priors
from model.inference.diagnostics import Diagnostics, check_convergence

if TYPE_CHECKING:
    from model.personal.fit import PersonalModel

MODEL_NAME = "mgsleep.PersonalModel"
FORMAT_VERSION = 1
CONFIG_KEYS = ("gut_sensitivity", "draws", "tune", "chains", "sampler", "random_seed")


def priors_fingerprint(priors: PriorSet) -> str:
    """A short hash of every prior mean and sd and of the synthesis settings."""
    payload = json.dumps([priors.to_json(), priors.settings.model_dump()], sort_keys=True,
                         default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def save_fit(fit: PersonalModel, path: Path) -> None:
    """Write ``fit`` to ``path`` atomically (a temporary file renamed into place)."""
    nights = fit.diary_.nights.copy()
    nights["notes"] = nights["notes"].fillna("").astype(str)
    nights["form"] = nights["form"].astype(str)
    groups = {name: fit.idata_[name].to_dataset() for name in ("posterior", "sample_stats")
              if name in fit.idata_.children}
    groups["diary"] = xr.Dataset.from_dataframe(nights.rename_axis("date"))
    tree = xr.DataTree.from_dict(groups)
    config = {k: getattr(fit, k) for k in CONFIG_KEYS}
    tree.attrs = {"model": MODEL_NAME, "format_version": FORMAT_VERSION,
                  "config": json.dumps(config), "priors_fingerprint":
                  priors_fingerprint(fit.priors_), "diary_source": fit.diary_.source,
                  "date_unit": pd.DatetimeIndex(fit.diary_.nights.index).unit,
                  "method": fit.method_, "diagnostics": json.dumps(fit.diagnostics_.to_dict())}
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tree.to_netcdf(tmp, engine="h5netcdf")
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def load_fit(cls: type[PersonalModel], path: Path, priors: PriorSet | None) -> PersonalModel:
    """Read a file written by :func:`save_fit` into a new ``cls`` instance."""
    from model.personal.data import diary_data, diary_size
    from model.personal.fit import CHECKED, _flatten, _NutsFit

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
    priors = priors or load_priors()
    if attrs.get("priors_fingerprint") != priors_fingerprint(priors):
        raise MgsleepError(f"{path}: was fitted with other priors than the ones given; load it "
                           "with the same priors or refit")
    fit = cls(priors, **json.loads(attrs["config"]))
    nights = tree["diary"].to_dataset().to_dataframe()
    unit: Literal["s", "ms", "us", "ns"] = attrs.get("date_unit", "s")
    nights.index = pd.DatetimeIndex(nights.index, name="date", freq="D").as_unit(unit)
    nights["recorded"] = nights["recorded"].astype(bool)
    nights["split"] = nights["split"].astype(bool)
    nights["notes"] = nights["notes"].replace("", np.nan)
    fit.diary_ = Diary(nights, str(attrs.get("diary_source", path)))
    fit.idata_ = xr.DataTree.from_dict({name: tree[name].to_dataset() for name in
                                        ("posterior", "sample_stats") if name in tree.children})
    fit.method_ = str(attrs.get("method", "nuts"))
    fit.diagnostics_ = (Diagnostics(**json.loads(attrs["diagnostics"])) if "diagnostics" in attrs
                        else check_convergence(fit.idata_, CHECKED))
    fit.reweighting_ = None
    fit.fit_seconds_ = 0.0
    fit._draws = _flatten(fit.idata_)
    size = diary_size(fit.diary_, priors)
    fit._nuts = None if fit.method_ != "nuts" else _NutsFit.of(
        fit.idata_, fit.diagnostics_, diary_data(fit.diary_, priors, fit._gi_shift(), *size))
    return fit
