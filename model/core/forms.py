"""Magnesium forms: canonical names, aliases and elemental-magnesium conversion."""

from __future__ import annotations

import csv
import difflib
import re
from dataclasses import dataclass
from pathlib import Path

from model.core.errors import Fault, PriorsError
from model.core.paths import default_priors_dir

FORMS: tuple[str, ...] = (
    "glycinate",
    "taurate",
    "threonate",
    "citrate",
    "oxide",
    "malate",
    "chloride",
    "lactate",
)
"""The magnesium forms the model knows, in display order."""

PLACEBO = "placebo"
NONE = "none"

ALIASES: dict[str, str] = {
    "bisglycinate": "glycinate",
    "diglycinate": "glycinate",
    "l-threonate": "threonate",
    "magtein": "threonate",
    "taurinate": "taurate",
}


_PREFIX = re.compile(r"^(magnesium|mag|mg)[\s-]+")
"""How labels name the element before the form: "Magnesium", "Mag", "Mg" (space or hyphen)."""


def _key(name: str) -> str:
    """A spelling as looked up: lower case, without a leading "magnesium", "mag" or "mg"."""
    return _PREFIX.sub("", name.strip().lower()).strip()


def canonical_form(name: str) -> str | None:
    """Return the canonical form for a diary spelling, or None if it is not a known form.

    ``placebo`` is returned as is; blank means no magnesium and returns ``"none"``.
    """
    key = _key(name)
    if key in ("", NONE):
        return NONE
    if key == PLACEBO or key in FORMS:
        return key
    return ALIASES.get(key)


def form_hint(name: str, *, placebo: bool = True) -> str:
    """`` (did you mean 'glycinate'?)`` for a misspelt form (aliases too), else empty.

    ``placebo``: whether placebo is among the names a reader accepts there.
    """
    choices = (*FORMS, *ALIASES, *((PLACEBO,) if placebo else ()))
    close = difflib.get_close_matches(_key(name), choices, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


@dataclass(frozen=True)
class Compound:
    """One magnesium compound with its elemental fraction by mass."""

    name: str
    formula: str
    molar_mass: float
    elemental_fraction: float
    default_for_form: str | None


def load_compounds(priors_dir: Path | None = None) -> list[Compound]:
    """Read ``elemental_fractions.csv`` from a priors directory (default: the bundled one)."""
    path = (priors_dir or default_priors_dir()) / "elemental_fractions.csv"
    faults: list[Fault] = []
    compounds: list[Compound] = []
    with path.open(newline="", encoding="utf-8") as handle:
        for row_number, row in enumerate(csv.DictReader(handle), start=1):
            try:
                percent = float(row["elemental_mg_percent"])
                molar_mass = float(row["molar_mass_g_per_mol"])
            except (TypeError, ValueError):
                faults.append(Fault(str(path), f"row {row_number}", "numbers expected in "
                                    "molar_mass_g_per_mol and elemental_mg_percent"))
                continue
            if not 0 < percent <= 100:
                faults.append(Fault(str(path), f"row {row_number}, column elemental_mg_percent",
                                    f"expected a percentage in (0, 100], got {percent}"))
                continue
            form = (row.get("default_for_form") or "").strip() or None
            if form is not None and form not in FORMS:
                faults.append(Fault(str(path), f"row {row_number}, column default_for_form",
                                    f"unknown form {form!r}; expected one of {', '.join(FORMS)}"))
                continue
            compounds.append(Compound(row["compound"], row["formula"], molar_mass,
                                      percent / 100.0, form))
    if faults:
        raise PriorsError(faults)
    return compounds


def elemental_fractions(priors_dir: Path | None = None) -> dict[str, float]:
    """Map each form to the elemental Mg fraction of its default compound."""
    fractions = {c.default_for_form: c.elemental_fraction
                 for c in load_compounds(priors_dir) if c.default_for_form}
    missing = [f for f in FORMS if f not in fractions]
    if missing:
        path = (priors_dir or default_priors_dir()) / "elemental_fractions.csv"
        raise PriorsError([Fault(str(path), "column default_for_form",
                                 f"no default compound for form(s) {', '.join(missing)}")])
    return fractions


def compound_to_elemental(form: str, compound_mg: float, priors_dir: Path | None = None) -> float:
    """Convert mg of a form's default compound to mg of elemental magnesium.

    Examples
    --------
    >>> round(compound_to_elemental("oxide", 400.0), 1)
    241.2
    """
    return compound_mg * elemental_fractions(priors_dir)[form]
