"""The diary's columns: their names, the range of each numeric one, and a cell not recorded.

Out of :mod:`model.data.diary_rows` so that :mod:`model.data.column_words` (a header read by
its words) can check a header's unit and scale against them below the row reader.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from model.core.outcomes import SPECS
from model.core.regimen import LEAST_SUPPLEMENT_MG
from model.data.cycle_nights import MENSTRUATION, PREMENSTRUAL, premenstrual
from model.data.devices import DEVICE


@dataclass(frozen=True)
class ColumnRange:
    """Allowed values of a numeric column."""

    low: float
    high: float
    whole: bool = False
    unit: str = ""

    @property
    def binary(self) -> bool:
        """Whether the column holds 0 or 1, which a yes or a no also writes (:mod:`.yes_no`)."""
        return (self.low, self.high, self.whole) == (0, 1, True)

    def describe(self) -> str:
        """The allowed values in words, for a message: ``a number from 0 to 720 (minutes)``."""
        if self.binary:
            return "0 or 1" + (f" ({self.unit})" if self.unit else "")
        kind = "a whole number" if self.whole else "a number"
        return f"{kind} from {self.low:g} to {self.high:g}" + (f" ({self.unit})" if self.unit
                                                              else "")

    def accepts(self, value: float) -> bool:
        """Whether ``value`` is allowed."""
        return self.low <= value <= self.high and (not self.whole or value == round(value))


_BINARY = ColumnRange(0, 1, whole=True)


def _rating(outcome: str) -> ColumnRange:
    """A rating's diary range: the ends of its scale in :data:`model.core.outcomes.SPECS`."""
    spec = SPECS[outcome]
    return ColumnRange(spec.lowest, spec.highest, whole=True)


NUMERIC: dict[str, ColumnRange] = {
    # 0 is a night without magnesium (no form), a form's dose is from LEAST_SUPPLEMENT_MG:
    # "from 0 to 2000" alone read as at odds with the README's 1-2000 (a supplement-label
    # reader's audit, /tmp/w47/C F8)
    "elemental_mg": ColumnRange(0, 2000, unit="mg of elemental magnesium: 0 for none, at "
                                f"least {LEAST_SUPPLEMENT_MG:g} with a form"),
    "compound_mg": ColumnRange(0, 20000, unit="mg of the compound"),
    "split": _BINARY,
    "sol_min": ColumnRange(0, 720, unit="minutes"),
    "awakenings": ColumnRange(0, 50, whole=True),
    "waso_min": ColumnRange(0, 720, unit="minutes"),
    "quality": _rating("quality"),
    "freshness": _rating("freshness"),
    "anxiety": _rating("anxiety"),
    "stool_bristol": ColumnRange(1, 7, whole=True),
    "gi_upset": _BINARY,
    "caffeine_late": _BINARY,
    "alcohol_drinks": ColumnRange(0, 30, unit="drinks"),
    "day_sleep": _BINARY,
    # the days before a period are fitted from it (the cycle audit, /tmp/w56/cyc), and a
    # header "period" is read as it (model.data.column_words): a fault says which period
    MENSTRUATION: ColumnRange(0, 1, whole=True, unit="1 on a day of menstrual bleeding, 0 or "
                              "blank on another; a column period is read as menstruation, and "
                              "a trial's own periods from the column form"),
}
"""Range of each numeric diary column (the README): the one statement of the diary's limits
(720 minutes, 50 awakenings), which a simulation or a model's counts keep to."""
MARKED_ONLY: frozenset[str] = frozenset({"day_sleep", MENSTRUATION})
"""Covariates a person writes on the nights they happen: a blank cell among written ones is
none (0), not the mean of the others (:func:`model.personal.data.covariate`); a long run of
blanks is named (:func:`model.data.diary_nights.unmarked_runs`; of ``menstruation``, a cycle
with no period written: :func:`model.data.cycle_nights.missed_period_warnings`)."""
COVARIATES: tuple[str, ...] = ("caffeine_late", "alcohol_drinks", "day_sleep", PREMENSTRUAL)
"""The model's covariates, each a level shift of every sleep outcome and of GI
(:mod:`model.personal.graph`): ``day_sleep`` 1 on a day sleep after a night shift, dated by the
night the shift began; ``premenstrual`` the days before a period and its first two, derived
from the diary's ``menstruation`` (:mod:`model.data.cycle_nights`)."""
COVARIATE_COLUMNS: tuple[str, ...] = tuple(MENSTRUATION if c == PREMENSTRUAL else c
                                           for c in COVARIATES)
"""The diary column each covariate is read from: its own, or the cells it is derived from."""


def written_covariate(nights: pd.DataFrame, column: str) -> pd.Series:
    """A covariate's values by night, a blank of a :data:`MARKED_ONLY` one 0 once it has a value.

    NaN where not written otherwise, and on every night of a column the diary lacks: the one
    reading of the covariates' blanks that the model, its cautions and its words share.
    ``premenstrual`` is derived from the nights' ``menstruation``
    (:func:`~model.data.cycle_nights.premenstrual`), here, from the nights given: a diary cut at
    a date, or the nights a fit was made from, knows no later period.
    """
    if column == PREMENSTRUAL:
        return premenstrual(nights)
    values = (nights[column].astype(float) if column in nights
              else pd.Series(math.nan, index=nights.index))
    return values.fillna(0.0) if column in MARKED_ONLY and values.notna().any() else values
OTHER_CHANGE = "other_change"
"""A text column written on the night something else changed in the person's life ("started
sertraline 50 mg", "stopped melatonin", "started CBT-I"; blank otherwise), read as ``notes``
is (:mod:`model.data.life_events`)."""
EXCLUDE = "exclude"
"""A column that leaves a night's sleep outcomes out: 1 or a word (``travel``, ``ill``);
blank or 0 keeps the night (:mod:`model.data.life_events`)."""
KNOWN_COLUMNS: tuple[str, ...] = ("date", "form", *NUMERIC, DEVICE, "notes", OTHER_CHANGE,
                                  EXCLUDE)
GUESS_COLUMN = "guess"
"""The column where a person in a blinded trial guesses the arm of a period: read by
``mgsleep unblind`` (:func:`model.trial.blinding.check_guesses`), not analysed, and no
"unknown column" for it."""
MISSING_WORDS = frozenset({"", "na", "n/a", "nan"})
"""Cell texts read as a value not recorded (any case, spaces around)."""


def is_missing(value: Any) -> bool:
    """Whether a cell is a value not recorded (None, NaN, or a word of MISSING_WORDS)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value.strip().lower() in MISSING_WORDS
