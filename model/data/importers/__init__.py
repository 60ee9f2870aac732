"""Importers: a tracker's or an app's export to the diary rows of the README.

One module per source; :func:`import_files` picks it by name. Every importer returns text
cells (``date`` first, the night the sleep began) ready to merge into a diary
(:mod:`model.data.merge`). The rules they share are in :mod:`model.data.importers.common`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from model.core.errors import Fault, InputError
from model.data.file_kinds import HTML, JSON, XML, ZIP, wrong_kind
from model.data.gwern import gwern_diary
from model.data.importers import apple, csd, fitbit, garmin, generic, oura
from model.data.importers.apple_cycle import CycleDays, with_menstruation
from model.data.importers.common import format_cell
from model.data.importers.nights import nights_table

SOURCES: tuple[str, ...] = ("fitbit", "apple", "oura", "garmin", "csv", "csd", "gwern")
"""The sources ``mgsleep import`` knows."""

WEARABLES = {"fitbit": fitbit.read, "oura": oura.read, "garmin": garmin.read}


@dataclass(frozen=True)
class Imported:
    """The nights read from one source.

    Parameters
    ----------
    table : pandas.DataFrame
        Text cells, ``date`` first, one row per night, by date.
    warnings : tuple of str
        Records, naps and duplicates left out, nights joined or without a row, values left
        blank, the source chosen (each starting with the source's name).
    """

    table: pd.DataFrame
    warnings: tuple[str, ...] = ()


def import_files(source: str, paths: list[Path], *, mapping: str | None = None,
                 date_is_morning: bool = False,
                 progress: apple.Progress | None = None) -> Imported:
    """Read the exports of one source as diary rows.

    Parameters
    ----------
    source : str
        One of :data:`SOURCES`.
    paths : list of Path
        The export files.
    mapping : str, optional
        ``--map`` of the ``csv`` source (:func:`model.data.importers.generic.parse_map`).
    date_is_morning : bool
        For ``csv``: the file dates a night by the morning it ended.
    progress : callable, optional
        For ``apple``: called with (bytes read, file size).

    Returns
    -------
    Imported

    """
    if source == "csv":
        maps = generic.parse_map(mapping or "")
        table, warnings = generic.read(paths, maps, date_is_morning)
        return Imported(table, tuple(warnings))
    if source == "csd":
        table, warnings = csd.read(paths)
        return Imported(table, tuple(warnings))
    if source == "gwern":
        return Imported(_gwern(paths))
    cycle = CycleDays()     # Apple's menstrual-flow records; no other source has them
    periods, notes = (apple.read(paths, progress, cycle) if source == "apple"
                      else WEARABLES[source](paths))
    table, warnings = nights_table(periods, source, notes)
    table, said = with_menstruation(table, cycle, source)
    return Imported(table, (*warnings, *said))


def _gwern(paths: list[Path]) -> pd.DataFrame:
    """Gwern's magnesium self-trial (:func:`model.data.gwern.gwern_diary`) as text cells.

    A zip archive, JSON, HTML or XML is refused as such (:func:`~model.data.file_kinds.wrong_kind`).
    """
    if len(paths) != 1:
        raise InputError([Fault(", ".join(map(str, paths)), "", "expected one file, "
                                "gwern_magnesium_2013_2014.csv")])
    if fault := wrong_kind(paths[0], "gwern_magnesium_2013_2014.csv, a CSV file",
                           (ZIP, JSON, HTML, XML)):
        raise InputError([fault])
    diary = gwern_diary(paths[0])
    return diary.astype(object).apply(
        lambda column: column.map(lambda v: format_cell(v) if isinstance(v, float) else str(v)))

