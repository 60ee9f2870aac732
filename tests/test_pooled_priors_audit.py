"""An outside audit of priors written back by a population fit (2026-12-05).

Written-back priors are made from a synthetic population posterior (no sampling), as in
``test_population_writeback.py``: these tests are about the priors, not the fit.
"""

import re
import tomllib
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from conftest import at_key

from model.core.errors import PriorsError
from model.core.forms import FORMS
from model.core.outcomes import OUTCOMES, SLEEP_OUTCOMES, SPECS
from model.data.diary import read_diary
from model.evidence.priorset import PriorSet, load_priors
from model.inference.diagnostics import Diagnostics
from model.likelihood.prior import PersonalPrior
from model.population.blocks import PersonBlock
from model.population.hierarchical import PopulationModel, write_priors


def _benefit(expectation_smd: float) -> np.ndarray:
    """Each sleep outcome's expectation effect, ``expectation_smd`` SDs towards benefit."""
    return np.array([SPECS[o].sign * expectation_smd for o in SLEEP_OUTCOMES])


@pytest.fixture
def pooled(priors, tmp_path) -> PriorSet:
    """Priors written back from one person's glycinate diary, the expectation on the side of
    harm for every sleep outcome (a population can give that: awakenings -0.157)."""
    diary = tmp_path / "diaries" / "a.csv"
    diary.parent.mkdir()
    diary.write_text("date,form,elemental_mg,sol_min\n2026-01-01,,,30\n"
                     "2026-01-02,glycinate,200,25\n")
    rng = np.random.default_rng(1)
    shape, dims, n = (2, 40), ("chain", "draw"), len(OUTCOMES)
    spread = np.full((*shape, n), 0.25)
    posterior = xr.Dataset({
        "beta": ((*dims, "form", "outcome"), rng.normal(0.1, 0.05, (*shape, len(FORMS), n))),
        "sd_resp": ((*dims, "outcome"), spread), "sd_dev": ((*dims, "outcome"), spread),
        "expectation": ((*dims, "sleep"), np.broadcast_to(-_benefit(0.1), (*shape, 5))),
        "sd_expectation": ((*dims, "sleep"), np.full((*shape, len(SLEEP_OUTCOMES)), 0.2)),
        "between_person_sd": ((*dims, "form", "outcome"), np.full((*shape, len(FORMS), n), 0.3))},
        coords={"form": list(FORMS), "outcome": list(OUTCOMES), "sleep": list(SLEEP_OUTCOMES)})
    model = PopulationModel(priors, random_seed=7, person_fit="laplace")
    model.priors_, model.diaries_ = priors, [read_diary(diary)]
    model.persons_ = [PersonBlock("a", 2, np.arange(n), np.zeros(n), np.eye(n))]
    model.idata_ = xr.DataTree.from_dict({"posterior": posterior})
    model.diagnostics_ = Diagnostics(True, 1.0, 1000.0, 0)
    return load_priors(write_priors(model, tmp_path / "written"))


# --- 1. the prior sensitivity check says something true under written-back priors -------------
def test_every_alternative_prior_changes_written_back_priors(pooled):
    """Re-deriving left a population posterior as it was: the check re-decided under the
    analysis' own priors and said the advice "holds under a confident prior"."""
    from model.analysis.sensitivity import SENSITIVITY_PRIORS, alternative_prior

    assert {e.basis for e in pooled.entries.values()} == {"pooled"}
    alternatives = {name: alternative_prior(pooled, name) for name in SENSITIVITY_PRIORS}
    for key, entry in pooled.entries.items():
        kept = key[1] == "gi"                          # a sceptic keeps the harm as it is
        assert alternatives["sceptical"][key].mean == pytest.approx(entry.mean / (1 if kept
                                                                                  else 2))
        assert alternatives["confident"][key].mean == pytest.approx(entry.mean)
        assert alternatives["confident"][key].sd < entry.sd          # more certain
    assert alternatives["expectation"].settings != pooled.settings


def test_a_larger_expectation_effect_is_a_larger_benefit_whatever_the_written_sign(pooled):
    """Doubling a written expectation mean on the side of harm (-0.157 -> -0.314) made the
    expectation alternative *more harmful*, the opposite of the stress test."""
    from model.analysis.sensitivity import alternative_prior

    written = pooled.settings.personal
    assert all(written.value("expectation_mean_smd", o) < 0 for o in SLEEP_OUTCOMES)
    benefit = _benefit(1.0)
    before = benefit * PersonalPrior.of(pooled).expect_mu
    after = benefit * PersonalPrior.of(alternative_prior(pooled, "expectation")).expect_mu
    assert np.all(after > before)
    assert alternative_prior(pooled, "expectation").to_json() == pooled.to_json()


def test_a_prior_set_by_hand_is_made_more_certain_by_the_confident_alternative(priors):
    from model.analysis.sensitivity import alternative_prior

    mine = priors.with_override("glycinate", "sol", mean=-0.3, sd=0.2, reason="my trial")
    confident = alternative_prior(mine, "confident")["glycinate", "sol"]
    assert confident.sd < 0.2 and confident.mean == pytest.approx(-0.3)
    assert confident.basis == "override" and "my trial" in confident.note


