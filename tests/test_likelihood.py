"""The model's pieces, each written once (model.likelihood): families, kinetics, the prior.

Each family is checked against scipy / PyMC on data simulated from the family object itself;
its IRLS pieces against the derivative of its own log-density; the numpy and PyTensor
kinetics against each other; the personal graph built from the families recovers a person
simulated from them; and ``predict_from_draws`` agrees with the simulator at steady state.
"""

import dataclasses

import numpy as np
import pymc as pm
import pytensor
import pytensor.tensor as pt
import pytest
from scipy import stats
from scipy.special import expit, logit

from model.core.forms import FORMS, NONE
from model.core.outcomes import OUTCOMES
from model.core.regimen import Regimen
from model.data.diary import read_diary
from model.likelihood.families import (
    Bernoulli,
    NegativeBinomial,
    NormalAR1,
    Ordinal,
    ar1_carry,
    even_share_cutpoints,
    family_of,
    information,
    score,
)
from model.likelihood.folded import Folded
from model.likelihood.kinetics import build_up, design_from_regimens, exposure
from model.likelihood.prior import PersonalPrior
from model.personal.predict import predict_from_draws
from model.simulate.personas import PERSONAS, Schedule, simulate_diary
from model.trial.preposterior import truth_draws

RNG_SEEDS = [0, 1, 2]


def evaluate(tensor) -> np.ndarray:
    return np.asarray(tensor.eval())


def ar1_data(observed: np.ndarray) -> dict[str, np.ndarray]:
    """prev / gap / first of observed nights (the layout of ``personal.data``)."""
    index = np.arange(len(observed))
    running = np.maximum.accumulate(np.where(observed, index, -1))
    prev = np.r_[-1, running[:-1]]
    first = (prev < 0) | ~observed
    prev = np.where(first, index, prev)
    return {"prev": prev, "gap": np.where(first, 1, index - prev).astype(float),
            "first": first.astype(float)}


# --- families against scipy / PyMC ------------------------------------------------------------


@pytest.mark.parametrize("seed", RNG_SEEDS)
def test_normal_ar1_is_the_exact_marginal_over_gaps(seed):
    rng = np.random.default_rng(seed)
    n, sigma, rho = 40, rng.uniform(0.2, 0.8), rng.uniform(-0.5, 0.8)
    eta = rng.normal(0, 0.3, n)
    intercept = 3.0
    y = NormalAR1.draw(intercept + eta, sigma, rho, rng)
    observed = rng.random(n) > 0.3
    data = ar1_data(observed)
    params = {"intercept": pt.as_tensor(intercept), "sigma": pt.as_tensor(sigma),
              "rho": pt.as_tensor(rho)}
    logp = evaluate(NormalAR1().logp(pt.as_tensor(np.where(observed, y, 0.0)),
                                     pt.as_tensor(eta), params, data))
    times = np.flatnonzero(observed)
    cov = sigma**2 * rho ** np.abs(np.subtract.outer(times, times))
    exact = stats.multivariate_normal(intercept + eta[observed], cov).logpdf(y[observed])
    np.testing.assert_allclose(logp[observed].sum(), exact, rtol=1e-10)


def test_ar1_carry_is_the_same_in_numpy_and_pytensor():
    gap, first = np.array([1.0, 1.0, 3.0, 2.0]), np.array([1.0, 0.0, 0.0, 0.0])
    carry, scale = ar1_carry(gap, first, 0.6)
    carry_t, scale_t = ar1_carry(gap, first, pt.as_tensor(0.6), pt)
    np.testing.assert_allclose(carry, [0.0, 0.6, 0.216, 0.36])
    np.testing.assert_allclose(scale, np.sqrt(1 - carry**2))
    np.testing.assert_array_equal(evaluate(carry_t), carry)
    np.testing.assert_array_equal(evaluate(scale_t), scale)


