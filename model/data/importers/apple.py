"""Apple Health ``export.xml``: sleep-analysis records, streamed, one source per night.

The export holds one ``<Record>`` element per sample, with the attributes ``type``,
``sourceName``, ``startDate``, ``endDate`` (``2024-03-30 23:10:00 +0100``: local time with its
UTC offset) and ``value``. Sleep samples have ``type="HKCategoryTypeIdentifierSleepAnalysis"``
and a ``value`` of Apple's ``HKCategoryValueSleepAnalysis`` (Apple developer documentation):
``...InBed``, ``...Awake``, and the asleep values ``...Asleep`` (before iOS 16),
``...AsleepUnspecified``, ``...AsleepCore``, ``...AsleepDeep``, ``...AsleepREM``. Stages and
``Awake`` are written by devices that measure sleep (Apple Watch since iOS 16); an app or a
phone often writes ``AsleepUnspecified`` blocks only. Menstrual-flow records give the diary's
``menstruation`` column (:mod:`~.apple_cycle`); other records are skipped.

How a night is made (README, "Bring your own data"):

- the export writes every date in the exporting phone's time zone; a sleep record's
  ``<MetadataEntry key="HKTimeZone">`` names the zone it was recorded in, and its times are
  read on that zone's clock (:func:`~.common.in_zone`);
- a sample belongs to the night of its start (:func:`~.common.night_of`, wall clock), or to
  that of the sleep it continues (a sleep past noon is not cut there);
- several apps and devices write overlapping samples: per night **one source** is kept
  (never a mix): one that records the sleep's structure (stages or ``Awake`` samples) before
  one that writes asleep blocks only, then the one with the most time asleep; a note (a
  warning, counted) says which source was used when several competed;
- that source's asleep samples are merged; gaps of :data:`SESSION_GAP` or more split them into
  sleeps, unless the gap lies inside one ``InBed`` interval (awake in bed is an awakening).
  The longest sleep is the night's when it lasts 3 hours or more or begins between 18:00
  and 06:00 local (:func:`~.nights.may_be_main`), so only daytime naps are left out (Apple
  does not label naps); sleeps a long awakening apart are joined again by
  :func:`~.nights.nights_table`;
- ``sol_min`` is the minutes from going to bed to sleep onset: the start of the source's
  ``InBed`` time (touching samples merged) that holds the onset, whatever its length, else of
  an ``InBed`` starting at most :data:`SESSION_GAP` before the onset. It is blank when the
  source wrote no such ``InBed`` (a watch alone does not know when you went to bed) or when it
  would exceed the diary's range (720 minutes; counted in a warning). ``awakenings`` and
  ``waso_min`` are the interruptions between sleep onset and the final awakening and their
  minutes, those of up to 3 minutes left out of both as Fitbit leaves its short wakes out
  (:func:`~.hypnogram.wake_totals`). Durations use the UTC offsets, so a daylight-saving
  night has its true length. Apple gives no rating: ratings stay blank.

Read with :mod:`xml.parsers.expat` in chunks (element starts only): memory stays bounded for
exports of gigabytes; every bad record is named by its line before the import stops. The
``export.zip`` is read in place (:mod:`~.apple_zip`), its XML whatever the language names it. Read
past with a warning: an unreadable DOCTYPE header (iOS 16's ``<!ATTLIST`` lacks a ``>``) and
control characters XML forbids (U+000B in a device's name), which leave out a record other than
sleep and are removed from a sleep record's source name (in its type, value or dates: an error).
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import math
import re
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO
from xml.parsers import expat

from model.core.errors import Fault, InputError
from model.data.diary_rows import NUMERIC
from model.data.file_kinds import CUT_SHORT, HTML, JSON, damaged_zip, wrong_kind
from model.data.importers.apple_cycle import FLOW_TYPE, TIME_FORMAT, ZONE_KEY, CycleDays, on_clock
from model.data.importers.apple_zip import opened
from model.data.importers.common import Faults, SleepPeriod, ends_after, few, night_of
from model.data.importers.hypnogram import wake_totals
from model.data.importers.nights import may_be_main
from model.data.importers.unread import record_types

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

MAX_LATENCY = NUMERIC["sol_min"].high
"""The diary's largest sleep-onset latency: a longer time in bed leaves ``sol_min`` blank."""

LATENCY_TOO_LONG = (f"night(s) in bed over {MAX_LATENCY:g} minutes before sleep onset: "
                    "sol_min left blank")

CHUNK = 1 << 16
Progress = Callable[[int, int], None]
"""Called with (bytes read, file size) while an export is parsed."""


@dataclass(frozen=True)
class Sample:
    """One sleep-analysis sample of one source."""

    source: str
    start: dt.datetime
    end: dt.datetime
    value: str


CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
"""Bytes XML 1.0 does not allow (expat stops at the first)."""
_CONTROL_BYTES = bytes(range(0x20)).translate(None, b"\t\n\r")
MARK = "\ufffd"
"""What a control character is read as (U+FFFD, the replacement character)."""
READ_ATTRIBUTES = ("type", "value", "startDate", "endDate")
"""A sleep record's attributes that make its sample: a control character there is an error."""
ROOT, HEAD_LIMIT = b"<HealthData", 1 << 22
"""The root element, and how far it is looked for when the DOCTYPE header is skipped."""
BROKEN_HEADER = ("the export's DOCTYPE header could not be read (a known defect of iOS 16 "
                 "exports): read without it (the records need nothing of it)")


class _Stream:
    """A binary export read in chunks: progress, control characters, the header skipped."""

    def __init__(self, handle: IO[bytes], size: int, progress: Progress | None,
                 skip_header: bool = False) -> None:
        self.handle, self.size, self.progress, self.done = handle, size, progress, 0
        self.head, self.replaced, self.skipped = skip_header, 0, False

    def read(self, n: int = -1) -> bytes:
        chunk = self._raw(n)
        if self.head:
            self.head = False
            while ROOT not in chunk and len(chunk) < HEAD_LIMIT and (more := self._raw(n)):
                chunk += more
            chunk, self.skipped = without_doctype(chunk)
        if len(chunk.translate(None, _CONTROL_BYTES)) != len(chunk):
            chunk, count = CONTROL.subn(MARK.encode(), chunk)
            self.replaced += count
        return chunk

    def _raw(self, n: int) -> bytes:
        chunk = self.handle.read(n)
        self.done += len(chunk)
        if self.progress is not None:
            self.progress(self.done, self.size)
        return chunk


def without_doctype(head: bytes) -> tuple[bytes, bool]:
    """``head`` without its DOCTYPE (its lines left blank), and whether it had one."""
    start = head.find(b"<!DOCTYPE")
    root = head.find(ROOT, start + 1)
    end = head.rfind(b">", start, root) + 1
    if start < 0 or root < 0 or end <= start:
        return head, False
    return head[:start] + b"\n" * head.count(b"\n", start, end) + head[end:], True


class _Reader:
    """The sleep samples of one export, its flow records (to ``cycle``), what was read past."""

    def __init__(self, file: str, cycle: CycleDays) -> None:
        self.file, self.found, self.faults = file, list[Sample](), Faults()
        self.cleaned, self.started, self.types = list[str](), False, Counter[str]()
        self.zoning: Callable[[str], None] | None = None
        self.unknown_zones, self.cycle = Counter[str](), cycle
        self.stream, self.parser = _Stream(io.BytesIO(), 0, None), expat.ParserCreate()

    def parse(self, path: str | Path, progress: Progress | None, skip_header: bool) -> None:
        """Stream the file through expat (raises ExpatError)."""
        self.parser = expat.ParserCreate()
        self.parser.StartElementHandler = self.start
        with opened(path) as (handle, size):
            self.stream = _Stream(handle, size, progress, skip_header)
            while chunk := self.stream.read(CHUNK):
                self.parser.Parse(chunk, False)
            self.parser.Parse(b"", True)

    def start(self, tag: str, attributes: dict[str, str]) -> None:
        """Keep a sleep record's sample (a flow record: ``cycle``'s) on its ``HKTimeZone``'s clock.

        A record's ``MetadataEntry`` children start after it, before any other element (it
        holds nothing else): ``self.zoning``, while set, puts the last record on a zone's clock.
        """
        self.started = True
        if self.stream.replaced and any(MARK in value for value in attributes.values()):
            attributes = self.cleaned_of_control(tag, attributes)
        if tag == "MetadataEntry":
            if self.zoning is not None and attributes.get("key") == ZONE_KEY:
                self.zoning(attributes.get("value", ""))
            return
        self.zoning = None
        if tag == "Record":
            self.types[attributes.get("type", "")] += 1
        if tag == "Record" and attributes.get("type") == SLEEP_TYPE:
            sample = _sample(attributes, self.file, self.where(), self.faults)
            if sample is not None:
                self.found.append(sample)
                self.zoning = self.zoned
        elif tag == "Record" and attributes.get("type") == FLOW_TYPE:
            self.zoning = self.cycle.read(attributes, self.file, self.where(), self.faults)

    def zoned(self, name: str) -> None:
        """The last sample on the clock of zone ``name`` (an unknown one counted, as it was)."""
        last = self.found[-1]
        start, end = on_clock(last.start, last.end, name, self.unknown_zones)
        self.found[-1] = replace(last, start=start, end=end)

    def where(self) -> str:
        """The line of the element being read."""
        return f"line {self.parser.CurrentLineNumber}"

    def cleaned_of_control(self, tag: str, attributes: dict[str, str]) -> dict[str, str]:
        """A sleep record read past a control character (see the module doc), else none."""
        if tag != "Record" or attributes.get("type", "").replace(MARK, "") != SLEEP_TYPE:
            self.faults.skip(self.file, self.where(), "not sleep records, with a control "
                             "character XML does not allow")
        elif bad := [a for a in READ_ATTRIBUTES if MARK in attributes.get(a, "")]:
            self.faults.add(self.file, f"{self.where()}, sleep record", "expected no control "
                            f"character in {', '.join(bad)}, got one (shown as {MARK}): "
                            "remove it from the file and import again")
        else:
            self.cleaned.append(f"{self.file} {self.where()}")
            return {k: v.replace(MARK, "") for k, v in attributes.items()}
        return {}

    def notes(self) -> list[str]:
        """The warnings: records left out, sleep records read past a control character.

        And records of a type that looks like a diary column (dietary magnesium), not
        imported (:func:`~.unread.record_types`).
        """
        notes = self.faults.warnings()
        if self.cleaned:
            notes.append(f"{len(self.cleaned)} sleep record(s) with a control character in "
                         f"their source's name, read with it removed: {few(self.cleaned)}")
        if self.stream.skipped:
            notes.append(f"{self.file}: {BROKEN_HEADER}")
        if self.unknown_zones:
            notes.append(f"{self.unknown_zones.total()} sleep record(s) whose {ZONE_KEY} no "
                         "time zone database knows, read at the export's UTC offsets (the "
                         f"exporting phone's): {few([repr(z) for z in self.unknown_zones])}")
        return notes + record_types(self.file, self.types)


