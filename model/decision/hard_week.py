"""A week of very high evening anxiety among a diary's last nights.

Magnesium is no treatment for severe anxiety or panic, and a change started in such a week is
hard to judge: the decision holds changes in one (:class:`model.decision.history.History`), the
headline and the clinician's page say it first (an anxious person's audit).
"""

from __future__ import annotations

import pandas as pd

HARD_ANXIETY = 8
"""Evening anxiety (0-10) from which a night counts as very anxious."""

HARD_WEEK = (4, 7)
"""Very anxious nights among the diary's last nights that make a hard week (a hard week
months back, followed by nights without anxiety written, opened the headline: a review)."""


def very_anxious(nights: pd.DataFrame) -> tuple[int, int]:
    """The very anxious nights among the last ``HARD_WEEK[1]``, and those with anxiety written."""
    recorded = nights.get("anxiety", pd.Series(dtype=float)).iloc[-HARD_WEEK[1]:].dropna()
    return int((recorded >= HARD_ANXIETY).sum()), len(recorded)
