"""The diary night by night: one panel per outcome, the regimens named above them, the build-up.

Two choices keep a long diary readable (an audit at 730 nights: one 600-minute night pressed
every other night into the bottom sixth of a linear 0-600 min axis, and the regimen names,
written inside the top of the data area, ran together and hid that night):

- **Latency on the model's own scale.** Sleep-onset latency (and any outcome the model fits on
  ``log1p`` of minutes, :data:`LOG_FAMILIES`) is drawn on a ``log1p`` axis, as is a count
  (awakenings) whose highest night lies far above the rest (:func:`log_scaled`). Equal heights
  are then equal ratios, as the model compares nights (10 -> 20 min as far as 60 -> 120), the
  bulk of the nights gets most of the panel, and every night stays at its true value: nothing
  is clipped, so no night needs an edge marker, and a 600-minute night still stands out at the
  top. The ticks are plain minutes (0, 1, 3, 10, 30, 100, 300 ...) and the label says
  "log scale" beside the unit. A clipped linear axis would have needed an arbitrary cut and
  hidden how long the long nights were.
- **Regimen names in a strip of their own.** Each run of a regimen is named ("glycinate 200
  mg") in a strip above the first panel, where there is no data to hide. A name wider than the
  room left beside its neighbours moves to a lower lane of the strip; a name for which no lane
  has room is left out (its run keeps its colour, and the legend names each colour's form).
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.dates import date2num
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.text import Text
from matplotlib.ticker import FixedLocator, NullLocator, StrMethodFormatter
from matplotlib.transforms import blended_transform_factory

from model.core.forms import FORMS, PLACEBO
from model.core.outcomes import SPECS
from model.core.paths import diary_label
from model.core.regimen import Regimen
from model.viz.canvas import FORM_COLOURS, FORM_HATCHES, figure
from model.viz.checks import recorded_outcomes
from model.viz.marks import build_up_panel, change_marks, left_out_rug, n_left_out

if TYPE_CHECKING:
    from model.data.diary import Diary
    from model.personal.fit import PersonalModel

PLACEBO_COLOUR = "#bbbbbb"
BAND_PREFIX = "_band "
"""Label prefix of a regimen band (the leading underscore keeps it out of legends)."""
MISSING_LABEL = "missing night"
MISSING_RUG_Y = 1.04
"""Height of the missing-night rug, in axes coordinates (above the data area)."""
LOG_FAMILIES = frozenset({"normal_ar1"})
"""Likelihood families fitted on ``log1p`` of the diary value (minutes): always a log1p axis."""
TAIL_RATIO = 4.0
"""A count goes on a log1p axis when its highest night exceeds this many times its 90th
percentile (or 1, if that is higher)."""
TICK_STEPS: tuple[tuple[float, ...], ...] = ((1, 2, 5), (1, 3), (1,))
"""Steps per decade of a log1p axis's ticks, finest first: the finest with at most
:data:`MOST_TICKS` ticks in view is used."""
MOST_TICKS = 7
FINE_STEPS: tuple[float, ...] = (1, 1.5, 2, 3, 5, 7)
"""Steps per decade of a narrow log1p axis, where :data:`TICK_STEPS` leave fewer than 3."""
LANES = 3
"""Lanes of the regimen strip: a name that overlaps its neighbour's moves one lane down."""
PANEL_HEIGHT, STRIP_HEIGHT = 1.9, 0.65
"""Heights in inches of a panel and of the regimen strip."""
NAME_GAP = 4.0
"""Least room in points between two names in one lane of the strip."""
MOST_OVERHANG = 2.5
"""A run's name may be at most this many times as wide as the run (a wider one would lie over
the neighbouring runs, to be read as theirs): its shorter names (:func:`short_names`) are
tried, then it is left out (its band's hatch still tells its form)."""
SHORT_LETTERS = 3
"""Letters of a form's short name in the strip (``thr`` for threonate), said in the legend."""


