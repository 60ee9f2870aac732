"""Exposure to each magnesium form, night by night: dose response and first-order kinetics.

Each night's regimen gives every form an *input*: its Emax dose response relative to the
reference dose (1 at the reference dose, 0 when the form is not taken). The effect follows the
input with first-order kinetics of time constant ``tau`` days, on and off alike:
``E[t] = a E[t-1] + (1 - a) D[t]`` with ``a = exp(-1 / tau)`` and ``E = 0`` before the diary.
Because the input is piecewise constant, ``E`` is a sum of step responses, one per regimen
change: ``E[t] = sum_j (D_j - D_{j-1}) (1 - a^(t - s_j + 1))`` for ``t >= s_j``. That costs one
exponential per night x change instead of a loop over nights, in numpy and in PyTensor alike.

GI harm is acute: it follows the night's single-intake dose (relative to the reference dose)
with no build-up.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from model.core.forms import FORMS, PLACEBO
from model.core.regimen import Regimen


def emax_relative(dose_mg: np.ndarray | float, ed50_mg: float, reference_mg: float) -> np.ndarray:
    """Emax dose response relative to the reference dose: ``g(d) = f(d) / f(ref)``."""
    dose = np.asarray(dose_mg, dtype=float)
    return (dose / (ed50_mg + dose)) / (reference_mg / (ed50_mg + reference_mg))


@dataclass(frozen=True)
class ExposureDesign:
    """Per-night inputs of the personal model, derived from a diary's regimens.

    Attributes
    ----------
    input : numpy.ndarray
        ``(night, form)`` Emax-relative daily input of each form.
    single : numpy.ndarray
        ``(night, form)`` single-intake dose / reference dose (GI load).
    taking : numpy.ndarray
        ``(night,)`` 1 when anything (magnesium or placebo) was taken, else 0.
    change_night : numpy.ndarray
        ``(change,)`` night index of each regimen change (the first night included).
    change_step : numpy.ndarray
        ``(change, form)`` step in input at each change.
    """

    input: np.ndarray
    single: np.ndarray
    taking: np.ndarray
    change_night: np.ndarray
    change_step: np.ndarray

    @property
    def n_nights(self) -> int:
        """Number of nights."""
        return int(self.input.shape[0])

    def step_exponents(self) -> np.ndarray:
        """``(night, change)`` exponent ``t - s_j + 1`` of each step response (<= 0 before it)."""
        nights = np.arange(self.n_nights)
        return nights[:, None] - self.change_night[None, :] + 1


def design_from_regimens(forms: Sequence[str], doses: Sequence[float] | np.ndarray,
                         splits: Sequence[bool] | np.ndarray,
                         *, ed50_mg: float, reference_mg: float) -> ExposureDesign:
    """Build the exposure design from per-night regimens.

    Parameters
    ----------
    forms, doses, splits : sequence
        Per night: form (a FORMS name, ``placebo`` or ``none``), elemental mg, split flag.
    ed50_mg, reference_mg : float
        Emax ED50 and the reference dose (``settings.toml``).
    """
    form_arr = np.asarray(forms, dtype=object)
    dose = np.asarray(doses, dtype=float)
    split = np.asarray(splits, dtype=bool)
    active = np.isin(form_arr, FORMS) & (dose > 0)
    onehot = np.stack([(form_arr == f) & active for f in FORMS], axis=1).astype(float)
    inputs = onehot * emax_relative(dose, ed50_mg, reference_mg)[:, None]
    single = onehot * (np.where(split, dose / 2, dose) / reference_mg)[:, None]
    taking = (active | (form_arr == PLACEBO)).astype(float)
    previous = np.vstack([np.zeros((1, len(FORMS))), inputs[:-1]])
    changed = np.flatnonzero(np.any(inputs != previous, axis=1))
    return ExposureDesign(inputs, single, taking, changed, (inputs - previous)[changed])


def design_from_nights(nights: pd.DataFrame, *, ed50_mg: float,
                       reference_mg: float) -> ExposureDesign:
    """Exposure design of a diary's ``nights`` table (columns form, elemental_mg, split)."""
    return design_from_regimens(nights["form"].tolist(), nights["elemental_mg"].to_numpy(),
                                nights["split"].astype(bool).to_numpy(), ed50_mg=ed50_mg,
                                reference_mg=reference_mg)


def step_response(exponent: Any, tau: Any, xp: Any = np) -> Any:
    """Step responses ``1 - a^k`` with ``a = exp(-1 / tau)`` at exponents ``k >= 0``.

    The one definition of the build-up kinetics, for numpy and PyTensor alike (``xp`` is
    ``numpy`` or ``pytensor.tensor``); ``k = 0`` (before a change) gives 0.
    """
    return -xp.expm1(exponent * (-1.0 / tau))


def exposure(exponent: Any, change_step: Any, tau: Any, xp: Any = np) -> Any:
    """Exposure ``E[t, f] = sum_j response[t, j] step[j, f]`` (numpy or PyTensor ``xp``).

    ``exponent`` is ``(night, change)`` clipped at 0 (:meth:`ExposureDesign.step_exponents`),
    ``change_step`` ``(change, form)``.
    """
    return xp.dot(step_response(exponent, tau, xp), change_step)


def build_up(design: ExposureDesign, tau: np.ndarray | float) -> np.ndarray:
    """Exposure ``E`` per night and form for one or many time constants (numpy).

    Returns
    -------
    numpy.ndarray
        ``(night, form)`` for a scalar ``tau``, ``(draw, night, form)`` for an array.
    """
    taus = np.atleast_1d(np.asarray(tau, dtype=float))
    exponent = np.maximum(design.step_exponents(), 0)
    response = step_response(exponent[None], taus[:, None, None])
    result = response @ design.change_step
    return result[0] if np.ndim(tau) == 0 else result


def steady_state(regimen: Regimen, *, ed50_mg: float,
                 reference_mg: float) -> tuple[np.ndarray, np.ndarray, float]:
    """Steady-state (input per form, single-intake load per form, taking) of a regimen."""
    design = design_from_regimens([regimen.form], [regimen.elemental_mg], [regimen.split],
                                  ed50_mg=ed50_mg, reference_mg=reference_mg)
    return design.input[0], design.single[0], float(design.taking[0])
