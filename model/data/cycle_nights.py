"""The days before a period and its first two, from the diary's ``menstruation`` cells.

About half of the people who keep a diary menstruate, and sleep is worse in the days before a
period and its first days (the late luteal phase and menses: Baker FC, Driver HS. Circadian
rhythms, sleep, and the menstrual cycle. Sleep Med 2007;8:613-22; Van Reen E, Kiesner J.
Individual differences in self-reported difficulty sleeping across the menstrual cycle. Arch
Womens Ment Health 2016;19:599-608); loose stools are common on the first days of menses
(Bernstein MT et al. Gastrointestinal symptoms before and during menses in healthy women. BMC
Womens Health 2014;14:14). The model knew nothing of the cycle: a person who took two forms 14
nights each in turn put every premenstrual week on one of them, and was told "You leave taurate
200 mg, which looks to do you harm (P 0.92)" of a form that did nothing (the cycle audit,
/tmp/w56/cyc).

A person writes ``menstruation`` 1 on a day of bleeding (the row of the night that begins that
evening). From those cells :func:`premenstrual` derives the covariate ``premenstrual``, which
the model fits as a level shift of every sleep outcome and of GI (:mod:`model.personal.graph`),
and :func:`missed_period_warnings` names a written cycle with no period for
:data:`MISSED_NIGHTS` nights or more, :func:`spotting_warnings` a lone day of bleeding read as a
period that came too soon to be one. The GI rules set aside a period's first two days' GI nights
(:func:`rules_gi_aside`), and :func:`period_gi_warnings` says so.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd

from model.data.separators import mark_number

MENSTRUATION = "menstruation"
"""The diary column: 1 on a day of menstrual bleeding, 0 or blank on another."""
PREMENSTRUAL = "premenstrual"
"""The covariate derived from it (:func:`premenstrual`): no column of the diary."""

BETWEEN_PERIODS = 10
"""The fewest nights without a 1 between two periods: a 1 after fewer (a day without bleeding
inside a period, spotting) is the same period's."""
WINDOW = (-5, 1)
"""The nights marked ``premenstrual`` around a period's first day (0): the 5 before it, the
first day's and the next (the late luteal phase and the first days of menses, the sources
above)."""
MISSED_NIGHTS = 45
"""The nights without a period's first day from which a written cycle is named as perhaps not
written (:func:`missed_period_warnings`): past the 21-35 days of a usual cycle and its
variation, so that no ordinary gap between periods is."""
SHORTEST_CYCLE = 21
"""The fewest days from one period's first day to the next's in a usual cycle (21-35 days): a
lone day of bleeding that comes sooner is named as perhaps spotting (:func:`spotting_warnings`)."""
RECENT_NIGHTS = 28
"""The diary's last nights whose GI nights on a period's days are named
(:func:`period_gi_warnings`): one cycle, those the GI rules weigh most."""


def writes_cycle(table: pd.DataFrame) -> bool:
    """Whether a diary's ``menstruation`` column holds a 1 (its nights, or the file's text).

    A diary that writes its periods is asked for them (``mgsleep log``) and reminded of them
    (the line of what to write down every morning); a man's, or one that does not write them,
    never is (the cycle audit, /tmp/w56/cyc). A 1 written as a yes (``x``, ``yes``:
    :func:`~model.data.yes_no.yes_no`) is one, as the diary reads it (/tmp/w56/m M6).
    """
    return MENSTRUATION in table and bool(table[MENSTRUATION].map(mark_number).eq(1).any())


def first_days(cells: pd.Series) -> pd.DatetimeIndex:
    """The first day of each period the ``menstruation`` cells write, in date order.

    ``cells``: per night (indexed by its date), 1 on a day of bleeding; 0, blank or absent
    otherwise. A night marked 1 is a first day after at least :data:`BETWEEN_PERIODS` nights
    without a 1; the diary's first 1 is one unless it is on the diary's first night: a period
    under way when the diary began, whose first day is not known, so its nights are not marked
    (a first day is asserted only where the diary shows it: a wrong one would mark seven nights
    of another phase).
    """
    dates = pd.DatetimeIndex(cells.index)
    marked = dates[cells.to_numpy(float) == 1].sort_values()
    start = dates.min() if len(dates) else None
    firsts, last = [], None
    for day in marked:
        if (day != start) if last is None else (day - last).days > BETWEEN_PERIODS:
            firsts.append(day)
        last = day
    return pd.DatetimeIndex(firsts)


