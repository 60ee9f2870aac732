"""Loose stools in the diary's history: which nights count, and which regimens they mark.

An outside audit found a night skipped during loose stools on glycinate 300 mg cleared the
acute GI rule (and "start glycinate 300 mg" was the only step open), loose stools during the
baseline made "start threonate" the gentlest step, a dose cut that stopped loose stools was
followed by a planned titration back up, and a clean placebo period kept the warning of the
regimen before it.
"""

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from model.core.change_words import step_words
from model.core.forms import FORMS
from model.core.regimen import NO_MAGNESIUM, Regimen
from model.data.diary import read_diary
from model.decision import DecisionSettings, History, decide
from model.decision.history import history
from model.evidence.priorset import load_priors
from model.testing import FakePosterior

AS_OF = dt.date(2025, 3, 1)
G300, G200 = Regimen("glycinate", 300), Regimen("glycinate", 200)
DEFAULTS = DecisionSettings()


@pytest.fixture(scope="module")
def priors():
    return load_priors()


def diary_of(tmp_path: Path, nights: list[tuple[str, int, int]]) -> History:
    """The history of a diary of ``(form, mg, Bristol)`` nights ("" for no magnesium)."""
    start = dt.date(2025, 1, 1)
    rows = ["date,form,elemental_mg,sol_min,stool_bristol"]
    rows += [f"{start + dt.timedelta(days=k)},{form},{mg if form else ''},20,{bristol}"
             for k, (form, mg, bristol) in enumerate(nights)]
    path = tmp_path / "d.csv"
    path.write_text("\n".join(rows) + "\n")
    return history(read_diary(path))


def glycinate_after_baseline(tmp_path: Path, nights: int, more=lambda k: "",
                             columns: str = "") -> History:
    """14 nights without magnesium, then glycinate 300 mg; ``more`` adds row k's ``columns``."""
    start = dt.date(2025, 1, 1)
    rows = [f"date,form,elemental_mg,sol_min{columns}"] + [
        f"{start + dt.timedelta(days=k)},{'glycinate' if k >= 14 else ''},"
        f"{300 if k >= 14 else ''},20{more(k)}" for k in range(nights)]
    (tmp_path / "d.csv").write_text("\n".join(rows) + "\n")
    return history(read_diary(tmp_path / "d.csv"))


def test_a_skipped_night_keeps_the_loose_stools_of_the_nights_before(tmp_path):
    past = diary_of(tmp_path, [("", 0, 4)] * 14 + [("glycinate", 300, 4)] * 10
                    + [("glycinate", 300, b) for b in (6, 4, 7, 6)] + [("", 0, 4)])
    # the night without magnesium ends the diary: read as skipped (tests/test_trailing_skip.py)
    assert past.current == G300 and past.skipped == 1 and past.taking == G300
    assert past.recent_gi_nights == 3 and G300 in past.gi_troubled


def test_loose_stools_without_magnesium_are_not_magnesiums(tmp_path):
    baseline = diary_of(tmp_path, [("", 0, b) for b in (4, 4, 4, 6, 7, 4, 6, 4)])
    assert baseline.recent_gi_nights == 0 and not baseline.gi_troubled


def test_a_clean_placebo_period_clears_the_loose_stools_before_it(tmp_path):
    nights = ([("glycinate", 300, 4)] * 10 + [("glycinate", 300, b) for b in (6, 6, 4)]
              + [("placebo", 0, 4)] * 8)
    past = diary_of(tmp_path, nights)
    assert past.current == G300 and past.placebo_nights == 8
    assert past.recent_gi_nights == 0 and G300 in past.gi_troubled
    during = diary_of(tmp_path, nights[:-6])          # two placebo nights in: still recent
    assert during.recent_gi_nights == 2


def test_a_lower_dose_that_stopped_loose_stools_is_not_titrated_back_up(priors):
    helps = FakePosterior(n_draws=2000, benefit=dict.fromkeys(FORMS, 0.0) | {"glycinate": 0.15},
                          gi=dict.fromkeys(FORMS, 0.0), benefit_sd=0.05)
    past = History(G200, 30, frozenset({"glycinate", "taurate", "threonate"}), 0, {G200: 30})
    stepped = decide(helps, priors=priors, diary=past, as_of=AS_OF).recommendation
    assert (stepped.action, stepped.regimen) == ("increase_dose", G300)   # the titration
    troubled = dataclasses.replace(past, nights_on={G300: 10, G200: 30},
                                   gi_troubled=frozenset({G300}))
    kept = decide(helps, priors=priors, diary=troubled, as_of=AS_OF).recommendation
    assert "titration" not in kept.reason_codes and kept.regimen == G200


