"""Exposure to each magnesium form, night by night: dose response and shared-store kinetics.

Each night's regimen gives an *input*: the Emax dose response of its elemental dose relative to
the reference dose (1 at the reference dose, 0 when nothing is taken). The body's magnesium
store follows the input with first-order kinetics of time constant ``tau`` days, on and off
alike: ``L[t] = a L[t-1] + (1 - a) D[t]`` with ``a = exp(-1 / tau)``. Before the diary ``L``
is 0, unless its first night is on magnesium: that regimen was begun before the diary, on the
date the profile's ``taking_since`` gives, else long before (:data:`LONG_AGO_NIGHTS`), so that
the store is at its steady state from the first night. Read as begun on the first night, a
diary of someone on glycinate for months credited a bad first fortnight to magnesium building
up (an outside audit: no true effect, "looks to help you (P 0.86), 17 min faster"). The store
is one, whatever the form: once absorbed, magnesium is magnesium. What a form
adds (its carrier, its absorption) acts at the current store: the exposure to form ``f`` is
``E[t, f] = L[t] C[t, f]`` with ``C`` one for the form last taken (after a stop, the last form
taken, so that its effect fades with the store). So a switch of forms at the same dose shows
the new form at once, and a start or a stop builds up or fades over days.

Why not one store per form: with per-form kinetics the form taken before a switch keeps its
effect for days while the new one builds up from nothing, so each period of a crossover is
credited partly to the form before it. In the closed loop (``benchmarks/closed_loop.py``,
persons of the independent world) the tool then kept the first form tried in 32 of the 85
persons whose best form was the second one tried; with the shared store 21, and the regret at
week 12 fell from 1.32 to 1.21 (seed 1) and from 1.42 to 1.27 (seed 2).

Because the input is piecewise constant, ``L`` needs no loop over nights. Within the segment
that starts at change ``j`` (night ``s_j``, input ``D_j`` from then on; the first night's
regimen begun before the diary has ``s_0 = -lead``, :func:`store_lead`) the store moves from its
level at the start, ``S_j``, towards ``D_j``: ``L[t] = S_j + (D_j - S_j) (1 - a^(t - s_j + 1))``.
The levels at the starts are sums of the earlier steps' responses,
``S_j = sum_{i < j} (D_i - D_{i-1}) (1 - a^(s_j - s_i))``. That costs one exponential per
change x change and one per night, in numpy and in PyTensor alike. With the step responses of
every night x change instead, the personal model's gradient took a quarter more time at 365
nights and 15 changes, half as much again at 730 nights and 30 changes
(``benchmarks/bench_gradient.py``), and the pointwise log-likelihood of 4,000 draws built a
draw x night x change array.

GI harm is acute: it follows the night's single-intake dose (relative to the reference dose)
with no build-up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from model.core.forms import FORMS, PLACEBO
from model.core.regimen import Regimen
from model.data.night_dates import given_date

LONG_AGO_NIGHTS = 10_000
"""The nights before the diary at which the regimen of its first night is taken to have begun
when nothing says when: the store is then at its steady state from the first night (``1 -
a^10001`` is 1 to double precision for any time constant below 300 days)."""


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
        ``(change,)`` night index of each regimen change (the first night included; a regimen
        of the first night begun before the diary at ``-lead``, :func:`store_lead`).
    change_step : numpy.ndarray
        ``(change, form)`` step in input at each change.
    current : numpy.ndarray
        ``(night, form)`` 1 for the form last taken (none before the first), else 0.
    """

    input: np.ndarray
    single: np.ndarray
    taking: np.ndarray
    change_night: np.ndarray
    change_step: np.ndarray
    current: np.ndarray

    @property
    def n_nights(self) -> int:
        """Number of nights."""
        return int(self.input.shape[0])

    def segments(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The arrays :func:`exposure` reads, besides ``change_step`` and ``current``.

        Returns
        -------
        segment : numpy.ndarray
            ``(night, change)`` 1 for the last change at or before the night (a row of 0
            before the first change).
        since : numpy.ndarray
            ``(night,)`` nights since that change, counting its own night (``t - s_j + 1``);
            0 before the first change.
        change_gap : numpy.ndarray
            ``(change, change)`` nights from change ``i`` to a later change ``j``
            (``s_j - s_i``), 0 where ``i >= j``.
        """
        nights = np.arange(self.n_nights)
        last = np.searchsorted(self.change_night, nights, side="right") - 1
        started = last >= 0
        segment = np.zeros((self.n_nights, len(self.change_night)))
        segment[nights[started], last[started]] = 1.0
        since = np.zeros(self.n_nights)
        since[started] = nights[started] - self.change_night[last[started]] + 1
        gap = self.change_night[:, None] - self.change_night[None, :]
        return segment, since, np.maximum(gap, 0).astype(float)


def store_lead(first_night: dt.date, taking_since: dt.date | str | None) -> int:
    """Nights before ``first_night`` that its regimen was begun (``taking_since``).

    None: :data:`LONG_AGO_NIGHTS` (begun long before: the steady state). The first night's
    own date: 0 (begun with the diary, the store building up from 0). Read only when the
    first night is on magnesium (:func:`design_from_regimens`).

    Raises
    ------
    ValueError
        When ``taking_since`` is after ``first_night``
        (:func:`model.analysis.store_start.checked_start` says so to a person).
    """
    if taking_since is None:
        return LONG_AGO_NIGHTS
    began = given_date(taking_since, "taking_since")
    lead = (first_night - began).days
    if lead < 0:
        raise ValueError(f"taking_since {began} is after the first night, {first_night}")
    return min(lead, LONG_AGO_NIGHTS)


def design_from_regimens(forms: Sequence[str], doses: Sequence[float] | np.ndarray,
                         splits: Sequence[bool] | np.ndarray, *, ed50_mg: float,
                         reference_mg: float, lead: int = 0) -> ExposureDesign:
    """Build the exposure design from per-night regimens.

    Parameters
    ----------
    forms, doses, splits : sequence
        Per night: form (a FORMS name, ``placebo`` or ``none``), elemental mg, split flag.
    ed50_mg, reference_mg : float
        Emax ED50 and the reference dose (``settings.toml``).
    lead : int
        Nights before the first that the first night's magnesium was begun (0: begun on
        it, as a simulated person's; :func:`store_lead` for a diary's).
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
    last = np.maximum.accumulate(np.where(active, np.arange(len(active)), -1))
    current = np.where(last[:, None] >= 0, onehot[np.maximum(last, 0)], 0.0)
    starts = changed - np.where(changed == 0, lead, 0)
    return ExposureDesign(inputs, single, taking, starts, (inputs - previous)[changed], current)


