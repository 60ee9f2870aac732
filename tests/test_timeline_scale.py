"""The diary timeline stays readable from 30 to 730 nights (a user audit at 730 nights).

The audit: one 600-minute night put sleep-onset latency on a linear 0-600 min axis, so every
other night (median about 20 min) sat in the bottom sixth of its panel; that night was drawn
under the "malate" run's name, written inside the panel; the names of short runs ran together
("oxideglycinate"). These tests draw the figure of a diary without a fit (the figure reads the
diary, the fitted exposure and the time constant only), so they run in a second.
"""

import itertools
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from matplotlib.figure import Figure

from model.core.forms import FORMS
from model.data.diary import Diary, DiaryWarning, read_diary
from model.evidence.priorset import PriorSet
from model.inference.diagnostics import Diagnostics
from model.likelihood.kinetics import build_up, design_from_nights
from model.viz.timeline import log1p_ticks, log_scaled, plot_timeline

TAU = 7.0
SCHEDULE = [(21, "", 0), (35, "citrate", 200), (14, "", 0), (28, "oxide", 250),
            (42, "glycinate", 200), (21, "", 0), (35, "threonate", 144),
            (4, "glycinate", 100), (4, "glycinate", 150), (41, "glycinate", 300),
            (30, "", 0), (3, "taurate", 100), (32, "taurate", 200), (42, "citrate", 150),
            (28, "malate", 300), (56, "glycinate", 200), (21, "", 0), (42, "threonate", 144),
            (35, "taurate", 300), (5, "glycinate", 100), (44, "glycinate", 250),
            (28, "malate", 200), (21, "", 0), (42, "oxide", 200), (56, "taurate", 200)]
"""The auditor's 21 regimen periods over 6 forms, with a few short titration steps added."""


PASSED = Diagnostics(True, 1.0, 1000.0, 0)
"""A fit that passed its checks: the timeline draws its estimates."""


@dataclass
class Drawn:
    """What plot_timeline reads of a fit: the diary, the priors, the exposure, the time
    constant (fixed at TAU nights)."""

    diary_: Diary
    priors_: PriorSet
    taking_since: str | None = None
    diagnostics_: Diagnostics = PASSED

    def exposure(self) -> xr.DataArray:
        settings = self.priors_.settings
        design = design_from_nights(self.diary_.nights, ed50_mg=settings.ed50_mg,
                                    reference_mg=settings.reference_dose_mg,
                                    taking_since=self.taking_since)
        return xr.DataArray(build_up(design, TAU), dims=("night", "form"),
                            coords={"night": self.diary_.nights.index.rename("night"),
                                    "form": list(FORMS)})

    def draws_of(self, name: str) -> np.ndarray:
        assert name == "tau"
        return np.array([TAU])


def diary(n_nights: int, seed: int = 0, long_night: int | None = None,
          first: int = 0) -> pd.DataFrame:
    """``n_nights`` of SCHEDULE (repeated as needed) from its night ``first``: latency about
    20 min, one night of 600 min at ``long_night``."""
    rng = np.random.default_rng(seed)
    runs = itertools.cycle(SCHEDULE)
    regimen: list[tuple[str, float | str]] = []
    while len(regimen) < first + n_nights:
        n, form, mg = next(runs)
        regimen += [(form, mg if form else "")] * n
    forms, mgs = zip(*regimen[first:first + n_nights], strict=True)
    sol = np.round(np.exp(np.log(20) + 0.5 * rng.standard_normal(n_nights)))
    if long_night is not None:
        sol[long_night] = 600.0
    return pd.DataFrame({
        "date": pd.date_range("2024-12-05", periods=n_nights).strftime("%Y-%m-%d"),
        "form": forms, "elemental_mg": mgs, "sol_min": sol,
        "awakenings": rng.poisson(1.4, n_nights), "quality": rng.integers(1, 6, n_nights),
        "anxiety": rng.integers(0, 11, n_nights),
        "stool_bristol": rng.choice([2, 3, 4, 4, 4, 5, 6], n_nights)})


def drawn(frame: pd.DataFrame, priors: PriorSet) -> Figure:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DiaryWarning)
        fig = plot_timeline(Drawn(read_diary(frame), priors))
    fig.canvas.draw()
    return fig


def panel(fig: Figure, words: str):
    (ax,) = [ax for ax in fig.axes if words in ax.get_ylabel()]
    return ax


