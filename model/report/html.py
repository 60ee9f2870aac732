"""The HTML report of an analysis: one self-contained file that opens offline.

The report holds the recommendation in plain words with its reasons and warnings, the figures
of :mod:`model.viz.plots` (embedded as base64 PNG), the effects table, the evidence behind the
priors that matter, the fit's diagnostics, the prior sensitivity and the diary's notes. It
loads nothing from anywhere (no scripts, fonts or links; a Content-Security-Policy forbids
them) and every string that came from the user (diary notes, file names, profile entries) is
HTML-escaped.

For screen readers: headings run h1, h2, h3 without a jump, the answer under its own; every
table has a caption; each figure's alt text says what it shows in numbers, and what a
figure alone would say is in the text too (the build-up's time constant, a table of the
observed and predicted means per regimen): :mod:`model.report.figures_html`. After a fit that
failed its checks the estimates (the posterior figures, the effects) are left out, each with
one sentence why.

>>> from model.analysis.pipeline import analyze
>>> from model.report.html import write_report
>>> write_report(analyze("diary.csv"), "report.html")                        # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from model import __version__
from model.analysis.pipeline import Analysis
from model.core.atomic import write_text
from model.core.change_words import chance, change_words, outcome_name, step_words
from model.core.outcomes import OUTCOME_OF_GAIN, OUTCOMES, SPECS
from model.core.paths import diary_label
from model.decision import Recommendation
from model.decision.plan_words import sure
from model.report.complaint_words import COMPLAINT_WORDS, weights_line
from model.report.effect_words import held_as_prescribed, old_without
from model.report.effects_html import captioned, effects_section, tried_html
from model.report.figures_html import failed_words, figures_section
from model.report.format import bullets, escape, table
from model.report.headline import headline, sampler_name
from model.report.page import page_head
from model.report.shift_words import shift_lines
from model.report.whose import whose

SAFETY_NOTE = ("mgsleep supports, and does not replace, advice from a clinician. It never "
               "suggests more than your daily ceiling and answers \u201csee a clinician\u201d "
               "when a contraindication applies. The evidence for magnesium and sleep, and "
               "for anxiety, is of low to very low certainty.")

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
dl.headline { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; }
dl.headline dt { font-weight: 600; }
dl.headline dd { margin: 0; }
.works { color: #1b5e20; font-weight: 600; }
.harms { color: #b71c1c; font-weight: 600; }
.muted { color: #666; }
"""

# --------------------------------------------------------------------------------------------
# HTML pieces (every argument is plain text unless the name says html)
# --------------------------------------------------------------------------------------------


def _section(title: str, body_html: str, anchor: str) -> str:
    return f'<section id="{anchor}"><h2>{escape(title)}</h2>{body_html}</section>'


# --------------------------------------------------------------------------------------------
# Sections
# --------------------------------------------------------------------------------------------


def _summary(result: Analysis) -> str:
    """The headline: what to do, why, how sure, when to look again, what to write down."""
    said = headline(result)
    failed = "" if result.fit.diagnostics_.ok else (
        '<p class="failed">The model fit did not pass its convergence checks ('
        f"{escape('; '.join(result.fit.diagnostics_.failures()))}), so no dosing advice is "
        "given.</p>")
    cautions = bullets([f"{r[0].upper()}{r[1:]}." for r in result.cautions()],
                       "warning") if result.cautions() else ""
    rows = (("Why", said.why), ("How sure", said.sure), ("Look again", said.review),
            ("Each night", said.record))
    facts = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in rows)
    return (f'<h2 id="what-to-do">What to do</h2>'
            f'<p class="answer"><strong>{escape(said.what)}</strong></p>{failed}'
            f'<dl class="headline">{facts}</dl>{cautions}'
            + "".join(f"<p>{escape(line)}.</p>" for line in shift_lines(result, level=False))
            + _pathways(said.pathways)
            + (tried_html(result.effects, result.profile.outcome_weights(),
                          held_as_prescribed(result.decision.recommendation.reason_codes),
                          said.tried_lead, old_without(result.diary.nights))
               if result.fit.diagnostics_.ok else "")
            + (f'<p class="warning">{escape(said.caution)}</p>' if said.caution else "")
            + f"<p>From {result.diary.n_recorded} recorded nights "
            f"of {escape(diary_label(result.diary.source))} up to {result.as_of.isoformat()} "
            f"(nights per regimen: {escape(result.diary.nights_per_regimen())}).</p>")


def _pathways(lines: tuple[str, ...]) -> str:
    """What would change the advice, after the next period (empty without pathways)."""
    return f"<p>{escape(lines[0])}</p>" + bullets(lines[1:]) if lines else ""


BY_DESIGN_CELL = "no: kept by the trial's design"
"""The scores table's "settled" of a commitment the crossover's end makes (``by_design``)."""


