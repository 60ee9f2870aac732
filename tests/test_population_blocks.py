"""Per-person blocks of the population stage: known answers, no sampling (fast)."""

import warnings

import numpy as np
import pytensor
import pytensor.tensor as pt
import pytest
from scipy.stats import multivariate_normal

from model.core.forms import FORMS
from model.core.outcomes import OUTCOMES, SLEEP_OUTCOMES
from model.population.blocks import (
    COORDINATES,
    N_EFFECTS,
    PersonBlock,
    block_from_posterior,
    informative_persons,
    marginal_loglik,
    stack_likelihoods,
)

F, N_OUT, S = len(FORMS), len(OUTCOMES), len(SLEEP_OUTCOMES)
SOL = OUTCOMES.index("sol")


def coordinate(form: str, outcome: str) -> int:
    return COORDINATES.index(f"{form} x {outcome}")


def compiled(blocks):
    beta, sd_resp, sd_dev = pt.matrix("beta"), pt.vector("sd_resp"), pt.vector("sd_dev")
    mu_exp, sd_exp = pt.vector("mu_exp"), pt.vector("sd_exp")
    out = marginal_loglik(stack_likelihoods(blocks), beta, sd_resp, sd_dev, mu_exp, sd_exp)
    return pytensor.function([beta, sd_resp, sd_dev, mu_exp, sd_exp], out)


def population_covariance(sd_resp, sd_dev, sd_exp):
    """The population covariance of all coordinates, written out element by element."""
    n = len(COORDINATES)
    cov = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            if i < N_EFFECTS and j < N_EFFECTS and i % N_OUT == j % N_OUT:
                cov[i, j] = sd_resp[i % N_OUT] ** 2 + (i == j) * sd_dev[i % N_OUT] ** 2
            elif i >= N_EFFECTS and i == j:
                cov[i, j] = sd_exp[i - N_EFFECTS] ** 2
    return cov


def random_blocks(rng, sizes):
    blocks = []
    for p, size in enumerate(sizes):
        slots = np.sort(rng.choice(len(COORDINATES), size=size, replace=False))
        m = rng.normal(size=(size, size))
        blocks.append(PersonBlock(f"p{p}", 30, slots, rng.normal(size=size),
                                  m @ m.T + 0.3 * np.eye(size)))
    return blocks


@pytest.fixture
def params():
    rng = np.random.default_rng(3)
    return (rng.normal(size=(F, N_OUT)), rng.uniform(0.2, 1, N_OUT), rng.uniform(0.2, 1, N_OUT),
            rng.normal(size=S), rng.uniform(0.2, 1, S))


def test_the_marginal_is_the_gaussian_marginal_of_the_block(params):
    """Blocks of different sizes (so padded), correlated precisions: the closed form."""
    blocks = random_blocks(np.random.default_rng(1), [3, 7, 12])
    beta, sd_resp, sd_dev, mu_exp, sd_exp = params
    got = compiled(blocks)(*params)
    mean = np.r_[beta.ravel(), mu_exp]
    cov = population_covariance(sd_resp, sd_dev, sd_exp)
    for value, block in zip(got, blocks, strict=True):
        s, lam, h = block.slots, block.precision, block.information
        y = np.linalg.solve(lam, h)
        # the canonical likelihood exp(-u'Lu/2 + h'u) is N(u; y, L^-1) times this constant:
        constant = 0.5 * h @ y + 0.5 * len(s) * np.log(2 * np.pi) - 0.5 * np.linalg.slogdet(
            lam)[1]
        expected = multivariate_normal(mean[s], cov[np.ix_(s, s)] + np.linalg.inv(lam)).logpdf(y)
        assert value == pytest.approx(expected + constant, rel=1e-9, abs=1e-9)


