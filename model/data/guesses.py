"""Did blinding hold? A blinded trial's guesses of the arm against the arms the nights had.

The person may write the arm they think they had in a ``guess`` column (``glycinate``,
``placebo``, ..., e.g. on the last night of each blinded period). Right guesses clearly above
chance (one over the number of arms) mean the person could tell the arms apart, so that
expectation may explain part of any effect the trial shows. ``mgsleep unblind`` checks the
guesses against the sealed key (:func:`model.trial.blinding.check_guesses`); ``mgsleep
analyze`` checks those of an unblinded diary, whose pot nights keep their code
(:func:`diary_guess_warnings`), so the warning is not lost once the key is put away.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from model.core.forms import NONE, canonical_form
from model.core.special import normal_quantile
from model.data.diary_rows import GUESS_COLUMN, MISSING_WORDS


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
    z = normal_quantile(0.5 + level / 2)
    share = correct / n
    centre = (share + z * z / (2 * n)) / (1 + z * z / n)
    half = z * (share * (1 - share) / n + z * z / (4 * n * n)) ** 0.5 / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class Guesses:
    """The guesses of a diary, read against its nights' arms.

    Parameters
    ----------
    right : tuple of bool
        For each guess on a night of an arm, whether it named that arm.
    unknown : tuple of (int, str)
        The 1-based row and text of each guess that names no arm.
    outside : tuple of int
        The 1-based rows of guesses on nights of no arm (baseline or washout), not counted.
    n_arms : int
        The number of arms.
    """

    right: tuple[bool, ...]
    unknown: tuple[tuple[int, str], ...]
    outside: tuple[int, ...]
    n_arms: int

    def check(self) -> BlindingCheck | None:
        """The check of the counted guesses (None without one)."""
        if not self.right:
            return None
        n, correct = len(self.right), sum(self.right)
        return BlindingCheck(n, correct, 1 / self.n_arms, *wilson(correct, n))

    def outside_warning(self, name: str) -> str:
        """The warning that guesses on nights of no arm were not counted."""
        return (f"{name}: {len(self.outside)} guess(es) on nights of no arm (baseline or "
                f"washout; row(s) {', '.join(map(str, self.outside))}) are not counted: write "
                "each guess on a night of the period it is about, e.g. its last")


def read_guesses(guesses: Sequence[str], forms: Sequence[str], arms: Sequence[str]) -> Guesses:
    """Read each night's guess against the form it had (rows in the order given, from 1).

    A blank guess is no guess; a form written as logged (``Mg citrate``) is named as one.
    """
    right: list[bool] = []
    unknown: list[tuple[int, str]] = []
    outside: list[int] = []
    for row, (guess, form) in enumerate(zip(guesses, forms, strict=True), start=1):
        if not guess.strip():
            continue
        named = canonical_form(guess)
        if named not in arms:
            unknown.append((row, guess))
            continue
        taken = NONE if form.strip().lower() in MISSING_WORDS else canonical_form(form)
        if taken in (None, NONE):
            outside.append(row)
        else:
            right.append(named == taken)
    return Guesses(tuple(right), tuple(unknown), tuple(outside), len(arms))


def diary_guess_warnings(table: pd.DataFrame, code_note: re.Pattern[str], name: str) -> list[str]:
    """The warnings of an unblinded diary's guesses: blinding clearly failed, or not counted.

    Parameters
    ----------
    table : pandas.DataFrame
        The diary's cells as text, columns named as read (``guess``, ``form``).
    code_note : re.Pattern
        The pot code at the start of a night's notes (:data:`model.data.pot_notes.CODE_NOTE`),
        which an unblinded diary keeps: the trial's arms are the forms of those nights.
    name : str
        The diary's name, for the messages.
    """
    if not {GUESS_COLUMN, "form", "notes"} <= set(table.columns):
        return []
    forms = table["form"].fillna("").astype(str)
    coded = table["notes"].fillna("").astype(str).str.match(code_note)
    arms = sorted({a for a in map(canonical_form, forms[coded]) if a not in (None, NONE)})
    if len(arms) < 2:
        return []
    read = read_guesses(list(table[GUESS_COLUMN].fillna("").astype(str)), list(forms), arms)
    said = [f"{name}: row {row}, column {GUESS_COLUMN}: {guess!r} names no arm of the trial "
            f"({', '.join(arms)}); not counted" for row, guess in read.unknown]
    said += [read.outside_warning(name)] if read.outside else []
    check = read.check()
    if check is not None and check.clearly_above_chance:
        said.append(f"{name}: {check.describe()}")
    return said
