"""Whether a recorded covariate went with magnesium, or with one form more than another.

The model fits each covariate of :data:`~model.data.diary.COVARIATES` as a level shift of every
sleep outcome, but it can split a covariate's effect from magnesium's only as far as the diary
varies them apart. When a covariate moves with taking magnesium (:func:`covariate_shifts`), or
with one form against the others (:func:`form_shifts`: a shift worker's taurate nights fell on
night blocks, her glycinate nights on leave, and glycinate "probably works for you" with no
word of it, an outside audit, /tmp/w53/b B2; a woman's taurate nights held every premenstrual
week, and taurate "looks to do you harm": the cycle audit, /tmp/w56/cyc), the reasons say so.
"""

from __future__ import annotations

import numpy as np

from model.core.forms import FORMS
from model.data.diary import COVARIATES, Diary
from model.data.diary_columns import written_covariate
from model.data.night_levels import COVARIATE_WORDS
from model.personal.withdrawal import sleep_observed

__all__ = ["COVARIATE_NIGHTS", "COVARIATE_SHIFT", "covariate_shifts", "form_shifts",
           "night_correlation"]

COVARIATE_SHIFT = 0.5
"""A recorded covariate (late caffeine, alcohol, a day sleep, the days before a period) whose
night-by-night correlation with taking magnesium (or one form) is this far from 0 is named in
the reasons: a quarter or more of its variation goes with magnesium, and the model can hardly
split their effects (the SD of each estimate grows by 1 / sqrt(1 - r^2), 15 % or more).
Caffeine stopped two nights before magnesium started (85 % of nights before, 4 % after) went
unsaid (an outside audit)."""
COVARIATE_NIGHTS = 7
"""Nights with an outcome and the covariate recorded needed on each side (with and without
magnesium; on the form and on the others) before a shift is named: a share from fewer says
little."""
_ACT = {("day_sleep", "magnesium"): "; take magnesium, and go without it, across whole cycles "
                                   "of your rota",
        ("day_sleep", "form"): "; take each form across whole cycles of your rota",
        ("premenstrual", "magnesium"): "; take magnesium, and go without it, for whole "
                                       "menstrual cycles (about four weeks each)",
        ("premenstrual", "form"): "; take each form for whole menstrual cycles (about four "
                                  "weeks each), so that each has its share of these days"}
"""What a person can do of a covariate's imbalance with magnesium or between forms, beyond the
reason itself (one form's was said of magnesium against none: /tmp/w54/s S7; two forms taken
14 nights each in turn put every premenstrual week on one: the cycle audit, /tmp/w56/cyc)."""


def _levels(column: str, first: np.ndarray, second: np.ndarray) -> tuple[str, str]:
    """A covariate's level over two sets of nights: a share of nights, or drinks a night."""
    if column == "alcohol_drinks":
        return f"{first.mean():.1f} drinks a night", f"{second.mean():.1f}"
    return f"on {100 * first.mean():.0f} % of nights", f"{100 * second.mean():.0f} %"


def _said(column: str, r: float, between: str) -> str:
    """The end of a reason: what it means, its correlation, the threshold and what to do.

    ``between``: ``magnesium`` (with and without it) or ``form`` (one form and the others).
    """
    return (f": the diary cannot well tell their effects apart (correlation {r:.2f} night by "
            f"night; named from {COVARIATE_SHIFT:.1f}){_ACT.get((column, between), '')}")


def night_correlation(active: np.ndarray, values: np.ndarray, used: np.ndarray) -> float | None:
    """The correlation night by night of ``values`` with ``active``, over ``used`` nights.

    None with fewer than :data:`COVARIATE_NIGHTS` nights ``used`` on either side (``active``
    and not), or ``values`` the same on all of them: a share from fewer says little.
    """
    if (min(int((used & active).sum()), int((used & ~active).sum())) < COVARIATE_NIGHTS
            or np.ptp(values[used]) == 0):
        return None
    return float(np.corrcoef(active[used].astype(float), values[used])[0, 1])


def _recorded(diary: Diary, column: str) -> tuple[np.ndarray, np.ndarray]:
    """A covariate's values and the nights it counts on.

    Those with a sleep outcome (:func:`sleep_observed`: not a night left out for its GI record
    alone) and the value written; a blank of a covariate written only on the nights it happens
    (:data:`~model.data.diary_columns.MARKED_ONLY`) is 0, once the column has a value.
    """
    values = written_covariate(diary.nights, column).to_numpy(float)
    return values, sleep_observed(diary) & np.isfinite(values)


def covariate_shifts(diary: Diary, active: np.ndarray) -> list[str]:
    """Reasons naming each recorded covariate that changed with magnesium.

    The correlation of the covariate with taking magnesium (``active``, per night), over the
    nights it counts on, at least :data:`COVARIATE_SHIFT` in size, with
    :data:`COVARIATE_NIGHTS` such nights on each side.
    """
    reasons = []
    for column in COVARIATES:
        values, used = _recorded(diary, column)
        r = night_correlation(active, values, used)
        if r is not None and abs(r) >= COVARIATE_SHIFT:
            off, on = _levels(column, values[used & ~active], values[used & active])
            reasons.append(f"{COVARIATE_WORDS[column]} {off} without magnesium, {on} with it"
                           f"{_said(column, r, 'magnesium')}")
    return reasons


def form_shifts(diary: Diary, active: np.ndarray) -> list[str]:
    """Reasons naming each recorded covariate that went with one form more than the others.

    Over the nights on magnesium it counts on, the correlation of the covariate with taking
    a form rather than another, for each form with :data:`COVARIATE_NIGHTS` such nights and as
    many on other forms; the form of the largest, if :data:`COVARIATE_SHIFT` or more in size,
    is named, once a covariate.
    """
    forms = diary.nights["form"].to_numpy(object)
    reasons = []
    for column in COVARIATES:
        values, used = _recorded(diary, column)
        used = used & active
        found = [(abs(r), r, form) for form in FORMS
                 if (r := night_correlation(forms == form, values, used)) is not None]
        size, r, form = max(found, key=lambda item: (round(item[0], 9), item[1]),
                            default=(0.0, 0.0, ""))      # of two forms, the one it went with
        if size >= COVARIATE_SHIFT:
            on, others = _levels(column, values[used & (forms == form)],
                                 values[used & (forms != form)])
            reasons.append(f"{COVARIATE_WORDS[column]} {on} on {form}, {others} on other forms"
                           f"{_said(column, r, 'form')}")
    return reasons
