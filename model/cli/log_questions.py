"""``mgsleep log``'s fields and its questions: each field asked in turn, checked as it is typed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial
from typing import Any

from model.cli.options import parse_date
from model.core.errors import Fault, InputError
from model.core.outcomes import scale_words

FIELDS: dict[str, tuple[str, str]] = {
    "form": ("--form", "magnesium form taken, placebo, or none (no magnesium that night; with "
             "--replace it clears a dose already logged or planned for the night)"),
    "elemental_mg": ("--mg", "elemental magnesium that day, mg"),
    "compound_mg": ("--compound-mg", "or: mg of the compound (converted by the form)"),
    "split": ("--split", "dose split over two intakes, 0 or 1"),
    "sol_min": ("--sol", "minutes to fall asleep"),
    "awakenings": ("--awakenings", "awakenings, not counting the final one"),
    "waso_min": ("--waso", "minutes awake after falling asleep"),
    "quality": ("--quality", scale_words("quality")),
    "freshness": ("--freshness", scale_words("freshness")),
    "anxiety": ("--anxiety", scale_words("anxiety")),
    "stool_bristol": ("--stool", "Bristol stool form, 1-7"),
    "gi_upset": ("--gi-upset", "GI upset that day, 0 or 1"),
    "caffeine_late": ("--caffeine-late", "caffeine after 14:00, 0 or 1"),
    "alcohol_drinks": ("--alcohol", "drinks that evening"),
    "notes": ("--notes", "free text"),
    "device": ("--device", "what measured the night's sleep (self-report, oura, ...; not asked)"),
    "other_change": ("--other-change", "something else that changed this night (started "
                     "sertraline 50 mg, stopped melatonin, started CBT-I; not asked)"),
    "exclude": ("--exclude", "leave this night's sleep out: 1, or why (travel, ill; not asked)"),
}
"""Diary column -> (option, help); the order of the interactive questions."""

NOT_ASKED = frozenset({"device", "other_change", "exclude"})
"""Fields given only as options, never asked (:func:`ask_night`); neither evening nor morning
values (:func:`model.cli.log.default_night`)."""

REGIMEN: tuple[str, ...] = ("form", "elemental_mg", "split")
"""Fields whose default, when asked, is the diary's last night."""


def ask_night(ask: Callable[[str], str], night: dt.date, defaults: dict[str, str],
              comma: bool = False) -> dict[str, str]:
    """Ask for the night and each field in turn; an empty answer takes the default.

    An answer the diary reader would refuse (``11pm`` for minutes) is asked again at once,
    with the reason, instead of failing the whole night at the end.

    The form's default is the last night's: Enter keeps it, ``none`` records a night without
    magnesium (and then no dose is carried over). A dose under 25 mg is asked again, and kept
    when typed again (:func:`_field_problem`).

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
    typed_twice: set[str] = set()
    for column, (_, text) in ((c, f) for c, f in FIELDS.items() if c not in NOT_ASKED):
        default = defaults.get(column, "") if answers.get("form", "x") else ""
        if column == "form" and default:
            text = f"magnesium form taken (Enter keeps {default}; none = no magnesium; placebo)"
        shown = f" [{default}]" if default else ""
        answer = _answer(ask, f"{column}: {text}{shown}", f"{column}{shown}", default,
                         partial(_field_problem, column, comma, typed_twice))
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


def last_regimen(rows: Any) -> dict[str, str]:
    """The form, dose and split of the diary's last night (empty without a diary)."""
    if rows is None or not len(rows):
        return {}
    last = rows.iloc[-1]
    return {c: str(last[c]) for c in REGIMEN if c in rows.columns and str(last[c]).strip()}


def prompt(text: str) -> str:
    """``input``; the end of standard input before every field is an error, nothing written."""
    try:
        return input(text)
    except EOFError:
        raise InputError([Fault("<standard input>", "", "input ended before every field was "
                                "answered; nothing written")]) from None