def test_a_return_to_a_dose_that_gave_loose_stools_waits_for_the_period(priors):
    model = FakePosterior(n_draws=1000, benefit={"glycinate": 0.5}, gi={"glycinate": 0.0},
                          benefit_sd=0.05)
    past = History(NO_MAGNESIUM, 1, frozenset({"glycinate"}), 3, {G300: 14, NO_MAGNESIUM: 15},
                   recently_taken=G300, gi_troubled=frozenset({G300}),
                   gi_trouble_words={G300: "loose stools"})
    decision = decide(model, priors=priors, diary=past, as_of=AS_OF)
    back = next(a for a in decision.assessments if a.regimen == G300)
    assert "waiting" in back.reason_codes and not back.feasible
    # judged over a full period, it would not wait but for the loose stools, and it says so
    # (the reason went unsaid after a stomach bug: an outside audit, /tmp/w49/g G2)
    judged = dataclasses.replace(past, nights_on={G300: 20, NO_MAGNESIUM: 15})
    back = next(a for a in decide(model, priors=priors, diary=judged, as_of=AS_OF).assessments
                if a.regimen == G300)
    assert not back.feasible and any(
        r.endswith("; a return to glycinate 300 mg waits too: you had loose stools on it")
        for r in back.blocked_by)
    assert decision.recommendation.regimen in (None, NO_MAGNESIUM)
    assert any(w.startswith("3 GI nights in the last 7 on glycinate 300 mg")
               for w in decision.recommendation.warnings)


def test_during_loose_stools_magnesium_is_kept_only_by_a_gentler_step(priors):
    # after a full period on citrate 300 mg, three GI nights: a switch to oxide (harsher for
    # this person) was open, and "the gentlest step" was named by its mean GI gain alone
    from model.decision.explain import gentler_line

    harsh = FakePosterior(n_draws=1000, gi=dict.fromkeys(FORMS, 0.0)
                          | {"citrate": 2.5, "oxide": 3.5, "glycinate": -0.5})
    past = History(Regimen("citrate", 300), 30, frozenset({"citrate"}), 3,
                   {Regimen("citrate", 300): 30})
    decision = decide(harsh, priors=priors, diary=past, as_of=AS_OF)
    by = {a.regimen: a for a in decision.assessments if a.action != "continue"}
    oxide, glycinate = by[Regimen("oxide", 300)], by[Regimen("glycinate", 300)]
    assert not oxide.feasible and any(
        b.startswith("during loose stools or stomach upset only a gentler step")
        for b in oxide.blocked_by)
    assert glycinate.feasible and "gi_limit" not in glycinate.reason_codes
    rec = decision.recommendation
    assert rec.regimen is not None
    assert rec.regimen == NO_MAGNESIUM or (rec.regimen in by and by[rec.regimen].feasible)
    open_ = [a for a in decision.assessments if a.feasible and a.action != "continue"]
    line = gentler_line(by[NO_MAGNESIUM], decision.assessments, DEFAULTS)   # advised: stop
    keeping = min((a for a in open_ if a.regimen.active),
                  key=lambda a: a.p_constraint_violation)
    assert line.startswith("If loose stools or stomach upset go on and you keep taking "
                           "magnesium, the gentlest step open now is to "
                           f"{step_words(keeping.action, keeping.regimen)}")
    assert gentler_line(keeping, decision.assessments, DEFAULTS) == ""   # the advice itself


def test_the_acute_rule_counts_beyond_a_persons_own_loose_stools(tmp_path):
    # two loose-stool nights a week before and on glycinate 100 mg gave "2 GI nights in the
    # last 7 on glycinate 100 mg" and "Stop taking magnesium" at every look
    from model.decision.rules import acute_gi

    week = [4, 6, 4, 4, 7, 4, 4]                     # 2 of 7 without magnesium
    before = [("", 0, b) for b in week * 2]
    usual = diary_of(tmp_path, before + [("glycinate", 100, b) for b in week * 2])
    assert usual.background_gi_rate == pytest.approx(2 / 7)
    assert usual.recent_gi_nights == 2 and not acute_gi(usual, DEFAULTS)
    # said as such, not left unsaid (a re-audit: the person was told nothing)
    from model.data.profile import Profile
    from model.decision.rules import current_warnings
    from model.decision.screening import screen

    said = [w for w in current_warnings(usual, screen(Profile(), load_priors().safety),
                                        DEFAULTS, Profile().outcome_weights())
            if "in no night of the diary" not in w]     # its diary has no awakenings, quality
    assert said == ["2 GI nights in the last 7 on glycinate 100 mg, within your usual without "
                    "magnesium (about 2.0 in 7): not counted against magnesium; if they rise, "
                    "the advice will say so"]
    worse = [*week, 6, 6, 7, 6, 4, 4, 4]           # 4 of the last 7 on glycinate
    more = diary_of(tmp_path, before + [("glycinate", 100, b) for b in worse])
    assert more.recent_gi_nights == 4 and acute_gi(more, DEFAULTS)
    short = diary_of(tmp_path, before[:7] + [("glycinate", 100, b) for b in week])
    assert short.background_gi_rate == 0 and acute_gi(short, DEFAULTS)   # too few nights


