"""One evidence entry of the priors' files (``[[studies]]``, ``[[excluded]]``) and its grades.

A :class:`Study` is checked on its own: its outcome, the result keys its measure uses (a key
it does not use is refused, never ignored), plausible doses (a daily dose in milligrams, not
grams; one intake no larger than the day's), a claim without human outcome data graded "low"
at most. Its certainty counts as written, one grade lower when indirect
(:attr:`Study.effective_certainty`); a claim's label is "very low" whatever its grade.
"""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import Field, model_validator

from model.core.outcomes import OUTCOMES
from model.evidence.reading import hint
from model.evidence.strict import Strict as _Strict
from model.evidence.strict import Text

CERTAINTIES: tuple[str, ...] = ("high", "moderate", "low", "very low")
"""GRADE-like certainty labels, strongest first."""

Certainty = Literal["high", "moderate", "low", "very low"]
EXPERT_KINDS = frozenset({"mechanistic", "preclinical", "marketing", "expert"})
"""Kinds of claims without human outcome data: graded "low" at most, labelled "very low"."""


def least_smd_se(n: int, crossover: bool) -> float:
    """The smallest SE a standardised mean difference from ``n`` participants can have.

    Two parallel groups of ``n`` in all give at least ``2 / sqrt(n)``; an analysis adjusted
    for the baseline can take a half off that (a baseline correlation near 0.87), and a
    crossover (``design`` naming one) a within-person correlation up to 0.9, ``sqrt(0.2 /
    n)``. Below these bounds the SE cannot be right for its ``n``: an SE of 0.0116 for 300
    participants (two parallel groups give 0.115) made a new trial outweigh all the rest.
    """
    return (0.2 / n) ** 0.5 if crossover else 1 / n ** 0.5


LEAST_DOSE_MG = 10.0
"""The least plausible daily (or single) elemental dose of an entry, in mg: below it the dose
was most likely written in grams (``dose_mg = 0.32`` for 320 mg), which would scale the
entry's effect and its SE to the reference dose by a factor of hundreds: its weight would
all but vanish, without a word."""


def lower_grade(grade: str, steps: int = 1) -> Certainty:
    """The certainty ``steps`` grades below ``grade`` (never below "very low")."""
    index = min(CERTAINTIES.index(grade) + steps, len(CERTAINTIES) - 1)
    return get_args(Certainty)[index]


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

    @model_validator(mode="after")
    def _plausible_doses(self) -> Study:
        """Doses in milligrams (not grams) and one intake no larger than the day's dose."""
        for key in ("dose_mg", "single_dose_mg"):
            dose = getattr(self, key)
            if dose is not None and dose < LEAST_DOSE_MG:
                raise ValueError(f"key {key} = {dose:g}: below {LEAST_DOSE_MG:g} mg elemental "
                                 f"magnesium; doses are in mg, not grams ({dose:g} g = "
                                 f"{dose * 1000:g} mg?)")
        if self.single_dose_mg is not None and self.dose_mg is not None \
                and self.single_dose_mg > self.dose_mg:
            raise ValueError(f"key single_dose_mg = {self.single_dose_mg:g} exceeds dose_mg = "
                             f"{self.dose_mg:g}: one intake cannot be more than the day's dose")
        return self

    @model_validator(mode="after")
    def _possible_se(self) -> Study:
        """An SMD's SE no smaller than its ``n`` allows (:func:`least_smd_se`)."""
        if self.measure == "smd_benefit" and self.n is not None and self.se is not None:
            least = least_smd_se(self.n, "crossover" in self.design.lower())
            if self.se < least:
                raise ValueError(
                    f"key se = {self.se:g}: below what n = {self.n} allows for an SMD "
                    f"(at least {least:.3g}; two parallel groups give about "
                    f"{2 / self.n ** 0.5:.3g}): check the SE (from a 95 % CI it is (upper - "
                    "lower) / 3.92) and n")
        return self

    @property
    def effective_certainty(self) -> Certainty:
        """The grade the entry counts with (GRADE): its own, one lower when it is indirect."""
        return self.certainty if self.indirectness is None else lower_grade(self.certainty)

    @model_validator(mode="after")
    def _claims_graded_low(self) -> Study:
        """A claim without human outcome data is graded "low" at most (:data:`EXPERT_KINDS`).

        It is discounted by its grade: written "high" (a marketing claim of -3 log odds, se
        0.1) it moved a GI prior by 1.6 SMD while its label said "very low".
        """
        if self.is_expert and self.certainty in ("high", "moderate"):
            raise ValueError(f"certainty {self.certainty!r} for a claim without human outcome "
                             f"data (kind {self.kind!r}): grade it 'low' or 'very low', or "
                             "encode the human study it rests on")
        return self

    @property
    def is_expert(self) -> bool:
        """True for claims without human outcome data (mechanistic, preclinical, marketing)."""
        return self.kind in EXPERT_KINDS


class Excluded(_Strict):
    """A source that was read and deliberately not encoded."""

    id: Text
    reason: Text
