"""Magnesium taken when needed: on the evenings that were already worse.

Someone who takes glycinate on the evenings she feels anxious, or after a bad night, takes it
on nights that were worse before the dose. The model cannot tell the dose from the reason it
was taken: an as-needed taker in a world where glycinate taken nightly helps her anxiety was
told "Stop taking magnesium. Glycinate 200 mg looks to do you harm (P 0.99)", with her
anxiety "probably harms you", as a commitment; the same nights with the taking evenings drawn
at random gave "Continue glycinate" (an outside audit of as-needed takers, /tmp/w57/n N1,
N3). What the tool saw before any dose of the night is what it can test: the evening's own
anxiety (rated in the evening, before a bedtime dose) and the night before's sleep.

**Taken as needed** (:func:`indication`): over the last :data:`WINDOW_NIGHTS` nights up to the
form's last, among the nights after a night without magnesium (not placebo, none a trial plan
set so), on the nights the form was taken again (any dose) against those it was not, at least
:data:`LEAST_NIGHTS` written of each and :data:`LEAST_STARTS` starts, one of those measures is
worse before the nights taken by a Welch t of :data:`T_BAR` or more. Only nights after a night
without it: the night before a run's second night is on the form, and a harm of the form made
that night worse, so a harmful form taken a week on and a week off by the calendar was read
as taken when needed, and its harm went unjudged (the second round, /tmp/w57/n2 A, UNSAFE);
the store a dose leaves fades over those nights too. While the current regimen is
one taken so (:meth:`model.decision.history.History.taken_as_needed`), nothing is judged on
its nights: no stop for harm, no commitment, no change for a gain or to learn
(:func:`model.decision.overrides.held_for_as_needed`); the advice asks for it every night
until the next look (:func:`as_needed_line`), so that its nights are taken whatever the
evening. What safety asks for (the hard rules, the GI rules, a gentler dose) still acts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from model.core.forms import PLACEBO
from model.core.regimen import Regimen

WINDOW_NIGHTS = 56
"""The nights, up to the form's last, over which taking is compared with the evenings: two of
the longest evaluation periods, so that a burst of stressful weeks and the calm ones between
are both in it (a week off between bursts ended the on-and-off stretch: /tmp/w57/n N3)."""

LEAST_NIGHTS = 5
"""The fewest written nights taken, and not taken, with a measure for it to be compared."""

LEAST_STARTS = 5
"""The fewest starts of the form after a night without magnesium in the window (the nights
compared as taken): a single start (a before/after diary) is drift or expectation, which the
separability caution names."""

T_BAR = 2.5
"""The Welch t (worse before the nights taken) from which taking is read as taken when needed:
one-sided p about 0.01 for each of the three measures, so that a person taking it on
evenings drawn at random is seldom told so."""

BEFORE_THE_DOSE: tuple[tuple[str, int, int, str], ...] = (
    ("anxiety", 0, 1, "evening anxiety {taken:.1f} on the {n_taken} evenings you took it again "
                      "after a night without it, {skipped:.1f} on the {n_skipped} you did not"),
    ("quality", 1, -1, "sleep quality {taken:.1f} the night before the {n_taken} nights you "
                       "took it again after a night without it, {skipped:.1f} before the "
                       "{n_skipped} you did not"),
    ("sol_min", 1, 1, "{taken:.0f} min to fall asleep the night before the {n_taken} nights "
                      "you took it again after a night without it, {skipped:.0f} before the "
                      "{n_skipped} you did not"))
"""What the diary holds before a night's dose: (column, nights back, sign of worse, words)."""


@dataclass(frozen=True)
class Indication:
    """Magnesium taken on the nights that were worse before the dose.

    Parameters
    ----------
    form : str
        The form taken.
    measure : str
        The words of the measure worse before the nights taken (:data:`BEFORE_THE_DOSE`),
        with ``{taken}``, ``{skipped}``, ``{n_taken}`` and ``{n_skipped}`` to fill.
    taken, skipped : float
        Its mean before the nights taken, and before the nights without magnesium.
    nights_taken, nights_skipped : int
        The written nights of each with the measure.
    """

    form: str
    measure: str
    taken: float
    skipped: float
    nights_taken: int
    nights_skipped: int


def indication(nights: pd.DataFrame, regimens: Sequence[Regimen],
               planned: Sequence[bool]) -> Indication | None:
    """The :class:`Indication` of the form lately taken, or None (see the module docstring)."""
    active = [i for i, r in enumerate(regimens) if r.active]
    if not active:
        return None
    last = active[-1]
    form, first = regimens[last].form, max(0, last + 1 - WINDOW_NIGHTS)
    none = np.array([not r.active and r.form != PLACEBO for r in regimens]) & ~np.asarray(
        planned, bool)
    after_none = np.r_[False, none[:-1]][first:last + 1]     # the night before: no magnesium
    on = np.array([r.form == form for r in regimens[first:last + 1]]) & after_none
    off = none[first:last + 1] & after_none
    if int(on.sum()) < LEAST_STARTS:
        return None
    found = [_worse(nights, first, last + 1, on, off, form, *check) for check in BEFORE_THE_DOSE]
    strongest = max((f for f in found if f is not None), key=lambda f: f[0], default=None)
    return strongest[1] if strongest is not None and strongest[0] >= T_BAR else None


def _worse(nights: pd.DataFrame, first: int, end: int, on: np.ndarray, off: np.ndarray,
           form: str, column: str, back: int, sign: int,
           words: str) -> tuple[float, Indication] | None:
    """The Welch t of ``column`` worse before the nights taken, with its indication."""
    if column not in nights:
        return None
    values = nights[column].astype(float).shift(back).to_numpy()[first:end]
    shown = np.log1p(values) if column == "sol_min" else values
    known = np.isfinite(shown)
    a, b = shown[on & known], shown[off & known]
    if min(a.size, b.size) < LEAST_NIGHTS:
        return None
    spread = np.sqrt(a.var(ddof=1) / a.size + b.var(ddof=1) / b.size)
    if spread == 0:
        return None
    t = sign * (a.mean() - b.mean()) / spread
    return float(t), Indication(form, words, float(np.nanmean(values[on & known])),
                                float(np.nanmean(values[off & known])), int(a.size),
                                int(b.size))


def as_needed_line(found: Indication, current: Regimen, review: str) -> str:
    """The first reason of a decision held for a regimen taken as needed (``as_needed``)."""
    said = found.measure.format(taken=found.taken, skipped=found.skipped,
                                n_taken=found.nights_taken, n_skipped=found.nights_skipped)
    return (f"You took {found.form} mostly when your nights were already worse: {said}. The "
            f"diary cannot tell {found.form} from the reason you took it, so its nights are "
            f"not judged: not as harm, not as help (the lines of what {found.form} did, below, "
            "read those nights with the reason you took it in them). Take "
            f"{current.words} every night, whatever the evening, and look again on {review}; "
            "stop sooner if you feel worse on it.")
