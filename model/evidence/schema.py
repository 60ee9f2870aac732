"""Schemas of the hand-edited files in ``priors/``, validated on load.

Unknown keys are rejected with a "did you mean" hint; impossible values (a number written as
text, a blank required text: :mod:`model.evidence.strict`) are rejected with the file and the
key named. All faults of a directory are collected and raised together. An evidence entry's
own schema is :mod:`model.evidence.entry` (re-exported here).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, ValidationInfo, model_validator

from model.core.forms import FORMS, FORMS_LISTED, canonical_form, unmodelled_compound
from model.core.outcomes import OUTCOMES, SPECS, VOCABULARY_KEYS
from model.evidence.entry import CERTAINTIES as CERTAINTIES  # re-exported: the entries' schema
from model.evidence.entry import EXPERT_KINDS as EXPERT_KINDS
from model.evidence.entry import Certainty as Certainty
from model.evidence.entry import Excluded as Excluded
from model.evidence.entry import Study as Study
from model.evidence.entry import lower_grade as lower_grade
from model.evidence.personal_settings import PersonalSettings
from model.evidence.reading import hint
from model.evidence.reading import parse_file as parse_file  # re-exported: the files' readers
from model.evidence.reading import raise_if as raise_if
from model.evidence.strict import Strict as _Strict
from model.evidence.strict import Text, listed

BASELINE_SCALES = ("log_ratio", "log_rate_ratio", "log_odds_ratio")
"""The scales whose outcome reads a ``baseline`` of ``settings.toml``: the log scales convert a
mean difference with it (:func:`model.evidence.synthesis.convert`), GI's log odds centre a
person's background rate on it (:mod:`model.personal.data`)."""


def form_name_hint(name: str) -> str:
    """Why ``name`` is none of the forms, for a fault: `` (did you mean 'malate'?)``.

    A compound of ``elemental_fractions.csv`` that is none of the forms (carbonate, sulfate)
    is said to be one, never taken for the closest form by spelling ("did you mean
    'threonate'?" for carbonate); an alias (``bisglycinate``) is answered by its form.
    """
    other = unmodelled_compound(name)
    if other is not None:
        return f" ({other} is none of the forms mgsleep models: it has no prior of its own)"
    known = canonical_form(name)
    return f" (did you mean {known!r}?)" if known in FORMS else hint(name, FORMS)


class CertaintyDiscount(_Strict):
    """How much an entry of one certainty grade counts (see ``settings.toml``)."""

    power: float = Field(gt=0, le=1)
    shrink: float = Field(ge=0, le=1)
    floor_smd: float = Field(ge=0)


class OutcomeSettings(_Strict):
    """One outcome's scale, conversion constants and minimal important difference."""

    label: Text
    diary_column: Text
    unit: Text
    scale: Literal["log_ratio", "log_rate_ratio", "logit_shift", "log_odds_ratio"]
    better: Literal["lower", "higher"]
    smd_sd: float = Field(gt=0)
    reference_sd: float = Field(gt=0)
    deviation_min_sd: float = Field(gt=0)
    baseline: float | None = Field(default=None, gt=0)
    mcid: float = Field(gt=0)
    mcid_source: Text

    @model_validator(mode="after")
    def _baseline_used(self) -> OutcomeSettings:
        """A ``baseline`` only where it is read (:data:`BASELINE_SCALES`), never ignored."""
        if self.baseline is not None and self.scale not in BASELINE_SCALES:
            raise ValueError(f"key baseline = {self.baseline:g} is not used on the "
                             f"{self.scale} scale of this outcome (a baseline converts 'md' "
                             "entries on the log scales and is GI's background rate): remove "
                             "it (it would be ignored)")
        return self


class FormDeviation(_Strict):
    """Form-deviation SD factors by the kind of human evidence a form has."""

    rct: float = Field(gt=0)
    human_pk: float = Field(gt=0)
    preclinical: float = Field(gt=0)
    none: float = Field(gt=0)


