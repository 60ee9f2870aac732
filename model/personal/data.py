"""The personal graph's data: every ``pm.Data`` array of a diary, named.

Nights, the exposure design (:mod:`model.likelihood.kinetics`), covariates (blank cells
filled: :func:`covariate`), the measuring device (per night and level shift, 1 on the nights of
that shift's source: :func:`model.data.devices.device_design`), the trend basis, the priors'
means and SDs on the model scale, and each outcome's observations with their likelihood
weights (0 for a missing night).
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np

from model.core.forms import FORMS
from model.core.outcomes import DEVICE_MEASURED, OUTCOMES, SLEEP_OUTCOMES, SPECS
from model.data.devices import device_design
from model.data.diary import COVARIATES, Diary, gi_nights
from model.data.diary_columns import written_covariate
from model.evidence.personal_settings import PersonalSettings
from model.evidence.priorset import PriorSet
from model.evidence.schema import Settings
from model.likelihood.kinetics import design_from_nights
from model.likelihood.prior import PersonalPrior
from model.personal.drift_contrast import trend_basis

_MEASURED = np.array([o in DEVICE_MEASURED for o in SLEEP_OUTCOMES], float)
"""Per sleep outcome, 1.0 where the device's level shift applies (:data:`DEVICE_MEASURED`)."""


def _intercept_mu(sol: np.ndarray, awake: np.ndarray, settings: Settings) -> np.ndarray:
    """Centres of the sol, awakenings and GI intercepts: the diary's level, else the usual one.

    The usual level is ``settings.toml``'s ``baseline`` when it gives one, else the
    registry's ``typical`` (:data:`model.core.outcomes.SPECS`): one rule for every outcome.
    GI's came from the settings, sleep onset's (30 min) from the registry beside a baseline of
    45 min, so a researcher's baseline moved one outcome and not the others (a maintainer's
    review). GI's is the usual one, whatever the diary.
    """
    usual = {o: settings.outcomes[o].baseline or SPECS[o].typical
             for o in ("sol", "awakenings", "gi")}
    return np.array([
        np.nanmedian(sol) if np.isfinite(sol).any() else math.log1p(usual["sol"]),
        math.log(np.nanmean(awake) + 0.5) if np.isfinite(awake).any()
        else math.log(usual["awakenings"]),
        math.log(usual["gi"] / (1 - usual["gi"])),
    ])


def diary_size(diary: Diary, priors: PriorSet) -> tuple[int, int]:
    """The (nights, regimen changes) of ``diary``: the shapes of its data arrays.

    The compiled graph takes data of any length (its ``pm.Data`` have no fixed shapes), so
    no padding is needed; at least one change keeps the exposure arrays non-empty.
    """
    design = design_from_nights(diary.nights, ed50_mg=priors.settings.ed50_mg,
                                reference_mg=priors.settings.reference_dose_mg)
    return diary.n_nights, max(1, len(design.change_night))


