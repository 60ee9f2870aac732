"""Pregnancy and cycle words in the diary's free text and in the profile.

An outside audit (/tmp/w51/a): F1, "positive pregnancy test" in ``other_change`` was not
applied (its "test" made it unsure) while "pregnancy scare, test negative" was; F2,
"expecting my period" held the advice as a pregnancy beside ``pregnant = false`` (and said
"your profile does not list it", put ``conditions = ["expecting"]``), "nursing a cold" read as
breastfeeding; F10, "PMS", "PCOS", "perimenopause", "trying to conceive" ... were unknown
conditions in the profile; F11, a prenatal vitamin is to be read as a multivitamin is.
Known answers on small diaries (:mod:`model.decision.diary_mentions`), profiles and a toy
posterior.
"""

import datetime as dt

import pytest

from model.core.errors import InputError
from model.data.diary import read_diary
from model.data.profile import Profile, ProfileWarning, checked_profile, load_profile
from model.decision import decide
from model.decision.diary_mentions import with_diary_mentions
from model.decision.mention_cues import VERB_ALIASES
from model.decision.screening import screen
from model.evidence.names import NameIndex
from model.testing import FakePosterior
from tests.test_misspelt_mentions import FIRST, NIGHTS, _nights
from tests.test_misspelt_mentions import _rules as _read


def _own(profile, condition, safety):
    """The screening of ``profile`` listing ``condition`` itself."""
    return screen(profile.model_copy(update={"conditions": (condition,)}), safety)


# F1: a test's result decides ------------------------------------------------------------------

@pytest.mark.parametrize(("text", "condition"), [
    ("positive pregnancy test", "pregnancy"), ("pregnancy test positive", "pregnancy"),
    ("pregnancy test, positive", "pregnancy"), ("tested positive for pregnancy", "pregnancy"),
    ("pregnancy test came back positive", "pregnancy"),
    ("took a pregnancy test. Positive!", "pregnancy"),
    # any condition, not pregnancy by name
    ("myasthenia gravis test positive", "myasthenia gravis"),
    ("heart block test, positive", "heart block"),
])
def test_a_positive_test_is_screened_as_had(clean, safety, text, condition):
    """A positive result applies the rule as the profile's own entry would, with a warning."""
    read, rules = _read(clean, text, safety)
    own = _own(clean, condition, safety)
    assert own.referrals or own.holds
    assert (rules.referrals, rules.holds) == (own.referrals, own.holds)
    assert len(read.warnings) == 1 and "screened as if your profile had it" in read.warnings[0]


@pytest.mark.parametrize(("text", "why"), [
    ("pregnancy scare, test negative", "it is written as stopped or not so"),
    ("negative pregnancy test", "it is written as stopped or not so"),
    ("pregnancy test negative", "it is written as stopped or not so"),
    ("pregnancy test, negative", "it is written as stopped or not so"),
    ("pregnancy ruled out", "it is written as stopped or not so"),
    ("myasthenia gravis test negative", "it is written as stopped or not so"),
    # no result yet: perhaps (the first was applied as a pregnancy)
    ("pregnancy scare", "the diary does not say for sure"),
    ("pregnancy test booked", "the diary does not say for sure"),
    ("partner's pregnancy test positive", "the diary does not say for sure"),
    ("trying to get pregnant", "the diary does not say for sure"),
    ("hoping to get pregnant", "the diary does not say for sure"),
])
def test_a_negative_or_unanswered_test_is_said_not_applied(clean, safety, text, why):
    """Negative or ruled out: not so; a test or a scare without a result, someone else's
    test, a wish: perhaps. Said (never silence), no rule applied."""
    read, rules = _read(clean, text, safety)
    assert read.profile == clean and not rules.referrals and not rules.holds
    assert len(read.warnings) == 1, read.warnings
    assert why in read.warnings[0] and "its rule is NOT applied" in read.warnings[0]


def test_a_result_answers_only_its_own_test(clean, safety):
    """A result in a clause naming nothing answers the test of the clause before, not a
    medicine begun there; a result words no name without a test ("negative mood")."""
    for text in ("started digoxin, covid test negative", "started digoxin after a negative "
                 "covid test", "negative mood, on digoxin"):
        read, rules = _read(clean, text, safety)
        assert rules.holds and read.profile.medications == ("digoxin",), text


# F2: a verb alias names its condition only when it stands for it ------------------------------

