"""The diary's ``device`` column: which source measured a night's sleep.

A tracker swap changes the scale of what is measured: a ring's sleep-onset latency is not a
person's own estimate of it (an outside audit: a year of self-reported minutes, rounded to 5,
then a year of a ring's estimate at 0.6 times the true latency, was read as one scale, and
the advice changed without a word). The optional column ``device`` names the source of each
night (free text, ``self-report``, ``oura``, ``fitbit``; read stripped, lower-case, runs of
spaces as one); a blank cell is the diary's unnamed source, a source of its own, not the
night before's. The personal model fits one level shift per outcome a tracker measures
(:data:`~model.core.outcomes.DEVICE_MEASURED`: latency and awakenings, not the person's
ratings) for the nights of any source other than the first one seen
(:func:`device_indicator`), and predicts on the first source's scale; a diary without the
column, or with one source, has none. More than two sources share that one shift: reading
the diary says so (:func:`device_warnings`).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from model.core.outcomes import DEVICE_MEASURED, SLEEP_OUTCOMES, SPECS

DEVICE = "device"
"""The diary column."""

MAX_DEVICE_CHARS = 40
"""The longest device name (a longer text is a note in the wrong column)."""

DEVICE_NAME = re.compile(rf"^[a-z][a-z0-9 ._+()/'&-]{{0,{MAX_DEVICE_CHARS - 1}}}$")
"""A device name once normalised: a letter first, then letters, digits, spaces, ``._+()/'&-``."""

UNNAMED = "(unnamed)"
"""How a message names the blank source."""

_SLEEP_COLUMNS = [SPECS[o].column for o in SLEEP_OUTCOMES]
_MEASURED_COLUMNS = [SPECS[o].column for o in DEVICE_MEASURED]
_BLANKS = frozenset({"", "na", "n/a", "nan"})