def samples(path: str | Path, progress: Progress | None = None, notes: list[str] | None = None,
            cycle: CycleDays | None = None) -> list[Sample]:
    """Every sleep-analysis sample of an export, streamed (flow records go to ``cycle``).

    A header that stops expat before the first element is skipped and the file read again;
    ``notes`` gains a warning for each thing read past (see the module doc).

    Raises
    ------
    InputError
        When the file is JSON or HTML, not well-formed XML (with its line and column), a zip
        archive cut short or damaged, or with every record whose dates are invalid or end
        before they begin, or sleep record read from a control character.

    """
    if fault := wrong_kind(path, "Apple Health's export.xml or export.zip", (JSON, HTML)):
        raise InputError([fault])
    reader = _Reader(str(path), CycleDays() if cycle is None else cycle)
    try:
        try:
            reader.parse(path, progress, skip_header=False)
        except expat.ExpatError:
            if reader.started:
                raise
            reader.parse(path, progress, skip_header=True)
    except expat.ExpatError as error:
        if zipfile.is_zipfile(path) and damaged_zip(path):
            raise InputError([Fault(str(path), "", CUT_SHORT)]) from None
        raise InputError([Fault(str(path), f"line {error.lineno}, column {error.offset}",
                                "expected Apple Health XML, got: "
                                f"{expat.ErrorString(error.code)}")]) from None
    except (zipfile.BadZipFile, zlib.error, EOFError):  # a damaged or cut-short archive
        raise InputError([Fault(str(path), "", CUT_SHORT)]) from None
    reader.faults.raise_any()
    if notes is not None:
        notes.extend(reader.notes())
    return reader.found


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
    if not ends_after(start, end, file, f"{where}, sleep record", faults):
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


def source_periods(night: dt.date, own: list[Sample]) -> list[SleepPeriod]:
    """The sleeps of one source in one night (the longest may be marked as the main sleep)."""
    asleep = _merged([(s.start, s.end) for s in own if s.value in ASLEEP])
    in_bed = _merged([(s.start, s.end) for s in own if s.value == IN_BED])
    periods = []
    for group in _sleeps(asleep, in_bed):
        onset = group[0][0]
        awakenings, waso = wake_totals(_minutes(b[0] - a[1])
                                       for a, b in itertools.pairwise(group))
        sol = latency(onset, in_bed)
        notes = (LATENCY_TOO_LONG,) if sol > MAX_LATENCY else ()
        periods.append(SleepPeriod(night, onset, group[-1][1],
                                   sum(_minutes(e - s) for s, e in group), False, {
                                       "sol_min": math.nan if notes else sol,
                                       "awakenings": awakenings, "waso_min": waso}, notes))
    longest = max(periods, key=lambda p: p.asleep_min, default=None)
    if longest is not None and may_be_main(longest.start, longest.asleep_min):
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


def read(paths: list[Path], progress: Progress | None = None,
         cycle: CycleDays | None = None) -> tuple[list[SleepPeriod], list[str]]:
    """The sleeps of the chosen source, per night, of the given exports, and what was read past.

    The warnings are those of :func:`samples` (the choices of a night are notes on its sleeps);
    the menstrual-flow records go to ``cycle``.
    """
    by_night: dict[dt.date, dict[str, list[Sample]]] = {}
    notes: list[str] = []
    found = [sample for path in paths for sample in samples(path, progress, notes, cycle)]
    for sample, night in zip(found, _nights(found), strict=True):
        by_night.setdefault(night, {}).setdefault(sample.source, []).append(sample)
    periods: list[SleepPeriod] = []
    for night, sources in sorted(by_night.items()):
        periods.extend(night_source(night, sources))
    return periods, notes
