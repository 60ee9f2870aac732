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


def unrecorded_outcomes(nights: pd.DataFrame) -> frozenset[str]:
    """Model outcomes ``nights`` has a column for but no night of (:func:`recorded_outcomes`).

    The decision's :attr:`model.decision.history.History.unrecorded`: a period teaches nothing
    of them. A column the frame does not have is neither recorded nor unrecorded.
    """
    return frozenset(o for o in OUTCOMES if SPECS[o].column in nights) - frozenset(
        recorded_outcomes(nights))