@pytest.mark.parametrize("seed", RNG_SEEDS)
def test_negative_binomial_matches_scipy(seed):
    rng = np.random.default_rng(seed)
    over, intercept = rng.uniform(0.1, 1.0), 0.7
    eta = rng.normal(0, 0.5, 200)
    alpha = over**-2
    mu = NegativeBinomial.mean(intercept + eta)
    y = NegativeBinomial.draw(mu, alpha, rng)
    params = {"intercept": pt.as_tensor(intercept), "overdispersion": pt.as_tensor(over)}
    logp = evaluate(NegativeBinomial().logp(pt.as_tensor(y), pt.as_tensor(eta), params, {}))
    np.testing.assert_allclose(logp, stats.nbinom(alpha, alpha / (alpha + mu)).logpmf(y),
                               rtol=1e-8)
    mean, _, variance = NegativeBinomial.moments(intercept + eta, over)
    np.testing.assert_allclose(mean, mu)
    np.testing.assert_allclose(variance, stats.nbinom(alpha, alpha / (alpha + mu)).var())
    np.testing.assert_allclose(NegativeBinomial.loglik(y, mu, over), logp, rtol=1e-8)


def _negative_binomial_sums(over: float, y: np.ndarray, eta: np.ndarray) -> list[np.ndarray]:
    """Our summed log-probability and PyMC's, then each one's gradient (eta, b, over)."""
    e, intercept, overdispersion = pt.dvector("eta"), pt.dscalar("b"), pt.dscalar("over")
    ours = NegativeBinomial().logp(pt.as_tensor(y), e, {"intercept": intercept,
                                                        "overdispersion": overdispersion}, {})
    theirs = pm.logp(NegativeBinomial.dist(pt.exp(intercept + e), overdispersion), y)
    inputs = [e, intercept, overdispersion]
    sums = [v.sum() for v in (ours, theirs)]
    return pytensor.function(inputs, [*sums, *(g for v in sums for g in pt.grad(v, inputs))])(
        eta, 0.4, over)


@pytest.mark.parametrize("over, counts", [(0.6, [0, 1, 3, 7, 0, 12]), (0.3, [0, 0, 0]),
                                          (2.5, [40, 0, 1])])
def test_negative_binomial_gradient_matches_pymcs(over, counts):
    """The table-and-softplus form has PyMC's value and gradient, counts all 0 included."""
    values = _negative_binomial_sums(over, np.array(counts), np.linspace(-1, 1, len(counts)))
    for a, b in zip([values[0], *values[2:5]], [values[1], *values[5:8]], strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-7, atol=1e-9)


def test_negative_binomial_near_poisson_keeps_its_precision():
    """At overdispersion 1e-4 (alpha = 1e8) the value is Poisson's and d/d overdispersion its
    first-order limit ``over * sum((y - mu)^2 - y)``, where PyMC's form loses the digits."""
    y, eta = np.array([0, 2, 5, 1]), np.linspace(-1, 1, 4)
    mu = np.exp(0.4 + eta)
    values = _negative_binomial_sums(1e-4, y, eta)
    np.testing.assert_allclose(values[0], stats.poisson(mu).logpmf(y).sum(), rtol=1e-6)
    np.testing.assert_allclose(values[4], 1e-4 * np.sum((y - mu) ** 2 - y), rtol=1e-3)


def test_a_folded_half_normal_keeps_its_prior_and_stores_the_absolute_value():
    """Sampled as ``x`` on the line, the scale's density at ``x`` is the half-normal's at
    ``|x|`` (no Jacobian: then ``|x|`` has the half-normal's density, the two sides adding up),
    and the value kept is ``|x|``; a log transform's Jacobian would tilt it."""
    with pm.Model() as folded:
        scale = pm.HalfNormal("scale", 0.7, default_transform=Folded())
    assert [v.name for v in folded.value_vars] == ["scale_folded__"]
    x = np.linspace(-3.0, 3.0, 25)
    logp = folded.compile_logp()
    density = np.exp([logp({"scale_folded__": value}) for value in x])
    np.testing.assert_allclose(density, stats.halfnorm(scale=0.7).pdf(np.abs(x)), rtol=1e-10)
    stored = pytensor.function([folded.rvs_to_values[scale]],
                               folded.replace_rvs_by_values([scale])[0])
    np.testing.assert_allclose([stored(v) for v in x], np.abs(x))


