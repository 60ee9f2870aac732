"""A night logged into a diary's rows: its values, the regimen it carries, how far it lies.

``mgsleep log`` (:mod:`model.cli.log`) adds one night to the rows of
:func:`model.data.merge.read_rows` (text cells). A value is written as the diary writes
numbers (:func:`plain_number`), or refused saying why (:func:`value_problem`); ``--form
none`` on a night with a dose clears it (:func:`without_magnesium`). A new night
logged without a form or dose takes the previous night's (:func:`carried_regimen`), as the
interactive questions offer it: a blank form is a night without magnesium, and each
morning's ``log --sol 20 --quality 4`` recorded a break from it without a word (an outside
audit). A night far before the diary's first night or after its last is named
(:func:`far_from_diary`): last year's year typed in January left 352 nights empty without a
word.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

from model.core.forms import FORMS, NONE, PLACEBO, canonical_form
from model.core.regimen import Regimen
from model.data.diary_rows import MISSING_WORDS, cell_problem, is_missing
from model.data.night_dates import as_date
from model.data.separators import DECIMAL_COMMA, cell_number, mark_number, thousands

TEXT_FIELDS = frozenset({"form", "notes", "device", "other_change", "exclude"})
"""The fields that are not numbers."""

PLAIN_NUMBER = re.compile(r"^[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$")
"""A number as the diary writes one: digits and one decimal point (not ``1_0``, ``1e2``,
``0x10`` or ``inf``, which Python's ``float`` reads and a spreadsheet reads otherwise)."""


def plain_number(text: str, comma: bool = False) -> str | None:
    """``text`` in the diary's canonical form (``12``, ``12.5``), or None when it is not plain.

    A whole number is written without decimals and trailing zeros are dropped (``2.0`` ->
    ``2``, ``10.50`` -> ``10.5``); a decimal comma is read where ``comma`` (a ``;`` or tab
    diary, :func:`model.data.separators.decimal_comma`, whose writer turns it back).
    """
    text = text.strip()
    if comma:       # a ';' diary writes 12,5 (separators.DECIMAL_COMMA, as the reader reads)
        text = DECIMAL_COMMA.sub(r"\1.\2", text)
    if not PLAIN_NUMBER.match(text):
        return None
    number = Decimal(text)
    if number == number.to_integral_value():
        return str(int(number))
    return format(number.normalize(), "f")


def value_problem(column: str, text: str, comma: bool = False) -> str | None:
    """Why ``text`` cannot be logged in ``column``: not plain, or what the diary reader says."""
    if column in TEXT_FIELDS:
        return cell_problem(column, text)
    if grouped := grouped_problem(text, comma):
        return grouped
    plain = plain_number(text, comma)
    if plain is None:
        return cell_problem(column, text) or not_plain(text, comma)
    return cell_problem(column, plain)


def grouped_problem(text: str, comma: bool) -> str | None:
    """The fault of a number with a thousands separator (None without one).

    On a diary with decimal commas, ``--mg 1.000`` was stored as 1 mg and ``--sol 1.000`` as a
    minute, without a word (:func:`model.data.separators.thousands`).
    """
    plain = thousands(text, comma)
    return None if plain is None else (f"expected a plain number, got {text!r}, which looks "
                                       f"like a thousands separator: write {plain}")


def not_plain(text: str, comma: bool) -> str:
    """The fault of a value that is no plain decimal number."""
    return (f"expected a plain decimal number such as 12 or 12.5{' (or 12,5)' * comma}, got "
            f"{text!r}")


DOSE_CELLS: tuple[str, ...] = ("elemental_mg", "compound_mg", "split")
"""The cells a night without magnesium (form none or placebo) sets to 0 when they hold more."""


def without_magnesium(values: dict[str, str], row: pd.Series) -> dict[str, str]:
    """``values`` for a night already in the diary, its dose cleared when the form is none.

    ``--form none`` (or blank, or ``placebo``) on a night with a dose logged or planned
    records that no magnesium was taken: its dose cells are set to 0 (a blank form cannot
    replace one, so ``none`` is written for it). A dose given as well is kept, and refused
    by the reader.
    """
    form = values.get("form")
    if form is None or canonical_form(form) not in (NONE, PLACEBO):
        return values
    held = [c for c in DOSE_CELLS if c not in values and c in row.index
            and str(row[c]).strip().lower() not in MISSING_WORDS
            and plain_number(str(row[c])) != "0"]
    return values | {"form": form.strip() or NONE} | dict.fromkeys(held, "0")


CARRIED: tuple[str, ...] = ("form", "elemental_mg", "compound_mg", "split")
"""The cells of a regimen: carried over together; a night giving its form or dose gives its own,
and a split given alone is the carried regimen's (:func:`model.cli.log.merged_night`)."""

FAR_NIGHTS = 60
"""A night logged this many nights before today, and more than this many before a diary's
first night or after its last, is named in a warning (a year typed wrong), not refused (a
diary may resume after a break, or be filled in from notes)."""


@dataclass(frozen=True)
class Carried:
    """The regimen a new night takes over from the night before it.

    Parameters
    ----------
    night : str
        The date of the row it comes from (``YYYY-MM-DD``).
    cells : dict of str to str
        Its regimen's cells (:data:`CARRIED`, those it has), as the diary writes them.
    """

    night: str
    cells: dict[str, str]

    @property
    def words(self) -> str:
        """The regimen in words: ``glycinate 300 mg``, ``citrate 1500 mg of the compound``."""
        form = canonical_form(self.cells["form"]) or self.cells["form"]
        mg, compound = (cell_number(self.cells.get(c, "")) for c in ("elemental_mg",
                                                                        "compound_mg"))
        split = mark_number(self.cells.get("split", "")) == 1
        if form in FORMS and mg is None and compound is not None:
            return f"{form} {compound:g} mg of the compound" + " in two intakes" * split
        return Regimen(form, mg or 0.0, split and form in FORMS).words


def carried_regimen(rows: pd.DataFrame | None, night: dt.date) -> Carried | None:
    """The form and dose of the last row before ``night``, when it has a form (else None).

    ``rows``: the diary's text cells (``date`` and the columns it has). A row without a form,
    or with ``none``, carries nothing over: the night logged is without magnesium as well.
    """
    if rows is None or "form" not in rows.columns:
        return None
    dates = rows["date"].astype(str).str.strip()
    earlier = rows[dates < night.isoformat()].assign(day=dates).sort_values("day")
    if earlier.empty:
        return None
    last = earlier.iloc[-1]
    cells = {c: str(last[c]).strip() for c in CARRIED if c in rows.columns
             and not is_missing(last[c])}
    if canonical_form(cells.get("form", NONE)) in (None, NONE):
        return None
    return Carried(str(last["day"]), cells)


def far_from_diary(night: dt.date, dates: list[str], today: dt.date) -> str | None:
    """What to say of ``night`` when it leaves more than :data:`FAR_NIGHTS` nights empty.

    ``dates``: the diary's dates (``YYYY-MM-DD`` text; others are left to the reader's
    checks). None when the night lies within the diary or near its ends, or near ``today``:
    tonight's night after a long break is no typo, and a night after today is named by the
    log's own warning (or refused, with outcomes).
    """
    days = sorted(day for text in dates if (day := as_date(text)) is not None)
    if not days or (today - night).days < FAR_NIGHTS:
        return None
    if (empty := (days[0] - night).days - 1) > FAR_NIGHTS:
        where = f"before the diary's first night {days[0]}"
    elif (empty := (night - days[-1]).days - 1) > FAR_NIGHTS:
        where = f"after the diary's last night {days[-1]}"
    else:
        return None
    return f"night {night} leaves {empty} nights empty {where}: is the year right?"
