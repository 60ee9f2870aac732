"""Whether a diary can tell magnesium from expectation and drift.

A before/after diary (nights without anything, then nights on magnesium) cannot: taking
something helps in this field whatever it is (placebo arms improve as much as magnesium arms),
and a diary started in a bad patch improves on its own. Only nights that break the link do: a
**withdrawal** (stopping after a run on magnesium, long enough for its effect to fade) or
**placebo** nights. :func:`separability` says whether a diary has them, and how entangled the
posterior still is (the correlation between a tried form's effect and the expectation effect).
The decision uses the flag to propose a withdrawal or a blinded placebo period.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np

from model.core.forms import FORMS, PLACEBO
from model.core.outcomes import OUTCOMES, SLEEP_OUTCOMES
from model.data.diary import Diary

MIN_ON_NIGHTS = 14
"""A withdrawal counts after at least this many nights on magnesium with a row (a dose written
down, not a gap's guess)..."""
MIN_OFF_NIGHTS = 7
"""...followed by at least this many nights off it (not placebo) that were observed: a row
with an outcome. A gap's nights, or rows holding only a date, taken as off because the dose
changed across them, separate nothing (an outside audit: 17 such nights made a
"withdrawal")."""
MIN_PLACEBO_NIGHTS = 7
"""Placebo nights that separate expectation from magnesium."""
ENTANGLED = -0.5
"""A posterior correlation of effect and expectation below this is reported as entangled."""


@dataclass(frozen=True)
class Separability:
    """Whether a diary separates magnesium from expectation and drift, and why (not).

    Attributes
    ----------
    separable : bool
        True when the diary has a withdrawal or enough placebo nights.
    withdrawals : int
        Runs of >= :data:`MIN_ON_NIGHTS` nights on magnesium followed by >=
        :data:`MIN_OFF_NIGHTS` observed nights off it (see those for the nights counted).
    placebo_nights : int
        Nights on placebo.
    switch_ons : int
        Times magnesium was started after nights observed without it.
    correlation : float or None
        Most negative posterior correlation between a tried form's sleep-onset effect and
        the expectation effect (None without draws or without a tried form).
    reasons : tuple of str
        Plain-language reasons, for people.
    """

    separable: bool
    withdrawals: int
    placebo_nights: int
    switch_ons: int
    correlation: float | None
    reasons: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (the ``separability`` object of the ``analyze`` JSON)."""
        return {"separable": self.separable, "withdrawals": self.withdrawals,
                "placebo_nights": self.placebo_nights, "switch_ons": self.switch_ons,
                "correlation": self.correlation, "reasons": list(self.reasons)}


def _runs(on: np.ndarray, counted: np.ndarray) -> list[tuple[bool, int]]:
    """Consecutive runs of ``on`` as (value, how many of their nights are ``counted``)."""
    runs: list[tuple[bool, int]] = []
    for value, count in zip(on, counted, strict=True):
        if runs and runs[-1][0] == bool(value):
            runs[-1] = (runs[-1][0], runs[-1][1] + int(count))
        else:
            runs.append((bool(value), int(count)))
    return runs


def _correlation(draws: Mapping[str, np.ndarray], tried: list[str]) -> float | None:
    """Most negative correlation of a tried form's SOL effect with the SOL expectation."""
    if not tried or "theta" not in draws or "expectation" not in draws:
        return None
    sol = OUTCOMES.index("sol")
    expectation = draws["expectation"][:, SLEEP_OUTCOMES.index("sol")]
    values = [np.corrcoef(draws["theta"][:, FORMS.index(f), sol], expectation)[0, 1]
              for f in tried]
    return float(np.nanmin(values))


def separability(diary: Diary, draws: Mapping[str, np.ndarray] | None = None) -> Separability:
    """Say whether ``diary`` separates magnesium from expectation and drift.

    Parameters
    ----------
    diary : Diary
        The person's diary.
    draws : mapping, optional
        Flattened posterior draws (``theta``, ``expectation``) of a fit of it, for the
        correlation.
    """
    nights = diary.nights
    active = (nights["form"].isin(FORMS) & (nights["elemental_mg"] > 0)).to_numpy()
    placebo = int((nights["form"] == PLACEBO).sum())
    counted = np.where(active, nights["recorded"].to_numpy(bool),
                       (nights["recorded"] & diary.has_outcome).to_numpy(bool))
    runs = _runs(active, counted)
    switch_ons = sum(1 for (off, m), (on, _) in pairwise(runs) if on and not off and m)
    withdrawals = sum(1 for (on, n), (off, m) in pairwise(runs)
                      if on and n >= MIN_ON_NIGHTS and not off and m >= MIN_OFF_NIGHTS)
    tried = [f for f in FORMS if (nights["form"] == f).any()]
    correlation = _correlation(draws or {}, tried)
    separable = withdrawals > 0 or placebo >= MIN_PLACEBO_NIGHTS
    reasons: list[str] = []
    if not tried:
        reasons.append("no magnesium taken yet")
    elif not separable:
        reasons.append(f"no withdrawal ({MIN_OFF_NIGHTS}+ nights off after "
                       f"{MIN_ON_NIGHTS}+ on) and fewer than {MIN_PLACEBO_NIGHTS} placebo "
                       "nights: a change on magnesium, better or worse, may be expectation or "
                       "a patch of nights passing")
    if correlation is not None and correlation < ENTANGLED:
        reasons.append(f"the magnesium and expectation effects are still entangled in the "
                       f"posterior (correlation {correlation:.2f})")
    return Separability(separable and bool(tried), withdrawals, placebo, switch_ons,
                        correlation, tuple(reasons))
