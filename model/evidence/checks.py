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
  for the second report, ``[[excluded]]``; so is a second measure of one comparison (the
  same source, n and dose); two comparisons of one study (dose arms) say so in ``design``
  and give their own ``dose_mg``;
- a population posterior outside a form file, or two on one form and outcome;
- a form file labelled ``evidence_level = "rct"`` without a trial or meta-analysis entry;
- certainty discounts out of order in ``settings.toml``: a lower certainty may not count more
  than a higher one in any of ``power``, ``shrink`` (no higher) and ``floor_smd`` (no lower),
  nor exactly as much (the grades would mean nothing); form-deviation factors that narrow as
  the kind of evidence weakens (``rct`` to ``none``).
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


def _one_result(first: Study, later: Study) -> bool:
    """Whether two entries of one outcome and source encode one result.

    The same design (ignoring case and spacing) and n; the same n (given) and daily dose (a
    second outcome measure of one comparison: its participants would count twice; two arms
    of one study give their own ``dose_mg``); or the same numbers (a copy whose design was
    reworded or n changed).
    """
    return ((_words(first.design), first.n) == (_words(later.design), later.n)
            or (first.n is not None and (first.n, first.dose_mg) == (later.n, later.dose_mg))
            or _numbers(first) == _numbers(later))


