"""Pictures of the model: priors, the diary timeline, predictions and the ranked actions.

Every function returns a :class:`matplotlib.figure.Figure` drawn on the Agg canvas, without
pyplot: nothing is shown, no global figure list grows, and a figure can be saved
(``fig.savefig("x.png")``) or embedded (:mod:`model.report.html`). In a notebook, run
``%matplotlib inline`` once and the returned figure displays itself.

>>> from model import load_priors
>>> from model.viz.plots import plot_priors
>>> fig = plot_priors(load_priors())
>>> fig.savefig("priors.png")                                                # doctest: +SKIP
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.colors import to_hex
from matplotlib.dates import date2num
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.transforms import blended_transform_factory

from model.core.change_words import chance
from model.core.forms import FORMS, PLACEBO
from model.core.outcomes import OUTCOMES, SPECS
from model.core.paths import diary_label
from model.decision import ActionAssessment, Decision, option
from model.likelihood.prior import PersonalPrior
from model.viz.canvas import FORM_COLOURS, INTERVAL, LINE_STYLES, MARKERS, figure, grid
from model.viz.checks import recorded_outcomes, regimen_means

if TYPE_CHECKING:
    from model.data.diary import Diary
    from model.evidence.priorset import PriorSet
    from model.personal.fit import PersonalModel

Z = float(NormalDist().inv_cdf(0.5 + INTERVAL / 2))

PLACEBO_COLOUR = "#bbbbbb"
BAND_PREFIX = "_band "
"""Label prefix of a regimen band (the leading underscore keeps it out of legends)."""
MISSING_LABEL = "missing night"
MISSING_RUG_Y = 1.04
"""Height of the missing-night rug, in axes coordinates (above the data area)."""
PERSONAL_PRIOR_LABEL = "prior: your effect (evidence + how people differ)"
POSTERIOR_LABEL = "posterior: your effect"
WIDER_NOTE = ("Why some posteriors are wider than the evidence: people differ, so your own "
              "effect is less certain than the average one (your prior, squares); the forms "
              "you tried teach about all forms through one shared responsiveness.")
BLOCKED_COLOUR = "#b0b0b0"
"""Light grey: an action not allowed now (the only grey of the actions' figure)."""
NO_FORM_COLOUR = "black"
"""An allowed action without a magnesium form (stop, placebo period): not grey, which is
reserved for the blocked ones."""


def _label(priors: PriorSet, outcome: str, width: int = 60) -> str:
    return textwrap.fill(priors.settings.outcomes[outcome].label, width)


# --------------------------------------------------------------------------------------------
# Forest plots: priors, posteriors, certainty weights
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Series:
    """One set of intervals per form x outcome (rows follow FORMS, columns OUTCOMES)."""

    label: str
    mean: np.ndarray
    low: np.ndarray
    high: np.ndarray
    colour: str
    marker: str


def _forest(priors: PriorSet, series: Sequence[_Series], title: str) -> Figure:
    """One panel per outcome, one row per form, the series side by side within a row."""
    fig, axes = grid(len(OUTCOMES), 3, 12.0, 3.6)
    rows = np.arange(len(FORMS))
    offsets = np.linspace(-0.25, 0.25, len(series)) if len(series) > 1 else np.zeros(1)
    for j, (ax, outcome) in enumerate(zip(axes, OUTCOMES, strict=True)):
        for s, offset in zip(series, offsets, strict=True):
            ax.errorbar(s.mean[:, j], rows + offset,
                        xerr=[s.mean[:, j] - s.low[:, j], s.high[:, j] - s.mean[:, j]],
                        fmt=s.marker, ms=4, capsize=2, color=s.colour, label=s.label)
        ax.axvline(0.0, color="black", lw=0.8, ls=":")
        spec = priors.settings.outcomes[outcome]
        ax.set_yticks(rows, FORMS)
        ax.invert_yaxis()
        ax.set_title(spec.label)
        ax.set_xlabel(f"{spec.scale} ({spec.better} is better)")
        ax.set_ylabel("form")
    fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center",
               ncols=len(series))
    fig.suptitle(f"{title}: effect of {priors.settings.reference_dose_mg:g} mg elemental "
                 "magnesium a day vs none")
    return fig


