"""What the refusal of an unknown medicine asks for when it may be magnesium.

An outside pharmacist's audit (finding 2): ``"magnesium citrate 1.2 g per sachet"`` was refused
with "(it names 'magnesium citrate': give that name on its own)"; written so, the product's
magnesium was counted as 0 mg and a dose advised on top of it with the whole ceiling. Its
amount goes in the profile's ``other_magnesium_mg`` (:mod:`model.decision.other_magnesium`
adds no magnesium to a product whose amount it cannot read), which the hint now says.
"""

from __future__ import annotations

import re

MAGNESIUM_NAME = re.compile(r"\bmag(?:n[ae]s\w*|ne)?(?:\b|(?=\d))", re.IGNORECASE)
"""A word naming magnesium in a product's name: ``Mag 365``, ``magnesium``, ``Magnesia``,
``Magnaspartate``, ``Magne B6`` (not ``magnet`` nor ``magnolia``)."""

AMOUNT = ("its elemental magnesium a day as other_magnesium_mg = ... in your profile: mgsleep "
          "adds no magnesium to a product whose amount it cannot read")
"""Where a magnesium product's amount goes: the profile's ``other_magnesium_mg``."""

ALLOW_UNKNOWN = "--allow-unknown (allow_unknown=True from Python)"
"""How to accept an unknown name, for a command-line user and a Python caller alike."""


def names_hint(said: str, count: int, magnesium: bool) -> str:
    """`` (it names 'magnesium citrate': give that name on its own, and its ...)``.

    ``said``: the known names the unknown one holds, listed; ``count``: how many;
    ``magnesium``: one of them is a magnesium product, whose amount is asked for too.
    """
    which = "those that apply, each" if count > 1 else "that name"
    return f" (it names {said}: give {which} on its own{', and ' + AMOUNT if magnesium else ''})"


def amount_hint(name: str, kind: str) -> str:
    """`` (if it is magnesium, give ...)`` for an unknown medicine named like magnesium."""
    return (f" (if it is magnesium, give {AMOUNT}, and accept it knowingly with "
            f"{ALLOW_UNKNOWN})" if kind == "medicine" and MAGNESIUM_NAME.search(name) else "")
