"""What an import leaves unread: named, and a diary column among it never dropped in silence.

An Oura CSV with a ``form`` and an ``elemental_mg`` column the person added was imported
without them and without a word, and the analysis then said "no magnesium" and "Start
glycinate" to someone who took it every night (an outside audit). So every importer names:

- in a table (a CSV), every column it did not use;
- in an export whose unread fields are the format's own (a tracker's JSON with dozens of
  keys, Apple Health's record types), only those that look like a diary column
  (:func:`diary_columns`), so as not to bury the warning under the tracker's noise.

A column looks like a diary column by its words, as the diary reader reads a header
(:func:`~model.data.column_words.read_by_words`: ``Bristol stool``, ``evening_anxiety``,
``quality (1-5)``; never ``waso``, whose unit is not said), else by its spelling. Such a column
is said to be NOT imported, with how to bring it in (:data:`HowTo`): ``mgsleep import csv FILE
--map ...`` for a table whose nights can be dated, else a log of what was taken merged with
``--supplements LOG.csv``. A stool or GI column not imported gets a line of its own
(:func:`gi_warning`): the GI safety rules run without it (an export's ``Bristol stool`` column
was listed among the columns not read, and nothing more).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence

from model.data.column_words import gi_unread, header_words, named_column, read_by_words
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
    every export has its own. A name whose words name a diary column is no near miss (as in
    the diary): it is read by its words or not at all (:func:`diary_columns`).
    """
    key = column_key(name)
    columns = [c for c in KNOWN_COLUMNS if c != "date"]
    near = near and named_column(header_words(name)) is None
    close = difflib.get_close_matches(key, columns, n=1, cutoff=NEAR_MISS) if near else []
    if key in columns:
        return key
    if close:
        return close[0]
    return TAKEN if MAGNESIUM.search(key) else None


def diary_columns(names: Sequence[str], *, tabular: bool) -> dict[str, str]:
    """The names of an export that stand for a diary column, each with it (or :data:`TAKEN`).

    A table's column is read by its words as the diary reads a header
    (:func:`~model.data.column_words.read_by_words`, over all of ``names``: the one column its
    words name, which no other name names nor spells, with that column's unit and scale), else
    by its spelling (:func:`diary_like`, near misses too). A tracker's JSON fields only by
    their spelling: its own (Fitbit's ``awakeningsCount``, which counts the short wakes the
    import leaves out) are no diary column.
    """
    keys = [column_key(name) for name in names]
    words = read_by_words(names, keys) if tabular else keys
    found = {name: column if column != key else diary_like(name, near=tabular)
             for name, key, column in zip(names, keys, words, strict=True)}
    return {name: column for name, column in found.items() if column is not None}


def shell_word(name: str) -> str:
    """``name`` as one word of a shell command: ``"Bristol stool"``, ``Quality`` as it is."""
    if re.fullmatch(r"[\w.@%+/=:-]+", name):
        return name
    return '"' + re.sub(r'(["\\$`])', r"\\\1", name) + '"'


SPLIT = ("form=form,elemental_mg=elemental_mg", "write {} as a column form and a column "
         "elemental_mg (mg of elemental magnesium), then ")
"""The --map items of a :data:`TAKEN` column rewritten, and the words asking for it."""


def _map_items(found: Mapping[str, str]) -> tuple[str, str]:
    """The --map items of the diary columns found, and what to write first (or ``""``).

    ``form=form,elemental_mg=elemental_mg``; a :data:`TAKEN` column (``Magnesium`` holding
    ``glycinate 200``) needs its form and dose in columns of their own first (:data:`SPLIT`),
    and a name no item can hold (a comma; a colon, but before a duration's unit:
    :func:`map_source`) a rename to its diary column.
    """
    taken = [name for name, column in found.items() if column == TAKEN]
    named = {name: column for name, column in found.items() if column != TAKEN}
    again = [name for name, column in named.items()
             if "," in name or (":" in name and not column.endswith("_min"))]
    items = [f"{column}={column if name in again else shell_word(map_source(name))}"
             for name, column in named.items()]
    first = (f"rename {', '.join(f'{n!r} to {named[n]}' for n in again)} (an item of --map "
             "holds no comma, nor a colon but before a unit), then " if again else "") + (
        SPLIT[1].format(", ".join(taken)) if taken else "")
    return ",".join(items + [SPLIT[0]] * bool(taken)), first


def map_source(name: str, unit: str = "min") -> str:
    """A file column as an item of ``--map`` gives it: ``Latency:s``, ``Stool: Bristol:min``.

    A ``:`` in a name needs the unit after it, else what follows it is read as the unit.
    """
    return name + (f":{unit}" if unit != "min" or ":" in name else "")


