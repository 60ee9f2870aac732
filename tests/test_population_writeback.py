"""Priors written back from a population posterior: never lose a file (issue 18 item 1, API).

A synthetic posterior stands in for a fit (no sampling): these tests are about files.
"""

import tomllib
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from model.core.errors import InputError, MgsleepError
from model.core.forms import FORMS
from model.core.outcomes import OUTCOMES, SLEEP_OUTCOMES
from model.data.diary import read_diary
from model.evidence.priorset import load_priors
from model.inference.diagnostics import Diagnostics
from model.population.blocks import N_EFFECTS, PersonBlock
from model.population.hierarchical import PopulationModel, write_priors

DIARY = "date,form,elemental_mg,sol_min\n2026-01-01,,,30\n2026-01-02,glycinate,200,25\n"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


@pytest.fixture
def fit(priors, tmp_path):
    rng = np.random.default_rng(0)
    diaries = tmp_path / "diaries"
    diaries.mkdir()
    (diaries / "a.csv").write_text(DIARY)
    model = PopulationModel(priors)
    model.priors_, model.diaries_ = priors, [read_diary(diaries / "a.csv")]
    model.persons_ = [PersonBlock("a", 2, np.arange(len(OUTCOMES)), np.zeros(len(OUTCOMES)),
                                  np.eye(len(OUTCOMES)))]
    shape, dims = (2, 50), ("chain", "draw")
    sd_resp = np.abs(rng.normal(0.3, 0.01, (*shape, len(OUTCOMES))))
    sd_dev = np.abs(rng.normal(0.2, 0.01, (*shape, len(OUTCOMES))))
    posterior = xr.Dataset({
        "beta": ((*dims, "form", "outcome"), rng.normal(0, 0.1, (*shape, len(FORMS),
                                                                 len(OUTCOMES)))),
        "sd_resp": ((*dims, "outcome"), sd_resp), "sd_dev": ((*dims, "outcome"), sd_dev),
        "expectation": ((*dims, "sleep"), rng.normal(0, 0.05, (*shape, len(SLEEP_OUTCOMES)))),
        "sd_expectation": ((*dims, "sleep"), np.full((*shape, len(SLEEP_OUTCOMES)), 0.2)),
        "between_person_sd": ((*dims, "form", "outcome"),
                              np.broadcast_to(np.hypot(sd_resp, sd_dev)[:, :, None],
                                              (*shape, len(FORMS), len(OUTCOMES))))},
        coords={"form": list(FORMS), "outcome": list(OUTCOMES), "sleep": list(SLEEP_OUTCOMES)})
    model.idata_ = xr.DataTree.from_dict({"posterior": posterior})
    model.diagnostics_ = Diagnostics(True, 1.0, 1000.0, 0)
    return model


