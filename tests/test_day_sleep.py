"""A day sleep after a night shift, fitted apart from magnesium (a shift worker's audit, B2).

A nurse's taurate nights fell on night blocks and her glycinate nights on leave; no form did
anything, yet glycinate "probably works for you" on awakenings, with no word of the rota
(/tmp/w53/b B2). The diary's ``day_sleep`` column is now a covariate of every sleep outcome,
an imbalance of it between forms is named, ``mgsleep import`` writes it and ``mgsleep log``
takes it. The shift worker here is drawn from a world that is not the model: gamma latency,
Markov runs of bad nights, day sleeps that add awakenings by a Poisson count and lower the
ratings by a step, no magnesium effect and no expectation effect.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import html
import io
import json

import numpy as np
import pandas as pd
import pytest
from test_import_tracker_quirks import fitbit_log, nights, write_json

from model.cli.main import main
from model.core.forms import FORMS
from model.core.outcomes import OUTCOMES
from model.data.diary import COVARIATES, read_diary
from model.data.night_levels import COVARIATE_WORDS
from model.evidence.priorset import load_priors
from model.personal.covariate_balance import form_shifts
from model.personal.data import diary_data, diary_size
from model.personal.separability import separability
from model.trial.quick import QuickModel

START = dt.date(2026, 9, 1)
DAY = COVARIATE_WORDS["day_sleep"]
RUNS = (("", 0, 14), ("taurate", 200, 28), ("glycinate", 200, 28))
"""Baseline, taurate over two cycles of night blocks, glycinate over four weeks of leave."""


def _day_sleeps(n: int, on_nights: bool, rng: np.random.Generator) -> np.ndarray:
    """Blocks of 4 day sleeps after night shifts, 3 nights apart (``on_nights``), or a few."""
    if on_nights:
        return (np.arange(n) % 7 < 4).astype(int)
    return (rng.random(n) < 0.1).astype(int)


def shift_worker(seed: int, *, column: bool = True) -> pd.DataFrame:
    """A shift worker's diary with no magnesium effect (see the module doc)."""
    rng = np.random.default_rng(seed)
    day = np.concatenate([_day_sleeps(14, False, rng), _day_sleeps(28, True, rng),
                          np.zeros(28, int)])
    n, bad, state = len(day), np.zeros(len(day), bool), False
    for t in range(n):
        state = rng.random() < (0.55 if state else 0.12)
        bad[t] = state
    latency = rng.gamma(3.0, (18.0 + 10.0 * bad) / 3.0)
    awakenings = rng.poisson(1.0 + 0.8 * bad + 2.2 * day)
    quality = np.clip(4 - day - bad + rng.integers(-1, 1, n), 1, 5)
    freshness = np.clip(np.round(rng.normal(7 - 2.5 * day - 1.5 * bad, 1.0)), 1, 10)
    rows = {"date": [(START + dt.timedelta(days=t)).isoformat() for t in range(n)],
            "form": [f for f, _, k in RUNS for _ in range(k)],
            "elemental_mg": [mg for _, mg, k in RUNS for _ in range(k)],
            "sol_min": latency.round(), "awakenings": awakenings, "quality": quality,
            "freshness": freshness.astype(int), "stool_bristol": 4}
    return pd.DataFrame(rows | ({"day_sleep": day} if column else {}))


def _diary(tmp_path, frame: pd.DataFrame, name: str = "diary.csv"):
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return read_diary(path, today=dt.date(2026, 12, 1))


# --- the model fits it ---------------------------------------------------------------------
def test_the_graph_takes_the_column_with_its_own_prior(tmp_path):
    diary, bundled = _diary(tmp_path, shift_worker(1)), load_priors()
    data = diary_data(diary, bundled, 0.0, *diary_size(diary, bundled))
    day = COVARIATES.index("day_sleep")
    np.testing.assert_array_equal(data["covariates"][:diary.n_nights, day],
                                  diary.nights["day_sleep"].to_numpy(float))
    personal = bundled.settings.personal
    assert personal.day_sleep_smd != personal.covariate_smd
    ratio = data["cov_sd"][day] / data["cov_sd"][COVARIATES.index("caffeine_late")]
    np.testing.assert_allclose(ratio, personal.day_sleep_smd / personal.covariate_smd)


