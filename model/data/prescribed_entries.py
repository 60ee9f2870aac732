"""A medicine entry marked prescribed (``"magnesium glycinate 400 mg (prescribed by GP)"``).

Read before the profile's fields are checked (:func:`prescribed_of`), as the other entries'
facts are (:mod:`model.data.profile_entries`).
"""

from __future__ import annotations

import re
import warnings

from model.data.profile_entries import ProfileWarning
from model.evidence.floor import bundled_safety
from model.evidence.names import NameIndex
from model.evidence.schema import Safety

PRESCRIBED_TEXT = re.compile(
    r"\s*(?:[(\[]\s*(?:prescribed|on\s+prescription|rx)\b[^)\]]*[)\]]"
    r"|[,;:-]?\s*\b(?:prescribed(?:\s+by\s+.*)?|on\s+prescription)\s*$)", re.IGNORECASE)
"""A medicine entry's mark that it is prescribed: ``(prescribed by GP)``, ``[Rx]``, ``,
prescribed``, ``on prescription`` (:func:`prescribed_of`)."""


def prescribed_of(data: object, safety: Safety | None = None, file: str = "<profile>") -> object:
    """The raw profile with its medicine entries' prescribed marks read (:data:`PRESCRIBED_TEXT`).

    ``"magnesium glycinate 400 mg (prescribed by GP)"`` was refused as an unknown medicine, and
    nothing else could say that a magnesium is a treatment (a pharmacist's audit, 2026-12).
    Each mark is taken off its entry (the medicine's rules apply by its name); on a magnesium
    product it sets ``prescribed_magnesium = true``, with a warning
    (:mod:`model.decision.prescribed`: the magnesium is held as prescribed).
    """
    names = data.get("medications") if isinstance(data, dict) else None
    names = [names] if isinstance(names, str) else names
    if not isinstance(data, dict) or not isinstance(names, list | tuple):
        return data
    index = NameIndex.of(safety if safety is not None else bundled_safety())
    kept = [PRESCRIBED_TEXT.sub("", n) if isinstance(n, str) else n for n in names]
    marked = [name for name, entry in zip(kept, names, strict=True)
              if name != entry and index.match(name, "medicine") in index.magnesium]
    for name in marked:
        warnings.warn(f"{file}: key medications: {name!r} is marked prescribed: read as the "
                      "key prescribed_magnesium = true (a prescribed magnesium is kept as "
                      "prescribed, and changed only with its prescriber)", ProfileWarning,
                      stacklevel=4)
    return data | {"medications": kept} | ({"prescribed_magnesium": True} if marked else {})
