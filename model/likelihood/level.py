"""The intercepts of the likelihood families, and one sampled as a level in noise SD units.

:func:`normal_intercept` is the intercept of a family without a noise SD; :func:`level_intercept`
the normal family's, sampled as the level of its recorded nights in units of their noise SD.

With few nights, the mean level of the recorded nights (``intercept`` plus the mean of the
linear predictor over them, ``mean_w(eta)``) is known to about ``sigma / sqrt(n)``: its
spread shrinks with the noise SD ``sigma``, a funnel. In a 3- or 4-night diary the intercept,
drift and the two trend terms fit the few values almost exactly, ``sigma`` reaches
0.04-0.15, and NUTS diverged where it did (and at ``rho`` 0.6-0.86, the same funnel through
``sigma sqrt(1 - rho^2)``): of 20 first runs of a 3-night diary, 4 failed their checks at
target acceptance 0.97 and 16 at 0.9; the demo's first 4 nights, 12 at 0.9.

:func:`level_intercept` samples ``z`` with ``intercept = intercept_mu + sigma z - mean_w(eta)``
(:func:`level_coordinates`): the level is ``intercept_mu + sigma z``, so ``z`` keeps one
scale whatever ``sigma``. The intercept's prior ``Normal(intercept_mu, sd)`` stays, with the
Jacobian ``sigma`` of the change of variables: the same model in other coordinates (its
draws of every named variable have the same distribution: a 30-night diary's means within 0.03
posterior SD), with 1 of 20 and 4 of 20 of those first runs failing (an outside audit's
diaries, /tmp/w49/a; 30- and 120-night fits as fast). Without recorded nights
(``sum(w) = 0``: an outcome never written, a population's padding) ``z`` is the standardised
intercept, ``intercept = intercept_mu + sd z``.

The map depends on the diary (``w``, ``eta``'s data): the same unconstrained point is another
intercept under another diary. Log densities of two diaries compared draw by draw are those of
the named variables (:func:`model.personal.nightly.data_log_density`), or of the points
:func:`level_z` gives under each.
"""

from __future__ import annotations

from typing import Any

import numpy as np

INTERCEPT_SD = 1.0
"""SD of every outcome's intercept prior (link scale), centred on the diary's own level."""


def normal_intercept(outcome: str, intercept_mu: Any) -> Any:
    """``{outcome}_intercept ~ Normal(intercept_mu, INTERCEPT_SD)``, sampled as it is.

    The intercept of the families without a noise SD (counts, events).
    """
    import pymc as pm

    return pm.Normal(f"{outcome}_intercept", intercept_mu, INTERCEPT_SD)


def level_coordinates(sigma: Any, eta: Any, w: Any, sd: float,
                      xp: Any = np) -> tuple[Any, Any]:
    """``(scale, shift)`` with ``intercept = intercept_mu + scale z - shift``.

    ``scale`` is ``sigma`` and ``shift`` the weighted mean ``sum(w eta) / sum(w)`` of the
    nights (last axis), or ``sd`` and 0 without a recorded night. ``xp`` is ``numpy`` (batched:
    ``sigma`` ``(draw,)``, ``eta`` ``(draw, night)``) or ``pytensor.tensor``.
    """
    n = xp.sum(w)
    scale = xp.where(n > 0, sigma, sd)
    shift = xp.sum(w * eta, axis=-1) / xp.maximum(n, 1e-12)     # 0 without a recorded night
    return scale, shift


def level_intercept(outcome: str, intercept_mu: Any, sd: float, sigma: Any, eta: Any,
                    w: Any) -> Any:
    """The intercept ``{outcome}_intercept`` (a Deterministic) of a non-centred level.

    Creates ``{outcome}_level_z`` and the Potential ``{outcome}_intercept_prior``:
    ``log Normal(intercept | intercept_mu, sd) + log scale`` less ``z``'s own standard normal
    density (``z`` is a ``Normal``, not a ``Flat``, so that PyMC's tools that draw from the
    graph, ``model_to_mermaid``, still run; a forward draw of ``z`` is not the posterior's).
    ``sigma`` the noise SD, ``eta`` the linear predictor without the intercept and ``w`` the
    nights' likelihood weights (:func:`level_coordinates`).
    """
    import pymc as pm
    import pytensor.tensor as pt

    z = pm.Normal(f"{outcome}_level_z", 0.0, 1.0)
    scale, shift = level_coordinates(sigma, eta, w, sd, pt)
    intercept = pm.Deterministic(f"{outcome}_intercept", intercept_mu + scale * z - shift)
    pm.Potential(f"{outcome}_intercept_prior",
                 pm.logp(pm.Normal.dist(intercept_mu, sd), intercept) + pt.log(scale)
                 - pm.logp(pm.Normal.dist(0.0, 1.0), z))
    return intercept


def level_z(intercept: np.ndarray, intercept_mu: float, sd: float, sigma: np.ndarray,
            eta: np.ndarray, w: np.ndarray) -> np.ndarray:
    """The ``z`` of draws of ``intercept`` under a diary (:func:`level_intercept` inverted).

    ``intercept`` and ``sigma`` ``(draw,)``, ``eta`` ``(draw, night)`` without the intercept.
    """
    scale, shift = level_coordinates(np.asarray(sigma), np.asarray(eta), np.asarray(w), sd)
    return (np.asarray(intercept) - intercept_mu + shift) / scale
