"""The analysis cache: a diary that gained nights is updated, anything else is refitted."""

import contextlib
import json
import re
import shutil

import numpy as np
import pytest

from model.analysis.fit_cache import CacheWarning, default_cache_dir, fit_with_cache, later_nights
from model.core.errors import MgsleepError
from model.data.diary import read_diary
from model.evidence.priorset import load_priors
from model.simulate.personas import simulate_diary

pytestmark = pytest.mark.fit
CONFIG = {"draws": 600, "tune": 300, "chains": 4, "random_seed": 3,
          "gut_sensitivity": "none"}


@pytest.fixture(scope="module")
def frames():
    full = simulate_diary("responder", 64, seed=11)
    return full.iloc[:60], full


@pytest.fixture(scope="module")
def first_fit(frames, tmp_path_factory):
    """The 60-night diary fitted once into a cache directory (copied by each test)."""
    directory = tmp_path_factory.mktemp("first-fit")
    fit, how = fit_with_cache(read_diary(frames[0]), load_priors(), CONFIG, directory)
    assert how == "fit" and fit.diagnostics_.ok and len(list(directory.glob("*.npz"))) == 1
    return directory, fit


def test_later_nights_are_the_appended_ones_only(frames):
    short, full = (read_diary(f) for f in frames)
    added = later_nights(short, full)
    assert added is not None and len(added.nights) == len(full.nights) - len(short.nights)
    assert later_nights(full, full).nights.empty
    edited = frames[1].copy()
    edited.loc[edited.index[10], "sol_min"] = 600
    assert later_nights(short, read_diary(edited)) is None          # an earlier night changed
    assert later_nights(full, short) is None                          # nights were removed


def test_a_diary_that_gained_nights_is_updated_not_refitted(first_fit, frames, tmp_path,
                                                           monkeypatch):
    monkeypatch.setenv("MGSLEEP_CACHE", str(tmp_path / "c"))
    assert default_cache_dir() == tmp_path / "c"
    priors = load_priors()
    short, full = (read_diary(f) for f in frames)
    directory, first = first_fit                       # one file, written by a fit
    shutil.copytree(directory, tmp_path, dirs_exist_ok=True)
    again, how = fit_with_cache(short, priors, CONFIG, tmp_path)
    assert how == "cached"
    np.testing.assert_allclose(again.draws_["theta"], first.draws_["theta"])
    grown, how = fit_with_cache(full, priors, CONFIG, tmp_path)
    assert how in ("psis", "nuts") and grown.diary_.n_recorded == full.n_recorded
    # the cached fit was refreshed: the same diary again costs nothing
    assert fit_with_cache(full, priors, CONFIG, tmp_path)[1] == "cached"
    # other MCMC settings are another cache entry
    assert fit_with_cache(full, priors, CONFIG | {"random_seed": 4}, tmp_path)[1] == "fit"


def test_a_corrupt_cache_file_is_ignored_with_a_warning(first_fit, frames, tmp_path):
    priors = load_priors()
    short = read_diary(frames[0])
    shutil.copytree(first_fit[0], tmp_path, dirs_exist_ok=True)
    (cached,) = tmp_path.glob("*.npz")
    cached.write_bytes(b"not a netCDF file")
    with pytest.warns(CacheWarning, match="ignored the cached fit"):
        _, how = fit_with_cache(short, priors, CONFIG, tmp_path)
    assert how == "fit"
    assert fit_with_cache(short, priors, CONFIG, tmp_path)[1] == "cached"   # rewritten


