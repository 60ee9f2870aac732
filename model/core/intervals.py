"""The level of every interval a person sees, and a normal interval at it.

The README: "every interval a person sees is 90 %". :attr:`model.decision.DecisionSettings.interval`
(the effects, the decision's words, the figures) has this level; the priors' table says its
intervals at it too (``mgsleep priors`` printed mean -/+ 1.96 sd, 95 %, unlabelled, beside a
priors figure of 90 %: an outside audit, /tmp/w43/P F9).
"""

from __future__ import annotations

from model.core.special import normal_quantile

LEVEL = 0.9
"""The central share of every interval a person sees."""


def normal_interval(mean: float, sd: float, level: float = LEVEL) -> tuple[float, float]:
    """The central ``level`` interval of a normal distribution of ``mean`` and ``sd``.

    Parameters
    ----------
    mean, sd : float
        The distribution's mean and standard deviation.
    level : float
        The central share (default :data:`LEVEL`).

    Returns
    -------
    tuple of float
        Its low and high ends.

    """
    z = normal_quantile(0.5 + level / 2)
    return mean - z * sd, mean + z * sd
