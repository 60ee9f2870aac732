"""A menstrual period in the diary: not a change of life, and its gut trouble not magnesium's.

An outside audit (/tmp/w51/a F6): "period started" in ``other_change`` held every change for
a gain or to learn for 19-22 nights after each period, about two thirds of a 26-31-night
cycle, said as "You changed something else". And F4: loose stools on the first days of each
period on glycinate read "GI nights +4.9 a month ... harms you", fired the acute GI rule at
every look within a week of a period and blocked glycinate; ``exclude`` kept the GI record,
so there was no way to say the nights were the period's (model/data/life_events.py).
"""

import numpy as np
import pandas as pd
import pytest

from model.data.diary import read_diary
from model.decision import DecisionSettings, History, history
from model.decision.rules import acute_gi
from model.evidence.priorset import load_priors
from model.personal.data import diary_data, diary_size
from model.personal.separability import other_change_near
from tests.test_excluded_period import advise, excluded, stools
from tests.test_no_baseline import on_magnesium
from tests.test_other_change import RUNS, TAURATE_PROMISING, _decide, _diary, _nights

S = DecisionSettings()
PERIOD_ROWS = range(25, 28)          # the last 3 of 14 glycinate nights, after 14 without


@pytest.fixture(scope="module")
def priors():
    return load_priors()


def test_the_words_of_a_period():
    """The whole text names a period (``period`` alone is one); within other words it is not,
    nor beside another change."""
    from model.data.life_events import names_period
    said = ["period", "Period started", "got my period", "on my period", "period day 2",
            "Menses began", "PMS", "menstruation", "Period started (day 1)", "periods"]
    other = ["busy period at work", "placebo period", "new period", "period of stress",
             "period started, began melatonin", "started sertraline 50 mg", ""]
    assert [names_period(t) for t in said] == [True] * len(said)
    assert [names_period(t) for t in other] == [False] * len(other)


def test_a_period_every_28_nights_in_other_change_holds_nothing(priors):
    """"period started" on nights 14 and 42 (the last 3 nights before the look): the switch
    the advice would make is made; sertraline, or a period written with another change, on
    that night still holds it."""
    periods = _nights(*RUNS, changed={13: "period started", 41: "period started"})
    assert History.from_nights(periods).other_change is None
    free = _decide(TAURATE_PROMISING, periods, priors)
    assert free.action == "switch_form" and "other_change" not in free.reason_codes, free
    for text in ("started sertraline 50 mg", "period started, began melatonin",
                 "busy period at work"):
        held = _decide(TAURATE_PROMISING, _nights(*RUNS, changed={13: "period started",
                                                                  41: text}), priors)
        assert held.action == "collect_more_data", (text, held)
        assert held.reason_codes[0] == "other_change", (text, held)
        assert f"({text})" in held.reasons[0], held.reasons


def test_a_period_in_other_change_is_said_once_and_not_named_near_a_switch():
    """A period two nights after the switch to taurate is not named in the separability
    reasons (melatonin is); one warning says it is read as a recurring event and where to
    write it."""
    assert other_change_near(_diary(40, 14, 16))
    diary = _diary(40, 14, 16, "period started")
    assert other_change_near(diary) == []
    said = [w for w in diary.warnings if "menstrual period" in w]
    assert len(said) == 1, diary.warnings
    assert "'period started'" in said[0] and "recurring event, not a change" in said[0]
    assert "write it in notes" in said[0]
    assert not [w for w in _diary(40, 14, 16).warnings if "menstrual period" in w]


def _loose_on_glycinate() -> pd.DataFrame:
    """14 nights without magnesium, 14 on glycinate 200 mg, loose stools on the last 3."""
    return stools(on_magnesium(n=14, baseline=14), PERIOD_ROWS)


def test_gi_nights_marked_for_the_period_do_not_fire_the_acute_rule(priors):
    """Loose stools on glycinate's last 3 nights fire the acute GI rule; marked
    ``exclude = period`` they are the period's: no GI night, no trouble, no ``acute_gi``."""
    loose = _loose_on_glycinate()
    plain, marked = (history(read_diary(f)) for f in (loose, excluded(loose, PERIOD_ROWS,
                                                                        "period")))
    assert plain.recent_gi_nights == 3 and acute_gi(plain, S) and plain.gi_troubled
    assert marked.recent_gi_nights == 0 and not acute_gi(marked, S)
    assert marked.gi_troubled == frozenset()
    assert marked.gi_records_on == plain.gi_records_on - 3
    assert "acute_gi" in advise(loose, priors).reason_codes
    rec = advise(excluded(loose, PERIOD_ROWS, "Period day 1"), priors)
    assert "acute_gi" not in rec.reason_codes, rec


