"""A short summary for a clinician: print it, or write it as a PDF when an engine exists.

The page holds what a clinician needs to check the advice in a few minutes: the regimen
history, the nights observed per regimen (raw diary means), the effects of the forms taken in
diary units with their verdicts (GI as GI nights a month), the safety screen
(contraindications, interacting medicines, the ceiling and its source), the recommendation
with why, how sure and its prior sensitivity, and the evidence basis of the forms concerned
(:mod:`model.report.clinician_tables`). Doses are elemental magnesium. On A4 a diary of two
forms prints on one page; a three-form crossover with a profile's safety screen, or a long
history, moves the evidence table (kept whole) to a second (the two-year diary audit found
it promised as one page printing on two). Self-contained like the report (nothing loaded,
user text escaped). PDF (:func:`pdf_or_say`): WeasyPrint when installed (``pip install
weasyprint``; it needs the Pango system library), else a headless Chromium on the PATH
(``--print-to-pdf``); with neither, :class:`PdfUnavailable` says so and none is written.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from model import __version__
from model.analysis.pipeline import Analysis, history_of
from model.core.atomic import write_text
from model.core.change_words import lead
from model.core.errors import MgsleepError
from model.core.forms import FORMS
from model.core.paths import diary_label
from model.data.profile import Profile, pregnancy_named
from model.decision import screen
from model.decision.gi_words import GENTLEST, SPLIT_ASSUMPTION
from model.decision.hard_week import HARD_ANXIETY, HARD_WEEK, very_anxious
from model.decision.other_magnesium import after_other
from model.decision.rule_words import LABEL_LABEL, REFERRAL_LABEL, after_review
from model.decision.rules import breach_warnings
from model.decision.screening import Screening, near_misses
from model.evidence.name_words import listed
from model.evidence.schema import Safety
from model.report.advice import what_to_do
from model.report.clinician_tables import (
    OBSERVED_NOTE,
    effects_table,
    evidence_table,
    regimen_table,
    sensitivity_line,
    units_note,
)
from model.report.complaint_words import heading_topic, weights_line
from model.report.diary_words import hard_week
from model.report.effect_words import INTERVAL_NOTE
from model.report.format import bullets, escape
from model.report.headline import headline, sampler_name
from model.report.page import page_head
from model.report.shift_words import shift_lines
from model.report.whose import third_person, whose

AS_TOLD = "(As worded for the patient: you, your = the patient.)"
"""Before the headline's why, how sure and look-again, written to the patient: the page
reports them as the patient read them, and says whom "you" names (a clinic's audit: the
page spoke to the clinician as to the patient). The look-again date is named as every other
output names it ("Next review" stood here alone)."""

SAFETY_LINE = ("mgsleep supports, and does not replace, clinical judgement. Evidence for "
               "magnesium and sleep, and for anxiety, is of low to very low certainty.")

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; font-size: 8pt;
       line-height: 1.2; color: #111; max-width: 186mm; margin: 0 auto; }
h1 { font-size: 13pt; margin: 0 0 1mm; } p, ul { margin: 0.8mm 0; } ul { padding-left: 5mm; }
h2 { font-size: 10pt; margin: 2.5mm 0 1mm; border-bottom: 1px solid #999; }
table { border-collapse: collapse; width: 100%; font-size: 7.5pt; margin: 0.5mm 0; }
th, td { border: 1px solid #bbb; padding: 0.3mm 1.2mm; text-align: left; vertical-align: top; }
th { background: #eee; } .regimens td { white-space: pre; } @page { size: A4; margin: 7mm 12mm; }
.answer { font-weight: 700; font-size: 10pt; } .meta, .small { color: #444; font-size: 7.5pt; }
@media print { body { max-width: none; } } .whole { break-inside: avoid; }
"""


class PdfUnavailable(MgsleepError):
    """No PDF engine is installed (neither WeasyPrint nor a headless Chromium)."""


def _stop(text: str) -> str:
    """``text`` ending with one full stop (a rule's text may end with its own)."""
    return text if text.endswith(".") else f"{text}."


def _screen_lines(result: Analysis) -> tuple[Screening, tuple[str, ...]]:
    """The safety screen of the profile and its cautions (rule warnings, broken rules).

    Kidney function not known comes first; no profile and no age are said by the screen in
    a clinician's words (:data:`NO_PROFILE_SAID`, which says the eGFR too, :func:`_not_checked`).
    """
    past = history_of(result)
    rules = screen(result.profile, result.fit.priors_.safety, past.taking)
    facts = () if "profile" in rules.missing else rules.fact_cautions
    return rules, (*facts, *rules.warnings, *breach_warnings(past.current, rules))


