"""Apple Health ``export.xml``: sleep-analysis records, streamed, one source per night.

The export holds one ``<Record>`` element per sample, with the attributes ``type``,
``sourceName``, ``startDate``, ``endDate`` (``2024-03-30 23:10:00 +0100``: local time with its
UTC offset) and ``value``. Sleep samples have ``type="HKCategoryTypeIdentifierSleepAnalysis"``
and a ``value`` of Apple's ``HKCategoryValueSleepAnalysis`` (Apple developer documentation):
``...InBed``, ``...Awake``, and the asleep values ``...Asleep`` (before iOS 16),
``...AsleepUnspecified``, ``...AsleepCore``, ``...AsleepDeep``, ``...AsleepREM``. Stages and
``Awake`` are written by devices that measure sleep (Apple Watch since iOS 16); an app or a
phone often writes ``AsleepUnspecified`` blocks only.

How a night is made (README, "Bring your own data"):

- a sample belongs to the night of its start (:func:`~.common.night_of`, wall clock), or to
  that of the sleep it continues (a sleep past noon is not cut there);
- several apps and devices write overlapping samples: per night **one source** is kept
  (never a mix): one that records the sleep's structure (stages or ``Awake`` samples) before
  one that writes asleep blocks only, then the one with the most time asleep; a note (a
  warning, counted) says which source was used when several competed;
- that source's asleep samples are merged; gaps of :data:`SESSION_GAP` or more split them into
  sleeps, unless the gap lies inside one ``InBed`` interval (awake in bed is an awakening).
  The longest sleep is the night's when it lasts :data:`MAIN_MIN_ASLEEP` or more or
  begins in :data:`NIGHT_WINDOW` (18:00 to 06:00 local), so only daytime naps are left out
  (Apple does not label naps); sleeps a long awakening apart are joined again by
  :func:`~.common.nights_table`;
- ``sol_min`` is the minutes from going to bed to sleep onset: the start of the source's
  ``InBed`` time (touching samples merged) that holds the onset, whatever its length, else of
  an ``InBed`` starting at most :data:`SESSION_GAP` before the onset. It is blank when the
  source wrote no such ``InBed`` (a watch alone does not know when you went to bed) or when it
  would exceed the diary's range (720 minutes; counted in a warning). ``awakenings`` and
  ``waso_min`` are the interruptions between sleep onset and the final awakening and their
  minutes. Durations use the UTC offsets, so a daylight-saving night has its true length.
  Apple gives no rating: ratings stay blank.

The file is read with :mod:`xml.parsers.expat` in chunks, handling only each element's start,
so memory stays bounded for exports of several gigabytes and a bad record is named by its line;
every bad record is named before the import stops. The ``export.zip`` the Health app shares is
read in place.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import os
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO
from xml.parsers import expat

from model.core.errors import Fault, InputError
from model.data.diary_rows import NUMERIC
from model.data.importers.common import Faults, SleepPeriod, night_of

SLEEP_TYPE = "HKCategoryTypeIdentifierSleepAnalysis"
PREFIX = "HKCategoryValueSleepAnalysis"
IN_BED, AWAKE = f"{PREFIX}InBed", f"{PREFIX}Awake"
ASLEEP = frozenset(f"{PREFIX}{name}" for name in
                   ("Asleep", "AsleepUnspecified", "AsleepCore", "AsleepDeep", "AsleepREM"))
"""The values of HKCategoryValueSleepAnalysis that mean asleep."""

STRUCTURE = frozenset(f"{PREFIX}{name}" for name in
                      ("AsleepCore", "AsleepDeep", "AsleepREM", "Awake"))
"""Values that show a sleep's structure: a source writing them is preferred."""

SESSION_GAP = dt.timedelta(minutes=90)
"""Asleep samples this far apart belong to different sleeps (a nap and the night)."""

MAIN_MIN_ASLEEP = 180.0
"""Minutes asleep below which a sleep beginning in the day is a nap, never the night's
(Fitbit's ``infoCode`` 2 likewise calls a sleep period under three hours too short)."""

NIGHT_WINDOW = (dt.time(18), dt.time(6))
"""Local start times (from, to) of a sleep that is the night's, if the longest, at any length."""

MAX_LATENCY = NUMERIC["sol_min"].high
"""The diary's largest sleep-onset latency: a longer time in bed leaves ``sol_min`` blank."""

LATENCY_TOO_LONG = (f"night(s) in bed over {MAX_LATENCY:g} minutes before sleep onset: "
                    "sol_min left blank")

CHUNK = 1 << 16
TIME_FORMAT = "%Y-%m-%d %H:%M:%S %z"
Progress = Callable[[int, int], None]
"""Called with (bytes read, file size) while an export is parsed."""


