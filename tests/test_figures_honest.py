"""The report's figures say what the fit and the diary say (an outside biostatistician's audit).

The audit (code at 5c6c7f9): a fit that failed its checks was drawn as a good one; the
observed-vs-predicted figure folded the expectation of taking something into the regimen; a
device change was not drawn and its nights were averaged with the first device's; the
build-up was one curve without its uncertainty; a split dose was labelled
``taurate@200x2`` (read as 400 mg); other changes and excluded nights were not drawn as such;
short runs were told apart by colour alone.

Most tests draw from a stand-in fit (the diary, the priors, draws of the time constant and the
toy posterior of :class:`model.testing.FakePosterior`), so they run in seconds.
"""

import copy
import dataclasses
import html
import re
import warnings
from dataclasses import dataclass, field
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from matplotlib.dates import date2num
from matplotlib.patches import Patch

from model.core.forms import FORMS
from model.core.regimen import Regimen
from model.data.diary import Diary, DiaryWarning, read_diary
from model.evidence.priorset import PriorSet
from model.inference.diagnostics import Diagnostics
from model.likelihood.kinetics import build_up, design_from_nights
from model.testing import FakePosterior, example_analysis
from model.viz.timeline import plot_timeline

FIGURE = re.compile(r'<figure><img alt="([^"]*)" src="[^"]*"><figcaption>([^<]*)</figcaption>')
TAU_DRAWS = np.exp(np.random.default_rng(3).normal(np.log(12.0), 0.45, 2000))


PASSED = Diagnostics(True, 1.0, 1000.0, 0)
"""A fit that passed its checks: the timeline draws its estimates."""


@dataclass
class Stand:
    """What the figures read of a fit: diary, priors, time constant's draws, predictions."""

    diary_: Diary
    priors_: PriorSet
    taking_since: str | None = None
    diagnostics_: Diagnostics = PASSED
    posterior: FakePosterior = field(default_factory=lambda: FakePosterior(expectation=0.3))

    def draws_of(self, name: str) -> np.ndarray:
        assert name == "tau"
        return TAU_DRAWS

    def exposure(self) -> xr.DataArray:
        settings = self.priors_.settings
        design = design_from_nights(self.diary_.nights, ed50_mg=settings.ed50_mg,
                                    reference_mg=settings.reference_dose_mg)
        return xr.DataArray(build_up(design, float(np.median(TAU_DRAWS))), dims=("night", "form"))

    def predict(self, regimens):
        return self.posterior(regimens)


def nights(runs, **columns) -> pd.DataFrame:
    """A diary frame of ``runs`` (nights, form, mg, split) from 2026-09-01, latency about 25."""
    rows = [(form, mg, split) for n, form, mg, split in runs for _ in range(n)]
    n = len(rows)
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({
        "date": pd.date_range("2026-09-01", periods=n).strftime("%Y-%m-%d"),
        "form": [r[0] for r in rows], "elemental_mg": [r[1] if r[0] else "" for r in rows],
        "split": [int(r[2]) for r in rows], "sol_min": np.round(25 * np.exp(
            0.3 * rng.standard_normal(n))), "quality": rng.integers(1, 6, n),
        "stool_bristol": 4, "gi_upset": 0})
    for name, values in columns.items():
        frame[name] = values
    return frame


def stand(frame: pd.DataFrame, priors: PriorSet) -> Stand:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DiaryWarning)
        return Stand(read_diary(frame), priors)


THREE_RUNS = [(14, "", 0, False), (14, "glycinate", 200, False), (14, "taurate", 200, True)]


# --------------------------------------------------------------------------------------------
# 1. A fit that failed its checks: no estimate drawn as one
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def failed():
    """The example analysis with its fit marked as failing its checks (R-hat 1.209)."""
    analysis = example_analysis()
    fit = copy.copy(analysis.fit)
    fit.diagnostics_ = dataclasses.replace(fit.diagnostics_, ok=False, max_rhat=1.209)
    return dataclasses.replace(analysis, fit=fit)


@pytest.mark.fit
def test_a_failed_fit_report_draws_no_estimate_and_says_why(failed):
    from model.report.html import render_report

    page = render_report(failed)
    figures = [(html.unescape(a), html.unescape(c)) for a, c in FIGURE.findall(page)]
    said = " ".join(a + " " + c for a, c in figures)
    assert figures and "predicted" not in said and "time constant" not in said
    assert "posterior" not in said.replace("prior and posterior are left out", "")
    assert all("failed its checks" in c for _, c in figures)
    assert all("failed its convergence checks (R-hat 1.209" in a for a, _ in figures[1:])
    effects = page[page.index('<section id="effects">'):]
    effects = effects[:effects.index("</section>")]
    assert "<table" not in effects and "failed its convergence checks" in effects
    assert "What magnesium did for you so far" not in page
    assert "Observed and predicted means per regimen" not in page


