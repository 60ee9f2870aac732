"""Names of conditions and medicines as people write them, matched to the safety data.

A profile may say ``"CKD"``, ``"Synthroid 50 mcg"`` or ``"doxycycline hyclate"``; the rules of
``safety.toml`` speak of ``severe_renal_impairment``, ``levothyroxine`` and ``doxycycline``.
:class:`NameIndex` maps the first to the second through the ``[[synonyms]]`` table of
``safety.toml`` (generic names, common brands, salt forms, abbreviations, each with a source):

1. the name is reduced to a key: lower case, every run of non-letters and non-digits an ``_``;
2. the key is looked up among the canonical names and their synonyms;
3. failing that, salt words (``sodium``, ``hyclate``, ``hydrochloride``), release-form words
   (``xr``, ``tablets``) and doses (``50mcg``, ``100 mg``) are dropped and the rest looked up.

An entry of a profile list that is not a known name as a whole but lists several
(``"digoxin, levothyroxine"``, ``"digoxin + levothyroxine"``, ``"digoxin and levothyroxine"``)
is read as those names, each matched on its own (:meth:`NameIndex.split`, :data:`SEPARATOR`):
joined into one key it would be unknown, or be taken for one of them. A combination naming
magnesium without a separator (``"Calcium Magnesium Zinc 1000 mg"``) is read as each product,
its dose going with none (:data:`SALT_WORDS`). Magnesium for the skin or a bath (``magnesium
oil``, ``Epsom salt baths``) is recognised as itself, no magnesium by mouth. A class of
medicines (``bisphosphonates``) stays unknown; :meth:`NameIndex.members` names its members.

A name that still matches nothing is *unknown*: :meth:`NameIndex.suggest` offers the closest
known name for a "did you mean", unless the name holds known names whole
(:meth:`NameIndex.within`: ``"CKD G3b-G4"`` holds a stage-3 name and ``ckd``), which are then
named instead: the closest alone may be the milder one. Nothing is matched by similarity
alone: a near miss such as ``levothyroxin`` stays unknown, so that a typo is shown to the
person, never guessed.

An eGFR written among the conditions (``"CKD 3, eGFR 28"``) is a value, not a name: it is read
before the names (:func:`model.data.profile_entries.egfr_written`).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from model.evidence.schema import Safety

Kind = Literal["condition", "medicine"]

SALT_WORDS = frozenset({
    "sodium", "disodium", "monosodium", "potassium", "hydrochloride", "hcl", "hydrobromide",
    "hyclate", "monohydrate", "dihydrate", "trihydrate", "hemihydrate", "sesquihydrate",
    "anhydrous", "mesylate", "maleate", "besylate", "tartrate", "succinate", "fumarate",
    "gluconate", "sulfate", "sulphate", "phosphate", "acetate", "bromide", "pentahydrate",
    "lactate", "enacarbil"})
"""Salt and hydrate words dropped from a medicine name (``levothyroxine sodium``); not
``calcium`` or ``magnesium``, products of their own: ``"Zinc Magnesium"`` was read as zinc, and
``calcium acetate`` (a phosphate binder) would be calcium. ``calcium`` after a medicine's name
is dropped to find it, unless it is a magnesium product (``doxycycline calcium``:
:meth:`NameIndex.match`)."""

ORAL_WORDS = frozenset({"tablet", "tablets", "tab", "tabs", "capsule", "capsules", "cap", "caps",
                        "oral", "solution", "suspension", "liquid"})
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
    "monthly"})
"""Dosage-form, release, unit and frequency words dropped from a medicine name (``cipro xr
500 mg``, ``alendronate 70 mg weekly``, ``levothyroxine 50 micrograms``, ``Euthyrox 75µg
every morning``, ``... at bedtime``, ``... twice a week``, ``milk of magnesia as needed``)."""

LINK_WORDS = frozenset({"with", "plus"})
"""Words joining the products of a combination's name (``magnesium with vitamin B6``)."""

_DOSE = re.compile(r"^\d+(\.\d+)?(mg|mcg|ug|g|iu|ml)?$")

_STAGE = re.compile(r"^(stage_)?g?\d+[a-e]?$")
"""A condition's part that is only a stage (``4``, ``G4``, ``stage 4``): in ``CKD stage 3b/4``
it stands for ``CKD stage 4``."""

