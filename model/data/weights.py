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

The complaint is read in any case (:func:`read_complaint`); weights that leave the complaint's
own outcome at 0 are said (:func:`zero_complaint`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from model.core.outcomes import OUTCOMES, SLEEP_OUTCOMES
from model.data.separators import column_key
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


def read_complaint(value: object) -> object:
    """The profile's ``complaint`` as it is matched: in any case, or refused in the file's words.

    Read as a diary column's name is (:func:`~model.data.separators.column_key`): ``"Anxiety"``
    is ``anxiety``, ``"Sleep onset"`` is ``sleep_onset``, with no warning, since nothing else
    could be meant and the pages name the complaint read ("Main complaint: evening anxiety").
    ``"anxeity"`` was refused with no "did you mean" (which ``[weights] anxeity = 2`` had: the
    same :func:`~model.evidence.reading.hint` now), a list with no word of what it was (an
    outside audit, B8).

    Raises
    ------
    ValueError
        An unknown complaint (with a "did you mean"), a list, or a value not in quotes.
    """
    complaints = tuple(COMPLAINT_WEIGHTS)
    said = ", ".join(complaints)
    if isinstance(value, str) and column_key(value) in complaints:
        return column_key(value)
    if isinstance(value, str):
        raise ValueError(f"unknown complaint{hint(value, complaints)}; expected one of {said}")
    if isinstance(value, list | tuple):
        raise ValueError(f"expected one complaint, not a list (got {value!r}): the one that "
                         "counts most; how much each outcome counts is set under [weights]")
    raise ValueError(f'expected the complaint in quotes, one of {said}: e.g. complaint = "anxiety"')


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
        """Refuse an unknown key, naming the outcomes that take a weight (``gi`` does not).

        ``weights = 2`` (not a table) is refused in the file's words, not pydantic's ("a valid
        dictionary or instance of Weights": an outside audit, B8).
        """
        if isinstance(data, Weights):
            return data
        if not isinstance(data, dict):
            raise ValueError("[weights] is a table: write [weights] on its own line, then e.g. "
                             "anxiety = 2")
        names = tuple(cls.model_fields)
        unknown = [k for k in data if k not in names]
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


def zero_complaint(complaint: str, weights: Weights) -> str | None:
    """Why ``weights`` leave the complaint's own outcomes at 0, or None when they do not.

    The complaint's own outcomes are its heaviest defaults (``racing_thoughts``: ``sol`` and
    ``anxiety``, so ``sol = 0`` alone leaves it counting through anxiety). ``complaint =
    "anxiety"`` with ``[weights] anxiety = 0`` was accepted without a word, the clinician page
    saying "Main complaint: evening anxiety" while it counted for nothing (an outside audit,
    B9); the weights are used, as written.

    Parameters
    ----------
    complaint : str
        A key of :data:`COMPLAINT_WEIGHTS`.
    weights : Weights
        The person's own ``[weights]``.

    Returns
    -------
    str or None
        What is wrong and how to mend it, for a warning.
    """
    defaults = COMPLAINT_WEIGHTS[complaint]
    own = [o for o, weight in defaults.items() if weight == max(defaults.values())]
    if any(weights.model_dump().get(o) != 0 for o in own):
        return None
    said = " and ".join(own)
    return (f"complaint {complaint!r}, but [weights] {' and '.join(f'{o} = 0' for o in own)} "
            f"leaves the complaint's own {said} at 0, counting for nothing in the advice (the "
            f"weights are used): give {said} a weight above 0, or name the complaint that "
            "counts most")


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
