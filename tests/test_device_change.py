"""A tracker swap mid-diary (outside audit jG): the ``device`` column and its level shift.

A year of self-reported sleep-onset latency (rounded to 5 min) then a ring's estimate (0.6 x
the true latency) was read as one scale: the drop was credited to what was taken after the
swap, and the advice changed without a word. The diary's ``device`` column names each night's
source; the personal model fits a level shift of latency and awakenings (what a tracker
measures; not the ratings) for the nights of each source but the reference, the tracker with
the most nights (``b_device``; :mod:`tests.test_device_sources` tests one per source); an
import names the tracker on the nights it fills and warns when a column's other nights came
from another source.

The diaries here come from their own generator (:func:`swap_diary`), not ``model.simulate``:
log-normal latency with AR(1) noise, glycinate the only form that acts (build-up of about a
week), self-report rounded to 5 minutes, a ring at 0.6 x the true latency from ``swap_at``.
"""

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from model.cli.main import main
from model.core.errors import DiaryError
from model.core.forms import FORMS
from model.core.outcomes import SLEEP_OUTCOMES
from model.core.regimen import Regimen
from model.data.devices import device_columns, device_design, device_indicator
from model.data.diary import read_diary
from model.evidence.priorset import load_priors
from model.personal.data import diary_data, diary_size
from model.personal.predict import predict_from_draws
from model.personal.separability import separability
from model.trial.quick import QuickModel

SCHEDULE = [(14, "", 0), (28, "citrate", 200), (14, "", 0), (35, "glycinate", 200), (14, "", 0),
            (28, "taurate", 200), (14, "", 0), (35, "glycinate", 200), (28, "citrate", 200),
            (14, "", 0), (30, "taurate", 200)]
"""254 nights, two withdrawals from glycinate; the swap (night 75) falls 19 nights into the
first glycinate run, so that without the column the ring's lower minutes are credited to it."""
SWAP_AT = 75
START = dt.date(2025, 1, 1)
GLYCINATE = FORMS.index("glycinate")


def swap_diary(seed: int, *, ring: bool, device: bool, swap_at: int = SWAP_AT) -> pd.DataFrame:
    """A diary whose latency is self-reported, or from ``swap_at`` on a ring's (``ring``).

    The random stream is the same with or without the ring (its noise is always drawn): the
    no-swap diary is the same nights, measured by the person throughout. ``device`` writes the
    column (``self-report``, then ``oura``).
    """
    rng = np.random.default_rng(seed)
    plan = [(form, mg) for n, form, mg in SCHEDULE for _ in range(n)]
    store, ar, rows = 0.0, 0.0, []
    for i, (form, mg) in enumerate(plan):
        store += ((form == "glycinate") - store) * (1 - math.exp(-1 / 7))
        ar = 0.4 * ar + rng.normal(0, 0.45)
        true = math.exp(math.log(25) + ar - 0.45 * store)
        noise = math.exp(rng.normal(0, 0.1))
        on_ring = ring and i >= swap_at
        row = {"date": (START + dt.timedelta(i)).isoformat(), "form": form,
               "elemental_mg": mg if form else "",
               "sol_min": round(0.6 * true * noise) if on_ring else 5 * round(true / 5),
               "quality": int(np.clip(round(3 - 0.5 * ar + 0.5 * store
                                            + rng.logistic(0, 0.5)), 1, 5)),
               "awakenings": int(rng.poisson(1.5))}
        if device:
            row["device"] = "oura" if i >= swap_at else "self-report"
        rows.append(row)
    return pd.DataFrame(rows)


def _glycinate_sol(model) -> float:
    return float(model.draws_of("theta")[:, GLYCINATE, 0].mean())


