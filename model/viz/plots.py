"""Pictures of the model: priors, predictions and the ranked actions.

The diary timeline is :mod:`model.viz.timeline`'s.

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
from typing import TYPE_CHECKING

import numpy as np
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from model.core.change_words import chance, step_words
from model.core.forms import FORMS, NONE, PLACEBO
from model.core.outcomes import OUTCOMES, SPECS
from model.core.regimen import Regimen
from model.core.special import normal_quantile
from model.decision import ActionAssessment, Decision
from model.decision.gi_words import GI_RISK
from model.likelihood.prior import PersonalPrior
from model.viz.canvas import FORM_COLOURS, INTERVAL, MARKERS, figure, grid
from model.viz.checks import other_device, reference_levels, regimen_means

if TYPE_CHECKING:
    from model.evidence.priorset import PriorSet
    from model.personal.fit import PersonalModel

__all__ = [
    "BLOCKED_COLOUR", "NO_FORM_COLOUR", "PERSONAL_PRIOR_LABEL", "POSTERIOR_LABEL", "WIDER_NOTE",
    "plot_actions", "plot_certainty", "plot_predictive", "plot_priors",
]

Z = normal_quantile(0.5 + INTERVAL / 2)

PERSONAL_PRIOR_LABEL = "prior: your effect (evidence + how people differ)"
POSTERIOR_LABEL = "posterior: your effect"
WIDER_NOTE = ("Why some posteriors are wider than the evidence: people differ, so your own "
              "effect is less certain than the average one (your prior, squares); the forms "
              "you tried teach about all forms through one shared responsiveness.")
NOTE_CHARACTERS = 120
"""Characters of a blocked action's reasons in the status column (two lines of half)."""
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
    sd = prior.marginal_sd
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
# Predictions against the nights
# --------------------------------------------------------------------------------------------


PREDICTED_LABEL = (f"predicted mean ({INTERVAL:.0%} interval): expectation and the trend at "
                   "the last night included")
REFERENCE_LABELS = {NONE: "predicted: no magnesium", PLACEBO: "predicted: placebo (expectation "
                    "alone); a regimen's gap to it is magnesium's"}
OTHER_DEVICE_LABEL = "night on another device (not in the mean)"
"""Legend labels of the predictive figure."""


def _observed(ax: Axes, fit: PersonalModel, outcome: str, labels: list[str],
              rng: np.random.Generator) -> None:
    """Each regimen's nights: the reference device's grey dots, another device's open circles."""
    regimen_of, observed = fit.diary_.regimen_label, fit.diary_.nights[SPECS[outcome].column]
    other = other_device(fit, outcome)
    for i, label in enumerate(labels):
        on = (regimen_of == label) & observed.notna()
        for alike, style in ((False, {"color": "#999999", "alpha": 0.6}),
                             (True, {"markerfacecolor": "none", "markeredgecolor": "#555555"})):
            values = observed[on & (other == alike)]
            if len(values):
                ax.plot(i + rng.uniform(-0.2, 0.2, len(values)), values.to_numpy(), "o",
                        ms=2.5, label=OTHER_DEVICE_LABEL if alike else "observed night",
                        **style)


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
        One panel per observed outcome, one column per regimen of the diary (named in the
        tables' words): grey dots are the observed nights measured by the diary's reference
        device (:func:`~model.data.devices.reference_source`; including the build-up at the
        start of a regimen), open circles those of another device (drawn, not in the mean:
        the prediction is on the reference's scale), a black diamond the reference's mean,
        and a square with its interval the posterior predicted mean at steady state (90 %
        interval), which includes the
        expectation of taking something and the trend at the diary's last night. Two lines
        mark the predicted levels of no magnesium (dotted) and placebo, the expectation alone
        (dashed): a regimen's gap to the dashed line is magnesium's. The numbers are
        :func:`~model.viz.checks.regimen_means` and :func:`~model.viz.checks.reference_levels`.

    """
    means, levels = regimen_means(fit), reference_levels(fit)
    labels, outcomes = (list(dict.fromkeys(means[c])) for c in ("regimen", "outcome"))
    fig, axes = grid(len(outcomes), 3, 12.0, 3.6)
    rng, x = np.random.default_rng(seed), np.arange(len(labels))
    for ax, outcome in zip(axes, outcomes, strict=True):
        _observed(ax, fit, outcome, labels, rng)
        for level, style in ((NONE, ":"), (PLACEBO, "--")):
            ax.axhline(levels.loc[outcome, level], color="#1f78b4", ls=style, lw=1.2,
                       label=REFERENCE_LABELS[level])
        own = means[means["outcome"] == outcome]
        ax.plot(x, own["observed"].to_numpy(), "D", color="black", ms=5, label="observed mean")
        mean = own["predicted"].to_numpy()
        ax.errorbar(x + 0.3, mean, yerr=[mean - own["low"], own["high"] - mean], fmt="s",
                    capsize=3, color="#d62728", label=PREDICTED_LABEL)
        ax.set_xticks(x, [textwrap.fill(Regimen.from_label(r).words, 16) for r in labels],
                      rotation=30, ha="right")
        ax.set_title(_label(fit.priors_, outcome))
        ax.set_xlabel("regimen")
        ax.set_ylabel(fit.priors_.settings.outcomes[outcome].unit)
    handles = {label: h for ax in axes for h, label in zip(*ax.get_legend_handles_labels(),
                                                            strict=True)}
    fig.legend(handles.values(), handles.keys(), loc="outside lower center", ncols=2,
               fontsize="small")
    fig.suptitle("Predicted steady state (expectation of taking something and the trend at "
                 "the last night included) vs observed nights, per regimen")
    return fig


# --------------------------------------------------------------------------------------------
# The ranked actions
# --------------------------------------------------------------------------------------------


def _note(assessment: ActionAssessment) -> str:
    if assessment.feasible:
        return (f"P(best) {chance(assessment.p_best)}, P(better than now) "
                f"{chance(assessment.p_better_than_continue)}")
    return textwrap.fill("blocked: " + "; ".join(assessment.blocked_by), NOTE_CHARACTERS // 2,
                         max_lines=2, placeholder=" ...")


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
            utility_ax.plot(a.expected_utility + a.learning_value, row, "o", ms=11,
                            markerfacecolor="none", markeredgecolor=colour)
        gi_ax.barh(row, a.p_constraint_violation, color=colour, height=0.6,
                   hatch=None if a.feasible else "//")
        note_ax.text(0.0, row, _note(a), va="center", fontsize="small",
                     color="black" if a.feasible else "#777777")
    names = [("* " if i == decision.chosen else "") + step_words(a.action, a.regimen)
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
    gi_ax.set_xlabel(GI_RISK)
    if epsilon is not None:            # said under the axis, where no bar lies under it
        gi_ax.axvline(epsilon, color="#d62728", lw=1.2, ls="--")
        gi_ax.set_xlabel(f"{GI_RISK}\ndashed: allowed ({epsilon:.2f})")
    gi_ax.set_xlim(0.0, 1.0)
    gi_ax.set_title("GI limit")
    note_ax.axis("off")
    note_ax.set_title("status")
    return fig
