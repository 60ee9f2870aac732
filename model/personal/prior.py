"""The prior of a person's effects: :class:`~model.likelihood.prior.PersonalPrior`.

``theta = prior mean + shared responsiveness r + sqrt(prior_sd^2 + dev_sd^2) z``: drawing a
person (``draw_theta``, ``draw_tau``, ``draw_expectation``) and ``log_density(theta, r)``.
It is written once in :mod:`model.likelihood.prior` (below the simulators, which draw persons
from it and may not import the personal model) and named here for the personal model's users.
"""

from __future__ import annotations

from model.likelihood.prior import PersonalPrior

__all__ = ["PersonalPrior"]
