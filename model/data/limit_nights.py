"""Measured nights at the edges of a column: many zeros, values at the diary's upper limit.

A tracker that did not measure a night often writes 0 rather than leaving the cell blank,
and a cap or a typed placeholder writes the range's top (720 minutes, 50 awakenings). Both
are read as nights: 20 of 56 nights of sleep-onset latency at 0 left the model's predicted
mean at 32 minutes against 17 observed, and nights at 0 or 720 minutes a predicted mean of
7,384 minutes, without a word (an edge-of-scale audit, /tmp/w44/C F7 and F1). Reading the
diary names them (:func:`limit_warnings`); the nights stay as written, the person decides.
"""

from __future__ import annotations

import pandas as pd

from model.core.outcomes import DEVICE_MEASURED, SPECS
from model.data.diary_columns import NUMERIC

ZERO_COLUMNS: tuple[str, ...] = (SPECS["sol"].column,)
"""Columns whose 0 on many nights is named: falling asleep in no time at all is not a measured
night's, while no awakening is a good sleeper's ordinary night (the audit's good sleeper had
0 on nine nights of ten), so ``awakenings`` is not among them."""

ZERO_SHARE = 0.25
"""The share of a column's written nights at 0 from which it is named: a few zeros are
"at once" rounded down; one night in four is a pattern, not rounding."""

ZERO_NIGHTS = 5
"""The fewest nights at 0 named: in a short diary one or two zeros are a quarter by chance."""

LIMIT_COLUMNS: tuple[str, ...] = tuple(SPECS[o].column for o in DEVICE_MEASURED)
"""Columns whose value at the range's top is named (:data:`NUMERIC`): the measured counts and
minutes, where the top is a cap, not a night; a rating at its top (quality 5) is a good
night."""


def limit_warnings(recorded: pd.DataFrame, name: str,
                   rows: dict[pd.Timestamp, int]) -> list[str]:
    """Warnings naming a measured column at 0 on many nights or at its upper limit.

    Parameters
    ----------
    recorded : pandas.DataFrame
        The diary's parsed rows, indexed by date (NaN: not written).
    name : str
        The diary's name, for the warnings.
    rows : dict
        The 1-based data row of each date, to name the nights at the limit.

    Returns
    -------
    list of str
        ``sol_min is 0 on 20 of 56 nights: ...`` (:data:`ZERO_SHARE`, :data:`ZERO_NIGHTS`)
        and ``sol_min is at the diary's limit (720) on 3 nights (row 4 (2026-09-03), ...)``
        from one night on: one night of 12 hours to fall asleep is already not a night's.

    """
    notes = []
    for column in ZERO_COLUMNS:
        written = recorded[column].dropna() if column in recorded else pd.Series(dtype=float)
        zeros = int((written == 0).sum())
        if zeros >= ZERO_NIGHTS and zeros >= ZERO_SHARE * len(written):
            notes.append(f"{name}: {column} is 0 on {zeros} of {len(written)} nights: if your "
                         "tracker writes 0 when it did not measure, leave those cells blank")
    for column in LIMIT_COLUMNS:
        if column not in recorded:
            continue
        top = NUMERIC[column].high
        days = recorded.index[recorded[column] == top]
        if len(days):
            named = ", ".join(f"row {rows.get(day, '?')} ({day.date()})" for day in days[:3])
            more = f" and {len(days) - 3} more" * (len(days) > 3)
            notes.append(f"{name}: {column} is at the diary's limit ({top:g}) on {len(days)} "
                         f"night{'s' * (len(days) != 1)} ({named}{more}): a value that large "
                         "is rarely a night's; check them")
    return notes
