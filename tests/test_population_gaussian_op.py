"""The population stage's Gaussian block Op: value, gradient, non-PD blocks, numba only."""

import numpy as np
import pytensor
import pytensor.tensor as pt
import pytest

from model.population.gaussian_op import block_terms, gaussian_term


def _blocks(seed: int, persons: int = 4, size: int = 5) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    factors = rng.normal(size=(persons, size, size))
    post = factors @ factors.transpose(0, 2, 1) + size * np.eye(size)
    return post, rng.normal(size=(persons, size))


def _reference(post: np.ndarray, residual: np.ndarray) -> np.ndarray:
    return np.array([-0.5 * np.linalg.slogdet(p)[1] + 0.5 * e @ np.linalg.solve(p, e)
                     for p, e in zip(post, residual, strict=True)])


def _compiled(mode: str):
    post, residual = pt.tensor3("post"), pt.matrix("residual")
    term = gaussian_term(post, residual)
    return pytensor.function([post, residual],
                             [term, *pytensor.grad(term.sum(), [post, residual])], mode=mode)


@pytest.mark.parametrize("mode", ["NUMBA", "FAST_RUN"])
def test_the_term_and_its_gradient_match_numpy_and_finite_differences(mode):
    post, residual = _blocks(0)
    value, grad_post, grad_residual = _compiled(mode)(post, residual)
    np.testing.assert_allclose(value, _reference(post, residual), rtol=1e-10)
    step = 1e-6
    for p, (i, j) in [(0, (1, 1)), (2, (3, 0)), (3, (4, 2))]:
        bumped = post.copy()
        bumped[p, i, j] += step                 # a symmetric change of P
        bumped[p, j, i] = bumped[p, i, j]
        numeric = (_reference(bumped, residual) - _reference(post, residual))[p] / step
        analytic = grad_post[p, i, j] + (grad_post[p, j, i] if i != j else 0.0)
        assert analytic == pytest.approx(numeric, rel=1e-4, abs=1e-6)
    bumped = residual.copy()
    bumped[1, 2] += step
    numeric = (_reference(post, bumped) - _reference(post, residual))[1] / step
    assert grad_residual[1, 2] == pytest.approx(numeric, rel=1e-4)


@pytest.mark.parametrize("bad", ["not_pd", "inf", "nan"])
def test_a_block_that_is_not_positive_definite_or_not_finite_gives_minus_inf(bad):
    post, residual = _blocks(1)
    if bad == "not_pd":                     # positive diagonal, a negative eigenvalue
        post[2, :2, :2] = post[2, 0, 0] * np.array([[1.0, 2.0], [2.0, 1.0]])
    else:                                   # one entry; a NaN off the diagonal propagates
        post[2, 4, 1] = post[2, 1, 4] = np.inf if bad == "inf" else np.nan
    value, grad_post, grad_residual = _compiled("NUMBA")(post, residual)
    assert value[2] == -np.inf
    assert np.all(grad_post[2] == 0.0) and np.all(grad_residual[2] == 0.0)
    good = [0, 1, 3]
    np.testing.assert_allclose(value[good], _reference(post[good], residual[good]))


def test_padding_coordinates_add_nothing():
    post, residual = _blocks(2, persons=1, size=3)
    padded = np.zeros((1, 5, 5))
    padded[0, :3, :3], padded[0, 3:, 3:] = post[0], np.eye(2)
    value, _ = block_terms(padded, np.pad(residual, ((0, 0), (0, 2))))
    np.testing.assert_allclose(value, _reference(post, residual))


def test_the_population_log_density_compiles_without_python_fallbacks():
    """No op of the compiled population gradient runs in Python (an object-mode fallback can
    raise inside nutpie's sampler and stop it, which happened with a batched ``AllocDiag``)."""
    from nutpie.compile_pymc import _make_functions

    from model.inference.compile_cache import _initial_point_fn
    from model.population.graph import population_graph

    graph = population_graph()
    logp_fn = _make_functions(graph, mode="NUMBA", compute_grad=True, join_expanded=True,
                              pymc_initial_point_fn=_initial_point_fn(graph))[2]
    ops = {str(getattr(node.op, "core_op", node.op)) for node in logp_fn.maker.fgraph.apply_nodes}
    assert not {op for op in ops if "AllocDiag" in op or "Cholesky" in op}
    assert "GaussianBlockTerms" in ops
