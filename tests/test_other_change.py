"""Another change in life (diary column other_change), and nights left out (column exclude).

An outside audit (/tmp/w42/J) followed persons whose lives changed during the trial:
sertraline begun on night 30 on taurate had its early worsening booked on taurate, and
"Switch to glycinate ... to learn" came 8 nights into it; melatonin begun with a switch was
credited to the new form; ten nights of jet lag and a week's cold turned a helpful glycinate
into "harms you (P 0.94)". Nothing could say another thing changed, or leave nights out.
Known answers on toy posteriors (:class:`model.testing.FakePosterior`) and small diaries.
"""

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from model.data.diary import read_diary
from model.decision import History, decide
from model.decision.reason_codes import REASON_CODES
from model.evidence.priorset import load_priors
from model.personal.separability import other_change_near, separability
from model.testing import FakePosterior

FIRST = dt.date(2026, 9, 1)
AUDIT = Path(__file__).parent / "data" / "audit_j"
SLEEP = ["sol_min", "awakenings", "quality", "freshness", "anxiety"]


@pytest.fixture(scope="module")
def priors():
    return load_priors()


def _nights(*runs: tuple[str, float, int], changed: dict[int, str] | None = None) -> pd.DataFrame:
    """Recorded nights from FIRST: consecutive runs (form, mg, nights), other_change by night."""
    rows = [(form, mg) for form, mg, n in runs for _ in range(n)]
    dates = pd.date_range(FIRST, periods=len(rows), freq="D", name="date")
    texts = [(changed or {}).get(i, "") for i in range(len(rows))]
    return pd.DataFrame({"form": [f for f, _ in rows], "elemental_mg": [m for _, m in rows],
                         "split": False, "recorded": True, "gi_night": 0.0,
                         "other_change": texts}, index=dates)


def _decide(posterior: FakePosterior, nights: pd.DataFrame, priors):
    past = History.from_nights(nights)
    return decide(posterior, priors=priors, diary=past,
                  as_of=nights.index[-1].date()).recommendation


RUNS = (("none", 0, 14), ("glycinate", 200, 30))
TAURATE_PROMISING = FakePosterior(benefit={"glycinate": 0.05, "taurate": 0.4},
                                  known={"glycinate": 0.05})


def test_a_change_to_learn_waits_one_period_after_another_change(priors):
    """Sertraline begun 3 nights ago: the switch the advice would make is held (keep
    glycinate), said with the change's night and words; begun 30 nights ago (beyond any
    evaluation period, at most 28 nights), the same switch is made."""
    free = _decide(TAURATE_PROMISING, _nights(*RUNS), priors)
    assert free.action == "switch_form" and free.regimen.form == "taurate", free
    late = _decide(TAURATE_PROMISING, _nights(*RUNS, changed={13: "started sertraline"}),
                   priors)
    assert late.action == "switch_form" and "other_change" not in late.reason_codes, late
    held = _decide(TAURATE_PROMISING, _nights(*RUNS, changed={41: "started sertraline 50 mg"}),
                   priors)
    assert held.action == "collect_more_data" and held.reason_codes[0] == "other_change"
    assert held.regimen is not None and held.regimen.form == "glycinate"
    assert set(held.reason_codes) <= set(REASON_CODES)
    day = (FIRST + dt.timedelta(days=41)).isoformat()
    assert held.reasons[0].startswith(f"You changed something else on {day} (started "
                                      "sertraline 50 mg): the nights after it cannot tell"), held
    assert any(r.startswith("Keep glycinate 200 mg and look again on") for r in held.reasons)


def test_the_hold_ends_with_the_evaluation_period(priors):
    """Held on the period's last night, not the morning after (``min_nights`` nights counted
    from the change's night): the same diary, one night longer each time."""
    codes = []
    for extra in range(0, 31):
        nights = _nights(("none", 0, 14), ("glycinate", 200, 30 + extra),
                         changed={30: "started CBT-I"})
        codes.append("other_change" in _decide(TAURATE_PROMISING, nights, priors).reason_codes)
    assert codes[0] and not codes[-1]
    assert codes == sorted(codes, reverse=True), codes     # held, then never again


