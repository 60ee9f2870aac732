"""What the next evaluation period will teach: a correlated knowledge gradient.

An action is valued by what it does now *and* by what its nights will teach. The teaching is
the **knowledge gradient** (KG) of Frazier, Powell & Dayanik (2009, "The knowledge-gradient
policy for correlated normal beliefs", INFORMS J. Computing 21:599-613), taken over the
posterior draws: one period on action ``a`` shows the diary a noisy contrast ``O_a`` (the
change of the person's nights it causes, in utility units). With the draws' covariance, the
posterior mean utility of every action ``b`` would move by ``cov(U_b, O_a) / sd(O_a + noise) Z``
with ``Z`` standard normal, and

    KG(a) = E[max_b mean(U_b) after the period] - max_b mean(U_b) now.

Why this and not EVPI or Thompson sampling: EVPI values *perfect* knowledge of every form at
once, so the prior spread of forms nobody will try keeps it high and the decision never
commits; Thompson sampling explores in proportion to P(best) whatever the stakes; the KG values
exactly the one period an action costs, through the correlations the model has (trying
glycinate 200 mg teaches about glycinate 300 mg and, through the shared responsiveness, a
little about every form). As in the online KG of Ryzhov, Powell & Frazier (2012, Operations
Research 60:180-195), the value of a step is ``E[U] + horizon x KG``: what is learnt pays for
``learning_periods`` future periods. Experimenting stops paying when no action's learning value
reaches ``commit_value``: then the decision commits.

The plain KG is myopic: when one period of an untried form cannot lift it above the best but
two or three could, it values the form at almost nothing, and a person whose first form
disappointed is never shown another. The learning value therefore uses the KG(*) of Frazier &
Powell (2010): the best, over one to ``learning_repeats`` periods, of the gradient per period
(:func:`knowledge_gradient_star`).

The noise of a period on the link scale is the night-to-night variance of each outcome divided
by its effective number of nights: autocorrelation (``night_autocorrelation``) and the build-up
of the effect (first-order kinetics) both lower it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from model.core.special import normal_quantile

_QUANTILES = 128
_Z = np.array([normal_quantile((k + 0.5) / _QUANTILES) for k in range(_QUANTILES)])


@dataclass(frozen=True)
class DrawMoments:
    """What the knowledge gradient needs of the draws: means and covariances.

    Attributes
    ----------
    mean : numpy.ndarray
        Posterior mean utility of each action one may end up choosing, shape (B,).
    cov : numpy.ndarray
        Covariance over the draws of those utilities with each action's contrast, (B, A).
    var : numpy.ndarray
        Variance over the draws of each action's contrast, shape (A,).
    """

    mean: np.ndarray
    cov: np.ndarray
    var: np.ndarray

    @classmethod
    def of(cls, utility: np.ndarray, observed: np.ndarray) -> DrawMoments:
        """The moments of every draw: ``utility`` (B, D), ``observed`` (A, D)."""
        return cls.without_each(utility, observed, [slice(0, 0)])[0]

    @classmethod
    def without_each(cls, utility: np.ndarray, observed: np.ndarray,
                     groups: Sequence[slice]) -> list[DrawMoments]:
        """The moments of the draws without each group of draws in turn (a jackknife).

        From per-group sums of the draws centred on their overall means, so that leaving a
        group out costs no second pass over the draws.
        """
        u_mean, o_mean = utility.mean(axis=1), observed.mean(axis=1)
        u, o = utility - u_mean[:, None], observed - o_mean[:, None]
        n, su, so, suo, soo = (utility.shape[1], u.sum(axis=1), o.sum(axis=1), u @ o.T,
                               (o**2).sum(axis=1))
        out = []
        for g in groups:
            k = n - len(range(n)[g])
            gu, go = u[:, g], o[:, g]
            mu = (su - gu.sum(axis=1)) / k
            mo = (so - go.sum(axis=1)) / k
            cov = (suo - gu @ go.T) / k - mu[:, None] * mo[None, :]
            var = (soo - (go**2).sum(axis=1)) / k - mo**2
            out.append(cls(u_mean + mu, cov, np.maximum(var, 0.0)))
        return out


def gradient(moments: DrawMoments, noise: np.ndarray) -> np.ndarray:
    """The knowledge gradient of each action from the draws' moments (see the module)."""
    spread = np.sqrt(moments.var + noise)                                   # (A,)
    cov = moments.cov
    shift = np.divide(cov, spread, out=np.zeros_like(cov), where=spread > 0)
    after = moments.mean[:, None, None] + shift[:, :, None] * _Z[None, None, :]   # (B, A, Z)
    return np.maximum(after.max(axis=0).mean(axis=1) - moments.mean.max(), 0.0)


