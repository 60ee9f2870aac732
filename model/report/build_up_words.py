"""What the headline says of a build-up that may not be over, and of an effect that faded.

**Still building** (:func:`still_building`). The evaluation period follows the posterior
*median* of the build-up time constant (:func:`model.decision.rules.evaluation_nights`,
``steady_share`` 0.8): half the fits allow a slower build-up. A sleep scientist's audit
(/tmp/w45/A F1): a slow responder, whose benefit built to full over 28 nights, was moved off
glycinate "to learn" at the tool's own look date, 20 nights in, with about 71 % of the
benefit built up ("You leave glycinate 200 mg, which looks to help you (P(better than
stopping) 0.89)"), and the interval of sleep quality excluded its true steady state. When a
step of the planned crossover leaves a regimen that looks to help, or whose effect on the
outcome that weighs most is not settled, and its nights are fewer than those a build-up at
the :data:`SLOW_BAND` quantile of the fitted time constant needs to reach ``steady_share``,
the why says so in one sentence. The decision is not changed.

**Faded** (:func:`fading_words`): the warning of :func:`model.analysis.fading.fading`, said
once, after the why (:func:`with_fading`): printed after the effects, it stood far below a why
that said the form "looks to help you (P(better than stopping) 0.94)" (an outside audit,
/tmp/w50/b F-12).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from model.analysis.pipeline import history_of
from model.decision.baseline_words import nights_words
from model.decision.learning import steady_nights

if TYPE_CHECKING:
    from model.analysis.pipeline import Analysis

SLOW_BAND = 0.9
"""The quantile of the fitted build-up time constant read as "as slow as the fit allows"."""


def _weak(result: Analysis) -> bool:
    """Whether the current regimen's effect on the recorded outcome weighing most is unsettled."""
    current = history_of(result).current
    weights = result.profile.outcome_weights()
    own = [e for e in result.effects.by_regimen
           if e.regimen == current and e.tried and e.recorded and weights.get(e.outcome, 0) > 0]
    return bool(own) and max(own, key=lambda e: weights[e.outcome]).verdict == "inconclusive"


def still_building(result: Analysis, helping: bool) -> str:
    """The sentence on a build-up that may not be over, or "" (see the module docstring).

    ``helping``: the regimen left looks to help (the headline has just said so); else the
    sentence is said only when its effect on the outcome weighing most is not settled.
    """
    past, share = history_of(result), result.settings.steady_share
    tau = result.fit.draws_.get("tau")
    if tau is None or not past.current.active or not (helping or _weak(result)):
        return ""
    slow = float(np.quantile(np.asarray(tau, float), SLOW_BAND))
    reached = math.ceil(steady_nights(slow, share))
    if past.nights_on_current >= reached:
        return ""
    said = (f"{nights_words(past.nights_on_current)} on it, and a build-up as slow as the fit "
            f"allows (time constant up to {nights_words(round(slow))}) reaches "
            f"{share * 100:.0f} % after {reached}")        # not "1 nights on it" (/tmp/w57/n N10)
    if helping:
        return f" Its effect may still be building: {said}."
    return f" You leave {past.current.words} before its effect may have built up: {said}."


def fading_words(result: Analysis) -> str:
    """The fading warning (:meth:`model.analysis.fading.Fading.words`), or ""."""
    found = result.fading()
    return "" if found is None else found.words()


def with_fading(why: str, result: Analysis) -> str:
    """The headline's why and the fading warning after it, if any."""
    return " ".join(filter(None, (why, fading_words(result))))