EVERYDAY = [
    "expecting my period", "expecting period", "PMS, expecting period any day",
    "expecting period tomorrow", "expecting my first period since stopping the pill",
    "expecting a busy day", "expecting rain", "expecting a call from work", "expecting guests",
    "expecting a delivery", "expecting the worst", "expecting too much",
    "expecting it to be hard", "expecting to sleep badly", "expecting a bad night",
    "not expecting much", "expecting more sleep", "expecting my son home late",
    "nursing a cold", "nursing cramps", "nursing a hangover", "nursing a headache",
    "nursing a sore throat", "nursing home visit", "nursing shift", "nursing my sore back",
    "worked a nursing shift", "nursing job interview", "nursing a sprained ankle",
    "expectng my period", "expecting my daughter back from school", "expecting 2 guests",
    "nursing my son's cold", "expecting a parcel due Monday", "nursing 12 hour shifts",
    # the cycle and tests beside them
    "period started", "period pain", "PMS", "cramps, hot water bottle", "PCOS flare",
    "endometriosis pain", "perimenopause hot flushes", "ovulation test positive",
    "ovulation test negative", "negative covid test", "tested negative for covid",
    "covid test positive", "blood test booked", "feeling positive", "negative mood",
    "booking confirmed", "started prenatal vitamins", "came off the pill, trying for a baby",
    "trying to conceive", "hoping for better sleep", "want to sleep more", "scared of the dark",
]


@pytest.mark.parametrize("text", EVERYDAY)
def test_everyday_cycle_words_name_nothing(clean, safety, text):
    """Plausible diary texts of a person who writes her cycle down: no mention, no change."""
    assert len(EVERYDAY) >= 40
    read = with_diary_mentions(clean, _nights(text), safety)
    assert read.profile == clean and read.warnings == (), read.warnings


@pytest.mark.parametrize(("text", "condition"), [
    ("I'm expecting", "pregnancy"), ("we're expecting!", "pregnancy"),
    ("expecting a baby", "pregnancy"), ("expecting twins", "pregnancy"),
    ("expecting our first", "pregnancy"), ("expecting again", "pregnancy"),
    ("expecting a girl", "pregnancy"), ("expecting, due in june", "pregnancy"),
    ("pregnant with our second baby", "pregnancy"),
    ("nursing", "breastfeeding"), ("still nursing", "breastfeeding"),
    ("nursing my baby", "breastfeeding"), ("nursing the newborn", "breastfeeding"),
    ("breastfeeding the baby", "breastfeeding"),
])
def test_a_verb_alias_standing_for_its_condition_is_screened(clean, safety, text, condition):
    """With no object, or a baby (then no one else's), the alias names its condition."""
    _, rules = _read(clean, text, safety)
    own = _own(clean, condition, safety)
    assert own.holds and (rules.referrals, rules.holds) == (own.referrals, own.holds), text


def test_the_verb_aliases_are_aliases_of_the_safety_file(safety):
    """The list names aliases the safety data has (a stale one would guard nothing)."""
    index = NameIndex.of(safety)
    assert {index.match(alias, "condition") for alias in VERB_ALIASES} == {
        "pregnancy", "breastfeeding"}


def test_a_pregnancy_beside_pregnant_false_names_the_key(clean, safety):
    """The warning says the profile says not pregnant and how to put it right with the
    profile's own key, never ``conditions = ["expecting"]``; the rule applies."""
    assert clean.pregnant is False
    for text in ("I'm expecting", "pregnant", "pregant"):
        read, rules = _read(clean, text, safety)
        said = read.warnings[0]
        assert rules.holds and "your profile says pregnant = false" in said, said
        assert "put it in your profile (pregnant = true)" in said
        assert "conditions = [" not in said and "does not list it" not in said
    read, _ = _read(clean, "not pregnant", safety)
    assert "your profile says pregnant = false" in read.warnings[0]
    unsaid = checked_profile(Profile(age=30, egfr=90), safety=safety)
    read, _ = _read(unsaid, "pregnant", safety)
    assert "your profile does not list it" in read.warnings[0]
    assert "(pregnant = true)" in read.warnings[0]


