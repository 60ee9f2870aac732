"""``mgsleep log``: add or correct one night of a diary, checked like the reader checks it."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from model.cli.night_warnings import MORNING_FIELDS, warn_pot_form, warn_unusual, watch_night
from model.cli.options import add_profile_options, as_typed, parse_date, undecoded
from model.core.errors import Fault, InputError
from model.core.lock import exclusive

if TYPE_CHECKING:
    import pandas as pd

    from model.data.logged_night import Carried
    from model.data.merge import MergeReport, Source

FIELDS: dict[str, tuple[str, str]] = {
    "form": ("--form", "magnesium form taken, placebo, or none (no magnesium that night; with "
             "--replace it clears a dose already logged or planned for the night)"),
    "elemental_mg": ("--mg", "elemental magnesium that day, mg"),
    "compound_mg": ("--compound-mg", "or: mg of the compound (converted by the form)"),
    "split": ("--split", "dose split over two intakes, 0 or 1"),
    "sol_min": ("--sol", "minutes to fall asleep"),
    "awakenings": ("--awakenings", "awakenings, not counting the final one"),
    "waso_min": ("--waso", "minutes awake after falling asleep"),
    "quality": ("--quality", "sleep quality, 1 very poor to 5 very good"),
    "freshness": ("--freshness", "morning freshness, 1-10"),
    "anxiety": ("--anxiety", "evening anxiety, 0 (none) to 10 (the worst)"),
    "stool_bristol": ("--stool", "Bristol stool form, 1-7"),
    "gi_upset": ("--gi-upset", "GI upset that day, 0 or 1"),
    "caffeine_late": ("--caffeine-late", "caffeine after 14:00, 0 or 1"),
    "alcohol_drinks": ("--alcohol", "drinks that evening"),
    "notes": ("--notes", "free text"),
    "device": ("--device", "what measured the night's sleep (self-report, oura, ...; not asked)"),
}
"""Diary column -> (option, help); the order of the interactive questions."""

NOT_NUMBERS = frozenset({"-nan", "+nan", "#n/a", "null"})
"""Spellings of no number refused as a value, beside the diary reader's blanks
(:data:`model.data.diary_rows.MISSING_WORDS`: a ``--sol nan`` was written and then read as a
night not recorded, without a word)."""

REGIMEN: tuple[str, ...] = ("form", "elemental_mg", "split")
"""Fields whose default, when asked, is the diary's last night."""

EVENING = dt.time(18)
"""From this hour a log without ``--date`` may be tonight's (:func:`default_night`)."""
_ONE_DAY = dt.timedelta(days=1)


def add_parser(subparsers: Any) -> None:
    """Register ``mgsleep log``."""
    parser = subparsers.add_parser(
        "log", help="add or correct one night of your diary",
        description="Add one night to a diary, or fill the blank values of a night already "
        "there (an imported tracker night gains its dose and ratings); with --replace, also "
        "correct values it has. A new night given no form or dose takes the previous night's "
        "(the output says so; --form none records a night without magnesium). The night is "
        "checked like the diary reader checks it; on any fault nothing is written. The "
        "previous file is kept as DIARY.csv.bak. Without value options on a terminal (or with "
        "--interactive) each field is asked in turn.")
    parser.add_argument("diary", metavar="DIARY.csv", help="the diary (created if missing)")
    parser.add_argument("--date", metavar="YYYY-MM-DD",
                        help="the night (the date it began). Default: last night; from 18:00, "
                        "tonight when only evening values are given (form, dose, split, "
                        "anxiety, GI upset, caffeine, alcohol), last night when only the "
                        "night's sleep (sol, awakenings, waso, quality, freshness, stool); "
                        "both, or notes alone, need --date")
    for column, (option, text) in FIELDS.items():
        parser.add_argument(option, dest=column, metavar="VALUE", help=text)
    parser.add_argument("--replace", action="store_true",
                        help="let the given values replace those a night already has")
    parser.add_argument("-i", "--interactive", action="store_true",
                        help="ask for each field, even when standard input is not a terminal")
    add_profile_options(parser)
    parser.set_defaults(handler=run)


