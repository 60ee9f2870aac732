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
from functools import cache

from model.core.errors import Fault
from model.core.forms import FORMS, PLACEBO, canonical_form, form_hint, product_named
from model.data.blank_rows import row_ranges
from model.data.period_nights import names_antacid
from model.evidence.floor import bundled_safety
from model.evidence.name_hints import MAGNESIUM_NAME
from model.evidence.names import NameIndex

DOSE_ELSEWHERE = ("one form a night: its dose goes in a column of its own, elemental_mg (mg of "
                  "elemental magnesium) or compound_mg (mg of the compound)")
"""Where a dose written beside the form goes."""

STACK = ("the diary records one supplement a night, the one mgsleep weighs: write it in form, "
         "its dose in elemental_mg; a second magnesium product taken every day goes in your "
         "profile as other_magnesium_mg (its mg of elemental magnesium a day), which counts "
         "towards the ceiling")
"""Where a second product of a stack goes."""

BUFFERED = ("a buffered chelate holds added magnesium oxide, more magnesium by weight than "
            "{form}'s own salt, so its weight is never read at {form}'s fraction: write {form} "
            "in form and the label's ELEMENTAL magnesium in elemental_mg, not its weight in "
            "compound_mg")
"""What a "buffered" form cell is told: "buffered glycinate" was "did you mean
'diglycinate'?", and its weight read at the glycinate table's 14.1 % (2400 mg as 338 mg) is
too little magnesium for the ceiling (a supplement-label reader's audit)."""

BLEND_WORDS = frozenset({"complex", "blend", "mix", "mixed", "multi", "combination", "combo"})
"""Words of a cell naming several magnesium salts in one product (``Magnesium complex``)."""

NO_FORM = ("is none of the forms mgsleep models (do not log it as one: it would take that "
           "form's evidence and elemental fraction); taken every day beside your supplement, "
           "give its elemental magnesium a day, the label's figure, as other_magnesium_mg in "
           "your profile")
"""Where a magnesium the diary cannot weigh goes: the label's elemental figure, counted."""

UNKNOWN_MAGNESIUM = re.compile(r"[a-z]{3,}(?:ate|ite|ide)\b|\b(?:sucrosomial|liposomal)\b")
"""A cell naming a magnesium form mgsleep does not model (``sucrosomial``, ``picolinate``),
besides one naming magnesium itself (:data:`~model.evidence.name_hints.MAGNESIUM_NAME`)."""

SHOWN = 3
"""Rows named for a fault repeated on more rows, before "and N more"."""


def unknown_form(given: str) -> str:
    """The fault of a form cell no form reads as: the forms, and what was meant.

    A cell naming forms among other words (``glycinate + citrate``, ``glycinate 200 mg``) is
    told where a second product or a dose goes (:data:`STACK`, :data:`DOSE_ELSEWHERE`), not
    "did you mean 'glycinate'?"; a product (:data:`~model.core.forms.PRODUCTS`, ``ZMA``) is
    said to be one, with its magnesium's compound; a buffered chelate is asked for its
    elemental figure (:data:`BUFFERED`); any other keeps
    :func:`~model.core.forms.form_hint`, or, without one, is told where its magnesium goes
    (:func:`_label_hint`: it had no word).
    """
    named = {form for word in re.findall(r"[a-z-]+", given.lower())
             if (form := canonical_form(word)) in FORMS}
    if len(named) > 1 or (named and re.search(r"[+&,/]|\band\b|\bwith\b", given.lower())):
        hint = f": {STACK}"
    elif named and re.search(r"\d", given):
        hint = f": {DOSE_ELSEWHERE}"
    elif product := product_named(given):
        name, holds, compound = product
        hint = (f": {name} is a product ({holds}), not a form; its magnesium is "
                f"{compound}{form_hint(compound)}")
    elif re.search(r"\bbuffered\b", given.lower()):
        hint = ": " + BUFFERED.format(form=next(iter(named), "the form"))
    else:
        hint = form_hint(given) or _label_hint(given)
    return f"expected one of {', '.join((*FORMS, PLACEBO))} or blank, got {given!r}{hint}"


@cache
def _index() -> NameIndex:
    """The names of the bundled safety data, built once (a cell is read on many rows)."""
    return NameIndex.of(bundled_safety())


def _label_hint(given: str) -> str:
    """Where the magnesium of a label's wording goes, when no form nor typo is meant.

    A medicine of magnesium (``milk of magnesia``: an antacid, a laxative) goes in the
    profile's ``medications``, whose rules apply (one taken as needed: no supplement on its
    days, :func:`model.decision.other_magnesium.now_and_then_rule`), and its nights are
    marked ``exclude = laxative`` (not an antacid's,
    :func:`~model.data.period_nights.names_antacid`); a blend (:data:`BLEND_WORDS`) or another
    named magnesium (:data:`UNKNOWN_MAGNESIUM`) in ``other_magnesium_mg``, at the label's
    elemental figure (:data:`NO_FORM`); any other cell has no hint.
    """
    medicine = _index().match(given, "medicine")
    if medicine in _index().magnesium:
        night = ("" if names_antacid(given) else
                 ", and on a night you take it write exclude = laxative")
        return (f": {given!r} is a medicine with magnesium ({medicine}: an antacid or a "
                "laxative), not a supplement form: list it in your profile's medications, "
                "not in the diary (taken daily, its magnesium counts towards the ceiling; "
                "taken as needed, the advice says how much supplement on its days)" + night)
    words = set(re.findall(r"[a-z]+", given.lower()))
    if words & BLEND_WORDS:
        return f": a blend or complex of several magnesium salts {NO_FORM}"
    if MAGNESIUM_NAME.search(given) or UNKNOWN_MAGNESIUM.search(given.lower()):
        return f": {given!r} {NO_FORM}"
    return ""


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