def _gap(model, outcome: str = "awakenings") -> np.ndarray:
    """Draws of glycinate's effect less taurate's on an outcome (link scale)."""
    theta = model.draws_of("theta")[:, :, OUTCOMES.index(outcome)]
    return theta[:, FORMS.index("glycinate")] - theta[:, FORMS.index("taurate")]


def test_the_quick_fit_credits_day_sleeps_not_the_form_of_the_nights_off(tmp_path):
    """Without the column glycinate (leave) beats taurate (night blocks) on awakenings; with
    it the gap is the nights' noise, and the day sleep's own shift is found (six people)."""
    moved, sure_without = [], []
    for seed in range(1, 7):
        with_it = QuickModel(random_seed=seed, draws=2000).fit(
            _diary(tmp_path, shift_worker(seed)))
        without = QuickModel(random_seed=seed, draws=2000).fit(
            _diary(tmp_path, shift_worker(seed, column=False), "none.csv"))
        sure_without.append((_gap(without) < 0).mean())
        assert 0.05 < (_gap(with_it) < 0).mean() < 0.95, seed
        moved.append(np.median(_gap(with_it)) - np.median(_gap(without)))
        shift = with_it.draws_of("b_covariate")[:, COVARIATES.index("day_sleep"),
                                                OUTCOMES.index("awakenings")]
        assert (shift > 0).mean() > 0.99 and 0.4 < np.median(shift) < 1.6, seed  # log 3.2
    assert np.mean(sure_without) > 0.9 and min(moved) > 0.2, (sure_without, moved)


def _analyzed(tmp_path, frame: pd.DataFrame, name: str) -> dict:
    """The JSON of ``analyze``, with the terminal, the report and the clinician page under
    ``said`` (what each says)."""
    path, out = tmp_path / f"{name}.csv", tmp_path / f"{name}.json"
    pages = {page: tmp_path / f"{name}.{page}.html" for page in ("report", "clinician")}
    frame.to_csv(path, index=False)
    with contextlib.redirect_stdout(io.StringIO()) as terminal:
        assert main(["analyze", str(path), "--seed", "4", "--no-cache", "--json", str(out),
                     *(a for page, p in pages.items() for a in (f"--{page}", str(p)))]) == 0
    return {**json.loads(out.read_text()), "said": {
        "terminal": terminal.getvalue(), **{page: html.unescape(p.read_text())
                                            for page, p in pages.items()}}}


def _awakenings(result: dict, form: str) -> float:
    return next(e["diary_change"]["mean"] for e in result["regimen_effects"]
                if e["form"] == form and e["outcome"] == "awakenings")


@pytest.mark.fit
def test_analyze_credits_day_sleeps_not_the_form_of_the_nights_off(tmp_path):
    """The audit's case end to end: without the column, taurate 0.8 more awakenings and
    glycinate 0.5 fewer, and "raise glycinate to 300 mg"; with it, both near 0, and the
    imbalance named with what to do."""
    result = {column: _analyzed(tmp_path, shift_worker(4, column=column), str(column))
              for column in (True, False)}
    gap = {column: _awakenings(r, "taurate") - _awakenings(r, "glycinate")
           for column, r in result.items()}
    assert gap[False] > 1.0 and abs(gap[True]) < gap[False] / 2, gap
    said = result[True]["separability"]["reasons"]
    assert any(r.startswith(f"{DAY} on 57 % of nights on taurate")
               and r.endswith("take each form across whole cycles of your rota")
               for r in said), said
    assert not any("day sleep" in r for r in result[False]["separability"]["reasons"])
    shifts = {row["outcome"]: row for row in result[True]["covariates"]["shifts"]
              if row["covariate"] == "day_sleep"}                   # /tmp/w54/s S9: said
    assert set(shifts) == {"sol", "awakenings", "quality", "freshness", "gi"}  # recorded ones
    assert shifts["awakenings"]["low"] > 0 and shifts["freshness"]["high"] < 0
    assert result[False]["covariates"] is None
    for page, text in result[True]["said"].items():                   # /tmp/w54/s2 N8
        assert f"Also fitted: {DAY}: " in text, page
    assert not any("Also fitted" in text for text in result[False]["said"].values())


