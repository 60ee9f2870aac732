"""Unblinding: fill the regimen of a blinded diary from the sealed key of its plan.

A blinded diary (:meth:`model.trial.plan.TrialPlan.to_diary_csv` of a plan with
``blind=True``) leaves ``form`` and ``elemental_mg`` blank and carries the pot's code in
``notes`` (``code A``); the sealed key (:meth:`~model.trial.plan.TrialPlan.key_json`) names
the arm of each code and the regimen of every night.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pandas as pd

from model.core.errors import Fault, InputError
from model.core.forms import NONE
from model.core.regimen import Regimen

CODE_NOTE = re.compile(r"^\s*code\s+([A-Z]+)\b")
"""The code a blinded diary carries at the start of ``notes`` (``code A``)."""


def _load_key(key: dict[str, Any] | str | Path) -> dict[str, Any]:
    if isinstance(key, dict):
        return key
    loaded: dict[str, Any] = json.loads(Path(key).read_text(encoding="utf-8"))
    return loaded


def unblind(diary: pd.DataFrame | str | Path, key: dict[str, Any] | str | Path) -> pd.DataFrame:
    """Fill ``form``, ``elemental_mg`` and ``split`` of a blinded diary from the sealed key.

    Parameters
    ----------
    diary : pandas.DataFrame or path
        The diary the person kept from :meth:`TrialPlan.to_diary_csv` of a blinded plan.
    key : dict or path
        The sealed key (:meth:`TrialPlan.key_json`).

    Returns
    -------
    pandas.DataFrame
        The diary with the regimen columns filled; nights not in the key keep theirs.

    Raises
    ------
    InputError
        When a night's ``code X`` note disagrees with the key, or a coded night is not in
        the key (the key of another plan).

    """
    table = diary.copy() if isinstance(diary, pd.DataFrame) else \
        pd.read_csv(diary, dtype=str, keep_default_na=False)
    name = "<DataFrame>" if isinstance(diary, pd.DataFrame) else str(diary)
    sealed = _load_key(key)
    arm_of = sealed["codes"]
    faults = []
    columns = {c: list(table[c]) if c in table else [""] * len(table)
               for c in ("form", "elemental_mg", "split")}
    for row, (date, note) in enumerate(zip(table["date"], table["notes"], strict=True)):
        label = sealed["nights"].get(str(date))
        found = CODE_NOTE.match(str(note))
        if label is None:
            if found:
                faults.append(Fault(name, f"row {row + 1}, column date", f"expected a night "
                                    f"of the key (is it the key of another plan?), got {date}"))
            continue
        regimen = Regimen.from_label(label)
        if found and arm_of.get(found.group(1)) != regimen.form:
            faults.append(Fault(name, f"row {row + 1}, column notes", f"expected the "
                                f"code of {date} in the key, got {found.group(1)!r}"))
        columns["form"][row] = "" if regimen.form == NONE else regimen.form
        columns["elemental_mg"][row] = f"{regimen.elemental_mg:g}" if regimen.active else ""
        columns["split"][row] = str(int(regimen.split))
    if faults:
        raise InputError(faults)
    return table.assign(**{c: pd.Series(v, index=table.index, dtype=object)
                           for c, v in columns.items()})