def test_two_correlated_persons_pool_to_the_gls_answer():
    """With the spreads fixed, the pooled population mean is the GLS estimate."""
    forms = ("glycinate", "taurate")
    slots = np.array([coordinate(f, "sol") for f in forms])
    blocks = [PersonBlock("a", 30, slots, np.array([-0.4, 0.3]),
                          np.array([[8.0, -5.0], [-5.0, 6.0]])),         # strongly correlated
              PersonBlock("b", 30, slots, np.array([0.5, -0.2]),
                          np.array([[3.0, 1.5], [1.5, 2.0]]))]
    sd_resp, sd_dev = np.full(N_OUT, 0.3), np.full(N_OUT, 0.2)
    cov = population_covariance(sd_resp, sd_dev, np.ones(S))[np.ix_(slots, slots)]
    weights = [np.linalg.inv(cov + np.linalg.inv(b.precision)) for b in blocks]
    estimates = [np.linalg.solve(b.precision, b.information) for b in blocks]
    gls = np.linalg.solve(sum(weights), sum(w @ y for w, y in zip(weights, estimates,
                                                                   strict=True)))
    # the log marginal is quadratic in beta: its maximiser from gradient and Hessian at 0
    b = pt.vector("b")
    beta = pt.zeros((F, N_OUT))[[FORMS.index(f) for f in forms], SOL].set(b)
    total = pt.sum(marginal_loglik(stack_likelihoods(blocks), beta, sd_resp, sd_dev,
                                   pt.zeros(S), pt.ones(S)))
    grad = pytensor.gradient.grad(total, b)
    hess = pytensor.gradient.jacobian(grad, b)
    g, h = pytensor.function([b], [grad, hess])(np.zeros(2))
    np.testing.assert_allclose(-np.linalg.solve(h, g), gls, rtol=1e-9)
    # treating each person's effects as independent (marginal variances only), as the
    # population stage did, gives another answer: the correlations matter here
    diagonal = [np.linalg.inv(cov + np.diag(np.diag(np.linalg.inv(b.precision))))
                for b in blocks]
    naive = np.linalg.solve(sum(diagonal), sum(w @ y for w, y in zip(diagonal, estimates,
                                                                     strict=True)))
    assert np.abs(naive - gls).max() > 0.05


def test_a_diagonal_block_reproduces_the_independent_effects_formula(params):
    """Diagonal precision, effects only: the former Sherman-Morrison per person and outcome."""
    rng = np.random.default_rng(2)
    slots = np.array([coordinate(f, o) for f in ("glycinate", "citrate", "oxide")
                      for o in OUTCOMES])
    variance = rng.uniform(0.05, 0.5, slots.size)
    estimate = rng.normal(size=slots.size)
    block = PersonBlock("d", 30, slots, estimate / variance, np.diag(1 / variance))
    f = compiled([block])

    def former(beta, sd_resp, sd_dev):
        total = 0.0
        for o in range(N_OUT):
            mine = slots % N_OUT == o
            d_inv = 1 / (variance[mine] + sd_dev[o] ** 2)
            e = estimate[mine] - beta.ravel()[slots[mine]]
            a = sd_resp[o] ** 2
            s1, s2 = d_inv.sum(), (d_inv * e).sum()
            quad = (d_inv * e**2).sum() - a * s2**2 / (1 + a * s1)
            logdet = -np.log(d_inv).sum() + np.log1p(a * s1)
            total += -0.5 * (quad + logdet)
        return total

    beta, sd_resp, sd_dev, mu_exp, sd_exp = params
    other = (beta + 0.3, sd_resp * 1.5, sd_dev * 0.5)
    difference = f(beta, sd_resp, sd_dev, mu_exp, sd_exp)[0] - f(*other, mu_exp, sd_exp)[0]
    assert difference == pytest.approx(former(beta, sd_resp, sd_dev) - former(*other),
                                       rel=1e-9)


def test_the_block_is_the_posterior_with_the_prior_divided_out():
    rng = np.random.default_rng(4)
    n = len(COORDINATES)
    prior_mean, prior_var = rng.normal(size=n), rng.uniform(1, 4, n)
    tried = np.array([coordinate("glycinate", o) for o in OUTCOMES] + [N_EFFECTS, N_EFFECTS + 1])
    kept = tried[tried != coordinate("glycinate", "gi")]    # the GI effect is the counts'
    m = rng.normal(size=(tried.size, tried.size))
    lam = np.zeros((n, n))
    lam[np.ix_(tried, tried)] = m @ m.T + np.eye(tried.size)
    gi = coordinate("glycinate", "gi")     # no parameter shared with the rest (model.population.gi)
    lam[gi, kept] = lam[kept, gi] = 0.0
    h = np.zeros(n)
    h[tried] = rng.normal(size=tried.size)
    post_cov = np.linalg.inv(lam + np.diag(1 / prior_var))
    post_mean = post_cov @ (h + prior_mean / prior_var)
    block = block_from_posterior("x", 30, post_mean, post_cov, prior_mean, prior_var)
    np.testing.assert_array_equal(block.slots, kept)        # untried coordinates and GI dropped
    np.testing.assert_allclose(block.precision, lam[np.ix_(kept, kept)], atol=1e-8)
    np.testing.assert_allclose(block.information, h[kept], atol=1e-8)
    # GI informs through the counts only (none here)
    assert informative_persons([block, block])[0].tolist() == [2] * (N_OUT - 1) + [0]
    assert informative_persons([block]).sum() == N_OUT - 1       # the expectation is not an effect


