"""Plain-text tables laid out as pandas' ``DataFrame.to_string()`` lays them out, without pandas.

For commands that must start fast (``mgsleep priors``): importing pandas costs more than the
whole command. :func:`text_table` prints a table with a (multi-level) index and text or float
columns byte for byte as ``frame.to_string()`` would with pandas' default display options:

- index columns left-justified under their names (second header line), a level repeated from
  the row above left blank (every level but the last, as pandas "sparsifies" a MultiIndex);
- data columns right-justified under their names (first header line), with one leading space
  before a text cell and before the name of a float column;
- a float column formatted with 6 decimals, then the same number of trailing zeros trimmed
  from every cell (keeping at least one decimal), or in scientific notation when a value is
  below 1e-6 (not zero) or above 1e6 with a cell over 12 characters; NaN as ``NaN``;
- every part separated by one space.

``tests/test_texttable.py`` checks this against pandas on random tables.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import cast

DIGITS = 6
"""pandas' ``display.precision``."""

_DECIMAL = re.compile(r"^\s*[+-]?[0-9]+\.[0-9]*$")


def _trim_zeros(cells: list[str]) -> list[str]:
    """Drop the same number of trailing zeros from every decimal cell, keeping one decimal."""
    numbers = [bool(_DECIMAL.match(c)) for c in cells]
    if not any(numbers):
        return cells
    while all(c.endswith("0") for c, n in zip(cells, numbers, strict=True) if n):
        cells = [c[:-1] if n else c for c, n in zip(cells, numbers, strict=True)]
    return [c + "0" if n and c.endswith(".") else c for c, n in zip(cells, numbers, strict=True)]


def float_cells(values: Sequence[float]) -> list[str]:
    """The cells of one float column, before justification (see the module docstring)."""
    def formatted(style: str) -> list[str]:
        return _trim_zeros(["NaN" if math.isnan(v) else f"{v: .{DIGITS}{style}}"
                            for v in values])

    cells = formatted("f")
    sizes = [abs(v) for v in values if not math.isnan(v)]
    small = any(0 < s < 10**-DIGITS for s in sizes)
    large = any(s > 1e6 for s in sizes) and max(map(len, cells), default=0) > DIGITS + 6
    return formatted("e") if small or large else cells


def _column(values: Sequence[object], name: str) -> list[str]:
    """One data column's cells, its name first, right-justified to a common width."""
    if all(isinstance(v, float) for v in values):
        name, cells = f" {name}", float_cells(cast(Sequence[float], values))
    elif all(isinstance(v, str) for v in values):
        cells = [f" {v}" for v in values]
    else:
        raise TypeError(f"column {name!r}: every cell must be a float, or every cell a str")
    width = max(len(name), *map(len, cells))
    return [name.rjust(width), *(c.rjust(width) for c in cells)]


def _sparse(index: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """Blank every level but the last where it and the levels before it repeat the row above."""
    shown = []
    for k, labels in enumerate(index):
        row = list(labels)
        for level in range(len(labels) - 1):
            if k and index[k - 1][:level + 1] == labels[:level + 1]:
                row[level] = ""
        shown.append(tuple(row))
    return shown


def text_table(index_names: Sequence[str], columns: Sequence[str],
               rows: Sequence[Sequence[object]]) -> str:
    """Lay out a table as pandas' ``DataFrame.to_string()`` does (see the module docstring).

    Parameters
    ----------
    index_names : sequence of str
        The names of the index levels (one or more).
    columns : sequence of str
        The names of the data columns.
    rows : sequence of sequences
        One or more rows, each: its index labels (str), then one cell per column. A column
        holds floats only or text only.

    Returns
    -------
    str
        The table, lines joined by newlines, no trailing newline.

    Raises
    ------
    ValueError
        When there is no row, or a row has the wrong number of cells.
    TypeError
        When a column mixes floats and text, or holds anything else.

    """
    levels = len(index_names)
    if not rows or any(len(r) != levels + len(columns) for r in rows):
        raise ValueError(f"a table needs rows of {levels} index labels and {len(columns)} cells")
    labels = _sparse([tuple(str(x) for x in r[:levels]) for r in rows])
    index = []
    for level, name in enumerate(index_names):
        width = max(len(name), *(len(r[level]) for r in labels))
        index.append([name.ljust(width), *(r[level].ljust(width) for r in labels)])
    data = [_column([r[levels + j] for r in rows], name) for j, name in enumerate(columns)]
    head = [" " * len(c[0]) for c in index] + [c[0] for c in data]
    names = [c[0] for c in index] + [" " * len(c[0]) for c in data]
    body = [[c[k] for c in index + data] for k in range(1, len(rows) + 1)]
    return "\n".join(" ".join(line) for line in [head, names, *body])