def import_csv(file: str, date: str, morning: bool = False) -> HowTo:
    """How to bring in a table's diary columns: ``mgsleep import csv`` with their ``--map``."""
    def how(found: Mapping[str, str]) -> str:
        items, first = _map_items(found)
        return (f"{first}bring them in after this import with: mgsleep import csv "
                f"{shell_word(file)} "
                f"--map date={date},{items}" + (" --date-is morning" if morning else "")
                + " --out DIARY.csv")
    return how


def renamed(found: Mapping[str, str]) -> str:
    """How to bring in a CSD's diary columns: under their diary names they pass through."""
    _, first = _map_items(found)
    names = [f"{n} to {c}" for n, c in found.items() if c != TAKEN]
    return (first + (f"rename {', '.join(names)} and " if names else "")
            + "import again (diary columns under their own names are imported)")


def mapped(given: Mapping[str, str]) -> HowTo:
    """How to bring in an unmapped CSV column: add it to ``--map``, the whole ``--map`` written.

    ``given``: each diary column mapped, with its file column as ``--map`` gave it
    (``Latency:s``).
    """
    def how(found: Mapping[str, str]) -> str:
        items, first = _map_items(found)
        before = ",".join(f"{column}={shell_word(source)}" for column, source in given.items())
        return f"{first}add {items} to --map: --map {before},{items}"
    return how


def supplements(found: Mapping[str, str]) -> str:
    """How to bring in the diary columns of an export no ``--map`` reads (JSON, XML)."""
    others = [f"{name} as {column}" for name, column in found.items() if column != TAKEN]
    return "; ".join([f"write {', '.join(others)} in the diary (a column of that name)"]
                     * bool(others) + [SUPPLEMENTS] * (TAKEN in found.values()))


GI_RULES = ("the GI safety rules (which step magnesium down or stop it on loose stools or "
            "stomach upset) will run without {}: ")
"""What a stool or GI column not imported means (:func:`gi_warning`)."""


def gi_warning(file: str, missed: Sequence[tuple[object, str]], found: Mapping[str, str],
               how: HowTo) -> list[str]:
    """The line of the stool or GI columns an import did not use, and how to bring them in.

    ``missed``: the columns and why the diary would not read them
    (:func:`~model.data.column_words.gi_unread`); ``found``: the diary columns found.
    A column found as ``stool_bristol`` or ``gi_upset`` is brought in as it; another is
    brought in as the one it holds.
    """
    if not missed:
        return []
    named = {str(h): found[str(h)] for h, _ in missed
             if found.get(str(h)) in ("stool_bristol", "gi_upset")}
    others = [(str(h), why) for h, why in missed if str(h) not in named]
    ways = [how(named)] * bool(named) + [
        f"if {h}{f' ({why})' if why else ''} holds the Bristol stool form (1 to 7), "
        f"{how({h: 'stool_bristol'})}; if it says loose stools or stomach upset (1 yes, 0 no), "
        "the same with gi_upset" for h, why in others]
    listed = ", ".join(f"{h} ({named[h]})" if h in named else h
                       for h in (str(header) for header, _ in missed))
    one = len(missed) == 1
    return [f"{file}: STOOL/GI column{'' if one else 's'} NOT imported: {listed}: "
            + GI_RULES.format("it" if one else "them")
            + "; ".join(ways)]


def unread_warnings(file: str, names: Iterable[str], used: Collection[str], *, tabular: bool,
                    how: HowTo, filled: Collection[str] = ()) -> list[str]:
    """The warnings naming what a file holds that the import did not read (none: empty).

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
    filled : collection of str
        The diary columns the import fills (a CSV's mapped ones): no other column is
        suggested for them.

    Returns
    -------
    list of str
        At most two: the columns not read, with the diary columns among them
        (:func:`diary_columns`), and a stool or GI column among them (:func:`gi_warning`).

    """
    names = list(dict.fromkeys(map(str, names)))
    unread = [n for n in names if n not in used]
    like = diary_columns(names, tabular=tabular)
    found = {n: like[n] for n in unread if n in like and like[n] not in filled}
    loud = gi_warning(file, gi_unread(unread, filled), found, how)
    if not unread or not (tabular or found or loud):
        return []
    said = (f"{file}: {len(unread)} column(s) not read: {', '.join(unread)}" if tabular
            else f"{file}: field(s) not read: {', '.join(found)}")
    if not found:
        return ([said] if tabular else []) + loud
    columns = ", ".join(f"{n} ({c})" if c != n else n for n, c in found.items())
    return [f"{said}. {columns}: diary column(s), NOT imported (the import reads the sleep "
            f"only): {how(found)}", *loud]


def record_types(file: str, counts: Mapping[str, int]) -> list[str]:
    """Apple Health's records of a diary-like type (dietary magnesium), not imported."""
    found = {kind: n for kind, n in counts.items() if diary_like(kind, near=False)}
    if not found:
        return []
    named = ", ".join(f"{n} of {kind}" for kind, n in found.items())
    return [f"{file}: record(s) not read: {named}: {TAKEN}? NOT imported (Apple Health does "
            f"not say the form, nor food from supplement): {SUPPLEMENTS}"]
