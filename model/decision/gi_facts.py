"""What a diary's nights say of loose stools: the GI facts of :mod:`model.decision.history`.

Each night's GI record (1, 0 or NaN: none) read with its regimen: the GI nights of the last
days on the magnesium being taken, the person's own rate without magnesium, and the regimens
that gave loose stools on several nights in a short window. Nights the diary's ``exclude``
column marks count here as any other (their stool record is kept).
"""

from __future__ import annotations

import numpy as np

from model.core.forms import PLACEBO
from model.core.regimen import Regimen


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


def gi_troubled_regimens(regimens: list[Regimen], gi: np.ndarray, window: int,
                         acute_nights: int) -> frozenset[Regimen]:
    """The magnesium regimens with ``acute_nights`` GI nights within ``window`` nights on them."""
    troubled = set()
    for t, regimen in enumerate(regimens):
        if regimen.active and gi[t] and regimen not in troubled:
            span = range(max(0, t - window + 1), t + 1)
            if sum(int(gi[i]) for i in span if regimens[i] == regimen) >= acute_nights:
                troubled.add(regimen)
    return frozenset(troubled)
