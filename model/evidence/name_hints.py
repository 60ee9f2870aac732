"""What the refusal of an unknown medicine asks for when it may be magnesium.

An outside pharmacist's audit (finding 2): ``"magnesium citrate 1.2 g per sachet"`` was refused
with "(it names 'magnesium citrate': give that name on its own)"; written so, the product's
magnesium was counted as 0 mg and a dose advised on top of it with the whole ceiling. Its
amount goes in the profile's ``other_magnesium_mg`` (:mod:`model.decision.other_magnesium`
adds no magnesium to a product whose amount it cannot read), which the hint now says. A name
may be magnesium without the word (:func:`names_magnesium`: ``"ZMA 450 mg"`` was counted as
0 mg with ``--allow-unknown``, its refusal silent on its magnesium: a supplement-label
reader's audit); the names are the diary's (:mod:`model.core.forms`), one list.
"""

from __future__ import annotations

import re

from model.core.forms import FORMS, canonical_form, product_named, unmodelled_compound

MAGNESIUM_NAME = re.compile(r"\bmag(?:n[ae]s\w*|ne)?(?:\b|(?=\d))", re.IGNORECASE)
"""A word naming magnesium in a product's name: ``Mag 365``, ``magnesium``, ``Magnesia``,
``Magnaspartate``, ``Magne B6`` (not ``magnet`` nor ``magnolia``)."""

AMOUNT = ("its elemental magnesium a day as other_magnesium_mg = ... in your profile: mgsleep "
          "adds no magnesium to a product whose amount it cannot read")
"""Where a magnesium product's amount goes: the profile's ``other_magnesium_mg``."""

ALLOW_UNKNOWN = "--allow-unknown (allow_unknown=True from Python)"
"""How to accept an unknown name, for a command-line user and a Python caller alike."""


def names_magnesium(name: str) -> bool:
    """Whether an unknown medicine's name says it may hold magnesium.

    A word of magnesium (:data:`MAGNESIUM_NAME`), a magnesium product
    (:data:`~model.core.forms.PRODUCTS`: ``ZMA``), or a magnesium salt named first, as the
    diary reads it (a form or its alias, ``bisglycinate 200 mg``; a compound of the fractions
    table, ``orotate 500 mg``). A salt after another name is that one's (``iron
    bisglycinate``, ``tamoxifen citrate``).
    """
    first = re.match(r"[a-z][a-z-]*", name.strip().lower())
    return bool(MAGNESIUM_NAME.search(name) or product_named(name) or (
        first and (canonical_form(first[0]) in FORMS or unmodelled_compound(first[0]))))


def names_hint(said: str, count: int, magnesium: bool) -> str:
    """`` (it names 'magnesium citrate': give that name on its own, and its ...)``.

    ``said``: the known names the unknown one holds, listed; ``count``: how many;
    ``magnesium``: one of them is a magnesium product, whose amount is asked for too.
    """
    which = "those that apply, each" if count > 1 else "that name"
    return f" (it names {said}: give {which} on its own{', and ' + AMOUNT if magnesium else ''})"


def amount_hint(name: str, kind: str) -> str:
    """`` (if it is magnesium, give ...)`` for an unknown medicine that may be magnesium.

    A known product (``ZMA``) is said to be magnesium, with what it holds.
    """
    if kind != "medicine" or not names_magnesium(name):
        return ""
    product = product_named(name)
    said = (f"{product[0]} is a magnesium product ({product[1]}): give" if product else
            "if it is magnesium, give")
    return f" ({said} {AMOUNT}, and accept it knowingly with {ALLOW_UNKNOWN})"
