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
from model.core.regimen import LEAST_PRODUCT_MG
from model.data.yes_no import NO_WORDS, YES_WORDS

if TYPE_CHECKING:
    import pandas as pd

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
    "day_sleep": ("--day-sleep", "the night's sleep was a day sleep after a night shift (dated "
                  "by the night the shift began), 1 yes or 0 no (asked once the diary has "
                  "its column)"),
    "menstruation": ("--menstruation", "a day of your period (bleeding) on the night's date, "
                     "1 yes or 0 no (asked once the diary has a 1 in this column)"),
    "notes": ("--notes", "notes, free text"),
    "device": ("--device", "what measured the night's sleep (self-report, oura, ...; not asked)"),
    "other_change": ("--other-change", "something else that changed this night (started "
                     "sertraline 50 mg, stopped melatonin, started CBT-I; not asked)"),
    "exclude": ("--exclude", "leave this night's sleep out: 1, or why (travel, ill; not asked)"),
}
"""Diary column -> (option, help); the order of the interactive questions."""

NOT_ASKED = frozenset({"day_sleep", "device", "other_change", "exclude"})
"""Fields given only as options, not asked (:func:`ask_night`; ``day_sleep`` is, when the
diary has its column: a shift worker logging each morning was never asked it, /tmp/w54/s S11);
neither evening nor morning values (:func:`model.cli.log.default_night`)."""
ASKED_WITH_ITS_COLUMN = frozenset({"day_sleep", "menstruation"})
"""Fields asked only when the diary already has their column (:func:`asked_columns`).

``menstruation`` only when its column has a 1: a man, or a person who does not write their
periods down, is never asked (the cycle audit, /tmp/w56/cyc); it is an evening value of the
night, not of :data:`NOT_ASKED` (``--menstruation 1`` after 18:00 is tonight's)."""

YES_NO: dict[str, str] = {
    "split": "dose split over two intakes",
    "gi_upset": "upset stomach {day}",
    "caffeine_late": "caffeine after 14:00 {day}",
    "day_sleep": "a day sleep after a night shift begun {day}",
    "menstruation": "a day of your period (bleeding) {day}",
}
"""The 0/1 fields, asked as a question answered y or n (``{day}``: the night's day in words)."""

ANSWERS: dict[str, str] = {"1": "1", "0": "0", **dict.fromkeys(YES_WORDS, "1"),
                           **dict.fromkeys(NO_WORDS, "0")}
"""What a y/n question takes (any case), and the diary's value of each; so do the options of
0/1 columns (``--day-sleep yes`` was "expected a plain decimal number": /tmp/w54/s S10). The
words are the diary's own (:mod:`model.data.yes_no`), which its 0/1 columns read alike."""


def is_yes_no(column: str) -> bool:
    """Whether ``column`` holds 1 yes or 0 no (its diary range is 0 or 1).

    Imported here: the diary's columns import pandas, which ``mgsleep priors`` and ``--help``
    do not load.
    """
    from model.data.diary_columns import NUMERIC

    limits = NUMERIC.get(column)
    return limits is not None and limits.binary


def asked_columns(rows: pd.DataFrame | None) -> frozenset[str]:
    """The diary's columns, ``menstruation`` only when it holds a 1.

    (:func:`~model.data.cycle_nights.writes_cycle`.)
    """
    from model.data.cycle_nights import MENSTRUATION, writes_cycle

    if rows is None:
        return frozenset()
    return frozenset(str(c) for c in rows.columns if c != MENSTRUATION or writes_cycle(rows))