class Settings(_Strict):
    """Contents of ``settings.toml``."""

    schema_version: Literal[1]
    reference_dose_mg: float = Field(gt=0, le=2000)
    ed50_mg: float = Field(gt=0)
    pooling_method: Literal["REML", "DL"]
    max_abs_smd: float = Field(gt=0)
    certainty: dict[Certainty, CertaintyDiscount]
    form_deviation: FormDeviation
    group_deviation_smd: float = Field(gt=0)
    outcomes: dict[str, OutcomeSettings]
    personal: PersonalSettings

    @model_validator(mode="before")
    @classmethod
    def _vocabulary(cls, data: Any) -> Any:
        """Fill each outcome's vocabulary from the registry; a restated value must agree.

        An unknown outcome (a typo) is refused here, by name, before its keys are checked.
        """
        if not isinstance(data, dict) or not isinstance(data.get("outcomes"), dict):
            return data
        outcomes = {}
        for name, entry in data["outcomes"].items():
            if name not in SPECS:    # before its keys, which would be reported missing
                raise ValueError(f"key outcomes.{name}: unknown outcome {name!r}"
                                 f"{hint(name, OUTCOMES)}; expected {', '.join(OUTCOMES)}")
            if isinstance(entry, dict):
                entry = dict(entry)
                for key, field in VOCABULARY_KEYS.items():
                    known = getattr(SPECS[name], field)
                    if key in entry and entry[key] != known:
                        raise ValueError(f"outcomes.{name}.{key} = {entry[key]!r} disagrees with "
                                         f"the outcome registry ({known!r}); remove the key")
                    entry.setdefault(key, known)
            outcomes[name] = entry
        return {**data, "outcomes": outcomes}

    @model_validator(mode="after")
    def _complete(self) -> Settings:
        missing = [c for c in CERTAINTIES if c not in self.certainty]
        if missing:
            raise ValueError(f"certainty grades missing: {', '.join(missing)}")
        absent = [o for o in OUTCOMES if o not in self.outcomes]
        if absent:
            raise ValueError(f"outcomes missing: {', '.join(absent)}")
        return self



class EvidenceFile(_Strict):
    """A ``class.toml`` (scope = "class") or ``forms/<form>.toml`` file."""

    form: str | None = None
    scope: Literal["class", "form"] = "form"
    evidence_level: Literal["rct", "human_pk", "preclinical", "none"] = "none"
    notes: str = ""
    studies: tuple[Study, ...] = listed(())
    excluded: tuple[Excluded, ...] = listed(())

    @model_validator(mode="after")
    def _scope_keys(self, info: ValidationInfo) -> EvidenceFile:
        """The scope the file's place asks for (``context["scope"]``), and its keys.

        A form file states its ``evidence_level`` (it sets how far the form deviates); a class
        file has none (it would be ignored).
        """
        expected = (info.context or {}).get("scope", self.scope)
        if self.scope != expected:
            written = f"= {self.scope!r}" if "scope" in self.model_fields_set else "missing"
            raise ValueError(f"key scope {written}: " + (
                "a file in forms/ describes one form (scope = \"form\", the default, and "
                "form = \"<name>\")" if expected == "form" else "expected scope = \"class\""))
        stated = "evidence_level" in self.model_fields_set
        if not stated and self.scope == "form":
            raise ValueError("key evidence_level missing: a form file says the kind of human "
                             "evidence the form has (\"rct\", \"human_pk\", \"preclinical\" "
                             "or \"none\"); it sets how far the form may deviate from the class")
        if stated and self.scope == "class":
            raise ValueError("key evidence_level does not apply to scope = \"class\" (only a "
                             "form file has one)")
        return self

    @model_validator(mode="after")
    def _form_known(self) -> EvidenceFile:
        if self.scope == "class" and self.form is not None:
            raise ValueError(f"key form = {self.form!r} does not apply to scope = \"class\" "
                             "(the class file describes all forms)")
        if self.scope == "form":
            if self.form is None:
                raise ValueError("a form file needs `form = \"...\"`")
            if self.form not in FORMS:
                raise ValueError(f"unknown form {self.form!r}{form_name_hint(self.form)}; "
                                 f"expected one of {', '.join(FORMS)} ({FORMS_LISTED})")
        return self


class FormGroup(_Strict):
    """Forms that share a chemistry (e.g. osmotic salts) and the evidence about the group."""

    name: str = Field(min_length=1, pattern=r"^[a-z_]+$")
    forms: tuple[str, ...] = listed(min_length=1)
    gut_sensitivity_factor: float = Field(ge=0, le=2)
    """How much of a profile's gut-sensitivity shift (``safety.toml``) the group's GI prior
    takes: osmotic salts all of it, chelates less. Required: it changes the GI prior."""
    notes: str = ""
    studies: tuple[Study, ...] = listed(())
    excluded: tuple[Excluded, ...] = listed(())

    @model_validator(mode="after")
    def _forms_known(self) -> FormGroup:
        unknown = [f for f in self.forms if f not in FORMS]
        if unknown:
            raise ValueError(f"unknown form(s) {unknown}{form_name_hint(unknown[0])}; expected "
                             f"names from {', '.join(FORMS)} ({FORMS_LISTED})")
        return self


