"""A magnesium laxative taken now and then: its days said, its nights' loose stools its own.

An outside audit (/tmp/w52/d F1, F2): a 70-year-old at eGFR 55 listing "milk of magnesia as
needed" (or "30 mL twice a week") was told "Start glycinate, 200 mg" beside "ask a pharmacist
how much magnesium your dose of it gives, and keep the two within the limit", though one
laxative dose (about 1000 mg of magnesium) is alone above the 350 mg limit; and the loose
stools milk of magnesia gave him were charged to the supplement ("Stop taking magnesium"),
with no way to mark them.
"""

import numpy as np
import pandas as pd
import pytest

from model.data.diary import read_diary
from model.data.form_cells import unknown_form
from model.data.profile import Profile
from model.decision import DecisionSettings, history, screen
from model.decision.rules import acute_gi
from model.evidence.priorset import load_priors
from tests.test_excluded_period import advise, excluded, stools
from tests.test_no_baseline import on_magnesium

S = DecisionSettings()
OLD_MAN = {"age": 70, "egfr": 55.0}


@pytest.fixture(scope="module")
def priors():
    return load_priors()


def _rule(priors, entry: str, **facts) -> str:
    """The "With your medicines" rule said of the magnesium product ``entry``."""
    rules = screen(Profile(medications=[entry], **facts), priors.safety)
    return next(r for r in rules.dose_rules if r.startswith(entry))


@pytest.mark.parametrize("entry", ["milk of magnesia as needed",
                                   "milk of magnesia 30 mL twice a week"])
def test_a_laxative_taken_now_and_then_says_no_supplement_on_its_days(priors, entry):
    """No "keep the two within the limit": on its days no supplement; at 70 and eGFR 55 a
    clinician first; its nights marked in the diary."""
    said = _rule(priors, entry, **OLD_MAN)
    assert "keep the two within the limit" not in said
    assert "on a day you take it, take no magnesium supplement: one dose of it is above the " \
        "daily limit on its own when it is a laxative dose" in said, said
    assert "at age 70 and with an eGFR of 55, ask a clinician before taking a daily " \
        "magnesium supplement beside it" in said, said
    assert "exclude = laxative" in said
    young = _rule(priors, entry, age=40, egfr=90.0)
    assert "take no magnesium supplement" in young and "ask a clinician" not in young


def test_a_written_dose_below_the_limit_is_said_with_its_figure(priors):
    """150 mg as needed: the supplement at most 200 mg on its days; 400 mg: none."""
    assert "its dose as written gives 150 mg of magnesium, below the daily limit on its own: " \
        "on a day you take it, take at most 200 mg of the supplement" in _rule(
            priors, "magnesium citrate 150 mg as needed")
    said = _rule(priors, "magnesium citrate 400 mg as needed")
    assert "gives 400 mg of magnesium, which leaves less than the least dose mgsleep advises " \
        "(100 mg): on a day you take it, take no magnesium supplement" in said, said


def test_the_diary_refusal_of_milk_of_magnesia_says_what_is_done_with_it():
    said = unknown_form("milk of magnesia")
    assert "taken as needed, the advice says how much supplement on its days" in said, said
    assert "write exclude = laxative" in said


def test_the_words_of_a_laxative():
    from model.data.period_nights import names_laxative
    said = ["laxative", "took a laxative", "Milk of Magnesia 30 mL", "took 2 senna tablets",
            "Movicol sachet", "lactulose 15 ml", "laxatives", "took milk of magnesia"]
    other = ["started senna daily", "laxative, began melatonin", "period", "travel", ""]
    assert [names_laxative(t) for t in said] == [True] * len(said)
    assert [names_laxative(t) for t in other] == [False] * len(other)


def without_supplement(frame: pd.DataFrame, rows: range) -> pd.DataFrame:
    """``frame`` with no supplement on ``rows`` (positions): the rule of a laxative's days."""
    out = frame.copy()
    out.loc[out.index[list(rows)], ["form", "elemental_mg"]] = ["", 0.0]
    return out


def _loose_for(nights: int, marked: range, word: str = "laxative") -> pd.DataFrame:
    """14 nights without magnesium, 24 on glycinate 200 mg, the last ``nights`` of them loose
    (Bristol 7), ``exclude = word`` and no supplement on the rows ``marked``."""
    loose = stools(on_magnesium(n=24, baseline=14), range(38 - nights, 38))
    return excluded(without_supplement(loose, marked), marked, word)


def test_loose_nights_marked_laxative_do_not_fire_the_acute_rule(priors):
    """Two loose nights in the last 7 on glycinate fire the acute GI rule; marked for milk of
    magnesia, without the supplement, they are its: no GI night, no acute_gi, and a warning
    says what is not seen."""
    plain = stools(on_magnesium(n=14, baseline=14), range(26, 28))
    marked = excluded(without_supplement(plain, range(26, 28)), range(26, 28), "milk of magnesia")
    assert acute_gi(history(read_diary(plain)), S)
    assert "acute_gi" in advise(plain, priors).reason_codes
    diary = read_diary(marked)
    past = history(diary)
    assert past.recent_gi_nights == 0 and not acute_gi(past, S)
    assert "acute_gi" not in advise(marked, priors).reason_codes
    said = [w for w in diary.warnings if "GI set aside" in w]
    assert len(said) == 1 and said[0].startswith(
        "<DataFrame>: GI set aside on 2 laxative night(s) (2026-09-27 to 2026-09-28; column "
        "exclude); magnesium's own gut trouble on those nights is not seen"), said
    assert "Mark only the nights you took a laxative." in said[0]
    assert any("but for the laxative nights said next" in w for w in diary.warnings)


def test_ten_straight_laxative_nights_set_aside_only_two():
    """Ten loose nights all marked ``laxative``: two are the laxative's, the rest keep their
    record, and the warning says why."""
    diary = read_diary(_loose_for(10, range(28, 38)))
    gi = diary.nights["stool_bristol"].to_numpy()
    assert np.isnan(gi[28:30]).all() and (gi[30:38] == 7).all()
    said = next(w for w in diary.warnings if "GI set aside" in w)
    assert "8 more night(s) marked for a laxative kept their GI record (2026-10-01 to " \
        "2026-10-08)" in said and "at most 2 in a row and 2 in any 7 are set aside" in said


def test_no_more_laxative_nights_than_two_in_any_seven():
    from model.data.period_nights import LAXATIVE, gi_set_aside
    days = pd.date_range("2026-09-01", periods=21, freq="D")
    marked = np.isin(np.arange(21), [0, 3, 5, 10, 11, 12, 20])
    assert np.flatnonzero(gi_set_aside(days, marked, LAXATIVE)).tolist() == [0, 3, 10, 11, 20]


def test_a_laxative_in_other_change_is_no_change_of_life():
    from model.data.life_events import other_changes
    frame = on_magnesium(n=14, baseline=14).assign(other_change="")
    frame.loc[[20, 25], "other_change"] = ["took milk of magnesia", "started melatonin"]
    diary = read_diary(frame)
    assert [text for _, text in other_changes(diary.nights)] == ["started melatonin"]
    assert any("other_change names a laxative on 1 night(s)" in w for w in diary.warnings)
