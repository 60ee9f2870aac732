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

A profile's medicine entry copied from a label is read as the label writes it
(:func:`label_read`, a supplement-label reader's audit: such entries were refused as unknown
medicines): its own elemental figure, a "chelate" after the form, a magnesium salt inside
another product.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from model.core.forms import CHELATE, FORMS, Compound, canonical_form, load_compounds
from model.data.blank_rows import row_ranges
from model.data.diary_rows import is_missing, over_ceiling
from model.data.night_dates import as_date
from model.evidence.floor import bundled_safety
from model.evidence.name_hints import MAGNESIUM_NAME

SALT_WEIGHT_MG = 1000.0
"""A written dose from which a form's salt named beside it is read as the salt's weight: no
daily product gives a gram of magnesium (near three times the 350 mg limit), while a gram or
more of a salt is a sachet's or a tablet's weight (``"magnesium citrate 1.2 g"``: up to 194 mg
of magnesium). A smaller figure may be the label's magnesium and is read as such (the safe
side: ``"magnesium glycinate 400 mg"`` read as the salt would be 56 mg)."""

_MG = r"(\d+(?:[.,]\d+)?)\s*(?:mg|milligrams?)"
LABEL_ELEMENTAL = re.compile(
    rf"[\s,;(]*(?:(?:providing|provides|giving|gives|yielding|yields|equivalent\s+to|=)\s*{_MG}"
    rf"(?:\s+(?:of\s+)?(?:elemental\s+)?magnesium)?|{_MG}\s+(?:of\s+)?elemental"
    rf"(?:\s+magnesium)?|elemental\s+magnesium\s*:?\s*{_MG})\s*\)?\s*$", re.IGNORECASE)
"""A label's elemental figure at the end of an entry (``(providing 140 mg elemental
magnesium)``, ``140 mg elemental``, ``elemental magnesium: 140 mg``): the figure counted."""

LABEL_REST = re.compile(r"^([^\d()]*[a-z][^\d()]*?)[\s,:-]*(?:\d+(?:[.,]\d+)?\s*(?:mg|g|"
                        r"milligrams?|grams?))?[\s,;:-]*$", re.IGNORECASE)
"""What an entry with an elemental figure may say besides: a name and the label's weight."""

INSIDE = re.compile(rf"^(.*?[a-z].*?)\s+(?:with|plus|\+|containing|incl\.?|including)\s+{_MG}"
                    r"\s+(?:of\s+)?(magnesium(?:\s+[a-z-]+)?)\s*$", re.IGNORECASE)
"""A product with a magnesium salt and its dose inside (``multivitamin with 100 mg magnesium
oxide``): the product, and the magnesium on its own."""


def label_read(entry: object) -> tuple[object, ...]:
    """A profile medicine entry as the names it stands for, read as a label writes them.

    ``"Magnesium Glycinate 1000 mg (providing 140 mg elemental magnesium)"`` is
    ``"Magnesium Glycinate 140 mg"``: the label's own figure (:data:`LABEL_ELEMENTAL`), below
    :data:`SALT_WEIGHT_MG` (a gram would be read as a salt's weight), when the rest is only a
    name and a weight; ``"magnesium bisglycinate chelate 200 mg"`` loses its "chelate"
    (:data:`~model.core.forms.CHELATE`); ``"multivitamin with 100 mg magnesium oxide"`` is
    ``("multivitamin", "magnesium oxide 100 mg")`` (:data:`INSIDE`). Any other entry (or a
    value that is no text) comes back as it is.
    """
    if not isinstance(entry, str) or not MAGNESIUM_NAME.search(entry):
        return (entry,)
    text = CHELATE.sub("", entry)
    figure = LABEL_ELEMENTAL.search(text)
    rest = LABEL_REST.match(text[:figure.start()]) if figure else None
    if figure and rest:
        mg = float(next(g for g in figure.groups() if g).replace(",", "."))
        return (f"{rest[1].strip()} {mg:g} mg",) if mg < SALT_WEIGHT_MG else (entry,)
    inside = INSIDE.match(text)
    return (inside[1], f"{inside[3]} {inside[2]} mg") if inside else (text,)


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
                     "sure (another salt or hydrate, or a buffered chelate with added oxide, gives "
                     "another dose)"
                     + (f"; if it is above {ceiling:g} mg, take no more than {ceiling:g} mg "
                        "a day" if len(over) else ""))
    return notes


def _lower(compound: str) -> str:
    """A compound's name within a sentence: ``magnesium chloride hexahydrate``."""
    return compound[:1].lower() + compound[1:]
