"""Wall time of the quick commands in a new process: ``mgsleep --help`` and ``mgsleep priors``.

Targets (issue 20): ``mgsleep --help`` <= 0.5 s, ``mgsleep priors`` <= 1.5 s, on a quiet
2-core machine. Each command runs ``--runs`` times (default 5) as ``python -m model ...`` in a
new process with this tree first on the import path; the median wall time is reported next to
its target (the JSON also has every run). ``priors`` is timed in each of its modes: the table,
the JSON (``--json -``) and one explanation (``--explain``).

    .venv/bin/python benchmarks/bench_startup.py [--runs 5] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = {"--help": (["--help"], 0.5), "priors": (["priors"], 1.5),
            "priors --json -": (["priors", "--json", "-"], 1.5),
            "priors --explain": (["priors", "--explain", "glycinate:quality"], 1.5)}
"""Name -> (arguments of ``mgsleep``, target median wall time in seconds)."""


def wall_times(arguments: list[str], runs: int) -> list[float]:
    """Seconds of ``runs`` new processes of ``python -m model *arguments`` (each must succeed)."""
    env = os.environ | {"PYTHONPATH": os.pathsep.join(
        filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    walls = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "model", *arguments], cwd=ROOT, env=env,
                       capture_output=True, check=True)
        walls.append(time.perf_counter() - start)
    return walls


def run(runs: int) -> dict[str, Any]:
    """Time every command; the median and the slowest run against the target."""
    result = {}
    for name, (arguments, target) in COMMANDS.items():
        walls = wall_times(arguments, runs)
        median = statistics.median(walls)
        result[name] = {"median_s": median, "max_s": max(walls), "runs_s": walls,
                        "target_s": target, "ok": median <= target}
    return result


def summary(result: dict[str, Any]) -> list[str]:
    """The benchmark's lines of the side-by-side table."""
    return [f"{f'mgsleep {name}, new process (s)':48s} {row['median_s']:12.2f} "
            f"{f'<= {row['target_s']:g}':>10s}" for name, row in result.items()]


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Time the commands, print the table (and the JSON with ``--json``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="new processes per command")
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    result = run(args.runs)
    print("\n".join(summary(result)))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return result


if __name__ == "__main__":
    main()
