"""Rows a column leaves blank: named in one fault, or dropped and counted on request.

Real exports often have rows outside the experiment (a blank treatment before and after a
trial); listing each as its own fault buries the message. :func:`drop_blank` names them in
one fault, with their row ranges and the option that drops them, or drops them and says how
many. The rows kept keep their place in the table as read (:func:`renumbered`), so that
a later fault still names the file's row.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pandas as pd

from model.core.errors import Fault, InputError


def row_ranges(rows: list[int]) -> str:
    """1-based rows as ranges: ``[3, 4, 5, 9]`` -> ``3-5, 9``."""
    spans: list[list[int]] = []
    for row in sorted(rows):
        if spans and row == spans[-1][1] + 1:
            spans[-1][1] = row
        else:
            spans.append([row, row])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in spans)


def drop_blank(data: pd.DataFrame, column: str, *, drop: bool, source: str,
               option: str) -> tuple[pd.DataFrame, int]:
    """Leave out the rows where ``column`` is blank, or raise one fault naming them.

    Parameters
    ----------
    data : pandas.DataFrame
        The table as read.
    column : str
        The column that must not be blank (a missing column is left to the caller's checks).
    drop : bool
        Drop the blank rows (True) or raise (False).
    source : str
        File name for the fault.
    option : str
        The option that drops them, named in the fault.

    Returns
    -------
    data : pandas.DataFrame
        The rows kept, their index their 0-based place in the table as read.
    dropped : int
        How many rows were left out.

    Raises
    ------
    InputError
        When rows are blank and ``drop`` is False.

    """
    if column not in data.columns:
        return data, 0
    blank = (data[column].isna() | data[column].astype(str).str.strip().eq("")).to_numpy()
    count = int(blank.sum())
    if count and not drop:
        rows = [i + 1 for i in range(len(data)) if blank[i]]
        where = f"{'row' if count == 1 else 'rows'} {row_ranges(rows)}, column {column}"
        raise InputError([Fault(source, where, f"expected a value in every row, got {count} "
                                f"blank of {len(data)}; add {option} to leave them out")])
    return data[~blank], count


def renumbered(error: InputError, rows: Sequence[int]) -> InputError:
    """``error`` with each fault's ``row N`` (1-based among the rows kept) the file's row.

    ``rows`` are the file's 1-based data rows of the rows kept, in order (``index + 1`` of
    :func:`drop_blank`'s table): a fault found after blank rows were dropped names the row a
    person can find in the file, not its place among the rows left.
    """
    def file_row(match: re.Match[str]) -> str:
        return f"row {rows[int(match.group(1)) - 1]}"

    faults = [Fault(f.file, re.sub(r"^row (\d+)", file_row, f.where), f.message)
              for f in error.faults]
    return type(error)(faults)
