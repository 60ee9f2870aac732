"""From trying to conceive to a pregnancy, a birth or a miscarriage: what the diary's words do.

An outside audit (/tmp/w53/c) followed a woman through 14 months of her diary: a pregnancy
written on a blinded pot night was read as only a plan (C1, the pot tag's "plan"); ``log
--profile`` kept it for its own night only (C2); "gave birth" and "miscarried at 9 weeks" were
read as nothing, so a pregnancy the diary had named never ended (C4), and the words after an
end asked for ``pregnant = true`` (C8).
"""

import datetime as dt

import pandas as pd
import pytest

from model.data.profile import Profile, checked_profile
from model.data.profile_entries import ProfileWarning
from model.decision.diary_mentions import text_mentions, with_diary_mentions
from model.decision.screening import screen
from model.evidence.names import NameIndex

FIRST = dt.date(2026, 3, 1)


def _nights(notes: dict[int, str], form: str = "glycinate") -> pd.DataFrame:
    dates = pd.date_range(FIRST, periods=40, freq="D", name="date")
    return pd.DataFrame({"form": form, "elemental_mg": 200.0, "split": False, "recorded": True,
                         "gi_night": 0.0, "other_change": [""] * 40,
                         "notes": [notes.get(i, "") for i in range(40)]}, index=dates)


def _person(safety, pregnant: bool = False):
    return checked_profile(Profile(age=31, egfr=100, pregnant=pregnant,
                                   conditions=("trying to conceive",), medications=()),
                           safety=safety)


def _pregnancy_rule(profile, safety) -> bool:
    return "pregnancy" in " ".join(screen(profile, safety).rules_applied)


def test_a_pregnancy_written_on_a_pot_night_is_applied(safety):
    """C1: the pot code and plan tag ``mgsleep plan --blind`` writes are no words of hers."""
    tagged = _nights({10: "code A (plan 497a03d6) positive pregnancy test"}, form="none")
    read = with_diary_mentions(_person(safety), tagged, safety)
    assert _pregnancy_rule(read.profile, safety), read.warnings
    assert "'positive pregnancy test' on 2026-03-11 (notes)" in read.warnings[0]


@pytest.mark.parametrize("ended", ["gave birth today", "baby born 3am", "miscarried at 9 weeks",
                                   "Miscarriage.", "gave birth to a healthy boy",
                                   "we lost the baby", "lost the baby at 10 weeks",
                                   "our baby boy was born at 3am", "miscarriage confirmed",
                                   "gave birth to our daughter"])
def test_a_birth_or_a_miscarriage_ends_the_pregnancy_the_diary_named(ended, safety):
    """C4: the diary's pregnancy ends with the cell that says it ended, which tells how to
    list breastfeeding; before it, the pregnancy's warning says how to write its end."""
    person = _person(safety)
    pregnant = with_diary_mentions(person, _nights({5: "positive pregnancy test"}), safety)
    assert _pregnancy_rule(pregnant.profile, safety)
    assert "When it ends, write 'gave birth' or 'not pregnant'" in pregnant.warnings[0]
    read = with_diary_mentions(person, _nights({5: "positive pregnancy test", 30: ended}), safety)
    assert not _pregnancy_rule(read.profile, safety), read.warnings
    [said] = read.warnings
    assert "as ended, so its rule is not applied" in said and "pregnant = true" not in said
    birth = any(word in ended for word in ("birth", "born"))     # not after a loss
    assert ('conditions = ["breastfeeding"]' in said) is birth, said


@pytest.mark.parametrize("text", ["worried about miscarriage", "sister gave birth",
                                  "birth plan done", "gave birth?", "baby born 😂",
                                  "delivered twins at 4am", "delivered a baby girl at 2am",
                                  "born at home", "born 1990", "birth", "our daughter gave birth",
                                  "miscarriage risk discussed", "lost the baby monitor",
                                  "son born 2019"])
def test_words_of_a_birth_that_say_more_end_nothing(text, safety):
    """Nor a midwife's note of her shift, nor another's birth (/tmp/w53/r R1, UNSAFE: the
    pregnancy the diary named was ended by "delivered twins at 4am")."""
    assert text_mentions(text, NameIndex.of(safety), safety) == []