def design_from_nights(nights: pd.DataFrame, *, ed50_mg: float, reference_mg: float,
                       taking_since: dt.date | str | None = None) -> ExposureDesign:
    """Exposure design of a diary's ``nights`` table (columns form, elemental_mg, split).

    The first night's magnesium counts from ``taking_since`` (None: long before the diary,
    the steady state from the first night; :func:`store_lead`).
    """
    return design_from_regimens(nights["form"].tolist(), nights["elemental_mg"].to_numpy(),
                                nights["split"].astype(bool).to_numpy(), ed50_mg=ed50_mg,
                                reference_mg=reference_mg,
                                lead=store_lead(nights.index[0].date(), taking_since))


def step_response(exponent: Any, tau: Any, xp: Any = np) -> Any:
    """Step responses ``1 - a^k`` with ``a = exp(-1 / tau)`` at exponents ``k >= 0``.

    The one definition of the build-up kinetics, for numpy and PyTensor alike (``xp`` is
    ``numpy`` or ``pytensor.tensor``); ``k = 0`` (before a change) gives 0.
    """
    return -xp.expm1(exponent * (-1.0 / tau))


def exposure(segment: Any, since: Any, change_gap: Any, change_step: Any, current: Any,
             tau: Any, xp: Any = np) -> Any:
    """Exposure ``E[..., t, f] = L[..., t] current[t, f]`` (numpy or PyTensor ``xp``).

    The store of the module docstring, segment by segment. ``segment``, ``since`` and
    ``change_gap`` are :meth:`ExposureDesign.segments`, ``change_step`` ``(change, form)``,
    ``current`` ``(night, form)``; ``tau`` a scalar, or (numpy) an array of leading dims: one
    store per time constant.
    """
    tau = np.asarray(tau, dtype=float) if xp is np else tau
    steps = change_step.sum(axis=-1)                                     # (change,)
    target = xp.cumsum(steps, axis=-1)                                   # D_j
    start = (step_response(change_gap, tau[..., None, None], xp) * steps).sum(axis=-1)  # S_j
    reached = step_response(since, tau[..., None], xp)                   # (..., night)
    level = start @ segment.T + ((target - start) @ segment.T) * reached
    return level[..., None] * current


def build_up(design: ExposureDesign, tau: np.ndarray | float) -> np.ndarray:
    """Exposure ``E`` per night and form for one or many time constants (numpy).

    Returns
    -------
    numpy.ndarray
        ``(night, form)`` for a scalar ``tau``, ``(draw, night, form)`` for an array.
    """
    taus = np.atleast_1d(np.asarray(tau, dtype=float))
    result = exposure(*design.segments(), design.change_step, design.current, taus)
    return result[0] if np.ndim(tau) == 0 else result


def steady_state(regimen: Regimen, *, ed50_mg: float,
                 reference_mg: float) -> tuple[np.ndarray, np.ndarray, float]:
    """Steady-state (input per form, single-intake load per form, taking) of a regimen."""
    design = design_from_regimens([regimen.form], [regimen.elemental_mg], [regimen.split],
                                  ed50_mg=ed50_mg, reference_mg=reference_mg)
    return design.input[0], design.single[0], float(design.taking[0])