def test_unmarked_gi_nights_still_fire_the_acute_rule(priors):
    """The period marked on the first of the 3 loose nights leaves 2 GI nights within 7: the
    rule fires; marked on other nights, or with another reason, all 3 count."""
    loose = _loose_on_glycinate()
    for rows, word, count in ((range(25, 26), "period", 2), (range(18, 22), "period", 3),
                              (PERIOD_ROWS, "travel", 3)):
        frame = excluded(loose, rows, word)
        past = history(read_diary(frame))
        assert past.recent_gi_nights == count and acute_gi(past, S), (rows, word)
        assert "acute_gi" in advise(frame, priors).reason_codes, (rows, word)


def test_the_fit_reads_no_gi_record_on_a_period_night_and_a_warning_says_so(priors):
    """On and off magnesium alike: the fit's GI counts (the GI chance constraint's) hold no
    record on a night marked for the period, and the warning says how many records were read
    as the period's and what is not seen."""
    marked = excluded(_loose_on_glycinate(), [*range(3, 5), *PERIOD_ROWS], "period")
    diary = read_diary(marked)
    data = diary_data(diary, priors, 0.0, *diary_size(diary, priors))
    rows = [3, 4, *PERIOD_ROWS]
    assert not data["gi_w"][rows].any() and data["gi_w"][:28].sum() == 28 - 5
    assert data["gi_y"][:28].sum() == 0
    assert np.isnan(diary.nights["gi_night"].to_numpy()[rows]).all()
    said = [w for w in diary.warnings if "GI set aside" in w]
    assert len(said) == 1, diary.warnings
    assert said[0].startswith("<DataFrame>: GI set aside on 5 period night(s) (2026-09-04 to "
                              "2026-09-28; column exclude); magnesium's own gut trouble on "
                              "those nights is not seen"), said
    assert "kept their GI record" not in said[0]


# The second audit (/tmp/w51/c C3, C10, C11): ten straight watery-stool nights on citrate
# marked ``period`` read "Continue citrate" (P over the GI limit 0.01), ``PMS`` nights left out
# for their sleep lost their GI record, "heavy period", "period ended" and the trial's own
# "washout period started" were changes of life, and the warnings counted nights after --as-of.


def test_more_words_of_a_period_and_only_the_bleeding_sets_gi_aside():
    """A period heavy, late, ended or due, PMS week: a period, no change; of them only the
    bleeding's words set a night's GI record aside. The trial's own periods are its steps."""
    from model.data.period_nights import names_bleeding, names_period, names_plan_period
    bleeding = ["period", "heavy period", "period (heavy)", "day 3 of my period", "period 2",
                "period cramps", "Menses", "on my period", "period day 12", "light period"]
    no_bleeding = ["PMS", "pmt", "PMS week", "pms day 10", "period ended", "end of period",
                   "period finished", "period late", "late period", "period starts tomorrow",
                   "premenstrual tension"]
    assert all(names_period(t) and names_bleeding(t) for t in bleeding), bleeding
    assert all(names_period(t) and not names_bleeding(t) for t in no_bleeding), no_bleeding
    plan = ["washout period started", "Baseline period", "placebo period started",
            "end of washout period", "treatment period 2", "run-in period"]
    life = ["trial period at work", "treatment started", "started placebo pills for IBS",
            "washout period started, began melatonin", "busy period at work", "grace period"]
    assert all(names_plan_period(t) for t in plan), plan
    assert not any(names_plan_period(t) or names_period(t) for t in life), life


@pytest.mark.parametrize("text", ["heavy period", "period ended", "period late", "PMS week",
                                  "period starts tomorrow", "washout period started"])
def test_a_period_or_the_trials_own_step_in_other_change_holds_nothing(priors, text):
    """Written 3 nights before the look: the switch is made, no change of life is named near
    the switch to taurate, and one warning says what the text was read as."""
    assert History.from_nights(_nights(*RUNS, changed={41: text})).other_change is None
    free = _decide(TAURATE_PROMISING, _nights(*RUNS, changed={41: text}), priors)
    assert free.action == "switch_form" and "other_change" not in free.reason_codes, free
    diary = _diary(40, 14, 14, text)
    assert other_change_near(diary) == []
    said = [w for w in diary.warnings if "other_change names" in w]
    assert len(said) == 1 and f"({text!r}; 2026-09-15)" in said[0], diary.warnings


def _loose_for(nights: int, marked: range, word: str = "period") -> pd.DataFrame:
    """14 nights without magnesium, 24 on glycinate 200 mg, the last ``nights`` of them loose
    (Bristol 7), ``exclude = word`` on the rows ``marked``."""
    return excluded(stools(on_magnesium(n=24, baseline=14), range(38 - nights, 38)), marked,
                    word)


