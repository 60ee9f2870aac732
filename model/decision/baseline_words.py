"""The baseline rules' words: a withdrawal first, a break under way finished, the return.

The rules are :mod:`model.decision.baseline`'s; these are the plans of their steps, said where
:func:`model.decision.plan_words.plan_line` says the others', and the first line of a break
kept going (:func:`rule_line`). The nights each names are those to the date of the next look
(:func:`model.decision.look_nights.review_days` dates both). The report's headline says them in
the same words (:data:`STAY_OFF`, :func:`returned_words`, :func:`stale_words`): its
"Recommendation: Keep your current routine" and "How sure: ... more nights here would teach
little" stood beside a break to finish, and a generic "To learn" or "On citrate so far" as
the why of a stale baseline's withdrawal and of a return (/tmp/w50/b F-1, F-5; /tmp/w50/a F3).
"""

from __future__ import annotations

import datetime as dt

from model.core.change_words import chance
from model.decision.assessed import Assessed
from model.decision.baseline import BASELINE_HORIZON, OffNights, stale
from model.decision.history import History
from model.decision.look_nights import step_nights
from model.decision.on_off import LAPSE_NIGHTS
from model.decision.plan_words import course, last_nights, nights_off_words
from model.decision.settings import LOOKS_TO_HELP, DecisionSettings, Why


def months_ago(day: dt.date, as_of: dt.date) -> str:
    """``about 10 months ago``: the months from ``day`` to ``as_of``, rounded."""
    months = round((as_of - day).days / 30.44)
    return f"about {months} month{'s' * (months != 1)} ago"


def stale_words(off: OffNights, taking: str) -> str:
    """When the diary's last nights off were, and why they no longer tell (a stale baseline).

    ``taking``: the current regimen in words. "Continue taurate ... works for you" rested on
    14 nights off ten months old, while the person's sleep had improved on its own (an
    outside audit, /tmp/w50/b F-1).
    """
    if off.last is None:
        return ""
    first, last = off.last
    few = (f"; within the last {BASELINE_HORIZON} nights only {off.recent}, too few to compare "
           "with" if off.recent else "")
    return (f"your last nights without magnesium were {first} to {last}, "
            f"{months_ago(last, off.as_of)}{few}: whether {taking} still helps you, rather than "
            f"your sleep's own course since, only nights off can tell")


def baseline_line(chosen: Assessed, past: History, s: DecisionSettings,
                  off: OffNights | None = None) -> str:
    """Why a diary with no nights off magnesium, or old ones, gets a withdrawal.

    A rule, not the model's pick (:mod:`model.decision.baseline`); the nights are those to the
    review date, as the headline's, with the last nights read as skipped counted among them
    (:func:`step_nights`). A diary with a few nights off (fewer than the rule's least) is told
    how few, not that it has none; one whose nights off are stale
    (:func:`~model.decision.baseline.stale`) when they were (:func:`stale_words`).
    """
    to_come, done = step_nights(chosen.action, past, s)
    nights = (f"{to_come + done} nights off ({last_nights(done)} and {to_come} more)" if done
              else f"{to_come} nights off")
    taking = past.current.words
    why = (stale_words(off, taking) if off is not None and stale(past, off) else
           f"your diary has {nights_off_words(past)}, so it cannot tell what {taking} does for "
           "you from your usual level (nor from expecting it to help, or a patch of nights "
           "passing)")
    return (f"A rule, before any switch of form, dose step or settling on {taking}: {why}. "
            f"{nights} are enough for the next analysis to count them as "
            f"a withdrawal: look again on {chosen.next_review.isoformat()}, the morning after "
            f"the last of them, and take it again unless that analysis advises another step. "
            "For a blinded version, `mgsleep plan --blind` prepares a placebo period instead.")


STAY_OFF = "Stay without magnesium for "
"""How the first reason of a break kept going begins (:func:`break_line`). Its first sentence
is what to do and the rest why: the report's headline says them so
(:func:`model.report.break_words.stay_off`)."""

STAY_ON_PLACEBO = "Stay on placebo for "
"""As :data:`STAY_OFF`, of a placebo period kept going (:func:`placebo_line`)."""


def nights_words(n: int) -> str:
    """``1 night``, ``5 nights``."""
    return f"{n} night{'s' * (n != 1)}"


def began_words(off: OffNights) -> str:
    """When the break began, as far as the diary says it (``off.brk`` set).

    ``Your break began on 2026-12-02 (4 nights so far)``; with nights unwritten before its
    first written night, the last night written on the regimen and the first written off:
    "Your break began on 2026-12-02" was said of a diary whose last glycinate night was
    2026-11-15, the 16 nights between unwritten (/tmp/w50/c C6). The count is from the first
    written night off, the latest the break can have begun (as
    :class:`~model.personal.withdrawal.Break` counts it).
    """
    first, since = off.brk.first if off.brk else None, nights_words(off.since)
    if off.taken is None or first is None or (first - off.taken).days <= 1:
        return f"Your break began on {first} ({since} so far)"
    return (f"Your last night written on {off.stopped.words} is {off.taken} and your first "
            f"night written without it {first}; the nights between are not written, so the "
            f"break is counted from {first} ({since} so far)")


