"""The iCalendar (RFC 5545) file of a trial plan: one all-day event per period."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence

from model.trial.periods import Period


def ics_calendar(periods: Sequence[Period], dose_mg: float, identity: bytes) -> str:
    """Return an iCalendar text: one all-day event per period, from its change.

    ``DTSTAMP`` is the first period's first night (00:00 UTC) so that the same plan always
    gives the same file; ``UID`` is derived from ``identity`` (the plan's content).

    Parameters
    ----------
    periods : sequence of Period
        The schedule, consecutive.
    dose_mg : float
        The plan's target dose (for the words of a blinded period).
    identity : bytes
        Content that identifies the plan (hashed into the events' ``UID``).

    Returns
    -------
    str
        The calendar, CRLF line endings, lines folded at 75 octets.

    """
    digest = hashlib.sha256(identity)
    uid, stamp = digest.hexdigest()[:16], f"{periods[0].start:%Y%m%d}T000000Z"
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//mgsleep//trial plan//EN",
             "CALSCALE:GREGORIAN", "METHOD:PUBLISH"]
    for index, period in enumerate(periods, start=1):
        what = period.describe(dose_mg)
        lines += ["BEGIN:VEVENT", f"UID:{uid}-{index}@mgsleep", f"DTSTAMP:{stamp}",
                  f"DTSTART;VALUE=DATE:{period.start:%Y%m%d}",
                  f"DTEND;VALUE=DATE:{period.end + dt.timedelta(days=1):%Y%m%d}",
                  f"SUMMARY:{_ics_text(f'mgsleep: {what}')}",
                  "DESCRIPTION:" + _ics_text(
                      f"Period {index} of {len(periods)}: {what}, {period.nights} "
                      f"nights ({period.start} to {period.end}). Keep the diary every "
                      "night."),
                  "TRANSP:TRANSPARENT", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "".join(_ics_fold(line) + "\r\n" for line in lines)


def _ics_text(text: str) -> str:
    """Escape a TEXT value (RFC 5545 3.3.11)."""
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\n", "\\n"))


def _ics_fold(line: str, limit: int = 75) -> str:
    """Fold a content line at ``limit`` octets (RFC 5545 3.1), never inside a character."""
    parts: list[str] = []
    current = ""
    for char in line:
        budget = limit if not parts else limit - 1
        if len((current + char).encode()) > budget:
            parts.append(current)
            current = ""
        current += char
    return "\r\n ".join([*parts, current])
