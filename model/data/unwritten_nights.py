"""The nights a diary leaves unwritten: the regimen they are taken as, and what is said of them.

A night missing between two written nights (:func:`model.data.diary.read_diary` inserts it
with ``recorded=False``) has its regimen guessed by :func:`fill_regimen`:

* between two nights on the same regimen, that regimen (someone who skips the diary usually
  keeps taking the supplement);
* between two different magnesium regimens (a form or a dose changed while nothing was
  written), the earlier one up to the gap's midpoint and the later one after it: the switch
  night is unknown, and the midpoint halves the worst error in its date. Read as no magnesium
  (as it once was), 21 unwritten nights between glycinate and taurate gave taurate's first
  nights an empty store and credited the worse nights after the gap to glycinate wearing off
  (an outside audit, /tmp/w43/S F2: taurate -5.0 min, P(benefit) 0.66, truth 0);
* any other (magnesium on one side only, placebo): no magnesium, the conservative guess for
  the build-up of an effect.

:func:`unwritten_warnings` says so: the gap nights, each change made in a gap (its dates, the
two regimens, the night assumed, how to write the real one), and nights written selectively:
fewer than :data:`SPARSE_SHARE` of a diary's nights written, or shares written on two regimens
(of at least :data:`SELECTIVE_LEAST_NIGHTS` calendar nights each) that differ by more than
:data:`SELECTIVE_POINTS`; nights written because they were bad (or good) bias the comparison.
:func:`is_unwritten_warning` tells them from a diary's other warnings, so that a diary cut or
joined says them anew.
"""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import pandas as pd

from model.core.forms import FORMS, NONE
from model.core.regimen import Regimen

REGIMEN_COLUMNS: tuple[str, ...] = ("form", "elemental_mg", "split")
"""The columns of a night's regimen."""

SELECTIVE_POINTS = 0.20
"""Shares of nights written on two regimens differing by more than this warn of selective
writing (Tom wrote 50 % of his nights without magnesium, 29 % on glycinate, mostly after bad
nights: an outside audit, /tmp/w43/S F4)."""

SELECTIVE_LEAST_NIGHTS = 14
"""Calendar nights a regimen needs for its written share to be compared (and a diary, for
its share written to be said)."""

SPARSE_SHARE = 0.75
"""Under this share of the calendar nights written, the warning of selective writing is given
whatever the regimens' shares: a writer's shares can look alike while every written night
was written for being bad (Tom's, as the diary sees them: 44 %, 35 %, 42 %)."""

_GAP = "night(s) missing between recorded dates"
_CHANGE = "no night written between"
_SELECTIVE = "nights written differs between regimens"
_FEW = "fewer than three nights in four written"


def _active(forms: pd.Series, mg: pd.Series) -> np.ndarray:
    """Per night, whether its regimen holds magnesium (a form of FORMS, a dose above 0)."""
    return (forms.isin(FORMS) & (pd.to_numeric(mg, errors="coerce") > 0)).to_numpy(bool)


