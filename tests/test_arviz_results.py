"""ArviZ-complete personal fits: observed data, pointwise log-likelihood, posterior predictive."""

import warnings

import arviz as az
import numpy as np
import pymc as pm
import pytest
from pymc.model.transform.conditioning import remove_value_transforms
from scipy import stats

from model.core.forms import FORMS
from model.core.outcomes import OUTCOMES, SPECS
from model.data.diary import read_diary
from model.likelihood.families import (
    Bernoulli,
    NegativeBinomial,
    NormalAR1,
    Ordinal,
    ar1_errors,
)
from model.personal.fit import PersonalModel
from model.personal.nightly import COLUMNS, pointwise_loglik
from model.simulate.personas import simulate_diary

COLUMN_LIST = [COLUMNS[o] for o in OUTCOMES]


@pytest.fixture(scope="module")
def fitted(priors):
    diary = read_diary(simulate_diary("responder", 90, seed=21))
    return PersonalModel(priors, draws=600, tune=300, chains=4, random_seed=3).fit(diary)


# -- the families' numpy log-densities (no sampling) ---------------------------------------------
def test_numpy_logliks_give_the_known_densities():
    rng = np.random.default_rng(0)
    mu, y = rng.uniform(0.5, 4, (3, 8)), rng.integers(0, 7, 8)
    over = np.array([[0.3], [0.6], [1.1]])
    alpha = over**-2
    assert np.allclose(NegativeBinomial.loglik(y, mu, over),
                       stats.nbinom.logpmf(y, alpha, alpha / (alpha + mu)))
    eta = rng.normal(0, 2, (3, 8))
    events = rng.integers(0, 2, 8)
    assert np.allclose(Bernoulli.loglik(events, eta),
                       stats.bernoulli.logpmf(events, 1 / (1 + np.exp(-eta))))
    cuts = np.sort(rng.normal(0, 2, (3, 4)), axis=1)
    each = np.stack([Ordinal.loglik(np.full(8, k), eta, cuts) for k in range(5)])
    assert np.allclose(np.exp(each).sum(axis=0), 1.0)              # a distribution over 5
    assert np.allclose(np.exp(each), np.moveaxis(Ordinal.probabilities(eta, cuts[:, None]),
                                                 -1, 0))
    # AR(1): first night marginal, a next night given the previous one
    data = {"gap": np.array([1.0, 1.0, 3.0]), "first": np.array([1.0, 0.0, 0.0]),
            "prev": np.array([0, 0, 1])}
    sol = np.array([3.0, 3.5, 2.0])
    mean, sigma, rho = np.array([[3.2, 3.2, 3.2]]), np.array([0.4]), np.array([0.5])
    got = NormalAR1.loglik(sol, mean, sigma, rho, data)[0]
    assert np.isclose(got[0], stats.norm.logpdf(3.0, 3.2, 0.4))
    assert np.isclose(got[1], stats.norm.logpdf(3.5, 3.2 + 0.5 * -0.2, 0.4 * np.sqrt(0.75)))
    assert np.isclose(got[2], stats.norm.logpdf(2.0, 3.2 + 0.125 * 0.3,
                                                0.4 * np.sqrt(1 - 0.125**2)))


def test_batched_ar1_errors_have_the_stated_spread_and_autocorrelation():
    rng = np.random.default_rng(1)
    errors = ar1_errors(60, np.array([0.5, 2.0]).repeat(2000), np.full(4000, 0.6), rng)
    assert errors.shape == (4000, 60)
    assert np.allclose(errors[:2000].std(), 0.5, rtol=0.03)
    assert np.allclose(errors[2000:].std(), 2.0, rtol=0.03)
    lag = np.corrcoef(errors[:, 1:].ravel(), errors[:, :-1].ravel())[0, 1]
    assert abs(lag - 0.6) < 0.02


# -- a real fit ------------------------------------------------------------------------------------
@pytest.mark.fit
def test_pointwise_loglik_sums_to_the_graphs_own_potentials(fitted):
    """The numpy nightly log-likelihood is the sampled graph's, draw by draw."""
    model = remove_value_transforms(fitted.model)
    function = model.compile_fn(outs=model.replace_rvs_by_values(model.potentials),
                                inputs=model.value_vars, on_unused_input="ignore")
    data = fitted._data
    pointwise = pointwise_loglik(fitted.draws_, data)
    names = [v.name for v in model.value_vars]
    for i in (0, 123, 599):
        graph = dict(zip([p.name for p in model.potentials],
                         function({n: fitted.draws_[n][i] for n in names}), strict=True))
        for outcome in OUTCOMES:
            mine = float((data[f"{outcome}_w"] * pointwise[outcome][i]).sum())
            if outcome == "sol":  # the graph's density is of log1p(minutes)
                mine += float((data["sol_w"] * data["sol_y"]).sum())
            assert mine == pytest.approx(float(graph[f"{outcome}_loglik"]), rel=1e-9)


