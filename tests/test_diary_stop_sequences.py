"""A diary hold kept by every line that does not plainly stop it, a hint after a stop said.

A third phrase audit (/tmp/w52/e3 F1-F12): "I'm used to digoxin now", a dose changed, a stop
with a resumption or a reason in another clause, someone else's stop lost the hold that
"started digoxin" gave; a plain stop swallowed a later hint for the same name ("not
pregnant", then "12 week scan today": silence).
"""

from __future__ import annotations

import pandas as pd
import pytest

from model.data.profile import Profile, checked_profile
from model.decision.diary_mentions import with_diary_mentions
from model.decision.mention_words import PLAIN_WHY, Mention, warning
from model.decision.screening import screen
from model.evidence.floor import bundled_safety

STARTED = "started digoxin 125 mcg"

KEEP = [
    (STARTED, later) for later in (
        "I'm used to digoxin now", "never took my digoxin last night",
        "finished my digoxin, need a refill", "digoxin finished, new box opened",
        "switched from 250mcg to 125mcg digoxin", "changed from 2 to 1 digoxin a day",
        "used to take digoxin, now take it with breakfast",
        "stopped digoxin, started it a week later", "stopped digoxin, GP told me to restart",
        "stopped digoxin yesterday, taking it today", "stopped digoxin!! (joking)",
        "stopped digoxin today, sick day rules", "off digoxin tonight, vomiting",
        "stopped digoxin today. restarting Friday", "my 16 yo stopped digoxin",
        "my 15 yo is off digoxin now", "il a arrêté le digoxin", "Mum stopped digoxin",
        "stopped lithium - digoxin unchanged", "no longer on lithium, digoxin as normal",
        "stopped digoxin? no, still on it", "stoped digoxin last week",
        "no more digoxin today, had my dose")] + [
    ("on dialysis", later) for later in (
        "no dialysis, holiday", "no dialysis, unit closed", "dialysis nurse off today",
        "finished dialysis, tired", "used to dialysis now",
        "no hospital dialysis, doing PD exchanges at home", "not on dialysis, eGFR 12")] + [
    ("pregnant, 8 weeks", later) for later in (
        "no pregnancy scan", "not pregnant? not sure", "rhesus negative pregnant",
        "I'm used to being pregnant now",
        "pregnancy test negative, two lines on the second one")] + [
    ("breastfeeding", later) for later in (
        "stopped breastfeeding, pumping now", "not breastfeeding, just pumping",
        "no breastfeeding, baby with grandma", "finished breastfeeding, baby asleep",
        "breastfeeding finished for the night")] + [
    (first, later) for first, lines in (   # /tmp/w52/e4 G1-G6
        (STARTED, ("Ben stopped digoxin", "Lo stopped digoxin today", "ben's off digoxin now",
                   "stopped 1 digoxin", "stopped the 250 digoxin", "came off the 250 digoxin",
                   "stopped the 2nd digoxin", "has the GP stopped digoxin",
                   "is digoxin stopped", "have I stopped digoxin", "quit digoxin, is it",
                   "quit digoxin - have it now", "stopped digoxin 😂😂", "stopped digoxin 👍")),
        ("started dialysis", ("no dialysis", "No dialysis.", "no dialysis 👍",
                              "I had no dialysis", "no more dialysis this week")),
        ("pregnant, 8 weeks", ("I'm not pregnant, am I?", "not pregnant, is it",
                               "am I not pregnant")),
        ("breastfeeding", ("no breastfeeding",))) for later in lines]
"""A fact had on night 10, a later line (night 15) that does not plainly stop it."""

SAY = [("not pregnant", "12 week scan today"), ("stopped breastfeeding", "pumped 120ml"),
       ("no kidney disease", "eGFR 25 at check-up"), ("no heart block", "2:1 AVB on holter"),
       ("stopped digoxin", "levo 50")]
"""A stop on night 10, a later hint of the same name (night 15): the hint is said."""


def _nights(texts: dict[int, str]) -> pd.DataFrame:
    days = pd.date_range("2026-09-01", periods=20, freq="D", name="date")
    return pd.DataFrame({"form": "glycinate", "elemental_mg": 300.0, "split": False,
                         "recorded": True, "gi_night": 0.0,
                         "other_change": [texts.get(n + 1, "") for n in range(20)],
                         "notes": [""] * 20}, index=days)


def _read(texts: dict[int, str]):
    safety = bundled_safety()
    profile = checked_profile(Profile(age=34, egfr=95, conditions=(), medications=()),
                              safety=safety)
    return profile, with_diary_mentions(profile, _nights(texts), safety), safety


@pytest.mark.parametrize(("first", "later"), KEEP)
def test_a_line_that_does_not_plainly_stop_keeps_the_fact(first, later):
    profile, read, _ = _read({10: first, 15: later})
    assert read.profile != profile, (first, later, read.warnings)


@pytest.mark.parametrize(("first", "later"), SAY)
def test_a_hint_after_a_stop_is_said(first, later):
    _, read, _ = _read({10: first, 15: later})
    assert any(repr(later) in w for w in read.warnings), (first, later, read.warnings)


def test_a_plain_stop_still_drops_the_hold():
    profile, read, safety = _read({10: STARTED, 15: "digoxin was stopped by the GP today"})
    assert read.profile == profile and not screen(read.profile, safety).holds


@pytest.mark.parametrize(("kind", "name", "entry", "plainly"), [
    ("condition", "pregnancy", "pregnant", "not pregnant"),
    ("condition", "breastfeeding", "breastfeeding", "stopped breastfeeding"),
    ("condition", "severe_renal_impairment", "dialysis", "no longer has dialysis"),
    ("medicine", "digoxin", "digoxin", "stopped digoxin")])
def test_the_not_plainly_warning_says_how_once_and_true(kind, name, entry, plainly):
    """No "write 'stopped pregnant'", and no "its rule stays" beside "NOT applied" (F15)."""
    safety = bundled_safety()
    profile = checked_profile(Profile(age=34, egfr=95, conditions=(), medications=()),
                              safety=safety)
    m = Mention(pd.Timestamp("2026-09-15").date(), "other_change", "x", kind, name, entry,
                "unsure", PLAIN_WHY)
    said = warning(m, False, profile, safety)
    assert f"write '{plainly}'" in said and "stays if it applied" not in said, said
