"""The analysis cache: a diary that gained nights is updated, anything else is refitted."""

import numpy as np
import pytest

from model.analysis.fit_cache import CacheWarning, default_cache_dir, fit_with_cache, later_nights
from model.data.diary import read_diary
from model.evidence.priorset import load_priors
from model.simulate.personas import simulate_diary

pytestmark = pytest.mark.fit
CONFIG = {"draws": 500, "tune": 400, "chains": 2, "random_seed": 3,
          "gut_sensitivity": "none"}


@pytest.fixture(scope="module")
def frames():
    full = simulate_diary("responder", 64, seed=11)
    return full.iloc[:60], full


def test_later_nights_are_the_appended_ones_only(frames):
    short, full = (read_diary(f) for f in frames)
    added = later_nights(short, full)
    assert added is not None and len(added.nights) == len(full.nights) - len(short.nights)
    assert later_nights(full, full).nights.empty
    edited = frames[1].copy()
    edited.loc[edited.index[10], "sol_min"] = 600
    assert later_nights(short, read_diary(edited)) is None          # an earlier night changed
    assert later_nights(full, short) is None                          # nights were removed


def test_a_diary_that_gained_nights_is_updated_not_refitted(frames, tmp_path, monkeypatch):
    monkeypatch.setenv("MGSLEEP_CACHE", str(tmp_path / "c"))
    assert default_cache_dir() == tmp_path / "c"
    priors = load_priors()
    short, full = (read_diary(f) for f in frames)
    first, how = fit_with_cache(short, priors, CONFIG, tmp_path)
    assert how == "fit" and len(list(tmp_path.glob("*.nc"))) == 1
    again, how = fit_with_cache(short, priors, CONFIG, tmp_path)
    assert how == "cached"
    np.testing.assert_allclose(again.draws_["theta"], first.draws_["theta"])
    grown, how = fit_with_cache(full, priors, CONFIG, tmp_path)
    assert how in ("psis", "nuts") and grown.diary_.n_recorded == full.n_recorded
    # the cached fit was refreshed: the same diary again costs nothing
    assert fit_with_cache(full, priors, CONFIG, tmp_path)[1] == "cached"
    # other MCMC settings are another cache entry
    assert fit_with_cache(full, priors, CONFIG | {"random_seed": 4}, tmp_path)[1] == "fit"


def test_a_corrupt_cache_file_is_ignored_with_a_warning(frames, tmp_path):
    priors = load_priors()
    short = read_diary(frames[0])
    fit_with_cache(short, priors, CONFIG, tmp_path)
    (cached,) = tmp_path.glob("*.nc")
    cached.write_bytes(b"not a netCDF file")
    with pytest.warns(CacheWarning, match="ignored the cached fit"):
        _, how = fit_with_cache(short, priors, CONFIG, tmp_path)
    assert how == "fit"
    assert fit_with_cache(short, priors, CONFIG, tmp_path)[1] == "cached"   # rewritten


def test_the_command_updates_the_cached_fit_when_a_night_is_added(frames, tmp_path, capsys):
    from model.cli.main import main

    short, full = frames
    diary, cache = tmp_path / "diary.csv", tmp_path / "cache"
    options = ["--cache", str(cache), "--draws", "300", "--chains", "2", "--seed", "1",
               "--json", str(tmp_path / "out.json")]
    short.to_csv(diary, index=False)
    assert main(["analyze", str(diary), *options]) == 0
    assert "mgsleep: fitted in" in capsys.readouterr().err
    full.to_csv(diary, index=False)                       # four more nights written down
    assert main(["analyze", str(diary), *options]) == 0
    err = capsys.readouterr().err
    assert "updated the cached fit" in err or "refitted from the cached fit" in err