SEPARATOR = re.compile(r"\s*(?:[;+&]|\b(?:and|or)\b|(?<!\d)[,/]|[,/](?!\d))\s*",
                       re.IGNORECASE)
"""What separates several names written in one entry: ``,`` ``;`` ``/`` ``+`` ``&`` or the
words ``and`` and ``or`` (``"Rennie or Gaviscon"``: each may be taken); a ``,`` or ``/``
between two digits is part of a dose: ``1,000 mg``, ``1/2``."""

WHOLE_SLASH = re.compile(r"\b(?:n/a|mg/dl|ml/min|ml/s|[uµm]mol/l)\b", re.IGNORECASE)
"""Words with a ``/`` that no :data:`SEPARATOR` splits: ``N/A`` (:data:`NOTHING`) and units
(``creatinine 2.1 mg/dL``); ``"N/A; heart block"`` was the unknown names ``N`` and ``A``."""

NOTHING = frozenset({"none", "n_a", "na", "nil", "no", "nothing", "not_applicable", "null"})
"""Entries of a profile list that say it has none: ``medications = ["none"]`` was "'none' is a
condition, not a medicine", and ``"N/A"`` two unknown names, ``n`` and ``a``."""

_ROMAN_STAGES = {"i": "1", "ii": "2", "iii": "3", "iiia": "3a", "iiib": "3b", "iv": "4",
                 "v": "5", "vd": "5d"}
"""A stage in Roman numerals, after ``stage``, ``ckd`` or ``g`` (``CKD stage IIIb``)."""


def name_key(name: str) -> str:
    """Reduce a name to its lookup key: lower case, words joined by ``_`` (``AV-block``).

    A stage in Roman numerals becomes its number (``CKD stage IV`` is ``ckd_stage_4``): it
    was an unknown name whose closest known one was another stage.
    """
    words = re.findall(r"[a-z0-9]+", name.lower())
    return "_".join(_ROMAN_STAGES.get(word, word) if k and words[k - 1] in ("stage", "ckd", "g")
                    else word for k, word in enumerate(words))


MAGNESIUM = "magnesium"
"""The word of magnesium in a name: a "did you mean" for a name with it offers only names of
magnesium products (:meth:`NameIndex.suggest`)."""

WHOLE_TYPO = 0.85
"""How alike a name and a magnesium product's are when the one is a typo of the other: "did you
mean" then names it (``milk of magnesium``: ``milk of magnesia``), not ``magnesium`` inside."""

OPPOSITE_PREFIXES = (("hyper", "hypo"), ("hypo", "hyper"))
"""Prefixes of opposite states (too much, too little): a name with one is no typo of a name
with the other, however few letters apart."""


def _opposite(key: str, other: str) -> bool:
    """Whether two lookup keys name opposite states (``hypertension``, ``hypotension``)."""
    return any(key.startswith(a) and other.startswith(b) for a, b in OPPOSITE_PREFIXES)


def _stripped(key: str, salts: bool = True) -> str:
    """``key`` without its dose, frequency and (``salts``) salt words."""
    words = [w for w in key.split("_")
             if (w not in SALT_WORDS or not salts) and w not in FORM_WORDS and not _DOSE.match(w)]
    return "_".join(words)


def _skin_by_mouth(key: str, stripped: str) -> bool:
    """Whether ``stripped`` names a product for the skin only as ``key`` without an oral form."""
    return bool(SKIN_WORDS & set(stripped.split("_")) and ORAL_WORDS & set(key.split("_")))


def _words(text: str) -> list[tuple[str, int, int]]:
    """The words of ``text`` as :func:`name_key` reads them, each with its start and end."""
    places = list(re.finditer(r"[a-z0-9]+", text.lower()))
    keys = name_key(text).split("_") if places else []
    return [(key, m.start(), m.end()) for key, m in zip(keys, places, strict=True)]


def _has_dose(text: str) -> bool:
    """Whether ``text`` has a number (``500 mg``, ``1,000``)."""
    return any(w[:1].isdigit() and _DOSE.match(w) for w, _, _ in _words(text))


def _without_dose(text: str) -> str:
    """``text`` before its first number (``"Magnesium 500 mg"``: ``"Magnesium"``)."""
    start = next(s for w, s, _ in _words(text) if w[:1].isdigit() and _DOSE.match(w))
    return re.sub(r"[\W_]+$", "", text[:start]) or text


