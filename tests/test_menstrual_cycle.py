"""The days before a period and its first two, fitted apart from magnesium (the cycle audit).

A person who took glycinate and taurate 14 nights each in turn put every premenstrual week
after the baseline on taurate, and was told "You leave taurate 200 mg, which looks to do you
harm (P 0.92 ...)" of a form that did nothing (/tmp/w56/cyc). The diary's ``menstruation``
column (1 on the days of bleeding) now gives the model a covariate ``premenstrual``
(:mod:`model.data.cycle_nights`). The woman here is drawn from a world that is not the model
(the audit's generator, ported): latency log-t, Markov runs of bad nights, no magnesium effect
and no expectation effect, premenstrual nights worse on every outcome, loose stools on the
first two days of a period.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import math

import numpy as np
import pandas as pd
import pytest

from model.analysis.fit_cache import fit_with_cache, later_nights
from model.cli.main import main
from model.data.column_words import PERIOD_NOTE
from model.data.cycle_nights import (
    MISSED_NIGHTS,
    PREMENSTRUAL,
    first_days,
    missed_period_warnings,
    premenstrual,
    rules_gi_aside,
    writes_cycle,
)
from model.data.diary import COVARIATES, read_diary
from model.data.diary_columns import written_covariate
from model.data.diary_rows import column_keys, unknown_note
from model.data.night_levels import COVARIATE_WORDS
from model.decision.history import history
from model.decision.settings import DecisionSettings
from model.evidence.priorset import load_priors
from model.inference.psis import reweight
from model.personal.data import diary_data, diary_size
from model.personal.fit import PersonalModel
from model.report.diary_words import CYCLE_DAYS, record_line

START = dt.date(2026, 9, 1)
RUNS = (("", 0, 14), ("glycinate", 200, 14), ("taurate", 200, 14), ("glycinate", 200, 14),
        ("taurate", 200, 14))
"""The audit's schedule: a baseline, then two forms 14 nights each in turn, twice."""
WORDS = COVARIATE_WORDS[PREMENSTRUAL]
K = COVARIATES.index(PREMENSTRUAL)


def cycle_world(seed: int = 1, first_period: int = 6, *, column: bool = True) -> pd.DataFrame:
    """A woman's diary with no magnesium effect and a cycle of 27-29 nights (the module doc).

    The audit's ``gen.py``, draw for draw: ``menstruation`` 1 on the 5 days of each period.
    """
    rng = np.random.default_rng(seed)
    n = sum(k for _, _, k in RUNS)
    starts, day = [], first_period
    while day < n + 40:
        starts.append(day)
        day += int(rng.integers(27, 30))
    offset = np.arange(n)[:, None] - np.array(starts)[None, :]
    before = ((offset >= -5) & (offset <= 1)).any(axis=1)
    bleed, menses = (((offset >= 0) & (offset <= k)).any(axis=1) for k in (4, 1))
    bad, state = np.zeros(n), False
    for t in range(n):
        state = rng.random() < (0.6 if state else 0.08)
        bad[t] = state
    sol = np.exp(np.log(22) + 0.5 * before + 0.35 * bad + rng.standard_t(4, n) * 0.35)
    awakenings = rng.poisson(1.3 + 1.3 * before + 0.8 * bad)
    ratings = {name: np.clip(np.round(level + shift * before + rng.normal(0, spread, n)), 1, 5)
               for name, level, shift, spread in (("quality", 3.5 - 0.6 * bad, -1.0, 0.7),
                                                  ("freshness", 3.3 - 0.5 * bad, -0.9, 0.7),
                                                  ("anxiety", 1.8 + 0.4 * bad, 1.0, 0.6))}
    loose = rng.random(n) < 0.04 + 0.35 * menses
    upset = loose & (rng.random(n) < 0.5)
    rows = {"date": [(START + dt.timedelta(days=t)).isoformat() for t in range(n)],
            "form": [f for f, _, k in RUNS for _ in range(k)],
            "elemental_mg": [mg or "" for _, mg, k in RUNS for _ in range(k)],
            "sol_min": np.clip(np.round(sol), 1, 300).astype(int), "awakenings": awakenings,
            **{name: values.astype(int) for name, values in ratings.items()},
            "stool_bristol": np.where(loose, 6, 4), "gi_upset": upset.astype(int)}
    return pd.DataFrame(rows | ({"menstruation": np.where(bleed, "1", "")} if column else {}))


