"""The HTML report: self-contained, escaped, complete; rendered by a headless Chromium."""

import base64
import dataclasses
import html
import os
import re
import shutil
import subprocess

import numpy as np
import pytest
from matplotlib.image import imread

from model.core.atomic import write_all
from model.core.change_words import IN_DETAIL, outcome_name
from model.core.forms import FORMS
from model.core.outcomes import OUTCOMES
from model.data.profile import Profile
from model.report.clinician import (
    pdf_engine,
    pdf_or_say,
    render_clinician,
    third_person,
    write_clinician,
)
from model.report.effect_words import change_phrase
from model.report.format import DASH
from model.report.headline import what_to_do
from model.report.html import SAFETY_NOTE, forms_that_matter, render_report, write_report
from model.report.pathway_words import pathway_lines
from model.testing import SCRIPT_NOTE, example_analysis

pytestmark = pytest.mark.fit

IMG = re.compile(r'<img alt="[^"]*" src="data:image/png;base64,([A-Za-z0-9+/=]+)">')
ESCAPED_NOTE = html.escape(SCRIPT_NOTE, quote=False)   # element text: quotes may stay
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--enable-logging=stderr", "--v=0")


@pytest.fixture(scope="module")
def analysis():
    return example_analysis()


@pytest.fixture(scope="module")
def page(analysis):
    return render_report(analysis)


