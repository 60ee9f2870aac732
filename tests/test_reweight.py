"""Pareto-smoothed importance reweighting: known answers and its own diagnostics."""

import numpy as np
from scipy import stats

from model.inference.psis import K_MAX, Reweighting, psis, systematic_resample, trusted


def test_weights_move_a_normal_posterior_to_the_known_target():
    draws = np.random.default_rng(0).normal(0.0, 1.0, 8000)
    target = stats.norm(0.3, 0.9)
    result = psis(target.logpdf(draws) - stats.norm(0, 1).logpdf(draws))
    assert result.reliable and result.pareto_k < 0.5
    assert abs(np.sum(result.weights * draws) - 0.3) < 0.03
    assert abs(np.sqrt(np.sum(result.weights * (draws - 0.3) ** 2)) - 0.9) < 0.03
    assert 0.5 < result.ess_fraction < 1.0


def test_a_wider_target_than_the_proposal_is_flagged_unreliable():
    draws = np.random.default_rng(1).normal(0.0, 1.0, 4000)
    result = psis(stats.norm(0, 3).logpdf(draws) - stats.norm(0, 1).logpdf(draws))
    assert result.pareto_k > K_MAX and not result.reliable


def test_equal_ratios_give_equal_weights_and_impossible_draws_none():
    result = psis(np.zeros(1000))
    np.testing.assert_allclose(result.weights, 1e-3)
    assert abs(result.ess_fraction - 1) < 1e-12
    ratios = np.zeros(1000)
    ratios[:10] = -np.inf
    assert np.all(psis(ratios).weights[:10] < 1e-100)
    assert not psis(np.full(10, -np.inf)).reliable


def test_systematic_resampling_keeps_each_draw_within_one_of_its_expected_count():
    rng = np.random.default_rng(2)
    weights = rng.dirichlet(np.ones(500))
    index = systematic_resample(weights, rng)
    counts = np.bincount(index, minlength=500)
    assert index.size == 500
    assert np.all(np.abs(counts - 500 * weights) < 1 + 1e-9)


def test_a_reliable_tail_is_not_trusted_without_enough_effective_draws():
    """A mutation audit: ``trusted`` could drop its ESS condition unseen (only Pareto k was
    tested), and reweighted draws too few to stand for a posterior would replace sampling."""
    weights = np.full(4000, 1 / 4000)
    enough = Reweighting(weights, pareto_k=0.3, ess_fraction=0.5)
    assert enough.reliable and trusted(enough, ess_bulk=1000.0)          # 500 effective draws
    few = Reweighting(weights, pareto_k=0.3, ess_fraction=0.1)
    assert few.reliable and not trusted(few, ess_bulk=1000.0)             # 100 < 400
    assert not trusted(Reweighting(weights, pareto_k=0.9, ess_fraction=1.0), ess_bulk=4000.0)
