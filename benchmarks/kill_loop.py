"""kill -9 during writes: no partial output set and no litter after the next run (issue 18).

A child process writes sets of three outputs (a report, a JSON and a CSV of a few MB each,
every file stamped with the set's number) with :func:`model.core.atomic.write_all`, set after
set, and is killed with SIGKILL at a random moment. After each kill the folder is checked as
it is (a set mixed from two runs?), then "the next run" begins (:func:`recover` and
:func:`sweep`, what any later write does first) and the folder is checked again: one
complete set, no temporaries, no journal.

    .venv/bin/python benchmarks/kill_loop.py [--kills N] [--seed N]
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from model.core.atomic import recover, sweep

NAMES = ("report.html", "result.json", "plan.csv")
CHILD = """
import sys
from model.core.atomic import write_all
folder, size, names = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
n = 0
while True:
    n += 1
    stamp = f"set {n:08d}\\n"
    write_all([(f"{folder}/{name}", stamp * (size // len(stamp))) for name in names])
"""


def stamps(folder: Path) -> set[str]:
    """The set numbers of the outputs present (empty: none written yet)."""
    return {(folder / n).read_text()[:12] for n in NAMES if (folder / n).exists()}


def litter(folder: Path) -> list[str]:
    """Temporaries and journals left in the folder."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def main() -> None:
    """Kill the writer N times and print what each kill left."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=40)
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--size", type=int, default=4_000_000, help="bytes per output")
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    mixed_now = mixed_after = left = sets = 0
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for _ in range(args.kills):
            child = subprocess.Popen([sys.executable, "-c", CHILD, tmp, str(args.size), *NAMES],
                                     env=env)
            time.sleep(float(rng.uniform(0.3, 1.5)))
            os.kill(child.pid, signal.SIGKILL)
            child.wait()
            mixed_now += len(stamps(folder)) > 1
            recover(folder)
            for name in NAMES:
                sweep(folder / name)
            found = stamps(folder)
            sets += len(found) == 1 and all((folder / n).exists() for n in NAMES)
            mixed_after += len(found) > 1
            left += bool(litter(folder))
    print(f"{args.kills} kills -9 during writes of {len(NAMES)}-file sets: mixed set right "
          f"after a kill: {mixed_now}; after the next run: mixed {mixed_after}, litter "
          f"{left}, complete sets {sets}")


if __name__ == "__main__":
    main()
