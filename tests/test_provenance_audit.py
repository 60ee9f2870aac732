"""A reproducibility audit (F1-F9): every result says what it was made from and how.

``analyze``, ``nof1`` and ``population`` JSON carry a ``provenance`` (versions, the seed
actually used, the sampler actually used, the MCMC settings, how the fit was made, the
inputs' file names and SHA-256, the priors' fingerprint); a run without a seed draws one and
is reproduced by it; every interval states its level.
"""

import datetime as dt
import hashlib
import json
import types

import numpy as np
import pymc
import pytest

import model
from model.analysis.pipeline import analyze
from model.cli.analyze import print_summary
from model.cli.main import main
from model.cli.population import population_json
from model.core.provenance import SEED_BITS, draw_seed
from model.evidence.priorset import load_priors
from model.inference.samplers import MAX_SEED
from model.personal.store import priors_fingerprint
from model.simulate.personas import simulate_diary

SMALL = {"draws": 150, "tune": 150, "chains": 2}


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def diary_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("a-private-folder") / "diary.csv"
    simulate_diary("responder", 30, seed=1).to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def unseeded(diary_file, priors):
    """A full fit (no cache) without a seed."""
    return analyze(diary_file, priors=priors, **SMALL)


def test_a_drawn_seed_is_one_the_command_line_takes():
    assert 2**SEED_BITS - 1 == MAX_SEED
    assert all(0 <= draw_seed() <= MAX_SEED for _ in range(100))
    assert len({draw_seed() for _ in range(10)}) > 1


@pytest.mark.fit
def test_the_analyze_json_names_versions_settings_and_inputs(unseeded, diary_file, priors):
    payload = json.loads(json.dumps(unseeded.to_json()))
    assert payload["schema_version"] == 22
    record = payload["provenance"]
    assert record["mgsleep"] == model.__version__
    assert record["libraries"]["numpy"] == np.__version__
    assert record["libraries"]["pymc"] == pymc.__version__
    assert {"pytensor", "nutpie", "arviz"} <= set(record["libraries"])
    assert (record["sampler"], record["draws"], record["tune"], record["chains"]) == (
        "nutpie", 150, 150, 2)
    assert (record["method"], record["posterior"], record["pareto_k"]) == ("fit", "nuts", None)
    assert record["full_fit_nights"] == payload["nights"]["total"]
    assert record["run_date"] == dt.date.today().isoformat()
    assert record["as_of"] == payload["as_of"] == record["next_review_from"]
    # the diary by its name and the SHA-256 of its bytes (`sha256sum diary.csv`), no folder
    assert record["diary"] == {"file": "diary.csv", "sha256": sha256(diary_file), "of": "file"}
    assert str(diary_file.parent) not in json.dumps(record)
    assert record["priors"] == {"fingerprint": priors_fingerprint(priors), "bundled": True}
    assert record["profile"] is None


@pytest.mark.fit
def test_a_run_without_a_seed_draws_one_and_is_reproduced_by_it(unseeded, diary_file, priors):
    first = unseeded.to_json()
    seed = first["provenance"]["seed"]
    assert first["provenance"]["seed_drawn"] is True and 0 <= seed <= MAX_SEED
    again = analyze(diary_file, priors=priors, seed=seed, **SMALL).to_json()
    assert again["provenance"]["seed_drawn"] is False
    for payload in (first, again):
        del payload["provenance"]["seed_drawn"]
    assert json.dumps(first, sort_keys=True) == json.dumps(again, sort_keys=True)


@pytest.mark.fit
def test_the_terminal_names_the_seed_a_run_used(unseeded, capsys):
    print_summary(unseeded)
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("Fit: "))
    assert line.endswith(f"; seed {unseeded.provenance['seed']}"), line


@pytest.mark.fit
def test_the_fitted_model_says_its_sampler_and_seed(unseeded):
    fit = unseeded.fit
    assert fit.sampler is None and fit.sampler_ == "nutpie"   # the default, resolved
    attrs = fit.idata_["posterior"].attrs
    assert attrs["inference_library"] == "nutpie" and attrs["method"] == "nuts"
    assert attrs["random_seed"] == fit.seed_ == unseeded.provenance["seed"]
    assert attrs["mgsleep_version"] == model.__version__
    assert attrs["mgsleep_code_sha256"] == unseeded.provenance["code_sha256"]
    assert attrs["pymc_version"] == pymc.__version__


@pytest.mark.fit
def test_each_interval_states_its_level(unseeded):
    entries = unseeded.to_json()["effects"]
    theta = unseeded.fit.draws_["theta"]
    assert all(e["interval"] == 0.95 and e["diary_change"]["interval"] == 0.9 for e in entries)
    first = entries[0]               # glycinate x sol: the stated level is the one computed
    assert (first["form"], first["outcome"]) == ("glycinate", "sol")
    low, high = np.quantile(theta[:, 0, 0], [0.025, 0.975])
    assert (first["ci_low"], first["ci_high"]) == pytest.approx((low, high))


