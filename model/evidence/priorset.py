"""The evidence base as a :class:`PriorSet`: load, validate, derive, explain, override.

>>> from model.evidence.priorset import load_priors
>>> priors = load_priors()                      # the bundled priors/ directory
>>> priors.table().loc[("glycinate", "quality")]["basis"]
'direct'
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from numbers import Real
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from model.core.errors import Fault, InputError, PriorsError
from model.core.forms import FORMS, Compound, canonical_form, load_compounds, missing_defaults
from model.core.intervals import normal_interval
from model.core.outcomes import OUTCOMES, SLEEP_OUTCOMES
from model.core.paths import default_priors_dir
from model.evidence.chain import chain
from model.evidence.checks import (
    discount_order_faults,
    entry_faults,
    level_faults,
    listings,
    population_faults,
    same_result_faults,
)
from model.evidence.floor import gut_shift_faults, loosened
from model.evidence.reading import unknown_name
from model.evidence.schema import (
    EvidenceFile,
    GroupsFile,
    Safety,
    Settings,
    form_name_hint,
    parse_file,
    raise_if,
)
from model.evidence.synthesis import Synthesis, synthesize
from model.evidence.unfinished import settle

if TYPE_CHECKING:  # pandas and xarray load only where a DataFrame or DataArray is returned
    import pandas as pd
    import xarray as xr

TABLE_COLUMNS = ("scale", "mean", "sd", "ci_low", "ci_high", "certainty", "basis", "sources")
"""The columns of :meth:`PriorSet.table` and :meth:`PriorSet.rows` after the form and outcome."""


@dataclass(frozen=True)
class PriorEntry:
    """The prior of the population effect of one form on one outcome (model scale).

    ``basis`` says where it comes from: ``direct`` (the form's own human evidence), ``expert``
    (only mechanistic, preclinical or marketing claims for this form), ``group`` (the form's
    chemical group), ``class`` (borrowed from all forms), ``reference`` (no evidence at all: the
    no-effect reference prior), ``pooled`` (a population fit written back) or ``override`` (set
    by a researcher, the reason in ``note``). ``certainty`` is the grade of the evidence the
    basis names (:func:`~model.evidence.synthesis.certainty_label`); an override keeps the
    label of the prior it replaced.
    """

    form: str
    outcome: str
    scale: str
    mean: float
    sd: float
    certainty: str
    basis: str
    sources: tuple[str, ...]
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The ``priors`` JSON record (the README's "JSON outputs")."""
        return {"form": self.form, "outcome": self.outcome, "scale": self.scale,
                "mean": self.mean, "sd": self.sd, "certainty": self.certainty,
                "basis": self.basis, "sources": list(self.sources)}


@dataclass(frozen=True)
class Evidence:
    """The parsed contents of a priors directory."""

    directory: Path
    settings: Settings
    safety: Safety
    class_file: EvidenceFile
    form_files: dict[str, EvidenceFile]
    compounds: tuple[Compound, ...]
    groups: GroupsFile


def _form_files(folder: Path) -> tuple[dict[str, EvidenceFile], list[Fault]]:
    """Every form's file in ``forms/``: one ``<form>.toml`` each, and nothing else.

    A form without a file, a file of another extension (``lactate.tml``) or scope (the
    schema's context) is a fault, not skipped: each would drop evidence without a word.
    Hidden files (``.DS_Store``, an editor's swap file) are left alone.
    """
    if not folder.is_dir():
        return {}, [Fault(str(folder), "", "directory missing: it holds one <form>.toml per "
                          f"form ({', '.join(FORMS)})")]
    faults: list[Fault] = []
    files: dict[str, EvidenceFile] = {}
    for path in sorted(p for p in folder.iterdir() if not p.name.startswith(".")):
        if path.suffix != ".toml" or not path.is_file():
            faults.append(Fault(str(path), "", "not a .toml file: forms/ holds one "
                                "<form>.toml per form; rename it or move it out"))
            continue
        parsed, found = parse_file(path, EvidenceFile, {"scope": "form"})
        faults += found
        if parsed is None or parsed.form is None:      # a form file has a form (its schema)
            continue
        if parsed.form in files:
            faults.append(Fault(str(path), "key form",
                                f"duplicate: another file already describes {parsed.form!r}"))
        elif path.stem != parsed.form:
            faults.append(Fault(str(path), "key form", f"form {parsed.form!r} does not match "
                                f"the file name; name the file {parsed.form}.toml"))
        else:
            files[parsed.form] = parsed
    faults += [Fault(str(folder / f"{form}.toml"), "", (
        f"file missing: every form needs one (form = \"{form}\", evidence_level = \"none\" "
        "and no [[studies]] says the form has no evidence)"))
        for form in FORMS if form not in files and not (folder / f"{form}.toml").exists()]
    return files, faults


def _load_evidence(directory: Path) -> Evidence:
    faults: list[Fault] = []
    settings, found = parse_file(directory / "settings.toml", Settings)
    faults += found
    if settings is not None:
        faults += discount_order_faults(settings, str(directory / "settings.toml"))
    safety, found = parse_file(directory / "safety.toml", Safety)
    faults += found
    if safety is not None:
        faults += loosened(safety, directory / "safety.toml")
    class_file, found = parse_file(directory / "class.toml", EvidenceFile, {"scope": "class"})
    faults += found
    form_files, found = _form_files(directory / "forms")
    faults += found
    groups, found = parse_file(directory / "groups.toml", GroupsFile) \
        if (directory / "groups.toml").exists() else (None, [Fault(
            str(directory / "groups.toml"), "", "file missing: it says which forms share a "
            "chemistry (write `groups = []` if none do)")])
    faults += found
    if groups is not None and safety is not None:
        faults += gut_shift_faults(safety, groups, directory / "groups.toml")
    top, forms, by_group = listings(directory, class_file, form_files, groups)
    faults += entry_faults([top, *forms.values(), *by_group.values()], settings)
    faults += same_result_faults(top, forms, by_group, groups)
    faults += population_faults(top, forms, by_group)
    faults += level_faults(forms, {f: file.evidence_level for f, file in form_files.items()})
    try:
        compounds = tuple(load_compounds(directory))
        faults += missing_defaults(compounds, directory / "elemental_fractions.csv")
    except PriorsError as error:
        faults += error.faults
        compounds = ()
    except FileNotFoundError:
        faults.append(Fault(str(directory / "elemental_fractions.csv"), "", "file missing"))
        compounds = ()
    raise_if(faults)
    assert settings is not None and safety is not None and class_file is not None
    assert groups is not None
    return Evidence(directory, settings, safety, class_file, form_files, compounds, groups)


@dataclass(frozen=True)
class PriorSet:
    """Priors for every form x outcome, traceable to their evidence.

    Build one with :func:`load_priors`. Views: :meth:`table` (pandas), :meth:`explain`,
    :meth:`means` / :meth:`sds` (xarray, dims ``form`` x ``outcome``), :meth:`to_pymc`.
    Variants: :meth:`with_override`, :meth:`with_certainty_weight`, :meth:`sceptical`.
    """

    evidence: Evidence
    entries: dict[tuple[str, str], PriorEntry]
    syntheses: dict[tuple[str, str], Synthesis] = field(repr=False)
    power_factor: float = 1.0
    shrink: float = 1.0
    """The factor :meth:`sceptical` has shrunk the benefit means by (1: not shrunk)."""

    @property
    def settings(self) -> Settings:
        """The synthesis settings (``settings.toml``)."""
        return self.evidence.settings

    @property
    def safety(self) -> Safety:
        """The hard rules (``safety.toml``)."""
        return self.evidence.safety

    def __getitem__(self, key: tuple[str, str]) -> PriorEntry:
        form, outcome = key
        known = canonical_form(form) or form
        if (known, outcome) not in self.entries:
            raise KeyError(f"no prior for form {form!r} and outcome {outcome!r}; forms: "
                           f"{', '.join(FORMS)}; outcomes: {', '.join(OUTCOMES)}")
        return self.entries[known, outcome]

    def rows(self) -> list[dict[str, Any]]:
        """The rows of :meth:`table` as plain dicts, without pandas.

        Returns
        -------
        list of dict
            One per form x outcome, in the order of :attr:`entries`: :meth:`PriorEntry.to_dict`
            with ``sources`` joined and the 90 % interval ``ci_low``, ``ci_high``.

        """
        return [e.to_dict() | {"sources": ", ".join(e.sources)} | dict(zip(
            ("ci_low", "ci_high"), normal_interval(e.mean, e.sd), strict=True))
            for e in self.entries.values()]

    def table(self) -> pd.DataFrame:
        """One row per form x outcome: scale, mean, sd, 90 % interval, certainty, basis."""
        import pandas as pd

        return pd.DataFrame(self.rows()).set_index(["form", "outcome"])[list(TABLE_COLUMNS)]

    def _grid(self, attribute: str) -> xr.DataArray:
        import xarray as xr

        values = np.array([[getattr(self.entries[f, o], attribute) for o in OUTCOMES]
                           for f in FORMS])
        return xr.DataArray(values, dims=("form", "outcome"),
                            coords={"form": list(FORMS), "outcome": list(OUTCOMES)},
                            name=attribute)

    def means(self) -> xr.DataArray:
        """Prior means, dims ``form`` x ``outcome`` (model scale, natural sign)."""
        return self._grid("mean")

    def sds(self) -> xr.DataArray:
        """Prior standard deviations, dims ``form`` x ``outcome``."""
        return self._grid("sd")

    def to_json(self) -> list[dict[str, Any]]:
        """The ``priors`` JSON (the README's "JSON outputs")."""
        return [e.to_dict() for e in self.entries.values()]

    def changes_from_files(self) -> tuple[list[PriorEntry], bool]:
        """What differs from the priors its directory's files give: entries, and the settings.

        The variants made in Python (:meth:`with_override`, :meth:`with_certainty_weight`,
        :meth:`sceptical`, :meth:`with_expectation_means`) change them, so that a result
        fitted under one must not say it rests on the files alone.
        """
        files = load_priors(self.evidence.directory)
        entries = [e for key, e in self.entries.items() if files.entries.get(key) != e]
        return entries, self.settings != files.settings

    def to_pymc(self) -> dict[tuple[str, str], Any]:
        """``pymc_extras.prior.Prior`` objects (Normal) for every form x outcome."""
        from pymc_extras.prior import Prior

        return {key: Prior("Normal", mu=e.mean, sigma=e.sd) for key, e in self.entries.items()}

    def with_override(self, form: str, outcome: str, *, mean: float | None = None,
                      sd: float | None = None, reason: str) -> PriorSet:
        """Return a copy with one prior set by hand (basis ``override``) and why.

        Parameters
        ----------
        form, outcome : str
            The prior to set (the form may be spelt as in a diary: ``bisglycinate``).
        mean, sd : float, optional
            Its new mean (finite) and sd (positive, finite); either left out is kept.
        reason : str
            Why (a source, "my meta-analysis"): kept as the entry's note and shown by
            :meth:`explain`. Required, and not blank.

        Raises
        ------
        PriorArgumentError
            A mean or sd that is not a finite number, an sd <= 0, a blank reason.
        InputError
            An unknown form or outcome (with the closest name).

        """
        form = self._known(form, outcome)
        entry = self[form, outcome]
        where = f"{form} x {outcome}"
        if not isinstance(reason, str) or not reason.strip():
            raise PriorArgumentError([Fault("<override>", where, "give the reason for the "
                                            "override (a source, 'my meta-analysis'), got "
                                            f"{reason!r}")])
        new = dataclasses.replace(
            entry, basis="override", note=reason, sources=(),
            mean=entry.mean if mean is None else checked_number(mean, "mean", "<override>",
                                                                 where),
            sd=entry.sd if sd is None else checked_number(sd, "sd", "<override>", where,
                                                          positive=True))
        return dataclasses.replace(self, entries=self.entries | {(form, outcome): new})

    def with_certainty_weight(self, factor: float) -> PriorSet:
        """Re-derive every prior with each certainty's power-prior weight times ``factor``.

        A prior set by hand (:meth:`with_override`) is kept as it is. It composes with the
        variants before it: the weights multiply (``with_certainty_weight(2)`` twice is 4),
        and a :meth:`sceptical` shrink is applied again to the re-derived means (it was
        dropped, and ``sceptical(0.5).with_certainty_weight(2)`` was not sceptical).

        Raises
        ------
        PriorArgumentError
            When ``factor`` is not a positive, finite number.

        """
        weight = checked_number(factor, "the certainty weight", "<certainty weight>", "factor",
                                positive=True)
        derived = _derive(self.evidence, power_factor=self.power_factor * weight)
        kept = {k: e for k, e in self.entries.items() if e.basis == "override"}  # set by hand
        shrunk = derived if self.shrink == 1 else derived.sceptical(self.shrink)
        return dataclasses.replace(shrunk, entries=shrunk.entries | kept)

    def with_expectation_means(self, move: Callable[[float, float], float]) -> PriorSet:
        """The expectation effect's prior means, each replaced by ``move(mean, sd)``.

        ``[personal]`` of ``settings.toml`` (its shared mean and SD), and each sleep outcome of
        ``[personal.by_outcome]`` (its own mean and SD where given, else the shared ones).
        The prior-sensitivity check's larger expectation effect
        (:func:`model.analysis.sensitivity.alternative_prior`).
        """
        personal = self.settings.personal

        def moved(outcome: str) -> float:
            return move(personal.value("expectation_mean_smd", outcome),
                        personal.value("expectation_smd", outcome))

        own = {o: s.model_copy(update={"expectation_mean_smd": moved(o)})
               for o, s in personal.by_outcome.items()}
        shared = move(personal.expectation_mean_smd, personal.expectation_smd)
        settings = self.settings.model_copy(update={"personal": personal.model_copy(
            update={"expectation_mean_smd": shared, "by_outcome": own})})
        return dataclasses.replace(self, evidence=dataclasses.replace(self.evidence,
                                                                      settings=settings))

    def sceptical(self, shrink: float = 0.5) -> PriorSet:
        """Every benefit's prior mean shrunk toward no effect by ``shrink`` (sds kept).

        GI harm is kept as it is: halved, the "sceptical" check was more optimistic about
        loose stools (citrate's GI mean 0.412 became 0.206).

        Raises
        ------
        PriorArgumentError
            When ``shrink`` is not a number from 0 to 1 (2 would double every mean, -1 turn
            every benefit into harm).

        """
        factor = checked_number(shrink, "the shrink factor", "<sceptical>", "shrink")
        if not 0 <= factor <= 1:
            raise PriorArgumentError([Fault("<sceptical>", "shrink", "the shrink factor must "
                                            f"be from 0 to 1, got {shrink!r}")])
        said = f"sceptical: mean x {factor}"
        entries = {k: e if e.outcome not in SLEEP_OUTCOMES else dataclasses.replace(
            e, mean=e.mean * factor, note=f"{e.note}; {said}" if e.basis == "override" else said)
            for k, e in self.entries.items()}
        return dataclasses.replace(self, entries=entries, shrink=self.shrink * factor)

    @staticmethod
    def _known(form: str, outcome: str) -> str:
        """The canonical name of ``form`` (a diary's spelling), or an InputError with a hint."""
        known = canonical_form(form)
        name = known if known in FORMS else form
        faults = [Fault(f"{form}:{outcome}", "", message)
                  for message in (unknown_name("form", name, FORMS, form_name_hint),
                                  unknown_name("outcome", outcome, OUTCOMES)) if message]
        if faults:
            raise InputError(faults)
        return name

    def explain(self, form: str, outcome: str) -> str:
        """The chain from the studies to the prior of one form x outcome, in plain text.

        The form may be spelt as in a diary ("Magnesium Glycinate", "bisglycinate").

        Raises
        ------
        InputError
            When the form or the outcome is unknown (with the closest name, if any).

        """
        return chain(self, self._known(form, outcome), outcome)


class PriorArgumentError(PriorsError, ValueError):
    """An argument no prior can take (NaN, infinity, an sd <= 0, a blank reason).

    A :class:`~model.core.errors.PriorsError` (one line naming what and where) and a
    :class:`ValueError`, so either ``except`` catches it.
    """


def checked_number(value: object, name: str, file: str, where: str,
                   positive: bool = False) -> float:
    """``value`` as a float when it is a finite real number (and > 0 when ``positive``).

    Raises
    ------
    PriorArgumentError
        Naming ``file``, ``where`` and ``name`` otherwise (text, a bool, NaN, infinity).

    """
    number = float(value) if isinstance(value, Real) and not isinstance(value, bool) else None
    if number is None or not math.isfinite(number) or (positive and number <= 0):
        wanted = "a positive, finite number" if positive else "a finite number"
        raise PriorArgumentError([Fault(file, where, f"{name} must be {wanted}, got {value!r}")])
    return number


def _derive(evidence: Evidence, power_factor: float = 1.0) -> PriorSet:
    syntheses = synthesize(evidence.settings, evidence.class_file, evidence.form_files,
                           power_factor, evidence.groups)
    entries = {}
    for key, syn in syntheses.items():
        ids = tuple(c.study_id for c in syn.contributions)
        entries[key] = PriorEntry(syn.form, syn.outcome,
                                  evidence.settings.outcomes[syn.outcome].scale,
                                  syn.prior.mean, syn.prior.sd, syn.certainty, syn.basis, ids)
    return PriorSet(evidence, entries, syntheses, power_factor)


def load_priors(directory: str | Path | None = None) -> PriorSet:
    """Load, validate and derive the priors of a directory (default: the bundled one).

    A write-back into the directory that a killed process left half-done is finished first
    (:func:`~model.evidence.unfinished.settle`), so a mix of old and new files is never read.

    Raises
    ------
    PriorsError
        Every fault found, each naming the file and the key.
    """
    path = Path(directory) if directory is not None else default_priors_dir()
    if not path.is_dir():
        raise PriorsError([Fault(str(path), "", "not a directory of priors")])
    settle(path)
    return _derive(_load_evidence(path))