def premenstrual(nights: pd.DataFrame) -> pd.Series:
    """The covariate ``premenstrual`` of each night: 1 within :data:`WINDOW` of a first day.

    ``nights``: a diary's nights on its daily timeline (:attr:`model.data.diary.Diary.nights`).
    1 on the 5 nights before each first day (:func:`first_days`), on the first day's and on
    the next; 0 on every other night of a diary that writes ``menstruation``: the nights after
    the last first day whose next period is not written yet are 0, though they are unknown
    (some may be days before it: the next first day written turns them to 1, and a fit kept
    between runs weighs them anew, :mod:`model.analysis.fit_cache`). NaN on every night of a
    diary without the column or with it blank everywhere: a covariate not recorded, which the
    model reads as 0 on every night, so nothing changes for such a diary and its coefficient
    keeps its prior (:func:`model.personal.data.covariate`). It is derived from the nights
    given, so a diary cut at a date knows no later period.
    """
    cells = nights[MENSTRUATION] if MENSTRUATION in nights else None
    if cells is None or not cells.notna().any():
        return pd.Series(math.nan, index=nights.index, name=PREMENSTRUAL)
    inside = near_first_days(nights, WINDOW[0])
    return pd.Series(inside.astype(float), index=nights.index, name=PREMENSTRUAL)


def near_first_days(nights: pd.DataFrame, earliest: int) -> np.ndarray:
    """Per night, whether it is ``earliest`` to ``WINDOW[1]`` nights from a period's first day.

    The one reading of a night's place in the cycle: :func:`premenstrual` (from 5 before) and
    the GI rules' first two days (:func:`rules_gi_aside`, from 0).
    """
    firsts = first_days(nights[MENSTRUATION]).to_numpy()
    offset = ((pd.DatetimeIndex(nights.index).to_numpy()[:, None] - firsts[None, :])
              / np.timedelta64(1, "D"))
    return ((offset >= earliest) & (offset <= WINDOW[1])).any(axis=1)


def missed_period_warnings(cells: pd.Series, slept: pd.Series, name: str) -> list[str]:
    """Warnings of a written cycle with no period's first day for :data:`MISSED_NIGHTS` nights.

    ``cells``: the ``menstruation`` cell of each row (indexed by its date, in any order);
    ``slept``: per row, whether it has an outcome. A blank is no bleeding, so a diary that wrote
    its periods for a while and then no more reads the days before the later ones as ordinary
    nights. Only a diary with a 1 is read; a stretch from the diary's first night or from a
    first day (:func:`first_days`) to the next first day, or to the last night with an outcome,
    is named when it spans :data:`MISSED_NIGHTS` nights or more and a night with an outcome in
    it is blank (written 0 on each, it says that no period came). The blanks between periods of
    a usual cycle are not named: the warning that names a column's blank runs speaks of night
    shifts (:func:`model.data.diary_nights.unmarked_runs`), and a period is no rota.
    """
    cells = cells.sort_index()
    slept = slept.reindex(cells.index).fillna(False).astype(bool)
    if not (cells == 1).any() or not slept.any():
        return []
    firsts = first_days(cells)
    begins = [(cells.index.min(), "the diary's first night"),
              *((day, "a period's first day") for day in firsts)]
    stops = [*firsts, cells.index[slept.to_numpy()].max() + pd.Timedelta(days=1)]
    said = []
    for (begin, what), stop in zip(begins, stops, strict=True):
        inside = (cells.index >= begin) & (cells.index < stop) & slept.to_numpy()
        nights = (stop - begin).days
        if nights >= MISSED_NIGHTS and cells[inside].isna().any():
            said.append(
                f"{name}: no new period written in the {nights} nights from {begin.date()} "
                f"({what}) to {(stop - pd.Timedelta(days=1)).date()}: the days before a "
                "period are read as ordinary nights; write menstruation = 1 on the days you "
                "bleed, or 0 on the nights you do not, to say that no period came")
    return said


