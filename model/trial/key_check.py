"""Checks of a blinded plan's sealed key before unblinding: its forms, and untagged codes.

:func:`check_untagged` ties a key that has a plan id to a diary whose pot codes carry no tag
(typed by hand) by dates and codes, every coded night; :func:`check_key_forms` refuses a key
naming a form this mgsleep does not know. Both are called by
:func:`model.trial.blinding.unblind`.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from model.core.errors import Fault, InputError
from model.core.forms import PLACEBO, canonical_form
from model.core.regimen import Regimen
from model.data.blank_rows import row_ranges
from model.data.pot_notes import CODE_NOTE

FOREIGN_SHARE = 1 / 3
"""Share of a diary's coded nights (untagged) whose code is not the key's pot that night from
which the key is named as most likely another plan's (:func:`check_untagged`). A wrong pot
taken, or a code typed wrong, is a night or two; another plan's key disagrees on whole
periods: with three arms a random other assignment of the codes agrees on about a third of
them (the couple audit's case: 14 of 21 coded nights), with two arms on none or half."""


def check_untagged(table: pd.DataFrame, rows: list[int], sealed: dict[str, Any],
                   names: tuple[str, str]) -> None:
    """Refuse a key with a plan id for untagged pot codes unless every one is the key's pot.

    A key with a plan id (schema_version 3 on) wrote its diary with the tag after every pot
    code, so untagged codes were typed by hand (``mgsleep log --notes "code B"``, copied from
    the calendar): nothing but dates and codes ties the key to them, so each coded night
    (data rows ``rows``, 1-based) must be a night of the key whose code is its pot that
    night. A pot taken out of turn cannot be told from another plan's key there: it needs
    the tag.

    Raises
    ------
    InputError
        Naming the nights that disagree; when they are :data:`FOREIGN_SHARE` of the coded
        nights or more, naming the likely cause (the key of another plan: the partner's).

    """
    name, key_name = names
    off = [row for row in rows if not _keyed_pot(table.iloc[row - 1], sealed)]
    if not off:
        return
    share = f"{len(off)} of {len(rows)} coded night(s) (row(s) {row_ranges(off)})"
    if len(off) >= FOREIGN_SHARE * len(rows):
        why = (f"{key_name} is most likely the key of another plan (another person's, or an "
               "earlier plan's): unblind with the key of this diary's plan")
    else:
        why = (f"correct a code typed wrong; a pot taken out of turn can be unblinded only "
               f"with the plan tag after each pot code (code A (plan {sealed['plan']}), as "
               f"the plan wrote them), and only if {key_name} is the key of this diary's plan")
    raise InputError([Fault(name, f"row {off[0]}, column notes", (
        f"expected the pot of {key_name} on each coded night (its codes carry no plan tag, "
        f"so only dates and codes can tie the key to the diary), got another pot on {share}: "
        f"{why}; nothing was unblinded"))])


def _keyed_pot(cells: pd.Series, sealed: dict[str, Any]) -> bool:
    """Whether a coded night is a night of the key and its code the key's pot that night."""
    label = sealed["nights"].get(str(cells["date"]).strip())
    found = CODE_NOTE.match(str(cells["notes"]))
    arm = sealed["codes"].get(found.group(1).upper()) if found else None
    return label is not None and arm is not None and Regimen.from_label(label).form == arm


def check_key_forms(sealed: dict[str, Any], key_name: str) -> None:
    """Refuse a key naming a form (or a night's regimen) this mgsleep does not know.

    A key written by another version of mgsleep, or edited, may name a form no longer known
    (``orotate``): read as it is it stopped unblinding with a traceback.

    Raises
    ------
    InputError
        One fault for each code and each night the key cannot be read for, naming the key.

    """
    faults = []
    for code, arm in sealed["codes"].items():
        if str(arm) != PLACEBO and canonical_form(str(arm)) is None:
            faults.append(Fault(key_name, f"key codes.{code}", f"expected a form mgsleep "
                                f"knows, got {arm!r}: a key of another version of mgsleep, or "
                                "edited? (whoever filled the pots knows what pot "
                                f"{code} holds)"))
    for night, label in sealed["nights"].items():
        try:
            Regimen.from_label(str(label))
        except ValueError as error:
            faults.append(Fault(key_name, f"key nights.{night}", f"expected a regimen "
                                f"(glycinate@200, placebo, none), got {label!r}: {error}"))
    if faults:
        raise InputError(faults)
