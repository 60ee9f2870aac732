"""``mgsleep log``'s fields and its questions: each field asked in turn, checked as it is typed.

The questions are the person's words, not the diary's columns: a plain-language editor's
audit (/tmp/w46/D R1) found ``stool_bristol: Bristol stool form, 1-7`` with no anchors, ``GI
upset that day, 0 or 1``, the night asked although ``--date`` gave it, and tonight's sleep
asked and written, with its warning only after every value was typed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from model.cli.night_warnings import MORNING_FIELDS
from model.cli.options import parse_date
from model.core.errors import Fault, InputError
from model.core.forms import canonical_form
from model.core.outcomes import scale_words

if TYPE_CHECKING:
    from model.data.logged_night import Carried

STOOL_FORM = "stool form, Bristol 1 = hard lumps, 4 = smooth and soft, 7 = watery"
"""The Bristol scale with its anchors: a number alone said nothing to whom never saw the chart."""

FIELDS: dict[str, tuple[str, str]] = {
    "form": ("--form", "magnesium form taken, placebo, or none (no magnesium that night; with "
             "--replace it clears a dose already logged or planned for the night)"),
    "elemental_mg": ("--mg", "elemental magnesium that day, mg"),
    "compound_mg": ("--compound-mg", "or: mg of the compound (converted by the form)"),
    "split": ("--split", "dose split over two intakes, 1 yes or 0 no"),
    "sol_min": ("--sol", "minutes to fall asleep"),
    "awakenings": ("--awakenings", "awakenings, not counting the final one"),
    "waso_min": ("--waso", "minutes awake after falling asleep"),
    "quality": ("--quality", scale_words("quality")),
    "freshness": ("--freshness", scale_words("freshness")),
    "anxiety": ("--anxiety", scale_words("anxiety")),
    "stool_bristol": ("--stool", STOOL_FORM),
    "gi_upset": ("--gi-upset", "upset stomach that day, 1 yes or 0 no"),
    "caffeine_late": ("--caffeine-late", "caffeine after 14:00, 1 yes or 0 no"),
    "alcohol_drinks": ("--alcohol", "alcoholic drinks that evening"),
    "notes": ("--notes", "notes, free text"),
    "device": ("--device", "what measured the night's sleep (self-report, oura, ...; not asked)"),
    "other_change": ("--other-change", "something else that changed this night (started "
                     "sertraline 50 mg, stopped melatonin, started CBT-I; not asked)"),
    "exclude": ("--exclude", "leave this night's sleep out: 1, or why (travel, ill; not asked)"),
}
"""Diary column -> (option, help); the order of the interactive questions."""

NOT_ASKED = frozenset({"device", "other_change", "exclude"})
"""Fields given only as options, never asked (:func:`ask_night`); neither evening nor morning
values (:func:`model.cli.log.default_night`)."""

YES_NO: dict[str, str] = {
    "split": "dose split over two intakes",
    "gi_upset": "upset stomach {day}",
    "caffeine_late": "caffeine after 14:00 {day}",
}
"""The 0/1 fields, asked as a question answered y or n (``{day}``: the night's day in words)."""

ANSWERS: dict[str, str] = {"y": "1", "yes": "1", "1": "1", "n": "0", "no": "0", "0": "0"}
"""What a y/n question takes (any case), and the diary's value of each."""


def ask_night(ask: Callable[[str], str], night: dt.date, today: dt.date,
              regimen: Callable[[dt.date], Carried | None], *, date_given: bool = False,
              comma: bool = False) -> dict[str, str]:
    """Ask for the night (unless ``date_given``) and each field in turn.

    An answer the diary reader would refuse (``11pm`` for minutes) is asked again at once,
    with the reason, instead of failing the whole night at the end. Enter takes the default
    the question shows, or leaves the value blank.

    The night's sleep is not asked for a night after ``today``, nor for tonight's unless the
    person says so (:func:`_sleep_known`). The form's default is the regimen the diary has
    on the night before (:func:`~model.data.logged_night.carried_regimen`), said with its
    date: Enter keeps it, and its dose and split with it; another form is asked its own dose;
    ``none`` records a night without magnesium. A dose under 25 mg is asked again, and kept
    when typed again (:func:`_field_problem`).

    Parameters
    ----------
    ask : callable
        Shows a prompt and returns the answer (``input``).
    night : datetime.date
        The night (``--date``), or the default night.
    today : datetime.date
        The local date: the night's day is said from it (today, yesterday).
    regimen : callable
        The regimen a night carries over (None: no default form or dose).
    date_given : bool
        ``--date`` gave the night: it is not asked.
    comma : bool
        A decimal comma is an answer (the diary is separated by ``;`` or a tab).

    Returns
    -------
    dict of str to str
        ``date`` and the non-empty answers.

    """
    if not date_given:
        night = parse_date(_answer(ask, f"night (date it began) [{night}]", str(night),
                                   _date_problem), "date")
    answers = {"date": str(night)}
    sleep = _sleep_known(ask, night, today)
    carried = regimen(night)
    defaults = {c: _plain(v, comma) for c, v in carried.cells.items()} if carried else {}
    typed_twice: set[str] = set()
    for column in (c for c in FIELDS if c not in NOT_ASKED and (sleep or c not in MORNING_FIELDS)):
        kept = column == "form" or (carried is not None and canonical_form(
            answers.get("form", "")) == canonical_form(defaults["form"]))
        default = defaults.get(column, "") if kept else ""
        text = _question(column, night, today, carried, default)
        answer = _answer(ask, text, default, _yes_no_problem if column in YES_NO else
                         partial(_field_problem, column, comma, typed_twice),
                         ANSWERS if column in YES_NO else {})
        answers[column] = "" if column == "form" and answer.lower() == "none" else answer
    return {c: v for c, v in answers.items() if v}


def _question(column: str, night: dt.date, today: dt.date, carried: Carried | None,
              default: str) -> str:
    """The question for ``column``, with what Enter does when it keeps a default."""
    if column == "form":
        if carried is None:
            return "magnesium form taken (Enter or none: no magnesium; or placebo)"
        return (f"magnesium form taken (Enter: {carried.words}, as on {carried.night}; none: "
                "no magnesium; or another form, or placebo)")
    if column in YES_NO:
        day = {today: "today", today - dt.timedelta(days=1): "yesterday"}.get(night,
                                                                            f"on {night}")
        shown = {"1": " [y]", "0": " [n]"}.get(default, "")
        return f"{YES_NO[column].format(day=day)}? (y/n){shown}"
    text = FIELDS[column][1]
    if column == "compound_mg":
        text = "or, as on the label, mg of the compound instead" + " (Enter: none)" * (not default)
    if column == "stool_bristol":
        from model.evidence.floor import bundled_safety

        text += f"; {bundled_safety().gi_constraint.loose_bristol} or more counts as loose"
    return text + (f" [{default}]" if default else "")


def _sleep_known(ask: Callable[[str], str], night: dt.date, today: dt.date) -> bool:
    """Whether the night's sleep is asked: known (a night before today), or said to be.

    Tonight's is asked only when the person says so, before any of it is typed: the warning
    that it is not known yet came after every value, and the night was written anyway (a
    plain-language editor's audit). A night after today is a plan's: never its sleep.
    """
    if night < today:
        return True
    said = (f"night {night} is {'tonight' if night == today else 'after today'}, so its sleep "
            f"is not known yet: a night is dated by the evening it begins (last night was "
            f"{today - dt.timedelta(days=1)})")
    if night > today:
        print(f"{said}; only its evening values are asked")
        return False
    return _answer(ask, f"{said}. Log its sleep anyway? (y/n; Enter: n, only tonight's dose and "
                   "evening)", "0", _yes_no_problem, ANSWERS) == "1"


def _answer(ask: Callable[[str], str], question: str, default: str,
            problem: Callable[[str], str | None], words: dict[str, str] | None = None) -> str:
    """One answer, asked again (with the ``problem``) until it reads; Enter: ``default``.

    ``words``: what an answer stands for (:data:`ANSWERS`: ``y`` is ``1``), in any case.
    """
    answer = ask(f"{question}: ").strip() or default
    while True:
        answer = (words or {}).get(answer.lower(), answer)
        if not answer or answer == default or (said := problem(answer)) is None:
            return answer
        answer = ask(f"  {said}; again: {question}: ").strip() or default


def _yes_no_problem(typed: str) -> str | None:
    """Why ``typed`` answers no y/n question (None: it does, read to ``1`` or ``0``)."""
    return None if typed in ("1", "0") else f"expected y or n, got {typed!r}"


def _plain(cell: str, comma: bool) -> str:
    """A carried cell as it is typed (``300`` for a diary's ``300.0``)."""
    from model.data.logged_night import plain_number

    return plain_number(cell, comma) or cell


def _field_problem(column: str, comma: bool, typed_twice: set[str], typed: str) -> str | None:
    """Why an answer cannot be logged in ``column`` (None: it reads, or it is ``none``).

    A dose under :data:`~model.core.regimen.LEAST_PRODUCT_MG` is asked again once (it is
    most likely capsules, grams or mmol): the same answer again keeps it. ``typed_twice``:
    the doses asked again so far.
    """
    from model.core.regimen import small_dose
    from model.data.logged_night import plain_number, value_problem

    problem = None if typed.lower() == "none" else value_problem(column, typed, comma)
    if problem is not None or column != "elemental_mg" or typed in typed_twice:
        return problem
    typed_twice.add(typed)
    said = small_dose(float(plain_number(typed, comma) or "nan"))
    return f"{said}; the same again keeps it" if said else None


def _date_problem(text: str) -> str | None:
    """Why ``text`` is no night's date (None: it is one), as ``--date`` would say it."""
    try:
        parse_date(text, "date")
    except InputError as error:
        return error.faults[0].message
    return None


def prompt(text: str) -> str:
    """``input``; the end of standard input before every field is an error, nothing written."""
    try:
        return input(text)
    except EOFError:
        raise InputError([Fault("<standard input>", "", "input ended before every field was "
                                "answered; nothing written")]) from None
