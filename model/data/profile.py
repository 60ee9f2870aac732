"""The person's profile: safety facts, preferences and the utility weights of the decision.

A profile is a small TOML file (CONTRACT.md, every key optional)::

    egfr = 85                    # mL/min/1.73 m²; < 30 → refer
    pregnant = false             # true → refer
    conditions = []              # e.g. "myasthenia_gravis", "heart_block"
    medications = []             # e.g. "levothyroxine", "ciprofloxacin"
    gut_sensitivity = "none"     # none | mild | ibs
    excluded_forms = []
    max_elemental_mg = 350       # per day; default: the ceiling of safety.toml
    complaint = "sleep_onset"    # sleep_onset | night_waking | anxiety | racing_thoughts
    [weights]                    # utility weights; override the complaint's defaults
    sol = 1.0

Default utility weights by complaint (:data:`COMPLAINT_WEIGHTS`): the outcome that is the
person's main complaint counts twice (2.0); sleep quality, the global judgement of a night,
counts 1.0 for everyone; morning freshness counts 0.5 because it largely repeats quality (1.0
for night waking, whose cost is felt in the morning); the remaining outcomes count 0.5 or 1.0
by how close they are to the complaint. ``racing_thoughts`` splits its weight between sleep
onset and anxiety (1.5 each): racing thoughts at bedtime are both. Each weight multiplies an
outcome's gain in units of its minimal important difference, so the weights compare MCIDs.

Explicit ``[weights]`` replace the defaults outcome by outcome.

A ``max_elemental_mg`` above the safety ceiling is lowered to the ceiling with a
:class:`ProfileWarning`; the decision never uses more than the ceiling whatever a profile says.
Unknown medicine names are accepted (only the ones in ``safety.toml`` carry rules; they match
case-insensitively). An unknown condition is accepted too, unless it is a near miss of a
condition that triggers a referral (``heart_blok``): that is an error, since a typo must not
silently skip a contraindication.
"""

from __future__ import annotations

import difflib
import warnings
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from model.core.errors import Fault, InputError
from model.core.forms import FORMS, canonical_form
from model.core.paths import default_priors_dir
from model.evidence.schema import Safety, parse_file

Complaint = Literal["sleep_onset", "night_waking", "anxiety", "racing_thoughts"]
GutSensitivity = Literal["none", "mild", "ibs"]

COMPLAINT_WEIGHTS: dict[str, dict[str, float]] = {
    "sleep_onset": {"sol": 2.0, "awakenings": 1.0, "quality": 1.0, "freshness": 0.5,
                    "anxiety": 0.5},
    "night_waking": {"sol": 0.5, "awakenings": 2.0, "quality": 1.0, "freshness": 1.0,
                     "anxiety": 0.5},
    "anxiety": {"sol": 0.5, "awakenings": 0.5, "quality": 1.0, "freshness": 0.5,
                "anxiety": 2.0},
    "racing_thoughts": {"sol": 1.5, "awakenings": 0.5, "quality": 1.0, "freshness": 0.5,
                        "anxiety": 1.5},
}
"""Default utility weights per complaint (see the module docstring for the reasoning)."""

_NEAR_MISS = 0.8
"""difflib similarity above which an unknown condition is taken for a typo of a known one."""


class ProfileWarning(UserWarning):
    """A profile value was changed to keep the person safe (e.g. a ceiling above the limit)."""


