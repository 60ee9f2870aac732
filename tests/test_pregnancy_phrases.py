"""Pregnancy and breastfeeding in the diary's free text, as a second outside audit wrote them.

/tmp/w51/c: C1, "expecting" and "nursing" named their condition only alone or before a baby
word, so "we're expecting in June" and "nursing twice a night" were silence (at ``analyze``:
glycinate 300 mg, above the 250 mg ceiling, with no clinician); C2, a stop word meant for
another word ("stopped coffee since pregnant", "quit wine, pregnant") read the pregnancy as
stopped; C5, a wish made a medicine unsure ("trying to taper lithium": lithium's rule not
applied); C4, "pregnat", "first trimester", "BFP", "expressing milk", "schwanger" ... were
silence. The product's rule: a safety input it cannot read for sure is a warning, never
silence; in doubt, the safer reading. Known answers on small diaries
(:func:`model.decision.diary_mentions.with_diary_mentions`), one through ``decide``.
"""

import datetime as dt

import pandas as pd
import pytest

from model.decision import decide
from model.decision.diary_mentions import with_diary_mentions
from model.decision.screening import screen
from model.testing import FakePosterior

FIRST = dt.date(2026, 5, 1)
NIGHTS = 20

RULE_NOT_APPLIED = "its rule is NOT applied"
APPLIED = "screened as if your profile had it"


def _nights(*texts: str) -> pd.DataFrame:
    """Glycinate 200 mg every night from FIRST, ``texts`` in ``other_change`` on nights
    10, 11, ... (the first at night 10)."""
    dates = pd.date_range(FIRST, periods=NIGHTS, freq="D", name="date")
    cells = [""] * NIGHTS
    cells[10:10 + len(texts)] = texts
    return pd.DataFrame({"form": "glycinate", "elemental_mg": 200.0, "split": False,
                         "recorded": True, "gi_night": 0.0, "other_change": cells,
                         "notes": [""] * NIGHTS}, index=dates)


def _read(profile, safety, *texts):
    read = with_diary_mentions(profile, _nights(*texts), safety)
    return read, screen(read.profile, safety)


def _rule(rules):
    """What a screening refers, holds and warns of."""
    return rules.referrals, rules.holds, rules.all_warnings


def _assert_applied(profile, safety, texts, condition=None, medicine=None):
    """Screened as the profile's own entry would be, with a warning saying so."""
    read, rules = _read(profile, safety, *texts)
    own = _rule(screen(profile.model_copy(update={
        "conditions": (condition,) if condition else (),
        "medications": (medicine,) if medicine else ()}), safety))
    assert any(own) and _rule(rules) == own, texts
    assert any(APPLIED in w for w in read.warnings), read.warnings


def _assert_said(profile, safety, texts, why=""):
    """Said, with ``why`` in its warning, not applied."""
    read, rules = _read(profile, safety, *texts)
    assert read.profile == profile and not rules.referrals and not rules.holds, texts
    assert len(read.warnings) == 1 and RULE_NOT_APPLIED in read.warnings[0], read.warnings
    assert why in read.warnings[0], read.warnings


# C1: a verb alias names its condition unless its object is a known other one ----------------

@pytest.mark.parametrize(("text", "condition"), [
    ("we're expecting in June", "pregnancy"), ("we are expecting in March", "pregnancy"),
    ("expecting (due 3 May)", "pregnancy"), ("expecting - 12 weeks", "pregnancy"),
    ("expecting a little one", "pregnancy"), ("expecting a son", "pregnancy"),
    ("expecting since March", "pregnancy"), ("expecting our 2nd", "pregnancy"),
    ("nursing at night", "breastfeeding"), ("nursing twice a night", "breastfeeding"),
    ("nursing every 3 hours", "breastfeeding"), ("nursing my son", "breastfeeding"),
    ("nursing my daughter", "breastfeeding"), ("nursing my 4 month old", "breastfeeding"),
    ("nursing toddler", "breastfeeding"), ("nursing to sleep", "breastfeeding"),
    ("nursing night feeds", "breastfeeding"), ("nursing at night with a cold", "breastfeeding"),
])
def test_a_verb_alias_without_a_known_other_object_is_applied(clean, safety, text, condition):
    """No object, a time, a baby, a son or daughter, an age: the condition, applied."""
    _assert_applied(clean, safety, (text,), condition=condition)


