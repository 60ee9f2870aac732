"""The diary's safety words, read as a clinician would: an outside audit's table (/tmp/w52/e).

``tests/data/safety_phrases.tsv``: 3098 phrases a person writes in a diary (medicines with a
rule, pregnancy, breastfeeding, the kidneys, the heart, an age; six languages; P807 on: a
second audit's, /tmp/w52/e2; P1505 on: a third's, /tmp/w52/e3; P2062 on: a fourth's,
/tmp/w52/e4, less "dig 125mcg", NOT CHECKED instead; H2-: 266 written beside the last 24 of
its silences' words, most of them another meaning of those words: "F16 fighter jet", "PD
day", "Cr 4.5 km", "feeding the cat", "I'm 15 weeks into marathon training"), each with the reading
expected (``name=stance`` pairs by ``;``, readings also accepted by ``|``, ``*kind`` for any
name of that kind). Of several mentions of one name the latest that is no "unsure" decides, as
:func:`~model.decision.diary_mentions.with_diary_mentions` does. A stop not written plainly
is said, not applied (:func:`~model.decision.mention_words.plain_stop`), and so is one beside
anything else in its cell: 144 expected stops (or had, for a stop carried from another name)
also accept ``unsure``.
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
    "P551": "'until' is no stop: a pregnancy 'until last week' is kept (safe side)",
    "P748": "'kidneys fine per GP' is said as maybe kidney disease (a false warning)",
    **dict.fromkeys(("P779", "P1420", "P1421"), "'Mg 300mg' is said as maybe myasthenia"),
    **dict.fromkeys(("P1115", "P1116", "P1117", "P1118", "P1119", "P1120", "P1121", "P1233",
                     "P1235", "P1241", "P1243", "P1296", "P1298", "P1395", "P1396"),
                    "someone else's or work's words not read ('my other half', 'pregnancy "
                    "ward', 'dialysis unit'): had, or said (safe side)"),
    **dict.fromkeys(("P1213", "P1214", "P1215", "P1216", "P1244", "P1245", "P1246", "P1250",
                     "P1258", "P1261", "P1299", "P1318", "P1320", "P1322", "P1323", "P1324"),
                    "an end no rule reads ('course done', 'neither ... nor', 'ne ... plus', "
                    "'ich stille nicht mehr'): had or said (safe side)"),
    **dict.fromkeys((*(f"P{n}" for n in range(1526, 1533)), *(f"P{n}" for n in range(1854, 1875))),
                    "a misspelt stop ('stoped', 'stopd', 'came of', 'no loger'): had (safe side)"),
    **dict.fromkeys(("P2005", "P2006", "P2007", "P2012"),
                    "'no sé si', 'je ne sais pas si', 'non so se', 'ne ... plus': had (safe side)"),
    **dict.fromkeys((*(f"P{n}" for n in range(2174, 2181)), *(f"P{n}" for n in range(2501, 2515))),
                    "a stop before 'have I', after the name ('X off, Y on') or in Spanish "
                    "('ella dejó'): had (safe side)"),
    **dict.fromkeys(("P2627", "P2648", "P2649", "P2654", "P2658"),
                    "'16 yo daughter', '24/40' as a score: said as maybe an age or a "
                    "pregnancy (a false warning)"),
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


KEEP = ["coming off digoxin slowly", "stopped sertraline, digoxin continues", "no digoxin tonight",
        "stopped melatonin, digoxin", "keep taking digoxin, don't stop",
        "digoxin as before, not stopped", "digoxin - not stopped", "digoxin hasn't been stopped",
        "digoxin never stopped", "haven't stopped digoxin", "never stopped taking digoxin",
        "no digoxin last night", "didn't have my digoxin tonight", "no digoxin side effects",
        "magnesium taken 4 hours away from digoxin", "mag kept well away from digoxin",
        "stopping digoxin on Monday", "going to stop digoxin next week",
        "cardiologist wants me off digoxin by June", "GP said I could stop digoxin",
        "told to stop digoxin, haven't", "stopped lithium but not digoxin",
        "lithium stopped digoxin continues", "instead of stopping digoxin, dose lowered",
        "digoxin making me queasy, not stopping it", "nobody told me to stop digoxin",
        "no digoxin on Tuesday, forgot", "Digoxin nicht abgesetzt",
        "digoxin until I see cardiology", "held digoxin 2 days (vomiting), resumed",
        "no digoxin yesterday, back on it today", "doc said keep digoxin", "hubby on digoxin too",
        "off lithium, on digoxin", "digoxin caused nausea so stopped"]
"""Later lines that do not plainly stop digoxin (/tmp/w52/e E1-E3, /tmp/w52/e2's seq.py)."""

GO = ["stopped digoxin", "digoxin stopped by cardiologist", "off digoxin now", "no more digoxin",
      "not taking digoxin anymore", "cardiology discontinued digoxin", "digoxin - stopped",
      "quit digoxin last week", "came off digoxin completely", "stopped taking digoxin today"]
"""Plain stops of digoxin."""


def _profile():
    safety = bundled_safety()
    return safety, checked_profile(Profile(age=34, egfr=95, conditions=(), medications=()),
                                   safety=safety)


@pytest.mark.parametrize("later", KEEP)
def test_a_hold_from_the_diary_survives_a_later_line_that_does_not_plainly_stop_it(later):
    """"started digoxin" on night 10 holds the advice; a later line that does not plainly stop
    digoxin keeps the hold, and a later line that may say it is stopped is named in the hold's
    warning with how to write a stop (/tmp/w52/e2: 24 of 30 such lines lost the hold)."""
    safety, profile = _profile()
    read = with_diary_mentions(profile, _nights({10: "started digoxin 125 mcg", 15: later}),
                               safety)
    assert screen(read.profile, safety).holds, later
    said = [w for w in read.warnings if "not plainly" in w]
    assert all("write 'stopped " in w for w in said), said


def test_the_hold_warning_names_a_later_line_that_may_stop_it():
    """The hold kept says a later line may say digoxin is stopped, and how to write a stop."""
    safety, profile = _profile()
    read = with_diary_mentions(profile, _nights({10: "started digoxin 125 mcg",
                                                 15: "stopping digoxin on Monday"}), safety)
    (warning,) = read.warnings
    assert "'stopping digoxin on Monday' on 2026-09-15" in warning, warning
    assert "write 'stopped digoxin' on the night you did" in warning, warning


@pytest.mark.parametrize("later", GO)
def test_a_plain_stop_drops_the_diary_hold_with_a_warning(later):
    safety, profile = _profile()
    read = with_diary_mentions(profile, _nights({10: "started digoxin 125 mcg", 15: later}),
                               safety)
    assert not screen(read.profile, safety).holds, later
    assert any("stopped or not so" in w for w in read.warnings), read.warnings


@pytest.mark.parametrize(("first", "later", "kept"), [
    ("on dialysis", "no dialysis today", True),
    ("on dialysis", "non dialysis day, slept well", True),
    ("on dialysis", "off dialysis day", True), ("on dialysis", "stopped dialysis", False),
    ("breastfeeding", "haven't stopped breastfeeding", True),
    ("breastfeeding", "stopping breastfeeding next month", True),
    ("breastfeeding", "breastfeeding - not stopped yet", True),
    ("breastfeeding", "stopped breastfeeding", False),
    ("pregnant 20 weeks", "stopped breastfeeding because pregnant", True),
    ("pregnant 20 weeks", "told my boss I'm pregnant today", True),
    ("pregnant 20 weeks", "no longer pregnant", False)])
def test_a_condition_from_the_diary_is_dropped_only_by_a_plain_stop(first, later, kept):
    safety, profile = _profile()
    read = with_diary_mentions(profile, _nights({10: first, 15: later}), safety)
    assert (read.profile != profile) is kept, (later, read.profile)


@pytest.mark.parametrize("later", ["stopped digoxin", "digoxin - not stopped"])
def test_the_profile_list_is_never_overridden_by_a_diary_stop(later):
    """A medicine of the profile's own list keeps its rule whatever the diary says."""
    safety = bundled_safety()
    profile = checked_profile(Profile(age=34, egfr=95, conditions=(), medications=("digoxin",)),
                              safety=safety)
    read = with_diary_mentions(profile, _nights({15: later}), safety)
    assert read.profile == profile and screen(read.profile, safety).holds


def test_a_kidney_figure_in_the_diary_refers():
    """"eGFR 25 at check-up" is said, with the profile key to give (/tmp/w52/e E4)."""
    safety = bundled_safety()
    profile = checked_profile(Profile(age=34, egfr=95, conditions=(), medications=()),
                              safety=safety)
    read = with_diary_mentions(profile, _nights({15: "eGFR 25 at check-up"}), safety)
    assert any("egfr = 25" in warning.lower() for warning in read.warnings), read.warnings


@pytest.mark.parametrize(("text", "says", "puts"), [
    ("eGFR 25 at check-up", "may speak of 'severe renal impairment'", "(egfr = 25)"),
    ("GFR 45 last year, 25 now", "kidney function (eGFR) of 25", "(egfr = 25)"),
    ("eGFR 60 in 2023, 22 in 2025", "kidney function (eGFR) of 22", "(egfr = 22)"),
    ("creat 450", "a creatinine of 450",
     "put your eGFR from your last blood test in your profile: egfr = <the figure>"),
    ("17 y.o.", "it gives an age of 17", "(age = 17)"),
    ("I turn 18 next month", "it gives an age of 17", "(age = 17)"),
    ("F16", "it gives an age of 16", "(age = 16)"),
    ("I'm 16 weeks today", "may speak of 'pregnancy'", "(pregnant = true)"),
    ("\N{BREAST-FEEDING}", "its emoji is breastfeeding's", '(conditions = ["breastfeeding"])'),
    ("PD tonight", "may speak of 'severe renal impairment'", "egfr = <the figure>"),
    ("eGFR 45 at check-up", "may speak of 'moderate renal impairment'", "(egfr = 45)"),
    ("kidney problems", "your profile gives egfr = 95",
     "put your eGFR from your last blood test in your profile: egfr = <the figure>"),
    ("levo 50", "may speak of 'levothyroxine'", '(medications = ["levothyroxine"])'),
    ("12 week scan today", "may speak of 'pregnancy'", "(pregnant = true)"),
    ("started a bisphosphonate", "may speak of a medicine with a rule",
     "put the medicine's own name in your profile's medications"),
    ("I'm 16", "may speak of 'under 18'", "(age = 16)")])
def test_words_that_only_point_to_a_name_ask_for_a_profile_entry_it_reads(text, says, puts):
    """A hint's warning says what the words may speak of and asks for a key the profile reads:
    "eGFR 45" was said to name severe renal impairment, and 'conditions = ["egfr"]' or
    'conditions = ["week scan"]' were asked for (a review of /tmp/w52/e's fix); a blank is
    worded as an instruction, not an entry to paste (/tmp/w52/e2 R17)."""
    safety = bundled_safety()
    profile = checked_profile(Profile(age=34, egfr=95, conditions=(), medications=()),
                              safety=safety)
    (warning,) = with_diary_mentions(profile, _nights({15: text}), safety).warnings
    assert says in warning and puts in warning, warning


@pytest.mark.parametrize("text", ["eGFR 85 at check-up", "eGFR 25 last year, 90 now",
                                  "creatinine 80", "Cr 0.9", "Cr 4.5 km"])
def test_a_kidney_figure_that_is_fine_says_nothing(text):
    """The newest eGFR decides; a creatinine in the usual range, or a distance, is no hint."""
    safety = bundled_safety()
    profile = checked_profile(Profile(age=34, egfr=95, conditions=(), medications=()),
                              safety=safety)
    assert not with_diary_mentions(profile, _nights({15: text}), safety).warnings