# -- the column --------------------------------------------------------------------------------
def test_device_cells_are_read_as_named_sources_and_a_blank_is_a_source_of_its_own():
    table = swap_diary(0, ring=True, device=True).iloc[:40].copy()
    table["device"] = (["Self-Report "] * 10 + [""] * 10 + ["  OURA"] * 10
                       + ["self-report"] * 10)
    nights = read_diary(table).nights
    assert nights["device"].iloc[[0, 10, 20, 30]].tolist() == ["self-report", "", "oura",
                                                               "self-report"]
    # the reference is the tracker (oura), not the first night's hand-written source
    np.testing.assert_array_equal(device_indicator(nights), [1] * 20 + [0] * 10 + [1] * 10)
    without = read_diary(table.drop(columns="device")).nights
    assert not device_indicator(without).any()


@pytest.mark.parametrize("cell, said", [
    ("12", "a number"), ("x" * 41, "41 characters: a note belongs in notes"),
    ("#ring", "a letter first")])
def test_a_bad_device_names_the_file_row_and_column(tmp_path, cell, said):
    path = tmp_path / "diary.csv"
    table = swap_diary(0, ring=False, device=True).iloc[:20]
    table.loc[4, "device"] = cell
    table.to_csv(path, index=False)
    with pytest.raises(DiaryError) as error:
        read_diary(path)
    assert f"{path}: row 5, column device: expected a device name" in str(error.value)
    assert said in str(error.value) and repr(cell) in str(error.value)


def test_three_sources_have_a_shift_each_and_no_warning():
    """Three sources were two shifts, two of them pooled as one (with a warning): now each
    but the reference (the tracker with the most nights) has its own."""
    table = swap_diary(0, ring=True, device=True).iloc[:100].copy()
    table.loc[90:, "device"] = "fitbit"
    diary = read_diary(table)
    assert not [w for w in diary.warnings if "column device" in w]
    design = device_design(diary.nights)
    assert device_columns(diary.nights) == [("self-report",), ("fitbit",)]   # oura: reference
    assert design[:75, 0].all() and design[90:, 1].all() and not design[75:90].any()


def test_one_source_or_none_gives_the_graph_the_data_it_had():
    """Without the column, or with one source named, every array is the same and the
    device's is zeros: its coefficient samples its prior and moves no prediction."""
    priors = load_priors()
    table = swap_diary(1, ring=False, device=False)
    plain, named = read_diary(table), read_diary(table.assign(device="self-report"))
    first = diary_data(plain, priors, 0.0, *diary_size(plain, priors))
    second = diary_data(named, priors, 0.0, *diary_size(named, priors))
    assert first.keys() == second.keys()
    for name in first:
        np.testing.assert_array_equal(first[name], second[name], err_msg=name)
    assert not first["device"].any()
    smd = priors.settings.outcomes["sol"].smd_sd
    assert first["device_sd"][0] == pytest.approx(priors.settings.personal.device_smd * smd)


# -- the fit -----------------------------------------------------------------------------------
def test_the_quick_fit_with_the_column_is_near_the_fit_without_a_swap():
    """Laplace path, four diaries: the swap moves glycinate's fitted effect; the column
    takes it back to the no-swap fit's (its error under a third of the swap's)."""
    errors = {"swap": [], "column": []}
    for seed in range(4):
        fitted = {name: _glycinate_sol(QuickModel(random_seed=1, draws=1000).fit(
            read_diary(swap_diary(seed, ring=ring, device=device))))
            for name, ring, device in (("none", False, False), ("swap", True, False),
                                       ("column", True, True))}
        for name in errors:
            errors[name].append(abs(fitted[name] - fitted["none"]))
    assert np.mean(errors["swap"]) > 0.1                     # the swap does move it
    assert np.mean(errors["column"]) < np.mean(errors["swap"]) / 3