@pytest.mark.fit
def test_a_cached_fit_keeps_its_seed_and_an_update_says_how_it_was_made(diary_file, priors,
                                                                        tmp_path):
    cache, diary = tmp_path / "cache", tmp_path / "diary.csv"
    profile = tmp_path / "me.toml"
    profile.write_text("age = 40\negfr = 90\n")
    lines = diary_file.read_text().splitlines(keepends=True)
    diary.write_text("".join(lines[:-1]))
    run = {"priors": priors, "cache": cache, "profile": profile, **SMALL}
    first = analyze(diary, **run).provenance
    reused = analyze(diary, **run).provenance
    assert (reused["method"], reused["seed"], reused["seed_drawn"]) == (
        "cached", first["seed"], True)
    [saved] = cache.glob("*.npz")    # the cache's metadata keeps the seed and the sampler
    meta = json.loads(str(np.load(saved)["meta"]))
    assert (meta["seed"], meta["sampler_used"], meta["config"]["random_seed"]) == (
        first["seed"], "nutpie", None)
    assert first["profile"] == {"file": "me.toml", "sha256": sha256(profile), "of": "file"}
    diary.write_text("".join(lines))                           # one more night
    later = analyze(diary, **run).provenance
    assert later["seed"] == first["seed"] and later["diary"]["sha256"] == sha256(diary)
    assert later["method"] in {"psis", "nuts"}
    assert (later["posterior"] == "psis") == (later["method"] == "psis")
    if later["method"] == "psis":                # reweighted from the fit of one night fewer
        assert later["full_fit_nights"] == first["full_fit_nights"]
        assert 0 <= later["pareto_k"] <= 0.7


def _stub_population(seed=7):
    return types.SimpleNamespace(random_seed=seed, draws=100, tune=50, chains=2,
                                 person_fit="nuts",
                                 to_json=lambda: {"schema_version": 2, "effects": []})


def test_an_edited_prior_changes_the_fingerprint_the_json_gives(priors_copy):
    """Auditor F6: the JSON's ``priors`` entry was the same after a prior was edited (the
    analyze JSON gives the same fingerprint: the test of its provenance above)."""
    def fingerprint():
        payload = population_json(_stub_population(), [], load_priors(priors_copy), False)
        return payload["provenance"]["priors"]

    before = fingerprint()
    taurate = priors_copy / "forms" / "taurate.toml"
    text = taurate.read_text()
    assert "\neffect = -0.35\n" in text
    taurate.write_text(text.replace("\neffect = -0.35\n", "\neffect = -0.7\n", 1))
    after = fingerprint()
    assert before["fingerprint"] != after["fingerprint"]
    assert before["bundled"] is after["bundled"] is False


def test_the_population_json_has_its_level_and_provenance(tmp_path, priors):
    diaries = []
    for name in ("a.csv", "b.csv"):
        (tmp_path / name).write_text(f"date,sol_min\n2026-01-01,{len(name)}\n")
        diaries.append(types.SimpleNamespace(source=str(tmp_path / name)))
    payload = population_json(_stub_population(), diaries, priors, seed_drawn=False)
    assert (payload["schema_version"], payload["interval"]) == (4, 0.95)
    record = payload["provenance"]
    assert (record["seed"], record["draws"], record["person_fit"]) == (7, 100, "nuts")
    assert [d["file"] for d in record["diaries"]] == ["a.csv", "b.csv"]
    assert record["diaries"][0]["sha256"] == sha256(tmp_path / "a.csv")
    assert record["priors"]["bundled"] is True and str(tmp_path) not in json.dumps(record)


@pytest.mark.fit
def test_nof1_states_its_level_draws_a_seed_and_names_its_sampler(tmp_path, capsys):
    rng = np.random.default_rng(0)
    data = tmp_path / "trial.csv"
    data.write_text("day,treat,y\n" + "".join(
        f"{day},{'AB'[day // 5 % 2]},{rng.normal(1.0 * (day // 5 % 2)):.3f}\n"
        for day in range(40)))
    args = ["nof1", str(data), "--outcome", "y", "--treatment", "treat", "--baseline", "A",
            "--draws", "150", "--tune", "150", "--chains", "2"]
    out = tmp_path / "a.json"
    code = main([*args, "--json", str(out)])   # 1: a drawn seed's short fit failed its checks
    assert code in {0, 1}
    payload = json.loads(out.read_text())
    record = payload["provenance"]
    assert (payload["schema_version"], payload["interval"]) == (3, 0.95)
    assert record["seed_drawn"] is True and record["sampler"] == "nutpie"
    assert record["data"] == {"file": "trial.csv", "sha256": sha256(data), "of": "file"}
    assert main([*args, "--seed", str(record["seed"])]) == code
    text = capsys.readouterr().out
    assert "95% equal-tailed intervals" in text
    assert f"Fit: NUTS (nutpie), 2 chains x 150 draws after 150 tuning steps, seed " \
           f"{record['seed']}" in text
    again = tmp_path / "b.json"
    assert main([*args, "--seed", str(record["seed"]), "--json", str(again)]) == code
    assert json.loads(again.read_text())["effects"] == payload["effects"]
