"""The words a person reads first: changes in diary units, verdicts, numbers, the summary."""

import datetime as dt
import math
import re
from dataclasses import replace

import pytest

from model.analysis.effects import DiaryEffect
from model.analysis.pathways import Pathway
from model.cli.analyze import print_summary
from model.core.change_words import change_words
from model.core.outcomes import SPECS
from model.core.regimen import Regimen
from model.report.effect_words import effect_line, old_without, verdict_phrase
from model.report.format import DASH, cell, number, table
from model.report.headline import headline
from model.report.pathway_words import pathway_lines, pathways_intro
from model.testing import example_analysis


def effect(outcome="sol", mean=-11.0, low=-18.0, high=-4.0, verdict="works", **more):
    fields = {"p_benefit": 0.99, "p_beyond_mcid": 0.85, "p_harm_beyond_mcid": 0.0,
              "mcid": 20.0, "nights": 30, "nights_needed": None, "needs_placebo": False,
              "lean": "", "mcid_source": "EDINGER2021_AASM"} | more
    return DiaryEffect("glycinate", outcome, Regimen("glycinate", 300), fields["nights"],
                       SPECS[outcome].unit, mean, low, high, fields["p_benefit"],
                       fields["p_beyond_mcid"], fields["p_harm_beyond_mcid"], fields["mcid"],
                       verdict, fields["nights_needed"], fields["needs_placebo"], fields["lean"],
                       mcid_source=fields["mcid_source"])


@pytest.mark.parametrize(("args", "expected"), [
    (("sol", -11, -18, -4), "falling asleep 11 min faster (4 to 18 faster)"),
    (("sol", 3.2, -5, 12), "falling asleep 3 min slower (5 faster to 12 slower)"),
    (("awakenings", -0.3, -1.1, 0.5), "0.3 fewer awakenings a night (1.1 fewer to 0.5 more)"),
    (("quality", 0.42, 0.1, 0.8), "sleep quality 0.4 points higher (0.1 to 0.8 higher)"),
    (("anxiety", -1.2, -2.0, -0.4), "evening anxiety 1.2 points lower (0.4 to 2.0 lower)"),
    (("gi", 0.1, 0.05, 0.15), "GI nights: +3.0 a month (+1.5 to +4.5)"),
    (("gi", -0.4, -0.5, -0.3), "GI nights: -12 a month (-15 to -9)"),
    (("sol", 0.0001, -0.0001, 0.0002), "falling asleep: no change"),
    (("sol", -0.5, -13.7, 11.9), "falling asleep 0.5 min faster (14 faster to 12 slower)"),
    (("sol", -13.1, -25.6, -0.4), "falling asleep 13 min faster (0 to 26 faster)"),
])
def test_change_words_known_answers(args, expected):
    assert change_words(*args) == expected


