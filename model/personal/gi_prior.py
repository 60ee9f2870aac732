"""The GI prior's shift for a person's gut sensitivity (``safety.toml``), per form."""

from __future__ import annotations

import numpy as np

from model.core.errors import MgsleepError
from model.core.forms import FORMS
from model.evidence.floor import gut_shifts
from model.evidence.priorset import PriorSet


def gi_shift(priors: PriorSet, gut_sensitivity: str) -> np.ndarray:
    """Per form, the GI prior's shift (log odds) for a gut sensitivity (``safety.toml``).

    A form's group (``groups.toml``) takes its ``gut_sensitivity_factor`` of the shift
    (:func:`model.evidence.floor.gut_shifts`): more on osmotic salts than on chelates.

    Raises
    ------
    MgsleepError
        When ``gut_sensitivity`` is not one of the levels ``safety.toml`` defines.
    """
    shifts = priors.safety.gut_sensitivity
    if gut_sensitivity not in shifts:
        raise MgsleepError(f"gut_sensitivity must be one of {', '.join(shifts)}, got "
                           f"{gut_sensitivity!r}")
    shift = gut_shifts(priors.safety, priors.evidence.groups)
    return np.array([shift[gut_sensitivity, f] for f in FORMS])
