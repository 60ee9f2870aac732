"""Advice not followed, named in the line since the last analysis (/tmp/w57/n N5, N4.1).

N5. Taurate on 12 of 14 nights after "Stop taking magnesium", glycinate 7 more nights after
    "Switch to taurate", magnesium again 4 nights before a break counted as a withdrawal: the
    line said "advice not followed" only when the new advice kept another regimen.
N4.1. "Stay without magnesium for 9 more nights: your break ... then counts as a withdrawal"
    was "keep going and record more nights" in that line.
"""

import datetime as dt
import json
import warnings
from types import SimpleNamespace

import pandas as pd
import pytest

from model.analysis.fit_cache import CacheWarning
from model.analysis.since_last import (
    LastResult,
    SinceLast,
    keep_last,
    read_last,
    record_path,
    since_last,
)
from model.core.regimen import NO_MAGNESIUM, Regimen
from model.data.diary import read_diary
from model.decision import Decision, Recommendation
from model.decision.results import Scores

SCORES = Scores({}, -0.36, 0.47, 0.45, 0.0, 2.0, 0.0)
GLYCINATE, TAURATE = Regimen("glycinate", 200), Regimen("taurate", 200)
ANALYSED, DAY = dt.date(2026, 12, 8), dt.timedelta(days=1)


def diary(first: str, nights: list[Regimen | None]):
    """A diary from ``first``, one row a night (None: a night not written down)."""
    days = pd.date_range(first, periods=len(nights))
    rows = [(day.strftime("%Y-%m-%d"), regimen.form, regimen.elemental_mg)
            for day, regimen in zip(days, nights, strict=True) if regimen is not None]
    frame = pd.DataFrame(rows, columns=["date", "form", "elemental_mg"]).assign(quality=3)
    return read_diary(frame)


def advice(action: str, regimen: Regimen | None, review: dt.date,
           codes: tuple[str, ...] = ()) -> Recommendation:
    return Recommendation(action, regimen, SCORES, False, review, (), (), codes)


def analysed(as_of: dt.date, rec: Recommendation, nights) -> SimpleNamespace:
    """An analysis of ``nights`` up to ``as_of`` advising ``rec`` (what since_last reads)."""
    return SimpleNamespace(as_of=as_of, diary=nights, decision=Decision(rec, period_nights=17),
                           effects=SimpleNamespace(by_regimen=()))


def since(tmp_path, before, after) -> SinceLast:
    """The line since ``before`` (an analysis) of the analysis ``after``, through the record."""
    name = str(tmp_path / "diary.csv")
    path = record_path(tmp_path, name)
    keep_last(path, LastResult.of(before, before.as_of + DAY), name)
    found = since_last(after, path, name, after.as_of + DAY)
    assert found is not None
    return found


def head(as_of: str) -> str:
    """The line's head: the last analysis made the morning after its last night."""
    morning = dt.date.fromisoformat(as_of) + DAY
    return f"Since your last analysis ({morning}, of nights up to {as_of}): "


# -- N5: a stop, a switch, a break not kept to --------------------------------------------------
def test_a_stop_not_followed_is_named_with_its_nights(tmp_path):
    # Ben (R6): told to stop after 11-22; taurate on 11 of the 13 nights written since
    nights = diary("2026-11-09", [TAURATE] * 18 + [NO_MAGNESIUM] + [TAURATE] * 3 + [None]
                   + [TAURATE, NO_MAGNESIUM] + [TAURATE] * 3)
    stop = analysed(dt.date(2026, 11, 22), advice("stop", NO_MAGNESIUM, dt.date(2026, 12, 10)),
                    nights.up_to(dt.date(2026, 11, 22)))
    threonate = advice("switch_form", Regimen("threonate", 200), dt.date(2026, 12, 25))
    line = since(tmp_path, stop, analysed(dt.date(2026, 12, 6), threonate, nights))
    assert line.words() == (
        head("2026-11-22") + "the advice changed: from stop magnesium to switch to threonate "
        "200 mg (before the look-again date of 2026-12-10: the reason is given under Why); "
        "after your night of 2026-11-22 you were advised to stop magnesium, but your diary "
        "shows taurate 200 mg on 11 of the 13 nights written since, from 2026-11-23 to "
        "2026-12-06.")
    assert line.to_dict()["advice_not_followed"] == {
        "advised": {"form": "none", "elemental_mg_per_day": 0.0, "split": False},
        "nights_since": 14, "written": 13,
        "regimens": [{"form": "taurate", "elemental_mg_per_day": 200.0, "split": False,
                      "nights": 11}],
        "first": "2026-11-23", "last": "2026-12-06"}