def spotting_warnings(cells: pd.Series, name: str) -> list[str]:
    """A warning of each lone day of bleeding read as a period's first day that came too soon.

    ``cells``: the ``menstruation`` cell of each row (indexed by its date, in any order). A
    first day (:func:`first_days`) with no 1 the day before or after, less than
    :data:`SHORTEST_CYCLE` days after the period before, is probably spotting, yet it moves the
    premenstrual window: one day 11 nights after a 9-day period marked 7 nights premenstrual,
    and nothing was said (an outside audit, /tmp/w56/m M4). It stays a first day (the person
    may be right) and is named once. Neither a diary's first period nor one marked on its first
    day only at a usual interval is.
    """
    cells = cells.sort_index()
    marked = set(cells.index[cells.to_numpy(float) == 1])
    firsts = first_days(cells)
    day = pd.Timedelta(days=1)
    return [f"{name}: one day of bleeding on {first.date()}, {(first - before).days} days after "
            f"the period that began {before.date()}: read as a new period's first day (the "
            "nights before it as premenstrual); if it was spotting, write 0 on it"
            for before, first in itertools.pairwise(firsts)
            if (first - before).days < SHORTEST_CYCLE and not {first - day, first + day} & marked]


def rules_gi_aside(nights: pd.DataFrame) -> np.ndarray:
    """Per night, whether the GI rules set its GI record aside as a period's first days'.

    ``nights``: a diary's nights on its daily timeline. The model fits the first two days of a
    period apart (the end of ``premenstrual``'s :data:`WINDOW`), but the GI rules (the acute
    one: 2 GI nights within 7) counted every loose night on magnesium: two loose days at the
    start of a period made "Stop taking magnesium. Why: Loose stools lately" of glycinate taken
    107 nights without gut trouble, and could every cycle (an outside audit, /tmp/w56/m M1).
    The first day of each period (:func:`first_days`) and the next have their GI record set
    aside for the rules, their sleep and GI record kept for the model; no other day of
    bleeding: set aside up to 7 of them, citrate 300 mg begun on a period's first day gave 5
    loose nights in 6 and no alert, spotting every third day set a third of the nights aside,
    and the model fits only the first two (the second round, /tmp/w56/m2 N1, N4, N5).
    """
    if MENSTRUATION not in nights:
        return np.zeros(len(nights), bool)
    return near_first_days(nights, 0)


def period_gi_warnings(nights: pd.DataFrame, name: str) -> list[str]:
    """A warning of the recent GI nights on magnesium that the GI rules set aside as a period's.

    ``nights``: a diary's nights on its daily timeline. The nights of the last
    :data:`RECENT_NIGHTS` set aside (:func:`rules_gi_aside`), on magnesium and not left out,
    are named: the rules do not see magnesium's own gut trouble on them, and the person is
    told so.
    """
    recent = slice(-RECENT_NIGHTS, None)
    gi = (nights["gi_night"].eq(1) & nights["elemental_mg"].fillna(0).gt(0)
          & nights["exclude"].fillna("").eq("")).to_numpy()[recent]
    aside = gi & rules_gi_aside(nights)[recent]
    if not aside.any():
        return []
    days = ", ".join(str(day.date()) for day in nights.index[recent][aside])
    return [f"{name}: loose stools or an upset stomach on {int(aside.sum())} of the first two "
            f"days of a period while taking magnesium ({days}): "
            "the GI rules set them aside as the period's (the model fits those days' own share "
            "of GI nights apart), so magnesium's own gut trouble on them is not seen by the "
            "rules; loose stools on the other days of a period count"]
