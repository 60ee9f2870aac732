"""One analysis's predictions: each regimen predicted once from the fit's draws.

An analysis asks for predictions many times over the same draws: the decision, the diary
effects, the pathways (three more decisions on thirds of the draws) and the prior
sensitivity check (two decisions on draws resampled from the fit's by importance
reweighting). :func:`~model.personal.predict.predict_from_draws` is elementwise in the
regimens and the draws, so a regimen's row is the same whichever other regimens are asked for
with it, and a resampled draw's prediction is the prediction of the draw it copies.
:class:`Predictions` therefore computes each regimen once and answers every later call from
those rows (the ``Dataset`` built anew each time, so a caller may change it freely).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence

import numpy as np
import xarray as xr

from model.core.regimen import Regimen
from model.evidence.priorset import PriorSet
from model.personal.predict import predict_from_draws


class Predictions:
    """``predict(regimens)`` of a fit, each regimen computed once.

    Parameters
    ----------
    draws : dict of str to numpy.ndarray
        Flattened posterior draws (``fit.draws_``).
    priors : PriorSet
        The priors of the fit (a prediction reads their settings: ED50, reference dose).
    index : numpy.ndarray, optional
        Draws picked from ``draws`` (a resampling); None: every draw in order.

    """

    def __init__(self, draws: dict[str, np.ndarray], priors: PriorSet,
                 index: np.ndarray | None = None) -> None:
        self.draws = draws
        self.priors = priors
        self.index = index
        self._rows: dict[str, dict[str, np.ndarray]] = {}
        self._per_draw: dict[str, np.ndarray] = {}

    def resampled(self, index: np.ndarray) -> Predictions:
        """The predictions of the draws ``index`` picks (the same rows, resampled).

        For draws moved to another prior by importance reweighting
        (:func:`model.inference.psis.resample_draws`): alternative priors of the sensitivity
        check share the fitted priors' settings, the only part of them a prediction reads.
        """
        child = copy.copy(self)     # shares the rows computed so far and later
        child.index = np.asarray(index) if self.index is None else self.index[index]
        return child

    def _fill(self, regimens: Sequence[Regimen]) -> None:
        """Compute the rows of the regimens not predicted yet (in one call)."""
        missing = [r for r in dict.fromkeys(regimens) if r.label not in self._rows]
        if not missing:
            return
        data = predict_from_draws(self.draws, missing, self.priors)
        for name, values in data.data_vars.items():
            if "regimen" in values.dims:
                array = values.transpose("regimen", "draw").to_numpy()
                for k, regimen in enumerate(missing):
                    self._rows.setdefault(regimen.label, {})[str(name)] = array[k]
            else:
                self._per_draw[str(name)] = values.to_numpy()

    def __call__(self, regimens: Sequence[Regimen]) -> xr.Dataset:
        """Predictions as :meth:`model.personal.fit.PersonalModel.predict` gives them."""
        self._fill(regimens)
        pick = slice(None) if self.index is None else self.index
        labels = [r.label for r in regimens]
        data = xr.Dataset({name: (("regimen", "draw"),
                                  np.stack([self._rows[label][name][pick] for label in labels]))
                           for name in self._rows[labels[0]]}, coords={"regimen": labels})
        for name, values in self._per_draw.items():
            data[name] = ("draw", values[pick])
        return data
