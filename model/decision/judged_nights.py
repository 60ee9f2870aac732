"""The nights a regimen is judged on: its nights, less those whose sleep ``exclude`` left out.

One definition for the counters of :class:`model.decision.history.History` that say how long
a regimen has been taken for the advice to judge it (its evaluation period, whether its form
was tried, the days to the next look). A night the diary's ``exclude`` column marks
(:func:`model.data.life_events.leave_out`: travel, illness) says nothing of sleep: it is not
one of them. It still holds its dose and stool record, so the run of a regimen goes on across
it (the magnesium store builds up on it) and the GI rules read it. A night simply not written
down is not excluded: between two nights of a regimen it is taken as on it and counts
(:attr:`~model.decision.history.History.nights_on_current`). Ten nights of jet lag marked
``exclude = travel`` within a 14-night period on glycinate had it judged after the 14th
night on 4 nights, and glycinate counted as tried (an outside audit: "a form judged on 11
usable nights").
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from model.core.regimen import Regimen
from model.data.diary_columns import EXCLUDE

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


def run_nights(regimens: Sequence[Regimen], excluded: np.ndarray, start: int,
               end: int) -> tuple[int, int]:
    """The run ``regimens[start:end]``'s nights on its last regimen: judged, and excluded.

    Nights written down or not (a night missing within the run is taken as on it); those
    of another regimen within it (nights skipped) are neither.
    """
    on = [i for i in range(start, end) if regimens[i] == regimens[end - 1]]
    out = sum(bool(excluded[i]) for i in on)
    return len(on) - out, out


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
