"""How the entries a profile lists are read, before its fields are checked.

An entry naming several conditions or medicines is split into one entry per name
(:func:`split_entries`), and an eGFR written among the conditions is read as the eGFR, with
a warning (:func:`egfr_of_conditions`, :class:`ProfileWarning`).
"""

from __future__ import annotations

import warnings

from model.evidence.floor import bundled_safety
from model.evidence.names import SEPARATOR, Kind, NameIndex, egfr_written
from model.evidence.schema import Safety

EGFR_MAX = 250.0   # the largest egfr read, mL/min/1.73 m²


class ProfileWarning(UserWarning):
    """A profile value was changed to keep the person safe (e.g. a ceiling above the limit)."""


def written_name(name: str) -> str:
    """A name as written, spaces tidied (matched by :func:`~model.evidence.names.name_key`)."""
    return " ".join(name.split())


def split_entries(data: object, safety: Safety | None = None) -> object:
    """The raw profile with each condition or medicine entry that lists several names split.

    ``["digoxin, levothyroxine"]`` (or the string alone, not in a list) becomes
    ``["digoxin", "levothyroxine"]``, exactly as if written as two entries, so that each
    name's rules apply (joined into the one key ``digoxin_levothyroxine`` it was unknown, or
    taken as levothyroxine alone). An entry that is a known name as a whole stays whole
    (:meth:`model.evidence.names.NameIndex.split`).

    Parameters
    ----------
    data : object
        The raw profile (a TOML table); anything else is returned as it is.
    safety : Safety, optional
        Whose names are known as a whole (default: the bundled ``safety.toml``).

    Returns
    -------
    object
        ``data``, with the ``conditions`` and ``medications`` lists split.

    """
    if not isinstance(data, dict):
        return data
    data = data | {key: [value] for key in ("conditions", "medications")   # one name alone
                   if isinstance(value := data.get(key), str)}
    lists = {key: value for key in ("conditions", "medications")
             if isinstance(value := data.get(key), list | tuple)
             and any(isinstance(n, str) and SEPARATOR.search(n) for n in value)}
    if not lists:
        return data
    index = NameIndex.of(safety if safety is not None else bundled_safety())
    kinds: dict[str, Kind] = {"conditions": "condition", "medications": "medicine"}
    return data | {key: [part for name in names
                         for part in (index.split(name, kinds[key])
                                      if isinstance(name, str) else (name,))]
                   for key, names in lists.items()}


def egfr_of_conditions(data: object, file: str) -> object:
    """The raw profile with its eGFR the lowest of ``egfr`` and those written in conditions.

    ``["Stage 3 CKD, eGFR 28"]`` gave the unknown ``egfr_28`` (with ``--allow-unknown``, a dose
    below eGFR 30). Each eGFR read (:func:`model.evidence.names.egfr_written`) is warned of; its
    entry keeps what else it says (``"Stage 3 CKD"``), or is left out, or whole if out of range.
    """
    entries = data.get("conditions") if isinstance(data, dict) else None
    if not isinstance(data, dict) or not isinstance(entries, str | list | tuple):
        return data
    kept, read = [], []
    for entry in [entries] if isinstance(entries, str) else entries:
        values, rest = egfr_written(entry) if isinstance(entry, str) else ((), "")
        if values and all(0 < v <= EGFR_MAX for v in values):
            read += [(entry, v) for v in values]
            kept += [rest] if rest else []
        else:
            kept.append(entry)
    if not read:
        return data
    given = data.get("egfr")
    try:
        own = [] if given is None or isinstance(given, bool) else [float(given)]
    except (TypeError, ValueError):    # the validators name the key
        return data | {"conditions": kept}
    lowest = min(own + [v for _, v in read])
    for entry, value in read:
        warnings.warn(f"{file}: key conditions: {entry!r}: kidney function (eGFR or creatinine "
                      f"clearance) {value:g} read from the condition text; the profile's eGFR is "
                      f"{lowest:g}, the lowest of the key egfr and those in the conditions; give "
                      f"it as the key egfr (egfr = {value:g}, in mL/min) instead", ProfileWarning,
                      stacklevel=3)
    return data | {"conditions": kept} | ({} if own and own[0] <= lowest else {"egfr": lowest})
