"""One definition of each range, ceiling and date (a maintainer's review, C F1 F4 F5 F9 F12;
an outside audit, B F5).

The daily ceiling was stated twice in ``safety.toml`` with nothing tying them (a default of
300 mg under a source no reference named loaded); a rating scale's ends four times; the
diary's limits (720 minutes, ten years) as literals in several layers; the level a diary
without sleep onset starts from twice, 30 and 45 minutes; and a date was read four ways, one
of which took ``20260801``. A night dated by a time of day (a tracker's 00:30 sleep onset) was
cut to its calendar date, a night late.
"""

from __future__ import annotations

import ast
import dataclasses
import datetime as dt
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import at_key, edit_safety

from model.analysis.store_start import since_words
from model.cli.log_questions import FIELDS
from model.cli.options import parse_date
from model.core.errors import DiaryError, InputError, PriorsError
from model.core.outcomes import ORDINAL, SPECS, scale_ends, scale_span, scale_words
from model.data.column_words import MEANS
from model.data.diary import read_diary
from model.data.diary_columns import NUMERIC
from model.data.night_dates import given_date
from model.data.profile_entries import read_taking_since
from model.decision.rule_words import HOW_TO_RECORD
from model.evidence.priorset import load_priors
from model.likelihood.families import NegativeBinomial, NormalAR1
from model.likelihood.kinetics import store_lead
from model.personal.data import diary_data, diary_size
from model.report.clinician_tables import OBSERVED
from model.report.diary_words import RECORDED

MODEL = Path(__file__).resolve().parents[1] / "model"
FIRST = dt.date(2026, 1, 1)


def _nights(n: int = 20, **columns: object) -> pd.DataFrame:
    frame = pd.DataFrame({"date": pd.date_range(FIRST, periods=n).strftime("%Y-%m-%d"),
                          "form": "", "sol_min": 30.0, "awakenings": 2.0, "quality": 3.0,
                          "stool_bristol": 4.0})
    return frame.assign(**columns)


# --- C F1: the ceiling's default is the level of the reference it names ----------------------
def test_a_ceiling_source_that_names_no_reference_is_refused(priors_copy):
    path = edit_safety(priors_copy, 'source = "IOM1997_UL"', 'source = "NO_SUCH_REFERENCE"')
    with pytest.raises(PriorsError, match=at_key(path, "ceiling") + ": source = "
                       "'NO_SUCH_REFERENCE' is the id of no \\[\\[ceiling.references\\]\\]"):
        load_priors(priors_copy)


def test_a_ceiling_default_other_than_its_sources_level_is_refused(priors_copy):
    """300 mg said to be the US UL (350 mg): the clinician page would have said so."""
    path = edit_safety(priors_copy, "default_mg_per_day = 350", "default_mg_per_day = 300")
    with pytest.raises(PriorsError, match=at_key(path, "ceiling") + ": default_mg_per_day = "
                       "300 mg/day is not the level of its source 'IOM1997_UL' \\(350"):
        load_priors(priors_copy)


def test_a_raised_ceiling_is_told_at_once_that_the_floor_forbids_it(priors_copy):
    """A safety-case audit (/tmp/w47/A F5): 500 mg was told to add a reference of its own,
    which the safety floor then refused; the first message says a folder may only lower it."""
    edit_safety(priors_copy, "default_mg_per_day = 350", "default_mg_per_day = 500")
    with pytest.raises(PriorsError, match="never raise it above the safety floor's"):
        load_priors(priors_copy)


def test_a_ceiling_lowered_to_a_references_level_loads(priors_copy):
    edit_safety(priors_copy, 'default_mg_per_day = 350\nsource = "IOM1997_UL"',
          'default_mg_per_day = 250\nsource = "SCF2001_EFSA"')
    edit_safety(priors_copy, "[[ceiling.references]]\n", '[[ceiling.references]]\nid = "CLINIC"\n'
          'mg_per_day = 300\nscope = "our clinic"\n\n[[ceiling.references]]\n')
    assert load_priors(priors_copy).safety.ceiling.default_mg_per_day == 250
    edit_safety(priors_copy, 'default_mg_per_day = 250\nsource = "SCF2001_EFSA"',
          'default_mg_per_day = 300\nsource = "CLINIC"')
    assert load_priors(priors_copy).safety.ceiling.source == "CLINIC"


def test_no_rule_text_restates_the_ceilings_number(priors):
    """The under-18 rule said "mgsleep's daily ceiling (350 mg)", a third statement of it."""
    safety = priors.safety
    for rule in (*safety.contraindications, *safety.cautions):
        assert not re.search(r"ceiling \(\d", rule.reason), rule.id


# --- C F4, F9: each scale's ends and each of the diary's limits stated once -------------------
def _numbers(value: float) -> list[str]:
    """The modules where ``value`` is written as a number in code (not in text), once each."""
    found = []
    for path in sorted(MODEL.rglob("*.py")):
        found += [str(path.relative_to(MODEL)) for node in ast.walk(ast.parse(path.read_text()))
                  if isinstance(node, ast.Constant) and type(node.value) in (int, float)
                  and node.value == value]
    return found


