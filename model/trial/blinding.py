"""Unblinding: fill the regimen of a blinded diary from the sealed key of its plan.

A blinded diary (:meth:`model.trial.plan.TrialPlan.to_diary_csv` of a plan with
``blind=True``) leaves ``form`` and ``elemental_mg`` blank and carries the pot's code in
``notes`` (``code A (plan 3f9a1c2e)``); the sealed key
(:meth:`~model.trial.plan.TrialPlan.key_json`) names the arm of each code and the regimen of
every night.

**Plan tag.** Pot codes repeat from plan to plan (``A``, ``B``, ... in the same pattern of
periods whatever the seed), so codes alone cannot tell the key of another plan. The key
records ``plan``, a short id derived from its content and a secret (:func:`plan_id`: the arm
of each code, the regimen of every night and the key's random ``salt``), and the diary carries
it after every pot code. The salt keeps the id from betraying the arms (without it, the id
could be recomputed from the diary's dates and codes for each assignment of arms to codes); it
is drawn from the operating system's entropy for every plan, never from the plan's seed (a
seed can be guessed: trying seeds 0, 1, 2, ... until one gave the diary's tag found the arms
in a fraction of a second), so a plan made again from the same seed has the same schedule
and pot codes but another id, and only its own key opens its diary. A key whose content no
longer matches its id (edited) is refused. :func:`check_plan` refuses a key whose id is not
the diary's; an old key without ``plan`` is checked by the id of its content. A diary whose
coded nights carry no tag at all (written before plan tags) can only be checked by dates and
codes, with a warning.

**What the person logged wins.** A night whose regimen the person wrote (``mgsleep log
--form citrate --mg 100`` on a washout night, ``--form none`` on a night the pot was
forgotten) keeps it: the diary records what was taken, the key only what was planned. When it
differs from the key's night a :class:`BlindingWarning` names the row and date. Only nights
with blank regimen cells take the key's regimen.

If the person wrote a guess of the arm (a ``guess`` column: ``glycinate``, ``placebo``, ...,
typically at the end of each blinded period), :func:`check_guesses` says how well blinding
held: the share of correct guesses with a 95 % Wilson interval against chance (one over the
number of arms).
"""

from __future__ import annotations

import hashlib
import json
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from model.core.errors import Fault, InputError
from model.core.forms import NONE, PLACEBO, canonical_form
from model.core.regimen import Regimen
from model.data.blank_rows import row_ranges
from model.data.diary import OUTCOMES
from model.data.diary_rows import GUESS_COLUMN, MISSING_WORDS, normalise_columns, read_table
from model.data.guesses import BlindingCheck, read_guesses
from model.data.pot_notes import CODE_NOTE, PLAN_TAG
from model.trial.key_check import check_key_forms, check_untagged


def _load_key(key: dict[str, Any] | str | Path) -> dict[str, Any]:
    if isinstance(key, dict):
        return key
    loaded: dict[str, Any] = json.loads(Path(key).read_text(encoding="utf-8"))
    return loaded


class BlindingWarning(UserWarning):
    """Unblinding went on with a check it could not make or a guess it could not count."""


