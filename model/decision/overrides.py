"""What overrides the rule's choice for the person's sake: a stop, or a change held back.

A regimen that probably does harm is stopped, its evaluation period over or not
(:func:`harm`), unless the choice leaves its form (:func:`keeps_form`); in a week of very
high anxiety a change made for a gain or to learn waits (:func:`held_for_a_hard_week`), and
so it does for one evaluation period after another change in the person's life
(:func:`held_for_other_change`): written in the diary, or a medicine of the profile started
within it (:func:`with_medicine_starts`), and while the diary's current dose is one to check
(:func:`dose_to_check`: 2 mg, a slip for 2 capsules, 2 g or 2 mmol, or 1000 mg of glycinate,
the compound's weight written as elemental:
:func:`~model.decision.compound_ceiling.compound_weight_to_check`), when keeping it
is not committed to either (:func:`held_for_a_dose_to_check`).
:func:`model.decision.choice.choose` applies them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import replace

from model.core.regimen import LEAST_PRODUCT_MG, Regimen
from model.decision.compound_ceiling import compound_weight_to_check
from model.decision.history import History
from model.decision.rules import SAFETY_MOVES
from model.decision.settings import DecisionSettings, Why
from model.decision.utility import Evaluation


def harm(ev: Evaluation, past: History, s: DecisionSettings) -> int | None:
    """The row of ``stop`` when the current regimen probably does harm, else None.

    P(it does harm) (:attr:`Evaluation.p_harm`) at least ``s.harm_stop_p``,
    and stopping allowed (a hard rule may still hold it: digoxin's hold,
    :mod:`model.decision.decide`): the evaluation period does not hold it back
    (:func:`model.decision.rules.blocks`). A person whose anxiety rose from about 3 to 8-9
    on five nights of glycinate was told "Continue glycinate" (an outside audit, /tmp/hH).
    """
    if not past.current.active or not s.harmful(ev.p_harm) or past.taken_as_needed(s):
        return None             # taken when needed, its nights cannot judge it (/tmp/w57/n N1)
    rows = [i for i, c in enumerate(ev.candidates) if c.action == "stop" and ev.feasible[i]]
    return rows[0] if rows else None


def keeps_form(ev: Evaluation, index: int | None, past: History) -> bool:
    """Whether a choice keeps the current form: continuing, a dose step, a split, no change.

    A regimen that probably does harm is left by stopping it or by a switch to another form
    (the crossover's switches go from form to form without a washout, harm or not). Stopping
    instead of every such switch raised the closed loop's regret at week 12 from 1.08 to 1.15
    (200 persons, seed 1), with 95 stops instead of 63, in a world where magnesium harms no
    one's sleep. An experiment (a withdrawal, a placebo period) returns to the regimen: it
    keeps the form, so a regimen that probably does harm is stopped instead of withdrawn and
    taken again (:mod:`model.decision.baseline`).
    """
    if index is None or ev.candidates[index].experiment:
        return True
    regimen = ev.candidates[index].regimen
    return regimen.active and regimen.form == past.current.form


HELD_IN_A_HARD_WEEK: frozenset[Why] = frozenset({"first_step", "commit", "plan", "learn",
                                                 "crossover", "titrate", "no_baseline",
                                                 "withdrawal_return"})
"""The branches whose change waits for a calmer week: those made for a gain or to learn, not
those safety asks for (a stop for harm, a gentler dose, a step the rules leave alone).

Of the baseline rules' (:mod:`model.decision.baseline`): the withdrawal first
(``no_baseline``, to learn) and the return (``withdrawal_return``, for a gain) wait, in a
hard week and after another change alike: sertraline begun on the 5th night of a break was
followed by "Start glycinate, 300 mg ... you take it again", its hold unsaid, while the
same diary without the return said it (/tmp/w50/c C8). A break kept going (``finish_break``)
is no change: it keeps what is taken (no magnesium, or the placebo of a placebo period), as
either hold asks, and says why in its own words."""


def held_for_a_hard_week(ev: Evaluation, index: int | None, why: Why, past: History) -> bool:
    """Whether a week of very high anxiety holds the chosen change back (keep what is taken).

    A change started in such a week is hard to judge (the weeks after tend to be calmer
    whatever is taken), and magnesium is no treatment for a crisis: a person with generalised
    anxiety on sertraline, anxiety 8 or more on 5 of 7 nights, was told to see the prescriber
    and "Switch to glycinate, 300 mg ... to learn" in the same breath (a GP's audit, /tmp/hC).
    Only while keeping the current regimen is allowed.
    """
    if not past.hard_week:
        return False
    return _held(ev, index, why)


def held_for_other_change(ev: Evaluation, index: int | None, why: Why, past: History,
                          s: DecisionSettings) -> bool:
    """Whether another change in the person's life holds the chosen change back.

    For one evaluation period (``s.min_nights``) after the last night with an
    ``other_change`` (:attr:`History.other_change`) the nights cannot tell that change from
    magnesium: sertraline begun on night 30 on taurate had its early worsening booked on
    taurate, and "Switch to glycinate ... to learn" came 8 nights into it; CBT-I begun on
    night 22 was credited to taurate and drove "Raise the dose" (an outside audit,
    /tmp/w42/J). As in a hard week (:data:`HELD_IN_A_HARD_WEEK`), only a change made for a
    gain or to learn waits; a stop for harm, a gentler dose, the hard rules still act.
    """
    if past.other_change is None or past.other_change_nights >= s.min_nights:
        return False
    return _held(ev, index, why)


def with_medicine_starts(past: History, starts: Iterable[tuple[str, dt.date]],
                         as_of: dt.date) -> History:
    """The history with a medicine of the profile started within the diary as its other change.

    A medicine whose start (:attr:`model.data.profile.Profile.medication_starts`) is after
    the diary's first night and on or before ``as_of`` is another change in the person's life
    that day ("started sertraline 50 mg (profile)"): the later of the medicines' and the
    diary's own ``other_change`` (the diary's on the same day) is the history's, its nights
    counted as :meth:`History.through` counts them. Sertraline its GP started mid-trial,
    listed with its start, changed nothing in the advice (an outside audit, /tmp/w42/J).
    Started before the diary's first night (or without one known), it changes nothing:
    every night has it.
    """
    first = past.first_night
    inside = sorted((day, f"started {name} (profile)") for name, day in starts
                    if first is not None and first < day <= as_of)
    if not inside or (past.other_change and past.other_change[0] >= inside[-1][0]):
        return past
    day, text = inside[-1]
    end = max(as_of, past.last_night or as_of)
    return replace(past, other_change=(day, text), other_change_nights=(end - day).days + 1)


def _held(ev: Evaluation, index: int | None, why: Why) -> bool:
    """Whether the chosen change is one that waits, keeping the current regimen allowed."""
    if index in (None, 0) or not ev.feasible[0]:
        return False
    return why in HELD_IN_A_HARD_WEEK and ev.candidates[index].action not in SAFETY_MOVES


def dose_to_check(current: Regimen) -> bool:
    """Whether the current regimen's daily dose is one to check before any dose advice.

    Under :data:`LEAST_PRODUCT_MG` (25 mg), less than half the smallest tablet: almost surely
    a slip (``elemental_mg`` 2 for 2 capsules, 2 g or 2 mmol), which ``mgsleep log`` refuses
    without ``--small-dose`` and the diary's reading warns of
    (:func:`model.core.regimen.small_dose`). Every night of it was modelled at that dose: a
    diary on glycinate 2 mg for 30 nights was told "Continue glycinate, 2 mg ... (settled)"
    (an outside audit, /tmp/w42/F), another "Raise the dose to glycinate, 102 mg". Or above
    the ceiling and within it as the compound's weight (:func:`compound_weight_to_check`).
    """
    return current.active and (0 < current.elemental_mg < LEAST_PRODUCT_MG
                               or compound_weight_to_check(current) is not None)


def held_for_a_dose_to_check(ev: Evaluation, index: int | None, why: Why,
                             past: History) -> bool:
    """Whether a current dose to check (:func:`dose_to_check`) holds the chosen step back.

    Until the diary says the dose taken, keeping it is no commitment, and a change made for
    a gain or to learn waits (as in a hard week, :data:`HELD_IN_A_HARD_WEEK`): the step is
    to keep the current routine while the dose is checked. A stop for harm, a gentler dose,
    the hard rules still act. A dose that may be its compound's weight
    (:func:`compound_weight_to_check`) is above the ceiling as written, so it is not kept,
    and the ceiling's step, a dose of the form, is a raise in one reading: every dose step
    waits, whatever asked for it, and so does a stop made for a gain or to learn (it rests
    on the dose too); a stop that safety asks for (the only step allowed, harm) is taken,
    the safe side in both readings. The advice says meanwhile to take no more than the
    ceiling.
    """
    if not dose_to_check(past.current):
        return False
    if compound_weight_to_check(past.current) is not None:
        return index is not None and (ev.candidates[index].action != "stop"
                                      or why in HELD_IN_A_HARD_WEEK)
    return (index == 0 and why == "commit") or _held(ev, index, why)


def held_for_as_needed(ev: Evaluation, index: int | None, why: Why, past: History,
                       s: DecisionSettings) -> bool:
    """Whether a regimen taken when needed holds the chosen step back (model/decision/as_needed).

    Its nights judge nothing: keeping it is a hold, whatever branch kept it (no commitment,
    and the hold's words say why), and a change made for a gain or to learn
    (:data:`HELD_IN_A_HARD_WEEK`) waits, a stop chosen for its expected utility too (that
    utility rests on those nights); a stop for harm is not made (:func:`harm`), and what the
    rules or the GI constraint ask for still is.
    """
    if not past.taken_as_needed(s):
        return False
    if index in (None, 0):
        return why != "gentler"
    return bool(ev.feasible[0]) and why in HELD_IN_A_HARD_WEEK


def held_back(ev: Evaluation, index: int | None, why: Why, past: History,
              s: DecisionSettings) -> Why | None:
    """Why the chosen change waits (None: it does not).

    ``hard_week`` first, then ``as_needed`` (:func:`held_for_as_needed`), then
    ``other_change``, then ``collect`` for a dose to check
    (:func:`held_for_a_dose_to_check`; its reason code, ``dose_check``, is said of every
    decision on such a dose: :func:`model.decision.decide.decide`).
    """
    if held_for_a_hard_week(ev, index, why, past):
        return "hard_week"
    if held_for_as_needed(ev, index, why, past, s):
        return "as_needed"
    if held_for_other_change(ev, index, why, past, s):
        return "other_change"
    return "collect" if held_for_a_dose_to_check(ev, index, why, past) else None