def test_the_command_updates_the_cached_fit_when_a_night_is_added(frames, tmp_path, capsys):
    from model.cli.main import main

    short, full = frames
    diary, cache = tmp_path / "diary.csv", tmp_path / "cache"
    options = ["--cache", str(cache), "--draws", "600", "--chains", "4", "--seed", "1",
               "--json", str(tmp_path / "out.json")]
    short.to_csv(diary, index=False)
    assert main(["analyze", str(diary), *options]) == 0
    assert "mgsleep: fitted in" in capsys.readouterr().err
    full.to_csv(diary, index=False)                       # four more nights written down
    assert main(["analyze", str(diary), *options]) == 0
    err = capsys.readouterr().err
    assert "updated the cached fit" in err or "refitted from the cached fit" in err
    # a cache that cannot be read is named as the diary's warnings are, and in the JSON
    for cached in cache.rglob("*.npz"):
        cached.write_bytes(b"not a fit")
    assert main(["analyze", str(diary), *options]) == 0
    assert "mgsleep analyze: warning: ignored the cached fit" in capsys.readouterr().err
    warned = json.loads((tmp_path / "out.json").read_text())["warnings"]
    assert any(w.startswith("ignored the cached fit") for w in warned)


# -- the cached path: numpy reweighting, no PyMC, no Dask arrays -----------------------------
NO_PYMC = """
import json, sys
from model.cli.main import main
code = main(sys.argv[1:])
loaded = [m for m in ("pymc", "pytensor", "nutpie", "dask.array") if m in sys.modules]
print(json.dumps({"code": code, "loaded": loaded}))
"""


def test_the_numpy_log_ratio_is_the_compiled_graphs(first_fit, frames):
    from model.testing import graph_log_ratio

    _, fit = first_fit
    ours, expected = graph_log_ratio(fit, fit.graph_data(read_diary(frames[1])))
    assert np.ptp(expected) > 1.0                          # four nights do move the weights
    np.testing.assert_allclose(ours, expected, atol=1e-6)


def test_the_cached_update_is_the_in_process_update(first_fit, frames, tmp_path):
    import copy

    from model.analysis.pipeline import checked_decision
    from model.data.profile import load_profile

    directory, fit = first_fit
    shutil.copytree(directory, tmp_path, dirs_exist_ok=True)
    # one appended night: the reweighting is trusted whatever the first fit's draws (a cold
    # compile cache gives other draws than a warm one with the same seed, README)
    priors, full = load_priors(), read_diary(frames[1].iloc[:61])
    cached, how = fit_with_cache(full, priors, CONFIG, tmp_path)   # read from the file
    in_process = copy.deepcopy(fit).update(later_nights(fit.diary_, full))
    assert how == "psis" and in_process.method_ == "psis"
    np.testing.assert_array_equal(cached.draws_["theta"], in_process.draws_["theta"])
    assert cached.diagnostics_ == in_process.diagnostics_
    day = full.nights.index.max().date()
    profile = load_profile(None, safety=priors.safety)
    decisions = [checked_decision(f, priors, profile, full, day, 3).recommendation
                 for f in (cached, in_process)]
    assert decisions[0].action == decisions[1].action
    assert decisions[0].regimen == decisions[1].regimen


def test_a_reweighted_fit_moves_its_nuts_draws_to_another_prior_in_one_step(first_fit, frames):
    import copy

    from model.analysis import sensitivity
    from model.core.forms import FORMS
    from model.core.outcomes import OUTCOMES

    _, fit = first_fit
    grown = read_diary(frames[1].iloc[:61])
    updated = copy.deepcopy(fit).update(later_nights(fit.diary_, grown))
    assert updated.method_ == "psis"
    assert sensitivity._from_nuts(fit, fit.priors_.sceptical(0.5), 3) is None    # a NUTS fit
    # under the fitted priors, the one step is the update itself: the same draws
    same = sensitivity._from_nuts(updated, updated.priors_, CONFIG["random_seed"])
    assert same is not None
    np.testing.assert_array_equal(same.draws["theta"][same.index], updated.draws_["theta"])
    # a sceptical prior (means x 0.7, mild enough for both reweightings to be trusted) moves
    # the sleep-onset prior means towards no effect: the forms never taken (prior means
    # about -0.22) move up, as the two-step reweighting (of the updated draws) has it
    alt = updated.priors_.sceptical(0.7)
    one = sensitivity._from_nuts(updated, alt, 3)
    fitted = sensitivity._log_prior(updated.draws_, updated.priors_, updated.gut_sensitivity)
    two = sensitivity._reweighted(updated, alt, fitted, 3)
    assert one is not None and two is not None
    sol = OUTCOMES.index("sol")
    forms = [k for k, f in enumerate(FORMS) if f not in set(grown.nights["form"])
             and updated.priors_.means().values[k, sol] < -0.2]
    theta = updated.draws_["theta"][:, forms, sol]
    moved = one.draws["theta"][one.index][:, forms, sol].mean(axis=0)
    assert forms and np.all(moved > theta.mean(axis=0))
    np.testing.assert_array_less(np.abs(moved - theta[two].mean(axis=0)),
                                 0.3 * theta.std(axis=0))


