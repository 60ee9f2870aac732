"""A form cell the diary cannot read, said once however many rows repeat it.

A stack written in the form column (``glycinate + citrate``) or a dose beside the form
(``glycinate 200 mg``) was refused with "did you mean 'glycinate'?" and no word of where a
dose or a second product goes, once for each of 60 rows (an outside audit).
:func:`unknown_form` says where they go (README: the diary's ``elemental_mg`` or
``compound_mg``; a second product taken every day, the profile's ``other_magnesium_mg``), and
:func:`collapsed` says a fault repeated on many rows once, with its rows and their count.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from model.core.errors import Fault
from model.core.forms import FORMS, PLACEBO, canonical_form, form_hint
from model.data.blank_rows import row_ranges

DOSE_ELSEWHERE = ("one form a night: its dose goes in a column of its own, elemental_mg (mg of "
                  "elemental magnesium) or compound_mg (mg of the compound)")
"""Where a dose written beside the form goes."""

STACK = ("the diary records one supplement a night, the one mgsleep weighs: write it in form, "
         "its dose in elemental_mg; a second magnesium product taken every day goes in your "
         "profile as other_magnesium_mg (its mg of elemental magnesium a day), which counts "
         "towards the ceiling")
"""Where a second product of a stack goes."""

PRODUCTS: dict[str, tuple[str, str, str]] = {
    "zma": ("ZMA", "zinc, magnesium aspartate and vitamin B6", "aspartate"),
}
"""Products written in the form column (a word of the cell, lower case): the product's name,
what it holds, and the compound its magnesium is
(said as :func:`~model.core.forms.form_hint` says that compound: aspartate is none of the
forms, as ``elemental_fractions.csv`` has it)."""

SHOWN = 3
"""Rows named for a fault repeated on more rows, before "and N more"."""


def unknown_form(given: str) -> str:
    """The fault of a form cell no form reads as: the forms, and what was meant.

    A cell naming forms among other words (``glycinate + citrate``, ``glycinate 200 mg``) is
    told where a second product or a dose goes (:data:`STACK`, :data:`DOSE_ELSEWHERE`), not
    "did you mean 'glycinate'?"; a product (:data:`PRODUCTS`, ``ZMA``) is said to be one,
    with its magnesium's compound; any other keeps :func:`~model.core.forms.form_hint`.
    """
    named = {form for word in re.findall(r"[a-z-]+", given.lower())
             if (form := canonical_form(word)) in FORMS}
    if len(named) > 1 or (named and re.search(r"[+&,/]|\band\b|\bwith\b", given.lower())):
        hint = f": {STACK}"
    elif named and re.search(r"\d", given):
        hint = f": {DOSE_ELSEWHERE}"
    elif product := next((w for w in re.findall(r"[a-z0-9]+", given.lower()) if w in PRODUCTS),
                         None):
        product, holds, compound = PRODUCTS[product]
        hint = (f": {product} is a product ({holds}), not a form; its magnesium is "
                f"{compound}{form_hint(compound)}")
    else:
        hint = form_hint(given)
    return f"expected one of {', '.join((*FORMS, PLACEBO))} or blank, got {given!r}{hint}"


_ROW = re.compile(r"^row (\d+), column (.+)$")


def collapsed(faults: Sequence[Fault]) -> list[Fault]:
    """The faults with one fault for each repeated on more than :data:`SHOWN` rows.

    Faults alike (the same file, column and message, on rows ``row N, column C``) are said
    once, in the place of the first, naming their rows (the first :data:`SHOWN`, then how
    many more) and their count; any other fault is kept as it is.
    """
    rows: dict[tuple[str, str, str], list[int]] = {}
    for fault in faults:
        if found := _ROW.match(fault.where):
            rows.setdefault((fault.file, found.group(2), fault.message), []).append(
                int(found.group(1)))
    said, out = set[tuple[str, str, str]](), []
    for fault in faults:
        found = _ROW.match(fault.where)
        key = (fault.file, found.group(2), fault.message) if found else None
        if key is None or len(rows[key]) <= SHOWN:
            out.append(fault)
        elif key not in said:
            said.add(key)
            many = rows[key]
            shown = row_ranges(many)
            if shown.count(",") >= SHOWN:
                shown = f"{', '.join(map(str, many[:SHOWN]))} and {len(many) - SHOWN} more"
            out.append(Fault(fault.file, f"rows {shown}, column {key[1]}",
                             f"{fault.message} (the same in {len(many)} rows)"))
    return out