def _pad_corner(values: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """``values`` in the top-left corner of zeros of ``shape``."""
    out = np.zeros(shape)
    out[: values.shape[0], : values.shape[1]] = values
    return out


def covariate(diary: Diary, column: str) -> np.ndarray:
    """A covariate column per night, blank cells filled (the diary's warnings name them).

    A column blank on every night was not recorded: zeros, so its coefficient keeps its
    prior and moves no prediction. Blank cells among recorded values are not "none" (40
    blank late-caffeine cells read as 0 halved the caffeine estimate and moved its credit to
    magnesium: an outside audit): each takes the mean of the recorded values on nights in the
    same magnesium state (taking it or not; the overall mean when that state has none). The
    state is the one thing known on every night, and the one a covariate's level must not be
    smoothed across: the overall mean would fill the nights before magnesium of a diary that
    stopped late caffeine when magnesium began with too little caffeine, and credit the
    difference to magnesium. Reading the diary warns of the blank cells on nights with an
    outcome (:func:`model.data.diary_nights.blank_cell_warnings`), once, whether a fit is made
    or reused; a gap's nights are filled without a word. A covariate written only on the
    nights it happens (:data:`~model.data.diary_columns.MARKED_ONLY`: a day sleep) is 0 where blank;
    ``premenstrual`` is derived from ``menstruation`` on every night of a diary that writes it
    (:func:`model.data.cycle_nights.premenstrual`), 0 on each of one that does not.
    """
    nights = diary.nights
    values = written_covariate(nights, column).to_numpy(float)
    known = np.isfinite(values)
    if not known.any():
        return np.zeros(len(values))
    taking = (nights["form"].isin(FORMS) & (nights["elemental_mg"] > 0)).to_numpy(bool)
    filled = values.copy()
    for state in (taking, ~taking):
        source = known & state if (known & state).any() else known
        filled[~known & state] = values[source].mean()
    return filled


def covariate_smd(personal: PersonalSettings) -> np.ndarray:
    """The SD of each covariate's level shift (SMD of each sleep outcome).

    In :data:`~model.data.diary.COVARIATES` order: ``day_sleep_smd`` for a day sleep,
    ``premenstrual_smd`` for the days before a period and its first two, ``covariate_smd`` for
    late caffeine and each alcoholic drink.
    """
    own = {"day_sleep": personal.day_sleep_smd, "premenstrual": personal.premenstrual_smd}
    return np.array([own.get(column, personal.covariate_smd) for column in COVARIATES])


def diary_data(diary: Diary, priors: PriorSet, gi_shift: np.ndarray | float, n_nights: int,
               n_changes: int, *, taking_since: dt.date | str | None = None
               ) -> dict[str, np.ndarray]:
    """Every ``pm.Data`` array of the personal graph for a diary, padded to the given size.

    Padding nights have zero likelihood weight; :func:`diary_size` gives the unpadded size.
    The magnesium of the diary's first night counts from ``taking_since`` (the profile's key;
    None: begun long before the diary, at its steady state from the first night:
    :func:`model.likelihood.kinetics.store_lead`).
    """
    settings, personal = priors.settings, priors.settings.personal
    nights, n = diary.nights, diary.n_nights
    design = design_from_nights(nights, ed50_mg=settings.ed50_mg,
                                reference_mg=settings.reference_dose_mg,
                                taking_since=taking_since)
    smd = np.array([settings.outcomes[o].smd_sd for o in OUTCOMES])

    def pad(values: np.ndarray, length: int, fill: float = 0.0) -> np.ndarray:
        out = np.full((length, *values.shape[1:]), fill, dtype=values.dtype)
        out[: len(values)] = values
        return out

    segment, since, gap = design.segments()
    prior = PersonalPrior.of(priors, gi_shift)
    data: dict[str, np.ndarray] = {
        "segment": _pad_corner(segment, (n_nights, n_changes)),
        "since_change": pad(since, n_nights),
        "change_gap": _pad_corner(gap, (n_changes, n_changes)),
        "change_step": pad(design.change_step, n_changes),
        "single": pad(design.single, n_nights),
        "current": pad(design.current, n_nights),
        "taking": pad(design.taking, n_nights),
        "covariates": pad(np.column_stack([covariate(diary, c) for c in COVARIATES]),
                          n_nights),
        "trend_basis": pad(trend_basis(n), n_nights),
        "drift_basis": pad(np.exp(-np.arange(n) / personal.drift_days), n_nights),
        "prior_mean": prior.mean,
        "prior_sd": prior.sd,
        "dev_sd": prior.dev_sd,
        "resp_sd": prior.resp_sd,
        "expect_mu": prior.expect_mu,
        "expect_sd": prior.expect_sd,
        "drift_mu": prior.drift_mu,
        "drift_sd": prior.drift_sd,
        "trend_sd": personal.trend_smd * smd[:-1],
        "cov_sd": np.outer(covariate_smd(personal), smd[:-1]),
        "cov_gi_sd": covariate_smd(personal) * smd[-1],
        "device": pad(device_design(nights)[:, :, None] * _MEASURED, n_nights),
        "device_sd": personal.device_smd * smd[:-1],
        "log_tau_mu": np.array(math.log(personal.onset_days_median)),
        "log_tau_sd": np.array(personal.onset_days_log_sd),
    }
    sol = np.log1p(nights["sol_min"].to_numpy(float))
    awake = nights["awakenings"].to_numpy(float)
    gi = gi_nights(nights, priors.safety.gi_constraint.loose_bristol).to_numpy(float)
    data["intercept_mu"] = _intercept_mu(sol, awake, settings)
    data |= _sol_arrays(sol, n_nights)
    for name, values in (("awakenings", awake), ("gi", gi)):
        data[f"{name}_y"] = pad(np.nan_to_num(values).astype("int64"), n_nights)
        data[f"{name}_w"] = pad(np.isfinite(values).astype(float), n_nights)
    for name in ("quality", "freshness", "anxiety"):
        values = nights[name].to_numpy(float) - SPECS[name].lowest
        data[f"{name}_y"] = pad(np.nan_to_num(values).astype("int64"), n_nights)
        data[f"{name}_w"] = pad(np.isfinite(values).astype(float), n_nights)
    return data


def _sol_arrays(sol: np.ndarray, n_nights: int) -> dict[str, np.ndarray]:
    """AR(1) bookkeeping: previous observed night, gap to it, first-observation flag."""
    index = np.arange(n_nights)
    observed = np.zeros(n_nights, dtype=bool)
    observed[: len(sol)] = np.isfinite(sol)
    last_seen = np.where(observed, index, -1)
    running = np.maximum.accumulate(last_seen)
    prev = np.r_[-1, running[:-1]]
    first = (prev < 0) | ~observed
    prev = np.where(first, index, prev)
    y = np.zeros(n_nights)
    y[: len(sol)] = np.nan_to_num(sol)
    return {"sol_y": y, "sol_w": observed.astype(float),
            "sol_prev": prev.astype("int64"), "sol_gap": np.where(first, 1, index - prev)
            .astype(float), "sol_first": first.astype(float)}