def test_pms_nights_leave_their_sleep_out_and_keep_their_gi_record(priors):
    """PMS, not the bleeding: the 3 loose nights marked ``PMS`` keep their GI record (the
    acute rule fires) while their sleep outcomes are left out."""
    frame = _loose_for(3, range(35, 38), "PMS")
    diary = read_diary(frame)
    assert diary.nights["sol_min"].iloc[35:38].isna().all()
    assert diary.nights["stool_bristol"].iloc[35:38].tolist() == [7.0] * 3
    past = history(diary)
    assert past.recent_gi_nights == 3 and acute_gi(past, S)
    assert "acute_gi" in advise(frame, priors).reason_codes
    assert not [w for w in diary.warnings if "GI set aside" in w], diary.warnings


def test_ten_straight_nights_marked_for_a_period_set_aside_only_seven(priors):
    """The audit's misuse: 10 straight loose nights on magnesium, all marked ``period``. The
    first 7 are the period's; the last 3 keep their GI record, so the acute GI rule fires as
    on the unmarked diary, and the warning says which nights kept it and why."""
    frame = _loose_for(10, range(28, 38))
    diary = read_diary(frame)
    gi = diary.nights["stool_bristol"].to_numpy()
    assert np.isnan(gi[28:35]).all() and (gi[35:38] == 7).all()
    past = history(diary)
    assert past.recent_gi_nights == 3 and acute_gi(past, S), past
    assert "acute_gi" in advise(frame, priors).reason_codes
    said = [w for w in diary.warnings if "GI set aside" in w]
    assert len(said) == 1, diary.warnings
    assert said[0].startswith("<DataFrame>: GI set aside on 7 period night(s) (2026-09-29 to "
                              "2026-10-05; column exclude)"), said
    assert "3 more night(s) marked for a period kept their GI record (2026-10-06 to " \
        "2026-10-08): a period bleeds up to about 7 nights, so at most 7 in a row and 7 in " \
        "any 21 are set aside" in said[0], said


def test_no_more_period_nights_than_seven_in_any_21():
    """Runs of 5 from night 0 and from night 14: 2 of the second set aside (7 within 21
    nights); a run from night 30 all 5. A run of 30 sets aside its first 7 only, never its
    22nd though the 7 are then more than 21 nights back."""
    from model.data.period_nights import gi_set_aside
    days = pd.date_range("2026-09-01", periods=40, freq="D")
    marked = np.isin(np.arange(40), [*range(5), *range(14, 19), *range(30, 35)])
    aside = gi_set_aside(days, marked)
    assert np.flatnonzero(aside).tolist() == [*range(5), 14, 15, *range(30, 35)]
    shuffled = np.random.default_rng(1).permutation(40)
    assert (gi_set_aside(days[shuffled], marked[shuffled]) == aside[shuffled]).all()
    assert np.flatnonzero(gi_set_aside(days, np.ones(40, bool))).tolist() == list(range(7))


def test_the_warnings_of_a_diary_cut_at_a_date_count_its_nights_alone():
    """Period nights and a period in other_change before and after 2026-10-01: said of the
    diary cut there (the nights ``--as-of`` keeps), they count the nights up to it alone."""
    from model.data.life_events import is_life_event_warning, life_event_warnings
    frame = excluded(on_magnesium(n=30, baseline=14), [*range(25, 28), *range(40, 43)],
                     "period").assign(other_change="")
    frame.loc[[26, 41], "other_change"] = "period started"
    frame = frame.drop(index=[20])                                # a night unwritten
    diary = read_diary(frame)
    cut = diary.up_to(pd.Timestamp("2026-10-01").date())
    said = life_event_warnings(cut.nights, cut.source)
    assert len(said) == 3 and all(is_life_event_warning(w) for w in said), said
    assert "3 night(s) left out (column exclude: period 3; 2026-09-26 to 2026-09-28)" in said[0]
    assert "GI set aside on 3 period night(s) (2026-09-26 to 2026-09-28;" in said[1]
    assert "a menstrual period on 1 night(s) ('period started'; 2026-09-27)" in said[2]
    assert [w for w in diary.warnings if is_life_event_warning(w)] == life_event_warnings(
        diary.nights, diary.source)


def test_as_of_a_date_the_diary_says_its_nights_alone():
    """--as-of 2026-10-01 (:func:`model.analysis.analysed_nights.truncated`): the warnings of
    ``exclude`` and ``other_change`` count the 3 period nights up to it, not the 6."""
    from model.analysis.analysed_nights import truncated
    frame = excluded(on_magnesium(n=30, baseline=14), [*range(25, 28), *range(40, 43)],
                     "period").assign(other_change="")
    frame.loc[[26, 41], "other_change"] = "period started"
    cut, _ = truncated(read_diary(frame), "2026-10-01")
    said = [w for w in cut.warnings if "period" in w]
    assert len(said) == 3, cut.warnings
    assert "3 night(s) left out (column exclude: period 3; 2026-09-26 to 2026-09-28)" in said[0]
    assert "GI set aside on 3 period night(s) (2026-09-26 to 2026-09-28;" in said[1]
    assert "on 1 night(s) ('period started'; 2026-09-27)" in said[2]
