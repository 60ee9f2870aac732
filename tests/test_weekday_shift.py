"""Nights off that fall on one day of the week are named (an outside audit, /tmp/w51/b B5).

A man skipped magnesium on Sunday nights at the in-laws', his worst evening; the caution put
the difference to expectation, drift or build-up and never named Sundays. The day of the week
is weighed as a recorded covariate is (:func:`model.personal.separability.weekday_shift`);
a diary begun with nights off, then every night on, and one with nights skipped at random are
not told of it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from model.data.diary import read_diary
from model.personal.separability import separability, weekday_shift

MONDAY = pd.Timestamp("2026-01-05")


def _diary(taken: list[bool]):
    """A diary from a Monday, glycinate 200 mg on the nights ``taken``, none on the others."""
    rows = pd.DataFrame({
        "date": pd.date_range(MONDAY, periods=len(taken)).strftime("%Y-%m-%d"),
        "form": ["glycinate" if t else "" for t in taken],
        "elemental_mg": ["200" if t else "" for t in taken],
        "sol_min": 30.0, "quality": 3.0, "anxiety": 5.0})
    return read_diary(rows)


def _weekday_reasons(taken: list[bool]) -> list[str]:
    return weekday_shift(_diary(taken), np.array(taken))


def _weeks_on(weeks: int, off_days: tuple[int, ...] = ()) -> list[bool]:
    """``weeks`` weeks of nights on magnesium (Monday first) but for the days ``off_days``."""
    return [day not in off_days for _ in range(weeks) for day in range(7)]


def test_nights_off_on_sundays_are_named_with_the_counts():
    """The audit's diary: 14 nights off, then seven weeks on but for Sunday nights."""
    result = separability(_diary([False] * 14 + _weeks_on(7, off_days=(6,))))
    said = ("your nights without magnesium were often Sunday nights (9 of 21, against 0 of the "
            "42 nights with it): the diary cannot tell Sunday nights from magnesium's effect "
            "(correlation -0.58 night by night; named from 0.5); take it on Sunday nights too, "
            "or skip it on other nights of the week as well")
    assert said in result.reasons
    assert said in result.to_dict()["reasons"]                 # the JSON's, and the caution's


def test_a_short_start_then_every_sunday_off_says_mostly():
    reasons = _weekday_reasons([False] * 7 + _weeks_on(10, off_days=(6,)))
    assert len(reasons) == 1
    assert reasons[0].startswith("your nights without magnesium were mostly Sunday nights (11 "
                                 "of 17, against 0 of the 60 nights with it)")


def test_magnesium_taken_only_at_weekends_names_the_weekend_and_the_nights_with_it():
    reasons = _weekday_reasons([False] * 14 + _weeks_on(8, off_days=(0, 1, 2, 3, 6)))
    assert len(reasons) == 1                                   # Fridays alone: named once
    assert reasons[0].startswith("your nights with magnesium were mostly Friday and Saturday "
                                 "nights (16 of 16, against 4 of the 54 nights without it)")
    assert reasons[0].endswith("take it on other nights of the week too, or skip it on some "
                               "Friday and Saturday nights as well")


@pytest.mark.parametrize("off", [7, 10, 14, 21, 30])
def test_nights_off_first_then_every_night_on_are_not_named(off):
    assert _weekday_reasons([False] * off + [True] * 60) == []


@pytest.mark.parametrize("seed", range(12))
def test_nights_skipped_at_random_are_not_named(seed):
    rng = np.random.default_rng(seed)
    taken = [False] * 14 + list(rng.random(80) > 0.2)
    assert _weekday_reasons(taken) == []
