"""A contraindication or a medicine written in the diary is screened, not only quoted.

A safety-case reviewer's audit (/tmp/w47/A, F1): ``other_change`` "started dialysis" beside
a profile of eGFR 90 and no conditions was quoted back and never screened ("Keep your current
routine"); the same profile listing haemodialysis says "Stop taking magnesium now and see a
clinician". Known answers on small diaries (:mod:`model.decision.diary_mentions`) and on a toy
posterior (:class:`model.testing.FakePosterior`) for the decision the extended profile gives.
"""

import datetime as dt

import pandas as pd
import pytest

from model.data.diary import read_diary
from model.data.life_events import other_changes, written_texts
from model.data.profile import Profile, checked_profile
from model.decision import History, decide
from model.decision.diary_mentions import with_diary_mentions
from model.decision.screening import profile_given, screen
from model.testing import FakePosterior

FIRST = dt.date(2026, 10, 20)
NIGHTS = 40
CHANGED = 35        # 2026-11-24, the audit's night


def _nights(changed: dict[int, str] | None = None,
            notes: dict[int, str] | None = None) -> pd.DataFrame:
    """Glycinate 300 mg every night from FIRST, ``other_change`` and ``notes`` by night."""
    dates = pd.date_range(FIRST, periods=NIGHTS, freq="D", name="date")
    return pd.DataFrame({
        "form": "glycinate", "elemental_mg": 300.0, "split": False, "recorded": True,
        "gi_night": 0.0, "other_change": [(changed or {}).get(i, "") for i in range(NIGHTS)],
        "notes": [(notes or {}).get(i, "") for i in range(NIGHTS)]}, index=dates)


DAY = (FIRST + dt.timedelta(days=CHANGED)).isoformat()


def test_started_dialysis_in_the_diary_refers_as_the_profile_would(clean, safety):
    """The audit's case: "started dialysis" refers, with words saying where it was read and
    what to write in the profile; the profile's own entry gives the same referral."""
    read = with_diary_mentions(clean, _nights({CHANGED: "started dialysis"}), safety)
    assert not screen(clean, safety).referrals
    rules = screen(read.profile, safety)
    own = screen(clean.model_copy(update={"conditions": ("haemodialysis",)}), safety)
    assert rules.referrals and rules.referrals == own.referrals
    assert len(read.warnings) == 1, read.warnings
    said = read.warnings[0]
    assert f"'started dialysis' on {DAY} (other_change)" in said, said
    assert 'put it in your profile (conditions = ["dialysis"])' in said
    assert "correct the diary" in said and "your profile does not list it" in said
    # the keys the person wrote stay theirs; the profile stays the checked one
    assert read.profile.model_fields_set == clean.model_fields_set
    assert read.profile.checked_with(safety)


def test_the_decision_with_the_read_profile_refers(clean, safety):
    """Through the Python decide API: the clean profile keeps the routine, the profile the
    diary's mention extends stops magnesium and refers (the hook proposed for ``decide``)."""
    from model.evidence.priorset import load_priors

    priors = load_priors()
    nights = _nights({CHANGED: "started dialysis"})
    posterior = FakePosterior(benefit={"glycinate": 0.3}, known={"glycinate": 0.3})
    as_of = nights.index[-1].date()
    plain = decide(posterior, priors=priors, profile=clean,
                   diary=History.from_nights(nights), as_of=as_of).recommendation
    assert plain.action != "refer", plain
    read = with_diary_mentions(clean, nights, priors.safety, as_of)
    referred = decide(posterior, priors=priors, profile=read.profile,
                      diary=History.from_nights(nights), as_of=as_of).recommendation
    assert referred.action == "refer", referred
    assert referred.reasons[0].startswith("Stop taking magnesium now"), referred.reasons


def test_a_mention_counts_from_its_night_on(clean, safety):
    """Analysed as of the night before, the mention is not read (the diary as it stood)."""
    nights = _nights({CHANGED: "started dialysis"})
    before = with_diary_mentions(clean, nights, safety, FIRST + dt.timedelta(days=CHANGED - 1))
    assert before.profile == clean and not before.warnings
    on = with_diary_mentions(clean, nights, safety, FIRST + dt.timedelta(days=CHANGED))
    assert screen(on.profile, safety).referrals


@pytest.mark.parametrize(("text", "column", "holds", "rule"), [
    ("started digoxin 125 mcg", "other_change", True, "digoxin: low magnesium raises digoxin"),
    ("Lanoxin 62.5 mcg", "notes", True, "lanoxin: low magnesium raises digoxin"),
    ("started lithium", "other_change", False, "lithium: tell the prescriber"),
])
def test_a_medicine_in_the_diary_brings_its_rule(clean, safety, text, column, holds, rule):
    """A medicine begun (in either column) brings its rule: digoxin's hold, lithium's warning."""
    nights = _nights(**{"changed" if column == "other_change" else "notes": {CHANGED: text}})
    read = with_diary_mentions(clean, nights, safety)
    rules = screen(read.profile, safety)
    assert bool(rules.holds) == holds
    assert any(line.startswith(rule) for line in (*rules.holds, *rules.warnings)), rules
    assert not any(line.startswith(rule) for line in screen(clean, safety).warnings)
    assert len(read.warnings) == 1 and f"({column})" in read.warnings[0]


