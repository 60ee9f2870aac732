"""A current dose written as the compound's weight, read on the safe side by the ceiling.

``compound_mg`` is converted with the fraction of the form's default compound (2500 mg of
chloride read as the hexahydrate, 11.96 %: 299 mg), and the analysis models that dose. The
anhydrous salt of the same table, 25.53 %, makes it 638 mg, above the ceiling: the diary's
reading warns of it (:mod:`model.data.compound_doses`), but the decision checked the current
regimen at 299 mg and could keep it ("Continue chloride, 300 mg", an outside audit). For the
ceiling alone, as the profile's other products are read (:mod:`model.decision.other_magnesium`:
a figure that may be a salt's weight is counted as the most magnesium it can hold), such a
dose is read with the highest fraction of the form's compounds
(:func:`model.data.compound_doses.safe_side_compound`): :class:`CompoundDose`.

A diary's nights carry the compound weight written in a ``compound_mg`` column (NaN where the
dose was given as ``elemental_mg``); without that column no dose is read as a compound's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from model.core.forms import Compound
from model.core.regimen import Regimen
from model.data.compound_doses import form_compounds, safe_side_compound

COMPOUND_COLUMN = "compound_mg"
"""The nights' column of the compound weight written (NaN: the dose was elemental)."""


@dataclass(frozen=True)
class CompoundDose:
    """The current regimen's dose as last written: a compound's weight.

    Parameters
    ----------
    form : str
        The current form.
    compound_mg : float
        The compound weight a day written on the last night of the current regimen.
    read_mg : float
        The elemental dose the analysis reads it as (the form's default compound).
    salt : str
        The form's compound with the most magnesium by weight (the safe side).
    fraction : float
        Its elemental fraction.

    """

    form: str
    compound_mg: float
    read_mg: float
    salt: str
    fraction: float

    @property
    def most_mg(self) -> float:
        """The most magnesium a day the weight written can hold: as :attr:`salt`."""
        return self.compound_mg * self.fraction

    def ceiling_mg(self, regimen: Regimen) -> float:
        """The daily dose the ceiling reads for ``regimen``.

        A regimen of this form on the safe side, its dose times :attr:`most_mg` /
        :attr:`read_mg`: a person who writes the compound's weight takes a dose step of it as
        a share of that weight (kept, split, raised or lowered), whose salt is not known;
        another form at its elemental dose (a new product, taken as its label gives).
        """
        if regimen.form != self.form:
            return regimen.elemental_mg
        return regimen.elemental_mg * self.most_mg / self.read_mg

    def words(self) -> str:
        """``your 2500 mg of magnesium chloride a day may hold up to 638 mg of magnesium ...``."""
        salt = self.salt[:1].lower() + self.salt[1:]
        return (f"your {self.compound_mg:g} mg of magnesium {self.form} a day may hold up to "
                f"{self.most_mg:.0f} mg of magnesium (as {salt}, "
                f"{100 * self.fraction:.2f} %; the analysis reads it as {self.read_mg:g} mg)")


def compound_dose(nights: pd.DataFrame | None, current: Regimen,
                  compounds: Sequence[Compound], as_of: dt.date) -> CompoundDose | None:
    """The current regimen's dose as a compound's weight, when its last night wrote one.

    Of the nights up to ``as_of`` (by date, when they are indexed by date). None without
    magnesium, without a :data:`COMPOUND_COLUMN`, when the last recorded night of the
    current regimen gave ``elemental_mg`` (the label's figure), or when ``compounds`` has
    none of the form.
    """
    if nights is None or COMPOUND_COLUMN not in nights or not current.active \
            or not form_compounds(current.form, compounds):
        return None
    if isinstance(nights.index, pd.DatetimeIndex):
        nights = nights[nights.index <= pd.Timestamp(as_of)]
    on = nights[(nights["form"] == current.form) & (nights["elemental_mg"] == current.elemental_mg)
                & nights["recorded"].astype(bool)]
    written = on[COMPOUND_COLUMN].iloc[-1] if len(on) else None
    if written is None or pd.isna(written):
        return None
    salt = safe_side_compound(current.form, compounds)
    return CompoundDose(current.form, float(written), current.elemental_mg, salt.name,
                        salt.elemental_fraction)
