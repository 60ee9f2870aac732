"""A medicine the diary names with a dose and the safety data does not know is NOT CHECKED.

An outside audit (/tmp/w52/d F7): ``other_change`` "started amlodipine 5 mg" only held the
advice as a change of life, while the same name in the profile is an error or, accepted, NOT
CHECKED with "First ask a pharmacist" (:mod:`model.decision.unknown_medicines`).
"""

import datetime as dt

import pandas as pd
import pytest

from model.data.diary import read_diary
from model.data.profile import Profile, checked_profile
from model.decision import decide
from model.decision.diary_mentions import read_words, with_diary_mentions
from model.decision.screening import screen
from model.decision.unknown_medicines import unknown_medicines
from model.evidence.names import NameIndex
from model.report.advice import UNCHECKED_FIRST, what_to_do
from model.testing import FakePosterior

FIRST = dt.date(2026, 6, 1)
NIGHTS = 30


def _nights(texts: dict[int, str], column: str = "other_change") -> pd.DataFrame:
    """Glycinate 200 mg every night from FIRST, ``column``'s text by night."""
    dates = pd.date_range(FIRST, periods=NIGHTS, freq="D", name="date")
    other = "notes" if column == "other_change" else "other_change"
    return pd.DataFrame({
        "form": "glycinate", "elemental_mg": 200.0, "split": False, "recorded": True,
        "gi_night": 0.0, column: [texts.get(i, "") for i in range(NIGHTS)],
        other: [""] * NIGHTS}, index=dates)


def _names(text: str, safety, column: str = "other_change") -> list[str]:
    read = with_diary_mentions(_profile(safety), _nights({5: text}, column), safety)
    return list(read.profile.medications)


def _profile(safety):
    return checked_profile(Profile(age=45, egfr=95, conditions=(), medications=()),
                           safety=safety)


@pytest.mark.parametrize(("text", "name"), [
    ("started amlodipine 5 mg", "amlodipine"),
    ("Started Amlodipine 5mg", "amlodipine"),
    ("amlodipine 5mg", "amlodipine"),
    ("started 5 mg of amlodipine for my blood pressure", "amlodipine"),
    ("GP put me on ramipril 2.5 mg", "ramipril"),
    ("new meds: losartan 50mg", "losartan"),
    ("increased amlodipine to 10 mg", "amlodipine"),
    ("bisoprolol 2.5mg started today", "bisoprolol"),
    ("2 paracetamol 500mg", "paracetamol"),
    ("started sertralin 50 mg", "sertralin"),           # a typo of a name without a rule
    ("dig 125mcg", "dig"),                              # /tmp/w52/e4: silence before
    ("magnesium 200mg + amlodipine 5mg", "amlodipine"),    # /tmp/w53/r R2: beside others
    ("Mg gly 200mg & amlodipine 5mg", "amlodipine"),
    ("started atorvastatin 20mg with my omeprazole", "atorvastatin"),
    ("5mg amlodipine from today", "amlodipine"), ("took 400mg ibuprofen", "ibuprofen"),
    ("amlodipine 5 mgs", "amlodipine"), ("amlodipine5mg", "amlodipine"),   # /tmp/w53/r R7
    ("started BP tablets 5mg", "bp tablets"), ("new blood pressure pill 5mg",
                                                "blood pressure pill"),
])
def test_a_dosed_name_the_safety_data_does_not_know_is_added(text, name, safety):
    """Beside the supplement or a name with a rule too (itself read by its own reader: the
    omeprazole), each product its own words."""
    for column in ("other_change", "notes"):
        added = [n for n in _names(text, safety, column) if n != "omeprazole"]
        assert added == [name], (column, added)


@pytest.mark.parametrize("text", [
    "had a glass of wine 250 ml", "wine 250ml", "coffee 200 mg caffeine",
    "started magnesium citrate 200 mg", "glycinate 200mg", "started melatonin 3 mg",
    "vitamin d3 1000 IU", "started st john's wort 300 mg", "on propranolol 10mg",
    "walked 5 km", "started a new job", "started amlodipine", "lactulose 15 ml",
    "milk of magnesia 30 ml", "ate 200 g pasta", "only 100mg tonight", "half dose 100 mg",
    "split 150 mg + 150 mg", "gly 200mg", "cit 200 mg", "Thorne 200mg", "Doctor's Best 100 mg",
    "ate almonds 30g", "oats 50g", "glucose 5.6 mmol", "Nature Made 250mg", "NOW Foods 150mg",
    "Pure Encapsulations 120mg", "bisglycinate 200mg", "3 tabs 375mg", "took 2 caps = 240mg",
    "sodium 1000mg", "pre-workout 300mg caffeine", "2 capsules 120mg each",
    "Doctors Best 100 mg x2", "Costco Kirkland 250mg", "Thorne tablets 200mg",
    "glycinate caps 200mg", "magnesium tablets 400mg"])
