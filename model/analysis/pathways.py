"""What would change the recommendation: the next period going well, as expected or badly.

In the spirit of EffTox's dose-transition pathways: before the next evaluation period, say
what the advice will become depending on how its nights go. The regimen the period tests (the
recommended one; for ``continue``, ``collect_more_data`` and the experiments, the current one;
for ``stop``, the one stopped) gets a score in every posterior draw: magnesium's own sleep
benefit against placebo in weighted MCIDs (each draw's change of the nightly means, GI and
costs left out; :func:`model.decision.gains.change_draws`). The draws fall into thirds of
that score: **badly** (the lowest third), **as expected** (the middle one) and **well** (the
top one). Each third stands for what the period would show if the truth lay there, and the
decision is made again on its draws, as of the next review, with the history the period leaves
(the regimen taken for the whole period). It is a preview, not a promise: a real period
narrows the posterior less than learning which third holds the truth.

Each third's decision is made again on halves of its draws (:func:`halves`); a step a half
chooses that the whole third does not, or the runner-up the third's own decision finds within
its Monte Carlo error (code ``close_call``), is a close call: the pathway names it
(:attr:`Pathway.close_to`) rather than one step picked by the noise. A daily user's audit
(/tmp/w46 C F3): taurate's "if it goes well" branch read raise to taurate 300 mg, then
malate, threonate, citrate, oxide and citrate on mornings with nothing new, untried forms
sitting at the planned crossover's bar (P(better) 0.25) in every third.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np
import xarray as xr

from model.core.forms import PLACEBO
from model.core.outcomes import SLEEP_OUTCOMES, SPECS
from model.core.regimen import Regimen
from model.data.profile import Profile
from model.decision import Decision, DecisionSettings, History, Predict, decide
from model.decision.candidates import EXPERIMENTS
from model.decision.explain import not_settled
from model.decision.gains import change_draws
from model.decision.plan_words import sure
from model.decision.rules import nights_until, review_from
from model.evidence.priorset import PriorSet

Scenario = Literal["badly", "as_expected", "well"]
SCENARIOS: tuple[Scenario, ...] = ("badly", "as_expected", "well")
"""The thirds of the score, lowest first."""

TESTS_CURRENT = frozenset({"continue", "collect_more_data"}) | EXPERIMENTS
"""Actions whose period tests the current regimen (experiments included)."""

@dataclass(frozen=True)
class Step:
    """A step a pathway may lead to: an action, its regimen and its reason codes."""

    action: str
    regimen: Regimen | None
    reason_codes: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[str, Regimen | None]:
        """The step as taken: recording more nights on a regimen is continuing it.

        A third too small to commit keeps the regimen a whole third commits to
        (``collect_more_data`` beside ``continue``): the same step, no close call.
        """
        return ("continue" if self.action == "collect_more_data" else self.action,
                self.regimen)

    def to_dict(self) -> dict[str, Any]:
        """The action and regimen fields of a ``pathways`` entry of the ``analyze`` JSON."""
        regimen = self.regimen
        return {"action": self.action, "form": regimen.form if regimen is not None else None,
                "elemental_mg_per_day": regimen.elemental_mg if regimen is not None else None,
                "split": regimen.split if regimen is not None else None}


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
    close_to : tuple of Step
        The other steps a half of the third's draws leads to (:func:`halves`), and the
        runner-up its own decision calls close (:func:`runner_up`): empty when the step is
        clear; otherwise it is a close call among them and the step.
    sure : bool
        Whether a commitment then may be called sure
        (:func:`~model.decision.plan_words.sure`: its P(best) in the third's draws).

    """

    scenario: Scenario
    tested: Regimen
    benefit: float
    action: str
    regimen: Regimen | None
    reason_codes: tuple[str, ...] = ()
    close_to: tuple[Step, ...] = ()
    sure: bool = True

    @property
    def step(self) -> Step:
        """The step the whole third leads to."""
        return Step(self.action, self.regimen, self.reason_codes)

    def to_dict(self) -> dict[str, Any]:
        """The ``pathways`` entry of the ``analyze`` JSON (``close_call``, ``close_to``)."""
        return {"if": self.scenario, "tested": self.tested.label, "benefit": self.benefit,
                **self.step.to_dict(), "reason_codes": list(self.reason_codes),
                "close_call": bool(self.close_to),
                "close_to": [step.to_dict() for step in self.close_to]}