def test_a_switch_made_late_is_named_whether_or_not_the_advice_changed(tmp_path):
    # Ben (R5): told to switch to taurate after 11-08; glycinate 7 more nights, then taurate
    nights = diary("2026-10-26", [GLYCINATE] * 14 + [GLYCINATE] * 7 + [TAURATE] * 7)
    switch = analysed(dt.date(2026, 11, 8), advice("switch_form", TAURATE,
                                                   dt.date(2026, 11, 25)),
                      nights.up_to(dt.date(2026, 11, 8)))
    late = ("after your night of 2026-11-08 you were advised to switch to taurate 200 mg, but "
            "your diary shows glycinate 200 mg on 7 of the 14 nights since, from 2026-11-09 "
            "to 2026-11-15")
    stop = since(tmp_path, switch, analysed(dt.date(2026, 11, 22),
                                           advice("stop", NO_MAGNESIUM, dt.date(2026, 12, 10)),
                                           nights))
    assert stop.words() == (
        head("2026-11-08") + "the advice changed: from switch to taurate 200 mg to stop "
        "magnesium (before the look-again date of 2026-11-25: the reason is given under Why); "
        + late + ".")
    # the same advice kept: taurate is now taken, yet the late week is still said
    kept = since(tmp_path, switch, analysed(dt.date(2026, 11, 22),
                                           advice("continue", TAURATE, dt.date(2026, 11, 25)),
                                           nights))
    assert kept.same_advice
    assert kept.words() == (
        head("2026-11-08") + "same advice, nothing changed: keep taking taurate 200 mg, and "
        "look again on 2026-11-25; " + late + ".")


def test_a_switch_never_made_is_said_once(tmp_path):
    # new advice keeps the regimen still taken: the early change is the advice not followed,
    # which the counts then say (not "your latest nights are on ..." beside them)
    nights = diary("2026-10-26", [GLYCINATE] * 28)
    switch = analysed(dt.date(2026, 11, 8), advice("switch_form", TAURATE,
                                                   dt.date(2026, 11, 25)),
                      nights.up_to(dt.date(2026, 11, 8)))
    line = since(tmp_path, switch, analysed(dt.date(2026, 11, 22),
                                           advice("continue", GLYCINATE, dt.date(2026, 12, 1)),
                                           nights))
    assert line.words() == (
        head("2026-11-08") + "the advice changed: from switch to taurate 200 mg to continue "
        "glycinate 200 mg (before the look-again date of 2026-11-25: the advice was not "
        "followed); after your night of 2026-11-08 you were advised to switch to taurate "
        "200 mg, but your diary shows glycinate 200 mg on all 14 nights since, from "
        "2026-11-09 to 2026-11-22.")


BREAK = advice("collect_more_data", None, dt.date(2026, 11, 4),
               ("break_under_way", "withdrawal_test"))


@pytest.mark.parametrize(("rec", "step"), [
    (BREAK, "stay without magnesium until your break counts as a withdrawal"),
    (advice("withdrawal", NO_MAGNESIUM, dt.date(2026, 11, 4)), "pause magnesium")])
