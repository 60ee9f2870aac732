"""What a diary's nights say of loose stools: the GI facts of :mod:`model.decision.history`.

Each night's GI record (1, 0 or NaN: none) read with its regimen: the GI nights of the last
days on the magnesium being taken, the person's own rate without magnesium, and the regimens
that gave GI nights on several nights in a short window and have not been taken without them
for long since (:func:`gi_troubled_regimens`); and whether a regimen's GI nights came late
(:func:`late_gi`). Nights the diary's ``exclude`` column marks count here as any
other (their stool record is kept), but those it marks for a menstrual period
(``exclude = period``, up to 7 in a row and 7 in any 21: :mod:`model.data.period_nights`),
whose stool/GI record the diary reads as not recorded, on and off magnesium alike
(:func:`model.data.life_events.leave_out`): their gut trouble is the period's, neither the
regimen's nor the person's rate without magnesium.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import hypergeom

from model.core.forms import PLACEBO
from model.core.regimen import Regimen
from model.data.cycle_nights import rules_gi_aside
from model.data.diary import LOOSE_BRISTOL
from model.decision.settings import DecisionSettings


def recent_gi(regimens: list[Regimen], gi: np.ndarray, taking: Regimen, window: int) -> int:
    """GI nights of the last ``window`` nights on ``taking``, or without magnesium after it."""
    if not taking.active:
        return 0
    last = max(i for i, r in enumerate(regimens) if r == taking)
    return sum(int(gi[i]) for i in range(max(0, len(regimens) - window), len(regimens))
               if regimens[i] == taking or (i > last and not regimens[i].active
                                            and regimens[i].form != PLACEBO))


BACKGROUND_NIGHTS = 14
"""Nights without magnesium with a GI record from which a person's own GI rate counts."""


def background_gi(off: np.ndarray) -> float:
    """The share of GI nights among the nights without magnesium with a record.

    ``off``: 1, 0 or NaN (no record) per night; 0 on fewer than :data:`BACKGROUND_NIGHTS`
    records.
    """
    recorded = off[np.isfinite(off)]
    return float(recorded.mean()) if recorded.size >= BACKGROUND_NIGHTS else 0.0


TROUBLE_OVER_NIGHTS = 28
"""Nights on a regimen in a row with a GI record, none a GI night, after which GI trouble it
gave before them is over (:func:`gi_troubled_regimens`).

Two default evaluation periods (``min_nights`` 14), and the longest one (``max_period_nights``):
any regimen has then been taken for a period without trouble. At a steady rate of one GI night
in ten, 28 clean nights in a row come about once in twenty (0.9 ** 28 = 0.05); at the rate at
which the acute rule (2 GI nights within 7) fires about every other week (one night in four),
fewer than once in a thousand. An outside audit (/tmp/w50/b F-4): two upset-stomach nights six
days apart in September, then two months on taurate 300 mg without one, kept "it gave you
loose stools" for ever, and after a break of the person's own a return to taurate 300 mg (P
0.9995 better than staying off) waited while threonate 300 mg was advised."""

def rules_gi_nights(nights: pd.DataFrame) -> np.ndarray:
    """Each night's GI record as the GI rules read it: 1, 0 or NaN, a period's set aside.

    A period's first day's and the next's (:func:`~model.data.cycle_nights.rules_gi_aside`: an
    outside audit, /tmp/w56/m M1, and its second round) is NaN: no record.
    """
    return np.where(rules_gi_aside(nights), np.nan, nights["gi_night"].to_numpy(float))


LOOSE_STOOLS, UPSET_STOMACH, STOMACH_TROUBLE = "loose stools", "an upset stomach", "stomach trouble"
"""What a regimen's GI nights were, in words: all loose stools, all upset stomachs, or both."""


def loose_nights(nights: pd.DataFrame, gi: np.ndarray) -> np.ndarray:
    """Per night, whether its GI night (``gi``: 1, 0 or NaN) was one of loose stools.

    A GI night without an upset stomach recorded (``gi_upset`` 1) is one of loose stools (only
    the stool form makes it one); one with it, when its stool form is at least
    :data:`~model.data.diary.LOOSE_BRISTOL` (a priors folder may only lower the threshold). A
    frame without those columns: every GI night.
    """
    def column(name: str) -> np.ndarray:
        return nights.get(name, pd.Series(np.nan, index=nights.index)).to_numpy(float)

    return (gi == 1) & ((column("gi_upset") != 1) | (column("stool_bristol") >= LOOSE_BRISTOL))


def gi_troubled_regimens(regimens: Sequence[Regimen], gi: np.ndarray, loose: np.ndarray,
                         window: int, acute_nights: int) -> dict[Regimen, str]:
    """The magnesium regimens whose GI trouble is not over, with what it was in words.

    Troubled: ``acute_nights`` GI nights within ``window`` nights on the regimen (``gi``: 1, 0
    or NaN per night; ``loose``: :func:`loose_nights`), unless :data:`TROUBLE_OVER_NIGHTS`
    nights on it in a row with a GI record and no GI night came after the last such cluster
    (nights of other regimens, and nights on it without a record, between them neither count
    nor end the run). Its words are the cluster's nights': :data:`LOOSE_STOOLS` when all were
    loose stools, :data:`UPSET_STOMACH` when none was, else :data:`STOMACH_TROUBLE`.
    """
    troubled = {}
    for regimen in dict.fromkeys(r for r in regimens if r.active):
        on = np.flatnonzero([r == regimen for r in regimens])
        cluster = _last_cluster(on[gi[on] == 1], window, acute_nights)
        if cluster is None:
            continue
        after = gi[on[on > cluster[-1]]]
        if _longest_clean(after[np.isfinite(after)]) >= TROUBLE_OVER_NIGHTS:
            continue
        kinds = set(loose[cluster].tolist())
        troubled[regimen] = (STOMACH_TROUBLE if len(kinds) > 1 else
                             LOOSE_STOOLS if kinds == {True} else UPSET_STOMACH)
    return troubled


