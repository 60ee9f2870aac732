"""The utility weights of the decision: the complaint's defaults and the person's own.

Default utility weights by complaint (:data:`COMPLAINT_WEIGHTS`): the outcome that is the
person's main complaint counts twice (2.0); sleep quality, the global judgement of a night,
counts 1.0 for everyone; morning freshness counts 0.5 because it largely repeats quality (1.0
for night waking, whose cost is felt in the morning); the remaining outcomes count 0.5 or 1.0
by how close they are to the complaint. ``racing_thoughts`` splits its weight between sleep
onset and anxiety (1.5 each): racing thoughts at bedtime are both. Each weight multiplies an
outcome's gain in units of its minimal important difference, so the weights compare MCIDs.

Explicit ``[weights]`` replace the defaults outcome by outcome.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field, model_validator

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
    """Explicit utility weights; an outcome left out keeps its complaint default."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sol: float | None = Field(default=None, ge=0, le=100)
    awakenings: float | None = Field(default=None, ge=0, le=100)
    quality: float | None = Field(default=None, ge=0, le=100)
    freshness: float | None = Field(default=None, ge=0, le=100)
    anxiety: float | None = Field(default=None, ge=0, le=100)

    @model_validator(mode="after")
    def _something_counts(self) -> Weights:
        given = self.model_dump()
        if all(v == 0 for v in given.values()):
            raise ValueError("every outcome's weight is 0, so no magnesium could do any good: "
                             "give the outcomes you care about a weight above 0")
        return self


def heaviest_first(weights: Mapping[str, float]) -> list[str]:
    """The weighted outcomes, heaviest first (equal weights keep the order of ``weights``).

    The order every list of outcomes follows for the person: what to write down, the expected
    changes, the effects tried (an outside audit: anxiety came fifth for a person whose
    complaint it was).
    """
    return sorted(weights, key=lambda o: -weights[o])