def _prior_series(priors: PriorSet, label: str, colour: str, marker: str) -> _Series:
    mean, sd = priors.means().values, priors.sds().values
    return _Series(label, mean, mean - Z * sd, mean + Z * sd, colour, marker)


def _personal_series(fit: PersonalModel) -> _Series:
    """The fit's own prior of the person's effect: the evidence plus how people differ."""
    from model.personal.fit import gi_shift

    prior = PersonalPrior.of(fit.priors_, gi_shift(fit.priors_, fit.gut_sensitivity))
    sd = np.sqrt(prior.spread**2 + prior.resp_sd[None, :] ** 2)
    return _Series(PERSONAL_PRIOR_LABEL, prior.mean, prior.mean - Z * sd,
                   prior.mean + Z * sd, "#9ecae1", MARKERS[1])


def _posterior_series(fit: PersonalModel) -> _Series:
    theta = fit.draws_of("theta")                           # (draw, form, outcome)
    tail = (1 - INTERVAL) / 2
    low, high = np.quantile(theta, [tail, 1 - tail], axis=0)
    return _Series(POSTERIOR_LABEL, theta.mean(axis=0), low, high, "#d62728", MARKERS[2])


def plot_priors(priors: PriorSet, fit: PersonalModel | None = None) -> Figure:
    """Prior (and posterior) of every form x outcome effect with 90 % intervals.

    Parameters
    ----------
    priors : PriorSet
        The evidence priors: the population effect of each form at the reference dose.
    fit : PersonalModel, optional
        A fitted personal model. Two series join the evidence: the fit's own prior of the
        person's effect (the evidence plus how much people differ: the form deviation and
        the responsiveness shared by all forms), and the posterior. A posterior can be wider
        than the evidence prior (a form not tried, whose effect for you is uncertain because
        people differ) but is narrower than your prior where the diary taught something.

    Returns
    -------
    matplotlib.figure.Figure
        One panel per outcome (model scale), one row per form; the series are told apart
        by their markers (circle, square, triangle) as well as their colours.

    """
    series = [_prior_series(priors, "prior: population effect (evidence)", "#1f77b4",
                            MARKERS[0])]
    title = f"Evidence priors per form and outcome ({INTERVAL:.0%} intervals)"
    if fit is not None:
        series += [_personal_series(fit), _posterior_series(fit)]
        title = f"Prior vs posterior per form and outcome ({INTERVAL:.0%} intervals)"
    fig = _forest(priors, series, title)
    if fit is not None:
        fig.suptitle(f"{fig.get_suptitle()}\n{textwrap.fill(WIDER_NOTE, 130)}")
    return fig


def plot_certainty(priors: PriorSet, factors: Sequence[float] = (0.5, 1.0, 2.0)) -> Figure:
    """How each prior moves when every certainty's power-prior weight is scaled.

    Parameters
    ----------
    priors : PriorSet
        The priors to re-derive (:meth:`PriorSet.with_certainty_weight`).
    factors : sequence of float
        Multipliers of every certainty's weight (1 = the settings as they are).

    Returns
    -------
    matplotlib.figure.Figure
        One panel per outcome, one row per form, one interval per factor.

    """
    colours = colormaps["viridis"](np.linspace(0.0, 0.85, len(factors)))
    series = [_prior_series(priors.with_certainty_weight(f), f"certainty weight x {f:g}",
                            to_hex(c), MARKERS[i % len(MARKERS)])
              for i, (f, c) in enumerate(zip(factors, colours, strict=True))]
    return _forest(priors, series, f"Priors under alternative certainty weights "
                                   f"({INTERVAL:.0%} intervals)")


# --------------------------------------------------------------------------------------------
# The diary timeline
# --------------------------------------------------------------------------------------------


