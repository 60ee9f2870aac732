"""Checks of a priors directory that span entries, tables or files, as faults.

What one table's schema cannot see (:mod:`model.evidence.schema`):

- an id used by two entries (in any file, on any outcomes) or listed twice under one
  table's ``[[excluded]]``, an entry that cannot be put on its outcome's model scale;
- an entry encoded as a study and also listed under ``[[excluded]]`` in the same table (read
  and deliberately not encoded, e.g. "encoded once, as the SMD"): it would count although the
  file says it does not;
- one result encoded twice under two ids: the same citation or DOI (or PMID, PMC id) and the
  same design and n, or the same numbers, on the same outcome, in the evidence one prior
  draws on (the class, the form's group, the form). This is an error, not a warning: the pool
  would take the two as independent and count the result twice, and the file has the place
  for the second report, ``[[excluded]]``; two comparisons of one study (dose arms) say so in
  ``design`` and give their own ``dose_mg``;
- a form file labelled ``evidence_level = "rct"`` without a trial or meta-analysis entry;
- certainty discounts out of order in ``settings.toml``: a lower certainty may not count more
  than a higher one in any of ``power``, ``shrink`` (no higher) and ``floor_smd`` (no lower),
  nor exactly as much (the grades would mean nothing).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

from model.core.errors import Fault
from model.core.forms import FORMS
from model.evidence.schema import (
    CERTAINTIES,
    EvidenceFile,
    Excluded,
    GroupsFile,
    Settings,
    Study,
)
from model.evidence.synthesis import ConversionError, convert

_SOURCE_IDS = re.compile(r"10\.\d{4,9}/[^\s;,]+|pmid:?\s*\d+|pmc\d+", re.IGNORECASE)
"""A DOI, PMID or PMC id in a citation or source."""


@dataclass(frozen=True)
class Listing:
    """The entries of one table: ``class.toml``, a form file or one group of ``groups.toml``.

    ``file`` is how a fault names it (a group: ``.../groups.toml group osmotic``).
    """

    file: str
    studies: tuple[Study, ...] = ()
    excluded: tuple[Excluded, ...] = ()

    def entries(self) -> Iterator[tuple[str, Study]]:
        """Each study with its key, as faults name it (``studies[2 id=X]``)."""
        for index, study in enumerate(self.studies, start=1):
            yield f"studies[{index} id={study.id}]", study


def listings(directory: Path, class_file: EvidenceFile | None,
             form_files: dict[str, EvidenceFile], groups: GroupsFile | None
             ) -> tuple[Listing, dict[str, Listing], dict[str, Listing]]:
    """The tables of a directory: class, ``form -> Listing`` and ``group name -> Listing``."""
    top = Listing(str(directory / "class.toml"), *((class_file.studies, class_file.excluded)
                                                   if class_file else ()))
    forms = {form: Listing(str(directory / "forms" / f"{form}.toml"), f.studies, f.excluded)
             for form, f in form_files.items()}
    by_group = {g.name: Listing(f"{directory / 'groups.toml'} group {g.name}", g.studies,
                                g.excluded) for g in (groups.groups if groups else ())}
    return top, forms, by_group


def entry_faults(tables: list[Listing], settings: Settings | None) -> list[Fault]:
    """Duplicate ids across tables, excluded ids encoded, entries that cannot be converted."""
    faults: list[Fault] = []
    seen: dict[str, str] = {}
    for table in tables:
        excluded: dict[str, tuple[int, Excluded]] = {}
        for index, entry in enumerate(table.excluded, start=1):
            if entry.id in excluded:
                faults.append(Fault(table.file, f"key excluded[{index} id={entry.id}]", (
                    f"duplicate: {entry.id!r} is already listed as excluded"
                    f"[{excluded[entry.id][0]} id={entry.id}]; list a source once")))
            excluded.setdefault(entry.id, (index, entry))
        for key, study in table.entries():
            previous = seen.get(study.id)
            if previous is not None:
                faults.append(Fault(table.file, f"key {key}", f"duplicate id: {study.id!r} is "
                                    f"already used by {previous}; an id names one entry "
                                    f"(give each outcome its own: {study.id}_"
                                    f"{study.outcome.upper()})"))
            seen.setdefault(study.id, f"{table.file} {key} (outcome {study.outcome!r})")
            if study.id in excluded:
                index, entry = excluded[study.id]
                faults.append(Fault(table.file, f"key {key}", (
                    f"{study.id!r} is also listed under excluded[{index} id={entry.id}] "
                    f"({entry.reason!r}): an entry is either encoded or read and not "
                    "encoded; remove one of the two")))
            if settings is not None:
                try:
                    convert(study, settings, table.file)
                except ConversionError as error:
                    faults.append(Fault(table.file, f"key {key}", str(error)))
    return faults


def _words(text: str) -> str:
    return " ".join(text.split()).casefold()


def _sources(study: Study) -> set[str]:
    """What identifies the report an entry comes from: its citation, DOIs, PMIDs, PMC ids."""
    found = _SOURCE_IDS.findall(f"{study.citation} {study.source}")
    return {re.sub(r"[\s:]", "", m).casefold().rstrip(".)") for m in found} | {
        _words(study.citation)}


def _numbers(study: Study) -> tuple[object, ...]:
    """The result an entry encodes: its dose, measure and numbers, whatever its words say."""
    return (study.dose_mg, study.measure, study.effect, study.se, study.p, study.events,
            study.direction)


def same_result_faults(top: Listing, forms: dict[str, Listing], by_group: dict[str, Listing],
                       groups: GroupsFile | None) -> list[Fault]:
    """Results encoded twice in the evidence of one prior (class, the form's group, the form).

    Two entries are one result when they share the outcome, the citation or a DOI, PMID or
    PMC id, and either the design (ignoring case and spacing) and n or the numbers (dose,
    measure, effect, se, p, events: a copy whose design was reworded or n changed). Each
    pair is reported once, on the later entry, naming both ids.
    """
    faults: list[Fault] = []
    reported: set[tuple[str, str]] = set()
    for form in FORMS:
        group = groups.group_of(form) if groups else None
        chain = [top, *([by_group[group.name]] if group and group.name in by_group else []),
                 *([forms[form]] if form in forms else [])]
        entries = [(table.file, key, study, _sources(study)) for table in chain
                   for key, study in table.entries()]
        for later, (file, key, study, sources) in enumerate(entries):
            for first_file, first_key, first, first_sources in entries[:later]:
                pair = (f"{first_file} {first_key}", f"{file} {key}")
                if (first.id == study.id or pair in reported or first.outcome != study.outcome
                        or not first_sources & sources
                        or ((_words(first.design), first.n) != (_words(study.design), study.n)
                            and _numbers(first) != _numbers(study))):
                    continue
                reported.add(pair)
                where = first_key if first_file == file else f"{first_key} of {first_file}"
                faults.append(Fault(file, f"key {key}", (
                    f"the same result as {first.id!r} ({where}): the same citation or DOI "
                    f"and the same design and n, or the same numbers, on outcome "
                    f"{study.outcome!r}, so it would count twice; "
                    "encode it once and list the other under [[excluded]] (two arms or doses "
                    "of one study: say which in `design`)")))
    return faults


def level_faults(forms: dict[str, Listing], levels: dict[str, str]) -> list[Fault]:
    """A form file labelled ``evidence_level = "rct"`` without a trial or meta-analysis.

    (A population fit written back counts as one.) The level sets how far the form may
    deviate from the class (``settings.toml`` ``[form_deviation]``: ``rct`` a third of
    ``preclinical``), so a label the file's own entries do not bear out would narrow its
    priors with no evidence.
    """
    return [Fault(listing.file, "key evidence_level", "'rct' needs at least one entry of kind "
                  "'trial' or 'meta-analysis' in this file; give the level its entries show")
            for form, listing in forms.items() if levels.get(form) == "rct"
            and not any(s.kind in ("trial", "meta-analysis", "population")
                        for s in listing.studies)]


def discount_order_faults(settings: Settings, file: str) -> list[Fault]:
    """Certainty discounts that let a lower certainty count more than (or as much as) a higher.

    Parameters
    ----------
    settings : Settings
        The parsed ``settings.toml``.
    file : str
        Its path, named in each fault.

    Returns
    -------
    list of Fault
        Empty when ``power`` and ``shrink`` never rise and ``floor_smd`` never falls as the
        certainty falls, and each grade differs from the one above.

    """
    faults: list[Fault] = []
    grades = sorted(settings.certainty.items(), key=lambda item: CERTAINTIES.index(item[0]))
    for (higher, above), (lower, below) in pairwise(grades):
        for name, direction in (("power", 1), ("shrink", 1), ("floor_smd", -1)):
            mine, theirs = getattr(below, name), getattr(above, name)
            if direction * (mine - theirs) > 0:
                faults.append(Fault(file, f"key certainty.{lower}.{name}", (
                    f"{mine:g} gives {lower!r} evidence more weight than {higher!r} "
                    f"({theirs:g}); {name} must {'not rise' if direction > 0 else 'not fall'} "
                    "as the certainty falls")))
        if above == below:
            faults.append(Fault(file, f"key certainty.{lower}", (
                f"the same power, shrink and floor_smd as {higher!r}: {lower!r} evidence would "
                "count as much; a lower certainty must count less")))
    return faults
