"""Converters from published n-of-1 data sets to the diary format of the README.

The data are not shipped with the package (tests and notebooks read them from
``../shared/real-data/`` when present).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from model.core.errors import Fault, InputError

GWERN_COLUMNS = ("date", "experiment", "treatment", "mg_citrate_elemental_mg_per_day",
                 "Time.to.Z", "Awakenings", "Morning.Feel", "record_in_day")


def gwern_diary(path: str | Path) -> pd.DataFrame:
    """Gwern's blinded magnesium citrate self-trial (2013-2014) as a diary.

    Only the randomised citrate experiment is kept. Zeo ``Time.to.Z`` becomes ``sol_min``,
    ``Awakenings`` becomes ``awakenings`` and ``Morning.Feel`` (0-4) becomes ``quality``
    (1-5). Placebo nights have form ``placebo``; active nights form ``citrate`` with the
    elemental dose of the data (136 or 800 mg: the 800 mg nights are above today's default
    ceiling but real history). Of a date with two Zeo records the first is kept.

    Parameters
    ----------
    path : str or Path
        ``gwern_magnesium_2013_2014.csv``.

    Returns
    -------
    pandas.DataFrame
        Columns ``date, form, elemental_mg, sol_min, awakenings, quality``.
    """
    table = pd.read_csv(path)
    missing = [c for c in GWERN_COLUMNS if c not in table.columns]
    if missing:
        raise InputError([Fault(str(path), f"column {c}", "missing") for c in missing])
    trial = table[(table["experiment"] == "mg_citrate_rct_2013_2014")
                  & (table["record_in_day"] == 1)]
    dose = trial["mg_citrate_elemental_mg_per_day"].astype(float)
    return pd.DataFrame({
        "date": trial["date"].to_numpy(),
        "form": (dose > 0).map({True: "citrate", False: "placebo"}).to_numpy(),
        "elemental_mg": dose.where(dose > 0).to_numpy(),
        "sol_min": trial["Time.to.Z"].to_numpy(float),
        "awakenings": trial["Awakenings"].to_numpy(float),
        "quality": trial["Morning.Feel"].to_numpy(float) + 1.0,
    })