def ask_night(ask: Callable[[str], str], night: dt.date, defaults: dict[str, str],
              comma: bool = False) -> dict[str, str]:
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
    comma : bool
        A decimal comma is an answer (the diary is separated by ``;`` or a tab).

    Returns
    -------
    dict of str to str
        ``date`` and the non-empty answers.

    """
    shown = f" [{night}]"
    answers = {"date": _answer(ask, f"night (date it began){shown}", f"night{shown}",
                               str(night), _date_problem)}
    for column, (_, text) in list(FIELDS.items())[:-1]:     # not the device
        default = defaults.get(column, "") if answers.get("form", "x") else ""
        if column == "form" and default:
            text = f"magnesium form taken (Enter keeps {default}; none = no magnesium; placebo)"
        shown = f" [{default}]" if default else ""
        answer = _answer(ask, f"{column}: {text}{shown}", f"{column}{shown}", default,
                         partial(_field_problem, column, comma))
        if column == "form" and answer.lower() == "none":
            answer = answers["form"] = ""
        if answer:
            answers[column] = answer
    return answers


def _answer(ask: Callable[[str], str], prompt: str, again: str, default: str,
            problem: Callable[[str], str | None]) -> str:
    """One answer, asked ``again`` (with the ``problem``) until it reads; Enter: ``default``."""
    answer = ask(f"{prompt}: ").strip() or default
    while answer and answer != default and (said := problem(answer)) is not None:
        answer = ask(f"  {said}; again: {again}: ").strip() or default
    return answer


def _field_problem(column: str, comma: bool, typed: str) -> str | None:
    """Why an answer cannot be logged in ``column`` (None: it reads, or it is ``none``)."""
    from model.data.logged_night import value_problem

    return None if typed.lower() == "none" else value_problem(column, typed, comma)


def _date_problem(text: str) -> str | None:
    """Why ``text`` is no night's date (None: it is one), as ``--date`` would say it."""
    try:
        parse_date(text, "date")
    except InputError as error:
        return error.faults[0].message
    return None


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
    """Build the night, merge it, check, back up and write.

    The night is merged and checked before the diary's lock is taken, so that a fault leaves
    no folder or lock file behind; it is merged again under the lock (another writer may have
    changed the diary meanwhile) and written.
    """
    from model.data.merge import check_rows, read_rows
    from model.data.profile import load_profile
    from model.data.separators import decimal_comma, separator

    path = Path(args.diary)
    profile = load_profile(args.profile, allow_unknown=args.allow_unknown) \
        if args.profile else None     # its faults before anything is written
    comma = path.exists() and decimal_comma(separator(path))
    night = parse_date(args.date, "--date") if args.date else None
    values = _given(args)
    asked = not values and (args.interactive or sys.stdin.isatty())
    if asked:
        values = ask_night(_prompt, night or now().date() - _ONE_DAY,
                           last_regimen(read_rows(path) if path.exists() else None), comma)
        night = parse_date(values.pop("date"), "date")
    if not values:
        raise InputError([Fault("options", "", "expected at least one value (--sol, "
                                "--quality, ...), or run it on a terminal to be asked")])
    values = checked_values(values, comma)
    night, why = (night, "") if night is not None else default_night(values, now())
    first = merged_night(path, night, values, args.replace, carry=not asked)
    if first.changed:
        check_rows(first.rows, path, first.sources)
    with exclusive(path):   # read, merge and write with no other writer in between
        written = _write_night(path, night, values, args.replace, carry=not asked, why=why)
    watch_night(path, night, values, profile)
    return written


def now() -> dt.datetime:
    """The local date and time (a test sets its own clock here)."""
    return dt.datetime.now()


