"""A form cell the diary cannot read, said once however many rows repeat it; messy cells read.

A stack written in the form column (``glycinate + citrate``) or a dose beside the form
(``glycinate 200 mg``) was refused with "did you mean 'glycinate'?" and no word of where a
dose or a second product goes, once for each of 60 rows (an outside audit).
:func:`unknown_form` says where they go (README: the diary's ``elemental_mg`` or
``compound_mg``; a second product taken every day, the profile's ``other_magnesium_mg``), and
:func:`collapsed` says a fault repeated on many rows once, with its rows and their count.

Messy regimen input (an as-needed taker's audit, /tmp/w57/n N7, N10): ``glycinate (as
needed)`` was "none of the forms", sent to ``other_magnesium_mg`` (her own supplement counted
twice); it is read as glycinate (:data:`~model.core.forms.AS_NEEDED`), said once
(:func:`as_needed_note`). ``Mg gly`` is asked "did you mean 'glycinate'?" (:func:`_start_hint`),
and ``200 mg`` in a column of mg is 200 (:func:`unit_dropped`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from typing import Any

from model.core.errors import Fault
from model.core.forms import (
    ALIASES,
    AS_NEEDED,
    ELEMENT,
    FORMS,
    PLACEBO,
    canonical_form,
    form_hint,
    product_named,
)
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

START_LEAST = 3
"""The fewest letters of a form's name offered as its start (``gly``, not ``g``)."""

AS_NEEDED_READ = ("a diary row is one night's dose: give the form on the nights you took it, and "
                  "none on the others")
"""What a form cell read without its words of when it is taken is told (:func:`as_needed_note`)."""


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
        hint = form_hint(given) or _start_hint(given) or _label_hint(given, named)
    return f"expected one of {', '.join((*FORMS, PLACEBO))} or blank, got {given!r}{hint}"


def _start_hint(given: str) -> str:
    """`` (did you mean 'glycinate'?)`` for the start of one form's name, else empty.

    ``Mg gly``, ``gly``, ``glyc`` got the list of forms alone (/tmp/w57/n N10); the element's
    word (:data:`~model.core.forms.ELEMENT`) aside, one word of at least :data:`START_LEAST`
    letters that starts the name (or an alias) of one form only is offered it: ``t`` is
    taurate or threonate, never guessed.
    """
    words = [w for w in re.findall(r"[a-z]+", given.lower()) if w not in ELEMENT]
    names = {f: f for f in (*FORMS, PLACEBO)} | ALIASES
    meant = {names[n] for n in names if len(words) == 1 and len(words[0]) >= START_LEAST
             and n.startswith(words[0])}
    return f" (did you mean {meant.pop()!r}?)" if len(meant) == 1 else ""


@cache
def _index() -> NameIndex:
    """The names of the bundled safety data, built once (a cell is read on many rows)."""
    return NameIndex.of(bundled_safety())


def _label_hint(given: str, named: set[str]) -> str:
    """Where the magnesium of a label's wording goes, when no form nor typo is meant.

    A medicine of magnesium (``milk of magnesia``: an antacid, a laxative) goes in the
    profile's ``medications``, whose rules apply (one taken as needed: no supplement on its
    days, :func:`model.decision.other_magnesium.now_and_then_rule`), and its nights are
    marked ``exclude = laxative`` (not an antacid's,
    :func:`~model.data.period_nights.names_antacid`); a blend (:data:`BLEND_WORDS`) or another
    named magnesium (:data:`UNKNOWN_MAGNESIUM`) in ``other_magnesium_mg``, at the label's
    elemental figure (:data:`NO_FORM`). One form among other words and no other magnesium
    (``named``: ``magnesium glycinate sometimes``) is asked for the form alone, and told where
    its salt goes when taken as a medicine: it was told it is none of the forms, or a medicine,
    and her own supplement sent to ``other_magnesium_mg`` or the medications, counted twice
    (/tmp/w57/n N7). Any other cell has no hint.
    """
    medicine = _index().match(given, "medicine")
    magnesium = medicine in _index().magnesium
    salt = magnesium and canonical_form(str(medicine)) in named    # magnesium glycinate
    if magnesium and not salt:
        night = ("" if names_antacid(given) else
                 ", and on a night you take it write exclude = laxative")
        return (f": {given!r} is a medicine with magnesium ({medicine}: an antacid or a "
                "laxative), not a supplement form: list it in your profile's medications, "
                "not in the diary (taken daily, its magnesium counts towards the ceiling; "
                "taken as needed, the advice says how much supplement on its days)" + night)
    words = re.findall(r"[a-z]+", given.lower())
    if set(words) & BLEND_WORDS:
        return f": a blend or complex of several magnesium salts {NO_FORM}"
    if named and not UNKNOWN_MAGNESIUM.search(" ".join(w for w in words
                                                      if canonical_form(w) not in named)):
        return (f": write only the form, {next(iter(named))}, in form, and the other words in "
                "notes" + " (if you take it as a laxative or an antacid, list it in your "
                "profile's medications instead)" * salt)
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
            out.append(Fault(fault.file, f"{rows_said(many)}, column {key[1]}",
                             f"{fault.message} (the same in {len(many)} rows)"))
    return out


def rows_said(rows: Sequence[int]) -> str:
    """``row 4``, ``rows 3-5, 9``, or the first :data:`SHOWN` rows and how many more."""
    shown = row_ranges(list(rows))
    if shown.count(",") >= SHOWN:
        shown = f"{', '.join(map(str, rows[:SHOWN]))} and {len(rows) - SHOWN} more"
    return f"row{'s' * (len(rows) != 1)} {shown}"


def as_needed_note(cell: object) -> str | None:
    """What to say of a form cell read without its words of when it is taken, or None.

    ``glycinate (as needed)`` is glycinate (:data:`~model.core.forms.AS_NEEDED`): the night's
    row says she took it that night, and the words say no more; said once, with
    :data:`AS_NEEDED_READ`, as a row of a form is one night's dose, not a standing regimen.
    """
    if not isinstance(cell, str) or not AS_NEEDED.search(cell.strip().lower()):
        return None
    form = canonical_form(cell)
    if form not in (*FORMS, PLACEBO):
        return None
    return f"{cell.strip()!r} read as {form}: {AS_NEEDED_READ}"


def as_needed_notes(cells: Sequence[object], name: str) -> list[str]:
    """One warning for each form cell of a diary read as :func:`as_needed_note` says, its rows.

    ``cells``: the form column's cells in row order (1-based data rows); ``name``: the diary.
    """
    rows: dict[str, list[int]] = {}
    for row, cell in enumerate(cells, start=1):
        if (note := as_needed_note(cell)) is not None:
            rows.setdefault(note, []).append(row)
    return [f"{name}: {rows_said(found)}, column form: {note}" for note, found in rows.items()]


def unit_dropped(column: str, value: Any) -> Any:
    """A cell of a column of mg without the unit written in it: ``200 mg`` or ``200mg`` is 200.

    It was refused, "expected a number" (/tmp/w57/n N10). Said twice, the unit is no doubt:
    ``200 mg`` in ``compound_mg`` is the compound's mg, in ``elemental_mg`` elemental mg.
    Another unit (``0.2 g``, ``2 caps``) or more words (``200mg?``) stay as written, refused:
    never converted. Any other column's cell is kept as it is.
    """
    said = re.fullmatch(r"\s*(\S*\d)\s*mg\s*", value, re.I) if isinstance(value, str) else None
    return said[1] if said and column.endswith("_mg") else value
