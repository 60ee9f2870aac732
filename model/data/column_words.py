"""Diary columns under other names: a header read by its words, or refused saying what it holds.

A stool form column named ``bristol_stool`` was "ignored" as an unknown column, and the GI
safety rules ran without the loose stools it held: "Continue citrate" for "Stop taking
magnesium"; a diary with ``mg_form,dose_mg`` was read as no magnesium on any night, and a person
taking 300 mg was told to start 200 mg (an outside audit). A header is now also read by its
words (:func:`header_words`: any case and separators, camelCase, plural or singular, a unit such
as ``(min)`` and a scale such as ``(1-5)`` anywhere in it):

- words that name exactly one diary column the table lacks (:data:`SYNONYMS`), with no other
  header naming it and no unit or scale other than its own (:func:`conflict`), are read as it,
  said with what it holds (:func:`read_as_note`); a value never changes its meaning: a column
  with a unit (``_min``, ``_mg``) is read only under a header that says that unit, so ``waso``
  (minutes or hours?) is not read, and it is never ``awakenings``;
- a stool or GI header (:data:`GI_WORDS`) left unread, while the diary lacks ``stool_bristol``
  or ``gi_upset``, is an error naming it (:func:`gi_faults`);
- with no ``form``, ``elemental_mg`` or ``compound_mg`` column, a header of the magnesium taken
  (:data:`REGIMEN_WORDS`) is an error naming it (:func:`regimen_faults`), and headers of
  another format (a tracker's export) are one pointing to ``mgsleep import``
  (:func:`check_usable`);
- a header naming a questionnaire (:data:`QUESTIONNAIRES`: ``gad7``, ``weekly anxiety
  (GAD-7)``) is ignored saying that mgsleep has no column for it, never "did you mean
  'anxiety'" (:func:`questionnaire_note`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import pandas as pd

from model.core.errors import DiaryError, Fault
from model.core.outcomes import scale_words
from model.data.diary_columns import GUESS_COLUMN, KNOWN_COLUMNS, NUMERIC, is_missing

SYNONYMS: dict[str, tuple[str, ...]] = {
    "sol_min": ("sol", "latency | sleep onset", "onset | sleep", "asleep fall | time to"),
    "waso_min": ("waso", "wake after sleep onset", "awake | time night total in after"),
    "awakenings": ("awakening | night nightly number of count",
                   "waking | night nightly number of count",
                   "wakeup | night nightly number of count", "wake up | night number of count"),
    "quality": ("quality | sleep rating score overall",),
    "freshness": ("freshness | morning rating score", "refreshed | morning feeling rating score"),
    "anxiety": ("anxiety | evening rating score level",),
    "stool_bristol": ("bristol | stool form type scale score chart", "stool form | scale score",
                      "stool type | scale score"),
    "gi_upset": ("gi | upset symptom issue problem distress trouble",
                 "gastrointestinal | upset symptom issue problem distress trouble",
                 "stomach upset | gi", "tummy upset"),
    "caffeine_late": ("caffeine late | after", "afternoon caffeine | after late"),
    "alcohol_drinks": ("alcohol drink | number of count", "alcoholic drink | number of count"),
    "day_sleep": ("day sleep | after shift night",),
    "menstruation": ("period | on my", "mense | on my", "menstruation | on my",
                     "menstruating | on", "menstrual | flow bleeding period"),
    "elemental_mg": ("elemental | magnesium dose",),
    "compound_mg": ("compound | magnesium dose weight",),
}
"""Other names of diary columns, as words (singular): ``core | optional``, a header naming the
column when it has every core word and nothing but optional ones besides (any order)."""

MEANS: dict[str, str] = {
    "sol_min": "minutes to fall asleep",
    "waso_min": "minutes awake after falling asleep (wake after sleep onset; not awakenings, "
                "their count)",
    "awakenings": "the number of awakenings, not the final one (not minutes awake)",
    "quality": scale_words("quality"),
    "freshness": scale_words("freshness"),
    "anxiety": scale_words("anxiety"),
    "stool_bristol": "the Bristol stool form, 1 to 7",
    "gi_upset": "loose stools or stomach upset, 1 yes, 0 no",
    "caffeine_late": "caffeine after 14:00, 1 yes, 0 no",
    "alcohol_drinks": "the number of alcoholic drinks",
    "day_sleep": "1 for a day sleep after a night shift, 0 for a night's sleep",
    "menstruation": "1 on a day of menstrual bleeding, 0 or blank on another",
    "elemental_mg": "mg of elemental magnesium",
    "compound_mg": "mg of the compound, as on the label",
}
"""What each column of :data:`SYNONYMS` holds, for a header not read as it."""

UNITS: dict[str, str] = {"min": "minutes", "minute": "minutes", "hour": "hours", "hr": "hours",
                         "h": "hours", "sec": "seconds", "second": "seconds", "mg": "mg",
                         "milligram": "mg", "g": "g", "gram": "g", "mcg": "µg", "ug": "µg"}
"""A header's words that are its unit (singular), and the unit each says."""

