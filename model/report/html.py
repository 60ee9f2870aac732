"""The HTML report of an analysis: one self-contained file that opens offline.

The report holds the recommendation in plain words with its reasons and warnings, the figures
of :mod:`model.viz.plots` (embedded as base64 PNG), the effects table, the evidence behind the
priors that matter, the fit's diagnostics, the prior sensitivity and the diary's notes. It
loads nothing from anywhere (no scripts, fonts or links; a Content-Security-Policy forbids
them) and every string that came from the user (diary notes, file names, profile entries) is
HTML-escaped.

>>> from model.analysis.pipeline import analyze
>>> from model.report.html import write_report
>>> write_report(analyze("diary.csv"), "report.html")                        # doctest: +SKIP
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from model import __version__
from model.analysis.pipeline import Analysis
from model.core.atomic import write_text
from model.core.outcomes import OUTCOMES
from model.decision import Recommendation, describe
from model.viz.plots import INTERVAL, plot_actions, plot_predictive, plot_priors, plot_timeline

SAFETY_NOTE = ("mgsleep supports, and does not replace, advice from a clinician. It never "
               "suggests more than your daily ceiling and answers \u201csee a clinician\u201d "
               "when a contraindication applies. The evidence for magnesium and sleep is of "
               "low to very low certainty.")

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 72rem;
       margin: 1.5rem auto; padding: 0 1rem; color: #222; line-height: 1.45; }
h1 { margin-bottom: 0.2rem; }
.meta { color: #666; margin-top: 0; }
.safety { background: #fff6e0; border-left: 4px solid #e0a800; padding: 0.6rem 1rem; }
.answer { background: #eef6ee; border-left: 4px solid #2e7d32; padding: 0.6rem 1rem;
          font-size: 1.15rem; }
.warning { color: #8a4b00; }
.failed { background: #fdecea; border-left: 4px solid #c62828; padding: 0.6rem 1rem; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; font-size: 0.9rem; }
th, td { border: 1px solid #ccc; padding: 0.2rem 0.5rem; text-align: left; }
th { background: #f3f3f3; }
figure { margin: 1rem 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #555; font-size: 0.9rem; }
pre { background: #f7f7f7; padding: 0.5rem; overflow-x: auto; font-size: 0.85rem; }
details { margin: 0.3rem 0; }
"""

_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"

_VERBS = {"start": "Start", "continue": "Continue", "increase_dose": "Raise the dose to",
          "decrease_dose": "Lower the dose to", "switch_form": "Switch to",
          "split_dose": "Split the dose:"}


# --------------------------------------------------------------------------------------------
# HTML pieces (every argument is plain text unless the name says html)
# --------------------------------------------------------------------------------------------


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _list(items: Iterable[str], css: str = "") -> str:
    cls = f' class="{css}"' if css else ""
    return "<ul>" + "".join(f"<li{cls}>{_e(item)}</li>" for item in items) + "</ul>"


def _table(frame: pd.DataFrame, digits: int = 3) -> str:
    return frame.to_html(index=False, escape=True, border=0, na_rep="",
                         float_format=lambda x: f"{x + 0.0:.{digits}g}")  # no "-0"


def _section(title: str, body_html: str, anchor: str) -> str:
    return f'<section id="{anchor}"><h2>{_e(title)}</h2>{body_html}</section>'


