"""The inference layer's shared pieces: sampler settings, Laplace, effects summary, trust rule."""

import numpy as np
import pytest
import xarray as xr
from scipy import stats

from model.core.errors import MgsleepError
from model.core.outcomes import SPECS
from model.inference.laplace import hessian, laplace
from model.inference.psis import (
    psis,
    resample_draws,
    resample_index,
    resample_posterior,
    reweight,
    trusted,
)
from model.inference.sampling import SamplerConfig
from model.inference.summary import effects_table, flatten_draws


def test_sampler_config_is_frozen_and_changes_tune_by_copy():
    config = SamplerConfig(draws=300, chains=3, seed=4)
    warm = config.with_tune(250)
    assert (warm.tune, config.tune, warm.draws, warm.seed) == (250, 1000, 300, 4)
    assert config.cores == 2 and SamplerConfig(chains=1).cores == 1
    with pytest.raises(AttributeError):
        config.draws = 10


def test_pymcs_progress_goes_to_standard_error_not_to_the_json(capsys, monkeypatch):
    """``analyze --json - --sampler pymc`` (and ``nof1``) wrote PyMC's progress table before
    the JSON on standard output whenever standard error was a terminal (an outside audit)."""
    import pymc as pm

    from model.inference import sampling
    from model.inference.sampling import run_nuts

    monkeypatch.setattr(sampling, "show_progress", lambda stream=None: True)  # a terminal

    with pm.Model() as tiny:
        pm.Normal("x")
    run_nuts(tiny, SamplerConfig(draws=20, tune=20, chains=1, sampler="pymc", seed=1,
                                 progressbar=True))
    captured = capsys.readouterr()
    assert captured.out == "" and "Draw" in captured.err


def test_laplace_is_exact_for_a_normal_density():
    mean = np.array([1.0, -2.0])
    cov = np.array([[2.0, 0.6], [0.6, 0.5]])
    precision = np.linalg.inv(cov)

    def log_density(x):
        d = x - mean
        return -0.5 * d @ precision @ d, -precision @ d

    fit = laplace(log_density, np.zeros(2))
    np.testing.assert_allclose(fit.mode, mean, atol=1e-5)
    np.testing.assert_allclose(fit.covariance, cov, rtol=1e-5)
    assert fit.log_density == pytest.approx(0.0, abs=1e-9)
    assert fit.curved().all()
    np.testing.assert_allclose(hessian(lambda x: -log_density(x)[1], mean), precision,
                               rtol=1e-6)


def test_laplace_flags_a_coordinate_without_positive_curvature():
    # a saddle: the search never moves along x1 (zero gradient there), which curves upward
    def log_density(x):
        return -0.5 * x[0] ** 2 + 0.5 * x[1] ** 2, np.array([-x[0], x[1]])

    fit = laplace(log_density, np.array([0.3, 0.0]))
    np.testing.assert_allclose(fit.mode, 0.0, atol=1e-6)
    assert fit.curved().tolist() == [True, False]


def test_laplace_refuses_a_density_without_a_finite_mode():
    with pytest.raises(MgsleepError, match=r"diary\.csv: the Laplace fit did not find"):
        laplace(lambda x: (np.inf, np.zeros_like(x)), np.zeros(1), label="diary.csv")


def test_effects_table_signs_benefit_by_the_better_direction():
    rng = np.random.default_rng(0)
    draws = rng.normal([[0.5, 0.5]], 0.1, size=(4000, 1, 2))  # one form, sol and quality
    effects = xr.DataArray(draws, dims=("sample", "form", "outcome"),
                           coords={"form": ["glycinate"], "outcome": ["sol", "quality"]})
    table = effects_table(effects.transpose("outcome", "sample", "form")).set_index("outcome")
    assert list(table.columns) == ["form", "scale", "mean", "sd", "ci_low", "ci_high",
                                   "p_benefit"]
    assert table.loc["sol", "p_benefit"] == 0.0  # lower sol is better
    assert table.loc["quality", "p_benefit"] == 1.0
    assert table.loc["sol", "scale"] == SPECS["sol"].scale
    assert table.loc["sol", "ci_low"] < 0.5 < table.loc["sol", "ci_high"]


def test_flatten_and_resample_keep_chain_major_order():
    values = np.arange(2 * 3 * 2, dtype=float).reshape(2, 3, 2)
    posterior = xr.Dataset({"x": (("chain", "draw", "k"), values)})
    flat = flatten_draws(xr.DataTree.from_dict({"posterior": posterior}))
    np.testing.assert_array_equal(flat["x"], values.reshape(6, 2))
    index = np.array([5, 5, 0, 1, 2, 3])
    np.testing.assert_array_equal(resample_draws(flat, index)["x"], values.reshape(6, 2)[index])
    moved = resample_posterior(posterior, index)
    np.testing.assert_array_equal(moved["x"].values.reshape(6, 2), values.reshape(6, 2)[index])


def test_one_trust_rule_needs_a_small_k_and_enough_effective_draws():
    draws = np.random.default_rng(0).normal(0.0, 1.0, 4000)
    close = stats.norm(0.1, 1).logpdf(draws) - stats.norm(0, 1).logpdf(draws)
    assert trusted(reweight(close, 4000.0), 4000.0)
    # the same weights from draws with little MCMC information fail the ESS rule
    assert not trusted(reweight(close, 300.0), 300.0)
    wide = stats.norm(0, 3).logpdf(draws) - stats.norm(0, 1).logpdf(draws)
    assert not trusted(psis(wide), 4000.0)
    index = resample_index(reweight(close, 4000.0), seed=1)
    assert index.size == 4000 and np.all(np.diff(index) >= 0)


def test_a_run_cut_short_is_an_interruption_not_a_fit():
    """PyMC catches Ctrl-C and returns the draws so far: a fit cut short was cached and
    reused as whole, and analyze exited 0 (an outside audit)."""
    from model.inference.sampling import whole_run

    def tree(chains, draws):
        posterior = xr.Dataset({"x": (("chain", "draw"), np.zeros((chains, draws)))})
        return xr.DataTree.from_dict({"posterior": posterior})

    config = SamplerConfig(draws=20, chains=2)
    assert whole_run(tree(2, 20), config)["posterior"].sizes["draw"] == 20
    for short in (tree(1, 20), tree(2, 11)):
        with pytest.raises(KeyboardInterrupt):
            whole_run(short, config)
