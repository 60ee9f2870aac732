"""Fuzz every subcommand with bad input: exit 2, the fault located, no traceback, nothing changed.

Issue 18: runs each kind of bad input as its own ``python -m model`` process in a fresh folder
and prints, per kind, the exit code, whether the message names the location (file row/column,
key or option), whether a traceback was printed and whether any file in the folder changed.
The target: every kind exits 2, names its location, prints no traceback and changes nothing.

    .venv/bin/python benchmarks/fuzz_inputs.py [--jobs N] [--only SUBSTRING]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from model.core.paths import default_priors_dir

HEADER = ("date,form,elemental_mg,split,sol_min,awakenings,waso_min,quality,freshness,anxiety,"
          "stool_bristol,gi_upset,caffeine_late,alcohol_drinks,notes")
ROW = {"date": "2026-01-02", "form": "glycinate", "elemental_mg": "200", "split": "0",
       "sol_min": "25", "awakenings": "1", "waso_min": "10", "quality": "3", "freshness": "6",
       "anxiety": "3", "stool_bristol": "4", "gi_upset": "0", "caffeine_late": "0",
       "alcohol_drinks": "1", "notes": "ok"}
FIRST = ROW | {"date": "2026-01-01", "form": "", "elemental_mg": ""}
THIRD = ROW | {"date": "2026-01-03"}

BAD_CELLS = {
    "date": ["2026-13-01", "yesterday", "01/02/2026", "", "2026-02-30", "2026-01-01"],
    "form": ["magnesium", "glycinat", "12", "citrate;oxide"],
    "elemental_mg": ["-5", "abc", "5000", "inf", "1e9"],
    "split": ["2", "-1", "0.5"],
    "sol_min": ["-1", "abc", "721", "inf", "-inf"],
    "awakenings": ["1.5", "-1", "51"],
    "waso_min": ["-3", "800"],
    "quality": ["0", "6", "2.5"],
    "freshness": ["0", "11"],
    "anxiety": ["-1", "11"],
    "stool_bristol": ["0", "8"],
    "gi_upset": ["2", "0.5"],
    "caffeine_late": ["2", "x"],
    "alcohol_drinks": ["-1", "31"],
}


@dataclass
class Kind:
    """One kind of bad input: the command, the files it needs, where the fault should be."""

    name: str
    argv: list[str]
    where: str
    files: dict[str, str | bytes] = field(default_factory=dict)
    priors_edit: tuple[str, str, str] | None = None
    """(file in a copy of the priors, old text, new text); the copy is ``priors/``."""


def diary(rows: list[dict[str, str]], header: str = HEADER) -> str:
    """A diary CSV with the given rows."""
    names = header.split(",")
    return header + "\n" + "".join(",".join(r.get(n, "") for n in names) + "\n" for r in rows)


GOOD = diary([FIRST, ROW, THIRD])


def diary_kinds() -> list[Kind]:
    """Bad cells in row 2 and bad diary files, through ``analyze``."""
    kinds = [Kind(f"diary {column}={value!r}", ["analyze", "d.csv"],
                  f"row 2, column {column}" if column != "date" or value != "2026-01-01"
                  else "row 2, column date", {"d.csv": diary([FIRST, ROW | {column: value},
                                                              THIRD])})
             for column, values in BAD_CELLS.items() for value in values]
    long = "date\n" + "".join(f"{dt.date(2000, 1, 1) + dt.timedelta(days=i)}\n"
                              for i in range(3651))
    files = {
        "empty file": ("", "d.csv"), "header only": (HEADER + "\n", "d.csv"),
        "no date column": ("night,sol_min\n1,20\n", "column date"),
        "duplicate column": ("date,sol_min,sol_min\n2026-01-01,1,2\n", "column sol_min"),
        "too many fields": (GOOD + "2026-01-04,,,,20,,,,,,,,,,,extra\n", "row 4"),
        "non-UTF-8 byte": (GOOD.encode() + b"2026-01-04,,,,20,,,,,,,,,,caf\xe9\n",
                           "row 4, column notes"),
        "binary garbage": (bytes(range(256)) * 4, "d.csv"),
        "BOM and a bad cell": (b"\xef\xbb\xbf" + diary([FIRST, ROW | {"sol_min": "x"}]).encode(),
                               "row 2, column sol_min"),
        "CRLF and a bad cell": (diary([FIRST, ROW | {"quality": "9"}]).replace("\n", "\r\n"),
                                "row 2, column quality"),
        "semicolons": (GOOD.replace(",", ";"), "column date"),
        "3651 rows": (long, "row 3651"),
        "1000-year span": ("date,sol_min\n2026-01-01,20\n3026-01-01,20\n", "row 2, column date"),
        "dose without form": (diary([FIRST, ROW | {"form": ""}]), "row 2, column form"),
        "placebo with a dose": (diary([FIRST, ROW | {"form": "placebo"}]), "row 2"),
        "only blank lines": ("\n\n\n", "d.csv"),
    }
    kinds += [Kind(f"diary file: {name}", ["analyze", "d.csv"], where, {"d.csv": text})
              for name, (text, where) in files.items()]
    kinds += [Kind("diary: missing file", ["analyze", "nope.csv"], "nope.csv"),
              Kind("diary: a directory", ["analyze", "folder"], "folder",
                   {"folder/x.txt": "x"})]
    return kinds


def profile_kinds() -> list[Kind]:
    """Bad profiles, through ``analyze``."""
    cases = {
        "unknown key": ("medicatons = []\n", "key medicatons"),
        "egfr text": ('egfr = "high"\n', "key egfr"), "egfr negative": ("egfr = -1\n", "key egfr"),
        "egfr nan": ("egfr = nan\n", "key egfr"), "egfr inf": ("egfr = inf\n", "key egfr"),
        "max nan": ("max_elemental_mg = nan\n", "key max_elemental_mg"),
        "max negative": ("max_elemental_mg = -5\n", "key max_elemental_mg"),
        "pregnant text": ('pregnant = "maybe"\n', "key pregnant"),
        "complaint": ('complaint = "insomnia"\n', "key complaint"),
        "gut": ('gut_sensitivity = "severe"\n', "key gut_sensitivity"),
        "excluded typo": ('excluded_forms = ["oxid"]\n', "key excluded_forms"),
        "weights negative": ("[weights]\nsol = -1\n", "key weights.sol"),
        "weights nan": ("[weights]\nsol = nan\n", "key weights.sol"),
        "weights typo": ("[weights]\nslo = 1\n", "key weights.slo"),
        "condition typo": ('conditions = ["heart_blok"]\n', "key conditions[1]"),
        "condition unknown": ('conditions = ["lupus"]\n', "key conditions[1]"),
        "medicine typo": ('medications = ["levothyroxin"]\n', "key medications[1]"),
        "medicine unknown": ('medications = ["sertraline"]\n', "key medications[1]"),
        "conditions not a list": ('conditions = "ckd"\n', "key conditions"),
        "TOML syntax": ("egfr = = 3\n", "p.toml"),
        "deep nesting": ("egfr = " + "[" * 100_000 + "]" * 100_000 + "\n", "p.toml"),
        "non-UTF-8": (b"conditions = ['caf\xe9']\n", "p.toml"),
        "binary": (bytes(range(256)), "p.toml"),
    }
    kinds = [Kind(f"profile: {name}", ["analyze", "d.csv", "--profile", "p.toml"], where,
                  {"d.csv": GOOD, "p.toml": text}) for name, (text, where) in cases.items()]
    kinds += [Kind("profile: missing", ["analyze", "d.csv", "--profile", "no.toml"], "no.toml",
                   {"d.csv": GOOD}),
              Kind("profile: a directory", ["analyze", "d.csv", "--profile", "folder"],
                   "folder", {"d.csv": GOOD, "folder/x": "x"})]
    return kinds


PRIORS_EDITS = {
    "ceiling 2000": ("safety.toml", "default_mg_per_day = 350", "default_mg_per_day = 2000",
                     "default_mg_per_day = 2000 mg/day is not the level of its source"),
    "eGFR below 10": ("safety.toml", "below = 30.0", "below = 10.0", "below"),
    "eGFR below nan": ("safety.toml", "below = 30.0", "below = nan", "below"),
    "GI limit 0.9": ("safety.toml", "limit = 0.10", "limit = 0.90", "key gi_constraint.limit"),
    "medicine removed": ("safety.toml", '"doxycycline", ', "", "doxycycline"),
    "synonym removed": ("safety.toml", '"cipro", ', "", "synonyms[name=ciprofloxacin]"),
    "rule reworded": ("safety.toml", "at least 4 h apart", "whenever",
                      "interactions[group=levothyroxine].rule"),
    "gut shift lowered": ("safety.toml", "ibs = 0.9", "ibs = 0.1", "key gut_sensitivity.ibs"),
    "safety deep nesting": ("safety.toml", "[ceiling]", "x = " + "[" * 100_000 + "]" * 100_000
                            + "\n[ceiling]", "safety.toml"),
    "se nan": ("forms/glycinate.toml", "se = ", "se = nan # ", "glycinate.toml: key studies"),
    "reference dose inf": ("settings.toml", "reference_dose_mg = ", "reference_dose_mg = inf #",
                           "key reference_dose_mg"),
    "unknown settings key": ("settings.toml", "reference_dose_mg", "reference_dos_mg = 1\n"
                             "reference_dose_mg", "key reference_dos_mg"),
    "class TOML syntax": ("class.toml", "scope", "scope = = ", "class.toml"),
    "groups non-UTF-8": ("groups.toml", "[[groups]]", "# caf\udce9\n[[groups]]", "groups.toml"),
    "unknown outcome": ("forms/glycinate.toml", 'outcome = "', 'outcome = "sleepiness" # "',
                        "glycinate.toml"),
    "negative se": ("forms/glycinate.toml", "se = ", "se = -1 # ", "glycinate.toml"),
    "form name mismatch": ("forms/glycinate.toml", 'form = "glycinate"', 'form = "taurate"',
                           "glycinate.toml"),
    "settings removed": ("settings.toml", "", None, "settings.toml"),
}


def priors_kinds() -> list[Kind]:
    """Broken or loosened copies of the priors, through ``priors`` and ``analyze``."""
    kinds = []
    for name, (file, old, new, where) in PRIORS_EDITS.items():
        edit = (file, old, new if new is not None else "\0remove")
        kinds.append(Kind(f"priors dir: {name}", ["priors", "--priors", "priors"], where,
                          priors_edit=edit))
        if file == "safety.toml":
            kinds.append(Kind(f"priors dir via analyze: {name}",
                              ["analyze", "d.csv", "--priors", "priors"], where, {"d.csv": GOOD},
                              priors_edit=edit))
    kinds += [Kind("priors dir: missing", ["priors", "--priors", "nope"], "nope"),
              Kind("priors dir: a file", ["priors", "--priors", "f.txt"], "f.txt",
                   {"f.txt": "x"})]
    return kinds


def argument_kinds() -> list[Kind]:
    """Bad options of every subcommand."""
    nof1 = ["nof1", "n.csv", "--outcome", "y", "--treatment", "t", "--baseline", "a"]
    data = {"n.csv": "day,t,y\n1,a,1\n2,b,2\n3,a,1\n4,b,3\n", "d.csv": GOOD}
    plan = ["plan", "--forms", "glycinate,taurate"]
    cases = [
        (["analyze", "d.csv", "--draws", "0"], "--draws"),
        (["analyze", "d.csv", "--draws", "-10"], "--draws"),
        (["analyze", "d.csv", "--draws", "ten"], "--draws"),
        (["analyze", "d.csv", "--chains", "0"], "--chains"),
        (["analyze", "d.csv", "--chains", "1000"], "--chains"),
        (["analyze", "d.csv", "--seed", "-1"], "--seed"),
        (["analyze", "d.csv", "--seed", str(2**64)], "--seed"),
        (["analyze", "d.csv", "--seed", "1.5"], "--seed"),
        (["analyze", "d.csv", "--sampler", "stan"], "--sampler"),
        (["analyze", "d.csv", "--as-of", "2026-02-30"], "--as-of"),
        (["analyze", "d.csv", "--as-of", "9999-12-31"], "--as-of"),
        (["analyze", "d.csv", "--as-of", "2025-01-01"], "--as-of"),
        (["analyze", "d.csv", "--bogus"], "--bogus"),
        (["analyze"], "DIARY"),
        ([*nof1, "--draws", "0"], "--draws"), ([*nof1, "--tune", "-1"], "--tune"),
        ([*nof1, "--chains", "0"], "--chains"), ([*nof1, "--seed", "-5"], "--seed"),
        ([*nof1, "--family", "gamma"], "--family"), ([*nof1, "--categories", "5:1"],
                                                     "--categories"),
        ([*nof1[:-2], "--baseline", "zzz"], "zzz"), ([*nof1[:3], "--treatment", "t",
                                                      "--baseline", "a"], "--outcome"),
        ([*nof1, "--time", "nope"], "column nope"),
        (["population", "folder", "--workers", "-3"], "--workers"),
        (["population", "folder", "--seed", "x"], "--seed"),
        ([*plan, "--start", "9999-12-01"], "--start"), ([*plan, "--start", "2026-13-01"],
                                                        "--start"),
        ([*plan, "--dose", "0"], "--dose"), ([*plan, "--dose", "9999"], "--dose"),
        ([*plan, "--dose", "nan"], "--dose"), ([*plan, "--cycles", "0"], "--cycles"),
        ([*plan, "--cycles", "100000"], "--cycles"), ([*plan, "--period-days", "0"],
                                                      "--period-days"),
        ([*plan, "--period-days", "100000000"], "--cycles"),
        ([*plan, "--washout-days", "-1"], "--washout-days"), ([*plan, "--sims", "0"], "--sims"),
        (["plan", "--forms", "glycinat"], "glycinat"), (["plan", "--forms", ""], "--forms"),
        ([*plan, "--blind"], "--blind"), ([*plan, "--seed", "-2"], "--seed"),
        (["simulate", "--persona", "nobody", "--out", "s.csv"], "--persona"),
        (["simulate", "--persona", "responder", "--nights", "0", "--out", "s.csv"],
         "--nights"),
        (["simulate", "--persona", "responder", "--nights", "99999", "--out", "s.csv"],
         "--nights"),
        (["simulate", "--persona", "responder", "--start", "2026-13-01", "--out", "s.csv"],
         "--start"),
        (["simulate", "--persona", "responder", "--start", "9999-12-31", "--out", "s.csv"],
         "--start"),
        (["simulate", "--persona", "responder"], "--out"),
        (["priors", "--explain", "glycinat:quality"], "glycinat"),
        (["priors", "--explain", "glycinate:sleepiness"], "sleepiness"),
        (["priors", "--explain", "nonsense"], "nonsense"),
        (["demo", "--draws", "0"], "--draws"), (["demo", "--out", "d.csv"], "--out"),
        (["nosuchcommand"], "nosuchcommand"),
    ]
    return [Kind(f"args: {' '.join(argv[:1] + argv[-2:])}", argv, where,
                 dict(data, **{"folder/a.csv": GOOD})) for argv, where in cases]


def output_kinds() -> list[Kind]:
    """Output paths that would overwrite an input, each other, or are not files."""
    files = {"d.csv": GOOD, "p.toml": "egfr = 80\n", "n.csv": "day,t,y\n1,a,1\n2,b,2\n",
             "folder/a.csv": GOOD, "taken/notes.txt": "mine", "ro/": ""}
    nof1 = ["nof1", "n.csv", "--outcome", "y", "--treatment", "t", "--baseline", "a"]
    plan = ["plan", "--forms", "glycinate"]
    cases = [
        (["analyze", "d.csv", "--json", "d.csv"], "--json"),
        (["analyze", "d.csv", "--report", "d.csv"], "--report"),
        (["analyze", "d.csv", "--json", "x", "--report", "x"], "--report"),
        (["analyze", "d.csv", "--profile", "p.toml", "--json", "p.toml"], "--json"),
        (["analyze", "d.csv", "--json", "folder"], "--json"),
        (["analyze", "d.csv", "--json", "fifo"], "--json"),
        (["analyze", "d.csv", "--json", "/dev/null"], "--json"),
        (["analyze", "d.csv", "--json", "./d.csv"], "--json"),
        ([*nof1, "--json", "n.csv"], "--json"),
        ([*plan, "--out", "x", "--ics", "x"], "--ics"),
        ([*plan, "--out", "x", "--json", "x"], "--json"),
        ([*plan, "--blind", "--out", "x.csv", "--key", "x.csv"], "--key"),
        ([*plan, "--out", "folder"], "--out"),
        (["simulate", "--persona", "responder", "--out", "folder"], "--out"),
        (["priors", "--json", "folder"], "--json"),
        (["population", "folder", "--json", "folder/a.csv"], "--json"),
        (["population", "folder", "--write-priors", "folder"], "--write-priors"),
        (["population", "folder", "--write-priors", "."], "--write-priors"),
        (["population", "folder", "--write-priors", "folder/sub"], "--write-priors"),
        (["population", "folder", "--write-priors", "taken"], "--write-priors"),
        (["population", "folder", "--write-priors", "d.csv"], "--write-priors"),
        (["population", "nope"], "nope"),
        (["population", "taken"], "taken"),
        (["demo", "--out", "d.csv"], "--out"),
        (["demo", "--out", "o", "--json", "o/summary.json"], "--json"),
    ]
    return [Kind(f"output: {' '.join(argv)}", argv, where, files) for argv, where in cases]


def nof1_kinds() -> list[Kind]:
    """Bad n-of-1 data files."""
    base = ["nof1", "n.csv", "--outcome", "y", "--treatment", "t", "--baseline", "a"]
    cases = {
        "non-numeric outcome": ("t,y\na,1\nb,x\na,2\n", base, "row 2, column y"),
        "blank treatment": ("t,y\na,1\n,2\nb,2\n", base, "row 2, column t"),
        "duplicate times with --ar1": ("day,t,y\n1,a,1\n2,b,2\n2,a,3\n", [*base, "--time",
                                       "day", "--ar1"], "row 3, column day"),
        "bad time": ("day,t,y\n1,a,1\nx,b,2\n", [*base, "--time", "day"], "row 2, column day"),
        "empty": ("", base, "n.csv"), "header only": ("t,y\n", base, "n.csv"),
        "non-UTF-8": (b"t,y\na,1\nb,\xe9\n", base, "n.csv"),
        "poisson negative": ("t,y\na,1\nb,-2\n", [*base, "--family", "poisson"],
                             "row 2, column y"),
        "binomial above 1": ("t,y\na,1\nb,3\n", [*base, "--family", "binomial"],
                             "row 2, column y"),
        "ordinal fraction": ("t,y\na,1\nb,2.5\n", [*base, "--family", "ordinal"],
                             "row 2, column y"),
        "one treatment only": ("t,y\na,1\na,2\n", base, "column t"),
    }
    return [Kind(f"nof1 data: {name}", argv, where, {"n.csv": text})
            for name, (text, argv, where) in cases.items()]


def _prepare(kind: Kind, folder: Path) -> None:
    for name, content in kind.files.items():
        path = folder / name
        if name.endswith("/"):
            path.mkdir(parents=True, exist_ok=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", errors="surrogateescape")
    if any(a == "fifo" for a in kind.argv):
        os.mkfifo(folder / "fifo")
    if kind.priors_edit is not None:
        shutil.copytree(default_priors_dir(), folder / "priors")
        file, old, new = kind.priors_edit
        path = folder / "priors" / file
        if new == "\0remove":
            path.unlink()
            return
        text = path.read_text()
        assert old in text, (kind.name, old)
        path.write_bytes(text.replace(old, new, 1).encode("utf-8", "surrogateescape"))


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): (p.read_bytes() if p.is_file() and not
                                         p.is_fifo() else b"<special>")
            for p in sorted(folder.rglob("*")) if not p.is_dir()}


@dataclass
class Outcome:
    """What one kind did."""

    kind: Kind
    code: int
    located: bool
    traceback: bool
    changed: bool
    message: str
    seconds: float


def run(kind: Kind, root: Path, env: dict[str, str]) -> Outcome:
    """Run one kind in its own folder."""
    folder = Path(tempfile.mkdtemp(dir=root))
    _prepare(kind, folder)
    before = _snapshot(folder)
    start = time.perf_counter()
    try:
        done = subprocess.run([sys.executable, "-m", "model", *kind.argv], cwd=folder, env=env,
                              capture_output=True, text=True, timeout=300,
                              stdin=subprocess.DEVNULL)
        code, err = done.returncode, done.stderr
    except subprocess.TimeoutExpired:
        code, err = -1, "timed out (the input was not refused before the work began)"
    seconds = time.perf_counter() - start
    changed = _snapshot(folder) != before
    lines = [line for line in err.splitlines() if "error" in line] or err.splitlines()[-1:]
    message = lines[0] if lines else ""
    return Outcome(kind, code, kind.where in err, "Traceback" in err, changed, message, seconds)


def main() -> None:
    """Run every kind and print the table and the totals."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--only", default="")
    args = parser.parse_args()
    kinds = [k for k in (diary_kinds() + profile_kinds() + priors_kinds() + argument_kinds()
                         + output_kinds() + nof1_kinds()) if args.only in k.name]
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp, ThreadPoolExecutor(args.jobs) as pool:
        outcomes = list(pool.map(lambda k: run(k, Path(tmp), env), kinds))
    print(f"{'exit':>4} {'loc':>3} {'tb':>3} {'chg':>3}  kind -> message")
    for o in outcomes:
        print(f"{o.code:>4} {'yes' if o.located else 'NO':>3} {'YES' if o.traceback else 'no':>3} "
              f"{'YES' if o.changed else 'no':>3}  {o.kind.name} -> {o.message[:110]}")
    bad = [o for o in outcomes if o.code != 2 or not o.located or o.traceback or o.changed]
    print(f"\n{len(outcomes)} kinds in {time.perf_counter() - start:.0f} s: "
          f"exit 2: {sum(o.code == 2 for o in outcomes)}, location named: "
          f"{sum(o.located for o in outcomes)}, tracebacks: "
          f"{sum(o.traceback for o in outcomes)}, files changed: "
          f"{sum(o.changed for o in outcomes)}; not as required: {len(bad)}")
    for o in bad:
        print(f"  NOT OK: {o.kind.name}: exit {o.code}; {o.message[:150]}")


if __name__ == "__main__":
    main()
