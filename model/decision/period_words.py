"""The current regimen's nights in its evaluation period, in words: one definition.

The plan's sentence (:mod:`model.decision.plan_words`) and the blocks' (a change that waits for
the period) say them alike.
"""

from __future__ import annotations

from model.decision.history import History
from model.decision.settings import DecisionSettings


def period_nights(past: History, s: DecisionSettings) -> str:
    """``14 of 23 nights on glycinate 200 mg so far``: the nights judged of the period.

    After a placebo period (:attr:`History.placebo_nights`) the current regimen is the one it
    interrupted, and its nights were taken before it, not "so far": back from 14 nights on
    placebo, a person read "only 14 of 23 nights on glycinate 200 mg so far" beside "Go back
    to glycinate" (an outside audit, /tmp/w43/P F7).
    """
    when = "before the placebo period" if past.placebo_nights else "so far"
    return f"{past.nights_on_current} of {s.min_nights} nights on {past.current.words} {when}"