def fill_regimen(nights: pd.DataFrame) -> pd.DataFrame:
    """``nights`` with the regimen of each gap night guessed (see the module doc).

    Parameters
    ----------
    nights : pandas.DataFrame
        A daily timeline whose ``recorded`` is True on written nights and NaN on gap nights,
        the regimen columns (:data:`REGIMEN_COLUMNS`) blank on gap nights.

    Returns
    -------
    pandas.DataFrame
        A copy, ``recorded`` boolean and every night's regimen filled.
    """
    nights = nights.copy()
    gap = nights["recorded"].isna().to_numpy()
    regimen = list(REGIMEN_COLUMNS)
    before, after = nights[regimen].ffill(), nights[regimen].bfill()
    same = (before == after).all(axis=1).to_numpy()
    both = (_active(before["form"], before["elemental_mg"])
            & _active(after["form"], after["elemental_mg"]))
    run = np.cumsum(~gap)                          # the written night each gap night follows
    place = pd.Series(np.ones(len(gap)), index=nights.index).groupby(run).cumsum() - 1
    length = pd.Series(gap.astype(int)).groupby(run).transform("sum").to_numpy()
    earlier = same | (place.to_numpy() <= length // 2)
    for column, empty in zip(regimen, (NONE, 0.0, False), strict=True):
        guessed = np.where(earlier, before[column].to_numpy(dtype=object),
                           after[column].to_numpy(dtype=object))
        carried = np.where(same | both, guessed, np.full(len(nights), empty, dtype=object))
        nights[column] = np.where(gap, carried, nights[column].to_numpy(dtype=object))
    nights["recorded"] = ~gap
    return nights


def _words(nights: pd.DataFrame, day: pd.Timestamp) -> Regimen:
    """The regimen of one night."""
    mg = float(np.asarray(nights.at[day, "elemental_mg"], dtype=float))
    return Regimen(str(nights.at[day, "form"]), mg, bool(nights.at[day, "split"]))


def _gap_warning(nights: pd.DataFrame, name: str) -> list[str]:
    """The nights missing between recorded dates: which, and what they are taken as."""
    dates = [d.date().isoformat() for d in nights.index[~nights["recorded"].to_numpy(bool)]]
    if not dates:
        return []
    shown = ", ".join(dates[:3]) + (f" and {len(dates) - 3} more" if len(dates) > 3 else "")
    return [f"{name}: {len(dates)} {_GAP} ({shown}), inserted as unrecorded: one between two "
            "nights on the same regimen is taken as on it, one between two different magnesium "
            "regimens as the earlier up to the gap's midpoint and the later after it, any "
            "other as without magnesium (mgsleep log --date adds a night you remember)"]


def _log(regimen: Regimen) -> str:
    """The command that writes a night of ``regimen`` (its date to be filled in)."""
    split = " --split 1" if regimen.split else ""
    return (f"mgsleep log --date YYYY-MM-DD --form {regimen.form} "
            f"--mg {regimen.elemental_mg:g}{split}")


def _change_warnings(nights: pd.DataFrame, name: str) -> list[str]:
    """One warning per gap between two different magnesium regimens (see the module doc)."""
    written = nights.index[nights["recorded"].to_numpy(bool)]
    notes = []
    for last, first in itertools.pairwise(written):
        was, then = _words(nights, last), _words(nights, first)
        if (first - last).days < 2 or was == then or not (was.active and then.active):
            continue
        switch = nights.index[(nights.index > last) & (nights.index < first)
                              & (nights["form"].to_numpy(str) == then.form)
                              & (nights["elemental_mg"].to_numpy(float) == then.elemental_mg)
                              & (nights["split"].to_numpy(bool) == then.split)][0]
        gap, day = (first - last).days - 1, (switch - dt.timedelta(days=1)).date()
        taken = (f"the night between ({switch.date()}) is taken as {then.words}" if gap == 1
                 else f"the {gap} nights between are taken as {was.words} up to {day} and "
                 f"{then.words} from {switch.date()}")     # "the 1 nights between" (/tmp/w57/n N10)
        notes.append(
            f"{name}: {_CHANGE} {last.date()} ({was.words}) and {first.date()} ({then.words}): "
            f"{taken} (the change is assumed halfway; "
            "the night you changed is not known). Write the last night on the one and the "
            f"first on the other: {_log(was)} and {_log(then)} (or diary rows for them), and "
            "analyse again")
    return notes


def _selective_warning(nights: pd.DataFrame, written: pd.Series, name: str) -> list[str]:
    """A warning when few nights are written, or a share that differs by regimen (module doc)."""
    if not written.any():                  # a plan's rows, nothing slept yet
        return []
    nights = nights.loc[: written[written].index.max()]
    written = written.loc[nights.index]
    labels = [Regimen(str(f), float(mg), bool(s)).words for f, mg, s in
              nights[list(REGIMEN_COLUMNS)].itertuples(index=False)]
    shares = pd.DataFrame({"regimen": labels, "written": written.to_numpy(bool)}).groupby(
        "regimen", sort=False)["written"].agg(["sum", "size"])
    compared = shares[shares["size"] >= SELECTIVE_LEAST_NIGHTS]
    ratio = compared["sum"] / compared["size"]
    differ = len(compared) > 1 and ratio.max() - ratio.min() > SELECTIVE_POINTS
    total, kept = len(nights), int(shares["sum"].sum())
    if not differ and (total < SELECTIVE_LEAST_NIGHTS or kept >= SPARSE_SHARE * total):
        return []
    each = ", ".join(f"{regimen}: {int(row['sum'])} of {int(row['size'])} "
                     f"({row['sum'] / row['size']:.0%})" for regimen, row in shares.iterrows())
    points = f"{SELECTIVE_POINTS * 100:.0f} points"
    return [f"{name}: you wrote {kept} of {total} nights ({kept / total:.0%}; {each})"
            + (f", and the share of {_SELECTIVE} by more than {points}" if differ
               else f": {_FEW}") + ". Nights written because they were bad (or good) bias the "
            "comparison between regimens, and the analysis cannot tell; write every night, "
            "even a quick rating (mgsleep log --quality)"]


def unwritten_warnings(nights: pd.DataFrame, written: pd.Series, name: str) -> list[str]:
    """What a diary's unwritten nights are taken as, and a warning of selective writing.

    Parameters
    ----------
    nights : pandas.DataFrame
        A diary's timeline (:func:`fill_regimen` filled it).
    written : pandas.Series of bool
        Per night, whether it was written with an outcome.
    name : str
        The diary's name, for the warnings.

    Returns
    -------
    list of str
        The gap warning, one per change made in a gap, the selective-writing warning.
    """
    return (_gap_warning(nights, name) + _change_warnings(nights, name)
            + _selective_warning(nights, written, name))


def is_unwritten_warning(text: str) -> bool:
    """Whether a diary's warning is one of :func:`unwritten_warnings` (said anew on a cut)."""
    return any(mark in text for mark in (_GAP, _CHANGE, _SELECTIVE, _FEW))