def test_a_day_sleep_written_only_when_it_happens_is_none_where_blank(tmp_path):
    """A blank ``day_sleep`` is a night's sleep: unlike late caffeine's blanks, not the mean
    of its magnesium state; only the four weeks of leave, blank in a row, are named."""
    frame = shift_worker(1)
    marked = frame.assign(day_sleep=frame["day_sleep"].map({1: "1", 0: ""}))
    bundled, zeros, marked_diary = load_priors(), _diary(tmp_path, frame), _diary(
        tmp_path, marked, "m.csv")
    data = [diary_data(d, bundled, 0.0, *diary_size(d, bundled))["covariates"]
            for d in (zeros, marked_diary)]
    np.testing.assert_array_equal(*data)
    assert not any("read as the mean" in w for w in marked_diary.warnings)
    leave = [w for w in marked_diary.warnings if "day_sleep is blank" in w]   # 4 weeks off
    assert len(leave) == 1 and "31 nights with an outcome from 2026-10-10 to 2026-11-09" in \
        leave[0], leave
    assert separability(marked_diary).reasons == separability(zeros).reasons


# --- the imbalance is said -----------------------------------------------------------------
def test_day_sleeps_that_went_with_one_form_are_named(tmp_path):
    reasons = separability(_diary(tmp_path, shift_worker(1))).reasons
    said = [r for r in reasons if r.startswith(f"{DAY} on ")]
    assert len(said) == 1, reasons
    assert said[0].startswith(f"{DAY} on 57 % of nights on taurate, "
                              "0 % on other forms: the diary cannot well tell their effects "
                              "apart (correlation 0.63 night by night; named from 0.5); take "
                              "each form across whole cycles of your rota"), said


def test_day_sleeps_spread_over_the_forms_are_not_named(tmp_path):
    frame = shift_worker(1)
    frame["day_sleep"] = (np.arange(len(frame)) % 7 < 4).astype(int)   # the rota goes on
    diary = _diary(tmp_path, frame)
    active = (diary.nights["elemental_mg"] > 0).to_numpy()
    assert form_shifts(diary, active) == []
    assert not any("day sleep" in r for r in separability(diary).reasons)


def test_day_sleeps_begun_with_magnesium_are_named(tmp_path):
    frame = shift_worker(1)
    frame["day_sleep"] = [0] * 14 + [1, 1, 0] * 18 + [1, 1]
    reasons = separability(_diary(tmp_path, frame)).reasons
    said = [r for r in reasons if r.startswith(f"{DAY} on 0 % of "
                                               "nights without magnesium, 68 % with it")]
    assert len(said) == 1 and said[0].endswith(        # not "each form": /tmp/w54/s S7
        "take magnesium, and go without it, across whole cycles of your rota"), reasons


# --- the column comes in -------------------------------------------------------------------
def test_an_import_writes_day_sleep_when_a_sleep_began_in_the_day(tmp_path):
    logs = [fitbit_log("2026-03-08T23:00:00", "2026-03-09T07:00:00", 450),
            fitbit_log("2026-03-10T08:00:00", "2026-03-10T14:00:00", 340),
            fitbit_log("2026-03-10T23:30:00", "2026-03-11T07:00:00", 420),
            fitbit_log("2026-03-12T06:10:00", "2026-03-12T09:30:00", 190)]   # no shift: S4
    got, warnings = nights("fitbit", write_json(tmp_path / "sleep.json", logs))
    assert {d: row["day_sleep"] for d, row in got.items()} == {
        "2026-03-08": "0", "2026-03-09": "1", "2026-03-10": "0", "2026-03-11": "0"}
    assert any("1 night(s) whose sleep began in the day (from 07:00, or from 06:00 for 4 hours "
               "or more, to 18:00) written "
               "day_sleep = 1" in w and w.endswith(": 2026-03-09") for w in warnings), warnings
    night_only = [logs[0], logs[2]]
    got, _ = nights("fitbit", write_json(tmp_path / "nights.json", night_only))
    assert not any("day_sleep" in row for row in got.values())


def test_log_writes_day_sleep_only_when_given(tmp_path):
    path = tmp_path / "diary.csv"
    assert main(["log", str(path), "--date", "2026-10-01", "--sol", "20"]) == 0
    assert "day_sleep" not in pd.read_csv(path).columns
    assert main(["log", str(path), "--date", "2026-10-02", "--sol", "35",
                 "--day-sleep", "1"]) == 0
    written = pd.read_csv(path)
    assert written["day_sleep"].tolist()[-1] == 1
    assert main(["log", str(path), "--date", "2026-10-03", "--day-sleep", "night"]) == 2
    assert len(pd.read_csv(path)) == 2
    for day, said, value in (("04", "yes", 1), ("05", "N", 0), ("06", "true", 1)):   # S10
        assert main(["log", str(path), "--date", f"2026-10-{day}", "--day-sleep", said]) == 0
        assert pd.read_csv(path)["day_sleep"].tolist()[-1] == value