def test_the_cached_command_imports_no_pymc(frames, tmp_path):
    """A diary that gained a night is re-analysed in a new process without PyMC (nor
    ``dask.array``, which xarray would import to ask whether an array is a Dask array), and
    so is the same diary again, its terminal summary naming the sampler of the cached fit.
    """
    import subprocess
    import sys

    from model.personal.fit import PersonalModel

    short, full = frames
    diary, cache = tmp_path / "diary.csv", tmp_path / "cache"
    options = ["--cache", str(cache), "--draws", "600", "--chains", "4", "--seed", "3"]

    def analyze(*output: str) -> subprocess.CompletedProcess[str]:
        # every analysis in a new process: the first fit's draws (and so whether one more
        # night can be reweighted) do not depend on what this test process sampled before
        return subprocess.run([sys.executable, "-c", NO_PYMC, "analyze", str(diary), *options,
                               *output], capture_output=True, text=True, check=True)

    short.to_csv(diary, index=False)
    first = analyze("--json", "-").stdout.strip().rsplit("\n", 1)[1]
    assert "pymc" in json.loads(first)["loaded"]                   # the first one fitted
    summary, report = analyze().stdout.strip().rsplit("\n", 1)    # no new night: reused
    assert json.loads(report) == {"code": 0, "loaded": []}
    assert re.search(r"Fit: reused the cached fit \(no new night\), NUTS \((nutpie|pymc)\);",
                     summary), summary
    full.iloc[: len(short) + 1].to_csv(diary, index=False)       # one more night
    run = analyze("--json", "-")
    result, report = run.stdout.strip().rsplit("\n", 1)
    assert json.loads(report) == {"code": 0, "loaded": []}, run.stderr
    assert json.loads(result)["nights"]["total"] == len(short) + 1
    (kept,) = cache.glob("*.npz")
    assert PersonalModel.load(kept).method_ == "psis"              # reweighted, not refitted


def test_an_untrusted_reweighting_refits(first_fit, frames, tmp_path, monkeypatch):
    from model.inference import psis

    directory, _ = first_fit
    shutil.copytree(directory, tmp_path, dirs_exist_ok=True)
    monkeypatch.setattr(psis, "K_MAX", -1.0)                    # no Pareto k is small enough
    fit, how = fit_with_cache(read_diary(frames[1]), load_priors(), CONFIG, tmp_path)
    assert how == "nuts" and fit.method_ == "nuts" and fit.reweighting_ is None
    assert fit.proposal_.diary.n_nights == len(frames[1])        # the refit is the new proposal


def test_foreign_and_old_cache_files_are_ignored_with_a_warning(first_fit, frames, tmp_path):
    directory, _ = first_fit
    shutil.copytree(directory, tmp_path, dirs_exist_ok=True)
    (cached,) = tmp_path.glob("*.npz")
    old = tmp_path / f"{0x0123abcd:032x}.nc"
    old.write_bytes(b"CDF\x01 an old fit")
    np.savez(cached, meta=np.array(json.dumps({"model": "someone.else"})))
    short = read_diary(frames[0])
    with pytest.warns(CacheWarning) as caught:
        _, how = fit_with_cache(short, load_priors(), CONFIG, tmp_path)
    messages = " ".join(str(w.message) for w in caught)
    assert how == "fit" and "not a mgsleep.PersonalModel" in messages
    assert "older file format" in messages and not old.exists()


