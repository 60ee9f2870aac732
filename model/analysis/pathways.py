"""What would change the recommendation: the next period going well, as expected or badly.

In the spirit of EffTox's dose-transition pathways: before the next evaluation period, say
what the advice will become depending on how its nights go. The regimen the period tests (the
recommended one; for ``continue``, ``collect_more_data`` and the experiments, the current one;
for ``stop``, the one stopped) gets a score in every posterior draw: magnesium's own sleep
benefit against placebo in weighted MCIDs (each draw's change of the nightly means, GI and
costs left out; :func:`model.analysis.effects.change_draws`). The draws fall into thirds of
that score: **badly** (the lowest third), **as expected** (the middle one) and **well** (the
top one). Each third stands for what the period would show if the truth lay there, and the
decision is made again on its draws, as of the next review, with the history the period leaves
(the regimen taken for the whole period). It is a preview, not a promise: a real period
narrows the posterior less than learning which third holds the truth.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np
import xarray as xr

from model.analysis.effects import change_draws
from model.core.forms import PLACEBO
from model.core.outcomes import SLEEP_OUTCOMES, SPECS
from model.core.regimen import Regimen
from model.data.profile import Profile
from model.decision import Decision, DecisionSettings, History, Predict, decide
from model.decision.candidates import EXPERIMENTS
from model.decision.explain import not_settled
from model.decision.rules import nights_until, review_from
from model.evidence.priorset import PriorSet

Scenario = Literal["badly", "as_expected", "well"]
SCENARIOS: tuple[Scenario, ...] = ("badly", "as_expected", "well")
"""The thirds of the score, lowest first."""

TESTS_CURRENT = frozenset({"continue", "collect_more_data"}) | EXPERIMENTS
"""Actions whose period tests the current regimen (experiments included)."""


@dataclass(frozen=True)
class Pathway:
    """The recommendation if the next period goes one way.

    Parameters
    ----------
    scenario : str
        ``badly``, ``as_expected`` or ``well``.
    tested : Regimen
        The regimen whose benefit the period shows.
    benefit : float
        Mean sleep benefit of ``tested`` in this third (weighted MCIDs against placebo).
    action : str
        The action then recommended.
    regimen : Regimen or None
        Its regimen.
    reason_codes : tuple of str
        Its reason codes (``learn``: a step taken to learn).

    """

    scenario: Scenario
    tested: Regimen
    benefit: float
    action: str
    regimen: Regimen | None
    reason_codes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The ``pathways`` entry of the ``analyze`` JSON."""
        return {"if": self.scenario, "tested": self.tested.label, "benefit": self.benefit,
                "action": self.action,
                "form": self.regimen.form if self.regimen is not None else None,
                "elemental_mg_per_day": self.regimen.elemental_mg
                if self.regimen is not None else None,
                "split": self.regimen.split if self.regimen is not None else None,
                "reason_codes": list(self.reason_codes)}


def regimen_tested(action: str, regimen: Regimen | None, past: History) -> Regimen | None:
    """The regimen the next period tests (None when nothing magnesium is tested)."""
    if action in TESTS_CURRENT or action == "stop":
        return past.current if past.current.active else None
    return regimen if regimen is not None and regimen.active else None


def sleep_score(data: xr.Dataset, regimen: Regimen, priors: PriorSet,
                profile: Profile) -> np.ndarray:
    """Magnesium's own sleep benefit of ``regimen`` per draw, in weighted MCIDs."""
    weights = profile.outcome_weights()
    outcomes = priors.settings.outcomes
    score = np.zeros(data.sizes["draw"])
    for outcome in SLEEP_OUTCOMES:
        spec = SPECS[outcome]
        if spec.gain_key not in data:
            continue
        values = data[spec.gain_key]
        change = change_draws(values, regimen, Regimen(PLACEBO))
        score += weights.get(outcome, 0.0) / outcomes[outcome].mcid * spec.sign * change
    return score


def _after(past: History, tested: Regimen, action: str, regimen: Regimen | None,
           nights: int, settings: DecisionSettings | None = None) -> History:
    """The history the period leaves: its regimen taken for the whole period.

    The period counts as complete: at least the longest evaluation period, so that no
    change waits for it. What the diary says of loose stools (the regimens that gave them,
    the person's own rate, whether stools are recorded) carries over, and so do the
    outcomes it has a column for but no night of (:attr:`History.unrecorded`): the period's
    nights will not record them either, and the person's room to improve
    (:mod:`model.decision.room`) is judged on the recorded ones today; without them the
    pathways would judge it on an unrecorded outcome's predicted level too. The longest
    period is that of ``settings``, the decision's (default :class:`DecisionSettings`): the
    defaults', read whatever the decision was given, could differ (a maintainer's review,
    C F13).
    """
    nights = max(nights, (settings or DecisionSettings()).max_period_nights)
    current = past.current if action in TESTS_CURRENT or regimen is None else regimen
    forms = past.forms_tried | ({tested.form} if tested.active else set())
    return History(current, nights, frozenset(forms), 0,
                   dict(past.nights_on) | {current: past.nights_on.get(current, 0) + nights},
                   gi_troubled=past.gi_troubled, background_gi_rate=past.background_gi_rate,
                   gi_records_on=past.gi_records_on, unrecorded=past.unrecorded)


