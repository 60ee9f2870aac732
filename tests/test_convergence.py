"""The vectorised R-hat and bulk ESS are ArviZ's, scalar by scalar, on chains of every kind."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import xarray as xr
from arviz_stats import ess, rhat
from scipy.stats import rankdata

from model.core.atomic import json_text
from model.inference.convergence import average_ranks, rhat_and_ess
from model.inference.diagnostics import ScalarStatistics, check_convergence, gate


def ar1(rng: np.random.Generator, shape: tuple[int, int, int], rho: float) -> np.ndarray:
    """Stationary AR(1) chains of unit variance, ``(chain, draw, scalar)``."""
    chains, draws, scalars = shape
    out = np.empty(shape)
    out[:, 0] = rng.normal(size=(chains, scalars))
    for t in range(1, draws):
        out[:, t] = rho * out[:, t - 1] + np.sqrt(1 - rho**2) * rng.normal(size=(chains, scalars))
    return out


def arviz_reference(draws: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """ArviZ's rank R-hat and bulk ESS of each scalar (its per-scalar loop)."""
    data = xr.Dataset({"x": (("chain", "draw", "scalar"), draws)})
    with np.errstate(divide="ignore", invalid="ignore"):
        return rhat(data)["x"].values, ess(data, method="bulk")["x"].values


RNG = np.random.default_rng(20261204)
CASES = {
    "independent": RNG.normal(size=(4, 1000, 30)),
    "autocorrelated 0.9": ar1(RNG, (4, 1000, 12), 0.9),
    "autocorrelated 0.99": ar1(RNG, (4, 400, 6), 0.99),
    "antithetic": ar1(RNG, (4, 1000, 6), -0.6),
    "ties": RNG.integers(0, 4, size=(4, 300, 8)).astype(float),
    "chains apart": RNG.normal(size=(4, 300, 5)) + np.arange(4.0)[:, None, None],
    "odd draws": RNG.normal(size=(3, 9, 5)),
    "four draws": RNG.normal(size=(2, 4, 3)),
    "one chain": RNG.normal(size=(1, 200, 3)),
    "heavy tails": RNG.standard_cauchy(size=(4, 500, 6)),
}


@pytest.mark.parametrize("name", CASES)
def test_equal_to_arviz_scalar_by_scalar(name: str) -> None:
    draws = CASES[name]
    expected_rhat, expected_ess = arviz_reference(draws)
    got_rhat, got_ess = rhat_and_ess(draws)
    np.testing.assert_allclose(got_rhat, expected_rhat, rtol=1e-12, atol=0)
    np.testing.assert_allclose(got_ess, expected_ess, rtol=1e-12, atol=0)


def test_undefined_where_arviz_is() -> None:
    draws = RNG.normal(size=(4, 100, 3))
    draws[2, 10, 1] = np.nan
    draws[:, :, 2] = 1.5
    got_rhat, got_ess = rhat_and_ess(draws)
    expected_rhat, expected_ess = arviz_reference(draws)
    assert np.isnan(got_rhat[1]) and np.isnan(got_ess[1])
    assert np.isnan(expected_rhat[1]) and np.isnan(expected_ess[1])
    assert got_ess[2] == expected_ess[2] == 400
    assert np.isnan(rhat_and_ess(RNG.normal(size=(4, 3, 2)))[0]).all()


def test_average_ranks_are_scipys() -> None:
    values = np.vstack([RNG.integers(0, 5, 40), RNG.normal(size=40), np.ones(40)])
    np.testing.assert_array_equal(average_ranks(values), rankdata(values, axis=1))
    with_nan = np.array([[1.0, np.nan, 2.0], [3.0, 1.0, 3.0]])
    np.testing.assert_array_equal(average_ranks(with_nan),
                                  rankdata(with_nan, axis=1, nan_policy="propagate"))


def tree(**variables: np.ndarray) -> xr.DataTree:
    """A fit with the given ``(chain, draw, ...)`` draws and no divergence."""
    posterior = xr.Dataset({name: (("chain", "draw", *[f"{name}_{k}" for k in
                                                       range(value.ndim - 2)]), value)
                            for name, value in variables.items()})
    chains, draws = posterior.sizes["chain"], posterior.sizes["draw"]
    stats = xr.Dataset({"diverging": (("chain", "draw"), np.zeros((chains, draws), bool))})
    return xr.DataTree.from_dict({"posterior": posterior, "sample_stats": stats})


def test_gate_holds_decision_variables_strictly_and_the_rest_loosely() -> None:
    good = RNG.normal(size=(4, 1000, 3))
    shifts = np.array([-0.3, -0.1, 0.1, 0.3])[:, None]
    drifting = RNG.normal(size=(4, 1000)) + shifts           # R-hat about 1.03
    apart = RNG.normal(size=(4, 1000)) + 10 * shifts          # R-hat far above 1.05
    fit = tree(effect=good, nuisance=drifting)
    nuisance = ScalarStatistics.of(fit["posterior"].to_dataset()).worst(["nuisance"])[1]
    assert 1.01 < nuisance < 1.05
    decided = gate(fit, ["effect"])
    assert decided.ok and decided.max_rhat <= 1.01 and decided.min_ess_bulk > 400
    assert decided.max_rhat_all == pytest.approx(nuisance)
    assert not gate(fit, ["effect", "nuisance"]).ok
    assert not gate(tree(effect=good, nuisance=apart), ["effect"]).ok
    assert check_convergence(tree(effect=good, nuisance=apart), ["effect"]).ok