def _shade_regimens(ax: Axes, segments: pd.DataFrame) -> None:
    """One band per segment with magnesium or placebo (no magnesium stays unshaded)."""
    starts = date2num(pd.DatetimeIndex(segments["start"]).to_pydatetime())
    ends = date2num((pd.DatetimeIndex(segments["end"]) + pd.Timedelta(days=1)).to_pydatetime())
    for form, label, start, end in zip(segments["form"], segments["label"], starts, ends,
                                       strict=True):
        if form in FORMS:
            ax.axvspan(start, end, color=FORM_COLOURS[str(form)], alpha=0.15, lw=0,
                       label=f"{BAND_PREFIX}{label}")
        elif form == PLACEBO:
            ax.axvspan(start, end, facecolor="none", edgecolor=PLACEBO_COLOUR, hatch="//",
                       lw=0, label=f"{BAND_PREFIX}{label}")


def _label_doses(ax: Axes, segments: pd.DataFrame, forms: bool = False) -> None:
    """Write each magnesium run's dose (its form: ``forms``) inside the top of the panel.

    Runs of a week or more. The shading's colour says the form, its name says it without
    colour; a titration (100 -> 200 -> 300 mg) of one form is otherwise one band.
    """
    inside = blended_transform_factory(ax.transData, ax.transAxes)
    for form, mg, split, start, n in zip(segments["form"], segments["elemental_mg"],
                                          segments["split"], segments["start"],
                                          segments["n_nights"], strict=True):
        if form in FORMS and n >= 7:
            middle = pd.Timestamp(start) + pd.Timedelta(days=n / 2)
            ax.text(date2num(middle.to_pydatetime()), 0.97,
                    form if forms else f"{mg:g} mg{' split' if split else ''}",
                    transform=inside, ha="center", va="top", fontsize="x-small",
                    color="#333333")


def _regimen_legend(segments: pd.DataFrame) -> list[Patch]:
    forms = list(dict.fromkeys(segments["form"]))
    handles = [Patch(color=FORM_COLOURS[f], alpha=0.3, label=f) for f in forms if f in FORMS]
    if PLACEBO in forms:
        handles.append(Patch(facecolor="none", edgecolor=PLACEBO_COLOUR, hatch="//",
                             label=PLACEBO))
    return handles


def _outcome_panel(ax: Axes, values: pd.Series, label: str) -> None:
    """Nightly values, their 7-night mean and a rug above the axes for the missing nights.

    The rug sits outside the data area (axes coordinates above 1), so a missing night is
    never read as a value.
    """
    ax.plot(values.index, values.to_numpy(), "o", ms=2.5, color="#333333", label="night")
    ax.plot(values.index, values.rolling(7, min_periods=3).mean().to_numpy(), color="#333333",
            lw=1.2, label="7-night mean")
    missing = values.index[values.isna()]
    above = blended_transform_factory(ax.transData, ax.transAxes)
    if len(missing):   # an empty unclipped line sits at the figure's origin for the layout,
        ax.plot(missing, np.full(len(missing), MISSING_RUG_Y), "|", ms=6, mew=1.2,  # which
                color="#999999", transform=above, clip_on=False,  # then collapsed every axes
                label=MISSING_LABEL)
    ax.set_ylabel(label)


def plot_timeline(fit: PersonalModel) -> Figure:
    """Draw the diary night by night with the regimens shaded and the fitted build-up.

    Parameters
    ----------
    fit : PersonalModel
        A fitted personal model (its diary and posterior-median time constant are used).

    Returns
    -------
    matplotlib.figure.Figure
        One panel per observed outcome, labelled with its unit (dots: nights; line: 7-night
        mean; grey ticks above the panel: missing nights) and a last panel with the fitted
        exposure per form (1 = steady state at the reference dose; one line style per form).
        Every panel shades each run of one magnesium regimen in its form's colour, placebo
        runs hatched, nights without magnesium unshaded; the first one names each run's form,
        the last one its dose. The title names the diary's file with its folder (not a data
        frame), its recorded nights and its first and last date.

    """
    nights = fit.diary_.nights
    segments = fit.diary_.segments()
    outcomes = recorded_outcomes(fit)
    fig, axes = grid(len(outcomes) + 1, 1, 11.0, 1.9, sharex=True)
    for ax, outcome in zip(axes[:-1], outcomes, strict=True):
        _outcome_panel(ax, nights[SPECS[outcome].column],
                       f"{_label(fit.priors_, outcome, 18)}\n({SPECS[outcome].unit})")
    settings = fit.priors_.settings
    exposure = fit.exposure()
    ax = axes[-1]
    taken = [(f, c) for f, c in zip(FORMS, exposure.values.T, strict=True) if np.any(c > 0)]
    for i, (form, curve) in enumerate(taken):
        ax.plot(nights.index, curve, color=FORM_COLOURS[form], lw=1.8, label=form,
                ls=LINE_STYLES[i % len(LINE_STYLES)])
    ax.set_ylabel(textwrap.fill(f"exposure (1 = steady state at "
                                f"{settings.reference_dose_mg:g} mg)", 18))
    ax.set_title(f"fitted build-up (posterior median time constant {build_up_days(fit):.1f} "
                 "days)", fontsize="medium")
    ax.set_xlabel("night")
    for panel in axes:
        _shade_regimens(panel, segments)
    _label_doses(ax, segments)
    _label_doses(axes[0], segments, forms=True)
    axes[0].legend(handles=[*axes[0].get_legend_handles_labels()[0],
                            *_regimen_legend(segments)],
                   loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize="small")
    fig.suptitle(_diary_title(fit.diary_))
    return fig