class Weights(BaseModel):
    """Explicit utility weights; an outcome left out keeps its complaint default."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sol: float | None = Field(default=None, ge=0, le=100)
    awakenings: float | None = Field(default=None, ge=0, le=100)
    quality: float | None = Field(default=None, ge=0, le=100)
    freshness: float | None = Field(default=None, ge=0, le=100)
    anxiety: float | None = Field(default=None, ge=0, le=100)


def normalise_name(name: str) -> str:
    """Lower-case a condition or medicine name with words joined by ``_`` (``Heart block``)."""
    return "_".join(name.strip().lower().replace("-", " ").split())


class Profile(BaseModel):
    """A person's safety facts and preferences (the Profile TOML of CONTRACT.md).

    Build one with :func:`load_profile` (from a file, with the default ceiling filled in and
    clamped) or directly, e.g. ``Profile(egfr=45, medications=["levothyroxine"])``.
    ``max_elemental_mg=None`` means "the ceiling of the safety rules in use".
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    egfr: float | None = Field(default=None, gt=0, le=250)
    pregnant: bool = False
    conditions: tuple[str, ...] = ()
    medications: tuple[str, ...] = ()
    gut_sensitivity: GutSensitivity = "none"
    excluded_forms: tuple[str, ...] = ()
    max_elemental_mg: float | None = Field(default=None, ge=0)
    complaint: Complaint = "sleep_onset"
    weights: Weights = Weights()

    @field_validator("conditions", "medications")
    @classmethod
    def _lower(cls, names: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(normalise_name(n) for n in names if n.strip())

    @field_validator("excluded_forms")
    @classmethod
    def _known_forms(cls, names: tuple[str, ...]) -> tuple[str, ...]:
        forms = []
        for name in names:
            form = canonical_form(name)
            if form not in FORMS:
                close = difflib.get_close_matches(name.strip().lower(), FORMS, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise ValueError(f"unknown form {name!r}{hint}; expected one of "
                                 f"{', '.join(FORMS)}")
            forms.append(form)
        return tuple(dict.fromkeys(forms))

    def outcome_weights(self) -> dict[str, float]:
        """Return the utility weight per outcome: complaint defaults, then ``[weights]``."""
        explicit = self.weights.model_dump(exclude_none=True)
        return COMPLAINT_WEIGHTS[self.complaint] | explicit

    def ceiling_mg(self, safety: Safety) -> float:
        """Return the daily elemental dose never to exceed (at most the safety ceiling)."""
        ceiling = safety.ceiling.default_mg_per_day
        own = self.max_elemental_mg
        return ceiling if own is None else min(own, ceiling)


def bundled_safety() -> Safety:
    """Read the hard rules of the bundled ``priors/safety.toml``."""
    path = default_priors_dir() / "safety.toml"
    safety, faults = parse_file(path, Safety)
    if safety is None:
        raise InputError(faults)
    return safety


def load_profile(path: str | Path | None = None, *, safety: Safety | None = None) -> Profile:
    """Read and validate a profile TOML (``None``: the default profile).

    Parameters
    ----------
    path : str or Path, optional
        The profile file. Without one every key takes its default.
    safety : Safety, optional
        The hard rules (default: the bundled ``safety.toml``): they give the default
        ``max_elemental_mg`` and the conditions that a near-miss spelling is checked against.

    Returns
    -------
    Profile
        With ``max_elemental_mg`` filled in, never above the safety ceiling.

    Raises
    ------
    InputError
        Every fault found, each naming the file and the key (unknown keys with a
        "did you mean" hint).

    Warns
    -----
    ProfileWarning
        When ``max_elemental_mg`` is above the safety ceiling and was lowered to it.

    """
    rules = safety if safety is not None else bundled_safety()
    if path is None:
        profile, name = Profile(), "<default profile>"
    else:
        parsed, faults = parse_file(Path(path), Profile)
        if parsed is None:
            raise InputError(faults)
        profile, name = parsed, str(path)
    _check_conditions(profile, rules, name)
    return _clamped(profile, rules, name)


def _check_conditions(profile: Profile, safety: Safety, file: str) -> None:
    known = sorted({c.condition for c in (*safety.contraindications, *safety.cautions)
                    if c.condition})
    faults = []
    for index, condition in enumerate(profile.conditions, start=1):
        if condition in known:
            continue
        close = difflib.get_close_matches(condition, known, n=1, cutoff=_NEAR_MISS)
        if close:
            faults.append(Fault(file, f"key conditions[{index}]",
                                f"unknown condition {condition!r} (did you mean {close[0]!r}?)"
                                "; a misspelt condition would skip a safety rule"))
    if faults:
        raise InputError(faults)


def _clamped(profile: Profile, safety: Safety, file: str) -> Profile:
    ceiling = safety.ceiling.default_mg_per_day
    own = profile.max_elemental_mg
    if own is not None and own > ceiling:
        warnings.warn(f"{file}: key max_elemental_mg: {own:g} mg/day is above the safety "
                      f"ceiling ({ceiling:g} mg/day, {safety.ceiling.source}); using "
                      f"{ceiling:g}", ProfileWarning, stacklevel=3)
    return profile.model_copy(update={"max_elemental_mg": profile.ceiling_mg(safety)})
