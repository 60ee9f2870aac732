"""An outcome no night records gets no verdict; a start best expected says what it rests on.

Fix brief K2 (after an outside audit of persons whose complaint is not falling asleep): the
JSON's ``effects`` gave glycinate's anxiety effect "inconclusive", with P values, to a person
whose diary has no anxiety column, as if measured; "the best expected now is to start
taurate" did not say that taurate's evidence on evening anxiety, the complaint, is rat data.
"""

import datetime as dt
import functools
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from model.analysis.effects import diary_effects
from model.analysis.verdicts import JUDGED, NOT_RECORDED, VERDICTS
from model.core.forms import FORMS
from model.core.outcomes import OUTCOMES
from model.data.diary import read_diary
from model.data.profile import Profile
from model.data.recorded import recorded_outcomes
from model.decision import decide
from model.decision.evidence_basis import PriorBasis, heaviest, prior_basis
from model.decision.history import History
from model.decision.plan_words import plan_line
from model.decision.settings import DecisionSettings
from model.evidence.priorset import load_priors
from model.report import evidence_words
from model.report.effect_words import NOT_RECORDED_WORDS, effect_line, verdict_phrase
from model.report.effects_html import effects_section
from model.testing import FakePosterior

cached_priors = functools.cache(load_priors)
SAM = Profile(name="Sam", age=31, complaint="anxiety")
RUTH = Profile(name="Ruth", age=58, complaint="night_waking")
RACING = Profile(complaint="racing_thoughts")
# a large, sure benefit on every outcome: recorded, anxiety would be "works"
FAKE = FakePosterior(benefit={"glycinate": 1.5, "taurate": 0.5}, benefit_sd=0.05,
                     n_draws=2000)
# taurate a little better than glycinate: as promising, so the crossover starts glycinate
TAURATE_BEST = FakePosterior(benefit={"taurate": 0.33, "glycinate": 0.3}, benefit_sd=0.2,
                             n_draws=1000)


def diary(*periods: tuple[str, float, int], anxiety: bool = False):
    """A diary of consecutive (form, mg, nights) periods; no anxiety column unless asked."""
    rows = [(form, mg) for form, mg, n in periods for _ in range(n)]
    frame = pd.DataFrame({
        "date": pd.date_range("2026-01-01", periods=len(rows)).strftime("%Y-%m-%d"),
        "form": [f if f != "none" else "" for f, _ in rows],
        "elemental_mg": [mg for _, mg in rows], "sol_min": 30.0, "awakenings": 2,
        "quality": 3, "freshness": 5, "stool_bristol": 4} | ({"anxiety": 5} if anxiety else {}))
    return read_diary(frame)


@functools.cache
def sam_effects(anxiety: bool = False):
    """Sam's nights (14 without magnesium, 21 on glycinate 200 mg) and their effects."""
    nights = diary(("none", 0, 14), ("glycinate", 200, 21), anxiety=anxiety).nights
    return nights, diary_effects(FAKE, nights, cached_priors())


# --- 1: an outcome no night records: verdict not_recorded, recorded false ---

def test_an_outcome_no_night_records_gets_no_verdict_and_says_so():
    nights, effects = sam_effects()
    seen = recorded_outcomes(nights)
    assert "anxiety" not in seen                 # the diary has no anxiety column
    for effect in (*effects.effects, *effects.by_regimen):
        assert effect.recorded == (effect.outcome in seen)    # the one definition
        if effect.recorded:
            assert effect.verdict in JUDGED
        else:
            assert effect.verdict == NOT_RECORDED
            assert (effect.nights_needed, effect.off_nights_needed, effect.lean,
                    effect.needs_placebo) == (None, None, "", False)
    # the claim it made before: the prior's sure benefit read as if measured
    recorded_twin = sam_effects(anxiety=True)[1].get("glycinate", "anxiety")
    assert recorded_twin.verdict == "works" and recorded_twin.recorded
    unrec = effects.get("glycinate", "anxiety")
    assert unrec.mean == pytest.approx(recorded_twin.mean, rel=0.2)  # the numbers are kept


def test_the_json_entries_carry_recorded_and_the_not_recorded_verdict():
    _, effects = sam_effects()
    entry = effects.get("glycinate", "anxiety").to_dict()
    assert (entry["recorded"], entry["verdict"]) == (False, "not_recorded")
    assert entry["verdict"] in VERDICTS
    taken = [e.regimen_entry() for e in effects.by_regimen]
    assert {(e["outcome"], e["recorded"], e["verdict"]) for e in taken
            if e["outcome"] == "anxiety"} == {("anxiety", False, "not_recorded")}
    assert all(e["recorded"] and e["verdict"] in JUDGED for e in taken
               if e["outcome"] != "anxiety")
    sol = effects.get("glycinate", "sol").to_dict()
    assert sol["recorded"] is True
    table = effects.table()
    assert set(table.loc[~table["recorded"], "verdict"]) == {"not_recorded"}


def test_a_column_recorded_on_one_night_counts_as_recorded():
    """One night with anxiety written down records it (as the decision reads it)."""
    frame = diary(("none", 0, 14), ("glycinate", 200, 21), anxiety=True).nights.copy()
    frame["anxiety"] = np.nan
    frame.loc[frame.index[3], "anxiety"] = 4.0
    effects = diary_effects(FAKE, frame, cached_priors(), forms=["glycinate"])
    assert effects.get("glycinate", "anxiety").recorded
    assert effects.get("glycinate", "anxiety").verdict in JUDGED


