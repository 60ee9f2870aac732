"""Validation of long-format n-of-1 data and its conversion to model coordinates."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from model.core.errors import Fault, InputError
from model.nof1.priors import check_family


def level_label(value: Any) -> str:
    """Display label of a treatment level: integer-valued numbers without a decimal point.

    ``1``, ``1.0`` and ``"1"`` all give ``"1"``, so a reference given on the command line
    matches numeric treatment codes.
    """
    if isinstance(value, str):
        text = value.strip()
        try:
            number = float(text)
        except ValueError:
            return text
        return level_label(number) if np.isfinite(number) else text
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


@dataclass(frozen=True)
class PreparedData:
    """A validated n-of-1 data set in model coordinates (rows sorted by person and time)."""

    y: np.ndarray
    levels: tuple[str, ...]
    reference: str
    treatment_index: np.ndarray
    time_index: np.ndarray
    time_value: np.ndarray
    persons: tuple[str, ...] | None
    person_index: np.ndarray
    covariates: np.ndarray
    covariate_names: tuple[str, ...]
    trials: np.ndarray | None
    n_categories: int | None
    category_low: int


def _numeric(series: pd.Series, source: str, column: str, faults: list[Fault]) -> np.ndarray:
    """Convert to floats (NaN for blanks); a fault per non-numeric cell."""
    values = pd.to_numeric(series, errors="coerce").astype(float).to_numpy()
    bad = np.flatnonzero(np.isnan(values) & series.notna().to_numpy())
    faults.extend(
        Fault(source, f"row {i + 1}, column {column}", f"expected a number, got {series.iloc[i]!r}")
        for i in bad
    )
    return values


def _family_faults(family: str, y: np.ndarray, source: str, column: str) -> list[Fault]:
    """Faults for outcome values outside the family's support."""
    checks: dict[str, tuple[Callable[[np.ndarray], np.ndarray], str]] = {
        "poisson": (lambda v: (v >= 0) & (v == np.round(v)), "a count (whole number >= 0)"),
        "negbin": (lambda v: (v >= 0) & (v == np.round(v)), "a count (whole number >= 0)"),
        "binomial": (lambda v: (v == 0) | (v == 1), "0 or 1"),
        "ordinal": (lambda v: v == np.round(v), "a whole-number category"),
        "normal": (np.isfinite, "a finite number"),
    }
    test, expected = checks[family]
    with np.errstate(invalid="ignore"):
        bad = np.flatnonzero(~np.isnan(y) & ~test(y))
    return [
        Fault(source, f"row {i + 1}, column {column}", f"expected {expected}, got {y[i]:g}")
        for i in bad
    ]


def _time_values(series: pd.Series, source: str, column: str, faults: list[Fault]) -> np.ndarray:
    """Whole-number times or dates (as day numbers); a fault per bad cell."""
    numbers = pd.to_numeric(series, errors="coerce").astype(float)
    if numbers.notna().all() and (numbers == numbers.round()).all():
        return numbers.to_numpy()
    dates = pd.to_datetime(series.astype(str), errors="coerce", format="ISO8601")
    if dates.notna().all():
        return ((dates - dates.min()) / pd.Timedelta(days=1)).to_numpy(dtype=float).round()
    for i, value in enumerate(series):
        if pd.isna(numbers.iloc[i]) or numbers.iloc[i] != round(numbers.iloc[i]):
            faults.append(Fault(source, f"row {i + 1}, column {column}",
                                f"expected a whole number or a date, got {value!r}"))
    return np.zeros(len(series))