def _cells(marks: str) -> pd.Series:
    """``"..11.1"``: a diary's menstruation cells from 2026-09-01, ``.`` blank, digits written."""
    return pd.Series([float(c) if c != "." else np.nan for c in marks],
                     index=pd.date_range("2026-09-01", periods=len(marks), name="date"))


def _marked(marks: str) -> str:
    """The premenstrual nights of ``marks`` as ``1`` and ``.`` (NaN ``?``)."""
    values = premenstrual(pd.DataFrame({"menstruation": _cells(marks)}))
    return "".join("?" if np.isnan(v) else ".1"[int(v)] for v in values)


# --- the derivation ------------------------------------------------------------------------
def test_the_window_is_the_five_nights_before_a_first_day_its_night_and_the_next():
    assert _marked("......" + "11111" + "." * 8) == "." + "1" * 7 + "." * 11
    assert _marked("..11") == "1111"                     # a window cut by the diary's start


def test_a_diary_cut_at_a_date_knows_no_later_period(tmp_path):
    """``--as-of`` before a first day: the nights before it are not yet the days before one."""
    cycle_world().to_csv(tmp_path / "d.csv", index=False)
    diary = read_diary(tmp_path / "d.csv", today=dt.date(2026, 12, 1))
    first = first_days(diary.nights["menstruation"])[-1]
    cut = diary.up_to((first - pd.Timedelta(days=1)).date())
    before = pd.date_range(end=cut.nights.index[-1], periods=5)
    assert (written_covariate(diary.nights, PREMENSTRUAL)[before] == 1).all()
    assert (written_covariate(cut.nights, PREMENSTRUAL)[before] == 0).all()


def test_a_period_is_one_run_whatever_its_gaps_and_a_new_one_needs_ten_nights_without():
    gap_inside = "......11.11" + "." * 9 + "1"       # 9 nights without: the same period still
    assert first_days(_cells(gap_inside)).strftime("%d").tolist() == ["07"]
    two = "......11111" + "." * 10 + "1" + "...."  # 10 nights without: a second period
    assert first_days(_cells(two)).strftime("%d").tolist() == ["07", "22"]
    assert _marked(two) == "." + "1" * 7 + "." * 8 + "1" * 7 + "..."


@pytest.mark.parametrize(("cells", "writes"), [
    (None, False), (["", "", ""], False), (["0", " ", "0"], False), ([math.nan, 0.0, 0.0], False),
    (["", " 1 ", ""], True), ([math.nan, 1.0, 0.0], True)])
def test_a_diary_writes_its_cycle_when_its_menstruation_column_holds_a_1(cells, writes):
    """Its file's text or its parsed nights alike: then ``log`` asks, and the line of what to
    write down every morning names the days of a period; a man's diary is never asked."""
    table = pd.DataFrame({"sol_min": [20, 30, 25]} | ({} if cells is None
                                                       else {"menstruation": cells}))
    assert writes_cycle(table) is writes
    assert (CYCLE_DAYS in record_line({"sol": 1.0}, cycle=writes)) is writes


def test_a_one_on_the_diary_s_first_night_is_a_period_under_way_not_a_first_day():
    assert first_days(_cells("111" + "." * 20)).empty
    assert _marked("111" + "." * 20) == "." * 23
    assert first_days(_cells("0111" + "." * 20)).strftime("%d").tolist() == ["02"]
    assert first_days(_cells(".111" + "." * 20)).strftime("%d").tolist() == ["02"]


def test_a_diary_that_writes_no_period_keeps_its_nights_as_they_were(tmp_path):
    """No column, or one blank everywhere: NaN, read as 0 by the model, and no "Also fitted"."""
    assert _marked("." * 12) == "?" * 12
    assert _marked("0" * 12) == "." * 12                       # written 0: none, and known
    frames = {"none": cycle_world(column=False),
              "blank": cycle_world().assign(menstruation="")}
    bundled = load_priors()
    for name, frame in frames.items():
        frame.to_csv(tmp_path / f"{name}.csv", index=False)
        diary = read_diary(tmp_path / f"{name}.csv", today=dt.date(2026, 12, 1))
        assert written_covariate(diary.nights, PREMENSTRUAL).isna().all(), name
        data = diary_data(diary, bundled, 0.0, *diary_size(diary, bundled))
        assert not data["covariates"][:, K].any(), name


