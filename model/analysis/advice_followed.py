"""Advice not followed: the diary's nights since the last analysis on another regimen than it asked.

An outside audit (/tmp/w57/n N5: the as-needed and non-follower audit): not following a stop,
a withdrawal or a switch was never named. Taurate was taken on 12 of 14 nights after "Stop
taking magnesium", glycinate 7 more nights after "Switch to taurate", magnesium again 4 nights
before a break would count as a withdrawal; the line since the last analysis said "advice not
followed" only when the new advice kept another regimen. :func:`not_followed` compares every
written night since the last analysis with the regimen its advice asked for
(:attr:`~model.analysis.since_last.LastResult.advised`), whatever the step and whether or not
the advice changed since.

Nights the decision reads as skipped are not another regimen (:data:`SKIPPED_NIGHTS`): under
advice to take a magnesium regimen, a run of at most that many written nights without
magnesium (not placebo) or at another dose of its form is slips, as
:func:`~model.decision.judged_nights.run_start` joins a run across them; the decision already
says so of the last ones ("read as a night skipped"). Under advice to take none (a stop, a
withdrawal, a break kept going, staying without) every night on magnesium is one off it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from model.core.regimen import SKIPPED_NIGHTS, Regimen, skipped_of
from model.decision.history import night_regimens


@dataclass(frozen=True)
class NotFollowed:
    """The written nights since an advice that were on other regimens than it asked for.

    ``advised`` the regimen the advice asked for; ``others`` each other regimen and its
    nights, most nights first; ``written`` the nights written since, of ``nights`` since
    (written or not); ``first`` and ``last`` the first and last night off the advice.
    """

    advised: Regimen
    others: tuple[tuple[Regimen, int], ...]
    written: int
    nights: int
    first: dt.date
    last: dt.date

    def words(self) -> str:
        """``taurate 200 mg on 12 of the 14 nights since, from 2026-11-23 to 2026-12-06``."""
        since = (f"night{'s' * (self.written != 1)}"
                 f"{' written' if self.written < self.nights else ''} since")
        shown = [f"{regimen.words} on {count}" for regimen, count in self.others]
        if len(shown) == 1 and self.others[0][1] == self.written:
            said = (f"{self.others[0][0].words} on "
                    + (f"all {self.written} {since}" if self.written > 1 else f"the only {since}"))
        else:
            listed = shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} and {shown[-1]}"
            said = f"{listed} of the {self.written} {since}"
        when = (f"on {self.first.isoformat()}" if self.first == self.last
                else f"from {self.first.isoformat()} to {self.last.isoformat()}")
        return f"{said}, {when}"

    def to_dict(self) -> dict[str, Any]:
        """The JSON's ``since_last.advice_not_followed``."""
        return {"advised": _entry(self.advised), "nights_since": self.nights,
                "written": self.written,
                "regimens": [_entry(regimen) | {"nights": count}
                             for regimen, count in self.others],
                "first": self.first.isoformat(), "last": self.last.isoformat()}


def _entry(regimen: Regimen) -> dict[str, Any]:
    return {"form": regimen.form, "elemental_mg_per_day": regimen.elemental_mg,
            "split": regimen.split}


def off_advice(advised: Regimen, regimens: Sequence[Regimen],
               every_night: bool = False) -> list[bool]:
    """Per night of ``regimens`` (written nights in order), whether it is off ``advised``.

    Under a magnesium regimen, runs of at most :data:`SKIPPED_NIGHTS` nights that may be
    skipped (:func:`~model.core.regimen.skipped_of`) are not, unless the advice asked for it
    ``every_night`` (a form taken when needed: every other night passed as slips, /tmp/w57/n2
    C); under none or placebo, each night on magnesium is.
    """
    if not advised.active:
        return [night.active for night in regimens]
    off = [night != advised for night in regimens]
    if every_night:
        return off
    start = 0
    while start < len(regimens):
        end = start
        while end < len(regimens) and off[end] and skipped_of(regimens[end], advised):
            end += 1
        if start < end <= start + SKIPPED_NIGHTS:
            off[start:end] = [False] * (end - start)
        start = max(end, start + 1)
    return off


def not_followed(advised: Regimen | None, nights: pd.DataFrame, after: dt.date,
                 until: dt.date, every_night: bool = False) -> NotFollowed | None:
    """The nights of a diary after ``after`` up to ``until`` off ``advised``; None: none.

    Parameters
    ----------
    advised : Regimen or None
        The regimen the last advice asked for; None: it asked for none (a referral, a dose to
        check), and nothing is compared.
    nights : pandas.DataFrame
        The diary's nights (:attr:`~model.data.diary.Diary.nights`): only those written are
        read.
    after, until : datetime.date
        The last night of the last analysis and of this one.
    every_night : bool
        The advice asked for ``advised`` every night: no night without it is skipped
        (:func:`off_advice`).

    Returns
    -------
    NotFollowed or None
        None when every written night since kept to the advice (nights skipped aside), or
        none was written.

    """
    if advised is None or until <= after:
        return None
    window = nights.loc[(nights.index > pd.Timestamp(after))
                        & (nights.index <= pd.Timestamp(until))]
    window = window[window["recorded"].to_numpy(bool)]
    regimens = night_regimens(window)
    off = off_advice(advised, regimens, every_night)
    if not any(off):
        return None
    days = [day.date() for day, out in zip(window.index, off, strict=True) if out]
    counts = Counter(regimen for regimen, out in zip(regimens, off, strict=True) if out)
    return NotFollowed(advised, tuple(counts.most_common()), len(regimens),
                       (until - after).days, days[0], days[-1])
