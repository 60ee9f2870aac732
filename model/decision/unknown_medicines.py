"""A medicine the diary names with a dose and the safety data does not know: NOT CHECKED.

An outside audit (/tmp/w52/d F7): ``other_change`` "started amlodipine 5 mg" held the advice
as a change of life and said nothing of its safety, while the same name in the profile is an
error ("unknown medicine 'amlodipine'") or, accepted with ``--allow-unknown``, NOT CHECKED with
"First ask a pharmacist". The product's rule: a safety input it cannot read is an error or a
warning, never silence.

A name is read as a medicine when it is written with a dose (:data:`DOSE`: "5 mg", "125mcg",
"1000 IU"), each product of a clause with its own words (:data:`SEPARATOR`), after a word that
it is taken or begun ("started", "on", "prescribed": :data:`TAKEN_WORDS`) or with only small
words before it and a dose in mg, mcg or IU ("amlodipine 5mg", "amlodipine5mg": :data:`GLUED`;
:data:`BARE_UNITS`: "almonds 30g", "wine 250 ml" are food and drink), or by what it is for
("BP tablets 5mg": :data:`PILL_WORDS`). It is unknown when the safety data knows it as no
medicine, condition or magnesium product, it holds no magnesium form's word nor is a brand's
(:data:`BRANDS`), it is no everyday intake (:data:`EVERYDAY`), its dose is not the night's
own supplement's, and the reader of names with a rule read none of its words
(:func:`model.decision.diary_mentions.read_words`: a typo or a hint of a name with a rule,
"digoxn 125 mcg", is read there; an audit's second round, /tmp/w53/r R2, R4, found a medicine
beside the supplement or a known name silent, and foods and brands NOT CHECKED).
:func:`with_unknown_medicines` adds it to the profile as
an unknown medicine accepted with ``--allow-unknown`` is, so that
:func:`model.decision.screening.screen` says it is NOT CHECKED and the advice asks a pharmacist
first (one screening, one set of words), with a warning naming the line. A later cell that
says only that it is stopped ("stopped amlodipine") takes it out; any other words keep it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from model.core.forms import FORMS, NONE, PLACEBO
from model.data.life_events import written_texts
from model.data.profile import Profile
from model.decision.mention_cues import (
    CALENDAR,
    FILLER_WORDS,
    ONE_DOSE,
    START_WORDS,
    STOP_WORDS,
    clauses,
)
from model.decision.mention_words import plain_stop
from model.decision.profile_added import added as with_added
from model.evidence.names import MAGNESIUM, NameIndex, name_key

DOSE = re.compile(r"(?<![\w.,])(\d+(?:[.,]\d+)?)\s*(mg|mcg|µg|ug|micrograms?|milligrams?|g|"
                  r"grams?|ml|iu|units?)s?\b", re.IGNORECASE)
"""A dose of a medicine: a number and its unit ("5 mg", "125mcg", "2.5 mg", "5 mgs"); not a
lab value in mmol ("glucose 5.6 mmol")."""

BARE_UNITS = frozenset({"mg", "mcg", "µg", "ug", "microgram", "micrograms", "milligram",
                        "milligrams", "iu", "unit", "units"})
"""The units a name first in its clause is read with, without a word that it is taken
("amlodipine 5mg"): not grams nor millilitres, a food's or a drink's ("almonds 30g", "wine
250 ml": /tmp/w53/r R4)."""

TAKEN_WORDS = frozenset({
    "started", "starting", "start", "began", "begun", "new", "prescribed", "taking", "take",
    "on", "added", "commenced", "restarted", "resumed", "increased", "upped", "reduced",
    "lowered", "switched", "changed", "put"})
"""Words before a name that say it is taken or begun ("GP put me on ramipril 2.5 mg")."""

BRANDS = frozenset({
    "nature", "made", "pure", "encapsulations", "thorne", "solgar", "swanson", "jarrow",
    "natural", "calm", "life", "extension", "best", "bounty", "viridian", "betteryou", "holland",
    "barrett", "kirkland", "bioglan", "blackmores", "vitabiotics", "healthspan", "solaray",
    "foods", "garden", "doctor's", "nature's", "magnox", "magnaspartate", "slowmag", "slow",
    "mag-tab", "tab", "klb6", "ancient", "minerals", "sports", "research", "nutrition",
    "doctors", "costco", "natures"})
"""Words of magnesium supplements' brands ("Nature Made 250mg", "NOW Foods", "Doctor's
Best"): a name of these words only is the supplement, not an unknown medicine (/tmp/w53/r R4)."""

EVERYDAY = frozenset({
    "caffeine", "coffee", "tea", "espresso", "water", "wine", "beer", "alcohol", "milk", "juice",
    "sugar", "protein", "fibre", "fiber", "food", "salt", "chocolate", "cbd", "sodium",
    "pre-workout", "preworkout", "whey"})
"""Intakes with a dose that are no medicine a pharmacist checks with magnesium (caffeine, a
drink, food); CBD is sold as a food supplement beside sleep aids and its dose is not a
medicine's."""

NOT_NAME = (FILLER_WORDS | START_WORDS | STOP_WORDS | TAKEN_WORDS | ONE_DOSE | CALENDAR
            | frozenset({"a", "an", "the", "my", "some", "to", "at", "per", "gp", "doctor", "dr",
                         "nurse", "tablet", "tablets", "pill", "pills", "capsule", "capsules",
                         "extra", "twice", "once", "nightly", "bd", "od", "x", "by", "in",
                         "after", "before", "since", "via", "and", "or", "meds", "med",
                         "medication", "medications", "medicine", "medicines", "rx", "only",
                         "just", "half", "split", "full", "usual", "normal", "regular", "whole",
                         "double", "single", "total", "another", "second", "first", "last",
                         "lower", "higher", "less", "ate", "eat", "drank", "had", "gave",
                         "swallowed", "about", "around", "approx", "roughly", "am", "pm",
                         "tab", "tabs", "cap", "caps", "gummies", "gummy", "scoop",
                         "scoops", "bottle", "pot", "brand", "sachet", "sachets", "pack", "each"}))
"""Words that are no part of a medicine's name: links, cues, times, a dose's words and the
words said of the supplement's own dose ("only 100mg tonight", "half dose 100 mg")."""

NAME_WORDS = 3
"""The most words of a name read before or after a dose ("vitamin b12", "st john's wort")."""

PILL_WORDS = frozenset({"tablet", "tablets", "tab", "tabs", "pill", "pills", "capsule",
                        "capsules", "cap", "caps"})
"""Words of a medicine written by what it is for ("started BP tablets 5mg", "new blood
pressure pill 5mg": an audit's second round, /tmp/w53/r R7): read with the words before them,
and unknown unless a known medicine's name is among them; alone ("3 tabs 375mg") they are the
supplement's own pills."""

GLUED = re.compile(r"(?<=[^\W\d_]{4})(?=\d+(?:[.,]\d+)?\s*(?:mg|mcg|µg|ug|iu)s?\b)",
                   re.IGNORECASE)
"""A name written against its dose ("amlodipine5mg", R7): a space is read there; not after a
short code ("b12 1000mcg")."""


@dataclass(frozen=True)
class UnknownMedicine:
    """A medicine the diary names that the safety data does not know, where it was read."""

    day: dt.date
    column: str
    text: str
    entry: str


SEPARATOR = re.compile(r"[+&/]|\bwith\b", re.IGNORECASE)
"""What parts two products in a clause ("magnesium 200mg + amlodipine 5mg", "atorvastatin
20mg with my omeprazole"): a name's words are those after it, and after the last dose."""

WORD = re.compile(r"[^\W_][\w'’-]*")
"""A word of a name as written ("st john's wort" keeps its apostrophe)."""

SKIPPED = frozenset({"to", "at", "from", "of", "by", "dose"})
"""Words between a name and its dose ("amlodipine increased to 10 mg")."""


def _small(word: str) -> bool:
    """Whether ``word`` is no part of a name: a :data:`NOT_NAME` word or a number."""
    return word[:1].isdigit() or set(name_key(word).split("_")) <= NOT_NAME


def _name(words: list[str], before: bool) -> tuple[list[str], list[str]]:
    """The name's words of a run written just before (``before``) or just after a dose.

    And the words before it. Before a dose: the last words that are not :func:`_small`
    ("started amlodipine"), across up to three words of :data:`SKIPPED` and their verb
    ("amlodipine increased to 10 mg"); after it, the first ones ("5 mg of amlodipine for my blood
    pressure"); at most :data:`NAME_WORDS`.
    """
    run = list(reversed(words)) if before else words
    skipped = 0
    while skipped < len(run) and skipped < 3 and (run[skipped] in SKIPPED or (
            skipped and run[skipped] in TAKEN_WORDS)):
        skipped += 1
    pill = int(before and skipped < len(run) and run[skipped] in PILL_WORDS)
    taken: list[str] = []
    for word in run[skipped + pill:skipped + pill + NAME_WORDS]:
        if _small(word):
            break
        taken.append(word)
    if not before:
        return taken, []
    named = [*reversed(taken), *run[skipped:skipped + pill]] if taken else []
    return named, words[:len(words) - skipped - len(named)] + run[:skipped]


def _candidates(clause: str) -> list[tuple[str, float | None]]:
    """Each name a clause writes with a dose (:data:`DOSE`), and the dose in mg (None: not mg).

    It needs a word of :data:`TAKEN_WORDS` before it ("started 5 mg of amlodipine"), or
    nothing but small words and numbers there and a unit of :data:`BARE_UNITS` ("amlodipine
    5mg", "2 paracetamol 500mg", "took 400mg ibuprofen", "5mg amlodipine from today").
    """
    found, begin, clause = [], 0, GLUED.sub(" ", clause)
    for dose in DOSE.finditer(clause):       # "magnesium 200mg + amlodipine 5mg": its own words
        before = WORD.findall(SEPARATOR.split(clause[begin:dose.start()])[-1].lower())
        begin = dose.end()
        name, lead = _name(before, before=True)
        if not name:
            name, lead = _name(WORD.findall(clause[dose.end():].lower()), before=False)[0], before
        unit = dose.group(2).lower()
        if name and (TAKEN_WORDS & set(lead) or (all(_small(w) for w in lead)
                                                  and unit in BARE_UNITS)):
            mg = float(dose.group(1).replace(",", ".")) if unit == "mg" else None
            found.append((" ".join(name), mg))
    return found


def _unknown(name: str, index: NameIndex) -> bool:
    """Whether ``name`` is a medicine the safety data does not know (the module's docstring)."""
    words = set(name.split()) - PILL_WORDS
    if words & (EVERYDAY | {MAGNESIUM, "mag", "mg", PLACEBO, NONE}) or name.endswith("ing") \
            or words <= BRANDS or any(form.startswith(w) or form in w for w in words
                                       if len(w) >= 3 for form in FORMS):
        return False    # "gly 200mg", "bisglycinate 200mg": the supplement's form
    if words != set(name.split()):                  # "BP tablets": what it is for, no name
        return not index.within(name, "medicine")
    return not (index.match(name, "medicine") or index.match(name, "condition")
                or index.within(name, "medicine") or index.within(name, "condition"))


def _stopped(text: str, entry: str) -> bool:
    """Whether ``text`` says only that ``entry`` is stopped, plainly ("stopped amlodipine today").

    The project's one reading of a plain stop (:func:`~model.decision.mention_words.plain_stop`),
    the cell one clause naming it.
    """
    cut = [name_key(clause).split("_") for clause, _ in clauses(text)]
    key = name_key(entry).split("_")
    start = next((k for k in range(len(cut[0])) if cut[0][k:k + len(key)] == key),
                 None) if len(cut) == 1 else None
    return start is not None and plain_stop(cut[0], start, start + len(key), "medicine",
                                            frozenset(), text)


def unknown_medicines(nights: pd.DataFrame, index: NameIndex,
                      read: Callable[[str], frozenset[str]], as_of: dt.date | None = None
                      ) -> list[UnknownMedicine]:
    """Every unknown medicine the diary's free text names, by its latest line, oldest first.

    ``read``: the words of the names the reader of names with a rule read in a clause, as
    written and as read (a candidate with one of them is left to it: "digoxn 125 mcg", "digox
    125"; another in the clause is not: "amlodipine 5mg + levothyroxine 50mcg", /tmp/w53/r
    R2); ``as_of``: only the nights up to it. A name whose latest cell
    only stops it (:func:`_stopped`) is none; one written with the night's own supplement dose,
    or half of it, is the supplement ("Thorne 200mg" on a night of 200 mg).
    """
    latest: dict[str, UnknownMedicine | None] = {}
    recorded = (nights["elemental_mg"] if "elemental_mg" in nights.columns
                else pd.Series(dtype=float))
    for day, column, text in written_texts(nights):
        if as_of is not None and day.date() > as_of:
            continue
        for entry in list(latest):
            if _stopped(text, entry):
                latest[entry] = None
        own = recorded.get(day)
        for clause, _ in clauses(text):
            names = [name for name, mg in _candidates(clause) if _unknown(name, index)
                     and not (mg and own and mg in (own, own / 2))]
            known = read(clause) if names else frozenset()
            for name in (n for n in names if not set(name_key(n).split("_")) & known):
                latest[name] = UnknownMedicine(day.date(), column, text, name)
    return sorted((m for m in latest.values() if m is not None), key=lambda m: m.day)


def unknown_warning_for(m: UnknownMedicine, index: NameIndex, given: bool) -> str:
    """Where an unknown medicine was read and what to do, beside the NOT CHECKED warning.

    ``given``: whether a profile was given (else "no profile was given").
    """
    close = index.suggest(m.entry, "medicine")
    hint = f" (did you mean {close!r}?)" if close else ""
    mine = "your profile does not list it" if given else "no profile was given"
    return (f"Your diary says {m.text!r} on {m.day} ({m.column}): it names the medicine "
            f"{m.entry!r}{hint}, which is not in mgsleep's safety data, and {mine}: it is NOT "
            "CHECKED from that night on, as an unknown medicine of your profile accepted with "
            "--allow-unknown would be. If you take it, ask a pharmacist whether it goes with "
            f"magnesium and put it in your profile (medications = [\"{m.entry}\"]); if it is "
            "not a medicine, correct the diary.")


def with_unknown_medicines(profile: Profile, found: list[UnknownMedicine],
                           index: NameIndex, given: bool) -> tuple[Profile, tuple[str, ...]]:
    """``profile`` with the unknown medicines it does not list added, and their warnings."""
    listed = [f"_{name_key(entry)}_" for entry in profile.medications]   # "amlodipine 5 mg"
    added = [m for m in found if not any(f"_{name_key(m.entry)}_" in k for k in listed)]
    return (with_added(profile, medications=[m.entry for m in added]),
            tuple(unknown_warning_for(m, index, given) for m in added))
