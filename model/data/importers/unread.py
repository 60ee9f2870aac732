"""What an import leaves unread: named, and a diary column among it never dropped in silence.

An Oura CSV with a ``form`` and an ``elemental_mg`` column the person added was imported
without them and without a word, and the analysis then said "no magnesium" and "Start
glycinate" to someone who took it every night (an outside audit). So every importer names:

- in a table (a CSV), every column it did not use;
- in an export whose unread fields are the format's own (a tracker's JSON with dozens of
  keys, Apple Health's record types), only those that look like a diary column
  (:func:`diary_like`), so as not to bury the warning under the tracker's noise.

A diary column among them is said to be NOT imported, with how to bring it in (:data:`HOW`):
``mgsleep import csv FILE --map ...`` for a table whose nights can be dated, else a log of
what was taken merged with ``--supplements LOG.csv``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Collection, Iterable, Mapping

from model.data.diary_rows import KNOWN_COLUMNS, NEAR_MISS
from model.data.separators import column_key

MAGNESIUM = re.compile(r"magnesium|supplement|dose|^mg(?:_|$)|_mg$")
"""A column (as :func:`~model.data.separators.column_key` makes it) that holds the magnesium
taken without a diary column's name: ``Magnesium``, ``Mg``, ``MgDose``, ``Supplement``."""

HowTo = Callable[[Mapping[str, str]], str]
"""How to bring in the diary-like names found (name -> diary column): a sentence."""

TAKEN = "the magnesium taken"
"""What :func:`diary_like` says a :data:`MAGNESIUM` column stands for."""

SUPPLEMENTS = ("write what you took as a log (columns date,form,elemental_mg; date the night "
               "the dose is for) and merge it with --supplements LOG.csv")
"""How to bring in the magnesium of an export that no ``import csv --map`` can date."""


def diary_like(name: str, *, near: bool) -> str | None:
    """The diary column an export's column or field stands for, or None.

    Its name as a diary column (any case, spaces or hyphens for ``_``), with ``near`` also a
    near miss the diary reader would read as one (:data:`~model.data.diary_rows.NEAR_MISS`),
    or :data:`TAKEN` for a name of magnesium (:data:`MAGNESIUM`). ``date`` is no such column:
    every export has its own.
    """
    key = column_key(name)
    columns = [c for c in KNOWN_COLUMNS if c != "date"]
    close = difflib.get_close_matches(key, columns, n=1, cutoff=NEAR_MISS) if near else []
    if key in columns:
        return key
    if close:
        return close[0]
    return TAKEN if MAGNESIUM.search(key) else None


SPLIT = ("form=form,elemental_mg=elemental_mg", "write {} as a column form and a column "
         "elemental_mg (mg of elemental magnesium), then ")
"""The --map items of a :data:`TAKEN` column rewritten, and the words asking for it."""


def _map_items(found: Mapping[str, str]) -> tuple[str, str]:
    """The --map items of the diary columns found, and what to write first (or ``""``).

    ``form=form,elemental_mg=elemental_mg``; a :data:`TAKEN` column (``Magnesium`` holding
    ``glycinate 200``) needs its form and dose in columns of their own first (:data:`SPLIT`).
    """
    taken = [name for name, column in found.items() if column == TAKEN]
    items = [f"{column}={name}" for name, column in found.items() if column != TAKEN]
    first = SPLIT[1].format(", ".join(taken)) if taken else ""
    return ",".join(items + [SPLIT[0]] * bool(taken)), first


def import_csv(file: str, date: str, morning: bool = False) -> HowTo:
    """How to bring in a table's diary columns: ``mgsleep import csv`` with their ``--map``."""
    def how(found: Mapping[str, str]) -> str:
        items, first = _map_items(found)
        return (f"{first}bring them in after this import with: mgsleep import csv {file} "
                f"--map date={date},{items}" + (" --date-is morning" if morning else "")
                + " --out DIARY.csv")
    return how


def renamed(found: Mapping[str, str]) -> str:
    """How to bring in a CSD's diary columns: under their diary names they pass through."""
    _, first = _map_items(found)
    names = [f"{n} to {c}" for n, c in found.items() if c != TAKEN]
    return (first + (f"rename {', '.join(names)} and " if names else "")
            + "import again (diary columns under their own names are imported)")


def mapped(found: Mapping[str, str]) -> str:
    """How to bring in an unmapped CSV column: add it to ``--map``."""
    items, first = _map_items(found)
    return f"{first}add {items} to --map"


def supplements(found: Mapping[str, str]) -> str:
    """How to bring in the magnesium of an export no ``--map`` reads (JSON, XML)."""
    return SUPPLEMENTS if found else ""


def unread_warnings(file: str, names: Iterable[str], used: Collection[str], *, tabular: bool,
                    how: HowTo) -> list[str]:
    """The warning naming what a file holds that the import did not read (none: empty).

    Parameters
    ----------
    file : str
        The export.
    names : iterable of str
        Its columns (``tabular``) or the fields of its records.
    used : collection of str
        The names the import read.
    tabular : bool
        A table: every unread column is named; else only the diary-like fields.
    how : callable
        How to bring in the diary-like ones (:func:`import_csv`, :func:`renamed`,
        :func:`mapped`, :func:`supplements`).

    Returns
    -------
    list of str
        At most one warning.

    """
    unread = [n for n in dict.fromkeys(map(str, names)) if n not in used]
    found = {n: c for n in unread if (c := diary_like(n, near=tabular)) is not None}
    if not unread or not (tabular or found):
        return []
    said = (f"{file}: {len(unread)} column(s) not read: {', '.join(unread)}" if tabular
            else f"{file}: field(s) not read: {', '.join(found)}")
    if not found:
        return [said]
    columns = ", ".join(f"{n} ({c})" if c != n else n for n, c in found.items())
    return [f"{said}. {columns}: diary column(s), NOT imported (the import reads the sleep "
            f"only): {how(found)}"]


def record_types(file: str, counts: Mapping[str, int]) -> list[str]:
    """Apple Health's records of a diary-like type (dietary magnesium), not imported."""
    found = {kind: n for kind, n in counts.items() if diary_like(kind, near=False)}
    if not found:
        return []
    named = ", ".join(f"{n} of {kind}" for kind, n in found.items())
    return [f"{file}: record(s) not read: {named}: {TAKEN}? NOT imported (Apple Health does "
            f"not say the form, nor food from supplement): {SUPPLEMENTS}"]
