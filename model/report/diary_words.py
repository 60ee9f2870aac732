"""What the headline says of the diary itself: what to write down, and a very anxious week.

A plan says what to write of a menstrual cycle (:data:`CYCLE_LINE`).

The outcomes asked for follow the person's weights (:func:`record_line`); a run of very high
evening anxiety is said first, before any advice on magnesium (:func:`hard_week`).
"""

from __future__ import annotations

import pandas as pd

from model.core.outcomes import scale_words
from model.data.weights import counting_most, heaviest_first
from model.decision.hard_week import HARD_ANXIETY, HARD_WEEK, very_anxious

RECORDED = {"sol": "minutes to fall asleep", "awakenings": "awakenings",
            **{rating: scale_words(rating, brackets=True)
               for rating in ("quality", "freshness", "anxiety")}}
"""Each outcome as the morning's note asks for it (its scale said where the end is unclear)."""


TOOK = "what you took (form and mg)"
"""What was taken, in an open diary."""

TOOK_POT = "which pot you took (keep its code in notes; never the form or dose)"
"""What was taken, during a blinded plan: logged as a form it overrode the key, silently
(an outside audit of a blinded trial)."""

CYCLE_LINE = ("Have periods? Write menstruation = 1 on the days you bleed (mgsleep log "
              "--menstruation 1): this plan may put every treatment in the same week of your "
              "cycle, and the analysis can then tell those days from magnesium's effect.")
"""What a plan says to a person who menstruates: a plan of 14-night periods 14 nights apart
put every treatment period in the same phase of a 28-day cycle, and a form taken in every
premenstrual week "looked to do you harm (P 0.92)" while none did anything (a cycle audit,
/tmp/w56/cyc); the diary's ``menstruation`` column lets the model fit those days apart."""


CYCLE_DAYS = "the days you bleed (menstruation = 1)"
"""What a diary that writes its periods is asked to go on writing (:func:`record_line`)."""


def record_line(weights: dict[str, float], blinded: bool = False, cycle: bool = False) -> str:
    """What to write down every morning: the outcomes the person weighs most first.

    An outcome weighing at least half the heaviest is asked for outright, heaviest first, the
    others "if you can": a person whose complaint is anxiety was asked for it only "if you
    can", after three sleep outcomes that counted half or nothing for them. The stool form is
    always asked for: the loose-stool rule reads it. ``blinded``: a blinded plan lies ahead,
    whose nights record the pot (:data:`TOOK_POT`). ``cycle``: the diary writes its periods
    (:func:`~model.data.cycle_nights.writes_cycle`), which the model fits apart from magnesium
    only while they are written (:data:`CYCLE_DAYS`).
    """
    weighed = {o: weights.get(o, 0.0) for o in RECORDED}
    most = counting_most(weighed)
    must = [TOOK_POT if blinded else TOOK, *(RECORDED[o] for o in most),
            "stool form (Bristol 1-7) or an upset stomach", *[CYCLE_DAYS] * cycle]
    rest = [RECORDED[o] for o in heaviest_first(weighed) if o not in most]
    if not rest:
        return f"Write down every morning: {_listed(must)}."
    return f"Write down every morning: {', '.join(must)}, and if you can {_listed(rest)}."


def _listed(items: list[str]) -> str:
    """``a, b and c``."""
    return " and ".join([", ".join(items[:-1]), items[-1]]) if len(items) > 1 else items[0]


def hard_week(nights: pd.DataFrame, judged: bool = True) -> str:
    """A prompt to see a clinician after a week of very high anxiety, else "".

    Magnesium is no treatment for severe anxiety or panic, and a change started in such a week
    is hard to judge (the weeks after tend to be calmer whatever is taken): a week of panic
    attacks was answered "Switch to taurate ... to learn" with no word of either (an anxious
    person's audit). Beside a safety rule's answer (``judged`` false: "Stop taking magnesium
    now") it says nothing of judging a change, which the rule does not ask for.
    """
    hard, recorded = very_anxious(nights)
    if hard < HARD_WEEK[0]:
        return ""
    return (f"Your evening anxiety was {HARD_ANXIETY} or more on {hard} of the last "
            f"{HARD_WEEK[1]} nights ({recorded} with it recorded): magnesium is no treatment "
            "for severe anxiety or panic, so talk to your clinician or prescriber soon (in a "
            "crisis, call your local emergency number). " + (
                "A change started in such a week is hard to judge, since the weeks after tend "
                "to be calmer whatever you take. " if judged else ""))