OWN_UNIT: dict[str, str] = {"min": "minutes", "mg": "mg"}
"""A diary column's unit, by the end of its name (``sol_min``: minutes)."""

GI_WORDS = re.compile(r"\b(?:stool|bristol|gi|gastro\w*|diarrh\w*|loose\w*|stomach|tummy|"
                      r"bowel|nausea)\b")
"""A header (its words, space-separated) that records stool form or GI upset: left unread,
the GI safety rules would run without it."""

REGIMEN_WORDS = frozenset({"form", "dose", "dosage", "magnesium", "supplement", "product",
                           "pill", "tablet", "capsule"})
"""A header with one of these words (or only ``mg``) looks like a column of the magnesium
taken."""

QUESTIONNAIRES: dict[str, str] = {"GAD-7": "anxiety", "STAI": "anxiety", "HADS": "anxiety",
                                  "DASS": "anxiety", "PSQI": "quality", "ISI": "quality",
                                  "PROMIS": "quality"}
"""The questionnaires the priors' trials measured by, each with the diary rating its score could
be taken for. mgsleep has no column for any: a weekly GAD-7 (0-21) is not the evening anxiety
rating (0-10), and a header ``GAD-7 anxiety`` was told "did you mean 'anxiety'?" (an outside
audit, B7); a mild week's score of 10 or less would then have been read as that evening's."""

_QUESTIONNAIRE_LETTERS = {re.split(r"[^a-z]", name.lower())[0]: name for name in QUESTIONNAIRES}
_QUESTIONNAIRE = re.compile(rf"(?<![a-z])({'|'.join(_QUESTIONNAIRE_LETTERS)})(?![a-z])")
"""A questionnaire's letters in a header, whatever follows (``gad7``, ``GAD-7``, ``HADS_A``)."""

_SHIFT = re.compile(r"(?<![a-z])(shifts?|rota|roster|night ?shifts?)(?![a-z])")
"""A header of a shift worker's rota (``shift``, ``NightShift``, ``rota``), which mgsleep reads
only as its ``day_sleep`` column: ``shift`` was "did you mean 'split'?", two intakes a night
(a shift worker's audit, /tmp/w53/b B4). A ``day sleep`` header is read as ``day_sleep``
(:data:`SYNONYMS`)."""

PERIOD_NOTE = (": a header with period among other words is not read as menstruation; "
               "mgsleep reads a trial's periods from the column form, night by night, and a "
               "menstrual period from the column menstruation, 1 on the days you bleed (a "
               "header Period, Menses or On my period is read as it)")
"""What is said of a header not read that has the word ``period`` (``Treatment period``, ``Period
number``): the cycle audit (/tmp/w56/cyc) made ``Period`` alone a diary's ``menstruation``
(:data:`SYNONYMS`), and "period" is also what mgsleep calls a trial's steps and the nights a
regimen is judged on; such a header was asked "did you mean 'menstruation'?"."""

