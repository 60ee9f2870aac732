"""The nights a regimen is judged on: its nights, less those whose sleep ``exclude`` left out.

One definition for the counters of :class:`model.decision.history.History` that say how long
a regimen has been taken for the advice to judge it (its evaluation period, whether its form
was tried, the days to the next look). A night the diary's ``exclude`` column marks
(:func:`model.data.life_events.leave_out`: travel, illness) says nothing of sleep: it is not
one of them. It still holds its dose and stool record, so the run of a regimen goes on across
it (the magnesium store builds up on it) and the GI rules read it (not the stool record of a
night marked for a menstrual period: the diary reads it as the period's, not recorded). A
night simply not written down is not excluded: between two nights of a regimen it is taken
as on it and counts (:attr:`~model.decision.history.History.nights_on_current`). Ten nights
of jet lag marked ``exclude = travel`` within a 14-night period on glycinate had it judged
after the 14th night on 4 nights, and glycinate counted as tried (an outside audit: "a form
judged on 11 usable nights").

A night not written down is taken as on the regimen for its run and store, but it holds no
sleep to judge by: a change made for a gain or to learn waits until the current regimen has
``judged_nights`` written nights not excluded (:func:`written_run`), and the look to judge it
comes when they may be in, at the person's own pace of writing. A person who wrote 5 of 27
nights on glycinate was told "Switch to taurate ... To learn" beside "form 1 of 3" (glycinate
not tried) and "needs 2 more nights" (an outside audit, /tmp/w43/S F3).

The nights before the diary on its first night's regimen, from the profile's ``taking_since``
(:func:`nights_before`), count toward that regimen's period, never among its written nights:
they hold no sleep. 44 nights on citrate 300 mg, 30 of them before the diary, read "only 14 of
17 nights on citrate 300 mg so far", and after a withdrawal the return to it waited as if
never judged (an outside audit, /tmp/w50/a F4).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from model.core.regimen import SKIPPED_NIGHTS, Regimen, skipped_of
from model.data.diary_columns import EXCLUDE
from model.likelihood.kinetics import store_lead

KEEPING = ("continue", "collect_more_data")
"""Actions whose next look ends the current run's period (:func:`left_out_words`)."""


def left_out(nights: pd.DataFrame) -> np.ndarray:
    """Per night of a diary's ``nights``, whether ``exclude`` left its sleep outcomes out.

    The frame's ``exclude`` column holds the reason ("" or missing: kept); a frame without
    the column excludes nothing.
    """
    if EXCLUDE not in nights:
        return np.zeros(len(nights), dtype=bool)
    return nights[EXCLUDE].fillna("").astype(str).str.strip().ne("").to_numpy(bool)


def judged_on(regimens: Sequence[Regimen], recorded: np.ndarray,
              excluded: np.ndarray) -> dict[Regimen, int]:
    """The judged nights of each regimen of a recorded night: recorded and not excluded.

    Parameters
    ----------
    regimens : sequence of Regimen
        Each night's regimen.
    recorded, excluded : numpy.ndarray of bool
        Per night, whether it was written down, and whether ``exclude`` left it out.

    Returns
    -------
    dict of Regimen -> int
        In the order first recorded. A regimen whose recorded nights are all excluded is
        kept, with 0: it was taken (the person is no newcomer to magnesium), not judged.

    """
    counts: dict[Regimen, int] = {}
    for regimen, written, out in zip(regimens, recorded, excluded, strict=True):
        if written:
            counts[regimen] = counts.get(regimen, 0) + int(not out)
    return counts


def tried_forms(nights_on: Mapping[Regimen, int], judged_nights: int) -> frozenset[str]:
    """The magnesium forms with ``judged_nights`` judged nights, all their doses together."""
    per_form = Counter[str]()
    for regimen, count in nights_on.items():
        per_form[regimen.form] += count if regimen.active else 0
    return frozenset(form for form, count in per_form.items() if count >= judged_nights)


def run_nights(regimens: Sequence[Regimen], recorded: np.ndarray, excluded: np.ndarray,
               start: int, end: int) -> tuple[int, int, int]:
    """The run ``regimens[start:end]``'s nights on its last regimen: judged, excluded, unwritten.

    Nights written down or not (a night missing within the run is taken as on it); those
    of another regimen within it (nights skipped) are neither. Unwritten: the judged nights
    among them not written down (``recorded`` false), which hold no sleep to judge by.
    """
    on = [i for i in range(start, end) if regimens[i] == regimens[end - 1]]
    out = sum(bool(excluded[i]) for i in on)
    return len(on) - out, out, sum(not recorded[i] for i in on)


def run_start(regimens: Sequence[Regimen], end: int) -> int:
    """Where the run of the regimen of night ``end - 1`` begins, across nights skipped.

    The run of identical regimens ending before ``end``, joined to an earlier run of the same
    magnesium regimen when at most :data:`SKIPPED_NIGHTS` nights part them, each without
    magnesium (not placebo) or at another dose of the same form.
    """
    start, _ = last_run(regimens, end)
    current = regimens[end - 1]
    while current.active and start > 0:
        gap, _ = last_run(regimens, start)
        if (not skipped_of(regimens[start - 1], current) or start - gap > SKIPPED_NIGHTS
                or gap == 0 or regimens[gap - 1] != current):
            break
        start, _ = last_run(regimens, gap)
    return start