def test_the_negative_binomial_is_even_in_its_overdispersion_so_it_may_be_folded():
    """The fold (:mod:`model.likelihood.folded`) leaves the model unchanged only if the
    likelihood depends on the overdispersion's square: value and gradient mirror at -over."""
    y, eta = np.array([0, 2, 5, 1, 9]), np.linspace(-1, 1, 5)
    plus, minus = (_negative_binomial_sums(over, y, eta) for over in (0.45, -0.45))
    np.testing.assert_allclose(minus[0], plus[0], rtol=1e-12)
    np.testing.assert_allclose(minus[4], -plus[4], rtol=1e-10)


def test_the_personal_graph_samples_the_overdispersion_folded():
    from model.personal.graph import build_graph

    names = [v.name for v in build_graph(30, 2).value_vars]
    assert "awakenings_overdispersion_folded__" in names
    assert not any("overdispersion_log" in name for name in names)


@pytest.mark.parametrize("seed", RNG_SEEDS)
def test_ordinal_matches_pymc_and_its_own_draws(seed):
    rng = np.random.default_rng(seed)
    family = Ordinal(5)
    cuts = even_share_cutpoints(5) + rng.normal(0, 0.2)
    eta = rng.normal(0, 1.5, 60)
    y = family.draw(eta, cuts, rng)
    logp = evaluate(family.logp(pt.as_tensor(y), pt.as_tensor(eta),
                                {"cutpoints": pt.as_tensor(cuts)}, {}))
    reference = pm.logp(pm.OrderedLogistic.dist(eta=eta, cutpoints=cuts), y).eval()
    np.testing.assert_allclose(logp, reference, rtol=1e-8)
    # the graph's path, with the cut-points' gaps as the prior's parameters, and numpy's
    with_gaps = evaluate(family.logp(pt.as_tensor(y), pt.as_tensor(eta),
                                     {"cutpoints": pt.as_tensor(cuts),
                                      "gaps": pt.as_tensor(np.diff(cuts))}, {}))
    np.testing.assert_allclose(with_gaps, reference, rtol=1e-8)
    np.testing.assert_allclose(Ordinal.loglik(y, eta[None], cuts[None])[0], reference,
                               rtol=1e-8)
    probabilities = Ordinal.probabilities(eta, cuts)
    np.testing.assert_allclose(np.log(probabilities[np.arange(len(y)), y]), logp, rtol=1e-8)
    np.testing.assert_allclose(Ordinal.mean(eta, cuts), probabilities @ np.arange(5))
    # the draws follow the probabilities (one eta, many nights)
    many = family.draw(np.full(20000, eta[0]), cuts, rng)
    share = np.bincount(many, minlength=5) / len(many)
    np.testing.assert_allclose(share, probabilities[0], atol=0.015)


def test_even_share_cutpoints_make_categories_equally_likely():
    for k in (2, 5, 10, 11):
        cuts = even_share_cutpoints(k)
        np.testing.assert_allclose(cuts, logit(np.arange(1, k) / k), atol=1e-14)
        np.testing.assert_allclose(Ordinal.probabilities(np.zeros(1), cuts)[0],
                                   np.full(k, 1 / k))


@pytest.mark.parametrize("seed", RNG_SEEDS)
def test_bernoulli_matches_scipy(seed):
    rng = np.random.default_rng(seed)
    eta = rng.normal(-1, 1, 300)
    y = Bernoulli.draw(-0.5 + eta, rng).astype(int)
    logp = evaluate(Bernoulli().logp(pt.as_tensor(y), pt.as_tensor(eta),
                                     {"intercept": pt.as_tensor(-0.5)}, {}))
    np.testing.assert_allclose(logp, stats.bernoulli(expit(-0.5 + eta)).logpmf(y), rtol=1e-10)


