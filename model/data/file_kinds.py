"""What a file is by its first bytes, to name a file of the wrong kind by its kind.

A zip archive given where a CSV or a JSON export is expected was refused as "not UTF-8 text:
save it as CSV UTF-8", a result JSON given as the diary as hundreds of rows with "too many
fields", and a zip archive cut short (a download stopped half-way) as "not well-formed XML"
(an outside audit). :func:`content_kind` recognises the kinds a person is likely to give by
mistake from a file's first bytes; :func:`wrong_kind` is the fault naming the file, what it
is and what it should be; :func:`cut_short_zip` a zip archive without its end (its directory
is at the end of the file, so a cut-short download always lacks it) and :func:`damaged_zip`
one whose data fails its check.
"""

from __future__ import annotations

import codecs
import zipfile
import zlib
from pathlib import Path

from model.core.errors import Fault

HEAD = 512
"""The bytes of a file looked at."""

ZIP, JSON, HTML, XML = "a zip archive", "JSON", "an HTML page", "XML"
"""The kinds :func:`content_kind` recognises, as a message names them."""

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
"""How a zip archive begins (a member, or the directory of an empty archive)."""

CUT_SHORT = "not a complete zip archive (cut short or damaged?): export it again"
"""The fault of a zip archive whose directory is missing or whose data is damaged."""


def head_of(path: str | Path) -> bytes:
    """The first :data:`HEAD` bytes of a regular file (empty when it cannot be read)."""
    try:
        if not Path(path).is_file():
            return b""
        with open(path, "rb") as handle:
            return handle.read(HEAD)
    except OSError:
        return b""


def content_kind(head: bytes) -> str | None:
    """The kind of a file beginning with ``head``: :data:`ZIP`, :data:`JSON`, ... or None.

    JSON is an object or a list (``{`` or ``[`` first, after a byte-order mark and blanks);
    HTML and XML begin with ``<``. None for anything else (a CSV, text, unknown bytes).
    """
    if head.startswith(ZIP_MAGIC):
        return ZIP
    text = head.removeprefix(codecs.BOM_UTF8).lstrip()
    if text[:1] in (b"{", b"["):
        return JSON
    lowered = text[:64].lower()
    if lowered.startswith((b"<!doctype html", b"<html")):
        return HTML
    return XML if text[:1] == b"<" else None


def wrong_kind(path: str | Path, expected: str, kinds: tuple[str, ...],
               fix: str = "") -> Fault | None:
    """The fault of a file that is one of ``kinds`` where ``expected`` is wanted, or None.

    Parameters
    ----------
    path : str or Path
        The file given.
    expected : str
        What it should be (``a CSV file``, ``a Fitbit sleep JSON file``).
    kinds : tuple of str
        The kinds refused (of :func:`content_kind`).
    fix : str
        What to do, said after the kinds (a zip archive's own fix comes first).

    Returns
    -------
    Fault or None

    """
    head = head_of(path)
    kind = content_kind(head)
    if kind not in kinds:
        return None
    if kind == ZIP and cut_short_zip(path):
        return Fault(str(path), "", CUT_SHORT)
    inside = f"; {zip_members(path)}" if kind == ZIP else ""
    return Fault(str(path), "", f"expected {expected}, got {kind}{inside}"
                 + (f"; {fix}" if fix and not inside else ""))


def cut_short_zip(path: str | Path) -> bool:
    """Whether a file begins as a zip archive but is not a complete one."""
    return head_of(path).startswith(ZIP_MAGIC) and not zipfile.is_zipfile(path)


def damaged_zip(path: str | Path) -> bool:
    """Whether a zip archive's data is damaged: a member fails its check (CRC) or to unpack.

    Read through every member: for the error path of a reader whose XML or JSON failed
    inside an archive (damaged data unpacks to garbage before its CRC is checked at the end).
    """
    try:
        with zipfile.ZipFile(path) as archive:
            return archive.testzip() is not None
    except (OSError, EOFError, zipfile.BadZipFile, zlib.error):
        return True


def zip_members(path: str | Path, shown: int = 3) -> str:
    """What to do with a zip archive: unzip it and import the files inside (the first named)."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if not n.endswith("/")]
    except (OSError, zipfile.BadZipFile):
        names = []
    if not names:
        return "unzip it and import the files inside"
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return f"unzip it and import the files inside ({', '.join(names[:shown])}{more})"
