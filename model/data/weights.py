"""The utility weights of the decision: the complaint's defaults and the person's own.

Default utility weights by complaint (:data:`COMPLAINT_WEIGHTS`): the outcome that is the
person's main complaint counts twice (2.0); sleep quality, the global judgement of a night,
counts 1.0 for everyone; morning freshness counts 0.5 because it largely repeats quality (1.0
for night waking, whose cost is felt in the morning); the remaining outcomes count 0.5 or 1.0
by how close they are to the complaint. ``racing_thoughts`` splits its weight between sleep
onset and anxiety (1.5 each): racing thoughts at bedtime are both. Each weight multiplies an
outcome's gain in units of its minimal important difference, so the weights compare MCIDs.

Explicit ``[weights]`` replace the defaults outcome by outcome, and are relative
(:func:`relative`): the weights are then rescaled to the total of the complaint's defaults.
GI nights (``DecisionSettings.gi_weight``), the cost of a change and the thresholds of the
choice are in the same utility units, so weights written on a 0-10 scale (``sol = 10``) would
otherwise make loose stools and a change count a tenth as much as ``sol = 1`` does (an
outside audit: the same preference gave another form). Each weight is a number (an integer
or a decimal; not ``true``, not text): an unknown key is refused with the names allowed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from model.core.outcomes import OUTCOMES, SLEEP_OUTCOMES
from model.evidence.reading import hint

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


class Weights(BaseModel):
    """Explicit utility weights; an outcome left out keeps its complaint default.

    Strict numbers: ``anxiety = true`` was read as 1, ``anxiety = "1e2"`` as 100.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    sol: float | None = Field(default=None, ge=0, le=100, strict=True)
    awakenings: float | None = Field(default=None, ge=0, le=100, strict=True)
    quality: float | None = Field(default=None, ge=0, le=100, strict=True)
    freshness: float | None = Field(default=None, ge=0, le=100, strict=True)
    anxiety: float | None = Field(default=None, ge=0, le=100, strict=True)

    @model_validator(mode="before")
    @classmethod
    def _known_keys(cls, data: Any) -> Any:
        """Refuse an unknown key, naming the outcomes that take a weight (``gi`` does not)."""
        names = tuple(cls.model_fields)
        unknown = [k for k in data if k not in names] if isinstance(data, dict) else []
        if unknown:
            raise ValidationError.from_exception_data(cls.__name__, [InitErrorDetails(
                type=PydanticCustomError("unknown_weight", "{message}", {
                    "message": f"unknown key {key!r}{hint(str(key), names)}; the outcomes "
                               f"that take a weight are {', '.join(names)} (GI nights count "
                               "with a fixed weight of their own)"}),
                loc=(key,), input=data[key]) for key in unknown])
        return data

    @model_validator(mode="after")
    def _something_counts(self) -> Weights:
        given = self.model_dump()
        if all(v == 0 for v in given.values()):
            raise ValueError("every outcome's weight is 0, so no magnesium could do any good: "
                             "give the outcomes you care about a weight above 0")
        return self


def relative(defaults: Mapping[str, float], explicit: Mapping[str, float]) -> dict[str, float]:
    """The weights of a person: ``explicit`` replaces ``defaults`` outcome by outcome, rescaled.

    The result sums to the defaults' total, so that only the weights' ratios count: ``sol = 1``
    and ``sol = 10`` (the rest 0) are the same preference and give the same weights (and the
    same decision). The defaults alone come back unchanged.

    Parameters
    ----------
    defaults : mapping of str to float
        The complaint's weights (:data:`COMPLAINT_WEIGHTS`), every outcome.
    explicit : mapping of str to float
        The person's ``[weights]`` (a subset of the outcomes; not all 0 when all are given).

    Returns
    -------
    dict of str to float
        In the order of ``defaults``.

    """
    merged = dict(defaults) | dict(explicit)
    scale = sum(defaults.values()) / sum(merged.values())
    return {outcome: weight * scale for outcome, weight in merged.items()}


def heaviest_first(weights: Mapping[str, float]) -> list[str]:
    """The weighted outcomes, heaviest first (equal weights keep the order of ``weights``).

    The order every list of outcomes follows for the person: what to write down, the expected
    changes, the effects tried (an outside audit: anxiety came fifth for a person whose
    complaint it was).
    """
    return sorted(weights, key=lambda o: -weights[o])


def counting_most(weights: Mapping[str, float]) -> list[str]:
    """The outcomes weighing at least half the heaviest (and more than 0), heaviest first.

    Those a person is asked to write down outright, and warned of when the diary has none of
    them (:func:`model.decision.rules.current_warnings`).
    """
    half = max(weights.values(), default=0.0) / 2
    return [o for o in heaviest_first(weights) if weights[o] >= half and weights[o] > 0]


def outcome_order(weights: Mapping[str, float]) -> list[str]:
    """Every outcome in the order the person's lists give them: heaviest weight first.

    The sleep outcomes by :func:`heaviest_first` (ties in
    :data:`~model.core.outcomes.OUTCOMES` order), GI last as it always stood (it is no
    outcome of a person's weights). Falling asleep came first in every list, fifth of six
    the evening anxiety that was the person's complaint (an outside audit).
    """
    sleep = heaviest_first({o: weights.get(o, 0.0) for o in SLEEP_OUTCOMES})
    return [*sleep, *(o for o in OUTCOMES if o not in sleep)]