def test_an_evening_log_of_a_day_sleep_alone_asks_for_the_date_naming_it():
    """``--day-sleep 1`` alone after 18:00 may be tonight's (logged before the shift) or last
    night's (logged after the day sleep): the error said "--notes alone"."""
    from model.cli import log
    from model.core.errors import InputError

    evening = dt.datetime(2026, 2, 10, 19, 0)
    with pytest.raises(InputError, match=r"--date 2026-02-10 \(tonight\) or --date 2026-02-09 "
                                         r"\(last night\): after 18:00, --day-sleep alone may "
                                         r"be either night's"):
        log.default_night({"day_sleep": "1"}, evening)
    assert log.default_night({"day_sleep": "1", "sol_min": "20"}, evening)[0] == \
        dt.date(2026, 2, 9)                          # with the day sleep's own outcomes
    assert log.default_night({"day_sleep": "1", "form": "glycinate"}, evening)[0] == \
        dt.date(2026, 2, 10)                         # the dose before tonight's shift


def test_a_csd_bedtime_in_the_day_writes_day_sleep(tmp_path):
    """The Consensus Sleep Diary's bedtime says it: 08:30 is a day sleep, 23:10 a night's."""
    from model.data.importers import import_files

    path = tmp_path / "csd.csv"
    path.write_text("date,into_bed,try_to_sleep,sol_min,awakenings,final_awakening\n"
                    "2026-03-02,22:50,23:10,20,1,06:40\n"
                    "2026-03-04,08:15,08:30,10,3,14:00\n"
                    "2026-03-05,,,15,2,\n")
    imported = import_files("csd", [path])
    assert imported.table.set_index("date")["day_sleep"].to_dict() == {
        "2026-03-01": "0", "2026-03-03": "1", "2026-03-04": ""}
    assert any(w.startswith("csd: 1 night(s) whose sleep began in the day") and
               w.endswith(": 2026-03-03") for w in imported.warnings), imported.warnings
    nights_only = tmp_path / "nights.csv"
    nights_only.write_text("date,try_to_sleep,sol_min,final_awakening\n2026-03-02,23:10,20,06:40\n")
    assert "day_sleep" not in import_files("csd", [nights_only]).table.columns


def test_a_nap_before_the_next_night_shift_is_not_joined_to_the_day_sleep(tmp_path):
    """/tmp/w54/s S1: 08:30-14:00, then a Fitbit nap 16:00-17:15 (not main) before the next
    shift, was read as one sleep: an awakening and 130 minutes awake after every day sleep."""
    logs = [fitbit_log("2026-10-03T08:30:00", "2026-10-03T14:00:00", 320),
            fitbit_log("2026-10-03T16:00:00", "2026-10-03T17:15:00", 75, main=False),
            fitbit_log("2026-10-04T08:30:00", "2026-10-04T14:00:00", 320)]
    got, warnings = nights("fitbit", write_json(tmp_path / "sleep.json", logs))
    assert set(got) == {"2026-10-02", "2026-10-03"}
    assert got["2026-10-02"]["awakenings"] == got["2026-10-03"]["awakenings"]
    assert not any("joined" in w for w in warnings), warnings
    assert any("nap(s) or shorter sleep(s) of a night left out: 2026-10-03" in w
               for w in warnings), warnings


def test_a_short_day_sleep_after_a_night_shift_is_the_night_not_a_nap(tmp_path):
    """/tmp/w54/s S5: 09:10-11:55, the night's only sleep after a shift, was "naps only, no
    row": the worst nights of a rota left the diary. An afternoon nap stays a nap."""
    logs = [fitbit_log("2026-10-03T08:45:00", "2026-10-03T14:15:00", 320),
            fitbit_log("2026-10-04T09:10:00", "2026-10-04T11:55:00", 140),
            fitbit_log("2026-10-05T15:00:00", "2026-10-05T16:40:00", 95)]
    got, warnings = nights("fitbit", write_json(tmp_path / "sleep.json", logs))
    assert set(got) == {"2026-10-02", "2026-10-03"}
    assert got["2026-10-03"]["day_sleep"] == "1"
    assert any("naps only, no row: 2026-10-05" in w for w in warnings), warnings


