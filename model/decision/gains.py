"""Gains on the link scale, in diary units at the person's typical nights.

Averaging diary-scale predictions over posterior draws scores uncertainty as harm (Jensen): a
form whose effect on log sleep-onset latency is symmetric around zero shows an expected *loss*
of minutes, because ``exp`` is convex. The decision therefore measures every change on each
outcome's link scale and converts it to diary units with one slope per outcome and comparison,
fixed across draws: the derivative of the diary value halfway (on the link scale) between the
two regimens' typical nights (their posterior means), so that a large effect is not
understated by the slope at one end, and a symmetric posterior on the link scale still has an
expected gain of exactly zero.

The one slope serves an expected value, not an interval: it drops the uncertainty of where the
level sits, which near a scale's end is most of it. The effects shown to a person
(:mod:`model.analysis.effects`) are therefore each draw's own difference of the predicted
nightly means, not these gains (an edge-of-scale audit, C F4: a freshness interval halved).

Links (applied to the diary-scale mean a ``predict`` returns, so any ``predict`` works):

- sleep-onset latency (log1p-normal): ``log1p(m)``, slope ``m + 1`` minutes per unit;
- awakenings (negative binomial, log link): ``log(m)``, slope ``m``;
- ratings (cumulative logit): ``logit`` of the mean's share of the scale, slope
  ``(K - 1) p (1 - p)`` points (a monotone stand-in for the latent shift, exact at small shifts);
- GI nights (logistic): ``logit(m)``, slope ``m (1 - m)``.

Magnesium's **own** effect of a regimen is its link value minus that of placebo (taking
something without magnesium): the expectation effect of taking anything and the drift of the
diary are common to both and cancel, so neither is credited to magnesium.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from model.core.outcomes import OUTCOME_OF_GAIN, SPECS

_TINY = 1e-6


def _share(variable: str, mean: np.ndarray) -> np.ndarray:
    """A rating's mean as a share of its scale, or a GI rate, kept inside (0, 1)."""
    spec = SPECS[OUTCOME_OF_GAIN[variable]]
    if spec.family == "ordinal":
        mean = (mean - spec.lowest) / (spec.categories - 1)
    return np.clip(mean, _TINY, 1 - _TINY)


def link(variable: str, mean: np.ndarray) -> np.ndarray:
    """The link-scale value of a diary-scale prediction (see the module docstring)."""
    family = SPECS[OUTCOME_OF_GAIN[variable]].family
    if family == "normal_ar1":
        return np.log1p(np.maximum(mean, 0.0))
    if family == "negbin":
        return np.log(np.maximum(mean, _TINY))
    p = _share(variable, mean)
    return np.log(p / (1 - p))


def slope(variable: str, mean: float) -> float:
    """Diary units per link unit at a diary value (the derivative of the inverse link)."""
    spec = SPECS[OUTCOME_OF_GAIN[variable]]
    if spec.family == "normal_ar1":
        return max(mean, 0.0) + 1.0
    if spec.family == "negbin":
        return max(mean, _TINY)
    p = float(_share(variable, np.asarray(mean)))
    width = spec.categories - 1 if spec.family == "ordinal" else 1
    return width * p * (1 - p)


def _diary_value(variable: str, value: float) -> float:
    """The inverse link: the diary value of a link-scale value."""
    spec = SPECS[OUTCOME_OF_GAIN[variable]]
    if spec.family == "normal_ar1":
        return float(np.expm1(value))
    if spec.family == "negbin":
        return float(np.exp(value))
    share = 1.0 / (1.0 + np.exp(-value))
    return float(spec.lowest + (spec.categories - 1) * share if spec.family == "ordinal"
                 else share)


def _slope_between(variable: str, a: float, b: float) -> float:
    """The slope halfway (on the link scale) between two typical link values."""
    return slope(variable, _diary_value(variable, 0.5 * (a + b)))


def per_night_variance(variable: str, mean: float, smd_sd: float) -> float:
    """Night-to-night variance of one night on the link scale.

    Sleep outcomes: ``smd_sd`` squared (``settings.toml``: the within-person SD on the model
    scale); GI nights: the Bernoulli information, ``1 / (p (1 - p))``.
    """
    if SPECS[OUTCOME_OF_GAIN[variable]].family == "bernoulli":
        p = float(_share(variable, np.asarray(mean)))
        return 1.0 / (p * (1 - p))
    return smd_sd**2


def diary_gains(means: Mapping[str, np.ndarray], rows: np.ndarray,
                against: np.ndarray) -> np.ndarray:
    """Improvements of some regimens' rows over others, in diary units (positive = better).

    Parameters
    ----------
    means : mapping of variable -> numpy.ndarray
        Diary-scale predictions per regimen and draw, shape (R, D).
    rows, against : numpy.ndarray of int
        Row indices of the changed and of the compared regimens, same length A.

    Returns
    -------
    numpy.ndarray
        Shape (A, V, D), variables in ``means`` order.

    """
    gains = []
    for variable, mean in means.items():
        linked = link(variable, mean)
        typical = np.nanmean(linked, axis=1)
        slopes = np.array([_slope_between(variable, typical[i], typical[j])
                           for i, j in zip(rows, against, strict=True)])
        sign = SPECS[OUTCOME_OF_GAIN[variable]].sign
        gains.append(sign * slopes[:, None] * (linked[rows] - linked[against]))
    return np.stack(gains, axis=1)
