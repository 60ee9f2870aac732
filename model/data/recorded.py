"""The outcomes a diary records: those written down on at least one of its nights.

The one definition, read by the decision (an outcome no night records teaches nothing: the
coming nights will not show it either, :mod:`model.decision.utility`) and by the figures of a
fit (:mod:`model.viz.checks`).
"""

from __future__ import annotations

import pandas as pd

from model.core.outcomes import OUTCOMES, SPECS


def recorded_outcomes(nights: pd.DataFrame) -> tuple[str, ...]:
    """Model outcomes with at least one night recorded in ``nights``, in :data:`OUTCOMES` order.

    Parameters
    ----------
    nights : pandas.DataFrame
        A diary's nights (:attr:`model.data.diary.Diary.nights`): one column per outcome
        (:attr:`model.core.outcomes.OutcomeSpec.column`; GI: ``gi_night``). A column the frame
        does not have records nothing.

    Returns
    -------
    tuple of str

    """
    return tuple(o for o in OUTCOMES
                 if SPECS[o].column in nights and nights[SPECS[o].column].notna().any())