# --- 2. a write-back keeps what its priors rest on --------------------------------------------
def _written(pooled: PriorSet, name: str) -> dict:
    return tomllib.loads((pooled.evidence.directory / name).read_text())


def test_a_write_back_keeps_every_exclusion_and_the_citations_inside_it(priors, pooled):
    """The written class.toml dropped the bundled ``[[excluded]]`` and kept only the ids of
    the class studies, without citation or DOI."""
    for name, source in [("class.toml", priors.evidence.class_file),
                         *((f"forms/{f}.toml", file)
                           for f, file in priors.evidence.form_files.items())]:
        reasons = {e["id"]: e["reason"] for e in _written(pooled, name).get("excluded", [])}
        assert {e.id: e.reason for e in source.excluded}.items() <= reasons.items(), name
        for study in source.studies:
            assert study.citation in reasons[study.id] and study.source in reasons[study.id]


def test_the_written_files_name_the_inputs_of_the_run(pooled, tmp_path):
    diaries = str((tmp_path / "diaries").resolve())
    inputs = (diaries, "1 persons", "seed 7", "person fit laplace", "overstates how much "
              "people differ", "0 of the 1 diaries separate magnesium from expectation (a "
              "withdrawal or placebo nights): with none, the form effects and the expectation "
              "effect are known only as their sum")
    entry = _written(pooled, "forms/glycinate.toml")["studies"][0]
    for said in (_written(pooled, "class.toml")["notes"],
                 _written(pooled, "forms/taurate.toml")["notes"], entry["source"]):
        assert all(words in said for words in inputs), said
    settings = (pooled.evidence.directory / "settings.toml").read_text()
    assert "expectation_smd = " in settings and ": pooled, from 1 persons" in settings
    load_priors(Path(pooled.evidence.directory))                     # still loadable


# --- 3. a prior no diary informed says so ---------------------------------------------------
def test_a_prior_no_diary_informed_says_so_where_its_persons_are_stated(pooled):
    """taurate said ``n = 5`` and "fit of 5 persons" though no diary had taken taurate."""
    for study in _written(pooled, "forms/taurate.toml")["studies"]:
        assert "n" not in study and "0 persons informative" in study["citation"]
    assert all(s["n"] == 1 and "1 of the 1 persons informative" in s["citation"]
               for s in _written(pooled, "forms/glycinate.toml")["studies"])
    assert "0 persons informative" in pooled.explain("taurate", "sol")


# --- 4. settings.toml says where its written values come from -------------------------------
def test_the_written_settings_keep_no_comment_on_a_value_they_replaced(pooled):
    """The bundled "centred on a benefit of 0.3 SMD ... (SD 0.5 SMD)" stood right above a
    written ``expectation_mean_smd = -0.001``."""
    text = (pooled.evidence.directory / "settings.toml").read_text()
    assert "benefit of 0.3 SMD" not in text and "SD 0.5 SMD" not in text
    assert "a small gut sensitivity" not in text
    lines: dict[str, str] = {}
    for line in text.splitlines():                       # [personal] before its by_outcome
        lines.setdefault(line.split("=")[0].strip(), line)
    for key in ("expectation_mean_smd", "expectation_smd", "responsiveness_smd",
                "gi_form_deviation_smd"):
        assert "# fitted by mgsleep population" in lines[key]
    personal = tomllib.loads(text)["personal"]
    assert personal["expectation_mean_smd"] < 0 and "drift_days" in personal  # values kept
    assert "# Regression to the mean" in text                # a comment on a value not replaced


# --- 5. a refusal names what was loosened, by its file and key --------------------------------
def test_a_lowered_gut_shift_is_refused_in_safety_toml_alone(priors_copy):
    """``ibs = 0.0`` in safety.toml was also blamed, 8 times, on ``groups[glycinate]`` of an
    untouched groups.toml whose groups are ``osmotic`` and ``chelate``."""
    path = priors_copy / "safety.toml"
    path.write_text(path.read_text().replace("ibs = 0.9", "ibs = 0.0"))
    with pytest.raises(PriorsError) as error:
        load_priors(priors_copy)
    lines = str(error.value).splitlines()
    assert len(lines) == 1 and re.search(at_key(path, "gut_sensitivity.ibs") + ": loosens",
                                         lines[0])


def test_a_loosening_of_groups_toml_names_its_real_group(priors_copy):
    path = priors_copy / "groups.toml"
    path.write_text(path.read_text().replace("gut_sensitivity_factor = 0.4",
                                             "gut_sensitivity_factor = 0.1"))
    with pytest.raises(PriorsError) as error:
        load_priors(priors_copy)
    lines = str(error.value).splitlines()
    assert len(lines) == 2                                           # the 'mild' and 'ibs' guts
    assert all(re.search(at_key(path, "groups[name=chelate].gut_sensitivity_factor")
                         + ": loosens", line) and "glycinate, taurate, threonate" in line
               for line in lines)