def test_an_end_beside_a_profile_that_is_pregnant_asks_for_pregnant_false(safety):
    """C8: "take it out of your profile" of a key that is no list entry."""
    read = with_diary_mentions(_person(safety, pregnant=True), _nights({5: "gave birth"}),
                               safety)
    assert _pregnancy_rule(read.profile, safety)        # the profile's own stays
    assert "If it has ended, set pregnant = false in your profile" in read.warnings[0]


def test_log_keeps_a_pregnancy_written_nights_before(tmp_path):
    """C2: ``log --profile`` read only the night's own words: the night after "positive
    pregnancy test", 200 mg beside 150 mg of other magnesium was logged without a word."""
    import warnings

    from model.cli.main import main

    diary = tmp_path / "diary.csv"
    diary.write_text("date,form,elemental_mg,sol_min\n2026-03-01,glycinate,200,30\n")
    profile = tmp_path / "profile.toml"
    profile.write_text("age = 31\negfr = 100\npregnant = false\nother_magnesium_mg = 150\n"
                       "conditions = [\"trying to conceive\"]\nmedications = []\n")
    said = []
    for day, notes in (("2026-03-02", ["--notes", "positive pregnancy test"]),
                       ("2026-03-03", [])):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert main(["log", str(diary), "--date", day, "--form", "glycinate", "--mg", "200",
                         "--sol", "20", "--profile", str(profile), *notes]) == 0
        said.append([str(w.message) for w in caught if "above your daily ceiling" in
                     str(w.message)])
    assert said[0] and said[1], said
    assert "ceiling of 100 mg (after 150 mg a day" in said[1][0]


@pytest.mark.parametrize("text", ["pumped at 3am", "expressing 60 ml", "mixed feeding",
                                  "combined feeding", "my milk came in today", "postpartum",
                                  "6 weeks post partum", "postnatal check"])
def test_the_words_of_a_postpartum_diary_are_said(text, safety):
    """C3: silence; each is now said (never applied) as pointing to breastfeeding."""
    read = text_mentions(text, NameIndex.of(safety), safety)
    assert [(kind, name, stance) for kind, name, _, stance, *_ in read] == [
        ("condition", "breastfeeding", "unsure")], read


@pytest.mark.parametrize("text", ["pumped up for the gym", "mixed feelings", "feeding the cat",
                                  "expressing my feelings"])
def test_their_everyday_meanings_are_not(text, safety):
    assert text_mentions(text, NameIndex.of(safety), safety) == []


@pytest.mark.parametrize(("facts", "code"), [({"pregnant": True}, "refer_hold"),
                                             ({"egfr": 20}, "refer_stop")])
def test_a_hold_keeps_not_checked_and_tells_the_clinician(facts, code, priors):
    """C6: an unknown prenatal vitamin accepted with --allow-unknown lost ``not_checked``
    under the pregnancy hold; beside a referral the headline tells the clinician of it, never
    "first ask" after "stop now"."""
    from model.decision import History, decide
    from model.report.advice import UNCHECKED_FIRST, UNCHECKED_TOO, what_to_do
    from model.testing import FakePosterior

    profile = Profile(**{"age": 31, "egfr": 100, "pregnant": False, **facts}, conditions=(),
                      medications=("prenatal vitamin",))
    nights = _nights({})
    with pytest.warns(ProfileWarning, match="unknown medicine 'prenatal vitamin'"):
        rec = decide(FakePosterior(benefit={"glycinate": 0.3}, known={"glycinate": 0.3}),
                     priors=priors, profile=profile, diary=History.from_nights(nights),
                     as_of=nights.index[-1].date(), allow_unknown=True).recommendation
    assert rec.action == "refer" and {code, "not_checked"} <= set(rec.reason_codes), rec
    said = what_to_do(rec)
    assert said.endswith(UNCHECKED_TOO) and UNCHECKED_FIRST not in said, said


@pytest.mark.parametrize("text", ["baby up 4 times, breastfeeding",
                                  "baby up 4 times, still breastfeeding"])
def test_a_baby_in_the_clause_before_does_not_make_her_breastfeeding_someone_else_s(text, safety):
    """C3: "baby" was read as someone else's and its doubt carried to the next clause: the
    breastfeeding was said, not applied (the dangerous side)."""
    read = text_mentions(text, NameIndex.of(safety), safety)
    assert [(name, stance) for _, name, _, stance, *_ in read] == [("breastfeeding", "has")]
