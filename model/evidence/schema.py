"""Schemas of the hand-edited files in ``priors/``, validated on load.

Unknown keys are rejected with a "did you mean" hint; impossible values (a number written as
text, a blank required text: :mod:`model.evidence.strict`) are rejected with the file and the
key named. All faults of a directory are collected and raised together.
"""

from __future__ import annotations

from typing import Any, Literal, get_args

from pydantic import Field, ValidationInfo, model_validator

from model.core.forms import FORMS
from model.core.outcomes import OUTCOMES, SPECS, VOCABULARY_KEYS
from model.evidence.personal_settings import PersonalSettings
from model.evidence.reading import hint
from model.evidence.reading import parse_file as parse_file  # re-exported: the files' readers
from model.evidence.reading import raise_if as raise_if
from model.evidence.strict import Strict as _Strict
from model.evidence.strict import Text, listed

CERTAINTIES: tuple[str, ...] = ("high", "moderate", "low", "very low")
"""GRADE-like certainty labels, strongest first."""

Certainty = Literal["high", "moderate", "low", "very low"]
EXPERT_KINDS = frozenset({"mechanistic", "preclinical", "marketing", "expert"})


def lower_grade(grade: str, steps: int = 1) -> Certainty:
    """The certainty ``steps`` grades below ``grade`` (never below "very low")."""
    index = min(CERTAINTIES.index(grade) + steps, len(CERTAINTIES) - 1)
    return get_args(Certainty)[index]


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


_DOSES = ("n", "dose_mg", "single_dose_mg")
MEASURE_KEYS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "md": (("effect", "se"), ("baseline", *_DOSES)),
    "smd_benefit": (("effect", "se"), _DOSES),
    "p_value": (("p", "direction", "n"), _DOSES),
    "events": (("events", "n", "control_rate"), _DOSES),
    "log_odds_ratio": (("effect", "se"), _DOSES),
    "log_ratio": (("effect", "se"), _DOSES),
    "log_rate_ratio": (("effect", "se"), _DOSES),
    "logit_shift": (("effect", "se"), _DOSES),
    "posterior": (("effect", "se"), ("n",)),
}
"""The result keys of an entry each measure uses: ``(required, optional)``.

A result key a measure does not use is refused (:class:`Study`), never ignored: ``direction``
on an ``smd_benefit`` (its sign says the direction), ``effect`` and ``se`` on a ``p_value``, a
dose on a ``posterior`` (fitted at the reference dose). ``single_dose_mg`` is for ``gi`` only.
"""

RESULT_KEYS = ("effect", "se", "baseline", "p", "direction", "events", "control_rate", "n",
               "dose_mg", "single_dose_mg")
"""Every result key of an entry: those :data:`MEASURE_KEYS` assigns to measures."""


def _unused(key: str, measure: str) -> str:
    """Why ``key`` is refused on an entry of ``measure``: which measures use it."""
    users = [m for m, (needs, may) in MEASURE_KEYS.items() if key in needs + may]
    return (f"key {key!r} does not apply to measure {measure!r} (used by "
            f"{', '.join(repr(u) for u in users)})")