def _settled_cell(rec: Recommendation) -> str | bool:
    """The scores table's "settled": yes only where How sure calls the commitment sure.

    :data:`BY_DESIGN_CELL` for the crossover's end, ``no: not sure (P(best) 0.44)`` for a
    commitment below ``commit_p_best`` (:func:`~model.decision.plan_words.sure`): "settled:
    yes" at P(best) 0.44 stood beside How sure's "Not sure" (an outside audit, /tmp/w51/c C7).
    """
    if "by_design" in rec.reason_codes:
        return BY_DESIGN_CELL
    if rec.commit and not sure(rec.p_best, rec.reason_codes):
        return f"no: not sure (P(best) {chance(rec.p_best)})"
    return rec.commit


def _recommendation(result: Analysis) -> str:
    rec = result.decision.recommendation
    body = "<h3>Why, in full</h3>" + bullets(rec.reasons)
    if rec.warnings:
        body += "<h3>Warnings</h3>" + bullets(rec.warnings, "warning")
    body += _gains(result)
    scores = rec.scores
    allowed = result.decision.options_allowed or 0
    # P(best) among one option, P(better than now) of staying: no information, a dash (as in
    # the detail: /tmp/w46/E F6, /tmp/w46/D C1)
    estimated: dict[str, float | str | None] = {     # P(best) is among the options allowed
        "options allowed": allowed, "p_best": rec.p_best if allowed > 1 else None,
        "p_better_than_continue": (None if rec.action in ("continue", "collect_more_data")
                                   else scores.p_better_than_continue),
        "expected_utility": scores.expected_utility, "learning_value": scores.learning_value,
        "p_constraint_violation": rec.p_constraint_violation}
    if not scores.from_posterior:    # a rule's advice: its 0s are placeholders, not estimates
        estimated = dict.fromkeys(estimated, "not estimated")
    # a referral's next step is a clinician's (or, for an unread product, the profile's)
    waits = (None if rec.action != "refer" else "the profile gives other_magnesium_mg"
             if "other_unread" in rec.reason_codes else "a clinician has advised")
    facts = pd.DataFrame({**{k: [v] for k, v in estimated.items()},
                          "commit": [f"no: until {waits}" if waits else _settled_cell(rec)],
                          "reason codes": [", ".join(rec.reason_codes)],
                          "look again": [f"after {waits}" if waits
                                          else rec.next_review.isoformat()]})
    return body + captioned("The recommendation's scores", table(facts, {"commit": "settled"}))


def _gains(result: Analysis) -> str:
    """The recommended action's expected change per outcome against now, in words."""
    decision = result.decision
    if decision.chosen is None:
        return ""
    chosen = decision.assessments[decision.chosen]
    words = []
    for v in chosen.gain:
        sign = SPECS[OUTCOME_OF_GAIN[v]].sign
        low, high = sorted((sign * chosen.gain_low[v], sign * chosen.gain_high[v]))
        words.append((outcome_name(OUTCOME_OF_GAIN[v]),
                      change_words(OUTCOME_OF_GAIN[v], sign * chosen.gain[v], low, high)))
    frame = pd.DataFrame(words, columns=["outcome", "expected change against now"])
    note = (OFF_NIGHTS_NOTE if chosen.action in ("withdrawal", "placebo_period") else
            "A step that keeps your form and dose changes nothing but its GI load.")
    return ("<h3>What the recommended step is expected to change</h3><p>Against what you do "
            "now, from magnesium itself (expectation and drift not counted), at your typical "
            f"night. {note}</p>"
            + captioned("Expected change of each outcome against now", table(frame)))


OFF_NIGHTS_NOTE = ("For nights off your magnesium (a withdrawal or a placebo period): what you "
                   "may lose of its effect while they last, the price of learning what it "
                   "does for you.")
"""The gains' note for a step that takes the magnesium away for a while, to learn from."""


def _alternatives(result: Analysis) -> str:
    actions = result.decision.table()
    if actions.empty:
        return "<p>No actions were assessed (no posterior was consulted).</p>"
    actions["action"] = [step_words(a.action, a.regimen) for a in result.decision.assessments]
    columns = ["action", "feasible", "expected_utility", "learning_value", "cvar",
               "p_best", "p_better_than_continue", "p_constraint_violation", "blocked_by"]
    return ("<p>Every action one change away, allowed ones first by expected utility "
            "(weighted MCIDs, 0 = as now).</p>"
            + captioned("Every action considered", table(actions[columns])))


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
            blocks.append(f"<details><summary>{escape(summary)}</summary>"
                          f"<pre>{escape(priors.explain(form, outcome))}</pre></details>")
    return ("<p>How each prior was derived from the studies, for the forms you tried, the "
            "recommended form and the best allowed ones (click to open).</p>"
            + "".join(blocks))


