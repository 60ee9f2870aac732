"""A magnesium laxative or antacid named only in the diary brings the profile entry's rule.

An outside audit (/tmp/w52/d2 G2 b): "milk of magnesia as needed" in the profile says no
supplement on its days and, at 70 with an eGFR of 55, "First ask a clinician"; "took milk of
magnesia 30ml" in the diary said nothing (:mod:`model.decision.diary_magnesium`). Known answers
through :func:`~model.decision.diary_mentions.with_diary_mentions`, ``screen`` and ``decide``
on a toy posterior.
"""

import datetime as dt

import pandas as pd
import pytest

from model.core.regimen import Regimen
from model.data.diary import read_diary
from model.data.profile import Profile, checked_profile
from model.decision import decide
from model.decision.diary_mentions import with_diary_mentions
from model.decision.other_magnesium import ask_first_lead
from model.decision.screening import screen
from model.testing import FakePosterior
from tests.test_diary_unknown_medicines import FIRST
from tests.test_diary_unknown_medicines import _nights as glycinate_nights

DAY = (FIRST + dt.timedelta(days=5)).isoformat()
GLYCINATE = Regimen("glycinate", 200)
NO_SUPPLEMENT = "on a day you take it, take no magnesium supplement"


def _nights(texts: dict[int, str], column: str = "notes") -> pd.DataFrame:
    """Glycinate 200 mg every night from FIRST, ``column``'s text by night."""
    return glycinate_nights(texts, column)


def _person(safety, age: int = 70, egfr: float = 55.0, medications: tuple[str, ...] = ()):
    return checked_profile(Profile(age=age, egfr=egfr, pregnant=False, conditions=(),
                                   medications=medications), safety=safety)


def _read(safety, texts: dict[int, str], column: str = "notes", **facts):
    return with_diary_mentions(_person(safety, **facts), _nights(texts, column), safety)


@pytest.mark.parametrize("column", ["notes", "other_change"])
@pytest.mark.parametrize("text", ["took milk of magnesia 30ml", "MoM 15ml", "took MoM 30 ml",
                                  "Milk of Magnesia 30 mL at bedtime"])
def test_milk_of_magnesia_in_the_diary_is_screened_as_the_profile_entry(safety, text, column):
    """70 years, eGFR 55: the entry "milk of magnesia as needed" is added, its rule and its
    clinician question are those of the profile's own entry, and the warning names the line
    and the entry to write."""
    read = _read(safety, {5: text}, column)
    assert read.profile.medications[-1].lower() == "milk of magnesia as needed", read.profile
    rules = screen(read.profile, safety)
    own = screen(_person(safety, medications=(read.profile.medications[-1],)), safety)
    assert rules.dose_rules == own.dose_rules and NO_SUPPLEMENT in rules.dose_rules[0]
    assert "at age 70 and with an eGFR of 55, ask a clinician" in rules.dose_rules[0]
    assert ask_first_lead(rules.dose_rules, GLYCINATE).startswith(" First ask a clinician")
    said = [w for w in read.warnings if "magnesium too" in w]
    assert len(said) == 1 and said[0].startswith(f"Your diary says {text!r} on {DAY} ({column})")
    assert "your profile does not list it" in said[0] and "correct the diary" in said[0]
    assert f'medications = ["{read.profile.medications[-1]}"]' in said[0]
    assert read.profile.checked_with(safety)
    assert read.profile.model_fields_set == _person(safety).model_fields_set


def test_at_forty_the_rule_comes_without_the_clinician_first(safety):
    rules = screen(_read(safety, {5: "took milk of magnesia 30ml"}, age=40, egfr=90.0).profile,
                   safety)
    assert NO_SUPPLEMENT in rules.dose_rules[0] and "ask a clinician" not in rules.dose_rules[0]
    assert ask_first_lead(rules.dose_rules, GLYCINATE) == ""


def test_an_antacid_gets_the_antacid_rule(safety):
    read = _read(safety, {5: "Maalox", 8: "Rennie after dinner"}, "other_change", age=40,
                 egfr=90.0)
    assert read.profile.medications == ("Maalox as needed", "Rennie as needed")
    rules = screen(read.profile, safety).dose_rules
    assert len(rules) == 2 and all("count its magnesium" in r for r in rules), rules
    assert not any("exclude = laxative" in r for r in rules)
    assert all("an antacid that is magnesium too" in w for w in read.warnings)


