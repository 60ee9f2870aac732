"""A regimen: what a person takes each evening (form, elemental dose, split or single)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from model.core.forms import FORMS, NONE, PLACEBO, canonical_form, form_hint

_CANONICAL = frozenset((*FORMS, PLACEBO, NONE))


SKIPPED_NIGHTS = 2
"""Nights without magnesium, or at another dose of the same form, between two runs of one
regimen that are nights skipped or slips, not a change: the run, and its evaluation period, go
on across them (two nights change the magnesium store little: it builds up over days). One
night forgotten after 60 on a regimen made every change wait a new period; so did one night
at a double dose two nights before the end of a period (an outside audit, /tmp/hH). A run on
magnesium before a break joins across them too (:mod:`model.personal.withdrawal`): one dose
forgotten 25 nights before a fully written 14-night break kept it from counting (an outside
audit, /tmp/w49/g G1)."""

LEAST_SUPPLEMENT_MG = 1.0
"""Less elemental magnesium a day than any supplement gives: a dose below it was most likely
written in grams (:func:`grams_meant`)."""


def grams_meant(dose_mg: float) -> str:
    """What to say of a dose under :data:`LEAST_SUPPLEMENT_MG` (a diary row, a ceiling)."""
    return (f"less than any supplement gives; grams meant ({dose_mg:g} g = "
            f"{dose_mg * 1000:g} mg)?")


LEAST_PRODUCT_MG = 25.0
"""The least elemental magnesium a day a supplement dose is taken as without a question.

The smallest unit the evidence brief names is a tablet of 47.4 mg (magnesium lactate,
Magnespasmyl; Magne B6 48 mg), the trials gave 250-729 mg a day and glycerophosphate tablets
97.2 mg: 25 mg is half the smallest tablet, rounded up. Below it (between
:data:`LEAST_SUPPLEMENT_MG` and here), a count of capsules, grams or mmol written as mg is far
more likely: 16 nights of ``elemental_mg`` 2 were read as 2 mg and advised as "Continue
glycinate, 2 mg ... (settled)" (an outside audit)."""

MG_PER_MMOL = 24.305
"""Milligrams of magnesium in a millimole (its atomic weight): labels and trials give mmol."""


def small_dose(dose_mg: float) -> str | None:
    """What to say of a dose under :data:`LEAST_PRODUCT_MG` (None for none, or at it or above).

    ``2 mg of elemental magnesium is less than a supplement's dose (the smallest tablet in the
    evidence has 47 mg): 2 capsules or tablets, 2 g, or 2 mmol (49 mg) meant? Write the
    elemental mg the label gives``; a count is offered for a whole number up to 10, grams up
    to 10.
    """
    dose = float(dose_mg)
    if not 0 < dose < LEAST_PRODUCT_MG:
        return None
    meant = [f"{dose:g} capsules or tablets"] if dose == round(dose) <= 10 else []
    meant += [f"{dose:g} g"] if dose <= 10 else []
    meant += [f"{dose:g} mmol ({dose * MG_PER_MMOL:.0f} mg)"]
    listed = meant[0] if len(meant) == 1 else f"{', '.join(meant[:-1])} or {meant[-1]}"
    return (f"{dose:g} mg of elemental magnesium is less than a supplement's dose (the "
            f"smallest tablet in the evidence has 47 mg): {listed} meant? Write the elemental "
            "mg the label gives")


@dataclass(frozen=True, order=True)
class Regimen:
    """One daily regimen.

    Parameters
    ----------
    form : str
        A form (see :data:`model.core.forms.FORMS`), ``"placebo"`` or ``"none"``, spelt as a
        diary may spell it ("Glycinate", "magnesium bisglycinate"): kept in its canonical name.
    elemental_mg : float
        Elemental magnesium per day, mg (0 for none and placebo); finite and not negative.
    split : bool
        True when the daily dose is taken as two intakes (halves the single-intake GI load).
    """

    form: str
    elemental_mg: float = 0.0
    split: bool = False

    def __post_init__(self) -> None:
        canonical = (self.form if self.form in _CANONICAL
                     else canonical_form(self.form) if isinstance(self.form, str) else None)
        if canonical is None:
            raise ValueError(f"unknown form {self.form!r}{form_hint(str(self.form))}; forms: "
                             f"{', '.join((*FORMS, PLACEBO, NONE))}")
        object.__setattr__(self, "form", canonical)
        if not math.isfinite(self.elemental_mg) or self.elemental_mg < 0:
            raise ValueError(f"elemental_mg must be a finite number >= 0, got "
                             f"{self.elemental_mg!r}")

    @property
    def active(self) -> bool:
        """True when the regimen contains magnesium."""
        return self.form in FORMS and self.elemental_mg > 0

    @property
    def single_intake_mg(self) -> float:
        """Elemental mg per intake (the GI-relevant dose)."""
        return self.elemental_mg / 2 if self.split else self.elemental_mg

    @property
    def label(self) -> str:
        """Short label: ``glycinate@200``, ``glycinate@300x2`` (split), ``placebo``, ``none``."""
        if not self.active:
            return self.form if self.form == PLACEBO else NONE
        return f"{self.form}@{self.elemental_mg:g}{'x2' if self.split else ''}"

    @property
    def words(self) -> str:
        """In short words: ``glycinate 200 mg``, ``placebo``, ``no magnesium``.

        A split dose reads ``glycinate 300 mg in two intakes``.
        """
        if self.form == PLACEBO:
            return "placebo"
        if not self.active:
            return "no magnesium"
        return f"{self.form} {self.elemental_mg:g} mg" + " in two intakes" * self.split

    @classmethod
    def from_label(cls, label: str) -> Regimen:
        """Inverse of :attr:`label`."""
        if label in (NONE, PLACEBO):
            return cls(label)
        form, _, dose = label.partition("@")
        split = dose.endswith("x2")
        return cls(form, float(dose.removesuffix("x2")), split)


NO_MAGNESIUM = Regimen(NONE)


def skipped_of(night: Regimen, regimen: Regimen) -> bool:
    """Whether ``night`` may be a night skipped, or a slip, of ``regimen``: one definition.

    A night without magnesium (not placebo), or at another dose of its form
    (:data:`SKIPPED_NIGHTS`): the decision's run joins across such nights
    (:func:`model.decision.judged_nights.run_start`), a lapse counts them
    (:func:`model.decision.on_off.lapse_before`), and the nights since an advice read them
    as nights skipped (:func:`model.analysis.advice_followed.off_advice`).
    """
    return (not night.active and night.form != PLACEBO) or (
        night.active and night.form == regimen.form)
