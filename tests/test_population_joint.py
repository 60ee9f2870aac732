"""The two-stage population fit against a joint NUTS fit of the full hierarchical model.

Issue 19 item 3: on 20 simulated persons (42-night diaries, to stay affordable) the
population means and spreads of the two fits should agree (``benchmarks/population_joint.py``
prints the table; ``pytest -rP`` shows it here). Slow: the joint fit samples about 2,350
parameters (116 per person and the population's); one graph vectorised over the persons and
non-centred person terms (:mod:`model.population.joint`) brought it from unfinished after 50
minutes to about 25 minutes for 1,500 tuning steps and 1,500 draws x 4 chains, 2 at a time, on
a two-core machine (compile included). ``make check-stats``.

State on 2026-12-03 (seed 5): the agreement holds. The joint fit, 1,500 draws after 1,500
tuning steps, converges (0 divergences, R-hat 1.007, ESS >= 666), so its Monte-Carlo errors are
small and the tolerance below is mostly the approximation's 0.15 SD. History: with per-person
Laplace blocks (the mode and the curvature there) 4, then 2 of 70 quantities were off, always
``sd_expectation`` of sol (0.405 against 0.360, 0.45 SD) and of anxiety (0.98 against 1.12):
the expectation's posterior is a scale mixture over the noise scale, the AR(1) coefficient and
the build-up time, and the curvature at the mode understated its SD by 15 % for sol, which
widened the population's spread; integrating tau over a grid did not help. With blocks from
the mean and covariance of NUTS draws (:mod:`model.population.person_stage`) sol's spread
agrees (0.353 against 0.354); anxiety's came within tolerance once the per-person priors were
1 SMD instead of 2 (``WIDE_SMD``: 0 of 70 off, largest gap 0.085 SD, SD ratios 0.95-1.05). On a
second population (seed 6, not part of this test) the Laplace blocks had 3 of 70 off (the
expectation spread of sol by 0.75 SD) and the NUTS blocks none (largest gap 0.10 SD). The GI
effects are carried exactly (:mod:`model.population.gi`): within 0.04 SD.
"""

import sys
import warnings
from pathlib import Path

import arviz as az
import numpy as np
import pymc as pm
import pytest

from model.data.diary import read_diary
from model.personal.data import diary_data, diary_size
from model.personal.graph import build_graph
from model.population.graph import population_parameters, population_prior
from model.population.joint import NON_CENTRED, joint_model
from model.simulate.personas import simulate_population

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import population_joint as check


def personal_logp(diary, priors, point, k):
    """Person ``k``'s log density at ``point`` of the joint model, from its own personal graph.

    The diary unpadded, the population's values as the graph's priors, the non-centred terms
    turned back into the graph's own parameters plus the log-Jacobian of that change.
    """
    size = diary_size(diary, priors)
    graph = build_graph(*size)
    data = diary_data(diary, priors, 0.0, *size) | {
        "prior_mean": point["beta"], "prior_sd": np.zeros_like(point["beta"]),
        "dev_sd": np.exp(point["sd_dev_log__"]), "resp_sd": np.exp(point["sd_resp_log__"]),
        "expect_mu": point["expectation"], "expect_sd": np.exp(point["sd_expectation_log__"])}
    values, jacobian = {}, 0.0
    for v in graph.value_vars:
        u = point[f"person_{v.name}"][k]
        if v.name in NON_CENTRED:
            mean, sd = NON_CENTRED[v.name]
            u = (data[mean] if mean else 0.0) + data[sd] * u
            jacobian += np.log(data[sd]).sum()
        values[v.name] = u
    with graph:
        pm.set_data(data)
    return float(graph.compile_logp(jacobian=True)(values)) + jacobian


@pytest.mark.slow
@pytest.mark.fit
def test_the_joint_density_is_the_population_prior_plus_each_personal_model(priors):
    """Vectorised over padded persons and non-centred, the density is still the model's."""
    frames, _ = simulate_population(priors, 2, 28, seed=3)
    diaries = [read_diary(frames[0]), read_diary(frames[1].iloc[:17])]   # unequal lengths
    model = joint_model(diaries, priors)
    rng = np.random.default_rng(0)
    point = {k: v + rng.normal(0.0, 0.3, np.shape(v)) for k, v in model.initial_point().items()}
    with pm.Model(coords=model.coords) as alone:
        population_parameters(population_prior(priors))
    population = alone.compile_logp(jacobian=True)({k: point[k] for k in alone.initial_point()})
    persons = sum(personal_logp(d, priors, point, k) for k, d in enumerate(diaries))
    total = float(model.compile_logp(jacobian=True)(point))
    assert total == pytest.approx(population + persons, rel=1e-9, abs=1e-6)
    assert len({diary_size(d, priors) for d in diaries}) == 2


MCSE_Z = 4.0
"""A gap of posterior means within 4 combined Monte-Carlo standard errors is noise (about 60
quantities are compared; a 4-sigma excursion has probability ~ 0.4 % over all of them)."""
APPROXIMATION_SD = 0.15
"""Beyond that, the two-stage fit may differ by 0.15 posterior SD: its per-person Laplace
approximation is not exact for 42-night diaries (a shift of 0.15 SD moves the coverage of a
90 % interval by under one percentage point)."""


MIN_ESS = 100
"""Below 100 effective draws an MCSE is itself too uncertain to build a tolerance on."""


@pytest.fixture(scope="module")
def result():
    """Both fits; the two-stage fit's warnings about persons' blocks are expected, kept."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        fits = check.fit_both(persons=20, nights=42, draws=1500, seed=5)
    return fits | {"warnings": [str(w.message) for w in caught]}


@pytest.mark.slow
@pytest.mark.fit
def test_the_joint_fit_itself_converged(result):
    stats, joint = result["stats"], result["joint"]
    assert int(stats["diverging"].sum()) <= 0.01 * stats["diverging"].size
    assert float(az.rhat(joint).to_array().max()) < 1.02
    assert float(az.ess(joint).to_array().min()) >= MIN_ESS


@pytest.mark.slow
@pytest.mark.fit
def test_population_means_and_spreads_agree_with_the_joint_fit(result):
    table = check.compare(result["two"], result["joint"])
    print(check.report(table, result), *result["warnings"], sep="\n")  # shown by pytest -rP
    assert len(table) == 8 * 6 + 6 + 6 + 5 + 5
    gap = (table["mean_two"] - table["mean_joint"]).abs()
    off = table[gap > MCSE_Z * table["mcse"] + APPROXIMATION_SD * table["sd_pooled"]]
    assert off.empty, off
    ratio = table["sd_ratio"]
    assert ratio.between(0.8, 1.25).all(), table[~ratio.between(0.8, 1.25)]
