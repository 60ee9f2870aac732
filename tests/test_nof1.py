"""The n-of-1 engine: building blocks, diagnostics, recovery of known effects, real data.

Fits are tiny (2 chains x 300 draws) and shared per module. Real-data expectations (what the
data show, checked against a simple frequentist estimate of the same contrast):

- nof1ins 28 days (normal): treatment 2 vs 1 lowers Y by about 2 (means 6.0 vs 8.0); with
  AR(1) the days within a block are correlated (rho > 0), so the effect is less certain
  (wider interval) and pulled towards zero.
- laughter (ordinal, 11 categories, 3 never used): no clear difference (mean category 6.2
  vs 6.8); the interval spans zero.
- afib (binary): 7/19 vs 5/19 episode days with the coffee trigger, log odds ratio about
  0.5 with a wide interval spanning zero.
- Gwern's magnesium citrate RCT: no benefit. 136 mg lengthens Time.to.Z by about 4 min
  (16.9 vs 12.6 min) and lowers ZQ by about 3; 800 mg shortens Time.to.Z by about 2 min and
  raises ZQ by about 1.5, both within noise; awakenings about 8 % fewer on both doses;
  Morning.Feel flat.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pymc as pm
import pytest
import xarray as xr
from pymc_extras.prior import Prior
from scipy import optimize, stats
from scipy.special import expit

from model.core.errors import InputError, MgsleepError
from model.inference.cache_key import graph_key
from model.inference.diagnostics import Diagnostics, check_convergence, ess_threshold
from model.inference.samplers import default_sampler, resolve_sampler, sampler_available
from model.nof1 import (
    FAMILIES,
    Nof1Model,
    ar1_latent,
    level_label,
    observe,
    observe_normal_ar1,
    prepare_data,
    simulate_nof1,
)

REAL = Path(__file__).resolve().parents[2] / "shared" / "real-data"
TINY = {"draws": 300, "tune": 300, "chains": 2}


def real(name: str) -> pd.DataFrame:
    path = REAL / name
    if not path.is_file():
        pytest.skip(f"real data not available: {path}")
    return pd.read_csv(path)


# --- diagnostics on fake posteriors ----------------------------------------------------------


def fake_tree(values: np.ndarray, diverging: int = 0) -> xr.DataTree:
    chains, draws = values.shape[:2]
    posterior = xr.Dataset({"theta": (("chain", "draw"), values),
                            "constant": (("chain", "draw"), np.ones((chains, draws)))})
    flags = np.zeros((chains, draws), dtype=bool)
    flags.flat[:diverging] = True
    stats_ = xr.Dataset({"diverging": (("chain", "draw"), flags)})
    return xr.DataTree.from_dict({"posterior": posterior, "sample_stats": stats_})


def test_diagnostics_pass_for_iid_draws():
    rng = np.random.default_rng(0)
    result = check_convergence(fake_tree(rng.normal(size=(4, 1000))))
    assert result.ok and result.max_rhat < 1.01 and result.min_ess_bulk > 400
    assert result.to_dict() == {"ok": True, "max_rhat": result.max_rhat,
                                "min_ess_bulk": result.min_ess_bulk, "divergences": 0}


def test_diagnostics_fail_for_stuck_chains_and_divergences():
    rng = np.random.default_rng(0)
    shifted = rng.normal(size=(4, 500)) + np.arange(4)[:, None]
    assert not check_convergence(fake_tree(shifted)).ok
    assert check_convergence(fake_tree(shifted)).max_rhat > 1.1
    diverging = check_convergence(fake_tree(rng.normal(size=(4, 500)), diverging=3))
    assert diverging.divergences == 3 and not diverging.ok
    too_short = check_convergence(fake_tree(rng.normal(size=(2, 2))))
    assert not too_short.ok and too_short.max_rhat == float("inf")


def test_ess_threshold_scales_with_short_fits():
    assert ess_threshold(4000) == 400
    assert ess_threshold(600) == 60


# --- sampler choice --------------------------------------------------------------------------


def test_sampler_resolution():
    assert default_sampler() == ("nutpie" if sampler_available("nutpie") else "pymc")
    assert resolve_sampler("pymc") == "pymc"
    with pytest.raises(MgsleepError, match="unknown sampler"):
        resolve_sampler("metropolis")
    if not sampler_available("numpyro"):
        with pytest.raises(MgsleepError, match="not installed"):
            resolve_sampler("numpyro")


# --- building blocks (no sampling) -----------------------------------------------------------


def evaluate(model: pm.Model, variable, point: dict) -> np.ndarray:
    """Value of a model variable at a point of the (transformed) value variables."""
    [graph] = model.replace_rvs_by_values([variable])
    fn = model.compile_fn(graph, inputs=model.value_vars, point_fn=False,
                          on_unused_input="ignore")
    return fn(*(point[v.name] for v in model.value_vars))


def ar_covariance(rho: float, sd: float, times: np.ndarray) -> np.ndarray:
    return sd**2 * rho ** np.abs(np.subtract.outer(times, times))


@pytest.mark.parametrize("rho", [-0.6, 0.0, 0.8])
def test_ar1_latent_has_the_stationary_covariance(rho):
    n = 6
    with pm.Model(coords={"t": range(n)}) as m:
        process = ar1_latent("ar", "t")
    # x = L z with z ~ N(0, I): the covariance is L L^T; evaluate L column by column.
    sigma = 0.7
    base = {"ar_rho_interval__": 2 * np.arctanh(rho), "ar_sigma_log__": np.log(sigma)}
    columns = [evaluate(m, process, base | {"ar_z": np.eye(n)[k]}) for k in range(n)]
    L = np.column_stack(columns)
    np.testing.assert_allclose(L @ L.T, ar_covariance(rho, sigma / np.sqrt(1 - rho**2),
                                                      np.arange(n)), atol=1e-12)


def test_observe_normal_ar1_is_the_exact_gaussian_likelihood():
    y = np.array([1.0, np.nan, 0.5, 2.0, np.nan, np.nan, 1.5])
    times = np.arange(y.size)
    rho, sigma, mu = 0.6, 1.3, 0.9
    with pm.Model() as m:
        observe_normal_ar1("y", pt_constant(mu, y.size), y, times)
    logp = m.compile_logp(vars=[m["y"]])(
        {"y_rho_interval__": 2 * np.arctanh(rho), "y_sigma_log__": np.log(sigma)})
    seen = ~np.isnan(y)
    exact = stats.multivariate_normal(np.full(seen.sum(), mu),
                                      ar_covariance(rho, sigma, times[seen])).logpdf(y[seen])
    assert logp == pytest.approx(exact, rel=1e-10)


def pt_constant(value: float, n: int):
    import pytensor.tensor as pt

    return pt.as_tensor_variable(np.full(n, value))


@pytest.mark.parametrize("family", FAMILIES)
def test_observe_keeps_only_observed_entries(family):
    y = np.array([0.0, 1.0, np.nan, 1.0, np.nan, 3.0])
    if family == "binomial":
        y = np.minimum(y, 1.0)
    with pm.Model(coords={"night": [f"n{i}" for i in range(y.size)]}) as m:
        eta = pm.Normal("eta", 0.0, 1.0, dims="night")
        observe(family, "y", eta, y, "night", n_categories=6)
    assert list(m.coords["y_obs"]) == ["n0", "n1", "n3", "n5"]
    assert np.isfinite(m.compile_logp()(m.initial_point()))


@pytest.mark.parametrize("family, options", [("normal", {"ar1": True}), ("ordinal", {}),
                                             ("negbin", {"trend": True})])
def test_new_data_of_the_same_sizes_reuse_the_compiled_model(family, options):
    """Data and data-scaled priors are ``pm.Data``: the compile-cache key ignores them (a new
    night, other values), but not another level, which adds a parameter."""

    def key(seed: int, nights: int = 56, effects: dict | None = None) -> str:
        data = simulate_nof1(family, n_nights=nights, effects=effects or {"B": 0.5},
                             missing=0.1, seed=seed)
        built = Nof1Model(family, **options).build(data, outcome="y", treatment="treatment")
        return graph_key(built)

    base = key(1)
    assert key(2) == base
    if not options.get("trend"):  # the trend's Deterministic spans every night
        assert key(3, nights=57) == base
    assert key(1, effects={"B": 0.5, "C": 0.2}) != base


def test_ordinal_with_empty_categories_has_ordered_cutpoints():
    y = np.array([0.0, 0.0, 5.0, 10.0])  # 11 categories, most never observed
    with pm.Model(coords={"i": range(4)}) as m:
        observe("ordinal", "y", pt_constant(0.0, 4), y, "i", n_categories=11)
    cut = evaluate(m, m["y_cutpoints"], m.initial_point())
    assert cut.shape == (10,) and np.all(np.diff(cut) > 0)
    assert np.isfinite(m.compile_logp()(m.initial_point()))


# --- data validation -------------------------------------------------------------------------


def test_level_labels_match_numeric_codes():
    assert level_label(1) == level_label(1.0) == level_label("1") == "1"
    assert level_label("Laughter") == "Laughter" and level_label(2.5) == "2.5"


@pytest.mark.parametrize(("change", "where"), [
    ({"outcome": "nope"}, "column nope"),
    ({"reference": "3"}, "column Treat"),
    ({"family": "poisson", "outcome": "Neg"}, "row 2, column Neg"),
    ({"outcome": "Text"}, "row 3, column Text"),
    ({"time": "When"}, "row 1, column When"),
])
def test_prepare_data_faults_name_row_and_column(change, where):
    data = pd.DataFrame({"Y": [1.0, 2, 3, 4], "Treat": [1, 2, 1, 2],
                         "Neg": [1, -1, 2, 3], "Text": ["1", "2", "x", "4"],
                         "When": ["soon", 1, 2, 3]})
    kwargs = {"family": "normal", "outcome": "Y", "treatment": "Treat"} | change
    with pytest.raises(InputError) as caught:
        prepare_data(data, source="d.csv", **kwargs)
    assert any(f.where == where and f.file == "d.csv" for f in caught.value.faults)


def test_unknown_prior_name_has_a_hint():
    model = Nof1Model(priors={"efect": Prior("Normal", mu=0, sigma=1)})
    with pytest.raises(MgsleepError, match="did you mean 'effect'"):
        model.build(pd.DataFrame({"y": [1.0, 2.0], "t": ["a", "b"]}), outcome="y",
                    treatment="t")


# --- fits ------------------------------------------------------------------------------------


def fit(data, family="normal", ar1=False, seed=1, **kwargs):
    spec = {k: kwargs.pop(k) for k in ("outcome", "treatment", "time", "person") if k in kwargs}
    return Nof1Model(family=family, ar1=ar1, random_seed=seed, **TINY, **kwargs).fit(data, **spec)


def interval(fitted, level=0.90, contrast=None):
    draws = fitted.idata_["posterior"]["effect"]
    values = (draws.sel(contrast=contrast) if contrast else draws.isel(contrast=0)).values
    return np.quantile(values.ravel(), [(1 - level) / 2, (1 + level) / 2])


@pytest.mark.fit
def test_failed_convergence_is_reported():
    data = simulate_nof1("normal", n_nights=28, seed=0)
    fitted = Nof1Model(draws=3, tune=1, chains=2, random_seed=0, sampler="pymc").fit(
        data, outcome="y", treatment="treatment")
    assert isinstance(fitted.diagnostics_, Diagnostics) and not fitted.diagnostics_.ok


@pytest.mark.fit
@pytest.mark.parametrize("family", FAMILIES)
# One fast seeded recovery per family in `make test`: the AR(1) model, the larger one (every
# family's plain model is also fitted there to real or simulated data, below and in
# tests/test_nof1_cmd.py); both, over 20 seeds, in `make check-stats`.
@pytest.mark.parametrize("ar_rho", [pytest.param(0.0, marks=pytest.mark.slow), 0.6])
def test_recovers_known_effect_one_seed(family, ar_rho):
    data = simulate_nof1(family, n_nights=84, ar_rho=ar_rho, seed=11)
    fitted = fit(data, family, ar1=ar_rho > 0, outcome="y", treatment="treatment",
                 time="night", categories=(0, 4) if family == "ordinal" else None)
    # One seed is a smoke test: the 99 % interval fails 1 % of the time when calibrated;
    # calibration itself (90 % coverage over seeds) is the slow test below.
    low, high = interval(fitted, level=0.99)
    assert low < data.attrs["effects"]["B"] < high
    assert fitted.diagnostics_.divergences <= 5


@pytest.mark.slow
@pytest.mark.fit
@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("ar_rho", [0.0, 0.6])
def test_recovers_known_effect_in_most_seeds(family, ar_rho):
    covered = 0
    for seed in range(20):
        data = simulate_nof1(family, n_nights=84, ar_rho=ar_rho, seed=100 + seed)
        fitted = fit(data, family, ar1=ar_rho > 0, seed=seed, outcome="y",
                     treatment="treatment", time="night",
                     categories=(0, 4) if family == "ordinal" else None)
        low, high = interval(fitted)
        covered += low < data.attrs["effects"]["B"] < high
    # Nominal 18 of 20; 15 or fewer happens with probability 1 % when calibrated (10 seeds
    # and ">= 8" failed one cell in 14 by chance alone).
    assert covered >= 15


@pytest.mark.fit
def test_three_levels_and_persons_are_partially_pooled():
    frames = [simulate_nof1("normal", n_nights=42, effects={"B": 1.0, "C": -1.0}, seed=s)
              .assign(person=f"p{s}") for s in range(3)]
    data = pd.concat(frames, ignore_index=True)
    fitted = fit(data, outcome="y", treatment="treatment", person="person", threshold=0.5)
    assert list(fitted.effects_["treatment"]) == ["B", "C"]
    assert set(fitted.effects_["vs"]) == {"A"}
    assert {"p_beyond", "p_positive", "ci_low", "ci_high"} <= set(fitted.effects_.columns)
    persons = fitted.persons_
    assert sorted(persons["person"].unique()) == ["p0", "p1", "p2"]
    assert len(persons) == 6
    for _, row in fitted.effects_.iterrows():
        assert row.ci_low < {"B": 1.0, "C": -1.0}[row.treatment] < row.ci_high


# --- real data -------------------------------------------------------------------------------


def welch(y: pd.Series, group: pd.Series, level, reference) -> tuple[float, float]:
    a, b = y[group == level].dropna(), y[group == reference].dropna()
    return a.mean() - b.mean(), np.sqrt(a.var() / len(a) + b.var() / len(b))


def assert_agrees(fitted, estimate: float, se: float, contrast=None):
    """The posterior mean lies in the frequentist 95 % CI and the estimate in the posterior one."""
    row = fitted.effects_.set_index("treatment").loc[contrast] if contrast else \
        fitted.effects_.iloc[0]
    assert estimate - 1.96 * se < row["mean"] < estimate + 1.96 * se
    assert row["ci_low"] < estimate < row["ci_high"]


@pytest.fixture(scope="module")
def nof1ins():
    data = real("nof1_nof1ins_readme_28day.csv")
    spec = {"outcome": "Y", "treatment": "Treat", "time": "Day", "reference": 1}
    return data, fit(data, **spec), fit(data, ar1=True, **spec)


@pytest.mark.fit
def test_nof1ins_normal_with_and_without_ar1(nof1ins):
    data, plain, ar = nof1ins
    estimate, se = welch(data["Y"], data["Treat"], 2, 1)
    assert estimate == pytest.approx(-2.0)
    assert_agrees(plain, estimate, se)
    assert plain.effects_["p_positive"].iloc[0] < 0.01
    assert ar.idata_["posterior"]["y_rho"].mean() > 0.3  # days within a block correlate
    assert ar.effects_["sd"].iloc[0] > plain.effects_["sd"].iloc[0]
    assert ar.effects_["mean"].iloc[0] < 0
    assert plain.diagnostics_.divergences == 0


@pytest.mark.fit
def test_laughter_ordinal_eleven_categories():
    data = real("nof1_laughter.csv")
    fitted = fit(data, "ordinal", outcome="Y", treatment="Treat", reference="Usual Routine",
                 categories=(1, 11))
    assert fitted.idata_["posterior"]["y_cutpoints"].sizes["y_cutpoints_index"] == 10
    estimate, se = proportional_odds(data["Y"].to_numpy() - 1, (data["Treat"] == "Laughter")
                                     .to_numpy(float), 11)
    assert_agrees(fitted, estimate, se)
    row = fitted.effects_.iloc[0]
    assert row.ci_low < 0 < row.ci_high
    # Ten cut-points for 18 ratings, several categories never used: the gap prior keeps
    # their cut-points out of the flat tails that made NUTS diverge (see Ordinal). A single
    # divergence in 600 transitions is chance: seeds 0-19 gave none each, alone, but seed
    # 1 gave one inside the whole suite (in CI), where the tests before it change the draws.
    assert fitted.diagnostics_.divergences <= 2


@pytest.mark.fit
def test_afib_binary():
    data = real("nof1_afib_sample_input.csv")
    fitted = fit(data, "binomial", outcome="afib_episode_yn", treatment="treatment",
                 reference="control")
    counts = data.groupby("treatment")["afib_episode_yn"].agg(["sum", "count"])
    events = counts["sum"].to_numpy()
    table = np.column_stack([events, counts["count"].to_numpy() - events])  # control, trigger
    estimate = np.log(table[1, 0] * table[0, 1] / (table[1, 1] * table[0, 0]))
    se = np.sqrt((1.0 / table).sum())
    assert estimate == pytest.approx(np.log((7 / 12) / (5 / 14)))
    assert_agrees(fitted, estimate, se)
    assert fitted.effects_["ci_low"].iloc[0] < 0 < fitted.effects_["ci_high"].iloc[0]


def proportional_odds(codes: np.ndarray, x: np.ndarray, k: int) -> tuple[float, float]:
    """Maximum-likelihood slope of a cumulative-logit model restricted to the used categories."""
    used = np.unique(codes)
    y = np.searchsorted(used, codes)
    m = used.size

    def nll(theta):
        cut = np.cumsum(np.r_[theta[0], np.exp(theta[1:m - 1])])
        edges = np.r_[-np.inf, cut, np.inf]
        p = expit(edges[y + 1] - theta[-1] * x) - expit(edges[y] - theta[-1] * x)
        return -np.log(np.clip(p, 1e-300, None)).sum()

    result = optimize.minimize(nll, np.r_[-1.0, np.zeros(m - 2), 0.0], method="BFGS")
    return float(result.x[-1]), float(np.sqrt(result.hess_inv[-1, -1]))


@pytest.fixture(scope="module")
def gwern():
    data = real("gwern_magnesium_2013_2014.csv")
    return data[data["experiment"] == "mg_citrate_rct_2013_2014"].reset_index(drop=True)


@pytest.mark.fit
@pytest.mark.parametrize("outcome", ["Time.to.Z", "ZQ"])
def test_gwern_citrate_normal_outcomes(gwern, outcome):
    fitted = fit(gwern, outcome=outcome, treatment="treatment", reference="placebo")
    for dose in ("mg_citrate_136mg", "mg_citrate_800mg"):
        estimate, se = welch(gwern[outcome], gwern["treatment"], dose, "placebo")
        assert_agrees(fitted, estimate, se, contrast=dose)
    effects = fitted.effects_.set_index("treatment")["mean"]
    if outcome == "Time.to.Z":  # the low dose (first phase) slower, the high dose faster
        assert effects["mg_citrate_136mg"] > 2 and effects["mg_citrate_800mg"] < 0


@pytest.mark.fit
def test_gwern_citrate_awakenings_negbin(gwern):
    fitted = fit(gwern, "negbin", outcome="Awakenings", treatment="treatment",
                 reference="placebo")
    for dose in ("mg_citrate_136mg", "mg_citrate_800mg"):
        a = gwern.loc[gwern["treatment"] == dose, "Awakenings"]
        b = gwern.loc[gwern["treatment"] == "placebo", "Awakenings"]
        estimate = np.log(a.mean() / b.mean())
        se = np.sqrt(a.var() / (len(a) * a.mean() ** 2) + b.var() / (len(b) * b.mean() ** 2))
        assert_agrees(fitted, estimate, se, contrast=dose)
        assert -0.25 < estimate < 0  # about 8 % fewer awakenings, within noise


@pytest.mark.fit
def test_gwern_citrate_morning_feel_ordinal(gwern):
    fitted = fit(gwern, "ordinal", outcome="Morning.Feel", treatment="treatment",
                 reference="placebo", categories=(0, 4))
    for dose in ("mg_citrate_136mg", "mg_citrate_800mg"):
        rows = gwern["treatment"].isin([dose, "placebo"])
        estimate, se = proportional_odds(
            gwern.loc[rows, "Morning.Feel"].to_numpy().astype(int),
            (gwern.loc[rows, "treatment"] == dose).to_numpy(float), 5)
        assert_agrees(fitted, estimate, se, contrast=dose)