def test_a_break_cut_short_is_named(tmp_path, rec, step):
    # Ben (R4): told to stay off after 10-25; glycinate again from 10-31, before it counted
    nights = diary("2026-10-08", [GLYCINATE] * 14 + [NO_MAGNESIUM] * 4 + [NO_MAGNESIUM] * 5
                   + [GLYCINATE] * 9)
    off = analysed(dt.date(2026, 10, 25), rec, nights.up_to(dt.date(2026, 10, 25)))
    line = since(tmp_path, off, analysed(dt.date(2026, 11, 8),
                                        advice("switch_form", TAURATE, dt.date(2026, 11, 25)),
                                        nights))
    assert line.words() == (
        head("2026-10-25") + f"the advice changed: from {step} to switch to taurate 200 mg "
        f"(the period is over); after your night of 2026-10-25 you were advised to {step}, "
        "but your diary shows glycinate 200 mg on 9 of the 14 nights since, from 2026-10-31 "
        "to 2026-11-08.")


# -- followed, or nights read as skipped: nothing new is said ------------------------------------
@pytest.mark.parametrize(("advised", "nights"), [
    (NO_MAGNESIUM, [NO_MAGNESIUM] * 14),                          # a stop kept to
    (TAURATE, [TAURATE] * 12 + [NO_MAGNESIUM] * 2),               # its last 2 nights skipped
    (TAURATE, [TAURATE] * 5 + [NO_MAGNESIUM] * 2 + [TAURATE] * 7),  # 2 skipped within
    (TAURATE, [TAURATE] * 6 + [Regimen("taurate", 400)] + [TAURATE] * 7),  # a slip of dose
    (TAURATE, [TAURATE] * 6 + [None] * 3 + [TAURATE] * 5)])      # nights not written down
def test_advice_followed_adds_nothing(tmp_path, advised, nights):
    made = diary("2026-11-09", [advised] * 14 + nights)
    action = "stop" if advised == NO_MAGNESIUM else "switch_form"
    before = analysed(dt.date(2026, 11, 22), advice(action, advised, dt.date(2026, 12, 10)),
                      made.up_to(dt.date(2026, 11, 22)))
    line = since(tmp_path, before, analysed(dt.date(2026, 12, 6),
                                           advice("continue", advised, dt.date(2026, 12, 10)),
                                           made))
    assert line.to_dict()["advice_not_followed"] is None
    assert line.words() == SinceLast(line.previous, line.now, line.holds).words()
    assert "advised" not in line.words()


def test_three_nights_off_in_a_row_are_not_nights_skipped(tmp_path):
    # Ben (R3): told to continue glycinate; 3 written nights without it at the end, now a break
    nights = diary("2026-09-28", [GLYCINATE] * 24 + [NO_MAGNESIUM] * 2 + [None, NO_MAGNESIUM])
    kept = analysed(dt.date(2026, 10, 11), advice("continue", GLYCINATE, dt.date(2026, 10, 28)),
                    nights.up_to(dt.date(2026, 10, 11)))
    line = since(tmp_path, kept, analysed(dt.date(2026, 10, 25), BREAK, nights))
    assert line.words() == (
        head("2026-10-11") + "the advice changed: from continue glycinate 200 mg to stay "
        "without magnesium until your break counts as a withdrawal (before the look-again "
        "date of 2026-10-28: the reason is given under Why); after your night of 2026-10-11 "
        "you were advised to continue glycinate 200 mg, but your diary shows no magnesium on "
        "3 of the 13 nights written since, from 2026-10-22 to 2026-10-25.")