def ask_night(ask: Callable[[str], str], night: dt.date, today: dt.date,
              regimen: Callable[[dt.date], Carried | None], *, date_given: bool = False,
              comma: bool = False, columns: frozenset[str] = frozenset()) -> dict[str, str]:
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
    columns : frozenset of str
        The diary's columns (:func:`asked_columns`): a field of :data:`ASKED_WITH_ITS_COLUMN`
        among them is asked.

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
    asked = [c for c in FIELDS if (c in columns if c in ASKED_WITH_ITS_COLUMN else
                                   c not in NOT_ASKED) and (sleep or c not in MORNING_FIELDS)]
    for column in asked:
        kept = column == "form" or (carried is not None and canonical_form(
            answers.get("form", "")) == canonical_form(defaults["form"]))
        default = defaults.get(column, "") if kept else ""
        text = _question(column, night, today, carried, default)
        answer = _answer(ask, text, default, _yes_no_problem if column in YES_NO else
                         partial(_field_problem, column, comma, typed_twice,
                                 canonical_form(answers.get("form", ""))),
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


def _field_problem(column: str, comma: bool, typed_twice: set[str], form: str | None,
                   typed: str) -> str | None:
    """Why an answer cannot be logged in ``column`` (None: it reads, or it is ``none``).

    A dose to check (:func:`dose_question`: under
    :data:`~model.core.regimen.LEAST_PRODUCT_MG`, most likely capsules, grams or mmol; or,
    of ``form``, the answer before, its compound's weight) is asked again once: the same
    answer again keeps it. ``typed_twice``: the doses asked again so far. A dose typed with
    its unit (``200 mg``) is read as ``--mg '200 mg'`` is
    (:func:`~model.data.form_cells.unit_dropped`).
    """
    from model.data.form_cells import unit_dropped
    from model.data.logged_night import plain_number, value_problem

    typed = unit_dropped(column, typed)
    problem = None if typed.lower() == "none" else value_problem(column, typed, comma)
    if problem is not None or column != "elemental_mg" or typed in typed_twice:
        return problem
    typed_twice.add(typed)
    # asked, the answer is elemental mg (Enter keeps the default): the compound's on the line
    said = dose_question(form, float(plain_number(typed, comma) or "nan"),
                         "--compound-mg (on the command line)", "elemental mg here")
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


def dose_question(form: str | None, mg: float, compound: str, elemental: str) -> str | None:
    """What to ask of a dose given as elemental mg before it is logged (None: nothing).

    Under :data:`~model.core.regimen.LEAST_PRODUCT_MG` (:func:`~model.core.regimen.small_dose`:
    capsules, grams or mmol meant?), or, of a form, above the ceiling and within it as the
    compound's weight (:func:`~model.decision.compound_ceiling.compound_question`: ``--mg 1000`` of
    glycinate, a label's "Magnesium Glycinate 1000 mg", went in with a warning while ``--mg
    2`` was refused: a supplement-label reader's audit, /tmp/w47/C F2). ``compound`` and
    ``elemental`` name where each dose is given.
    """
    from model.core.forms import FORMS
    from model.core.regimen import Regimen, small_dose
    from model.decision.compound_ceiling import compound_question

    if (said := small_dose(mg)) is not None or form not in FORMS or not mg > 0:
        return said
    return compound_question(Regimen(str(form), mg), compound, elemental)


def check_dose(rows: pd.DataFrame, night: dt.date, values: dict[str, str],
               confirmed: tuple[bool, bool], asked: bool) -> None:
    """Refuse a dose to check (:func:`dose_question`) unless confirmed.

    ``--mg 2`` (two capsules, or 2 g) was logged as 2 mg of elemental magnesium, carried over
    to the nights after it and advised as "Continue glycinate, 2 mg" (an outside audit);
    ``--mg 1000`` of glycinate (its compound's weight) as 1000 mg, above the ceiling.
    ``confirmed``: ``--small-dose``, ``--large-dose``. Asked (``asked``), a dose was confirmed
    by typing it again (:func:`ask_night`); a compound dose is then only warned of.

    Raises
    ------
    InputError
        Naming the option, what it most likely is and the flag that confirms it.
    """
    import warnings

    from model.core.forms import FORMS, elemental_fractions

    given = next((c for c in DOSES if c in values), None)
    row = rows[rows["date"].astype(str).str.strip() == night.isoformat()]
    form = canonical_form(str(row["form"].iloc[0])) if "form" in row and len(row) else None
    if given is None or form not in FORMS or (asked and given == "elemental_mg"):
        return
    mg = float(values[given]) * (elemental_fractions()[form] if given == "compound_mg" else 1)
    said = dose_question(form, mg, FIELDS["compound_mg"][0], FIELDS["elemental_mg"][0])
    large = said is not None and not mg < LEAST_PRODUCT_MG
    # a compound's weight is not asked to be one: above the ceiling, log's warning says it
    if said is None or confirmed[large] or (large and given == "compound_mg"):
        return
    if given == "compound_mg":
        said = (f"{values[given]} mg of {form} is {mg:.3g} mg of elemental magnesium, less "
                f"than a supplement's dose (the smallest tablet in the evidence has 47 mg): "
                "elemental mg, or a count, written as the compound's mg? Write the mg the "
                "label gives")
    if asked:
        warnings.warn(f"night {night}: {said}", stacklevel=2)
        return
    flag = "--large-dose" if large else "--small-dose"
    raise InputError([Fault(FIELDS[given][0], "", f"{said}; if {mg:.4g} mg"
                            f"{' of elemental magnesium' * large} is right, add {flag}; "
                            "nothing written")])


DOSES = ("elemental_mg", "compound_mg")
"""The columns a dose is given in, the label's elemental mg first."""


def day_total(values: dict[str, str], rows: pd.DataFrame, night: dt.date) -> str:
    """That the night's dose is the day's total, said when it is logged again or split.

    ``log --mg 70`` morning and evening said "unchanged (it already has these values)" the
    second time, and ``--split 1`` then left 70 mg a day in two intakes for 140 mg taken (a
    supplement-label reader's audit, /tmp/w47/C F4): ``elemental_mg`` is the day's, so a
    second intake is the total given again with ``--split 1 --replace``. A dose in
    ``values`` is the one logged again; else, with ``--split 1``, the night's own in
    ``rows``. "": neither.
    """
    from model.data.diary_columns import is_missing

    row = rows[rows["date"].astype(str).str.strip() == night.isoformat()]
    given = next((c for c in DOSES if c in values), None)
    if given is not None:
        mg, said = float(values[given]), f"{given} is the day's total, not one intake's"
    elif values.get("split") == "1" and len(row):
        given = next((c for c in DOSES if c in row and not is_missing(row[c].iloc[0])), None)
        mg = float(row[given].iloc[0]) if given else 0.0
        said = f"{given} {mg:g} is the day's total, now in two intakes of {mg / 2:g} mg"
    if given is None:
        return ""
    return (f"{said}: to record a second intake the same day give the total, "
            f"{FIELDS[given][0]} {2 * mg:g} --split 1 --replace")