def gradient_star(moments: DrawMoments, noise: np.ndarray, most_periods: int) -> np.ndarray:
    """The KG(*) per period from the draws' moments (:func:`knowledge_gradient_star`)."""
    return np.max([gradient(moments, noise / m) / m for m in range(1, most_periods + 1)],
                  axis=0)


def knowledge_gradient(utility: np.ndarray, observed: np.ndarray,
                       noise: np.ndarray) -> np.ndarray:
    """Expected rise of the best posterior mean utility after one period on each action.

    Parameters
    ----------
    utility : numpy.ndarray
        Utility draws of the actions one may end up choosing, shape (B, D).
    observed : numpy.ndarray
        Per draw, the contrast a period on each action would show, shape (A, D).
    noise : numpy.ndarray
        Variance of that contrast's estimate from one period's nights, shape (A,).

    Returns
    -------
    numpy.ndarray
        KG per action, shape (A,), >= 0; 0 for an action whose contrast does not vary.

    """
    return gradient(DrawMoments.of(utility, observed), noise)


def knowledge_gradient_star(utility: np.ndarray, observed: np.ndarray, noise: np.ndarray,
                            most_periods: int) -> np.ndarray:
    """The KG(*) per period: the best, over 1 to ``most_periods`` periods, of KG per period.

    One period of an untried option may be too few to change the choice while two or three
    could (the KG is not concave in the number of measurements); KG(*) (Frazier & Powell 2010,
    "Paradoxes in learning and the marginal value of information", Decision Analysis 7:378-403)
    values an action by the most rewarding number ``m`` of periods on it, per period:
    ``max_m KG_m / m`` where ``KG_m`` is the gradient with the noise of ``m`` periods.

    Parameters
    ----------
    utility, observed, noise :
        As for :func:`knowledge_gradient`.
    most_periods : int
        The largest number of periods considered (1: the plain KG).

    Returns
    -------
    numpy.ndarray
        Shape (A,), >= the plain KG.

    """
    return gradient_star(DrawMoments.of(utility, observed), noise, most_periods)


def steady_nights(onset_days: float, share: float) -> float:
    """Nights until first-order kinetics reach ``share`` of steady state."""
    return -onset_days * math.log(1.0 - share)


def steady_share(nights: float, onset_days: float) -> float:
    """The share of steady state first-order kinetics reach in ``nights`` (the inverse)."""
    return 1.0 - math.exp(-nights / onset_days)


def build_up_share(nights: int, onset_days: float) -> float:
    """Information share of a period whose effect builds up: mean of (1 - exp(-t / tau))^2."""
    t = np.arange(1, nights + 1)
    return float(np.mean((1.0 - np.exp(-t / onset_days)) ** 2))


def period_noise(weights: np.ndarray, variances: np.ndarray, builds_up: Sequence[bool],
                 nights: int, onset_days: float, autocorrelation: float) -> float:
    """Variance, in utility units, of the contrast one period of ``nights`` shows.

    Parameters
    ----------
    weights : numpy.ndarray
        Utility units per link unit of each outcome, shape (V,).
    variances : numpy.ndarray
        Night-to-night variance of each outcome on the link scale, shape (V,).
    builds_up : sequence of bool
        Whether each outcome's effect builds up (sleep outcomes) or is acute (GI).
    nights : int
        Length of the period.
    onset_days : float
        Time constant of the build-up.
    autocorrelation : float
        Lag-one correlation of the nights (lowers their effective number).

    Returns
    -------
    float

    """
    independent = (1.0 - autocorrelation) / (1.0 + autocorrelation)
    slow = nights * independent * build_up_share(nights, onset_days)
    effective = np.where(np.asarray(builds_up, bool), slow, float(nights))
    return float(np.sum(weights**2 * variances / np.maximum(effective, 1e-9)))