def test_the_supplement_and_magnesium_on_the_skin_add_nothing(safety):
    """The trial's own supplement ("glycinate 200 mg", "magnesium glycinate"), an Epsom salt
    bath and a mother add nothing; milk of magnesia beside them adds its one entry."""
    beside = {2: "glycinate 200 mg", 3: "magnesium glycinate", 4: "Epsom salt bath",
              6: "bath with epsom salts", 7: "visiting mom"}
    assert _read(safety, beside).profile.medications == ()
    read = _read(safety, {**beside, 5: "took milk of magnesia 30ml"})
    assert read.profile.medications == ("milk of magnesia as needed",)
    assert len(read.warnings) == 1, read.warnings
    assert _read(safety, {5: "epsom salts 2 tsp"}).profile.medications == (
        "epsom salts as needed",)


def test_a_profile_listing_it_gets_no_second_entry(safety):
    """Listed as "milk of magnesia as needed": "MoM 15ml" adds nothing, says nothing; an
    antacid the profile does not list is still added."""
    listed = ("milk of magnesia as needed",)
    read = _read(safety, {5: "MoM 15ml", 9: "took magnesium hydroxide", 12: "Rennie"},
                 medications=listed)
    assert read.profile.medications == (*listed, "Rennie as needed"), read.profile
    assert len(read.warnings) == 1 and "'Rennie'" in read.warnings[0]


@pytest.mark.parametrize("text", ["started milk of magnesia every night",
                                  "started MoM daily", "milk of magnesia nightly"])
def test_every_night_is_read_as_daily_and_held(safety, text):
    """Held as the profile's unread daily entry is; "took" on a later night keeps it daily."""
    read = _read(safety, {5: text, 9: "took milk of magnesia 30ml"})
    assert read.profile.medications == ("milk of magnesia daily",)
    rules = screen(read.profile, safety)
    own = screen(_person(safety, medications=("milk of magnesia daily",)), safety)
    assert rules.holds == own.holds and any("milk of magnesia daily" in h for h in rules.holds)
    assert "taken every day" in read.warnings[0]


def test_a_daily_dose_in_mg_is_counted(safety):
    read = _read(safety, {5: "magnesium hydroxide 400 mg every night"}, age=40, egfr=90.0)
    assert read.profile.medications == ("magnesium hydroxide 400 mg daily",)
    assert screen(read.profile, safety).other_mg == 400


def test_a_plain_stop_takes_it_out_and_any_other_reading_keeps_it(safety):
    assert _read(safety, {5: "took milk of magnesia 30ml",
                          9: "stopped milk of magnesia"}).profile.medications == ()
    for later in ({9: "stopped milk of magnesia", 12: "MoM 15ml"},   # taken again
                  {9: "stopped milk of magnesia, constipation better"},   # not plainly
                  {9: "no milk of magnesia tonight"}):                    # a night without
        read = _read(safety, {5: "took milk of magnesia 30ml", **later})
        assert read.profile.medications == ("milk of magnesia as needed",), later


def test_it_counts_from_its_night_on(safety):
    nights = _nights({5: "took milk of magnesia 30ml"})
    person = _person(safety)
    assert with_diary_mentions(person, nights, safety, FIRST + dt.timedelta(days=4)) \
        .profile.medications == ()
    assert with_diary_mentions(person, nights, safety, FIRST + dt.timedelta(days=5)) \
        .profile.medications == ("milk of magnesia as needed",)


def test_decide_says_the_rule_and_holds_a_daily_one(safety, tmp_path):
    """Through ``decide`` with a diary file: the now-and-then rule and the line's warning are
    among the warnings; written every night, the advice is held."""
    from model.evidence.priorset import load_priors

    def advise(text: str):
        nights = _nights({5: text})
        path = tmp_path / "diary.csv"
        table = nights.reset_index()[["date", "form", "elemental_mg", "notes", "other_change"]]
        table.assign(sol_min=30, quality=3).to_csv(path, index=False)
        posterior = FakePosterior(benefit={"glycinate": 0.3}, known={"glycinate": 0.3})
        return decide(posterior, priors=load_priors(), profile=_person(safety),
                      diary=read_diary(path, warn=False),
                      as_of=nights.index[-1].date()).recommendation

    rec = advise("took milk of magnesia 30ml")
    assert any(w.startswith("milk of magnesia as needed") and NO_SUPPLEMENT in w
               for w in rec.warnings), rec.warnings
    assert any("'took milk of magnesia 30ml'" in w for w in rec.warnings)
    held = advise("started milk of magnesia every night")
    assert any("milk of magnesia daily" in r for r in held.reasons), held


@pytest.mark.parametrize("text", ["gave the kids milk of magnesia", "should I take MoM",
                                  "avoid MoM per GP", "bought milk of magnesia",
                                  "Maalox was recalled", "GP suggested milk of magnesia?",
                                  "mom said try milk of magnesia"])
def test_a_clause_that_does_not_say_she_takes_it_adds_nothing(safety, text):
    """An audit's second round (/tmp/w53/r R6): each was read as taken, a rule and, at 70, a
    clinician's question heading the advice."""
    assert _read(safety, {5: text}).profile.medications == (), text
