"""The column separator of a CSV file, and the decimal commas of a ``;``-separated one.

Excel writes CSV with the list separator of its locale: ``;`` where the decimal mark is a
comma (``14,5``). The diary reader (:func:`model.data.diary_rows.read_table`) and the importers
(:func:`model.data.importers.common.read_csv`) find the separator from the header line and read
decimal commas as points in such a file.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

SEPARATORS = ",;\t"
"""Column separators a CSV may use (``;`` where the decimal mark is a comma)."""

DECIMAL_COMMA = re.compile(r"^(\s*[-+]?\d+),(\d+\s*)$")
"""A number with a decimal comma (``14,5``), as a ``;``-separated file writes it."""

SEPARATOR_NAMES = {",": "a comma", ";": "a ';'", "\t": "a tab"}
"""Each separator in words, for a message."""


def separator(path: str | Path) -> str:
    """The separator of a CSV: the one of :data:`SEPARATORS` its header line holds most of."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            header = handle.readline()
    except (OSError, UnicodeDecodeError):
        return ","
    return max(SEPARATORS, key=header.count)


def decimal_points(table: pd.DataFrame, sep: str) -> pd.DataFrame:
    """Text cells of a file separated by ``sep``: in a ``;``-separated one, ``14,5`` -> ``14.5``."""
    if sep != ";":
        return table
    return table.apply(lambda column: column.str.replace(DECIMAL_COMMA, r"\1.\2", regex=True))


DECIMAL_POINT = re.compile(r"^(\s*[-+]?\d+)\.(\d+\s*)$")
"""A number with a decimal point, written back with a comma into a ``;``-separated file."""


def decimal_commas(table: pd.DataFrame, sep: str) -> pd.DataFrame:
    """The inverse of :func:`decimal_points`: ``14.5`` -> ``14,5`` for a ``;``-separated file."""
    if sep != ";":
        return table
    return table.apply(lambda column: column.astype(str).str.replace(DECIMAL_POINT, r"\1,\2",
                                                                     regex=True))

