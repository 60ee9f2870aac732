"""The diary's ``device`` column: which source measured a night's sleep.

A tracker swap changes the scale of what is measured: a ring's sleep-onset latency is not a
person's own estimate of it (an outside audit: a year of self-reported minutes, rounded to 5,
then a year of a ring's estimate at 0.6 times the true latency, was read as one scale, and
the advice changed without a word). The optional column ``device`` names the source of each
night (free text, ``self-report``, ``oura``, ``fitbit``; read stripped, lower-case, runs of
spaces as one); a blank cell is the diary's unnamed source, a source of its own, not the
night before's. Two spellings that differ only in spaces, hyphens, underscores or dots
(``self report``, ``self-report``) are one source (:func:`source_key`); a name near another
one or near a known tracker's (``oura ring``, ``manual``) is not merged but named in a
warning (:func:`device_warnings`).

The personal model fits one level shift per source other than the reference
(:func:`reference_source`), of each outcome a tracker measures
(:data:`~model.core.outcomes.DEVICE_MEASURED`: latency and awakenings, not the person's
ratings), and predicts on the reference's scale; a diary without the column, or with one
source, has none. One pooled shift for every other source was wrong when their offsets
differ: an outside audit's hand-written nights (+7 min) and Oura's (-8 min) pooled to a
shift of the wrong sign, and a hand-written first night, as the reference, hid a
Fitbit-to-Oura switch on the night a new form began. The graph holds :data:`SHIFTS` shifts
(:func:`device_design`); more sources pool the rarest into the last, with a warning.
"""

from __future__ import annotations

import difflib
import re
from typing import Any, NamedTuple

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

SHIFTS = 2
"""The level shifts the personal graph holds: one per source other than the reference.

Fixed, so that the graph's parameters have one shape for every diary (one compiled graph and
its cache serve them all, :mod:`model.personal.sampler`); a diary with fewer sources leaves
the other shifts' data zero (they keep their prior and move nothing), one with more pools
its rarest sources into the last shift (:func:`device_columns`). Two: a tracker switch and
the nights written by hand each keep their own (the outside audit's diary); four made a
120-night fit 40 % slower at the same ESS (5.5 s against 3.9 s, ``bench_sampler.py``, the
lead's review), two as fast as one pooled shift (3.6 s)."""

SELF_REPORT = "self-report"
"""The name of the person's own estimate (a night the tracker was forgotten, or no tracker)."""

HAND_WRITTEN = frozenset({"selfreport", "manual", "handwritten", "byhand", "diary",
                          "subjective", "estimate", "self"})
"""Keys (:func:`source_key`) of names meaning the person's own estimate, not a tracker's."""

KNOWN_SOURCES = (SELF_REPORT, "oura", "fitbit", "apple health", "apple watch", "garmin",
                 "whoop", "withings", "polar", "samsung health", "eight sleep", "zeo", "csd")
"""Sources a name is compared with for a "did you mean" hint (the importers' among them)."""

NEAR = 0.8
"""Similarity (:class:`difflib.SequenceMatcher` ratio of the keys) from which a name is near."""

_SLEEP_COLUMNS = [SPECS[o].column for o in SLEEP_OUTCOMES]
_MEASURED_COLUMNS = [SPECS[o].column for o in DEVICE_MEASURED]
_BLANKS = frozenset({"", "na", "n/a", "nan"})


