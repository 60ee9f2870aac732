"""An Apple Health export opened as a binary stream: its XML, or the ``export.zip`` holding it.

The Health app shares ``export.zip``; its export XML is read in place (:func:`opened`),
whatever the language names it (``exportar.xml``). A zip archive cut short (a download
stopped half-way: its directory, at the end, is missing) is said to be one, not read as XML
that is "not well-formed" (an outside audit).
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import IO

from model.core.errors import Fault, InputError
from model.core.input_files import open_input
from model.data.file_kinds import CUT_SHORT, cut_short_zip
from model.data.importers.common import few

STREAMED = 2**40
"""No size cap on an Apple Health XML, which is streamed (an export reaches several GB): only
a device, a folder or a FIFO no one writes to is refused (:func:`open_input`)."""


def is_export(name: str) -> bool:
    """Whether a zip member is the export's XML (atop the archive, not ``*_cda.xml``, no ``._``)."""
    parts = PurePosixPath(name).parts
    return (name.lower().endswith(".xml") and 0 < len(parts) <= 2 and parts[0] != "__MACOSX"
            and not parts[-1].startswith("._") and not parts[-1].lower().endswith("_cda.xml"))


@contextmanager
def opened(path: str | Path) -> Iterator[tuple[IO[bytes], int]]:
    """Open the export as a binary stream with its size.

    Either the export's XML or the ``export.zip`` the Health app shares (its export XML,
    :func:`is_export`, whatever its name, read without unpacking).

    Raises
    ------
    InputError
        A zip archive cut short, without an export XML, or with several (naming them).

    """
    if cut_short_zip(path):
        raise InputError([Fault(str(path), "", CUT_SHORT)])
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.infolist() if is_export(m.filename)]
            if len(members) != 1:
                found = [m.filename for m in members] or archive.namelist()
                raise InputError([Fault(str(path), "", (
                    "expected one export XML in the zip archive, found several (unzip it and "
                    "import the one you mean): " if members else "expected an export.xml in the"
                    " zip archive (or the XML the Health app names in your language, such as "
                    "exportar.xml), found: ") + few(found))])
            with archive.open(members[0]) as handle:
                yield handle, members[0].file_size
        return
    with open_input(path, "an Apple Health export", cap=STREAMED) as handle:
        yield handle, os.fstat(handle.fileno()).st_size
