"""The figures of model.viz.plots: what they show, not only that they run."""

import dataclasses
import datetime as dt
import io
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from matplotlib.collections import LineCollection
from matplotlib.colors import to_rgba
from matplotlib.container import ErrorbarContainer
from matplotlib.figure import Figure

from model.core.change_words import step_words
from model.core.errors import MgsleepError
from model.core.forms import FORMS
from model.core.outcomes import OUTCOMES, SPECS
from model.core.regimen import Regimen
from model.data.profile import Profile
from model.decision.decide import decide
from model.testing import DROPPED_ROWS, example_analysis
from model.viz.canvas import FORM_HATCHES
from model.viz.checks import RECORDED_LABEL, plot_ppc
from model.viz.plots import (
    BLOCKED_COLOUR,
    PERSONAL_PRIOR_LABEL,
    POSTERIOR_LABEL,
    WIDER_NOTE,
    plot_actions,
    plot_certainty,
    plot_predictive,
    plot_priors,
)
from model.viz.timeline import BAND_PREFIX, MISSING_LABEL, plot_timeline


@pytest.fixture(scope="module")
def analysis():
    return example_analysis()


def visible_axes(fig: Figure):
    return [ax for ax in fig.axes if ax.get_visible()]


def errorbars(ax):
    return [c for c in ax.containers if isinstance(c, ErrorbarContainer)]


def points(container: ErrorbarContainer) -> tuple[np.ndarray, np.ndarray]:
    line = container.lines[0]
    return np.asarray(line.get_xdata(), float), np.asarray(line.get_ydata(), float)


def legend_texts(legend) -> list[str]:
    return [t.get_text() for t in legend.get_texts()]


# --------------------------------------------------------------------------------------------
# Priors and certainty weights (no fit needed)
# --------------------------------------------------------------------------------------------


def test_priors_panel_per_outcome_row_per_form(priors):
    fig = plot_priors(priors)
    axes = visible_axes(fig)
    assert [ax.get_title() for ax in axes] == [priors.settings.outcomes[o].label
                                              for o in OUTCOMES]
    for ax, outcome in zip(axes, OUTCOMES, strict=True):
        assert [t.get_text() for t in ax.get_yticklabels()] == list(FORMS)
        assert priors.settings.outcomes[outcome].scale in ax.get_xlabel()
        assert ax.get_ylabel() == "form"
        (series,) = errorbars(ax)
        x, _ = points(series)
        np.testing.assert_allclose(x, priors.means().sel(outcome=outcome).values)
    assert legend_texts(fig.legends[0]) == ["prior: population effect (evidence)"]
    assert "300 mg" in fig.get_suptitle()


def test_certainty_plot_has_one_series_per_factor(priors):
    factors = (0.5, 1.0, 2.0)
    fig = plot_certainty(priors, factors)
    assert legend_texts(fig.legends[0]) == [f"certainty weight x {f:g}" for f in factors]
    for ax, outcome in zip(visible_axes(fig), OUTCOMES, strict=True):
        series = errorbars(ax)
        assert len(series) == len(factors)
        # factor 1 is the prior set as it is
        np.testing.assert_allclose(points(series[1])[0],
                                   priors.means().sel(outcome=outcome).values)
    # a bigger weight lets the evidence speak louder: glycinate x sol moves further from 0
    sol = visible_axes(fig)[0]
    first = [abs(points(s)[0][FORMS.index("glycinate")]) for s in errorbars(sol)]
    assert first[0] < first[2]


def test_actions_of_a_referral_says_so(priors):
    decision = decide(lambda regimens: None, priors=priors, profile=Profile(egfr=25),
                      as_of=dt.date(2026, 1, 1))
    fig = plot_actions(decision)
    assert fig.axes[0].get_title() == "No actions assessed"
    assert "refer" in fig.axes[0].texts[0].get_text()


# --------------------------------------------------------------------------------------------
# Figures of a fit
# --------------------------------------------------------------------------------------------