def test_verdict_phrases():
    assert effect_line(effect()) == "falling asleep 11 min faster (4 to 18 faster): works for you"
    assert verdict_phrase(effect(mean=11.0, low=4.0, high=18.0, verdict="harms", p_benefit=0.01,
                                 p_harm_beyond_mcid=0.85)) == "harms you"
    # a statistics audit: "morning freshness 2.2 points higher (0.0 lower to 4.6 higher):
    # works for you" at P(beyond the MCID) 0.83: an interval past zero is "probably" too
    assert verdict_phrase(effect("freshness", mean=2.2, low=-0.03, high=4.56, p_benefit=0.95,
                                 p_beyond_mcid=0.83, mcid=1.0)).startswith(
        "probably works for you (P 0.95 it helps; P 0.83 by more than the 1.0 points")
    # a safety audit: "24 min faster (51 faster to 3 slower): works for you" at P(beyond the
    # MCID) 0.60: the direction alone is "probably", with both chances
    assert verdict_phrase(effect(mean=-24.0, low=-51.0, high=3.0, p_benefit=0.93,
                                 p_beyond_mcid=0.60)) == (
        "probably works for you (P 0.93 it helps; P 0.60 by more than the 20 min that matters)")
    assert verdict_phrase(effect("gi", verdict="harms", p_benefit=0.04, p_harm_beyond_mcid=0.5,
                                 mcid=0.05)) == (
        "probably harms you (P 0.96 it is worse; P 0.50 by more than the 1.5 a month that "
        "matters)")
    assert verdict_phrase(effect(mean=-2.0, low=-6.0, high=3.0,
                                 verdict="no_meaningful_effect")) == \
        "not shown to reach the 20 min that trials count as meaningful, either way"
    assert verdict_phrase(effect("gi", mean=0.01, low=-0.02, high=0.03,
                                 verdict="no_meaningful_effect", mcid=0.05,
                                 mcid_source="project judgement (no published MCID)")) == \
        ("not shown to reach the 1.5 a month that we count as meaningful (our judgement), "
         "either way")
    # a trial audit: "8 min faster (4 to 13): no meaningful effect" at P 0.998 it helps
    assert verdict_phrase(effect(mean=-8.0, low=-13.0, high=-4.0, p_benefit=0.998,
                                 verdict="no_meaningful_effect", lean="helps")) == \
        "helps a little (P > 0.99 it helps), by less than the 20 min that matters"
    assert verdict_phrase(effect("gi", mean=0.02, low=0.01, high=0.03, p_benefit=0.02,
                                 verdict="no_meaningful_effect", mcid=0.05, lean="worse")) == \
        "a little worse (P 0.98 it is worse), by less than the 1.5 a month that matters"
    assert verdict_phrase(effect(verdict="inconclusive", p_benefit=0.95, nights_needed=40,
                                 lean="helps", p_beyond_mcid=0.4)) \
        == ("probably helps (P 0.95), not yet a settled verdict: P 0.40 it helps by more than "
            "the 20 min that matters; about 40 more written nights on it to tell")
    # the statistics audit: "probably worse (P 0.10)" gave P(better) for the worse side
    assert verdict_phrase(effect(verdict="inconclusive", p_benefit=0.09, lean="worse",
                                 p_harm_beyond_mcid=0.3)) \
        == ("probably worse (P 0.91), not yet a settled verdict: P 0.30 it is worse by more "
            "than the 20 min that matters")
    assert verdict_phrase(effect(verdict="inconclusive", p_benefit=0.905)) == "not settled yet"
    assert verdict_phrase(effect(verdict="inconclusive", p_benefit=0.5, nights_needed=1)) \
        == "not settled yet: close to a verdict: the next nights may settle it either way"
    assert verdict_phrase(effect(verdict="inconclusive", p_benefit=0.5)) == "not settled yet"
    assert verdict_phrase(effect(verdict="inconclusive", needs_placebo=True)) == \
        "not settled yet: placebo nights are needed to tell magnesium from expectation"


@pytest.mark.parametrize(("value", "column", "expected"), [
    (True, "", "yes"), (False, "feasible", "no"), (None, "", DASH), (math.nan, "", DASH),
    (2430.0, "", "2,430"), (1.00641, "max_rhat", "1.006"), (-0.0001, "", "0.00"),
    (0.5455, "p_best", "0.55"), (2922.4, "min_ess_bulk", "2,922"), (7, "", "7"),
    ("", "", DASH), (("a", "b"), "", "a, b"),
])
def test_cells_for_people(value, column, expected):
    assert cell(value, column) == expected


def test_table_headers_and_escaping():
    import pandas as pd

    page = table(pd.DataFrame({"p_best": [0.5], "note": ["<b>&</b>"], "feasible": [True]}))
    assert "<th>P(best)</th>" in page and "<th>allowed now</th>" in page
    assert "&lt;b&gt;&amp;&lt;/b&gt;" in page and "<td>yes</td>" in page
    assert number(float("inf")) == DASH


@pytest.mark.fit
def test_terminal_summary_leads_with_the_headline(capsys):
    result = example_analysis()
    print_summary(result)
    out = capsys.readouterr().out
    said = headline(result)
    lines = out.splitlines()
    first = lines.index(f"Recommendation: {said.what}")
    assert lines[first + 1].startswith("Why: ") and lines[first + 2].startswith("How sure: ")
    assert lines[first + 3] == f"Look again: {said.review}"
    assert "with NUTS (" in out and "max R-hat 1.0" in out
    sol = result.effects.get("glycinate", "sol")
    line = effect_line(sol, old=old_without(result.diary.nights))   # its nights off: January
    assert f"    {line}" in lines and "min faster" in line
    assert "GI nights: +" in out and "harms you" in out    # citrate's GI
    assert out.index("What magnesium did for you") < out.index("The decision in detail")
    assert result.effects.placebo_nights > 0 and "No placebo nights yet" not in out
    assert len(result.pathways) == 3 and "What would change this" in out
    assert all(f"  {line}" in lines for line in pathway_lines(result.pathways))