def _pregnant(profile: Profile, safety: Safety) -> str:
    """``yes``, ``no`` or ``not given`` for the pregnancy field, or what the conditions add.

    ``yes (among the conditions)`` when a condition stands for pregnancy, ``no (but conditions
    list a pregnancy)`` beside ``pregnant = false``: the page said "not given" or "no" beside
    the pregnancy rule it applied.
    """
    named = pregnancy_named(profile, safety)
    if profile.pregnant is None:
        return "yes (among the conditions)" if named else "not given"
    if not profile.pregnant and named:
        return "no (but conditions list a pregnancy)"
    return "yes" if profile.pregnant else "no"


def _ceiling(profile: Profile, safety: Safety, rules: Screening) -> str:
    """The daily ceiling used, after the other magnesium, the profile's own if higher, its source.

    The page said "Daily ceiling used: 350 mg elemental" without saying whose limit that is
    (an outside audit, a general practitioner): the safety data's default and its reference
    (the US IOM 1997 upper level for supplemental magnesium), what lowered it (a rule such as
    pregnancy's, or the profile's own), and the upper levels that differ (the EU's, 250 mg).
    """
    if rules.prescribed and rules.ceiling_mg > safety.ceiling.default_mg_per_day:
        return (f"Daily ceiling used: none below the prescribed {rules.ceiling_mg:g} mg "
                "elemental magnesium taken now, which its prescriber supervises (the "
                f"{safety.ceiling.default_mg_per_day:g} mg supplement upper limit is for "
                "magnesium taken without supervision); no other dose is suggested.")
    asked = profile.lowered_from_mg
    lowered = (f" (the profile's {asked:g} mg was lowered to it)"
               if asked is not None and asked > rules.ceiling_mg else "")
    return (f"Daily ceiling used: {rules.ceiling_mg:g} mg elemental magnesium"
            f"{after_other(rules.other_mg)}{lowered}. {_ceiling_source(profile, safety, rules)}")


def _ceiling_source(profile: Profile, safety: Safety, rules: Screening) -> str:
    """``Source: ...``: what set the ceiling, the default's reference, the other upper levels."""
    ceiling = safety.ceiling
    rule, limit = rules.ceiling_rule or (None, ceiling.default_mg_per_day)
    own = profile.ceiling_mg(safety)
    setter = ("the profile's max_elemental_mg; " if own < limit else
              f"the rule for {rule.replace('_', ' ')}; " if rule else "")
    others = [f"{r.id}, {r.mg_per_day:g} mg ({r.scope})" for r in ceiling.references
              if r.mg_per_day != ceiling.default_mg_per_day]
    what = ceiling.reason.split(";")[0]           # the reason's first clause: what limit it is
    return ((f"Set by {setter}the {ceiling.default_mg_per_day:g} mg default is "
             if setter else "Source: ") + f"{ceiling.source}, {_stop(what)}"
            + (f" Other upper levels: {'; '.join(others)}." if others else ""))


def _unchecked(profile: Profile, safety: Safety, rules: Screening) -> list[str]:
    """The names the safety data does not know: taken as known ones (rules applied) or not.

    The page said "no rule applied" of ``levothyroxin`` beside the spacing of levothyroxine
    it was given (:func:`model.decision.screening.near_misses`).
    """
    near = near_misses(profile, safety)
    alone = [name for name in rules.unchecked if name not in near]
    taken = [f"{name} (as {listed(near[name], 'and', quoted=False)})"
             for name in rules.unchecked if name in near]
    lines = []
    if taken:
        lines.append(f"NOT CHECKED as written (not in mgsleep's safety data; the rules of the "
                     f"known name it was taken as applied): {', '.join(taken)}.")
    if alone:
        lines.append(f"NOT CHECKED (not in mgsleep's safety data, no rule applied): "
                     f"{', '.join(alone)}.")
    return lines


NO_PROFILE_SAID = ("No profile given (age, eGFR, pregnant: not given; conditions, medicines: "
                   "none listed), so no rule was checked; mgsleep is for adults (18 or over), "
                   "and eGFR is often lower with age.")
"""The safety screen's first line without a profile, in place of the profile's facts."""

FACT_WORDS = {"age": "no age (mgsleep's advice is for adults, 18 or over)", "egfr": "no eGFR",
              "pregnant": "pregnant not given"}