def _with_format(path, version):
    """Rewrite the fit at ``path`` as if another format version had written it."""
    with np.load(path) as stored:
        arrays = {name: stored[name] for name in stored.files}
    meta = json.loads(str(arrays["meta"])) | {"format_version": version}
    np.savez(path, **arrays | {"meta": np.array(json.dumps(meta))})


def test_fits_of_an_older_format_are_removed_and_newer_or_foreign_ones_kept(first_fit, frames,
                                                                         tmp_path):
    from model.personal.store import FORMAT_VERSION, saved_format

    shutil.copytree(first_fit[0], tmp_path, dirs_exist_ok=True)
    (cached,) = tmp_path.glob("*.npz")
    assert saved_format(cached) == FORMAT_VERSION
    older, newer, foreign = (tmp_path / f"{key:032x}.npz" for key in (1, 2, 3))
    project = [tmp_path / "experiment.nc", tmp_path / "my_arrays.npz"]   # not mgsleep's
    for path in project:
        path.write_bytes(b"CDF\x01 someone's data")
    for path, version in ((older, FORMAT_VERSION - 1), (newer, FORMAT_VERSION + 1)):
        shutil.copy(cached, path)
        _with_format(path, version)
    np.savez(foreign, meta=np.array(json.dumps({"model": "someone.else"})))
    assert (saved_format(older), saved_format(foreign)) == (FORMAT_VERSION - 1, None)
    with pytest.warns(CacheWarning, match=r"removed 1 cached fit\(s\) of an older file format"):
        _, how = fit_with_cache(read_diary(frames[0]), load_priors(), CONFIG, tmp_path)
    assert how == "cached"
    assert not older.exists() and newer.exists() and foreign.exists() and cached.exists()
    assert all(path.exists() for path in project)   # a shared folder lost them (an audit)


def test_the_least_recently_used_fits_go_when_the_cache_is_full(first_fit, frames, tmp_path,
                                                                monkeypatch):
    import os

    from model.analysis.fit_cache import DEFAULT_LIMIT_MB, cache_limit_bytes

    shutil.copytree(first_fit[0], tmp_path, dirs_exist_ok=True)
    (cached,) = tmp_path.glob("*.npz")
    size = cached.stat().st_size
    others = [tmp_path / f"{k + 10:032x}.npz" for k in range(3)]
    mine = tmp_path / "my_arrays.npz"                # another program's: never trimmed
    shutil.copy(cached, mine)
    os.utime(mine, (1e9 - 5, 1e9 - 5))
    for age, path in enumerate(others):              # other0 the oldest, other2 the newest
        shutil.copy(cached, path)
        os.utime(path, (1e9 + age, 1e9 + age))
    os.utime(cached, (1e9 - 1, 1e9 - 1))              # older than all, but reused below
    monkeypatch.setenv("MGSLEEP_CACHE_LIMIT_MB", str(3.5 * size / 2**20))
    priors, short, full = load_priors(), read_diary(frames[0]), read_diary(frames[1])
    assert fit_with_cache(short, priors, CONFIG, tmp_path)[1] == "cached"    # a use
    assert len(list(tmp_path.glob("*.npz"))) == 5                     # nothing written
    assert fit_with_cache(full, priors, CONFIG, tmp_path)[1] in ("psis", "nuts")
    kept = {path.name for path in tmp_path.glob("*.npz")}
    assert kept == {cached.name, others[1].name, others[2].name, mine.name}  # the oldest went
    monkeypatch.setenv("MGSLEEP_CACHE_LIMIT_MB", "lots")
    with pytest.warns(CacheWarning, match="not a positive number"):
        assert cache_limit_bytes() == DEFAULT_LIMIT_MB * 2**20