def log_scaled(outcome: str, values: pd.Series) -> bool:
    """Whether an outcome's panel uses the log1p axis.

    Parameters
    ----------
    outcome : str
        Model outcome (a key of :data:`~model.core.outcomes.SPECS`).
    values : pandas.Series
        Its nightly values (missing nights as NaN).

    Returns
    -------
    bool
        True for an outcome fitted on ``log1p`` of minutes (:data:`LOG_FAMILIES`) and for a
        count with a long right tail (:data:`TAIL_RATIO`); never for a bounded rating or a
        yes/no outcome.

    """
    family = SPECS[outcome].family
    if family in LOG_FAMILIES:
        return True
    recorded = values.dropna()
    return (family == "negbin" and not recorded.empty
            and float(recorded.max()) > TAIL_RATIO * max(float(recorded.quantile(0.9)), 1.0))


def log1p_ticks(low: float, high: float) -> list[float]:
    """Round ticks of a log1p axis from ``low`` to ``high``: 0, then 1-2-5, 1-3 or decades.

    Parameters
    ----------
    low, high : float
        The axis's limits in diary units.

    Returns
    -------
    list of float
        The ticks in view with the finest steps of :data:`TICK_STEPS` that give at most
        :data:`MOST_TICKS` (the decades if none does); on a narrow range where those give
        fewer than three, the steps of :data:`FINE_STEPS` (10-56 min: 15, 20, 30, 50).

    """
    decades = range(int(np.ceil(np.log10(max(high, 1.0)))) + 1)

    def in_view(steps: tuple[float, ...]) -> list[float]:
        ticks = [0.0, *(float(step * 10**k) for k in decades for step in steps)]
        return [t for t in ticks if low <= t <= high]

    shown = next((t for steps in TICK_STEPS if len(t := in_view(steps)) <= MOST_TICKS),
                 in_view(TICK_STEPS[-1]))
    return in_view(FINE_STEPS) if len(shown) < 3 else shown


def _log1p_axis(ax: Axes, values: pd.Series) -> None:
    """Put the panel on a log1p axis from its lowest to its highest night (5 % margins)."""
    ax.set_yscale("function", functions=(np.log1p, np.expm1))
    low, high = np.log1p([float(values.min()), float(values.max())])
    margin = 0.05 * max(high - low, 0.1)
    limits = float(np.expm1(low - margin)), float(np.expm1(high + margin))
    ax.set_ylim(*limits)
    ticks = log1p_ticks(*limits)
    if len(ticks) >= 3:                 # a narrow range keeps the default (near-linear) ticks
        ax.yaxis.set_major_locator(FixedLocator(ticks))
    ax.yaxis.set_minor_locator(NullLocator())
    ax.yaxis.set_major_formatter(StrMethodFormatter("{x:g}"))


def _outcome_panel(ax: Axes, values: pd.Series, label: str, log: bool = False,
                   nights: pd.DataFrame | None = None) -> None:
    """Nightly values, their 7-night mean and a rug above the axes for the missing nights.

    The rug sits outside the data area (axes coordinates above 1), so a missing night is
    never read as a value. ``log``: the log1p axis (:func:`log_scaled`). ``nights``: the
    diary's nights, whose nights left out by the ``exclude`` column get a rug of their own
    (:func:`~model.viz.marks.left_out_rug`), not the missing nights'.
    """
    ax.plot(values.index, values.to_numpy(), "o", ms=2.5, color="#333333", label="night")
    ax.plot(values.index, values.rolling(7, min_periods=3).mean().to_numpy(), color="#333333",
            lw=1.2, label="7-night mean")
    kept = values if nights is None else left_out_rug(ax, nights, values)
    missing = kept.index[kept.isna()]
    above = blended_transform_factory(ax.transData, ax.transAxes)
    if len(missing):   # an empty unclipped line sits at the figure's origin for the layout,
        ax.plot(missing, np.full(len(missing), MISSING_RUG_Y), "|", ms=6, mew=1.2,  # which
                color="#999999", transform=above, clip_on=False,  # then collapsed every axes
                label=MISSING_LABEL)
    if log and values.notna().any():
        _log1p_axis(ax, values)
    ax.set_ylabel(label)