"""How the clinician page says a fact the profile does not give (:func:`_not_checked`)."""


def _not_checked(safety: Safety, rules: Screening) -> list[str]:
    """What could not be checked for want of a fact, and the sentence that ends the screen.

    The page said "No contraindication found in the profile." of a profile without an age or
    an eGFR, or of no profile at all (a life-stage audit): a rule whose fact is not given was
    not checked, which is not the same as passed. A rule on a fact that also names a condition
    (pregnancy, kidney disease) was checked among the conditions. Without a profile the
    screen's first line says it all (:data:`NO_PROFILE_SAID`).
    """
    if "profile" in rules.missing:
        return []
    rules_of = {fact: [c.id.replace("_", " ") for c in (*safety.contraindications,
                                                         *safety.cautions)
                       if c.field == fact and c.id not in rules.rules_applied]
                for fact in rules.missing}
    skipped = [f"{FACT_WORDS[fact]}: {', '.join(ids)}" for fact, ids in rules_of.items() if ids]
    said = [f"Not checked for want of a fact (only through a condition listed): "
            f"{'; '.join(skipped)}."] if skipped else []
    if rules.referrals or rules.holds:
        return said
    return [*said, "No contraindication found among the conditions and medicines checked."
            if rules.unchecked else "No contraindication found among the facts given."
            if skipped else "No contraindication found in the profile."]


def _sources(safety: Safety, rules: Screening) -> str:
    """The source of each contraindication and caution that applied, in small print."""
    by_id = {c.id: c for c in (*safety.contraindications, *safety.cautions)}
    said = [f"for {rule.replace('_', ' ')}: {by_id[rule].source}"
            for rule in rules.rules_applied if rule in by_id]
    return (f'<p class="small">Sources: {escape("; ".join(said))}.</p>' if said else "")


def _safety(profile: Profile, safety: Safety, rules: Screening,
            cautions: tuple[str, ...]) -> str:
    """The safety screen's lines: the profile's facts, the ceiling, the rules that apply.

    Under a contraindication (stop now, or do not start) the spacing from the medicines
    applies only if magnesium is resumed: listed after "Stop taking magnesium now" as they
    were, they contradicted it (an outside audit, a general practitioner). The rules that
    could not be checked are named (:func:`_not_checked`), and the source of each rule that
    applied is given (:func:`_sources`).
    """
    later = [w for w in cautions if rules.referrals and w in rules.dose_rules]
    facts = [
        NO_PROFILE_SAID if "profile" in rules.missing else
        f"Age: {profile.age if profile.age is not None else 'not given'}; "
        f"eGFR: {profile.egfr if profile.egfr is not None else 'not given'}; pregnant: "
        f"{_pregnant(profile, safety)}; conditions: "
        f"{', '.join(profile.conditions) or 'none listed'}; medicines: "
        f"{', '.join(profile.medications) or 'none listed'}.",
        _ceiling(profile, safety, rules),
        *(f"{REFERRAL_LABEL}: {_stop(third_person(r))}" for r in rules.referrals),
        *(f"{LABEL_LABEL if rules.label_holds else REFERRAL_LABEL}: {_stop(third_person(h))}"
          for h in rules.holds),
        *(f"Caution: {_stop(third_person(w))}" for w in cautions if w not in later),
        *_unchecked(profile, safety, rules),
        *([third_person(after_review(f"{'; '.join(w.removesuffix('.') for w in later)}."))]
          if later else []),
        *_not_checked(safety, rules),
    ]
    return bullets(facts) + _sources(safety, rules)


def _gentlest(result: Analysis) -> list[str]:
    """The gentlest-step reason the loose-stool warning points to, with what the diary adds.

    A split dose's figure rests on the model's assumption (:data:`SPLIT_ASSUMPTION`); a diary
    without a night on a split dose has nothing measured to bear it out, and the page says so.
    """
    nights = result.diary.nights
    split = bool((nights["split"] & nights["recorded"] & nights["form"].isin(FORMS)).any())
    return [r + (" The diary has no night on a split dose yet."
                 if SPLIT_ASSUMPTION in r and not split else "")
            for r in result.decision.recommendation.reasons if r.startswith(GENTLEST)]


