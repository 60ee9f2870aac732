"""The nights until a step's next look, and those of it already done: one definition.

The date of the advice and its words ("Try glycinate 200 mg for 17 nights", "Stop glycinate
200 mg for 16 nights") both come from here (:func:`review_days`, :func:`step_nights`).
"""

from __future__ import annotations

from model.decision.history import History
from model.decision.settings import DecisionSettings


def step_nights(action: str, past: History, s: DecisionSettings) -> tuple[int, int]:
    """The nights of a step still to come (:func:`review_days`), and those it counts as done.

    Done: the diary's last nights read as skipped (:attr:`History.skipped`), which a stop
    or a withdrawal counts among its nights. The words of a withdrawal take both from here:
    "Stop glycinate 200 mg for 16 nights" stood beside "14 nights off are enough" and a look
    15 days on, after two nights skipped.
    """
    done = past.skipped if action in ("stop", "withdrawal") else 0
    return review_days(action, past, s), done


def review_days(action: str, past: History, s: DecisionSettings) -> int:
    """Days until the next look: the first review, the rest of the period, or a period.

    Keeping the regimen (``continue``, ``collect_more_data``), the look ends its current
    period, counted in whole periods from the run's first night, so that the date stays put
    from one morning to the next (past the first period, periods of
    :attr:`~model.decision.settings.DecisionSettings.kept_period_nights`, which no fit
    moves: :func:`kept_look`): after a commitment it was a full period from each morning, a
    day later every day, and someone analysing daily never reached it (a long-term user's
    audit). The date of the advice and its words ("for N nights") both come from here
    (:func:`model.decision.rules.review_after`, :func:`model.decision.explain.plan_line`):
    "try glycinate 200 mg for 17 nights and look again on" a date 11 nights away stood in one
    sentence (an outside audit). A stop or a withdrawal counts the diary's last nights read
    as skipped (:attr:`History.skipped`) among its nights: begun on them, its date stays put
    the next morning. Keeping a regimen with too few of its nights written to judge it
    (:meth:`History.written`), the look waits for them at the person's pace of writing.
    """
    if past.first_step:
        return s.first_review_days
    if action in ("continue", "collect_more_data"):
        on = past.nights_on_current
        rest = s.min_nights - on if on < s.min_nights else kept_look(on, s) - on
        return max(rest, past.written(s).days if s.period_holds_changes else 0)
    if action in ("stop", "withdrawal"):   # begun on the nights read as skipped
        return max(s.min_nights - past.skipped, 1)
    return s.min_nights


def kept_look(on: int, s: DecisionSettings) -> int:
    """The night of a run past its first period whose morning is its next look.

    The end of a whole period of ``kept_period_nights`` from the run's first night, after
    tonight (``on`` nights into the run) and at least ``floor_nights`` after the first
    period's end (``min_nights``). With the posterior's period for every period, 16, 17,
    then 18 nights over three looks moved the look of the run's 32nd, 34th and 36th nights 2
    nights on each time (the cycle audit's loop, /tmp/w56/m); with no floor, a first period
    of 15 nights was followed by a look 2 nights later, at the end of the run's first 17.
    """
    kept = s.kept_period_nights or s.min_nights
    return -(-max(on + 1, s.min_nights + s.floor_nights) // kept) * kept
