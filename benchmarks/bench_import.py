"""Memory of ``mgsleep import apple`` on a big synthetic Apple Health export.

Target (issue 17): a 300 MB export imports with a peak resident set below 500 MB. The export
is written to a temporary folder: mostly heart-rate records with a metadata entry (as real
exports are), and every night a phone's "in bed" and "asleep" samples and a watch's stages.
The import runs in a fresh process (``python -m model import apple ... --quiet``); its peak
RSS is the child's ``ru_maxrss``.

    .venv/bin/python benchmarks/bench_import.py [--mb 300] [--json PATH]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_RSS_MB = 500.0
SLEEP = ('<Record type="HKCategoryTypeIdentifierSleepAnalysis" sourceName="{source}" '
         'sourceVersion="17.4" creationDate="{end}" startDate="{start}" endDate="{end}" '
         'value="HKCategoryValueSleepAnalysis{value}"/>\n')
HEART = ('<Record type="HKQuantityTypeIdentifierHeartRate" sourceName="Apple Watch" '
         'sourceVersion="10.4" unit="count/min" creationDate="{t}" startDate="{t}" '
         'endDate="{t}" value="{v}">\n  <MetadataEntry key="HKMetadataKeyHeartRateMotionContext"'
         ' value="0"/>\n</Record>\n')
STAGES = (("Core", 0, 130), ("Deep", 130, 160), ("Awake", 160, 175), ("REM", 175, 220),
          ("Core", 220, 420))
"""A watch night: (stage, minutes from 23:20 to its start, to its end)."""


def stamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S +0100")


def night_records(night: dt.date) -> str:
    """One night: the phone's in bed and asleep, the watch's stages."""
    bed = dt.datetime.combine(night, dt.time(23, 0))
    text = SLEEP.format(source="iPhone", start=stamp(bed), end=stamp(bed + dt.timedelta(hours=8)),
                        value="InBed")
    text += SLEEP.format(source="iPhone", start=stamp(bed + dt.timedelta(minutes=30)),
                         end=stamp(bed + dt.timedelta(hours=6)), value="AsleepUnspecified")
    onset = bed + dt.timedelta(minutes=20)
    for stage, begin, end in STAGES:
        text += SLEEP.format(source="Apple Watch", start=stamp(onset + dt.timedelta(minutes=begin)),
                             end=stamp(onset + dt.timedelta(minutes=end)), value=stage)
    return text


def write_export(path: Path, megabytes: float) -> int:
    """Write a synthetic export of about ``megabytes``; return the nights it holds."""
    target = megabytes * 1e6
    day, nights, size = dt.date(2021, 1, 1), 0, 0
    with open(path, "w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<HealthData locale="en_DE">\n'
                  ' <ExportDate value="2024-01-01 09:00:00 +0100"/>\n')
        while size < target:
            moment = dt.datetime.combine(day, dt.time(8, 0))
            block = "".join(HEART.format(t=stamp(moment + dt.timedelta(minutes=2 * i)),
                                         v=60 + i % 40) for i in range(2000))
            block += night_records(day)
            out.write(block)
            size += len(block)
            day, nights = day + dt.timedelta(days=1), nights + 1
        out.write("</HealthData>\n")
    return nights


def main() -> None:
    """Write the export, import it in a fresh process, report time and peak RSS."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=300.0, help="export size (default 300)")
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        export = Path(folder) / "export.xml"
        nights = write_export(export, args.mb)
        env = os.environ | {"PYTHONPATH": str(ROOT)}
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "model", "import", "apple", str(export),
                               "--out", str(Path(folder) / "diary.csv"), "--quiet"],
                              env=env, capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - start
        if done.returncode:
            sys.exit(done.stderr)
        rows = sum(1 for _ in open(Path(folder) / "diary.csv", encoding="utf-8")) - 1
        figures = {"export_mb": export.stat().st_size / 1e6, "nights_in_export": nights,
                   "nights_imported": rows, "seconds": seconds,
                   "peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
                   "target_peak_rss_mb": TARGET_RSS_MB}
    figures["ok"] = figures["peak_rss_mb"] < TARGET_RSS_MB
    print(json.dumps(figures, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