def _answer(result: Analysis) -> str:
    """What to do, as the patient was told it, and the anxious week's prompt in the third person.

    Without the rules for taking the dose and the cautions the headline says with it: the
    safety screen lists each of them (:func:`_safety`); in bold above it too, a caution of
    kidney function not known put the page on two. The prompt to see a clinician after a week
    of very high anxiety (:func:`~model.report.diary_words.hard_week`) is the patient's; a
    clinic's audit found the page telling the clinician "talk to your clinician", so the page
    reports that the patient was told (:func:`anxious_week`).
    """
    what = what_to_do(result.decision.recommendation)
    return f'<p class="answer">{escape(what)}</p>' + "".join(
        f"<p><strong>{escape(line)}</strong></p>" for line in anxious_week(result))


def anxious_week(result: Analysis) -> list[str]:
    """The anxious week's prompt as a clinician reads it: the nights, and what the patient was told.

    Said exactly when the patient's output prompts them (its
    :func:`~model.report.diary_words.hard_week` is not empty), from the same count.
    """
    nights = result.diary.nights
    if not hard_week(nights):
        return []
    hard, recorded = very_anxious(nights)
    return [f"Evening anxiety {HARD_ANXIETY} or more on {hard} of the last {HARD_WEEK[1]} "
            f"nights ({recorded} with it recorded); the patient was advised to contact you "
            "soon (magnesium is no treatment for severe anxiety or panic), and in a crisis "
            "their local emergency number."]


def _heading(profile: Profile) -> str:
    """The page's heading: the person when the profile names them, what the magnesium is for.

    What it is for follows the complaint (:func:`heading_topic`): "magnesium for sleep" headed
    the page of a person whose complaint was anxiety (an outside audit).
    """
    topic = heading_topic(profile)
    return (f"{profile.name}: magnesium for {topic}, n-of-1 summary for a clinician"
            if profile.name else f"Magnesium for {topic}: n-of-1 summary for a clinician")


SHORT_HEX = 12
"""The hex digits of a SHA-256 the page gives (as ``sha256sum``'s first ones): enough to tell."""


def made_line(result: Analysis) -> str:
    """The page's foot: the run's date, the date analysed, the seed, the diary and the code.

    A clinic's audit: the page said only "(analysed 2026-11-28)", and last week's page left
    at the same path by a failed run could not be told from this week's. The diary's SHA-256
    (``sha256sum diary.csv``) and the code's fingerprint
    (:func:`~model.core.provenance.code_sha256`) by their first :data:`SHORT_HEX` digits.
    """
    record = result.provenance
    diary = str((record.get("diary") or {}).get("sha256") or "not recorded")[:SHORT_HEX]
    code = str(record.get("code_sha256") or "not recorded")[:SHORT_HEX]
    return (f"Made {record.get('run_date', 'on a date not recorded')}, of the nights up to "
            f"{result.as_of.isoformat()}, seed {record.get('seed', 'not recorded')}; diary "
            f"SHA-256 {diary}; mgsleep {__version__}, code {code}.")


