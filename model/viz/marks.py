"""The timeline's marks beyond the nights: what else changed, and the build-up with its band.

- **Changes beside the regimen** (:func:`change_marks`): each change of the measuring device
  (:func:`model.data.devices.device_changes`: the model shifts the level of the sleep
  outcomes from that night) and each night the diary's ``other_change`` column names (a new
  medicine, CBT-I: :func:`model.data.life_events.other_changes`) is a vertical line in every
  panel, told apart by line style and colour, named in the legend and listed with its date
  in the report's text and alt text (:func:`change_list`). A drop in latency
  on the night a ring replaces self-report is then read as the device, not the nights.
- **Nights left out** (:func:`left_out_rug`): a night whose sleep outcomes the ``exclude``
  column leaves out (travel, ill) is marked by its own rug (a cross), not the missing nights'
  tick: it was recorded, and left out on purpose.
- **The build-up's uncertainty** (:func:`exposure_band`): the exposure of each night under
  every posterior draw of the time constant, its 5-95 % band, and
  :func:`tau_interval`, the time constant's median and interval, as in the title of the
  panel :func:`build_up_panel` draws.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.dates import date2num
from matplotlib.transforms import blended_transform_factory

from model.analysis.store_start import first_magnesium, since_words
from model.core.forms import FORMS
from model.data.devices import device_changes
from model.data.diary_columns import EXCLUDE
from model.data.life_events import other_changes
from model.likelihood.kinetics import build_up, design_from_nights
from model.viz.canvas import FORM_COLOURS, INTERVAL, LINE_STYLES

if TYPE_CHECKING:
    from model.personal.fit import PersonalModel

DEVICE_LABEL = "device change"
OTHER_LABEL = "other change"
LEFT_OUT_LABEL = "night left out (exclude)"
LEFT_OUT_RUG_Y = 1.04
"""Height of the left-out rug, in axes coordinates (beside the missing nights' ticks)."""
BAND_LABEL = f"{INTERVAL:.0%} band of the build-up"
"""Label of the build-up's band over the time constant's draws (with its form)."""
MOST_BAND_DRAWS = 400
"""At most this many draws of the time constant (evenly spaced) make the build-up band."""


@dataclass(frozen=True)
class Change:
    """One change beside the regimen: its night, kind (``device`` or ``other``) and words."""

    day: pd.Timestamp
    kind: str
    words: str


_STYLE = {"device": ("#000000", "dashed", DEVICE_LABEL),
          "other": ("#000000", "dashdot", OTHER_LABEL)}
"""Per kind of change: colour, line style and legend label."""


def changes(nights: pd.DataFrame) -> list[Change]:
    """Every device change and other change of a diary's nights, oldest first.

    Parameters
    ----------
    nights : pandas.DataFrame
        A diary's nights (:attr:`model.data.diary.Diary.nights`).

    Returns
    -------
    list of Change
        ``device``: ``device self-report to oura`` (the model's level shift starts or stops);
        ``other``: the ``other_change`` text as written.

    """
    found = [Change(day, "device", f"device {before or 'unnamed'} to {after or 'unnamed'}")
             for day, before, after in device_changes(nights)]
    found += [Change(day, "other", text) for day, text in other_changes(nights)]
    return sorted(found, key=lambda c: c.day)


def change_list(nights: pd.DataFrame) -> str:
    """The changes in words: ``2026-09-22: device self-report to oura; ...`` ("": none)."""
    return "; ".join(f"{c.day:%Y-%m-%d}: {c.words}" for c in changes(nights))


def change_marks(panels: list[Axes], strip: Axes, nights: pd.DataFrame) -> None:
    """A line per change in every panel and in the strip, labelled once for the legend."""
    for change in changes(nights):
        colour, style, label = _STYLE[change.kind]
        for k, ax in enumerate((*panels, strip)):
            ax.axvline(float(date2num(change.day)), color=colour, ls=style, lw=1.3,
                       label=label if k == 0 else None)


def left_out_rug(ax: Axes, nights: pd.DataFrame, values: pd.Series) -> pd.Series:
    """Mark the nights ``exclude`` left out above the panel; return the others' values.

    Returns ``values`` with the left-out nights dropped, so that the missing-night rug
    marks only the nights with nothing recorded.
    """
    if EXCLUDE not in nights.columns:
        return values
    left = (nights[EXCLUDE].fillna("").astype(str) != "").reindex(values.index, fill_value=False)
    days = values.index[left.to_numpy(bool) & values.isna().to_numpy(bool)]
    if len(days):
        ax.plot(days, np.full(len(days), LEFT_OUT_RUG_Y), "x", ms=5, mew=1.2, color="#000000",
                transform=blended_transform_factory(ax.transData, ax.transAxes),
                clip_on=False, label=LEFT_OUT_LABEL)
    return values[~left.to_numpy(bool)]


def n_left_out(nights: pd.DataFrame) -> int:
    """Recorded nights whose sleep outcomes the ``exclude`` column leaves out."""
    if EXCLUDE not in nights.columns:
        return 0
    marked = nights[EXCLUDE].fillna("").astype(str) != ""
    return int((marked & nights["recorded"].astype(bool)).sum())


def _tau_draws(fit: PersonalModel) -> np.ndarray:
    """The time constant's draws, at most :data:`MOST_BAND_DRAWS` of them evenly spaced."""
    tau = np.asarray(fit.draws_of("tau"), dtype=float).ravel()
    step = max(1, int(np.ceil(len(tau) / MOST_BAND_DRAWS)))
    return tau[::step]


def tau_interval(fit: PersonalModel) -> tuple[float, float, float]:
    """The build-up's time constant in days: posterior median and :data:`INTERVAL` interval."""
    tau = np.asarray(fit.draws_of("tau"), dtype=float).ravel()
    tail = (1 - INTERVAL) / 2
    low, median, high = np.quantile(tau, [tail, 0.5, 1 - tail])
    return float(median), float(low), float(high)


def exposure_band(fit: PersonalModel) -> tuple[np.ndarray, np.ndarray]:
    """Exposure per night and form: its low and high over the time constant's draws.

    Parameters
    ----------
    fit : PersonalModel
        A fitted personal model (its diary, priors, store start and draws of ``tau``).

    Returns
    -------
    tuple of numpy.ndarray
        Each ``(night, form)``: the pointwise :data:`INTERVAL` interval (5 % and 95 %) of the
        exposure over the draws of ``tau`` (:func:`_tau_draws`).

    """
    settings = fit.priors_.settings
    design = design_from_nights(fit.diary_.nights, ed50_mg=settings.ed50_mg,
                                reference_mg=settings.reference_dose_mg,
                                taking_since=fit.taking_since)
    curves = build_up(design, _tau_draws(fit))                     # (draw, night, form)
    tail = (1 - INTERVAL) / 2
    low, high = np.quantile(curves, [tail, 1 - tail], axis=0)
    return low, high


def build_up_panel(ax: Axes, fit: PersonalModel) -> None:
    """The fitted exposure per form taken (one line style per form) with its 90 % band.

    The line is the exposure at the time constant's posterior median; the band spans the
    5 % and 95 % of the exposure over its draws (:func:`~model.viz.marks.exposure_band`),
    and the title gives the time constant's interval (:func:`~model.viz.marks.tau_interval`).
    """
    nights = fit.diary_.nights
    low, high = exposure_band(fit)
    for i, form in enumerate(f for f in FORMS if np.any(high[:, FORMS.index(f)] > 0)):
        k = FORMS.index(form)
        ax.plot(nights.index, fit.exposure().values[:, k], color=FORM_COLOURS[form], lw=1.8,
                label=form, ls=LINE_STYLES[i % len(LINE_STYLES)])
        ax.fill_between(nights.index, low[:, k], high[:, k], color=FORM_COLOURS[form],
                        alpha=0.2, lw=0, label=f"{BAND_LABEL} ({form})")
    ax.set_ylabel(textwrap.fill(f"exposure (1 = steady state at "
                                f"{fit.priors_.settings.reference_dose_mg:g} mg)", 18))
    ax.set_ylim(bottom=0)                 # a store full from the first night reads as full
    median, tau_low, tau_high = tau_interval(fit)
    ax.set_title(f"fitted build-up: time constant {median:.1f} days (posterior median; "
                 f"{INTERVAL:.0%} interval {tau_low:.1f} to {tau_high:.1f} days, the band)"
                 f"{_begun(fit)}", fontsize="medium")
    ax.set_xlabel("night")


def _begun(fit: PersonalModel) -> str:
    """A second title line for magnesium begun before the diary (else ""), as the fit reads it.

    ``glycinate 200 mg already taken before 2026-09-01: full from the first night``
    (:mod:`model.analysis.store_start`); ``... taken since 2026-08-20: built up since then``.
    """
    since, regimen = since_words(fit.diary_, fit.taking_since), first_magnesium(fit.diary_)
    if since is None or regimen is None:
        return ""
    how = "full from the first night" if fit.taking_since is None else "built up since then"
    return f"\n{regimen.words} {since}: {how}"