@pytest.fixture(scope="module")
def report_file(analysis, tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "report.html"
    write_report(analysis, path)
    return path


def test_self_contained_nothing_from_outside(page):
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page.lower()
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:|//|file:)""", page, re.I)
    assert "url(" not in page and "@import" not in page and "<link" not in page
    assert "default-src 'none'" in page          # CSP: a browser loads nothing either


def test_user_text_is_escaped(page, analysis):
    assert ESCAPED_NOTE in page
    assert "<script>alert(1)</script>" not in page
    assert "alert(1)" in page


def test_recommendation_reasons_warnings_and_safety(page, analysis):
    rec = analysis.decision.recommendation
    assert html.escape(what_to_do(rec)) in page
    for line in (*rec.reasons, *rec.warnings):
        assert html.escape(line) in page
    assert page.count(html.escape(SAFETY_NOTE)) == 2
    assert "supports, and does not replace, advice from a clinician" in page
    assert f"<dt>Look again</dt><dd>{rec.next_review.isoformat()}" in page


def headline_html(page: str) -> str:
    """The top of the report: from the answer to the first section."""
    return page[page.index('<p class="answer">'):page.index("<section")]


def test_headline_states_the_tried_forms_effects_in_diary_units(page, analysis):
    top = headline_html(page)
    sol = analysis.effects.get("glycinate", "sol")
    assert sol.unit == "min" and sol.mean < 0
    assert html.escape(change_phrase(sol)) in top and "min faster" in top
    assert html.escape(change_phrase(analysis.effects.get("citrate", "gi"))) in top
    assert "GI nights: +" in top and "a month" in top
    for key in ("Why", "How sure", "Look again", "Each night"):
        assert f"<dt>{key}</dt>" in top
    assert "90 % intervals" in top
    assert "What would change this" in top
    assert all(html.escape(line) in top for line in pathway_lines(analysis.pathways))


def test_one_interval_level_and_readable_cells(page):
    assert "95 %" not in page and "95%" not in page and "89 %" not in page
    assert page.count("90 % intervals") == 1                  # said once
    cells = re.findall(r"<td>(.*?)</td>", page, re.S)
    assert cells
    for text in cells:
        assert text not in {"True", "False", "None", "nan", "NaN"}, text
        assert not re.search(r"\d[eE][+-]\d", text), text     # no 2.43e+03
    assert f"<td>{DASH}</td>" in page or "<td>no</td>" in page


def test_sampler_named_and_rhat_three_decimals(page, analysis):
    assert "NUTS (nutpie)" in page or "NUTS (pymc)" in page
    assert ">default<" not in page
    assert f"<td>{analysis.fit.diagnostics_.max_rhat:.3f}</td>" in page


def test_effects_grouped_tried_forms_first_in_diary_units(page, analysis):
    section = page[page.index('<section id="effects">'):page.index('<section id="evidence">')]
    glycinate = section.index("<h3>glycinate 300 mg, ")
    citrate = section.index("<h3>citrate 300 mg, ")
    untried = section.index(f"<details><summary>{len(FORMS) - 2} forms you have not tried"
                            "</summary>")
    assert citrate < glycinate < untried   # tried forms first, in the order first taken
    assert "log_ratio" not in section and "logit_shift" not in section
    assert "people differ" in section                      # why untried ranges are wide
    assert section.count("<tr>") == (2 * (1 + len(OUTCOMES)) + 1      # headers and rows
                                       + (len(FORMS) - 2) * len(OUTCOMES))


def test_four_embedded_png_figures(page):
    images = IMG.findall(page)
    assert len(images) == 4
    for data in images:
        assert base64.b64decode(data)[:8] == b"\x89PNG\r\n\x1a\n"


def test_tables_evidence_diagnostics_sensitivity(page, analysis):
    for anchor in ("recommendation", "figures", "actions", "effects", "evidence",
                   "diagnostics", "sensitivity", "diary"):
        assert f'<section id="{anchor}">' in page
    forms = forms_that_matter(analysis)
    assert {"citrate", "glycinate"} <= set(forms)
    priors = analysis.fit.priors_
    for form in forms:
        assert html.escape(priors.explain(form, "sol")) in page
    assert page.count("<details>") == 6 * len(forms) + 1      # + the untried forms
    assert "sceptical" in page and "confident" in page


def test_write_report_is_atomic(analysis, report_file, tmp_path, monkeypatch):
    assert report_file.read_text(encoding="utf-8") == render_report(analysis)
    target = tmp_path / "report.html"
    target.write_text("old")

    def broken(_):
        raise RuntimeError("boom")

    monkeypatch.setattr("model.report.html.render_report", broken)
    with pytest.raises(RuntimeError):
        write_report(analysis, target)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


# --------------------------------------------------------------------------------------------
# Headless Chromium
# --------------------------------------------------------------------------------------------


def _install_chromium() -> str | None:
    """Return a Chromium binary, installing Debian's ``chromium`` when missing (as root)."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return None
    env = os.environ | {"DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-q"],
                    ["apt-get", "install", "-y", "-q", "--no-install-recommends", "chromium"]):
        try:
            subprocess.run(command, env=env, capture_output=True, timeout=600, check=True)
        except (subprocess.SubprocessError, OSError):
            return None
    return shutil.which("chromium")


@pytest.fixture(scope="session")
def chromium():
    binary = _install_chromium()
    if binary is None:
        pytest.skip("headless Chromium is not installed and could not be installed "
                    "(run as root: apt-get install -y chromium)")
    return binary


def _chromium(binary, profile, *args, timeout=120):
    return subprocess.run([binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=timeout, check=False)


def _console_messages(stderr: str) -> list[str]:
    """Console lines of Chromium's log: script errors, CSP violations (``INFO:CONSOLE``)."""
    return [line for line in stderr.splitlines() if ":CONSOLE" in line or "Uncaught" in line]


def test_chromium_renders_recommendation_and_figures(chromium, report_file, analysis,
                                                     tmp_path):
    done = _chromium(chromium, tmp_path / "profile", "--dump-dom", report_file.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    assert html.escape(what_to_do(analysis.decision.recommendation)) in dom
    assert html.escape(change_phrase(analysis.effects.get("glycinate", "sol"))) in \
        headline_html(dom)
    assert len(IMG.findall(dom)) == 4
    assert ESCAPED_NOTE in dom and "<script" not in dom.lower()
    assert _console_messages(done.stderr) == []


def test_chromium_screenshot_shows_the_figures(chromium, report_file, tmp_path):
    shot = tmp_path / "report.png"
    done = _chromium(chromium, tmp_path / "profile", f"--screenshot={shot}",
                     "--window-size=1280,3600", "--hide-scrollbars", report_file.as_uri())
    assert done.returncode == 0 and shot.exists(), done.stderr[-2000:]
    assert _console_messages(done.stderr) == []
    pixels = imread(shot)[..., :3]
    colours = np.unique((pixels * 255).astype(np.uint8).reshape(-1, 3), axis=0)
    assert len(colours) > 200                    # text alone is grey: the figures are drawn
    keep = os.environ.get("MGSLEEP_KEEP_SCREENSHOT")
    if keep:
        shutil.copy(shot, keep)


# --------------------------------------------------------------------------------------------
# The clinician summary
# --------------------------------------------------------------------------------------------


def test_clinician_summary_content(analysis, tmp_path):
    page = render_clinician(analysis)
    assert "<script" not in page.lower() and "default-src 'none'" in page
    assert "@page { size: A4" in page
    assert html.escape(what_to_do(analysis.decision.recommendation)) in page
    assert html.escape(change_phrase(analysis.effects.get("glycinate", "sol"))) in page
    for part in ("Regimen history", "Safety screen", "Evidence behind the priors",
                 "citrate 300 mg", "placebo", "Daily ceiling used: 350 mg"):
        assert part in page
    assert ESCAPED_NOTE not in page and "alert(1)" not in page   # notes stay in the report
    write_clinician(analysis, tmp_path / "c.html")
    assert (tmp_path / "c.html").read_text(encoding="utf-8") == page


@pytest.mark.parametrize(("complaint", "shown", "left"), [("sleep_onset", "awakenings", "anxiety"),
                                                       ("anxiety", "anxiety", "awakenings")])
def test_the_clinician_evidence_table_shows_the_outcomes_the_person_weighs_most(
        analysis, complaint, shown, left):
    """The table listed latency, awakenings and quality for everyone: a person whose
    complaint is anxiety saw no line on the evidence for anxiety."""
    person = dataclasses.replace(analysis, profile=Profile(complaint=complaint))
    section = render_clinician(person).split("Evidence behind the priors")[1].split("<h2")[0]
    assert f"<th>{outcome_name(shown)}</th>" in section
    assert f"<th>{outcome_name(left)}</th>" not in section


def test_the_clinician_summary_says_what_the_profile_left_out_and_the_last_night(analysis):
    """A user audit: "pregnant: no" for a profile that said nothing of pregnancy, and the
    nights "to" the day of the analysis, not the last night recorded."""
    page = render_clinician(analysis)
    last = analysis.diary.nights.index.max().date().isoformat()
    assert "pregnant: not given" in page and f" to {last} (analysed " in page
    said = render_clinician(dataclasses.replace(analysis, profile=Profile(pregnant=False)))
    assert "pregnant: no;" in said
    # a user audit: a rule's text ending with its own full stop was printed "with it.."
    unknown = render_clinician(dataclasses.replace(analysis, profile=Profile(
        medications=("atorvastatin",))))
    assert "counts towards their daily limit." in unknown and ".." not in unknown  # 3rd person


def test_the_clinician_page_gives_each_caution_its_lead_alone(analysis):
    """The one A4 page ran onto a second with a caution's detail (stop 75): the page says
    what each caution means and asks; the report and the terminal keep the numbers."""
    apart = dataclasses.replace(analysis.separability, reasons=(
        f"your diary cannot tell it: spend 12 nights off{IN_DETAIL}correlation -0.59 of it",
        "a caution with no detail"))
    result = dataclasses.replace(analysis, separability=apart)
    page = html.unescape(render_clinician(result))
    assert "Caution: their diary cannot tell it: spend 12 nights off." in page
    assert "Caution: a caution with no detail." in page
    assert "-0.59" not in page and "In detail" not in page
    assert "correlation -0.59 of it" in html.unescape(render_report(result))


def pdf_pages(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", data))


def test_clinician_summary_prints_on_one_a4_page(chromium, analysis, tmp_path):
    source = tmp_path / "clinician.html"
    write_clinician(analysis, source)
    done = _chromium(chromium, tmp_path / "profile", "--dump-dom", source.as_uri())
    assert done.returncode == 0 and _console_messages(done.stderr) == []
    pdf = tmp_path / "clinician.pdf"
    done = _chromium(chromium, tmp_path / "profile", "--no-pdf-header-footer",
                     f"--print-to-pdf={pdf}", source.as_uri())
    assert pdf.exists(), done.stderr[-2000:]
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and pdf_pages(data) == 1
    assert re.search(rb"/MediaBox\s*\[\s*0 0 59[45]\.\d* 84[12]", data)   # A4 in points
    assert pdf_engine() is not None


def test_pdf_without_an_engine_says_so_and_writes_nothing(analysis, tmp_path, monkeypatch,
                                                          capsys):
    monkeypatch.setattr("model.report.clinician.pdf_engine", lambda: None)
    target = tmp_path / "summary.pdf"
    assert pdf_or_say(analysis, target) is None
    assert not target.exists() and list(tmp_path.iterdir()) == []
    assert "no PDF written" in capsys.readouterr().err


def test_the_clinician_summary_names_a_current_regimen_the_rules_forbid(analysis):
    from dataclasses import replace

    from model.data.profile import Profile
    from model.decision import history

    current = history(analysis.diary).current
    assert current.active and current.elemental_mg > 100
    capped = replace(analysis, profile=Profile(max_elemental_mg=100,
                                               excluded_forms=(current.form,)))
    page = render_clinician(capped)
    # in the page's third person (stop 74's note: "your" among its warnings)
    assert f"Caution: their current {current.words} is above their ceiling of 100 mg/day." in page
    assert f"Caution: their current form {current.form} is excluded in their profile." in page
    assert "is above their ceiling" not in render_clinician(analysis)


def test_the_clinician_summary_gives_a_hold_once_beside_a_referral(analysis):
    """Digoxin's rule was listed as a reason to see a clinician and again as a caution."""
    from dataclasses import replace

    from model.data.profile import Profile
    from model.decision import screen

    both = replace(analysis, profile=Profile(medications=("digoxin",), egfr=20))
    page = html.unescape(render_clinician(both))
    assert page.count("low magnesium raises digoxin toxicity") == 1
    # nor again among the recommendation's warnings, where a decision gives a hold beside a
    # referral (the page now lists the warnings its safety screen does not)
    hold = screen(both.profile, analysis.fit.priors_.safety).holds
    rec = analysis.decision.recommendation
    warned = replace(both, decision=replace(analysis.decision, recommendation=replace(
        rec, warnings=(*rec.warnings, *hold))))
    assert html.unescape(render_clinician(warned)).count(
        "low magnesium raises digoxin toxicity") == 1


def test_the_clinician_summary_lists_the_names_no_rule_checked(analysis):
    from dataclasses import replace

    from model.data.profile import Profile

    unknown = replace(analysis, profile=Profile(medications=("atorvastatin",)))
    page = render_clinician(unknown)
    # it said "No contraindication found in the profile." under an unchecked medicine
    assert html.escape("NOT CHECKED (not in mgsleep's safety data, no rule applied): "
                       "atorvastatin.") in page
    assert "No contraindication found in the profile." not in page
    assert "No contraindication found among the conditions and medicines checked." in page
    assert "NOT CHECKED" not in render_clinician(analysis)


def test_the_pdf_is_written_like_every_other_output(analysis, tmp_path, monkeypatch):
    """A user audit: the PDF came out 0600 (a temporary's mode) beside 0644 HTML files."""
    monkeypatch.setattr("model.report.clinician.pdf_bytes", lambda page: b"%PDF-1.7 test")
    before = os.umask(0o022)
    try:
        write_all([(tmp_path / "summary.pdf", pdf_or_say(analysis, tmp_path / "summary.pdf"))])
    finally:
        os.umask(before)
    assert (tmp_path / "summary.pdf").read_bytes() == b"%PDF-1.7 test"
    assert (tmp_path / "summary.pdf").stat().st_mode & 0o777 == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["summary.pdf"]


def test_the_clinician_summary_gives_the_advice_warnings_and_a_pregnancy_condition(analysis):
    """An audit of the reports: the acute loose-stool warning of the recommendation reached
    the terminal and the report but not the clinician page (nor the PDF made from it), and
    "pregnant: not given" stood beside the pregnancy rule a condition had set off."""
    from dataclasses import replace

    from model.data.profile import Profile

    rec = analysis.decision.recommendation
    loose = ("6 GI nights in the last 7 on glycinate 300 mg: if they go on, stop, or take "
             "the gentler step the advice names when it names one")
    gentlest = ("If loose stools or stomach upset go on and you keep taking magnesium, the "
                "gentlest step open now is to split the dose: glycinate 300 mg in two intakes "
                "(about 12.6 fewer GI nights per 100).")
    warned = replace(analysis, decision=replace(analysis.decision, recommendation=replace(
        rec, warnings=(*rec.warnings, loose), reasons=(*rec.reasons, gentlest))))
    page = html.unescape(render_clinician(warned))
    assert f"Warning:</strong> {loose}." in page and page.count("6 GI nights in the last 7") == 1
    # the step that warning points to is on the page too (it was in the report only)
    assert f"Warning:</strong> {third_person(gentlest).removesuffix('.')}." in page
    pregnant = render_clinician(replace(analysis, profile=Profile(conditions=("pregnant",))))
    assert "pregnant: yes (among the conditions);" in pregnant


def test_advice_made_without_the_posterior_shows_no_scores_and_no_ranking(analysis):
    """An audit of the reports: a referral's table showed P(best) and the other scores as 0.00
    (placeholders, from_posterior false) and the 'actions ranked' figure with no action."""
    from dataclasses import replace

    from model.decision.results import NO_SCORES

    rec = analysis.decision.recommendation
    ruled = replace(analysis, decision=replace(
        analysis.decision, assessments=(), chosen=None,
        recommendation=replace(rec, scores=NO_SCORES)))
    page = render_report(ruled)
    assert page.count("not estimated") == 6
    # P(best) 1.00 read as certainty without the options it is over (a reader audit)
    allowed = sum(a.feasible for a in analysis.decision.assessments)
    scored = render_report(analysis)
    assert "<th>options allowed</th><th>P(best)</th>" in scored
    assert f"<tbody><tr><td>{allowed}</td><td>{rec.p_best:.2f}" in scored
    # a referral: "settled: yes" and a review date beside "after a clinician has advised"
    referred = render_report(replace(ruled, decision=replace(ruled.decision, recommendation=replace(
        ruled.decision.recommendation, action="refer", commit=True))))
    assert "no: until a clinician has advised" in referred and "<td>True</td>" not in referred
    assert referred.count("after a clinician has advised") == 2
    assert f">{ruled.decision.recommendation.next_review.isoformat()}<" not in referred
    assert len(IMG.findall(page)) == len(IMG.findall(scored)) - 1


def test_the_headline_says_how_to_take_tonight_beside_a_timing_medicine(analysis):
    """A reader audit: with ciprofloxacin the headline said "Switch to taurate, 300 mg, one
    evening dose" and the 2 h / 6 h rule came last among the details."""
    from model.core.regimen import NO_MAGNESIUM
    from model.decision.screening import screen
    from model.report.headline import headline

    rec = analysis.decision.recommendation
    assert rec.regimen is not None and rec.regimen.active
    with_cipro = dataclasses.replace(analysis, profile=Profile(    # age and eGFR given:
        age=40, egfr=90, medications=("Cipro 500mg",)))             # no caution after it
    what = headline(with_cipro).what
    assert what.startswith(what_to_do(rec)) and "With your medicines: Cipro 500mg" in what
    assert what.endswith("take the antibiotic at least 2 h before or 6 h after magnesium "
                         "(antacid 2 h before cut ciprofloxacin bioavailability to 23%).")
    assert "With your medicines" not in headline(analysis).what
    rules = screen(with_cipro.profile, analysis.fit.priors_.safety)
    assert rules.with_dose(NO_MAGNESIUM) == ""          # no dose tonight: nothing to time
    assert rules.dose_rules and set(rules.dose_rules) <= set(rules.warnings)


def test_a_hold_says_why_and_not_its_routine_again(analysis):
    """A reader audit: with digoxin the headline read "Why: Keep taking glycinate 300 mg as
    you do now ...", what to do again, and digoxin was named only in the details."""
    from model.core.regimen import Regimen
    from model.decision import History, decide
    from model.report.headline import headline
    from model.testing import FakePosterior

    profile = Profile(age=40, egfr=90, medications=("Lanoxin 125 mcg",))   # no fact missing
    held = decide(FakePosterior(n_draws=200), priors=analysis.fit.priors_, profile=profile,
                  diary=History(Regimen("glycinate", 300), 30, frozenset({"glycinate"}), 0),
                  as_of=analysis.as_of)
    said = headline(dataclasses.replace(analysis, decision=held, profile=profile))
    assert said.what == "See your clinician before any change to magnesium."
    assert said.why.startswith("Reason to see a clinician: Lanoxin 125 mcg: low magnesium "
                               "raises digoxin toxicity")
    assert held.recommendation.reasons[-1] == ("No other form or dose is suggested until a "
                                               "clinician has advised.")


def test_a_hold_says_the_timing_of_a_medicine_with_the_routine_it_keeps(analysis):
    """A hold (pregnancy) names no regimen but keeps the person's routine: with oral
    cabotegravir its timing went unsaid."""
    from model.core.regimen import Regimen
    from model.decision import History, decide
    from model.report.headline import headline
    from model.testing import FakePosterior

    profile = Profile(conditions=("pregnant",), medications=("Vocabria",))
    held = decide(FakePosterior(n_draws=200), priors=analysis.fit.priors_, profile=profile,
                  diary=History(Regimen("glycinate", 200), 30, frozenset({"glycinate"}), 0),
                  as_of=analysis.as_of)
    assert held.recommendation.regimen is None and held.recommendation.action == "refer"
    said = headline(dataclasses.replace(analysis, decision=held, profile=profile))  # on Mg
    assert said.what.startswith("See your clinician before any change to magnesium. With your "
                                "medicines: Vocabria (cabotegravir, HIV integrase inhibitors): "
                                "take the HIV medicine at least 4 h before or 6 h after")