@pytest.mark.fit
def test_a_failed_fit_timeline_has_no_build_up_panel(failed):
    fig = plot_timeline(failed.fit, estimates=False)
    assert not any("build-up" in ax.get_title() for ax in fig.axes)
    assert not any("exposure" in ax.get_ylabel() for ax in fig.axes)


# --------------------------------------------------------------------------------------------
# 2. Observed against predicted: the expectation is drawn and said
# --------------------------------------------------------------------------------------------


def test_the_predictive_figure_draws_the_placebo_and_no_magnesium_levels(priors):
    from model.viz.checks import reference_levels
    from model.viz.plots import plot_predictive

    fit = stand(nights(THREE_RUNS), priors)
    levels = reference_levels(fit)
    placebo = fit.predict([Regimen("placebo")])["sol_min"].mean().item()
    none = fit.predict([Regimen("none")])["sol_min"].mean().item()
    assert levels.loc["sol", "placebo"] == pytest.approx(placebo)
    assert levels.loc["sol", "none"] == pytest.approx(none)
    assert none - placebo > 5                      # the toy's expectation: 0.3 log-ratio
    fig = plot_predictive(fit)
    sol = fig.axes[0]
    flat = {line.get_label(): line.get_ydata()[0] for line in sol.lines
            if len(set(line.get_ydata())) == 1 and line.get_label().startswith("predicted")}
    assert any("expectation alone" in k and v == pytest.approx(placebo) for k, v in flat.items())
    assert any("no magnesium" in k and v == pytest.approx(none) for k, v in flat.items())
    words = " ".join(t.get_text() for t in fig.legends[0].get_texts()) + fig.get_suptitle()
    assert "expectation" in words and "trend at the last night" in words


def test_the_report_says_what_a_prediction_includes_with_the_numbers(priors):
    from model.report.figures_html import PREDICTIVE_CAPTION, reference_words

    fit = stand(nights(THREE_RUNS), priors)
    said = reference_words(fit)
    none = fit.predict([Regimen("none")])["sol_min"].mean().item()
    placebo = fit.predict([Regimen("placebo")])["sol_min"].mean().item()
    assert f"{none:.1f} without magnesium, {placebo:.1f} on placebo" in said
    assert f"{none - placebo:.1f} of any regimen's gap" in said and "expectation" in said
    assert "expectation of taking something" in PREDICTIVE_CAPTION
    assert "trend at your last night" in PREDICTIVE_CAPTION
    assert "carry-over" in PREDICTIVE_CAPTION                   # a placebo run after magnesium


# --------------------------------------------------------------------------------------------
# 3. A device change: marked, and never averaged with the reference device's nights
# --------------------------------------------------------------------------------------------


def device_diary(priors):
    frame = nights(THREE_RUNS, device=["fitbit"] * 21 + ["oura"] * 21)   # a tie: fitbit first
    frame.loc[21:, "sol_min"] = np.round(frame.loc[21:, "sol_min"] * 0.6)
    return stand(frame, priors)


def test_the_timeline_marks_a_device_change_on_its_night(priors):
    from model.viz.marks import DEVICE_LABEL

    fit = device_diary(priors)
    fig = plot_timeline(fit)
    day = date2num(pd.Timestamp("2026-09-22"))
    for ax in fig.axes:
        marks = [line for line in ax.lines if line.get_linestyle() == "--"
                 and np.allclose(np.asarray(line.get_xdata(), float), day)]
        assert len(marks) == 1, ax.get_ylabel()
    assert DEVICE_LABEL in [t.get_text() for t in fig.legends[0].get_texts()]


def test_the_predictive_means_are_of_the_reference_devices_nights(priors):
    from model.viz.checks import regimen_means

    fit = device_diary(priors)
    means = regimen_means(fit).set_index(["outcome", "regimen"])
    sol = fit.diary_.nights["sol_min"]
    glycinate = means.loc[("sol", "glycinate@200")]
    assert glycinate["observed"] == pytest.approx(sol.iloc[14:21].mean())   # fitbit only
    assert (glycinate["nights"], glycinate["other_device"]) == (7, 7)
    assert means.loc[("sol", "taurate@200x2"), "nights"] == 0
    assert np.isnan(means.loc[("sol", "taurate@200x2"), "observed"])
    quality = means.loc[("quality", "glycinate@200")]             # a rating: any device
    assert (quality["nights"], quality["other_device"]) == (14, 0)


