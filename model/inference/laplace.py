"""The package's Laplace approximation: the mode of a log density and its curvature there.

The log density is given as a function returning its value and gradient at a point (PyMC's
compiled ``logp`` and ``dlogp``, or any other). The mode is found by L-BFGS; the curvature is a
central finite-difference Hessian of the gradient, symmetrised and inverted into a covariance.
The population stage fits every person this way (:mod:`model.population.hierarchical`).

A covariance whose diagonal is not positive (the log density is flat or curves upward along
that coordinate at the mode) has no normal approximation there: :meth:`Laplace.curved` says
where it has one, and the caller warns about the rest.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize

from model.core.errors import MgsleepError

HESSIAN_STEP = 1e-4
"""Step of the central finite differences of the gradient."""

MAX_ITERATIONS = 2000
"""L-BFGS iterations before the search for the mode stops."""

LogDensity = Callable[[np.ndarray], tuple[float, np.ndarray]]
"""A log density: point -> (value, gradient)."""


@dataclass(frozen=True)
class Laplace:
    """A normal approximation ``N(mode, covariance)`` of a density.

    Attributes
    ----------
    mode : numpy.ndarray
        The point of highest log density found.
    covariance : numpy.ndarray
        Inverse of the symmetrised negative Hessian at the mode.
    log_density : float
        The log density at the mode.
    """

    mode: np.ndarray
    covariance: np.ndarray
    log_density: float

    @property
    def variance(self) -> np.ndarray:
        """The marginal variances (diagonal of the covariance)."""
        return np.diag(self.covariance)

    def curved(self) -> np.ndarray:
        """Boolean mask: True where the marginal variance is finite and positive."""
        variance = self.variance
        return np.isfinite(variance) & (variance > 0)


def hessian(gradient: Callable[[np.ndarray], np.ndarray], x: np.ndarray,
            step: float = HESSIAN_STEP) -> np.ndarray:
    """Central finite-difference Hessian from a gradient function (one row per coordinate)."""
    columns = []
    for i in range(len(x)):
        shift = np.zeros_like(x)
        shift[i] = step
        columns.append((gradient(x + shift) - gradient(x - shift)) / (2 * step))
    return np.array(columns)


def laplace(log_density: LogDensity, x0: np.ndarray, *, label: str = "the model",
            step: float = HESSIAN_STEP, max_iterations: int = MAX_ITERATIONS) -> Laplace:
    """Fit a Laplace approximation to ``log_density`` starting the search at ``x0``.

    Parameters
    ----------
    log_density : callable
        ``x -> (log density, gradient)`` at an unconstrained point ``x``.
    x0 : numpy.ndarray
        Where the search for the mode starts.
    label : str
        Names what is fitted in the error message (e.g. the diary).
    step : float
        Finite-difference step of the Hessian.
    max_iterations : int
        L-BFGS iteration limit.

    Returns
    -------
    Laplace

    Raises
    ------
    MgsleepError
        When the search ends at a point whose log density is not finite.
    """

    def objective(x: np.ndarray) -> tuple[float, np.ndarray]:
        value, gradient = log_density(x)
        return -float(value), -np.asarray(gradient)

    result = minimize(objective, x0, jac=True, method="L-BFGS-B",
                      options={"maxiter": max_iterations})
    if not np.isfinite(result.fun):
        raise MgsleepError(f"{label}: the Laplace fit did not find a finite mode")
    curvature = hessian(lambda x: objective(x)[1], result.x, step)
    covariance = np.linalg.inv(0.5 * (curvature + curvature.T))
    return Laplace(result.x, covariance, -float(result.fun))