def test_irls_pieces_are_the_derivatives_of_the_log_density():
    """``score`` is d loglik / d eta (numerically) and ``information`` its expected curvature."""
    rng = np.random.default_rng(4)
    eta = rng.normal(0, 0.5, 50)
    cases = [
        (NormalAR1.moments(eta, 0.5), lambda e: stats.norm(e, 0.5).logpdf(y_norm)),
        (NegativeBinomial.moments(eta, 0.4),
         lambda e: stats.nbinom(6.25, 6.25 / (6.25 + np.exp(e))).logpmf(y_nb)),
        (Bernoulli.moments(eta), lambda e: stats.bernoulli(expit(e)).logpmf(y_b)),
    ]
    y_norm = eta + rng.normal(0, 0.5, 50)
    y_nb = NegativeBinomial.draw(np.exp(eta), 6.25, rng)
    y_b = Bernoulli.draw(eta, rng).astype(int)
    for (moments, loglik), y in zip(cases, (y_norm, y_nb, y_b), strict=True):
        h = 1e-6
        numeric = (loglik(eta + h) - loglik(eta - h)) / (2 * h)
        np.testing.assert_allclose(score(y, moments), numeric, rtol=1e-5, atol=1e-7)
        assert np.all(information(moments) > 0)


def test_family_of_follows_the_outcome_registry():
    assert isinstance(family_of("sol"), NormalAR1)
    assert isinstance(family_of("awakenings"), NegativeBinomial)
    assert family_of("freshness") == Ordinal(10)
    assert isinstance(family_of("gi"), Bernoulli)


# --- kinetics and the prior ---------------------------------------------------------------------