def plan_id(codes: Mapping[str, str], nights: Mapping[str, str], salt: str = "") -> str:
    """Id of a blinded plan, derived from its key: 8 hex digits of a SHA-256.

    Parameters
    ----------
    codes : mapping
        Arm of each pot code.
    nights : mapping
        Regimen label of every night (ISO date to label).
    salt : str
        The key's secret (``salt``, keys of schema_version 3 on). Without it the id could be
        recomputed from what the diary shows (its dates and codes) for each of the few ways
        to assign the arms to the codes, and so reveal the assignment: the blinding would be
        broken from the diary alone.

    Returns
    -------
    str
        The same for the same plan, different (but for a 2**-32 chance) for another.

    """
    content = {"codes": dict(codes), "nights": dict(nights)} | ({"salt": salt} if salt else {})
    text = json.dumps(content, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


def key_plan(sealed: dict[str, Any], key_name: str) -> str:
    """The plan id of a key: the one it records, checked against its content.

    Raises
    ------
    InputError
        When the recorded ``plan`` is not the id of the key's codes and nights (edited).

    """
    own = plan_id(sealed["codes"], sealed["nights"], str(sealed.get("salt", "")))
    recorded = sealed.get("plan")
    if recorded is not None and str(recorded).strip().lower() != own:
        raise InputError([Fault(key_name, "key plan", f"expected {own}, the id of the key's "
                                f"own codes and nights, got {recorded!r}: the key was edited "
                                "or damaged")])
    return own


def check_plan(table: pd.DataFrame, sealed: dict[str, Any], name: str,
               key_name: str) -> None:
    """Refuse a key that is not the key of the diary's plan, by the tags of its pot codes.

    Every coded night (``code A (plan 3f9a1c2e)``) must carry the key's plan id. A diary
    whose coded nights carry no tag at all cannot be checked beyond dates and codes: with an
    old key (no ``plan``: its diary was written before plan tags) a warning says so and
    unblinding goes on; with a key that has a plan id (whose own diary was written with
    tags, so the codes were typed by hand) every coded night must also be the key's pot that
    night (:func:`check_untagged`), else nothing is unblinded.

    Raises
    ------
    InputError
        One fault for the nights tagged with another plan, one for the coded nights without
        a tag (each naming its first row and listing the rows), one when no night is coded,
        or the fault of :func:`check_untagged`.

    """
    expected = key_plan(sealed, key_name)
    example = f"code A (plan {expected})"
    tags: dict[int, str | None] = {}
    for row, note in enumerate(table["notes"].astype(str), start=1):
        if CODE_NOTE.match(note):
            found = PLAN_TAG.search(note)
            tags[row] = found.group(1).lower() if found else None
    if not tags:
        raise InputError([Fault(name, "column notes", f"expected the pot codes of a blinded "
                                f"diary ({example}), got no coded night: is it the diary "
                                f"of the plan of {key_name}?")])
    if not any(tags.values()):
        why = "a diary written before plan tags"
        if sealed.get("plan") is not None:
            check_untagged(table, list(tags), sealed, (name, key_name))
            why = "typed by hand? every coded night is the key's pot that night"
        warnings.warn(f"{name}: its pot codes carry no plan tag ({why}), so {key_name} is "
                      "checked by dates and codes only; make sure it is the key of this "
                      "diary's plan", BlindingWarning, stacklevel=3)
        return
    faults = []
    foreign = [r for r, tag in tags.items() if tag not in (None, expected)]
    if foreign:
        others = ", ".join(sorted({str(tags[r]) for r in foreign}))
        faults.append(Fault(name, f"row {foreign[0]}, column notes", f"expected pot codes of "
                            f"plan {expected} (the plan of {key_name}), got plan {others} on "
                            f"{len(foreign)} coded night(s) (rows {row_ranges(foreign)}): "
                            "the key belongs to another plan"))
    missing = [r for r, tag in tags.items() if tag is None]
    if missing:
        faults.append(Fault(name, f"row {missing[0]}, column notes", f"expected the plan tag "
                            f"after the pot code ({example}), got none on {len(missing)} "
                            f"coded night(s) (rows {row_ranges(missing)}); copy it from "
                            "another night of the diary"))
    if faults:
        raise InputError(faults)


NO_POT = "no pot taken"
"""Put before the pot code of a night the person logged without magnesium, once unblinded: the
code alone would mark it a night still blinded (:func:`model.data.diary.refuse_blinded`)."""

REGIMEN_CELLS: tuple[str, ...] = ("form", "elemental_mg", "compound_mg")
"""The cells where a person records what was taken (``mgsleep log --form --mg
--compound-mg``): a night with any of them written keeps its regimen when unblinded."""


def read_blinded(diary: pd.DataFrame | str | Path) -> tuple[pd.DataFrame, str]:
    """The rows of a blinded diary as the diary reader reads them, and its name for messages.

    Read by :func:`model.data.diary_rows.read_table` (a ``;`` or tab separator, decimal
    commas, a byte-order mark, blank lines, spaces around the header's names), the column
    names normalised as everywhere else.

    Raises
    ------
    InputError
        When it is not a diary, or it has no ``notes`` column (where the pot codes are).

    """
    table, name = read_table(diary)
    table = normalise_columns(table, name)[0]
    if "notes" not in table.columns:
        raise InputError([Fault(name, "column notes", "expected the notes column of a "
                                "blinded diary (code A, code B, ...)")])
    return table, name


def unblind(diary: pd.DataFrame | str | Path, key: dict[str, Any] | str | Path,
            key_name: str | None = None) -> pd.DataFrame:
    """Fill ``form``, ``elemental_mg`` and ``split`` of a blinded diary from the sealed key.

    Parameters
    ----------
    diary : pandas.DataFrame or path
        The diary the person kept from :meth:`TrialPlan.to_diary_csv` of a blinded plan,
        read once by :func:`read_blinded`.
    key : dict or path
        The sealed key (:meth:`TrialPlan.key_json`).
    key_name : str, optional
        The key's file name for messages (default: ``key`` when a path, else ``<key>``).

    Returns
    -------
    pandas.DataFrame
        The diary (column names normalised) with the regimen columns filled; nights not in
        the key, and nights whose regimen the person wrote (with a :class:`BlindingWarning`
        where it is not the key's), keep theirs.

    Raises
    ------
    InputError
        When the key is of another plan (:func:`check_plan`), a night's ``code X`` note
        names a code the key does not know, or a coded night is not in the key. A known code
        on a night planned for another pot is what the person took: unblinded as that pot,
        with a :class:`BlindingWarning`.

    """
    table, name = read_blinded(diary)
    sealed = _load_key(key)
    key_name = key_name or ("<key>" if isinstance(key, dict) else str(key))
    check_key_forms(sealed, key_name)
    check_plan(table, sealed, name, key_name)
    faults: list[Fault] = []
    columns = {c: list(table[c]) if c in table else [""] * len(table)
               for c in ("form", "elemental_mg", "split")}
    for row, cells in enumerate(table.to_dict("records")):
        regimen = _night_regimen(cells, sealed, (name, row + 1), faults)
        if regimen is None:
            continue
        columns["form"][row] = "" if regimen.form == NONE else regimen.form
        columns["elemental_mg"][row] = f"{regimen.elemental_mg:g}" if regimen.active else ""
        split = regimen.split or (regimen.active and str(cells.get("split", "")).strip() == "1")
        columns["split"][row] = str(int(split))   # a split the person logged is kept
    if faults:
        raise InputError(faults)
    _warn_if_early(table, sealed, name)
    notes = [f"{NO_POT} ({note})" if CODE_NOTE.match(str(note))
             and str(form).strip().lower() in (*MISSING_WORDS, NONE) else note
             for note, form in zip(table["notes"], columns["form"], strict=True)]
    return table.assign(**{c: pd.Series(v, index=table.index, dtype=object)
                           for c, v in (*columns.items(), ("notes", notes))})


def _warn_if_early(table: pd.DataFrame, sealed: dict[str, Any], name: str) -> None:
    """Warn when the plan has nights after the diary's last logged one: the rest is open."""
    cells = table.reindex(columns=[c for c in OUTCOMES if c in table]).astype(str)
    logged = cells.apply(lambda c: ~c.str.strip().str.lower().isin(MISSING_WORDS)).any(axis=1)
    last = max((str(d).strip() for d in table["date"][logged]), default="")
    ahead = [night for night in sealed["nights"] if night > last]
    if ahead:
        warnings.warn(BlindingWarning(
            f"{name}: unblinded before the plan's end: {len(ahead)} of its nights come after "
            f"the last one logged ({last or 'none'}), up to {max(ahead)}; knowing the pots, the "
            "rest of the trial is no longer blind (its placebo nights no longer tell magnesium "
            "from expecting it to help)"), stacklevel=3)


def _night_regimen(cells: dict[Any, Any], sealed: dict[str, Any], at: tuple[str, int],
                   faults: list[Fault]) -> Regimen | None:
    """The regimen the key gives one night (file name and row ``at``), or None to leave it.

    None for a night the key does not list (a fault, added to ``faults``, when it carries a
    pot code) or whose note names a code the key does not know (a fault), and for a night
    whose regimen the person wrote (:func:`_keep_logged`). A known code on a night planned
    for another pot is what the person took: that pot, with a :class:`BlindingWarning`.
    """
    name, row = at
    date, found = str(cells["date"]).strip(), CODE_NOTE.match(str(cells["notes"]))
    label = sealed["nights"].get(date)
    if label is None:
        if found:
            last = max(sealed["nights"], default="")
            faults.append(Fault(name, f"row {row}, column date", (
                f"expected a night of the plan, got {date}, after its last night "
                f"({last}); a pot taken then is not in the key" if date > last else
                f"expected a night of the key (is it the key of another plan?), got {date}")))
        return None
    planned = Regimen.from_label(label)
    code = found.group(1).upper() if found else None
    if code is None or sealed["codes"].get(code) == planned.form:
        if _keep_logged(cells, planned, at, date):
            return None
        if code is None and planned.form != NONE:
            note = str(cells["notes"]).strip()
            warnings.warn(BlindingWarning(
                f"{name}: row {row} ({date}): the key has a pot this night, but its notes "
                f"carry no pot code ({note!r} in notes): unblinded as the key's pot; if you "
                "took no pot that night, write none in its form column and unblind again"),
                stacklevel=3)
        return planned
    if code not in sealed["codes"]:
        faults.append(Fault(name, f"row {row}, column notes", f"expected a pot code of the "
                            f"key ({', '.join(sorted(sealed['codes']))}), got {code!r}"))
        return None
    taken = _pot_taken(code, planned, sealed)
    kept = _keep_logged(cells, taken, at, date)     # warns of a logged regimen not pot's
    if not kept or _logged_label(cells) == taken.label:
        warnings.warn(BlindingWarning(
            f"{name}: row {row} ({date}): pot {code} recorded where the plan had "
            f"{'no pot' if planned.form == NONE else 'another pot'}: unblinded as what pot "
            f"{code} holds, the night as it was taken"), stacklevel=3)
    return None if kept else taken


def _keep_logged(cells: dict[Any, Any], keyed: Regimen, at: tuple[str, int],
                 date: str) -> bool:
    """Whether the person wrote the night's regimen (kept: what was taken wins over the plan).

    A written regimen that is not the key's (``citrate 100`` on a washout night, ``none`` on
    a night of a pot) is kept with a :class:`BlindingWarning` naming the row and date.
    """
    written = {c: str(cells[c]).strip() for c in REGIMEN_CELLS
               if c in cells and str(cells[c]).strip().lower() not in MISSING_WORDS}
    if not written:
        return False
    if _logged_label(cells) != keyed.label:
        warnings.warn(BlindingWarning(
            f"{at[0]}: row {at[1]} ({date}): the diary records "
            f"{', '.join(f'{c} {v}' for c, v in written.items())} where the key has "
            f"{keyed.words}: kept as recorded (what you logged you took wins over the "
            "plan); correct the diary if it is wrong"), stacklevel=4)
    return True


def _logged_label(cells: dict[Any, Any]) -> str | None:
    """The regimen label of a night's written cells; None when they cannot be compared."""
    text = {c: str(cells.get(c, "")).strip() for c in (*REGIMEN_CELLS, "split")}
    blank = {c: v.lower() in MISSING_WORDS for c, v in text.items()}
    form = NONE if blank["form"] else canonical_form(text["form"])
    if form is None or not blank["compound_mg"]:
        return None          # an unknown form (the reader names it), a dose to convert
    try:
        mg = 0.0 if blank["elemental_mg"] else float(text["elemental_mg"])
        return Regimen(form, mg, text["split"] == "1").label
    except ValueError:
        return None


def _pot_taken(code: str, planned: Regimen, sealed: dict[str, Any]) -> Regimen:
    """The regimen of pot ``code`` (a code of the key), taken on a night planned otherwise.

    The person took another pot than the plan said (the wrong pot, or a deviation written
    honestly): the night counts as what was taken, at the night's planned dose (the key's
    dose on a night planned without magnesium).
    """
    arm = sealed["codes"][code]
    mg = planned.elemental_mg if planned.active else float(sealed.get("dose_mg", 0) or 0)
    return Regimen(PLACEBO) if arm == PLACEBO else Regimen(arm, mg)


def check_guesses(unblinded: pd.DataFrame, key: dict[str, Any],
                  name: str = "<DataFrame>") -> BlindingCheck | None:
    """Compare the ``guess`` column of an unblinded diary with the nights' arms.

    A guess on a night of no arm (a baseline or washout night) is about no arm, so it is not
    counted; a :class:`BlindingWarning` names those rows (a guess written the night after a
    period ended would otherwise be lost without a word).

    Returns
    -------
    BlindingCheck or None
        None without a ``guess`` column or without a guess on a night of an arm.

    Raises
    ------
    InputError
        When a guess names no arm of the key (with its row).

    """
    if GUESS_COLUMN not in unblinded.columns:
        return None
    read = read_guesses(list(unblinded[GUESS_COLUMN].astype(str)),
                        list(unblinded["form"].astype(str)), sorted(set(key["codes"].values())))
    if read.unknown:
        arms = ", ".join(sorted(set(key["codes"].values())))
        raise InputError([Fault(name, f"row {row}, column {GUESS_COLUMN}",
                                f"expected one of the arms {arms}, got {guess!r}")
                          for row, guess in read.unknown])
    if read.outside:
        warnings.warn(BlindingWarning(read.outside_warning(name)), stacklevel=2)
    return read.check()
