"""A dose given as the compound's weight: the salt it is read as, said, and the ceiling's side.

``compound_mg`` is converted with the fraction of the form's default compound in
``elemental_fractions.csv`` (README: "converted by the form's elemental fraction"): 2500 mg of
chloride is read as magnesium chloride hexahydrate, 11.96 %, 299 mg. Only the clinician page
said so, and the anhydrous salt of the same table, 25.53 %, makes it 638 mg, above the ceiling
(an outside audit). :func:`compound_warnings` says once per form which rows were converted,
with which salt and fraction, and, for the ceiling, reads the dose on the safe side, as the
profile's other products are read (``model.decision.other_magnesium``: a figure that may be
a salt's weight is counted as the most magnesium it can hold): with the highest fraction of
the form's compounds in the table (:func:`safe_side_compound`). The analysis keeps the
default conversion as the dose it models (the README's rule for ``compound_mg``; the safe side
is the profile's rule for the ceiling only).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from model.core.forms import FORMS, Compound, canonical_form, load_compounds
from model.data.blank_rows import row_ranges
from model.data.diary_rows import is_missing, over_ceiling
from model.data.night_dates import as_date
from model.evidence.floor import bundled_safety


def _names(word: str, form: str) -> bool:
    """Whether a word of a compound's name names ``form`` (``dicitrate``, ``bisglycinate``)."""
    return form in (canonical_form(word), canonical_form(re.sub(r"^(?:di|tri|bis)", "", word)))


def form_compounds(form: str, compounds: Sequence[Compound]) -> list[Compound]:
    """The compounds of the fractions table that are salts or hydrates of ``form``.

    Its default compound, and every row whose name names the form: chloride's anhydrous salt
    and hexahydrate, citrate's anhydrous and nonahydrate dicitrate and hydrogen citrate.
    """
    return [c for c in compounds if c.default_for_form == form
            or any(_names(word, form) for word in re.findall(r"[a-z]+", c.name.lower()))]


def safe_side_compound(form: str, compounds: Sequence[Compound]) -> Compound:
    """The compound of ``form`` with the most magnesium by weight: the safe side's reading."""
    return max(form_compounds(form, compounds), key=lambda c: c.elemental_fraction)


def converted(table: pd.DataFrame) -> list[pd.Timestamp]:
    """The nights of a diary table whose dose is ``compound_mg`` alone (no ``elemental_mg``)."""
    if "compound_mg" not in table.columns:
        return []
    elemental = table["elemental_mg"] if "elemental_mg" in table.columns else [None] * len(table)
    return [pd.Timestamp(day) for cell, compound, given
            in zip(table["date"], table["compound_mg"], elemental, strict=True)
            if not is_missing(compound) and is_missing(given)
            and (day := as_date(cell)) is not None]


def compound_warnings(table: pd.DataFrame, recorded: pd.DataFrame, name: str,
                      rows: dict[pd.Timestamp, int], priors_dir: Path | None) -> list[str]:
    """One warning per form whose dose some rows give as ``compound_mg`` alone.

    Parameters
    ----------
    table : pandas.DataFrame
        The diary's cells (columns as :func:`~model.data.diary_rows.normalise_columns` names
        them).
    recorded : pandas.DataFrame
        Its typed nights by date (``form``, ``compound_mg``, ``elemental_mg`` as converted).
    name : str
        The diary, for the warning.
    rows : dict
        The data row of each night.
    priors_dir : Path, optional
        Whose ``elemental_fractions.csv`` converted the doses.

    Returns
    -------
    list of str
        The rows, the compound and fraction assumed and one dose converted; and when a dose
        at the form's highest fraction (:func:`safe_side_compound`) is above the ceiling
        while the dose read is not, that dose, the salt and the ceiling.

    """
    nights = recorded[recorded.index.isin(converted(table)) & recorded["form"].isin(FORMS)]
    compounds = load_compounds(priors_dir) if len(nights) else []
    notes = []
    for form, own in nights.groupby("form", sort=False):
        read = next(c for c in compounds if c.default_for_form == form)
        high = safe_side_compound(str(form), compounds)
        rows_of = row_ranges([rows[day] for day in own.index])
        first = own.iloc[0]
        said = (f"{name}: {'row' if len(own) == 1 else 'rows'} {rows_of}: compound_mg of "
                f"{form} read as {_lower(read.name)} ({100 * read.elemental_fraction:.2f} % "
                f"magnesium; {first['compound_mg']:g} mg is {first['elemental_mg']:g} mg "
                "elemental)")
        most = own["compound_mg"] * high.elemental_fraction
        over = own[[bool(over_ceiling(mg)) and not over_ceiling(read_mg)
                    for mg, read_mg in zip(most, own["elemental_mg"], strict=True)]]
        ceiling = bundled_safety().ceiling.default_mg_per_day
        if len(over):
            worst = over["compound_mg"].max()
            said += (f"; as {_lower(high.name)} ({100 * high.elemental_fraction:.2f} %), "
                     f"{worst:g} mg is {worst * high.elemental_fraction:.0f} mg, above the "
                     f"safety ceiling of {ceiling:g} mg a day")
        notes.append(said + ". Write the label's elemental magnesium in elemental_mg to be "
                     "sure (another salt or hydrate gives another dose)"
                     + (f"; if it is above {ceiling:g} mg, take no more than {ceiling:g} mg "
                        "a day" if len(over) else ""))
    return notes


def _lower(compound: str) -> str:
    """A compound's name within a sentence: ``magnesium chloride hexahydrate``."""
    return compound[:1].lower() + compound[1:]
