"""Names of conditions and medicines as people write them, matched to the safety data.

:class:`NameIndex` maps ``"CKD"``, ``"Synthroid 50 mcg"`` or ``"doxycycline hyclate"`` to the
names of ``safety.toml`` (``severe_renal_impairment``, ``levothyroxine``, ``doxycycline``)
through its ``[[synonyms]]``: a name is reduced to a key (:func:`name_key`) and looked up, then
again without its salt, form, dose, frequency and course words (:data:`COURSE`: ``ciprofloxacin
500 mg twice daily for 7 days`` was refused). An entry listing several names is read as each
(:meth:`NameIndex.split`), a combination naming magnesium as its products; a class of
medicines (``bisphosphonates``) stays unknown, and :meth:`NameIndex.members` names its members.

A name matching nothing is *unknown*. A medicine is taken for a known one only within a typo
(:func:`closest_typo`: two edits, a quarter of its letters, not the first) or when it holds
known names whole (:meth:`NameIndex.within`); so is its "did you mean" (``clarithromycin`` was
taken as tetracycline via ``achromycin``). A condition's stays looser: it only refers or holds.
An eGFR among the conditions is read first (:func:`model.data.profile_entries.egfr_written`).
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from model.core.identity_cache import identity_cache
from model.evidence import name_letters
from model.evidence.name_hints import ALLOW_UNKNOWN, amount_hint, names_hint
from model.evidence.name_words import Kind, listed, spoken
from model.evidence.schema import Safety

SALT_WORDS = frozenset({
    "sodium", "disodium", "monosodium", "potassium", "hydrochloride", "hcl", "hydrobromide",
    "hyclate", "monohydrate", "dihydrate", "trihydrate", "hemihydrate", "sesquihydrate",
    "anhydrous", "mesylate", "maleate", "besylate", "tartrate", "succinate", "fumarate",
    "gluconate", "sulfate", "sulphate", "phosphate", "acetate", "bromide", "pentahydrate",
    "lactate", "enacarbil"})
"""Salt and hydrate words dropped from a medicine name (``levothyroxine sodium``); not
``calcium`` or ``magnesium``, products of their own (``calcium acetate`` is no calcium), but
``calcium`` after a medicine's name (``doxycycline calcium``: :meth:`NameIndex.match`)."""

ORAL_WORDS = frozenset({"tablet", "tablets", "tab", "tabs", "capsule", "capsules", "cap", "caps",
                        "oral", "solution", "suspension", "liquid", "sachet", "sachets"})
"""Forms taken by mouth: a name read by dropping one is no product for the skin
(:data:`SKIN_WORDS`; ``magnesium gel caps`` is no ``magnesium gel``)."""

SKIN_WORDS = frozenset({"oil", "spray", "lotion", "gel", "cream", "butter", "balm", "bath",
                        "baths", "soak", "transdermal", "topical"})
"""Words of a product put on the skin or in a bath (``magnesium oil spray``)."""

FORM_WORDS = ORAL_WORDS | frozenset({
    "xr", "er", "sr", "mr", "cr", "la", "dr", "xl",
    "retard", "extended", "modified", "delayed", "release", "mg", "mcg", "ug", "g", "iu", "ml",
    "mgs", "mcgs", "milligram", "milligrams", "microgram", "micrograms",
    "daily", "once", "twice", "bid", "tid", "qid", "qd", "od", "qhs", "hs", "prn", "per", "day",
    "week", "weekly", "nightly", "morning", "evening", "night", "every", "each", "at", "in",
    "the", "bedtime", "before", "after", "breakfast", "food", "meals", "am", "pm", "a", "as",
    "if", "when", "needed", "required", "occasionally", "sometimes", "other", "times", "month",
    "monthly", "bd", "tds", "qds", "mane", "nocte", "three", "four", "hour", "hours", "hourly"})
"""Dosage-form, release, unit and frequency words dropped from a medicine name (``cipro xr
500 mg``, ``alendronate 70 mg weekly``, ``levothyroxine 50 micrograms``, ``Euthyrox 75µg
every morning``, ``... at bedtime``, ``... bd``, ``milk of magnesia as needed``)."""

