"""The person's profile: safety facts, preferences and the utility weights of the decision.

A profile is a small TOML file, every key optional: the README's *The profile* shows each
(``egfr = 85``, ``medications = ["levothyroxine"]``, ``max_elemental_mg = 300``, ...). The
utility weights (``complaint``, ``[weights]``) are :mod:`model.data.weights`'s.

A ``max_elemental_mg`` above the safety ceiling is lowered to it with a :class:`ProfileWarning`.
``other_magnesium_mg``, the elemental magnesium a day besides the supplement (a multivitamin,
ZMA, a daily antacid), leaves the supplement the rest of the ceiling
(:mod:`model.decision.other_magnesium`, which otherwise counts the doses among the medicines).
Conditions and medicines are matched to the safety data's synonyms
(:mod:`model.evidence.names`). An entry that lists several names (``"digoxin, levothyroxine"``,
``"digoxin + levothyroxine"``, ``"digoxin and levothyroxine"``) is read as that many entries,
unless it is a known name as a whole (:func:`~model.data.profile_entries.split_entries`).
A name that matches nothing is an error with a "did you mean" (a typo must not silently skip
a contraindication or a timing rule), unless ``allow_unknown=True`` (``--allow-unknown``):
then it is accepted with a warning, and every decision for the profile says in its warnings
that the name was not checked. An eGFR or an age written in a condition (``"CKD 3, eGFR
28"``, ``"16 years old"``) is read as one (:mod:`model.data.profile_entries`). A key naming a
condition or a medicine (``breastfeeding = true``) is an error saying where it belongs. A
creatinine (``"creatinine 160 umol/L"``) is refused: the kidney rules need an eGFR. A
magnesium prescribed (``prescribed_magnesium = true``) is held (:mod:`model.decision.prescribed`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationInfo,
    field_validator,
    model_validator,
)

from model.core.errors import Fault, InputError
from model.core.forms import FORMS, canonical_form, form_hint
from model.core.regimen import LEAST_SUPPLEMENT_MG, grams_meant
from model.data.prescribed_entries import prescribed_of
from model.data.profile_entries import (
    CREATININE_SAID,
    EGFR_MAX,
    ProfileWarning,
    age_of_conditions,
    creatinine_refused,
    egfr_of_conditions,
    medication_starts_of,
    read_taking_since,
    split_entries,
    written_name,
    written_numbers,
)
from model.data.weights import COMPLAINT_WEIGHTS, Weights, read_complaint, relative, zero_complaint
from model.evidence.floor import bundled_safety
from model.evidence.names import NOTHING, Kind, NameIndex, name_key, unknown_fix, unknown_message
from model.evidence.schema import Safety, parse_file
from model.evidence.toml_lines import with_lines

Complaint = Literal["sleep_onset", "night_waking", "anxiety", "racing_thoughts"]
GutSensitivity = Literal["none", "mild", "ibs"]

EGFR_LOW = 5.0
"""An eGFR below this is warned of (perhaps in mL/s); one above ``EGFR_MAX`` is refused."""


IBS_NAME = re.compile(r"(?:^|_)(?:ibs|irritable_bowel(?:_syndrome)?)(?:_|$)")
"""A key naming IBS (``ibs_d``; Rome IV subtypes): it sets ``gut_sensitivity = "ibs"``."""

CONSTIPATION_NAME = re.compile(r"(?:^|_)(?:constipat[a-z]*|ibs_c|slow_transit)(?:_|$)")
"""A key naming constipation (``ibs_c``): IBS with it sets no ``gut_sensitivity`` (magnesium
oxide treats it: /tmp/w52/d F5); its warning says what is counted (:class:`Profile`)."""


class Profile(BaseModel):
    """A person's safety facts and preferences (the profile TOML of the README's *The profile*).

    Build one with :func:`load_profile` (from a file, the default ceiling filled in, clamped)
    or as ``Profile(egfr=45)``; ``max_elemental_mg=None`` means "the ceiling in use".
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str | None = Field(default=None, max_length=60)   # whose outputs: their headings
    egfr: float | None = Field(default=None, gt=0, le=EGFR_MAX)
    age: int | None = Field(default=None, ge=0, le=120)
    pregnant: bool | None = None
    conditions: tuple[str, ...] = ()
    medications: tuple[str, ...] = ()
    medication_starts: tuple[tuple[str, dt.date], ...] = ()   # (name, day started), hashable
    prescribed_magnesium: bool | None = None
    gut_sensitivity: GutSensitivity = "none"
    excluded_forms: tuple[str, ...] = ()
    max_elemental_mg: float | None = Field(default=None, ge=0)
    other_magnesium_mg: float | None = Field(default=None, ge=0, le=10_000)
    complaint: Complaint = "sleep_onset"
    taking_since: dt.date | None = None
    weights: Weights = Weights()
    _read_since = field_validator("taking_since", mode="before")(staticmethod(read_taking_since))
    _read_complaint = field_validator("complaint", mode="before")(staticmethod(read_complaint))

    @field_validator("medication_starts", mode="before")
    @classmethod
    def _starts_as_pairs(cls, value: object) -> object:
        """A mapping of name to day as pairs: a frozen profile is hashed (a dict is not)."""
        return tuple(value.items()) if isinstance(value, Mapping) else value
    _lowered_from_mg: float | None = PrivateAttr(default=None)
    _checked_with: Safety | None = PrivateAttr(default=None)   # by checked_profile

    def checked_with(self, safety: Safety) -> bool:
        """Whether :func:`checked_profile` returned it for ``safety`` (not checked again)."""
        return self._checked_with is not None and self._checked_with == safety

    @property
    def lowered_from_mg(self) -> float | None:
        """The ``max_elemental_mg`` given above the safety ceiling, lowered to it (else None)."""
        return self._lowered_from_mg

    @field_validator("egfr", "age", "max_elemental_mg", "other_magnesium_mg", mode="before")
    @classmethod
    def _not_a_flag(cls, value: object) -> object:
        if isinstance(value, bool):
            raise ValueError("expected a number, not true or false")
        return value

    @field_validator("egfr", mode="before")
    @classmethod
    def _an_egfr(cls, value: object) -> object:
        """An eGFR above :data:`~model.data.profile_entries.EGFR_MAX` is refused (a creatinine).

        ``egfr = 160`` at 78 (a creatinine in µmol/L) was accepted with a warning the advice
        did not carry, and gave a dose (a pharmacist's audit, 2026-12).
        """
        if isinstance(value, int | float) and not isinstance(value, bool) and value > EGFR_MAX:
            raise ValueError(f"{value:g} is above {EGFR_MAX:g} mL/min/1.73 m², more than any "
                             "adult kidney filters (a creatinine in µmol/L?): "
                             f"{CREATININE_SAID.removeprefix('is a creatinine, not an eGFR: ')}")
        return value

    @field_validator("name")
    @classmethod
    def _one_line(cls, value: str | None) -> str | None:
        """A name for headings (two persons, one laptop: whose is this page?): one line."""
        if value is not None and (not value.strip() or not value.isprintable()):
            raise ValueError("expected a name on one line (e.g. name = \"Alex\"), got "
                             f"{value!r}")
        return None if value is None else value.strip()

    @field_validator("max_elemental_mg", "other_magnesium_mg")
    @classmethod
    def _not_grams(cls, value: float | None) -> float | None:
        """0.35 (grams meant) gave "Stop taking magnesium" with no word (an audit)."""
        if value is not None and 0 < value < LEAST_SUPPLEMENT_MG:
            raise ValueError(f"expected 0 or at least {LEAST_SUPPLEMENT_MG:g} mg a day: "
                             f"{grams_meant(value)}")
        return value

    @field_validator("age", mode="before")
    @classmethod
    def _whole_years(cls, value: object) -> object:
        """An age in whole years: ``"16 years"``, ``16.5`` are refused with how to write it.

        They were refused in pydantic's words ("a number with a fractional part"), with no
        word of what to write (a life-stage audit).
        """
        if isinstance(value, float) and math.isfinite(value) and not value.is_integer():
            whole: str | None = str(int(value))      # 17.9 is 17, not 18: whole years lived
        elif isinstance(value, str) and not re.fullmatch(r"\s*[+-]?\d+(?:\.0*)?\s*", value):
            whole = number[0] if (number := re.search(r"\d+", value)) else None
        else:
            return value
        raise ValueError("expected the age in whole years, as a number: "
                         + (f"age = {whole}" if whole else "e.g. age = 40"))

    @model_validator(mode="before")
    @classmethod
    def _names_read(cls, data: object, info: ValidationInfo) -> object:
        """Read eGFRs and ages among the conditions, split entries of several names, then IBS.

        One validator, so that the IBS rule sees the split names
        (:func:`~model.data.profile_entries.split_entries`), an eGFR or an age is read
        before a split breaks its unit (``mL/min``, ``y/o``) apart, and a medicine's day
        after it (:func:`~model.data.profile_entries.medication_starts_of`).
        """
        context = info.context if isinstance(info.context, dict) else {}
        file = context.get("file", "<profile>")
        data = age_of_conditions(egfr_of_conditions(creatinine_refused(data, file), file), file)
        data = prescribed_of(data, context.get("safety"), file)
        data = medication_starts_of(split_entries(data, context.get("safety"), file), file,
                                    from_file="file" in context)
        return cls._ibs_is_a_gut_sensitivity(data, file)

    @classmethod
    def unknown_key_advice(cls, key: str, context: dict[str, object]) -> str:
        """Where an unknown top-level key belongs, when it names a condition or a medicine.

        ``breastfeeding = true`` was "unknown key 'breastfeeding'" with no word that it is a
        condition, listed under ``conditions`` (a life-stage audit); it stays an error.
        """
        if re.search(r"(?:^|_)(?:s?creat(?:inine)?|s?cr)(?:_|$)", key, re.IGNORECASE):
            return f" (a creatinine {CREATININE_SAID.removeprefix('is a creatinine, ')})"
        safety = context.get("safety")
        index = NameIndex.of(safety if isinstance(safety, Safety) else bundled_safety())
        said = key.replace("_", " ")
        places: tuple[tuple[Kind, str], ...] = (("condition", "conditions"),
                                                ("medicine", "medications"))
        for kind, where in places:
            if index.match(key, kind) is not None:
                return f' ({said!r} is a {kind}: list it under {where}: {where} = ["{said}"])'
        return ""

    @classmethod
    def _ibs_is_a_gut_sensitivity(cls, data: object, file: str) -> object:
        """IBS among the conditions sets ``gut_sensitivity = "ibs"``, with a warning.

        Not IBS with constipation (:data:`CONSTIPATION_NAME`), whose warning says what counts.
        """
        keys = {c: name_key(c) for c in (data.get("conditions") or ())
                if isinstance(c, str)} if isinstance(data, dict) else {}
        if slow := [c for c, key in keys.items() if CONSTIPATION_NAME.search(key)]:
            warnings.warn(f"{file}: key conditions: {slow[0]!r} names constipation: mgsleep "
                          "counts only loose stools (Bristol 6-7) and upset stomachs as GI "
                          "nights, never a softer normal stool, so a form's easing of "
                          "constipation is not credited here; exclude = laxative in the diary "
                          "leaves out a laxative night's sleep and, with no supplement that "
                          "night, its stool record", ProfileWarning, stacklevel=2)
        named = [c for c, key in keys.items() if IBS_NAME.search(key) and c not in slow]
        if not isinstance(data, dict) or data.get("gut_sensitivity") == "ibs" or not named:
            return data
        warnings.warn(f"{file}: key conditions: {named[0]!r} is irritable bowel syndrome; "
                      f"gut_sensitivity 'ibs' is used (not {data.get('gut_sensitivity', 'none')!r}"
                      "): more GI nights are expected on magnesium", ProfileWarning, stacklevel=2)
        return data | {"gut_sensitivity": "ibs"}

    @field_validator("conditions", "medications")
    @classmethod
    def _lower(cls, names: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        """Names as written; blank entries (``[""]``) left out with a warning, ``"none"`` too."""
        blank = [number for number, name in enumerate(names, start=1) if not name.strip()]
        if blank:
            context = info.context if isinstance(info.context, dict) else {}
            file = context.get("file", "<profile>")
            where = ", ".join(f"{info.field_name}[{number}]" for number in blank)
            warnings.warn(f"{file}: key {where}: blank, so left out; write the name or remove "
                          "the entry", ProfileWarning, stacklevel=2)
        return tuple(written_name(n) for n in names if n.strip() and name_key(n) not in NOTHING)

    @field_validator("excluded_forms")
    @classmethod
    def _known_forms(cls, names: tuple[str, ...]) -> tuple[str, ...]:
        forms = []
        for name in names:
            form = canonical_form(name)
            if form not in FORMS:
                hint = form_hint(name, placebo=False)
                raise ValueError(f"unknown form {name!r}{hint}; expected one of "
                                 f"{', '.join(FORMS)}")
            forms.append(form)
        return tuple(dict.fromkeys(forms))

    def capped(self, safety: Safety, *, checked: bool = False) -> Profile:
        """A copy with ``max_elemental_mg`` filled in at most the ceiling, keeping one above.

        ``checked``: marked as :func:`checked_profile`'s (:meth:`checked_with`).
        """
        copy: Profile = self.model_copy(update={"max_elemental_mg": self.ceiling_mg(safety)})
        copy.__pydantic_fields_set__ = set(self.model_fields_set)   # the keys written: "350"
        # alone was "no profile given"; the ceiling filled in is not one the person gave
        own = self.max_elemental_mg
        copy._lowered_from_mg = (own if own is not None and own > self.ceiling_mg(safety)
                                 else self._lowered_from_mg)
        copy._checked_with = safety if checked else self._checked_with
        return copy

    def outcome_weights(self) -> dict[str, float]:
        """Return the utility weight per outcome: complaint defaults, then ``[weights]``.

        Rescaled to the defaults' total (:func:`model.data.weights.relative`): weights are
        relative, whatever scale they are written on.
        """
        return relative(COMPLAINT_WEIGHTS[self.complaint],
                        self.weights.model_dump(exclude_none=True))

    def ceiling_mg(self, safety: Safety) -> float:
        """Return the daily elemental dose never to exceed (at most the safety ceiling)."""
        ceiling = safety.ceiling.default_mg_per_day
        own = self.max_elemental_mg
        return ceiling if own is None else min(own, ceiling)


def load_profile(path: str | Path | None = None, *, safety: Safety | None = None,
                 allow_unknown: bool = False) -> Profile:
    """Read and validate a profile TOML (``None``: the default profile).

    Parameters
    ----------
    path : str or Path, optional
        The profile file. Without one every key takes its default.
    safety : Safety, optional
        The hard rules (default: the bundled ``safety.toml``): they give the default
        ``max_elemental_mg`` and the names of conditions and medicines (with synonyms).
    allow_unknown : bool
        Accept a condition or medicine that is not in the safety data, with a
        :class:`ProfileWarning` (the decision then carries a "NOT CHECKED" warning for it).
        By default such a name is an error.

    Returns
    -------
    Profile
        With ``max_elemental_mg`` filled in, never above the safety ceiling.

    Raises
    ------
    InputError
        Every fault found, each naming the file and the key (unknown keys, conditions and
        medicines with a "did you mean" hint).

    Warns
    -----
    ProfileWarning
        A ``max_elemental_mg`` lowered to the ceiling, an unknown name accepted, an eGFR read
        from a condition or below :data:`EGFR_LOW`, ``pregnant = false`` beside a pregnancy
        condition, ``[weights]`` leaving the complaint's outcome at 0, a constipation.

    """
    rules = safety if safety is not None else bundled_safety()
    if path is None:
        profile, name = Profile(), "<default profile>"
    else:
        parsed, faults = parse_file(Path(path), Profile, {"safety": rules, "file": str(path)})
        if parsed is None:
            raise InputError(with_lines(faults))
        profile, name = parsed, str(path)
    return checked_profile(profile, safety=rules, allow_unknown=allow_unknown, name=name)


def checked_profile(profile: Profile, *, safety: Safety, allow_unknown: bool = False,
                    name: str = "<Profile object>") -> Profile:
    """A profile checked as :func:`load_profile` checks a file's: names, gut, ceiling.

    For a :class:`Profile` built in Python (``analyze(profile=Profile(...))``), which would
    otherwise skip the checks of a file: an unknown condition or medicine is an error unless
    ``allow_unknown`` (then a :class:`ProfileWarning`), a condition implying a gut level sets
    it, and ``max_elemental_mg`` is filled in, never above the safety ceiling. An eGFR
    below :data:`EGFR_LOW` and ``pregnant = false`` beside a pregnancy among the
    conditions are warned of (:func:`_check_facts`). A profile this returned is returned as
    it is against the same safety data, with no warning again: ``decide`` checks a profile
    too, called by ``analyze`` with one checked already (a notebook user's audit).

    Raises
    ------
    InputError
        For each unknown name, without ``allow_unknown`` (``name`` stands for the file).

    """
    if profile.checked_with(safety):
        return profile
    _check_names(profile, safety, name, allow_unknown)
    _check_facts(profile, safety, name)
    return _clamped(_gut_of_conditions(profile, safety, name), safety, name)


def _check_names(profile: Profile, safety: Safety, file: str, allow_unknown: bool) -> None:
    """Every condition and medicine must be in the safety data (or be let through, loudly)."""
    index = NameIndex.of(safety)
    faults, fixes = [], []
    lists: tuple[tuple[str, Kind, tuple[str, ...]], ...] = (
        ("conditions", "condition", profile.conditions),
        ("medications", "medicine", profile.medications))
    for key, kind, names in lists:
        for number, name in zip(written_numbers(file, key, names), names, strict=True):
            if index.match(name, kind) is None:
                faults.append(Fault(file, f"key {key}[{number}]", unknown_message(
                    name, kind, index, accepted=allow_unknown)))
                fixes.append(unknown_fix(name, kind, index))
    faults = with_lines(faults)
    if allow_unknown:
        for fault in faults:
            warnings.warn(f"{fault}; accepted because of --allow-unknown", ProfileWarning,
                          stacklevel=4)
    elif faults:
        raise InputError([dataclasses.replace(f, message=f"{f.message}; {fix}")
                          for f, fix in zip(faults, fixes, strict=True)])


def pregnancy_named(profile: Profile, safety: Safety) -> tuple[str, ...]:
    """The profile's conditions that stand for a pregnancy (a rule on the ``pregnant`` key)."""
    index = NameIndex.of(safety)
    rules = {c.condition for c in safety.contraindications if c.field == "pregnant"}
    return tuple(c for c in profile.conditions if index.match(c, "condition") in rules - {None})


def _check_facts(profile: Profile, safety: Safety, file: str) -> None:
    """Warn of an eGFR below :data:`EGFR_LOW`, ``pregnant`` against the conditions, weights.

    Weights that leave the complaint's own outcome at 0: :func:`~.weights.zero_complaint`.
    """
    low = EGFR_LOW
    egfr = profile.egfr
    if egfr is not None and egfr < low:
        warnings.warn(f"{file}: key egfr: {egfr:g} is below {low:g} mL/min/1.73 m² (kidney "
                      f"failure: magnesium is referred); if this is in mL/s, multiply by 60 "
                      f"({egfr * 60:g} mL/min)", ProfileWarning, stacklevel=4)
    named = pregnancy_named(profile, safety)
    if profile.pregnant is False and named:
        warnings.warn(f"{file}: keys pregnant and conditions disagree: pregnant = false, but "
                      f"conditions list {named[0]!r}; the pregnancy rule is applied: correct "
                      "whichever is wrong", ProfileWarning, stacklevel=4)
    if "complaint" in profile.model_fields_set and (   # a complaint written, not the default
            zero := zero_complaint(profile.complaint, profile.weights)) is not None:
        warnings.warn(f"{file}: keys complaint and weights: {zero}", ProfileWarning, stacklevel=4)


def _gut_of_conditions(profile: Profile, safety: Safety, file: str) -> Profile:
    """The profile with the ``gut_sensitivity`` its conditions imply at least, with a warning.

    A caution of ``safety.toml`` may name a level (chronic diarrhoea: ``ibs``); listed only
    as a condition it would leave the GI prior expecting a gut like anyone's.
    """
    index, shift = NameIndex.of(safety), safety.gut_sensitivity
    implied = {c.condition: c.gut_sensitivity for c in safety.cautions if c.gut_sensitivity}
    found = [(name, level) for name in profile.conditions
             if (level := implied.get(index.match(name, "condition") or "")) is not None
             and shift[level] > shift[profile.gut_sensitivity]]
    if not found:
        return profile
    name, level = max(found, key=lambda item: shift[item[1]])
    warnings.warn(f"{file}: conditions: {name!r} makes loose stools likelier; gut_sensitivity "
                  f"{level!r} is used (not {profile.gut_sensitivity!r})", ProfileWarning,
                  stacklevel=3)
    return profile.model_copy(update={"gut_sensitivity": level})


def _clamped(profile: Profile, safety: Safety, file: str) -> Profile:
    ceiling = safety.ceiling.default_mg_per_day
    own = profile.max_elemental_mg
    if own is not None and own > ceiling:
        warnings.warn(f"{file}: key max_elemental_mg: {own:g} mg/day is above the safety "
                      f"ceiling ({ceiling:g} mg/day, {safety.ceiling.source}); using "
                      f"{ceiling:g}", ProfileWarning, stacklevel=3)
    return profile.capped(safety, checked=True)
