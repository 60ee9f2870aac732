"""Magnesium regimens changed too often to tell apart are named (separability.short_runs).

A person who changed form or dose every 2-4 nights (10 regimens in a month) was told
"Continue taurate 300 mg", her last, beside 54 effect lines from 1-4 nights each, and nothing
said that runs so short cannot show what a form does (an outside audit, /tmp/w57/n N9).
"""

import numpy as np
import pandas as pd

from model.data.diary import read_diary
from model.personal.separability import separability, short_runs

START = pd.Timestamp("2026-10-01")


def diary(runs: list[tuple[str, int, int]]) -> pd.DataFrame:
    """14 nights without magnesium, then runs of (form, mg, nights)."""
    rows = [("", "")] * 14 + [(form, str(mg)) for form, mg, n in runs for _ in range(n)]
    rng = np.random.default_rng(3)
    return pd.DataFrame({"date": pd.date_range(START, periods=len(rows)).strftime("%Y-%m-%d"),
                         "form": [f for f, _ in rows], "elemental_mg": [m for _, m in rows],
                         "sol_min": np.round(np.exp(np.log(30) + rng.normal(0, 0.4, len(rows)))),
                         "quality": 3})


CHAOS = [("glycinate", 200, 3), ("taurate", 150, 2), ("citrate", 300, 4), ("glycinate", 100, 3),
         ("threonate", 144, 2), ("malate", 200, 3), ("glycinate", 300, 4), ("taurate", 300, 3)]


def test_nine_regimens_in_a_month_are_named_in_the_separability_reasons():
    read = read_diary(diary(CHAOS))
    said = short_runs(read)
    assert said == ["8 runs of magnesium in the last 28 nights lasted 2 to 4 nights each, on 8 "
                    "regimens: its effect builds up over 1 to 4 weeks, so runs this short "
                    "cannot show what any of them does; take one regimen every night for a "
                    "whole evaluation period before the next change"]
    assert said[0] in separability(read).reasons


def test_a_crossover_of_whole_periods_is_not_named():
    assert short_runs(read_diary(diary([("glycinate", 200, 17), ("taurate", 200, 17)]))) == []


def test_short_runs_of_two_regimens_and_older_ones_are_not_named():
    """A dose taken at 100 or 200 mg by turns is two regimens; a month of one is the window."""
    turns = [("taurate", mg, 2) for mg in (100, 200) * 5]
    assert short_runs(read_diary(diary(turns))) == []
    assert short_runs(read_diary(diary([*CHAOS, ("glycinate", 200, 28)]))) == []
