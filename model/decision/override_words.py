"""What the advice says when it overrides the rule's choice (:mod:`model.decision.overrides`).

A stop of a regimen that probably does harm (:func:`harm_line`), a change held back in a week
of very high anxiety (:data:`HARD_WEEK_LINE`) or after another change in the person's life
(:func:`other_change_line`), and a current dose to check (:func:`dose_check_line`).
"""

from __future__ import annotations

import datetime as dt

from model.core.change_words import chance
from model.core.regimen import Regimen, small_dose
from model.decision.assessed import Assessed
from model.decision.compound_ceiling import compound_question
from model.decision.hard_week import HARD_ANXIETY, HARD_WEEK
from model.decision.history import History
from model.decision.settings import DecisionSettings

HARD_WEEK_LINE = (f"A week of very high evening anxiety ({HARD_ANXIETY} or more on "
                  f"{HARD_WEEK[0]} or more of the last {HARD_WEEK[1]} nights): no change to "
                  "magnesium is made for a gain or to learn until it has passed, since a change "
                  "started in such a week is hard to judge (the weeks after tend to be calmer "
                  "whatever is taken), and magnesium is no treatment for it: see your clinician "
                  "or prescriber.")
"""The first reason of advice a hard week holds
(:func:`model.decision.overrides.held_for_a_hard_week`)."""


def other_change_line(past: History, s: DecisionSettings) -> str:
    """The first reason of advice another change in life holds (``other_change``).

    :func:`model.decision.overrides.held_for_other_change`: its night, its words, and the
    morning its evaluation period is over.
    """
    if past.other_change is None:
        raise ValueError("no other change in the history")
    day, text = past.other_change
    until = day + dt.timedelta(days=s.min_nights)
    return (f"You changed something else on {day.isoformat()} ({text}): the nights after it "
            "cannot tell its effect from magnesium's, so no change to magnesium is made for a "
            f"gain or to learn for {s.min_nights} nights from it (until {until.isoformat()}); "
            "only what safety asks for is done.")


def harm_line(chosen: Assessed, past: History, s: DecisionSettings, p_harm: float) -> str:
    """Why a regimen that probably does harm is stopped (:func:`model.decision.overrides.harm`)."""
    return (f"Your nights on {past.current.words} look worse than they would be without it: P "
            f"{chance(p_harm)} that it does you harm: worse than on a placebo and, until the "
            "diary has a placebo night, than without magnesium as your nights show it (from "
            f"{s.harm_stop_p:.2f} a regimen is stopped, its evaluation period over or not). "
            f"Look again on {chosen.next_review.isoformat()}: the nights without it show "
            "whether your sleep recovers.")


def dose_check_line(current: Regimen, ceiling_mg: float) -> str:
    """The first reason of a decision on a dose to check (reason code ``dose_check``).

    :func:`model.decision.overrides.dose_to_check`: what the dose may have meant
    (:func:`model.core.regimen.small_dose`), that nothing is settled on it nor changed for a
    gain or to learn until the diary gives the dose taken, and the ceiling meanwhile (2 g
    would be far above it); or the question of a compound's weight written as elemental
    (:func:`model.decision.compound_ceiling.compound_question`), no dose named.
    """
    if (asked := compound_question(current)) is not None:
        return (f"Check your diary's dose: {asked}, and analyse again. Until then no dose is "
                f"advised, since lowering {current.elemental_mg:g} mg to the ceiling would be a "
                "raise if it is the compound's weight; whatever the dose is, take no more than "
                f"your ceiling of {ceiling_mg:g} mg of elemental magnesium a day.")
    said = small_dose(current.elemental_mg)
    if said is None or not current.active:
        raise ValueError(f"{current.words}: no dose to check")
    return (f"Check your diary's dose: {said} in elemental_mg, and analyse again. Until then "
            f"every night of {current.words} is read as {current.elemental_mg:g} mg, so "
            "nothing is settled on it and no change to magnesium is made for a gain or to "
            "learn (only what safety asks for); whatever the dose is, take no more than your "
            f"ceiling of {ceiling_mg:g} mg a day.")
