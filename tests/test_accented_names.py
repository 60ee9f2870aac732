"""A name written with accents is the name without them, in the profile and in the diary.

A second outside audit (/tmp/w50/c C1): ``other_change`` "started raltégravir 400 mg" (the
French spelling, copied from the box) was silence, "Keep your current routine", where
"raltegravir" says "Stop taking magnesium now and see a clinician"; "dolutégravir" and
"lévothyroxine" too, and in the profile each was an unknown medicine (an error). The ``é``
cut the name in two (:mod:`model.evidence.name_letters`). Known answers on the profile's
screening and on small diaries (:mod:`model.decision.diary_mentions`).
"""

import pytest

from model.data.profile import Profile, checked_profile
from model.decision.diary_mentions import with_diary_mentions
from model.decision.screening import screen
from model.evidence.name_letters import words
from model.evidence.names import NameIndex, name_key
from tests.test_misspelt_mentions import DAY, _nights

MEDICINES = [("raltégravir 400 mg", "raltegravir 400 mg"),
             ("Dolutégravir 50 mg", "dolutegravir 50 mg"),
             ("Lévothyroxine 50 µg", "levothyroxine 50 µg"),
             ("dolutegravír", "dolutegravir"),
             ("LÉVOTHYROXINE 75 µg", "levothyroxine 75 µg"),   # a capital with its accent
             ("ralte\u0301gravir", "raltegravir")]          # é as e and a combining mark
"""Accented spellings of medicines with a rule, with the plain spelling."""

CONDITIONS = [("hæmodialysis", "haemodialysis"), ("myasthénia gravis", "myasthenia gravis"),
              ("heart blöck", "heart block")]
"""Accented (or ligatured) spellings of contraindications' conditions, with the plain one."""


def _profile(safety, kind: str, name: str) -> Profile:
    """The audits' clean adult with ``name`` in ``kind`` (a list of the profile), checked."""
    return checked_profile(Profile(age=40, egfr=90, pregnant=False, **{kind: (name,)}),
                           safety=safety)


def _rules(rules) -> tuple[str, ...]:
    """The referrals, holds, dose rules, cautions and names not checked, each without the
    name it begins with (a medicine's is the entry as written: "raltégravir 400 mg: ...")."""
    return tuple(said.split(": ", 1)[-1] for said in (
        *rules.referrals, *rules.holds, *rules.dose_rules, *rules.cautions, *rules.unchecked))


@pytest.mark.parametrize(("accented", "plain"), MEDICINES)
def test_an_accented_medicine_in_the_profile_screens_as_the_plain_one(safety, accented, plain):
    """The profile reads "raltégravir 400 mg" as raltegravir (it was an unknown medicine,
    an error), and screens it exactly as the plain spelling, a rule applying."""
    index = NameIndex.of(safety)
    assert index.match(accented, "medicine") == index.match(plain, "medicine") is not None
    own = screen(_profile(safety, "medications", plain), safety)
    assert own.dose_rules or own.referrals or own.holds
    assert _rules(screen(_profile(safety, "medications", accented), safety)) == _rules(own)


@pytest.mark.parametrize(("accented", "plain"), CONDITIONS)
def test_an_accented_condition_in_the_profile_screens_as_the_plain_one(safety, accented, plain):
    """"hæmodialysis", "myasthénia gravis": the plain condition's referral."""
    own = screen(_profile(safety, "conditions", plain), safety)
    assert own.referrals
    assert _rules(screen(_profile(safety, "conditions", accented), safety)) == _rules(own)


@pytest.mark.parametrize(("accented", "plain"), [*MEDICINES, *CONDITIONS])
@pytest.mark.parametrize("column", ["other_change", "notes"])
def test_an_accented_name_in_the_diary_screens_as_the_plain_one(clean, safety, accented,
                                                                plain, column):
    """The audit's cell: "started raltégravir 400 mg" refers (or holds) as "started
    raltegravir 400 mg" does, and the warning quotes the cell and names the plain name."""
    cell = f"started {accented}" if (accented, plain) in MEDICINES else f"diagnosed with {accented}"
    read = with_diary_mentions(clean, _nights(cell, column), safety)
    own = with_diary_mentions(clean, _nights(cell.replace(accented, plain), column), safety)
    assert _rules(screen(own.profile, safety))
    assert _rules(screen(read.profile, safety)) == _rules(screen(own.profile, safety))
    assert len(read.warnings) == 1, read.warnings
    assert f"Your diary says {cell!r} on {DAY} ({column})" in read.warnings[0]


def test_a_misspelt_accented_name_is_quoted_as_written(clean, safety):
    """A near miss with an accent ("raltégravr") is read as raltegravir, and the warning
    quotes the words as the person wrote them, where to correct them."""
    read = with_diary_mentions(clean, _nights("started Raltégravr 400 mg"), safety)
    assert screen(read.profile, safety).referrals
    assert "'Raltégravr' is read as 'raltegravir'" in read.warnings[0], read.warnings
    assert "if 'Raltégravr' is not raltegravir" in read.warnings[0]


@pytest.mark.parametrize(("written", "key"), [
    ("Raltégravir", "raltegravir"), ("Straße", "strasse"), ("Æ œ Ø", "ae_oe_o"),
    ("ﬁbrates", "fibrates"), ("ralte\u0301gravir", "raltegravir"), ("ĐŁÐÞı", "dldthi"),
    ("75µg", "75_g"), ("crème brûlée", "creme_brulee")])
def test_letters_are_folded_to_the_letter_they_are_written_on(written, key):
    """NFKD without combining marks, and the letters it leaves whole as English writes them
    (ß, æ, œ, ø, ...); the micro sign stays no letter (``µg`` is ``g``, a unit, as before)."""
    assert name_key(written) == key


def test_word_places_are_in_the_text_as_written():
    """The places of the words are the text's own: a slice gives the word as written, its
    accent (a combining mark too) and capital kept."""
    text = "Cafe\u0301 Magnésium 500 mg, Straße"
    assert [text[start:end] for _, start, end in words(text)] == \
        ["Cafe\u0301", "Magnésium", "500", "mg", "Straße"]