def test_priors_are_not_written_from_a_fit_that_failed_its_checks(fit, tmp_path):
    fit.diagnostics_ = Diagnostics(False, 1.05, 120.0, 3, attempts=2)
    with pytest.raises(MgsleepError, match=r"did not pass its checks \(max R-hat 1.050, min "
                       r"bulk ESS 120, 3 divergences, after 2 run\(s\)\)"):
        write_priors(fit, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_priors_are_written_into_a_new_folder_with_the_fitted_spreads(fit, tmp_path):
    target = write_priors(fit, tmp_path / "new" / "priors")
    loaded = load_priors(target)
    assert loaded["glycinate", "sol"].basis == "pooled"
    personal = tomllib.loads((target / "settings.toml").read_text())["personal"]
    smd = {o: fit.priors_.settings.outcomes[o].smd_sd for o in OUTCOMES}
    # GI's spreads are its own, not averaged with the sleep outcomes
    assert personal["gi_responsiveness_smd"] == pytest.approx(0.3 / smd["gi"], abs=2e-3)
    assert personal["gi_form_deviation_smd"] == pytest.approx(0.2 / smd["gi"], abs=2e-3)
    sleep = np.mean([0.3 / smd[o] for o in SLEEP_OUTCOMES])
    assert personal["responsiveness_smd"] == pytest.approx(sleep, abs=2e-3)
    assert sorted(p.name for p in target.parent.iterdir()) == ["priors"]   # no staging left


def test_the_expectation_effect_is_written_per_outcome_and_reaches_the_personal_prior(
        fit, tmp_path):
    """The population's expectation effect differs by outcome; averaged, it no longer pairs
    with the effects ``beta`` estimated jointly with it (a closed loop with such priors did
    far worse). Written per outcome, the personal prior gets each outcome's own mean."""
    from model.likelihood.prior import PersonalPrior

    posterior = fit.idata_["posterior"].to_dataset()
    means = np.array([-0.3, 0.05, 1.1, 0.6, -0.7])          # natural signs, model scale
    posterior["expectation"] = posterior["expectation"] * 0 + means
    fit.idata_ = xr.DataTree.from_dict({"posterior": posterior})
    target = write_priors(fit, tmp_path / "priors")
    prior = PersonalPrior.of(load_priors(target))
    np.testing.assert_allclose(prior.expect_mu, means, atol=3e-3)
    # the spreads too: each outcome's own between-person SD (plus the mean's uncertainty, 0)
    np.testing.assert_allclose(prior.expect_sd, 0.2, atol=3e-3)
    sleep = [OUTCOMES.index(o) for o in SLEEP_OUTCOMES]
    np.testing.assert_allclose(prior.resp_sd[sleep],
                               posterior["sd_resp"].mean(("chain", "draw")).values[sleep],
                               atol=3e-3)


def test_per_outcome_tables_are_replaced_and_other_lines_kept(priors_copy):
    from model.population.writeback import write_spreads

    settings = priors_copy / "settings.toml"
    before = settings.read_text()
    write_spreads(settings, {"trend_smd": 0.25},
                  {"quality": {"expectation_mean_smd": 1.5, "expectation_smd": 0.2}})
    write_spreads(settings, {"trend_smd": 0.3}, {"sol": {"responsiveness_smd": 0.4}})
    write_spreads(settings, {"covariate_smd": 0.45})          # tables kept as they are
    personal = load_priors(priors_copy).settings.personal
    assert set(personal.by_outcome) == {"sol"}
    assert personal.value("responsiveness_smd", "sol") == pytest.approx(0.4)
    assert personal.value("responsiveness_smd", "quality") == personal.responsiveness_smd
    assert (personal.trend_smd, personal.covariate_smd) == (0.3, 0.45)
    comments = [line for line in before.splitlines() if line.lstrip().startswith("#")]
    assert all(line in settings.read_text() for line in comments)


@pytest.mark.parametrize("table", ["gi", "sleepiness"])
def test_a_per_outcome_table_of_an_unknown_or_gi_outcome_is_refused(priors_copy, table):
    from model.core.errors import PriorsError

    settings = priors_copy / "settings.toml"
    settings.write_text(settings.read_text()
                        + f"\n[personal.by_outcome.{table}]\nexpectation_smd = 0.3\n")
    with pytest.raises(PriorsError, match=table):
        load_priors(priors_copy)


def test_a_non_empty_folder_is_refused_unless_forced_and_then_only_our_files_change(fit,
                                                                                     tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    (out / "settings.toml").write_text("old")
    with pytest.raises(InputError, match="is not empty"):
        write_priors(fit, out)
    assert snapshot(out) == {"notes.txt": b"mine", "settings.toml": b"old"}
    write_priors(fit, out, force=True)
    assert (out / "notes.txt").read_text() == "mine"                    # kept
    assert "[personal]" in (out / "settings.toml").read_text()          # replaced
    load_priors(out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["diaries", "out"]


@pytest.mark.parametrize("where", ["diaries", ".", "diaries/sub"])
def test_a_folder_that_is_contains_or_lies_in_the_diaries_is_refused_even_forced(fit, tmp_path,
                                                                                where):
    before = snapshot(tmp_path)
    with pytest.raises(InputError, match="is, contains or lies inside the input diaries"):
        write_priors(fit, tmp_path / where, force=True)
    assert snapshot(tmp_path) == before


def test_the_priors_folder_it_reads_is_refused(fit):
    source = fit.priors_.evidence.directory
    before = snapshot(source)
    with pytest.raises(InputError, match="input priors"):
        write_priors(fit, source, force=True)
    assert snapshot(source) == before


def test_a_file_is_refused(fit, tmp_path):
    (tmp_path / "x").write_text("keep")
    with pytest.raises(InputError, match="is a file"):
        write_priors(fit, tmp_path / "x", force=True)
    assert (tmp_path / "x").read_text() == "keep"


def test_effects_count_the_persons_informing_each_entry(fit):
    assert N_EFFECTS == len(FORMS) * len(OUTCOMES)
    informative = fit.effects().set_index(["form", "outcome"])["persons_informative"]
    assert informative["glycinate"].tolist() == [1] * len(OUTCOMES)
    assert informative.sum() == len(OUTCOMES)


def test_priors_written_back_twice_the_same_day_get_a_fresh_tag(fit, tmp_path):
    """The second folder excludes the first's entries: reusing their ids would encode and
    exclude one id at once, which the priors loader refuses."""
    first = write_priors(fit, tmp_path / "first")
    fit.priors_ = load_priors(first)
    second = load_priors(write_priors(fit, tmp_path / "second"))
    ids = {s.id for s in second.evidence.form_files["glycinate"].studies}
    assert all(i.startswith("POPULATION_") and "_2_GLYCINATE_" in i for i in ids)


def test_explain_says_a_written_back_prior_is_the_population_posterior_as_it_is(fit, tmp_path):
    """It once showed a class step and a certainty discount that were never applied."""
    written = load_priors(write_priors(fit, tmp_path / "out"))
    entry, said = written["glycinate", "sol"], written.explain("glycinate", "sol")
    assert "population posterior written back" in said and "used as it is" in said
    assert "discounted" not in said and "class evidence" not in said
    assert said.endswith(f"=> prior N({entry.mean:.3f}, {entry.sd:.3f}); basis pooled; "
                         f"certainty {entry.certainty}")


def test_a_spread_the_diaries_say_nothing_of_is_written_back_as_it_started():
    """The half-normal prior of twice a setting has a mean 1.6 times it: one 20-night diary
    wrote responsiveness_smd 0.5, 0.79, 1.25 on three rounds (a population researcher's
    audit). A spread stays its setting as far as the diaries say nothing of it."""
    from model.population.graph import population_prior
    from model.population.writeback import SPREADS, learnt_spreads

    priors = load_priors()
    prior = population_prior(priors)
    rng = np.random.default_rng(0)
    dims = {"sd_resp": "outcome", "sd_dev": "outcome", "sd_expectation": "sleep"}

    def posterior(draw) -> xr.Dataset:
        return xr.Dataset({var: (("chain", "draw", dims[var]), draw(prior[f"{var}_scale"]))
                           for var in SPREADS})

    uninformed = posterior(lambda scale: np.abs(rng.normal(0, scale, (4, 4000, scale.size))))
    for var, written in learnt_spreads(uninformed, priors).items():
        np.testing.assert_allclose(written, prior[f"{var}_scale"] / 2, rtol=0.05)
    told = posterior(lambda scale: rng.normal(1.4 * scale, 0.01 * scale, (4, 4000, scale.size)))
    for var, written in learnt_spreads(told, priors).items():
        np.testing.assert_allclose(written, 1.4 * prior[f"{var}_scale"], rtol=0.01)
