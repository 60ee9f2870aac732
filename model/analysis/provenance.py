"""The ``provenance`` of an ``analyze`` result: what it was made from and how.

:func:`model.core.provenance.provenance` (the versions, the seed, the sampler, the MCMC
settings) with the analysis' own entries: the date analysed and the date the look-again
date counts from, how the fit was made (a full fit, the cached fit reused, updated by
importance reweighting or refitted from it; for a reweighted posterior its Pareto k and the
nights of the NUTS fit it was reweighted from), and fingerprints of the diary, the priors
and the profile.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from model.core.provenance import input_entry, provenance
from model.data.diary import Diary
from model.data.profile import Profile
from model.evidence.priorset import PriorSet
from model.personal.fit import PersonalModel
from model.personal.store import priors_fingerprint


def diary_input(given: object, diary: Diary) -> dict[str, Any]:
    """The diary as read: a file's name and SHA-256, or a table's (its nights as CSV text)."""
    if isinstance(given, str | Path):
        return input_entry(given)
    return input_entry(diary.source, diary.nights.to_csv().encode())


def profile_input(given: object, profile: Profile) -> dict[str, Any] | None:
    """The profile as read (as :func:`diary_input`; a ``Profile`` by its JSON); None without."""
    if given is None:
        return None
    if isinstance(given, str | Path):
        return input_entry(given)
    return input_entry(None, profile.model_dump_json().encode())


def fit_method(fit: PersonalModel, how: str) -> dict[str, Any]:
    """How the fit was made (``method``, :data:`model.analysis.fit_cache.FIT_WORDS`' keys).

    ``posterior``: ``nuts`` (the NUTS draws themselves) or ``psis`` (reweighted from them;
    a cached fit may be one); ``pareto_k`` the reweighting's (null for NUTS draws);
    ``full_fit_nights`` the nights with an outcome of the NUTS fit the draws are from.
    """
    weights = fit.reweighting_
    return {"method": how, "posterior": fit.method_,
            "pareto_k": None if weights is None else float(weights.pareto_k),
            "full_fit_nights": fit.proposal_.diary.n_recorded}


def analysis_provenance(fit: PersonalModel, how: str, *, seed_given: int | None,
                        inputs: tuple[dict[str, Any], dict[str, Any] | None],
                        priors: PriorSet, bundled: bool, as_of: dt.date,
                        review_from: dt.date) -> dict[str, Any]:
    """The ``provenance`` of an ``analyze`` JSON (module docstring).

    ``inputs`` are the diary's and the profile's entries (:func:`diary_input`,
    :func:`profile_input`); ``bundled`` whether the priors are the bundled evidence as it
    stands; ``review_from`` the day ``next_review`` counts from (the command line's today,
    else the date analysed).
    """
    diary, profile = inputs
    return provenance(
        seed=fit.seed_, seed_drawn=seed_given is None, sampler=fit.sampler_, draws=fit.draws,
        tune=fit.tune, chains=fit.chains,
        inputs={"as_of": as_of.isoformat(), "next_review_from": review_from.isoformat(),
                **fit_method(fit, how), "diary": diary,
                "priors": {"fingerprint": priors_fingerprint(priors), "bundled": bundled},
                "profile": profile})