SHIFT_NOTE = (": mgsleep reads a rota only through the column day_sleep, 1 on a night whose "
              "sleep was a day sleep after a night shift (dated by the night the shift began), "
              "0 on other nights, and fits its effect on every sleep outcome; write the rota "
              "itself in notes, and take each form across whole cycles of it")
"""What is said of a :data:`_SHIFT` header."""

_SCALE = re.compile(r"(\d+(?:[.,]\d+)?)\s*(?:-|–|—|\bto\b)\s*(\d+(?:[.,]\d+)?)")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_GENERIC = frozenset({"sleep", "time", "night", "up", "to", "after", "form", "type", "fall",
                      "period"})
"""Words of :data:`SYNONYMS` too common to suggest a column on their own (``period``: a trial's
too, :data:`PERIOD_NOTE`)."""


@dataclass(frozen=True)
class Header:
    """A column name as words: ``Sleep latency (min)`` is {sleep, latency} in minutes."""

    words: frozenset[str]
    units: frozenset[str]
    scale: tuple[float, float] | None


def _singular(word: str) -> str:
    """``stools`` -> ``stool``; ``anxious``, ``class`` and ``gi`` stay."""
    return word[:-1] if len(word) > 2 and word.endswith("s") and not word.endswith(
        ("ss", "us", "is")) else word


def header_words(name: object) -> Header:
    """A header's words, unit(s) and scale: ``Stool form (Bristol 1-7)``, ``bristolStool``."""
    text = _CAMEL.sub(" ", str(name)).lower()
    found = _SCALE.search(text)
    scale = None if found is None else (float(found.group(1).replace(",", ".")),
                                        float(found.group(2).replace(",", ".")))
    tokens = [_singular(t) for t in re.findall(r"[a-z]+|\d+", _SCALE.sub(" ", text))]
    return Header(frozenset(t for t in tokens if t not in UNITS),
                  frozenset(UNITS[t] for t in tokens if t in UNITS), scale)


def _pattern(text: str) -> tuple[frozenset[str], frozenset[str]]:
    core, _, optional = text.partition("|")
    return frozenset(core.split()), frozenset(optional.split())


_PATTERNS = {column: tuple(map(_pattern, texts)) for column, texts in SYNONYMS.items()}


def named_column(header: Header) -> str | None:
    """The one diary column ``header``'s words name (:data:`SYNONYMS`), else None."""
    named = [column for column, patterns in _PATTERNS.items()
             if any(core <= header.words <= core | optional for core, optional in patterns)]
    return named[0] if len(named) == 1 else None


def conflict(column: str, header: Header) -> str | None:
    """Why ``header``'s unit or scale is not ``column``'s (None: they agree)."""
    unit = OWN_UNIT.get(column.rsplit("_", 1)[-1])
    if header.units != ({unit} if unit else set()):
        said = " and ".join(sorted(header.units)) or "not said"
        return f"its unit is {said}, {column}'s is {unit or 'none'}"
    allowed = NUMERIC.get(column)
    if header.scale is not None and allowed is not None and header.scale != (allowed.low,
                                                                           allowed.high):
        return (f"its scale is {header.scale[0]:g}-{header.scale[1]:g}, {column}'s is "
                f"{allowed.low:g}-{allowed.high:g}")
    return None


def read_by_words(names: Sequence[object], keys: Sequence[str]) -> list[str]:
    """``keys`` with each header read as the diary column its words name.

    ``names``: the headers as the table has them; ``keys``: as
    :func:`~model.data.separators.column_key` makes them. A header is read as column C when C
    is the one column its words name, the table has no column C, no other header names C, and
    the header's unit and scale are C's (:func:`conflict`).
    """
    named = [None if key in (*KNOWN_COLUMNS, GUESS_COLUMN) else named_column(header_words(name))
             for name, key in zip(names, keys, strict=True)]
    claims = Counter(named)
    return [column if column is not None and column not in keys and claims[column] == 1
            and conflict(column, header_words(name)) is None else key
            for name, key, column in zip(names, keys, named, strict=True)]