def test_a_diary_without_gi_records_on_magnesium_says_what_to_record(tmp_path, priors):
    # glycinate 300 mg stopped on the evidence's P(GI violated) 0.21 alone, and nothing said
    # that the diary held no stool record
    from model.decision.rule_words import NO_GI_RECORDS

    past = glycinate_after_baseline(tmp_path, 35)
    assert past.gi_records_on == 0
    model = FakePosterior(n_draws=1000, gi={"glycinate": 0.0})
    warned = decide(model, priors=priors, diary=past, as_of=AS_OF).recommendation.warnings
    assert NO_GI_RECORDS in warned
    recorded = diary_of(tmp_path, [("", 0, 4)] * 14 + [("glycinate", 300, 4)] * 21)
    assert recorded.gi_records_on == 21
    assert NO_GI_RECORDS not in decide(model, priors=priors, diary=recorded,
                                       as_of=AS_OF).recommendation.warnings
    assert NO_GI_RECORDS not in decide(model, priors=priors, as_of=AS_OF).recommendation.warnings


def test_the_pathways_keep_what_the_diary_says_of_loose_stools():
    # the "what would change this" paths are decided on the history after the next period:
    # a regimen that gave loose stools stayed out of the titration only today
    from model.analysis.pathways import _after

    past = History(G200, 20, frozenset({"glycinate"}), 0, {G200: 20, G300: 10},
                   gi_troubled=frozenset({G300}), background_gi_rate=0.1, gi_records_on=30)
    after = _after(past, G200, "continue", G200, 14)
    assert after.gi_troubled == {G300} and after.background_gi_rate == 0.1
    assert after.gi_records_on == 30


def test_upset_stomachs_alone_are_not_called_loose_stools(tmp_path, priors):
    """/tmp/w32 upset.csv: Bristol 4 every night and an upset stomach on 6 of 7 nights on
    glycinate 300 mg was told "Loose stools lately", "if loose stools go on, stop" and
    "loose-stool nights: +20 a month": a GI night is either, and the words say so."""
    from model.core.change_words import change_words
    from model.report.headline import acute_gi_why, what_to_do

    past = glycinate_after_baseline(tmp_path, 21, lambda k: f",4,{int(k >= 15)}",
                                    ",stool_bristol,gi_upset")
    assert past.recent_gi_nights == 6
    model = FakePosterior(n_draws=1000, gi={"glycinate": 2.5})
    rec = decide(model, priors=priors, diary=past, as_of=AS_OF).recommendation
    assert "acute_gi" in rec.reason_codes
    said = [*rec.reasons, *rec.warnings, what_to_do(rec), acute_gi_why(rec, "why."),
            change_words("gi", 0.6, 0.4, 0.8)]
    assert any("loose stools or stomach upset" in line for line in said), said
    assert any(line.startswith("GI nights: +18 a month") for line in said), said
    assert not [line for line in said
                if "loose-stool" in line or "loose stools" in line.replace(
                    "loose stools or stomach upset", "")]


def test_a_night_skipped_does_not_begin_a_new_period(tmp_path, priors):
    """One night forgotten after 60 on glycinate made every change wait a new evaluation
    period ("only 1 of 17 recorded nights on glycinate 200 mg so far"); the nights skipped
    neither end the run nor count in it. Three nights off are a stop, and a run of another
    regimen before the gap is not joined."""
    base, on = [("", 0, 4)] * 14, [("glycinate", 200, 4)]
    skipped = diary_of(tmp_path, base + on * 60 + [("", 0, 4)] * 2 + on)
    assert skipped.current == G200 and skipped.nights_on_current == 61
    clear = FakePosterior(benefit={"glycinate": 0.3, "taurate": 0.1},
                          gi=dict.fromkeys(FORMS, -0.5))
    rec = decide(clear, priors=priors, diary=skipped, as_of=AS_OF).recommendation
    assert "forced" not in rec.reason_codes, rec
    assert diary_of(tmp_path, base + on * 60 + [("", 0, 4)] * 3 + on).nights_on_current == 1
    other = [("taurate", 200, 4)] * 20 + [("", 0, 4)] + on
    assert diary_of(tmp_path, base + other).nights_on_current == 1


def test_a_night_at_another_dose_does_not_begin_a_new_period(tmp_path):
    """One night at a double dose two nights before the end of a period made every change
    (stopping included) wait 16 more nights (an outside audit, /tmp/hH); a slip of one or two
    nights at another dose of the same form neither ends the run nor counts in it. Three such
    nights are a change, and another form between is a switch."""
    base, on = [("", 0, 4)] * 14, [("glycinate", 200, 4)]
    doubled = diary_of(tmp_path, base + on * 27 + [("glycinate", 400, 4)] + on * 2)
    assert doubled.current == G200 and doubled.nights_on_current == 29
    halves = diary_of(tmp_path, base + on * 27 + [("glycinate", 100, 4)] * 2 + on * 2)
    assert halves.nights_on_current == 29
    changed = diary_of(tmp_path, base + on * 27 + [("glycinate", 400, 4)] * 3 + on * 2)
    assert changed.nights_on_current == 2
    switched = diary_of(tmp_path, base + on * 27 + [("taurate", 200, 4)] + on * 2)
    assert switched.nights_on_current == 2