def default_night(values: dict[str, str], at: dt.datetime) -> tuple[dt.date, str]:
    """The night a log without ``--date`` at ``at`` is for, and why (said when written).

    Before :data:`EVENING` it is last night (a night owl's 01:30 too: a night is dated by
    the evening it began). From then, values known in the evening (the dose, evening
    anxiety, the day's GI upset, caffeine, alcohol) are tonight's and the night's sleep
    (:data:`~model.cli.night_warnings.MORNING_FIELDS`) is last night's: a dose logged at 23:00
    went into last night's row, which had none, without a word (an outside audit).

    Raises
    ------
    InputError
        From :data:`EVENING`, for values of both nights, or notes alone: naming both dates.
    """
    today = at.date()
    last_night = today - _ONE_DAY
    if at.time() < EVENING:
        return last_night, "no --date: last night"
    morning = [FIELDS[c][0] for c in values if c in MORNING_FIELDS]
    evening = [FIELDS[c][0] for c in values
               if c not in MORNING_FIELDS and c not in ("notes", "device")]
    if evening and not morning:
        return today, f"no --date: tonight, as {', '.join(evening)} after {EVENING:%H:%M}"
    if morning and not evening:
        return last_night, "no --date: last night"
    said = (f"{', '.join(evening)} would be tonight's and {', '.join(morning)} last night's"
            if evening else "--notes alone may be either night's")
    raise InputError([Fault("--date", "", f"expected --date {today} (tonight) or --date "
                            f"{last_night} (last night): after {EVENING:%H:%M}, {said}; log "
                            "each night with its own --date")])


def checked_values(values: dict[str, str], comma: bool) -> dict[str, str]:
    """The given values as typed (UTF-8), numbers in the diary's canonical form.

    Raises
    ------
    InputError
        Naming the option of each value that is not UTF-8, a blank spelt as a number
        (``nan``), or not a plain decimal number (``1_0``, ``1e2``, ``1.000`` with a
        thousands separator).

    """
    from model.data.diary_rows import MISSING_WORDS
    from model.data.logged_night import TEXT_FIELDS, grouped_problem, not_plain, plain_number

    values = {c: as_typed(v) for c, v in values.items()}
    if unreadable := undecoded(values, {c: option for c, (option, _) in FIELDS.items()}):
        raise InputError(unreadable)
    faults, plain = [], {}
    for column, value in values.items():
        option = FIELDS[column][0]
        if column in TEXT_FIELDS:
            plain[column] = value
        elif value.strip().lower() in MISSING_WORDS | NOT_NUMBERS:
            faults.append(Fault(option, "", f"expected a number, got {value!r}: leave the "
                                "option out for a value not recorded"))
        elif grouped := grouped_problem(value, comma):
            faults.append(Fault(option, "", grouped))
        elif (number := plain_number(value, comma)) is None:
            faults.append(Fault(option, "", not_plain(value, comma)))
        else:
            plain[column] = number
    if faults:
        raise InputError(faults)
    return plain


DOSE_CELLS: tuple[str, ...] = ("elemental_mg", "compound_mg", "split")
"""The cells a night without magnesium (form none or placebo) sets to 0 when they hold more."""


def without_magnesium(values: dict[str, str], row: pd.Series) -> dict[str, str]:
    """``values`` for a night already in the diary, its dose cleared when the form is none.

    ``--form none`` (or blank, or ``placebo``) on a night with a dose logged or planned
    records that no magnesium was taken: its dose cells are set to 0 (a blank form cannot
    replace one, so ``none`` is written for it). A dose given as well is kept, and refused
    by the reader.
    """
    from model.core.forms import NONE, PLACEBO, canonical_form
    from model.data.diary_rows import MISSING_WORDS
    from model.data.logged_night import plain_number

    form = values.get("form")
    if form is None or canonical_form(form) not in (NONE, PLACEBO):
        return values
    held = [c for c in DOSE_CELLS if c not in values and c in row.index
            and str(row[c]).strip().lower() not in MISSING_WORDS
            and plain_number(str(row[c])) != "0"]
    return values | {"form": form.strip() or NONE} | dict.fromkeys(held, "0")


@dataclass(frozen=True)
class MergedNight:
    """One night merged into the diary's rows, not written yet.

    Parameters
    ----------
    rows : pandas.DataFrame
        The diary with the night.
    report : MergeReport
    present : bool
        The night was in the diary already.
    sources : tuple of Source
        The diary as it was, which names a fault of its own rows.
    carried : Carried, optional
        The form and dose the new night took from the night before it.
    far : str, optional
        What to say of a night far from the diary's others
        (:func:`~model.data.logged_night.far_from_diary`).
    """

    rows: pd.DataFrame
    report: MergeReport
    present: bool
    sources: tuple[Source, ...]
    carried: Carried | None = None
    far: str | None = None

    @property
    def changed(self) -> bool:
        """Whether the diary gains or changes anything."""
        return not self.present or bool(self.report.differences or self.report.filled)