def test_a_stop_for_harm_still_stops_after_another_change(priors):
    """A glycinate that probably harms is left by a switch without the hold (the crossover
    leaves its form); with the switch held, the harm rule stops it: never kept."""
    harmful = FakePosterior(benefit={"glycinate": -0.4}, known={"glycinate": 0.1})
    rec = _decide(harmful, _nights(*RUNS, changed={41: "started melatonin 1 mg"}), priors)
    assert rec.action == "stop" and "harm" in rec.reason_codes, rec


def _diary(rows: int, switch: int, changed: int, text: str = "started melatonin 1 mg"):
    """A read diary: no magnesium, taurate 200 from night ``switch``, other_change on night
    ``changed`` (None: none)."""
    dates = pd.date_range(FIRST, periods=rows, freq="D").strftime("%Y-%m-%d")
    on = np.arange(rows) >= switch
    return read_diary(pd.DataFrame({
        "date": dates, "form": np.where(on, "taurate", ""),
        "elemental_mg": np.where(on, "200", ""), "sol_min": "20",
        "other_change": ["" if i != changed else text for i in range(rows)]}))


def test_another_change_near_a_change_of_regimen_is_named():
    """Named iff within one evaluation period (14 nights) before or after the switch."""
    after = _diary(40, 14, 16)
    said = other_change_near(after)
    assert said == ["started melatonin 1 mg on 2026-09-17, 2 night(s) after you began taurate "
                    "200 mg (on 2026-09-15): the effect seen on taurate 200 mg includes it "
                    "(column other_change)"]
    assert said[0] in separability(after).reasons
    assert "the night you began taurate 200 mg:" in other_change_near(_diary(40, 14, 14))[0]
    assert "14 night(s) before" in other_change_near(_diary(40, 20, 6))[0]
    assert "14 night(s) after" in other_change_near(_diary(40, 14, 28))[0]
    for far in (_diary(40, 14, 29), _diary(40, 21, 6), _diary(40, 14, 99)):
        assert other_change_near(far) == []
        assert not any("other_change" in r for r in separability(far).reasons)


def test_excluded_nights_keep_their_dose_and_stool_but_not_their_sleep():
    table = pd.DataFrame({
        "date": ["2026-09-01", "2026-09-02", "2026-09-03", "2026-09-04", "2026-09-05"],
        "form": ["glycinate"] * 5, "elemental_mg": ["200"] * 5,
        "sol_min": ["20", "60", "70", "25", "30"], "awakenings": ["1", "4", "5", "1", "2"],
        "waso_min": ["5", "50", "40", "5", "10"], "quality": ["4", "1", "2", "4", "3"],
        "freshness": ["7", "2", "3", "7", "6"], "anxiety": ["2", "6", "7", "2", "3"],
        "stool_bristol": ["4", "6", "5", "4", "3"], "gi_upset": ["0", "1", "0", "0", "0"],
        "exclude": ["", "travel", "1", "0", "ill"]})
    diary = read_diary(table)
    nights = diary.nights
    left_out = [False, True, True, False, True]
    assert nights.loc[left_out, [*SLEEP, "waso_min"]].isna().all(axis=None)
    assert nights.loc[[not x for x in left_out], SLEEP].notna().all(axis=None)
    assert nights["elemental_mg"].tolist() == [200.0] * 5 and nights["recorded"].all()
    assert nights["stool_bristol"].tolist() == [4.0, 6.0, 5.0, 4.0, 3.0]
    assert nights["gi_night"].tolist() == [0.0, 1.0, 0.0, 0.0, 0.0]
    assert nights["exclude"].tolist() == ["", "travel", "excluded", "", "ill"]
    said = [w for w in diary.warnings if "left out" in w]
    assert len(said) == 1 and "3 night(s) left out (column exclude: travel 1, excluded 1, " \
        "ill 1; 2026-09-02 to 2026-09-05)" in said[0], diary.warnings


