"""The ordinal ratings' Ops (model.likelihood.ordinal_op) against their definition.

The numba kernels, the Ops' inner graphs (what every other backend evaluates) and the
definition written with PyTensor's own Ops (``ordered_logistic_logp``) give the same value and
the same gradient in the linear predictor, the cut-points and their gaps, for every category,
far tails and narrow gaps included.
"""

import numpy as np
import pytensor
import pytensor.tensor as pt
import pytest

from model.likelihood.cumulative_logit import ordered_logistic_logp
from model.likelihood.ordinal_op import (
    OrdinalGradient,
    OrdinalLogp,
    ordinal_gradients,
    ordinal_logp,
    ordinal_values,
)


def compiled(logp_of, mode: str):
    """``(eta, cut, gaps, y, w) -> [sum w logp, d/d eta, d/d cut, d/d gaps]`` in ``mode``."""
    eta, cut, gaps, w = pt.vector("eta"), pt.vector("cut"), pt.vector("gaps"), pt.vector("w")
    y = pt.vector("y", dtype="int64")
    total = pt.sum(w * logp_of(eta, cut, y, gaps))
    return pytensor.function([eta, cut, gaps, y, w], [total, *pt.grad(total, [eta, cut, gaps])],
                             mode=mode)


def ratings(seed: int, categories: int, nights: int = 150):
    """Random ratings of every category, a linear predictor with far tails, narrow gaps."""
    rng = np.random.default_rng(seed)
    gaps = rng.gamma(1.0, 0.6, categories - 2) + 1e-6
    cut = rng.normal(-2, 1) + np.concatenate([[0.0], np.cumsum(gaps)])
    eta = rng.normal(0, 3, nights)
    eta[:4] = [-40.0, 40.0, cut[0] - 1e-9, cut[-1] + 25.0]
    y = np.concatenate([np.arange(categories), rng.integers(0, categories, nights - categories)])
    return eta, cut, gaps, y, rng.uniform(0.2, 1.5, nights)


@pytest.mark.parametrize(("seed", "categories"), [(0, 3), (1, 5), (2, 11), (3, 4)])
def test_the_kernels_and_the_inner_graphs_are_the_definition(seed, categories):
    data = ratings(seed, categories)
    reference = compiled(ordered_logistic_logp, "NUMBA")(*data)
    for mode in ("NUMBA", "FAST_COMPILE"):          # the kernels; the Ops' inner graphs
        ours = compiled(ordinal_logp, mode)(*data)
        for got, want in zip(ours, reference, strict=True):
            np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)


def test_the_numba_graph_runs_the_kernels_not_the_inner_graphs():
    function = compiled(ordinal_logp, "NUMBA")
    ops = {type(node.op) for node in function.maker.fgraph.toposort()}
    assert {OrdinalLogp, OrdinalGradient} <= ops
    from pytensor.link.numba.dispatch.basic import numba_funcify_and_cache_key

    for op_type, kernel in ((OrdinalLogp, ordinal_values), (OrdinalGradient, ordinal_gradients)):
        node = next(n for n in function.maker.fgraph.toposort() if type(n.op) is op_type)
        implementation, key = numba_funcify_and_cache_key(node.op, node=node)
        assert implementation.py_func is kernel and isinstance(key, str)


def test_the_kernels_name_their_source_in_the_graph_text():
    """The disk compile cache keys a model by its graph as text: a kernel edit must show."""
    import io

    eta, cut = pt.vector("eta"), pt.vector("cut")
    text = io.StringIO()
    pytensor.dprint(ordinal_logp(eta, cut, pt.vector("y", dtype="int64")), file=text)
    from model.likelihood import ordinal_op

    key = ordinal_op._source_key(ordinal_values, ordinal_gradients)[:16]
    assert f"OrdinalLogp_{key}" in text.getvalue()


def test_a_category_outside_the_scale_is_an_error_not_a_read_beyond_the_cut_points():
    eta, cut, gaps, y, w = ratings(0, 5, nights=10)
    function = compiled(ordinal_logp, "NUMBA")
    for bad in (5, -1):
        y_bad = y.copy()
        y_bad[3] = bad
        with pytest.raises(ValueError, match="outside its categories"):
            function(eta, cut, gaps, y_bad, w)


def test_over_a_batch_of_series_the_value_is_the_definition_per_series():
    """The population's joint model vectorises the personal graph over persons."""
    from pytensor.graph.replace import vectorize_graph

    series = [ratings(seed, 6, nights=40) for seed in (5, 6, 7)]
    eta, cut, gaps, w = pt.vector("eta"), pt.vector("cut"), pt.vector("gaps"), pt.vector("w")
    y = pt.vector("y", dtype="int64")
    batch = [pt.matrix("eta_b"), pt.matrix("cut_b"), pt.matrix("gaps_b"),
             pt.matrix("y_b", dtype="int64"), pt.matrix("w_b")]
    total = pt.sum(w * ordinal_logp(eta, cut, y, gaps))
    batched = vectorize_graph([total, *pt.grad(total, [eta, cut, gaps])],
                              replace=dict(zip([eta, cut, gaps, y, w], batch, strict=True)))
    function = pytensor.function(batch, batched, mode="NUMBA")
    stacked = [np.stack([s[k] for s in series]) for k in range(5)]
    reference = compiled(ordered_logistic_logp, "NUMBA")
    for person, got in enumerate(zip(*function(*stacked), strict=True)):
        want = reference(*(s[person] for s in stacked))
        for a, b in zip(got, want, strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-10)
