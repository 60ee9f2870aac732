"""The disk-cached nutpie compilation: same density as PyMC, reused by a fresh process."""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pymc as pm
import pytensor.tensor as pt
import pytest

from model.inference import density
from model.inference.cache_key import graph_key
from model.inference.compile_cache import compile_nutpie, manifest_dir
from model.inference.density import graph_density, log_density
from model.inference.sampling import CompiledGraph

pytest.importorskip("nutpie")


def small_model(y: np.ndarray, prior_sd: float = 2.0, n_b: int = 2) -> pm.Model:
    """A regression with shared data, a transformed parameter and a deterministic."""
    with pm.Model() as m:
        x = pm.Data("x", np.linspace(-1, 1, len(y)))
        obs = pm.Data("obs", y)
        a = pm.Normal("a", 0.0, prior_sd)
        b = pm.Normal("b", 0.0, 1.0, shape=n_b)
        sigma = pm.HalfNormal("sigma", 1.0)
        pm.Deterministic("slope_ratio", b[0] / (1 + b[1] ** 2))
        pm.Normal("y", a + b[0] * x + b[1] * x**2, sigma, observed=obs)
    return m


def pymc_logp(m: pm.Model, point: np.ndarray) -> float:
    """PyMC's own log density at an unconstrained point (free variables in model order)."""
    names = [m.rvs_to_values[rv].name for rv in m.free_RVs]
    ip = m.initial_point()
    values, start = {}, 0
    for name in names:
        size = int(np.prod(ip[name].shape))
        values[name] = point[start:start + size].reshape(ip[name].shape)
        start += size
    return float(m.compile_logp()(values))


@pytest.fixture(scope="module")
def compiled():
    rng = np.random.default_rng(0)
    m = small_model(rng.normal(1.0, 0.5, 30))
    return m, compile_nutpie(m)


def test_density_matches_pymc_and_follows_new_data(compiled):
    m, c = compiled
    points = np.random.default_rng(1).normal(size=(5, c.n_dim))
    ours = log_density(c, points)
    np.testing.assert_allclose(ours, [pymc_logp(m, p) for p in points], rtol=1e-9)

    new_y = np.full(30, -3.0)
    moved = log_density(c.with_data(obs=new_y), points)
    with m:
        pm.set_data({"obs": new_y})
    try:
        np.testing.assert_allclose(moved, [pymc_logp(m, p) for p in points], rtol=1e-9)
    finally:
        with m:
            pm.set_data({"obs": c.shared_data[c.shared_var_keys[m["obs"]]]})
    assert not np.allclose(moved, ours)


def test_sampling_recovers_the_data_mean(compiled):
    import nutpie

    _, c = compiled
    y = np.random.default_rng(2).normal(4.0, 0.3, 30)
    trace = nutpie.sample(c.with_data(obs=y), draws=300, tune=300, chains=2, cores=1, seed=3,
                          progress_bar=False)
    fitted = (trace.posterior["a"] + trace.posterior["b"].sel(b_dim_0=1) / 3).mean()
    assert abs(float(fitted) - y.mean()) < 0.15
    assert "slope_ratio" in trace.posterior


def test_key_ignores_data_but_not_the_graph():
    """Data (values and lengths) are inputs of the compiled code; constants and shapes not."""
    y = np.zeros(30)
    base = graph_key(small_model(y))
    assert graph_key(small_model(y + 1.0)) == base
    assert graph_key(small_model(np.zeros(31))) == base
    assert graph_key(small_model(y, prior_sd=3.0)) != base
    assert graph_key(small_model(y, n_b=3)) != base


def test_key_follows_the_sizes_of_parameters_and_deterministics():
    """A dim's length or a data length that a Deterministic spans is absent from the graph's
    text (a shared variable), yet sets ``n_dim`` or ``n_expanded``."""

    def by_dims(levels: list[str], n: int, fitted: bool = False) -> pm.Model:
        with pm.Model(coords={"level": levels}) as m:
            x = pm.Data("x", np.eye(len(levels))[np.arange(n) % len(levels)])
            effect = pm.Normal("effect", 0.0, 1.0, dims="level")
            pm.Deterministic("shifted", effect + 1.0, dims="level")
            if fitted:
                pm.Deterministic("fitted", pt.dot(x, effect))
            pm.Normal("y", pt.dot(x, effect), 1.0, observed=pm.Data("obs", np.zeros(n)))
        return m

    base = graph_key(by_dims(["a", "b"], 10))
    assert graph_key(by_dims(["c", "d"], 12)) == base      # labels and data lengths are not
    assert graph_key(by_dims(["a", "b", "c"], 10)) != base
    assert graph_key(by_dims(["a", "b"], 10, fitted=True)) != graph_key(
        by_dims(["a", "b"], 12, fitted=True))


FRESH_START = textwrap.dedent(f"""
    import json, sys
    import numpy as np
    sys.path.insert(0, {str(Path(__file__).parent)!r})
    from test_compile_cache import small_model
    from model.inference.cache_key import graph_key
    from model.inference.compile_cache import assemble, compile_nutpie, manifest_dir
    from model.inference.density import log_density
    m = small_model(np.random.default_rng(0).normal(1.0, 0.5, 30))
    manifest = manifest_dir() / f"{{graph_key(m)}}.json"
""")
"""The start of a fresh process's script: the small model and where its manifest goes."""