@pytest.mark.parametrize(("text", "why"), [
    ("nursing on nights", "is an everyday word too"), ("nursing at work", "is an everyday word"),
    ("nursing my hopes", "is an everyday word"), ("expecting trouble", "is an everyday word"),
    ("nursing mum through flu", "the diary does not say for sure")])
def test_a_verb_alias_with_an_object_not_known_is_said(clean, safety, text, why):
    """An object neither a baby nor a known other one, or a nurse's work after the verb: said,
    never silence ("nursing mum" is a breastfeeding mother too), not applied."""
    _assert_said(clean, safety, (text,), why)


@pytest.mark.parametrize("text", ["expecting my period", "nursing a cold", "nursing shift",
                                  "expecting guests", "expecting a delivery",
                                  "expecting my son home late", "expecting to sleep badly"])
def test_a_verb_alias_with_a_known_other_object_names_nothing(clean, safety, text):
    """A pin (more in tests/test_cycle_words.py's EVERYDAY): the everyday verb is silent."""
    read = with_diary_mentions(clean, _nights(text), safety)
    assert read.profile == clean and read.warnings == ()


def test_nursing_twice_a_night_refers_through_decide(tmp_path, clean, safety):
    """Through ``decide``: "nursing twice a night" refers as "breastfeeding" does (the audit's
    run went back to glycinate 300 mg)."""
    from model.evidence.priorset import load_priors

    priors = load_priors()
    posterior = FakePosterior(benefit={"glycinate": 0.3}, known={"glycinate": 0.3})
    actions = {}
    for text in ("nursing twice a night", "breastfeeding"):
        diary = type("Diary", (), {"nights": _nights(text)})()
        actions[text] = decide(posterior, priors=priors, profile=clean, diary=diary,
                               as_of=FIRST + dt.timedelta(days=NIGHTS - 1)).recommendation
    nursing, breastfeeding = actions.values()
    assert nursing.action == breastfeeding.action == "refer"
    assert nursing.reason_codes == breastfeeding.reason_codes


# C2: a stop word is its name's only with fillers between --------------------------------------

@pytest.mark.parametrize("texts", [
    ("stopped coffee since pregnant",), ("stopped coffee because pregnant",),
    ("quit wine, pregnant",), ("no caffeine since pregnant",), ("off work pregnant",),
    ("stopped drinking since I'm pregnant",), ("stopped melatonin as I'm pregnant",),
    ("pregnant since I stopped coffee",), ("no lithium, pregnant",),
    ("pregnant, 6 weeks", "stopped coffee since pregnant"),
])
def test_a_stop_word_for_another_word_keeps_the_pregnancy(clean, safety, texts):
    """The pregnancy is had, and applied, on its own and after a plain mention."""
    _assert_applied(clean, safety, texts, condition="pregnancy")


@pytest.mark.parametrize(("text", "name"), [
    ("not pregnant", "pregnancy"), ("no longer pregnant", "pregnancy"),
    ("off dialysis", "dialysis"), ("stopped taking digoxin", "digoxin"),
    ("no longer taking digoxin", "digoxin"), ("quit taking my digoxin", "digoxin"),
    ("stopped my lithium", "lithium"), ("digoxin was stopped", "digoxin"),
    ("stopped the digoxin 125 mcg", "digoxin"),
])
def test_a_stop_word_with_only_fillers_before_its_name_stops_it(clean, safety, text, name):
    """Said as stopped, not applied."""
    _assert_said(clean, safety, (text,), "it is written as stopped or not so")


@pytest.mark.parametrize("text", ["stopped melatonin, digoxin", "stopped melatonin and digoxin"])
def test_a_stop_carried_from_the_name_before_is_said_not_applied(clean, safety, text):
    """A clause with no cue takes the stop of the clause before only as a doubt (/tmp/w52/e
    E2): said, not applied, and an earlier "started digoxin" stays applied."""
    _assert_said(clean, safety, (text,), "does not say so for this one")
    _assert_applied(clean, safety, ("started digoxin", text), medicine="digoxin")


