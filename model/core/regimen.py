"""A regimen: what a person takes each evening (form, elemental dose, split or single)."""

from __future__ import annotations

from dataclasses import dataclass

from model.core.forms import FORMS, NONE, PLACEBO


@dataclass(frozen=True, order=True)
class Regimen:
    """One daily regimen.

    Parameters
    ----------
    form : str
        A canonical form (see :data:`model.core.forms.FORMS`), ``"placebo"`` or ``"none"``.
    elemental_mg : float
        Elemental magnesium per day, mg (0 for none and placebo).
    split : bool
        True when the daily dose is taken as two intakes (halves the single-intake GI load).
    """

    form: str
    elemental_mg: float = 0.0
    split: bool = False

    def __post_init__(self) -> None:
        if self.form not in (*FORMS, PLACEBO, NONE):
            raise ValueError(f"unknown form {self.form!r}")
        if self.elemental_mg < 0:
            raise ValueError("elemental_mg must be >= 0")

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

    @classmethod
    def from_label(cls, label: str) -> Regimen:
        """Inverse of :attr:`label`."""
        if label in (NONE, PLACEBO):
            return cls(label)
        form, _, dose = label.partition("@")
        split = dose.endswith("x2")
        return cls(form, float(dose.removesuffix("x2")), split)


NO_MAGNESIUM = Regimen(NONE)