@pytest.mark.fit
def test_priors_with_posterior_side_by_side(analysis, priors):
    """Evidence, your prior and the posterior: a posterior wider than the evidence is
    explained by your prior (people differ), which the posterior never exceeds."""
    fig = plot_priors(analysis.fit.priors_, analysis.fit)
    effects = analysis.fit.effects().set_index(["form", "outcome"])
    assert legend_texts(fig.legends[0])[1:] == [PERSONAL_PRIOR_LABEL, POSTERIOR_LABEL]
    assert WIDER_NOTE[:40] in fig.get_suptitle() and "90% intervals" in fig.get_suptitle()
    wider_than_evidence = 0
    for ax, outcome in zip(visible_axes(fig), OUTCOMES, strict=True):
        evidence, personal, posterior = errorbars(ax)
        x, y = points(posterior)
        np.testing.assert_allclose(x, [effects.loc[(f, outcome), "mean"] for f in FORMS])
        assert np.all(points(evidence)[1] < points(personal)[1]) and \
            np.all(points(personal)[1] < y)       # offset within each form's row
        width = {name: np.ptp(np.asarray(s.lines[2][0].get_segments())[:, :, 0], axis=1)
                 for name, s in (("evidence", evidence), ("personal", personal),
                                 ("posterior", posterior))}
        assert np.all(width["personal"] > width["evidence"])
        assert np.all(width["posterior"] < 1.1 * width["personal"])
        tried = [FORMS.index("glycinate"), FORMS.index("citrate")]
        assert np.all(width["posterior"][tried] < 0.8 * width["personal"][tried])
        wider_than_evidence += int(np.sum(width["posterior"] > width["evidence"]))
    assert wider_than_evidence > 0                 # the case the note explains occurs


def test_a_titration_names_each_dose_of_the_band():
    from model.viz.timeline import _name_runs

    runs = [("glycinate", 100.0, False, 10), ("glycinate", 200.0, True, 10),
            ("none", 0.0, False, 5), ("placebo", 0.0, False, 10), ("citrate", 300.0, False, 3)]
    starts = pd.Timestamp("2026-01-01") + pd.to_timedelta(
        np.cumsum([0] + [n for *_, n in runs[:-1]]), unit="D")
    segments = pd.DataFrame({"form": [r[0] for r in runs], "elemental_mg": [r[1] for r in runs],
                             "split": [r[2] for r in runs], "start": starts,
                             "n_nights": [r[3] for r in runs]})
    ax = Figure().subplots()
    names = [text.get_text() for text, *_ in _name_runs(ax, segments)]
    assert names == ["glycinate 100 mg", Regimen("glycinate", 200, True).words, "placebo",
                     "citrate 300 mg"]              # the tables' words: never "x2" or "split"


def test_timeline_bands_missing_nights_and_build_up(analysis):
    fit = analysis.fit
    nights = fit.diary_.nights
    segments = fit.diary_.segments()
    active = segments[segments["form"] != "none"]
    assert list(active["label"]) == ["citrate@300", "placebo", "glycinate@300"]
    fig = plot_timeline(fit)
    axes = visible_axes(fig)
    outcomes = [o for o in OUTCOMES if nights[SPECS[o].column].notna().any()]
    assert len(axes) == len(outcomes) + 2       # the regimen strip, the outcomes, the build-up
    for ax in axes:
        bands = [p for p in ax.patches if p.get_label().startswith(BAND_PREFIX)]
        assert [b.get_label().removeprefix(BAND_PREFIX) for b in bands] == list(active["label"])
        hatches = ([FORM_HATCHES["citrate"], "//", FORM_HATCHES["glycinate"]] if ax is axes[0]
                   else [None, "//", None])      # the strip's: a cue besides the colour
        assert [b.get_hatch() for b in bands] == hatches
        assert ax.get_ylabel()
    for ax, outcome in zip(axes[1:], outcomes, strict=False):
        (missing,) = [line for line in ax.lines if line.get_label() == MISSING_LABEL]
        assert len(missing.get_xdata()) == nights[SPECS[outcome].column].isna().sum()
        assert len(missing.get_xdata()) >= len(DROPPED_ROWS)
        # a rug above the data area (axes y > 1), never a value at the axis floor
        assert np.all(np.asarray(missing.get_ydata()) > 1.0) and not missing.get_clip_on()
        _, top = missing.get_transform().transform((0.0, 1.0)) - \
            ax.transAxes.transform((0.0, 1.0))
        assert top == pytest.approx(0.0)
    exposure = axes[-1]
    assert {line.get_label() for line in exposure.lines} == {"citrate", "glycinate"}
    glycinate = next(line for line in exposure.lines if line.get_label() == "glycinate")
    curve = np.asarray(glycinate.get_ydata())
    assert curve[0] == 0 and np.all(np.diff(curve[45:]) >= 0) and 0.5 < curve[-1] <= 1.0
    assert exposure.get_xlabel() == "night" and "time constant" in exposure.get_title()
    # each run is named with its dose in the strip above the panels, none inside a panel
    assert [t.get_text() for t in axes[0].texts] == ["citrate 300 mg", "placebo",
                                                     "glycinate 300 mg"]
    assert not any(ax.texts for ax in axes[1:])
    legend = legend_texts(fig.legends[0])
    assert {"night", "7-night mean", MISSING_LABEL, "citrate", "glycinate", "placebo"} \
        <= set(legend)
    assert "recorded nights" in fig.get_suptitle()


