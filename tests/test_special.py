"""The numpy special functions equal SciPy's, tails and edge cases included."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import special

from model.core.special import (
    expit,
    log_expit,
    log_rising_factorial,
    logsumexp,
    normal_cdf,
    normal_quantile,
)

X = np.concatenate([np.linspace(-800, 800, 4001), [-1e6, 1e6, 0.0]])


def test_the_logistic_and_its_log_match_scipy_in_both_tails():
    with np.errstate(over="raise", invalid="raise", divide="raise"):   # underflow is fine
        np.testing.assert_allclose(expit(X), special.expit(X), rtol=1e-13, atol=1e-300)
        np.testing.assert_allclose(log_expit(X), special.log_expit(X), rtol=1e-13, atol=1e-300)


@pytest.mark.parametrize("axis", [None, 0, 1])
def test_logsumexp_matches_scipy_with_infinite_and_huge_entries(axis):
    rng = np.random.default_rng(0)
    a = rng.normal(0, 300, size=(7, 50))
    a[0] = -np.inf                                      # a row of zero weights
    a[1, :3] = 1e300
    a[:, 4] = -np.inf
    with np.errstate(all="ignore"):                     # SciPy warns on the 1e300 row
        expected = special.logsumexp(a, axis=axis)
    np.testing.assert_allclose(logsumexp(a, axis=axis), expected, rtol=1e-13)


def test_the_normal_distribution_function_is_ndtr():
    x = np.r_[np.linspace(-40, 10, 2001), -np.inf, np.inf]
    np.testing.assert_allclose(normal_cdf(x), special.ndtr(x), rtol=1e-11, atol=1e-300)


@pytest.mark.parametrize("p", [1e-12, 0.025, 0.2, 0.5, 0.8, 0.975, 1 - 1e-12])
def test_the_normal_quantile_is_ndtri(p):
    assert normal_quantile(p) == pytest.approx(float(special.ndtri(p)), rel=1e-12, abs=1e-15)


@given(st.lists(st.floats(1e-3, 1e4), min_size=1, max_size=5),
       st.lists(st.integers(0, 300), min_size=1, max_size=7))
def test_the_rising_factorial_is_a_difference_of_log_gammas(a, n):
    a_col, n_row = np.array(a)[:, None], np.array(n)[None, :]   # (draw, 1) with (1, night)
    expected = special.gammaln(a_col + n_row) - special.gammaln(a_col)
    np.testing.assert_allclose(log_rising_factorial(a_col, n_row), expected, rtol=1e-9,
                               atol=1e-9)
    np.testing.assert_allclose(log_rising_factorial(1.0, np.array(n)),
                               special.gammaln(np.array(n) + 1.0), rtol=1e-9, atol=1e-9)


def test_the_rising_factorial_refuses_what_is_not_a_count():
    with pytest.raises(ValueError, match="whole numbers"):
        log_rising_factorial(2.0, np.array([1, 2.5]))
    with pytest.raises(ValueError, match="whole numbers"):
        log_rising_factorial(2.0, np.array([-1]))
    assert log_rising_factorial(np.ones((3, 1)), np.zeros(0, int)).shape == (3, 0)
