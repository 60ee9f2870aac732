"""A break counts as a withdrawal by its time off, not only by its written nights.

An outside audit (/tmp/w49/c): Mira stopped glycinate 27 nights before her last night and wrote
9 nights off spread over them; she was told "9 is too few: about half of magnesium's effect
fades in that time" (W2). Three trip nights left out (column ``exclude``) still counted as
nights off through their GI record, and turned "not separable" into "separable" (W3). The
caution ordered "spend 10 or more nights without magnesium" beside "Continue glycinate" (M1);
a chance of 0.7985 was shown as "P 0.80 ...; a withdrawal counts from 0.8" (M4); "about 347
more written nights on it to tell" meant never (F3).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from model.analysis.effects import DiaryEffect
from model.core.outcomes import SPECS
from model.core.regimen import Regimen
from model.data.diary import read_diary
from model.personal.covariate_balance import covariate_shifts
from model.personal.separability import separability, short_of
from model.personal.withdrawal import (
    MIN_OFF_NIGHTS,
    WITHDRAWAL_SURE,
    off_nights_needed,
    p_long_enough,
)
from model.report.effect_words import NIGHTS_TO_TELL_CAP, verdict_phrase

START = pd.Timestamp("2026-09-01")
TWELVE = {"tau": np.full(400, 16.5)}
"""A fit whose withdrawal needs 12 nights off (ln 2 of 16.5 days), as Mira's did."""


def nights(schedule: list[tuple[int, str]], written: str = "", **more: object) -> pd.DataFrame:
    """Rows of ``schedule`` (nights, form; "" none), glycinate at 200 mg, sleep written.

    ``written``: one character per night of the whole schedule, ``.`` a night not written
    (no row), ``x`` one left out (``exclude=travel``, its stool still written); blank:
    every night written.
    """
    forms = [form for n, form in schedule for _ in range(n)]
    marks = written or "o" * len(forms)
    assert len(marks) == len(forms)
    rows = pd.DataFrame({
        "date": pd.date_range(START, periods=len(forms)).strftime("%Y-%m-%d"), "form": forms,
        "elemental_mg": ["200" if f else "" for f in forms], "sol_min": 30.0, "quality": 3.0,
        "stool_bristol": 4.0, "exclude": ["travel" if m == "x" else "" for m in marks]} | more)
    return rows[[m != "." for m in marks]]


def analysed(schedule: list[tuple[int, str]], written: str = "", draws=TWELVE, **more):
    """The separability of the diary of ``nights(schedule, written)``."""
    return separability(read_diary(nights(schedule, written, **more)), draws)


# --- W2: the time off is calendar nights, the evidence written nights -------------------------

MIRA_OFF = "." * 2 + "o" + "." * 6 + "o" + "." * 6 + "o" + "." * 4 + "o" * 6
"""Mira's 27 nights off: written 3, 10 and 17 nights after the stop, then the last six."""


def test_a_long_break_with_nine_written_nights_is_a_withdrawal():
    apart = analysed([(20, "glycinate"), (27, "")], "o" * 20 + MIRA_OFF)
    assert off_nights_needed(TWELVE) == 12
    assert (apart.separable, apart.withdrawals) == (True, 1)
    assert apart.p_withdrawal_long_enough == p_long_enough(25, TWELVE) == 1.0
    assert not any("too few" in r for r in apart.reasons)


def test_the_span_starts_at_the_first_written_night_off_not_in_the_gap_before_it():
    """The stop may come on any unwritten night after the last dose written: a gap of 15
    nights, then 7 written nights off, is 7 nights off for sure, too few for 12."""
    apart = analysed([(20, "glycinate"), (22, "")], "o" * 20 + "." * 15 + "o" * 7)
    assert apart.withdrawals == 0
    assert ("the nights off you wrote from 2026-10-06 to 2026-10-12 span 7 nights, too short a "
            "time so far") in apart.reasons[0]


def test_a_long_break_with_few_written_nights_says_so_not_that_the_effect_had_not_faded():
    off = "o" + "." * 10 + "o" * 2 + "." * 10 + "o" * 2     # 5 written over 25 nights
    apart = analysed([(20, "glycinate"), (25, ""), (15, "glycinate")],
                     "o" * 20 + off + "o" * 15)
    assert (apart.separable, apart.withdrawals) == (False, 0)
    assert apart.p_withdrawal_long_enough == 0.0 and not apart.borderline
    said = apart.reasons[0]
    assert ("; the nights off you wrote from 2026-09-21 to 2026-10-15 span 25 nights, time "
            "enough, but only 5 of them have a sleep outcome, too few to compare)") in said
    assert f"then a break of 12+ nights, by when half of its effect has probably faded, with " \
           f"{MIN_OFF_NIGHTS}+ of them written with a sleep outcome" in said
    assert "too short" not in said and "is too few" not in said