@pytest.mark.parametrize(("action", "regimen", "codes", "why"), [
    # a titration is a rule, not a step chosen for its learning value (no code learn)
    ("increase_dose", Regimen("glycinate", 300.0), ("titration",),
     "The planned dose step: glycinate is the form to keep, and the model expects the higher "
     "dose to do better before the cost of a change, though not surely; its dose curve cannot "
     "tell from nights at the lower dose whether you need more, so the step is taken by rule"),
    ("switch_form", Regimen("taurate", 200.0), ("crossover", "learn"),
     "To learn: the planned crossover tries the most promising forms in turn"),
    # a first step the crossover's order took among forms as promising said "its nights are
    # expected to teach more than they cost", the words of a learning-value pick
    # ... and "published evidence alone ranks them" whatever that evidence held on what counts
    # most for the person (audit G): it says what it holds (tests/test_complaint_words.py)
    ("start", Regimen("glycinate", 200.0), ("first_step", "crossover", "learn"),
     "To learn: on falling asleep, which counts most for you, no form has a study in people of "
     "its own, only evidence borrowed from magnesium in general or claims without studies in "
     "people (very low certainty). So the planned crossover tries the most promising forms in "
     "turn, each for one period at the same dose, and then your own nights choose among them; "
     "glycinate goes first"),
])
def test_the_headline_says_why_a_planned_step_is_taken(action, regimen, codes, why):
    result = example_analysis()
    rec = replace(result.decision.recommendation, action=action, regimen=regimen,
                  reason_codes=codes, commit=False)
    said = headline(replace(result, decision=replace(result.decision, recommendation=rec)))
    assert said.why.startswith(why)
    if "learn" in codes:
        assert said.sure == "Not a final answer: a step taken to learn from."
    else:                                      # a rule's step says how sure the model is
        assert said.sure.startswith("Not sure yet: better than what you do now in ")


def test_a_step_forced_by_a_broken_rule_says_so_first():
    result = example_analysis()
    breach = "Your current citrate@800 is above your ceiling of 350 mg/day, so it is not kept."
    rec = replace(result.decision.recommendation, action="stop", regimen=Regimen("none"),
                  reason_codes=("forced", "current_above_ceiling"), commit=False,
                  reasons=(breach, "The only step allowed now."))
    said = headline(replace(result, decision=replace(result.decision, recommendation=rec)))
    assert said.what == "Stop taking magnesium."
    assert said.why == f"{breach} This is the only step allowed now."
    # not "Not sure yet": the step is the rule's, and the model's view is said as its own
    better = rec.scores.p_better_than_continue
    assert said.sure == ("A safety rule, not an estimate: for your sleep alone the model finds "
                         f"it better than what you do now in {better:.0%} of its scenarios.")


def test_a_step_forced_by_the_evaluation_period_names_the_step_that_waits():
    """Not "no change is expected to do better": a better change may wait for the period."""
    result = example_analysis()
    waits = tuple(replace(a, reason_codes=("waiting",)) if a.action == "switch_form" else a
                  for a in result.decision.assessments)
    top = max((a for a in waits if a.reason_codes == ("waiting",)),
              key=lambda a: a.expected_utility)
    # the step the choice takes once the period is over (model/decision/after_period.py)
    waits = tuple(replace(a, after_period=True) if a is top else a for a in waits)
    top = replace(top, after_period=True)
    rec = replace(result.decision.recommendation, action="continue", reason_codes=("forced",),
                  commit=False)
    rec = replace(rec, scores=replace(rec.scores, expected_utility=top.expected_utility - 0.1))
    said = headline(replace(result, decision=replace(result.decision, recommendation=rec,
                                                     assessments=waits)))
    assert said.why == (
        f"A change waits until {rec.next_review.isoformat()}, when the current period has run "
        f"long enough to judge one (its length follows the build-up time estimated from your "
        f"nights, so the date may move, earlier or later, as that estimate settles); on current "
        f"data the best step then "
        f"is to switch to "
        f"{top.regimen.form} {top.regimen.elemental_mg:g} mg.")
    # a user audit: "the best step then is to raise the dose" when that step's expected
    # utility (-0.09) was below staying's (0): no step is named then
    stay = replace(rec, scores=replace(rec.scores, expected_utility=top.expected_utility + 0.1))
    said = headline(replace(result, decision=replace(result.decision, recommendation=stay,
                                                     assessments=waits)))
    assert said.why.endswith(
        f"on current data the step then is to switch to {top.regimen.form} "
        f"{top.regimen.elemental_mg:g} mg, taken by the plan or for what it teaches: no change "
        f"then is expected to do better than staying.")
    # nothing waiting (every other step blocked by a hard rule): the plain words
    alone = headline(replace(result, decision=replace(result.decision, recommendation=rec)))
    assert alone.why.startswith("No change is expected to do better than what you do now")
    # a statistics audit: a continue chosen outright said "no change is expected to do
    # better" while a step waiting for the period had a higher expected utility
    chosen = replace(rec, reason_codes=("best_expected",))
    said = headline(replace(result, decision=replace(result.decision, recommendation=chosen,
                                                     assessments=waits)))
    assert said.why.startswith(
        "No change open now is expected to do better than what you do now; once this period "
        f"is over, to switch to {top.regimen.form} {top.regimen.elemental_mg:g} mg may")
    # "the best step then is to stop magnesium no magnesium" (a re-audit of the wording)
    stop_waits = tuple(replace(a, reason_codes=("waiting",), expected_utility=9.0,
                               after_period=True) if a.action == "stop"
                       else replace(a, after_period=False) for a in waits)
    said = headline(replace(result, decision=replace(result.decision, recommendation=rec,
                                                     assessments=stop_waits)))
    assert said.why.endswith("on current data the best step then is to stop magnesium.")


