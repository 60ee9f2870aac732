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
is read as those names, each matched on its own (:meth:`NameIndex.split`, separators
:data:`SEPARATOR`): joined into one key it would be unknown, or be taken for one of them.

A name that still matches nothing is *unknown*: :meth:`NameIndex.suggest` offers the closest
known name for a "did you mean", unless the name holds known names whole
(:meth:`NameIndex.within`: ``"CKD G3b-G4"`` holds a stage-3 name and ``ckd``), which are then
named instead: the closest alone may be the milder one. Nothing is matched by similarity
alone: a near miss such as ``levothyroxin`` stays unknown, so that a typo is shown to the
person, never guessed.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Literal

from model.evidence.schema import Safety

Kind = Literal["condition", "medicine"]

SALT_WORDS = frozenset({
    "sodium", "disodium", "monosodium", "potassium", "calcium", "magnesium", "hydrochloride",
    "hcl", "hydrobromide", "hyclate", "monohydrate", "dihydrate", "trihydrate", "hemihydrate",
    "sesquihydrate", "anhydrous", "mesylate", "maleate", "besylate", "tartrate", "succinate",
    "fumarate", "gluconate", "sulfate", "sulphate", "phosphate", "acetate", "bromide",
    "pentahydrate", "lactate", "enacarbil"})
"""Salt and hydrate words dropped from a medicine name (``levothyroxine sodium``)."""

FORM_WORDS = frozenset({
    "tablet", "tablets", "tab", "tabs", "capsule", "capsules", "cap", "caps", "oral",
    "solution", "suspension", "liquid", "xr", "er", "sr", "mr", "cr", "la", "dr", "xl",
    "retard", "extended", "modified", "delayed", "release", "mg", "mcg", "ug", "g", "iu", "ml",
    "mgs", "mcgs", "milligram", "milligrams", "microgram", "micrograms",
    "daily", "once", "twice", "bid", "tid", "qid", "qd", "od", "qhs", "hs", "prn", "per", "day",
    "week", "weekly", "nightly", "morning", "evening", "night"})
"""Dosage-form, release, unit and frequency words dropped from a medicine name (``cipro xr
500 mg``, ``alendronate 70 mg weekly``, ``levothyroxine 50 micrograms``)."""

_DOSE = re.compile(r"^\d+(\.\d+)?(mg|mcg|ug|g|iu|ml)?$")

SEPARATOR = re.compile(r"\s*(?:[;+&]|\band\b|(?<!\d)[,/]|[,/](?!\d))\s*", re.IGNORECASE)
"""What separates several names written in one entry: ``,`` ``;`` ``/`` ``+`` ``&`` or the
word ``and`` (a ``,`` or ``/`` between two digits is part of a dose: ``1,000 mg``, ``1/2``)."""


def name_key(name: str) -> str:
    """Reduce a name to its lookup key: lower case, words joined by ``_`` (``AV-block``)."""
    return "_".join(re.findall(r"[a-z0-9]+", name.lower()))


def _stripped(key: str) -> str:
    words = [w for w in key.split("_")
             if w not in SALT_WORDS and w not in FORM_WORDS and not _DOSE.match(w)]
    return "_".join(words)


@dataclass(frozen=True)
class NameIndex:
    """Every known name of a condition or medicine, with the canonical name it stands for.

    Build one with :meth:`of`. ``conditions`` and ``medicines`` map a key (see
    :func:`name_key`) to a canonical name of ``safety.toml``.
    """

    conditions: dict[str, str]
    medicines: dict[str, str]

    @classmethod
    def of(cls, safety: Safety) -> NameIndex:
        """The index of a safety file: rule names, recognised names and synonyms."""
        conditions = {name_key(c.condition): c.condition
                      for c in (*safety.contraindications, *safety.cautions) if c.condition}
        conditions |= {name_key(n): n for n in safety.recognised.conditions}
        medicines = {name_key(m): m for group in safety.interactions for m in group.medications}
        for entry in safety.synonyms:
            table = conditions if entry.kind == "condition" else medicines
            table |= {name_key(alias): entry.name for alias in (entry.name, *entry.aliases)}
        return cls(conditions, medicines)

    def _table(self, kind: Kind) -> dict[str, str]:
        return self.conditions if kind == "condition" else self.medicines

    def match(self, name: str, kind: Kind) -> str | None:
        """The canonical name ``name`` stands for, or None when it is unknown."""
        table = self._table(kind)
        key = name_key(name)
        found = table.get(key)
        if found is None and kind == "medicine":
            found = table.get(_stripped(key))
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
            or holds no :data:`SEPARATOR`; else its parts, a medicine's part that is only a
            dose or a form (``"125 mcg"``) kept with the name before it.

        """
        if self.match(entry, kind) is not None:
            return (entry,)
        parts: list[str] = []
        for part in SEPARATOR.split(entry):
            if not name_key(part):
                continue
            if parts and kind == "medicine" and not _stripped(name_key(part)):
                parts[-1] = f"{parts[-1]} {part}"
            else:
                parts.append(part)
        return tuple(parts) or (entry,)

    def within(self, name: str, kind: Kind) -> tuple[str, ...]:
        """The known names written whole inside an unknown ``name``, in order, each once.

        ``"digoxin levothyroxine"`` (two medicines without a separator) holds ``digoxin`` and
        ``levothyroxine``: each one's rules must apply, not only those of the name it is
        closest to as a whole.
        """
        key = f"_{name_key(name)}_"
        found = sorted((key.find(f"_{alias}_"), canonical)
                       for alias, canonical in self._table(kind).items()
                       if f"_{alias}_" in key)
        return tuple(dict.fromkeys(canonical for _, canonical in found))

    def suggest(self, name: str, kind: Kind) -> str | None:
        """The closest known name (for a "did you mean"), or None."""
        key = name_key(name)
        options = list(self._table(kind))
        close = difflib.get_close_matches(_stripped(key) or key, options, n=1, cutoff=0.75) \
            or difflib.get_close_matches(key, options, n=1, cutoff=0.75)
        return close[0] if close else None


def unknown_message(name: str, kind: Kind, index: NameIndex) -> str:
    """Why ``name`` was not recognised, with the closest known name if there is one."""
    inside = index.within(name, kind)
    close = index.suggest(name, kind)
    if inside and (len(inside) > 1 or close is None or index.match(close, kind) not in inside):
        hint = (f" (it names {' and '.join(map(repr, inside))}: give "
                + ("those that apply, each" if len(inside) > 1 else "that name") + " on its own)")
    else:
        hint = f" (did you mean {close!r}?)" if close else ""
    return (f"unknown {kind} {name!r}{hint}: it is not in mgsleep's safety data, so no "
            f"safety rule could be checked for it")


def unknown_warning(name: str, kind: Kind, taken_as: tuple[str, ...] = ()) -> str:
    """The warning shown when an unknown name was accepted with ``--allow-unknown``.

    ``taken_as``: the known names it was taken as (a near miss), whose rules do apply.
    """
    if taken_as:
        return (f"NOT CHECKED: the {kind} {name!r} is not in mgsleep's safety data; it was "
                f"taken as {' and '.join(map(repr, taken_as))}, whose rules apply, but no "
                f"rule was checked for the name as written. Ask a pharmacist or clinician "
                f"whether that is what you take.")
    return (f"NOT CHECKED: the {kind} {name!r} is not in mgsleep's safety data; no "
            f"contraindication or interaction rule was checked for it. Ask a pharmacist or "
            f"clinician before taking magnesium with it.")
