"""``mgsleep log``: add or correct one night of a diary, checked like the reader checks it."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from model.cli.options import as_typed, parse_date, undecoded
from model.core.errors import Fault, InputError
from model.core.lock import exclusive

FIELDS: dict[str, tuple[str, str]] = {
    "form": ("--form", "magnesium form taken (blank = none, placebo)"),
    "elemental_mg": ("--mg", "elemental magnesium that day, mg"),
    "compound_mg": ("--compound-mg", "or: mg of the compound (converted by the form)"),
    "split": ("--split", "dose split over two intakes, 0 or 1"),
    "sol_min": ("--sol", "minutes to fall asleep"),
    "awakenings": ("--awakenings", "awakenings, not counting the final one"),
    "waso_min": ("--waso", "minutes awake after falling asleep"),
    "quality": ("--quality", "sleep quality, 1 very poor to 5 very good"),
    "freshness": ("--freshness", "morning freshness, 1-10"),
    "anxiety": ("--anxiety", "evening anxiety, 0-10"),
    "stool_bristol": ("--stool", "Bristol stool form, 1-7"),
    "gi_upset": ("--gi-upset", "GI upset that day, 0 or 1"),
    "caffeine_late": ("--caffeine-late", "caffeine after 14:00, 0 or 1"),
    "alcohol_drinks": ("--alcohol", "drinks that evening"),
    "notes": ("--notes", "free text"),
}
"""Diary column -> (option, help); the order of the interactive questions."""

NOT_NUMBERS = frozenset({"-nan", "+nan", "#n/a", "null"})
"""Spellings of no number refused as a value, beside the diary reader's blanks
(:data:`model.data.diary_rows.MISSING_WORDS`: a ``--sol nan`` was written and then read as a
night not recorded, without a word)."""

REGIMEN: tuple[str, ...] = ("form", "elemental_mg", "split")
"""Fields whose default, when asked, is the diary's last night."""


def add_parser(subparsers: Any) -> None:
    """Register ``mgsleep log``."""
    parser = subparsers.add_parser(
        "log", help="add or correct one night of your diary",
        description="Add one night to a diary, or fill the blank values of a night already "
        "there (an imported tracker night gains its dose and ratings); with --replace, also "
        "correct values it has. The night is checked like the diary reader checks it; on any "
        "fault nothing is written. The previous file is kept as DIARY.bak. Without value "
        "options on a terminal (or with --interactive) each field is asked in turn.")
    parser.add_argument("diary", metavar="DIARY.csv", help="the diary (created if missing)")
    parser.add_argument("--date", metavar="YYYY-MM-DD",
                        help="the night (the date it began; default yesterday)")
    for column, (option, text) in FIELDS.items():
        parser.add_argument(option, dest=column, metavar="VALUE", help=text)
    parser.add_argument("--replace", action="store_true",
                        help="let the given values replace those a night already has")
    parser.add_argument("-i", "--interactive", action="store_true",
                        help="ask for each field, even when standard input is not a terminal")
    parser.set_defaults(handler=run)


def ask_night(ask: Callable[[str], str], night: dt.date,
              defaults: dict[str, str]) -> dict[str, str]:
    """Ask for the night and each field in turn; an empty answer takes the default.

    An answer the diary reader would refuse (``11pm`` for minutes) is asked again at once,
    with the reason, instead of failing the whole night at the end.

    The form's default is the last night's: Enter keeps it, ``none`` records a night without
    magnesium (and then no dose is carried over).

    Parameters
    ----------
    ask : callable
        Shows a prompt and returns the answer (``input``).
    night : datetime.date
        The default night.
    defaults : dict of str to str
        Default answers (the last regimen).

    Returns
    -------
    dict of str to str
        ``date`` and the non-empty answers.

    """
    from model.data.diary_rows import cell_problem

    answers = {"date": ask(f"night (date it began) [{night}]: ").strip() or str(night)}
    for column, (_, text) in FIELDS.items():
        default = defaults.get(column, "") if answers.get("form", "x") else ""
        if column == "form" and default:
            text = f"magnesium form taken (Enter keeps {default}; none = no magnesium; placebo)"
        shown = f" [{default}]" if default else ""
        answer = ask(f"{column}: {text}{shown}: ").strip() or default
        while answer and answer != default and answer.lower() != "none" \
                and (problem := cell_problem(column, answer)) is not None:
            answer = ask(f"  {problem}; again: {column}{shown}: ").strip() or default
        if column == "form" and answer.lower() == "none":
            answer = answers["form"] = ""
        if answer:
            answers[column] = answer
    return answers


