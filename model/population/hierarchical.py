"""A series of n-of-1 trials: population effects per form x outcome and how much people differ.

Two stages, so that the per-person work separates and runs in parallel (Dask):

1. **Per person** (:mod:`model.population.person_stage`): the personal model with a priori
   independent, wide effects and expectation terms (``theta, e ~ N(0, W^2)``, ``W = 1 SMD``:
   :data:`~model.population.person_stage.WIDE_SMD`) is sampled by NUTS and its draws
   summarised by their mean and covariance (or, faster and
   narrower, by a Laplace approximation: ``person_fit="laplace"``). Dividing out the priors
   leaves a normal approximation of the person's likelihood as one *block*
   (:mod:`model.population.blocks`): a precision matrix over the effects of the forms tried
   (sleep outcomes) and the expectation term, which are correlated within a person. Forms
   never taken carry no information and are dropped; nuisance parameters (kinetics, trend,
   cut-points, AR(1)) are integrated out by the sampler; variances that are not positive
   and blocks that are not positive definite are warned about, naming the person. The GI
   outcome shares no parameter with the others: the person's GI nights are kept as counts
   (:mod:`model.population.gi`), whose Bernoulli likelihood is exact.
2. **Population** (:class:`PopulationModel`): ``theta[p, f, o] = beta[f, o] + r[p, o] +
   dev[p, f, o]`` with ``r ~ N(0, sd_resp[o])`` (responsiveness shared across forms) and
   ``dev ~ N(0, sd_dev[o])``; the expectation term ``e[p, s] ~ N(expectation[s],
   sd_expectation[s])``; ``beta`` gets the evidence prior (:class:`PriorSet`). Each person's
   block is integrated out exactly (Woodbury, :func:`~model.population.blocks.marginal_loglik`);
   each person's GI intercept and effects are sampled with the population means and spreads
   (non-centred, :func:`~model.population.gi.gi_loglik`). The graph is
   :mod:`model.population.graph`.

:func:`write_priors` turns the population posterior into a ``priors/`` directory.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from model.core.errors import Fault, InputError, MgsleepError
from model.core.forms import FORMS
from model.core.outcomes import OUTCOMES
from model.data.diary import Diary, read_diary, refuse_blinded
from model.evidence.priorset import PriorSet, load_priors
from model.inference.diagnostics import Diagnostics, check_convergence
from model.inference.sampling import SamplerConfig, run_nuts
from model.inference.summary import SAMPLE, effects_table
from model.personal.separability import separability
from model.population.blocks import (
    StackedBlocks,
    informative_persons,
    stack_likelihoods,
)
from model.population.graph import population_compiled, population_prior
from model.population.person_stage import PersonFit, Progress, likelihoods
from model.population.writeback import (
    Provenance,
    fitted_by_outcome,
    fitted_spreads,
    install_priors,
    staged_beside,
    target_problem,
    write_spreads,
)

POPULATION_PARAMETERS = ("beta", "sd_resp", "sd_dev", "expectation", "sd_expectation")


ADAPTATION = "diag"
"""nutpie's mass-matrix adaptation for the population stage: diagonal. The latent GI terms
of up to 32 persons per compiled capacity made the low-rank adaptation slow (230 s against
26 s on the 30 x 90 test population, same answers) and on 40 persons with GI counts only it
diverged 416 times against none."""


class PopulationModel:
    """Hierarchical series of n-of-1 trials (see the module docstring).

    Parameters
    ----------
    priors : PriorSet, optional
        Priors of the population effects (default: the bundled ``priors/``).
    draws, tune, chains, random_seed :
        NUTS settings of the population stage.
    workers : int
        Dask local workers for the per-person stage (0 = serial).
    scheduler : str, optional
        Address of an existing Dask scheduler.
    progress : callable, optional
        ``progress(done)`` after each person of the per-person stage.
    person_fit : {"nuts", "laplace"}
        How the per-person stage approximates each posterior
        (:func:`~model.population.person_stage.person_likelihood`);
        its seeds start at ``random_seed`` (0 when None).
    extend : bool
        Run a population stage that failed its checks once more, longer (default); False:
        one run whatever its checks (the compile warm-up's few draws).

    """

    def __init__(self, priors: PriorSet | None = None, *, draws: int = 1000, tune: int = 1000,
                 chains: int = 4, random_seed: int | None = None, workers: int = 0,
                 scheduler: str | None = None, progress: Progress | None = None,
                 person_fit: PersonFit = "nuts", extend: bool = True) -> None:
        self.priors = priors
        self.extend = extend
        self.draws = draws
        self.tune = tune
        self.chains = chains
        self.random_seed = random_seed
        self.workers = workers
        self.scheduler = scheduler
        self.progress = progress
        self.person_fit = person_fit

    def fit(self, diaries: Sequence[Diary]) -> PopulationModel:
        """Fit the per-person stage (parallel when asked) and then the population stage.

        Also counts the diaries that separate magnesium from expectation (``separable_``, a
        withdrawal or placebo nights: :func:`~model.personal.separability.separability`):
        with none, the population's form effects and its expectation effect are known only
        as their sum (a series of crossovers from a baseline, with no stop, cannot split it).
        A population stage that fails its checks is run once more as a personal fit is
        extended (:func:`~model.personal.fit.extended`: twice the draws, smaller steps);
        ``diagnostics_`` tells the result (``attempts``), and :func:`write_priors` refuses a
        fit that failed.
        """
        if not diaries:
            raise MgsleepError("a population needs at least one diary")
        priors = self.priors or load_priors()
        self.priors_ = priors
        self.persons_ = likelihoods(diaries, priors, workers=self.workers,
                                    scheduler=self.scheduler, progress=self.progress,
                                    fit=self.person_fit, seed=self.random_seed or 0)
        self.diaries_ = list(diaries)
        self.separable_ = sum(separability(d).separable for d in diaries)
        stacked = stack_likelihoods(self.persons_)
        first = self.sampler_config()
        runs = (first, first.extended()) if self.extend else (first,)
        for attempt, config in enumerate(runs, start=1):
            self.idata_ = self.sample(*stacked, config=config)
            self.diagnostics_: Diagnostics = dataclasses.replace(
                check_convergence(self.idata_, POPULATION_PARAMETERS), attempts=attempt)
            if self.diagnostics_.ok:
                break
        return self

    def sampler_config(self) -> SamplerConfig:
        """The population stage's NUTS settings: the model's draws, tuning, chains and seed."""
        return SamplerConfig(draws=self.draws, tune=self.tune, chains=self.chains,
                             seed=self.random_seed, adaptation=ADAPTATION)

    def sample(self, *stacked: np.ndarray, config: SamplerConfig | None = None) -> xr.DataTree:
        """NUTS over the population stage given the persons' stacked blocks and GI counts.

        ``stacked`` are the fields of :func:`~model.population.blocks.stack_likelihoods`, in
        order; ``priors_`` must be set. Person effects and expectation terms of the blocks
        are integrated out exactly (:func:`~model.population.blocks.marginal_loglik`); the
        persons' GI intercepts and effects are sampled with the population means and spreads
        (:func:`~model.population.gi.gi_loglik`; the posterior keeps those of the persons
        fitted). The graph (:func:`~model.population.graph.population_compiled`) is compiled
        once per person capacity: the priors, blocks and counts are its data. ``config``:
        the sampler's settings (default: :meth:`sampler_config`). Returns
        the posterior (``fit`` stores it).
        """
        blocks = StackedBlocks(*stacked)
        persons = len(blocks.gi_nights)
        idata = run_nuts(population_compiled(persons), config or self.sampler_config(),
                         data=population_prior(self.priors_) | blocks._asdict())
        idata["posterior"] = idata["posterior"].to_dataset().isel(gi_person=slice(0, persons))
        return idata

    # -- results -------------------------------------------------------------------------------
    def effects(self) -> pd.DataFrame:
        """Population effect per form x outcome: mean, 95 % interval, P(benefit), spread.

        The columns of :func:`~model.inference.summary.effects_table` (of ``beta``), then
        ``between_person_sd`` (posterior mean) and ``persons_informative``.
        """
        post = self.idata_["posterior"].to_dataset()
        table = effects_table(post["beta"].stack({SAMPLE: ("chain", "draw")}))
        spread = post["between_person_sd"].mean(("chain", "draw"))
        informative = informative_persons(self.persons_)
        cells = [(FORMS.index(f), OUTCOMES.index(o))
                 for f, o in zip(table["form"], table["outcome"], strict=True)]
        table["between_person_sd"] = [float(spread.values[i, j]) for i, j in cells]
        table["persons_informative"] = [int(informative[i, j]) for i, j in cells]
        return table

    def to_json(self) -> dict[str, Any]:
        """The fit's part of the ``population`` JSON: version 2's fields.

        ``mgsleep population --json`` (:func:`model.cli.population.population_json`) adds
        version 3's ``interval`` and ``provenance`` (the run's seed and inputs, which the fit
        alone does not know) and says version 3. Version 2 added what the terminal already
        said: each effect's ``persons_informative`` and the count of diaries that separate
        magnesium from expectation (``separable``).
        """
        keys = ("form", "outcome", "scale", "mean", "ci_low", "ci_high", "p_benefit",
                "between_person_sd", "persons_informative")
        return {"schema_version": 2, "persons": len(self.persons_),
                "nights": int(sum(p.nights for p in self.persons_)),
                "separable": int(self.separable_),
                "effects": [{k: r[k] for k in keys} for r in self.effects().to_dict("records")],
                "diagnostics": self.diagnostics_.to_dict()}


def read_diaries(directory: str | Path, priors_dir: Path | None = None) -> list[Diary]:
    """Every ``*.csv`` diary of a directory (all faults of all files reported together).

    ``priors_dir``: whose ``elemental_fractions.csv`` converts ``compound_mg`` (default the
    bundled one), the priors directory the fit uses.
    """
    folder = Path(directory)
    if not folder.is_dir():
        raise InputError([Fault(str(folder), "", "not a directory of diary CSV files")])
    paths = sorted(folder.glob("*.csv"))
    if not paths:
        raise InputError([Fault(str(folder), "", "no *.csv diaries in it")])
    diaries, faults = [], []
    for path in paths:
        try:
            diary = read_diary(path, priors_dir=priors_dir, warn=False)
            refuse_blinded(diary)
            diaries.append(diary)
        except InputError as error:
            faults += error.faults
    if faults:
        raise InputError(faults)
    return diaries


def require_converged(fit: PopulationModel) -> None:
    """Refuse a population fit that failed its checks as a basis for priors.

    Raises
    ------
    MgsleepError
        When ``fit.diagnostics_`` is not ok (after its extension), with its figures.
    """
    checked = fit.diagnostics_
    if not checked.ok:
        raise MgsleepError(
            f"the population fit did not pass its checks (max R-hat {checked.max_rhat:.3f}, "
            f"min bulk ESS {checked.min_ess_bulk:.0f}, {checked.divergences} divergences, "
            f"after {checked.attempts} run(s)): its posterior is no basis for priors and "
            "none were written; fit again with more diaries or another --seed (more draws: "
            "PopulationModel(draws=...) in Python)")


def write_priors(fit: PopulationModel, directory: str | Path, *, label: str | None = None,
                 force: bool = False) -> Path:
    """Write the population posterior as a ``priors/`` directory with provenance.

    Each form file holds one entry per outcome (kind ``population``, measure ``posterior``):
    loaded back, the prior of that form x outcome is the population posterior N(mean, sd) of
    ``beta`` as it is (basis ``pooled``), updated by any entry a researcher adds beside it
    later (:func:`model.evidence.synthesis.synthesize`). Its ``n`` and certainty label follow
    the number of persons informative for that form x outcome
    (:func:`~model.population.writeback.population_certainty`: five persons are "very low",
    not "moderate"); the entry is not discounted. The evidence entries the fit started from
    are listed as ``[[excluded]]`` (already inside the posterior; with their citation and
    source), beside the source's own ``[[excluded]]``; the person-level spreads and
    expectation effect in ``settings.toml`` ``[personal]`` become the fitted ones
    (:func:`~model.population.writeback.fitted_spreads`). Every file names the run's inputs:
    the diaries' folder, persons, nights, seed and person fit
    (:class:`~model.population.writeback.Provenance`).

    Nothing is deleted that was not created here: a non-empty ``directory`` is refused unless
    ``force`` (then only the files written are replaced, each atomically, others stay); a
    ``directory`` that is, contains or lies inside the priors or a diaries folder is refused.
    Everything is written and validated in a new folder beside it first.

    Raises
    ------
    InputError
        When ``directory`` is refused (nothing is written).
    MgsleepError
        When the fit failed its checks (:func:`require_converged`; nothing is written).
    """
    require_converged(fit)
    source = fit.priors_.evidence.directory
    folders = {Path(d.source).parent for d in fit.diaries_ if Path(d.source).is_file()}
    inputs: dict[str, Any] = {"priors": source} | {f"diaries {f}": f for f in folders}
    why = target_problem(directory, force, inputs)
    if why:
        raise InputError([Fault(str(directory), "", f"cannot write priors here: it {why}")])
    with staged_beside(directory) as staging:
        _write_priors_folder(fit, staging / "priors", label)
        return install_priors(staging / "priors", directory)


def _fresh_tag(tag: str, priors: PriorSet) -> str:
    """``tag``, or ``tag_2``, ``tag_3``, ... when the priors already hold entries under it.

    Priors written back from priors written the same day would otherwise list each new
    entry's id among the old ones it excludes (an id both excluded and encoded is refused).
    """
    files = [priors.evidence.class_file, *priors.evidence.form_files.values()]
    taken = {s.id for f in files for s in f.studies} | {e.id for f in files for e in f.excluded}
    fresh, n = tag, 1
    while any(i.startswith(f"{fresh}_") for i in taken):
        n += 1
        fresh = f"{tag}_{n}"
    return fresh


def _provenance(fit: PopulationModel, label: str | None) -> Provenance:
    """The inputs of a write-back from ``fit``: its diaries, persons, seed and person fit."""
    today = dt.date.today().isoformat()
    tag = _fresh_tag(label or f"POPULATION_{today.replace('-', '')}", fit.priors_)
    sources = [Path(d.source) for d in fit.diaries_]
    diaries = sorted({str(p.parent.resolve()) if p.is_file() else str(p) for p in sources})
    return Provenance(tag, ", ".join(diaries), len(fit.persons_),
                      int(sum(p.nights for p in fit.persons_)), fit.random_seed,
                      fit.person_fit, fit.priors_.evidence.directory, today,
                      sum(separability(d).separable for d in fit.diaries_))


def _write_priors_folder(fit: PopulationModel, staging: Path, label: str | None) -> None:
    """Write and validate a complete priors folder at the new path ``staging``.

    Every file says what it rests on (:class:`~model.population.writeback.Provenance`), and
    keeps the source's ``[[excluded]]`` entries.
    """
    import tomli_w

    said = _provenance(fit, label)
    shutil.copytree(said.priors, staging, ignore=shutil.ignore_patterns("forms", "class.toml"))
    (staging / "forms").mkdir()
    effects = {(r["form"], r["outcome"]): r for r in fit.effects().to_dict("records")}
    (staging / "class.toml").write_text(tomli_w.dumps({
        "scope": "class", "notes": f"Written by {said.run()}.",
        "excluded": said.excluded(fit.priors_.evidence.class_file)}))
    for form in FORMS:
        studies = [said.entry(effects[form, outcome]) for outcome in OUTCOMES]
        old = fit.priors_.evidence.form_files.get(form)
        payload: dict[str, Any] = {"form": form,
                                   "evidence_level": old.evidence_level if old else "none",
                                   "notes": f"Written by {said.run()}.", "studies": studies}
        if old and (old.studies or old.excluded):
            payload["excluded"] = said.excluded(old)
        (staging / "forms" / f"{form}.toml").write_text(tomli_w.dumps(payload))
    posterior = fit.idata_["posterior"].to_dataset()
    write_spreads(staging / "settings.toml", fitted_spreads(posterior, fit.priors_),
                  fitted_by_outcome(posterior, fit.priors_), note=said.settings_note())
    load_priors(staging)  # validate before anything is installed
