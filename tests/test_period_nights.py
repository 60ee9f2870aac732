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
    said = [w for w in diary.warnings if "left out" in w]
    assert len(said) == 1, diary.warnings
    assert "the 5 stool/GI record(s) of the 5 night(s) whose reason names a menstrual period" \
        in said[0] and "are not seen either" in said[0], said