class Study(_Strict):
    """One evidence entry: a study result (or a graded claim) on one outcome."""

    id: Text
    outcome: str
    kind: Literal["trial", "meta-analysis", "observational", "mechanistic", "preclinical",
                  "marketing", "expert", "population"]
    citation: Text
    source: Text
    design: Text
    certainty: Certainty
    measure: Literal["md", "smd_benefit", "p_value", "events", "log_odds_ratio", "log_ratio",
                     "log_rate_ratio", "logit_shift", "posterior"]
    derivation: Text
    n: int | None = Field(default=None, gt=0)
    dose_mg: float | None = Field(default=None, gt=0, le=5000)
    single_dose_mg: float | None = Field(default=None, gt=0, le=5000)
    effect: float | None = None
    se: float | None = Field(default=None, gt=0)
    baseline: float | None = Field(default=None, gt=0)
    p: float | None = Field(default=None, gt=0, lt=1)
    direction: Literal["benefit", "harm"] | None = None
    events: int | None = Field(default=None, ge=0)
    control_rate: float | None = Field(default=None, gt=0, lt=1)
    indirectness: Text | None = None
    """Why the population, outcome or comparison differs from ours (GRADE indirectness): the
    entry then counts one certainty grade lower (see ``settings.toml``)."""

    @model_validator(mode="after")
    def _measure_fields(self) -> Study:
        if self.outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {self.outcome!r}{hint(self.outcome, OUTCOMES)}; "
                             f"expected one of {', '.join(OUTCOMES)}")
        needs, may = MEASURE_KEYS[self.measure]
        missing = [name for name in needs if getattr(self, name) is None]
        if missing:
            raise ValueError(f"measure {self.measure!r} needs {', '.join(missing)}")
        stray = [_unused(name, self.measure) for name in RESULT_KEYS
                 if getattr(self, name) is not None and name not in needs + may]
        if self.single_dose_mg is not None and self.outcome != "gi":
            stray.append("single_dose_mg applies to outcome 'gi' only (GI harm scales with "
                         "the single intake)")
        if stray:
            raise ValueError(f"{'; '.join(stray)}: remove what does not apply (it would be "
                             "ignored)")
        if (self.measure == "posterior") != (self.kind == "population"):
            raise ValueError("measure 'posterior' goes with kind 'population' (a fitted "
                             "population posterior, used as the prior as it is)")
        if self.measure == "events" and self.events is not None and self.n is not None \
                and self.events > self.n:
            raise ValueError(f"events ({self.events}) exceed n ({self.n})")
        return self

    @property
    def effective_certainty(self) -> Certainty:
        """The grade the entry counts with: one lower when it is indirect."""
        return self.certainty if self.indirectness is None else lower_grade(self.certainty)

    @property
    def is_expert(self) -> bool:
        """True for claims without human outcome data (mechanistic, preclinical, marketing)."""
        return self.kind in EXPERT_KINDS


class Excluded(_Strict):
    """A source that was read and deliberately not encoded."""

    id: Text
    reason: Text


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
                raise ValueError(f"unknown form {self.form!r}{hint(self.form, FORMS)}; "
                                 f"expected one of {', '.join(FORMS)}")
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
            raise ValueError(f"unknown form(s) {unknown}{hint(unknown[0], FORMS)}; expected "
                             f"names from {', '.join(FORMS)}")
        return self


class GroupsFile(_Strict):
    """Contents of ``groups.toml``: form groups between the class and the forms."""

    groups: tuple[FormGroup, ...] = listed(())

    @model_validator(mode="after")
    def _each_form_once(self) -> GroupsFile:
        """A form is in one group; an empty file is refused (``groups = []`` says none)."""
        if "groups" not in self.model_fields_set:
            raise ValueError("no [[groups]]: every form would sit directly under the class; "
                             "write `groups = []` if no forms share a chemistry")
        seen: dict[str, str] = {}
        for group in self.groups:
            for form in group.forms:
                if form in seen:
                    raise ValueError(f"form {form!r} is in groups {seen[form]!r} and "
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
    """Daily elemental-magnesium ceiling and its references."""

    default_mg_per_day: float = Field(gt=0, le=2000)
    source: Text
    reason: Text
    references: tuple[CeilingReference, ...] = listed(())


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

    ``kind``: ``timing`` (take apart), ``depletion`` (the medicine can lower magnesium) or
    ``clinician`` (no change to magnesium without the prescriber: a ``refer`` that keeps
    the current routine, :func:`model.decision.rule_words.hold_reasons`).
    """

    group: Text
    medications: tuple[Text, ...] = listed(min_length=1)
    rule: Text
    source: Text
    kind: Literal["timing", "depletion", "clinician", "refer"] = "timing"


class GiConstraint(_Strict):
    """Chance constraint on GI harm (see ``safety.toml``)."""

    loose_bristol: int = Field(ge=1, le=7)
    limit: float = Field(gt=0, lt=1)
    epsilon: float = Field(gt=0, lt=1)


class Synonym(_Strict):
    """Other names of one condition or medicine of the rules: brands, salts, abbreviations."""

    name: Text
    kind: Literal["condition", "medicine"]
    aliases: tuple[Text, ...] = listed(min_length=1)
    source: Text


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
