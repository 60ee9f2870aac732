"""The sleep-onset intercept sampled as its nights' level in noise SD units
(:mod:`model.likelihood.level`): the same model in other coordinates, without the funnel of a
diary of few nights (an outside audit's diagnosis, /tmp/w49/a)."""

import numpy as np
import pymc as pm
import pytensor.tensor as pt
import pytest
from scipy import stats

from model.likelihood.level import INTERCEPT_SD, level_intercept, level_z

ETA = np.array([0.3, -0.2, 0.5, 1.0])


def _level(sigma: float, w: np.ndarray, mu: float = 3.0) -> tuple[pm.Model, object]:
    with pm.Model() as model:
        intercept = level_intercept("sol", pt.as_tensor(mu), INTERCEPT_SD, pt.as_tensor(sigma),
                                    pt.as_tensor(ETA), pt.as_tensor(w))
    return model, intercept


def _function(model: pm.Model, out: object):
    """``z -> out`` (a graph of the model's variables)."""
    return model.compile_fn(model.replace_rvs_by_values([out])[0], inputs=model.value_vars,
                            point_fn=False)


@pytest.mark.parametrize("sigma", [0.05, 0.6, 3.0])
@pytest.mark.parametrize("w", [np.array([1.0, 1.0, 0.0, 0.5]), np.zeros(4)])
def test_the_level_carries_the_intercepts_normal_prior_whatever_the_sd(sigma, w):
    """Over ``z`` the graph's density is the intercept's Normal(mu, 1) moved by the map and
    its Jacobian: a proper density whose intercept has the prior's mean and SD (without the
    Jacobian ``sigma`` it integrates to ``1 / sigma``)."""
    model, intercept = _level(sigma, w)
    z = np.linspace(-20.0, 20.0, 8001) / min(sigma, 1.0)   # the intercept's +-20 SD or more
    logp = _function(model, model.logp())
    value = _function(model, intercept)
    density = np.exp([logp(v) for v in z])
    step = z[1] - z[0]
    assert density.sum() * step == pytest.approx(1.0, rel=1e-6)
    values = np.array([value(v) for v in z])
    mean = (values * density).sum() * step
    assert mean == pytest.approx(3.0, abs=1e-6)
    assert np.sqrt(((values - mean) ** 2 * density).sum() * step) == pytest.approx(
        INTERCEPT_SD, rel=1e-5)


def test_level_z_inverts_the_graphs_intercept():
    w = np.array([1.0, 0.0, 1.0, 1.0])
    for sigma in (0.1, 0.8):
        model, intercept = _level(sigma, w)
        value = _function(model, intercept)
        for z in (-1.5, 0.0, 2.0):
            got = level_z(np.array([value(z)]), 3.0, INTERCEPT_SD, np.array([sigma]),
                          ETA[None], w)
            assert got[0] == pytest.approx(z, abs=1e-12)
    # the level of the recorded nights is intercept_mu + sigma z, whatever eta
    assert value(0.0) + np.average(ETA, weights=w) == pytest.approx(3.0)


def test_the_personal_graph_samples_the_sleep_onset_level_not_its_intercept():
    from model.personal.graph import build_graph

    graph = build_graph(10, 1)
    names = [v.name for v in graph.value_vars]
    assert "sol_level_z" in names and "sol_intercept" not in names
    assert "sol_intercept" in graph.named_vars                      # a Deterministic
    assert {"awakenings_intercept", "gi_intercept"} <= set(names)   # sampled as they are


def test_the_density_at_a_point_is_the_intercepts_prior_with_the_jacobian():
    model, _ = _level(0.4, np.ones(4))
    logp = _function(model, model.logp())
    intercept = 3.0 + 0.4 * 0.7 - ETA.mean()
    assert logp(0.7) == pytest.approx(stats.norm.logpdf(intercept, 3.0, 1.0) + np.log(0.4))