@pytest.mark.parametrize(("draws", "relative_ess"), [(4000, 1.0), (4000, 0.3), (600, 0.5)])
def test_the_numpy_pareto_smoothing_is_arviz_stats(draws, relative_ess):
    from arviz_stats.base.array import array_stats

    from model.inference.psis import pareto_smooth

    for seed in range(4):
        log_ratio = np.random.default_rng(seed).standard_t(3, draws) * (1 + seed)
        expected, k_expected = array_stats.psislw(-log_ratio, r_eff=relative_ess)
        ours, k = pareto_smooth(log_ratio, relative_ess)
        assert k == pytest.approx(k_expected, abs=1e-12)
        np.testing.assert_allclose(ours, expected, atol=1e-12, rtol=0)


def test_saved_groups_flatten_as_the_fit_does(first_fit):
    from model.inference.summary import flatten_draws
    from model.personal.store import Groups

    _, fit = first_fit
    idata = fit.proposal_.idata
    groups = Groups.of(idata)
    ours, theirs = groups.draws(), flatten_draws(idata)
    assert ours.keys() == theirs.keys()
    for name, values in theirs.items():
        np.testing.assert_array_equal(ours[name], values)
    rebuilt = groups.tree()
    assert rebuilt["posterior"].to_dataset().equals(idata["posterior"].to_dataset())


def test_the_sensitivity_refits_are_kept_and_updated_too(frames, tmp_path, monkeypatch):
    from model.analysis import pipeline, sensitivity
    from model.personal.fit import PersonalModel

    monkeypatch.setattr(sensitivity, "_reweighted", lambda *args: None)   # refit every prior
    monkeypatch.setattr(sensitivity, "_from_nuts", lambda *args: None)
    full = frames[1].iloc[:42]     # 28 nights on glycinate: its period is over, a change open
    settings = {"draws": 600, "tune": 300, "chains": 4, "seed": 3, "cache": tmp_path}
    first = pipeline.analyze(full.iloc[:-1], **settings)
    assert not first.decision.period_sets_step
    assert [s.method for s in first.sensitivity] == ["refit"] * 3
    assert len(list(tmp_path.glob("*.npz"))) == 4          # the fit and the three refits
    again = pipeline.analyze(full, **settings)
    assert [s.method for s in again.sensitivity] == ["refit"] * 3
    priors = load_priors()
    kinds = (priors, *(sensitivity.alternative_prior(priors, name)
                       for name in sensitivity.SENSITIVITY_PRIORS))

    def method(path):
        for kind in kinds:
            with contextlib.suppress(MgsleepError):     # the file of another prior
                return PersonalModel.load(path, kind).method_
        return None

    assert sorted(method(p) for p in tmp_path.glob("*.npz")) == ["psis"] * 4   # no refit


def test_a_fit_under_other_safety_rules_is_not_reused(priors_copy):
    """``safety.toml``'s gut-sensitivity shifts enter the GI prior: a stricter one is another
    fit (a cached fit once ignored it), an unchanged copy is the same."""
    from model.personal.store import priors_fingerprint

    same = priors_fingerprint(load_priors(priors_copy))
    assert same == priors_fingerprint(load_priors())
    path = priors_copy / "safety.toml"
    path.write_text(path.read_text().replace("ibs = 0.9", "ibs = 3.0", 1))
    assert priors_fingerprint(load_priors(priors_copy)) != same


def test_a_fit_of_another_format_is_refused_when_loaded(first_fit, tmp_path):
    """A mutation audit: ``load_fit`` could read an older format's file as if it were current
    (the tests cleared such files from the cache but never loaded one)."""
    from model.personal.store import FORMAT_VERSION, load_fit

    shutil.copytree(first_fit[0], tmp_path, dirs_exist_ok=True)
    (cached,) = tmp_path.glob("*.npz")
    assert load_fit(cached, load_priors()).nuts_nights == 60
    for version in (FORMAT_VERSION - 1, FORMAT_VERSION + 1):
        _with_format(cached, version)
        with pytest.raises(MgsleepError, match="refit the diary"):
            load_fit(cached, load_priors())