@pytest.mark.parametrize(("action", "period"), [
    ("stop", "after the next period without magnesium, which shows what citrate 800 mg did"),
    ("withdrawal", "after the next period without magnesium, which shows what citrate 800 mg"),
    ("placebo_period", "after the next period on a blinded placebo, which shows what citrate"),
    ("continue", "after the next period on citrate 800 mg (if what citrate 800 mg does for"),
])
def test_the_pathways_name_the_period_the_advice_asks_for(action, period):
    paths = (Pathway("badly", Regimen("citrate", 800.0), -0.5, "start",
                     Regimen("threonate", 200.0), ("crossover", "learn")),)
    assert period in pathways_intro(paths, action)


def test_pathways_that_all_lead_to_one_step_are_said_once():
    """Gwern's diary: 'if it goes badly / as expected / well: start threonate 200 mg' thrice."""
    same = tuple(Pathway(scenario, Regimen("citrate", 800.0), benefit, "start",
                         Regimen("threonate", 200.0), ("crossover", "learn"))
                 for scenario, benefit in (("badly", -0.5), ("as_expected", 0.1), ("well", 0.9)))
    assert pathway_lines(same) == ["whichever way it goes: start threonate 200 mg (to learn)"]
    # the same step, chosen on worth when it goes badly and to learn otherwise: one line
    plain = (replace(same[0], reason_codes=("best_expected",)), *same[1:])
    assert pathway_lines(plain) == ["whichever way it goes: start threonate 200 mg"]
    differ = (*same[:2], Pathway("well", Regimen("citrate", 800.0), 0.9, "continue",
                                 Regimen("citrate", 300.0), ("commit",)))
    lines = pathway_lines(differ)
    assert len(lines) == 3 and lines[0].startswith("if it goes badly: start threonate 200 mg")
    assert lines[2].endswith("(settled)")
    by_design = replace(differ[2], reason_codes=("commit", "by_design"))
    assert pathway_lines((*same[:2], by_design))[2].endswith(
        "(kept by the trial's design, not settled)")


def test_a_review_date_that_has_passed_says_so():
    """A diary that ended months ago once read "Look again: 2026-05-13 (in 13 days)"."""
    from model.report.headline import review_words

    review, as_of = dt.date(2026, 5, 13), dt.date(2026, 4, 30)
    # counted from today, not from the last night (a user audit: "in 3 days" two days ahead)
    assert review_words(review, as_of, today=dt.date(2026, 5, 1)) == "2026-05-13 (in 12 days)."
    assert review_words(review, as_of, today=dt.date(2026, 4, 20)) == "2026-05-13 (in 13 days)."
    late = review_words(review, as_of, today=dt.date(2026, 12, 3))
    assert late.startswith("2026-05-13 (13 days after 2026-04-30, the date this analysis is as "
                           "of; that date has passed")


