"""The n-of-1 engine's families and weakly informative priors (overridable by name)."""

from __future__ import annotations

import difflib
from collections.abc import Mapping

import numpy as np
from pymc_extras.prior import Prior
from scipy.special import logit

from model.core.errors import MgsleepError

FAMILIES: tuple[str, ...] = ("normal", "poisson", "negbin", "binomial", "ordinal")
"""Outcome families of :func:`observe` and :class:`Nof1Model`."""

PRIOR_NAMES: tuple[str, ...] = (
    "intercept",
    "effect",
    "covariate",
    "sigma",
    "overdispersion",
    "cutpoints",
    "ar_sigma",
    "ar_rho",
    "trend_sd",
    "person_sd",
)
"""Names of the priors that :class:`Nof1Model` accepts as overrides."""

def check_family(family: str) -> None:
    """Raise :class:`MgsleepError` unless ``family`` is one of :data:`FAMILIES`."""
    if family not in FAMILIES:
        raise MgsleepError(f"unknown family {family!r}; expected one of {', '.join(FAMILIES)}")


def default_priors(family: str, y: np.ndarray) -> dict[str, Prior]:
    """Weakly informative default priors, scaled to the observed outcome.

    With ``s`` the outcome SD for the normal family (1 when it cannot be computed) and 1 on
    the link scale of the other families, and ``c`` the centre of the data on the link scale
    (mean; log mean count; logit of the event rate clipped to [0.05, 0.95]):

    - ``intercept`` ~ Normal(c, 2.5 s) (absent for ordinal: the cutpoints carry the level);
    - ``effect`` and ``covariate`` (per SD of a covariate) ~ Normal(0, 2.5 s), the rstanarm
      convention;
    - ``sigma`` (normal residual SD) ~ HalfNormal(s);
    - ``overdispersion`` (negbin; ``1 / sqrt(alpha)``) ~ HalfNormal(1);
    - ``cutpoints`` (ordinal) ~ Normal(logit(k / K), 2.5), ordered, k = 1..K-1: centred on
      equally likely categories, proper, so empty categories are harmless;
    - ``ar_sigma`` (AR(1) innovation SD) ~ HalfNormal(s); ``ar_rho`` ~ Normal(0, 0.5)
      truncated to (-1, 1);
    - ``trend_sd`` (scale of the trend coefficients) ~ HalfNormal(s);
    - ``person_sd`` (between-person SD of intercepts and effects) ~ HalfNormal(s).

    Parameters
    ----------
    family : str
        One of :data:`FAMILIES`.
    y : numpy.ndarray
        Observed outcome values (NaN = missing).

    Returns
    -------
    dict of str to pymc_extras.prior.Prior

    """
    check_family(family)
    values = y[~np.isnan(y)]
    spread, centre = 1.0, 0.0
    if family == "normal":
        sd = float(np.std(values, ddof=1)) if values.size > 1 else 0.0
        spread = sd if sd > 0 else 1.0
        centre = float(np.mean(values)) if values.size else 0.0
    elif family in ("poisson", "negbin"):
        centre = float(np.log(np.mean(values) + 0.1)) if values.size else 0.0
    elif family == "binomial":
        rate = float(np.mean(values)) if values.size else 0.5
        centre = float(logit(np.clip(rate, 0.05, 0.95)))
    return {
        "intercept": Prior("Normal", mu=centre, sigma=2.5 * spread),
        "effect": Prior("Normal", mu=0.0, sigma=2.5 * spread),
        "covariate": Prior("Normal", mu=0.0, sigma=2.5 * spread),
        "sigma": Prior("HalfNormal", sigma=spread),
        "overdispersion": Prior("HalfNormal", sigma=1.0),
        "cutpoints": Prior("Normal", sigma=2.5),
        "ar_sigma": Prior("HalfNormal", sigma=spread),
        "ar_rho": Prior("TruncatedNormal", mu=0.0, sigma=0.5, lower=-1.0, upper=1.0),
        "trend_sd": Prior("HalfNormal", sigma=spread),
        "person_sd": Prior("HalfNormal", sigma=spread),
    }


def merge_priors(defaults: Mapping[str, Prior], overrides: Mapping[str, Prior] | None) -> dict:
    """Return ``defaults | overrides`` after checking the override names and types.

    Raises
    ------
    MgsleepError
        For an unknown prior name (with a "did you mean" hint) or a value that is not a
        :class:`pymc_extras.prior.Prior`.

    """
    overrides = dict(overrides or {})
    for name, value in overrides.items():
        if name not in defaults:
            hint = difflib.get_close_matches(name, list(defaults), n=1)
            suggestion = f"; did you mean {hint[0]!r}?" if hint else ""
            raise MgsleepError(
                f"unknown prior {name!r}{suggestion} (known: {', '.join(defaults)})"
            )
        if not isinstance(value, Prior):
            raise MgsleepError(
                f"prior {name!r}: expected a pymc_extras.prior.Prior, got {type(value).__name__}"
            )
    return dict(defaults) | overrides