def test_the_prior_of_the_shift_is_its_own_setting(tmp_path):
    frame = cycle_world()
    frame.to_csv(tmp_path / "d.csv", index=False)
    diary, bundled = read_diary(tmp_path / "d.csv", today=dt.date(2026, 12, 1)), load_priors()
    data = diary_data(diary, bundled, 0.0, *diary_size(diary, bundled))
    expected = premenstrual(diary.nights).to_numpy()
    np.testing.assert_array_equal(data["covariates"][:diary.n_nights, K], expected)
    assert expected.sum() == 7 * 3                         # three periods begin in 70 nights
    personal = bundled.settings.personal
    smd = bundled.settings.outcomes["sol"].smd_sd
    assert data["cov_sd"][K, 0] == pytest.approx(personal.premenstrual_smd * smd)


# --- the column comes in, its words and its warning ----------------------------------------
@pytest.mark.parametrize("header", ["Period", "Menses", "Menstruation", "On my period",
                                    "Menstrual flow", "period"])
def test_the_headers_of_a_period_are_read_as_menstruation(header):
    assert column_keys(["date", header]) == ["date", "menstruation"]


@pytest.mark.parametrize("header", ["Treatment period", "Period number", "washout period",
                                    "Evaluation period"])
def test_a_header_of_another_period_is_not_read_nor_taken_for_one(header):
    """"period" is also a trial's step and the nights a regimen is judged on."""
    assert column_keys(["date", header]) != ["date", "menstruation"]
    note = unknown_note(header, ["date", "form"])
    assert note.endswith(PERIOD_NOTE) and "did you mean" not in note


