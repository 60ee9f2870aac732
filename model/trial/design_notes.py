"""What a plan's design cannot do, and what its options risk, said beside the plan.

:func:`design_notes` are the plan's own limits (an open placebo arm; a washout, or a treatment
period, too short for the analysis to count a withdrawal; periods that build up too little
of the effect; periods that are not whole weeks; what taking magnesium now means), each with
what to do. :func:`plan_cautions` are the risks of how it was asked for (a blinded plan from a
seed, a start far from today). Both were said by ``mgsleep plan`` alone and the Python API
was silent (an outside audit: ``plan_trial(blind=True, seed=1)`` warned of nothing, and a
notebook taught it); now the plan carries them and the command prints what it carries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from itertools import groupby

from model.core.forms import PLACEBO
from model.data.logged_night import FAR_NIGHTS
from model.decision.learning import steady_share
from model.decision.rules import evaluation_nights
from model.decision.settings import DecisionSettings
from model.evidence.priorset import load_priors
from model.personal.withdrawal import MAX_OFF_NIGHTS, MIN_OFF_NIGHTS, MIN_ON_NIGHTS
from model.trial.periods import WASHOUT_TAU_QUANTILE, Period, withdrawal_washout

OPEN_PLACEBO = ("Design: an open placebo arm (you know which nights are placebo) cannot tell "
                "magnesium from expecting it to help; plan with --blind instead, and have "
                "someone else fill the pots from the sealed key.")
"""Said under a plan with a placebo arm that is not blinded."""

SEEDED_BLIND = ("--seed with --blind: the same seed makes the same schedule and pot codes, so "
                "whoever knows or guesses it (small seeds are found in a second by trying "
                "them) can tell the arms; a blinded plan needs no --seed, the sealed key "
                "holds all unblinding needs")
"""The caution of a blinded plan made from a seed (allowed, for tests, never silently)."""

WEEK_NIGHTS = 7
"""A period of whole weeks holds every weekday equally often."""

OPTIONS: dict[str, str] = {"baseline": "--baseline-days", "treatment": "--period-days",
                           "washout": "--washout-days"}
"""The option that sets the length of each kind of period."""


def design_notes(periods: Sequence[Period], *, arms: Sequence[str],
                 blind: bool) -> tuple[str, ...]:
    """What a plan's design cannot do, each with what to do instead (none for the defaults).

    An outside audit: ``--period-days 10`` planned 10-night periods with no word that they
    are not whole weeks, build up less of the effect than the analysis waits for, and are
    too short for any stop after them to count as a withdrawal. (The plan's parts, not the
    plan: :class:`~model.trial.plan.TrialPlan` says them, and a module cannot import back.)
    """
    return ((OPEN_PLACEBO,) if PLACEBO in arms and not blind else ()) + (
        *_short_washout(periods), *_short_on(periods), *_short_build_up(periods),
        *_not_whole_weeks(periods), *_taking_now(periods))


def plan_cautions(start: dt.date, today: dt.date, *, blind: bool,
                  seed: int | None) -> tuple[str, ...]:
    """The risks of how a plan was asked for: a blinded plan's seed, a start far from today.

    ``--start 2025-12-07`` typed for 2026-12-07 made a plan of nights a year gone, in silence.
    """
    notes = [SEEDED_BLIND] if blind and seed is not None else []
    days = (start - today).days
    if abs(days) > FAR_NIGHTS:
        when = f"{days} nights after today" if days > 0 else f"{-days} nights before today"
        notes.append(f"the plan starts on {start}, {when} ({today}): is the date right?")
    return tuple(notes)


def _short_washout(periods: Sequence[Period]) -> list[str]:
    """A washout shorter than :func:`~model.trial.periods.withdrawal_washout`."""
    needed = withdrawal_washout()
    washout = next((p.nights for p in periods if p.kind == "washout"), None)
    if washout is None or washout >= needed:
        return []
    return [f"Design: washouts of {washout} nights may not count as a withdrawal: the "
            f"analysis asks for {MIN_OFF_NIGHTS} to {MAX_OFF_NIGHTS} nights off, by how "
            f"slowly magnesium's effect fades for you, and {needed} (leave --washout-days "
            f"out) is enough for {WASHOUT_TAU_QUANTILE:.0%} of people by the prior."]


def _active(period: Period) -> bool:
    """A treatment period on magnesium (not placebo)."""
    return period.kind == "treatment" and period.arm != PLACEBO


def _short_on(periods: Sequence[Period]) -> list[str]:
    """Treatments (titration steps included) with fewer nights on than a withdrawal needs."""
    runs = [sum(p.nights for p in run) for active, run in
            groupby(periods, key=lambda p: _active(p) and (p.cycle, p.arm)) if active]
    if not runs or min(runs) >= MIN_ON_NIGHTS:
        return []
    return [f"Design: {min(runs)} nights on magnesium in a treatment period are under the "
            f"{MIN_ON_NIGHTS} a withdrawal needs: a stop after one does not count as a "
            "withdrawal, so the analysis cannot tell magnesium from expecting it to help or "
            "from a patch of nights passing (it says \"no withdrawal\"); give --period-days "
            f"{MIN_ON_NIGHTS} or more."]


def _short_build_up(periods: Sequence[Period]) -> list[str]:
    """Periods at the target dose shorter than the nights the analysis judges a regimen over.

    ``DecisionSettings.min_nights``, the decision's look period when it does not follow the
    kinetics and the look period of a plan's simulation; following them (the default) it
    waits until ``steady_share`` of the effect has built up, said with the prior's median.
    """
    settings = DecisionSettings()
    nights = [p.nights for p in periods if _active(p) and p.step == p.steps]
    if not nights or min(nights) >= settings.min_nights:
        return []
    tau = load_priors().settings.personal.onset_days_median
    share = steady_share(min(nights), tau)
    return [f"Design: treatment periods of {min(nights)} nights are shorter than the "
            f"{settings.min_nights} the analysis judges a regimen over "
            f"({evaluation_nights(tau, settings)} at the prior's median build-up time of "
            f"{tau:g} days, by when {settings.steady_share:.0%} of magnesium's effect has "
            f"built up; {min(nights)} nights build up {share:.0%}): each period ends with much "
            f"of its effect still to come, and tells less; give --period-days "
            f"{settings.min_nights} or more."]


def _not_whole_weeks(periods: Sequence[Period]) -> list[str]:
    """The kinds of period whose nights are not whole weeks (titration steps are one week)."""
    odd = {p.kind: p.nights for p in periods
           if p.nights % WEEK_NIGHTS and (p.kind != "treatment" or p.step == p.steps)}
    if not odd:
        return []
    kinds = {"baseline": "the baseline", "treatment": "treatment periods",
             "washout": "washouts"}
    said = [f"{kinds[kind]} ({nights} nights)" for kind, nights in odd.items()]
    listed = said[0] if len(said) == 1 else f"{', '.join(said[:-1])} and {said[-1]}"
    return [f"Design: {listed} {'is' if len(said) == 1 and 'baseline' in odd else 'are'} not "
            "whole weeks: a weekly rhythm (later, shorter Friday and Saturday nights) falls "
            "unevenly between the periods and can pass for an effect of magnesium, or hide "
            f"one; give whole weeks (7, 14, 21 nights: {', '.join(OPTIONS[k] for k in odd)})."]


def _taking_now(periods: Sequence[Period]) -> list[str]:
    """What taking magnesium now means for a plan with a baseline.

    The plan cannot know whether magnesium is being taken: a baseline begun the night after
    months of it starts with it still fading (the person's first nights are no baseline
    yet), and those months, kept in the same diary, make the stop a withdrawal the analysis
    counts (:mod:`model.personal.separability`).
    """
    if not any(p.kind == "baseline" for p in periods):
        return []
    return ["Taking magnesium now? Stop it the night the baseline begins: its effect fades "
            f"over weeks (half of it in {MIN_OFF_NIGHTS} to {withdrawal_washout()} nights for "
            "most people), so the baseline begins with it still fading. Keep the nights you "
            "took it in the same diary (paste the plan's rows under them): the analysis then "
            "counts the stop as a withdrawal and knows what the baseline follows."]