@pytest.mark.parametrize(("action", "better", "learning", "said", "codes"), [
    ("continue", 0.5, 0.2, "not sure yet: keep going and the next nights will tell more.", ()),
    ("continue", 0.5, 0.0, "not a final answer: nothing else open now is expected to do "
                           "better, and more nights here would teach little.", ()),
    ("switch_form", 0.6, 0.0, "not sure yet: better than what you do now in 60%", ()),
    ("switch_form", 1.0, 0.0, "a step, not yet the regimen to settle on: better than what you "
                              "do now in more than 99%", ()),   # never 100% (/tmp/hH)
    # not "more nights here would teach little" beside a crossover with a form left to try,
    # nor beside a close call whose reason says the coming nights will tell the two apart
    ("continue", 0.5, 0.0, "not a final answer: the planned crossover still has a form to try "
                           "once this period is over.", ("crossover_held",)),
    ("continue", 0.5, 0.0, "not sure yet: another step is as good within this fit's Monte Carlo "
                           "error; the coming nights will tell them apart.", ("close_call",)),
    # a statistics audit: "more nights here would teach little" beside "about 21 more nights
    # on it to tell", on the only step open during an evaluation period
    ("continue", 1.0, 0.0, "not a final answer: the only step open until this period is over",
     ("forced",))])
def test_how_sure_never_contradicts_the_numbers_beside_it(action, better, learning, said, codes):
    """A user audit: "Not sure yet: keep going and the next nights will tell more" beside
    "nothing left to learn from it", and "Not sure yet: better ... in 100%"."""
    from model.decision.results import Recommendation, Scores
    from model.report.how_sure import how_sure

    scores = Scores({}, 0.1, 0.3, better, 0.0, learning, 0.0)
    rec = Recommendation(action, Regimen("glycinate", 200), scores, False, dt.date(2026, 1, 1),
                         (), (), ("best_expected", *codes))
    assert how_sure(rec).startswith(said)


def test_the_why_names_a_benefit_never_a_harm():
    """"Why: It matters most for 0.6 more awakenings a night" (a harm) stood as a switch's why."""
    from types import SimpleNamespace

    from model.data.profile import Profile
    from model.evidence.priorset import load_priors
    from model.report.headline import _driver, review_words

    def result(gain: dict[str, float], action: str = "switch_form",
               codes: tuple[str, ...] = ()) -> SimpleNamespace:
        chosen = SimpleNamespace(action=action, gain=gain,
                                 gain_low={v: g - 0.1 for v, g in gain.items()},
                                 gain_high={v: g + 0.1 for v, g in gain.items()})
        rec = SimpleNamespace(reason_codes=codes)
        return SimpleNamespace(decision=SimpleNamespace(chosen=0, assessments=[chosen],
                                                        recommendation=rec),
                               profile=Profile(), fit=SimpleNamespace(priors_=load_priors()))

    # awakenings: 0.6 more a night (gain -0.6) weighs more than a quality gain (one that
    # matters: a smaller one is named by no why, /tmp/w50/a F7)
    mixed = _driver(result({"awakenings": -0.6, "quality": 0.5}))
    assert mixed.startswith("it matters most for sleep quality") and "awakenings" not in mixed
    assert _driver(result({"awakenings": -0.6, "quality": -0.3})) == ""
    assert _driver(result({"gi_rate": 0.05, "quality": 0.5})).startswith(
        "it matters most for sleep quality")
    # fewer loose stools is the reason to take less magnesium (stop, a lower or split dose)
    assert _driver(result({"gi_rate": 0.18, "quality": -0.3}, "stop")).startswith(
        "it matters most for GI nights")
    # a switch the acute GI rule drives leads with its GI change (/tmp/w45/A F3)
    assert _driver(result({"gi_rate": 0.18, "quality": 0.3}, codes=("acute_gi",))).startswith(
        "it matters most for GI nights: -5.4 a month")
    assert review_words(dt.date(2026, 5, 2), dt.date(2026, 5, 1),
                        today=dt.date(2026, 6, 1)).startswith("2026-05-02 (1 day after")


def test_a_step_in_words():
    """The prior-sensitivity line read "(-> switch_form malate@200)" and "(-> collect_more_data
    threonate@200)"; a waiting stop read "stop magnesium no magnesium"."""
    from model.core.change_words import step_words

    assert step_words("switch_form", Regimen("malate", 200)) == "switch to malate 200 mg"
    assert step_words("collect_more_data", Regimen("threonate", 200)) == "keep threonate 200 mg"
    assert step_words("stop", Regimen("none", 0)) == "stop magnesium"
    assert step_words("split_dose", Regimen("glycinate", 300, True)) == \
        "split the dose: glycinate 300 mg in two intakes"


