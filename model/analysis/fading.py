"""A fading effect: were the nights of a long run of one regimen better early than lately.

The model holds magnesium's effect steady once built up (first-order kinetics, one time
constant): a benefit that fades with use (tolerance) is absorbed by the diary's drift, and
the report said nothing. A sleep scientist's audit (/tmp/w45/A F2): full benefit by night 7,
gone by night 35 of 56 on glycinate; observed sleep onset 26, then 14, then 25 min, and the
tool gave "falling asleep 3 min faster" with no word that the nights had changed.

The check (:func:`fading`) is cheap and model-free, no new fit. On the longest run of one
magnesium regimen of at least :data:`LEAST_RUN` nights, its first ``build_up`` nights are set
aside (the effect is still building then: its early nights would be worse, not better); the
rest is cut in an early and a late half. Each night's weighted sleep outcomes are put on one
score (each outcome in standard deviations of its nights on the run, the better direction
positive, weighted by the person's weights), and the early half must be better than the late
half by :data:`THRESHOLD` standard errors of the difference (Welch's, inflated for the
nights' lag-1 autocorrelation: consecutive nights are not independent). One-sided: a late
half better than the early one is a build-up or a good stretch, not a fading effect. A slow
drift for the worse fires it too, which the words say (:meth:`Fading.words`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from model.core.change_words import WORDS, number
from model.core.outcomes import SLEEP_OUTCOMES, SPECS
from model.core.regimen import Regimen
from model.decision.history import night_regimens
from model.decision.judged_nights import left_out
from model.decision.settings import DecisionSettings

LEAST_RUN = 28
"""The fewest nights in a run of one regimen to check: four weeks, two halves of two weeks
after the build-up is set aside."""

LEAST_HALF = 7
"""The fewest written nights in each half: a week."""

THRESHOLD = 3.0
"""Standard errors by which the early half must be better. Under no fading the one-sided
chance of passing it is about 0.1-0.3 % for independent nights; the autocorrelation
inflation keeps it near that for correlated ones (tests/test_build_up_audit.py measures it on
steady and no-effect diaries)."""

MOST_AUTOCORRELATION = 0.6
"""The largest lag-1 autocorrelation read from the nights (a short run's estimate is noisy)."""


@dataclass(frozen=True)
class Fading:
    """An early part of a run better than its late part (:func:`fading` finds it).

    Attributes
    ----------
    regimen : Regimen
        The regimen of the run.
    early, late : tuple of (int, int)
        The nights of each half, counted from the run's first night (1).
    outcome : str
        The weighted outcome whose halves differ most (in weighted standard deviations).
    early_mean, late_mean : float
        That outcome's mean in each half, diary units.
    z : float
        The score's difference in standard errors (at least :data:`THRESHOLD`).
    """

    regimen: Regimen
    early: tuple[int, int]
    late: tuple[int, int]
    outcome: str
    early_mean: float
    late_mean: float
    z: float

    def to_dict(self) -> dict[str, object]:
        """The ``fading`` object of the ``analyze`` JSON, with its :meth:`words`."""
        return {"form": self.regimen.form, "elemental_mg_per_day": self.regimen.elemental_mg,
                "split": self.regimen.split, "outcome": self.outcome,
                "early_nights": list(self.early), "late_nights": list(self.late),
                "early_mean": self.early_mean, "late_mean": self.late_mean, "z": self.z,
                "words": self.words()}

    def words(self) -> str:
        """The warning, once: what the nights show, what the model cannot tell, what would.

        Said beside the advice's why (:func:`model.report.headline.headline`), where "looks
        to help you (P(better than stopping) 0.94)" stood above a warning printed after the
        effects (an outside audit, /tmp/w50/b F-12): the chances of the regimen are the
        steady effect's too, and a break from it is the test that tells.
        """
        unit = WORDS[self.outcome][3]
        name = "time to fall asleep" if self.outcome == "sol" else WORDS[self.outcome][0]
        return (f"Your nights on {self.regimen.words} were better in its first weeks than "
                f"lately ({name} averaged {number(self.early_mean, self.outcome)} {unit} on "
                f"nights {self.early[0]}-{self.early[1]} on it and "
                f"{number(self.late_mean, self.outcome)} {unit} on nights {self.late[0]}-"
                f"{self.late[1]}): the model assumes a steady effect and cannot tell a fading "
                "effect (tolerance) from drift, so its effect lines, and the chances said of "
                "it, may understate what it did at first and overstate what it does now; nights "
                "without it would show what it does now.")


def _longest_run(regimens: list[Regimen]) -> tuple[int, int] | None:
    """The ``(start, end)`` of the longest run of one magnesium regimen, the latest if tied."""
    best: tuple[int, int] | None = None
    start = 0
    for i in range(1, len(regimens) + 1):
        if i == len(regimens) or regimens[i] != regimens[start]:
            if regimens[start].active and (best is None or i - start >= best[1] - best[0]):
                best = (start, i)
            start = i
    return best


def _scores(run: pd.DataFrame, weights: Mapping[str, float]) -> tuple[pd.Series, list[str]]:
    """Each night's weighted score (better positive, SD units) and the outcomes in it."""
    used = [o for o in SLEEP_OUTCOMES if weights.get(o, 0.0) > 0
            and run[SPECS[o].column].notna().sum() >= 2 * LEAST_HALF
            and float(run[SPECS[o].column].std()) > 0]
    parts = pd.DataFrame({o: SPECS[o].sign * (run[SPECS[o].column] - run[SPECS[o].column].mean())
                          / run[SPECS[o].column].std() * weights[o] for o in used})
    present = pd.DataFrame({o: run[SPECS[o].column].notna() * weights[o] for o in used})
    return parts.sum(axis=1, min_count=1) / present.sum(axis=1).replace(0, np.nan), used


def _autocorrelation(halves: tuple[pd.Series, pd.Series]) -> float:
    """Lag-1 autocorrelation of the nights about their half's mean, within [0, most]."""
    resid = pd.concat([h - h.mean() for h in halves])
    r = resid.autocorr(lag=1) if resid.count() > 2 else 0.0
    return float(min(max(r if math.isfinite(r) else 0.0, 0.0), MOST_AUTOCORRELATION))


def fading(nights: pd.DataFrame, weights: Mapping[str, float],
           build_up: int = DecisionSettings.floor_nights) -> Fading | None:
    """The fading of the longest run of one magnesium regimen, or None (see the module).

    Parameters
    ----------
    nights : pandas.DataFrame
        The diary's nights (:attr:`model.data.diary.Diary.nights`).
    weights : mapping of str to float
        The person's outcome weights (:meth:`~model.data.profile.Profile.outcome_weights`).
    build_up : int
        The run's first nights set aside as the effect's build-up: by default the shortest
        evaluation period (``floor_nights``). Setting aside too few only makes the check
        more cautious (a build-up's early nights are worse, not better).

    Returns
    -------
    Fading or None
        None when no run is long enough or the early half is not surely better.
    """
    regimens = night_regimens(nights)
    span = _longest_run(regimens)
    if span is None or span[1] - span[0] < LEAST_RUN:
        return None
    run = nights.iloc[span[0]:span[1]].reset_index(drop=True)
    run = run.where(run["recorded"].astype(bool) & ~left_out(run), axis=0)
    rest = run.iloc[build_up:]
    cut = build_up + len(rest) // 2
    score, used = _scores(rest, weights)
    halves = (score.loc[:cut - 1].dropna(), score.loc[cut:].dropna())
    if not used or min(len(h) for h in halves) < LEAST_HALF:
        return None
    r = _autocorrelation(halves)
    error = math.sqrt(sum(h.var() / len(h) for h in halves) * (1 + r) / (1 - r))
    z = float(halves[0].mean() - halves[1].mean()) / error if error > 0 else 0.0
    if z < THRESHOLD:
        return None
    means = {o: (float(rest.loc[:cut - 1, SPECS[o].column].mean()),
                 float(rest.loc[cut:, SPECS[o].column].mean())) for o in used}
    outcome = max(used, key=lambda o: weights[o] * SPECS[o].sign * (means[o][0] - means[o][1])
                  / float(rest[SPECS[o].column].std()))
    return Fading(regimens[span[0]], (build_up + 1, cut), (cut + 1, len(run)), outcome,
                  *means[outcome], z)