def height(ax, x: float, y: float) -> float:
    """Where the value y at x is drawn, as a fraction of the panel's height from its floor."""
    return float(ax.transAxes.inverted().transform(ax.transData.transform((x, y)))[1])


@pytest.mark.parametrize("n_nights", [120, 730])
def test_one_long_night_leaves_the_bulk_of_latency_readable(priors, n_nights):
    """With one 600-minute night among nights of about 20 min, the median night is drawn
    above a fifth of the panel's height and the middle 80 % of the nights spread over more
    than 15 % of it (on the linear 0-600 min axis: 7 % and 5 %), and the long night is still
    drawn inside the panel, not clipped."""
    frame = diary(n_nights, long_night=n_nights // 2)
    fig = drawn(frame, priors)
    ax = panel(fig, "latency")
    x = float(ax.get_xlim()[0] + np.ptp(ax.get_xlim()) / 2)
    sol = frame["sol_min"]
    low, median, high = np.quantile(sol, [0.1, 0.5, 0.9])
    assert median == pytest.approx(20, abs=3)
    assert height(ax, x, median) > 0.2
    assert height(ax, x, high) - height(ax, x, low) > 0.15
    assert 0.9 < height(ax, x, 600.0) <= 1.0
    assert "(min, log scale)" in ax.get_ylabel()


@pytest.mark.parametrize("n_nights", [30, 120, 365, 730])
def test_run_names_overlap_neither_each_other_nor_the_data(priors, n_nights):
    """Every text drawn in the figure's panels (the runs' names) keeps clear of every other
    one and of every panel that holds nights or curves; most runs are named."""
    fig = drawn(diary(n_nights, seed=n_nights, long_night=n_nights // 2), priors)
    renderer = fig.canvas.get_renderer()
    names = [text for ax in fig.axes for text in ax.texts if text.get_visible()]
    boxes = [text.get_window_extent(renderer) for text in names]
    for (a, box_a), (b, box_b) in itertools.combinations(zip(names, boxes, strict=True), 2):
        assert not box_a.overlaps(box_b), (a.get_text(), b.get_text())
    data = [ax.get_window_extent(renderer) for ax in fig.axes if ax.lines]
    for text, box in zip(names, boxes, strict=True):
        assert not any(box.overlaps(area) for area in data), text.get_text()
        assert fig.bbox.contains(box.x0, box.y0) and fig.bbox.contains(box.x1, box.y1)
    runs = Drawn(read_diary(diary(n_nights)), priors).diary_.segments()
    long_runs = runs[(runs["form"] != "none") & (runs["n_nights"] >= 21)]
    assert len(names) >= len(long_runs) and len(names) >= 1


def test_the_strip_names_a_titration_step_only_where_there_is_room(priors):
    """At 730 nights a 3- to 5-night titration step is too narrow for its name (it would
    stand far from its run, over its neighbours) and is left out; over 120 nights around
    them each is named, by its short name and dose (``gly 100``: a name as wide as
    ``glycinate 100 mg`` would lie over the next steps, an outside audit)."""
    short = {"glycinate 100 mg", "glycinate 150 mg", "taurate 100 mg"}
    names_730 = {t.get_text() for ax in drawn(diary(730), priors).axes for t in ax.texts}
    steps = drawn(diary(120, first=161), priors)
    names_120 = {t.get_text() for ax in steps.axes for t in ax.texts}
    assert not short & names_730 and "glycinate 300 mg" in names_730
    assert {"gly 100", "gly 150", "tau 100", "glycinate 300 mg"} <= names_120


def test_long_tails_and_bounded_ratings():
    """Latency is always on the model's log1p scale; a count only with a long right tail; a
    rating or a yes/no outcome never."""
    calm = pd.Series([0, 1, 2, 1, 3, 2, 1, 0, 2, 1] * 10, dtype=float)
    tailed = calm.copy()
    tailed[5] = 25.0
    assert log_scaled("sol", calm) and log_scaled("awakenings", tailed)
    assert not log_scaled("awakenings", calm) and not log_scaled("quality", tailed)
    assert not log_scaled("gi", tailed)


def test_log1p_ticks_are_round_minutes_and_few():
    assert log1p_ticks(0.0, 600.0) == [0, 1, 3, 10, 30, 100, 300]
    assert log1p_ticks(8.0, 150.0) == [10, 20, 50, 100]
    for high in (5.0, 40.0, 600.0, 1440.0):
        assert 3 <= len(log1p_ticks(0.0, high)) <= 7