def test_the_words_say_not_recorded_from_the_evidence_alone():
    nights, effects = sam_effects()
    unrec = effects.get("taurate", "anxiety")
    assert verdict_phrase(unrec) == NOT_RECORDED_WORDS == "not recorded: from the evidence alone"
    assert effect_line(unrec).endswith(": not recorded: from the evidence alone")
    # the report's table of the forms not taken: each anxiety row says it, no other row does
    decision = SimpleNamespace(recommendation=SimpleNamespace(reason_codes=("collect",)))
    page = effects_section(SimpleNamespace(effects=effects, profile=SAM, decision=decision,
                                           diary=SimpleNamespace(nights=nights)))
    untried = [f for f in FORMS if f != "glycinate"]
    assert page.count(NOT_RECORDED_WORDS) == len(untried)
    assert "not recorded</em>" in page        # the verdicts' legend explains it


# --- 2: a start named as best expected before any magnesium night says its basis ---

@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("outcome", [o for o in OUTCOMES if o != "gi"])
def test_the_basis_words_never_claim_more_than_the_prior_holds(form, outcome):
    entry = cached_priors()[form, outcome]
    said = prior_basis(cached_priors(), form, outcome)
    assert ("studies in people of its own," in said) == (entry.basis == "direct")
    assert ("no published evidence" in said) == (entry.basis == "reference")
    if entry.basis != "reference":
        assert f"({entry.certainty} certainty)" in said
    if entry.basis == "expert":
        assert "no study in people of its own" in said


def test_the_basis_words_name_the_kind_of_claim_and_borrowed_evidence_only_when_there():
    priors = cached_priors()
    taurate = prior_basis(priors, "taurate", "anxiety")            # a rat study + the class
    assert taurate.startswith("animal or laboratory data and evidence borrowed from magnesium")
    malate = prior_basis(priors, "malate", "freshness")            # a marketing claim alone
    assert malate.startswith("marketing claims, no study") and "borrowed" not in malate
    assert "no clear effect" in prior_basis(priors, "glycinate", "anxiety")   # its own trials


@functools.cache
def first_decision(profile: Profile = SAM):
    """A first step for ``profile`` (14 nights without magnesium): the decision and history."""
    nights = diary(("none", 0, 14), anxiety=True)
    made = decide(TAURATE_BEST, priors=cached_priors(), profile=profile, diary=nights,
                  as_of=dt.date(2026, 1, 14), seed=1)
    return made, History.from_nights(nights.nights)


def planned(profile: Profile, past: History | None = None, basis: bool = True) -> str:
    """The crossover's line for glycinate when taurate is the start best expected."""
    made, first = first_decision(profile)
    assessed = made.assessments
    best = max((a for a in assessed if a.feasible), key=lambda a: a.expected_utility)
    assert (best.action, best.regimen.form) == ("start", "taurate")
    chosen = next(a for a in assessed if a.regimen.form == "glycinate" and a.action == "start")
    return plan_line("crossover", chosen, assessed, past or first, DecisionSettings(),
                     to_learn=True,
                     basis=PriorBasis(cached_priors(), profile.outcome_weights()) if basis
                     else None)


def test_the_start_best_expected_says_what_its_evidence_on_the_complaint_rests_on():
    line = planned(SAM)
    said = ("The best expected now is to start taurate 200 mg (expected utility")
    assert said in line
    clause = ("and taurate's expected effect on evening anxiety, which counts most for you, "
              "rests on animal or laboratory data and evidence borrowed from magnesium in "
              "general, no study in people of its own (very low certainty); glycinate is "
              "tried as it may still be better for you.")
    assert clause in line
    night_waking = planned(RUTH)
    assert ("taurate's expected effect on awakenings, which counts most for you, rests on no "
            "published evidence;") in night_waking
    racing = planned(RACING)                    # two outcomes tie at the top: both are said
    assert "taurate's expected effect on falling asleep, which counts most" in racing
    assert "and on evening anxiety, which counts as much, on animal" in racing


def test_after_a_magnesium_night_or_without_priors_nothing_is_added():
    later = History.from_nights(diary(("none", 0, 14), ("citrate", 200, 3)).nights)
    assert "expected effect on" not in planned(SAM, past=later)
    assert "expected effect on" not in planned(SAM, basis=False)


def test_one_definition_of_the_basis_words():
    """The report's Why reads the decision's reading of the priors, not a twin of it."""
    assert evidence_words.heaviest is heaviest
    assert not hasattr(evidence_words, "KIND_WORDS_") and not hasattr(evidence_words,
                                                                       "_finding")


def test_decide_says_what_the_start_best_expected_rests_on():
    made = decide(TAURATE_BEST, priors=cached_priors(), profile=Profile(complaint="anxiety"),
                  diary=diary(("none", 0, 14), anxiety=True), as_of=dt.date(2026, 1, 14),
                  seed=1)
    said = " ".join(made.recommendation.reasons)
    assert "The best expected now is to start taurate" in said
    assert ("taurate's expected effect on evening anxiety, which counts most for you, rests "
            "on animal or laboratory data") in said