def same_result_faults(top: Listing, forms: dict[str, Listing], by_group: dict[str, Listing],
                       groups: GroupsFile | None) -> list[Fault]:
    """Results encoded twice in the evidence of one prior (class, the form's group, the form).

    Two entries are one result when they share the outcome, the citation or a DOI, PMID or
    PMC id, and :func:`_one_result` holds: the same design and n, the same n and dose, or
    the same numbers (dose, measure, effect, se, p, events). Each pair is reported once, on
    the later entry, naming both ids.
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
                        or not first_sources & sources or not _one_result(first, study)):
                    continue
                reported.add(pair)
                where = first_key if first_file == file else f"{first_key} of {first_file}"
                faults.append(Fault(file, f"key {key}", (
                    f"the same result as {first.id!r} ({where}): the same citation or DOI "
                    f"and the same design and n, the same n and dose, or the same numbers, "
                    f"on outcome "
                    f"{study.outcome!r}, so it would count twice; "
                    "encode it once and list the other under [[excluded]] (two arms of one "
                    "study: say which in `design`, each with its own `dose_mg`)")))
    return faults


def population_faults(top: Listing, forms: dict[str, Listing],
                      by_group: dict[str, Listing]) -> list[Fault]:
    """Population posteriors (kind ``population``) where none can be the prior as it is.

    A posterior written back (:mod:`model.population.writeback`) is one form's prior on one
    outcome, the evidence it started from inside it: in ``class.toml`` or a group it would be
    discounted and pooled with other forms' evidence, and a second one on the same form and
    outcome (another fit, or the same one twice) holds the same persons' and priors'
    evidence again, so neither can be combined with the first. The form's other entries are
    (:func:`model.evidence.synthesis.synthesize`): evidence the fit did not see.
    """
    faults = [Fault(table.file, f"key {key}", (
        f"a population posterior (kind 'population') is one form's prior: it belongs in "
        f"forms/<form>.toml, not in {'class.toml' if table is top else 'a group'}"))
        for table in (top, *by_group.values()) for key, study in table.entries()
        if study.kind == "population"]
    for table in forms.values():
        first: dict[str, str] = {}
        for key, study in table.entries():
            if study.kind != "population":
                continue
            if study.outcome in first:
                faults.append(Fault(table.file, f"key {key}", (
                    f"a second population posterior on outcome {study.outcome!r} (the first: "
                    f"{first[study.outcome]}); each is the prior as it is, the evidence of its "
                    "fit inside it, so two cannot be combined: keep one and list the other "
                    "under [[excluded]]")))
            first.setdefault(study.outcome, key)
    return faults


PUBLISHED_TRIAL_KINDS = ("trial", "meta-analysis")
"""Entry kinds of a trial read in the literature."""

TRIAL_KINDS = (*PUBLISHED_TRIAL_KINDS, "population")
"""Entry kinds that bear out a form's evidence level ``rct`` (a population fit written back
counts as a trial, though it leaves a lower level standing: the write-back keeps the file's
level)."""


def level_faults(forms: dict[str, Listing], levels: dict[str, str]) -> list[Fault]:
    """A form file whose ``evidence_level`` its own entries do not bear out.

    ``rct`` without a trial or meta-analysis, or ``none`` (no evidence) beside one. The level
    sets how far the form may deviate from the class (``settings.toml`` ``[form_deviation]``:
    ``rct`` a third of ``preclinical``), so a label the entries do not bear out would narrow
    its priors with no evidence, or say there is none beside a trial (``none`` on glycinate
    widened its sleep-onset prior from 0.267 to 0.405 without a word). A weaker kind beside a
    trial (``preclinical``, ``human_pk``) is the researcher's call: a trial of very low
    certainty need not narrow the form's deviation.
    """
    faults = []
    for form, listing in forms.items():
        level = levels.get(form)
        trials = [s.id for s in listing.studies if s.kind in TRIAL_KINDS]
        published = [s.id for s in listing.studies if s.kind in PUBLISHED_TRIAL_KINDS]
        if level == "rct" and not trials:
            faults.append(Fault(listing.file, "key evidence_level", "'rct' needs at least one "
                                "entry of kind 'trial' or 'meta-analysis' in this file; give "
                                "the level its entries show"))
        elif level == "none" and published:
            faults.append(Fault(listing.file, "key evidence_level", f"{level!r} beside the "
                                f"trial entries {', '.join(map(repr, published))} of this "
                                "file: give 'rct', the level its entries show"))
    return faults


def _out_of_order(file: str, key: str, ladder: list[tuple[str, float]], rising: bool,
                  says: str) -> list[Fault]:
    """Steps of ``ladder`` (strongest evidence first) that go the wrong way, as faults.

    Parameters
    ----------
    file : str
        The settings file, named in each fault.
    key : str
        The key of each value, ``{}`` standing for its step's name (``certainty.{}.power``).
    ladder : list of (str, float)
        Each step's name and value, from the strongest evidence to the weakest.
    rising : bool
        True when a value may only rise as the evidence weakens (a doubt), False when it may
        only fall (a weight).
    says : str
        What a wrong step does, after its value: a format string of ``{weaker}`` and
        ``{stronger}`` (the steps' names, quoted) and ``{theirs}`` (the stronger's value).

    Returns
    -------
    list of Fault
        One per step whose value lets weaker evidence count more than the step above it.

    """
    sign = 1 if rising else -1
    return [Fault(file, "key " + key.format(weaker), f"{mine:g} " + says.format(
        weaker=repr(weaker), stronger=repr(stronger), theirs=theirs))
        for (stronger, theirs), (weaker, mine) in pairwise(ladder)
        if sign * (mine - theirs) < 0]


def discount_order_faults(settings: Settings, file: str) -> list[Fault]:
    """Certainty discounts that let a lower certainty count more than (or as much as) a higher.

    Form-deviation factors (``[form_deviation]``) that let a weaker kind of evidence keep a
    form closer to the level above than a stronger kind does are faults too: the
    deviation must not narrow from ``rct`` to ``human_pk``, ``preclinical`` and ``none``.

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
        certainty falls, each grade differs from the one above, and the form-deviation
        factors never fall as the kind of evidence weakens.

    """
    grades = sorted(settings.certainty.items(), key=lambda item: CERTAINTIES.index(item[0]))
    faults = [fault for name, rising in (("power", False), ("shrink", False),
                                         ("floor_smd", True))
              for fault in _out_of_order(
                  file, f"certainty.{{}}.{name}", [(g, getattr(d, name)) for g, d in grades],
                  rising, "gives {weaker} evidence more weight than {stronger} ({theirs:g}); "
                  f"{name} must not {'fall' if rising else 'rise'} as the certainty falls")]
    deviation = settings.form_deviation
    faults += _out_of_order(
        file, "form_deviation.{}", [(level, getattr(deviation, level))
                                    for level in type(deviation).model_fields], True,
        "holds a form with {weaker} evidence closer to the level above than one with "
        "{stronger} ({theirs:g}); the factor must not fall as the evidence weakens (rct, "
        "human_pk, preclinical, none)")
    for (higher, above), (lower, below) in pairwise(grades):
        if above == below:
            faults.append(Fault(file, f"key certainty.{lower}", (
                f"the same power, shrink and floor_smd as {higher!r}: {lower!r} evidence would "
                "count as much; a lower certainty must count less")))
    return faults