def halves(draws: np.ndarray) -> list[np.ndarray]:
    """Halves of a third's ``draws`` whose own decisions show a close call.

    Cut in quarters, in draw order: the first two and the last two, then the first and third
    and the second and fourth. A half's estimates stray from the whole third's by about one
    Monte Carlo standard error (a variance twice the whole's, less the whole's), as a refit's
    would; the third's own decision applies the main recommendation's bar of two
    (:func:`runner_up`). Two ways of halving find a step near a bar (the crossover's
    P(better) 0.25) more often than one, which missed it on 3 of 6 refits of a daily user's
    morning; quarters flagged beside the first-form crossover step a refit keeps
    (threonate) citrate or oxide.
    """
    q = np.array_split(draws, 4)
    return [np.concatenate([q[a], q[b]]) for a, b in ((0, 1), (2, 3), (0, 2), (1, 3))]


def step_of(decision: Decision) -> Step:
    """The step a decision recommends."""
    rec = decision.recommendation
    return Step(rec.action, rec.regimen, rec.reason_codes)


def runner_up(decision: Decision) -> Step | None:
    """The runner-up of a decision coded ``close_call`` (:attr:`Decision.runner_up`), or None.

    The decision found it within the Monte Carlo error of its step
    (:func:`model.decision.choice.close_call`, its one definition), and says so only in a
    warning's words.
    """
    index = decision.runner_up
    if "close_call" not in decision.recommendation.reason_codes or index is None:
        return None
    best = decision.assessments[index]
    return Step(best.action, best.regimen, best.reason_codes)


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
    pathways would judge it on an unrecorded outcome's predicted level too. So do the forms of
    a trial the person planned (:attr:`History.planned_forms`): without them a period that
    completes the trial went on to the model's crossover, an untried form "to learn", where the
    look after it keeps to the forms compared (a traveller's audit, /tmp/w55/t T7). The longest
    period is that of ``settings``, the decision's (default :class:`DecisionSettings`): the
    defaults', read whatever the decision was given, could differ (a maintainer's review,
    C F13).
    """
    nights = max(nights, (settings or DecisionSettings()).max_period_nights)
    current = past.current if action in TESTS_CURRENT or regimen is None else regimen
    forms = past.forms_tried | ({tested.form} if tested.active else set())
    return History(current, nights, frozenset(forms), 0,
                   dict(past.nights_on) | {current: past.nights_on.get(current, 0) + nights},
                   planned_forms=past.planned_forms,
                   gi_troubled=past.gi_troubled, background_gi_rate=past.background_gi_rate,
                   gi_records_on=past.gi_records_on, unrecorded=past.unrecorded,
                   before_diary=past.before_diary, gi_trouble_words=past.gi_trouble_words)


def unless_it_moves_on(decision: Decision, paths: Sequence[Pathway]) -> Decision:
    """``decision`` without its commitment when every pathway moves on from its regimen.

    A commitment the next period would undo, however it goes, is no commitment (as a
    crossover form left to try keeps the rule from committing,
    :mod:`model.decision.choice`): the rule commits among the regimens one change away, and
    the pathways see the ones that change opens (a split dose today, another form at that
    split dose next). The step stays; ``commit`` becomes false, the code ``commit``
    ``best_expected``, and a reason says where it is expected to lead. A close call's other
    steps (:attr:`Pathway.close_to`) count among where a pathway may lead.
    """
    rec = decision.recommendation
    onward = {s.regimen for p in paths for s in (p.step, *p.close_to)}
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
    held = "dose_check" in rec.reason_codes and rec.regimen is None   # no regimen kept
    if tested is None or not decision.assessments or "titration" in rec.reason_codes or held:
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

    def then(keep: np.ndarray) -> Decision:
        def subset(regimens: Sequence[Regimen]) -> xr.Dataset:
            return predict(regimens).isel(draw=keep)

        return decide(subset, priors=priors, profile=profile, diary=after,
                      as_of=start + dt.timedelta(days=nights), seed=seed,
                      separable=later, settings=settings)

    out = []
    for scenario, draws in zip(SCENARIOS, thirds, strict=True):
        whole = then(draws)
        chosen = step_of(whole)
        others = [runner_up(whole), *(step_of(then(half)) for half in halves(draws))]
        close = {o.key: o for o in others if o is not None and o.key != chosen.key}
        out.append(Pathway(scenario, tested, float(score[draws].mean()), chosen.action,
                           chosen.regimen, chosen.reason_codes, tuple(close.values()),
                           sure(whole.recommendation.p_best, chosen.reason_codes)))
    return tuple(out)

