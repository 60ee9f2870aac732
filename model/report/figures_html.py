"""The report's figures, each with its caption, its alt text and its numbers in the text.

A figure drawn from the posterior is an estimate only when the fit passed its checks. After a
fit that failed them (:attr:`~model.inference.diagnostics.Diagnostics.ok` false) every
estimate is left out, with one sentence why (:func:`failed_words`): the actions' scores, the
fitted build-up (the timeline shows the diary alone), the predicted means and the posterior
of the forest (the evidence priors alone are drawn); :mod:`model.report.html` leaves out the
effects in the same words. An earlier report drew them with the captions of a good fit
beside "No estimate: the fit failed its checks" (an outside audit).

The observed-vs-predicted figure says what a prediction holds: the expectation of taking
something and the trend at the last night, so its gap to "no magnesium" is not magnesium's;
the placebo level (the expectation alone) is drawn, and said in numbers
(:func:`reference_words`).
"""

from __future__ import annotations

import base64
import io
from typing import TYPE_CHECKING

import pandas as pd
from matplotlib.figure import Figure

from model.core.change_words import chance, outcome_name, per_month, step_words
from model.core.forms import NONE, PLACEBO
from model.core.outcomes import SPECS
from model.core.regimen import Regimen
from model.decision.gi_words import GI_RISK
from model.report.effects_html import captioned
from model.report.format import cell, escape, table
from model.viz.canvas import INTERVAL
from model.viz.checks import reference_levels, regimen_means
from model.viz.marks import change_list, n_left_out, tau_interval
from model.viz.plots import WIDER_NOTE, plot_actions, plot_predictive, plot_priors
from model.viz.timeline import plot_timeline

if TYPE_CHECKING:
    from model.analysis.pipeline import Analysis
    from model.decision import Decision
    from model.personal.fit import PersonalModel

ACTIONS_CAPTION = ("The actions ranked by expected utility (dot), with the mean of their worst "
                   "10 % of draws (bar) and what their nights would teach (open circle); "
                   f"middle: {GI_RISK}; right: P(best), or why an "
                   "action is not allowed (named \"not allowed\", drawn light grey, dotted and "
                   "hatched).")
TIMELINE_CAPTION = ("Your diary night by night (dots; line: 7-night mean; grey ticks above a "
                    "panel: missing nights; crosses: nights your exclude column left out), "
                    "each run of a regimen shaded and named at the top, device changes "
                    "(dashed) and other changes (dash-dotted) marked")
PREDICTIVE_CAPTION = (
    "Per outcome and regimen: your nights measured by your diary's reference device, the "
    "tracker with the most nights (grey dots; open circles: another device's nights, not in "
    "the mean, since a prediction is on the reference's scale), their mean (diamond) and the "
    f"model's predicted mean at steady state with its {INTERVAL:.0%} interval (square). A "
    "prediction includes the expectation of taking something and the trend at your last "
    "night: the dashed line is placebo (the "
    "expectation alone), the dotted line no magnesium, and only a regimen's gap to the "
    "dashed line is magnesium's. An observed mean pools all of a regimen's nights, the first "
    "nights of a build-up and a placebo run's carry-over after magnesium included.")


def failed_words(fit: PersonalModel) -> str:
    """The sentence that leaves an estimate out after a fit that failed its checks."""
    return ("Left out: the model fit failed its convergence checks ("
            f"{'; '.join(fit.diagnostics_.failures())}), so what it estimates is not to be "
            "trusted; analyse again (more draws, or more nights).")