def test_predictions_are_on_the_reference_scale_and_ratings_do_not_shift():
    """Predictions are on one scale, the reference's (the ring, the tracker with the most
    nights), whatever measured the last night: no shift enters them. Ratings are the
    person's own: with a shift of their own, the swap moved anxiety by +0.98."""
    diary = read_diary(swap_diary(2, ring=True, device=True))   # 75 self-report, 179 oura
    model = QuickModel(random_seed=1, draws=500).fit(diary)
    draws = model._draws
    assert np.mean(draws["b_device"][:, 0, 0]) > 0.2        # more minutes than the ring
    unshifted = {k: v for k, v in draws.items() if "device" not in k}   # no shift anywhere
    regimen = [Regimen("glycinate", 200)]
    now, first = (predict_from_draws(d, regimen, model.priors_)["sol_min"].to_numpy()
                  for d in (draws, unshifted))
    np.testing.assert_array_equal(now, first)               # no shift in the predictions
    data = diary_data(diary, model.priors_, 0.0, *diary_size(diary, model.priors_))
    measured = [SLEEP_OUTCOMES.index(o) for o in ("sol", "awakenings")]
    rated = [k for k in range(len(SLEEP_OUTCOMES)) if k not in measured]
    assert data["device"][..., measured].any() and not data["device"][..., rated].any()


@pytest.fixture(scope="module")
def nuts_fits():
    """The NUTS fits of one diary: no swap (no column), the swap, the swap with the column."""
    from model.personal.fit import PersonalModel

    # the default 1000 draws: at 500, two of the three fits failed R-hat (1.011, 1.016) and
    # ran again with twice the draws, 30 s against 19 s (2026-12-07)
    return {name: PersonalModel(random_seed=3).fit(
        read_diary(swap_diary(0, ring=ring, device=device)))
        for name, ring, device in (("none", False, False), ("swap", True, False),
                                   ("column", True, True))}


@pytest.mark.fit
def test_the_fit_with_the_column_is_near_the_fit_without_a_swap(nuts_fits):
    effect = {name: _glycinate_sol(fit) for name, fit in nuts_fits.items()}
    assert all(fit.diagnostics_.ok for fit in nuts_fits.values())
    off_by_swap = abs(effect["swap"] - effect["none"])
    off_with_column = abs(effect["column"] - effect["none"])
    assert off_by_swap > 0.1 and off_with_column < off_by_swap / 3, effect
    shift = nuts_fits["column"].draws_of("b_device")[:, 0, 0]   # self-report from the ring
    assert 0.3 < shift.mean() < 0.7                  # log1p(25) - log1p(0.6 x 25) = 0.49


@pytest.mark.fit
def test_without_a_device_change_the_shift_keeps_its_prior(nuts_fits):
    shift = nuts_fits["none"].draws_of("b_device")
    sd = nuts_fits["none"].graph_data(nuts_fits["none"].diary_)["device_sd"]
    assert np.all(np.abs(shift.mean(axis=0)) < 0.15 * sd)
    np.testing.assert_allclose(shift.std(axis=0), np.broadcast_to(sd, shift.shape[1:]),
                               rtol=0.15)                   # every source's shift


@pytest.mark.fit
def test_the_numpy_density_of_the_shift_is_the_compiled_graphs(nuts_fits):
    """graph.py and nightly.py write the same linear predictor: the log ratio of the fit's
    draws from the diary with the column to the same diary without it is the compiled
    graph's."""
    from model.testing import graph_log_ratio

    fit = nuts_fits["column"]
    ours, expected = graph_log_ratio(
        fit, fit.graph_data(read_diary(swap_diary(0, ring=True, device=False))))
    assert np.ptp(expected) > 1.0
    np.testing.assert_allclose(ours, expected, atol=1e-6)


# -- separability ------------------------------------------------------------------------------
def test_a_device_change_beside_a_regimen_change_is_named_as_inseparable():
    near = read_diary(swap_diary(0, ring=True, device=True, swap_at=58))   # glycinate from 56
    reasons = [r for r in separability(near).reasons if "measuring device" in r]
    assert len(reasons) == 1
    assert ("changed on 2025-02-28 (self-report to oura), 2 night(s) from the change to "
            "glycinate 200 mg on 2025-02-26") in reasons[0]
    far = read_diary(swap_diary(0, ring=True, device=True))
    assert not [r for r in separability(far).reasons if "measuring device" in r]