def figure_png(fig: Figure, dpi: int = 90) -> str:
    """Return a figure as a base64-encoded PNG (for a ``data:`` URI)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _figure(fig: Figure, caption: str) -> str:
    return (f'<figure><img alt="{_e(caption)}" src="data:image/png;base64,{figure_png(fig)}">'
            f"<figcaption>{_e(caption)}</figcaption></figure>")


# --------------------------------------------------------------------------------------------
# Sections
# --------------------------------------------------------------------------------------------


def headline(recommendation: Recommendation) -> str:
    """Say the recommendation in one plain sentence."""
    action, regimen = recommendation.action, recommendation.regimen
    if action == "refer":
        return "See a clinician before taking magnesium."
    if action == "collect_more_data" or regimen is None:
        return "Keep your current routine and record more nights before changing anything."
    if action == "stop":
        return "Stop taking magnesium."
    if action == "continue" and not regimen.active:
        return "Stay without magnesium for now."
    return f"{_VERBS[action]} {describe(regimen)}."


def _summary(result: Analysis) -> str:
    rec = result.decision.recommendation
    counts = ", ".join(f"{label}: {n}" for label, n in result.diary.regimen_counts().items())
    sure = ("The model is clear enough to commit to this." if rec.commit else
            "This is not certain yet: it is the next step to try, not a final answer.")
    failed = "" if result.fit.diagnostics_.ok else (
        '<p class="failed">The model fit did not pass its convergence checks, so no dosing '
        "advice is given.</p>")
    return (f'<p class="answer"><strong>{_e(headline(rec))}</strong></p>{failed}'
            f"<p>From {result.diary.n_recorded} recorded nights of {_e(result.diary.source)} "
            f"up to {result.as_of.isoformat()} (nights per regimen: {_e(counts)}). {_e(sure)} "
            f"Look again on {rec.next_review.isoformat()}.</p>")


def _recommendation(result: Analysis) -> str:
    rec = result.decision.recommendation
    body = "<h3>Why</h3>" + _list(rec.reasons)
    if rec.warnings:
        body += "<h3>Warnings</h3>" + _list(rec.warnings, "warning")
    body += _gains(result)
    scores = rec.scores
    facts = pd.DataFrame({"P(best)": [rec.p_best],
                          "P(better than continuing)": [scores.p_better_than_continue],
                          "expected utility": [scores.expected_utility],
                          "learning value": [scores.learning_value],
                          "P(GI constraint violated)": [rec.p_constraint_violation],
                          "commit": [rec.commit], "reason codes": [", ".join(rec.reason_codes)],
                          "next review": [rec.next_review.isoformat()]})
    return body + _table(facts)


def _gains(result: Analysis) -> str:
    """Tabulate the recommended action's expected change per outcome, with its interval."""
    decision = result.decision
    if decision.chosen is None:
        return ""
    chosen = decision.assessments[decision.chosen]
    frame = pd.DataFrame({"outcome": list(chosen.gain),
                          "expected change (positive = better)": list(chosen.gain.values()),
                          "interval from": list(chosen.gain_low.values()),
                          "interval to": list(chosen.gain_high.values())})
    return (f"<h3>Expected change from magnesium against now ({INTERVAL:.0%} interval; diary "
            "units at your typical night; expectation and drift not counted)</h3>"
            + _table(frame))


def _alternatives(result: Analysis) -> str:
    table = result.decision.table()
    if table.empty:
        return "<p>No actions were assessed (no posterior was consulted).</p>"
    columns = ["action", "regimen", "feasible", "expected_utility", "cvar", "p_best",
               "p_better_than_continue", "p_constraint_violation", "blocked_by"]
    return ("<p>Every action one change away, allowed ones first by expected utility "
            "(weighted MCIDs, 0 = as now).</p>" + _table(table[columns]))


def _figures(result: Analysis) -> str:
    fit = result.fit
    epsilon = fit.priors_.safety.gi_constraint.epsilon
    return "".join((
        _figure(plot_actions(result.decision, epsilon=epsilon),
                "The actions ranked by expected utility; grey ones are not allowed now."),
        _figure(plot_timeline(fit), "Your diary night by night, regimens shaded, with the "
                "fitted build-up of each form."),
        _figure(plot_predictive(fit), "What the model predicts at steady state per regimen "
                "against the nights you recorded."),
        _figure(plot_priors(fit.priors_, fit), "The evidence prior of each form and outcome "
                "against what your diary taught the model about you."),
    ))


def _effects(result: Analysis) -> str:
    frame = result.fit.effects()
    frame = frame.sort_values(["tried", "form"], ascending=[False, True], kind="stable")
    return ("<p>Your effect of each form at the reference dose on the model scale (95 % "
            "interval); P(benefit) is the share of draws in the better direction. Forms you "
            "have not tried are informed by the evidence and by your response to the forms "
            "you tried.</p>" + _table(frame))


def forms_that_matter(result: Analysis, top: int = 3) -> list[str]:
    """Forms whose evidence the report explains: tried, recommended and the best allowed."""
    tried = result.fit.effects().query("tried")["form"].tolist()
    rec = result.decision.recommendation.regimen
    chosen = [rec.form] if rec is not None and rec.active else []
    allowed = [a.regimen.form for a in result.decision.assessments
               if a.feasible and a.regimen.active][:top]
    return list(dict.fromkeys([*tried, *chosen, *allowed]))