def build_up_days(fit: PersonalModel) -> float:
    """The posterior median of the build-up's time constant, in days.

    After that many nights on a form, about two thirds (1 - 1/e) of its steady-state effect
    is reached.
    """
    return float(np.median(fit.draws_of("tau")))


def _diary_title(diary: Diary) -> str:
    """The diary's name with its folder (none for a ``<DataFrame>``), nights and dates."""
    named = "" if diary.source.startswith("<") else f" {diary_label(diary.source)}"
    first, last = diary.nights.index[[0, -1]]
    return (f"Diary{named}: {diary.n_recorded} recorded nights, {first:%Y-%m-%d} to "
            f"{last:%Y-%m-%d}")


# --------------------------------------------------------------------------------------------
# Predictions against the nights
# --------------------------------------------------------------------------------------------


def plot_predictive(fit: PersonalModel, *, seed: int = 0) -> Figure:
    """Predicted steady-state nightly mean per regimen against the observed nights.

    Parameters
    ----------
    fit : PersonalModel
        A fitted personal model.
    seed : int
        Seed of the horizontal jitter of the observed nights.

    Returns
    -------
    matplotlib.figure.Figure
        One panel per observed outcome, one column per regimen of the diary: grey dots are
        the observed nights (including the build-up at the start of a regimen), a black
        diamond their mean, and a square with its interval the posterior predicted mean at
        steady state (90 % interval); the numbers are :func:`~model.viz.checks.regimen_means`.

    """
    means = regimen_means(fit)
    labels, outcomes = (list(dict.fromkeys(means[c])) for c in ("regimen", "outcome"))
    regimen_of, nights = fit.diary_.regimen_label, fit.diary_.nights
    fig, axes = grid(len(outcomes), 3, 12.0, 3.4)
    rng, x = np.random.default_rng(seed), np.arange(len(labels))
    for ax, outcome in zip(axes, outcomes, strict=True):
        observed = nights[SPECS[outcome].column]
        for i, label in enumerate(labels):
            values = observed[(regimen_of == label) & observed.notna()]
            ax.plot(i + rng.uniform(-0.2, 0.2, len(values)), values.to_numpy(), "o", ms=2.5,
                    color="#999999", alpha=0.6, label="observed night" if i == 0 else None)
        own = means[means["outcome"] == outcome]
        ax.plot(x, own["observed"].to_numpy(), "D", color="black", ms=5, label="observed mean")
        mean = own["predicted"].to_numpy()
        ax.errorbar(x + 0.3, mean, yerr=[mean - own["low"], own["high"] - mean], fmt="s",
                    capsize=3, color="#d62728",
                    label=f"predicted mean ({INTERVAL:.0%} interval)")
        ax.set_xticks(x, labels, rotation=30, ha="right")
        ax.set_title(_label(fit.priors_, outcome))
        ax.set_xlabel("regimen")
        ax.set_ylabel(fit.priors_.settings.outcomes[outcome].unit)
    if axes:
        axes[0].legend(loc="best", fontsize="small")
    fig.suptitle("Posterior predicted steady state vs observed nights, per regimen")
    return fig


