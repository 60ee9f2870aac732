"""The personal magnesium model: a diary updates the posterior over one person's response.

>>> from model import load_priors
>>> from model.data.diary import read_diary
>>> from model.personal.fit import PersonalModel
>>> fit = PersonalModel(load_priors(), draws=500).fit(read_diary("diary.csv"))  # doctest: +SKIP
>>> fit.predict([Regimen("glycinate", 200)])                                    # doctest: +SKIP

Per night ``t``, form ``f`` and outcome ``o`` (model scales of ``priors/settings.toml``):

- exposure ``E[t, f]``: the Emax dose response of the night's dose relative to the reference
  dose, followed with first-order kinetics (time constant ``tau``, prior from ``[personal]``)
  on the way up and on the way down (:mod:`model.likelihood.kinetics`);
- the person's effect ``theta[f, o] = prior mean + r[o] + form deviation``: the evidence prior
  (:class:`PriorSet`), a responsiveness ``r[o]`` shared by all forms (so a good response to one
  form raises the prediction for the untried ones) and a form-specific deviation whose SD
  combines the prior's uncertainty with the person-level spread;
- sleep outcomes: ``eta[t, o] = E[t] . theta[:, o] + expectation[o] * taking[t] +
  caffeine, alcohol + a quadratic trend`` (drift, regression to the mean); log1p(SOL) is
  normal with AR(1) errors across missing nights; awakenings negative binomial; quality,
  freshness and anxiety ordinal (cumulative logit);
- GI nights: logistic in the night's single-intake load, ``theta[f, gi]`` per reference
  intake (splitting a dose halves it); the profile's gut sensitivity shifts its prior.

Missing outcomes get zero likelihood weight; missing covariates count as 0 (none).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from model.core.errors import MgsleepError
from model.core.forms import FORMS
from model.core.outcomes import OUTCOMES, SPECS
from model.core.regimen import Regimen
from model.data.diary import Diary
from model.evidence.priorset import PriorSet, load_priors
from model.inference.diagnostics import Diagnostics, check_convergence, ess_threshold
from model.inference.psis import Reweighting, psis, systematic_resample
from model.likelihood.kinetics import build_up, design_from_nights
from model.personal.data import diary_data, diary_size
from model.personal.predict import predict_from_draws

NOMINAL_SIZE = (60, 16)  # nights and changes of the placeholder data the graph is built with
WARM_TUNE = 250
"""Tuning steps of a refit whose chains start at the last fit's draws (see ``update``). 150
steps passed on 5 personas x 130 nights but once ended with 311 divergences (150 nights);
250 passed in every trial."""
CHECKED = ("theta", "tau", "expectation", "sol_intercept", "sol_sigma", "gi_intercept")


@dataclass
class _Compiled:
    """The personal graph and, for nutpie, its compiled form."""

    graph: Any
    nutpie_model: Any = None


@dataclass
class GraphCache:
    """The personal graph, built and compiled once per process, reused for every fit.

    Its data have no fixed shapes, so one compiled graph serves diaries of every length:
    appending a night, refitting under another prior or fitting another person does not
    recompile (and :mod:`model.inference.compile_cache` keeps the compiled code across processes).
    """

    compiled: _Compiled | None = None

    def get(self, sampler: str) -> _Compiled:
        """Return (building or compiling on first use) the graph."""
        from model.personal.graph import build_graph

        if self.compiled is None:
            self.compiled = _Compiled(build_graph(NOMINAL_SIZE[0], NOMINAL_SIZE[1]))
        if sampler == "nutpie" and self.compiled.nutpie_model is None:
            from model.inference.compile_cache import compile_nutpie

            self.compiled.nutpie_model = compile_nutpie(self.compiled.graph)
        return self.compiled


GRAPHS = GraphCache()


def warm_started(model: Any, starts: np.ndarray) -> Any:
    """A nutpie model whose chains begin at rows of ``starts`` (draws of an earlier fit)."""
    import dataclasses

    def start(chain_seed: int) -> np.ndarray:
        return starts[np.random.default_rng(chain_seed).integers(len(starts))].copy()

    return dataclasses.replace(model, initial_point_func=start)


def _run_sampler(compiled: _Compiled, data: dict[str, np.ndarray], *, sampler: str, draws: int,
                 tune: int, chains: int, seed: int | None, progressbar: bool,
                 starts: np.ndarray | None = None) -> xr.DataTree:
    if sampler == "nutpie":
        import nutpie

        model = compiled.nutpie_model.with_data(**data)
        if starts is not None:
            model = warm_started(model, starts)
        return nutpie.sample(model, draws=draws, tune=tune, chains=chains, cores=min(chains, 2),
                             seed=seed, progress_bar=progressbar, save_warmup=False,
                             adaptation="low_rank", target_accept=0.9,
                             store_unconstrained=True)
    import pymc as pm

    from model.inference.sampling import sample_posterior

    with compiled.graph:
        pm.set_data(data)
    return sample_posterior(compiled.graph, draws=draws, tune=tune, chains=chains,
                            sampler=sampler, random_seed=seed, progressbar=progressbar)


class PersonalModel:
    """One person's response to magnesium forms and doses (scikit-learn style).

    Parameters
    ----------
    priors : PriorSet, optional
        The evidence priors (default: the bundled ``priors/``).
    gut_sensitivity : {"none", "mild", "ibs"}
        Shifts the GI prior by ``safety.toml`` ``[gut_sensitivity]`` (log odds).
    draws, tune, chains : int
        MCMC settings per fit.
    sampler : str, optional
        ``nutpie`` (default when installed), ``pymc``, ``numpyro`` or ``blackjax``.
    random_seed : int, optional
        Makes fits reproducible.
    progressbar : bool
        Show the sampler's progress.

    Attributes
    ----------
    diary_ : Diary
        The diary of the last fit.
    idata_ : xarray.DataTree
        Posterior of the last fit.
    diagnostics_ : Diagnostics
        Convergence of the last fit.
    fit_seconds_ : float
        Wall time of the last fit (compilation included).
    """

    def __init__(self, priors: PriorSet | None = None, *, gut_sensitivity: str = "none",
                 draws: int = 1000, tune: int = 500, chains: int = 4, sampler: str | None = None,
                 random_seed: int | None = None, progressbar: bool = False) -> None:
        self.priors = priors
        self.gut_sensitivity = gut_sensitivity
        self.draws = draws
        self.tune = tune
        self.chains = chains
        self.sampler = sampler
        self.random_seed = random_seed
        self.progressbar = progressbar

    # -- fitting -------------------------------------------------------------------------------
    @property
    def priors_(self) -> PriorSet:
        """The priors in use (the bundled ones unless given)."""
        if self.priors is None:
            self.priors = load_priors()
        return self.priors

    def _gi_shift(self) -> float:
        shifts = self.priors_.safety.gut_sensitivity
        if self.gut_sensitivity not in shifts:
            raise MgsleepError(f"gut_sensitivity must be one of {', '.join(shifts)}, got "
                               f"{self.gut_sensitivity!r}")
        return float(shifts[self.gut_sensitivity])

    def fit(self, diary: Diary) -> PersonalModel:
        """Sample the posterior for ``diary`` with NUTS; returns self."""
        return self._fit(diary, self.tune, None)

    def _fit(self, diary: Diary, tune: int, starts: np.ndarray | None) -> PersonalModel:
        from model.inference.sampling import resolve_sampler

        sampler = resolve_sampler(self.sampler)
        start = time.perf_counter()
        compiled = GRAPHS.get(sampler)
        data = diary_data(diary, self.priors_, self._gi_shift(), *diary_size(diary, self.priors_))
        self.idata_ = _run_sampler(compiled, data, sampler=sampler, draws=self.draws,
                                   tune=tune, chains=self.chains, seed=self.random_seed,
                                   progressbar=self.progressbar, starts=starts)
        self.diary_ = diary
        self.diagnostics_: Diagnostics = check_convergence(self.idata_, CHECKED)
        self.fit_seconds_ = time.perf_counter() - start
        self.method_ = "nuts"
        self.reweighting_: Reweighting | None = None
        self._draws = _flatten(self.idata_)
        self._nuts = _NutsFit.of(self.idata_, self.diagnostics_, data)
        return self

    def update(self, new_nights: pd.DataFrame | Diary, *, reweight: bool = True
               ) -> PersonalModel:
        """Append later nights to the diary and update the posterior; returns self.

        With ``reweight`` (default) the draws of the last NUTS fit are first reweighted to
        the longer diary by Pareto-smoothed importance sampling (:mod:`model.inference.psis`,
        about half a second, no sampling). That result is kept only when it is reliable:
        Pareto ``k <= 0.7`` and an effective sample size that still passes the diagnostics.
        Otherwise NUTS refits, warm-started: the chains begin at draws of the last fit, so
        :data:`WARM_TUNE` tuning steps replace ``tune`` (a cold refit follows if that fit
        fails its diagnostics). ``method_`` says which (``"psis"`` or ``"nuts"``),
        ``reweighting_`` holds the weights' diagnostics.
        """
        self._check_fitted()
        diary = self.diary_.append(new_nights)
        if reweight and self._nuts is not None and self._reweight(diary):
            return self
        if self._nuts is None:
            return self.fit(diary)
        tune = min(self.tune, WARM_TUNE)
        self._fit(diary, tune, self._nuts.unconstrained)
        if self.diagnostics_.ok or tune == self.tune:
            return self
        return self.fit(diary)

    def _reweight(self, diary: Diary) -> bool:
        """Reweight the last NUTS fit's draws to ``diary``; False (nothing changed) if unsafe."""
        from model.inference.compile_cache import log_density

        base = self._nuts
        assert base is not None
        start = time.perf_counter()
        compiled = GRAPHS.get("nutpie").nutpie_model
        data = diary_data(diary, self.priors_, self._gi_shift(), *diary_size(diary, self.priors_))
        new = log_density(compiled.with_data(**data), base.unconstrained)
        n = new.size
        result = psis(new - base.log_density(compiled),
                      relative_ess=min(1.0, base.diagnostics.min_ess_bulk / n))
        d = base.diagnostics
        diagnostics = Diagnostics(
            bool(d.ok and result.reliable
                 and d.min_ess_bulk * result.ess_fraction >= ess_threshold(n)),
            d.max_rhat, d.min_ess_bulk * result.ess_fraction, d.divergences)
        if not diagnostics.ok:
            return False
        index = systematic_resample(result.weights, np.random.default_rng(self.random_seed))
        posterior = base.idata["posterior"].to_dataset().transpose("chain", "draw", ...)
        resampled = posterior.copy(data={
            name: var.values.reshape(n, *var.shape[2:])[index].reshape(var.shape)
            for name, var in posterior.data_vars.items()})
        self.idata_ = xr.DataTree.from_dict({"posterior": resampled})
        self.diary_, self.diagnostics_, self.method_ = diary, diagnostics, "psis"
        self.reweighting_ = result
        self._draws = _flatten(self.idata_)
        self.fit_seconds_ = time.perf_counter() - start
        return True

    def _check_fitted(self) -> None:
        if not hasattr(self, "idata_"):
            raise MgsleepError("fit the model first: PersonalModel(...).fit(diary)")

    # -- predictions ---------------------------------------------------------------------------
    def draws_of(self, name: str) -> np.ndarray:
        """Posterior draws of a variable, chains flattened into a leading ``draw`` axis."""
        self._check_fitted()
        return self._draws[name]

    def predict(self, regimens: Sequence[Regimen]) -> xr.Dataset:
        """Expected steady-state nightly outcomes under each regimen, per posterior draw.

        Returns
        -------
        xarray.Dataset
            Dims ``(regimen, draw)``; variables ``sol_min``, ``awakenings``, ``quality``,
            ``freshness``, ``anxiety`` (diary units) and ``gi_rate`` (share of GI nights).
            Draws are joint across regimens and variables.
        """
        self._check_fitted()
        return predict_from_draws(self._draws, regimens, self.priors_)

    def effects(self) -> pd.DataFrame:
        """Posterior of each form x outcome effect (model scale) with P(benefit) and ``tried``.

        ``tried`` is True when the form was taken on a night where that outcome was recorded.
        """
        self._check_fitted()
        theta = self._draws["theta"]
        nights = self.diary_.nights
        taken = nights["elemental_mg"] > 0
        rows = []
        for j, outcome in enumerate(OUTCOMES):
            spec = self.priors_.settings.outcomes[outcome]
            sign = 1.0 if spec.better == "higher" else -1.0
            for i, form in enumerate(FORMS):
                values = theta[:, i, j]
                low, high = np.quantile(values, [0.025, 0.975])
                rows.append({"form": form, "outcome": outcome, "scale": spec.scale,
                             "mean": float(values.mean()), "ci_low": float(low),
                             "ci_high": float(high),
                             "p_benefit": float(np.mean(sign * values > 0)),
                             "tried": bool((taken & (nights["form"] == form)
                                            & nights[SPECS[outcome].column].notna()).any())})
        return pd.DataFrame(rows)

    def exposure(self) -> xr.DataArray:
        """Posterior-mean exposure per night and form (for plots of the build-up)."""
        self._check_fitted()
        design = design_from_nights(self.diary_.nights, ed50_mg=self.priors_.settings.ed50_mg,
                                    reference_mg=self.priors_.settings.reference_dose_mg)
        values = build_up(design, float(np.median(self._draws["tau"])))
        return xr.DataArray(values, dims=("night", "form"),
                            coords={"night": self.diary_.nights.index.rename("night"),
                                    "form": list(FORMS)})

    # -- persistence ---------------------------------------------------------------------------
    def save(self, path: str | Path) -> None:
        """Write the posterior, the diary and the configuration to one netCDF file."""
        from model.personal.store import save_fit

        self._check_fitted()
        save_fit(self, Path(path))

    @classmethod
    def load(cls, path: str | Path, priors: PriorSet | None = None) -> PersonalModel:
        """Read a fit written by :meth:`save` (refuses a file of another model)."""
        from model.personal.store import load_fit

        return load_fit(cls, Path(path), priors)