def figure_png(fig: Figure, dpi: int = 90) -> str:
    """Return a figure as a base64-encoded PNG (for a ``data:`` URI)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _figure(fig: Figure, caption: str, alt: str) -> str:
    """A figure with its caption (how to read it) and its alt text (what it shows)."""
    return (f'<figure><img alt="{escape(alt)}" '
            f'src="data:image/png;base64,{figure_png(fig)}">'
            f"<figcaption>{escape(caption)}</figcaption></figure>")


def figures_section(result: Analysis) -> str:
    """The figures, each with its caption and alt text, and their numbers in text."""
    fit = result.fit
    if not fit.diagnostics_.ok:
        failed = failed_words(fit)
        return "".join((
            f'<p class="failed">{escape(failed)}</p>',
            _figure(plot_timeline(fit, estimates=False), f"{TIMELINE_CAPTION}. The fitted "
                    f"build-up is left out: the fit failed its checks.",
                    _timeline_alt(result, failed)),
            _figure(plot_priors(fit.priors_), "The evidence prior of each form and outcome "
                    "(circles). Your own prior and posterior are left out: the fit failed its "
                    "checks.", f"Evidence priors of {len(fit.priors_.entries)} form and "
                    f"outcome effects on the model's scale. {failed}")))
    epsilon = fit.priors_.safety.gi_constraint.epsilon
    means = regimen_means(fit)
    tried = ", ".join(fit.effects().query("tried")["form"].unique()) or "none yet"
    ranked = (_figure(plot_actions(result.decision, epsilon=epsilon), ACTIONS_CAPTION,
                      _actions_alt(result.decision))
              if result.decision.assessments else "")     # none under a referral
    return "".join((
        ranked,
        _figure(plot_timeline(fit), f"{TIMELINE_CAPTION}, and the fitted build-up of each "
                f"form (one line style per form; its band: the {INTERVAL:.0%} interval of the "
                "time constant).", _timeline_alt(result, f"{build_up_words(fit)} The means per "
                                                         "regimen are in the table below.")),
        f"<p>{escape(build_up_words(fit))}</p>",
        _figure(plot_predictive(fit), PREDICTIVE_CAPTION, _predictive_alt(means, fit)),
        f"<p>{escape(reference_words(fit))}</p>",
        _means_table(means),
        _figure(plot_priors(fit.priors_, fit), "The evidence prior of each form and outcome "
                "(circles), your own prior (squares) and what your diary taught the model "
                "about you (the posterior, triangles). " + WIDER_NOTE,
                f"Prior and posterior of {len(fit.priors_.entries)} form and outcome effects "
                f"on the model's scale. Your diary narrowed the posteriors of the forms you "
                f"tried ({tried}); the others rest mostly on the evidence and on how much "
                f"people differ. Your effects in the diary's units are in the section Your "
                f"effects."),
    ))


def _actions_alt(decision: Decision) -> str:
    """The actions figure in words: how many, the best allowed, the recommended, the blocked."""
    actions = decision.assessments
    allowed = [a for a in actions if a.feasible]
    words = f"{len(actions)} actions ranked by expected utility (weighted MCIDs, 0 = as now)"
    if allowed:
        best = max(allowed, key=lambda a: a.expected_utility)
        words += (f"; the highest allowed: {step_words(best.action, best.regimen)}, "
                  f"{best.expected_utility:+.2f}")
    if decision.chosen is not None:
        chosen = actions[decision.chosen]
        words += (f"; recommended: {step_words(chosen.action, chosen.regimen)}, "
                  f"{chosen.expected_utility:+.2f}, P(best) {chance(chosen.p_best)}")
    return (f"{words}; {len(actions) - len(allowed)} not allowed now. Every action is in the "
            "table Every action considered.")


def _timeline_alt(result: Analysis, build_up: str) -> str:
    """The timeline in words: the nights (recorded, left out), the runs, changes, build-up.

    A run's nights are its recorded ones, as the terminal and the JSON count them.
    """
    diary = result.diary
    runs = diary.segments()
    said = (", ".join(f"{Regimen.from_label(label).words} for {n} nights"
                      for label, n in zip(runs["label"], runs["n_recorded"], strict=True)
                      if n) if len(runs) <= 6 else diary.nights_per_regimen())
    first, last = diary.nights.index[[0, -1]]
    left_out = n_left_out(diary.nights)
    changes = change_list(diary.nights)
    return (f"{diary.n_recorded - left_out} recorded nights"
            f"{f' and {left_out} left out by the exclude column' if left_out else ''} from "
            f"{first:%Y-%m-%d} to {last:%Y-%m-%d}: {said}."
            f"{f' Marked changes: {changes}.' if changes else ''} {build_up}")


def build_up_words(fit: PersonalModel) -> str:
    """The fitted build-up in words: its time constant, its interval and what it means."""
    tau, low, high = tau_interval(fit)
    return (f"Fitted build-up: a time constant of {tau:.1f} days (posterior median; "
            f"{INTERVAL:.0%} interval {low:.1f} to {high:.1f} days): after about {tau:.0f} "
            f"nights on a form (somewhere between {low:.0f} and {high:.0f}), about two "
            "thirds of its steady-state effect is reached.")


def reference_words(fit: PersonalModel) -> str:
    """The first outcome's predicted levels without magnesium and on placebo, in words."""
    levels = reference_levels(fit)
    if levels.empty:
        return "No outcome recorded."
    outcome = str(levels.index[0])
    none, placebo = levels.loc[outcome, [NONE, PLACEBO]].to_numpy(float)
    unit = SPECS[outcome].unit
    return (f"{outcome_name(outcome).capitalize()} ({unit}), predicted: {none:.1f} without "
            f"magnesium, {placebo:.1f} on placebo: {abs(placebo - none):.1f} of any regimen's "
            "gap to no magnesium is the expectation of taking something, not magnesium. The "
            "section Your effects gives magnesium's own change, against placebo.")