@pytest.mark.parametrize(("stop_better", "said"), [
    (0.1, "You leave glycinate 300 mg, which looks to help you (P(better than stopping) 0.90): "
          "if it stays the best, the crossover comes back to it. Its effect may still be "
          "building: 35 nights on it, and a build-up as slow as the fit allows (time constant "
          "up to 23 nights) reaches 80 % after 38."),
    # a sleep scientist's audit (/tmp/w45/A F1): its sleep onset unsettled, left early is said
    (0.5, "You leave glycinate 300 mg before its effect may have built up: 35 nights on it, "
          "and a build-up as slow as the fit allows (time constant up to 23 nights) reaches "
          "80 % after 38.")])
def test_a_switch_to_learn_says_what_it_gives_up(stop_better, said):
    """An anxious person on glycinate (P 0.90 that it helped) read "Switch to taurate ... to
    learn" with no word that glycinate seemed to help (an anxious person's audit)."""
    result = example_analysis()
    rec = replace(result.decision.recommendation, action="switch_form",
                  regimen=Regimen("taurate", 800.0), reason_codes=("crossover", "learn"),
                  commit=False)
    assessments = tuple(replace(a, p_better_than_continue=stop_better) if a.action == "stop"
                        else a for a in result.decision.assessments)
    why = headline(replace(result, decision=replace(
        result.decision, recommendation=rec, assessments=assessments))).why
    # the fit's numbers (P, the time constant, the nights) are the fit's: any number there
    number = r"\d+(?:\.\d+)?"
    pattern = number.join(re.escape(part) for part in re.split(number, said))
    assert re.search(pattern + "$", why) and why.count("You leave") == bool(said)


def test_a_step_that_keeps_a_form_says_what_it_probably_harms():
    """"Raise the dose to glycinate, 300 mg. Why: It matters most for sleep quality 0.1 points
    higher" stood beside evening anxiety that glycinate "probably harms" (an outside audit,
    /tmp/hH): the why names the trade-off."""
    from model.decision import history

    result = example_analysis()
    current = history(result.diary).current
    worse = replace(effect("anxiety", mean=1.4, low=0.5, high=2.3, verdict="harms",
                           p_benefit=0.01, p_harm_beyond_mcid=0.85, mcid=1.0),
                    form=current.form, regimen=current)
    effects = replace(result.effects, by_regimen=(*result.effects.by_regimen, worse))
    up = Regimen(current.form, current.elemental_mg + 100)
    rec = replace(result.decision.recommendation, action="increase_dose", regimen=up,
                  reason_codes=("best_expected",), commit=False)
    said = headline(replace(result, effects=effects, decision=replace(
        result.decision, recommendation=rec))).why
    assert said.endswith(f"Against that, on {current.form} so far: evening anxiety 1.4 points "
                         "higher (0.5 to 2.3 higher): harms you; the advice weighs it against the "
                         "gain by how much each outcome matters (your profile's weights, or the "
                         "defaults).")
    switch = replace(rec, action="switch_form", regimen=Regimen("taurate", 200))
    assert "Against that" not in headline(replace(result, effects=effects, decision=replace(
        result.decision, recommendation=switch))).why


def test_a_commitment_the_prior_changes_says_so():
    """"How sure: Sure enough to settle on this" stood beside "Prior sensitivity: changes under
    the confident prior ..., expectation prior ..." (an outside audit, /tmp/hH)."""
    from model.analysis.sensitivity import Sensitivity

    result = example_analysis()
    rec = replace(result.decision.recommendation, commit=True, reason_codes=("commit",))
    prior = [Sensitivity("sceptical", rec.action, None, None, True, "psis"),
             Sensitivity("confident", "switch_form", "taurate", 200.0, False, "psis"),
             Sensitivity("expectation", "switch_form", "taurate", 200.0, False, "refit")]

    def sure(sensitivity, commit=True):
        return headline(replace(result, sensitivity=tuple(sensitivity), decision=replace(
            result.decision, recommendation=replace(rec, commit=commit)))).sure

    assert sure(prior).endswith(
        "Under 2 of the 3 other priors checked (confident, expectation) the step differs (see "
        "Prior sensitivity): what keeps it rests partly on the published evidence, not on "
        "your nights alone.")
    assert "Under" not in sure(prior[:1]) and "Under" not in sure(prior, commit=False)
