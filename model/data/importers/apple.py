"""Apple Health ``export.xml``: sleep-analysis records, streamed, one source per night.

The export holds one ``<Record>`` element per sample, with the attributes ``type``,
``sourceName``, ``startDate``, ``endDate`` (``2024-03-30 23:10:00 +0100``: local time with its
UTC offset) and ``value``. Sleep samples have ``type="HKCategoryTypeIdentifierSleepAnalysis"``
and a ``value`` of Apple's ``HKCategoryValueSleepAnalysis`` (Apple developer documentation):
``...InBed``, ``...Awake``, and the asleep values ``...Asleep`` (before iOS 16),
``...AsleepUnspecified``, ``...AsleepCore``, ``...AsleepDeep``, ``...AsleepREM``.

How a night is made (README, "Bring your own data"):

- a sample belongs to the night of its start (:func:`~.common.night_of`, wall clock);
- several apps and devices write overlapping samples: per night the **one source** with the
  most time asleep is kept (never a mix);
- that source's asleep samples are merged; gaps of :data:`SESSION_GAP` or more split them into
  sleeps, and the longest sleep is the night's when it lasts :data:`MAIN_MIN_ASLEEP` or more
  (the others are naps; Apple does not label naps);
- ``sol_min`` is the minutes from the source's first ``InBed`` of that sleep to sleep onset
  (blank when the source wrote no ``InBed``: a watch alone does not know when you went to bed);
  ``awakenings`` and ``waso_min`` are the interruptions between sleep onset and the final
  awakening and their minutes. Durations use the UTC offsets, so a daylight-saving night has
  its true length. Apple gives no rating: ratings stay blank.

The file is read with :func:`xml.etree.ElementTree.iterparse` and each element is freed once
read, so memory stays bounded for exports of several gigabytes; the ``export.zip`` the Health
app shares is read in place.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO

from model.core.errors import Fault, InputError
from model.data.importers.common import SleepPeriod, night_of

SLEEP_TYPE = "HKCategoryTypeIdentifierSleepAnalysis"
PREFIX = "HKCategoryValueSleepAnalysis"
IN_BED, AWAKE = f"{PREFIX}InBed", f"{PREFIX}Awake"
ASLEEP = frozenset(f"{PREFIX}{name}" for name in
                   ("Asleep", "AsleepUnspecified", "AsleepCore", "AsleepDeep", "AsleepREM"))
"""The values of HKCategoryValueSleepAnalysis that mean asleep."""

SESSION_GAP = dt.timedelta(minutes=90)
"""Asleep samples this far apart belong to different sleeps (a nap and the night)."""

MAIN_MIN_ASLEEP = 180.0
"""Minutes asleep below which a sleep is a nap, never the night's (Fitbit's ``infoCode`` 2
likewise calls a sleep period under three hours too short)."""

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
        When the file is not well-formed XML (with its line and column) or a date is invalid.

    """
    found: list[Sample] = []
    depth, root = 0, None
    with opened(path) as (handle, size):
        stream = _Counting(handle, size, progress)
        try:
            for event, element in ET.iterparse(stream, events=("start", "end")):
                if event == "start":
                    root = element if root is None else root
                    depth += 1
                    continue
                depth -= 1
                if element.tag == "Record" and element.get("type") == SLEEP_TYPE:
                    found.append(_sample(element, str(path), len(found) + 1))
                if depth == 1 and root is not None:
                    root.clear()  # free every finished child of <HealthData>
        except ET.ParseError as error:
            line, column = error.position
            raise InputError([Fault(str(path), f"line {line}, column {column}",
                                    f"expected Apple Health XML, got: {error}")]) from None
    return found


def _sample(element: ET.Element, file: str, index: int) -> Sample:
    try:
        start = dt.datetime.strptime(element.get("startDate", ""), TIME_FORMAT)
        end = dt.datetime.strptime(element.get("endDate", ""), TIME_FORMAT)
    except ValueError:
        raise InputError([Fault(file, f"sleep record {index}", "expected startDate and "
                                "endDate like 2024-03-30 23:10:00 +0100, got "
                                f"{element.get('startDate')!r} and {element.get('endDate')!r}")]
                         ) from None
    return Sample(element.get("sourceName", ""), start, end, element.get("value", ""))


def _merged(spans: list[tuple[dt.datetime, dt.datetime]]) -> list[list[dt.datetime]]:
    """Overlapping or touching intervals joined, in time order."""
    out: list[list[dt.datetime]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return out


def _sleeps(asleep: list[list[dt.datetime]]) -> list[list[list[dt.datetime]]]:
    """Merged asleep intervals grouped into sleeps split by gaps of SESSION_GAP or more."""
    groups: list[list[list[dt.datetime]]] = []
    for span in asleep:
        if groups and span[0] - groups[-1][-1][1] < SESSION_GAP:
            groups[-1].append(span)
        else:
            groups.append([span])
    return groups


def _minutes(delta: dt.timedelta) -> float:
    return delta.total_seconds() / 60.0


def source_periods(night: dt.date, own: list[Sample]) -> list[SleepPeriod]:
    """The sleeps of one source in one night (the longest is marked as the main sleep)."""
    asleep = _merged([(s.start, s.end) for s in own if s.value in ASLEEP])
    in_bed = sorted(s.start for s in own if s.value == IN_BED)
    periods = []
    for group in _sleeps(asleep):
        onset = group[0][0]
        gaps = [_minutes(b[0] - a[1]) for a, b in itertools.pairwise(group)]
        bed = [t for t in in_bed if onset - SESSION_GAP < t <= onset]
        asleep_min = sum(_minutes(e - s) for s, e in group)
        periods.append(SleepPeriod(night, onset, asleep_min, False, {
            "sol_min": _minutes(onset - bed[0]) if bed else float("nan"),
            "awakenings": float(len(gaps)), "waso_min": float(sum(gaps))}))
    longest = max(periods, key=lambda p: p.asleep_min, default=None)
    if longest is not None and longest.asleep_min >= MAIN_MIN_ASLEEP:
        periods[periods.index(longest)] = replace(longest, main=True)
    return periods


def read(paths: list[Path], progress: Progress | None = None) -> list[SleepPeriod]:
    """The sleeps of the source with the most sleep, per night, of the given exports."""
    by_night: dict[dt.date, dict[str, list[Sample]]] = {}
    for path in paths:
        for sample in samples(path, progress):
            night = night_of(sample.start)
            by_night.setdefault(night, {}).setdefault(sample.source, []).append(sample)
    periods: list[SleepPeriod] = []
    for night, sources in sorted(by_night.items()):
        options = [source_periods(night, own) for own in sources.values()]
        best = max(options, key=lambda ps: sum(p.asleep_min for p in ps), default=[])
        periods.extend(best)
    return periods
