"""The profile's complaint and weights as a person writes them, and a questionnaire's column.

An outside audit (/tmp/w51/b, B7 B8 B9): ``complaint = "anxeity"`` had no "did you mean" while
``[weights] anxeity = 2`` had one; ``"Anxiety"`` was refused for its capital; ``weights = 2``
was refused in pydantic's words; a list of complaints had no "(got ...)"; an anxiety complaint
whose weights left anxiety at 0 passed without a word; and a ``GAD-7 anxiety`` column was told
"did you mean 'anxiety'?", inviting a weekly 0-21 score into the evening 0-10 rating.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from conftest import at_key

from model.core.errors import InputError
from model.data.diary import read_diary
from model.data.profile import Profile, ProfileWarning, checked_profile, load_profile
from model.data.weights import Weights
from model.evidence.floor import bundled_safety

PERSON = 'name = "Dan"\nage = 45\n'


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "profile.toml"
    path.write_text(PERSON + text)
    return path


def refusal(path: Path) -> str:
    with pytest.raises(InputError) as caught:
        load_profile(path)
    return str(caught.value)


# --- B8: the complaint and [weights] refused in the file's words -----------------------------
def test_a_misspelt_complaint_gets_a_did_you_mean_as_a_misspelt_weight_does(tmp_path):
    path = write(tmp_path, 'complaint = "anxeity"\n')
    said = refusal(path)
    assert re.search(at_key(path, "complaint") + r": unknown complaint \(did you mean "
                     r"'anxiety'\?\); expected one of sleep_onset, night_waking, anxiety, "
                     r"racing_thoughts \(got 'anxeity'\)", said), said
    assert "did you mean 'anxiety'" in refusal(write(tmp_path, "[weights]\nanxeity = 2\n"))


@pytest.mark.parametrize(("written", "read"), [("Anxiety", "anxiety"), ("ANXIETY", "anxiety"),
                                               ("Sleep onset", "sleep_onset"),
                                               ("Racing-Thoughts", "racing_thoughts")])
def test_a_complaint_is_read_in_any_case_without_a_word(tmp_path, written, read):
    """As a diary column's name is (``Anxiety``); filterwarnings=error: no warning."""
    assert load_profile(write(tmp_path, f'complaint = "{written}"\n')).complaint == read
    assert Profile(complaint=written).complaint == read


@pytest.mark.parametrize(("written", "key", "message"), [
    ('complaint = "anxiety"\nweights = 2\n', "weights",
     ": [weights] is a table: write [weights] on its own line, then e.g. anxiety = 2 (got 2)"),
    ('complaint = ["anxiety", "sleep_onset"]\n', "complaint",
     ": expected one complaint, not a list (got ['anxiety', 'sleep_onset']): the one that "
     "counts most; how much each outcome counts is set under [weights]"),
    ("complaint = 2\n", "complaint",
     ': expected the complaint in quotes, one of sleep_onset, night_waking, anxiety, '
     'racing_thoughts: e.g. complaint = "anxiety" (got 2)')])
def test_a_complaint_or_weights_of_the_wrong_kind_is_refused_in_the_files_words(
        tmp_path, written, key, message):
    """Not pydantic's words ("a valid dictionary or instance of Weights"), and what it got."""
    path = write(tmp_path, written)
    said = refusal(path)
    assert re.search(at_key(path, key) + re.escape(message), said), said
    assert "valid dictionary" not in said and "instance of Weights" not in said


# --- B9: weights that leave the complaint's own outcome at 0 -----------------------------------
def test_an_anxiety_complaint_weighed_0_is_warned_of_naming_both(tmp_path):
    path = write(tmp_path, 'complaint = "anxiety"\n[weights]\nanxiety = 0\n')
    with pytest.warns(ProfileWarning, match=re.escape(
            f"{path}: keys complaint and weights: complaint 'anxiety', but [weights] "
            "anxiety = 0 leaves the complaint's own anxiety at 0")) as caught:
        profile = load_profile(path)
    assert len(caught) == 1
    assert profile.outcome_weights()["anxiety"] == 0   # the weights are used, as written
    assert checked_profile(profile, safety=bundled_safety()) is profile   # not said again
    load_profile(write(tmp_path, 'complaint = "anxiety"\n[weights]\nsol = 0\nanxiety = 1\n'))
    load_profile(write(tmp_path, "[weights]\nsol = 0\nanxiety = 1\n"))   # no complaint written


def test_racing_thoughts_weighed_0_is_warned_of_only_when_both_its_outcomes_are():
    """Racing thoughts are both sleep onset and anxiety: ``sol = 0`` alone leaves anxiety."""
    with pytest.warns(ProfileWarning, match=re.escape(
            "[weights] sol = 0 and anxiety = 0 leaves the complaint's own sol and anxiety at 0")):
        checked_profile(Profile(complaint="racing_thoughts", weights=Weights(sol=0, anxiety=0)),
                        safety=bundled_safety())
    checked_profile(Profile(complaint="racing_thoughts", weights=Weights(sol=0)),
                    safety=bundled_safety())


# --- B7: a questionnaire's column is no "did you mean 'anxiety'" -------------------------------
def diary(tmp_path: Path, header: str) -> Path:
    start = dt.date(2026, 10, 1)
    rows = [f"{start + dt.timedelta(days=i)},,,30,1,3,{3 + i % 3},4,{8 if i % 7 == 6 else ''}"
            for i in range(14)]
    path = tmp_path / "diary.csv"
    path.write_text("date,form,elemental_mg,sol_min,awakenings,quality,anxiety,stool_bristol,"
                    f"\"{header}\"\n" + "\n".join(rows) + "\n")
    return path


@pytest.mark.parametrize(("header", "name", "rating"), [
    ("gad7", "GAD-7", "anxiety"), ("GAD-7 anxiety", "GAD-7", "anxiety"),
    ("weekly anxiety (GAD-7)", "GAD-7", "anxiety"), ("anxiety (GAD-7, 0-21)", "GAD-7", "anxiety"),
    ("GAD7Score", "GAD-7", "anxiety"), ("PSQI", "PSQI", "quality"),
    ("isi_score", "ISI", "quality"), ("HADS-A", "HADS", "anxiety"),
])
def test_a_questionnaires_column_says_mgsleep_has_none_for_it(tmp_path, header, name, rating):
    read = read_diary(diary(tmp_path, header))
    said = [w for w in read.warnings if header in w]
    assert len(said) == 1, read.warnings
    assert f"unknown column {header!r} ignored: mgsleep has no column for the {name} " \
           f"questionnaire; the column {rating} is " in said[0]
    assert "a different measure" in said[0] and "did you mean" not in said[0]
    assert read.nights["anxiety"].tolist()[:3] == [3, 4, 5]   # the evening ratings, untouched


def test_only_a_questionnaires_own_letters_name_it(tmp_path):
    """``crisis``, ``had_nap`` (HADS, singular ``had``) and ``promise`` name no questionnaire."""
    for header, questionnaire in [("gad_7", True), ("crisis", False), ("had_nap", False),
                                  ("promise", False)]:
        said = [w for w in read_diary(diary(tmp_path, header)).warnings if header in w]
        assert said and ("mgsleep has no column for" in said[0]) is questionnaire, said
