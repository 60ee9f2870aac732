"""The current regimen's nights in its evaluation period, in words: one definition.

The plan's sentence (:mod:`model.decision.plan_words`) and the blocks' (a change that waits for
the period) say them alike; so does the note of the last nights read as skipped (the period
goes on).
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

    A run that began after a lapse (more nights without magnesium than are read as skipped,
    :attr:`History.pattern`) says when it began and why its count began again: after two
    months of weekdays only, a person read "3 of 19 nights on glycinate 200 mg so far;
    changes wait 16 more nights" with no reason why (an outside audit, /tmp/w49/c M3):
    ``3 of 19 nights on glycinate 200 mg since 2026-12-01, counted again after 4 nights
    without it`` (no brackets: the plan's sentence puts these words in brackets); a lapse with
    a night at another dose of the form says so (:func:`~model.decision.on_off.lapse_before`):
    ``counted again after 3 nights off it, 2 without magnesium and 1 at another dose``.

    A run from the diary's first night counts the nights before it that the profile's
    ``taking_since`` gives (:attr:`History.before_run`), and says so: ``10 of 17 nights on
    citrate 300 mg so far, 3 of them before your diary`` (44 nights on citrate 300 mg, 30
    before the diary, read "only 14 of 17 nights on citrate 300 mg so far": an outside audit,
    /tmp/w50/a F4).
    """
    run = past.pattern
    when = ("before the placebo period" if past.placebo_nights else
            f"since {run.run_first}" if run.lapse and run.run_first else "so far")
    off = run.lapse - run.lapse_dosed
    dosed = (", " + " and ".join([f"{off} without magnesium"] * bool(off)
                                 + [f"{run.lapse_dosed} at another dose"]) if run.lapse_dosed
             else "")
    again = (f", counted again after {run.lapse} night{'s' * (run.lapse != 1)} "
             f"{'off' if dosed else 'without'} it{dosed}" if run.lapse else "")
    before = f", {past.before_run} of them before your diary" if past.before_run else ""
    what = f"{past.nights_on_current} of {s.min_nights} nights on {past.current.words}"
    return f"{what} {when}{again}{before}"


def skipped_note(past: History) -> str:
    """The diary's last nights without magnesium, read as nights skipped (:attr:`History.skipped`).

    Said once, with what to do if the stop was meant: the step a look gave the morning before
    (a stop, a withdrawal) is again the step when the evidence is the same.
    """
    date = past.last_night.isoformat() if past.last_night else ""
    nights = (f"Your last night{f', {date},' if date else ''} has" if past.skipped == 1
              else f"Your last {past.skipped} nights{f', to {date},' if date else ''} have")
    read = "a night skipped" if past.skipped == 1 else "nights skipped"
    return (f"{nights} no magnesium: read as {read}; the period of {past.current.words} goes on. "
            "If you stopped on purpose, keep to the step you were given.")