def _diagnostics(result: Analysis) -> str:
    fit = result.fit
    facts = fit.diagnostics_.to_dict() | {"sampler": sampler_name(fit),
                                          "chains": fit.chains, "draws per chain": fit.draws,
                                          "fit seconds": fit.fit_seconds_}
    return ("<p>A fit is trusted when R-hat is at most 1.01, the bulk effective sample size is "
            "large enough and there are no divergent transitions.</p>"
            + captioned("The fit's convergence checks", table(pd.DataFrame([facts]))))


def _sensitivity(result: Analysis) -> str:
    if not result.sensitivity:
        return f"<p>Prior sensitivity {escape(result.sensitivity_skipped())}.</p>"
    frame = pd.DataFrame([s.to_dict() for s in result.sensitivity])
    held = all(s.holds for s in result.sensitivity)
    verdict = ("The recommendation holds under every alternative prior." if held else
               "The recommendation changes under at least one alternative prior: it rests "
               "partly on the evidence priors, not only on your nights.")
    return (f"<p>The decision re-made under a sceptical prior (every prior mean halved), a "
            f"confident one (every certainty weight doubled) and a larger expectation effect "
            f"(its prior mean doubled: less of what your nights show is magnesium's). "
            f"{escape(verdict)}</p>"
            + captioned("The decision under each alternative prior", table(frame)))


def _diary(result: Analysis) -> str:
    nights = result.diary.nights
    noted = nights[nights["notes"].str.strip() != ""]
    body = ""
    if result.diary.warnings:
        body += "<h3>Warnings about the diary</h3>" + bullets(result.diary.warnings, "warning")
    if len(noted):
        notes = pd.DataFrame({"date": pd.DatetimeIndex(noted.index).strftime("%Y-%m-%d"),
                              "regimen": result.diary.regimen_label[noted.index].to_numpy(),
                              "note": noted["notes"].to_numpy()})
        body += "<h3>Your notes</h3>" + captioned("The notes of your diary", table(notes))
    weights = weights_line(result.profile, result.weights()["gi"])
    body += ("<h3>Your profile</h3>" + captioned("Your profile, entry by entry",
                                                 table(_profile_rows(result)))
             + f"<p>{escape(weights)}</p>")
    return body


PROFILE_WORDS = {"egfr": "eGFR (kidney function)", "medications": "medicines",
                 "excluded_forms": "forms you exclude",
                 "max_elemental_mg": "your own daily limit (mg elemental)",
                 "other_magnesium_mg": "other magnesium a day (mg elemental)",
                 "complaint": "main complaint"}
"""The profile's entries in words where their names are not (others: ``_`` read as a space)."""


def _profile_rows(result: Analysis) -> pd.DataFrame:
    """One row per profile entry: its name in words and its value (``not given``)."""
    rows = []
    for key, value in result.profile.model_dump(exclude={"weights"}).items():
        if key == "medication_starts":     # each medicine's day started
            value = ", ".join(f"{name} since {day}" for name, day in value)
        elif isinstance(value, Sequence) and not isinstance(value, str):
            value = ", ".join(map(str, value))
        said = (COMPLAINT_WORDS[value] if key == "complaint" else
                value.replace("_", " ") if isinstance(value, str) else value)
        rows.append((PROFILE_WORDS.get(key, key.replace("_", " ")),
                     "not given" if said is None or said == "" else said))
    return pd.DataFrame(rows, columns=["entry", "yours"])


def _effects(result: Analysis) -> str:
    """The effects section, or why it is left out: the fit failed its checks."""
    if result.fit.diagnostics_.ok:
        return effects_section(result)
    return f'<p class="failed">{escape(failed_words(result.fit))}</p>'


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
        ("Figures", figures_section, "figures"),
        ("All actions considered", _alternatives, "actions"),
        ("Your effects", _effects, "effects"),
        ("The evidence behind the priors", _evidence, "evidence"),
        ("Fit diagnostics", _diagnostics, "diagnostics"),
        ("Prior sensitivity", _sensitivity, "sensitivity"),
        ("Diary and profile", _diary, "diary"),
    ]
    body = "".join(_section(title, build(analysis), anchor) for title, build, anchor in sections)
    name = analysis.profile.name
    head = page_head(f"mgsleep report: {whose(analysis.profile, analysis.diary.source)} "
                     f"({analysis.as_of.isoformat()})", _CSS, images=True)
    return head + (
        f"<h1>mgsleep report{escape(f': {name}' if name else '')}</h1><p class=\"meta\">"
        f"{escape(diary_label(analysis.diary.source))}, as of "
        f"{analysis.as_of.isoformat()}; mgsleep {__version__}</p>"
        f'<p class="safety"><strong>Health note.</strong> {escape(SAFETY_NOTE)}</p>'
        f"{_summary(analysis)}{body}"
        f'<footer><p class="safety">{escape(SAFETY_NOTE)}</p></footer></body></html>\n'
    )


def write_report(analysis: Analysis, path: str | Path) -> None:
    """Write the report of an analysis to ``path`` atomically (see :func:`render_report`)."""
    write_text(path, render_report(analysis))
