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
The other way round, a dose above the ceiling as written may be the compound's weight typed
as ``elemental_mg`` (:func:`compound_weight_to_check`, :func:`compound_question`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from model.core.forms import Compound, load_compounds
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


def compound_weight_to_check(current: Regimen) -> CompoundDose | None:
    """The current dose read as its form's compound weight, when that reading is in doubt.

    A dose above the bundled ceiling (the one the diary's reading and ``mgsleep log`` warn
    of: :func:`model.data.diary_rows.over_ceiling`) that, as the weight of the form's
    compound, is within it even on the safe side (the salt of the form with the most
    magnesium, :func:`model.data.compound_doses.safe_side_compound`, as the ceiling reads a
    ``compound_mg``): 1000 mg of glycinate, the label's "Magnesium Glycinate 1000 mg
    (providing 140 mg elemental)" typed as ``elemental_mg``, is 141 mg. Both readings are
    then possible, and the ceiling's step (lower to 350 mg) is a 2.5-fold raise for one of
    them: a supplement-label reader's audit (/tmp/w47/C, F2) was told "Lower the dose to
    glycinate, 350 mg". When the compound reading is above the ceiling too (oxide 600 mg is
    362 mg as magnesium oxide), the dose comes down whichever it is, and the ceiling's
    safety step is kept: None. None, too, under the ceiling or without magnesium.
    ``read_mg`` of the answer is the form's default compound (as ``compound_mg`` is read),
    ``most_mg`` the safe side's. The bundled ceiling, not a person's lower one, decides (as
    the diary's and log's warnings do, with no profile); the advice still says the person's.
    """
    from model.evidence.floor import bundled_safety  # here: read only for a dose above it

    ceiling = bundled_safety().ceiling.default_mg_per_day
    if not current.active or not current.elemental_mg > ceiling:
        return None
    compounds = load_compounds()
    if not form_compounds(current.form, compounds):
        return None
    read = next(c for c in compounds if c.default_for_form == current.form)
    salt = safe_side_compound(current.form, compounds)
    dose = CompoundDose(current.form, current.elemental_mg,
                        float(round(current.elemental_mg * read.elemental_fraction)), salt.name,
                        salt.elemental_fraction)
    return dose if dose.most_mg <= ceiling else None


def compound_question(current: Regimen, compound: str = "compound_mg",
                      elemental: str = "elemental_mg") -> str | None:
    """What to ask of a dose that may be its compound's weight (None: it is not one).

    ``1000 mg of elemental magnesium a day is above the safety ceiling of 350 mg; is it the
    weight of the glycinate compound, as a label gives it ("Magnesium glycinate 1000 mg":
    141 mg elemental)? ...`` (:func:`compound_weight_to_check`), for the advice and for
    ``mgsleep log`` alike: ``compound`` and ``elemental`` name where each is written (a
    diary's columns, log's options).
    """
    from model.evidence.floor import bundled_safety

    if (dose := compound_weight_to_check(current)) is None:
        return None
    mg, form = f"{current.elemental_mg:g}", current.form
    ceiling = bundled_safety().ceiling.default_mg_per_day
    return (f"{mg} mg of elemental magnesium a day is above the safety ceiling of "
            f"{ceiling:g} mg; is it the weight of the {form} compound, as a label gives it "
            f"(\"Magnesium {form} {mg} mg\": {dose.read_mg:g} mg elemental)? Then give {mg} as "
            f"{compound} instead, or the label's elemental mg as {elemental}")