def _predictive_alt(means: pd.DataFrame, fit: PersonalModel) -> str:
    """The first outcome's observed and predicted means per regimen, in words."""
    if means.empty:
        return "No outcome recorded."
    outcome = str(means["outcome"].iloc[0])
    own = means[means["outcome"] == outcome]
    pairs = "; ".join(
        f"{Regimen.from_label(r).words}: {_observed_words(o, n)}, predicted {m:.1f}"
        for r, o, n, m in zip(own["regimen"], own["observed"], own["other_device"],
                              own["predicted"], strict=True))
    return (f"Observed against predicted mean per regimen for "
            f"{means['outcome'].nunique()} outcomes. {outcome_name(outcome)} "
            f"({SPECS[outcome].unit}): {pairs}. {reference_words(fit)} Every outcome is in "
            "the table below.")


def _observed_words(observed: float, other_device: int) -> str:
    """``observed 18.1``; ``no night recorded``; ``7 nights on another device only``."""
    if not pd.isna(observed):
        return f"observed {observed:.1f}"
    return f"{other_device} nights on another device only" if other_device else (
        "no night recorded")


def _means_table(means: pd.DataFrame) -> str:
    """The figure's numbers as a table: observed and predicted means per outcome and regimen.

    A column of the nights on another device (not in the observed mean) when there are any.
    GI nights are in nights a month, as every GI figure a person reads: "GI nights (share of
    nights) 0.75" stood beside "+12 a month" (a plain-language editor's audit, /tmp/w46/D C4).
    """
    other = ({"nights on another device (not in the mean)": means["other_device"]}
             if means["other_device"].any() else {})
    monthly = {c: [per_month(o, v) for o, v in zip(means["outcome"], means[c], strict=True)]
               for c in ("observed", "predicted", "low", "high")}
    frame = pd.DataFrame({
        "outcome": [f"{outcome_name(o)} ({'nights a month' if o == 'gi' else SPECS[o].unit})"
                    for o in means["outcome"]],
        "regimen": [Regimen.from_label(r).words for r in means["regimen"]],
        "nights recorded": means["nights"], "observed mean": monthly["observed"], **other,
        "predicted mean at steady state": monthly["predicted"],
        "predicted, interval": [f"{cell(lo)} to {cell(hi)}"
                                for lo, hi in zip(monthly["low"], monthly["high"], strict=True)]})
    return captioned("Observed and predicted means per regimen", table(frame))