def prepare_data(
    data: pd.DataFrame,
    *,
    family: str,
    outcome: str,
    treatment: str,
    reference: Any = None,
    time: str | None = None,
    person: str | None = None,
    covariates: Sequence[str] = (),
    trials: str | None = None,
    categories: tuple[int, int] | None = None,
    source: str = "<DataFrame>",
) -> PreparedData:
    """Validate a long-format data set and convert it to model coordinates.

    Every problem is collected and raised together as an :class:`InputError` naming the
    source, the 1-based data row and the column.
    """
    check_family(family)
    needed = [outcome, treatment, *(c for c in (time, person, trials) if c), *covariates]
    missing = [c for c in needed if c not in data.columns]
    if missing:
        have = ", ".join(map(str, data.columns))
        raise InputError([Fault(source, f"column {c}", f"expected a column {c!r}; the data "
                                f"have: {have}") for c in missing])
    data = data.reset_index(drop=True)
    y, covariate_values, n_trials, time_value = _columns(
        data, family=family, outcome=outcome, treatment=treatment, time=time, person=person,
        covariates=covariates, trials=trials, source=source)

    labels = data[treatment].map(level_label)
    ordered_levels = _ordered_levels(labels, reference, source, treatment)
    ref = ordered_levels[0]
    low, n_categories = (_category_range(y, categories, source, outcome)
                         if family == "ordinal" else (0, None))

    person_labels = (data[person].map(level_label) if person
                     else pd.Series(["all"] * len(data)))
    persons = tuple(sorted(person_labels.unique(), key=_level_sort_key))
    person_index = person_labels.map({p: i for i, p in enumerate(persons)}).to_numpy()
    if not time:  # row order within each person
        time_value = person_labels.groupby(person_labels).cumcount().to_numpy(dtype=float)
    order = np.lexsort((time_value, person_index))
    cov = np.column_stack(covariate_values) if covariates else np.zeros((len(data), 0))
    cov = (cov - cov.mean(axis=0)) / np.where(cov.std(axis=0) > 0, cov.std(axis=0), 1.0)
    return PreparedData(
        y=(y - low)[order],
        levels=ordered_levels,
        reference=ref,
        treatment_index=labels.map({lv: i for i, lv in enumerate(ordered_levels)})
        .to_numpy()[order],
        time_index=(time_value - time_value.min()).astype(int)[order],
        time_value=time_value[order],
        persons=persons if person else None,
        person_index=person_index[order],
        covariates=cov[order],
        covariate_names=tuple(covariates),
        trials=None if n_trials is None else n_trials[order],
        n_categories=n_categories,
        category_low=low,
    )


def _level_sort_key(label: str) -> tuple[int, float, str]:
    """Sort numeric labels numerically, before text labels."""
    try:
        return (0, float(label), label)
    except ValueError:
        return (1, 0.0, label)


def _ordered_levels(labels: pd.Series, reference: Any, source: str,
                    column: str) -> tuple[str, ...]:
    """Treatment levels, the reference first; faults for a missing reference or one level."""
    levels = tuple(sorted(labels.unique(), key=_level_sort_key))
    ref = levels[0] if reference is None else level_label(reference)
    if ref not in levels:
        raise InputError([Fault(source, f"column {column}", f"expected the reference level "
                                f"{ref!r} among the levels {', '.join(levels)}")])
    if len(levels) < 2:
        raise InputError([Fault(source, f"column {column}",
                                f"expected at least two treatment levels, got {levels[0]!r}")])
    return (ref, *(lv for lv in levels if lv != ref))


def _category_range(y: np.ndarray, categories: tuple[int, int] | None, source: str,
                    column: str) -> tuple[int, int]:
    """``(lowest category, number of categories)`` of an ordinal outcome, checked."""
    observed = y[~np.isnan(y)]
    low, high = categories or (int(observed.min()), int(observed.max()))
    outside = np.flatnonzero(~np.isnan(y) & ((y < low) | (y > high)))
    if outside.size:
        raise InputError([Fault(source, f"row {i + 1}, column {column}",
                                f"expected a category in {low}..{high}, got {y[i]:g}")
                          for i in outside])
    if high - low + 1 < 2:
        raise InputError([Fault(source, f"column {column}", "expected at least two categories")])
    return low, high - low + 1


def _columns(data: pd.DataFrame, *, family: str, outcome: str, treatment: str,
             time: str | None, person: str | None, covariates: Sequence[str],
             trials: str | None, source: str
             ) -> tuple[np.ndarray, list[np.ndarray], np.ndarray | None, np.ndarray]:
    """Outcome, covariates, trials and times as numbers; every bad cell raised together."""
    faults: list[Fault] = []
    y = _numeric(data[outcome], source, outcome, faults)
    faults += _family_faults(family, y, source, outcome)
    faults += [Fault(source, f"row {i + 1}, column {treatment}", "expected a treatment, got blank")
               for i in np.flatnonzero(data[treatment].isna().to_numpy())]
    for column in (time, person):
        if column:
            faults += [Fault(source, f"row {i + 1}, column {column}", "expected a value, got blank")
                       for i in np.flatnonzero(data[column].isna().to_numpy())]
    covariate_values = [_numeric(data[c], source, c, faults) for c in covariates]
    for c, values in zip(covariates, covariate_values, strict=True):
        faults += [Fault(source, f"row {i + 1}, column {c}", "expected a number, got blank")
                   for i in np.flatnonzero(np.isnan(values) & data[c].isna().to_numpy())]
    n_trials = _numeric(data[trials], source, trials, faults) if trials else None
    time_value = (_time_values(data[time], source, time, faults) if time and not faults
                  else np.arange(len(data), dtype=float))
    if faults:
        raise InputError(faults)
    if np.isnan(y).all():
        raise InputError([Fault(source, f"column {outcome}", "expected at least one value")])
    return y, covariate_values, n_trials, time_value