@dataclass
class _NutsFit:
    """What reweighting needs of the last NUTS fit: its draws (also unconstrained) and data."""

    idata: xr.DataTree
    diagnostics: Diagnostics
    data: dict[str, np.ndarray]
    unconstrained: np.ndarray
    _log_density: np.ndarray | None = None

    @classmethod
    def of(cls, idata: xr.DataTree, diagnostics: Diagnostics,
           data: dict[str, np.ndarray]) -> _NutsFit | None:
        """The fit's record, or None when it has no unconstrained draws (not nutpie)."""
        if "sample_stats" not in idata.children:
            return None
        stats = idata["sample_stats"].to_dataset()
        if "unconstrained_draw" not in stats:
            return None
        points = stats["unconstrained_draw"].stack(sample=("chain", "draw"))
        return cls(idata, diagnostics, data,
                   np.ascontiguousarray(points.transpose("sample", ...).values))

    def log_density(self, compiled: Any) -> np.ndarray:
        """The log density of each draw under the fit's own data (computed once)."""
        from model.inference.compile_cache import log_density

        if self._log_density is None:
            self._log_density = log_density(compiled.with_data(**self.data), self.unconstrained)
        return self._log_density


def _flatten(idata: xr.DataTree) -> dict[str, np.ndarray]:
    posterior = idata["posterior"].to_dataset()
    return {str(name): values.stack(sample=("chain", "draw")).transpose("sample", ...).values
            for name, values in posterior.data_vars.items()}


PredictFn = Callable[[Sequence[Regimen]], xr.Dataset]