@dataclass(frozen=True)
class Sample:
    """One sleep-analysis sample of one source."""

    source: str
    start: dt.datetime
    end: dt.datetime
    value: str


class _Counting:
    """A binary file that reports how far it has been read."""

    def __init__(self, handle: IO[bytes], size: int, progress: Progress | None) -> None:
        self.handle, self.size, self.progress, self.done = handle, size, progress, 0

    def read(self, n: int = -1) -> bytes:
        chunk = self.handle.read(n)
        self.done += len(chunk)
        if self.progress is not None:
            self.progress(self.done, self.size)
        return chunk


@contextmanager
def opened(path: str | Path) -> Iterator[tuple[IO[bytes], int]]:
    """Open the export as a binary stream with its size.

    Either ``export.xml`` or the ``export.zip`` the Health app shares (its ``export.xml``
    member, read without unpacking).
    """
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.infolist() if m.filename.endswith("/export.xml")
                       or m.filename == "export.xml"]
            if not members:
                raise InputError([Fault(str(path), "", "expected an export.xml in the zip "
                                        "archive, found: " + ", ".join(archive.namelist()[:5]))])
            with archive.open(members[0]) as handle:
                yield handle, members[0].file_size
        return
    with open(path, "rb") as handle:
        yield handle, os.fstat(handle.fileno()).st_size


def samples(path: str | Path, progress: Progress | None = None) -> list[Sample]:
    """Every sleep-analysis sample of an export, streamed (other records are skipped).

    Raises
    ------
    InputError
        When the file is not well-formed XML (with its line and column), or with every
        record whose dates are invalid (each with its line).

    """
    found: list[Sample] = []
    faults = Faults()
    parser = expat.ParserCreate()

    def start(tag: str, attributes: dict[str, str]) -> None:
        if tag == "Record" and attributes.get("type") == SLEEP_TYPE:
            sample = _sample(attributes, str(path), f"line {parser.CurrentLineNumber}", faults)
            if sample is not None:
                found.append(sample)

    parser.StartElementHandler = start
    with opened(path) as (handle, size):
        stream = _Counting(handle, size, progress)
        try:
            while chunk := stream.read(CHUNK):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
        except expat.ExpatError as error:
            raise InputError([Fault(str(path), f"line {error.lineno}, column {error.offset}",
                                    "expected Apple Health XML, got: "
                                    f"{expat.ErrorString(error.code)}")]) from None
    faults.raise_any()
    return found


def _sample(attributes: dict[str, str], file: str, where: str, faults: Faults) -> Sample | None:
    """One sample, or a fault (naming the record's line) and None."""
    try:
        start = dt.datetime.strptime(attributes.get("startDate", ""), TIME_FORMAT)
        end = dt.datetime.strptime(attributes.get("endDate", ""), TIME_FORMAT)
    except ValueError:
        faults.add(file, f"{where}, sleep record", "expected startDate and endDate like "
                   f"2024-03-30 23:10:00 +0100, got {attributes.get('startDate')!r} and "
                   f"{attributes.get('endDate')!r}")
        return None
    return Sample(attributes.get("sourceName", ""), start, end, attributes.get("value", ""))