def last_run(regimens: Sequence[Regimen], end: int) -> tuple[int, int]:
    """The ``(start, end)`` slice of the run of identical regimens that ends before ``end``."""
    start = end
    while start > 0 and regimens[start - 1] == regimens[end - 1]:
        start -= 1
    return start, end


def nights_before(first: Regimen, first_night: dt.date | None,
                  taking_since: dt.date | None) -> dict[Regimen, int]:
    """The nights on the diary's first regimen before its first night: ``{first: nights}``.

    ``taking_since``: the day ``first``, the regimen of the diary's first night
    (``first_night``), was begun (the profile's key), counted as the fit counts its store
    (:func:`~model.likelihood.kinetics.store_lead`). Read only when that night is on magnesium
    and the day is before it, else ``{}``: the pipeline refuses a later day and does not read
    the key beside a first night without magnesium
    (:func:`model.analysis.store_start.checked_start`).
    """
    if (taking_since is None or first_night is None or not first.active
            or taking_since >= first_night):
        return {}
    return {first: store_lead(first_night, taking_since)}


@dataclass(frozen=True)
class WrittenRun:
    """The current run's written nights, and what judging its regimen on them still needs.

    Parameters
    ----------
    written : int
        Nights of the run written down and not excluded.
    nights : int
        The run's nights, written down or not (excluded ones too).
    needed : int
        Written nights still needed before the regimen is judged (0: none).
    days : int
        The days those may take at the run's pace of writing (its nights written down, those
        marked exclude too, of ``nights``), rounded up; 0 when none are needed or none of the
        run was written (no pace known).
    excluded : int
        The run's nights written and marked exclude, which count for the pace but not for
        judging (when they are most of the run, the words say the pace holds only if fewer
        are left out: a shift worker's audit, /tmp/w53/b B5).

    """

    written: int
    nights: int
    needed: int
    days: int
    excluded: int = 0


def written_run(in_run: int, in_all: int, nights: int, judged_nights: int,
                excluded: int = 0) -> WrittenRun:
    """The :class:`WrittenRun` of a run with ``in_run`` written nights of ``nights``.

    ``in_all``: the regimen's written nights not excluded in all its runs, which count too (a
    night skipped does not make a regimen written down for months a new one);
    ``judged_nights``: the written nights a regimen is judged on; ``excluded``: the run's
    nights written and marked exclude, which count for the pace of writing (a week away
    marked ``travel`` is written down).
    """
    needed = max(judged_nights - max(in_run, in_all), 0)
    pace = in_run + excluded
    days = math.ceil(needed * nights / pace) if needed and pace else 0
    return WrittenRun(in_run, nights, needed, days, excluded)


def unwritten_words(run: WrittenRun, regimen: str, action: str = "continue") -> str:
    """Why the current regimen is not judged yet: too few of its nights written ("": enough).

    A sentence for the reasons when ``action`` keeps the regimen (:data:`KEEPING`);
    ``regimen``: its words (``glycinate 200 mg``).
    """
    if action not in KEEPING or not run.needed:
        return ""
    more = f"{run.needed} more {'are' if run.needed != 1 else 'is'} written"
    pace = (f" (about {run.days} days at your rate)" if run.days else
            " (write each morning: no night of this run is written yet)")
    if run.days and run.excluded > run.written:
        pace = (f" (about {run.days} days if fewer are left out: {run.excluded} of its nights "
                "were marked exclude, and only nights not left out count)")
    kept = " and not left out" if run.excluded else ""
    head = (f"Only {run.written} of {run.nights} nights on {regimen} "
            f"{'were' if run.written != 1 else 'was'} written{kept}" if run.written < run.nights
            else f"Only {run.nights} night{'s' * (run.nights != 1)} on {regimen} so far, all "
            "written")       # "Only 4 of 4 nights ... were written" (/tmp/w57/n N10)
    return (f"{head}: it is judged on written nights, so no change is made for a gain or to "
            f"learn before; look again when {more}{pace}.")


def left_out_words(excluded: int, action: str = "continue") -> str:
    """Why the next look of the current regimen is later: its nights left out ("": none).

    A sentence for the reasons when ``action`` keeps the regimen (:data:`KEEPING`), whose
    look ends the period of the current run: ``excluded`` of its nights
    (:attr:`~model.decision.history.History.excluded_on_current`) do not count toward it.
    """
    if action not in KEEPING or not excluded:
        return ""
    nights = f"{excluded} night{'s' * (excluded != 1)}"
    return (f"{nights} of this run {'are' if excluded != 1 else 'is'} marked exclude (sleep "
            f"not read): {'they do' if excluded != 1 else 'it does'} not count toward its "
            f"evaluation period, so the look comes later.")
