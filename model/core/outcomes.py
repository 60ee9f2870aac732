"""The one outcome registry: every modelled outcome's vocabulary, read by every other module.

An outcome has a model name (``sol``, ``awakenings``, ...), the diary column it is read from, a
likelihood family, the scale its effects are expressed on, which direction is better, and how
its predictions are shown in diary units (name, unit, digits). The numbers a researcher may
change (model scales, MCIDs, baselines) live in ``priors/settings.toml``; the vocabulary lives
here, once. A ``settings.toml`` may still state ``diary_column``, ``scale`` or
``better`` (older files do): they must then agree with this registry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Family = Literal["normal_ar1", "negbin", "ordinal", "bernoulli"]
Scale = Literal["log_ratio", "log_rate_ratio", "logit_shift", "log_odds_ratio"]


@dataclass(frozen=True)
class OutcomeSpec:
    """One modelled outcome.

    Attributes
    ----------
    name : str
        Model outcome name (a key of :data:`SPECS`, a key of ``settings.toml``'s outcomes).
    column : str
        Diary column the outcome is read from (``gi_night`` is derived from ``stool_bristol``
        and ``gi_upset``).
    family : str
        ``normal_ar1`` (log1p of minutes, AR(1) errors), ``negbin``, ``ordinal`` or
        ``bernoulli``.
    scale : str
        Scale of its effects (``log_ratio``, ``log_rate_ratio``, ``logit_shift``,
        ``log_odds_ratio``).
    better : str
        ``lower`` or ``higher``: which direction of the diary value is an improvement.
    gain_key : str
        Name of the prediction in diary units (the ``expected_gain`` key of the contract).
    unit : str
        Unit of that prediction, for people.
    digits : int
        Decimal places when that prediction is shown.
    categories : int
        Number of ordinal categories (0 for other families).
    lowest : int
        Diary value of the lowest ordinal category.
    typical : float
        Typical diary value without magnesium; centres the intercept prior of a diary that
        does not show it when ``settings.toml`` gives the outcome no ``baseline``.
    """

    name: str
    column: str
    family: Family
    scale: Scale
    better: Literal["lower", "higher"]
    gain_key: str
    unit: str
    digits: int
    categories: int = 0
    lowest: int = 0
    typical: float = 0.0

    @property
    def sign(self) -> float:
        """+1 when a higher value is better, -1 when a lower one is."""
        return 1.0 if self.better == "higher" else -1.0

    @property
    def highest(self) -> int:
        """Diary value of the top ordinal category (:attr:`lowest` for other families).

        The one statement of a rating's top end: the diary's range, ``mgsleep log``'s
        questions and a header's words derive theirs (four modules said each scale's ends, and
        nothing tied them: a maintainer's review).
        """
        return self.lowest + max(self.categories - 1, 0)

    @property
    def best(self) -> float:
        """The diary value at the scale's better end: 0 minutes or awakenings, the top rating."""
        return float(self.highest if self.better == "higher" else self.lowest)

    def room(self, level: float) -> float:
        """How far ``level`` (diary units) is from :attr:`best`: the most it could improve.

        A good sleeper at 5 minutes' sleep onset, or a quality of 4.9 of 5, has less room than
        one MCID: no change could show as one that matters (an edge-of-scale audit: magnesium
        was advised to try, form after form, where nothing could be gained).
        """
        return max(0.0, self.sign * (self.best - level))


SPECS: dict[str, OutcomeSpec] = {
    "sol": OutcomeSpec("sol", "sol_min", "normal_ar1", "log_ratio", "lower", "sol_min", "min", 1,
                       typical=30.0),
    "awakenings": OutcomeSpec("awakenings", "awakenings", "negbin", "log_rate_ratio", "lower",
                              "awakenings", "per night", 2, typical=2.0),
    "quality": OutcomeSpec("quality", "quality", "ordinal", "logit_shift", "higher", "quality",
                           "points", 2, categories=5, lowest=1),
    "freshness": OutcomeSpec("freshness", "freshness", "ordinal", "logit_shift", "higher",
                             "freshness", "points", 2, categories=10, lowest=1),
    "anxiety": OutcomeSpec("anxiety", "anxiety", "ordinal", "logit_shift", "lower", "anxiety",
                           "points", 2, categories=11, lowest=0),
    "gi": OutcomeSpec("gi", "gi_night", "bernoulli", "log_odds_ratio", "lower", "gi_rate",
                      "share of nights", 3, typical=0.05),
}
"""Every model outcome, keyed by name, in display order."""

OUTCOMES: tuple[str, ...] = tuple(SPECS)
"""Model outcomes, in display order."""

SLEEP_OUTCOMES: tuple[str, ...] = tuple(o for o in OUTCOMES if o != "gi")
"""Outcomes that respond with build-up kinetics (all but GI, which is acute)."""

ORDINAL: tuple[str, ...] = tuple(o for o in OUTCOMES if SPECS[o].family == "ordinal")
"""Outcomes rated on an ordinal scale."""

DEVICE_MEASURED: tuple[str, ...] = ("sol", "awakenings")
"""Sleep outcomes a tracker measures, whose level may shift with the device that measures
them; the ratings (quality, freshness, anxiety) are the person's own, whatever device
measured the night (fitted with a shift of their own, a tracker swap moved a 730-night
diary's anxiety by +0.98 and its anxiety effect from -0.24 to -0.35)."""

GAIN_KEYS: tuple[str, ...] = tuple(SPECS[o].gain_key for o in OUTCOMES)
"""Predicted steady-state nightly values in diary units, in :data:`OUTCOMES` order."""

OUTCOME_OF_GAIN: dict[str, str] = {SPECS[o].gain_key: o for o in OUTCOMES}
"""The model outcome of each diary-unit prediction."""

_RATING_WORDS: dict[str, tuple[str, str, str]] = {
    "quality": ("sleep quality", " very poor", " very good"),
    "freshness": ("morning freshness", "", ""),
    "anxiety": ("evening anxiety", " none", " the worst"),
}
"""Each rating's name and the words after its low and high ends."""


def scale_ends(outcome: str) -> str:
    """A rating's scale from end to end: ``1 very poor to 5 very good``.

    The ends are :data:`SPECS`'s, which the diary's ranges take too: ``mgsleep log``'s
    questions, a header's words, the morning note and a clinician's table stated their own
    (a maintainer's review). Here, below pandas, for the questions every ``--help`` builds.
    """
    _, low, high = _RATING_WORDS[outcome]
    spec = SPECS[outcome]
    return f"{spec.lowest}{low} to {spec.highest}{high}"


def scale_words(outcome: str, *, brackets: bool = False) -> str:
    """A rating with the ends of its scale: ``sleep quality, 1 very poor to 5 very good``.

    ``brackets``: ``sleep quality (1 very poor to 5 very good)``, as a note asks for it.
    """
    name = _RATING_WORDS[outcome][0]
    return f"{name} ({scale_ends(outcome)})" if brackets else f"{name}, {scale_ends(outcome)}"


def scale_span(outcome: str) -> str:
    """A rating's range as a table's header gives it: ``1-5``."""
    spec = SPECS[outcome]
    return f"{spec.lowest}-{spec.highest}"


VOCABULARY_KEYS: dict[str, str] = {"diary_column": "column", "scale": "scale", "better": "better"}
"""``settings.toml`` keys that restate the registry (key -> :class:`OutcomeSpec` field)."""
