"""Schemas of the hand-edited files in ``priors/``, validated on load.

Unknown keys are rejected with a "did you mean" hint; impossible values (a number written as
text, a blank required text: :mod:`model.evidence.strict`) are rejected with the file and the
key named. All faults of a directory are collected and raised together.
"""

from __future__ import annotations

import difflib
import math
import tomllib
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel, Field, ValidationError, model_validator

from model.core.errors import Fault, PriorsError
from model.core.forms import FORMS
from model.core.outcomes import OUTCOMES, SPECS, VOCABULARY_KEYS
from model.evidence.personal_settings import PersonalSettings
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
    group_deviation_smd: float = Field(default=0.5, gt=0)
    outcomes: dict[str, OutcomeSettings]
    personal: PersonalSettings

    @model_validator(mode="before")
    @classmethod
    def _vocabulary(cls, data: Any) -> Any:
        """Fill each outcome's vocabulary from the registry; a restated value must agree."""
        if not isinstance(data, dict) or not isinstance(data.get("outcomes"), dict):
            return data
        outcomes = {}
        for name, entry in data["outcomes"].items():
            if name in SPECS and isinstance(entry, dict):
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
        unknown = [o for o in self.outcomes if o not in OUTCOMES]
        if unknown:
            raise ValueError(f"unknown outcome(s) {unknown}; expected {', '.join(OUTCOMES)}")
        absent = [o for o in OUTCOMES if o not in self.outcomes]
        if absent:
            raise ValueError(f"outcomes missing: {', '.join(absent)}")
        return self


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
            hint = _hint(self.outcome, OUTCOMES)
            raise ValueError(f"unknown outcome {self.outcome!r}{hint}; expected one of "
                             f"{', '.join(OUTCOMES)}")
        needs = {
            "p_value": ("p", "direction", "n"),
            "events": ("events", "n", "control_rate"),
        }.get(self.measure, ("effect", "se"))
        missing = [name for name in needs if getattr(self, name) is None]
        if missing:
            raise ValueError(f"measure {self.measure!r} needs {', '.join(missing)}")
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
    def _form_known(self) -> EvidenceFile:
        if self.scope == "form":
            if self.form is None:
                raise ValueError("a form file needs `form = \"...\"`")
            if self.form not in FORMS:
                raise ValueError(f"unknown form {self.form!r}{_hint(self.form, FORMS)}; "
                                 f"expected one of {', '.join(FORMS)}")
        return self


class FormGroup(_Strict):
    """Forms that share a chemistry (e.g. osmotic salts) and the evidence about the group."""

    name: str = Field(min_length=1, pattern=r"^[a-z_]+$")
    forms: tuple[str, ...] = listed(min_length=1)
    gut_sensitivity_factor: float = Field(default=1.0, ge=0, le=2)
    """How much of a profile's gut-sensitivity shift (``safety.toml``) the group's GI prior
    takes: osmotic salts all of it, chelates less."""
    notes: str = ""
    studies: tuple[Study, ...] = listed(())
    excluded: tuple[Excluded, ...] = listed(())

    @model_validator(mode="after")
    def _forms_known(self) -> FormGroup:
        unknown = [f for f in self.forms if f not in FORMS]
        if unknown:
            raise ValueError(f"unknown form(s) {unknown}{_hint(unknown[0], FORMS)}; expected "
                             f"names from {', '.join(FORMS)}")
        return self


class GroupsFile(_Strict):
    """Contents of ``groups.toml``: form groups between the class and the forms."""

    groups: tuple[FormGroup, ...] = listed(())

    @model_validator(mode="after")
    def _each_form_once(self) -> GroupsFile:
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


class Ceiling(_Strict):
    """Daily elemental-magnesium ceiling and its references."""

    default_mg_per_day: float = Field(gt=0, le=2000)
    source: Text
    reason: Text
    references: tuple[dict[str, Any], ...] = listed(())


class Contraindication(_Strict):
    """A profile fact that turns any recommendation into ``refer``.

    ``kind = "clinician"`` refers but keeps the current routine until a clinician has advised
    (a hold, as for digoxin): for a fact that is no contraindication to oral magnesium but
    asks a clinician to sign off the dose (pregnancy). A caution may name the least
    ``gut_sensitivity`` its condition implies (chronic diarrhoea: ``ibs``).
    """

    id: Text
    condition: Text | None = None
    field: Literal["egfr", "age", "pregnant"] | None = None
    below: float | None = None
    kind: Literal["refer", "clinician"] = "refer"
    gut_sensitivity: Literal["mild", "ibs"] | None = None
    reason: Text
    source: Text


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
                                 f"file{_hint(entry.name, sorted(known))}: rule removed or "
                                 "renamed? (rules may only be made stricter)")
        return self


