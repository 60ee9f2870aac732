"""Diary rows with fewer cells than the header that may have lost a value with its separator.

A spreadsheet (and a person) leaves out a row's empty cells at its end: such a row is read
with those columns blank (:meth:`model.data.separators.CsvText.field_faults`). A value deleted
together with its separator gives the same short row, with every value after it one column
left: ``...,40,1,5,4,4`` (quality ``3`` deleted) was read as quality 5, freshness 4, anxiety
4 and stool form blank, without a word, and ``mgsleep log`` wrote it back padded, the shift
made for good (an outside audit). The two cannot be told apart, but a short row is a likely
shift only when its last value could be the next column's (:func:`could_be`): that column is
written on most other rows and the value is one it takes. Such rows are named in a warning
(:func:`short_row_notes`), with the columns read as blank.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from model.core.errors import DiaryError
from model.core.forms import canonical_form
from model.data.blank_rows import row_ranges
from model.data.diary_rows import MAX_ROWS, MISSING_WORDS, NUMERIC, cell_problem, normalise_columns
from model.data.separators import (
    DECIMAL_COMMA,
    SEPARATOR_NAMES,
    CsvText,
    cell_number,
    checked_text,
    column_key,
    decimal_comma,
    read_cells,
)


def _written(cell: str) -> bool:
    return cell.strip().lower() not in MISSING_WORDS


def could_be(text: CsvText, keys: Sequence[str], column: int, row: int) -> bool:
    """Whether data row ``row``'s (0-based) last value could be in column ``column``.

    Only if the column is written on more than half of the other rows (a column mostly left
    blank is what a spreadsheet leaves out at a row's end), and the value is one it takes: a
    number in its range for a numeric diary column, a form in ``form``, and in another column
    a number or words as most of its written cells are (a note is words: a rating is no note).
    """
    others = [cells[column] for i, cells in enumerate(text.rows)
              if i != row and len(cells) > column and _written(cells[column])]
    if 2 * len(others) <= len(text.rows) - 1:
        return False
    value = text.rows[row][-1].strip()
    if decimal_comma(text.sep):
        value = DECIMAL_COMMA.sub(r"\1.\2", value)
    key = keys[column]
    if key in NUMERIC:
        return cell_problem(key, value) is None
    if key == "form":
        return canonical_form(value) is not None
    numbers = sum(cell_number(cell, text.sep) is not None for cell in others)
    return (cell_number(value) is not None) == (2 * numbers > len(others))


def diary_keys(text: CsvText) -> list[str]:
    """The diary column each header cell is read as (its own :func:`column_key` if refused)."""
    try:
        return list(normalise_columns(pd.DataFrame(columns=text.header), text.name)[0].columns)
    except DiaryError:      # the reader names the fault itself
        return [column_key(name) for name in text.header]


def short_row_notes(text: CsvText, written: bool = False) -> list[str]:
    """Warnings naming the short rows whose last value could be the next column's.

    Rows with the same count of cells share one: ``diary.csv: row 16 has 9 cells for 10
    columns: stool_bristol read as blank; if a value was deleted with its separator, the
    values after it moved one column left ...``. ``written``: said as the file is written back
    with the blank cells (:func:`padded_row_notes`).
    """
    keys = diary_keys(text)
    named = max((i + 1 for i, name in enumerate(text.header) if name.strip()), default=0)
    short: dict[int, list[int]] = {}
    for row, cells in enumerate(text.rows):
        if 0 < len(cells) < named and _written(cells[-1]) and could_be(text, keys, len(cells),
                                                                        row):
            short.setdefault(len(cells), []).append(row + 1)
    return [_note(text, count, rows, named, written) for count, rows in sorted(short.items())]


def _note(text: CsvText, count: int, rows: list[int], named: int, written: bool) -> str:
    """One warning: the rows of ``count`` cells, the columns read as blank, what to do."""
    blank = [name.strip() for name in text.header[count:named]]
    cells = text.rows[rows[0] - 1]
    which = f"row {rows[0]} has" if len(rows) == 1 else f"rows {row_ranges(rows)} have"
    fix = ("written now with the blank cells, as it is read (the previous file, kept as .bak, "
           "has it as it was): check it, and correct a value moved with mgsleep log --replace"
           if written else f"check it, and put the deleted value back; if it is right, end it "
           f"with {SEPARATOR_NAMES[text.sep]} for each blank column "
           f"(...{text.sep.join(cells[-2:])}{text.sep * len(blank)})")
    return (f"{text.name}: {which} {count} cells for {named} columns: "
            f"{' and '.join([', '.join(blank[:-1]), blank[-1]] if len(blank) > 1 else blank)} "
            f"read as blank; if a value was deleted with its separator, the values after it "
            f"moved one column left (the last, {cells[-1].strip()!r}, may be {blank[0]}'s): "
            f"{fix}")


def read_noted_cells(source: str | Path | pd.DataFrame,
                     limit: int) -> tuple[pd.DataFrame, str, str, list[str]]:
    """:func:`~model.data.separators.read_cells`, with the :func:`short_row_notes` of a file.

    Raises
    ------
    DiaryError
        Every fault of the file's text.
    """
    if isinstance(source, pd.DataFrame):
        return (*read_cells(source, limit), [])
    text = checked_text(source, limit)
    return text.table(), text.name, text.sep, short_row_notes(text)


def padded_row_notes(path: str | Path) -> list[str]:
    """What to say when ``mgsleep log`` or ``import`` writes the diary ``path`` back.

    The rows of :func:`short_row_notes` are written with their blank cells, as they are read
    (the previous file, kept as ``.bak``, has them as they were). Read before it is written.
    """
    return short_row_notes(checked_text(path, MAX_ROWS), written=True)