def test_known_names_drinks_magnesium_and_undosed_words_add_nothing(text, safety):
    """Nor the supplement's own dose (200 mg a night, or half), a brand or its form cut short.

    (A magnesium laxative has its own reading: :mod:`model.decision.diary_magnesium`.)
    """
    index = NameIndex.of(safety)
    assert unknown_medicines(_nights({5: text}), index,
                             lambda clause: read_words(clause, index, safety)) == []
    read = with_diary_mentions(_profile(safety), _nights({5: text}), safety)
    assert not any("NOT CHECKED" in w for w in read.warnings), read.warnings


def test_a_typo_of_a_name_with_a_rule_is_left_to_its_reader(safety):
    """"started digoxn 125 mcg" is read as digoxin (its hold), not also as an unknown name."""
    read = with_diary_mentions(_profile(safety), _nights({5: "started digoxn 125 mcg"}), safety)
    assert read.profile.medications == ("digoxin",)
    assert not any("NOT CHECKED" in w for w in read.warnings), read.warnings


def test_the_warning_names_the_line_and_the_profile_entry(safety):
    read = with_diary_mentions(_profile(safety), _nights({5: "started sertralin 50 mg"}),
                               safety)
    [said] = read.warnings
    assert "'started sertralin 50 mg' on 2026-06-06 (other_change)" in said, said
    assert "(did you mean 'sertraline'?)" in said and "NOT CHECKED" in said
    assert 'medications = ["sertralin"]' in said and "correct the diary" in said
    unchecked = screen(read.profile, safety).warnings
    assert any("NOT CHECKED: the medicine 'sertralin'" in w for w in unchecked), unchecked


def test_only_a_plain_later_stop_takes_it_out_and_the_profile_s_own_is_not_repeated(safety):
    index = NameIndex.of(safety)
    started = {5: "started amlodipine 5 mg"}
    assert [m.entry for m in unknown_medicines(_nights(started), index, lambda c: frozenset())] \
        == ["amlodipine"]
    stopped = unknown_medicines(_nights({**started, 9: "stopped amlodipine"}), index,
                                lambda c: frozenset())
    assert stopped == []
    assert unknown_medicines(_nights({**started, 9: "amlodipine was discontinued"}), index,
                             lambda c: frozenset()) == []        # the project's plain stop
    kept = unknown_medicines(_nights({**started, 9: "stopped amlodipine? dizzy"}), index,
                             lambda c: frozenset())
    assert [m.entry for m in kept] == ["amlodipine"]
    before = unknown_medicines(_nights(started), index, lambda c: frozenset(),
                               as_of=FIRST + dt.timedelta(days=4))
    assert before == []
    listed = _profile(safety).model_copy(update={"medications": ("Amlodipine 5 mg",)})
    read = with_diary_mentions(listed, _nights(started), safety)
    assert read.profile.medications == ("Amlodipine 5 mg",) and not read.warnings


def test_the_advice_asks_a_pharmacist_first(safety, tmp_path):
    """Through decide with the diary as read from a file: the profile as given (no
    ``--allow-unknown``), the diary's unknown medicine gives ``not_checked`` and its headline,
    which says it may be the diary's."""
    from model.evidence.priorset import load_priors

    nights = _nights({5: "started amlodipine 5 mg"})
    path = tmp_path / "diary.csv"
    table = nights.reset_index()[["date", "form", "elemental_mg", "notes", "other_change"]]
    table.assign(sol_min=30, quality=3).to_csv(path, index=False)
    posterior = FakePosterior(benefit={"glycinate": 0.3}, known={"glycinate": 0.3})
    rec = decide(posterior, priors=load_priors(), profile=_profile(safety),
                 diary=read_diary(path, warn=False),
                 as_of=nights.index[-1].date()).recommendation
    assert "not_checked" in rec.reason_codes, rec
    assert what_to_do(rec).endswith(UNCHECKED_FIRST) and "or diary" in UNCHECKED_FIRST