def device_name(value: Any) -> str:
    """A cell as a device name: stripped, lower-case, spaces collapsed ("" for a blank)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    text = " ".join(str(value).split()).lower()
    return "" if text in _BLANKS else text


def device_problem(value: Any) -> str | None:
    """What is wrong with a ``device`` cell (None: it reads, a blank included)."""
    name = device_name(value)
    if not name or DEVICE_NAME.match(name):
        return None
    shown = repr(str(value).strip())
    if len(name) > MAX_DEVICE_CHARS:
        why = f"{len(name)} characters: a note belongs in notes"
    elif re.match(r"^[-+]?[0-9.,]+$", name):
        why = "a number: a value of another column?"
    else:
        why = "a letter first, then letters, digits, spaces or . _ + ( ) / ' & -"
    return (f"expected a device name (e.g. self-report, oura, fitbit; at most "
            f"{MAX_DEVICE_CHARS} characters) or blank, got {shown} ({why})")


def _measured(nights: pd.DataFrame) -> pd.Series:
    """The device of each night with a sleep outcome recorded ("" unnamed), in date order."""
    present = [c for c in _SLEEP_COLUMNS if c in nights.columns]
    seen = nights[present].notna().any(axis=1) if present else pd.Series(False, nights.index)
    if DEVICE not in nights.columns:
        return pd.Series("", index=nights.index[seen.to_numpy(bool)])
    return nights.loc[seen.to_numpy(bool), DEVICE].fillna("").astype(str)


def device_sources(nights: pd.DataFrame) -> list[str]:
    """The sources of the nights with a sleep outcome, in order of first appearance."""
    return list(dict.fromkeys(_measured(nights)))


def device_indicator(nights: pd.DataFrame) -> np.ndarray:
    """Per night, 1.0 when measured by another source than the diary's first, else 0.0.

    The first source is that of the first night with a sleep outcome recorded. Nights without
    one (gaps, planned rows) take 1.0 when their cell names another source too; they carry
    no likelihood, so it moves nothing. All zeros without a ``device`` column.
    """
    sources = device_sources(nights)
    if DEVICE not in nights.columns or len(sources) < 2:
        return np.zeros(len(nights))
    cells = nights[DEVICE].fillna("").astype(str).to_numpy()
    return (cells != sources[0]).astype(float)


def _named(source: str) -> str:
    return source or UNNAMED


def device_changes(nights: pd.DataFrame) -> list[tuple[pd.Timestamp, str, str]]:
    """Each night the level shift starts or stops: (night, source before, source after).

    Over the nights with a sleep outcome; a change between two later sources (pooled as
    one shift) is none.
    """
    measured = _measured(nights)
    if measured.empty:
        return []
    first = measured.iloc[0]
    before = measured.shift()
    changed = (measured == first).ne(before == first) & before.notna()
    return [(day, str(before[day]), str(measured[day]))
            for day in measured.index[changed.to_numpy(bool)]]


def device_warnings(nights: pd.DataFrame, name: str) -> list[str]:
    """Warn when the ``device`` column names more than two sources (one shift for the rest)."""
    sources = device_sources(nights)
    if len(sources) <= 2:
        return []
    later = ", ".join(_named(s) for s in sources[1:])
    return [f"{name}: column device names {len(sources)} sources ({_named(sources[0])} first, "
            f"then {later}): the model fits one level shift of each sleep outcome for the "
            f"nights of every source but {_named(sources[0])}, so {later} are pooled as one "
            "shift; name one source for the nights measured alike"]


def _blank_cell(value: object) -> bool:
    return str(value).strip().lower() in _BLANKS


def _filled(before: pd.DataFrame | None, rows: pd.DataFrame, dates: set[str],
            columns: list[str]) -> pd.Series:
    """Per merged row, the ``columns`` whose cell the import gave (new, or changed)."""
    old = {} if before is None else {str(r["date"]).strip(): r for r in
                                     before.astype(str).to_dict("records")}
    out = {}
    for k, row in enumerate(rows.astype(str).to_dict("records")):
        day = str(row["date"]).strip()
        was = old.get(day, {})
        out[k] = [c for c in columns if day in dates and not _blank_cell(row.get(c, ""))
                  and str(was.get(c, "")).strip() != str(row[c]).strip()]
    return pd.Series(out, dtype=object)


def stamp_device(before: pd.DataFrame | None, rows: pd.DataFrame, imported: pd.DataFrame,
                 device: str) -> tuple[pd.DataFrame, list[str]]:
    """``rows`` (text cells) with ``device`` on the nights an import filled, and warnings.

    ``before``: the diary's rows before the import (None: a new diary); ``rows``: merged
    with the ``imported`` nights. A night gains the tracker's name in column device when the
    import gave it a sleep outcome and its device cell is blank. For each column a tracker
    measures (latency, awakenings: :data:`~model.core.outcomes.DEVICE_MEASURED`) that the
    import filled, the other nights with a value from another source (another name, or
    blank: unnamed) are named in a warning: from then on the column is the tracker's
    estimate, on another scale, and the model fits a level shift for it. A rating the import
    filled (a CSD's quality) is the person's own, whatever the source: no warning.
    """
    known = [c for c in _SLEEP_COLUMNS if c in rows.columns]
    given = _filled(before, rows, {str(d).strip() for d in imported["date"]}, known)
    out = rows.copy()
    if DEVICE not in out.columns:
        out[DEVICE] = ""
    cells = out[DEVICE].map(device_name)
    stamp = given.map(bool).to_numpy() & (cells == "").to_numpy()
    out.loc[stamp, DEVICE] = device
    cells = out[DEVICE].map(device_name)
    notes = []
    for column in (c for c in known if c in _MEASURED_COLUMNS):
        mine = given.map(lambda filled, c=column: c in filled).to_numpy(bool)
        other = (~mine & ~out[column].map(_blank_cell).to_numpy(bool)
                 & (cells != device).to_numpy())
        if mine.any() and other.any():
            dates = out["date"].astype(str).str.strip()
            names = ", ".join(dict.fromkeys(s or "unnamed: device blank" for s in cells[other]))
            notes.append(
                f"{column}: the nights from {dates[mine].iloc[0]} are {device}'s estimate, "
                f"and {int(other.sum())} other night(s) of the diary ({dates[other].iloc[0]} "
                f"to {dates[other].iloc[-1]}) came from another source ({names}): the model "
                f"fits a level shift of {column} for the nights of a source other than the "
                "diary's first (column device), so the two are not read as one scale; name "
                "the other nights' source in column device if it is blank")
    return out, notes
