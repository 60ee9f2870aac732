"""The sleep diary: read and validate the CSV of the README, derive the nightly timeline.

A diary has one row per night (the date the night began). :func:`read_diary` checks every
cell, collects every fault in one pass and raises them together as a :class:`DiaryError`;
a valid diary becomes a :class:`Diary` whose ``nights`` cover every calendar night from the
first to the last date. Blank cells, ``NA``, ``N/A`` and ``NaN`` (any case) are missing;
column names are matched stripped, lower-cased, runs of spaces and hyphens as ``_``; rows
may come in any order, sorted by date (with a warning); outcomes ahead, the span (at most
:data:`MAX_SPAN_NIGHTS` nights, ten years) and rows holding only a date:
:mod:`model.data.diary_nights`; at most :data:`MAX_ROWS` rows. A night missing
between two recorded nights is inserted with ``recorded=False`` and every outcome and
covariate missing; its regimen is guessed, and the warnings say so, as
:mod:`model.data.unwritten_nights` has it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from model.core.errors import BlindedDiary, DiaryError, Fault
from model.core.forms import NONE
from model.core.regimen import Regimen
from model.data.compound_doses import compound_warnings, converted
from model.data.cycle_nights import period_gi_warnings
from model.data.devices import DEVICE, device_warnings
from model.data.diary_columns import COVARIATE_COLUMNS, COVARIATES, EXCLUDE, OTHER_CHANGE
from model.data.diary_nights import (
    MAX_SPAN_NIGHTS,
    blank_cell_warnings,
    check_span,
    date_only_rows,
    date_only_warning,
    nights_ahead,
)
from model.data.diary_rows import (
    MAX_ROWS,
    NUMERIC,
    dose_warnings,
    normalise_columns,
    parse_rows,
    read_table,
    unknown_columns,
)
from model.data.diary_warnings import DiaryWarning, issue_diary_warnings
from model.data.guesses import diary_guess_warnings
from model.data.life_events import is_life_event_warning, leave_out, life_event_warnings
from model.data.limit_nights import limit_warnings
from model.data.night_dates import as_date
from model.data.pot_notes import CODE_NOTE
from model.data.separators import column_key
from model.data.short_rows import read_noted_cells
from model.data.unwritten_nights import fill_regimen, is_unwritten_warning, unwritten_warnings

OUTCOMES: tuple[str, ...] = ("sol_min", "awakenings", "waso_min", "quality", "freshness",
                             "anxiety", "stool_bristol", "gi_upset")
"""Outcome columns of a diary, in display order."""

LOOSE_BRISTOL = 6
"""The Bristol stool form from which a night counts as a loose-stool (GI) night, as the
bundled safety file has it (``gi_constraint.loose_bristol``); a priors directory may lower it,
and the analysis then counts with its value (:meth:`Diary.with_loose_bristol`)."""

__all__ = ["COVARIATES", "LOOSE_BRISTOL", "MAX_ROWS", "MAX_SPAN_NIGHTS", "NUMERIC",
           "OUTCOMES", "Diary", "DiaryWarning", "gi_nights", "read_diary"]


_COLUMNS = ("form", "elemental_mg", "split", "recorded", *OUTCOMES, "gi_night",
            *COVARIATE_COLUMNS, DEVICE, "notes", OTHER_CHANGE, EXCLUDE)


def _timeline(recorded: pd.DataFrame) -> pd.DataFrame:
    """Every night from the first to the last date, gap nights filled (see module doc)."""
    recorded = recorded.sort_index().assign(recorded=True)
    dates = pd.date_range(recorded.index.min(), recorded.index.max(), freq="D", name="date")
    nights = fill_regimen(recorded.reindex(dates))
    text = ["notes", DEVICE, OTHER_CHANGE, EXCLUDE]
    nights[text] = nights.reindex(columns=text).fillna("")
    nights["gi_night"] = gi_nights(nights)
    typed = nights.astype({"form": str, "elemental_mg": float, "split": bool}
                          | dict.fromkeys(text, str)
                          | dict.fromkeys((*OUTCOMES, *COVARIATE_COLUMNS), float))
    return typed[list(_COLUMNS)]


def gi_nights(nights: pd.DataFrame, loose_bristol: int = LOOSE_BRISTOL) -> pd.Series:
    """The ``gi_night`` column of ``nights``: loose stool or GI upset, 0/1, NaN unobserved.

    A night is 1 when its stool form is Bristol ``loose_bristol`` or more, or a GI upset is
    recorded; 0 when either was recorded and neither holds; NaN when neither was recorded.
    """
    bristol, upset = nights["stool_bristol"], nights["gi_upset"]
    says = (bristol >= loose_bristol) | (upset == 1)
    seen = bristol.notna() | upset.notna()
    return pd.Series(np.where(says, 1.0, np.where(seen, 0.0, np.nan)), index=bristol.index)


def _row_numbers(source: pd.DataFrame | Diary) -> dict[pd.Timestamp, int]:
    """1-based data row of each date in a table (row order of the recorded nights of a Diary)."""
    if isinstance(source, Diary):
        recorded = source.nights.index[source.nights["recorded"]]
        return {day: row for row, day in enumerate(recorded, start=1)}
    dates = normalise_columns(read_table(source)[0], "<DataFrame>")[0]["date"]
    return {pd.Timestamp(day): row for row, value in enumerate(dates, start=1)
            if (day := as_date(value)) is not None}


def read_diary(source: str | Path | pd.DataFrame, *, priors_dir: Path | None = None,
               today: dt.date | None = None, warn: bool = True) -> Diary:
    """Read and validate a diary.

    Parameters
    ----------
    source : str, Path or pandas.DataFrame
        A CSV file (columns of the README) or a table with the same columns.
    priors_dir : Path, optional
        Priors directory whose ``elemental_fractions.csv`` converts ``compound_mg``;
        default the bundled one.
    today : datetime.date, optional
        The day it is read (default the clock's; a table is checked only when it is given, as
        a simulated trial dates nights ahead): see
        :func:`~model.data.diary_nights.nights_ahead`.
    warn : bool
        Issue each of its ``warnings`` once as a :class:`DiaryWarning` (a column ``qualty``
        read as ``quality``); False for a caller that says them itself (``analyze``).

    Returns
    -------
    Diary

    Raises
    ------
    DiaryError
        With every fault found (file, 1-based data row, column, expected, got).

    """
    table, name, sep, short = read_noted_cells(source, MAX_ROWS)
    if len(table) > MAX_ROWS:
        raise DiaryError([Fault(name, f"row {MAX_ROWS + 1}", f"expected at most {MAX_ROWS} "
                                "rows (ten years of nights); split the diary")])
    unknown = unknown_columns(table.columns)
    table, warnings = normalise_columns(table, name)
    unknown = [c for c in unknown if column_key(c) in table.columns]   # not read as another
    recorded, left_out = leave_out(table, parse_rows(table, name, priors_dir, sep, unknown), name)
    rows = _row_numbers(table)
    warnings += short + nights_ahead(recorded[list(OUTCOMES)].notna().any(axis=1), name, rows,
                             today or dt.date.today(),
                             refuse=today is not None or not isinstance(source, pd.DataFrame))
    check_span(recorded.index, name, rows)
    date_only = date_only_rows(table, sep)
    if not recorded.index.is_monotonic_increasing:
        warnings.append(f"{name}: rows are not in date order; sorted by date")
    written = [c for c in OUTCOMES if c in recorded]
    if not written or not recorded[written].notna().any(axis=None):
        warnings.append(f"{name}: no night has an outcome recorded (sleep-onset latency, "
                        "awakenings, ratings, stool form): an analysis rests on the published "
                        "evidence alone")
    warnings += left_out + compound_warnings(table, recorded, name, rows, priors_dir)
    warnings += dose_warnings(recorded["elemental_mg"], name, rows) + blank_cell_warnings(
        recorded, COVARIATE_COLUMNS, recorded[list(OUTCOMES)].notna().any(axis=1), name)
    warnings += diary_guess_warnings(table, CODE_NOTE, name) + date_only_warning(date_only, name)
    nights = _timeline(recorded)
    alone = recorded["compound_mg"].where(recorded.index.isin(converted(table)))
    nights["compound_mg"] = alone.reindex(nights.index).astype(float)
    warnings += device_warnings(nights, name) + limit_warnings(recorded, name, rows)
    warnings += period_gi_warnings(nights, name)
    diary = Diary(nights, name, tuple(warnings + _unwritten(nights, name)),
                  tuple(date_only.values()))
    if warn:
        issue_diary_warnings(diary.warnings)
    return diary


def _unwritten(nights: pd.DataFrame, name: str) -> list[str]:
    """:func:`~model.data.unwritten_nights.unwritten_warnings`; a night left out was written."""
    written = nights[list(OUTCOMES)].notna().any(axis=1) | nights[EXCLUDE].fillna("").ne("")
    return unwritten_warnings(nights, written, name)


def pot_codes(nights: pd.DataFrame) -> pd.Series:
    """The pot code (capitals) of each night taken from a coded pot, else NaN.

    A night with a :data:`~model.data.pot_notes.CODE_NOTE` and no form: a pot of a blinded
    plan, still sealed.
    """
    codes = nights["notes"].str.extract(CODE_NOTE)[0].str.upper()
    return codes.where(nights["form"] == NONE)


PLAN_NOTES = frozenset({"baseline", "treatment", "washout"})
"""The ``notes`` of an open plan's rows (``mgsleep plan``: its periods' kinds,
:data:`model.trial.periods.PeriodKind`); a blinded plan's rows carry a
:data:`~model.data.pot_notes.CODE_NOTE`."""


def refuse_blinded(diary: Diary, also: Sequence[Fault] = ()) -> None:
    """Refuse a diary still blinded: nights with a pot code and no form.

    Analysed as it stands, every coded night would count as a night without magnesium, and
    the advice would ignore what the person is taking. A blinded trial is analysed when it
    ends, after ``mgsleep unblind`` has filled each night's regimen from the sealed key.

    ``also``: what to say before the refusal, what to do now without unblinding (the
    profile's hard rules on the pots, :func:`model.analysis.blinded.pots_screened`; a pot
    to stop for loose stools, :func:`model.analysis.blinded.pots_to_stop`). First: after
    "a blinded diary. Analyse it when the trial ends" a person with a new contraindication
    read no stop, and kept taking pots that may hold magnesium (a clinic's audit).

    Raises
    ------
    BlindedDiary
        Saying ``also``, then naming the diary, the coded nights and the command that
        unblinds them.
    """
    nights = diary.nights
    coded = nights.index[nights["recorded"] & (nights["form"] == NONE)
                         & nights["notes"].str.match(CODE_NOTE)]
    if coded.empty:
        return
    raise BlindedDiary([*also, Fault(
        diary.source, f"column notes, {len(coded)} nights from {coded[0].date()} to "
        f"{coded[-1].date()}", "expected the regimen of every night, got pot codes (code A, "
        "...) with no form: a blinded diary. Analyse it when the trial ends, unblinded: "
        f"mgsleep unblind {diary.source} --key PLAN.key.json --out unblinded.csv")])


@dataclass(frozen=True)
class Diary:
    """A validated diary on a complete daily timeline.

    Parameters
    ----------
    nights : pandas.DataFrame
        Indexed by a daily ``DatetimeIndex`` named ``date`` from the first to the last
        night. Columns: ``form`` (one of FORMS, ``placebo`` or ``none``), ``elemental_mg``
        (0 for none and placebo), ``split``, ``recorded`` (False for inserted gap nights),
        the outcomes (:data:`OUTCOMES`, NaN = missing), ``gi_night`` (1 loose stool or GI
        upset, 0 observed without, NaN unobserved), the covariates' columns
        (:data:`~model.data.diary_columns.COVARIATE_COLUMNS`: ``menstruation``, whose
        ``premenstrual`` is derived where it is read), ``device``
        (the source of the night, "" unnamed: :mod:`model.data.devices`) and ``notes``.
    source : str
        File name (or ``<DataFrame>``).
    warnings : tuple of str
        Non-fatal findings (unknown columns, gaps, unsorted rows).
    date_only : tuple of datetime.date
        The nights whose row holds only a date (recorded in ``nights`` as the file has them,
        without magnesium; :meth:`without_date_only` reads them as nights not recorded).

    """

    nights: pd.DataFrame
    source: str
    warnings: tuple[str, ...] = ()
    date_only: tuple[dt.date, ...] = ()

    def with_loose_bristol(self, loose_bristol: int) -> Diary:
        """The diary with its GI nights counted from Bristol ``loose_bristol`` on.

        ``loose_bristol`` is a safety file's ``gi_constraint.loose_bristol``; at
        :data:`LOOSE_BRISTOL` (as read) the diary itself is returned.
        """
        if loose_bristol == LOOSE_BRISTOL:
            return self
        return replace(self, nights=self.nights.assign(gi_night=gi_nights(self.nights,
                                                                          loose_bristol)))

    def without_date_only(self) -> Diary:
        """The diary with the rows holding only a date read as nights not recorded.

        Such a row says neither that a night was slept nor that no magnesium was taken: as a
        recorded night it was counted a night without magnesium, and a week of them made a
        withdrawal that nobody observed (an outside audit). Between recorded nights they are
        gap nights (their regimen guessed as :func:`_timeline` guesses it, the gap warning
        names them); after the last recorded night, the timeline ends before them. A diary
        of nothing but dates is returned as it is.
        """
        empty = self.nights.index.isin(pd.DatetimeIndex(self.date_only))
        kept = self.nights[self.nights["recorded"].to_numpy(bool) & ~empty]
        if not empty.any() or kept.empty:
            return self
        return replace(_on_timeline(self, kept), date_only=())

    def up_to(self, day: dt.date) -> Diary:
        """The diary as its rows up to ``day`` (included) make it, as if no later row existed.

        Its gaps and the warnings of :mod:`model.data.unwritten_nights` are of them alone.
        """
        kept = self.nights.loc[: str(day)]
        return _on_timeline(self, kept[kept["recorded"].to_numpy(bool)])

    def __repr__(self) -> str:
        dates = self.nights.index
        span = f", {dates[0]:%Y-%m-%d} to {dates[-1]:%Y-%m-%d}" if len(dates) else ""
        return (f"Diary({self.source!r}: {self.n_recorded} of {self.n_nights} nights "
                f"recorded{span}; {self.nights_per_regimen() or 'no regimen'})")

    @property
    def n_nights(self) -> int:
        """Nights on the timeline, first to last date, gap nights included."""
        return len(self.nights)

    @property
    def n_recorded(self) -> int:
        """Nights with a diary row."""
        return int(self.nights["recorded"].sum())

    @property
    def outcomes_present(self) -> tuple[str, ...]:
        """Outcome columns with at least one value, in :data:`OUTCOMES` order."""
        return tuple(c for c in OUTCOMES if self.nights[c].notna().any())

    @property
    def has_outcome(self) -> pd.Series:
        """Per night, whether any outcome is recorded."""
        return self.nights[list(OUTCOMES)].notna().any(axis=1)

    @property
    def n_with_outcome(self) -> int:
        """Nights with any outcome recorded.

        A planned row, or one whose outcomes went unlogged, has a regimen and none.
        """
        return int(self.has_outcome.sum())

    @property
    def last_outcome_date(self) -> dt.date | None:
        """The last night with any outcome recorded (None without one).

        A planned diary (``mgsleep plan``) has rows with a regimen for nights not yet slept:
        they end after this date.
        """
        with_outcome = self.has_outcome
        return with_outcome[with_outcome].index.max().date() if with_outcome.any() else None

    def last_slept_date(self, today: dt.date) -> dt.date | None:
        """The last night slept (None without one).

        The last night with an outcome recorded, or a later one before ``today`` with a dose
        written down on a row no plan wrote. A dose is logged in the evening and the night's
        outcomes the next morning; analysed in between, the dose is what the person takes
        now, and a rule it breaks (a dose over the ceiling) must be seen: 500 mg logged for
        last night was left out as a "planned night" and the advice kept 200 mg (a long-term
        user's audit). A plan's rows (notes :data:`PLAN_NOTES` or a pot's code) carry a
        regimen for nights not slept yet, and a trial stopped early leaves them in the past
        untaken.
        """
        nights, slept = self.nights, self.last_outcome_date
        notes = nights["notes"].fillna("").astype(str).str.strip()
        planned = notes.isin(PLAN_NOTES) | notes.str.match(CODE_NOTE.pattern)
        logged = (nights["recorded"] & (nights["form"] != NONE) & ~planned
                  & (nights.index < pd.Timestamp(today)))
        if slept is not None:
            logged &= nights.index > pd.Timestamp(slept)
        return logged[logged].index.max().date() if logged.any() else slept

    @property
    def regimen_label(self) -> pd.Series:
        """Regimen label of each night.

        ``glycinate@200``, ``glycinate@200x2`` (split), ``placebo`` or ``none``.
        """
        labels = [
            Regimen(form, mg, bool(split)).label
            for form, mg, split in zip(self.nights["form"], self.nights["elemental_mg"],
                                       self.nights["split"], strict=True)
        ]
        return pd.Series(labels, index=self.nights.index, name="regimen")

    def regimen_counts(self) -> dict[str, int]:
        """Count recorded nights per regimen label, in order of first appearance."""
        labels = self.regimen_label[self.nights["recorded"]]
        return {str(k): int(v) for k, v in labels.value_counts(sort=False).items()}

    def nights_per_regimen(self) -> str:
        """:meth:`regimen_counts` in words: ``no magnesium: 14, glycinate 300 mg: 21``."""
        return ", ".join(f"{Regimen.from_label(label).words}: {n}"
                         for label, n in self.regimen_counts().items())

    def segments(self) -> pd.DataFrame:
        """Return the runs of consecutive nights with the same regimen (gap nights included).

        Returns
        -------
        pandas.DataFrame
            Columns start, end, label, form, elemental_mg, split, n_nights, n_recorded.

        """
        labels = self.regimen_label
        run = (labels != labels.shift()).cumsum().to_numpy()
        frame = self.nights.assign(label=labels.to_numpy(), run=run,
                                   day=self.nights.index)
        grouped = frame.groupby("run", sort=True)
        return pd.DataFrame({
            "start": grouped["day"].min(),
            "end": grouped["day"].max(),
            "label": grouped["label"].first(),
            "form": grouped["form"].first(),
            "elemental_mg": grouped["elemental_mg"].first(),
            "split": grouped["split"].first(),
            "n_nights": grouped.size(),
            "n_recorded": grouped["recorded"].sum().astype(int),
        }).reset_index(drop=True)

    def append(self, new_nights: pd.DataFrame | Diary) -> Diary:
        """Return a new diary with later nights added (validated like :func:`read_diary`).

        Raises
        ------
        DiaryError
            When the new nights are invalid or a new date is not after the last date.

        """
        new = new_nights if isinstance(new_nights, Diary) else read_diary(new_nights)
        last = self.nights.index.max()
        recorded = new.nights[new.nights["recorded"]]
        early = recorded.index[recorded.index <= last]
        if len(early):
            rows = _row_numbers(new_nights)
            raise DiaryError([Fault(new.source, f"row {rows.get(day, '?')}, column date",
                                    f"expected a date after {last.date()} (the diary's last "
                                    f"night), got {day.date()}") for day in early])
        own = self.nights[self.nights["recorded"]]
        joined = replace(self, warnings=self.warnings + new.warnings,
                         date_only=self.date_only + new.date_only)
        return _on_timeline(joined, pd.concat([own, recorded]))


def _on_timeline(diary: Diary, recorded: pd.DataFrame) -> Diary:
    """``diary`` made of the ``recorded`` nights (as its ``nights`` has them), gaps renewed.

    Each night keeps its ``gi_night`` (counted with the diary's Bristol threshold) and
    ``compound_mg``; the warnings of unwritten nights and life events are of the new timeline.
    """
    nights = _timeline(recorded.drop(columns=["recorded", "gi_night"]))
    kept = [c for c in ("gi_night", "compound_mg") if c in recorded]
    nights[kept] = recorded[kept].reindex(nights.index)
    said = [w for w in diary.warnings if not (is_unwritten_warning(w) or is_life_event_warning(w))]
    return replace(diary, nights=nights, warnings=tuple(
        said + life_event_warnings(nights, diary.source) + _unwritten(nights, diary.source)))