@pytest.mark.parametrize("off", [6, 10, 12, 14])
@pytest.mark.parametrize("draws", [None, TWELVE, {"tau": np.repeat([14.0, 20.0], [70, 30])}])
def test_a_diary_written_every_night_counts_as_it_always_did(off, draws):
    """The rule before the audit, on a diary written every night: a withdrawal when the
    nights off reach the nights needed, its chance that of those nights."""
    apart = analysed([(14, ""), (21, "glycinate"), (off, "")], draws=draws)
    need = off_nights_needed(draws)
    assert apart.withdrawals == int(off >= need) and apart.off_nights_needed == need
    assert apart.p_withdrawal_long_enough == p_long_enough(off, draws)
    assert apart.switch_ons == 1
    if not apart.withdrawals and off >= MIN_OFF_NIGHTS:
        assert f"span {off} nights, too short a time so far" in apart.reasons[0]


@pytest.mark.parametrize("draws", [None, TWELVE, {"tau": np.full(400, 60.0)}])
def test_the_withdrawal_the_decision_proposes_counts_written_every_night(draws):
    need = off_nights_needed(draws)
    assert analysed([(30, "glycinate"), (need, "")], draws=draws).withdrawals == 1
    assert analysed([(30, "glycinate"), (need - 1, "")], draws=draws).withdrawals == 0


def test_a_borderline_break_is_judged_on_its_span():
    """Nine written nights over a 10-night break: long enough at the median (7 nights), not
    under most time constants (11): borderline, and said of 10 nights."""
    draws = {"tau": np.repeat([9.0, 15.0], [75, 25])}
    apart = analysed([(20, "glycinate"), (10, "")], "o" * 20 + "o" * 4 + "." + "o" * 5, draws)
    assert (apart.withdrawals, apart.borderline) == (0, True)
    assert apart.p_withdrawal_long_enough == p_long_enough(10, draws) == 0.75
    assert apart.reasons[0].endswith("(P 0.75 that 10 were enough; a withdrawal counts from 0.8)")


# --- W3: a night left out is not a night observed ---------------------------------------------

def test_nights_left_out_do_not_make_a_withdrawal():
    """The audit's three trip nights (exclude=travel, stool written) and five nights at home:
    five nights with sleep read, too few, as without those three rows."""
    marks = "o" * 20 + "xxx" + "o" * 5
    left_out = analysed([(20, "glycinate"), (8, "")], marks, draws=None)
    without = analysed([(20, "glycinate"), (8, "")], "o" * 20 + "..." + "o" * 5, draws=None)
    assert (left_out.separable, left_out.withdrawals) == (False, 0)
    assert (without.separable, without.withdrawals) == (False, 0)
    assert left_out.switch_ons == without.switch_ons == 0
    # the rows left out still date the stop: 8 nights off, but 5 with sleep read
    assert ("the nights off you wrote from 2026-09-21 to 2026-09-28 span 8 nights, time "
            "enough, but only 5 of them have a sleep outcome, too few to compare: it needs 2 "
            "more written nights off at least)") in left_out.reasons[0]
    two_more = analysed([(20, "glycinate"), (10, "")], marks + "oo", draws=None)
    assert two_more.withdrawals == 1                                  # and so they do


def test_a_covariate_on_nights_left_out_is_not_named():
    """Caffeine written only on the nights left out, whose sleep is not read, is no shift."""
    marks = "o" * 14 + "x" * 7 + "o" * 7
    caffeine = [0.0] * 14 + [1.0] * 7 + [0.0] * 7
    diary = read_diary(nights([(14, "glycinate"), (14, "")], marks, caffeine_late=caffeine))
    active = diary.nights["form"].eq("glycinate").to_numpy()
    assert covariate_shifts(diary, active) == []


# --- M1, M4: the caution informs, and a chance short of the line is never shown on it --------

