"""How each model outcome is read from the diary and observed (family, categories, offsets)."""

from __future__ import annotations

from dataclasses import dataclass

from model.schema import OUTCOMES


@dataclass(frozen=True)
class OutcomeSpec:
    """One modelled outcome.

    Attributes
    ----------
    name : str
        Model outcome name (``sol``, ``awakenings``, ...; see :data:`model.schema.OUTCOMES`).
    column : str
        Diary column.
    family : str
        ``normal_ar1`` (log1p of minutes, AR(1) errors), ``negbin``, ``ordinal`` or
        ``bernoulli``.
    gain_key : str
        Name of the prediction in diary units (the ``expected_gain`` key of the contract).
    categories : int
        Number of ordinal categories (0 for other families).
    lowest : int
        Diary value of the lowest ordinal category.
    typical : float
        Typical diary value without magnesium; centres the intercept prior.
    """

    name: str
    column: str
    family: str
    gain_key: str
    categories: int = 0
    lowest: int = 0
    typical: float = 0.0


SPECS: dict[str, OutcomeSpec] = {
    "sol": OutcomeSpec("sol", "sol_min", "normal_ar1", "sol_min", typical=30.0),
    "awakenings": OutcomeSpec("awakenings", "awakenings", "negbin", "awakenings", typical=2.0),
    "quality": OutcomeSpec("quality", "quality", "ordinal", "quality", categories=5, lowest=1),
    "freshness": OutcomeSpec("freshness", "freshness", "ordinal", "freshness", categories=10,
                             lowest=1),
    "anxiety": OutcomeSpec("anxiety", "anxiety", "ordinal", "anxiety", categories=11, lowest=0),
    "gi": OutcomeSpec("gi", "gi_night", "bernoulli", "gi_rate", typical=0.05),
}
"""Every model outcome, keyed by name, in :data:`OUTCOMES` order."""

SLEEP_OUTCOMES: tuple[str, ...] = tuple(o for o in OUTCOMES if o != "gi")
"""Outcomes that respond with build-up kinetics (all but GI, which is acute)."""

ORDINAL: tuple[str, ...] = tuple(o for o in OUTCOMES if SPECS[o].family == "ordinal")