def _evidence(result: Analysis) -> str:
    priors = result.fit.priors_
    blocks = []
    for form in forms_that_matter(result):
        for outcome in OUTCOMES:
            entry = priors[form, outcome]
            summary = (f"{form} x {outcome}: N({entry.mean:+.3f}, {entry.sd:.3f}), "
                       f"certainty {entry.certainty}, basis {entry.basis}")
            blocks.append(f"<details><summary>{_e(summary)}</summary>"
                          f"<pre>{_e(priors.explain(form, outcome))}</pre></details>")
    return ("<p>How each prior was derived from the studies, for the forms you tried, the "
            "recommended form and the best allowed ones (click to open).</p>"
            + "".join(blocks))


def _diagnostics(result: Analysis) -> str:
    fit = result.fit
    facts = fit.diagnostics_.to_dict() | {"sampler": fit.sampler or "default",
                                          "chains": fit.chains, "draws per chain": fit.draws,
                                          "fit seconds": round(fit.fit_seconds_, 1)}
    return ("<p>A fit is trusted when R-hat is at most 1.01, the bulk effective sample size is "
            "large enough and there are no divergent transitions.</p>"
            + _table(pd.DataFrame([facts])))


def _sensitivity(result: Analysis) -> str:
    if not result.sensitivity:
        return "<p>No alternative priors were checked.</p>"
    frame = pd.DataFrame([s.to_dict() for s in result.sensitivity])
    held = all(s.holds for s in result.sensitivity)
    verdict = ("The recommendation holds under every alternative prior." if held else
               "The recommendation changes under at least one alternative prior: it rests "
               "partly on the evidence priors, not only on your nights.")
    return (f"<p>The decision re-made under a sceptical prior (every prior mean halved) and a "
            f"confident one (every certainty weight doubled). {_e(verdict)}</p>"
            + _table(frame))


def _diary(result: Analysis) -> str:
    nights = result.diary.nights
    noted = nights[nights["notes"].str.strip() != ""]
    body = ""
    if result.diary.warnings:
        body += "<h3>Warnings about the diary</h3>" + _list(result.diary.warnings, "warning")
    if len(noted):
        notes = pd.DataFrame({"date": pd.DatetimeIndex(noted.index).strftime("%Y-%m-%d"),
                              "regimen": result.diary.regimen_label[noted.index].to_numpy(),
                              "note": noted["notes"].to_numpy()})
        body += "<h3>Your notes</h3>" + _table(notes)
    profile = {k: ", ".join(map(str, v)) if isinstance(v, Sequence) and not isinstance(v, str)
               else v for k, v in result.profile.model_dump(exclude={"weights"}).items()}
    weights = ", ".join(f"{k} {v:g}" for k, v in result.profile.outcome_weights().items())
    body += ("<h3>Your profile</h3>" + _table(pd.DataFrame([profile]))
             + f"<p>Utility weights: {_e(weights)}.</p>")
    return body


# --------------------------------------------------------------------------------------------
# The document
# --------------------------------------------------------------------------------------------


def render_report(analysis: Analysis) -> str:
    """Render the report of an analysis as one self-contained HTML document.

    Parameters
    ----------
    analysis : Analysis
        The result of :func:`model.analysis.pipeline.analyze`.

    Returns
    -------
    str
        HTML5 that loads nothing from outside (figures are embedded PNG).

    """
    sections = [
        ("Recommendation", _recommendation, "recommendation"),
        ("Figures", _figures, "figures"),
        ("All actions considered", _alternatives, "actions"),
        ("Your effects", _effects, "effects"),
        ("The evidence behind the priors", _evidence, "evidence"),
        ("Fit diagnostics", _diagnostics, "diagnostics"),
        ("Prior sensitivity", _sensitivity, "sensitivity"),
        ("Diary and profile", _diary, "diary"),
    ]
    body = "".join(_section(title, build(analysis), anchor) for title, build, anchor in sections)
    name = Path(analysis.diary.source).name
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>mgsleep report: {_e(name)} ({analysis.as_of.isoformat()})</title>"
        f"<style>{_CSS}</style></head><body>"
        f"<h1>mgsleep report</h1><p class=\"meta\">{_e(name)}, as of "
        f"{analysis.as_of.isoformat()}; mgsleep {__version__}</p>"
        f'<p class="safety"><strong>Health note.</strong> {_e(SAFETY_NOTE)}</p>'
        f"{_summary(analysis)}{body}"
        f'<footer><p class="safety">{_e(SAFETY_NOTE)}</p></footer></body></html>\n'
    )


def write_report(analysis: Analysis, path: str | Path) -> None:
    """Write the report of an analysis to ``path`` atomically (see :func:`render_report`)."""
    write_text(path, render_report(analysis))