@pytest.mark.parametrize("forms, doses", [
    (["none", "glycinate", "glycinate", "citrate", "none"] * 4, [0, 300, 300, 200, 0] * 4),
    (["glycinate"] * 5 + ["citrate"] * 9 + ["glycinate"] * 6, [100] * 5 + [350] * 9 + [300] * 6),
    (["none"] * 20, [0] * 20),
])
def test_kinetics_numpy_and_pytensor_agree(forms, doses):
    design = design_from_regimens(forms, doses, [False] * 20, ed50_mg=150, reference_mg=300)
    tau = pt.scalar("tau")
    graph = exposure(*design.segments(), design.change_step, design.current, tau, pt)
    for value in (0.5, 3.0, 12.0):
        np.testing.assert_allclose(graph.eval({tau: value}), build_up(design, value),
                                   rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(build_up(design, np.array([0.5, 3.0, 12.0]))[1],
                               build_up(design, 3.0), rtol=1e-12, atol=1e-15)
    # the recursion L[t] = a L[t-1] + (1 - a) D[t] of the one store that the step sum stands
    # for, times the form last taken
    a, recursion, level, last = np.exp(-1 / 3.0), [], 0.0, np.zeros(len(FORMS))
    for row in design.input:
        level = a * level + (1 - a) * row.sum()
        last = (row > 0).astype(float) if row.any() else last
        recursion.append(level * last)
    np.testing.assert_allclose(build_up(design, 3.0), np.array(recursion), atol=1e-12)


def test_a_switch_of_forms_shows_the_new_form_at_once_and_a_stop_fades_the_last():
    forms = ["glycinate"] * 30 + ["taurate"] * 5 + ["none"] * 5
    design = design_from_regimens(forms, [300.0] * 35 + [0.0] * 5, [False] * 40,
                                  ed50_mg=150, reference_mg=300)
    e = build_up(design, 5.0)
    glycinate, taurate = FORMS.index("glycinate"), FORMS.index("taurate")
    assert e[29, glycinate] == pytest.approx(1 - np.exp(-30 / 5.0))
    # the store is full: taurate's first night is at the store's level, glycinate is gone
    assert e[30, taurate] == pytest.approx(e[29, glycinate], rel=0.01)
    assert e[30, glycinate] == 0.0
    # after the stop taurate's effect fades with the store, no other form appears
    assert e[35, taurate] < e[34, taurate] and e[39, taurate] > 0
    assert np.count_nonzero(e[35:], axis=0).tolist() == [5 if f == "taurate" else 0
                                                        for f in FORMS]


def test_prior_draws_follow_the_graphs_structure(priors):
    prior = PersonalPrior.of(priors)
    rng = np.random.default_rng(0)
    thetas = np.array([prior.draw_theta(rng) for _ in range(4000)])
    sd = np.sqrt(prior.spread**2 + prior.resp_sd[None] ** 2)
    assert np.all(np.abs(thetas.mean(0) - prior.mean) < 4 * sd / np.sqrt(len(thetas)))
    np.testing.assert_allclose(thetas.std(0) / sd, 1.0, atol=0.06)
    theta, r = thetas[:5], rng.normal(0, prior.resp_sd, (5, len(OUTCOMES)))
    exact = stats.norm(prior.mean[None] + r[:, None], prior.spread[None]).logpdf(theta)
    constant = 0.5 * np.log(2 * np.pi) * prior.mean.size
    np.testing.assert_allclose(prior.log_density(theta, r), exact.sum(axis=(1, 2)) + constant)


# --- the graph built from the families recovers a person simulated from them --------------------


def interval(values, level=0.9):
    return np.quantile(values, [(1 - level) / 2, (1 + level) / 2])


@pytest.mark.fit
def test_graph_recovers_a_person_simulated_from_the_same_families(priors):
    from model.personal.fit import PersonalModel

    person = dataclasses.replace(PERSONAS["responder"], sol_sigma=0.4, sol_rho=0.3,
                          awakenings_mean=2.5, overdispersion=0.4, gi_baseline=0.1)
    frame = simulate_diary(person, 150, seed=21)
    fit = PersonalModel(priors, draws=600, tune=300, chains=4, random_seed=3).fit(
        read_diary(frame))
    truth = {"sol_sigma": 0.4, "sol_rho": 0.3, "sol_intercept": np.log1p(person.sol_median),
             "awakenings_intercept": np.log(2.5), "awakenings_overdispersion": 0.4}
    covered = {k: bool(interval(fit.draws_of(k))[0] <= v <= interval(fit.draws_of(k))[1])
               for k, v in truth.items()}
    assert sum(covered.values()) >= 4, covered
    glycinate = FORMS.index("glycinate")
    quality = fit.draws_of("theta")[:, glycinate, OUTCOMES.index("quality")]
    low, high = interval(quality)
    assert low <= person.effects["glycinate"]["quality"] <= high


# --- predictions agree with the simulator -------------------------------------------------------


def test_predictions_match_simulated_nights_at_steady_state(priors):
    """Means of simulated steady-state nights = ``predict_from_draws`` on the true draw."""
    regimen = Regimen("glycinate", 300)
    base = PERSONAS["glycinate_responder_citrate_gi"]
    person = dataclasses.replace(base, caffeine={}, alcohol={}, missing_rate=0.0,
                          schedule=Schedule(((regimen, 1),)), tau=2.0)
    nights = 6000
    settings = priors.settings
    frame = simulate_diary(person, nights, seed=5, ed50_mg=settings.ed50_mg,
                           reference_mg=settings.reference_dose_mg).iloc[60:]
    predicted = predict_from_draws(truth_draws(person), [regimen, Regimen(NONE)], priors)
    gi = frame["stool_bristol"] >= 6
    observed = {"sol_min": frame["sol_min"], "awakenings": frame["awakenings"],
                "quality": frame["quality"], "freshness": frame["freshness"],
                "anxiety": frame["anxiety"], "gi_rate": gi.astype(float)}
    for key, values in observed.items():
        expected = float(predicted[key].sel(regimen=regimen.label).values[0])
        # AR(1) nights are correlated: inflate the standard error generously
        se = 3 * values.std() / np.sqrt(len(values))
        assert abs(values.mean() - expected) < 4 * se, (key, values.mean(), expected, se)