def test_a_trial_period_written_under_period_is_refused_saying_what_the_column_is(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("date,form,elemental_mg,sol_min,period\n2026-09-01,,,20,baseline\n")
    with pytest.raises(Exception, match="a column period is read as menstruation, and a "
                                        "trial's own periods from the column form"):
        read_diary(path, today=dt.date(2026, 12, 1))


def slept(cells: pd.Series) -> pd.Series:
    """Every night of ``cells`` with an outcome."""
    return pd.Series(True, index=cells.index)


def test_a_cycle_left_unwritten_is_named_and_the_gaps_between_periods_are_not():
    cycles = _cells(("......11111" + "." * 23) * 3)            # every 34 nights
    assert missed_period_warnings(cycles, slept(cycles), "d.csv") == []
    stopped = _cells("......11111" + "." * (MISSED_NIGHTS + 5))
    (said,) = missed_period_warnings(stopped, slept(stopped), "d.csv")
    assert said == ("d.csv: no new period written in the 55 nights from 2026-09-07 (a period's "
                    "first day) to 2026-10-31: the days before a period are read as ordinary "
                    "nights; write menstruation = 1 on the days you bleed, or 0 on the nights "
                    "you do not, to say that no period came")
    none_came = _cells("......11111" + "0" * (MISSED_NIGHTS + 5))
    assert missed_period_warnings(none_came, slept(none_came), "d.csv") == []


def test_reading_a_diary_names_its_unwritten_cycle_not_as_night_shifts(tmp_path):
    frame = cycle_world()
    frame.loc[30:, "menstruation"] = ""                  # the last two periods not written
    frame.to_csv(tmp_path / "d.csv", index=False)
    warnings = read_diary(tmp_path / "d.csv", today=dt.date(2026, 12, 1)).warnings
    assert [w for w in warnings if "menstruation" in w] == [
        f"{tmp_path / 'd.csv'}: no new period written in the 64 nights from 2026-09-07 (a "
        "period's first day) to 2026-11-09: the days before a period are read as ordinary "
        "nights; write menstruation = 1 on the days you bleed, or 0 on the nights you do not, "
        "to say that no period came"]
    assert not any("night shift" in w for w in warnings)


# --- the fit cache: a first day written turns the nights before it ---------------------------
CONFIG = {"draws": 600, "tune": 300, "chains": 4, "random_seed": 3, "gut_sensitivity": "none"}


@pytest.mark.fit
def test_a_first_day_written_later_reweights_the_nights_before_it(tmp_path, monkeypatch):
    """The cached fit's diary only gained a night, the first day of a period: the update weighs
    the five nights before it with their new covariate, and the saved NUTS draws keep the
    covariate they were drawn with. Here the weights are trusted whatever they are (the trust
    rule would refit from the cached draws: five nights turned move the posterior far)."""
    from model.personal import proposal

    frame, bundled = cycle_world(), load_priors()
    bleeding = pd.Series(frame["menstruation"].eq("1").to_numpy(float),
                         index=pd.DatetimeIndex(frame["date"]))
    day = (first_days(bleeding)[-1] - pd.Timestamp(START)).days      # its row: night 63
    diaries = {}
    for name, rows in (("short", frame.iloc[:day]), ("longer", frame.iloc[:day + 1])):
        rows.to_csv(tmp_path / "d.csv", index=False)
        diaries[name] = read_diary(tmp_path / "d.csv", today=dt.date(2026, 12, 1))
    turned = diaries["short"].nights.index[-5:]
    assert (written_covariate(diaries["short"].nights, PREMENSTRUAL)[turned] == 0).all()
    assert (written_covariate(diaries["longer"].nights, PREMENSTRUAL)[turned] == 1).all()
    assert len(later_nights(*diaries.values()).nights) == 1         # it only gained a night
    data = {name: diary_data(d, bundled, 0.0, *diary_size(d, bundled))
            for name, d in diaries.items()}
    cache = tmp_path / "cache"
    first, how = fit_with_cache(diaries["short"], bundled, CONFIG, cache)
    assert how == "fit"
    monkeypatch.setattr(proposal, "trusted", lambda *_: True)
    grown, how = fit_with_cache(diaries["longer"], bundled, CONFIG, cache)
    assert how == "psis" and grown.reweighting_ is not None
    ratio = first.proposal_.log_ratio(data["longer"])
    np.testing.assert_allclose(grown.reweighting_.weights, reweight(
        ratio, first.proposal_.diagnostics.min_ess_bulk).weights)
    stale = data["longer"] | {"covariates": np.concatenate(     # the turned nights as they were
        [data["short"]["covariates"], data["longer"]["covariates"][day:]])}
    assert np.ptp(ratio - first.proposal_.log_ratio(stale)) > 1.0
    (path,) = cache.rglob("*.npz")                  # the update's file: the longer diary ...
    kept = PersonalModel.load(path, bundled).proposal_     # ... and the NUTS fit's own nights
    np.testing.assert_array_equal(kept.data["covariates"], data["short"]["covariates"])
    np.testing.assert_allclose(kept.log_ratio(data["longer"]), ratio)


# --- end to end: the audit's diary --------------------------------------------------------
PROFILE = "age = 34\negfr = 95\nconditions = []\nmedications = []\npregnant = false\n"


def _analyzed(tmp_path, frame: pd.DataFrame, name: str) -> dict:
    """The JSON of ``analyze`` as of the audit's date, the terminal's words under ``said``."""
    path, out, profile = (tmp_path / f"{name}{s}" for s in (".csv", ".json", ".toml"))
    frame.to_csv(path, index=False)
    profile.write_text(PROFILE)
    with contextlib.redirect_stdout(io.StringIO()) as terminal:
        assert main(["analyze", str(path), "--profile", str(profile), "--as-of", "2026-11-09",
                     "--seed", "4", "--no-cache", "--json", str(out)]) == 0
    return {**json.loads(out.read_text()), "said": terminal.getvalue()}


@pytest.mark.fit
def test_analyze_credits_the_days_before_a_period_not_the_form_they_fell_on(tmp_path):
    """Without the column taurate "looks to do you harm" (the audit's reason to write it);
    with it, no form is said to harm, the shift on falling asleep is fitted slower and said,
    and the premenstrual nights that went with taurate are named."""
    result = {column: _analyzed(tmp_path, cycle_world(column=column), str(column))
              for column in (True, False)}
    harm = DecisionSettings().harm_stop_p                     # from which harm is said
    assert result[False]["p_harm"] > harm
    assert "You leave taurate 200 mg, which looks to do you harm" in result[False]["said"]
    assert result[False]["covariates"] is None
    assert result[True]["p_harm"] < harm
    assert "looks to do you harm" not in result[True]["said"]
    assert "probably harms" not in result[True]["said"]
    shifts = {row["outcome"]: row for row in result[True]["covariates"]["shifts"]
              if row["covariate"] == PREMENSTRUAL}
    assert shifts["sol"]["low"] > 0 and shifts["sol"]["nights"] == 21
    assert f"Also fitted: {WORDS}: falling asleep " in result[True]["said"]
    assert CYCLE_DAYS in result[True]["said"] and CYCLE_DAYS not in result[False]["said"]
    reasons = result[True]["separability"]["reasons"]
    assert any(r.startswith(f"{WORDS} on 50 % of nights on taurate, 0 % on other forms")
               and r.endswith("take each form for whole menstrual cycles (about four weeks "
                              "each), so that each has its share of these days")
               for r in reasons), reasons


def _citrate_diary(loose: tuple[int, ...], bleeding: tuple[int, ...], exclude: str = "",
                   nights: int = 40) -> pd.DataFrame:
    """Citrate 200 mg from the 10th night, stool form 6 on ``loose`` nights (else 4), bleeding
    on ``bleeding`` nights (``None``: no column), ``exclude`` on the loose ones."""
    frame = pd.DataFrame({
        "date": [(START + dt.timedelta(days=i)).isoformat() for i in range(nights)],
        "form": ["" if i < 10 else "citrate" for i in range(nights)],
        "elemental_mg": ["" if i < 10 else "200" for i in range(nights)],
        "sol_min": "25", "stool_bristol": ["6" if i in loose else "4" for i in range(nights)],
        "exclude": [exclude if i in loose else "" for i in range(nights)]})
    return frame.assign(menstruation=["1" if i in bleeding else "" for i in range(nights)])


@pytest.mark.parametrize(("loose", "bleeding", "exclude", "named"), [
    ((30, 31), (30, 31, 32, 33), "", ("2026-10-01", "2026-10-02")),
    ((30, 35), (30, 31, 32, 33), "", ("2026-10-01",)),
    ((30, 31), (30, 31, 32, 33), "period", ()),                  # set aside: the remedy taken
    ((10, 11), (10, 11, 12), "", ()),                           # over a cycle ago
    ((30, 31), (), "", ())])                                    # no period written
def test_a_period_s_loose_stools_on_magnesium_are_set_aside_by_the_rules_and_said(
        loose, bleeding, exclude, named):
    """The GI rules set a period's GI nights aside (the model fits their share apart): those
    of the last 28 nights on magnesium are named, that the rules do not see them."""
    said = [w for w in read_diary(_citrate_diary(loose, bleeding, exclude), warn=False).warnings
            if "first two days of a period while taking magnesium" in w]
    if not named:
        assert said == []
        return
    (warning,) = said
    assert f"on {len(named)} of the first two days of a period" in warning
    assert f"({', '.join(named)})" in warning and "the GI rules set them aside" in warning


def test_two_loose_days_of_a_period_do_not_stop_a_form_taken_without_gut_trouble():
    """107 nights of glycinate without gut trouble, then loose stools on a period's first two
    days: "Stop taking magnesium. Why: Loose stools lately" (an outside audit, /tmp/w56/m M1).
    The rules set those two days aside, and no other day of bleeding: citrate 300 mg begun on
    a period's first day with 5 loose nights in 6 gave no alert (the second round, N1), and
    spotting every third day set a third of the nights aside (N4)."""
    period = tuple(range(118, 123))
    diary = read_diary(_citrate_diary((118, 119), period, nights=121)
                       .assign(form=lambda f: f["form"].replace("citrate", "glycinate")),
                       warn=False)
    past = history(diary)
    assert past.recent_gi_nights == 0 and not past.gi_troubled
    without = read_diary(_citrate_diary((118, 119), (), nights=121), warn=False)
    assert history(without).recent_gi_nights == 2               # unwritten: counted, as before
    begun = _citrate_diary((40, 41, 42, 43, 45), range(40, 46), nights=46)
    begun["form"] = ["" if i < 40 else "citrate" for i in range(46)]
    begun["elemental_mg"] = ["" if i < 40 else "300" for i in range(46)]
    past = history(read_diary(begun, warn=False))
    assert past.recent_gi_nights == 3 >= DecisionSettings().acute_gi_nights
    assert past.gi_records_on == 6                  # every night's stool form is a record
    spotting = tuple(range(10, 60, 3))
    nights = read_diary(_citrate_diary((), spotting, nights=60), warn=False).nights
    assert rules_gi_aside(nights).sum() == 2