def test_timeline_axes_name_their_units_and_a_data_frame_names_no_file(analysis):
    """A user audit: the outcome axes had no units, and a diary read from a data frame was
    titled "Diary <DataFrame>: 120 recorded nights"."""
    from model.viz.timeline import _diary_title, log_scaled

    fit = analysis.fit
    nights = fit.diary_.nights
    fig = plot_timeline(fit)
    outcomes = [o for o in OUTCOMES if nights[SPECS[o].column].notna().any()]
    units = [ax.get_ylabel().rsplit("\n", 1)[-1] for ax in visible_axes(fig)[1:-1]]
    column = {o: nights[SPECS[o].column] for o in outcomes}
    assert units == [f"({SPECS[o].unit}{', log scale' if log_scaled(o, column[o]) else ''})"
                     for o in outcomes]
    assert "(min, log scale)" in units and "(per night)" in units
    assert fit.diary_.source == "<DataFrame>"
    dates = f"{nights.index[0]:%Y-%m-%d} to {nights.index[-1]:%Y-%m-%d}"
    assert fig.get_suptitle() == f"Diary: {fit.diary_.n_recorded} recorded nights, {dates}"
    from_file = dataclasses.replace(fit.diary_, source="/home/me/sleep.csv")
    assert _diary_title(from_file).startswith("Diary me/sleep.csv: ")   # with its folder


@pytest.mark.fit
def test_predictive_per_regimen_against_observed(analysis):
    fit = analysis.fit
    labels = list(fit.diary_.regimen_counts())
    fig = plot_predictive(fit)
    axes = visible_axes(fig)
    nights = fit.diary_.nights
    outcomes = [o for o in OUTCOMES if nights[SPECS[o].column].notna().any()]
    assert len(axes) == len(outcomes)
    prediction = fit.predict([Regimen.from_label(label) for label in labels])
    for ax, outcome in zip(axes, outcomes, strict=True):
        assert [t.get_text().replace("\n", " ") for t in ax.get_xticklabels()] == [
            Regimen.from_label(label).words for label in labels]
        assert ax.get_title() and ax.get_ylabel() and ax.get_xlabel() == "regimen"
        (predicted,) = errorbars(ax)
        _, y = points(predicted)
        expected = prediction[SPECS[outcome].gain_key].mean("draw").sel(regimen=labels)
        np.testing.assert_allclose(y, expected.values)
        observed = nights[SPECS[outcome].column]
        means = [observed[(fit.diary_.regimen_label == label)].mean() for label in labels]
        (diamonds,) = [line for line in ax.lines if line.get_label() == "observed mean"]
        np.testing.assert_allclose(diamonds.get_ydata(), means)
    assert {"observed night", "observed mean"} <= set(legend_texts(fig.legends[0]))


@pytest.mark.fit
def test_actions_ranked_blocked_grey_recommended_starred(analysis):
    decision = analysis.decision
    fig = plot_actions(decision, epsilon=0.2)
    utility, gi, status = fig.axes
    names = [t.get_text() for t in utility.get_yticklabels()]
    assert len(names) == len(decision.assessments)
    for name, label, a in zip(names, utility.get_yticklabels(), decision.assessments,
                              strict=True):
        assert step_words(a.action, a.regimen) in name
        assert (label.get_color() == "black") == a.feasible
    if decision.chosen is not None:
        assert names[decision.chosen].startswith("* ")
        assert sum(n.startswith("* ") for n in names) == 1
    assert len(gi.patches) == len(decision.assessments)
    for bar, a in zip(gi.patches, decision.assessments, strict=True):
        assert bar.get_width() == pytest.approx(a.p_constraint_violation)
        if not a.feasible:
            assert bar.get_facecolor()[:3] == pytest.approx(
                tuple(int(BLOCKED_COLOUR[i:i + 2], 16) / 255 for i in (1, 3, 5)))
    notes = [t.get_text() for t in status.texts]
    blocked = [a for a in decision.assessments if not a.feasible]
    assert sum(n.startswith("blocked: ") for n in notes) == len(blocked)
    assert any(line.get_xdata()[0] == 0.2 for line in gi.lines)
    assert "expected utility" in utility.get_title() and "utility" in utility.get_xlabel()


