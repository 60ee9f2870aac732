"""Nights left unwritten (an outside missing-data audit, /tmp/w43/S F1, F2, F4).

* ``--as-of DATE`` analyses the diary as its rows up to DATE make it: no unwritten night
  before DATE takes its regimen from a row after it, and the warnings count no night after it.
* A form or dose changed while nothing was written: the gap is the earlier regimen up to its
  midpoint and the later after it (not "no magnesium"), and a warning names it.
* Nights written selectively (few, or a share that differs by regimen) are warned of.
"""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from model.analysis.analysed_nights import truncated as _truncate
from model.data.diary import read_diary
from model.decision import history
from model.likelihood.kinetics import design_from_nights

START = dt.date(2026, 9, 1)


def rows(*runs: tuple[str, int, int], skip: frozenset[int] = frozenset()) -> pd.DataFrame:
    """Diary rows: runs of (form, mg, nights) from START, the nights numbered in ``skip``
    left unwritten (no row)."""
    out, night = [], 0
    for form, mg, nights in runs:
        for _ in range(nights):
            if night not in skip:
                out.append({"date": (START + dt.timedelta(days=night)).isoformat(),
                            "form": form, "elemental_mg": mg,
                            "sol_min": 20 + night % 7, "quality": 3})
            night += 1
    return pd.DataFrame(out)


def day(night: int) -> str:
    return (START + dt.timedelta(days=night)).isoformat()


# Raj's diary: glycinate 21 nights, taurate 28; nights 14..34 unwritten (the switch at 21)
RAJ = rows(("glycinate", 200, 21), ("taurate", 200, 28), skip=frozenset(range(14, 35)))
# Tom's: none 14, glycinate 28, taurate 21, nights written here and there
TOM = rows(("none", 0, 14), ("glycinate", 200, 28), ("taurate", 200, 21),
           skip=frozenset({1, 3, 5, 9, 15, 16, 17, 22, 23, 30, 31, 37, 38, 39, 40, 41, 43, 44,
                           46, 50, 51, 55}))


@pytest.mark.parametrize(("table", "dates"), [
    (TOM, ("2026-09-20", "2026-10-12", "2026-10-14", "2026-10-30")),
    (RAJ, ("2026-09-14", "2026-09-20", "2026-10-06", "2026-10-12")),
])
def test_as_of_is_the_diary_as_its_rows_up_to_the_date_make_it(table, dates):
    """Analysing with --as-of DATE = analysing the file cut at DATE: nights, warnings, History.

    Before: Tom's unwritten 10-08..10-12 after his last glycinate row (10-07) were "no
    magnesium" at --as-of 10-12, because his next row (10-13, after the date) was taurate, and
    Raj at 09-14 was warned of 21 missing nights when none were yet.
    """
    full = read_diary(table)
    for date in dates:
        cut = read_diary(table[table["date"] <= date])
        analysed, when = _truncate(full, date)
        as_it_stood, then = _truncate(cut, date)
        assert when == then == dt.date.fromisoformat(date)
        pd.testing.assert_frame_equal(analysed.nights, as_it_stood.nights)
        assert analysed.warnings == as_it_stood.warnings, date
        assert history(analysed).through(when) == history(as_it_stood).through(then), date
    at_1012 = _truncate(read_diary(TOM), "2026-10-12")[0].nights
    assert (at_1012.loc["2026-09-24":, "form"] == "glycinate").all()   # none after 10-07
    assert not any("missing" in w for w in _truncate(read_diary(RAJ), "2026-09-14")[0].warnings)