def test_a_block_that_is_not_positive_definite_is_projected_with_a_warning():
    n = len(COORDINATES)
    prior_var = np.full(n, 4.0)
    cov = np.diag(prior_var)
    a, b = coordinate("glycinate", "sol"), coordinate("taurate", "sol")
    # posterior variances 0.5 each but correlation 1.4: no covariance matrix
    cov[a, a] = cov[b, b] = 0.5
    cov[a, b] = cov[b, a] = 0.7
    with pytest.warns(UserWarning, match=r"^p7: the likelihood block is not positive semi-"
                      r"definite .* projected onto the nearest one \(1 of 2 directions"):
        block = block_from_posterior("p7", 30, np.zeros(n), cov, np.zeros(n), prior_var)
    assert block.slots.tolist() == [a, b]
    assert np.linalg.eigvalsh(block.precision).min() >= -1e-12
    assert np.linalg.matrix_rank(block.precision, tol=1e-9) == 1
    assert np.isfinite(block.information).all()
    # a posterior wider than the prior in one direction: the likelihood precision is clipped
    cov = np.diag(prior_var)
    cov[a, a], cov[b, b], cov[a, b], cov[b, a] = 0.5, 3.7, 1.35, 1.35
    with pytest.warns(UserWarning, match="p8: the likelihood block"):
        block = block_from_posterior("p8", 30, np.ones(n), cov, np.zeros(n), prior_var)
    assert np.linalg.eigvalsh(block.precision).min() >= -1e-12
    assert np.linalg.matrix_rank(block.precision, tol=1e-9) == 1
    # 5 % wider than the prior is within the noise of 4,000 draws (2.2 % an SD); 12 % is not
    block_from_posterior("p8", 30, np.ones(n), cov, np.zeros(n), prior_var, draws=4000)
    cov[a, a], cov[a, b], cov[b, a] = 0.8, 1.72, 1.72
    with pytest.warns(UserWarning, match="p9: the likelihood block"):
        block_from_posterior("p9", 30, np.ones(n), cov, np.zeros(n), prior_var, draws=4000)


def test_sampling_noise_in_a_direction_the_diary_does_not_inform_is_no_defect():
    """A diary that informs only the sum of two effects: the posterior estimated from draws is
    narrower or wider than the prior along their difference by Monte Carlo noise alone."""
    n = len(COORDINATES)
    prior_var = np.full(n, 4.0)
    a, b = coordinate("glycinate", "sol"), coordinate("taurate", "sol")
    along_sum = np.array([1.0, 1.0]) / np.sqrt(2)
    exact = np.linalg.inv(2.0 * np.outer(along_sum, along_sum) + np.eye(2) / 4.0)
    old_warnings = 0
    for seed in range(10):
        draws = np.random.default_rng(seed).multivariate_normal(np.zeros(2), exact, size=4000)
        cov = np.diag(prior_var)
        cov[np.ix_([a, b], [a, b])] = np.cov(draws, rowvar=False)
        block = block_from_posterior("p", 30, np.zeros(n), cov, np.zeros(n), prior_var,
                                     draws=4000)                       # no warning
        assert block.slots.tolist() == [a, b]
        np.testing.assert_allclose(block.precision @ along_sum, 2.0 * along_sum, atol=0.25)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            block_from_posterior("p", 30, np.zeros(n), cov, np.zeros(n), prior_var)
        old_warnings += len(caught)
    assert 2 <= old_warnings <= 8      # as if exact, about half of the seeds would be "defects"
