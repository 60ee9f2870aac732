"""``mgsleep demo``: the whole pipeline on the bundled example diary.

The example is a simulated person with known truth (persona
``glycinate_responder_citrate_gi``: loose stools on citrate, sleeps better on glycinate),
80 nights: two weeks without magnesium, three weeks of citrate 300 mg, a washout, five weeks of
glycinate 300 mg. The demo writes the diary it used (``example_diary.csv``), the ``analyze``
JSON (``summary.json``) and the HTML report (``report.html``) into one folder.
"""

from __future__ import annotations

import argparse
import dataclasses
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from model.cli.analyze import print_summary
from model.cli.options import add_mcmc_arguments
from model.core.atomic import check_outputs, json_text, write_all
from model.core.errors import Fault, InputError

if TYPE_CHECKING:
    import pandas as pd

    from model.analysis.pipeline import Analysis

PERSONA = "glycinate_responder_citrate_gi"
NIGHTS = 80
DIARY_SEED = 5
"""The example diary: persona, length and seed (fixed: the diary is part of the demo)."""

MCMC_SEED = 0
DIARY_NAME, SUMMARY_NAME, REPORT_NAME = "example_diary.csv", "summary.json", "report.html"


def example_diary() -> pd.DataFrame:
    """Simulate the bundled example diary (the README's columns), with a note on each change.

    Returns
    -------
    pandas.DataFrame
        One row per night; ``notes`` says when a regimen started or stopped.

    """
    from model.simulate.personas import simulate_diary

    frame = simulate_diary(PERSONA, NIGHTS, seed=DIARY_SEED)
    regimen = frame["form"].fillna("") + frame["elemental_mg"].fillna(0).astype(str)
    changed = regimen.ne(regimen.shift()) & (frame.index > 0)
    frame["notes"] = ""
    frame.loc[changed, "notes"] = [
        f"started {form} {mg:g} mg" if form else "stopped magnesium"
        for form, mg in zip(frame.loc[changed, "form"], frame.loc[changed, "elemental_mg"],
                            strict=True)]
    return frame


def run_demo(out: str | Path, *, draws: int = 1000, tune: int = 500, chains: int = 4,
             sampler: str | None = None, seed: int | None = MCMC_SEED,
             progress: bool = False, json: str | Path | None = None) -> Analysis:
    """Analyse the example diary and write the diary, the JSON and the report into ``out``.

    Nothing is written unless the analysis and the report succeed, and the files are written
    together (:func:`~model.core.atomic.write_all`): all of them or none.

    Parameters
    ----------
    out : str or Path
        Output folder (created if needed).
    draws, tune, chains, sampler, seed, progress :
        As for :func:`model.analysis.pipeline.analyze`.
    json : str or Path, optional
        Also write the JSON result here (``-`` = standard output, after the files).

    Returns
    -------
    Analysis

    """
    from model.analysis.pipeline import analyze
    from model.data.diary import read_diary
    from model.report.html import render_report

    folder = Path(out)
    frame = example_diary()
    diary = dataclasses.replace(read_diary(frame, warn=False), source=DIARY_NAME)
    result = analyze(diary, draws=draws, tune=tune, chains=chains, sampler=sampler, seed=seed,
                     progress=progress)
    summary = json_text(result.to_json())
    write_all([(folder / DIARY_NAME, frame.to_csv(index=False)), (folder / SUMMARY_NAME, summary),
               (folder / REPORT_NAME, render_report(result)),
               *([(json, summary)] if json else [])])
    return result


def check_folder(out: str | Path, json: str | None) -> None:
    """Refuse a folder that is a file, or holds files of the demo's names it did not write.

    A ``--json`` that is one of the folder's files is refused too. ``demo --out .`` replaced
    a person's own report.html, summary.json and a diary she had named example_diary.csv
    (outside audit, 2026-12). A demo run again into its own folder replaces its files
    (:func:`demo_wrote`).

    Raises
    ------
    InputError
        One fault for each such file, naming it; nothing is written.

    """
    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise InputError([Fault("--out", "", f"{out} is a file; give a folder")])
    check_outputs({"--json": json, f"--out {DIARY_NAME}": folder / DIARY_NAME,
                   f"--out {SUMMARY_NAME}": folder / SUMMARY_NAME,
                   f"--out {REPORT_NAME}": folder / REPORT_NAME}, {})
    names = [n for n in (DIARY_NAME, SUMMARY_NAME, REPORT_NAME) if (folder / n).exists()]
    ours = bool(names) and demo_wrote(folder)
    if names and not ours:
        raise InputError([Fault("--out", "", f"{folder / n} exists and is not a file of an "
                                "earlier mgsleep demo (it may be your own); give another "
                                "folder (nothing was written)") for n in names])


def demo_wrote(folder: Path) -> bool:
    """Whether the demo's files in ``folder`` are those an earlier demo wrote.

    The demo's diary is fixed (:func:`example_diary`): the folder's ``example_diary.csv``
    must be it, character for character; its ``summary.json`` must be an analyze JSON of the
    diary's nights and its ``report.html`` a report of it, when they exist.
    """
    import json

    try:
        if (folder / DIARY_NAME).read_text(encoding="utf-8") != example_diary().to_csv(
                index=False):
            return False
        summary = folder / SUMMARY_NAME
        nights = (json.loads(summary.read_text(encoding="utf-8")).get("nights", {})
                  if summary.exists() else {"total": NIGHTS})
        report = folder / REPORT_NAME
        title = re.compile(rf"<title>mgsleep report: (?:[^<]*/)?{re.escape(DIARY_NAME)} \(")
        return (isinstance(nights, dict) and nights.get("total") == NIGHTS
                and (not report.exists() or bool(title.search(report.read_text("utf-8")))))
    except (OSError, UnicodeDecodeError, ValueError, AttributeError):
        return False


def add_parser(subparsers: Any) -> None:
    """Register ``mgsleep demo``."""
    parser = subparsers.add_parser(
        "demo", help="run the whole pipeline on a bundled example diary",
        description=f"Analyse a bundled example diary ({NIGHTS} nights of a simulated person "
        "with loose stools on citrate who sleeps better on glycinate) and write "
        f"{DIARY_NAME}, {SUMMARY_NAME} (the analyze JSON) and {REPORT_NAME} into a folder. "
        "A file of these names there that an earlier demo did not write is refused (nothing "
        "is written); the demo's own files are replaced.")
    parser.add_argument("--out", metavar="DIR", default="mgsleep-demo",
                        help="output folder (default ./mgsleep-demo)")
    parser.add_argument("--json", metavar="PATH",
                        help="also write the JSON result here ('-' = stdout)")
    add_mcmc_arguments(parser)
    parser.set_defaults(handler=run, seed=MCMC_SEED)


def run(args: argparse.Namespace) -> int:
    """Run the demo, write its files, print the summary."""
    check_folder(args.out, args.json)
    result = run_demo(args.out, draws=args.draws, chains=args.chains, sampler=args.sampler,
                      seed=args.seed, progress=args.json != "-", json=args.json)
    if args.json != "-":
        print_summary(result)
        print(f"\nWrote {DIARY_NAME}, {SUMMARY_NAME} and {REPORT_NAME} to {args.out}/")
    return 0