def test_the_caution_says_what_the_diary_needs_not_an_order():
    said = analysed([(14, ""), (30, "glycinate")]).reasons[0]
    assert said.startswith("your diary cannot yet tell magnesium's effect from expectation or "
                           "chance: that takes a break of 12 or more nights without magnesium, "
                           "written every night (the advice proposes one when it pays), or a "
                           "placebo period: mgsleep plan --blind. In detail: no withdrawal (")
    assert "spend" not in said


@pytest.mark.parametrize(("p", "said"), [(0.7985, "0.79"), (0.795, "0.79"), (0.7949, "0.79"),
                                         (0.79, "0.79"), (0.8, "0.80"), (0.8049, "0.80"),
                                         (0.5, "0.50"), (0.001, "< 0.01")])
def test_a_chance_below_the_threshold_is_never_shown_at_it(p, said):
    assert short_of(p, WITHDRAWAL_SURE) == said
    assert (float(said.lstrip("< ")) < WITHDRAWAL_SURE) == (p < WITHDRAWAL_SURE)


def test_the_audits_chance_of_0_7985_reads_0_79():
    draws = {"tau": np.repeat([14.0, 20.0], [7985, 2015])}      # 10 and 14 nights at ln 2
    apart = analysed([(20, "glycinate"), (10, "")], draws=draws)
    assert apart.p_withdrawal_long_enough == pytest.approx(0.7985) and apart.borderline
    assert "(P 0.79 that 10 were enough; a withdrawal counts from 0.8)" in apart.reasons[0]


# --- F3: a count that means never is not said as a count -----------------------------------

def _unsettled(nights_needed: int) -> DiaryEffect:
    return DiaryEffect("glycinate", "anxiety", Regimen("glycinate", 300),
                       unit=SPECS["anxiety"].unit, mean=-0.6, ci_low=-2.0, ci_high=0.8,
                       verdict="inconclusive", p_benefit=0.7, p_beyond_mcid=0.2,
                       p_harm_beyond_mcid=0.0, mcid=1.0, nights=21, lean="",
                       nights_needed=nights_needed)


@pytest.mark.parametrize("n", [NIGHTS_TO_TELL_CAP + 1, 186, 347])
def test_a_count_over_four_months_says_more_nights_alone_will_not_settle_it_soon(n):
    said = verdict_phrase(_unsettled(n))
    assert said == ("not settled yet: more nights on it alone are unlikely to settle it soon "
                    "(over 120 more written nights): the change, if any, is small beside how "
                    "much your nights vary")
    assert str(n) not in said


def test_a_count_up_to_the_cap_is_said():
    assert verdict_phrase(_unsettled(NIGHTS_TO_TELL_CAP)).endswith(
        "about 120 more written nights on it to tell")


# --- an outside audit of the rule (/tmp/w49/g): the run before it, and when the nights fall ---

def test_a_dose_forgotten_in_the_run_before_a_break_does_not_undo_it():
    """G1: one night off 25 nights before a fully written break split the run into two of 10."""
    forgot = analysed([(10, "glycinate"), (1, ""), (10, "glycinate"), (14, "")])
    assert (forgot.separable, forgot.withdrawals) == (True, 1)
    assert forgot.switch_ons == 0                   # a night skipped is no start either
    stopped = analysed([(10, "glycinate"), (3, ""), (10, "glycinate"), (14, "")])
    assert (stopped.separable, stopped.withdrawals) == (False, 0)      # three nights: a stop


def test_written_nights_weigh_by_how_much_of_the_effect_had_faded():
    """G5: six nights written at a break's start and one at its end did not show the fade.

    Under a time constant of 16.5 nights (12 needed, written every night), the first six
    nights off and the fourteenth show 1.7 nights' worth of faded effect against 3.7; the
    first night and the sixth to fourteenth show 4.1, and count, though fewer than 12.
    """
    early = analysed([(20, "glycinate"), (14, "")], "o" * 20 + "o" * 6 + "." * 7 + "o")
    assert (early.separable, early.withdrawals) == (False, 0)
    assert early.p_withdrawal_long_enough == 0.0
    assert ("the nights off you wrote from 2026-09-21 to 2026-10-04 span 14 nights, time "
            "enough, but most were written before half of the effect had faded") \
        in early.reasons[0]
    late = analysed([(20, "glycinate"), (14, "")], "o" * 20 + "o" + "." * 4 + "o" * 9)
    assert (late.separable, late.withdrawals) == (True, 1)
    assert p_long_enough(10, TWELVE) < WITHDRAWAL_SURE     # ten written nights in a row do not
