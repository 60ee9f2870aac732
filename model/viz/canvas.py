"""Blank figures for the pictures of :mod:`model.viz`: drawn on the Agg canvas, without pyplot.

Nothing is shown and no global figure list grows; a figure can be saved or embedded. Every
figure draws intervals of one width, :data:`INTERVAL`, each form in one colour, and tells its
series apart by line style or marker too, never by colour alone.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from model.core.forms import FORMS
from model.decision import DecisionSettings

INTERVAL: float = DecisionSettings.interval
"""Central interval of every figure (as in the decision's tables): 90 %."""

PALETTE: tuple[str, ...] = (
    "#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#1f78b4",
    "#b15928", "#6a3d9a", "#17becf", "#8c564b", "#bcbd22", "#fb9a99", "#ff7f00", "#80b1d3")
"""Colours of the forms in the order of :data:`~model.core.forms.FORMS`: a ninth form and the
next ones get the colours after the first eight's (those eight never change); past the end
the colours repeat, and a figure tells those forms apart by line style, marker and name."""


def form_colours(forms: Sequence[str]) -> dict[str, str]:
    """One colour per form, in turn from :data:`PALETTE` (repeating past its end).

    Parameters
    ----------
    forms : sequence of str
        The forms, in display order.

    Returns
    -------
    dict of str to str
        Form -> hex colour; any number of forms gets one.

    """
    return {form: PALETTE[i % len(PALETTE)] for i, form in enumerate(forms)}


FORM_COLOURS: dict[str, str] = form_colours(FORMS)
"""One colour per magnesium form, the same in every figure."""

HATCHES: tuple[str, ...] = ("", "..", "\\\\", "oo", "++", "xx", "--", "||", "**", "OO")
"""Hatches of the forms' bands where they are narrow, in :data:`~model.core.forms.FORMS`
order (repeating past the end); placebo's own is ``//``."""
FORM_HATCHES: dict[str, str] = {f: HATCHES[i % len(HATCHES)] for i, f in enumerate(FORMS)}
"""One hatch per magnesium form: a cue besides its colour (glycinate, the first, plain)."""

LINE_STYLES = ("solid", "dashed", "dashdot", "dotted")
MARKERS = ("o", "s", "^", "D", "v")
"""Line styles and markers, in turn, of the series of a figure."""


def figure(width: float, height: float) -> Figure:
    """Return an empty figure of ``width`` x ``height`` inches with a constrained layout.

    Parameters
    ----------
    width, height : float
        Size in inches.

    Returns
    -------
    matplotlib.figure.Figure
        Attached to an Agg canvas (``savefig`` works; pyplot never sees it).

    """
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def grid(n_panels: int, ncols: int, width: float, height: float,
         sharex: bool = False) -> tuple[Figure, list[Axes]]:
    """Return a figure with ``n_panels`` axes in rows of ``ncols`` (unused cells hidden).

    Parameters
    ----------
    n_panels : int
        Number of panels wanted.
    ncols : int
        Panels per row.
    width : float
        Width of the figure in inches.
    height : float
        Height of one row of panels in inches.
    sharex : bool
        Share the x axis between the panels.

    Returns
    -------
    tuple of (matplotlib.figure.Figure, list of matplotlib.axes.Axes)
        The figure and its first ``n_panels`` axes, row by row.

    """
    nrows = max(1, int(np.ceil(n_panels / ncols)))
    fig = figure(width, height * nrows)
    axes = fig.subplots(nrows, ncols, squeeze=False, sharex=sharex).ravel()
    for ax in axes[n_panels:]:
        ax.set_visible(False)
    return fig, list(axes[:n_panels])