class GroupsFile(_Strict):
    """Contents of ``groups.toml``: form groups between the class and the forms."""

    groups: tuple[FormGroup, ...] = listed(())

    @model_validator(mode="after")
    def _each_form_once(self) -> GroupsFile:
        """A form is in one group, a group name names one group; an empty file is refused.

        (``groups = []`` says no forms share a chemistry.) Two groups of one name would be
        one group to the checks that name them, and one's entries would go unchecked.
        """
        if "groups" not in self.model_fields_set:
            raise ValueError("no [[groups]]: every form would sit directly under the class; "
                             "write `groups = []` if no forms share a chemistry")
        names = [group.name for group in self.groups]
        for index, name in enumerate(names, start=1):
            if name in names[:index - 1]:
                raise ValueError(f"key groups[{index}].name: a second group named {name!r} "
                                 f"(groups[{names.index(name) + 1}]); give each group its own "
                                 "name, or merge the two")
        seen: dict[str, str] = {}
        for group in self.groups:
            for form in group.forms:
                if form in seen:
                    raise ValueError(f"form {form!r} is listed twice in group {group.name!r}"
                                     if seen[form] == group.name else
                                     f"form {form!r} is in groups {seen[form]!r} and "
                                     f"{group.name!r}; a form belongs to one group")
                seen[form] = group.name
        return self

    def group_of(self, form: str) -> FormGroup | None:
        """The group a form belongs to, if any."""
        return next((g for g in self.groups if form in g.forms), None)


class CeilingReference(_Strict):
    """An upper limit the ceiling was chosen from: its id, daily amount and where it holds."""

    id: Text
    mg_per_day: float = Field(gt=0, le=2000)
    scope: Text


class Ceiling(_Strict):
    """Daily elemental-magnesium ceiling and its references.

    ``source`` names one of ``references`` and the default is that reference's level: the
    ceiling was stated twice with nothing tying them, and a folder with a default of 300 mg
    and a source no reference names loaded, its page calling 300 mg the US upper level (a
    maintainer's review). A folder that lowers the ceiling names a reference giving the new
    level: the EU's (``SCF2001_EFSA``, 250 mg) or one of its own; the message says at once
    that a folder may not raise it (the safety floor refuses that later: a safety-case audit
    followed the message's "add a reference of your own" to 500 mg and was refused).
    """

    default_mg_per_day: float = Field(gt=0, le=2000)
    source: Text
    reason: Text
    references: tuple[CeilingReference, ...] = listed(())

    @model_validator(mode="after")
    def _sourced(self) -> Ceiling:
        """``source`` is a reference's id, and ``default_mg_per_day`` that reference's level."""
        named = next((r for r in self.references if r.id == self.source), None)
        if named is None:
            ids = ", ".join(repr(r.id) for r in self.references) or "none"
            raise ValueError(f"source = {self.source!r} is the id of no "
                             f"[[ceiling.references]] entry (ids: {ids}); name the reference "
                             "whose level the default is, or add it")
        if named.mg_per_day != self.default_mg_per_day:
            raise ValueError(f"default_mg_per_day = {self.default_mg_per_day:g} "
                             f"mg/day is not the level of its source {self.source!r} "
                             f"({named.mg_per_day:g} mg/day); set source to a reference giving "
                             f"{self.default_mg_per_day:g} mg/day (add a [[ceiling.references]] "
                             "entry for your own), or the default to its level; a priors "
                             "folder may lower the ceiling, never raise it above the safety "
                             "floor's")
        return self


class Contraindication(_Strict):
    """A profile fact that turns any recommendation into ``refer``.

    ``kind = "clinician"`` refers but keeps the current routine until a clinician has advised
    (a hold, as for digoxin): for a fact that is no contraindication to oral magnesium but
    asks a clinician to sign off the dose (pregnancy). A caution may name the least
    ``gut_sensitivity`` its condition implies (chronic diarrhoea: ``ibs``). ``ceiling_mg``
    is the daily elemental ceiling while the rule applies, when lower than the usual one
    (pregnancy: the EU UL of 250 mg).
    """

    id: Text
    condition: Text | None = None
    field: Literal["egfr", "age", "pregnant"] | None = None
    below: float | None = None
    kind: Literal["refer", "clinician"] = "refer"
    gut_sensitivity: Literal["mild", "ibs"] | None = None
    ceiling_mg: float | None = Field(default=None, gt=0)
    reason: Text
    source: Text

    @model_validator(mode="after")
    def _can_fire(self) -> Contraindication:
        """A rule names a condition or a profile field; ``egfr`` and ``age`` a limit ``below``."""
        if self.condition is None and self.field is None:
            raise ValueError("the rule names neither a `condition` nor a `field`, so it could "
                             "never apply; give one")
        if (self.field in ("egfr", "age")) != (self.below is not None):
            raise ValueError(
                f"field = {self.field!r} needs `below` (the limit under which the rule "
                "applies), or it could never apply" if self.below is None else
                "key below applies to field \"egfr\" or \"age\" only, not "
                f"{f'field = {self.field!r}' if self.field else 'a rule without a field'}")
        return self