# -- import and log ----------------------------------------------------------------------------
def _oura_csv(path, nights: pd.DataFrame) -> None:
    """An Oura CSV (latency in seconds) of ``nights``."""
    rows = []
    for day, minutes in zip(nights["date"], nights["sol_min"], strict=True):
        start = dt.datetime.fromisoformat(day) + dt.timedelta(hours=23)
        rows.append({"bedtime_start": f"{start.isoformat()}+00:00",
                     "bedtime_end": f"{(start + dt.timedelta(hours=8)).isoformat()}+00:00",
                     "type": "long_sleep", "latency": int(minutes * 60)})
    pd.DataFrame(rows).to_csv(path, index=False)


def test_an_import_names_the_tracker_and_warns_of_the_earlier_source(tmp_path, capsys):
    """A self-reported diary gains a ring's nights: the warning names the column, the date
    the ring starts and the level shift; the ring's nights carry its name."""
    table = swap_diary(0, ring=True, device=False)
    diary = tmp_path / "diary.csv"
    table.iloc[:SWAP_AT].to_csv(diary, index=False)
    export = tmp_path / "oura.csv"
    _oura_csv(export, table.iloc[SWAP_AT:])
    assert main(["import", "oura", str(export), "--out", str(diary), "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert ("warning: sol_min: the nights from 2025-03-17 are oura's estimate, and 75 other "
            "night(s) of the diary (2025-01-01 to 2025-03-16) came from another source "
            "(unnamed: device blank)") in printed
    assert "the model fits a level shift of sol_min for each source" in printed
    nights = read_diary(diary).nights
    assert set(nights["device"].iloc[:SWAP_AT]) == {""}
    assert set(nights["device"].iloc[SWAP_AT:]) == {"oura"}
    assert device_indicator(nights).sum() == SWAP_AT          # the ring is the reference


def test_an_import_into_a_new_diary_or_one_source_does_not_warn(tmp_path, capsys):
    table = swap_diary(0, ring=True, device=False)
    export = tmp_path / "oura.csv"
    _oura_csv(export, table.iloc[SWAP_AT:SWAP_AT + 20])
    diary = tmp_path / "diary.csv"
    assert main(["import", "oura", str(export), "--out", str(diary), "--quiet"]) == 0
    _oura_csv(export, table.iloc[SWAP_AT + 20:SWAP_AT + 30])
    assert main(["import", "oura", str(export), "--out", str(diary), "--quiet"]) == 0
    assert "level shift" not in capsys.readouterr().out
    assert set(read_diary(diary).nights["device"]) == {"oura"}


def test_log_writes_a_device_only_when_given(tmp_path, capsys):
    diary = tmp_path / "diary.csv"
    swap_diary(0, ring=False, device=False).iloc[:5].to_csv(diary, index=False)
    assert main(["log", str(diary), "--date", "2025-01-06", "--sol", "20"]) == 0
    assert main(["log", str(diary), "--date", "2025-01-07", "--sol", "12",
                 "--device", "Oura"]) == 0
    assert read_diary(diary).nights["device"].iloc[-2:].tolist() == ["", "oura"]
    assert main(["log", str(diary), "--date", "2025-01-08", "--sol", "12",
                 "--device", "7"]) == 2
    assert "column device: expected a device name" in capsys.readouterr().err


def test_an_import_of_ratings_from_another_source_does_not_warn_of_a_shift():
    """A rating an import fills (a CSD's quality) is the person's own, whatever the source:
    the model fits it no shift, and the import said it did."""
    from model.data.devices import stamp_device

    before = pd.DataFrame({"date": ["2025-01-01", "2025-01-02"], "quality": ["3", "4"]})
    imported = pd.DataFrame({"date": ["2025-01-03"], "quality": ["2"]})
    rows = pd.concat([before, imported], ignore_index=True)
    out, notes = stamp_device(before, rows, imported, "csd")
    assert notes == [] and out["device"].tolist() == ["", "", "csd"]
    latency = rows.rename(columns={"quality": "sol_min"})
    _, said = stamp_device(before.rename(columns={"quality": "sol_min"}), latency,
                           imported.rename(columns={"quality": "sol_min"}), "csd")
    assert len(said) == 1 and said[0].startswith("sol_min: the nights from 2025-01-03")