def _hint_word(word: str, options: tuple[str, ...] | list[str]) -> str | None:
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return close[0] if close else None


def _hint(word: str, options: tuple[str, ...] | list[str]) -> str:
    close = _hint_word(word, options)
    return f" (did you mean {close!r}?)" if close else ""


def _location(loc: tuple[int | str, ...], raw: dict[str, Any]) -> str:
    """Render a pydantic error location as a key path, naming entries by their id."""
    parts: list[str] = []
    node: Any = raw
    for item in loc:
        if isinstance(item, int) and isinstance(node, list) and item < len(node):
            entry = node[item]
            ident = entry.get("id") if isinstance(entry, dict) else None
            parts[-1] = f"{parts[-1]}[{item + 1}{f' id={ident}' if ident else ''}]"
            node = entry
            continue
        parts.append(str(item))
        node = node.get(item) if isinstance(node, dict) else None
    return ".".join(parts)


def _fields_at(schema: type[BaseModel], loc: tuple[int | str, ...]) -> list[str]:
    """Field names allowed at the parent of ``loc`` (for "did you mean" hints)."""
    node: Any = schema
    for item in loc[:-1]:
        if isinstance(item, int):
            continue
        if get_origin(node) is dict:          # a dict key: step into the value type
            node = get_args(node)[1]
            continue
        if get_origin(node) is tuple:
            node = get_args(node)[0]
        if not (isinstance(node, type) and issubclass(node, BaseModel)):
            return []
        field = node.model_fields.get(item)
        if field is None:
            return []
        node = field.annotation
        if get_origin(node) is tuple:
            node = get_args(node)[0]
    return list(node.model_fields) if isinstance(node, type) and issubclass(node, BaseModel) \
        else []


def parse_file[M: BaseModel](path: Path, schema: type[M], context: dict[str, Any] | None = None
                             ) -> tuple[M | None, list[Fault]]:
    """Read a TOML file into ``schema`` (``context``: its validators'); the object or faults."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8-sig"))
        bad = _non_finite(raw, ())
    except tomllib.TOMLDecodeError as error:
        return None, [Fault(str(path), "", f"not valid TOML: {error}")]
    except RecursionError:
        return None, [Fault(str(path), "", "not valid TOML: nested too deeply")]
    except UnicodeDecodeError as error:
        return None, [Fault(str(path), "", f"not UTF-8 text (byte {error.start}); save it as "
                            "UTF-8")]
    except OSError as error:
        return None, [Fault(str(path), "", f"cannot read: {error.strerror or error}")]
    faults = [Fault(str(path), f"key {_location(where, raw)}",
                    f"expected a finite number, got {value!r}") for where, value in bad]
    if faults:
        return None, faults
    try:
        return schema.model_validate(raw, context=context), []
    except ValidationError as error:
        faults = []
        items = error.errors()
        # a typo'd key is reported once, as the unknown key with its hint, not also as missing
        typos = {(*item["loc"][:-1], _hint_word(str(item["loc"][-1]),
                                                 _fields_at(schema, tuple(item["loc"]))))
                 for item in items if item["type"] == "extra_forbidden"}
        for item in items:
            if item["type"] == "missing" and tuple(item["loc"]) in typos:
                continue
            where = _location(tuple(item["loc"]), raw)
            if item["type"] == "extra_forbidden":
                key = str(item["loc"][-1])
                hint = _hint(key, _fields_at(schema, tuple(item["loc"])))
                message = f"unknown key {key!r}{hint}"
            elif item["type"] in ("float_type", "int_type") and isinstance(item["input"], str):
                message = f"expected a number, got the text {item['input']!r} (remove the quotes)"
            else:
                message = item["msg"].removeprefix("Value error, ")
                if "input" in item and item["type"] not in ("missing",) \
                        and not isinstance(item["input"], dict | list):
                    message += f" (got {item['input']!r})"
            faults.append(Fault(str(path), f"key {where}" if where else "", message))
        return None, faults


def _non_finite(node: Any, where: tuple[int | str, ...]
                ) -> list[tuple[tuple[int | str, ...], float]]:
    """Every NaN or infinite number in a parsed TOML document, with its key path."""
    if isinstance(node, float):
        return [] if math.isfinite(node) else [(where, node)]
    items = node.items() if isinstance(node, dict) else \
        enumerate(node) if isinstance(node, list) else ()
    return [found for key, value in items for found in _non_finite(value, (*where, key))]


def raise_if(faults: list[Fault]) -> None:
    """Raise :class:`PriorsError` when any fault was found."""
    if faults:
        raise PriorsError(faults)