def _loo(idata, column: str):
    """``az.loo`` of one outcome; its warning of a Pareto k above 0.7 is counted by the test."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Estimated shape parameter of Pareto", UserWarning)
        return az.loo(idata, var_name=column)


@pytest.mark.fit
def test_idata_carries_observed_data_and_a_log_likelihood_loo_can_use(fitted):
    idata = fitted.idata_
    assert {"posterior", "sample_stats", "observed_data", "log_likelihood"} <= set(
        idata.children)
    nights = fitted.diary_.nights
    for outcome, column in zip(OUTCOMES, COLUMN_LIST, strict=True):
        observed = idata["observed_data"][column]
        recorded = nights[SPECS[outcome].column].dropna()
        assert np.array_equal(observed.values, recorded.to_numpy(float))
        loglik = idata["log_likelihood"][column]
        assert loglik.dims == ("chain", "draw", f"{column}_night")
        posterior = idata["posterior"]
        assert loglik.shape == (posterior.sizes["chain"], posterior.sizes["draw"], len(recorded))
        assert np.isfinite(loglik.values).all()
        loo = _loo(idata, column)
        assert np.isfinite(loo.elpd) and loo.n_data_points == len(recorded)
        # PSIS is trusted on all but the odd influential night (one of 90 reached k 0.78 on
        # sleep-onset latency with seed 3 under numpy 2.5 / arviz-stats 1.3.3; 0.51 with seed 4)
        assert float(np.mean(loo.pareto_k.values > 0.7)) <= 0.02
    # elpd per night is the log of a mean likelihood: below the mean log-likelihood's bound
    sol = _loo(idata, "sol_min")
    mean_lpd = np.log(np.exp(idata["log_likelihood"]["sol_min"]).mean(("chain", "draw")))
    assert sol.elpd <= float(mean_lpd.sum()) + 1e-9


@pytest.mark.fit
def test_posterior_predictive_replicates_the_diary(fitted):
    idata = fitted.sample_posterior_predictive(random_seed=5)
    replicated = idata["posterior_predictive"]
    observed = idata["observed_data"]
    for column in COLUMN_LIST:
        assert replicated[column].dims[2:] == observed[column].dims
    for column in ("quality", "freshness", "anxiety"):
        spec = SPECS[column]
        values = replicated[column].values
        assert values.min() >= spec.lowest and values.max() <= spec.lowest + spec.categories - 1
    # the observed mean of each outcome lies within the replicated diaries' central 98 %
    for column in COLUMN_LIST:
        means = replicated[column].mean(f"{column}_night").values.ravel()
        low, high = np.quantile(means, [0.01, 0.99])
        assert low <= float(observed[column].mean()) <= high, column
    assert np.unique(replicated["gi_night"].values).tolist() in ([0], [0, 1])


@pytest.mark.fit
def test_model_is_the_sampled_graph_with_the_diary_data(fitted):
    model = fitted.model
    assert {"theta_z", "log_tau", "sol_sigma"} <= {rv.name for rv in model.free_RVs}
    assert model["sol_y"].get_value().shape == (fitted.diary_.n_nights,)
    assert "theta_z" in pm.model_to_mermaid(model)


@pytest.mark.fit
def test_a_loaded_fit_has_the_same_log_likelihood(fitted, priors, tmp_path):
    fitted.save(tmp_path / "fit.nc")
    loaded = PersonalModel.load(tmp_path / "fit.nc", priors)
    assert np.allclose(loaded.idata_["log_likelihood"]["awakenings"].values,
                       fitted.idata_["log_likelihood"]["awakenings"].values)


@pytest.mark.fit
def test_power_scaling_finds_the_untried_forms_prior_driven(fitted):
    result = fitted.power_scaling()
    assert "log_prior" in fitted.idata_.children and result.reliable
    table = result.table
    assert len(table) == len(FORMS) * len(OUTCOMES)
    effects = fitted.effects().set_index(["form", "outcome"])
    rows = {(form, outcome): table.loc[f"theta[{form}, {outcome}]"]
            for form in FORMS for outcome in OUTCOMES}

    def median(component, tried):
        return np.median([rows[k][component] for k in rows if effects.loc[k, "tried"] == tried])

    # the diary moves the tried forms' effects most; the untried ones follow their prior
    assert median("likelihood", True) > median("likelihood", False)
    assert median("prior", False) > median("prior", True)
    assert median("prior", False) > max(0.05, median("likelihood", False))