_COUNT = r"(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|fourteen|another)"
_SPAN = r"(?:days?|weeks?|wks?|months?)"
COURSE = re.compile(
    rf"(?:^|_)(?:(?:for|x)_?{_COUNT}_(?:more_)?(?:{_SPAN}|d)|(?:for|x)_?\d+_(?:7|52|12)"
    rf"|x_?\d+_?d|\d+_?{_SPAN}(?:_course)?|course(?:_of_{_COUNT}_{_SPAN})?"
    r"|(?:until|till|til)(?:_[a-z0-9]+)*)(?=_|$)")
"""A course in a lookup key (``for 7 days``, ``x 7d``, ``7-day course``, ``for 5/7``, ``until
12/03/2026``, ``until finished``), dropped with the dose: a prescription line was refused."""

LINK_WORDS = frozenset({"with", "plus"})
"""Words joining the products of a combination's name (``magnesium with vitamin B6``)."""

_DOSE = re.compile(r"^\d+(\.\d+)?(mg|mcg|ug|g|iu|ml)?$")

_STAGE = re.compile(r"^(stage_)?g?\d+[a-e]?$")
"""A condition's part that is only a stage (``4``, ``G4``, ``stage 4``): in ``CKD stage 3b/4``
it stands for ``CKD stage 4``."""

SEPARATOR = re.compile(r"\s*(?:[;+&]|\b(?:and|or)\b|(?<!\d)[,/]|[,/](?!\d))\s*",
                       re.IGNORECASE)
"""What separates names in one entry: ``,`` ``;`` ``/`` ``+`` ``&``, ``and``, ``or`` (each may
be taken); a ``,`` or ``/`` between two digits is part of a dose: ``1,000 mg``, ``1/2``."""

WHOLE_SLASH = re.compile(r"\b(?:n/a|mg/dl|ml/min|ml/s|[uµm]mol/l)\b", re.IGNORECASE)
"""Words with a ``/`` that no :data:`SEPARATOR` splits: ``N/A`` (:data:`NOTHING`), units."""

NOTHING = frozenset({"none", "n_a", "na", "nil", "no", "nothing", "not_applicable", "null"})
"""Entries of a profile list that say it has none (``"none"``, ``"N/A"``)."""

_ROMAN_STAGES = {"i": "1", "ii": "2", "iii": "3", "iiia": "3a", "iiib": "3b", "iv": "4",
                 "v": "5", "vd": "5d"}
"""A stage in Roman numerals, after ``stage``, ``ckd`` or ``g`` (``CKD stage IIIb``)."""


@functools.lru_cache(maxsize=8192)
def name_key(name: str) -> str:
    """Reduce a name to its lookup key: lower case, words joined by ``_`` (``AV-block``).

    Without accents (:func:`model.evidence.name_letters.words`: ``Raltégravir`` is
    ``raltegravir``; the ``é`` cut it in two).

    A stage in Roman numerals becomes its number (``CKD stage IV`` is ``ckd_stage_4``): it
    was an unknown name whose closest known one was another stage.
    """
    words = [word for word, _, _ in name_letters.words(name)]   # accents off: /tmp/w50/c C1
    return "_".join(_ROMAN_STAGES.get(word, word) if k and words[k - 1] in ("stage", "ckd", "g")
                    else word for k, word in enumerate(words))


MAGNESIUM = "magnesium"
"""The word of magnesium in a name (a "did you mean" offers magnesium names for it)."""

WHOLE_TYPO = 0.85
"""How alike a name is to a magnesium product it then means (``milk of magnesium``)."""

OPPOSITE_PREFIXES = (("hyper", "hypo"), ("hypo", "hyper"))
"""Prefixes of opposite states: a name with one is no typo of a name with the other."""


def _opposite(key: str, other: str) -> bool:
    """Whether two lookup keys name opposite states (``hypertension``, ``hypotension``)."""
    return any(key.startswith(a) and other.startswith(b) for a, b in OPPOSITE_PREFIXES)