@pytest.fixture(scope="module")
def fresh_compile(tmp_path_factory):
    """A process that compiled the small model into a compile folder of its own.

    Nothing another test process compiles or loads at the same time (``pytest -n 2``) is
    involved; its temporary folder is its own too. Returns its environment and both folders.
    """
    folder, temporary = tmp_path_factory.mktemp("compiled"), tmp_path_factory.mktemp("tmp")
    env = os.environ | {"PYTENSOR_FLAGS": f"base_compiledir={folder}", "TMPDIR": str(temporary)}
    compiling = subprocess.run(
        [sys.executable, "-c", FRESH_START + "compile_nutpie(m)\nprint(manifest.exists())\n"],
        capture_output=True, text=True, check=False, env=env)
    assert compiling.stdout.split()[-1:] == ["True"], compiling.stderr[-2000:]
    return env, folder, temporary


def test_a_fresh_process_loads_the_callbacks_without_compiling(compiled, fresh_compile):
    """With no numba dispatcher to compile from, only the disk cache can supply callbacks.

    One process compiled into its own compile folder (:func:`fresh_compile`), a second loads
    from it. The loading process logs numba's cache lookups for the failure message.
    """
    _, c = compiled
    env, _, _ = fresh_compile
    point = np.random.default_rng(4).normal(size=c.n_dim)
    load_it = FRESH_START + (f"c = assemble(m, json.loads(manifest.read_text()), None)\n"
                             f"print(log_density(c, np.array({point.tolist()!r}))[0])\n")
    loading = subprocess.run([sys.executable, "-c", load_it], capture_output=True, text=True,
                             check=False, env=env | {"NUMBA_DEBUG_CACHE": "1"})
    assert loading.returncode == 0, (loading.stdout[-3000:], loading.stderr[-2000:])
    assert float(loading.stdout.split()[-1]) == pytest.approx(log_density(c, point)[0],
                                                              rel=1e-12)


def test_a_compilation_leaves_no_generated_source_in_the_temporary_folder(fresh_compile):
    """PyTensor's default is a new file per compiled op in the temporary folder, never removed
    (some 14,000 on the 2-core machine after a few days of tests); they go to the compile
    folder, named by their content, which PyTensor prunes."""
    _, folder, temporary = fresh_compile
    assert not list(temporary.iterdir())
    assert list((folder / "generated_src").glob("*.py"))


def test_a_corrupt_manifest_is_rebuilt(compiled):
    m, c = compiled
    manifest = manifest_dir() / f"{graph_key(m)}.json"
    manifest.write_text(json.dumps({"n_dim": 1}))
    again = compile_nutpie(m)
    point = np.zeros((1, c.n_dim))
    assert log_density(again, point)[0] == pytest.approx(log_density(c, point)[0])
    assert json.loads(manifest.read_text())["n_dim"] == c.n_dim


def test_the_personal_graph_key_ignores_diary_length_and_changes():
    """Every diary reuses one compiled personal graph: its key does not see the data sizes."""
    from model.personal.graph import build_graph

    assert graph_key(build_graph(60, 16)) == graph_key(build_graph(14, 1)) \
        == graph_key(build_graph(365, 40))


def test_the_warm_up_leaves_a_cache_that_diaries_of_other_lengths_reuse():
    """After ``python -m model.personal.warmup``, a new process fits two diaries of other
    lengths without compiling (nothing announced) and with the same compiled callbacks."""
    from model.inference.compile_cache import COMPILING
    from model.personal.warmup import warm_up

    first = warm_up()
    assert first.draws == 20
    script = textwrap.dedent("""
        import numpy as np
        import pandas as pd
        from model.data.diary import read_diary
        from model.inference.sampling import SamplerConfig, run_nuts
        from model.personal.fit import PersonalModel
        from model.personal.sampler import GRAPHS
        from model.personal.warmup import warm_diary, warm_up
        assert not warm_up().compiled
        later = warm_diary().assign(date=pd.date_range("2026-02-01", periods=14)
                                    .strftime("%Y-%m-%d"))
        for frame in (warm_diary().iloc[:10], pd.concat([warm_diary(), later])):
            data = PersonalModel().graph_data(read_diary(frame))
            fit = run_nuts(GRAPHS, SamplerConfig("nutpie", draws=10, tune=10, chains=1,
                                                 seed=1), data=data)
            assert np.isfinite(fit["posterior"]["theta"].values).all()
            print(len(frame))
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split() == ["10", "28"]
    assert COMPILING not in done.stderr


def test_graph_density_is_one_density_with_or_without_nutpie(monkeypatch):
    """The Laplace fits' density (nutpie's callback) is PyMC's, laid out as the graph lists it."""
    rng = np.random.default_rng(2)
    graph = CompiledGraph(lambda: small_model(rng.normal(1.0, 0.5, 30)))
    data = {"obs": np.full(30, -2.0), "x": np.linspace(0, 1, 30)}   # not the graph's own
    ours = graph_density(graph, data)
    monkeypatch.setattr(density, "default_sampler", lambda: "pymc")
    theirs = graph_density(graph, data)
    assert ours.slices == theirs.slices == {"a": slice(0, 1), "b": slice(1, 3),
                                            "sigma_log__": slice(3, 4)}
    np.testing.assert_array_equal(ours.start, theirs.start)
    step = 1e-6
    for x in rng.normal(size=(4, ours.start.size)):
        value, gradient = ours.evaluate(x)
        expected, expected_gradient = theirs.evaluate(x)
        assert value == pytest.approx(expected, rel=1e-9)
        np.testing.assert_allclose(gradient, expected_gradient, rtol=1e-7)
        central = [(ours.evaluate(x + step * e)[0] - ours.evaluate(x - step * e)[0]) / (2 * step)
                   for e in np.eye(x.size)]
        np.testing.assert_allclose(gradient, central, rtol=1e-5, atol=1e-6)
