"""What an existing file at an output's path is: the kind that output writes, or another.

``analyze --json alex_diary.csv`` replaced a diary with JSON without a word (the couple
audit, 2026-12): outputs were refused only when they were an input of the same run.
:func:`not_its_kind` tells :func:`model.core.atomic.check_outputs` when an existing file is
not what the option writes, so it is not replaced; the daily re-run that replaces yesterday's
``report.html`` or JSON finds its own kind there and goes on.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

LARGEST_OWN_MB = 50
"""No output of mgsleep is larger (a report with its figures is about 1 MB): a larger file at
an output's path is not one it wrote."""


def _start(path: Path, size: int = 1024) -> bytes:
    with open(path, "rb") as handle:
        return handle.read(size).lstrip(b"\xef\xbb\xbf \t\r\n")


def _html(path: Path) -> bool:
    return _start(path).lower().startswith((b"<!doctype html", b"<html"))


def _pdf(path: Path) -> bool:
    return _start(path).startswith(b"%PDF-")


def _ics(path: Path) -> bool:
    return _start(path).upper().startswith(b"BEGIN:VCALENDAR")


def _json(path: Path) -> bool:
    """JSON, and not a sealed key of a blinded plan (``codes``, ``nights``, ``salt``)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError):
        return False
    return isinstance(data, list) or (isinstance(data, dict) and "salt" not in data
                                      and not {"codes", "nights"} <= set(data))


KINDS: dict[str, tuple[str, Callable[[Path], bool]]] = {
    "--json": ("JSON", _json), "--report": ("HTML", _html), "--clinician": ("HTML", _html),
    "--pdf": ("PDF", _pdf), "--ics": ("calendar (.ics)", _ics)}
"""Output option -> what it writes, and how to recognise a file of that kind."""


def not_its_kind(option: str, path: Path) -> str | None:
    """Why the existing file ``path`` must not be replaced by ``option``'s output, or None.

    Rule: an output of a kind in :data:`KINDS` replaces an existing file only when that file
    is empty or of the kind the option writes (HTML for ``--report`` and ``--clinician``,
    PDF for ``--pdf``, JSON other than a sealed key for ``--json``, a calendar for
    ``--ics``). A diary (CSV), a profile (TOML), a sealed key or anything else is refused.
    Options of another kind (a diary's ``--out``) have their own rules.
    """
    kind = KINDS.get(option)
    if kind is None or not path.is_file() or path.stat().st_size == 0:
        return None
    try:
        if path.stat().st_size <= LARGEST_OWN_MB * 2**20 and kind[1](path):
            return None
    except OSError:
        pass          # unreadable: not known to be an output of ours
    return (f"exists and is no {kind[0]} output of mgsleep (a diary, a profile, a key or "
            "another file of yours?): it is not replaced; give another file name, or remove "
            "it first")