def placebo_line(off: OffNights) -> str:
    """Why a placebo period under way is kept going (why ``finish_break``, ``off.placebo``).

    Five placebo nights into their own period a person was told "Switch to taurate ... to
    learn" beside the caution asking for 7 placebo nights (/tmp/w50/c C10). As
    :func:`break_line`: what to do first, in a sentence without ". ".
    """
    left, taking = off.left or 0, off.stopped.words
    need = off.placebo + left
    return (f"{STAY_ON_PLACEBO}{left} more night{'s' * (left != 1)} in place of {taking}: "
            f"your placebo period then has the {need} placebo nights that tell what {taking} "
            f"does for you from expecting it to help. Your placebo period has "
            f"{nights_words(off.placebo)} written so far, "
            f"and {need} placebo nights, written every night, are what the next analysis "
            f"needs; until then your diary cannot tell what {taking} does for you from "
            f"expecting it to help or your sleep's own course. Taking {taking} again before "
            "then ends the placebo period before it can tell.")


def break_line(off: OffNights | None) -> str:
    """Why a break under way is kept going (why ``finish_break``): the nights it still needs.

    Seven nights into their own break a person was told "Start glycinate ... better in 53%"
    beside the caution asking for 13 or more nights off (an outside audit, /tmp/w50/b F-5).
    The first sentence says what to do and what the nights are for; it holds no ". " (words
    and a regimen's), so that the headline can say it apart from the rest (:data:`STAY_OFF`).
    A placebo period under way says its placebo nights (:func:`placebo_line`). A break of at
    most a week so far (:data:`~model.decision.on_off.LAPSE_NIGHTS`, the longest lapse within
    a stretch of use) may be doses forgotten: the words say what to do then (three forgotten
    nights and one unwritten were told "Stay without magnesium for 9 more nights: your break
    ... counts as a withdrawal", and nothing asked whether the break was meant: an outside
    audit of people who do not follow the advice, /tmp/w57/n N4).
    """
    if off is None or off.brk is None or not off.left:
        return ""
    if off.placebo:
        return placebo_line(off)
    left, since, taking = off.left, off.since, off.stopped.words
    return (f"{STAY_OFF}{left} more night{'s' * (left != 1)}: your break from {taking} then "
            f"counts as a withdrawal, which tells whether {taking} still helps you. "
            f"{began_words(off)}, and "
            f"{since + left} nights off, written every night, are what the next analysis needs "
            f"to count it as a withdrawal; until then your diary cannot tell what {taking} does "
            "for you from expecting it to help or your sleep's own course. Starting magnesium "
            "before then ends the break before it can tell." + (
                f" If you did not mean to stop, take {taking} again tonight: nights forgotten "
                "are no break, and the advice goes on from it." if since <= LAPSE_NIGHTS
                else ""))


def returned_words(taking: str, p_better: float, off: OffNights | None) -> str:
    """Why a regimen a counted break left is taken again, in one clause (``withdrawal_return``).

    ``your break from citrate 300 mg counts as a withdrawal (19 nights off since 2026-08-18),
    and citrate 300 mg looks to help you (P(better than staying off) 0.91, from 0.80), so you
    take it again, ...``: the decision's reason (:func:`return_line`) and the headline's why
    say it alike; "On citrate so far: falling asleep 10 min faster ...: not settled yet" had
    stood as the why of the return (an outside audit, /tmp/w50/a F3). Below
    :data:`LOOKS_TO_HELP` the return is the other branch of
    :func:`~model.decision.baseline.returning`, the best expected step, and says so: the
    crossover had started taurate "to learn" with no word of why glycinate, best expected
    and "probably helps (P 0.97)", was not taken again (/tmp/w50/c C4).
    """
    since = f"{off.since} nights off since {off.brk.first}" if off and off.brk else "nights off"
    p = f"P(better than staying off) {chance(p_better)}"
    why = (f"looks to help you ({p}, from {LOOKS_TO_HELP:.2f})" if p_better >= LOOKS_TO_HELP
           else f"is the step expected to do best of those open now ({p}: below "
           f"{LOOKS_TO_HELP:.2f} over all outcomes together, but no other step is expected to "
           "do better)")
    return (f"your break from {taking} counts as a withdrawal ({since}), and {taking} {why}, "
            "so you take it again, as a withdrawal returns to its regimen")


def return_line(chosen: Assessed, past: History, s: DecisionSettings,
                off: OffNights | None) -> str:
    """Why the regimen a withdrawal left is taken again (why ``withdrawal_return``).

    "Stop citrate 300 mg for 17 nights, then take it again" was followed by "Start glycinate
    200 mg ... You do not restart citrate 300 mg, which looks to help you (P 0.91)" (an outside
    audit, /tmp/w50/a F3).
    """
    said = returned_words(chosen.regimen.words, chosen.p_better_than_continue, off)
    return (f"{said[:1].upper()}{said[1:]}. Your diary can now tell what "
            f"{chosen.regimen.words} does from your sleep's own course; the next look weighs "
            f"any other step against it. {course(chosen, past, s, 'take').capitalize()}.")


def rule_line(why: Why, chosen: Assessed, past: History, s: DecisionSettings,
              off: OffNights | None) -> str:
    """What a step of the baseline rules says in place of a plan ("": another branch).

    The first line of a break kept going (:func:`break_line`), the plan of a withdrawal first
    (:func:`baseline_line`) or of a return (:func:`return_line`):
    :func:`model.decision.explain.reasons` says it.
    """
    if why == "finish_break":
        return break_line(off)
    if why == "withdrawal_return":
        return return_line(chosen, past, s, off)
    return baseline_line(chosen, past, s, off) if why == "no_baseline" else ""