def test_expecting_my_period_keeps_the_decision(tmp_path, clean, safety):
    """Through ``decide`` with the diary as ``analyze`` reads it (a CSV): "expecting my
    period" beside ``pregnant = false`` decides as another change ("started running") does
    (the audit's run was "See your clinician before any change to magnesium"); "I'm
    expecting" refers."""
    from model.evidence.priorset import load_priors

    priors = load_priors()
    posterior = FakePosterior(benefit={"glycinate": 0.3}, known={"glycinate": 0.3})
    found = {}
    for k, text in enumerate(("expecting my period", "started running", "I'm expecting")):
        path = tmp_path / f"d{k}.csv"
        table = _nights(text).reset_index()[["date", "form", "elemental_mg", "other_change"]]
        table.assign(sol_min=30, quality=3).to_csv(path, index=False)
        diary = read_diary(path, warn=False, today=FIRST + dt.timedelta(days=NIGHTS))
        found[text] = decide(posterior, priors=priors, profile=clean, diary=diary,
                             as_of=FIRST + dt.timedelta(days=NIGHTS - 1)).recommendation
    period, plain, expecting = found.values()
    assert (period.action, period.reason_codes) == (plain.action, plain.reason_codes)
    assert period.action != "refer" and expecting.action == "refer"
    assert not any("clinician" in r for r in period.reasons)
    assert period.warnings == plain.warnings


# F10, F11: the profile --------------------------------------------------------------------------

CYCLE_CONDITIONS = ["PMS", "premenstrual syndrome", "PMT", "PMDD",
                    "premenstrual dysphoric disorder", "endometriosis", "dysmenorrhoea",
                    "dysmenorrhea", "period pain", "PCOS", "polycystic ovary syndrome",
                    "perimenopause", "trying to conceive", "TTC", "trying for a baby"]


@pytest.mark.parametrize("name", CYCLE_CONDITIONS)
def test_cycle_conditions_are_known_without_a_rule(tmp_path, safety, name):
    """Known (no error, no ``--allow-unknown``), with no rule: nothing referred, held or
    cautioned; "perhaps" menopause's is no rule of its own either."""
    path = tmp_path / "p.toml"
    path.write_text(f"age = 34\negfr = 90\npregnant = false\nconditions = [{name!r}]\n")
    profile = load_profile(path, safety=safety)
    rules = screen(profile, safety)
    assert profile.conditions == (name,)
    assert not rules.referrals and not rules.holds and not rules.cautions
    assert not rules.rules_applied and rules.ceiling_mg == screen(
        profile.model_copy(update={"conditions": ()}), safety).ceiling_mg


@pytest.mark.parametrize("name", ["prenatal vitamins", "prenatal vitamin",
                                  "prenatal multivitamin"])
def test_a_prenatal_vitamin_is_read_as_a_multivitamin(tmp_path, clean, safety, name):
    """Unknown in the profile as a multivitamin is (its NOT CHECKED warning asks about its
    magnesium), silent in the diary as "started multivitamin" is (a pin: it was so)."""
    said = {}
    for entry in (name, "multivitamin"):
        path = tmp_path / "p.toml"
        path.write_text(f"age = 34\negfr = 90\nmedications = [{entry!r}]\n")
        with pytest.raises(InputError, match=f"unknown medicine {entry!r}"):
            load_profile(path, safety=safety)
        with pytest.warns(ProfileWarning, match="NOT CHECKED"):
            profile = load_profile(path, safety=safety, allow_unknown=True)
        said[entry] = [w.replace(repr(entry), "'it'")
                       for w in screen(profile, safety).all_warnings]
    assert said[name] == said["multivitamin"]
    assert any("whether it contains magnesium" in w for w in said[name]), said[name]
    for text in (f"started {name}", "started multivitamin"):
        read = with_diary_mentions(clean, _nights(text), safety)
        assert read.profile == clean and read.warnings == ()


@pytest.mark.parametrize("text", ["trying lithium this week", "started trying digoxin"])
def test_a_medicine_being_tried_is_screened_as_taken(clean, safety, text):
    """A wish is "trying to" or "trying for" only: "trying lithium" is taking it (a review of
    the wish words: as unsure words they left lithium's rule unapplied)."""
    read, rules = _read(clean, text, safety)
    assert read.profile.medications and not any("not sure" in w for w in read.warnings)
    assert rules.all_warnings or rules.referrals or rules.holds


@pytest.mark.parametrize("text", ["trying to get pregnant", "hoping to get pregnant soon"])
def test_a_wish_for_a_pregnancy_is_said_not_applied(clean, safety, text):
    read, _ = _read(clean, text, safety)
    assert not read.profile.conditions and not read.profile.pregnant
    assert any("pregnan" in w for w in read.warnings)