def unless_it_moves_on(decision: Decision, paths: Sequence[Pathway]) -> Decision:
    """``decision`` without its commitment when every pathway moves on from its regimen.

    A commitment the next period would undo, however it goes, is no commitment (as a
    crossover form left to try keeps the rule from committing,
    :mod:`model.decision.choice`): the rule commits among the regimens one change away, and
    the pathways see the ones that change opens (a split dose today, another form at that
    split dose next). The step stays; ``commit`` becomes false, the code ``commit``
    ``best_expected``, and a reason says where it is expected to lead.
    """
    rec = decision.recommendation
    onward = {p.regimen for p in paths}
    if not rec.commit or not paths or None in onward or rec.regimen in onward:
        return decision
    codes = tuple("best_expected" if c == "commit" else c for c in rec.reason_codes
                  if c != "by_design")
    reasons = not_settled(rec.reasons, onward.pop() if len(onward) == 1 else None)
    return replace(decision, recommendation=replace(rec, commit=False, reasons=reasons,
                                                    reason_codes=codes))


def pathways(predict: Predict, decision: Decision, past: History, *, priors: PriorSet,
             profile: Profile, as_of: dt.date, seed: int | None = None,
             separable: bool | None = None, today: dt.date | None = None,
             settings: DecisionSettings | None = None) -> tuple[Pathway, ...]:
    """The recommendation after the next period, if it goes badly, as expected or well.

    Parameters
    ----------
    predict : callable
        Joint posterior predictions (``fit.predict``).
    decision : Decision
        Today's decision (its recommendation and next review).
    past : History
        Today's history of the diary.
    priors, profile : PriorSet, Profile
        As for :func:`model.decision.decide`.
    as_of, today : datetime.date
        The date analysed and the day the advice is read (as for
        :func:`model.decision.decide`): the next period's nights count from
        :func:`~model.decision.rules.review_from`.
    seed : int, optional
        Passed to the decisions.
    separable : bool, optional
        Whether the diary separates magnesium from expectation (a placebo period or a
        withdrawal makes it so after the period).
    settings : DecisionSettings, optional
        The decision's settings (default :class:`DecisionSettings`): each pathway's decision
        and the period's length use them, as today's decision did.

    Returns
    -------
    tuple of Pathway
        Empty for ``refer``, a failed fit, when no magnesium regimen is tested, or for the
        planned titration (code ``titration``): it is taken because the model's dose curve
        (a fixed ED50) cannot tell from nights at the lower dose whether a person needs more,
        and the thirds of that same curve's draws cannot either. An edge-of-scale audit read
        "whichever way it goes: continue glycinate 300 mg (settled)" beside a dose step whose
        own reason says only nights on it will show.

    """
    rec = decision.recommendation
    tested = regimen_tested(rec.action, rec.regimen, past)
    if tested is None or not decision.assessments or "titration" in rec.reason_codes:
        return ()
    data = predict(list(dict.fromkeys([tested, Regimen(PLACEBO), past.reference])))
    score = sleep_score(data, tested, priors, profile)
    # each third's draws in their own order: the decision's Monte Carlo error (a jackknife
    # over contiguous batches of draws, :func:`model.decision.choice.close_call`) needs it
    thirds = [np.sort(third) for third in
              np.array_split(np.argsort(score, kind="stable"), len(SCENARIOS))]
    start = review_from(rec.action, as_of, today)
    nights = max(nights_until(rec.next_review, start), 1)
    after = _after(past, tested, rec.action, rec.regimen, nights, settings)
    later = separable or rec.action in EXPERIMENTS
    out = []
    for scenario, draws in zip(SCENARIOS, thirds, strict=True):
        def subset(regimens: Sequence[Regimen], keep: np.ndarray = draws) -> xr.Dataset:
            return predict(regimens).isel(draw=keep)

        then = decide(subset, priors=priors, profile=profile, diary=after,
                      as_of=start + dt.timedelta(days=nights), seed=seed,
                      separable=later, settings=settings).recommendation
        out.append(Pathway(scenario, tested, float(score[draws].mean()), then.action,
                           then.regimen, then.reason_codes))
    return tuple(out)