def merged_night(path: Path, night: dt.date, values: dict[str, str],
                 replace: bool, carry: bool = False) -> MergedNight:
    """Merge one night into the diary at ``path`` (nothing written).

    With ``carry``, a new night given no form or dose takes the previous night's
    (:func:`~model.data.logged_night.carried_regimen`).

    Raises
    ------
    InputError
        When the night has other values than those given and ``replace`` is False.

    """
    import pandas as pd

    from model.data.logged_night import CARRIED, carried_regimen, far_from_diary
    from model.data.merge import Source, merge_rows, read_rows

    rows = read_rows(path) if path.exists() else None
    dates = [] if rows is None else [d.strip() for d in rows["date"]]
    present = night.isoformat() in dates
    carried = None if present or not carry or set(values) & set(CARRIED) else \
        carried_regimen(rows, night)
    values = values | (carried.cells if carried else {})
    if rows is not None and present:
        values = without_magnesium(values, rows.iloc[dates.index(night.isoformat())])
        values = keeping_pot_code(values, str(rows.iloc[dates.index(night.isoformat())]
                                              .get("notes", "")))
    merged, report = merge_rows(rows, pd.DataFrame([{"date": night.isoformat()} | values]),
                                overwrite=replace)
    if report.differences and not replace:
        row = dates.index(night.isoformat()) + 1
        raise InputError([Fault(str(path), f"row {row}, column {d.column}",
                                f"night {night} already has {d.diary}, got {d.new}: add "
                                f"--replace to {_replacing(values, d.column)}")
                          for d in report.differences])
    sources = () if rows is None else (Source(f"{path} (not written)", rows),)
    return MergedNight(merged, report, present, sources, carried,
                       far_from_diary(night, dates, now().date()))


def keeping_pot_code(values: dict[str, str], notes: str) -> dict[str, str]:
    """``values`` whose new ``notes`` keep the pot code and plan tag the night's notes begin with.

    A blinded night's code is how ``mgsleep unblind`` knows the pot: ``--notes "took it late"
    --replace`` wiped ``code C (plan 710592b0)`` (a blinded trial's audit); it now gives
    ``code C (plan 710592b0) took it late``.
    """
    from model.data.diary import CODE_NOTE
    from model.trial.blinding import PLAN_TAG

    tag = PLAN_TAG.search(notes) if CODE_NOTE.match(notes) else None
    new = values.get("notes")
    if tag is None or new is None or CODE_NOTE.match(new):
        return values
    return values | {"notes": f"{notes[:tag.end()].strip()} {new.strip()}".strip()}


def _replacing(values: dict[str, str], column: str) -> str:
    """What ``--replace`` does to a night's ``column``: correct it, or clear its dose."""
    from model.core.forms import NONE, PLACEBO, canonical_form

    form = canonical_form(values["form"]) if "form" in values else None
    if form not in (NONE, PLACEBO) or column not in ("form", *DOSE_CELLS):
        return "correct it"
    night = "that no magnesium was taken" if form == NONE else "a placebo night"
    return f"record {night} (its dose is cleared)"


def _write_night(path: Path, night: dt.date, values: dict[str, str], replace: bool,
                 carry: bool = False, why: str = "") -> int:
    """Merge one night into the diary at ``path`` and write it (the caller holds the lock).

    ``carry``: as :func:`merged_night`; ``why``: how the night was chosen, said with it.
    """
    from model.data.merge import write_diary

    done = merged_night(path, night, values, replace, carry)
    said = f" ({why})" if why else ""
    if not done.changed:
        print(f"{path}: night {night}{said} unchanged (it already has these values)")
        return 0
    warn_unusual(night, values)
    warn_pot_form(night, values, done.rows)
    if done.far:
        warnings.warn(done.far, stacklevel=2)
    backup = write_diary(done.rows, path, done.sources)
    done_word = ("corrected" if done.report.differences else "completed" if done.present
                 else "added")
    print(f"{path}: night {night}{said} {done_word}"
          + (f" (previous version: {backup})" if backup else ""))
    if done.carried:
        print(f"{path}: form and dose carried over from {done.carried.night}: "
              f"{done.carried.words}; if you took none that night: mgsleep log {path} --date "
              f"{night} --form none --replace")
    return 0
