"""The population stage's GI outcome from the exact Bernoulli likelihood (issue 19 item 3)."""

import numpy as np
import pymc as pm
import pytensor
import pytensor.tensor as pt
import pytest
from scipy.optimize import minimize_scalar

from model.core.forms import FORMS
from model.core.outcomes import OUTCOMES
from model.data.diary import COVARIATES, read_diary
from model.likelihood.families import INTERCEPT_SD, Bernoulli
from model.personal.data import diary_data, diary_size
from model.population.blocks import (
    COORDINATES,
    GAUSSIAN_SLOTS,
    PersonBlock,
    block_from_posterior,
    informative_persons,
    stack_likelihoods,
)
from model.population.gi import (
    GI_PARAMETERS,
    GiCounts,
    capacity_for,
    gi_counts,
    gi_loglik,
    stack_gi,
)
from model.population.hierarchical import PopulationModel
from model.simulate.personas import simulate_population

GI = OUTCOMES.index("gi")


@pytest.fixture(scope="module")
def simulated(priors):
    frames, truth = simulate_population(priors, 30, 60, seed=7)
    diaries = [read_diary(f) for f in frames]
    data = [diary_data(d, priors, 0.0, *diary_size(d, priors)) for d in diaries]
    return diaries, data, truth


def nightly_loglik(data, intercept, theta_gi):
    """The personal model's GI log-likelihood, night by night (the family's numpy form)."""
    eta = intercept + data["single"] @ theta_gi
    return float(np.sum(data["gi_w"] * Bernoulli.loglik(data["gi_y"], eta)))


def test_counts_give_the_bernoulli_loglik_of_the_nights(simulated):
    _, data, _ = simulated
    rng = np.random.default_rng(0)
    for person in data[:10]:
        person = dict(person)
        person["gi_w"] = person["gi_w"] * (rng.random(person["gi_w"].size) > 0.1)  # gaps
        counts = gi_counts(person)
        assert counts.nights.sum() == person["gi_w"].sum()
        assert counts.events.sum() == (person["gi_w"] * person["gi_y"]).sum()
        assert len(counts.nights) == len(np.unique(person["single"][person["gi_w"] > 0], axis=0))
        assert counts.tried.sum() == 2                            # a two-form crossover
        for _ in range(5):
            intercept, theta = rng.normal(-2, 1), rng.normal(0, 1.5, len(FORMS))
            assert counts.loglik(intercept, theta) == pytest.approx(
                nightly_loglik(person, intercept, theta), rel=1e-12, abs=1e-9)


def test_the_graph_term_is_the_counts_loglik_with_padding_adding_nothing(simulated):
    """Persons with different numbers of rows (padded) and fewer persons than the capacity."""
    _, data, _ = simulated
    counts = [gi_counts(d) for d in data[:3]] + [GiCounts.empty()]
    capacity = 6
    beta, sd_resp, sd_dev = pt.matrix("beta"), pt.vector("sd_resp"), pt.vector("sd_dev")
    with pm.Model(coords={"form": list(FORMS), "gi_person": list(range(capacity))}) as model:
        term = gi_loglik(stack_gi(counts), beta, sd_resp, sd_dev)
    values = [model.rvs_to_values[model[n]] for n in GI_PARAMETERS]
    f = pytensor.function([*values, beta, sd_resp, sd_dev],
                          model.replace_rvs_by_values([term])[0])
    rng = np.random.default_rng(1)
    u, r, z = rng.normal(size=capacity), rng.normal(size=capacity), rng.normal(
        size=(capacity, len(FORMS)))
    b = rng.normal(size=(len(FORMS), len(OUTCOMES)))
    s_resp, s_dev = rng.uniform(0.2, 1, len(OUTCOMES)), rng.uniform(0.2, 1, len(OUTCOMES))
    got = f(u, r, z, b, s_resp, s_dev)
    for p, c in enumerate(counts):
        theta = b[:, GI] + s_resp[GI] * r[p] + s_dev[GI] * z[p]
        assert got[p] == pytest.approx(c.loglik(c.intercept_mu + INTERCEPT_SD * u[p], theta),
                                       rel=1e-12, abs=1e-12)
    assert got[3] == 0.0 and got.shape == (4,)


def one_sided_person(simulated):
    """A person of the simulation who took magnesium and never had a GI night."""
    _, data, _ = simulated
    for person in data:
        counts = gi_counts(person)
        if counts.events.sum() == 0 and counts.tried.any():
            return counts
    pytest.fail("no person without GI nights in the simulation")