def test_a_non_finite_draw_fails_only_the_variables_it_is_in() -> None:
    broken = RNG.normal(size=(4, 200, 2))
    broken[1, 5, 0] = np.inf
    fit = tree(fine=RNG.normal(size=(4, 200)), broken=broken)
    assert check_convergence(fit, ["fine"]).ok
    assert not check_convergence(fit, ["broken"]).ok
    assert not check_convergence(fit).ok


def test_chains_stuck_apart_fail_and_an_infinite_r_hat_stays_infinite() -> None:
    stuck = np.repeat(np.arange(4.0)[:, None], 100, axis=1)     # each chain one value
    checked = check_convergence(tree(stuck=stuck))
    assert checked.max_rhat > 1e6 and not checked.ok
    statistics = ScalarStatistics.of(tree(x=RNG.normal(size=(4, 50)))["posterior"].to_dataset())
    infinite = dataclasses.replace(statistics, rhat=np.array([np.inf]))
    assert infinite.worst(None)[1] == np.inf


def test_an_undefined_r_hat_is_null_in_json() -> None:
    one_chain = check_convergence(tree(x=RNG.normal(size=(1, 200))))
    assert one_chain.max_rhat == np.inf and not one_chain.ok
    assert one_chain.to_dict() == {"ok": False, "max_rhat": None,
                                   "min_ess_bulk": one_chain.min_ess_bulk, "divergences": 0}
    assert json_text(one_chain.to_dict())
    both = gate(tree(x=RNG.normal(size=(1, 200))), ["x"]).to_dict()
    assert both["max_rhat"] is None and both["max_rhat_all"] is None


def test_a_failed_fit_says_which_limit_it_broke() -> None:
    shifts = np.array([-0.3, -0.1, 0.1, 0.3])[:, None]
    drifting = RNG.normal(size=(4, 1000)) + shifts           # R-hat about 1.03
    fit = tree(effect=RNG.normal(size=(4, 1000)), nuisance=drifting)
    passed = gate(fit, ["effect"])
    assert passed.failures() == [] and passed.words() == "ok"
    strict = gate(fit, ["effect", "nuisance"])
    assert strict.failures() == [f"R-hat {strict.max_rhat:.3f} above 1.01",
                                 f"bulk ESS {strict.min_ess_bulk:.0f} below 400"]
    assert strict.words() == "FAILED: " + "; ".join(strict.failures())
    apart = RNG.normal(size=(4, 1000)) + 10 * shifts
    loose = gate(tree(effect=RNG.normal(size=(4, 1000)), nuisance=apart), ["effect"])
    assert loose.failures() == [f"R-hat of the other parameters {loose.max_rhat_all:.3f} "
                                "above 1.05"]
    slow = check_convergence(tree(x=ar1(RNG, (4, 100, 1), 0.99)[..., 0]))
    assert f"bulk ESS {slow.min_ess_bulk:.0f} below 40" in slow.failures()
    diverged = dataclasses.replace(passed, ok=False, divergences=3)
    assert diverged.failures() == ["3 divergent transitions (at most 0 allowed)"]
    nan = dataclasses.replace(passed, ok=False)
    assert nan.failures() == ["a draw or a prediction that is not a finite number"]
    assert set(strict.to_dict()) == {"ok", "max_rhat", "min_ess_bulk", "divergences",
                                     "max_rhat_all", "attempts", "checked"}


def test_a_divergent_transition_fails_the_gate() -> None:
    """A mutation audit: the divergence limit could be dropped and every test passed (the one
    divergent case was built by hand, never through the gate)."""
    good = RNG.normal(size=(4, 1000))
    assert gate(tree(effect=good), ["effect"]).ok
    diverging = tree(effect=good)
    diverging["sample_stats"]["diverging"].values.flat[:3] = True
    checked = gate(diverging, ["effect"])
    assert not checked.ok and checked.divergences == 3
    assert not check_convergence(diverging).ok


def test_a_decision_r_hat_above_the_strict_limit_fails_with_ample_ess() -> None:
    """A mutation audit: R-hat 1.01 could be loosened to 1.11 unseen, since the strict case
    also failed on its ESS; here the ESS passes and the R-hat alone fails."""
    shifts = np.array([-0.18, -0.06, 0.06, 0.18])[:, None]
    fit = tree(effect=np.random.default_rng(0).normal(size=(4, 1000)) + shifts)
    checked = gate(fit, ["effect"])
    assert 1.01 < checked.max_rhat < 1.03
    assert checked.min_ess_bulk >= 400 and not checked.ok
    assert checked.failures() == [f"R-hat {checked.max_rhat:.3f} above 1.01"]