def _last_cluster(bad: np.ndarray, window: int, acute_nights: int) -> np.ndarray | None:
    """The last ``acute_nights`` or more of the nights ``bad`` within ``window`` nights; None."""
    for last in bad[::-1]:
        cluster = bad[(bad > last - window) & (bad <= last)]
        if cluster.size >= acute_nights:
            return cluster
    return None


def _longest_clean(recorded: np.ndarray) -> int:
    """The most nights in a row without a GI night among ``recorded`` (1 or 0 each)."""
    run = longest = 0
    for night in recorded:
        run = 0 if night else run + 1
        longest = max(longest, run)
    return longest


LATE_P = 0.05
"""The chance, were a regimen's GI nights spread at random over its nights, of a run of its
last nights as rich in them as the diary's, under which they are said to have come late."""

REORDERINGS = 999
"""Random orders of a regimen's nights that give that chance (:func:`late_gi`); drawn with a
fixed seed, so that the answer depends on the diary alone."""

LATE_SPAN = 120
"""The last nights on a regimen (with a GI record) that :func:`late_gi` reads: about four
months, for a bounded cost (the scan of a year of nights took 1.6 s)."""


@dataclass(frozen=True)
class LateGI:
    """The GI nights of a regimen's last nights on it, against all its nights.

    Parameters
    ----------
    recent : int
        GI nights among the last :attr:`window` nights on the regimen with a GI record.
    window : int
        Those last nights: of all runs of last nights (from ``gi_window`` nights to all but
        ``gi_window``), the one whose GI nights are the least likely under a steady rate.
    total : int
        GI nights among its nights with a GI record (its last :data:`LATE_SPAN`).
    nights : int
        Those nights (more than twice ``gi_window``).
    usual : float
        The share of GI nights on the nights without magnesium (placebo included) with a
        record; 0 without any.
    chance : float
        P(a run of last nights as unlikely) were the :attr:`total` GI nights spread at random
        over the :attr:`nights`: the scan's permutation p-value (:data:`REORDERINGS`).

    """

    recent: int
    window: int
    total: int
    nights: int
    usual: float
    chance: float

    @property
    def late(self) -> bool:
        """Whether the GI nights came late: :attr:`chance` under :data:`LATE_P`.

        Under a steady rate that is said of about one regimen in twenty, or fewer.
        """
        return self.chance < LATE_P

    def to_dict(self) -> dict[str, float | int | bool]:
        """The ``late_gi`` of a GI ``effects`` entry of the ``analyze`` JSON."""
        return {"recent": self.recent, "window": self.window, "total": self.total,
                "nights": self.nights, "usual": self.usual, "chance": self.chance,
                "late": self.late}


def _tails(orders: np.ndarray, windows: np.ndarray) -> np.ndarray:
    """Per order (row) and window: P(as many GI nights or more among its last ``window``).

    Hypergeometric: the row's GI nights put at random among its nights.
    """
    counts = np.cumsum(orders[:, ::-1], axis=1)[:, windows - 1]
    nights, total = orders.shape[1], int(orders[0].sum())
    return np.asarray(hypergeom.sf(counts - 1, nights, total, windows))


def late_gi(regimens: Sequence[Regimen], gi: np.ndarray, regimen: Regimen,
            shortest: int = DecisionSettings.gi_window) -> LateGI | None:
    """The :class:`LateGI` of ``regimen``; None on ``2 * shortest`` or fewer nights on it.

    ``gi``: 1, 0 or NaN (no record) per night of ``regimens``; ``shortest``: the acute rule's
    window, the fewest last nights, and earlier ones, compared. A sleep scientist's audit
    (/tmp/w45/A F3): loose stools from night 10 on citrate, on half the nights, read "GI
    nights: +5.7 a month (+2.2 to +9.3)", a figure that averages all 35 nights on it (the
    model's GI effect is one steady rate), while 10 of the last 25 were GI nights: gut
    trouble can start after a week or more on a form. The scan of every run of last nights,
    calibrated by reordering the nights, found such an onset about four times as often as a
    fixed window of the last 14 nights (0.85 against 0.22 for that onset, in 300 diaries of
    its kind), with about one false alarm in twenty at a steady rate.
    """
    written = np.isfinite(gi)
    on = np.array([r == regimen for r in regimens]) & written
    if on.sum() <= 2 * shortest:
        return None
    off = np.array([not r.active for r in regimens]) & written
    nights = gi[on][-LATE_SPAN:].astype(int)
    windows = np.arange(shortest, len(nights) - shortest + 1)
    seen = _tails(nights[None, :], windows)[0]
    best = int(np.argmin(seen))
    orders = np.random.default_rng(0).permuted(np.tile(nights, (REORDERINGS, 1)), axis=1)
    beaten = int((_tails(orders, windows).min(axis=1) <= seen[best]).sum())
    window = int(windows[best])
    return LateGI(int(nights[-window:].sum()), window, int(nights.sum()), len(nights),
                  float(gi[off].mean()) if off.any() else 0.0,
                  (beaten + 1) / (REORDERINGS + 1))