def _shade_regimens(ax: Axes, segments: pd.DataFrame, alpha: float = 0.15,
                    hatched: bool = False) -> None:
    """One band per segment with magnesium or placebo (no magnesium stays unshaded).

    ``hatched``: each form's band also hatched (:data:`~model.viz.canvas.FORM_HATCHES`), a
    cue besides its colour where no name has room (the strip).
    """
    starts = date2num(pd.DatetimeIndex(segments["start"]).to_pydatetime())
    ends = date2num((pd.DatetimeIndex(segments["end"]) + pd.Timedelta(days=1)).to_pydatetime())
    for form, label, start, end in zip(segments["form"], segments["label"], starts, ends,
                                       strict=True):
        if form in FORMS:
            ax.axvspan(start, end, facecolor=(FORM_COLOURS[str(form)], alpha), lw=0,
                       edgecolor="#555555", hatch=FORM_HATCHES[str(form)] if hatched else None,
                       label=f"{BAND_PREFIX}{label}")
        elif form == PLACEBO:
            ax.axvspan(start, end, facecolor="none", edgecolor=PLACEBO_COLOUR, hatch="//",
                       lw=0, label=f"{BAND_PREFIX}{label}")


def run_name(form: str, mg: float, split: bool) -> str:
    """The name of a run in the regimen strip: the tables' words (:attr:`Regimen.words`).

    ``glycinate 200 mg``, ``taurate 200 mg in two intakes`` (200 mg a day, not 2 x 200),
    ``placebo``.

    Parameters
    ----------
    form : str
        Its form (:data:`~model.core.forms.FORMS` or ``placebo``).
    mg : float
        Elemental magnesium a day.
    split : bool
        Taken in two doses.

    Returns
    -------
    str
        The regimen in the words of the report's tables.

    """
    return Regimen(form, mg if form in FORMS else 0.0, split).words


def short_name(form: str) -> str:
    """A form's short name where a run's name has no room: ``thr`` (:data:`SHORT_LETTERS`)."""
    return form[:SHORT_LETTERS]


def short_names(form: str, mg: float) -> tuple[str, ...]:
    """A run's shorter names, in turn: ``gly 100`` then ``gly``; a placebo run's ``pla``."""
    short = short_name(form)
    return (f"{short} {mg:g}", short) if form in FORMS else (short,)


def _name_runs(ax: Axes, segments: pd.DataFrame
               ) -> list[tuple[Text, float, float, tuple[str, ...]]]:
    """Write each magnesium or placebo run's name in the strip, centred on its run.

    Returns each name with its run's first and last edge (in date numbers) and its shorter
    names (:func:`short_names`).
    """
    strip = blended_transform_factory(ax.transData, ax.transAxes)
    starts = date2num(pd.DatetimeIndex(segments["start"]).to_pydatetime())
    names = []
    for form, mg, split, start, n in zip(segments["form"], segments["elemental_mg"],
                                          segments["split"], starts, segments["n_nights"],
                                          strict=True):
        if form in FORMS or form == PLACEBO:
            text = ax.text(start + n / 2, 0.5, run_name(str(form), float(mg), bool(split)),
                           transform=strip, ha="center", va="center", fontsize="small",
                           color="#222222")
            text.set_in_layout(False)
            names.append((text, float(start), float(start + n),
                          short_names(str(form), float(mg))))
    return names


def _free_lane(x0: float, latest: float, ends: list[float], gap: float
               ) -> tuple[int, float] | None:
    """The first lane where a name starting at ``x0`` keeps ``gap`` from the name before it.

    Where it fits nowhere, the first lane where it does once slid right, its start no later
    than ``latest``. Returns the lane and the name's start, or None.
    """
    for lane, last in enumerate(ends):
        if x0 >= last + gap:
            return lane, x0
    for lane, last in enumerate(ends):
        if last + gap <= latest:
            return lane, last + gap
    return None