def _merged(spans: list[tuple[dt.datetime, dt.datetime]]) -> list[list[dt.datetime]]:
    """Overlapping or touching intervals joined, in time order."""
    out: list[list[dt.datetime]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return out


def _sleeps(asleep: list[list[dt.datetime]],
            in_bed: list[list[dt.datetime]]) -> list[list[list[dt.datetime]]]:
    """Merged asleep intervals grouped into sleeps split by gaps of SESSION_GAP or more.

    A longer gap inside one ``InBed`` interval does not split: awake in bed between two
    sleeps (asleep 23:00-00:20, awake two hours, asleep again) is an awakening of the night,
    not a nap before it (which would give the night the latency from 22:45 to 02:30).
    """
    groups: list[list[list[dt.datetime]]] = []
    for span in asleep:
        gap = (groups[-1][-1][1], span[0]) if groups else None
        if gap is not None and (gap[1] - gap[0] < SESSION_GAP or any(
                start <= gap[0] and gap[1] <= end for start, end in in_bed)):
            groups[-1].append(span)
        else:
            groups.append([span])
    return groups


def _minutes(delta: dt.timedelta) -> float:
    return delta.total_seconds() / 60.0


def latency(onset: dt.datetime, in_bed: list[list[dt.datetime]]) -> float:
    """Minutes from going to bed to ``onset`` (NaN when no ``InBed`` tells; see module doc).

    Parameters
    ----------
    onset : datetime.datetime
        Sleep onset.
    in_bed : list of [start, end]
        The source's merged ``InBed`` intervals.

    Returns
    -------
    float

    """
    holding = [start for start, end in in_bed if start <= onset <= end]
    near = [start for start, _ in in_bed if onset - SESSION_GAP < start <= onset]
    bed = min(holding or near, default=None)
    return math.nan if bed is None else _minutes(onset - bed)


def in_night_window(start: dt.datetime) -> bool:
    """Whether a sleep starting at this local time may be the night's at any length."""
    begin, end = NIGHT_WINDOW
    return start.time() >= begin or start.time() < end


def source_periods(night: dt.date, own: list[Sample]) -> list[SleepPeriod]:
    """The sleeps of one source in one night (the longest may be marked as the main sleep)."""
    asleep = _merged([(s.start, s.end) for s in own if s.value in ASLEEP])
    in_bed = _merged([(s.start, s.end) for s in own if s.value == IN_BED])
    periods = []
    for group in _sleeps(asleep, in_bed):
        onset = group[0][0]
        gaps = [_minutes(b[0] - a[1]) for a, b in itertools.pairwise(group)]
        sol = latency(onset, in_bed)
        notes = (LATENCY_TOO_LONG,) if sol > MAX_LATENCY else ()
        periods.append(SleepPeriod(night, onset, group[-1][1],
                                   sum(_minutes(e - s) for s, e in group), False, {
                                       "sol_min": math.nan if notes else sol,
                                       "awakenings": float(len(gaps)),
                                       "waso_min": float(sum(gaps))}, notes))
    longest = max(periods, key=lambda p: p.asleep_min, default=None)
    if longest is not None and (longest.asleep_min >= MAIN_MIN_ASLEEP
                                or in_night_window(longest.start)):
        periods[periods.index(longest)] = replace(longest, main=True)
    return periods


def structured(own: list[Sample]) -> bool:
    """Whether a source records the sleep's structure (stages or awake samples)."""
    return any(s.value in STRUCTURE for s in own)


def night_source(night: dt.date, sources: dict[str, list[Sample]]) -> list[SleepPeriod]:
    """The sleeps of the night's chosen source (see the module doc), noting the choice.

    When only another source wrote the night's ``InBed`` samples (an iPhone's bedtime beside
    a watch's sleep), the note says so: one source is used per night, so ``sol_min`` is blank.
    """
    options = {name: found for name, own in sorted(sources.items())
               if (found := source_periods(night, own))}
    if not options:
        return []

    def rank(name: str) -> tuple[bool, bool, float]:
        return (any(p.main for p in options[name]), structured(sources[name]),
                sum(p.asleep for p in options[name]))

    chosen = max(options, key=rank)
    notes = []
    if len(options) > 1:
        why = ("it records sleep stages or awake times" if structured(sources[chosen])
               else "the most time asleep")
        notes.append(f"night(s) with sleep from several sources: used {chosen} ({why}), not "
                     + ", ".join(n for n in options if n != chosen))
    beds = [name for name, own in sorted(sources.items())
            if name != chosen and any(s.value == IN_BED for s in own)]
    if beds and not any(s.value == IN_BED for s in sources[chosen]):
        notes.append(f"night(s) whose 'in bed' times came from {', '.join(beds)} and sleep from "
                     f"{chosen}: one source is used per night, so sol_min is left blank "
                     "(mgsleep log --sol adds it by hand)")
    return [replace(p, notes=(*p.notes, *notes)) for p in options[chosen]]


def _nights(found: list[Sample]) -> list[dt.date]:
    """The night of each sample, a sleep's samples all of one night.

    A sample's night is its start's (:func:`~.common.night_of`), unless it begins less than
    SESSION_GAP after its source's samples so far ended: then theirs (a sleep from 03:00 to
    12:40 is one night's, not cut at noon).
    """
    nights = [night_of(sample.start) for sample in found]
    session: dict[str, tuple[dt.datetime, dt.date]] = {}    # source -> (end so far, night)
    for i in sorted(range(len(found)), key=lambda k: (found[k].source, found[k].start)):
        sample = found[i]
        end, night = session.get(sample.source, (None, nights[i]))
        if end is not None and sample.start - end < SESSION_GAP:
            nights[i] = night
            end = max(end, sample.end)
        else:
            end = sample.end
        session[sample.source] = (end, nights[i])
    return nights


def read(paths: list[Path],
         progress: Progress | None = None) -> tuple[list[SleepPeriod], list[str]]:
    """The sleeps of the chosen source, per night, of the given exports.

    The warnings are empty (the reader's notes are on the sleeps), as the other readers'.
    """
    by_night: dict[dt.date, dict[str, list[Sample]]] = {}
    found = [sample for path in paths for sample in samples(path, progress)]
    for sample, night in zip(found, _nights(found), strict=True):
        by_night.setdefault(night, {}).setdefault(sample.source, []).append(sample)
    periods: list[SleepPeriod] = []
    for night, sources in sorted(by_night.items()):
        periods.extend(night_source(night, sources))
    return periods, []