def device_name(value: Any) -> str:
    """A cell as a device name: stripped, lower-case, spaces collapsed ("" for a blank)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    text = " ".join(str(value).split()).lower()
    return "" if text in _BLANKS else text


def source_key(name: str) -> str:
    """What two spellings of one source share: the name without spaces, ``-``, ``_``, ``.``."""
    return re.sub(r"[\s\-_.]+", "", name)


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


def _cells(nights: pd.DataFrame) -> pd.Series:
    """Every night's source, each spelling of one source as its most used one ("" unnamed).

    A spelling differing only in spaces, hyphens, underscores or dots is the same source
    (``log --device "Self Report"`` beside an import's ``self-report``: an outside audit).
    """
    if DEVICE not in nights.columns:
        return pd.Series("", index=nights.index)
    names = nights[DEVICE].fillna("").astype(str)
    counts = names.value_counts(sort=False)        # each spelling once, in order written
    key_of = {str(name): source_key(str(name)) for name in counts.index}
    spelling: dict[str, str] = {}
    for name, key in key_of.items():
        if key not in spelling or counts[name] > counts[spelling[key]]:   # ties: the first
            spelling[key] = name
    return names.map({name: spelling[key] for name, key in key_of.items()})


def _measured(nights: pd.DataFrame, columns: list[str] = _SLEEP_COLUMNS) -> pd.Series:
    """The source of each night with an outcome of ``columns`` recorded ("" unnamed), in order.

    ``columns``: the sleep outcomes, or those a tracker measures (:data:`_MEASURED_COLUMNS`),
    whose level alone a source shifts: a change of source is one between nights that measured
    them (:func:`device_changes`).
    """
    present = [c for c in columns if c in nights.columns]
    seen = nights[present].notna().any(axis=1) if present else pd.Series(False, nights.index)
    return _cells(nights)[seen.to_numpy(bool)]


def source_counts(nights: pd.DataFrame) -> pd.Series:
    """Nights with a sleep outcome per source, in order of first appearance."""
    return _measured(nights).value_counts(sort=False)


def hand_written(source: str) -> bool:
    """Whether ``source`` names the person's own estimate (:data:`HAND_WRITTEN`)."""
    return source_key(source) in HAND_WRITTEN


def reference_source(nights: pd.DataFrame) -> str:
    """The source the others are shifted from: the tracker with the most nights.

    Most nights with a sleep outcome (ties: a named one, then the first seen), among the
    sources that are not the person's own estimate (:func:`hand_written`) when a named
    tracker has nights, else among all. Blank, the unnamed source, competes with the
    trackers: a diary of 100 blank nights and 5 named ``oura`` keeps its blank nights' scale
    (the lead's review). Not the first night's source: one
    hand-written first night made a Fitbit and an Oura share one shift and hid the switch
    between them (an outside audit). Not a hand-written source beside a tracker: those are
    mostly the scattered nights the tracker was forgotten, rounded to 5 minutes and open to
    what the person expects of what was taken, a poor scale to read every prediction on
    (:mod:`model.personal.predict`). "" for a diary without a sleep outcome.
    """
    counts = source_counts(nights)
    named = any(s and not hand_written(s) for s in counts.index)
    pool = [s for s in counts.index if not (named and hand_written(s))]
    return max(pool, key=lambda s: (counts[s], bool(s))) if pool else ""


def device_columns(nights: pd.DataFrame) -> list[tuple[str, ...]]:
    """The sources of each level shift of the graph: the sources other than the reference.

    One source a shift, in order of first appearance; with more than :data:`SHIFTS`, the
    ``SHIFTS - 1`` with the most nights keep their own and the rest share the last
    (:func:`device_warnings` names them).
    """
    counts = source_counts(nights)
    reference = reference_source(nights)
    others = [s for s in counts.index if s != reference]
    if len(others) <= SHIFTS:
        return [(s,) for s in others]
    own = set(sorted(others, key=lambda s: -counts[s])[: SHIFTS - 1])   # stable: ties first
    return [(s,) for s in others if s in own] + [tuple(s for s in others if s not in own)]


def device_design(nights: pd.DataFrame) -> np.ndarray:
    """Per night and level shift (:data:`SHIFTS` columns), 1.0 when its sources measured it.

    Nights of the reference source and nights without a sleep outcome whose source measured
    none take zeros; a night without one whose cell names a shifted source takes its column,
    which moves nothing (it carries no likelihood). All zeros without a ``device`` column or
    with one source; unused columns are zero.
    """
    cells = _cells(nights).to_numpy()
    out = np.zeros((len(nights), SHIFTS))
    for k, sources in enumerate(device_columns(nights)):
        out[:, k] = np.isin(cells, sources)
    return out


def device_indicator(nights: pd.DataFrame) -> np.ndarray:
    """Per night, 1.0 when measured by another source than the reference, else 0.0."""
    return device_design(nights).sum(axis=1)


def named(source: str) -> str:
    """A source as a message names it (the blank one: :data:`UNNAMED`)."""
    return source or UNNAMED


def device_changes(nights: pd.DataFrame) -> list[tuple[pd.Timestamp, str, str]]:
    """Each night the source differs from the night before's: (night, before, after).

    Over the nights with an outcome a tracker measures (latency, awakenings), every change
    between two sources, whichever the reference: a change between two shifted sources is a
    change of level too (an outside audit: a hand-written first night hid a Fitbit-to-Oura
    switch on the night a new form began, since only changes from the first source counted).
    A night of ratings alone, the watch off, measured nothing a source shifts: it was "the
    measuring device was (unnamed) from 2026-08-09 until apple health again" at every look
    (outside audits, /tmp/w55/t T11, /tmp/w56/m M7).
    """
    measured = _measured(nights, _MEASURED_COLUMNS)
    before = measured.shift()
    changed = measured.ne(before) & before.notna()
    return [(day, str(before[day]), str(measured[day]))
            for day in measured.index[changed.to_numpy(bool)]]


BLIP_NIGHTS = 3
"""The most nights of a source between two runs of one other source that are a blip."""


class DeviceSwitch(NamedTuple):
    """A change of measuring source: from ``before`` to ``after`` on ``day``.

    ``back``: the night ``before`` measured again, for a blip of at most :data:`BLIP_NIGHTS`
    nights of ``after`` (None: a lasting switch).
    """

    day: pd.Timestamp
    before: str
    after: str
    back: pd.Timestamp | None


def device_switches(nights: pd.DataFrame) -> list[DeviceSwitch]:
    """The changes of source (:func:`device_changes`), a blip's two as one; lasting first.

    A run of at most :data:`BLIP_NIGHTS` nights of one source between two runs of another
    (a tracker forgotten for a night) is one blip, not two changes, and a lasting switch
    comes before the blips (an outside audit: a one-night hand-written blip gave two
    cautions, and four of them came before the Fitbit-to-Oura switch). Each kind in date
    order.
    """
    measured = _measured(nights, _MEASURED_COLUMNS)
    runs = measured.ne(measured.shift()).cumsum()
    starts = [(group.index[0], str(group.iloc[0]), len(group))
              for _, group in measured.groupby(runs, sort=True)]
    lasting, blips, k = [], [], 1
    while k < len(starts):
        (_, before, _), (day, after, length) = starts[k - 1], starts[k]
        if k + 1 < len(starts) and length <= BLIP_NIGHTS and starts[k + 1][1] == before:
            blips.append(DeviceSwitch(day, before, after, starts[k + 1][0]))
            k += 2
        else:
            lasting.append(DeviceSwitch(day, before, after, None))
            k += 1
    return lasting + blips


def near_source(name: str, others: list[str]) -> str | None:
    """The name ``name`` is probably meant to be, among ``others`` and the known ones; or None.

    A hand-written name (``manual``) is near :data:`SELF_REPORT`; another is near a name its
    first word is (``oura ring``: ``oura``; not with a digit, ``oura fw 3``: a firmware
    update may be named as a source of its own) or whose key is at least :data:`NEAR` alike
    (``fitibt``: ``fitbit``). None for a known or blank name.
    """
    if not name or source_key(name) in {source_key(s) for s in KNOWN_SOURCES}:
        return None
    if hand_written(name):      # the diary's spelling of self-report when it has one
        return next((o for o in others if source_key(o) == source_key(SELF_REPORT)),
                    SELF_REPORT)
    candidates = [s for s in dict.fromkeys([*others, *KNOWN_SOURCES]) if s and s != name]
    for other in candidates if not re.search(r"\d", name) else ():
        if name.split()[0] == other or other.split()[0] == name:
            return other
    scored = [(difflib.SequenceMatcher(None, source_key(name), source_key(o)).ratio(), o)
              for o in candidates]
    best = max(scored, default=(0.0, ""))
    return best[1] if best[0] >= NEAR else None


def device_warnings(nights: pd.DataFrame, name: str) -> list[str]:
    """Warn of a source name near another (did you mean?) and of sources pooled in one shift."""
    counts = source_counts(nights)
    notes = []
    for source in counts.index:
        meant = near_source(source, [s for s in counts.index if counts[s] > counts[source]]
                            or list(counts.index))
        if meant is not None:
            notes.append(f"{name}: column device names {source!r} on {counts[source]} "
                         f"night(s): did you mean {meant!r}? Each name is a source with a "
                         f"level shift of its own: if {meant} measured those nights, write "
                         "that name")
    columns = device_columns(nights)
    if len(columns) == SHIFTS and len(columns[-1]) > 1:
        pooled = ", ".join(named(s) for s in columns[-1])
        notes.append(f"{name}: column device names {len(counts)} sources; the model fits a "
                     f"level shift of its own to at most {SHIFTS} sources besides "
                     f"{named(reference_source(nights))} (the reference, the tracker with "
                     f"the most nights), so the rarest, {pooled}, share one shift; name one "
                     "source for the nights measured alike")
    return notes


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
                f"fits a level shift of {column} for each source (column device), so the "
                "two are not read as one scale; name the other nights' source in column "
                "device if it is blank")
    return out, notes
