"""Changes of the diary's outcomes, and steps, in words: ``switch to malate 200 mg``.

The one definition of how a change in diary units and a step are said to a person, used by the
report (:mod:`model.report.headline`) and by the decision's own explanation
(:mod:`model.decision.explain`).
"""

from __future__ import annotations

import math

from model.core.regimen import Regimen


def chance(p: float) -> str:
    """A probability to two decimals, never rounded to certainty: ``0.998`` is ``> 0.99``."""
    return "> 0.99" if p > 0.995 else "< 0.01" if p < 0.005 else f"{p:.2f}"


def share(p: float) -> str:
    """A probability in per cent, never rounded to certainty: ``0.998`` is ``more than 99%``."""
    return "more than 99%" if p > 0.995 else "less than 1%" if p < 0.005 else f"{p:.0%}"


GI_TROUBLE = "loose stools or stomach upset"
"""What makes a GI night, in a person's words: a diary may record stool form, an upset stomach
or both (a diary of upset stomachs alone was told of "loose stools" it never had)."""

NIGHTS_A_MONTH = 30
"""GI changes are said as nights a month: the share of nights times this."""

WORDS: dict[str, tuple[str, str, str, str]] = {
    "sol": ("falling asleep", "slower", "faster", "min"),
    "awakenings": ("awakenings", "more", "fewer", "a night"),
    "quality": ("sleep quality", "higher", "lower", "points"),
    "freshness": ("morning freshness", "higher", "lower", "points"),
    "anxiety": ("evening anxiety", "higher", "lower", "points"),
    "gi": ("GI nights", "more", "fewer", "a month"),
}
"""Per outcome: its name, the word when the diary value goes up, when it goes down, its
unit."""


def per_month(outcome: str, value: float) -> float:
    """A GI change (a share of nights) as nights a month; other outcomes as they are."""
    return value * NIGHTS_A_MONTH if outcome == "gi" else value


def number(value: float, outcome: str, like: float | None = None) -> str:
    """``|value|`` with the digits ``like`` (default: itself) needs.

    Whole minutes from 1 minute, whole GI nights from 10 a month, else one decimal.
    """
    size = abs(value if like is None else like)
    whole = size >= (1 if outcome == "sol" else 10 if outcome == "gi" else math.inf)
    return f"{abs(value):.{0 if whole else 1}f}"


def _signed(value: float, outcome: str, like: float) -> str:
    """``|value|`` and its direction's word (none for a zero): ``4 slower``, ``0.0``."""
    up, down = WORDS[outcome][1:3]
    word = f" {up}" if value > 0 else f" {down}" if value < 0 else ""
    return f"{number(value, outcome, like)}{word}"


def _plus(value: float, like: float) -> str:
    """A GI change with its sign (none for a zero): ``+3``, ``-1.5``, ``0.0``."""
    sign = "+" if value > 0 else "-" if value < 0 else ""
    return f"{sign}{number(value, 'gi', like)}"


def _zeroed(value: float, outcome: str, like: float | None = None) -> float:
    """``value``, or 0.0 when it is said as zero (so no ``-0.0``, no ``0.0 points lower``)."""
    return value if float(number(value, outcome, like)) else 0.0


def change_words(outcome: str, mean: float, low: float, high: float) -> str:
    """A change in the diary direction in words, with its interval in brackets.

    ``change_words("sol", -11, -18, -4)`` is ``falling asleep 11 min faster (4 to 18
    faster)``: an interval on one side says its direction once, after both ends (``18 min
    faster (1 to 41)`` beside ``(26 faster to 15 slower)`` read as a range of no direction: a
    plain-language editor, /tmp/w46/D R2). GI changes (a share of nights) are said per month:
    ``GI nights: +3 a month (+1 to +5)``. A change said as zero has no direction: ``morning
    freshness: no change (0.3 lower to 0.4 higher)``, ``GI nights: no change (-1.5 to +1.4 a
    month)``.
    """
    name, up, down, unit = WORDS[outcome]
    mean, low, high = (per_month(outcome, v) for v in (mean, low, high))
    if all(float(number(v, outcome)) == 0 for v in (mean, low, high)):
        return f"{name}: no change"
    wide = max(abs(low), abs(high))         # the interval's ends share one precision
    mean, low, high = _zeroed(mean, outcome), _zeroed(low, outcome, wide), \
        _zeroed(high, outcome, wide)
    if outcome == "gi":
        span = f"({_plus(low, wide)} to {_plus(high, wide)}"
        return (f"{name}: {_plus(mean, mean)} {unit} {span})" if mean
                else f"{name}: no change {span} {unit})")
    word = up if mean > 0 else down
    if not mean:
        head = f"{name}: no change"
    elif outcome == "awakenings":
        head = f"{number(mean, outcome)} {word} {name} {unit}"
    else:
        head = f"{name} {number(mean, outcome)} {unit} {word}"
    if mean and (low >= 0 or high <= 0):    # one side: magnitudes, smaller first, its word once
        ends = sorted((abs(low), abs(high)))
        return (f"{head} ({number(ends[0], outcome, wide)} to "
                f"{number(ends[1], outcome, wide)} {up if high > 0 else down})")
    return f"{head} ({_signed(low, outcome, wide)} to {_signed(high, outcome, wide)})"


def outcome_name(outcome: str) -> str:
    """The outcome's name for people (``falling asleep``, ``GI nights``)."""
    return WORDS[outcome][0]


STEP_WORDS = {"continue": "continue", "collect_more_data": "keep going and record more nights",
              "start": "start", "increase_dose": "raise the dose to",
              "decrease_dose": "lower the dose to", "switch_form": "switch to",
              "split_dose": "split the dose:", "stop": "stop magnesium",
              "placebo_period": "take a blinded placebo period",
              "withdrawal": "pause magnesium", "refer": "see a clinician"}
"""Each action as the verb a person reads, before its regimen's words."""

STAY_WITHOUT = "stay without magnesium for now"
"""Continuing without magnesium, said: the step words of the report's tables and the
headline's sentence (:data:`model.decision.explain.STAY_WITHOUT`) alike."""


def step_words(action: str, regimen: Regimen | None) -> str:
    """An action and its regimen as a person reads them: ``switch to malate 200 mg``.

    Without magnesium the action alone (``stop magnesium``, not "... no magnesium"), and
    continuing without it :data:`STAY_WITHOUT` (a bare "continue" stood in the report's table
    beside the headline's "Stay without magnesium for now", and "from continue citrate 300 mg
    to continue" in the line since the last analysis: a plain-language editor); recording
    more nights on a regimen is keeping it. An experiment returns to the regimen it names:
    the action alone.
    """
    if action == "continue" and regimen is not None and not regimen.active:
        return STAY_WITHOUT
    if action == "collect_more_data" and regimen is not None and regimen.active:
        return f"keep {regimen.words}"
    what = (f" {regimen.words}" if regimen is not None and regimen.active
            and action not in ("placebo_period", "withdrawal") else "")
    return f"{STEP_WORDS[action]}{what}"


IN_DETAIL = ". In detail: "
"""Between a caution's lead (what it means, what to do) and its detail (the numbers)."""


def lead(reason: str) -> str:
    """A caution's lead alone, without its detail (:data:`IN_DETAIL`): for a one-page summary.

    The clinician's one A4 page ran onto a second with the drift caution's detail (stop 75);
    the full report and the terminal keep the detail.
    """
    return reason.partition(IN_DETAIL)[0]
