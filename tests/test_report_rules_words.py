"""The person's words say what the decision's rules say (an outside audit, /tmp/jJ F1, F7).

The decision gained a no-baseline withdrawal (a diary all on magnesium gets nights off first:
:mod:`model.decision.baseline`) and "Kept by the trial's design, not settled" for a
commitment the crossover's end makes with P(best) below 0.8; the headline, the pathways, the
report and the effect lines had kept older words: "Stop your magnesium for one evaluation
period", "Settled by the trial's design" (reversed one look later), "placebo nights are
needed" beside advice to stop for 17 nights, and "about 1 more night on it to tell" look
after look, also for a dose the person had left. Known diaries and decisions, known words.
"""

import datetime as dt
import functools
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from model.analysis.effects import DiaryEffect, diary_effects
from model.analysis.pathways import Pathway
from model.core.forms import FORMS
from model.core.outcomes import OUTCOMES, SPECS
from model.core.regimen import Regimen
from model.data.diary import read_diary
from model.data.profile import Profile
from model.decision import decide
from model.decision.results import Recommendation, Scores
from model.evidence.priorset import load_priors
from model.report import headline
from model.report.effect_words import tried_forms, verdict_phrase
from model.report.headline import what_to_do
from model.report.how_sure import how_sure, prior_caveat
from model.report.pathway_words import pathway_lines
from model.testing import FakePosterior

WEIGHTS = Profile().outcome_weights()   # the default order of each dose's effects


priors = functools.cache(load_priors)
CLOSE = "close to a verdict: the next nights may settle it either way"


def diary(*periods: tuple[str, float, int]):
    """A diary of consecutive (form, elemental mg, nights) periods, every outcome recorded."""
    rows = [(form, mg) for form, mg, n in periods for _ in range(n)]
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({
        "date": pd.date_range("2026-09-01", periods=len(rows)).strftime("%Y-%m-%d"),
        "form": [f if f != "none" else "" for f, _ in rows],
        "elemental_mg": [mg for _, mg in rows],
        "sol_min": np.round(np.exp(np.log(30) + rng.normal(0, 0.45, len(rows)))),
        "awakenings": 2, "quality": 3, "freshness": 5, "anxiety": 5, "stool_bristol": 4})
    return read_diary(frame)


def entangled() -> FakePosterior:
    """Glycinate plus expectation is known, the split is not (a diary all on magnesium)."""
    return FakePosterior(n_draws=1000, benefit={"glycinate": 0.3}, expectation=0.3,
                         expectation_sd=0.4, entangled={"glycinate": 1.0})


def withdrawal(*periods: tuple[str, float, int]):
    """The decision on a diary the no-baseline rule answers, and what the headline reads."""
    nights = diary(*periods)
    as_of = dt.date(2026, 9, 1) + dt.timedelta(days=sum(n for *_, n in periods) - 1)
    decision = decide(entangled(), priors=priors(), diary=nights, as_of=as_of,
                      separable=False)
    rec = decision.recommendation
    assert rec.action == "withdrawal" and "no_baseline" in rec.reason_codes
    return rec, SimpleNamespace(decision=decision, diary=nights, profile=Profile())


def test_a_withdrawal_says_what_to_stop_and_for_how_many_nights():
    """The headline said "Stop your magnesium for one evaluation period" beside the detail's
    "Stop glycinate 200 mg for 17 nights": its own first reason, the same words, now."""
    rec, _ = withdrawal(("glycinate", 200, 60))
    said = what_to_do(rec)
    assert said == rec.reasons[0]
    assert said.startswith("Stop glycinate 200 mg for ") and "nights, then take it again" in said
    assert "evaluation period" not in said


def test_the_why_of_the_no_baseline_withdrawal_is_the_missing_baseline():
    """Not the generic "to learn: nights off show whether magnesium helped, or time alone"."""
    rec, result = withdrawal(("glycinate", 200, 60))
    assert "withdrawal_test" in rec.reason_codes       # the generic branch would match too
    assert headline._why(result) == (
        "your diary has no nights without magnesium, so it cannot tell what your magnesium "
        "does for you; these nights off let the next analysis tell (`mgsleep plan --blind` "
        "prepares a blinded version).")
    # a few nights off, fewer than a withdrawal needs: said as they are, not as none
    _, few = withdrawal(("none", 0, 3), ("glycinate", 200, 40))
    assert headline._why(few).startswith(
        "your diary has only 3 nights without magnesium, too few to compare with, so it "
        "cannot tell what your magnesium does for you")


def _by_design(p_best: float = 0.09) -> Recommendation:
    scores = Scores({}, 0.1, p_best, 0.4, 0.0, 0.0, 0.0)
    return Recommendation("continue", Regimen("threonate", 300), scores, True,
                          dt.date(2026, 11, 1), (), (), ("commit", "by_design"))