@pytest.mark.parametrize("texts", [("didn't take digoxin last night",),
                                   ("started digoxin", "not taking digoxin tonight")])
def test_a_dose_missed_keeps_the_medicine(clean, safety, texts):
    """"didn't take" or "not taking" may be one dose missed: digoxin stays applied."""
    _assert_applied(clean, safety, texts, medicine="digoxin")


# C5: a wish makes only a condition unsure ----------------------------------------------------

@pytest.mark.parametrize(("text", "medicine"), [
    ("trying to taper lithium", "lithium"), ("trying to reduce my lithium", "lithium"),
    ("wanting to cut down levothyroxine", "levothyroxine"),
    ("trying for a lower lithium dose", "lithium"), ("want to start lithium", "lithium"),
    ("trying to come off lithium", "lithium"), ("want to stop lithium", "lithium"),
])
def test_a_medicine_after_a_wish_is_applied(clean, safety, text, medicine):
    """Tapering, reducing, wanting to stop or start: taken now, or about to be (safe side)."""
    _assert_applied(clean, safety, (text,), medicine=medicine)


def test_a_wish_is_read_by_the_name_after_it(clean, safety):
    """"trying to get pregnant, on lithium": lithium applied, the pregnancy said; a
    pregnancy before a wish is had."""
    read, _ = _read(clean, safety, "trying to get pregnant, on lithium")
    assert read.profile.medications == ("lithium",) and not read.profile.conditions
    assert any("pregnan" in w and RULE_NOT_APPLIED in w for w in read.warnings)
    _assert_applied(clean, safety, ("pregnant hoping to sleep better",), condition="pregnancy")


# C4: the everyday, misspelt and other-language words ------------------------------------------

@pytest.mark.parametrize(("text", "condition"), [
    ("pregnat", "pregnancy"), ("im pregnat", "pregnancy"),
    ("first trimester", "pregnancy"), ("second trimester", "pregnancy"),
    ("3rd trimester", "pregnancy"), ("baby on the way", "pregnancy"),
    ("I'm with child", "pregnancy"), ("BFP", "pregnancy"), ("got a BFP today", "pregnancy"),
    ("morning sickness started", "pregnancy"), ("pregnancy test +ve", "pregnancy"),
    ("embarazada", "pregnancy"), ("schwanger", "pregnancy"), ("enceinte", "pregnancy"),
    ("grávida", "pregnancy"), ("gravida", "pregnancy"), ("incinta", "pregnancy"),
    ("zwanger", "pregnancy"),
    ("pumping breast milk", "breastfeeding"), ("expressing milk", "breastfeeding"),
    ("stillen", "breastfeeding"), ("allaitement", "breastfeeding"),
    ("lactancia", "breastfeeding"),
])
def test_everyday_and_other_language_words_are_applied(clean, safety, text, condition):
    """Known pregnancy and lactation words, a typo within reach, "+ve": applied."""
    _assert_applied(clean, safety, (text,), condition=condition)


def test_a_test_written_minus_ve_is_said_not_applied(clean, safety):
    """"-ve" is a negative result (of a test only: "Rh -ve, pregnant" is a pregnancy)."""
    _assert_said(clean, safety, ("pregnancy test -ve",), "it is written as stopped or not so")
    _assert_applied(clean, safety, ("Rh -ve, pregnant",), condition="pregnancy")


@pytest.mark.parametrize("text", [
    "with child", "up all night with child teething", "expressing my feelings",
    "pumped up for the gym", "warm milk before bed", "I've stopped coffee",
    "feeling +ve today", "teenage son up late", "still tired", "stilled my mind",
])
def test_words_near_the_new_ones_name_nothing(clean, safety, text):
    """False alarms pinned: "with child" alone is not read, nor a word near the new ones."""
    read = with_diary_mentions(clean, _nights(text), safety)
    assert read.profile == clean and read.warnings == (), read.warnings
