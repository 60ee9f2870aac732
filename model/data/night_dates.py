"""A night's date as a diary, a log or an import writes it: ``YYYY-MM-DD``, and nothing else.

A diary's night is the date it began, written ``YYYY-MM-DD``. Python's own readers take more
(``dt.datetime.fromisoformat`` reads ``20260302`` and ``2026-W10-1`` as midnight times, which an
importer then moved a night back), so a date is matched by :data:`DATE` first. A date in that
form that does not exist is named so (``2026-02-29``: 2026 is not a leap year)
(:func:`date_problem`). No pandas here: the command line's options may use it as they start.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import Any

MAX_SPAN_NIGHTS = 3650
"""The longest span from the first to the last night (ten years): the timeline has a row per
night, so a typo in a year (2206 for 2026) would otherwise build centuries of empty nights.
The most nights a simulation or a plan may have too (``mgsleep simulate --nights``): here,
without pandas, for the command line's options (two constants said it, a maintainer's
review)."""

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
"""A date as a diary writes it, ``YYYY-MM-DD`` (no time, no week date, no compact form)."""
TIMED = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
"""A date with a time of day (``2026-01-01 00:30``, as ``str`` gives a Timestamp): no
night's date, which is the day the night began."""


def as_date(value: Any, *, moment: bool = False) -> dt.date | None:
    """Return the date in a cell (YYYY-MM-DD text, a date or a Timestamp), or None.

    A date and time (a pandas Timestamp too) is a night's date only at midnight: a tracker's
    sleep onset after midnight (``2026-01-01 00:30``, or 23:30 of the day before once turned
    to UTC) was cut to its calendar date, a night late or early (an outside audit). With
    ``moment`` any time of day is read as its date: ``as_of = now``, the day a regimen began.
    """
    if isinstance(value, dt.datetime):      # a pandas Timestamp too
        return value.date() if moment or value.time() == dt.time() else None
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and DATE.match(value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def given_date(value: Any, name: str = "as_of") -> dt.date:
    """The date an API caller gave (a date, a date and time, or ``YYYY-MM-DD`` text).

    The one reader of such a date: ``dt.date.fromisoformat`` read ``20260801`` too, which
    every other reader refused (a maintainer's review).

    Raises
    ------
    ValueError
        Naming ``name`` and the value, when it is none of those.
    """
    day = as_date(value, moment=True)
    if day is None:
        raise ValueError(f"{name} must be a date (datetime.date or 'YYYY-MM-DD'), got "
                         f"{value!r}")
    return day


def date_problem(text: str, shown: str | None = None) -> str:
    """Why ``text`` is no night's date, for a fault: not ``YYYY-MM-DD``, or no such day.

    ``shown``: the value as the message quotes it (default ``repr(text)``). ``2026-02-29``
    was only "expected a date YYYY-MM-DD", which it is in form (an outside audit): the
    message now says why there is no such day (2026 is not a leap year).
    """
    said = f"expected a date YYYY-MM-DD, got {shown or repr(text)}"
    if TIMED.match(text.strip()):
        return (f"{said}, a date with a time of day: a night is dated by the day it began "
                "(a sleep onset at 00:30 is the night before; after a night shift, a day sleep "
                "from 08:00 is the night the shift began); write that date alone")
    if not DATE.match(text.strip()):
        return said
    year, month, day = (int(part) for part in text.strip().split("-"))
    if not 1 <= month <= 12:
        why = f"there is no month {month}"
    elif day == 0:
        why = "there is no day 0"
    elif month == 2 and day == 29:
        why = f"{year} is not a leap year"
    else:
        why = f"{calendar.month_name[month]} {year} has {calendar.monthrange(year, month)[1]} days"
    return f"{said}, which is no day: {why}"
