"""nutpie's settings reach the sampler (an extended run's too), a compilation says so on
standard error, and Ctrl-C stops sampling."""

import dataclasses
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from test_compile_cache import small_model

from model.inference.cache_key import graph_key
from model.inference.compile_cache import COMPILING, compile_nutpie, manifest_dir
from model.inference.nutpie_run import (
    ADAPTATION,
    MAX_DEPTH,
    UPDATE_FREQ,
    nuts_settings,
    sample_nutpie,
)
from model.inference.sampling import SamplerConfig

pytest.importorskip("nutpie")
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def model():
    return small_model(np.random.default_rng(5).normal(0.5, 1.0, 20), prior_sd=2.5)


def test_a_compilation_is_announced_once(model, capsys):
    """Without a manifest the model compiles and says so; the next compile loads quietly."""
    (manifest_dir() / f"{graph_key(model)}.json").unlink(missing_ok=True)
    compile_nutpie(model)
    assert COMPILING in capsys.readouterr().err
    compile_nutpie(model)
    assert COMPILING not in capsys.readouterr().err


@pytest.mark.parametrize("adaptation", [None, "diag"])
def test_the_mass_matrix_adaptation_reaches_nutpie(model, adaptation):
    compiled = compile_nutpie(model)
    extra = {} if adaptation is None else {"adaptation": adaptation}
    trace = sample_nutpie(compiled, data={}, draws=20, tune=30, chains=1, cores=1, seed=2,
                          target_accept=0.9, progressbar=False, **extra)
    settings = json.loads(trace["sample_stats"].attrs["inference_library_settings"])
    assert settings["adaptation"] == (adaptation or ADAPTATION)
    assert settings["settings"]["num_tune"] == 30
    assert trace["posterior"].sizes["draw"] == 20


def test_the_settings_are_nutpies_own_but_for_the_low_rank_update_frequency(model):
    """``nuts_settings`` rebuilds what ``nutpie.sample`` makes; only ``update_freq`` differs."""
    import nutpie

    compiled = compile_nutpie(model)
    common = {"draws": 20, "tune": 30, "chains": 2, "seed": 3, "target_accept": 0.9}
    for adaptation in ("low_rank", "diag"):
        theirs = nutpie.sample(compiled, cores=1, progress_bar=False, adaptation=adaptation,
                               maxdepth=MAX_DEPTH, store_unconstrained=True, **common)
        ours = sample_nutpie(compiled, data={}, cores=1, progressbar=False,
                             adaptation=adaptation, **common)
        made, used = (json.loads(trace["sample_stats"].attrs["inference_library_settings"])
                      for trace in (theirs, ours))
        if adaptation == "low_rank":
            options = used["settings"]["adapt_options"]
            assert options["mass_matrix_update_freq"] == UPDATE_FREQ != 20
            options["mass_matrix_update_freq"] = 20         # nutpie's default
        assert used == made
        if adaptation == "diag":   # the same settings and seed: the same draws, nutpie's run
            assert np.array_equal(theirs["posterior"]["a"], ours["posterior"]["a"])


def test_an_unknown_adaptation_is_refused():
    with pytest.raises(ValueError, match="unknown nutpie adaptation 'flow'"):
        nuts_settings(draws=10, tune=10, chains=1, seed=1, target_accept=0.8, adaptation="flow")


def test_the_tree_depth_reaches_nutpie_and_bounds_the_steps(model):
    compiled = compile_nutpie(model)
    trace = sample_nutpie(compiled, data={}, draws=50, tune=30, chains=1, cores=1, seed=2,
                          target_accept=0.99, progressbar=False, maxdepth=1)
    settings = json.loads(trace["sample_stats"].attrs["inference_library_settings"])
    assert settings["settings"]["maxdepth"] == 1
    assert int(trace["sample_stats"]["n_steps"].max()) == 1   # 2**1 - 1 leapfrog steps
    default = sample_nutpie(compiled, data={}, draws=50, tune=30, chains=1, cores=1, seed=2,
                            target_accept=0.99, progressbar=False)
    assert int(default["sample_stats"]["n_steps"].max()) > 1


def test_an_extended_run_doubles_the_draws_with_smaller_steps_and_keeps_the_rest():
    from model.inference.sampling import EXTENDED_TARGET_ACCEPT

    first = SamplerConfig(draws=300, tune=200, chains=3, seed=7)
    longer = first.extended()
    assert (longer.draws, longer.target_accept) == (600, EXTENDED_TARGET_ACCEPT)
    assert longer.target_accept > first.target_accept
    assert dataclasses.replace(longer, draws=300, target_accept=first.target_accept) == first


def test_ctrl_c_while_sampling_stops_the_fit_instead_of_returning_part_of_it(tmp_path):
    """nutpie's blocking call returned the draws so far, which a fit then checked, extended
    and kept (an interrupted analysis said "diagnostics ok" and was cached)."""
    script = tmp_path / "interrupt.py"
    script.write_text(textwrap.dedent(f"""
        import os, signal, sys, threading
        import numpy as np
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from test_compile_cache import small_model
        from model.inference.compile_cache import compile_nutpie
        from model.inference.nutpie_run import sample_nutpie
        compiled = compile_nutpie(small_model(np.random.default_rng(5).normal(0.5, 1.0, 20)))
        # a process started in the background (CI) inherits SIGINT ignored: Ctrl-C as on a
        # terminal, whatever the parent did
        signal.signal(signal.SIGINT, signal.default_int_handler)
        threading.Timer(1.0, os.kill, (os.getpid(), signal.SIGINT)).start()
        try:
            trace = sample_nutpie(compiled, data={{}}, draws=10**7, tune=100, chains=1, cores=1,
                                  seed=1, target_accept=0.9, progressbar=False)
        except KeyboardInterrupt:
            print("raised")
        else:
            print("returned", trace["posterior"].sizes["draw"])
    """))
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=300, env=os.environ | {"PYTHONPATH": str(ROOT)})
    assert done.stdout.strip() == "raised", done.stdout + done.stderr
