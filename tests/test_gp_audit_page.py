"""An outside audit of the clinician page by a general practitioner (/tmp/hC, findings 4, 7-11).

The page said "glycinate 200 mg" and "citrate 299 mg" without "elemental" or how a compound
weight was converted; showed only the model's effects against placebo, none of the nights as
recorded; left out the prior sensitivity the terminal prints; counted marketing and seed
advice as "sources" and never explained "basis reference"; gave a split dose's "14.7 fewer GI
nights per 100" as if measured; named a 350 mg ceiling without its source; and listed the
spacing from levothyroxine right after "Stop taking magnesium now".
"""

import dataclasses
import html
from types import SimpleNamespace

import pandas as pd
import pytest

from model.analysis.sensitivity import Sensitivity
from model.core.forms import FORMS
from model.core.regimen import NO_MAGNESIUM, Regimen
from model.data.diary import read_diary
from model.data.profile import Profile
from model.decision import screen
from model.decision.gi_words import GENTLEST, SPLIT_ASSUMPTION, gentler_line
from model.decision.settings import DecisionSettings
from model.report import clinician
from model.report.clinician import render_clinician
from model.report.clinician_tables import BASIS_WORDS, regimen_table
from model.report.whose import third_person
from model.testing import example_analysis

pytestmark = pytest.mark.fit


@pytest.fixture(scope="module")
def analysis():
    return example_analysis()


@pytest.fixture(scope="module")
def page(analysis):
    return html.unescape(render_clinician(analysis))


def section(page: str, title: str) -> str:
    """The page from the heading ``title`` to the next heading."""
    return page.split(f"<h2>{title}</h2>")[1].split("<h2>")[0]


# 1. Units -------------------------------------------------------------------------------------

def test_doses_are_said_to_be_elemental_and_how_a_compound_weight_is_converted(analysis, page):
    assert "<th>regimen (mg elemental magnesium a day)</th>" in page
    assert "<th>citrate 300 mg elemental magnesium a day, 21 written nights</th>" in page
    compounds = {c.default_for_form: c for c in analysis.fit.priors_.evidence.compounds
                 if c.default_for_form}
    assert ("Doses: mg of elemental magnesium a day, not of the salt; one the diary gives as "
            "compound weight (compound_mg) is converted with priors/elemental_fractions.csv: "
            "citrate as trimagnesium dicitrate anhydrous, 16.16 %") in page
    assert compounds["citrate"].elemental_fraction == pytest.approx(0.1616)
    rec = analysis.decision.recommendation.regimen
    if rec is not None and rec.active:            # the salt weight of the dose advised
        salt = rec.elemental_mg / compounds[rec.form].elemental_fraction
        assert f"The recommended {rec.words} is about {salt:,.0f} mg of " in page


# 2. The patient's own nights ------------------------------------------------------------------

def test_the_nights_observed_are_given_per_regimen_as_raw_means(analysis, page):
    table = section(page, "Regimen history and nights observed")
    nights = analysis.diary.nights[analysis.diary.nights["recorded"]]
    on = nights[(nights["form"] == "glycinate") & (nights["elemental_mg"] == 300)]
    latency, quality = on["sol_min"].dropna(), on["quality"].dropna()
    gi = on["gi_night"].dropna()
    row = table.split("<td>glycinate 300 mg</td>")[1].split("</tr>")[0]
    assert f"<td>{len(on)}</td>" in row
    assert f"<td>{latency.mean():.1f}" in row
    assert f"<td>{quality.mean():.1f} ({len(quality)})</td>" in row     # fewer nights: said
    assert f"<td>{int(gi.sum())} of {len(gi)}</td>" in row
    for regimen in ("no magnesium", "citrate 300 mg", "placebo"):
        assert f"<td>{regimen}</td>" in table
    assert "not adjusted for expectation, drift or build-up" in table
    assert "2026-02-15 to 2026-03-21" in row                   # the history: its dates