def read_as_note(header: str, column: str) -> str:
    """What is said of a header read as ``column``: what the column holds, or a near miss's fix.

    A header whose words name ``column`` (:func:`named_column`: ``Period``, ``Sleep latency
    (min)``, which the README lists) is said plainly with what it holds (:data:`MEANS`): it was
    told, at every read, "the diary column it nearly names: rename it ...", a typo's guess
    (an outside audit, /tmp/w56/m M5). Any other header read as a column is a near miss of its
    name (``stool_bristl``: :data:`model.data.diary_rows.NEAR_MISS`), and is told how to say so.
    """
    if named_column(header_words(header)) == column:
        return f"column {header!r} read as {column} ({MEANS[column]})"
    return (f"column {header!r} read as {column}, the diary column it nearly names: rename it "
            f"{column} to say so, or give a column of your own a name further from it")


def why_unread(name: object, present: Collection[str],
               others: Sequence[object] = ()) -> tuple[str | None, str]:
    """The diary column a header not read names, and why it is not read (None, "": none).

    ``present``: the diary columns the table has; ``others``: the other headers not read.
    """
    header = header_words(name)
    column = named_column(header)
    if column is None:
        return None, ""
    if column in present:
        return column, f"the diary has a column {column}, which is read"
    if any(named_column(header_words(other)) == column for other in others if other != name):
        return column, f"another column names {column} too"
    return column, conflict(column, header) or ""


def questionnaire_note(name: object) -> str:
    """``: mgsleep has no column for GAD-7 ...`` for a header naming a questionnaire, or "".

    The questionnaire of :data:`QUESTIONNAIRES` the header names, and the diary rating that is
    a different measure (not "did you mean" it).
    """
    found = _QUESTIONNAIRE.search(_CAMEL.sub(" ", str(name)).lower())
    if found is None:
        return ""
    said = _QUESTIONNAIRE_LETTERS[found.group(1)]
    rating = QUESTIONNAIRES[said]
    return (f": mgsleep has no column for the {said} questionnaire; the column {rating} is "
            f"{MEANS[rating]}, a different measure, so do not copy {said} scores into it")


def unread_hint(name: object, present: Collection[str], others: Sequence[object] = ()) -> str:
    """`` (did you mean 'waso_min'?): its unit is not said, ...`` for a header not read, or "".

    A questionnaire's header: that mgsleep has no column for it (:func:`questionnaire_note`);
    so too a rota's or a day sleep's (:data:`SHIFT_NOTE`). Else the column its words name and
    why it is not read (:func:`why_unread`), else a header of a period of another kind
    (:data:`PERIOD_NOTE`), else the one column whose own words it shares.
    """
    if questionnaire := questionnaire_note(name):
        return questionnaire
    if _SHIFT.search(_CAMEL.sub(" ", str(name)).lower().replace("_", " ")):
        return SHIFT_NOTE
    column, why = why_unread(name, present, others)
    if column is not None and column in present:
        return f" ({why})"
    if column is not None:
        return (f" (did you mean {column!r}?): {why}; rename it {column} if it holds "
                f"{MEANS[column]}")
    if "period" in header_words(name).words:
        return PERIOD_NOTE
    words = header_words(name).words - _GENERIC
    sharing = [c for c, patterns in _PATTERNS.items() if c not in present
               and words & frozenset().union(*(core for core, _ in patterns))]
    return f" (did you mean {sharing[0]!r}?)" if len(sharing) == 1 else ""


def gi_unread(headers: Sequence[object], present: Collection[str]) -> list[tuple[object, str]]:
    """The stool or GI headers (:data:`GI_WORDS`) the GI rules would miss, each with why.

    ``headers``: the headers not read; ``present``: the diary columns the table has (or an
    import fills). Why a header is not read (:func:`why_unread`; "" when nothing stops it).
    None when ``present`` has both ``stool_bristol`` and ``gi_upset`` (the GI rules see them),
    nor a second column of one it has (``Bristol`` beside ``stool_bristol``).
    """
    if {"stool_bristol", "gi_upset"} <= set(present):
        return []
    found = []
    for header in headers:
        column, why = why_unread(header, present, headers)
        if GI_WORDS.search(" ".join(sorted(header_words(header).words))) is not None and (
                column not in present):
            found.append((header, why))
    return found