def _restaged(before: str, stage: str) -> str:
    """``before`` (``"CKD stage 3b"``) with its last stage replaced by ``stage`` (``"4"``).

    ``stage`` alone when ``before`` names no stage (nothing to borrow from).
    """
    words, new = name_key(before).split("_"), stage.split("_")
    at = [i for i, word in enumerate(words) if _STAGE.match(word)]
    if not at:
        return stage
    end = at[-1]
    start = end - 1 if new[0] == "stage" and end and words[end - 1] == "stage" else end
    return " ".join([*words[:start], *new, *words[end + 1:]])


@dataclass(frozen=True)
class NameIndex:
    """Every known name of a condition or medicine, with the canonical name it stands for.

    Build one with :meth:`of`. ``conditions`` and ``medicines`` map a key (see
    :func:`name_key`) to a canonical name of ``safety.toml``; ``classes`` the key of a class
    of medicines (``bisphosphonates``) to its members; ``magnesium`` names the magnesium
    products (of interactions of kind ``magnesium``).
    """

    conditions: dict[str, str]
    medicines: dict[str, str]
    classes: dict[str, tuple[str, ...]]
    magnesium: frozenset[str] = frozenset()

    @classmethod
    def of(cls, safety: Safety) -> NameIndex:
        """The index of a safety file: rule names, recognised names and synonyms."""
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
            for m in group.medications))

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

        ``"Calcium Magnesium Zinc 1000 mg"`` is ``("Calcium", "Magnesium", "Zinc")``: its words
        are known medicines, magnesium among them, taken longest first, with only doses and
        form, salt and :data:`LINK_WORDS` between. () when a word is none of these (``"ZMA"``)
        or no magnesium product is named: ``"digoxin levothyroxine"`` stays unknown, to be
        written as two entries.
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
            else:
                return ()
        if len(found) < 2 or not self.magnesium & {canonical for canonical, _ in found}:
            return ()
        return tuple(written for _, written in found)

    def _spans(self, words: Sequence[str], kind: Kind) -> list[tuple[int, int, str]]:
        """Every run ``words[i:j]`` that is a known name, as ``(i, j, canonical)``."""
        table = self._table(kind)
        return [(i, j, table[key]) for i in range(len(words)) for j in range(i + 1, len(words) + 1)
                if (key := "_".join(words[i:j])) in table]

    def within(self, name: str, kind: Kind) -> tuple[str, ...]:
        """The known names written whole inside an unknown ``name``, in order, each once.

        ``"digoxin levothyroxine"`` (two medicines without a separator) holds ``digoxin`` and
        ``levothyroxine``: each one's rules must apply, not only those of the name it is
        closest to as a whole. A magnesium product inside another's name is that one
        (``magnesium`` in ``magnesium oxide``), not a second name.
        """
        words = name_key(name).split("_")   # a dose's unit is no name (``300 mg``: not MG)
        spans = self._spans([w for i, w in enumerate(words)
                             if not (i and w.isalpha() and _DOSE.match(words[i - 1] + w))], kind)
        kept = [(i, canonical) for i, j, canonical in spans
                if not any(a <= i and j <= b and (a, b) != (i, j)
                           and {canonical, other} <= self.magnesium for a, b, other in spans)]
        return tuple(dict.fromkeys(canonical for _, canonical in sorted(kept)))

    def members(self, name: str, *, close: bool = False) -> tuple[str, ...]:
        """The medicines of the class ``name`` names (``"bisphosphonates"``), else ().

        ``close``: also of the class within a typo of it (``"flouroquinolones"``), as a
        near miss of a medicine is taken as that medicine under ``--allow-unknown``.
        """
        key = name_key(name)
        found = self.classes.get(key) or self.classes.get(_stripped(key), ())
        if found or not close:
            return found
        near = difflib.get_close_matches(key, list(self.classes), n=1, cutoff=0.75)
        return self.classes[near[0]] if near else ()

    def class_named(self, name: str) -> str | None:
        """The class key ``name`` is within a typo of, for a "did you mean" (or None)."""
        near = difflib.get_close_matches(name_key(name), list(self.classes), n=1, cutoff=0.75)
        return near[0] if near else None

    def suggest(self, name: str, kind: Kind) -> str | None:
        """The closest known name (for a "did you mean"), or None.

        Never the opposite state (:func:`_opposite`): "hypermagnesemia" was answered "did you
        mean 'hypomagnesemia'?", which magnesium treats, and "hyperthyroidism"
        "hypothyroidism" (a long-term user's audit). A name with magnesium in it is offered
        only names with magnesium in them: "magnesium chloride" was "did you mean
        'chlortalidone'?", a diuretic, and lost what it adds to the ceiling (a pharmacist's
        audit). For a medicine they are magnesium products' (``milk of magnesia`` for ``milk
        of magnesium``), never one for the skin (``magnesium oil`` has no rule).
        """
        key = name_key(name)
        table = self._table(kind)
        options = [option for option in table if not _opposite(key, option)
                   and (MAGNESIUM not in key.split("_") or (table[option] in self.magnesium
                        if kind == "medicine" else MAGNESIUM in option.split("_")))]
        close = difflib.get_close_matches(_stripped(key) or key, options, n=1, cutoff=0.75) \
            or difflib.get_close_matches(key, options, n=1, cutoff=0.75)
        return close[0] if close else None