def test_the_diary_limits_are_written_once():
    """720 minutes (sol_min and waso_min) and ten years of nights, each in one module."""
    assert _numbers(720) == ["data/diary_columns.py"] * 2
    assert _numbers(3650) == ["data/night_dates.py"]


@pytest.mark.parametrize("outcome", ORDINAL)
def test_a_ratings_ends_are_the_registrys_everywhere(outcome):
    spec = SPECS[outcome]
    ends = NUMERIC[spec.column]
    assert (ends.low, ends.high, ends.whole) == (spec.lowest, spec.highest, True)
    said = scale_words(spec.column)
    assert f", {spec.lowest}" in said and f"to {spec.highest}" in said
    assert FIELDS[spec.column][1] == said
    assert said in MEANS[spec.column]


def test_a_ratings_words_follow_its_registry_entry(monkeypatch):
    seven = dataclasses.replace(SPECS["quality"], categories=7)
    monkeypatch.setitem(SPECS, "quality", seven)
    assert scale_words("quality") == "sleep quality, 1 very poor to 7 very good"


@pytest.mark.parametrize("outcome", ORDINAL)
def test_every_page_asks_for_a_rating_on_the_registrys_scale(outcome):
    """The morning note, an unrecorded outcome's warning and a clinician's table said each
    rating's ends by hand (the maintainer's review left it; stop 73's note)."""
    spec = SPECS[outcome]
    ends = scale_ends(spec.column)
    assert ends.startswith(f"{spec.lowest}") and f"to {spec.highest}" in ends
    assert RECORDED[outcome] == scale_words(spec.column, brackets=True)
    assert HOW_TO_RECORD[outcome][1].endswith(f"({ends})")
    assert dict(OBSERVED)[spec.column] == f"{spec.column} {spec.lowest}-{spec.highest}"
    assert scale_span(spec.column) == f"{spec.lowest}-{spec.highest}"


def test_the_models_limits_are_the_diarys():
    assert NegativeBinomial().max_count == NUMERIC["awakenings"].high
    assert (NormalAR1.low, NormalAR1.high) == (NUMERIC["sol_min"].low, NUMERIC["sol_min"].high)


# --- C F5: one rule for the level a diary does not show -----------------------------------
def test_a_diary_without_sleep_onset_starts_from_the_settings_baseline(priors):
    diary = read_diary(_nights(sol_min=np.nan))
    data = diary_data(diary, priors, 0.0, *diary_size(diary, priors))
    assert data["intercept_mu"][0] == pytest.approx(
        math.log1p(priors.settings.outcomes["sol"].baseline))


# --- C F12: one reader of a date, refusing the compact form ---------------------------------
def test_a_compact_date_is_refused_by_every_reader():
    with pytest.raises(ValueError, match="taking_since must be a date"):
        store_lead(FIRST, "20251201")
    diary = read_diary(_nights(form="glycinate", elemental_mg=200.0))
    with pytest.raises(ValueError, match="taking_since must be a date"):
        since_words(diary, "20251201")
    with pytest.raises(ValueError, match="expected the day"):
        read_taking_since("20251201")
    with pytest.raises(InputError, match="--start"):
        parse_date("20251201", "--start")
    with pytest.raises(ValueError, match="as_of must be a date"):
        given_date("20251201")
    assert store_lead(FIRST, "2025-12-01") == 31


def test_a_day_that_does_not_exist_says_why():
    with pytest.raises(ValueError, match=r"not a day of the calendar.*2026 is not a leap year"):
        read_taking_since("2026-02-29")


# --- B F5: a night is the day it began -----------------------------------------------------
@pytest.mark.parametrize("shift", ["30min", "23h30min"])
def test_a_date_with_a_time_of_day_is_refused_naming_the_row(shift):
    """A tracker's sleep onset at 00:30 was read as the night of that day, a night late."""
    frame = _nights()
    frame["date"] = pd.to_datetime(frame["date"]) + pd.Timedelta(shift)
    with pytest.raises(DiaryError, match=r"row 1, column date: .*a date with a time of day"):
        read_diary(frame)


def test_a_timezone_aware_time_is_refused_too():
    frame = _nights()
    frame["date"] = (pd.to_datetime(frame["date"]) + pd.Timedelta("30min")).dt.tz_localize(
        "Europe/Berlin").dt.tz_convert("UTC")
    with pytest.raises(DiaryError, match=r"row 1, column date: .*2025-12-31 23:30"):
        read_diary(frame)


@pytest.mark.parametrize("zone", [None, "Europe/Berlin"])
def test_midnight_timestamps_are_nights(zone):
    frame = _nights()
    frame["date"] = pd.to_datetime(frame["date"]).dt.tz_localize(zone)
    diary = read_diary(frame)
    assert diary.n_nights == 20 and diary.nights.index[0].date() == FIRST
