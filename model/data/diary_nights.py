"""Which of a diary's rows are nights slept: its span, nights ahead of today, date-only rows.

:func:`model.data.diary.read_diary` refuses a diary spanning more than ten years
(:func:`check_span`) and a night with an outcome dated ahead of today apart from the nights
slept up to then (:func:`nights_ahead`); it names the rows that hold nothing but a date
(:func:`date_only_rows`), which an analysis reads as nights not recorded
(:meth:`model.data.diary.Diary.without_date_only`): neither nights slept nor nights taken
without magnesium.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from model.core.errors import DiaryError, Fault
from model.data.blank_rows import row_ranges
from model.data.cycle_nights import MENSTRUATION, missed_period_warnings, spotting_warnings
from model.data.diary_columns import MARKED_ONLY
from model.data.diary_rows import GUESS_COLUMN, KNOWN_COLUMNS, is_missing
from model.data.night_dates import MAX_SPAN_NIGHTS as MAX_SPAN_NIGHTS  # the diary's name
from model.data.night_dates import as_date
from model.data.separators import mark_number


def check_span(dates: pd.Index, name: str, rows: dict[pd.Timestamp, int]) -> None:
    """Refuse a diary whose first and last nights are more than ``MAX_SPAN_NIGHTS`` apart."""
    first, last = dates.min(), dates.max()
    span = (last - first).days + 1
    if span > MAX_SPAN_NIGHTS:
        raise DiaryError([Fault(name, f"row {rows.get(last, '?')}, column date",
                                f"expected the diary to span at most {MAX_SPAN_NIGHTS} nights "
                                f"(ten years), got {span} from {first.date()} (row "
                                f"{rows.get(first, '?')}) to {last.date()}")])


AHEAD_ALLOWED = dt.timedelta(days=1)
"""How long after today a night with an outcome may be dated (a diary kept in a time zone
ahead); later, and apart from the nights slept up to then, a year or a month was mistyped."""


def nights_ahead(slept: pd.Series, name: str, rows: dict[pd.Timestamp, int], today: dt.date,
                 refuse: bool) -> list[str]:
    """A warning naming the nights after ``today`` with an outcome; with ``refuse``, a typo's.

    ``slept``: per recorded night (indexed by date), whether it has an outcome. A
    :class:`DiaryError` names each night with an outcome more than :data:`AHEAD_ALLOWED` ahead
    and apart from the nights slept up to then (2027-11-10 for 2026-11-10 put the analysis a
    year ahead, with 341 empty nights); nights slept that run on without a gap, as ``mgsleep
    simulate`` writes them, are only warned of (a review: its files were refused). Rows without
    an outcome (a plan's, dates filled down in a spreadsheet) make no run: through them an
    outcome typed two months ahead was read, and the nights up to it counted as taken (an
    outside audit).
    """
    ahead = slept.index[slept & (slept.index > pd.Timestamp(today))]
    days = slept.index[slept].sort_values()
    allowed = pd.Timestamp(today + AHEAD_ALLOWED)   # a run goes on from the last night by then
    end = days[days <= allowed].max() if (days <= allowed).any() else allowed
    for day in days[days > allowed]:
        end = day if (day - end).days <= 1 else end
    if refuse and len(late := ahead[ahead > end]):
        raise DiaryError([Fault(name, f"row {rows.get(day, '?')}, column date", "expected a "
                                f"night up to today, {today} (or a day later, for time zones), "
                                f"for a row with outcomes, got {day.date()}: a year or a month "
                                "mistyped?") for day in late])
    return [f"{name}: outcomes recorded for nights after today (last {ahead.max().date()}, row "
            f"{rows.get(ahead.max(), '?')}); is a year mistyped?"] if len(ahead) else []


def date_only_rows(table: pd.DataFrame, sep: str = ",") -> dict[int, dt.date]:
    """The rows that hold a date and nothing else: 1-based data row -> its night.

    ``table``: a diary's cells, its columns named as :func:`~.diary_rows.normalise_columns`
    names them. Every diary column but ``date`` is blank, ``split`` blank or 0 (a spreadsheet
    fills it down); a column the reader does not know is not read. A form written ``none``,
    a dose of 0, a note, a covariate or a guess is something recorded.
    """
    said = [c for c in table.columns if c in (*KNOWN_COLUMNS, GUESS_COLUMN)
            and c not in ("date", "split")]
    empty = table[said].map(is_missing).all(axis=1)
    if "split" in table.columns:
        empty &= table["split"].map(lambda cell: is_missing(cell) or mark_number(cell, sep) == 0)
    return {row: day for row, (blank, cell) in enumerate(zip(empty, table["date"], strict=True),
                                                          start=1)
            if blank and (day := as_date(cell)) is not None}


def date_only_warning(rows: dict[int, dt.date], name: str) -> list[str]:
    """The warning naming the rows of :func:`date_only_rows` (none without them)."""
    if not rows:
        return []
    first, last = min(rows.values()), max(rows.values())
    nights = f"{first}" + (f" to {last}" if last != first else "")
    return [f"{name}: {len(rows)} row(s) hold only a date ({'row' if len(rows) == 1 else 'rows'} "
            f"{row_ranges(list(rows))}, {nights}): neither a night slept nor one without "
            "magnesium, an analysis reads them as nights not recorded (log their values, or "
            "delete them)"]


UNMARKED_NIGHTS = 7
"""The fewest nights in a row with an outcome and a blank ``day_sleep`` named as perhaps not
written (:func:`unmarked_runs`)."""
UNMARKED_CHANCE = 0.05
"""A run of blank ``day_sleep`` is named when so many nights without a day sleep would come in
a row by chance less often than this, at the diary's share of day sleeps."""


def unmarked_runs(cells: pd.Series, name: str) -> list[str]:
    """Warnings of runs of blank cells of a column written only on the nights it happens.

    A shift worker who wrote ``day_sleep`` in some weeks only had the blank weeks' day sleeps
    read as nights' sleeps, and a false caution followed: "71 % of nights without magnesium,
    18 % with it", truly 71 % on both (a shift worker's audit, /tmp/w54/s S2). A run of
    :data:`UNMARKED_NIGHTS` or more blank nights (``cells``: the nights with an outcome, in
    order) is named when, at the share of the diary's nights marked 1, it would come by chance
    less often than :data:`UNMARKED_CHANCE`; a written 0 says there was none.
    """
    share = float((cells == 1).mean())
    blank = cells.isna().to_numpy()
    runs, start = [], None
    for i, empty in enumerate([*blank, False]):
        if empty and start is None:
            start = i
        elif not empty and start is not None:
            runs.append((start, i))
            start = None
    return [f"{name}: {cells.name} is blank on the {end - begin} nights with an outcome from "
            f"{cells.index[begin].date()} to {cells.index[end - 1].date()}, while "
            f"{100 * share:.0f} % of the diary's nights are marked 1: they are read as nights' "
            f"sleeps (a blank is 0); if you worked night shifts then, write 1 on their day "
            f"sleeps (write 0 to say there were none)"
            for begin, end in runs
            if end - begin >= UNMARKED_NIGHTS and (1 - share) ** (end - begin) < UNMARKED_CHANCE]


def blank_cell_warnings(recorded: pd.DataFrame, covariates: tuple[str, ...], slept: pd.Series,
                        name: str) -> list[str]:
    """The covariates blank on some nights with an outcome while recorded on others.

    Such a blank is not "none": the personal model reads it as the mean of the nights
    recorded in the same magnesium state (:func:`model.personal.data.covariate`). A column
    blank on every night was not recorded, and is not named. A blank of one written only on the
    nights it happens is none: a run of them is named when it looks unwritten
    (:func:`unmarked_runs`; ``menstruation``'s by its own rule,
    :func:`~model.data.cycle_nights.missed_period_warnings`).

    Parameters
    ----------
    recorded : pandas.DataFrame
        The diary's parsed rows.
    covariates : tuple of str
        The covariates' columns (:data:`~model.data.diary_columns.COVARIATE_COLUMNS`).
    slept : pandas.Series of bool
        Per row, whether it has an outcome (the nights a fit reads).
    name : str
        The diary's name, for the warnings.

    Returns
    -------
    list of str

    """
    notes = []
    for column in covariates:
        if column not in recorded or not recorded[column].notna().any():
            continue
        if column == MENSTRUATION:        # a period is no rota (the cycle audit, /tmp/w56/cyc)
            notes += missed_period_warnings(recorded[column], slept, name) + spotting_warnings(
                recorded[column], name)
        elif column in MARKED_ONLY:
            notes += unmarked_runs(recorded[column][slept], name)
        elif blank := int((recorded[column].isna() & slept).sum()):
            notes.append(f"{name}: {column} is blank on {blank} of {int(slept.sum())} nights "
                         "with an outcome: read as the mean of the nights recorded with the "
                         "same magnesium (taking it or not), not as none (write 0 for none)")
    return notes
