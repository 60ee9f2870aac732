"""How well the quick analysis stands in for the full model where trial planning uses it.

:func:`quick_vs_full` fits :class:`~model.trial.quick.QuickModel` and
:class:`~model.personal.fit.PersonalModel` to the same simulated trial diaries (persons drawn
from the priors, :func:`model.trial.preposterior.draw_truth`), asks both the trial's question
(:class:`~model.trial.preposterior.Question`) and compares what the decision reads: the
chosen regimen, every candidate's P(best) and its P(GI constraint violation), and the tried
forms' effects.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from model.core.forms import FORMS
from model.decision.decide import Decision
from model.evidence.priorset import PriorSet, load_priors
from model.personal.fit import PersonalModel
from model.trial.plan import TrialPlan
from model.trial.preposterior import (
    Question,
    chosen_regimen,
    draw_truth,
    forms_tried,
    simulate_trial,
)
from model.trial.quick import QuickModel


@dataclass(frozen=True)
class Agreement:
    """Quick and full analyses of the same diaries, side by side.

    Attributes
    ----------
    persons : pandas.DataFrame
        One row per simulated person: each model's chosen regimen and its P(best)
        (``p_best_quick``, ``p_best_full``), ``same`` (they agree), ``max_z``: the largest
        |quick - full| posterior mean of a tried form's effect, in full posterior SDs, over
        the outcomes; ``mean_z``; ``diagnostics_ok`` of the full fit; the true and both
        posterior-mean ``tau``; ``quick_seconds`` and ``full_seconds`` per fit.
    candidates : pandas.DataFrame
        One row per person and candidate regimen: ``p_best_quick``, ``p_best_full``,
        ``p_gi_quick``, ``p_gi_full`` (P(GI constraint violation)).
    """

    persons: pd.DataFrame
    candidates: pd.DataFrame

    def summary(self, epsilon: float = 0.2) -> dict[str, float]:
        """Agreement figures: same choice, P(best) and P(GI violation) differences.

        ``p_gi_same_side`` is the share of candidates both analyses put on the same side of
        the GI chance constraint's ``epsilon`` (``safety.toml``), i.e. allow or block alike.
        """
        c = self.candidates
        d_best = (c["p_best_quick"] - c["p_best_full"]).abs()
        d_gi = (c["p_gi_quick"] - c["p_gi_full"]).abs()
        same_side = (c["p_gi_quick"] > epsilon) == (c["p_gi_full"] > epsilon)
        return {"persons": float(len(self.persons)),
                "same_choice": float(self.persons["same"].mean()),
                "p_best_mean_abs_diff": float(d_best.mean()),
                "p_best_p90_abs_diff": float(d_best.quantile(0.9)),
                "p_best_max_abs_diff": float(d_best.max()),
                "p_best_correlation": float(np.corrcoef(c["p_best_quick"],
                                                        c["p_best_full"])[0, 1]),
                "p_gi_mean_abs_diff": float(d_gi.mean()),
                "p_gi_max_abs_diff": float(d_gi.max()),
                "p_gi_same_side": float(same_side.mean()),
                "median_mean_z": float(self.persons["mean_z"].median()),
                "max_z": float(self.persons["max_z"].max())}


def _candidate_rows(sim: int, decisions: list[Decision]) -> list[dict[str, Any]]:
    """Each candidate's P(best) and P(GI violation) under both decisions."""
    full = {a.regimen.label: a for a in decisions[1].assessments}
    return [{"sim": sim, "regimen": a.regimen.label, "p_best_quick": a.p_best,
             "p_best_full": full[a.regimen.label].p_best,
             "p_gi_quick": a.p_constraint_violation,
             "p_gi_full": full[a.regimen.label].p_constraint_violation}
            for a in decisions[0].assessments if a.regimen.label in full]


def quick_vs_full(plan: TrialPlan, *, n_sims: int = 10, seed: int = 0,
                  priors: PriorSet | None = None,
                  full: Mapping[str, Any] | None = None) -> Agreement:
    """Fit the quick and the full model to the same simulated diaries and compare.

    Parameters
    ----------
    plan : TrialPlan
        The schedule of every simulated diary.
    n_sims : int
        Simulated persons (drawn from the priors).
    seed : int
        Seeds persons and diaries.
    priors : PriorSet, optional
        Default: bundled.
    full : mapping, optional
        Keyword arguments of :class:`~model.personal.fit.PersonalModel` (default 500 draws,
        500 tuning steps, 4 chains, no progress bar: these are many fits).
    """
    used = priors if priors is not None else load_priors()
    question = Question.of(plan, used)
    options = {"draws": 500, "tune": 500, "chains": 4, "progressbar": False} | dict(full or {})
    rows, candidates = [], []
    for sim in range(n_sims):
        rng = np.random.default_rng([seed, sim])
        person = draw_truth(used, rng)
        diary = simulate_trial(plan, person, seed=int(rng.integers(2**31)), priors=used)
        tried, end = forms_tried(diary), diary.nights.index[-1].date()
        started = time.perf_counter()
        quick = QuickModel(used, random_seed=sim).fit(diary)
        quick_seconds = time.perf_counter() - started
        model = PersonalModel(used, random_seed=sim, **options).fit(diary)
        decisions = [question.decide(m.predict, tried, end) for m in (quick, model)]
        picks = [chosen_regimen(d) for d in decisions]
        forms = [FORMS.index(f) for f in tried]
        theta = model.draws_of("theta")
        z = np.abs(quick.draws_of("theta").mean(0)[forms] - theta.mean(0)[forms]) / theta.std(
            0)[forms]
        candidates += _candidate_rows(sim, decisions)
        rows.append({"sim": sim, "quick": picks[0].label, "full": picks[1].label,
                     "p_best_quick": decisions[0].assessments[0].p_best,
                     "p_best_full": decisions[1].assessments[0].p_best,
                     "same": picks[0] == picks[1], "max_z": float(z.max()),
                     "mean_z": float(z.mean()), "diagnostics_ok": model.diagnostics_.ok,
                     "tau_true": person.tau, "tau_quick": float(quick.draws_of("tau").mean()),
                     "tau_full": float(model.draws_of("tau").mean()),
                     "quick_seconds": quick_seconds, "full_seconds": model.fit_seconds_})
    return Agreement(pd.DataFrame(rows), pd.DataFrame(candidates))