def test_a_panel_without_missing_nights_leaves_the_layout_alone():
    """A user audit: every `analyze --report` of a diary with no missing night printed
    matplotlib's "constrained_layout not applied because axes sizes collapsed to zero": the
    empty rug of missing nights, drawn unclipped, sat at the figure's origin for the layout."""
    from model.viz.canvas import grid
    from model.viz.timeline import _outcome_panel

    nights = pd.Series([30.0, 25, 40, 20, 35, 30, 28],
                       index=pd.date_range("2026-10-22", periods=7, name="date"))
    fig, axes = grid(2, 1, 11.0, 1.9, sharex=True)
    for ax in axes:
        _outcome_panel(ax, nights, "minutes to fall asleep")
        assert MISSING_LABEL not in [line.get_label() for line in ax.lines]
    fig.savefig(io.BytesIO(), format="png")             # warnings are errors in the tests


# --------------------------------------------------------------------------------------------
# Posterior predictive check
# --------------------------------------------------------------------------------------------


def test_predictive_check_asks_for_the_replicated_diaries():
    with pytest.raises(MgsleepError, match="sample_posterior_predictive"):
        plot_ppc(SimpleNamespace(idata_=xr.DataTree()))


@pytest.mark.fit
def test_predictive_check_counts_discrete_outcomes_value_by_value(analysis):
    """A user audit: notebook 02's ``az.plot_ppc_dist`` drew the 1-5 quality ratings as a wavy
    density with bumps between the integers, with a UserWarning ("look discrete") and a
    FutureWarning from arviz_plots. Warnings are errors here."""
    fit = analysis.fit
    observed = fit.sample_posterior_predictive(random_seed=1)["observed_data"]
    fig = plot_ppc(fit)
    axes = visible_axes(fig)
    titles = [fit.priors_.settings.outcomes[o].label for o in OUTCOMES]
    assert [ax.get_title() for ax in axes] == titles     # the example diary records all six
    for ax, outcome in zip(axes, OUTCOMES, strict=True):
        spec = SPECS[outcome]
        nights = observed[spec.column].to_numpy()
        if outcome == "sol":                             # continuous: distribution functions
            assert not ax.patches and ax.get_ylabel() == "share of nights at or below"
            (recorded,) = [line for line in ax.lines if line.get_label() == RECORDED_LABEL]
            np.testing.assert_allclose(recorded.get_xdata(), np.sort(nights))
            continue
        bars = ax.patches                                # discrete: one bar per whole value
        values = np.array([b.get_x() + b.get_width() / 2 for b in bars])
        np.testing.assert_allclose(values, np.round(values))
        heights = [b.get_height() for b in bars]
        np.testing.assert_array_equal(heights, [(nights == v).sum() for v in values])
        assert sum(heights) == len(nights) and ax.get_ylabel() == "nights"
        (interval,) = [c for c in ax.collections if isinstance(c, LineCollection)]
        assert len(interval.get_segments()) == len(values)
    (quality,) = [ax for ax, o in zip(axes, OUTCOMES, strict=True) if o == "quality"]
    assert [round(b.get_x() + b.get_width() / 2) for b in quality.patches] == [1, 2, 3, 4, 5]
    assert RECORDED_LABEL in legend_texts(fig.legends[0])
    fig.savefig(io.BytesIO(), format="png")


@pytest.mark.fit
def test_only_a_blocked_action_is_grey(analysis):
    """A user audit: the allowed "stop" was drawn dark grey (#444444) under a title saying
    "grey: not allowed now"."""
    decision = analysis.decision
    utility = plot_actions(decision).axes[0]
    dots = [line for line in utility.lines
            if line.get_marker() == "o" and line.get_markerfacecolor() != "none"]
    assert len(dots) == len(decision.assessments)
    circles = [line.get_xdata()[0] for line in utility.lines
               if line.get_marker() == "o" and line.get_markerfacecolor() == "none"]
    assert circles == pytest.approx([a.expected_utility + a.learning_value
                                     for a in decision.assessments if a.learning_value > 0])
    assert any(a.feasible and a.regimen.form not in FORMS for a in decision.assessments)
    for dot, a in zip(dots, decision.assessments, strict=True):
        red, green, blue, _ = to_rgba(dot.get_color())
        assert (red == green == blue and 0 < red < 1) == (not a.feasible), a.action
    assert "(light grey: not allowed now)" in utility.get_title()