def test_a_change_in_an_unwritten_gap_is_split_at_its_midpoint_and_named():
    """Glycinate, 21 nights unwritten, taurate: 10 nights on glycinate, 11 on taurate.

    Before, the 21 nights were "no magnesium" and taurate's first nights had an empty store;
    nothing said a form changed, when, or how to say the real night.
    """
    diary = read_diary(RAJ)
    forms = diary.nights["form"]
    assert (forms[day(14):day(23)] == "glycinate").all()
    assert (forms[day(24):day(34)] == "taurate").all()
    assert (diary.nights.loc[day(14):day(34), "elemental_mg"] == 200).all()
    change = [w for w in diary.warnings if "no night written between" in w]
    assert change == [
        "<DataFrame>: no night written between 2026-09-14 (glycinate 200 mg) and 2026-10-06 "
        "(taurate 200 mg): the 21 nights between are taken as glycinate 200 mg up to "
        "2026-09-24 and taurate 200 mg from 2026-09-25 (the change is assumed halfway; the "
        "night you changed is not known). Write the last night on the one and the first on "
        "the other: mgsleep log --date YYYY-MM-DD --form glycinate --mg 200 and mgsleep log "
        "--date YYYY-MM-DD --form taurate --mg 200 (or diary rows for them), and analyse again"]
    # the exposure reads the form column: the store of taurate starts at the assumed switch
    design = design_from_nights(diary.nights, ed50_mg=200.0, reference_mg=200.0)
    assert design.taking[14:35].all()
    assert 24 in design.change_night.tolist()
    # the History: taurate's run counts from the assumed switch night
    assert history(diary).nights_on_current == 49 - 24


@pytest.mark.parametrize(("before", "after", "expected"), [
    (("glycinate", 200), ("glycinate", 200), ("glycinate", 200.0)),   # same regimen: carried
    (("glycinate", 200), ("none", 0), ("none", 0.0)),                 # magnesium then none
    (("none", 0), ("glycinate", 200), ("none", 0.0)),                 # none then magnesium
    (("placebo", 0), ("taurate", 200), ("none", 0.0)),                # placebo: not magnesium
])
def test_other_gaps_keep_the_rule(before, after, expected):
    diary = read_diary(rows((*before, 10), (*after, 10), skip=frozenset(range(7, 13))))
    gap = diary.nights.loc[day(7):day(12)]
    assert (gap["form"] == expected[0]).all() and (gap["elemental_mg"] == expected[1]).all()
    assert not any("no night written between" in w for w in diary.warnings)


def test_a_dose_changed_in_a_gap_is_a_change_too():
    diary = read_diary(rows(("glycinate", 200, 10), ("glycinate", 300, 10),
                            skip=frozenset(range(7, 13))))
    assert diary.nights.loc[day(7):day(9), "elemental_mg"].tolist() == [200.0] * 3
    assert diary.nights.loc[day(10):day(12), "elemental_mg"].tolist() == [300.0] * 3
    assert any("(glycinate 200 mg) and 2026-09-14 (glycinate 300 mg)" in w
               for w in diary.warnings)


def test_nights_written_selectively_are_warned_of():
    """Tom-like: every night without magnesium written, 9 of 23 on glycinate (>20 points).

    Before, nothing was said (the timeline ends at the last night written: 20..42).
    """
    table = rows(("none", 0, 20), ("glycinate", 200, 30),
                 skip=frozenset(n for n in range(20, 50) if n % 10 > 2))
    selective = [w for w in read_diary(table).warnings if "you wrote" in w]
    assert selective == [
        "<DataFrame>: you wrote 29 of 43 nights (67%; no magnesium: 20 of 20 (100%), glycinate "
        "200 mg: 9 of 23 (39%)), and the share of nights written differs between regimens by "
        "more than 20 points. Nights written because they were bad (or good) bias the "
        "comparison between regimens, and the analysis cannot tell; write every night, even a "
        "quick rating (mgsleep log --quality)"]


def test_few_nights_written_are_warned_of_even_with_equal_shares():
    table = rows(("none", 0, 20), ("glycinate", 200, 21), skip=frozenset(range(1, 41, 2)))
    warned = [w for w in read_diary(table).warnings if "you wrote" in w]
    assert len(warned) == 1 and "21 of 41 nights (51%" in warned[0]
    assert "fewer than three nights in four written" in warned[0]


@pytest.mark.parametrize("skip", [frozenset(), frozenset({3, 12, 25}), frozenset(range(20, 22))])
def test_a_diary_written_nearly_every_night_has_no_selective_warning(skip):
    table = rows(("none", 0, 14), ("glycinate", 200, 14), skip=skip)
    assert not any("you wrote" in w for w in read_diary(table).warnings)


def test_a_cut_diary_says_its_own_selective_warning():
    table = rows(("none", 0, 20), ("glycinate", 200, 30),
                 skip=frozenset(n for n in range(20, 50) if n % 10 > 2))
    assert any("you wrote" in w for w in read_diary(table).warnings)
    cut = _truncate(read_diary(table), day(19))[0]
    assert not any("you wrote" in w for w in cut.warnings)
    assert np.all(cut.nights["recorded"])