def test_the_nights_difference_names_the_day_sleeps_beside_expectation(tmp_path):
    """/tmp/w54/s S3: "the model credits that difference to taking anything (the expectation
    effect), the diary's drift or build-up" was said of glycinate taken only before day
    sleeps (100 % against 42 % without), and a placebo period offered to test it."""
    from model.core.regimen import Regimen
    from model.data.night_levels import raw_nights

    frame = shift_worker(1)
    nights = _diary(tmp_path, frame).nights
    taurate = raw_nights(nights, "awakenings", Regimen("taurate", 200.0), 7)
    assert taurate.covariates == (f"{DAY} on 57 % of its nights, "
                                  "7 % without",)
    glycinate = raw_nights(nights, "awakenings", Regimen("glycinate", 200.0), 7)
    assert glycinate.covariates == ()                    # 0 % against 7 %: not a quarter
    unwritten = raw_nights(_diary(tmp_path, shift_worker(1, column=False), "n.csv").nights,
                           "awakenings", Regimen("taurate", 200.0), 7)
    assert unwritten.covariates == ()


def test_weeks_of_blank_day_sleep_amid_written_ones_are_named(tmp_path):
    """/tmp/w54/s S2: 1s written in some weeks only; the blank weeks' day sleeps were read as
    nights' sleeps without a word, and a false caution followed."""
    frame = shift_worker(1)
    rota = pd.Series((np.arange(len(frame)) % 7 < 5).astype(float))
    partial = frame.assign(day_sleep=rota.where(~rota.index.isin(range(42, 56))).map(
        {1.0: "1", 0.0: ""}).fillna(""))
    said = [w for w in _diary(tmp_path, partial).warnings if "day_sleep is blank" in w]
    assert said == [f"{tmp_path / 'diary.csv'}: day_sleep is blank on the 16 nights with an "
                    "outcome from 2026-10-11 to 2026-10-26, while 57 % of the diary's nights "
                    "are marked 1: they are read as nights' sleeps (a blank is 0); if you "
                    "worked night shifts then, write 1 on their day sleeps (write 0 to say "
                    "there were none)"], said
    only_ones = frame.assign(day_sleep=rota.map({1.0: "1", 0.0: ""}))       # blanks: 2 a week
    one_day_sleep = frame.assign(day_sleep=[""] * 30 + ["1"] + [""] * 39)
    for diary in (_diary(tmp_path, only_ones, "o.csv"), _diary(tmp_path, one_day_sleep, "1.csv")):
        assert not any("day_sleep is blank" in w for w in diary.warnings), diary.warnings


def test_the_fitted_day_sleep_is_said_when_only_its_1s_are_written(tmp_path):
    """A column of 1s and blanks (blank = 0) was "the same on every night": nothing said."""
    from model.personal.covariate_effects import covariate_entry

    frame = shift_worker(2)
    marked = frame.assign(day_sleep=frame["day_sleep"].map({1: "1", 0: ""}))
    diary = _diary(tmp_path, marked)
    model = QuickModel(random_seed=2, draws=2000).fit(diary)
    names = ("theta", "expectation", "trend", "b_covariate", "b_gi_covariate", "sol_intercept",
             "sol_sigma", "awakenings_intercept", "gi_intercept", "quality_cutpoints",
             "freshness_cutpoints", "anxiety_cutpoints")
    entry = covariate_entry({n: model.draws_of(n) for n in names}, diary.nights, load_priors())
    awake = next(r for r in entry["shifts"] if r["outcome"] == "awakenings")
    assert awake["covariate"] == "day_sleep" and awake["nights"] == 18 and awake["low"] > 0


