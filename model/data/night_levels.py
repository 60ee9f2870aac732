"""What the written nights show of an outcome before any model: its level, and a regimen's change.

The effects said to a person are magnesium's own, against placebo, after the model has set
apart expectation, drift and build-up: where the nights alone tell another story, the words
must say so (:mod:`model.report.effect_words`). A severe insomniac whose nights on glycinate
were 18 minutes slower to fall asleep than those without was told "falling asleep 33 min
faster", and an anxiety of 1.5 without magnesium, already within the 1.6 points that matter
of the scale's best, was given "by less than the 1.6 points that matters" as if the nights
had settled it (an edge-of-scale audit, /tmp/w44/C F5 and F6).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from model.core.forms import NONE, PLACEBO
from model.core.regimen import Regimen
from model.core.special import normal_quantile
from model.data.diary_columns import written_covariate
from model.data.travel_nights import travel_share

COVARIATE_WORDS = {"caffeine_late": "caffeine after 14:00", "alcohol_drinks": "alcohol",
                   "day_sleep": "a day sleep (after a night shift or a flight)",
                   "premenstrual": "the days before a period and its first two days"}
"""Each covariate of the diary in words (:data:`model.data.diary.COVARIATES`): ``premenstrual``
in words that say which nights, read after "Also fitted:" and before "on 57 % of nights on
taurate" alike (the cycle audit, /tmp/w56/cyc)."""
APART = {"caffeine_late": 0.25, "alcohol_drinks": 1.0, "day_sleep": 0.25, "premenstrual": 0.25}
"""How far a covariate's mean on a regimen's nights and on those without magnesium must be
apart to be named beside their difference (:attr:`RawNights.covariates`): a quarter of the
nights, or a drink a night."""


@dataclass(frozen=True)
class RawNights:
    """An outcome's written nights without magnesium and on one regimen, model-free.

    Parameters
    ----------
    without : float
        Mean diary value on the recorded nights without magnesium (form ``none``: placebo
        nights carry the expectation of taking something).
    on : float or None
        Mean on the regimen's recorded nights; None on too few nights on it.
    error : float or None
        Standard error of ``on - without`` (unequal variances, nights read as independent: a
        simple yardstick of the nights' noise, not the model's); None with ``on``.
    placebo : int
        Recorded nights on placebo with the outcome written (what the expectation effect is
        read from).
    covariates : tuple of str
        Each recorded covariate whose level on those nights differs by :data:`APART` or more,
        in words ("a day sleep (after a night shift or a flight) on 100 % of its nights, 42 %
        without"): a
        difference of the nights the model credits partly to it, which "the expectation effect,
        drift or build-up" left unsaid (a shift worker's audit, /tmp/w54/s S3).
    unfitted : tuple of str
        Likewise of what the model does not fit: the nights whose notes name travel
        (:func:`~model.data.travel_nights.travel_share`: "jet lag or a flight noted on 40 % of
        its nights, 0 % without", a traveller's audit, /tmp/w55/t T1).

    """

    without: float
    on: float | None = None
    error: float | None = None
    placebo: int = 0
    covariates: tuple[str, ...] = ()
    unfitted: tuple[str, ...] = ()

    def direction(self, p: float) -> int:
        """+1 or -1 when ``on - without`` is above or below zero with P >= ``p``, else 0.

        One-sided, by the normal approximation: ``p`` 0.9 is 1.28 standard errors.
        """
        if self.on is None or self.error is None:
            return 0
        change, bar = self.on - self.without, normal_quantile(p) * self.error
        return 1 if change > bar else -1 if change < -bar else 0


def raw_nights(nights: pd.DataFrame, column: str, regimen: Regimen,
               least: int) -> RawNights | None:
    """:class:`RawNights` of ``column`` for ``regimen``, or None on too few nights without.

    Parameters
    ----------
    nights : pandas.DataFrame
        The diary's nights (:attr:`model.data.diary.Diary.nights`).
    column : str
        The outcome's diary column (``sol_min``, ``gi_night``).
    regimen : Regimen
        The regimen taken (form, dose and split all match).
    least : int
        The fewest recorded nights with the outcome, without magnesium and on ``regimen``,
        to say a level (a verdict's floor: one or two nights are not a level).

    Returns
    -------
    RawNights or None

    """
    written = nights[column].notna() & nights["recorded"].astype(bool)
    without = nights.loc[written & (nights["form"] == NONE), column].astype(float)
    if len(without) < least:
        return None
    on = nights.loc[written & (nights["form"] == regimen.form)
                    & (nights["elemental_mg"] == regimen.elemental_mg)
                    & (nights["split"].eq(True) == regimen.split), column].astype(float)
    placebo = int((written & (nights["form"] == PLACEBO)).sum())
    if len(on) < least:
        return RawNights(float(without.mean()), placebo=placebo)
    error = math.sqrt(on.var() / len(on) + without.var() / len(without))
    return RawNights(float(without.mean()), float(on.mean()), error, placebo,
                     _covariates(nights, without.index, on.index),
                     travel_share(nights, without.index, on.index))


def _covariates(nights: pd.DataFrame, without: pd.Index, on: pd.Index) -> tuple[str, ...]:
    """:attr:`RawNights.covariates` of the nights ``on`` a regimen and ``without`` magnesium.

    A blank ``day_sleep`` among written ones is none (:data:`model.data.diary_columns.MARKED_ONLY`);
    another covariate's blanks are left out; ``premenstrual`` is derived
    (:func:`~model.data.diary_columns.written_covariate`).
    """
    said = []
    for column, apart in APART.items():
        values = written_covariate(nights, column)
        if not values.notna().any():
            continue
        level = {side: values.reindex(index).mean() for side, index in (("on", on),
                                                                          ("off", without))}
        if not abs(level["on"] - level["off"]) >= apart:   # NaN (none written): not apart
            continue
        said.append(f"{COVARIATE_WORDS[column]} {level['on']:.1f} drinks a night on it, "
                    f"{level['off']:.1f} without" if column == "alcohol_drinks" else
                    f"{COVARIATE_WORDS[column]} on {100 * level['on']:.0f} % of its nights, "
                    f"{100 * level['off']:.0f} % without")
    return tuple(said)
