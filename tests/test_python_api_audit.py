"""What a researcher calling the Python API is told (a researcher's audit, 2026-12-05).

Settings no sampler can run, a regimen without a dose, a misspelt diary column and a prior
set by hand were each accepted in silence, or failed deep inside a library: each is now
named where it is given.
"""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path

import pytest

from model.analysis.pipeline import analyze
from model.core.errors import DiaryError, MgsleepError
from model.core.regimen import Regimen
from model.data.diary import DiaryWarning
from model.evidence.priorset import load_priors
from model.personal.fit import PersonalModel
from model.personal.predict import predict_from_draws


@pytest.mark.parametrize(("setting", "said"), [
    ({"chains": 1}, "chains must be a whole number at least 2 (the fit's checks compare"),
    ({"chains": 0}, "chains must be a whole number at least 2"),
    ({"draws": -5}, "draws must be a whole number at least 1, got -5"),
    ({"draws": 0}, "draws must be a whole number at least 1, got 0"),
    ({"draws": 10.5}, "draws must be a whole number at least 1, got 10.5"),
    ({"tune": -1}, "tune must be a whole number at least 0, got -1"),
    ({"seed": -1}, "seed must be a whole number from 0 to 4294967295, got -1"),
    ({"seed": 2**32}, "seed must be a whole number from 0 to 4294967295"),
])
def test_analyze_refuses_settings_it_cannot_run_before_any_work(setting, said):
    """Before: OverflowError, a reshape error after 55 ArviZ warnings, KeyError 'chain', or
    (one chain) a fit failing its checks three times and the advice "record more nights"."""
    with pytest.raises(MgsleepError) as caught:
        analyze(Path("does-not-exist.csv"), **setting)       # refused before reading it
    assert said in str(caught.value)


def test_a_model_fit_alone_may_run_one_chain_but_not_none():
    assert PersonalModel(chains=1).sampler_config.chains == 1
    with pytest.raises(MgsleepError, match="chains must be a whole number at least 1, got 0"):
        _ = PersonalModel(chains=0).sampler_config


def test_a_form_without_a_dose_is_not_predicted_as_no_magnesium():
    """``Regimen("glycinate")`` has 0 mg: it was predicted as the ``none`` row, unsaid."""
    with pytest.raises(ValueError, match=r"Regimen\('glycinate'\) has no dose.*"
                                         r"Regimen\('glycinate', 200\)"):
        predict_from_draws({}, [Regimen("glycinate", 200), Regimen("glycinate")],
                           load_priors())


def test_a_misspelt_diary_column_is_a_warning_in_python_too(tmp_path):
    """The "did you mean 'sol_min'?" went only into ``diary.warnings`` and the JSON."""
    diary = tmp_path / "diary.csv"
    # ``sol``: a near miss (``sol_mins``) would be read as sol_min, with a warning
    diary.write_text("date,sol,quality\n2026-11-01,30,3\n2026-11-02,25,4\n")
    with pytest.warns(DiaryWarning, match="'sol'.*did you mean 'sol_min'"), \
            pytest.raises(DiaryError, match="needs at least"):
        analyze(diary)


def test_priors_changed_in_python_are_not_called_the_bundled_evidence():
    bundled = load_priors()
    assert bundled.changes_from_files() == ([], False)
    mine = bundled.with_override("glycinate", "sol", mean=-0.8, sd=0.1, reason="my review")
    (entry,), settings = mine.changes_from_files()
    assert (entry.form, entry.outcome, entry.mean, entry.basis, entry.note, entry.sources) == \
        ("glycinate", "sol", -0.8, "override", "my review", ())
    assert not settings
    assert bundled.with_expectation_means(lambda mean, sd: 2 * mean).changes_from_files()[1]


@pytest.mark.fit
def test_an_analysis_under_an_override_says_so_in_its_json():
    """Before: ``{'directory': '.../priors', 'bundled': True}`` and no trace of the override."""
    from model.testing import example_analysis

    analysis = example_analysis()
    assert analysis.to_json()["priors"]["bundled"] is True
    fit = copy.copy(analysis.fit)
    fit.priors = load_priors().with_override("glycinate", "sol", mean=-0.8, sd=0.1,
                                             reason="my review")
    said = dataclasses.replace(analysis, fit=fit).to_json()["priors"]
    assert said["bundled"] is False and said["settings_changed"] is False
    assert [(c["form"], c["outcome"], c["basis"], c["note"]) for c in said["changed"]] == \
        [("glycinate", "sol", "override", "my review")]


@pytest.mark.fit
def test_a_notebook_cell_shows_an_analysis_in_a_line_not_tens_of_thousands():
    """Before: 47,827 characters for an ``Analysis``, 23,011 for its ``Decision``, the whole
    DataFrame for a ``Diary`` and ``<PersonalModel object at 0x...>``."""
    from model.testing import example_analysis

    analysis = example_analysis()
    rec = analysis.decision.recommendation
    shown = {repr(analysis), repr(analysis.decision), repr(analysis.diary), repr(analysis.fit)}
    assert all(len(text) < 300 for text in shown), shown
    assert f"Recommendation({rec.action} {rec.regimen.label};" in repr(analysis)
    assert repr(analysis.diary).startswith("Diary('<DataFrame>': 78 of 80 nights recorded, "
                                           "2026-01-01 to 2026-03-21; no magnesium: 14")
    assert repr(analysis.fit) == "PersonalModel(nuts fit of 78 nights; diagnostics ok)"
    assert repr(PersonalModel(draws=300)).startswith("PersonalModel(not fitted; draws=300")