def last_regimen(rows: Any) -> dict[str, str]:
    """The form, dose and split of the diary's last night (empty without a diary)."""
    if rows is None or not len(rows):
        return {}
    last = rows.iloc[-1]
    return {c: str(last[c]) for c in REGIMEN if c in rows.columns and str(last[c]).strip()}


def _given(args: argparse.Namespace) -> dict[str, str]:
    return {c: str(getattr(args, c)) for c in FIELDS if getattr(args, c) is not None}


def _prompt(text: str) -> str:
    try:
        return input(text)
    except EOFError:
        raise InputError([Fault("<standard input>", "", "input ended before every field was "
                                "answered; nothing written")]) from None


def run(args: argparse.Namespace) -> int:
    """Build the night, merge it, check, back up and write."""
    from model.data.diary_rows import MISSING_WORDS
    from model.data.merge import read_rows

    path = Path(args.diary)
    night = parse_date(args.date, "--date") if args.date else \
        dt.date.today() - dt.timedelta(days=1)
    values = _given(args)
    if not values and (args.interactive or sys.stdin.isatty()):
        values = ask_night(_prompt, night, last_regimen(read_rows(path) if path.exists()
                                                        else None))
        night = parse_date(values.pop("date"), "date")
    if not values:
        raise InputError([Fault("mgsleep log", "", "expected at least one value (--sol, "
                                "--quality, ...), or run it on a terminal to be asked")])
    values = {c: as_typed(v) for c, v in values.items()}
    if unreadable := undecoded(values, {c: option for c, (option, _) in FIELDS.items()}):
        raise InputError(unreadable)
    if blank := [Fault("mgsleep log", FIELDS[c][0], f"expected a number, got {v!r}: leave "
                       "the option out for a value not recorded")
                 for c, v in values.items() if c not in ("form", "notes") and v.strip()
                 and v.strip().lower() in MISSING_WORDS | NOT_NUMBERS]:
        raise InputError(blank)
    with exclusive(path):   # read, merge and write with no other writer in between
        return _write_night(path, night, values, args.replace)


MORNING_FIELDS = frozenset({"sol_min", "awakenings", "waso_min", "quality", "freshness",
                            "stool_bristol"})
"""What only the next morning knows (the dose, the evening's anxiety and the day's GI upset are
known tonight)."""
_ONE_DAY = dt.timedelta(days=1)


def _warn_unusual(night: dt.date, values: dict[str, str]) -> None:
    """Warn of a night after today, of tonight's sleep, of a dose above the safety ceiling.

    All are written: the warnings say what to check.
    """
    from model.evidence.floor import bundled_safety

    today = dt.date.today()
    if night > today:
        warnings.warn(f"night {night} is after today: check --date (analyze leaves out nights "
                      "after its --as-of date)", stacklevel=2)
    elif night == today and set(values) & MORNING_FIELDS:
        warnings.warn(f"night {night} is tonight, so its sleep is not known yet: a night is "
                      f"dated by the evening it begins (last night was {today - _ONE_DAY}); "
                      "check --date", stacklevel=2)
    ceiling = bundled_safety().ceiling.default_mg_per_day
    try:
        dose = float(values.get("elemental_mg", "nan"))
    except ValueError:
        return
    if dose > ceiling:
        warnings.warn(f"{dose:g} mg of elemental magnesium a day is above the safety ceiling "
                      f"of {ceiling:g} mg; did you mean the compound's weight (--compound-mg)?",
                      stacklevel=2)


def _write_night(path: Path, night: dt.date, values: dict[str, str], replace: bool) -> int:
    """Merge one night into the diary at ``path`` and write it (the caller holds the lock)."""
    import pandas as pd

    from model.data.merge import merge_rows, read_rows, write_diary

    rows = read_rows(path) if path.exists() else None
    dates = [] if rows is None else [d.strip() for d in rows["date"]]
    present = night.isoformat() in dates
    new = pd.DataFrame([{"date": night.isoformat()} | values])
    merged, report = merge_rows(rows, new, overwrite=replace)
    if report.differences and not replace:
        row = dates.index(night.isoformat()) + 1
        raise InputError([Fault(str(path), f"row {row}, column {d.column}",
                                f"night {night} already has {d.diary}, got {d.new}: add "
                                "--replace to correct it") for d in report.differences])
    if present and not report.differences and not report.filled:
        print(f"{path}: night {night} unchanged (it already has these values)")
        return 0
    _warn_unusual(night, values)
    backup = write_diary(merged, path)
    done = "corrected" if report.differences else "completed" if present else "added"
    print(f"{path}: night {night} {done}" + (f" (previous version: {backup})" if backup else ""))
    return 0