def spoken(key: str) -> str:
    """A lookup key as a person writes it (``heart_block``: ``heart block``; the same key)."""
    return key.replace("_", " ")


def listed(names: Sequence[str], last: str, quoted: bool = True) -> str:
    """``'a', 'b' and 'c'``: the names as written (quoted), the last joined by ``last``."""
    shown = [repr(spoken(n)) if quoted else spoken(n) for n in names]
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} {last} {shown[-1]}"


def unknown_message(name: str, kind: Kind, index: NameIndex, *, accepted: bool = False) -> str:
    """Why ``name`` was not recognised, with the closest known name if there is one.

    A class of medicines (``bisphosphonates``) is answered with its members: which one it is
    decides the rule; a medicine listed as a condition (or the other way) with its key.
    ``accepted`` (with ``--allow-unknown``): the rules of a near miss may apply to it
    (:func:`model.decision.screening.near_misses`), so it is not said that none could.
    """
    unchecked = ("so it is NOT CHECKED as written (the advice says whether a known name's "
                 "rules were applied for it)" if accepted
                 else "so no safety rule could be checked for it")
    other = _other(kind)
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
        hint = (f" (it names {listed(inside, 'and')}: give "
                + ("those that apply, each" if len(inside) > 1 else "that name") + " on its own)")
    else:
        hint = f" (did you mean {spoken(close)!r}?)" if close else ""
    return f"unknown {kind} {name!r}{hint}: it is not in mgsleep's safety data, {unchecked}"


def _other(kind: Kind) -> Kind:
    return "medicine" if kind == "condition" else "condition"


def unknown_fix(name: str, kind: Kind, index: NameIndex) -> str:
    """What to do about an unknown ``name``, said after :func:`unknown_message`."""
    if index.match(name, _other(kind)) is not None:    # under the other key: move it
        return ("accepted where it is with --allow-unknown, it would be NOT CHECKED as written "
                "(its rules would still apply)")
    if kind == "medicine" and index.members(name):
        return "accept it knowingly with --allow-unknown (the rules of each of them then apply)"
    return "check the spelling, or accept it knowingly with --allow-unknown"


def unknown_warning(name: str, kind: Kind, taken_as: tuple[str, ...] = ()) -> str:
    """The warning shown when an unknown name was accepted with ``--allow-unknown``.

    ``taken_as``: the known names it was taken as (a near miss), whose rules do apply: a
    referral for ``CKD stage IV`` stood beside "no contraindication ... was checked for it".
    """
    if taken_as:
        what = "what you take" if kind == "medicine" else "the condition you have"
        return (f"NOT CHECKED: the {kind} {name!r} is not in mgsleep's safety data; it was "
                f"taken as {listed(taken_as, 'and')}, whose rules apply, but no "
                f"rule was checked for the name as written. Ask a pharmacist or clinician "
                f"whether that is {what}.")
    also = (", and whether it contains magnesium (an antacid, a laxative or another "
            "supplement may), which counts towards your daily limit" if kind == "medicine"
            else "")
    return (f"NOT CHECKED: the {kind} {name!r} is not in mgsleep's safety data; no "
            f"contraindication or interaction rule was checked for it. Ask a pharmacist or "
            f"clinician before taking magnesium with it{also}.")