def gi_faults(name: str, unread: Sequence[tuple[str, pd.Series]],
              present: Collection[str]) -> list[Fault]:
    """The faults of stool or GI columns not read (:func:`gi_unread`) that hold a value."""
    missed = dict(gi_unread([header for header, _ in unread], present))
    return [Fault(name, f"column {header}", (
        f"expected stool form in stool_bristol ({NUMERIC['stool_bristol'].describe()}) or "
        f"loose stools and stomach upset in gi_upset (0 or 1), got a column {header!r} "
        f"that is not read{f' ({missed[header]})' if missed[header] else ''}: the GI safety "
        "rules would run without it. Rename it stool_bristol if it holds the Bristol stool "
        "form, or gi_upset if it says loose stools or stomach upset (1 yes, 0 no); a column "
        "of something else, give it a name without a stool or GI word"))
        for header, cells in unread if header in missed and not all(map(is_missing, cells))]


def check_usable(table: pd.DataFrame, name: str) -> None:
    """Raise one clear fault when a table looks like another format, not a diary.

    That is: no column besides ``date`` is a diary column, or there is no regimen column
    (``form``, ``elemental_mg``, ``compound_mg``) and more unknown columns than diary ones (a
    tracker's or an experiment's export). The fault lists the columns found and expected and
    points to ``mgsleep import``.
    """
    usable = [c for c in table.columns if c in KNOWN_COLUMNS and c != "date"]
    unknown = [c for c in table.columns if c not in KNOWN_COLUMNS]
    regimen = any(c in table.columns for c in ("form", "elemental_mg", "compound_mg"))
    if unknown and (not usable or (not regimen and len(unknown) > len(usable))):
        raise DiaryError([Fault(name, "columns", "expected a diary (date and "
                                + ", ".join(c for c in KNOWN_COLUMNS if c != "date")
                                + f"), got {len(usable)} diary column(s) ("
                                + (", ".join(usable) or "none") + ") and "
                                + f"{len(unknown)} other(s): " + ", ".join(map(str, unknown))
                                + "; to bring another format in, use mgsleep import (for a "
                                "CSV: mgsleep import csv FILE --map date=COL,sol_min=COL,...)")])


def regimen_faults(name: str, unread: Sequence[str], present: Collection[str]) -> list[Fault]:
    """The fault of a table with no regimen column and headers that look like one, or none.

    A header looks like one with a word of :data:`REGIMEN_WORDS` or only ``mg`` (not a stool
    or GI header: :func:`gi_faults` names those).
    """
    if {"form", "elemental_mg", "compound_mg"} & set(present):
        return []
    looks = [header for header in unread
             if ((words := header_words(header)).words & REGIMEN_WORDS
                 or (not words.words and "mg" in words.units))
             and GI_WORDS.search(" ".join(sorted(words.words))) is None]
    if not looks:
        return []
    one = len(looks) == 1
    return [Fault(name, f"column{'' if one else 's'} {', '.join(looks)}", (
        "expected the magnesium taken in a column form (glycinate, citrate, ...; blank: none) "
        "with its dose in elemental_mg (mg of elemental magnesium) or compound_mg (mg of the "
        f"compound), got none of these: {', '.join(map(repr, looks))} "
        f"{'looks' if one else 'look'} like {'one' if one else 'them'} and "
        f"{'is' if one else 'are'} not read, so every night would count as one without "
        f"magnesium. Rename {'it' if one else 'them'} to the names the diary reads (form, "
        "elemental_mg or compound_mg); a diary of nights without magnesium says so with an "
        "empty form column"))]