def test_the_means_table_says_which_nights_another_device_measured(priors):
    from model.report.figures_html import _means_table
    from model.viz.checks import regimen_means

    column = "nights on another device (not in the mean)"
    assert column in _means_table(regimen_means(device_diary(priors)))
    assert column not in _means_table(regimen_means(stand(nights(THREE_RUNS), priors)))


# --------------------------------------------------------------------------------------------
# 4. The build-up's uncertainty
# --------------------------------------------------------------------------------------------


def test_the_build_up_band_is_the_time_constants_5_to_95_percent(priors):
    from matplotlib.collections import PolyCollection

    fit = stand(nights(THREE_RUNS), priors)
    fig = plot_timeline(fit)
    panel = fig.axes[-1]
    low, high = np.quantile(TAU_DRAWS, [0.05, 0.95])
    assert f"interval {low:.1f} to {high:.1f} days" in panel.get_title()
    settings = priors.settings
    design = design_from_nights(fit.diary_.nights, ed50_mg=settings.ed50_mg,
                                reference_mg=settings.reference_dose_mg)
    glycinate = FORMS.index("glycinate")
    # on the way up, a shorter time constant is the higher curve: the band's edges on the
    # glycinate run's last night are the curves at the 95 % and 5 % time constants
    edges = build_up(design, np.array([high, low]))[:, 27, glycinate]
    (band,) = [c for c in panel.collections if isinstance(c, PolyCollection)
               and "glycinate" in c.get_label()]
    night = date2num(fit.diary_.nights.index[27])
    points = band.get_paths()[0].vertices
    drawn = np.sort(points[np.isclose(points[:, 0], night), 1])
    np.testing.assert_allclose(drawn[[0, -1]], edges, rtol=0.02)


@pytest.mark.fit
def test_the_report_gives_the_time_constants_interval():
    from model.report.html import render_report

    analysis = example_analysis()
    low, high = np.quantile(analysis.fit.draws_of("tau"), [0.05, 0.95])
    text = re.sub(r"<img [^>]*>", "", render_report(analysis))
    assert f"90% interval {low:.1f} to {high:.1f} days" in text


# --------------------------------------------------------------------------------------------
# 5. A split dose: its daily total in the tables' words, never "x2"
# --------------------------------------------------------------------------------------------


def test_a_split_dose_is_labelled_in_the_tables_words(priors):
    from model.viz.plots import plot_predictive
    from model.viz.timeline import run_name

    split = Regimen("taurate", 200, True)
    assert run_name("taurate", 200.0, True) == split.words
    fit = stand(nights(THREE_RUNS), priors)
    ticks = [t.get_text().replace("\n", " ")
             for t in plot_predictive(fit).axes[0].get_xticklabels()]
    assert ticks[-1] == split.words
    names = [t.get_text() for t in plot_timeline(fit).axes[0].texts]
    assert split.words in names
    for label in (*ticks, *names):
        assert "x2" not in label and "@" not in label and "400" not in label


@pytest.mark.fit
def test_the_actions_are_named_as_the_table_names_them():
    from model.core.change_words import step_words
    from model.viz.plots import plot_actions

    decision = example_analysis().decision
    names = [t.get_text() for t in plot_actions(decision).axes[0].get_yticklabels()]
    for name, a in zip(names, decision.assessments, strict=True):
        assert step_words(a.action, a.regimen) in name and "@" not in name


# --------------------------------------------------------------------------------------------
# 7. Other changes, nights left out, nights counted as the terminal counts them
# --------------------------------------------------------------------------------------------


def test_an_other_change_and_left_out_nights_are_drawn_as_such(priors):
    from model.viz.marks import LEFT_OUT_LABEL, OTHER_LABEL
    from model.viz.timeline import MISSING_LABEL

    exclude = [""] * 42
    exclude[5] = exclude[6] = "travel"
    change = [""] * 42
    change[35] = "started sertraline 50 mg"
    fit = stand(nights(THREE_RUNS, exclude=exclude, other_change=change), priors)
    fig = plot_timeline(fit)
    latency = fig.axes[1]
    (crosses,) = [line for line in latency.lines if line.get_label() == LEFT_OUT_LABEL]
    left_out = pd.DatetimeIndex(fit.diary_.nights.index[[5, 6]])
    np.testing.assert_array_equal(pd.DatetimeIndex(crosses.get_xdata()), left_out)
    assert not [line for line in latency.lines if line.get_label() == MISSING_LABEL]
    day = date2num(fit.diary_.nights.index[35])
    assert [line for line in latency.lines if line.get_label() == OTHER_LABEL
            and np.allclose(np.asarray(line.get_xdata(), float), day)]
    assert "40 recorded nights, 2 left out" in fig.get_suptitle()