# --------------------------------------------------------------------------------------------
# The ranked actions
# --------------------------------------------------------------------------------------------


def _note(assessment: ActionAssessment) -> str:
    if assessment.feasible:
        return (f"P(best) {chance(assessment.p_best)}, P(better than now) "
                f"{chance(assessment.p_better_than_continue)}")
    return textwrap.shorten("blocked: " + "; ".join(assessment.blocked_by), 60, placeholder=" ...")


def plot_actions(decision: Decision, *, epsilon: float | None = None) -> Figure:
    """Rank the candidate actions by expected utility and show the GI constraint.

    Parameters
    ----------
    decision : Decision
        A decision with assessed actions.
    epsilon : float, optional
        The GI chance constraint's allowed violation probability (``safety.toml``
        ``gi_constraint.epsilon``); drawn as a limit line when given.

    Returns
    -------
    matplotlib.figure.Figure
        Left: expected utility (dot; weighted MCIDs, 0 = as now), a bar to the mean of the
        worst 10 % of draws (CVaR), an open circle at it plus the learning value (the starred
        recommendation need not lead on either: the reasons say why). Middle: P(GI constraint
        violated). Right: P(best) or, for a blocked action (light grey, dotted and hatched,
        named "not allowed"), why it is blocked.
        A decision without assessed actions (``refer``) gives a figure that says so.

    """
    actions = decision.assessments
    fig = figure(15.0, 1.4 + 0.42 * max(len(actions), 2))
    if not actions:
        ax = fig.add_subplot()
        ax.axis("off")
        ax.set_title("No actions assessed")
        ax.text(0.5, 0.5, f"Recommendation: {decision.recommendation.action.replace('_', ' ')}"
                "\n(no posterior was consulted)", ha="center", va="center")
        return fig
    utility_ax, gi_ax, note_ax = fig.subplots(1, 3, sharey=True, width_ratios=(3, 1, 2.6))
    rows = np.arange(len(actions))
    for row, a in zip(rows, actions, strict=True):
        colour = FORM_COLOURS.get(a.regimen.form, NO_FORM_COLOUR) if a.feasible else BLOCKED_COLOUR
        utility_ax.plot([a.cvar, a.expected_utility], [row, row], color=colour, lw=3,
                        solid_capstyle="butt", ls="solid" if a.feasible else "dotted")
        utility_ax.plot(a.expected_utility, row, "o", color=colour, ms=7)
        if a.learning_value > 0:
            utility_ax.plot(a.expected_utility + a.learning_value, row, "o", ms=7,
                            markerfacecolor="none", markeredgecolor=colour)
        gi_ax.barh(row, a.p_constraint_violation, color=colour, height=0.6,
                   hatch=None if a.feasible else "//")
        note_ax.text(0.0, row, _note(a), va="center", fontsize="medium",
                     color="black" if a.feasible else "#777777")
    names = [("* " if i == decision.chosen else "") + option(a.action, a.regimen)
             + ("" if a.feasible else " (not allowed)") for i, a in enumerate(actions)]
    utility_ax.set_yticks(rows, names)
    for label, a in zip(utility_ax.get_yticklabels(), actions, strict=True):
        label.set_color("black" if a.feasible else "#888888")
    utility_ax.invert_yaxis()
    utility_ax.axvline(0.0, color="black", lw=0.8, ls=":")
    utility_ax.set_xlabel(textwrap.fill("utility, weighted MCIDs (dot: expected; open circle: "
                                        "plus what its nights are expected to teach; bar to "
                                        "the mean of the worst 10 %)", 70))
    utility_ax.set_ylabel("action (* = recommended; the reasons say why)")
    utility_ax.set_title("Actions by expected utility (light grey: not allowed now)")
    if epsilon is not None:
        gi_ax.axvline(epsilon, color="#d62728", lw=1.2, ls="--",
                      label=f"allowed ({epsilon:.2f})")
        gi_ax.legend(loc="lower right", fontsize="small")
    gi_ax.set_xlim(0.0, 1.0)
    gi_ax.set_xlabel("P(violated)")
    gi_ax.set_title("GI chance constraint")
    note_ax.axis("off")
    note_ax.set_title("status")
    return fig