def test_mei_travel_and_cold_written_in_exclude_read_as_not_recorded():
    """The audit's Mei (jet lag 09-25..10-04, a cold 10-05..10-11, notes "travel, jet lag
    (+8 h)" and "cold"): with exclude written on those 17 nights, her sleep outcomes read as
    her diary with them left blank (the audit's meiblank, p_harm 0.11 where the lived diary
    gave 0.94), while the dose and stool/GI record stay as lived."""
    lived = pd.read_csv(AUDIT / "mei_42.csv", dtype=str, keep_default_na=False)
    lived["exclude"] = lived["notes"].map(
        lambda n: "travel" if "travel" in n else "ill" if "cold" in n else "")
    excluded = read_diary(lived).nights
    blank = read_diary(AUDIT / "mei_blank_42.csv").nights
    as_lived = read_diary(AUDIT / "mei_42.csv").nights
    assert int((excluded["exclude"] != "").sum()) == 17
    pd.testing.assert_frame_equal(excluded[SLEEP], blank[SLEEP])
    pd.testing.assert_frame_equal(excluded[["form", "elemental_mg", "stool_bristol",
                                            "gi_upset", "gi_night"]],
                                  as_lived[["form", "elemental_mg", "stool_bristol",
                                            "gi_upset", "gi_night"]])
    assert excluded.loc["2026-09-25":"2026-10-11", SLEEP].isna().all(axis=None)
    assert as_lived.loc["2026-09-25":"2026-10-11", "sol_min"].notna().all()


def test_the_headline_says_why_nothing_is_changed_after_another_change():
    """Its Why was "No change is expected to do better than what you do now": the hold's
    reason (the other change, its date, until when) is what the person reads first."""
    from dataclasses import replace

    from model.report.headline import headline
    from model.testing import example_analysis

    result = example_analysis()
    line = ("You changed something else on 2026-09-30 (GP started sertraline 50 mg): the nights "
            "after it cannot tell its effect from magnesium's, so no change to magnesium is made "
            "for a gain or to learn for 19 nights from it (until 2026-10-19); only what safety "
            "asks for is done.")
    rec = replace(result.decision.recommendation, action="collect_more_data",
                  reason_codes=("other_change",), commit=False,
                  reasons=(line, *result.decision.recommendation.reasons))
    said = headline(replace(result, decision=replace(result.decision, recommendation=rec)))
    assert said.why.startswith("You changed something else on 2026-09-30"), said.why


@pytest.mark.parametrize(("cell", "reason"), [("", ""), ("0", ""), ("no", ""), ("False", ""),
                                              ("1", "excluded"), ("yes", "excluded"),
                                              ("x", "excluded"), ("Travel ", "travel"),
                                              ("jet  lag", "jet lag")])
def test_an_exclude_cell_of_no_keeps_the_night(cell, reason):
    """``exclude = no`` left the night out, with "no" as its reason."""
    from model.data.life_events import exclude_reason

    assert exclude_reason(cell) == reason


def test_log_writes_another_change_and_a_night_left_out(tmp_path):
    """``mgsleep log --other-change`` and ``--exclude``: the columns the diary reads, never
    asked, and neither an evening nor a morning value."""
    from model.cli.main import main
    from model.data.diary import read_diary

    path = tmp_path / "diary.csv"
    path.write_text("date,form,elemental_mg,sol_min\n2026-10-01,glycinate,200,30\n")
    assert main(["log", str(path), "--date", "2026-10-02", "--sol", "20",
                 "--other-change", "started sertraline 50 mg"]) == 0
    assert main(["log", str(path), "--date", "2026-10-03", "--sol", "90",
                 "--exclude", "travel"]) == 0
    nights = read_diary(path, today=dt.date(2026, 12, 1)).nights
    assert nights.loc["2026-10-02", "other_change"] == "started sertraline 50 mg"
    assert pd.isna(nights.loc["2026-10-03", "sol_min"])          # left out, as written


