"""How the entries a profile lists are read, before its fields are checked.

An entry naming several conditions or medicines is split into one entry per name, a
combination's name into its products (:func:`split_entries`), and an eGFR or an age written
among the conditions is read as the eGFR or the age, with a warning (:func:`egfr_written`,
:func:`egfr_of_conditions`, :func:`age_of_conditions`, :class:`ProfileWarning`); so is kidney
disease named without its stage (:func:`stage_unnamed`): how to write the profile is said
here, to the person writing it, not in the rule's reason, which the clinician summary quotes.
The day the diary's first night's magnesium was begun, ``taking_since``, is read as a date
(:func:`read_taking_since`); the day a medicine was started or ends, written in its entry
(``"sertraline 50 mg since 2026-09-30"``), is read from it (:func:`medication_starts_of`).
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
import warnings
from collections.abc import Callable, Sequence

from model.core.errors import InputError
from model.core.input_files import read_input
from model.data.compound_doses import label_read
from model.data.night_dates import DATE, as_date, date_problem
from model.evidence.floor import bundled_safety
from model.evidence.names import Kind, NameIndex, name_key
from model.evidence.schema import Safety

EGFR_MAX = 150.0
"""The largest eGFR read, mL/min/1.73 m²: above it the value is refused, not warned of.

