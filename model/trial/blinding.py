"""Unblinding: fill the regimen of a blinded diary from the sealed key of its plan.

A blinded diary (:meth:`model.trial.plan.TrialPlan.to_diary_csv` of a plan with
``blind=True``) leaves ``form`` and ``elemental_mg`` blank and carries the pot's code in
``notes`` (``code A``); the sealed key (:meth:`~model.trial.plan.TrialPlan.key_json`) names
the arm of each code and the regimen of every night.

If the person wrote a guess of the arm (a ``guess`` column: ``glycinate``, ``placebo``, ...,
typically at the end of each blinded period), :func:`check_guesses` says how well blinding
held: the share of correct guesses with a 95 % Wilson interval against chance (one over the
number of arms).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from statistics import NormalDist
from typing import Any

import pandas as pd

from model.core.errors import Fault, InputError
from model.core.forms import NONE, canonical_form
from model.core.regimen import Regimen
from model.data.diary import CODE_NOTE


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


GUESS_COLUMN = "guess"
"""The diary column where the person guesses the arm of a blinded period."""


@dataclass(frozen=True)
class BlindingCheck:
    """How well blinding held: the person's guesses of the arm against the truth.

    Parameters
    ----------
    guesses : int
        Nights of an arm with a guess.
    correct : int
        Guesses that named the night's arm.
    chance : float
        One over the number of arms: the share expected from guessing blind.
    low, high : float
        95 % Wilson interval of the share correct.
    """

    guesses: int
    correct: int
    chance: float
    low: float
    high: float

    @property
    def clearly_above_chance(self) -> bool:
        """Whether the whole interval lies above chance (the person could tell the arms)."""
        return self.low > self.chance

    def describe(self) -> str:
        """One line for people, with a warning when blinding clearly failed."""
        line = (f"blinding: {self.correct} of {self.guesses} guesses right "
                f"({self.correct / self.guesses:.0%}, 95% interval {self.low:.0%} to "
                f"{self.high:.0%}; chance {self.chance:.0%})")
        if self.clearly_above_chance:
            line += ("; warning: clearly above chance, so the person could tell the arms "
                     "apart and expectation may explain part of any effect")
        return line


def wilson(correct: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a proportion."""
    z = NormalDist().inv_cdf(0.5 + level / 2)
    share = correct / n
    centre = (share + z * z / (2 * n)) / (1 + z * z / n)
    half = z * (share * (1 - share) / n + z * z / (4 * n * n)) ** 0.5 / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def check_guesses(unblinded: pd.DataFrame, key: dict[str, Any],
                  name: str = "<DataFrame>") -> BlindingCheck | None:
    """Compare the ``guess`` column of an unblinded diary with the nights' arms.

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
    arms = sorted(set(key["codes"].values()))
    faults, pairs = [], []
    for row, (guess, form) in enumerate(zip(unblinded[GUESS_COLUMN].astype(str),
                                            unblinded["form"].astype(str), strict=True)):
        if not guess.strip() or form.strip() in ("", NONE):
            continue
        named = canonical_form(guess)
        if named not in arms:
            faults.append(Fault(name, f"row {row + 1}, column {GUESS_COLUMN}",
                                f"expected one of the arms {', '.join(arms)}, got {guess!r}"))
        pairs.append(named == form.strip())
    if faults:
        raise InputError(faults)
    if not pairs:
        return None
    return BlindingCheck(len(pairs), sum(pairs), 1 / len(arms), *wilson(sum(pairs), len(pairs)))
