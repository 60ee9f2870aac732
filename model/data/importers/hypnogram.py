"""Awakenings from a hypnogram: the runs of wake between sleep onset and the final awakening.

Oura's ``sleep_phase_5_min`` epochs, Fitbit's ``levels.data`` stages and the gaps between
Apple Health's asleep samples are all read so: wake before the first sleep stage is latency,
wake after the last is the morning. The runs longer than :data:`SHORT_WAKE_MIN` give both
the awakenings (their number) and ``waso_min`` (their length) (:func:`wake_totals`).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence

SHORT_WAKE_MIN = 3.0
"""Minutes of wake up to which a wake is no awakening, for every tracker: Fitbit keeps such
wakes apart (``levels.shortData``, "wake periods <= 3 minutes"), Oura's 5-minute epochs do not
see them, and a diary's awakenings are the ones a person would count."""


def wake_totals(wakes: Iterable[float]) -> tuple[float, float]:
    """Awakenings and ``waso_min`` from the minutes of each wake inside a sleep.

    Parameters
    ----------
    wakes : iterable of float
        The length of each wake between sleep onset and the final awakening, in minutes.

    Returns
    -------
    tuple of float
        ``(awakenings, waso_min)`` of the wakes longer than :data:`SHORT_WAKE_MIN`; shorter
        ones count in neither, as Fitbit's own short wakes.

    """
    counted = [minutes for minutes in wakes if minutes > SHORT_WAKE_MIN]
    return float(len(counted)), float(sum(counted))


def runs_inside(stages: Sequence[object], awake: object) -> list[range]:
    """The runs of ``awake`` between the first and the last other stage.

    Parameters
    ----------
    stages : sequence
        The hypnogram in time order (epochs or stage records' levels).
    awake : object
        The value that means awake (``"4"`` for Oura, ``"wake"`` for Fitbit).

    Returns
    -------
    list of range
        The indices into ``stages`` of each run, in time order; empty when no stage is sleep.

    """
    asleep = [i for i, stage in enumerate(stages) if stage != awake]
    if not asleep:
        return []
    found = []
    for is_awake, run in itertools.groupby(range(asleep[0], asleep[-1] + 1),
                                           key=lambda i: stages[i] == awake):
        indices = list(run)
        if is_awake:
            found.append(range(indices[0], indices[-1] + 1))
    return found