No adult kidney filters more: a young adult's measured GFR is about 107-120 (the KDIGO 2012
normal range tops out near 130; hyperfiltration in pregnancy or early diabetes rarely passes
150), and it falls by about 1 a year after 40 (an 80-year-old's is about 70). The CKD-EPI
2021 equation reaches 150 only with a creatinine near 0.3 mg/dL (27 µmol/L) at 20. A larger
number is most often a creatinine in µmol/L typed as an eGFR (160 µmol/L at 78 is an eGFR
near 28: kidney disease, a referral); it was accepted up to 250 with a warning the advice did
not carry (a pharmacist's audit, 2026-12)."""

CREATININE_TEXT = re.compile(
    r"\b(?:s(?:erum)?[\s.-]*)?(?:creatinine|creat|cr)\b(?!\s*(?:cl|clearance)\b)"
    r"|\d\s*(?:u|µ|μ|micro)\s*mol\s*/\s*l\b|\d\s*mg\s*/\s*dl\b", re.IGNORECASE)
"""A creatinine written in a condition (``creatinine 160 umol/L``, ``Cr 1.4 mg/dL``, ``serum
creatinine 160``, ``sCr 160``, a value in µmol/L or mg/dL): not an eGFR, refused
(:func:`creatinine_refused`). A creatinine clearance (``CrCl``) is read as an eGFR."""

CREATININE_SAID = ("is a creatinine, not an eGFR: mgsleep needs an eGFR, not a creatinine: ask "
                   "for it (laboratories report it with the creatinine) or give egfr = ... (in "
                   "mL/min/1.73 m²)")
"""Why a creatinine is refused: the kidney rules read an eGFR (mgsleep computes none)."""

EGFR_TEXT = re.compile(
    r"\b(?:e?gfr|cr\s*cl|creatinine\s+clearance)\s*(?:[:=~]|>=?|≥|(<)|<=|≤|\b(?:of|is|was)\b)?"
    r"\s*(\d+(?:[.,]\d+)?)"
    r"(?:\s*ml\s*/\s*(min|s)(?:\s*(?:/|per)\s*1[.,]73\s*m(?:2|²|\^2)?)?)?", re.IGNORECASE)
"""An eGFR written in a condition: ``eGFR 28``, ``egfr: 28``, ``eGFR=28 mL/min/1.73 m²``,
``eGFR >60`` (read as 60, the safe side), ``eGFR < 30`` (read as 29: below 30); or a
creatinine clearance (``CrCl 25 mL/min``, ``creatinine clearance 25``), which the kidney rule
of ``safety.toml`` reads alike ("an eGFR or creatinine clearance below 30 mL/min"): written
as a condition it was two unknown names, ``CrCl 25 mL`` and ``min``."""

KIDNEY_STAGED = re.compile(r"(?:^|_)(?:stage|g?\d+[a-e]?|failure|dialysis|haemodialysis|"
                           r"hemodialysis|esrd|eskd|end|severe|acute|aki)(?=_|$)")
"""Words of a kidney condition's name that say how severe it is (a stage, failure, dialysis,
``severe``, acute kidney injury): without one, ``CKD`` or ``kidney disease`` is taken as
severe, and a stage would decide the rule."""

AGE_TEXT = re.compile(
    r"\b(?:aged?\s*[:=]?\s*(\d{1,3})(?:[.,]\d+)?\b(?:\s*(?:years?|yrs?)(?:\s*old)?\b)?"
    r"|(\d{1,3})(?:[.,]\d+)?\s*-?\s*(?:(?:years?|yrs?)\s*-?\s*old\b|y\s*/\s*o\b|y\.?o\.?(?!\w)))",
    re.IGNORECASE)
"""An age written in a condition: ``16 years old``, ``16-year-old``, ``16 yo``, ``16 y/o``,
``age 16``, ``aged 16``, ``age: 16`` (a fraction is dropped: whole years). Not a number of
years alone (``CKD for 5 years``: no age)."""

AGE_MAX = 120
"""The largest age read from a condition (the profile's ``age`` is at most this)."""

_LOOSE_ENDS = re.compile(r"^(?:[\W_]|\b(?:with|and)\b)+|(?:[\W_]|\b(?:with|and)\b)+$",
                         re.IGNORECASE)


def egfr_written(entry: str) -> tuple[tuple[float, ...], str]:
    """The eGFR values written in a condition entry, and the entry without them.

    ``"Stage 3 CKD, eGFR 28"`` gives ``((28.0,), "Stage 3 CKD")``; ``"eGFR 1.4 mL/s"`` gives
    ``((84.0,), "")`` (mL/s times 60 is mL/min), ``"eGFR < 30"`` ``((29.0,), "")`` (strictly
    below: 1 mL/min less). An entry naming no eGFR comes back whole, with no value.
    """
    found = list(EGFR_TEXT.finditer(entry))
    if not found:
        return (), entry
    values = tuple(float(m[2].replace(",", ".")) * (60 if (m[3] or "").lower() == "s" else 1)
                   - (1 if m[1] else 0) for m in found)
    return values, _LOOSE_ENDS.sub("", EGFR_TEXT.sub(" ", entry))


def read_taking_since(value: object) -> object:
    """``taking_since`` as a date: a TOML date (``2026-08-01``) or the text ``"2026-08-01"``.

    A date and time is read as its date; anything else is refused saying how to write it
    (the day is checked against the diary's first night by
    :func:`model.analysis.store_start.checked_start`).
    """
    if value is None:
        return value
    day = as_date(value, moment=True)
    if day is not None:
        return day
    if isinstance(value, str) and DATE.match(value.strip()):
        raise ValueError(f"not a day of the calendar ({date_problem(value)})")
    raise ValueError("expected the day you began the magnesium your diary's first night "
                     "records, as YYYY-MM-DD (e.g. taking_since = 2026-08-01)")


class ProfileWarning(UserWarning):
    """A profile value was changed to keep the person safe (e.g. a ceiling above the limit)."""


def written_name(name: str) -> str:
    """A name as written, spaces tidied (matched by :func:`~model.evidence.names.name_key`)."""
    return " ".join(name.split())


def written_numbers(file: str, key: str, names: Sequence[str]) -> list[int]:
    """Each name's entry number (from 1) in the list ``key`` of the profile file, as written.

    A name split from an entry listing several (``"Rennie or Gaviscon"``) has that entry's
    number, so that a fault names the entry and the line the person wrote (it was numbered by
    its place among the split names, and every fault had the array's first line). An entry
    equal to the name is taken first, then one holding it; a name found in none (a profile
    built in Python) keeps its place in ``names``.
    """
    try:
        text = read_input(file, "a TOML file", pipes=False).decode("utf-8-sig")
        raw = tomllib.loads(text).get(key)
    except (InputError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        raw = None
    entries = [written_name(e) if isinstance(e, str) else "" for e in raw] \
        if isinstance(raw, list) else []
    return [next((i for i, entry in enumerate(entries, 1) if entry == name),
                 next((i for i, entry in enumerate(entries, 1) if name in entry), number))
            for number, name in enumerate(names, 1)]


def split_entries(data: object, safety: Safety | None = None,
                  file: str = "<profile>") -> object:
    """The raw profile with each condition or medicine entry that lists several names split.

    ``["digoxin, levothyroxine"]`` (or the string alone, not in a list) becomes
    ``["digoxin", "levothyroxine"]``, exactly as if written as two entries, so that each
    name's rules apply (joined into the one key ``digoxin_levothyroxine`` it was unknown, or
    taken as levothyroxine alone); ``["Calcium Magnesium Zinc 1000 mg"]`` becomes
    ``["Calcium", "Magnesium", "Zinc"]`` (it was read as zinc alone, and its 1000 mg are the
    product's, not magnesium's). An entry that is a known name as a whole stays whole
    (:meth:`model.evidence.names.NameIndex.split`). A medicine copied from a label is read
    first (:func:`~model.data.compound_doses.label_read`: its elemental figure, its parts).

    Parameters
    ----------
    data : object
        The raw profile (a TOML table); anything else is returned as it is.
    safety : Safety, optional
        Whose names are known as a whole (default: the bundled ``safety.toml``).
    file : str
        The profile file, which a warning names.

    Returns
    -------
    object
        ``data``, with the ``conditions`` and ``medications`` lists split.

    Warns
    -----
    ProfileWarning
        For each condition naming kidney disease without its stage (:func:`stage_unnamed`).

    """
    if not isinstance(data, dict):
        return data
    data = data | {key: [value] for key in ("conditions", "medications")   # one name alone
                   if isinstance(value := data.get(key), str)}
    lists = {key: value for key in ("conditions", "medications")
             if isinstance(value := data.get(key), list | tuple)
             and any(isinstance(n, str) for n in value)}
    if not lists:
        return data
    if "medications" in lists:
        lists["medications"] = [read for name in lists["medications"] for read in label_read(name)]
    rules = safety if safety is not None else bundled_safety()
    index = NameIndex.of(rules)
    kinds: dict[str, Kind] = {"conditions": "condition", "medications": "medicine"}
    split = {key: [part for name in names for part in
                   (index.split(name, kinds[key]) if isinstance(name, str) else (name,))]
             for key, names in lists.items()}
    for name in stage_unnamed(split.get("conditions", []), index, rules):
        warnings.warn(f"{file}: key conditions: {name!r} names kidney disease without its "
                      "stage, so it is "
                      "taken as severe (as an eGFR below 30: no magnesium without a clinician), "
                      "even beside an eGFR; if you know the stage, name it instead (e.g. 'CKD "
                      "stage 3'), for the rules of that stage", ProfileWarning, stacklevel=3)
    return data | split


def stage_unnamed(conditions: Sequence[object], index: NameIndex, safety: Safety) -> list[str]:
    """The conditions naming kidney disease without a stage or severity (:data:`KIDNEY_STAGED`).

    Parameters
    ----------
    conditions : sequence
        A profile's conditions as written (anything not a string is passed over).
    index : NameIndex
        The names of ``safety``.
    safety : Safety
        Whose eGFR rules (``field = "egfr"`` contraindications) name kidney disease.

    Returns
    -------
    list of str
        Each condition matched to such a rule by a name that does not say how severe it is
        (``CKD``, ``kidney disease``, ``kidney transplant``): the rule reads it as severe.

    """
    kidney = {c.condition for c in safety.contraindications if c.field == "egfr"} - {None}
    return [name for name in conditions if isinstance(name, str)
            and index.match(name, "condition") in kidney
            and not KIDNEY_STAGED.search(name_key(name))]


Written = Callable[[str], tuple[tuple[float, ...], str]]
"""How a fact is read from a condition entry: its values, and the entry without them."""


def _read_entries(data: object, written: Written, valid: Callable[[float], bool]
                  ) -> tuple[list[object], list[tuple[str, float]]] | None:
    """The conditions kept, and each value read from one (``written``), or None if none is.

    An entry keeps what else it says, or is left out, or stays whole if a value is not
    ``valid`` (out of range).
    """
    entries = data.get("conditions") if isinstance(data, dict) else None
    if not isinstance(entries, str | list | tuple):
        return None
    kept: list[object] = []
    read: list[tuple[str, float]] = []
    for entry in [entries] if isinstance(entries, str) else entries:
        values, rest = written(entry) if isinstance(entry, str) else ((), "")
        if values and all(valid(v) for v in values):
            read += [(entry, v) for v in values]
            kept += [rest] if rest else []
        else:
            kept.append(entry)
    return (kept, read) if read else None


def _given(data: dict[str, object], key: str) -> list[float] | None:
    """The profile's own value of ``key`` as a number (in a list), [] if none, None if unread."""
    given = data.get(key)
    try:
        return [] if given is None or isinstance(given, bool) else [float(str(given))]
    except ValueError:    # the validators name the key
        return None


def _lowest_of_conditions(data: object, key: str, read_as: tuple[Written, Callable[[float], bool]],
                          said: Callable[[str, float, float], str]) -> object:
    """The raw profile with ``key`` the lowest of its own and the values its conditions write.

    ``read_as``: how a value is read from an entry and which values are read; each value read
    is warned of (``said(entry, value, lowest)``), and its entry keeps what else it says.
    """
    found = _read_entries(data, *read_as)
    if found is None or not isinstance(data, dict):
        return data
    kept, read = found
    own = _given(data, key)
    if own is None:
        return data | {"conditions": kept}
    lowest = min(own + [v for _, v in read])
    for entry, value in read:
        warnings.warn(said(entry, value, lowest), ProfileWarning, stacklevel=4)
    return data | {"conditions": kept} | ({} if own and own[0] <= lowest else {key: lowest})


def egfr_of_conditions(data: object, file: str) -> object:
    """The raw profile with its eGFR the lowest of ``egfr`` and those written in conditions.

    ``["Stage 3 CKD, eGFR 28"]`` gave the unknown ``egfr_28`` (with ``--allow-unknown``, a dose
    below eGFR 30). Each eGFR read (:func:`egfr_written`) is warned of; its
    entry keeps what else it says (``"Stage 3 CKD"``), or is left out, or whole if out of range.
    """
    return _lowest_of_conditions(
        data, "egfr", (egfr_written, lambda v: 0 < v <= EGFR_MAX),
        lambda entry, value, lowest: (
            f"{file}: key conditions: {entry!r}: kidney function (eGFR or creatinine clearance) "
            f"{value:g} read from the condition text; the profile's eGFR is {lowest:g}, the "
            f"lowest of the key egfr and those in the conditions; give it as the key egfr "
            f"(egfr = {lowest:g}, in mL/min) instead"))


def creatinine_refused(data: object, file: str) -> object:
    """The raw profile, unless a condition writes a creatinine (:data:`CREATININE_TEXT`).

    ``"creatinine 160 umol/L"`` was an unknown condition with no word that it is a kidney
    value, and with ``--allow-unknown`` a dose (a pharmacist's audit: an eGFR near 28 at 78).
    mgsleep does not compute an eGFR from a creatinine (no equation is in its evidence).

    Raises
    ------
    ValueError
        Naming the entry (``key conditions[1]: ...``, its line added by the reader).

    """
    entries = data.get("conditions") if isinstance(data, dict) else None
    names = [entries] if isinstance(entries, str) else entries
    if not isinstance(names, list | tuple):
        return data
    written = [n if isinstance(n, str) else "" for n in names]
    for number, entry in zip(written_numbers(file, "conditions", written), written, strict=True):
        if CREATININE_TEXT.search(entry) and not EGFR_TEXT.search(entry):
            raise ValueError(f"key conditions[{number}]: {entry!r} {CREATININE_SAID}")
    return data


def age_written(entry: str) -> tuple[tuple[float, ...], str]:
    """The ages written in a condition entry (:data:`AGE_TEXT`), and the entry without them.

    ``"16 years old"`` gives ``((16.0,), "")``, ``"asthma, age 16"`` ``((16.0,), "asthma")``.
    An age after ``since``, ``at``, ``from`` (``asthma since age 12``: when it began, not how
    old the person is) is not read.
    """
    found = [m for m in AGE_TEXT.finditer(entry)
             if not ONSET_WORDS & set(entry[:m.start()].lower().split()[-1:])]
    if not found:
        return (), entry
    rest = entry
    for m in reversed(found):
        rest = rest[:m.start()] + " " + rest[m.end():]
    return tuple(float(m[1] or m[2]) for m in found), _LOOSE_ENDS.sub("", rest)


ONSET_WORDS = frozenset({"since", "at", "from", "until", "till", "by", "before", "after",
                         "onset", "diagnosed"})
"""Words before an age in a condition that make it the age at which something happened."""


def age_of_conditions(data: object, file: str) -> object:
    """The raw profile with its age the lowest of ``age`` and those written in conditions.

    ``["16 years old"]`` was an unknown condition (with ``--allow-unknown``, 300 mg for a
    16-year-old: a life-stage audit). Each age read (:func:`age_written`) is warned of, as an
    eGFR's is (:func:`egfr_of_conditions`): the lowest is taken, the under-18 rule's side.
    """
    return _lowest_of_conditions(
        data, "age", (age_written, lambda v: 0 <= v <= AGE_MAX),
        lambda entry, value, lowest: (
            f"{file}: key conditions: {entry!r}: age {value:.0f} read from the condition text; "
            f"the profile's age is {lowest:.0f}, the lowest of the key age and those in the "
            f"conditions; give it as the key age (age = {lowest:.0f}, in whole years) instead"))


MEDICINE_DATE = re.compile(
    r"[\s,;(]*\b(?:(since|started(?:\s+on)?|from)|until|till|til)\s*:?\s*"
    r"(\d{1,4}[./-]\d{1,2}(?:[./-]\d{1,4})?)\)?", re.IGNORECASE)
"""A day written in a medicine entry: its start (group 1: ``since``, ``started``, ``started
on``, ``from``) or its end (``until``, ``till``), and the day (group 2)."""

ISO_DAY = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")


def medicine_dated(entry: str) -> tuple[str, dt.date | None]:
    """A medicine entry without the days written in it, and the day it was started (or None).

    ``"sertraline 50 mg since 2026-09-30"`` gives ``("sertraline 50 mg", 2026-09-30)``, and the
    medicine is matched to the safety data as ``"sertraline 50 mg"``: all its rules apply. An
    end (``"ciprofloxacin 500 mg until 2027-03-30"``, ``"until 12/03/2026"``) stays in the
    name as written, a course the rules' words quote, and is not kept: the lookup drops it
    (:data:`model.evidence.names.COURSE`), and a medicine listed is taken, its rules apply
    until it is removed from the list. A start must be written ``YYYY-MM-DD`` (it dates a
    change in the person's life, :func:`model.decision.overrides.with_medicine_starts`;
    ``03/09/2026`` could be either month); a day so written, start or end, must be one of
    the calendar.

    Raises
    ------
    ValueError
        For a start not written as ``YYYY-MM-DD``, or a day that is not one of the calendar.

    """
    start = None
    for found in MEDICINE_DATE.finditer(entry):
        day = found[2]
        if found[1] and not ISO_DAY.fullmatch(day):
            raise ValueError(f"{found[1]} {day}: expected the day the medicine was started as "
                             "YYYY-MM-DD (e.g. \"sertraline 50 mg since 2026-09-30\")")
        if ISO_DAY.fullmatch(day):
            try:
                read = dt.date(*map(int, day.split("-")))
            except ValueError as error:
                raise ValueError(f"{day}: not a day of the calendar ({error})") from None
            start = read if found[1] else start
    return written_name(MEDICINE_DATE.sub(lambda m: " " if m[1] else m[0], entry)), start


def medication_starts_of(data: object, file: str, from_file: bool = False) -> object:
    """The raw profile with the days written in its medicine entries read (:func:`medicine_dated`).

    Each entry keeps its name without its start; each start read is kept in
    ``medication_starts`` (the name as kept: its day). Run after :func:`split_entries`: of
    ``"digoxin, sertraline since 2026-09-30"`` only sertraline's start is read.

    ``from_file``: the profile is read from a file, where ``medication_starts`` is no key (a
    start goes in its medicine's entry, whose name is checked against the safety data).

    Raises
    ------
    ValueError
        Naming the entry (``key medications[2]: ...``, its line added by the reader) whose
        day is wrong, or a ``medication_starts`` key in a file.

    """
    if from_file and isinstance(data, dict) and "medication_starts" in data:
        raise ValueError("unknown key 'medication_starts': write a medicine's start in its "
                         'entry, medications = ["sertraline 50 mg since 2026-09-30"]')
    names = data.get("medications") if isinstance(data, dict) else None
    if not isinstance(data, dict) or not isinstance(names, list | tuple) \
            or not any(isinstance(n, str) and MEDICINE_DATE.search(n) for n in names):
        return data
    kept: list[object] = []
    starts: dict[str, dt.date] = {}
    numbers = written_numbers(file, "medications", [n if isinstance(n, str) else ""
                                                    for n in names])
    for number, entry in zip(numbers, names, strict=True):
        if not isinstance(entry, str):
            kept.append(entry)
            continue
        try:
            name, start = medicine_dated(entry)
        except ValueError as error:
            raise ValueError(f"key medications[{number}]: {entry!r}: {error}") from None
        kept.append(name)
        starts |= {name: start} if start and name else {}
    own = data.get("medication_starts") or {}          # given in Python: a mapping or pairs
    return data | {"medications": kept, "medication_starts": {**dict(own), **starts}
                   if isinstance(own, dict | list | tuple) else own}   # else: pydantic's error

