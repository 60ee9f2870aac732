"""The personal magnesium model: a diary updates the posterior over one person's response.

>>> from model import load_priors
>>> from model.personal.fit import PersonalModel
>>> fit = PersonalModel(load_priors(), draws=500).fit("diary.csv")              # doctest: +SKIP
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
  covariates[t] . b_covariate[:, o] + a quadratic trend`` (drift) ``+ b_device[s, o]`` on
  nights of source ``s``, each but the reference (a tracker swap); log1p(SOL) is
  normal with AR(1) errors across missing nights; awakenings negative binomial; quality,
  freshness and anxiety ordinal (cumulative logit); predictions are on the scale of the
  reference, the tracker with the most nights (:mod:`model.data.devices`);
- GI nights: logistic in the night's single-intake load, ``theta[f, gi]`` per reference
  intake (splitting a dose halves it), plus ``covariates[t] . b_gi_covariate``; the
  profile's gut sensitivity shifts its prior. Covariates are read by
  :func:`model.personal.data.covariate`; missing outcomes weigh nothing.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import xarray as xr

from model.core.errors import MgsleepError, fit_failed
from model.core.progress import SHOW_PROGRESS
from model.core.provenance import draw_seed, run_attrs
from model.core.regimen import Regimen
from model.data.diary import Diary, read_diary
from model.evidence.priorset import PriorSet, load_priors
from model.inference.diagnostics import Diagnostics, gate
from model.inference.psis import Reweighting, resample_draws, resample_posterior
from model.inference.samplers import resolve_sampler
from model.inference.summary import SUMMARY_LEVEL
from model.likelihood.prior import PersonalPrior
from model.personal.data import diary_data, diary_size
from model.personal.effect_table import effects_of, exposure_of
from model.personal.gi_prior import gi_shift
from model.personal.nightly import posterior_predictive, with_nightly_groups
from model.personal.power import PowerScaling, power_scaling
from model.personal.predict import predict_from_draws
from model.personal.proposal import Proposal, reweighted
from model.personal.store import CONFIG_KEYS, SavedFit, load_fit, save_fit

if TYPE_CHECKING:
    import pymc as pm

    from model.inference.sampling import SamplerConfig
    from model.personal.sampler import NutsRecord

# PyMC, PyTensor and the sampler are imported where a fit samples (``_sample``, ``nuts_``,
# ``model``): a saved fit that later nights only reweight is used without them.

EXTENSIONS = 2
"""Most extra runs of a fit that failed its checks (see :meth:`PersonalModel.fit`)."""
EXTEND_BUDGET = 6.0
"""An extension starts only while the time spent is under this many times the first run."""
WARM_TUNE = 250
"""Tuning steps of a refit whose chains start at the last fit's draws (see ``update``). 150
steps passed on 5 personas x 130 nights but once ended with 311 divergences (150 nights);
250 passed in every trial."""


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
        Makes fits reproducible; None: each :meth:`fit` draws one (kept as ``seed_``).
    progressbar : bool
        Show the sampler's progress.
    taking_since : str, optional
        ``YYYY-MM-DD``, when the first night's magnesium was begun (the profile's key; None:
        long before the diary, :func:`model.likelihood.kinetics.store_lead`).

    Attributes
    ----------
    diary_ : Diary
        The diary of the last fit.
    idata_ : xarray.DataTree
        Posterior of the last fit with ``observed_data`` and ``log_likelihood`` (see the
        property).
    draws_ : dict of str to numpy.ndarray
        The same posterior with chains flattened into a leading ``draw`` axis.
    diagnostics_ : Diagnostics
        Convergence of the last fit.
    method_ : str
        ``"nuts"`` or ``"psis"`` (an update by reweighting).
    reweighting_ : Reweighting or None
        The weights' diagnostics of a ``"psis"`` update.
    proposal_ : Proposal
        The last NUTS fit, whose draws updates reweight.
    fit_seconds_ : float
        Wall time of the last fit (compilation included).
    seed_ : int
        The seed of the last NUTS fit (``random_seed`` or one drawn), also of its updates.
    sampler_ : str
        The sampler that made it (the default resolves to nutpie when installed, else pymc).
    """

    def __init__(self, priors: PriorSet | None = None, *, gut_sensitivity: str = "none",
                 draws: int = 1000, tune: int = 500, chains: int = 4, sampler: str | None = None,
                 random_seed: int | None = None, progressbar: bool = SHOW_PROGRESS,
                 taking_since: str | None = None) -> None:
        self.priors = priors
        self.taking_since = taking_since
        self.gut_sensitivity = gut_sensitivity
        self.draws = draws
        self.tune = tune
        self.chains = chains
        self.sampler = sampler
        self.random_seed = random_seed
        self.progressbar = progressbar

    def __repr__(self) -> str:
        if not hasattr(self, "diary_"):
            return (f"PersonalModel(not fitted; draws={self.draws}, tune={self.tune}, "
                    f"chains={self.chains})")
        return (f"PersonalModel({self.method_} fit of {self.diary_.n_recorded} nights; "
                f"diagnostics {self.diagnostics_.words()})")

    @property
    def priors_(self) -> PriorSet:
        """The priors in use (the bundled ones unless given)."""
        if self.priors is None:
            self.priors = load_priors()
        return self.priors

    @property
    def sampler_config(self) -> SamplerConfig:
        """The NUTS settings of a (cold) fit."""
        from model.inference.sampling import SamplerConfig

        return SamplerConfig(sampler=self.sampler, draws=self.draws, tune=self.tune,
                             chains=self.chains, seed=getattr(self, "seed_", self.random_seed),
                             progressbar=self.progressbar)

    def graph_data(self, diary: Diary) -> dict[str, np.ndarray]:
        """The personal graph's data for ``diary`` under this model's priors."""
        priors = self.priors_
        return diary_data(diary, priors, gi_shift(priors, self.gut_sensitivity),
                          *diary_size(diary, priors), taking_since=self.taking_since)

    def fit(self, diary: Diary | str | Path | pd.DataFrame, *, strict: bool = False
            ) -> PersonalModel:
        """Sample the posterior for ``diary`` with NUTS; self.

        A fit that fails its checks (:func:`~model.inference.diagnostics.gate`) is extended,
        not refused: up to :data:`EXTENSIONS` more runs from the last draws, each with twice
        the draws and smaller steps, within :data:`EXTEND_BUDGET` times the first run's time
        (``diagnostics_.attempts`` counts the runs); still failing, it warns (a fit of 10 draws,
        R-hat 1.30, was silent: B F2). Without ``random_seed`` a seed is drawn and kept.

        Parameters
        ----------
        diary : Diary, path or pandas.DataFrame
            A path or table is read by :func:`~model.data.diary.read_diary` (DiaryWarning).
        strict : bool
            Raise instead of warning when the fit fails its checks.

        Returns
        -------
        PersonalModel
            Self; ``diagnostics_.ok`` says whether its checks passed.

        Raises
        ------
        DiaryError
            A path or table that does not read as a diary.
        ConvergenceError
            With ``strict``, a fit that fails its checks (else a ``ConvergenceWarning``).
        """
        diary = diary if isinstance(diary, Diary) else read_diary(diary)
        self.seed_ = draw_seed() if self.random_seed is None else self.random_seed
        self.sampler_ = resolve_sampler(self.sampler)
        start = time.perf_counter()
        self._sample(diary, self.sampler_config, None)
        first = time.perf_counter() - start
        for attempt in range(2, EXTENSIONS + 2):
            if self.diagnostics_.ok or self.nuts_ is None or \
                    time.perf_counter() - start > EXTEND_BUDGET * first:
                break
            self._sample(diary, self.sampler_config.extended(), self.nuts_.unconstrained,
                         attempt)
        self.fit_seconds_ = time.perf_counter() - start
        if not self.diagnostics_.ok:
            fit_failed(f"PersonalModel.fit of {diary.source}: do not act on its estimates",
                       self.diagnostics_.failures(), strict=strict)
        return self

    def _sample(self, diary: Diary, config: SamplerConfig, starts: np.ndarray | None,
                attempt: int = 1) -> PersonalModel:
        from model.inference.sampling import run_nuts
        from model.personal.sampler import CHECKED, GRAPHS

        start = time.perf_counter()
        data = self.graph_data(diary)
        idata = run_nuts(GRAPHS, config.for_nights(diary.n_recorded), data=data, starts=starts)
        diagnostics = gate(idata, CHECKED, attempts=attempt)
        self._propose(Proposal.of(idata, diagnostics, diary, data))
        self.fit_seconds_ = time.perf_counter() - start
        return self

    def _propose(self, proposal: Proposal) -> None:
        """Make a NUTS fit the current posterior and the proposal of later updates."""
        self.proposal_ = proposal
        self._nuts: NutsRecord | None = None
        self._keep(proposal.diary, proposal.data, proposal.draws, proposal.diagnostics, None)

    def _keep(self, diary: Diary, data: Mapping[str, np.ndarray], draws: dict[str, np.ndarray],
              diagnostics: Diagnostics, reweighting: Reweighting | None,
              index: np.ndarray | None = None) -> None:
        """Make a posterior the current one (its ``DataTree`` waits for :attr:`idata_`).

        ``index`` picks the proposal's draws that make it up (None: it is the proposal).
        """
        self.diary_, self.diagnostics_ = diary, diagnostics
        self.method_ = "nuts" if index is None else "psis"
        self.reweighting_, self._index = reweighting, index
        self.draws_ = draws
        self._idata: xr.DataTree | None = None
        self._data = data

    def _resampled(self, diary: Diary, data: Mapping[str, np.ndarray], index: np.ndarray,
                   diagnostics: Diagnostics, reweighting: Reweighting | None) -> None:
        """Make the proposal's draws picked by ``index`` the current posterior of ``diary``."""
        self._keep(diary, data, resample_draws(self.proposal_.draws, index), diagnostics,
                   reweighting, index)

    def _tree(self) -> xr.DataTree:
        """The current posterior as a ``DataTree`` (made on first use, with its run's attrs).

        :func:`model.core.provenance.run_attrs`: the sampler, the seed, the versions.
        """
        if self._idata is None:
            proposal = self.proposal_
            self._idata = proposal.idata if self._index is None else xr.DataTree.from_dict(
                {"posterior": resample_posterior(proposal.idata["posterior"].to_dataset(),
                                                 self._index)})
            self._idata["posterior"].attrs.update(run_attrs(self.sampler_, self.seed_,
                                                            self.method_))
        return self._idata

    @property
    def nuts_(self) -> NutsRecord | None:
        """The proposal's unconstrained draws for warm starts (None when not nutpie)."""
        from model.personal.sampler import NutsRecord

        if self._nuts is None:
            proposal = self.proposal_
            self._nuts = NutsRecord.of(proposal.idata)
        return self._nuts

    @property
    def idata_(self) -> xr.DataTree:
        """The last fit's results as an ArviZ ``DataTree``.

        ``posterior``, ``sample_stats`` (NUTS), ``observed_data`` and a pointwise
        ``log_likelihood`` per outcome (:mod:`model.personal.nightly`), so
        ``az.loo(fit.idata_, var_name="sol_min")`` works; :meth:`sample_posterior_predictive`
        adds ``posterior_predictive``. The nightly groups are computed on first access (about
        0.4 s for 4,000 draws x 120 nights), not in every fit.
        """
        idata = self._tree()
        if "log_likelihood" not in idata.children:
            with_nightly_groups(idata, self.draws_, self._data, self.diary_.nights)
        return idata

    def update(self, new_nights: pd.DataFrame | Diary, *, reweight: bool = True
               ) -> PersonalModel:
        """Append later nights to the diary and update the posterior; returns self.

        With ``reweight`` (default) the draws of the last NUTS fit are first reweighted to
        the longer diary by Pareto-smoothed importance sampling (:mod:`model.personal.proposal`:
        numpy, a fraction of a second, no sampling). That result is kept only when it is trusted
        (:func:`model.inference.psis.trusted`: Pareto ``k <= 0.7`` and an effective sample
        size that still passes the diagnostics). Otherwise NUTS refits, warm-started: the
        chains begin at draws of the last fit, so :data:`WARM_TUNE` tuning steps replace
        ``tune`` (a cold refit follows if that fit fails its diagnostics). ``method_`` says
        which (``"psis"`` or ``"nuts"``), ``reweighting_`` holds the weights' diagnostics.
        """
        self._check_fitted()
        diary = self.diary_.append(new_nights)
        start = time.perf_counter()
        if reweight and self.reweight_to(diary):
            self.fit_seconds_ = time.perf_counter() - start
            return self
        if self.nuts_ is None:
            return self.fit(diary)
        tune = min(self.tune, WARM_TUNE)
        self._sample(diary, self.sampler_config.with_tune(tune), self.nuts_.unconstrained)
        if self.diagnostics_.ok or tune == self.tune:
            return self
        return self.fit(diary)

    def reweight_to(self, diary: Diary) -> bool:
        """Move the proposal's draws to ``diary`` when trusted (:func:`reweighted`).

        Returns whether it did; otherwise the model is unchanged.
        """
        data = self.graph_data(diary)
        moved = reweighted(self.proposal_, data, self.seed_)
        if moved is not None:
            self._resampled(diary, data, moved.index, moved.diagnostics, moved.reweighting)
        return moved is not None

    @property
    def model(self) -> pm.Model:
        """The PyMC model of the personal graph, holding the last fit's data.

        For ``pm.model_to_graphviz(fit.model)`` or prior predictive draws; the likelihoods
        are weighted ``pm.Potential``s (:mod:`model.personal.graph`), so the nightly
        quantities come from :mod:`model.personal.nightly` instead of PyMC's own.
        """
        self._check_fitted()
        import pymc as pm

        from model.personal.sampler import GRAPHS

        graph = GRAPHS.get("pymc").graph
        assert graph is not None
        with graph:
            pm.set_data(self._data)
        return graph

    def sample_posterior_predictive(self, random_seed: int | None = None) -> xr.DataTree:
        """Add a ``posterior_predictive`` group to ``idata_`` (replicated diaries); return it.

        One replicated night per posterior draw and recorded night, in diary units, named as
        ``observed_data`` (:func:`model.personal.nightly.posterior_predictive`), so
        :func:`model.viz.checks.plot_ppc` compares them (ratings and counts value by value).
        ``random_seed`` defaults to the fit's (``seed_``).
        """
        self._check_fitted()
        seed = self.seed_ if random_seed is None else random_seed
        posterior = self._tree()["posterior"].to_dataset()
        idata = self.idata_
        idata["posterior_predictive"] = xr.DataTree(posterior_predictive(
            posterior, self.draws_, self._data, self.diary_.nights.index, seed))
        return idata

    def power_scaling(self) -> PowerScaling:
        """Sensitivity of the effects to power-scaling the evidence prior and the diary.

        :func:`model.personal.power.power_scaling` (``arviz_stats.psense_summary``, no refit;
        adds a ``log_prior`` group to ``idata_``), with the Pareto k of its weights.
        """
        self._check_fitted()
        prior = PersonalPrior.of(self.priors_, gi_shift(self.priors_, self.gut_sensitivity))
        return power_scaling(self.idata_, self.draws_, prior)

    def _check_fitted(self) -> None:
        if not hasattr(self, "proposal_"):
            raise MgsleepError("fit the model first: PersonalModel(...).fit(diary)")

    def draws_of(self, name: str) -> np.ndarray:
        """Posterior draws of a variable, chains flattened into a leading ``draw`` axis."""
        self._check_fitted()
        return self.draws_[name]

    def predict(self, regimens: Sequence[Regimen]) -> xr.Dataset:
        """Expected steady-state nightly outcomes under each (one or more) regimen, per draw.

        No safety rule applies here: a dose above the ceiling is predicted by the Emax curve
        like any other (``decide`` never advises one).

        Returns
        -------
        xarray.Dataset
            Dims ``(regimen, draw)``: ``sol_min``, ``awakenings``, ``quality``, ``freshness``,
            ``anxiety`` (diary units), ``gi_rate`` (share of GI nights); ``onset_days`` (dims
            ``draw``, days). Draws are joint across regimens and variables.
        """
        self._check_fitted()
        return predict_from_draws(self.draws_, regimens, self.priors_)

    def effects(self, interval: float = SUMMARY_LEVEL) -> pd.DataFrame:
        """Posterior of each form x outcome effect (model scale) with P(benefit) and ``tried``.

        ``ci_low``, ``ci_high``: of level ``interval`` (0.9 is a person's; :func:`effects_of`).
        """
        self._check_fitted()
        return effects_of(self.draws_["theta"], self.diary_.nights, interval)

    def exposure(self) -> xr.DataArray:
        """Exposure per night and form at the posterior-median time constant (plots)."""
        self._check_fitted()
        return exposure_of(self.diary_.nights, self.priors_, self.taking_since,
                           float(np.median(self.draws_["tau"])))

    def save(self, path: str | Path) -> None:
        """Write the fit (the NUTS draws, the diary, the configuration) to one ``.npz`` file.

        :mod:`model.personal.store` describes the file; :meth:`load` reads it back without
        PyMC, and the loaded model updates by reweighting the same NUTS draws.
        """
        self._check_fitted()
        config = {key: getattr(self, key) for key in CONFIG_KEYS}
        proposal = self.proposal_
        arrays = {"nuts_log_density": proposal.own()}
        if self.reweighting_ is not None:
            arrays |= {"weights": self.reweighting_.weights,
                       "pareto_k": np.array(self.reweighting_.pareto_k),
                       "ess_fraction": np.array(self.reweighting_.ess_fraction)}
        save_fit(SavedFit(config, self.diary_, proposal.groups, proposal.diary.n_nights,
                          proposal.diagnostics, self.method_, self.diagnostics_, self._index,
                          arrays, self.seed_, self.sampler_), self.priors_, Path(path))

    @classmethod
    def load(cls, path: str | Path, priors: PriorSet | None = None) -> PersonalModel:
        """Read a fit written by :meth:`save` (refuses a file of another model)."""
        priors = priors or load_priors()
        saved = load_fit(Path(path), priors)
        fit = cls(priors, **saved.config)
        fit.seed_, fit.sampler_ = saved.seed, saved.sampler
        arrays = dict(saved.arrays or {})
        nuts_diary = Diary(saved.diary.nights.iloc[: saved.nuts_nights], saved.diary.source)
        fit._propose(Proposal(saved.nuts, saved.nuts_diagnostics, nuts_diary,
                              fit.graph_data(nuts_diary), arrays.get("nuts_log_density")))
        if saved.index is not None:
            weights = None if "weights" not in arrays else Reweighting(
                arrays["weights"], float(arrays["pareto_k"]), float(arrays["ess_fraction"]))
            fit._resampled(saved.diary, fit.graph_data(saved.diary), saved.index,
                           saved.diagnostics, weights)
        fit.fit_seconds_ = 0.0
        return fit