@pytest.mark.parametrize("text", ["stopped digoxin", "no longer on lithium", "off dialysis",
                                  "partner started lithium", "dialysis?",
                                  "maybe starting lithium", "stopped melatonin and digoxin",
                                  "took MG late", "high magnesium dose tonight"])
def test_a_stopped_negated_or_unsure_mention_is_said_not_screened(clean, safety, text):
    """Stopped, not so, perhaps someone else's, or a word a magnesium diary uses for
    magnesium: one warning naming it, saying its rule is not applied; no referral or hold."""
    read = with_diary_mentions(clean, _nights({CHANGED: text}), safety)
    assert read.profile == clean
    rules = screen(read.profile, safety)
    assert not rules.referrals and not rules.holds
    assert len(read.warnings) == 1, read.warnings
    assert f"{text!r} on {DAY}" in read.warnings[0]
    assert "its rule is NOT applied" in read.warnings[0]
    assert "put it in your profile" in read.warnings[0]


def test_stopped_beside_the_profile_says_its_rule_still_applies(safety):
    """The profile lists digoxin, the diary says stopped: the conflict is named, the hold
    stays (the profile is the person's word until they change it)."""
    profile = checked_profile(Profile(age=50, medications=("digoxin",)), safety=safety)
    read = with_diary_mentions(profile, _nights({CHANGED: "stopped digoxin"}), safety)
    assert read.profile == profile and screen(read.profile, safety).holds
    assert len(read.warnings) == 1
    assert "your profile has it: its rule still applies" in read.warnings[0]


def test_the_latest_mention_decides(clean, safety):
    """Started, then stopped: said, not screened; stopped, then started again: screened."""
    stopped = with_diary_mentions(clean, _nights({10: "started lithium"},
                                                 {CHANGED: "stopped lithium"}), safety)
    assert stopped.profile == clean and "NOT applied" in stopped.warnings[0]
    again = with_diary_mentions(clean, _nights({10: "stopped lithium", CHANGED:
                                                "back on lithium"}), safety)
    assert again.profile.medications == ("lithium",)


@pytest.mark.parametrize("text", ["started CBT-I", "had a cold", "took it late", "code A",
                                  "started sertraline 50 mg", "took magnesium", "travel",
                                  "stopped melatonin", "new job"])
def test_text_naming_nothing_with_a_rule_says_nothing(clean, safety, text):
    """A change without a name that has a rule (or magnesium itself) changes nothing."""
    read = with_diary_mentions(clean, _nights({CHANGED: text}, {CHANGED + 1: text}), safety)
    assert read.profile == clean and read.warnings == ()


def test_a_name_the_profile_has_says_nothing_more(safety):
    """Haemodialysis in the profile, or an eGFR of 20 (the same rule): "dialysis" adds
    nothing and says nothing."""
    for profile in (Profile(age=60, conditions=("haemodialysis",)), Profile(age=60, egfr=20)):
        checked = checked_profile(profile, safety=safety)
        read = with_diary_mentions(checked, _nights({CHANGED: "started dialysis"}), safety)
        assert read.profile == checked and read.warnings == ()


def test_no_profile_given_stays_so(safety):
    """Without a profile the mention still refers, and the profile is still one not given."""
    none = checked_profile(Profile(), safety=safety)
    read = with_diary_mentions(none, _nights({CHANGED: "diagnosed with heart block"}), safety)
    assert screen(read.profile, safety).referrals
    assert not profile_given(read.profile)
    assert "no profile was given" in read.warnings[0]
    assert 'conditions = ["heart block"]' in read.warnings[0]


def test_a_diary_file_is_read_in_both_columns(tmp_path, clean, safety):
    """Read from a CSV as ``analyze`` reads it: ``notes`` and ``other_change`` both count,
    ``other_change`` first on a night; ``other_changes`` still gives that column alone."""
    nights = _nights({CHANGED: "started dialysis"}, {CHANGED: "see GP"})
    path = tmp_path / "diary.csv"
    table = nights.reset_index()[["date", "form", "elemental_mg", "notes", "other_change"]]
    table.assign(sol_min=30, quality=3).to_csv(path, index=False)
    diary = read_diary(path, warn=False)
    day = pd.Timestamp(FIRST + dt.timedelta(days=CHANGED))
    assert written_texts(diary.nights) == [(day, "other_change", "started dialysis"),
                                           (day, "notes", "see GP")]
    assert other_changes(diary.nights) == [(day, "started dialysis")]
    assert screen(with_diary_mentions(clean, diary.nights, safety).profile, safety).referrals
