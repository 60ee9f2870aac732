"""The order of a diary's rows when one night is written into it: the file's own.

:func:`model.data.merge.merge_rows` returns rows sorted by date. ``mgsleep log`` on a diary
kept newest first, or in an order of its own, rewrote the whole file sorted without a word
(an outside audit), while the person edits the same file by hand. :func:`file_order` keeps
the rows where the file has them and puts a new night where the file's order puts it.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from model.data.night_dates import as_date


def _out_of_order(days: list[dt.date], texts: list[str]) -> str:
    """The first row dated before the row above it, in words (both 1-based data rows)."""
    row = next(i for i in range(1, len(days)) if days[i] < days[i - 1])
    return f"row {row + 1} ({texts[row]}) is below row {row} ({texts[row - 1]})"


def file_order(merged: pd.DataFrame, dates: list[str],
               night: dt.date) -> tuple[pd.DataFrame, str]:
    """``merged`` (one row per date) in the order of the file's ``dates``, and what to say.

    A night already there is written where it is, every row kept in place. A new night goes
    where the file's order puts it: in a diary in date order in its place; in one newest
    first in its place too, said; in one in neither order at its end, said with the first
    row out of order (``analyze`` reads the rows by date whatever their order).

    Parameters
    ----------
    merged : pandas.DataFrame
        The diary's rows and the night, text cells.
    dates : list of str
        The file's dates, in its rows' order (stripped).
    night : datetime.date
        The night written.

    Returns
    -------
    rows : pandas.DataFrame
    said : str
        ``""`` for a diary in date order, or a night already in it.

    """
    days = [as_date(text) for text in dates]
    known = [day for day in days if day is not None]
    new = night.isoformat() not in dates
    keyed = merged.set_axis(merged["date"].astype(str).str.strip(), axis=0)
    if not new:                 # a night completed: every row stays where it is
        return keyed.loc[dates].reset_index(drop=True), ""
    if known == sorted(known) or len(known) < len(days):   # a date refused before it is written
        return merged, ""
    if known == sorted(known, reverse=True):
        place = next((i for i, day in enumerate(known) if day < night), len(known))
        order = [*dates[:place], night.isoformat(), *dates[place:]]
        said = f"rows kept newest first, as the file has them; night {night} put in its place"
    else:
        order = [*dates, night.isoformat()]
        said = ("rows kept in the file's order, which is not by date ("
                f"{_out_of_order(known, dates)}); night {night} added at the end; analyze "
                "reads them by date")
    return keyed.loc[order].reset_index(drop=True), said
