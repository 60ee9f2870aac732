"""The diary's safety words, read as a clinician would: an outside audit's table (/tmp/w52/e).

``tests/data/safety_phrases.tsv``: 792 phrases a person writes in a diary (medicines with a
rule, pregnancy, breastfeeding, the kidneys, the heart, an age; six languages), each with the
reading expected (``name=stance`` pairs by ``;``, readings also accepted by ``|``, ``*kind``
for any name of that kind). Of several mentions of one name the latest that is no "unsure"
decides, as :func:`~model.decision.diary_mentions.with_diary_mentions` does.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from model.data.profile import Profile, checked_profile
from model.decision.diary_mentions import text_mentions, with_diary_mentions
from model.decision.screening import screen
from model.evidence.floor import bundled_safety
from model.evidence.names import NameIndex

TABLE = Path(__file__).parent / "data" / "safety_phrases.tsv"

STILL_MISREAD = {
    "P444": "'mg' after a medicine is said as maybe myasthenia (a false warning, said only)",
    "P604": "'Mr Schwanger' is said as maybe a pregnancy (a title before it), not silence",
    "P605": "'Embarazo tapas bar': a capitalised foreign word as a place is still read",
    "P606": "'enceinte' (a loudspeaker) without French words of being is said, not applied",
    "P607": "'enceinte' (a loudspeaker) is said, not applied",
    "P608": "'stillen' (to quench) is said, not applied",
    "P609": "'stillen' (to quench) is said, not applied",
    "P703": "'breastfeeding support group for work' is read as breastfeeding (safe side)",
    "P551": "'until' is no stop ('lithium until further notice' read as stopped): a pregnancy "
            "'until last week' is kept (safe side)",
    "P748": "'kidneys fine per GP' is said as maybe kidney disease (a false warning)",
    "P779": "'Mg glycinate' is said as maybe myasthenia (a false warning, said only)",
}
"""Phrases still misread, each on the safe side (said, or applied): none silences or reverses
a fact had."""


def _rows() -> list[dict[str, str]]:
    with TABLE.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def _read(text: str) -> dict[str, tuple[str, str, str]]:
    """name -> (kind, stance, why): the latest mention that is no "unsure" decides."""
    safety = bundled_safety()
    got: dict[str, tuple[str, str, str]] = {}
    for kind, name, _, stance, why, _ in text_mentions(text, NameIndex.of(safety), safety):
        if name not in got or stance != "unsure" or got[name][1] == "unsure":
            got[name] = (kind, stance, why)
    return got


def _misread(row: dict[str, str]) -> list[tuple[str, str, str]]:
    """The names read otherwise than expected: (name, first expected, read)."""
    expected = {name.strip(): [s.strip() for s in stances.split("|")]
                for name, stances in (part.split("=") for part in row["expected"].split(";")
                                      if part.strip())}
    got = _read(row["text"].replace("\\n", "\n"))
    wrong = [(name, allowed[0], got.get(name, ("", "nothing", ""))[1])
             for name, allowed in expected.items() if not name.startswith("*")
             and got.get(name, ("", "nothing", ""))[1] not in allowed]
    kinds = {name[1:]: allowed for name, allowed in expected.items() if name.startswith("*")}
    for kind, allowed in kinds.items():
        stances = [stance for k, stance, _ in (v for n, v in got.items() if n not in expected)
                   if k == kind] or ["nothing"]
        wrong += [(f"*{kind}", allowed[0], s) for s in stances if s not in allowed]
    wrong += [(name, "nothing", stance) for name, (kind, stance, why) in got.items()
              if name not in expected and kind not in kinds
              and not (stance == "unsure" and "caution" in why)]   # by design: said
    return wrong


def _unsafe(expected: str, read: str) -> bool:
    """A fact had read as nothing or stopped, or a word to say read as nothing."""
    return (expected == "has" and read in ("nothing", "stopped")) or (
        expected == "unsure" and read == "nothing")


@pytest.mark.parametrize("row", _rows(), ids=lambda row: row["id"])
def test_each_phrase_is_read_as_expected(row):
    """Every phrase is read as expected, but those of :data:`STILL_MISREAD`, still misread."""
    wrong = _misread(row)
    if row["id"] in STILL_MISREAD:
        assert wrong, f"{row['id']} is read right now: take it out of STILL_MISREAD"
        assert not any(_unsafe(expected, read) for _, expected, read in wrong), wrong
    else:
        assert not wrong, (row["text"], wrong)


def _nights(texts: dict[int, str]) -> pd.DataFrame:
    days = pd.date_range("2026-09-01", periods=20, freq="D", name="date")
    cells = [texts.get(n + 1, "") for n in range(20)]
    return pd.DataFrame({"form": "glycinate", "elemental_mg": 300.0, "split": False,
                         "recorded": True, "gi_night": 0.0, "other_change": cells,
                         "notes": [""] * 20}, index=days)


@pytest.mark.parametrize("later", ["coming off digoxin slowly",
                                   "stopped sertraline, digoxin continues",
                                   "no digoxin tonight", "stopped melatonin, digoxin"])
def test_a_hold_from_the_diary_survives_a_taper_a_continuation_and_a_missed_dose(later):
    """"started digoxin" on night 10 holds the advice; a later line that does not plainly stop
    digoxin keeps the hold (/tmp/w52/e E1-E3)."""
    safety = bundled_safety()
    profile = checked_profile(Profile(age=34, egfr=95, conditions=(), medications=()),
                              safety=safety)
    read = with_diary_mentions(profile, _nights({10: "started digoxin 125 mcg", 15: later}),
                               safety)
    assert screen(read.profile, safety).holds, later


def test_a_kidney_figure_in_the_diary_refers():
    """"eGFR 25 at check-up" is said, with the profile key to give (/tmp/w52/e E4)."""
    safety = bundled_safety()
    profile = checked_profile(Profile(age=34, egfr=95, conditions=(), medications=()),
                              safety=safety)
    read = with_diary_mentions(profile, _nights({15: "eGFR 25 at check-up"}), safety)
    assert any("egfr = 25" in warning.lower() for warning in read.warnings), read.warnings


@pytest.mark.parametrize(("text", "says", "puts"), [
    ("eGFR 25 at check-up", "may speak of 'severe renal impairment'", "(egfr = 25)"),
    ("eGFR 45 at check-up", "may speak of 'moderate renal impairment'", "(egfr = 45)"),
    ("kidney problems", "your profile gives egfr = 95",
     "(egfr = your kidney function from your last blood test)"),
    ("levo 50", "may speak of 'levothyroxine'", '(medications = ["levothyroxine"])'),
    ("12 week scan today", "may speak of 'pregnancy'", "(pregnant = true)"),
    ("started a bisphosphonate", "may speak of a medicine with a rule",
     '(medications = ["the one you take"])'),
    ("I'm 16", "may speak of 'under 18'", "(age = 16)")])
def test_words_that_only_point_to_a_name_ask_for_a_profile_entry_it_reads(text, says, puts):
    """A hint's warning says what the words may speak of and asks for a key the profile reads:
    "eGFR 45" was said to name severe renal impairment, and 'conditions = ["egfr"]' or
    'conditions = ["week scan"]' were asked for (a review of /tmp/w52/e's fix)."""
    safety = bundled_safety()
    profile = checked_profile(Profile(age=34, egfr=95, conditions=(), medications=()),
                              safety=safety)
    (warning,) = with_diary_mentions(profile, _nights({15: text}), safety).warnings
    assert says in warning and puts in warning, warning


def test_a_kidney_figure_that_is_fine_says_nothing():
    safety = bundled_safety()
    profile = checked_profile(Profile(age=34, egfr=95, conditions=(), medications=()),
                              safety=safety)
    assert not with_diary_mentions(profile, _nights({15: "eGFR 85 at check-up"}),
                                   safety).warnings