def _lane_of(width: float, run: tuple[float, float], room: tuple[float, float],
             ends: list[float], gap: float) -> tuple[int, float] | None:
    """Lane and start (pixels) of a name ``width`` wide over a run, or None: no room.

    The name stays within its run widened by :data:`MOST_OVERHANG` (never over the
    neighbouring runs beyond that) and inside the strip (``room``).
    """
    run_x0, run_x1 = run
    slack = (MOST_OVERHANG - 1) / 2 * (run_x1 - run_x0)
    if width > MOST_OVERHANG * (run_x1 - run_x0):
        return None
    x0 = min(max((run_x0 + run_x1 - width) / 2, room[0]), room[1] - width)
    return _free_lane(x0, min(run_x1 + slack - width, room[1] - width), ends, gap)


def _stagger(fig: Figure, ax: Axes,
             names: list[tuple[Text, float, float, tuple[str, ...]]]) -> set[str]:
    """Give each name, in time order, the first lane where it keeps clear of every other name.

    Measured on the laid-out figure. A name is centred on its run, or slid right where that
    frees a lane (:func:`_lane_of`). A name with no room is replaced by its shorter names in
    turn, and removed when none has room. The lanes in use are centred in the strip. Returns
    the forms' short names written (the legend says what they stand for).
    """
    engine = fig.get_layout_engine()
    if engine is not None:
        engine.execute(fig)
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]  # Agg (canvas.figure)
    gap = NAME_GAP * fig.dpi / 72
    room = tuple(ax.get_window_extent(renderer).intervalx)
    ends: list[float] = [-np.inf] * LANES         # right end of the last name of each lane
    kept: list[tuple[Text, float, int]] = []
    shortened: set[str] = set()
    for name, start, end, shorter in names:
        run = tuple(ax.transData.transform([(start, 0.0), (end, 0.0)])[:, 0])
        for said in (name.get_text(), *shorter):
            name.set_text(said)
            width = name.get_window_extent(renderer).width
            found = _lane_of(width, run, room, ends, gap)
            if found is not None:
                break
        if found is None:
            name.remove()
            continue
        lane, x0 = found
        shortened |= {said.split()[0]} if said in shorter else set()
        ends[lane] = x0 + width
        middle, _ = ax.transData.inverted().transform((x0 + width / 2, 0.0))
        kept.append((name, float(middle), lane))
    offset = (LANES - 1 - max((lane for *_, lane in kept), default=0)) / 2
    for name, middle, lane in kept:
        name.set_position((middle, 1.0 - (lane + offset + 0.5) / LANES))
    return shortened


def _regimen_legend(segments: pd.DataFrame) -> list[Patch]:
    forms = list(dict.fromkeys(segments["form"]))
    handles = [Patch(facecolor=(FORM_COLOURS[f], 0.3), edgecolor="#555555", lw=0,
                     hatch=FORM_HATCHES[f], label=f) for f in forms if f in FORMS]
    if PLACEBO in forms:
        handles.append(Patch(facecolor="none", edgecolor=PLACEBO_COLOUR, hatch="//",
                             label=PLACEBO))
    return handles