def test_a_regimen_taken_in_many_runs_is_dated_first_to_last(analysis):
    days = pd.date_range("2026-01-01", periods=40, freq="D")
    frame = pd.DataFrame({"date": days.strftime("%Y-%m-%d"),
                          "form": ["glycinate" if (i // 5) % 2 else "" for i in range(40)],
                          "elemental_mg": [200 if (i // 5) % 2 else None for i in range(40)],
                          "sol_min": 30, "stool_bristol": 4})
    crossed = dataclasses.replace(analysis, diary=read_diary(frame))
    shown = html.unescape(regimen_table(crossed))
    assert "2026-01-06 to 2026-02-09 (4 runs)" in shown
    assert "2026-01-01 to 2026-02-04 (4 runs)" in shown


# 3. Prior sensitivity -------------------------------------------------------------------------

def test_the_prior_sensitivity_is_on_the_page(analysis):
    changed = Sensitivity("expectation", "placebo_period", None, None, False, "psis")
    held = Sensitivity("sceptical", "continue", "glycinate", 300.0, True, "psis")
    page = html.unescape(render_clinician(dataclasses.replace(
        analysis, sensitivity=(held, changed))))
    assert ("the recommendation changes under the expectation prior (-> take a blinded placebo "
            "period), so it rests partly on the published evidence") in page
    page = html.unescape(render_clinician(dataclasses.replace(analysis, sensitivity=(held,))))
    assert "Prior sensitivity (sceptical: prior means halved;" in page
    assert "the recommendation holds under each." in page
    page = html.unescape(render_clinician(dataclasses.replace(analysis, sensitivity=())))
    assert f"Prior sensitivity: {analysis.sensitivity_skipped()}." in page


# 4. The evidence table ------------------------------------------------------------------------

def test_the_evidence_table_tells_studies_in_people_from_claims(page):
    table = section(page, "Evidence behind the priors")
    assert "the studies in people (the form's own + borrowed) and, in brackets, the claims " \
        "without data in people" in table
    assert "<th>sources</th>" not in table
    # glycinate's GI prior: a trial and a meta-analysis of magnesium in general, the chelates'
    # expert claim and glycinate's marketing claim (the page said "sources 4")
    glycinate = table.split("<td>glycinate</td>")[1].split("</tr>")[0]
    assert "<td>very low, expert, 0 + 2 (1 expert, 1 marketing)</td>" in glycinate
    citrate = table.split("<td>citrate</td>")[1].split("</tr>")[0]
    assert "<td>low, direct, 1 + 0</td>" in citrate
    # a row per form, a column per outcome: the table is no longer forms x outcomes rows long
    assert table.count("<td>glycinate</td>") == 1 and "<th>GI nights</th>" in table
    # on a second printed page (a long history), the evidence moves whole, never split
    assert '<div class="whole"><h2>Evidence behind the priors</h2>' in page
    assert ".whole { break-inside: avoid; }" in page


def test_each_basis_shown_is_explained(page):
    table = section(page, "Evidence behind the priors")
    shown = {basis for basis in BASIS_WORDS if f", {basis}, " in table}    # a cell's basis
    assert {"reference", "expert", "direct"} <= shown
    for basis in shown:
        assert f"{basis} = {BASIS_WORDS[basis]}" in table
    assert set(BASIS_WORDS) == {"direct", "class", "group", "pooled", "override", "expert",
                                "reference"}                       # the README's seven


# 5. A split dose's GI figure ------------------------------------------------------------------

def assessed(action, regimen, p, gain=0.147):
    return SimpleNamespace(action=action, regimen=regimen, feasible=True,
                           p_constraint_violation=p, gain={"gi_rate": gain},
                           gain_low={"gi_rate": 0.058}, gain_high={"gi_rate": 0.241})


def test_a_split_doses_gi_figure_says_it_rests_on_an_assumption():
    citrate = Regimen("citrate", 300)
    stay, stop = assessed("continue", citrate, 0.57, 0.0), assessed("stop", NO_MAGNESIUM, 0.0)
    split = assessed("split_dose", dataclasses.replace(citrate, split=True), 0.07)
    line = gentler_line(stop, [stay, split, stop], DecisionSettings())
    assert line.endswith("split the dose: citrate 300 mg in two intakes (about 4.4 fewer GI "
                         "nights a month, 90% interval 1.7 to 7.2; a figure that rests on the "
                         "model's assumption that GI risk follows the dose per intake).")
    lower = assessed("decrease_dose", Regimen("citrate", 200), 0.3)
    said = gentler_line(stop, [stay, lower, stop], DecisionSettings())
    assert said.startswith(GENTLEST) and SPLIT_ASSUMPTION not in said     # a dose measured


def test_the_page_says_the_diary_has_no_split_night(analysis):
    line = (f"{GENTLEST} and you keep taking magnesium, the gentlest step open now is to split "
            "the dose: glycinate 300 mg in two intakes (about 3.8 fewer GI nights a month, "
            f"90% interval 0.9 to 6.6; {SPLIT_ASSUMPTION}).")
    rec = analysis.decision.recommendation
    told = dataclasses.replace(analysis, decision=dataclasses.replace(
        analysis.decision, recommendation=dataclasses.replace(
            rec, reasons=(*rec.reasons, line))))
    nights = analysis.diary.nights
    assert not (nights["split"] & nights["form"].isin(FORMS)).any()
    assert f"{third_person(line)} The diary has no night on a split dose yet." \
        in html.unescape(render_clinician(told))    # in the page's third person
    split = dataclasses.replace(told, diary=dataclasses.replace(
        analysis.diary, nights=nights.assign(split=nights["form"] == "glycinate")))
    page = html.unescape(render_clinician(split))
    assert third_person(line) in page and "no night on a split dose" not in page


# 6. The ceiling's source ----------------------------------------------------------------------

@pytest.mark.parametrize(("profile", "said"), [
    (Profile(), "Daily ceiling used: 350 mg elemental magnesium. Source: IOM1997_UL, US "
                "tolerable upper intake level for supplemental magnesium (adults). Other upper "
                "levels: SCF2001_EFSA, 250 mg (EU UL"),
    (Profile(pregnant=True), "Daily ceiling used: 250 mg elemental magnesium. Set by the rule "
                             "for pregnancy; the 350 mg default is IOM1997_UL, US tolerable"),
    (Profile(max_elemental_mg=200), "Daily ceiling used: 200 mg elemental magnesium. Set by "
                                    "the profile's max_elemental_mg; the 350 mg default is "
                                    "IOM1997_UL"),
    (Profile(other_magnesium_mg=100), "Daily ceiling used: 250 mg elemental magnesium (after "
                                      "100 mg a day of magnesium from other products). "
                                      "Source: IOM1997_UL")])
def test_the_ceiling_says_its_source(priors, profile, said):
    rules = screen(profile, priors.safety)
    assert said in html.unescape(clinician._safety(profile, priors.safety, rules, ()))


# 7. Spacing rules beside "stop now" -----------------------------------------------------------

def test_spacing_from_medicines_applies_only_if_magnesium_is_resumed(priors, analysis):
    spacing = "levothyroxine: take the thyroid medicine at least 4 h apart from magnesium."
    stopped = Profile(egfr=20, medications=("levothyroxine",))
    rules = screen(stopped, priors.safety, Regimen("glycinate", 200))
    assert rules.referrals
    listed = html.unescape(clinician._safety(stopped, priors.safety, rules, rules.warnings))
    assert ("Only if magnesium is resumed (or started) after the clinician's review: "
            + spacing) in listed
    assert f"Caution: {spacing}" not in listed
    page = html.unescape(render_clinician(dataclasses.replace(analysis, profile=stopped)))
    assert f"review: {spacing}" in page and f"Caution: {spacing}" not in page
    taking = Profile(medications=("levothyroxine",))
    rules = screen(taking, priors.safety)
    listed = html.unescape(clinician._safety(taking, priors.safety, rules, rules.warnings))
    assert f"Caution: {spacing}" in listed and "Only if magnesium is resumed" not in listed
