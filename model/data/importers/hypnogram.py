"""Awakenings from a hypnogram: the runs of wake between sleep onset and the final awakening.

Oura's ``sleep_phase_5_min`` epochs and Fitbit's ``levels.data`` stages are both read so:
wake before the first sleep stage is latency, wake after the last is the morning.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence


def runs_inside(stages: Sequence[object], awake: object) -> list[int]:
    """Lengths (in stages) of the runs of ``awake`` between the first and last other stage.

    Parameters
    ----------
    stages : sequence
        The hypnogram in time order (epochs or stage records' levels).
    awake : object
        The value that means awake (``"4"`` for Oura, ``"wake"`` for Fitbit).

    Returns
    -------
    list of int
        Empty when no stage is sleep.

    """
    asleep = [i for i, stage in enumerate(stages) if stage != awake]
    if not asleep:
        return []
    inside = [stage == awake for stage in stages[asleep[0]:asleep[-1] + 1]]
    return [len(list(run)) for is_awake, run in itertools.groupby(inside) if is_awake]
