"""Converters from published n-of-1 data sets to the diary format of the README.

The data are not shipped with the package (tests and notebooks read them from
``../shared/real-data/`` when present).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from model.core.errors import Fault, InputError

GWERN_COLUMNS = ("date", "experiment", "treatment", "mg_citrate_elemental_mg_per_day",
                 "Time.to.Z", "Awakenings", "Morning.Feel", "Total.Z")

NUMBERS = ("mg_citrate_elemental_mg_per_day", "Time.to.Z", "Awakenings", "Morning.Feel",
           "Total.Z")
"""The columns read as numbers (a blank cell is a night the Zeo did not record)."""

TRIAL = "mg_citrate_rct_2013_2014"
"""The ``experiment`` of the randomised citrate nights."""


def _read(path: str | Path) -> pd.DataFrame:
    """The file, its columns checked and the numbers parsed; faults name row and column."""
    try:
        table = pd.read_csv(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise InputError([Fault(str(path), "", "expected gwern_magnesium_2013_2014.csv, a CSV "
                                f"file, got: {message}")]) from None
    missing = [c for c in GWERN_COLUMNS if c not in table.columns]
    if missing:
        raise InputError([Fault(str(path), f"column {c}", "missing") for c in missing])
    faults = []
    for column in NUMBERS:
        parsed = pd.to_numeric(table[column], errors="coerce")
        for row in table.index[parsed.isna() & table[column].notna()]:
            faults.append(Fault(str(path), f"row {row + 1}, column {column}",
                                f"expected a number, got {table.at[row, column]!r}"))
        table[column] = parsed
    if faults:
        raise InputError(faults)
    return table


def gwern_diary(path: str | Path) -> pd.DataFrame:
    """Gwern's blinded magnesium citrate self-trial (2013-2014) as a diary.

    Only the randomised citrate experiment is kept. Zeo ``Time.to.Z`` becomes ``sol_min``,
    ``Awakenings`` becomes ``awakenings`` and ``Morning.Feel`` (0-4) becomes ``quality``
    (1-5). Placebo nights have form ``placebo``; active nights form ``citrate`` with the
    elemental dose of the data (136 or 800 mg: the 800 mg nights are above today's default
    ceiling but real history). Of a date with two Zeo records the longest sleep (``Total.Z``)
    is kept, as the importers keep the night's longest sleep (the first of equal ones).

    Parameters
    ----------
    path : str or Path
        ``gwern_magnesium_2013_2014.csv``.

    Returns
    -------
    pandas.DataFrame
        Columns ``date, form, elemental_mg, sol_min, awakenings, quality``.

    Raises
    ------
    InputError
        A file that is no CSV, a missing column, a cell that is no number (row and column).
    """
    table = _read(path)
    trial = table[table["experiment"] == TRIAL]
    trial = trial.sort_values("Total.Z", ascending=False, kind="stable", na_position="last") \
        .drop_duplicates("date").sort_index()
    dose = trial["mg_citrate_elemental_mg_per_day"].astype(float)
    return pd.DataFrame({
        "date": trial["date"].to_numpy(),
        "form": (dose > 0).map({True: "citrate", False: "placebo"}).to_numpy(),
        "elemental_mg": dose.where(dose > 0).to_numpy(),
        "sol_min": trial["Time.to.Z"].to_numpy(float),
        "awakenings": trial["Awakenings"].to_numpy(float),
        "quality": trial["Morning.Feel"].to_numpy(float) + 1.0,
    })
