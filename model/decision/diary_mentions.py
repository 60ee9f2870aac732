"""A condition or a medicine the diary names: screened as the profile's, or said.

A safety-case reviewer's audit (F1): ``other_change`` "started dialysis" beside a profile of
eGFR 90 was never screened ("Keep your current routine"; the profile naming haemodialysis
refers). The diary's free text (``other_change``, ``notes``) is read with the profile's own
recogniser (:meth:`model.evidence.names.NameIndex.within`, the synonyms of ``safety.toml``: no
second list), one clause at a time (:data:`CLAUSE`), and each name with a rule is
(:func:`with_diary_mentions`):

- written as had or begun ("started X", "X", "diagnosed with X", "on X", "positive X test"),
  a contraindication or a medicine with a rule the profile does not have: added to the
  profile, so that :func:`model.decision.screening.screen` refers or applies its rule as for
  the profile's own entry (one screening, one set of words), with a warning saying where it
  was read and how to put it right;
- written as stopped or not so, plainly, the whole cell saying only that ("stopped digoxin",
  "off dialysis", "X test negative": :func:`~model.decision.mention_words.plain_stop`; any
  other stop is a "perhaps", and a fact the diary gave before stays), or as
  perhaps not the person's own ("partner started lithium", "?", "maybe", a test without a
  result), or only in a word a magnesium diary may use for magnesium (``MG``), or a caution
  (a kidney stage, diarrhoea): a warning naming the conflict with the profile, never
  silence, and no change to the screening.

Of two mentions of one name the latest that is no "perhaps" decides, but a "perhaps" after a
stop is said ("not pregnant", then "12 week scan today": /tmp/w52/e3 F8). A name the profile has
(or whose rule its facts set) says nothing more when had, and that its rule still applies when
stopped. How the words around a name read: :mod:`model.decision.mention_cues`; words that
point to a name, or may mean another thing: :mod:`model.decision.mention_hints`; a name
misspelt ("digoxn"): :mod:`model.decision.misspelt`, its warning says so; whether a stop is
written plainly, and each mention's warning: :mod:`model.decision.mention_words`. A medicine
written with a dose that the safety data does not know ("started amlodipine 5 mg") is added as
an unknown one, NOT CHECKED: :mod:`model.decision.unknown_medicines`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from model.core.identity_cache import identity_cache
from model.data.life_events import written_texts
from model.data.profile import Profile
from model.decision.diary_magnesium import with_diary_magnesium
from model.decision.mention_cues import (
    AFTER_WORDS,
    BABY_WORDS,
    CARRIED_WHY,
    CUES,
    FILLER_WORDS,
    MINE,
    ONE_DOSE,
    RESULTS,
    TEST_WORDS,
    UNSURE_WORDS,
    VERB_ALIASES,
    Reading,
    Stance,
    alias_reading,
    clauses,
    cue_after,
    cue_before,
    ended,
    own_words,
    undone,
    wished_from,
)
from model.decision.mention_hints import (
    SELF,
    UNSURE_WHY,
    hint_meaning,
    hinted,
    other_meaning,
    said_why,
)
from model.decision.mention_words import (
    PLAIN_WHY,
    PREGNANCY,
    RESUMED,
    Mention,
    ended_pregnancy,
    plain_stop,
    says_nothing,
    warning,
)
from model.decision.misspelt import cued, near
from model.decision.prescribed import PRESCRIBED
from model.decision.profile_added import added as with_added
from model.decision.screening import KIDNEY_UNKNOWN, profile_given, screen
from model.decision.unknown_medicines import unknown_medicines, with_unknown_medicines
from model.evidence import name_letters
from model.evidence.name_words import spoken
from model.evidence.names import Kind, NameIndex, name_key
from model.evidence.schema import Safety

KINDS: tuple[Kind, ...] = ("condition", "medicine")

@dataclass(frozen=True)
class DiaryRead:
    """The profile as the diary's mentions leave it, and what they say (its reader's)."""

    profile: Profile
    warnings: tuple[str, ...] = ()


def _ruled(safety: Safety) -> dict[Kind, frozenset[str]]:
    """The names with a rule a mention can bring: contraindications, medicines with a rule.

    Not the conditions the profile's facts stand for (kidney function not known, a prescribed
    magnesium: :func:`model.decision.screening._fact_conditions`), nor magnesium products.
    """
    facts = {KIDNEY_UNKNOWN, PRESCRIBED}
    return {"condition": frozenset(c.condition for c in safety.contraindications
                                   if c.condition and c.condition not in facts),
            "medicine": frozenset(m for group in safety.interactions
                                  if group.kind != "magnesium" for m in group.medications)}


def _cautions(safety: Safety) -> frozenset[str]:
    """The conditions of the cautions, which a mention only says (the module's docstring)."""
    return frozenset(c.condition for c in safety.cautions
                     if c.condition and c.condition != KIDNEY_UNKNOWN)


def _wanted(safety: Safety) -> dict[Kind, frozenset[str]]:
    """The names a mention is read for: :func:`_ruled`'s and the cautions' conditions."""
    ruled = _ruled(safety)
    return {"condition": ruled["condition"] | _cautions(safety), "medicine": ruled["medicine"]}


@identity_cache
def _near_names(safety: Safety) -> dict[tuple[Kind, int], dict[str, str]]:
    """The keys a near miss may be read as, key -> name, by kind and number of words.

    The keys of :func:`_wanted`'s names, never one found only whole (``child``: a
    ``Synonym.whole_only``).
    """
    index, wanted = NameIndex.of(safety), _wanted(safety)
    found: dict[tuple[Kind, int], dict[str, str]] = {}
    for kind in KINDS:
        for key, name in (index.conditions if kind == "condition" else index.medicines).items():
            if name in wanted[kind] and key not in index.whole_only:
                found.setdefault((kind, key.count("_") + 1), {})[key] = name
    return found


def _runs(words: Sequence[str], name: str, kind: Kind,
          index: NameIndex) -> list[tuple[int, int]]:
    """Every run ``words[i:j]`` that :meth:`NameIndex.match` reads as ``name``."""
    return [(i, j) for i in range(len(words)) for j in range(i + 1, len(words) + 1)
            if index.match(" ".join(words[i:j]), kind) == name]


def _reading(words: Sequence[str], key: str, end: int) -> tuple[Reading, str]:
    """How a run read as ``key`` and ending at ``end`` names it, and its object's kin word.

    A verb alias as :func:`~model.decision.mention_cues.alias_reading` says, any other key
    ``names``.
    """
    return alias_reading(key, words[end:]) if key in VERB_ALIASES else ("names", "")


def _named(words: Sequence[str], clause: str, index: NameIndex,
           wanted: dict[Kind, frozenset[str]]) -> list[tuple[int, int, Kind, str]]:
    """The names of ``wanted`` in a clause, each at every run not inside another's.

    Each run is read on its own: "off dialysis after kidney transplant" is a transplant had
    (the latest decides: /tmp/w52/e E8).

    ``CKD 3`` is moderate kidney disease, not also the ``CKD`` inside it; a medicine that is
    a condition's name too (pyridostigmine) is the medicine, whose rule brings the
    condition's (:func:`model.decision.name_rules.implied`).
    """
    found: list[tuple[list[tuple[int, int]], Kind, str]] = []
    for kind in KINDS:
        for name in (n for n in index.within(clause, kind) if n in wanted[kind]):
            runs = _runs(words, name, kind, index)
            standing = [(i, j) for i, j in runs
                        if _reading(words, "_".join(words[i:j]), j)[0] != "nothing"]
            if standing or not runs:   # "expecting my period": no pregnancy
                found.append((standing, kind, name))
    spans = [(i, j) for runs, _, _ in found for i, j in runs]
    cures = {span for runs, kind, _ in found if kind == "medicine" for span in runs}
    least = [([(i, j) for i, j in runs if not any(a >= i and b <= j and (a, b) != (i, j)
                                                  for a, b in runs)], kind, name)
             for runs, kind, name in found]
    return [(i, j, kind, name) for (runs, kind, name), (own, _, _) in zip(found, least,
                                                                        strict=True)
            if not (runs and kind == "condition" and set(runs) <= cures)
            for i, j in ([r for r in own if not any(a <= r[0] and r[1] <= b and (a, b) not in runs
                                                    for a, b in spans)] if runs else [(0, 0)])]


def _widest(words: Sequence[str], start: int, end: int, kind: Kind, name: str,
            index: NameIndex) -> tuple[int, int]:
    """The widest run around ``words[start:end]`` still read as ``name``.

    "myasthenia gravis", whose least run :func:`_named` gives is "myasthenia".
    """
    wider = [(i, j) for i, j in _runs(words, name, kind, index) if i <= start and end <= j]
    return min(wider, key=lambda run: run[0] - run[1], default=(start, end))


def _stance(words: Sequence[str], start: int, end: int, kind: Kind, inherited: Stance | None,
            cues: dict[str, Stance], cell: frozenset[str]) -> Stance:
    """Had or stopped: the cue that is the name's, else ``inherited``, else had.

    "side effects" after the name is had; else a cue just before the name (:func:`cue_before`:
    a dose or session missed is had, said so in the clause or in the ``cell``'s clauses that
    name nothing: "no digoxin on Tuesday, forgot"), else one just after it
    (:func:`cue_after`), else a clause :func:`ended` stops it; a stop inherited is
    ``unsure`` for a medicine without "on" before it ("stopped melatonin, digoxin"), had for a
    condition ("stopped breastfeeding because pregnant": /tmp/w52/e2 R12); with none, had is
    the safer reading.
    """
    over = ended(words)
    missed = bool(ONE_DOSE & (set(words) | cell))
    carried = kind == "medicine" and inherited == "stopped" and "on" not in words[:start]
    return (("has" if words[end:end + 1] == ["side"] else None)
            or cue_before(words[:start], cues, over=over, missed=missed)
            or cue_after(words[end:], cues) or ("stopped" if over else None)
            or ("unsure" if carried else None if inherited == "stopped" else inherited) or "has")


def _clause_names(words: Sequence[str], clause: str, index: NameIndex, safety: Safety,
                  wanted: dict[Kind, frozenset[str]]
                  ) -> list[tuple[int, int, Kind, str, list[str], str]]:
    """The names of a clause: start, end, kind, name, its key's words, the typo.

    Each as written (:func:`_named`; no typo, ""), then, when not so written in the clause, as
    a near miss (:func:`~model.decision.misspelt.near`: the words of the name it is read
    as, and the typo as written in the clause: "Raltégravr", not the key's "raltegravr").
    """
    named = [(i, j, kind, name, list(words[i:j]) or name_key(name).split("_"), "")
             for i, j, kind, name in _named(words, clause, index, wanted)]
    seen = {(kind, name) for _, _, kind, name, _, _ in named}
    places = name_letters.words(clause)
    return [*named, *((i, j, kind, name, key.split("_"), clause[places[i][1]:places[j - 1][2]])
                      for i, j, kind, name, key in near(words, index, _near_names(safety),
                                                        AFTER_WORDS)
                      if (kind, name) not in seen and _reading(words, key, j)[0] != "nothing")]


def _found(words: Sequence[str], clause: str, index: NameIndex, safety: Safety,
           wanted: dict[Kind, frozenset[str]]
           ) -> list[tuple[int, int, Kind, str, list[str], str, str]]:
    """A clause's names (:func:`_clause_names`), then its hints, each with a doubt of its own.

    The doubt: a near miss of a medicine with no cue ("lithuim": may be a misspelling), a
    word of another meaning (:func:`~model.decision.mention_hints.other_meaning`); a hint's
    own (:func:`~model.decision.mention_hints.hinted`), for a name not named otherwise.
    """
    named = [(i, j, kind, name, read, typo,
              "it may be a misspelling" if typo and kind == "medicine"
              and not cued(words, i, AFTER_WORDS) else other_meaning(words, i, j, clause, name))
             for i, j, kind, name, read, typo in _clause_names(words, clause, index, safety,
                                                                 wanted)]
    seen = {name for *_, name, _, _, _ in named}
    return [*named, *((i, j, kind, name, list(words[i:j]), "",
                       hint_meaning(words, i, j, clause, name) or why)
                      for i, j, kind, name, why in hinted(words, clause, index, safety)
                      if name not in seen)]


def _cues_only(found: list[tuple[Kind, str, str, Stance, str, str]], before: range,
               cue: Stance | Literal[""]) -> None:
    """Give a clause of cues only's ``cue`` to the clause before's names ("" gives none).

    A resumption ("back on it now") makes them had, unless in doubt of another kind than a
    "?" ("stopped lithium? no, still on it": /tmp/w52/e3 F12); a stop ("so stopped")
    makes those had said only (:data:`PLAIN_WHY`), never stopped (/tmp/w52/e2 R1).
    """
    for k in before:
        kind, name, entry, stance, why, typo = found[k]
        if cue == "has" and (stance != "unsure" or why in (PLAIN_WHY, UNSURE_WHY)):
            found[k] = (kind, name, entry, "has", "", typo)
        elif cue == "stopped" and stance == "has":
            found[k] = (kind, name, entry, "unsure", PLAIN_WHY, typo)


def text_mentions(text: str, index: NameIndex, safety: Safety
                  ) -> list[tuple[Kind, str, str, Stance, str, str]]:
    """The names with a rule one cell gives: kind, name, entry, stance, why unsure, typo.

    ``unsure``, each with its reason: a word of :data:`UNSURE_WORDS` (not a baby's condition's
    own: :func:`~model.decision.mention_cues.own_words`), a "?", a test unanswered, a condition
    after a wish, a verb alias with an object not known, "mg", a caution, a hint, a word of
    another meaning (:func:`_found`), a stop carried from the clause before (:data:`CARRIED_WHY`),
    not written plainly (:func:`~model.decision.mention_words.plain_stop`) or beside anything
    else (:func:`_alone`). A medicine after a wish is had. A cell that says only that a
    pregnancy ended ("gave birth": :func:`~model.decision.mention_words.ended_pregnancy`) stops
    it. A clause of cues only gives a resumption to the names before ("back on it now"), a
    stop only as said (:func:`_cues_only`); one naming nothing whose only doubt is a baby's
    word passes none on ("baby up 4 times, breastfeeding": /tmp/w53/c C3).
    """
    cautions, wanted = _cautions(safety), _wanted(safety)
    theirs = {index.match(alias, "condition") for alias in VERB_ALIASES}   # a baby's
    found: list[tuple[Kind, str, str, Stance, str, str]] = []
    last: dict[Kind, Stance] = {}
    unsure, talk, asked, before = False, False, range(0), range(0)
    cell = frozenset(w for clause, _ in clauses(text)
                     if not any(index.within(clause, kind) for kind in KINDS)
                     for w in name_key(clause).split("_"))
    for clause, first in clauses(text):
        words = name_key(clause).split("_")
        tested = TEST_WORDS & set(words) or {"negative", "positive"} & set(words[:-1])
        cues = CUES | RESULTS if tested or asked else CUES
        said = [cues[w] for w in words if w in cues]
        result = next((cues[w] for w in words if w in RESULTS.keys() & cues), None)
        names = _found(words, clause, index, safety, wanted)
        talk = talk or not (names or says_nothing(words) or (result and asked))
        for k in asked if result and not names else ():   # the test of the clause before
            found[k] = (*found[k][:3], result or "has", "", found[k][5])
        if said and not names and set(words) <= cues.keys() | FILLER_WORDS:   # "so stopped"
            _cues_only(found, before, said[-1] if said[-1] == "has" or not (
                RESUMED & cell or undone(words)) else "")
        ends = [end for _, end, _, name, *_ in names if name in theirs]
        readings = [_reading(words, "_".join(read), end) for _, end, _, _, read, _, _ in names]
        others = UNSURE_WORDS & (set(words) - own_words(words, min(ends, default=None))
                                 - {kin for _, kin in readings})
        carried = unsure and not said and not first and not SELF & set(words)
        doubt = "?" in clause or carried or bool(others)
        baby = not (names or carried or "?" in clause) and others <= BABY_WORDS  # "baby up 4x,"
        unsure = (doubt and not baby) or (bool(TEST_WORDS & set(words)) and result is None)
        wish, kept = wished_from(words), {}
        for (start, end, kind, name, read, typo, own), (reading, _) in zip(names, readings,
                                                                            strict=True):
            stance = ("has" if start > wish and kind == "medicine" else
                      _stance(words, start, end, kind, None if said else last.get(kind), cues,
                              cell))
            plain = stance != "stopped" or plain_stop(
                words, *_widest(words, start, end, kind, name, index), kind, cell, text)
            kept[kind] = stance if stance != "unsure" and plain else last.get(kind, "has")
            doubted = (unsure and not MINE & set(words[max(0, start - 2):start])) or (
                start > wish and kind == "condition")
            why = own or said_why(read, name, reading, doubted, cautions) or (
                CARRIED_WHY if stance == "unsure" else "" if plain else
                PLAIN_WHY)
            found.append((kind, name, spoken("_".join(read)), "unsure" if why else stance,
                          why, typo))
        asked = range(len(found) - len(names) * (unsure and not doubt), len(found))
        before = range(len(found) - len(names), len(found)) if names else before
        last = {kind: kept.get(kind, said[-1] if said else last.get(kind, "has"))
                for kind in KINDS if index.within(clause, kind)}
    if ended_pregnancy(text) and not found:     # "gave birth": the cell says only that
        return [("condition", PREGNANCY, "pregnant", "stopped", "", "")]
    return _alone(found, talk)


def _alone(found: list[tuple[Kind, str, str, Stance, str, str]], talk: bool
           ) -> list[tuple[Kind, str, str, Stance, str, str]]:
    """A cell's stops, said (:data:`PLAIN_WHY`) unless the cell says nothing else.

    ``talk``: a clause naming nothing says something (not
    :func:`~model.decision.mention_words.says_nothing`); any name not stopped says something
    too ("stopped lithium today, sick day rules", "not on dialysis, eGFR 12": /tmp/w52/e3 F3,
    F5, F6, F8, F9).
    """
    if not talk and all(f[3] == "stopped" for f in found):
        return found
    return [(*f[:3], "unsure", PLAIN_WHY, f[5]) if f[3] == "stopped" else f for f in found]


def read_words(clause: str, index: NameIndex, safety: Safety) -> frozenset[str]:
    """The words of the names :func:`text_mentions` reads in a clause, as written and read."""
    return frozenset(word for m in text_mentions(clause, index, safety) for said in (m[2], m[5])
                     for word in name_key(said).split("_") if said)


def diary_mentions(nights: pd.DataFrame, safety: Safety,
                   as_of: dt.date | None = None) -> list[Mention]:
    """Every name with a rule the diary's free text gives, night by night, oldest first.

    ``nights``: a diary's nights (:attr:`model.data.diary.Diary.nights`); ``as_of``: only
    the nights up to it (the night that began on it included).
    """
    index = NameIndex.of(safety)
    return [Mention(day.date(), column, text, kind, name, entry, stance, why, typo)
            for day, column, text in written_texts(nights)
            if as_of is None or day.date() <= as_of
            for kind, name, entry, stance, why, typo in text_mentions(text, index, safety)]


def _covered(profile: Profile, safety: Safety) -> frozenset[str]:
    """The names the profile has already: its entries' (either list), its rules' conditions.

    An eGFR of 20 sets the rule "dialysis" would (:func:`screen`'s ``rules_applied``).
    """
    index = NameIndex.of(safety)
    applied = set(screen(profile, safety).rules_applied)
    matched = {index.match(entry, kind) for entry in (*profile.conditions, *profile.medications)
               for kind in KINDS}
    return frozenset({name for name in matched if name} | {
        c.condition for c in (*safety.contraindications, *safety.cautions)
        if c.id in applied and c.condition})


def with_diary_mentions(profile: Profile, nights: pd.DataFrame | None, safety: Safety,
                        as_of: dt.date | None = None) -> DiaryRead:
    """The profile with the diary's had names added, and a warning for every name said.

    Parameters
    ----------
    profile : Profile
        As checked (:func:`model.data.profile.checked_profile`); the names added are known
        ones, and the keys it wrote stay its own (a profile not given is still said so).
    nights : DataFrame, optional
        A diary's nights (None: no diary, nothing read).
    safety : Safety
        The hard rules, whose synonyms read the text.
    as_of : datetime.date, optional
        Only the nights up to it.

    Returns
    -------
    DiaryRead
        ``profile`` with each name had and not covered in its list (the latest mention of a
        name that is no "perhaps" decides; after a stop, a "perhaps" is said), and one
        warning per name said, in the order of the diary; a fact had that a later line may
        say is stopped, not plainly (:data:`~model.decision.mention_words.PLAIN_WHY`), says
        so too; a magnesium laxative or antacid the diary names taken is added as an entry
        (:mod:`model.decision.diary_magnesium`).

    """
    if nights is None:
        return DiaryRead(profile)
    latest: dict[tuple[Kind, str], Mention] = {}
    later: dict[tuple[Kind, str], Mention] = {}   # a stop not plain after a fact had
    for m in diary_mentions(nights, safety, as_of):
        before = latest.get((m.kind, m.name))
        if before is None or m.stance != "unsure" or before.stance != "has":
            latest[(m.kind, m.name)] = m
            later.pop((m.kind, m.name), None)
        elif before.stance == "has" and m.why == PLAIN_WHY:
            later[(m.kind, m.name)] = m
    covered = _covered(profile, safety)
    added = [m for m in latest.values() if m.stance == "has" and m.name not in covered]
    said = tuple(w for key, m in latest.items()
                 if (w := warning(m, m.name in covered, profile, safety, later.get(key))))
    extended = with_added(profile, [m.entry for m in added if m.kind == "condition"],
                          [m.entry for m in added if m.kind == "medicine"])
    index = NameIndex.of(safety)
    unknown = unknown_medicines(nights, index, lambda clause: read_words(clause, index, safety),
                                as_of)
    extended, laxatives = with_diary_magnesium(extended, nights, index,
                                               as_of)   # "took milk of magnesia"
    extended, unchecked = with_unknown_medicines(extended, unknown, index, profile_given(profile))
    return DiaryRead(extended, (*said, *laxatives, *unchecked))