# -- N4.1: a break kept going is said as the advice says it -----------------------------------
def test_a_break_kept_going_is_not_keep_going_and_record_more_nights(tmp_path):
    kept = LastResult.of(analysed(dt.date(2026, 10, 25), BREAK, None), ANALYSED)
    assert kept.step == "stay without magnesium until your break counts as a withdrawal"
    placebo = advice("collect_more_data", None, dt.date(2026, 11, 4),
                     ("break_under_way", "placebo_test"))
    assert LastResult.of(analysed(dt.date(2026, 10, 25), placebo, None), ANALYSED).step == \
        "stay on placebo until your placebo period has its nights"
    before = LastResult(ANALYSED, dt.date(2026, 10, 11), "continue", GLYCINATE,
                        dt.date(2026, 10, 28), 17, ())
    assert ("the advice changed: from continue glycinate 200 mg to stay without magnesium "
            "until your break counts as a withdrawal (before the look-again date of "
            "2026-10-28") in SinceLast(before, kept, holds=False).words()
    # a dose to check is another step with no regimen: not the same advice as the break
    check = LastResult(ANALYSED, dt.date(2026, 10, 25), "collect_more_data", None,
                       dt.date(2026, 11, 4), 17, ())
    assert check.step == "keep going and record more nights"
    assert not SinceLast(check, kept, holds=False).same_advice
    # the record keeps what the break stays on
    name = str(tmp_path / "diary.csv")
    path = record_path(tmp_path, name)
    keep_last(path, kept, name)
    assert read_last(path, name) == kept
    bad = json.loads(path.read_text()) | {"stay": "glycinate@200"}
    path.write_text(json.dumps(bad))
    with pytest.warns(CacheWarning, match="stay 'glycinate@200' is neither none nor placebo"):
        assert read_last(path, name) is None


# -- N5: mgsleep log says a night off the last advice at once -----------------------------------
def test_log_says_a_night_off_the_last_advice(tmp_path, monkeypatch):
    from model.analysis.since_last import LastResult, keep_last, record_path
    from model.cli.main import main

    monkeypatch.setenv("MGSLEEP_CACHE", str(tmp_path / "cache"))
    (tmp_path / "cache").mkdir()
    path = tmp_path / "ben.csv"
    path.write_text("date,form,elemental_mg,sol_min\n" + "".join(
        f"2026-11-{day:02d},taurate,200,30\n" for day in range(1, 23)))
    stop = LastResult(dt.date(2026, 11, 22), dt.date(2026, 11, 22), "stop", NO_MAGNESIUM,
                      dt.date(2026, 12, 10), 17, ())
    keep_last(record_path(tmp_path / "cache", str(path)), stop, str(path))
    with pytest.warns(UserWarning) as caught:
        assert main(["log", str(path), "--date", "2026-11-23", "--form", "taurate", "--mg",
                     "200", "--sol", "25"]) == 0
    said = [str(w.message) for w in caught if "the last analysis" in str(w.message)]
    assert said == ["night 2026-11-23: the last analysis, of your nights to 2026-11-22, "
                    "advised you to stop magnesium; your diary since shows taurate 200 mg on "
                    "the only night since, on 2026-11-23 (mgsleep analyze says what that "
                    "changes)"]
    with warnings.catch_warnings(record=True) as kept:
        warnings.simplefilter("always")
        assert main(["log", str(path), "--date", "2026-11-24", "--form", "none",
                     "--sol", "25"]) == 0
    assert not [w for w in kept if "the last analysis" in str(w.message)]


def test_every_other_night_after_the_advice_to_take_it_every_night_is_named(tmp_path):
    """Under "every night ..., not only when you need it" (taken_as_needed), a night without
    it is no night skipped: every other night passed as slips, "same advice" (/tmp/w57/n2 C)."""
    nights = diary("2026-11-01", [GLYCINATE] * 14 + [GLYCINATE, NO_MAGNESIUM] * 7)
    nightly = advice("collect_more_data", GLYCINATE, dt.date(2026, 12, 1), ("taken_as_needed",))
    kept = analysed(dt.date(2026, 11, 14), nightly, nights.up_to(dt.date(2026, 11, 14)))
    line = since(tmp_path, kept, analysed(dt.date(2026, 11, 28), nightly, nights))
    assert line.not_followed is not None
    assert line.not_followed.words() == ("no magnesium on 7 of the 14 nights since, from "
                                         "2026-11-16 to 2026-11-28")
    plain = advice("continue", GLYCINATE, dt.date(2026, 12, 1))
    again = since(tmp_path, analysed(dt.date(2026, 11, 14), plain,
                                     nights.up_to(dt.date(2026, 11, 14))),
                  analysed(dt.date(2026, 11, 28), plain, nights))
    assert again.not_followed is None                 # nights skipped, under a plain advice