def render_clinician(result: Analysis) -> str:
    """The clinician summary of an analysis, as self-contained HTML (A4 print CSS).

    Its title (the PDF's too) and heading say whose it is: the profile's ``name`` and the
    diary with its folder (:mod:`model.report.whose`).
    """
    said = headline(result)
    fit, diary = result.fit, result.diary
    first, last = (d.date().isoformat() for d in (diary.nights.index.min(),
                                                  diary.nights.index.max()))
    rules, cautions = _screen_lines(result)
    shown = {*cautions, *rules.referrals, *rules.holds, *rules.fact_warnings,  # the safety
             *(after_review(w) for w in rules.dose_rules)}                      # screen's
    rec = result.decision.recommendation
    warned = [w for w in rec.warnings if w not in shown]
    # the loose-stool warning says "take the gentler step the advice names": name it here too
    warned += _gentlest(result)
    caution = "".join(f"<p class=\"small\">Caution: {escape(third_person(r))}.</p>"
                      for r in map(lead, result.cautions())) + "".join(
        f"<p class=\"small\"><strong>Warning:</strong> {escape(_stop(third_person(w)))}</p>"
        for w in map(lead, warned))
    shifts = "".join(f" {escape(line)}."
                     for line in shift_lines(result, level=False, clear_only=True))
    verdict = "passed" if fit.diagnostics_.ok else f"{fit.diagnostics_.words()}, no dosing advice"
    checks = (f"Fit: {sampler_name(fit)}, diagnostics {verdict} (max "
              f"R-hat {fit.diagnostics_.max_rhat:.3f}, {fit.diagnostics_.divergences} "
              f"divergences).")
    head = page_head(f"mgsleep clinician summary: {whose(result.profile, diary.source)} "
                     f"({result.as_of.isoformat()})", _CSS)
    return head + (
        f"<h1>{escape(_heading(result.profile))}</h1>"
        f'<p class="meta">Diary {escape(diary_label(diary.source))}: {diary.n_recorded} nights '
        f"recorded, {first} to {last} (analysed {result.as_of.isoformat()}). "
        f"{escape(SAFETY_LINE)}</p>"
        f"<p>{escape(weights_line(result.profile, result.weights()['gi']))}</p>"
        f"<h2>Recommendation</h2>{_answer(result)}"
        f"<p>{AS_TOLD} Why: {escape(said.why)} How sure: {escape(said.sure)} Look again: "
        f"{escape(said.review)}</p>"
        f'<p class="small">{escape(sensitivity_line(result))}</p>{caution}'
        f"<h2>Effects of the forms taken</h2><p class=\"small\">{escape(INTERVAL_NOTE)} "
        f"{escape(said.caution)}{shifts}</p>"
        f"{effects_table(result)}"
        f"<h2>Regimen history and nights observed</h2>"
        f'<p class="small">{escape(units_note(result))}</p>{regimen_table(result)}'
        f'<p class="small">{escape(OBSERVED_NOTE)}</p>'
        f"<h2>Safety screen</h2>"
        f"{_safety(result.profile, fit.priors_.safety, rules, cautions)}"
        f'<div class="whole"><h2>Evidence behind the priors</h2>{evidence_table(result)}'
        f'<p class="small">{escape(checks)} The full report lists every study. '
        f"{escape(made_line(result))}</p></div>"
        "</body></html>\n")


def write_clinician(result: Analysis, path: str | Path) -> None:
    """Write the clinician summary as HTML, atomically (print it on A4)."""
    write_text(path, render_clinician(result))


def pdf_engine() -> str | None:
    """The PDF engine available: ``weasyprint``, a Chromium binary's path, or None."""
    try:
        import weasyprint  # noqa: F401  (optional)
    except (ImportError, OSError):
        return shutil.which("chromium") or shutil.which("chromium-browser")
    return "weasyprint"


QUIET_CHROMIUM = ("--disable-background-networking", "--disable-component-update",
                  "--no-first-run", "--host-resolver-rules=MAP * ~NOTFOUND")
"""Chromium flags that keep it off the network: a privacy audit saw the headless print contact
Google's update servers; the page loads nothing (its CSP), so no name needs resolving."""


def chromium_command(engine: str, folder: str, target: Path, source: Path) -> list[str]:
    """The command line that prints ``source`` to ``target`` with a headless Chromium.

    Its profile in ``folder`` (a temporary one), and no network (:data:`QUIET_CHROMIUM`).
    """
    return [engine, "--headless", "--no-sandbox", "--disable-gpu", *QUIET_CHROMIUM,
            f"--user-data-dir={folder}/profile", "--no-pdf-header-footer",
            f"--print-to-pdf={target}", source.as_uri()]


def pdf_bytes(page: str) -> bytes:
    """Print an HTML page to PDF with :func:`pdf_engine` (raises :class:`PdfUnavailable`)."""
    engine = pdf_engine()
    if engine is None:
        raise PdfUnavailable("no PDF engine: install WeasyPrint (pip install weasyprint) or "
                             "Chromium, or print the HTML summary from a browser")
    if engine == "weasyprint":
        import weasyprint

        return bytes(weasyprint.HTML(string=page).write_pdf())
    with tempfile.TemporaryDirectory() as folder:
        source, target = Path(folder) / "page.html", Path(folder) / "page.pdf"
        source.write_text(page, encoding="utf-8")
        subprocess.run(chromium_command(engine, folder, target, source),
                       capture_output=True, timeout=120, check=False)
        if not target.exists():
            raise PdfUnavailable(f"{engine} did not write a PDF")
        return target.read_bytes()


def pdf_or_say(result: Analysis, path: str | Path) -> bytes | None:
    """The clinician summary as a PDF (:func:`pdf_bytes`), for the outputs written together.

    Without an engine, says on standard error that nothing goes to ``path`` and returns None.
    """
    try:
        return pdf_bytes(render_clinician(result))
    except PdfUnavailable as missing:
        print(f"mgsleep: no PDF written to {path}: {missing}", file=sys.stderr)
        return None