def test_a_commitment_by_design_is_kept_not_settled():
    """Look 5 said "Continue threonate 300 mg ... Settled by the trial's design" at P(best)
    0.09, look 6 "Switch to taurate 300 mg" (/tmp/jJ F7)."""
    said = how_sure(_by_design())
    assert said.startswith("kept by the trial's design, not settled: ")
    assert "in only 9%" in said and said.endswith("the next nights may still change it.")
    assert "settled by" not in said.lower()
    paths = tuple(Pathway(scenario, Regimen("threonate", 300.0), benefit, "continue",
                          Regimen("threonate", 300.0), ("commit", "by_design"))
                  for scenario, benefit in (("badly", -0.5), ("as_expected", 0.1),
                                            ("well", 0.9)))
    assert pathway_lines(paths) == [
        "whichever way it goes: continue threonate 300 mg (kept by the trial's design, not "
        "settled)"]
    other = [SimpleNamespace(prior="sceptical", holds=False),
             SimpleNamespace(prior="confident", holds=True)]
    caveat = prior_caveat(_by_design(), other)
    assert "what keeps it rests partly on the published evidence" in caveat
    assert "settles" not in caveat


def test_the_report_scores_do_not_call_a_commitment_by_design_settled():
    """The report's scores table put "settled: yes" under the words "not settled"."""
    from model.report import html

    rec = _by_design()
    assessment = SimpleNamespace(feasible=True)
    result = SimpleNamespace(decision=SimpleNamespace(recommendation=rec, chosen=None,
                                                      assessments=[assessment],
                                                      options_allowed=1))
    page = html._recommendation(result)
    assert "no: kept by the trial's design" in page.replace("&#x27;", "'")
    assert "<td>yes</td>" not in page


def effect(nights: int, needed: int | None) -> DiaryEffect:
    return DiaryEffect("threonate", "quality", Regimen("threonate", 300), nights,
                       SPECS["quality"].unit, 0.4, -0.1, 0.9, 0.93, 0.5, 0.0, 0.5,
                       "inconclusive", needed)


@pytest.mark.parametrize(("nights", "needed", "said"), [
    (30, 1, f"not settled yet: {CLOSE}"),         # a posterior on a verdict's threshold
    (41, 6, f"not settled yet: {CLOSE}"),
    (30, 7, "not settled yet: about 7 more written nights on it to tell"),
    (30, 40, "not settled yet: about 40 more written nights on it to tell"),
    (3, 4, f"not settled yet: {CLOSE}"),    # no count under 7 nights (/tmp/w46/C F1)
])
def test_a_verdict_within_reach_is_said_close_not_one_more_night(nights, needed, said):
    """"About 1 more night on it to tell" was said at look 5, 11 nights after look 4."""
    assert verdict_phrase(effect(nights, needed)) == said


def test_more_nights_to_tell_only_for_the_regimen_taken_now():
    """"About 1 more night on it to tell" was said of threonate 200 mg, a dose left."""
    fake = FakePosterior(benefit={"glycinate": 0.3}, benefit_sd=0.4, n_draws=2000)
    nights = diary(("none", 0, 300), ("glycinate", 200, 20), ("glycinate", 300, 25)).nights
    taught = 0.01 * np.random.default_rng(0).standard_normal((2000, len(FORMS), len(OUTCOMES)))
    effects = diary_effects(fake, nights, priors(), forms=["glycinate"], theta=taught)
    left = [e for e in effects.by_regimen if e.regimen == Regimen("glycinate", 200)]
    now = [e for e in effects.by_regimen if e.regimen == Regimen("glycinate", 300)]
    assert left and all(e.nights_needed is None for e in left)
    assert any(e.nights_needed is not None for e in now)
    assert effects.get("glycinate", "sol").regimen == Regimen("glycinate", 300)
    assert effects.get("glycinate", "sol").nights_needed is not None
    said = dict(tried_forms(effects, WEIGHTS))
    assert not any("on it to tell" in verdict_phrase(e) for e in said["glycinate 200 mg, 20 "
                                                                      "written nights"])


def test_a_diary_without_nights_off_asks_for_nights_off_not_placebo_nights():
    """Beside a withdrawal of 17 nights: "placebo nights are needed to tell magnesium from
    expectation". A diary all on glycinate lacks the nights off first (placebo nights count
    among them)."""
    fake = FakePosterior(benefit={"glycinate": -1.0}, benefit_sd=0.02, expectation=1.0,
                         n_draws=1000)
    nights = diary(("glycinate", 300, 30)).nights
    awakenings = diary_effects(fake, nights, priors(), forms=["glycinate"]).get(
        "glycinate", "awakenings")
    assert awakenings.verdict == "inconclusive" and not awakenings.needs_placebo
    assert awakenings.off_nights_needed == 7
    assert verdict_phrase(awakenings) == ("not settled yet: needs 7 more written nights "
                                          "without it to compare with")


@pytest.mark.parametrize(("action", "off"), [("withdrawal", True), ("placebo_period", True),
                                             ("continue", False)])
def test_the_reports_gains_of_nights_off_are_not_said_to_change_nothing(action, off):
    """Beside "Stop glycinate 200 mg for 17 nights" the report's expected change said "A step
    that keeps your form and dose changes nothing but its GI load"."""
    from model.report import html

    chosen = SimpleNamespace(action=action, gain={"sol_min": -4.0},
                             gain_low={"sol_min": -18.0}, gain_high={"sol_min": 10.0})
    result = SimpleNamespace(decision=SimpleNamespace(chosen=0, assessments=[chosen]))
    page = html._gains(result)
    assert ("changes nothing but its GI load" in page) != off
    assert ("what you may lose of its effect while they last" in page) == off
