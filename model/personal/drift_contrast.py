"""Whether a tried form's effect can be told from a slow change of sleep over the diary.

The personal model lets sleep change slowly over the whole diary (a quadratic ``trend`` on a
Legendre basis over its nights, :mod:`model.personal.graph`). When every night without
magnesium lies early, the nights on it later differ from them by magnesium's effect and by the
trend alike, and the posterior can trade one for the other: a diary of 14 nights off, 14 on
glycinate, 14 off, then 134 on it (true effect -25 % on sleep onset) was estimated 0.4 min
faster, "no meaningful effect", without a word (a cross-checking biostatistician, /tmp/w46/E
F2; an OLS with a linear trend reproduced the collapse). :func:`trend_entanglement` reads it
from the posterior: the correlation of the form's effect with the trend's contrast between its
nights and the nights off; :func:`trend_reason` says it, with what would settle it.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from model.core.change_words import IN_DETAIL
from model.core.forms import FORMS
from model.core.outcomes import OUTCOMES, SLEEP_OUTCOMES
from model.data.diary import Diary

TREND_ENTANGLED = -0.45
"""A posterior correlation of a tried form's sleep-onset effect with the trend's contrast
(:func:`trend_entanglement`) below this is named: a fifth (0.45^2) or more of the effect's
posterior variance moves with the trend. Calibrated on quick-model fits of the tests' own
diaries (seeds 1-8, tests/test_drift_contrast.py): nights off only in the first 42, then
28 to 134 on, -0.43 to -0.60 (259 on: -0.38 to -0.52, the trend's prior spread over a longer
diary); 21 off then 100 on, -0.49 to -0.54; nights off spread through (a withdrawal late, three
withdrawals) -0.10 to -0.30; off at both ends, on between, -0.31 to -0.45 (a quadratic trend
entangled in part). The audit's diary, NUTS: -0.54 at 176 nights (the collapse), -0.49 at 301.
The trend alone, not the start's ``drift`` (a bad patch fading over ``drift_days``): a
withdrawal after it pins that one, and :mod:`model.personal.separability` asks for one
already; counting it put well-spread diaries at -0.35 to -0.54."""


def trend_basis(n: int) -> np.ndarray:
    """The personal graph's trend basis (P1, P2 / 2) over ``n`` nights, rescaled to [-1, 1].

    The one definition: :func:`model.personal.data.diary_data` gives it to the graph, and the
    contrast rebuilds it from the night count alone.
    """
    u = np.linspace(-1.0, 1.0, n) if n > 1 else np.ones(1)
    return np.column_stack([u, (1.5 * u**2 - 0.5) / 2.0])


def _correlation(x: np.ndarray, y: np.ndarray) -> float | None:
    """Pearson correlation of two draw vectors; None when either does not vary."""
    x, y = x - x.mean(), y - y.mean()
    scale = float(np.sqrt((x @ x) * (y @ y)))
    return float(x @ y) / scale if scale > 0 else None


def _seen_taking(diary: Diary) -> tuple[np.ndarray, np.ndarray]:
    """Per night: a sleep-onset time written (the nights the effect is read from), magnesium."""
    nights = diary.nights
    return (np.isfinite(nights["sol_min"].to_numpy(float)),
            (nights["form"].isin(FORMS) & (nights["elemental_mg"] > 0)).to_numpy(bool))


def trend_entanglement(diary: Diary, draws: Mapping[str, np.ndarray]
                       ) -> tuple[str, float] | None:
    """The tried form whose sleep-onset effect is most entangled with the trend, and how much.

    Per tried form, the posterior correlation of ``theta[form, sol]`` with the trend's
    contribution averaged over that form's nights less its average over the nights without
    magnesium (both with a sleep-onset time: the nights the effect is read from). None
    without draws of ``theta`` and ``trend``, or without such nights on both sides.
    """
    if "theta" not in draws or "trend" not in draws:
        return None
    seen, taking = _seen_taking(diary)
    slow = draws["trend"][:, SLEEP_OUTCOMES.index("sol"), :] @ trend_basis(diary.n_nights).T
    off = seen & ~taking
    found: list[tuple[float, str]] = []
    for form in FORMS:
        on = seen & taking & (diary.nights["form"] == form).to_numpy(bool)
        if not on.any() or not off.any():
            continue
        contrast = slow[:, on].mean(axis=1) - slow[:, off].mean(axis=1)
        r = _correlation(draws["theta"][:, FORMS.index(form), OUTCOMES.index("sol")], contrast)
        if r is not None:
            found.append((r, form))
    return None if not found else (min(found)[1], min(found)[0])


def trend_reason(diary: Diary, draws: Mapping[str, np.ndarray], need: int
                 ) -> tuple[float | None, list[str]]:
    """The trend's correlation (:func:`trend_entanglement`) and the reason, when it is named.

    ``need``: the nights off a withdrawal needs
    (:func:`model.personal.withdrawal.off_nights_needed`), the action said first (a
    plain-language editor). The last night without magnesium sharpens the words; the posterior
    alone decides whether they are said (a design rule would also fire where the trend is well
    pinned).
    """
    found = trend_entanglement(diary, draws)
    if found is None or found[1] >= TREND_ENTANGLED:
        return (None if found is None else found[1]), []
    form, r = found
    seen, taking = _seen_taking(diary)
    last = diary.nights.index[seen & ~taking][-1]
    ago = (diary.nights.index[-1] - last).days
    when = (f"your last night without magnesium was {ago} nights ago ({last.date()}), so the "
            "nights since" if ago else
            "your nights without magnesium lie apart in time from those on it, so they")
    return r, [f"your diary cannot yet tell {form}'s effect on sleep onset from a slow drift "
               f"of your sleep: that takes a break of {need} or more nights without magnesium, "
               f"written every night{IN_DETAIL}{when} can show either (correlation "
               f"{r:.2f} of the effect with the trend in the posterior; named from "
               f"{TREND_ENTANGLED:.2f})"]