def test_without_gi_nights_the_likelihood_is_one_sided_and_no_gaussian_block_is(simulated,
                                                                               priors):
    counts = one_sided_person(simulated)
    form = int(np.flatnonzero(counts.tried)[0])
    grid = np.linspace(-30.0, 3.0, 200)

    def loglik(effect):
        theta = np.zeros(len(FORMS))
        theta[form] = effect
        return counts.loglik(counts.intercept_mu, theta)

    exact = np.array([loglik(x) for x in grid])
    assert np.all(np.diff(exact) < 0)                  # rises as the effect decreases ...
    assert exact[0] == pytest.approx(loglik(-60.0), abs=1e-6)    # ... to a plateau: flat
    # the per-person stage's Laplace block: mode and curvature of the likelihood times the
    # wide prior N(0, W^2), the prior divided out again
    wide = 2.0 * priors.settings.outcomes["gi"].smd_sd
    mode = minimize_scalar(lambda x: -loglik(x) + 0.5 * (x / wide) ** 2).x
    step = 1e-3
    curvature = -(loglik(mode + step) - 2 * loglik(mode) + loglik(mode - step)) / step**2 \
        + wide**-2
    covariance = np.diag(np.full(len(COORDINATES), wide**2))
    slot = COORDINATES.index(f"{FORMS[form]} x sol")        # any Gaussian coordinate
    covariance[slot, slot] = 1.0 / curvature
    mean = np.zeros(len(COORDINATES))
    mean[slot] = mode
    block = block_from_posterior("x", 60, mean, covariance, np.zeros(len(COORDINATES)),
                                 np.full(len(COORDINATES), wide**2))
    assert block.slots.tolist() == [slot]
    gaussian = -0.5 * block.precision[0, 0] * grid**2 + block.information[0] * grid
    assert gaussian[0] < gaussian[np.argmax(gaussian)] - 10     # falls off: two-sided


def test_blocks_leave_the_gi_effects_to_the_counts(simulated):
    _, data, _ = simulated
    n = len(COORDINATES)
    assert [COORDINATES[i] for i in range(n) if i not in GAUSSIAN_SLOTS] == \
        [f"{f} x gi" for f in FORMS]
    counts = gi_counts(data[0])
    block = block_from_posterior("p", 60, np.zeros(n), np.eye(n) * 0.1, np.zeros(n),
                                 np.ones(n), counts)
    assert np.array_equal(block.slots, GAUSSIAN_SLOTS) and block.gi is counts
    table = informative_persons([block, PersonBlock("q", 3, np.zeros(0, int), np.zeros(0),
                                                    np.zeros((0, 0)))])
    assert table[:, GI].tolist() == counts.tried.astype(int).tolist()
    stacked = stack_likelihoods([block])
    assert stacked.gi_doses.shape == (1, len(counts.nights), len(FORMS))
    assert capacity_for(1) == capacity_for(32) == 32 and capacity_for(33) == 64


@pytest.mark.fit
def test_the_population_gi_mean_is_recovered(simulated, priors):
    """GI counts of 30 simulated persons alone (no Gaussian block): ``beta x gi`` covers the
    truth where persons tried the form, and the data narrow it."""
    _, data, truth = simulated
    persons = [PersonBlock(f"p{k}", 60, np.zeros(0, int), np.zeros(0), np.zeros((0, 0)),
                           gi_counts(d)) for k, d in enumerate(data)]
    model = PopulationModel(priors, draws=500, tune=500, random_seed=3)
    model.priors_, model.persons_ = priors, persons
    posterior = model.sample(*stack_likelihoods(persons))["posterior"].to_dataset()
    assert posterior.sizes["gi_person"] == len(persons)         # trimmed to the persons fitted
    gi_beta = posterior["beta"].sel(outcome="gi").stack(s=("chain", "draw"))
    low, high = gi_beta.quantile(0.025, "s").values, gi_beta.quantile(0.975, "s").values
    tried = informative_persons(persons)[:, GI] >= 5
    assert tried.sum() >= 5
    covered = (low <= truth.beta[:, GI]) & (truth.beta[:, GI] <= high)
    assert covered[tried].all(), (low, high, truth.beta[:, GI])
    prior_sd = np.array([priors[f, "gi"].sd for f in FORMS])
    assert (gi_beta.std("s").values[tried] < prior_sd[tried]).all()


@pytest.mark.fit
def test_the_laplace_fit_does_not_correlate_gi_with_the_other_coordinates(simulated, priors,
                                                                          monkeypatch):
    """The graph's argument (no shared parameter, independent priors), checked on the fit."""
    from model.personal.graph import build_graph
    from model.population import person_stage

    diaries, data, _ = simulated
    fits = []

    def keep(*args, **kwargs):
        fits.append(real(*args, **kwargs))
        return fits[-1]

    real = person_stage.laplace
    monkeypatch.setattr(person_stage, "laplace", keep)
    for diary in diaries[:3]:
        person_stage.person_likelihood(diary, priors, fit="laplace")
    graph = build_graph(1, 1)   # the Laplace fit's coordinates: all but the held responsiveness
    start = graph.initial_point()
    names = [f"{v.name}[{i}]" for v in graph.value_vars if v.name != "responsiveness"
             for i in np.ndindex(np.shape(start[v.name]))]
    gi = np.array([n == "gi_intercept[()]" or n.endswith(f", {GI})]")
                   or n.startswith("b_gi_covariate[") for n in names])
    assert gi.sum() == len(FORMS) + 1 + len(COVARIATES)
    for fit, person in zip(fits, data[:3], strict=True):
        sd = np.sqrt(np.diag(fit.covariance))
        corr = fit.covariance / np.outer(sd, sd)
        rows = [names.index("gi_intercept[()]")] + [
            names.index(f"theta_z[{(int(f), GI)}]")
            for f in np.flatnonzero(gi_counts(person).tried)]
        assert len(rows) == 3                                   # two forms tried
        assert np.abs(corr[np.ix_(rows, np.flatnonzero(~gi))]).max() < 1e-6   # exactly 0 seen
        assert np.abs(corr[np.ix_(rows, rows)]).max() > 0.1     # GI's own correlations