def test_a_rota_written_again_and_again_holds_nothing_and_is_said_once(priors):
    """A shift worker's rota in other_change (an outside audit, /tmp/w53/b B1: a hold renewed
    every 8 nights, "Keep your current routine" at all 7 looks): the third time a text is
    written it is a recurring part of life, no change; written twice, each still holds."""
    from model.data.life_events import life_event_warnings, other_changes

    rota = {i: ("started night shifts" if i % 14 == 3 else "back on day shifts")
            for i in (3, 10, 17, 24, 31, 38)}
    twice = {i: t for i, t in rota.items() if i >= 31}      # each written once
    held = _decide(TAURATE_PROMISING, _nights(*RUNS, changed=twice), priors)
    assert held.reason_codes[0] == "other_change", held
    free = _decide(TAURATE_PROMISING, _nights(*RUNS, changed={**rota, 41: "Started night "
                                                               "shifts."}), priors)
    assert free.action == "switch_form" and "other_change" not in free.reason_codes, free
    nights = _nights(*RUNS, changed={**rota, 30: "started sertraline 50 mg"})
    assert other_changes(nights) == [(nights.index[30], "started sertraline 50 mg")]
    said = [w for w in life_event_warnings(nights.assign(exclude=""), "d.csv")
            if "recurring change" in w]
    assert said == [said[0]] and "on 6 night(s) ('started night shifts', 'back on day " \
        "shifts'; 2026-09-04 to 2026-10-09)" in said[0], said
    assert "take each form across whole cycles" in said[0]


def test_log_says_a_rota_is_recurring_when_it_writes_it_the_third_time(tmp_path):
    """``mgsleep log --other-change`` wrote each rota entry without a word (/tmp/w53/b B1)."""
    import warnings

    from model.cli.main import main

    path = tmp_path / "diary.csv"
    path.write_text("date,form,elemental_mg,sol_min\n2026-10-01,glycinate,200,30\n")
    said = []
    for day in ("2026-10-02", "2026-10-16", "2026-10-30"):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert main(["log", str(path), "--date", day, "--sol", "20",
                         "--other-change", "started night shifts"]) == 0
        said.append([str(w.message) for w in caught if "recurring change" in str(w.message)])
    assert said[:2] == [[], []] and len(said[2]) == 1, said
    assert "on 3 night(s) ('started night shifts'; 2026-10-02 to 2026-10-30)" in said[2][0]


@pytest.mark.parametrize("header", ["shift", "NightShift", "rota", "shift type"])
def test_a_shift_column_names_day_sleep_not_split(tmp_path, header):
    """``shift`` was "did you mean 'split'?", two intakes a night (/tmp/w53/b B4)."""
    path = tmp_path / "diary.csv"
    path.write_text(f"date,form,elemental_mg,sol_min,{header}\n2026-10-01,glycinate,200,30,1\n")
    diary = read_diary(path, today=dt.date(2026, 12, 1))
    said = [w for w in diary.warnings if header in w]
    assert len(said) == 1 and "did you mean" not in said[0], said
    assert "only through the column day_sleep" in said[0]
    assert "by the night the shift began" in said[0]
    assert diary.nights["day_sleep"].isna().all()          # a rota's cells are not day sleeps


@pytest.mark.parametrize("header", ["day_sleep", "Day sleep", "DaySleep",
                                    "day sleep after night shift"])
def test_a_day_sleep_column_is_read(tmp_path, header):
    path = tmp_path / "diary.csv"
    path.write_text(f"date,sol_min,{header}\n2026-10-01,30,1\n2026-10-02,25,0\n")
    diary = read_diary(path, today=dt.date(2026, 12, 1))
    assert diary.nights["day_sleep"].tolist() == [1.0, 0.0]


def test_a_one_off_written_on_nights_in_a_row_still_holds_and_a_dash_holds_nothing(priors):
    """/tmp/w53/r R3: "flu" on five nights in a row, or a start copied down, is one change,
    not a rota; R5, R9: "-", "nil", "as above" say nothing changed and hold nothing."""
    from model.data.life_events import other_changes

    flu = {i: "flu" for i in range(38, 43)}
    held = _decide(TAURATE_PROMISING, _nights(*RUNS, changed=flu), priors)
    assert held.reason_codes[0] == "other_change", held
    copied = {i: "started sertraline 50 mg" for i in (39, 40, 41)}
    assert len(other_changes(_nights(*RUNS, changed=copied))) == 3
    for nothing in ("-", "nil", "as above", "No", "0"):
        every = {i: nothing for i in range(44)}
        assert other_changes(_nights(*RUNS, changed=every)) == [], nothing
        free = _decide(TAURATE_PROMISING, _nights(*RUNS, changed=every), priors)
        assert "other_change" not in free.reason_codes, (nothing, free)