def test_day_sleeps_all_left_out_are_not_said_fitted(tmp_path):
    """/tmp/w55/t T4: a traveller's only day sleeps, both excluded, were said "Also fitted"
    from the prior alone; one such night kept is said again."""
    from model.personal.covariate_effects import covariate_entry

    frame = shift_worker(2)
    frame["exclude"] = np.where(frame["day_sleep"] == 1, "travel", "")
    names = ("theta", "expectation", "trend", "b_covariate", "b_gi_covariate", "sol_intercept",
             "sol_sigma", "awakenings_intercept", "gi_intercept", "quality_cutpoints",
             "freshness_cutpoints", "anxiety_cutpoints")
    for kept, said in ((0, False), (1, True)):
        frame.loc[frame.index[frame["day_sleep"] == 1][:kept], "exclude"] = ""
        diary = _diary(tmp_path, frame)
        model = QuickModel(random_seed=2, draws=500).fit(diary)
        entry = covariate_entry({n: model.draws_of(n) for n in names}, diary.nights,
                                load_priors())
        assert (entry is not None) == said, entry


def test_the_second_round_s_import_cases(tmp_path):
    """/tmp/w54/s2: N1, a 06:40-13:30 sleep after a 22:00-06:00 shift is a day sleep (the 06:10
    insomniac's 3 hours are not); N2, a day sleep broken by 65 minutes awake keeps its second
    half (it read 0 awakenings, a perfect sleep); N4, a day worker's 105-minute morning nap on
    a night without a record is no night's sleep."""
    logs = [fitbit_log("2026-11-02T06:40:00", "2026-11-02T13:30:00", 390),       # N1
            fitbit_log("2026-11-04T08:30:00", "2026-11-04T11:40:00", 180),       # N2
            fitbit_log("2026-11-04T12:45:00", "2026-11-04T15:00:00", 130, main=False),
            fitbit_log("2026-11-06T09:00:00", "2026-11-06T10:45:00", 105)]       # N4
    got, warnings = nights("fitbit", write_json(tmp_path / "sleep.json", logs))
    assert set(got) == {"2026-11-01", "2026-11-03"}, (got, warnings)
    assert got["2026-11-01"]["day_sleep"] == got["2026-11-03"]["day_sleep"] == "1"
    assert got["2026-11-03"]["waso_min"] == str(12 + 65 + 12)        # each log's 12, the gap
    assert any("naps only, no row: 2026-11-05" in w for w in warnings), warnings


def test_a_split_given_alone_keeps_the_carried_form_and_dose(tmp_path, capsys):
    """/tmp/w54/s2 N5: ``log --split yes`` on a new night wrote no form: no magnesium."""
    path = tmp_path / "diary.csv"
    path.write_text("date,form,elemental_mg,split,sol_min\n2026-11-02,glycinate,300,0,20\n")
    assert main(["log", str(path), "--date", "2026-11-03", "--split", "yes", "--sol", "25"]) == 0
    night = pd.read_csv(path, dtype=str).set_index("date").loc["2026-11-03"]
    assert night[["form", "elemental_mg", "split"]].tolist() == ["glycinate", "300", "1"]
    assert "form and dose carried over from 2026-11-02" in capsys.readouterr().out


def test_a_morning_nap_after_a_full_night_is_not_joined_to_it(tmp_path):
    """/tmp/w54/s2 N6: a nap at 08:30, two hours after a full night ended, was joined to it (an
    awakening and 2 hours awake); a return to sleep before 07:00, or within the hour, is the
    night's own."""
    logs = [fitbit_log("2026-11-01T23:00:00", "2026-11-02T06:30:00", 420),      # nap apart
            fitbit_log("2026-11-02T08:30:00", "2026-11-02T09:30:00", 55, main=False),
            fitbit_log("2026-11-02T23:00:00", "2026-11-03T04:00:00", 280),      # 90 min awake
            fitbit_log("2026-11-03T05:30:00", "2026-11-03T07:00:00", 80, main=False),
            fitbit_log("2026-11-03T23:00:00", "2026-11-04T06:15:00", 400),      # 35 min awake
            fitbit_log("2026-11-04T06:50:00", "2026-11-04T08:00:00", 65, main=False)]
    got, warnings = nights("fitbit", write_json(tmp_path / "sleep.json", logs))
    assert (got["2026-11-01"]["waso_min"], got["2026-11-01"]["awakenings"]) == ("12", "2")
    assert (got["2026-11-02"]["waso_min"], got["2026-11-02"]["awakenings"]) == ("114", "5")
    assert got["2026-11-03"]["waso_min"] == str(12 + 35 + 12)
    assert any("nap" in w and "2026-11-01" in w for w in warnings), warnings
    assert all("day_sleep" not in night for night in got.values())
