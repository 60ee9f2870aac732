"""A failed fit is loud in Python too; a diary's warnings reach a notebook (audit /tmp/w45/B).

B F2: ``analyze(..., draws=10, tune=10, chains=2)`` failed its checks (R-hat 1.30) and returned
with no Python warning, its effects still saying glycinate "works" (P 0.975), in Python and
in the JSON, and ``plot_timeline`` drew the failed fit's build-up by default. B F3:
``read_diary`` read a column ``qualty`` as ``quality`` and ignored ``mood`` in silence.
B F6: ``fit.effects()`` gave 95 % intervals with no way to ask for the 90 % a person reads.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from model import (
    ConvergenceError,
    ConvergenceWarning,
    DiaryWarning,
    PersonalModel,
    analyze,
    read_diary,
)
from model.analysis.effects import NOT_ESTIMATED
from model.cli.main import main
from model.core.progress import NO_PROGRESS
from model.simulate.personas import simulate_diary

TINY = {"draws": 10, "tune": 10, "chains": 2}
"""Far too few draws for the checks to pass (R-hat about 1.3): a failed fit in seconds."""


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return simulate_diary("responder", 60, seed=3)


@pytest.fixture(scope="module")
def failed(frame):
    """A failed analysis and the warnings it issued."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        result = analyze(frame, seed=1, **TINY)
    assert not result.fit.diagnostics_.ok          # else the tests below test nothing
    return result, caught


@pytest.mark.fit
def test_a_failed_analysis_warns_once_naming_what_failed(failed):
    _, caught = failed
    said = [w for w in caught if issubclass(w.category, ConvergenceWarning)]
    assert len(said) == 1
    assert "R-hat" in str(said[0].message) and "no dosing advice" in str(said[0].message)
    assert said[0].filename == __file__             # the caller's line, not the package's


@pytest.mark.fit
def test_a_failed_fit_gives_no_verdict_in_python_nor_in_the_json(failed):
    result, _ = failed
    effects = [*result.effects, *result.effects.by_regimen]
    assert {e.verdict for e in effects} == {NOT_ESTIMATED}
    assert all("failed its checks" in (e.not_estimated or "") for e in effects)
    entries = [*result.to_json()["effects"], *result.to_json()["regimen_effects"]]
    assert {e["verdict"] for e in entries} == {NOT_ESTIMATED}
    assert all(e["not_estimated"] for e in entries)
    assert not any(e.lean or e.nights_needed for e in effects)   # nor a lean to act on


@pytest.mark.fit
def test_the_timeline_of_a_failed_fit_leaves_the_build_up_out_by_default(failed):
    from model.viz.timeline import plot_timeline

    result, _ = failed
    default = plot_timeline(result.fit)
    asked = plot_timeline(result.fit, estimates=True)
    assert len(asked.axes) == len(default.axes) + 1


@pytest.mark.fit
def test_strict_raises_the_convergence_error(frame):
    with pytest.raises(ConvergenceError, match="R-hat"):
        PersonalModel(random_seed=1, progressbar=False, **TINY).fit(
            read_diary(frame, warn=False), strict=True)


@pytest.mark.fit
def test_a_failed_personal_fit_warns_and_a_converged_one_does_not(frame):
    diary = read_diary(frame, warn=False)
    with pytest.warns(ConvergenceWarning, match="PersonalModel.fit"):
        PersonalModel(random_seed=1, progressbar=False, **TINY).fit(diary)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        fit = PersonalModel(random_seed=0, progressbar=False).fit(diary)   # the defaults
    assert fit.diagnostics_.ok


def _typo(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.rename(columns={"quality": "qualty"}).assign(mood=1)


def test_read_diary_warns_each_caveat_once(frame):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        diary = read_diary(_typo(frame))
    said = [str(w.message) for w in caught if issubclass(w.category, DiaryWarning)]
    assert len(said) == len(set(said)) == len(set(diary.warnings))
    assert any("'qualty' read as quality" in s for s in said)
    assert any("unknown column 'mood'" in s for s in said)
    assert all(w.filename == __file__ for w in caught)


@pytest.mark.fit
def test_analyze_of_a_diary_read_does_not_say_its_warnings_again(frame):
    with warnings.catch_warnings(record=True) as read:
        warnings.simplefilter("always")
        diary = read_diary(_typo(frame))
    assert any("qualty" in str(w.message) for w in read)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        analyze(diary, seed=1, **TINY)
    said = [str(w.message) for w in caught if issubclass(w.category, DiaryWarning)]
    assert not [s for s in said if s in diary.warnings]


@pytest.mark.fit
def test_the_command_line_prints_each_diary_warning_once(frame, tmp_path, capsys,
                                                        monkeypatch):
    path = tmp_path / "diary.csv"
    _typo(frame).to_csv(path, index=False)
    monkeypatch.setenv(NO_PROGRESS, "1")   # restored after the test: --no-progress sets it
    main(["--no-progress", "analyze", str(path), "--no-cache", "--seed", "1",
          "--draws", "10", "--chains", "2"])
    err = capsys.readouterr().err
    for words in ("'qualty' read as quality", "unknown column 'mood'"):
        assert err.count(words) == 1, err


def test_effects_give_the_interval_asked_for():
    from model.core.forms import FORMS
    from model.core.outcomes import OUTCOMES
    from model.personal.effect_table import effects_of

    diary = read_diary(simulate_diary("responder", 20, seed=3), warn=False)
    theta = np.random.default_rng(0).normal(size=(400, len(FORMS), len(OUTCOMES)))
    narrow, wide = effects_of(theta, diary.nights, 0.9), effects_of(theta, diary.nights)
    for row in (0, 11, len(narrow) - 1):        # rows outcome-major
        outcome, form = divmod(row, len(FORMS))
        assert (narrow.iloc[row]["form"], narrow.iloc[row]["outcome"]) == (
            FORMS[form], OUTCOMES[outcome])
        for table, ends in ((narrow, [0.05, 0.95]), (wide, [0.025, 0.975])):
            assert np.allclose(table.iloc[row][["ci_low", "ci_high"]].astype(float),
                               np.quantile(theta[:, form, outcome], ends))
