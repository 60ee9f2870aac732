"""One analysis end to end: diary + profile + priors -> fit -> decision -> prior sensitivity.

This is what ``mgsleep analyze`` runs and what a notebook calls in one line::

    from model.analysis.pipeline import analyze
    result = analyze("diary.csv", profile="me.toml")
    result.decision.recommendation.to_dict()
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from model.analysis.analysed_nights import enough_nights, truncated
from model.analysis.blinded import pots_screened, pots_to_stop
from model.analysis.effects import DiaryEffects, diary_effects
from model.analysis.fading import Fading, fading
from model.analysis.fit_cache import FIT_WORDS, fit_with_cache
from model.analysis.pathways import Pathway, pathways, unless_it_moves_on
from model.analysis.plan_ahead import PlanAhead, follow_plan, plan_ahead
from model.analysis.predictions import Predictions
from model.analysis.provenance import analysis_provenance, diary_input, profile_input
from model.analysis.sensitivity import Sensitivity, prior_sensitivity
from model.analysis.store_start import assumed_start, checked_start
from model.core.errors import ConvergenceWarning, NonFiniteDraws, PriorsError, fit_failed
from model.core.paths import is_bundled_priors
from model.core.progress import SHOW_PROGRESS, announce
from model.data.diary import Diary, read_diary, refuse_blinded
from model.data.diary_rows import given_date
from model.data.diary_warnings import issue_diary_warnings
from model.data.profile import Profile, checked_profile, load_profile
from model.decision import History, history, screen
from model.decision.baseline import lead_of
from model.decision.decide import Decision, decide
from model.decision.diary_mentions import with_diary_mentions
from model.decision.rules import current_breaks
from model.decision.settings import DecisionSettings, Predict
from model.evidence.priorset import PriorSet, load_priors
from model.inference.samplers import CHECKED_CHAINS, check_settings
from model.inference.summary import SUMMARY_LEVEL
from model.personal.covariate_effects import covariate_entry
from model.personal.fit import PersonalModel
from model.personal.power import PowerScaling
from model.personal.predict import ShiftEntry, device_entry
from model.personal.separability import Separability, separability

SCHEMA_VERSION = 22
"""Version of the ``analyze`` JSON (README, "JSON outputs and their versions": 2 added
diagnostics and ``separability``; 3 the decision's scores; 4 each effect in diary units with
its verdict; 5 ``power_scaling`` on request; 6 ``regimen_effects``, each dose taken; 7
``from_posterior``; 8 ``plan_ahead``; 12 a ``refer``'s ``next_review`` null; 13
``provenance`` and each interval's level, ``interval``; 14 a ``collect_more_data``'s
``alternatives`` without ``continue``, whose scores the recommendation carries; 16 the
``complaint`` and ``weights``, and each ``effects`` and ``regimen_effects`` entry's
``recorded``, with the verdict ``not_recorded`` for an outcome no night records; 17 the
recommendation's ``options_allowed`` and ``max_mg_now``, ``provenance.code_sha256``; 18 the
verdict ``not_estimated`` of a failed fit with each entry's ``not_estimated``, a GI entry's
``late_gi``, the top-level ``fading``; 21 ``covariates``). Every earlier field is kept."""


def weights_used(profile: Profile, settings: DecisionSettings | None = None
                 ) -> dict[str, float]:
    """The utility weight of each outcome as the decision counts it: the profile's, GI's.

    Keyed as the ``effects`` of the JSON key their outcomes (the JSON's ``weights``, beside
    ``complaint``); GI's is the ``gi_weight`` of the decision's ``settings`` (default
    :class:`DecisionSettings`), the same for everyone: the defaults', read whatever the
    decision was given, could differ from the weight it used (a maintainer's review, C F13).
    """
    return profile.outcome_weights() | {"gi": (settings or DecisionSettings()).gi_weight}


def history_of(result: Analysis) -> History:
    """The diary's :class:`History` as decided: with ``taking_since`` (/tmp/w50/a F4)."""
    return history(result.diary, taking_since=result.profile.taking_since)


@dataclass(frozen=True)
class Analysis:
    """The result of :func:`analyze`.

    ``effects`` holds every form x outcome in diary units against placebo, with its verdict
    (:func:`model.analysis.effects.diary_effects`); ``pathways`` what the recommendation
    becomes if the next period goes badly, as expected or well
    (:func:`model.analysis.pathways.pathways`); ``power`` the power-scaling sensitivity to the
    prior and the diary, when asked for (:meth:`model.personal.fit.PersonalModel.power_scaling`);
    ``plan`` the trial plan written in the diary after the date analysed, which the
    recommendation keeps to unless a rule speaks (:mod:`model.analysis.plan_ahead`);
    ``fit_how`` how the fit was made (:data:`~model.analysis.fit_cache.FIT_WORDS`: ``fit``,
    or from the cache ``cached``, ``psis`` or ``nuts``); ``provenance`` what the result
    was made from and how (:func:`model.analysis.provenance.analysis_provenance`);
    ``settings`` the decision's. After a fit that failed its checks every effect's verdict
    is ``not_estimated`` (:meth:`~model.analysis.effects.DiaryEffects.not_estimated`).
    """

    as_of: dt.date
    diary: Diary
    profile: Profile
    fit: PersonalModel
    decision: Decision
    sensitivity: tuple[Sensitivity, ...]
    separability: Separability
    effects: DiaryEffects
    pathways: tuple[Pathway, ...]
    power: PowerScaling | None = None
    plan: PlanAhead | None = None
    fit_how: str = "fit"
    provenance: Mapping[str, Any] = field(default_factory=dict)
    settings: DecisionSettings = field(default_factory=DecisionSettings)

    def __repr__(self) -> str:
        return (f"Analysis(as of {self.as_of.isoformat()}, {self.diary.n_recorded} nights; "
                f"{self.decision.recommendation!r}; diagnostics "
                f"{self.fit.diagnostics_.words()})")

    def cautions(self) -> tuple[str, ...]:
        """What the reader should keep in mind about the effects (the diary's separability).

        None under a referral: whether magnesium or expectation helped has no bearing on
        "see a clinician" (the JSON's ``separability`` still holds the reasons).
        """
        if self.decision.recommendation.action == "refer":
            return ()
        return tuple(self.separability.reasons)

    def fitted_shifts(self, entry: ShiftEntry = device_entry) -> dict[str, Any] | None:
        """Fitted level shifts as JSON, or None (none, or a fit that failed its checks).

        Each measuring source's (``devices``: :func:`~model.personal.predict.device_entry`) or
        each covariate's (``covariates``: :mod:`model.personal.covariate_effects`).
        """
        if not self.fit.diagnostics_.ok:
            return None
        return entry(self.fit.draws_, self.fit.diary_.nights, self.fit.priors_)

    def effect_entries(self) -> list[dict[str, Any]]:
        """The ``effects`` of the JSON: the model-scale summary and the diary-unit effect.

        ``nights``: the nights on the form (any dose) with the outcome recorded;
        ``recorded``: whether any night of the diary records the outcome (else the verdict
        is ``not_recorded``: the numbers are the evidence's alone);
        ``interval``: the level of ``ci_low``/``ci_high`` (95 %), and ``diary_change``'s own
        ``interval`` (90 %: the verdicts'). A form not taken is left out when no dose of it
        is left under the ceiling (other magnesium takes all of it): it has no diary effect.
        """
        said = {(e.form, e.outcome): e for e in self.effects}
        rows = [row for row in self.fit.effects().to_dict("records")
                if (str(row["form"]), str(row["outcome"])) in said]
        entries = []
        for row in rows:
            effect = said[str(row["form"]), str(row["outcome"])]
            diary = effect.to_dict()
            diary["diary_change"] |= {"interval": self.effects.interval}
            entries.append({str(k): (v.item() if isinstance(v, np.generic) else v)
                            for k, v in row.items()} | {"interval": SUMMARY_LEVEL}
                           | {"nights": effect.nights} | diary)
        return entries

    def weights(self) -> dict[str, float]:
        """The utility weight of each outcome as the decision counts it (:func:`weights_used`)."""
        return weights_used(self.profile, self.settings)

    def fading(self) -> Fading | None:
        """A run of one regimen better early than lately (:mod:`model.analysis.fading`)."""
        return fading(self.diary.nights, self.profile.outcome_weights(),
                      self.settings.floor_nights)

    def sensitivity_skipped(self) -> str:
        """Why the analysis has no prior sensitivity check, the reason that applies.

        No refits are made then: they could not change the answer. The ``analyze`` JSON
        gives it as ``prior_sensitivity_skipped`` (null when the check ran).
        """
        rec = self.decision.recommendation
        codes = rec.reason_codes
        why = ("a safety rule does not depend on the prior" if "refer" in codes else
               "the step is your own trial plan's, not the model's" if "planned" in codes else
               f"the evaluation period, not the prior, sets tonight's step (no change is open "
               f"until {rec.next_review.isoformat()} unless safety asks for one); it is "
               "checked when a change is open" if self.decision.period_sets_step else
               "no dosing advice is given after a fit that failed its checks")
        return f"not checked: {why}"

    def priors_entry(self) -> dict[str, Any]:
        """The ``priors`` of the JSON: the directory, and what was changed in Python.

        ``directory`` is the absolute path; ``bundled`` says whether the bundled evidence was
        used as it stands; ``changed`` lists the priors changed in Python
        (:meth:`PriorSet.changes_from_files`). A researcher's ``--priors DIR`` is named, and so
        is a prior set by hand with its reason, so that a result says what it rests on.
        """
        priors = self.fit.priors_
        directory = priors.evidence.directory.resolve()   # as typed, "v/addrct" named nothing
        try:                                              # once the JSON was read elsewhere
            entries, settings = priors.changes_from_files()
        except PriorsError:        # the directory changed or went since: nothing to compare
            return {"directory": str(directory), "bundled": False, "changed": None,
                    "settings_changed": None}
        return {"directory": str(directory),
                "bundled": is_bundled_priors(directory) and not entries and not settings,
                "changed": [e.to_dict() | {"note": e.note} for e in entries],
                "settings_changed": settings}

    def to_json(self) -> dict[str, Any]:
        """The ``analyze`` JSON (:data:`SCHEMA_VERSION`; the README gives its changes).

        ``warnings`` are the diary's (``mgsleep analyze`` adds the profile's, which Python
        raises as :class:`~model.data.profile.ProfileWarning` to a caller of :func:`analyze`).
        """
        return {
            "schema_version": SCHEMA_VERSION,
            "as_of": self.as_of.isoformat(),
            "complaint": self.profile.complaint,
            "weights": self.weights(),
            "nights": {"total": self.diary.n_recorded,
                       "by_regimen": self.diary.regimen_counts()},
            "diagnostics": self.fit.diagnostics_.to_dict(),
            "effects": self.effect_entries(),
            "regimen_effects": [e.regimen_entry() for e in self.effects.by_regimen],
            **self.decision.to_dict(),
            "prior_sensitivity": [s.to_dict() for s in self.sensitivity],
            "prior_sensitivity_skipped": None if self.sensitivity else self.sensitivity_skipped(),
            "separability": self.separability.to_dict(),
            "devices": self.fitted_shifts(),
            "covariates": self.fitted_shifts(covariate_entry),
            "pathways": [p.to_dict() for p in self.pathways],
            "plan_ahead": None if self.plan is None else self.plan.to_dict(),
            "priors": self.priors_entry(),
            "fading": None if (faded := self.fading()) is None else faded.to_dict(),
            "warnings": list(dict.fromkeys(self.diary.warnings)),
            "provenance": dict(self.provenance),
        } | ({} if self.power is None else {"power_scaling": self.power.to_dict()})



def checked_decision(fit: PersonalModel, priors: PriorSet, profile: Profile, diary: Diary,
                     as_of: dt.date, seed: int | None,
                     separable: bool | None = None, predict: Predict | None = None,
                     today: dt.date | None = None,
                     settings: DecisionSettings | None = None) -> Decision:
    """Decide from a fit; NaN or infinite draws fail its checks (``collect_more_data``).

    A non-finite posterior draw, or a prediction that overflows, marks the fit's diagnostics
    as failed (``diagnostics_.ok = False``), so that neither this decision nor the prior
    sensitivity uses the draws: a NaN must never count as "no GI violation". ``predict``
    defaults to ``fit.predict`` (an analysis passes its :class:`Predictions`); ``today`` and
    ``settings`` as for :func:`model.decision.decide`.
    """
    predict = fit.predict if predict is None else predict
    finite = all(np.isfinite(np.asarray(v, float)).all() for v in fit.draws_.values())
    if not finite:
        fit.diagnostics_ = dataclasses.replace(fit.diagnostics_, ok=False)
    try:
        return decide(predict, priors=priors, profile=profile, diary=diary, as_of=as_of,
                      diagnostics_ok=fit.diagnostics_.ok, seed=seed, separable=separable,
                      today=today, settings=settings)
    except NonFiniteDraws:
        fit.diagnostics_ = dataclasses.replace(fit.diagnostics_, ok=False)
        return decide(predict, priors=priors, profile=profile, diary=diary, as_of=as_of,
                      diagnostics_ok=False, seed=seed, separable=separable, today=today,
                      settings=settings)


def _nights_analysed(diary: str | Path | Diary, priors: PriorSet, person: Profile,
                     profile: str | Path | Profile | None, as_of: dt.date | str | None,
                     now: dt.date | None) -> tuple[Diary, Diary, dt.date, str | None]:
    """The diary read, the part analysed, the date analysed and the profile's start.

    Each diary warning is issued once (:func:`~model.data.diary_warnings.
    issue_diary_warnings`): a ``Diary`` given said its own when it was read, so only what the
    analysis adds (planned nights left out) is said again; not twice (B F3). Refuses a
    blinded diary and one too short to fit (:func:`enough_nights`).
    """
    read = diary if isinstance(diary, Diary) else read_diary(   # compound_mg by the priors'
        diary, priors_dir=priors.evidence.directory, today=now, warn=False)   # own fractions
    full = read.with_loose_bristol(priors.safety.gi_constraint.loose_bristol)
    data, day = truncated(full, as_of, now)
    since, data = checked_start(data, person, profile), assumed_start(data, person)
    said = set(diary.warnings) if isinstance(diary, Diary) else set()
    issue_diary_warnings(note for note in data.warnings if note not in said)
    refuse_blinded(data, also=[*pots_screened(data, person, priors.safety), *pots_to_stop(data)])
    enough_nights(data, with_diary_mentions(person, data.nights, priors.safety).profile, priors)
    return full, data, day, since


def analyze(diary: str | Path | Diary, *, profile: str | Path | Profile | None = None,
            priors: str | Path | PriorSet | None = None, as_of: dt.date | str | None = None,
            draws: int = 1000, tune: int = 500, chains: int = 4, sampler: str | None = None,
            seed: int | None = None, progress: bool = SHOW_PROGRESS,
            allow_unknown: bool = False, cache: str | Path | None = None,
            power_scaling: bool = False, today: dt.date | str | None = None,
            strict: bool = False) -> Analysis:
    """Fit a diary and decide the next step.

    Parameters
    ----------
    diary : path, DataFrame or Diary
        The nightly diary (a CSV with the columns of the README's "The diary" section, or a
        DataFrame of them).
    profile : path or Profile, optional
        The person's profile TOML (default: every key at its default), or a
        :class:`~model.data.profile.Profile`, checked as a file is
        (:func:`~model.data.profile.checked_profile`: an unknown name is an error).
    priors : path or PriorSet, optional
        A priors directory (default: the bundled one).
    as_of : datetime.date or str, optional
        Analyse the nights up to this date, the night that began on it included (the diary
        as it stood the morning after), or ``YYYY-MM-DD`` (default: its last night with an
        outcome recorded; planned nights after it are left out, with a warning).
    draws, tune, chains, sampler, seed :
        MCMC settings (see :class:`~model.personal.fit.PersonalModel`). Without ``seed`` one
        is drawn (or a cached fit's own is reused), used throughout and reported
        (``provenance.seed``): given back, with no cache, it reproduces the result.
    progress : bool
        Report progress (and the sampler's progress bar) on standard error; by default in
        IPython/Jupyter or on a terminal, never in CI, pytest or a pipe
        (:func:`model.core.progress.show_progress`).
    allow_unknown : bool
        Accept conditions and medicines the safety data does not know, with a "NOT CHECKED"
        warning (see :func:`model.data.profile.load_profile`).
    cache : path, optional
        A directory keeping each diary's last fit (:mod:`model.analysis.fit_cache`), and
        the refits of the prior sensitivity check: a diary that only gained nights since is
        updated in seconds instead of refitted. None (the default here; ``mgsleep analyze``
        uses the user cache directory): always a full fit.
    power_scaling : bool
        Also measure how much each effect would move if the evidence prior or the diary were
        raised to a power near 1 (``arviz_stats.psense``, no refit; Pareto k checked), next to
        the refits of the prior sensitivity check.
    today : datetime.date or str, optional
        The day the advice is read (``mgsleep analyze`` gives today's date unless
        ``--as-of`` is given): a change begins tonight, so when the diary's last night is
        older its next review counts from tonight (:func:`model.decision.decide`). None:
        the date analysed stands for today.
    strict : bool
        Raise :class:`~model.core.errors.ConvergenceError` when the fit fails its checks,
        instead of a :class:`~model.core.errors.ConvergenceWarning` and a result without
        dosing advice or verdicts (``collect_more_data``, effects ``not_estimated``).

    Returns
    -------
    Analysis

    Raises
    ------
    InputError
        A profile, or a ``Profile``, that does not check (an unknown medicine without
        ``allow_unknown``), or MCMC settings out of range.
    PriorsError
        A priors directory that does not read.
    DiaryError
        A diary that does not read, or with fewer than
        :data:`~model.analysis.analysed_nights.MIN_NIGHTS_TO_FIT` nights
        with an outcome (unless a hard rule speaks).
    BlindedDiary
        A diary still blinded (its nights carry pot codes): analyse it once unblinded.
    MgsleepError
        An ``as_of`` before the diary's first night.
    ConvergenceError
        With ``strict``, a fit that failed its checks.

    Warns
    -----
    DiaryWarning
        Each caveat the diary was read or analysed with, once.
    ConvergenceWarning
        A fit that failed its checks (a notebook user's audit, B F2: it was silent).
    """
    check_settings(draws=draws, tune=tune, chains=chains, seed=seed,
                   least_chains=CHECKED_CHAINS)
    prior_set = priors if isinstance(priors, PriorSet) else load_priors(priors)
    person = (checked_profile(profile, safety=prior_set.safety, allow_unknown=allow_unknown)
              if isinstance(profile, Profile) else
              load_profile(profile, safety=prior_set.safety, allow_unknown=allow_unknown))
    now = None if today is None else given_date(today)
    full, data, day, since = _nights_analysed(diary, prior_set, person, profile, as_of, now)
    announce(f"analysing {data.n_recorded} nights of {data.source}", progress)
    config = {"gut_sensitivity": person.gut_sensitivity, "draws": draws, "tune": tune,
              "chains": chains, "sampler": sampler, "random_seed": seed, "progressbar": progress,
              "taking_since": since}
    directory = Path(cache) if cache else None
    with warnings.catch_warnings():        # a refit's own failure: the analysis says it, once
        warnings.simplefilter("ignore", ConvergenceWarning)
        fit, how = fit_with_cache(data, prior_set, config, directory)
        announce(f"{FIT_WORDS[how]} in {fit.fit_seconds_:.1f} s; diagnostics "
                 f"{fit.diagnostics_.words()}", progress)
        result = _decided(fit, how, data, full, person, prior_set, day, now, progress,
                          directory, power_scaling)
    if not fit.diagnostics_.ok:
        fit_failed("analyze: no dosing advice and no verdict on the effects",
                   fit.diagnostics_.failures(), strict=strict)
    return dataclasses.replace(result, provenance=analysis_provenance(
        fit, how, seed_given=seed, inputs=(diary_input(diary, data),
                                           profile_input(profile, person)),
        priors=prior_set, bundled=result.priors_entry()["bundled"], as_of=day,
        review_from=now or day))


def _decided(fit: PersonalModel, how: str, data: Diary, full: Diary, person: Profile,
             prior_set: PriorSet, day: dt.date, now: dt.date | None, progress: bool,
             directory: Path | None, power_scaling: bool) -> Analysis:
    """The analysis of a fit (:func:`analyze`), its provenance still to add.

    One :class:`DecisionSettings` serves the decision, the pathways and the weights the JSON
    states: the pathways' period length and the weights' GI weight read the defaults
    whatever the decision was given (a maintainer's review, C F13). A fit that failed its
    checks leaves the effects without a verdict (:meth:`DiaryEffects.not_estimated`).
    """
    settings, seed = DecisionSettings(), fit.seed_  # drawn by the fit without one, or cached
    past = history(data, taking_since=person.taking_since)    # the diary's mentions keep it
    apart = separability(data, fit.draws_, lead_of(past))
    predict = Predictions(fit.draws_, prior_set)
    decision = checked_decision(fit, prior_set, person, data, day, seed, apart.separable,
                                predict, now, settings)
    person = with_diary_mentions(person, data.nights, prior_set.safety).profile   # as decided
    rules = screen(person, prior_set.safety, past.taking)
    plan = plan_ahead(full, day, now)
    if plan is not None:
        decision = follow_plan(decision, plan, past.current, rules, prior_set, predict,
                               past.taking)
    planned = "planned" in decision.recommendation.reason_codes
    # the prior sensitivity and the pathways are of the model's own step, which a plan
    # followed sets aside; while the period holds the step no prior opens a choice, and the
    # refits would cost the daily re-analysis seconds for nothing
    skip = planned or decision.period_sets_step
    sensitivity = () if skip else prior_sensitivity(fit, decision, data, person, day, seed,
                                                    progress, apart.separable, directory,
                                                    predict)
    effects = diary_effects(predict, data.nights, prior_set, ceiling_mg=rules.ceiling_mg,
                            theta=fit.draws_["theta"]).only_settled_on(
        lambda regimen: not rules.referrals and not current_breaks(regimen, rules))
    if not fit.diagnostics_.ok:
        effects = effects.not_estimated(
            f"the fit failed its checks ({'; '.join(fit.diagnostics_.failures())})")
    paths = () if planned else pathways(predict, decision, past, priors=prior_set,
                                        profile=person, as_of=day, seed=seed,
                                        separable=apart.separable, today=now,
                                        settings=settings)
    decision = unless_it_moves_on(decision, paths)
    power = fit.power_scaling() if power_scaling else None
    return Analysis(day, data, person, fit, decision, sensitivity, apart, effects, paths,
                    power, plan, how, settings=settings)
