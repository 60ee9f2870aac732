"""``mgsleep log``: add or correct one night of a diary, checked like the reader checks it."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from model.cli.log_questions import (
    ANSWERS,
    DOSES,
    FIELDS,
    NOT_ASKED,
    ask_night,
    asked_columns,
    check_dose,
    day_total,
    is_yes_no,
    prompt,
)
from model.cli.night_warnings import MORNING_FIELDS, warn_pot_form, warn_unusual, watch_night
from model.cli.options import add_profile_options, as_typed, parse_date, undecoded
from model.core.errors import PACKAGE_DIR, Fault, InputError
from model.core.input_files import not_regular
from model.core.lock import exclusive

if TYPE_CHECKING:
    import pandas as pd

    from model.data.logged_night import Carried
    from model.data.merge import MergeReport, Source
    from model.data.profile import Profile

NOT_NUMBERS = frozenset({"-nan", "+nan", "#n/a", "null"})
"""Spellings of no number refused as a value, beside the diary reader's blanks
(:data:`model.data.diary_rows.MISSING_WORDS`: a ``--sol nan`` was written and then read as a
night not recorded, without a word)."""

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
    parser.add_argument("--small-dose", action="store_true",
                        help="log an elemental dose under 25 mg as given (refused without it: "
                        "a count of capsules, grams or mmol written as mg is far more likely)")
    parser.add_argument("--large-dose", action="store_true",
                        help="log as given an elemental dose above the safety ceiling that, as "
                        "its form's compound weight, is within it (refused without it: a "
                        "label's compound weight, 1000 mg of glycinate for 141 mg, is likely)")
    add_profile_options(parser)
    parser.set_defaults(handler=run)


def _given(args: argparse.Namespace) -> dict[str, str]:
    return {c: str(getattr(args, c)) for c in FIELDS if getattr(args, c) is not None}


def run(args: argparse.Namespace) -> int:
    """Build the night, merge it, check, back up and write; warnings said as log's own.

    The night is merged and checked before the diary's lock is taken, so that a fault leaves
    no folder or lock file behind; it is merged again under the lock (another writer may have
    changed the diary meanwhile) and written.
    """
    from model.data.profile import load_profile
    from model.data.separators import decimal_comma, separator

    path = Path(args.diary)
    if path.exists() and (kind := not_regular(path.stat().st_mode)):
        raise InputError([Fault(str(path), "", f"is not a regular file but {kind}: expected "
                                "the diary's file, which mgsleep log writes back")])
    with said_by_log():
        profile = load_profile(args.profile, allow_unknown=args.allow_unknown) \
            if args.profile else None     # its faults before anything is written
        comma = path.exists() and decimal_comma(separator(path))
        night = parse_date(args.date, "--date") if args.date else None
        values = _given(args)
        asked = not values and (args.interactive or sys.stdin.isatty())
        if asked:
            values = _asked(path, night, comma)
            night = parse_date(values.pop("date"), "date")
        return _logged(path, night, values, args, profile, asked=asked, comma=comma)


def _asked(path: Path, night: dt.date | None, comma: bool) -> dict[str, str]:
    """The night's values, asked (:func:`~model.cli.log_questions.ask_night`) with ``date``.

    The default form and dose are those a new night carries over
    (:func:`~model.data.logged_night.carried_regimen`): the regimen of the night before the
    one asked, by date, not the file's last row.
    """
    from model.data.logged_night import carried_regimen
    from model.data.merge import read_rows

    rows = read_rows(path) if path.exists() else None
    today = now().date()
    return ask_night(prompt, night or today - _ONE_DAY, today,
                     lambda asked: carried_regimen(rows, asked), date_given=night is not None,
                     comma=comma, columns=asked_columns(rows))


def _logged(path: Path, night: dt.date | None, values: dict[str, str],
            args: argparse.Namespace, profile: Profile | None, *, asked: bool,
            comma: bool) -> int:
    """Check the values, merge, check the diary, write under its lock, and warn."""
    from model.data.merge import check_rows

    if not values:
        raise InputError([Fault("options", "", "expected at least one value (--sol, "
                                "--quality, ...), or run it on a terminal to be asked")])
    values = checked_values(values, comma)
    night, why = (night, "") if night is not None else default_night(values, now())
    first = merged_night(path, night, values, args.replace, carry=not asked)
    if first.changed:
        check_rows(first.rows, path, first.sources)
        check_dose(first.rows, night, values, (args.small_dose, args.large_dose), asked)
    with exclusive(path):   # read, merge and write with no other writer in between
        written = _write_night(path, night, values, args.replace, asked=asked, why=why)
    watch_night(path, night, values, profile)
    if profile is not None:
        watch_pots(path, profile)
    return written


@contextmanager
def said_by_log() -> Iterator[None]:
    """Print mgsleep's warnings as ``mgsleep log: warning: ...``, as other commands say theirs.

    Log's warnings were Python's plain ``UserWarning``: the command line's formatter printed
    "mgsleep: warning (UserWarning): night ... is tonight" (a plain-language editor's audit).
    A warning of mgsleep's own classes, or a plain one issued in the package, is said as
    ``plan``'s and ``unblind``'s are; a library's keeps its class. Only the formatter is
    replaced: a caller recording warnings (a test, a notebook) still gets them all.
    """
    previous = warnings.formatwarning

    def one_line(message: Warning | str, category: type[Warning], filename: str,
                 lineno: int, line: str | None = None) -> str:
        if category.__module__.split(".")[0] != "model" and not (
                category is UserWarning and filename.startswith(PACKAGE_DIR)):
            return previous(message, category, filename, lineno, line)
        return f"mgsleep log: warning: {' '.join(str(message).split())}\n"

    warnings.formatwarning = one_line
    try:
        yield
    finally:
        warnings.formatwarning = previous


def watch_pots(path: Path, profile: Profile) -> None:
    """Warn of what the profile's hard rules say of a blinded trial's pots, still sealed.

    :func:`model.analysis.blinded.pots_screened`, as ``analyze`` says it before refusing the
    diary: a pot night took no form, so a contraindication that came during the trial gave
    no word on any night logged (a clinic's audit). A diary that does not read says nothing
    here, as in :func:`~model.cli.night_warnings.watch_night`.
    """
    from model.analysis.blinded import pots_screened
    from model.core.errors import MgsleepError
    from model.data.diary import read_diary
    from model.evidence.floor import bundled_safety

    try:
        diary = read_diary(path, warn=False)
    except MgsleepError:
        return
    for fault in pots_screened(diary, profile, bundled_safety()):
        warnings.warn(str(fault), stacklevel=2)


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
        From :data:`EVENING`, for values of both nights, or only values of either (notes, a
        day sleep, a device, another change, an exclusion): naming both dates.
    """
    today = at.date()
    last_night = today - _ONE_DAY
    if at.time() < EVENING:
        return last_night, "no --date: last night"
    morning = [FIELDS[c][0] for c in values if c in MORNING_FIELDS]
    evening = [FIELDS[c][0] for c in values
               if c not in MORNING_FIELDS and c not in ("notes", *NOT_ASKED)]
    if evening and not morning:
        return today, f"no --date: tonight, as {', '.join(evening)} after {EVENING:%H:%M}"
    if morning and not evening:
        return last_night, "no --date: last night"
    either = [FIELDS[c][0] for c in values if c in ("notes", *NOT_ASKED)]
    said = (f"{', '.join(evening)} would be tonight's and {', '.join(morning)} last night's"
            if evening else f"{', '.join(either)} alone may be either night's")
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
        thousands separator); and a form the diary reader would refuse: ``--form 'Mg gly'``
        was blamed on "row 60, column form", a row the person never typed (/tmp/w57/n N10).
        A dose with its unit, ``--mg '200 mg'``, is 200
        (:func:`~model.data.form_cells.unit_dropped`).

    """
    from model.data.diary_rows import MISSING_WORDS, cell_problem
    from model.data.form_cells import unit_dropped
    from model.data.logged_night import TEXT_FIELDS, grouped_problem, not_plain, plain_number

    values = {c: as_typed(v) for c, v in values.items()}
    if unreadable := undecoded(values, {c: option for c, (option, _) in FIELDS.items()}):
        raise InputError(unreadable)
    faults, plain = [], {}
    for column, value in values.items():
        option, value = FIELDS[column][0], unit_dropped(column, value)
        if column == "form" and (problem := cell_problem(column, value)):
            faults.append(Fault(option, "", problem))
        elif column in TEXT_FIELDS:
            plain[column] = value
        elif is_yes_no(column) and value.strip().lower() in ANSWERS:
            plain[column] = ANSWERS[value.strip().lower()]
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
    order : str
        What to say of the rows' order, when the file's is not by date
        (:func:`~model.data.row_order.file_order`: it is kept).
    """

    rows: pd.DataFrame
    report: MergeReport
    present: bool
    sources: tuple[Source, ...]
    carried: Carried | None = None
    far: str | None = None
    order: str = ""

    @property
    def changed(self) -> bool:
        """Whether the diary gains or changes anything."""
        return not self.present or bool(self.report.differences or self.report.filled)


def merged_night(path: Path, night: dt.date, values: dict[str, str],
                 replace: bool, carry: bool = False) -> MergedNight:
    """Merge one night into the diary at ``path`` (nothing written).

    With ``carry``, a new night given no form or dose takes the previous night's
    (:func:`~model.data.logged_night.carried_regimen`), a split given alone with them: ``log
    --split yes`` recorded a night without magnesium (/tmp/w54/s2 N5).

    Raises
    ------
    InputError
        When the night has other values than those given and ``replace`` is False.

    """
    import pandas as pd

    from model.data.logged_night import CARRIED, carried_regimen, far_from_diary, without_magnesium
    from model.data.merge import Source, merge_rows, read_rows
    from model.data.row_order import file_order

    rows = read_rows(path) if path.exists() else None
    dates = [] if rows is None else [d.strip() for d in rows["date"]]
    present = night.isoformat() in dates
    carried = None if present or not carry or set(values) & (set(CARRIED) - {"split"}) else \
        carried_regimen(rows, night)
    values = (carried.cells if carried else {}) | values
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
    merged, order = file_order(merged, dates, night)
    return MergedNight(merged, report, present, sources, carried,
                       far_from_diary(night, dates, now().date()), order)


def keeping_pot_code(values: dict[str, str], notes: str) -> dict[str, str]:
    """``values`` whose new ``notes`` keep the pot code and plan tag the night's notes begin with.

    A blinded night's code is how ``mgsleep unblind`` knows the pot: ``--notes "took it late"
    --replace`` wiped ``code C (plan 710592b0)`` (a blinded trial's audit); it now gives
    ``code C (plan 710592b0) took it late``.
    """
    from model.data.pot_notes import CODE_NOTE, PLAN_TAG

    tag = PLAN_TAG.search(notes) if CODE_NOTE.match(notes) else None
    new = values.get("notes")
    if tag is None or new is None or CODE_NOTE.match(new):
        return values
    return values | {"notes": f"{notes[:tag.end()].strip()} {new.strip()}".strip()}


def _replacing(values: dict[str, str], column: str) -> str:
    """What ``--replace`` does to a night's ``column``: correct it, or clear its dose."""
    from model.core.forms import NONE, PLACEBO, canonical_form
    from model.data.logged_night import DOSE_CELLS

    form = canonical_form(values["form"]) if "form" in values else None
    if form not in (NONE, PLACEBO) or column not in ("form", *DOSE_CELLS):
        return "correct it"
    night = "that no magnesium was taken" if form == NONE else "a placebo night"
    return f"record {night} (its dose is cleared)"


def _write_night(path: Path, night: dt.date, values: dict[str, str], replace: bool,
                 asked: bool = False, why: str = "") -> int:
    """Merge one night into the diary at ``path`` and write it (the caller holds the lock).

    ``asked``: the values were asked, so none is carried over (:func:`merged_night`), and
    tonight's sleep was asked only when the person said it is known: not warned of again.
    ``why``: how the night was chosen, said with it.
    """
    from model.data.form_cells import as_needed_note
    from model.data.merge import write_diary
    from model.data.short_rows import padded_row_notes

    done = merged_night(path, night, values, replace, carry=not asked)
    said = f" ({why})" if why else ""
    if not done.changed:   # a second intake logged as the first was: the dose is the day's
        total = day_total(values, done.rows, night)
        print(f"{path}: night {night}{said} unchanged (it already has these values)"
              + (f"; {total}" if total else ""))
        return 0
    warn_unusual(night, {c: v for c, v in values.items() if not asked or c not in MORNING_FIELDS})
    warn_pot_form(night, values, done.rows)
    if note := as_needed_note(values.get("form")):   # glycinate (as needed): /tmp/w57/n N7
        warnings.warn(f"{'form' if asked else '--form'} {note}", stacklevel=2)
    if done.far:
        warnings.warn(done.far, stacklevel=2)
    padded = padded_row_notes(path) if path.exists() else []
    backup = write_diary(done.rows, path, done.sources)
    done_word = ("corrected" if done.report.differences else "completed" if done.present
                 else "added")
    print(f"{path}: night {night}{said} {done_word}"
          + (f" (previous version: {backup})" if backup else ""))
    if done.order:
        print(f"{path}: {done.order}")
    if "split" in values and not set(DOSES) & set(values) and (total := day_total(
            values, done.rows, night)):
        print(f"{path}: night {night}: {total}")
    for note in padded:
        warnings.warn(note, stacklevel=2)
    if done.carried:
        print(f"{path}: form and dose carried over from {done.carried.night}: "
              f"{done.carried.words}; if you took none that night: mgsleep log {path} --date "
              f"{night} --form none --replace")
    return 0
