"""Awakenings from a hypnogram: the runs of wake between sleep onset and the final awakening.

Oura's ``sleep_phase_5_min`` epochs and Fitbit's ``levels.data`` stages are both read so:
wake before the first sleep stage is latency, wake after the last is the morning. The runs
give both the awakenings (their number) and ``waso_min`` (their length).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence


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