def test_the_alt_text_counts_each_runs_nights_as_the_terminal_does(priors):
    from model.report.figures_html import _timeline_alt

    frame = nights(THREE_RUNS).drop(index=range(3, 8))     # 5 nights missing, unrecorded
    diary = stand(frame, priors).diary_
    alt = _timeline_alt(SimpleNamespace(diary=diary), "")
    counts = diary.regimen_counts()
    said = [int(n) for n in re.findall(r"for (\d+) nights", alt)]
    assert said == list(counts.values()) and said[0] == 9


# --------------------------------------------------------------------------------------------
# 8. Short runs: a cue besides colour, and no name over a neighbour
# --------------------------------------------------------------------------------------------


def test_short_runs_keep_a_short_name_and_names_stay_over_their_runs(priors):
    from model.viz.timeline import MOST_OVERHANG

    runs = [(30, "glycinate", 200, False), (6, "threonate", 144, False),
            (6, "lactate", 200, False), (30, "glycinate", 200, False)] * 2
    fit = stand(nights(runs), priors)
    fig = plot_timeline(fit)
    fig.canvas.draw()
    strip = fig.axes[0]
    texts = [t for t in strip.texts if t.get_visible()]
    assert {"thr 144", "lac 200"} <= {t.get_text() for t in texts}
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert {"threonate (thr)", "lactate (lac)"} <= set(legend)
    renderer = fig.canvas.get_renderer()
    segments = fit.diary_.segments()
    starts = date2num(pd.DatetimeIndex(segments["start"]))
    for text in texts:
        x0, x1 = text.get_window_extent(renderer).intervalx
        middle = strip.transData.inverted().transform(((x0 + x1) / 2, 0))[0]
        k = int(np.searchsorted(starts, middle, side="right") - 1)
        run0, run1 = strip.transData.transform(
            [(starts[k], 0), (starts[k] + segments["n_nights"][k], 0)])[:, 0]
        slack = (MOST_OVERHANG - 1) / 2 * (run1 - run0) + 1
        assert run0 - slack <= x0 and x1 <= run1 + slack, text.get_text()


def test_a_run_too_short_for_any_name_keeps_a_hatch_of_its_form(priors):
    """At a year, 4-night threonate and lactate runs have room for no name: their bands in
    the strip differ by hatch as well as colour, as their legend entries do."""
    runs = [(60, "glycinate", 200, False), (4, "threonate", 144, False),
            (4, "lactate", 200, False), (60, "glycinate", 200, False)] * 3
    fig = plot_timeline(stand(nights(runs), priors))
    bands = {p.get_label().split(" ")[-1].split("@")[0]: p.get_hatch()
             for p in fig.axes[0].patches if p.get_label().startswith("_band")}
    assert bands["threonate"] and bands["lactate"] and bands["threonate"] != bands["lactate"]
    legend = {t.get_text().split(" ")[0]: h.get_hatch()
              for t, h in zip(fig.legends[0].get_texts(), fig.legends[0].legend_handles,
                              strict=True) if isinstance(h, Patch)}
    assert legend["threonate"] == bands["threonate"] and legend["lactate"] == bands["lactate"]


# --------------------------------------------------------------------------------------------
# 11. Small things
# --------------------------------------------------------------------------------------------


def test_a_yes_no_panel_spans_0_to_1_and_a_narrow_log_axis_has_round_ticks(priors):
    from model.viz.timeline import log1p_ticks

    fit = stand(nights(THREE_RUNS), priors)
    (gi,) = [ax for ax in plot_timeline(fit).axes if "share of nights" in ax.get_ylabel()]
    low, high = gi.get_ylim()
    assert low < 0 < 1 < high <= 1.1
    assert len(log1p_ticks(11.0, 56.0)) >= 3


@pytest.mark.fit
def test_the_gi_limit_is_said_under_its_axis_and_reasons_are_not_cut_at_60():
    from model.viz.plots import plot_actions

    decision = example_analysis().decision
    fig = plot_actions(decision, epsilon=0.2)
    gi = fig.axes[1]
    assert gi.get_legend() is None and "allowed (0.20)" in gi.get_xlabel()
    blocked = [a for a in decision.assessments if not a.feasible]
    notes = [t.get_text() for t in fig.axes[2].texts if t.get_text().startswith("blocked")]
    longest = max(len("blocked: " + "; ".join(a.blocked_by)) for a in blocked)
    assert max(len(n) for n in notes) >= min(longest, 100)