def plot_timeline(fit: PersonalModel, *, estimates: bool | None = None) -> Figure:
    """Draw the diary night by night with the regimens named and shaded, and the build-up.

    Parameters
    ----------
    fit : PersonalModel
        A fitted personal model (its diary and time constant's draws are used).
    estimates : bool, optional
        Draw the fitted build-up; False: the diary alone. None (default): whether the fit
        passed its checks (``fit.diagnostics_.ok``): the default drew a failed fit's
        build-up with no caveat (a notebook user's audit, B F2).

    Returns
    -------
    matplotlib.figure.Figure
        A strip naming each regimen's run (the tables' words; staggered over three lanes, a
        name with no room shortened to its form's first letters, said in the legend, or left
        out), one panel per observed outcome, labelled with its unit (dots: nights; line:
        7-night mean; grey ticks above the panel: missing nights; crosses: nights the
        ``exclude`` column left out; latency on a log1p axis, see the module's notes) and a
        last panel with the fitted exposure per form (1 = steady state at the reference dose;
        one line style per form; its 90 % band over the time constant's draws). Every panel
        shades each run of one magnesium regimen in its form's colour, placebo runs hatched,
        nights without magnesium unshaded, and marks each device change and other change
        (:mod:`model.viz.marks`). The title names the diary's file with its folder (not a data
        frame), its nights with outcomes read, those left out, and its first and last date.

    """
    estimates = fit.diagnostics_.ok if estimates is None else estimates
    nights = fit.diary_.nights
    segments = fit.diary_.segments()
    outcomes = recorded_outcomes(fit)
    n_panels = len(outcomes) + int(estimates)
    fig = figure(11.0, STRIP_HEIGHT + PANEL_HEIGHT * n_panels)
    strip, *panels = fig.subplots(n_panels + 1, 1, sharex=True, height_ratios=[
        STRIP_HEIGHT, *[PANEL_HEIGHT] * n_panels])
    for ax, outcome in zip(panels, outcomes, strict=False):
        values = nights[SPECS[outcome].column]
        log = log_scaled(outcome, values)
        label = textwrap.fill(fit.priors_.settings.outcomes[outcome].label, 18)
        _outcome_panel(ax, values, f"{label}\n({SPECS[outcome].unit}"
                                   f"{', log scale' if log else ''})", log, nights)
        if SPECS[outcome].family == "bernoulli":      # yes/no: 0 to 1, even when all 0
            ax.set_ylim(-0.05, 1.05)
    if estimates:
        build_up_panel(panels[-1], fit)
    else:
        panels[-1].set_xlabel("night")
    for panel in (strip, *panels):
        _shade_regimens(panel, segments, 0.35 if panel is strip else 0.15, panel is strip)
    change_marks(panels, strip, nights)
    boundaries = date2num(pd.DatetimeIndex(segments["start"].iloc[1:]).to_pydatetime())
    strip.vlines(boundaries, 0.0, 1.0, transform=strip.get_xaxis_transform(), colors="white",
                 lw=1.5)                          # the steps of a titration, told apart
    strip.set_yticks([])
    strip.set_ylabel("regimen", rotation=0, ha="right", va="center")
    strip.tick_params(axis="x", bottom=False)
    legend = fig.legend(handles=[*panels[0].get_legend_handles_labels()[0],
                                 *_regimen_legend(segments)],
                        loc="outside right upper", fontsize="small")
    fig.suptitle(_diary_title(fit.diary_))
    shortened = _stagger(fig, strip, _name_runs(strip, segments))
    for text in legend.get_texts():             # a short name in the strip: said here
        if text.get_text() in (*FORMS, PLACEBO) and short_name(text.get_text()) in shortened:
            text.set_text(f"{text.get_text()} ({short_name(text.get_text())})")
    return fig


def _diary_title(diary: Diary) -> str:
    """The diary's name with its folder (none for a ``<DataFrame>``), nights and dates.

    A night the ``exclude`` column leaves out is not counted as a recorded night: ``38
    recorded nights, 4 left out`` (:func:`~model.viz.marks.n_left_out`).
    """
    named = "" if diary.source.startswith("<") else f" {diary_label(diary.source)}"
    first, last = diary.nights.index[[0, -1]]
    left_out = n_left_out(diary.nights)
    said = f", {left_out} left out" if left_out else ""
    return (f"Diary{named}: {diary.n_recorded - left_out} recorded nights{said}, "
            f"{first:%Y-%m-%d} to {last:%Y-%m-%d}")
