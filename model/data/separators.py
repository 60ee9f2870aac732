"""A CSV file's text: its encoding, separator, fields per row, and decimal and thousands marks.

Excel writes CSV with the list separator of its locale: ``;`` where the decimal mark is a
comma (``14,5``). The diary reader (:func:`read_cells`) and the importers
(:func:`model.data.importers.common.read_csv`) read a file through :func:`read_text` (a
regular file or a pipe of at most 50 MB, :func:`model.core.input_files.read_input`), which
finds the separator from the header line and names each fault of the text by data row and
column (a byte that is not UTF-8, a UTF-16 file, a row with more fields than the header or
fewer); in a file separated by ``;`` or a tab, decimal commas are read as points
(:func:`cell_number`), and a thousands separator is recognised (:func:`thousands`). A header
name is matched by :func:`column_key`; a cell is quoted in a message as the file has it
(:func:`quoted`).
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from model.core.errors import DiaryError, Fault, InputError
from model.core.input_files import INPUT_CAP, open_input, read_input
from model.data.blank_rows import row_ranges
from model.data.file_kinds import HEAD, HTML, JSON, ZIP, content_kind
from model.data.yes_no import yes_no

SEPARATORS = ",;\t"
"""Column separators a CSV may use (``;`` where the decimal mark is a comma)."""

DECIMAL_COMMA = re.compile(r"^(\s*[-+]?\d+),(\d+\s*)$")
"""A number with a decimal comma (``14,5``), as a ``;``-separated file writes it."""

SEPARATOR_NAMES = {",": "a comma", ";": "a ';'", "\t": "a tab"}
"""Each separator in words, for a message."""

EMPTY_CELL = {",": ",,", ";": ";;", "\t": "two tabs"}
"""An empty cell between two others, as each separator writes it."""

OTHER_KINDS = {JSON: " (a result of mgsleep analyze --json?)",
               HTML: " (a report of mgsleep analyze --report?)", ZIP: "; unzip it"}
"""What a file of another kind (:func:`~model.data.file_kinds.content_kind`) most likely is."""

UTF16_MARKS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
"""The byte-order marks a UTF-16 file begins with (Excel's "Unicode Text")."""


def separator(path: str | Path) -> str:
    """The separator of a CSV file (:func:`header_separator` of its first line; ``,`` unread)."""
    try:
        with open_input(path, "a CSV file") as handle:
            return header_separator(handle.readline(INPUT_CAP))
    except (OSError, InputError):     # the file is named when it is read
        return ","


def header_separator(header: bytes) -> str:
    """The one of :data:`SEPARATORS` a CSV's header line holds most of.

    The header line alone is decoded (a byte that is not UTF-8 further down, in a note, is
    named by :func:`read_text` in its own row and column).
    """
    line = header.split(b"\n", 1)[0].decode("utf-8-sig", "replace")
    return max(SEPARATORS, key=line.count)


def decimal_comma(sep: str) -> bool:
    """Whether a file separated by ``sep`` reads ``14,5`` as 14.5.

    A ``;`` file (Excel's CSV where the decimal mark is a comma) and a tab-separated one, whose
    comma cannot be a separator.
    """
    return sep in (";", "\t")


def decimal_points(table: pd.DataFrame, sep: str) -> pd.DataFrame:
    """Text cells of a file separated by ``sep``, ``14,5`` -> ``14.5`` if it has decimal commas."""
    if not decimal_comma(sep):
        return table
    return table.apply(lambda column: column.str.replace(DECIMAL_COMMA, r"\1.\2", regex=True))


DECIMAL_POINT = re.compile(r"^(\s*[-+]?\d+)\.(\d+\s*)$")
"""A number with a decimal point, written back with a comma into a ``;``-separated file."""


def decimal_commas(table: pd.DataFrame, sep: str, text: str = "") -> pd.DataFrame:
    """The inverse of :func:`decimal_points`: ``14.5`` -> ``14,5``, for a file that writes them.

    That is a ``;``-separated file, or a tab-separated one whose ``text`` (as it was) holds a
    decimal comma.
    """
    tab_commas = sep == "\t" and any(DECIMAL_COMMA.match(cell) for line in text.splitlines()
                                     for cell in line.split(sep))
    if sep != ";" and not tab_commas:
        return table
    return table.apply(lambda column: column.astype(str).str.replace(DECIMAL_POINT, r"\1,\2",
                                                                     regex=True))


_SPACED = re.compile(r"^\s*([1-9]\d{0,2}(?:[ \u00a0\u202f\u2009'\u2019]\d{3})+)([.,]\d+)?\s*$")
_DOTTED = re.compile(r"^\s*([1-9]\d{0,2}(?:\.\d{3})+)(,\d+)?\s*$")
_COMMAED = re.compile(r"^\s*([1-9]\d{0,2}(?:,\d{3})+)(\.\d+)?\s*$")


def thousands(text: str, comma: bool) -> str | None:
    """``text`` without its thousands separators (``1.600`` -> ``1600``), or None without any.

    Digits grouped by threes with a space (``1 600``, a no-break or thin space as French
    spreadsheets write it) or an apostrophe (Swiss), in any file; with a point (``1.600``,
    Excel's ``#.##0`` where the decimal mark is a comma) where decimal commas are read
    (``comma``: :func:`decimal_comma`); with a comma (``"1,600"``) elsewhere. Read as they
    stand they are 1.6 or no number at all.
    """
    grouped = _SPACED.match(text) or (_DOTTED if comma else _COMMAED).match(text)
    if grouped is None:
        return None
    return re.sub(r"\D", "", grouped[1]) + (grouped[2] or "")


def cell_number(value: Any, sep: str = ",") -> float | None:
    """Return the number in a cell, or None when it is not one (booleans count as 0/1).

    ``sep``: the file's separator; a file that reads decimal commas reads ``14,5`` as 14.5.
    """
    if isinstance(value, (bool, np.bool_)):
        return float(value)
    if isinstance(value, (int, float, np.integer, np.floating)):
        number = float(value)
    elif isinstance(value, str):
        text = DECIMAL_COMMA.sub(r"\1.\2", value) if decimal_comma(sep) else value
        if "_" in text:              # Python's digit grouping (1_0 is 10), no spreadsheet's
            return None
        try:
            number = float(text.strip())
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def mark_number(value: Any, sep: str = ",") -> float | None:
    """A 0/1 column's cell as a number: a yes or a no word as 1 or 0, else :func:`cell_number`.

    The words are :func:`~model.data.yes_no.yes_no`'s. The diary reads ``x`` and ``yes`` in
    its 0/1 columns as 1 (/tmp/w56/m M6); so must what else reads those cells: ``mgsleep log``
    told a night whose cell held ``x`` "already has x, got 1", a ``split`` of ``yes`` was not
    carried to the next night, a row of a date and a ``split`` of ``no`` was a night recorded.
    """
    said = yes_no(value)
    return said if said is not None else cell_number(value, sep)


def column_key(name: object) -> str:
    """A column name as it is matched: ``Stool  Bristol`` -> ``stool_bristol``.

    Blanks around it stripped, lower case, and each run of spaces and hyphens one ``_``.
    """
    return re.sub(r"[\s\-]+", "_", str(name).strip().lower())


def quoted(value: str) -> str:
    """A cell as the file has it, in quotes for a message (a no-break space left as it is).

    Only a character that cannot be shown (a control character) is escaped, as ``repr`` does.
    """
    plain = all(c.isprintable() or unicodedata.category(c) == "Zs" for c in value)
    return f"'{value}'" if plain and "'" not in value else repr(value)


@dataclass(frozen=True)
class CsvText:
    """The rows of a CSV file, as text: its header, its data rows and its separator.

    Parameters
    ----------
    name : str
        The file, for messages.
    sep : str
        Its separator (:func:`separator`).
    header : list of str
        The header line's cells.
    rows : list of list of str
        The data rows, blank lines and lines of separators only left out, as many fields each
        as the file gives.
    lines : list of int
        The file line each data row ends on (1-based).
    unfinished : bool
        The last line has no line end.
    """

    name: str
    sep: str
    header: list[str]
    rows: list[list[str]]
    lines: list[int]
    unfinished: bool

    def header_fault(self, first: str) -> Fault | None:
        """What makes line 1 no header, if anything: a title row above it, empty names.

        A title row (``Schlaftagebuch 2026;;;;``): no column ``first`` (by :func:`column_key`),
        and a later line has one or line 1 holds one name among empty ones. Two or more empty
        names (one at the end is Excel's stray separator, read as an unknown column).
        """
        keys = [column_key(c) for c in self.header]
        below = next((line for cells, line in zip(self.rows[:5], self.lines, strict=False)
                      if first in map(column_key, cells)), None)
        if first not in keys and (below or (sum(map(bool, keys)) == 1 and len(keys) > 1)):
            where = f": the header ends on line {below}; delete the lines above it" \
                if below else ""
            return Fault(self.name, "", "line 1 does not look like the header (is there a "
                         f"title row above it?){where}")
        empty = [i for i, key in enumerate(keys) if not key]
        if len(empty) < 2:
            return None
        trailing = empty[0] == len(keys) - len(empty)
        return Fault(self.name, "", f"the header has {len(empty)} empty column names "
                     + ("(trailing separators): delete them" if trailing else "(columns "
                        + ", ".join(str(i + 1) for i in empty)
                        + "): name them or delete their columns"))

    def field_faults(self) -> list[Fault]:
        """The rows with more fields than the header, or fewer ending in an empty one.

        A row with fewer fields whose last is empty is a value deleted with its separator (in
        a text editor: ``...;1;1;``): every value after it would move one column left. One
        whose last is a value left out its empty cells at the end, as Excel and people do
        (a review: such diaries and exports were refused), and reads them as blank; unless
        it is the last line, without a line end: a write cut short (``...,glycinate,30`` of
        a ``300``); such a row whose last value could be the next column's is named in a
        warning (:func:`model.data.short_rows.short_row_notes`). The cells of empty column
        names at the end of the header (a stray separator after its last name) may be left
        out whatever the row's last cell. Rows with the same count (and reason) are named in
        one fault.
        """
        width = len(self.header)
        named = max((i + 1 for i, c in enumerate(self.header) if c.strip()), default=0)
        wrong: dict[tuple[int, str], list[int]] = {}
        for row, cells in enumerate(self.rows, start=1):
            cut = self.unfinished and row == len(self.rows)
            if len(cells) > width or (len(cells) < named
                                      and (cut or not cells or not cells[-1].strip())):
                wrong.setdefault((len(cells), self._why(row, cells)), []).append(row)
        return [Fault(self.name, f"row {rows[0]}" if len(rows) == 1 else
                      f"rows {row_ranges(rows)}", f"expected {width} fields (the header's), got "
                      f"{saw}; {why}") for (saw, why), rows in sorted(wrong.items())]

    def _why(self, row: int, cells: list[str]) -> str:
        """What a row with a wrong count of fields most likely is, and what to do."""
        if len(cells) > len(self.header):
            if not any(cell.strip() for cell in cells[len(self.header):]):
                return "the cells after the header's last column are empty: delete them"
            return f"{SEPARATOR_NAMES[self.sep]} inside a value needs quotes"
        if self.unfinished and row == len(self.rows):
            return ("the last line ends without a line end: a write cut short? Complete it "
                    f"(a blank value is an empty cell: {EMPTY_CELL[self.sep]})")
        return ("a value deleted with its separator moves every value after it one column "
                f"left; leave the cell empty instead ({EMPTY_CELL[self.sep]})")

    def table(self) -> pd.DataFrame:
        """The data rows as text cells under the header (a missing last empty cell as blank)."""
        width = len(self.header)
        return pd.DataFrame([cells + [""] * (width - len(cells)) for cells in self.rows],
                            columns=self.header, dtype=object)


def read_text(path: str | Path, what: str, limit: int | None = None,
              cap: int = INPUT_CAP) -> CsvText:
    """Read a CSV file's rows (see :class:`CsvText`); ``limit``: at most that many data rows.

    ``cap``: the most bytes read (:func:`~model.core.input_files.read_input`), a diary's 50 MB
    unless told.

    ``what`` is what the file should be, for a message (``a CSV diary with a header line``).

    Raises
    ------
    InputError
        The file missing or unreadable, no regular file or larger than
        :data:`~model.core.input_files.INPUT_CAP` (:func:`~model.core.input_files.read_input`),
        empty, UTF-16, or with a byte that is not UTF-8 (named by data row and column, with the
        character it is in Windows-1252).
    """
    name = str(path)
    data = read_input(path, what, cap)
    if (kind := content_kind(data[:HEAD])) is not None:
        raise InputError([Fault(name, "", f"expected {what}, got {kind}"
                                f"{OTHER_KINDS.get(kind, '')}")])
    if data.startswith(UTF16_MARKS):
        raise InputError([Fault(name, "", f"expected UTF-8 text, got UTF-16 (the file begins "
                                f"with the bytes {data[:2].hex(' ').upper()}, as Excel's "
                                "\"Unicode Text\" saves it): save it as CSV UTF-8 (Excel: Save "
                                "As, CSV UTF-8; LibreOffice: Save As, Text CSV, character set "
                                "Unicode (UTF-8))")])
    body = data.removeprefix(codecs.BOM_UTF8)
    sep = header_separator(body)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError([_undecodable(name, body, error.start, sep)]) from None
    found = _rows(text, sep, limit)
    if not found:
        raise InputError([Fault(name, "", f"expected {what}, got an empty file")])
    (header, _), *rows = found
    return CsvText(name, sep, header, [cells for cells, _ in rows], [line for _, line in rows],
                   bool(text) and not text.endswith(("\n", "\r")))


CELL_LIMIT = 2**31 - 1
"""The longest cell read (the csv module's default, 131,072 characters, refused a long note)."""


def _rows(text: str, sep: str, limit: int | None = None) -> list[tuple[list[str], int]]:
    """The rows of CSV text that are not blank, each with the line it ends on."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, skipinitialspace=True)
    rows: list[tuple[list[str], int]] = []
    before = csv.field_size_limit(CELL_LIMIT)
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                rows.append((cells, reader.line_num))
                if limit is not None and len(rows) > limit + 1:
                    break
    finally:
        csv.field_size_limit(before)
    return rows


def _undecodable(name: str, body: bytes, start: int, sep: str) -> Fault:
    """The row and column of the first byte that is not UTF-8, with what it is in Windows-1252."""
    # a NUL stands for the byte: it begins a cell (and a row, after a line end)
    before = _rows(body[:start].decode("utf-8") + "\x00", sep)
    header, index = before[0][0], len(before[-1][0]) - 1
    name_of = header[index].strip() if index < len(header) else ""
    column = name_of if name_of.isprintable() and name_of else f"{index + 1}"
    where = f"row {len(before) - 1}, column {column}" if len(before) > 1 else \
        f"header, column {index + 1}"
    meant = body[start:start + 1].decode("cp1252", "replace")
    said = (f" ({meant!r} in Windows-1252: saved as plain CSV by Excel on Windows?)"
            if meant != "\ufffd" else "")
    return Fault(name, where, f"expected UTF-8 text, got the byte 0x{body[start]:02x}{said}; "
                 "save the file as CSV UTF-8")


def _dates_from_index(frame: pd.DataFrame) -> pd.DataFrame:
    """A table's rows renumbered; its dates taken from the index when they are there.

    A table without a date column whose index holds the dates (a ``DatetimeIndex``, or an
    index named ``date``, as :attr:`model.data.diary.Diary.nights` has) gets them as its date
    column.
    """
    dated = ("date" not in {column_key(c) for c in frame.columns}
             and (isinstance(frame.index, pd.DatetimeIndex) or frame.index.name == "date"))
    if not dated:
        return frame.reset_index(drop=True)
    table = frame.reset_index()
    return table.rename(columns={table.columns[0]: "date"})


def checked_text(source: str | Path, limit: int) -> CsvText:
    """A diary file's text (:func:`read_text`, at most ``limit`` data rows), its faults refused.

    A header fault (:meth:`CsvText.header_fault`) and a row with more fields than the header or
    fewer (:meth:`CsvText.field_faults`) are refused, a row named by data row (1-based, the
    header and skipped lines not counted).

    Raises
    ------
    DiaryError
        Every fault of the file's text.
    """
    try:
        text = read_text(source, "a CSV diary with a header line (date, ...)", limit)
    except InputError as error:
        raise DiaryError(error.faults) from None
    faults = [fault] if (fault := text.header_fault("date")) else text.field_faults()
    if faults:
        raise DiaryError(faults)
    return text


def read_cells(source: str | Path | pd.DataFrame,
               limit: int) -> tuple[pd.DataFrame, str, str]:
    """A diary's raw table (a file's text cells as it has them), its name and its separator.

    A table's dates may be its index (:func:`_dates_from_index`); its separator is ``,``. A
    file is read by :func:`checked_text`.

    Raises
    ------
    DiaryError
        Every fault of the file's text.
    """
    if isinstance(source, pd.DataFrame):
        return _dates_from_index(source), "<DataFrame>", ","
    text = checked_text(source, limit)
    return text.table(), text.name, text.sep
