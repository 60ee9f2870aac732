"""Gains on the link scale, in diary units at the person's typical nights.

Averaging diary-scale predictions over posterior draws scores uncertainty as harm (Jensen): a
form whose effect on log sleep-onset latency is symmetric around zero shows an expected *loss*
of minutes, because ``exp`` is convex. The decision therefore measures every change on each
outcome's link scale and converts it to diary units with one slope per outcome and comparison,
fixed across draws: the derivative of the diary value halfway (on the link scale) between the
two regimens' typical nights (their posterior means), so that a large effect is not
understated by the slope at one end, and a symmetric posterior on the link scale still has an
expected gain of exactly zero.

The one slope serves the decision's expected value, not a figure to read: it drops the
uncertainty of where the level sits, which near a scale's end is most of it, and one slope
cannot follow a large jump. What a person reads, the effects (:mod:`model.analysis.effects`)
and the decision's expected changes (``expected_gain``, :func:`shown_gains`), is each draw's
own difference of the predicted nightly means (:func:`change_draws`), within the scale: the
slope halved a freshness interval at a scale's end (an edge-of-scale audit, C F4), and,
Bristol 7 on every glycinate night (GI share 0.04 without it, 0.86 on it), the slope at the
midpoint gave stopping "GI nights: -36 a month (-46 to -28)" and ``expected_gain.gi_rate``
1.21, a share of nights above 1, beside the effects' "+25 a month (+22 to +27)" (an outside
audit, A F2).

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

from collections.abc import Mapping, Sequence

import numpy as np
import xarray as xr

from model.core.outcomes import OUTCOME_OF_GAIN, SPECS
from model.core.regimen import Regimen

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


def change_draws(values: xr.DataArray, regimen: Regimen, against: Regimen) -> np.ndarray:
    """Draws of the change of ``regimen`` over ``against`` in diary units (raw direction).

    Each draw's own difference of the two predicted nightly means: within the scale, as
    they are. The one slope for all draws of :func:`diary_gains` dropped the uncertainty of
    where the level sits: at a scale's end, a freshness of 10 on every night of glycinate, it
    halved the interval (+0.10 to +0.51 points against +0.07 to +1.08 per draw), and it gave
    a quality of 4.9 of 5 "0.4 higher" (an edge-of-scale audit, C F4).
    """
    rows = values.transpose("regimen", ...)
    return (rows.sel(regimen=regimen.label) - rows.sel(regimen=against.label)).to_numpy()


def shown_gains(data: xr.Dataset, variables: Sequence[str], regimens: Sequence[Regimen],
                against: Sequence[Regimen]) -> np.ndarray:
    """Improvements of ``regimens`` over ``against`` as a person reads them (positive = better).

    Each draw's :func:`change_draws` in the better direction: a GI share's change stays
    within [-1, 1], as the effects say it (an outside audit, A F2: see the module). Not for
    the utility: averaged over draws it scores the spread of a convex link as harm.

    Parameters
    ----------
    data : xarray.Dataset
        Diary-scale predictions with dims (regimen, draw).
    variables : sequence of str
        The predicted variables, in the order of the result's second axis.
    regimens, against : sequence of Regimen
        The changed and the compared regimens, same length A.

    Returns
    -------
    numpy.ndarray
        Shape (A, V, D).

    """
    row = {label: k for k, label in enumerate(data.indexes["regimen"])}
    changed, compared = [row[r.label] for r in regimens], [row[a.label] for a in against]
    gains = []
    for v in variables:       # change_draws of every pair at once: one array per variable
        values = data[v].transpose("regimen", ...).to_numpy()
        gains.append(SPECS[OUTCOME_OF_GAIN[v]].sign * (values[changed] - values[compared]))
    return np.stack(gains, axis=1).astype(float)