class Interaction(_Strict):
    """A medicine group with its rule.

    ``kind``: ``timing`` (take apart), ``magnesium`` (the medicine is magnesium too: its
    magnesium counts towards the ceiling with the supplement's), ``depletion`` (the medicine
    can lower magnesium) or ``clinician`` (no change to magnesium without the prescriber: a
    ``refer`` that keeps the current routine, :func:`model.decision.rule_words.hold_reasons`).
    """

    group: Text
    medications: tuple[Text, ...] = listed(min_length=1)
    rule: Text
    source: Text
    kind: Literal["timing", "magnesium", "depletion", "clinician", "refer"] = "timing"


class GiConstraint(_Strict):
    """Chance constraint on GI harm (see ``safety.toml``)."""

    loose_bristol: int = Field(ge=1, le=7)
    limit: float = Field(gt=0, lt=1)
    epsilon: float = Field(gt=0, lt=1)


class Synonym(_Strict):
    """Other names of one condition or medicine of the rules: brands, salts, abbreviations.

    ``whole_only`` lists the aliases that stand for it only as a whole entry: words with
    other meanings inside a longer name (``"child"`` in ``"Child-Pugh B"``, ``"minor"`` in
    ``"minor surgery"``).
    """

    name: Text
    kind: Literal["condition", "medicine"]
    aliases: tuple[Text, ...] = listed(min_length=1)
    whole_only: tuple[Text, ...] = listed(())
    source: Text

    @model_validator(mode="after")
    def _whole_only_are_aliases(self) -> Synonym:
        stray = [a for a in self.whole_only if a not in self.aliases]
        if stray:
            raise ValueError(f"whole_only names {', '.join(map(repr, stray))}, not among the "
                             "aliases")
        return self


class MedicineClass(_Strict):
    """A class of medicines as people name it (``bisphosphonates``), with its members here.

    A profile that gives only the class is asked which medicine it is (each member may have
    its own timing); accepted with ``--allow-unknown``, the rules of every member apply.
    """

    name: Text
    aliases: tuple[Text, ...] = listed(())
    medications: tuple[Text, ...] = listed(min_length=1)
    source: Text


class Recognised(_Strict):
    """Names known to carry no rule of this file (so they are not "unknown")."""

    conditions: tuple[Text, ...] = listed(())
    medications: tuple[Text, ...] = listed(())
    source: str = ""


class Safety(_Strict):
    """Contents of ``safety.toml``."""

    ceiling: Ceiling
    contraindications: tuple[Contraindication, ...] = listed()
    cautions: tuple[Contraindication, ...] = listed(())
    interactions: tuple[Interaction, ...] = listed()
    gut_sensitivity: dict[Literal["none", "mild", "ibs"], float]
    gi_constraint: GiConstraint
    synonyms: tuple[Synonym, ...] = listed(())
    classes: tuple[MedicineClass, ...] = listed(())
    recognised: Recognised = Recognised()

    @model_validator(mode="after")
    def _synonyms_name_rules(self) -> Safety:
        conditions = {c.condition for c in (*self.contraindications, *self.cautions)
                      if c.condition}
        medicines = {m for group in self.interactions for m in group.medications}
        for entry in self.synonyms:
            known = conditions if entry.kind == "condition" else medicines
            if entry.name not in known:
                raise ValueError(f"synonyms: {entry.kind} {entry.name!r} is in no rule of this "
                                 f"file{hint(entry.name, sorted(known))}: rule removed or "
                                 "renamed? (rules may only be made stricter)")
        for group in self.classes:
            for medicine in group.medications:
                if medicine not in medicines:
                    raise ValueError(f"classes: {group.name!r} lists the medicine {medicine!r}, "
                                     f"which is in no interaction of this file"
                                     f"{hint(medicine, sorted(medicines))}: removed from its "
                                     "group? (rules may only be made stricter)")
        return self