def _stripped(key: str, salts: bool = True) -> str:
    """``key`` without its dose, frequency, course (:data:`COURSE`) and (``salts``) salt words."""
    words = [w for w in COURSE.sub("", key).split("_") if w and (w not in SALT_WORDS or not salts)
             and w not in FORM_WORDS and not _DOSE.match(w)]
    return "_".join(words)


TYPO_EDITS, TYPO_SHARE = 2, 0.25
"""A typo: at most 2 edits (add, drop, change, swap), a quarter of the letters, not the first."""


def typo_edits(a: str, b: str) -> int:
    """The edits from ``a`` to ``b`` (Damerau-Levenshtein, optimal string alignment)."""
    rows = [list(range(len(b) + 1))]
    for i, x in enumerate(a, 1):
        row = [i]
        for j, y in enumerate(b, 1):
            row.append(min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + (x != y)))
            if i > 1 and j > 1 and x == b[j - 2] and a[i - 2] == y:
                row[j] = min(row[j], rows[-2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


def closest_typo(key: str, options: Iterable[str]) -> str | None:
    """The option ``key`` is within a typo of (spaces and marks aside: ``PPI's``), or None."""
    letters = key.replace("_", "")
    most = min(TYPO_EDITS, TYPO_SHARE * len(letters))
    near = [(edits, option) for option in options   # stems end names: lorazepam, oxazepam
            if abs(len(bare := option.replace("_", "")) - len(letters)) <= most
            and bare[:1] == letters[:1] and (edits := typo_edits(letters, bare)) <= most]
    return min(near)[1] if near else None


def _skin_by_mouth(key: str, stripped: str) -> bool:
    """Whether ``stripped`` names a product for the skin only as ``key`` without an oral form."""
    return bool(SKIN_WORDS & set(stripped.split("_")) and ORAL_WORDS & set(key.split("_")))


def _words(text: str) -> list[tuple[str, int, int]]:
    """The words of ``text`` as :func:`name_key` reads them, each with its start and end."""
    places = name_letters.words(text)
    keys = name_key(text).split("_") if places else []
    return [(key, start, end) for key, (_, start, end) in zip(keys, places, strict=True)]


def _has_dose(text: str) -> bool:
    """Whether ``text`` has a number (``500 mg``, ``1,000``)."""
    return any(w[:1].isdigit() and _DOSE.match(w) for w, _, _ in _words(text))


def _without_dose(text: str) -> str:
    """``text`` before its first number (``"Magnesium 500 mg"``: ``"Magnesium"``)."""
    start = next(s for w, s, _ in _words(text) if w[:1].isdigit() and _DOSE.match(w))
    return re.sub(r"[\W_]+$", "", text[:start]) or text


def _restaged(before: str, stage: str) -> str:
    """``before`` (``"CKD stage 3b"``) with its last stage as ``stage`` (``"4"``), or ``stage``."""
    words, new = name_key(before).split("_"), stage.split("_")
    at = [i for i, word in enumerate(words) if _STAGE.match(word)]
    if not at:
        return stage
    end = at[-1]
    start = end - 1 if new[0] == "stage" and end and words[end - 1] == "stage" else end
    return " ".join([*words[:start], *new, *words[end + 1:]])


def _stage_kept(key: str, close: str, table: dict[str, str]) -> str:
    """``close`` at the one stage ``key`` was written with, when that is a known name too.

    A stage is a number, which :func:`_stripped` drops with a dose: ``chronic kidny disease
    stage 4`` was matched without it, "did you mean 'chronic kidney disease stage 5'?"
    (/tmp/w50/b F-11). A name of two stages (``CKD G3b-G4``) is left to
    :func:`unknown_message`, which names both.
    """
    stages = {word for word in key.split("_") if _STAGE.match(word)}
    if len(stages) != 1 or not any(_STAGE.match(word) for word in close.split("_")):
        return close
    kept = name_key(_restaged(close, stages.pop()))
    return kept if kept in table else close


@dataclass(frozen=True)
class NameIndex:
    """Every known name of a condition or medicine, with the canonical name it stands for.

    Build one with :meth:`of`. ``conditions`` and ``medicines`` map a key (:func:`name_key`) to a
    canonical name, ``classes`` a class's key to its members; ``magnesium``: magnesium products;
    ``whole_only``: the keys of names never found inside a longer one (``Synonym.whole_only``).
    """

    conditions: dict[str, str]
    medicines: dict[str, str]
    classes: dict[str, tuple[str, ...]]
    magnesium: frozenset[str] = frozenset()
    whole_only: frozenset[str] = frozenset()

    @classmethod
    @identity_cache
    def of(cls, safety: Safety) -> NameIndex:
        """The index of a safety file: rule names, recognised names and synonyms (made once)."""
        conditions = {name_key(c.condition): c.condition
                      for c in (*safety.contraindications, *safety.cautions) if c.condition}
        conditions |= {name_key(n): n for n in safety.recognised.conditions}
        medicines = {name_key(m): m for group in safety.interactions for m in group.medications}
        medicines |= {name_key(n): n for n in safety.recognised.medications}
        for entry in safety.synonyms:
            table = conditions if entry.kind == "condition" else medicines
            table |= {name_key(alias): entry.name for alias in (entry.name, *entry.aliases)}
        classes = {name_key(alias): group.medications
                   for group in safety.classes for alias in (group.name, *group.aliases)}
        return cls(conditions, medicines, classes, frozenset(
            m for group in safety.interactions if group.kind == "magnesium"
            for m in group.medications), frozenset(
            name_key(alias) for entry in safety.synonyms for alias in entry.whole_only))

    def _table(self, kind: Kind) -> dict[str, str]:
        return self.conditions if kind == "condition" else self.medicines

    def match(self, name: str, kind: Kind) -> str | None:
        """The canonical name ``name`` stands for, or None when it is unknown."""
        table = self._table(kind)
        key = name_key(name)
        found = table.get(key)
        if found is None and kind == "medicine":   # a salt may be the name: magnesium oxide
            words = key.split("_")   # a calcium salt is written after its medicine
            salt = table.get(_stripped("_".join([words[0], *(w for w in words[1:]
                                                             if w != "calcium")])))
            shorts = (_stripped(key, salts=False), _stripped(key).replace("calcium", "_"))
            found = next((table[short] for short in shorts   # calcium acetate is no calcium
                          if short in table and not _skin_by_mouth(key, short)),
                         None if "calcium" not in words[1:] or salt in self.magnesium else salt)
        return found

    def split(self, entry: str, kind: Kind) -> tuple[str, ...]:
        """The names one entry of a profile list stands for, each to be matched on its own.

        Parameters
        ----------
        entry : str
            As the person wrote it, e.g. ``"digoxin, levothyroxine 50 mcg"``.
        kind : {"condition", "medicine"}
            The list it is in.

        Returns
        -------
        tuple of str
            ``(entry,)`` when the whole entry is a known name (an alias may hold a separator)
            or says there is none (``"N/A"``: :data:`NOTHING`, which the profile leaves out)
            or holds no :data:`SEPARATOR` nor a combination; else its parts, a medicine's
            part that is only a dose or a form (``"125 mcg"``) kept with the name before it, a
            condition's part that is only a stage taking the words before the stage of the
            part before it (``"CKD stage 3b/4"``: ``"CKD stage 3b"`` and ``"CKD stage 4"``;
            read alone, the ``4`` was unknown and only the milder stage's rule applied); a
            combination's name as its products (:meth:`_products`), and a last magnesium part
            loses the entry's only dose (``"Zinc & Magnesium 500 mg"``: the product's).

        """
        if self.match(entry, kind) is not None or name_key(entry) in NOTHING:
            return (entry,)
        parts: list[str] = []
        kept = WHOLE_SLASH.sub(lambda m: m.group().replace("/", "\0"), entry)
        for part in (p.replace("\0", "/") for p in SEPARATOR.split(kept)):
            key = name_key(part)
            if not key:
                continue
            if parts and kind == "medicine" and not _stripped(key):
                parts[-1] = f"{parts[-1]} {part}"
            elif parts and kind == "condition" and _STAGE.match(key):
                parts.append(_restaged(parts[-1], key))
            else:
                parts.append(part)
        return tuple(self._combinations_read(parts) if kind == "medicine" else parts) or (entry,)

    def _combinations_read(self, parts: list[str]) -> list[str]:
        """A medicine entry's ``parts``, a combination read as its products (:meth:`split`)."""
        read = [name for part in parts
                for name in ((self.match(part, "medicine") is None and self._products(part))
                             or (part,))]
        if (len(read) > 1 and self.match(read[-1], "medicine") in self.magnesium
                and [_has_dose(name) for name in read] == [False] * (len(read) - 1) + [True]):
            read[-1] = _without_dose(read[-1])
        return read

    def _products(self, name: str) -> tuple[str, ...]:
        """The products a combination's name lists, as written without its dose, or ().

        ``"Calcium Magnesium Zinc 1000 mg"`` is ``("Calcium", "Magnesium", "Zinc")``: known
        medicines, magnesium among them, longest first, with only doses and form, salt and
        :data:`LINK_WORDS` between; () for any other word (``"ZMA"``) or without magnesium.
        """
        words = _words(name)
        longest: dict[int, tuple[int, str]] = {}
        for i, j, canonical in self._spans([w for w, _, _ in words], "medicine"):
            longest[i] = max(longest.get(i, (0, "")), (j, canonical))
        found, i = [], 0
        while i < len(words):
            if i in longest:
                j, canonical = longest[i]
                found.append((canonical, name[words[i][1]:words[j - 1][2]]))
                i = j
            elif words[i][0] in FORM_WORDS | SALT_WORDS | LINK_WORDS or _DOSE.match(words[i][0]):
                i += 1
            elif not _stripped("_".join(w for w, _, _ in words[i:])):   # a course ends it
                break
            else:
                return ()
        if len(found) < 2 or not self.magnesium & {canonical for canonical, _ in found}:
            return ()
        return tuple(written for _, written in found)

    def _spans(self, words: Sequence[str], kind: Kind) -> list[tuple[int, int, str]]:
        """Every run ``words[i:j]`` that is a known name, as ``(i, j, canonical)``."""
        table = self._table(kind)
        return [(i, j, table[key]) for i in range(len(words)) for j in range(i + 1, len(words) + 1)
                if (key := "_".join(words[i:j])) in table and key not in self.whole_only]

    def within(self, name: str, kind: Kind) -> tuple[str, ...]:
        """The known names written whole inside an unknown ``name``, in order, each once.

        ``"digoxin levothyroxine"`` holds both: each one's rules apply. A magnesium product
        inside another's name is that one (``magnesium`` in ``magnesium oxide``).
        """
        words = name_key(name).split("_")   # a dose's unit is no name (``300 mg``: not MG)
        spans = self._spans([w for i, w in enumerate(words)
                             if not (i and w.isalpha() and _DOSE.match(words[i - 1] + w))], kind)
        kept = [(i, canonical) for i, j, canonical in spans
                if not any(a <= i and j <= b and (a, b) != (i, j)
                           and {canonical, other} <= self.magnesium for a, b, other in spans)]
        return tuple(dict.fromkeys(canonical for _, canonical in sorted(kept)))

    def members(self, name: str, *, close: bool = False) -> tuple[str, ...]:
        """The members of the class ``name`` names, else (); ``close``: or is within a typo of."""
        key = name_key(name)
        found = self.classes.get(key) or self.classes.get(_stripped(key), ())
        if found or not close:
            return found
        near = self.class_named(name)
        return self.classes[near] if near else ()

    def class_named(self, name: str) -> str | None:
        """The class key ``name`` is within a typo of, for a "did you mean" (or None)."""
        return closest_typo(name_key(name), self.classes)

    def suggest(self, name: str, kind: Kind) -> str | None:
        """The closest known name (for a "did you mean"), or None.

        Never the opposite state (:func:`_opposite`: "hypermagnesemia" was "did you mean
        'hypomagnesemia'?"); for a name with magnesium in it only names with it ("magnesium
        chloride" was "'chlortalidone'?"), for a medicine only magnesium products' (never one
        for the skin). A medicine's only within a typo (:func:`closest_typo`): "clarithromycin"
        was "did you mean 'achromycin'?" (a GP's audit). A condition's keeps the stage written
        (:func:`_stage_kept`).
        """
        key = name_key(name)
        table = self._table(kind)
        options = [option for option in table if not _opposite(key, option)
                   and (MAGNESIUM not in key.split("_") or (table[option] in self.magnesium
                        if kind == "medicine" else MAGNESIUM in option.split("_")))]
        if kind == "medicine":
            return closest_typo(_stripped(key) or key, options) or closest_typo(key, options)
        close = difflib.get_close_matches(_stripped(key) or key, options, n=1, cutoff=0.75) \
            or difflib.get_close_matches(key, options, n=1, cutoff=0.75)
        return _stage_kept(key, close[0], table) if close else None


_OTHER: dict[Kind, Kind] = {"condition": "medicine", "medicine": "condition"}


def unknown_message(name: str, kind: Kind, index: NameIndex, *, accepted: bool = False) -> str:
    """Why ``name`` was not recognised, with the closest known name if there is one.

    A class of medicines is answered with its members, a medicine listed as a condition (or the
    other way) with its key. ``accepted`` (``--allow-unknown``): a near miss's rules may apply.
    """
    unchecked = ("so it is NOT CHECKED as written (the advice says whether a known name's "
                 "rules were applied for it)" if accepted
                 else "so no safety rule could be checked for it")
    other = _OTHER[kind]
    if index.match(name, other) is not None:
        key = "medications" if other == "medicine" else "conditions"
        return (f"{name!r} is a {other}, not a {kind}: list it under {key}, where its safety "
                f"rules apply")
    members = index.members(name) if kind == "medicine" else ()
    near = index.class_named(name) if kind == "medicine" and not members else None
    if near is not None and index.suggest(name, kind) is None:
        return (f"unknown medicine {name!r} (did you mean the class {spoken(near)!r}? give the "
                f"medicine you take, for its own rules: of that class mgsleep knows "
                f"{listed(index.classes[near], 'or')}): it is not in mgsleep's safety data, "
                f"{unchecked}")
    if members:
        return (f"{name!r} is a class of medicines, not one medicine: give the one you take, "
                f"for its own rules (of this class mgsleep knows {listed(members, 'or')}), "
                f"or ask a pharmacist which it is")
    inside = index.within(name, kind)
    close = index.suggest(name, kind)
    if (close is not None and index.match(close, kind) in index.magnesium
            and difflib.SequenceMatcher(None, name_key(name), close).ratio() >= WHOLE_TYPO):
        inside = tuple(n for n in inside if n not in index.magnesium)
    if inside and (len(inside) > 1 or close is None or index.match(close, kind) not in inside):
        hint = names_hint(listed(inside, "and"), len(inside), bool(index.magnesium & {*inside}))
    else:
        hint = f" (did you mean {spoken(close)!r}?)" if close else amount_hint(name, kind)
    return f"unknown {kind} {name!r}{hint}: it is not in mgsleep's safety data, {unchecked}"


def unknown_fix(name: str, kind: Kind, index: NameIndex) -> str:
    """What to do about an unknown ``name``, said after :func:`unknown_message`."""
    if index.match(name, _OTHER[kind]) is not None:    # under the other key: move it
        return (f"accepted where it is with {ALLOW_UNKNOWN}, it would be NOT CHECKED as "
                f"written (its rules would still apply)")
    if kind == "medicine" and index.members(name):
        return f"accept it knowingly with {ALLOW_UNKNOWN} (the rules of each of them then apply)"
    return f"check the spelling, or accept it knowingly with {ALLOW_UNKNOWN}"
