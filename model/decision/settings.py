"""The constants and the shared vocabulary of the decision.

Defaults (:class:`DecisionSettings`) and why:

- ``switching_cost = 0.25`` utility units (a quarter of one MCID on an outcome of weight 1):
  a change costs a purchase, a new evaluation period and the noise of a new baseline; the cost
  breaks near-ties in favour of staying put without vetoing any change worth a noticeable gain.
  It counts whole against the coming period: a change must pay for itself there. At the end
  of a trial of known length (``horizon_nights`` shorter than a period) the answer is the
  regimen to keep after it, so the cost falls to ``commit_value`` (a gain that matters):
  in the closed loop (200 world persons) P(within 0.25 of the best) rose from 0.39 to 0.46
  at seed 1 and from 0.40 to 0.44 at seed 2, the regret at week 12 from 1.32 to 1.32 and
  from 1.47 to 1.44. Spread over
  three periods (0.083 each) it let far more dose steps through (to the 350 mg ceiling) with
  no measurable gain in the closed loop (200 world persons: regret at week 12 1.29 -> 1.23 at
  seed 1, 1.47 -> 1.50 at seed 2), so the conservative charge stays.
- ``commit_p_best = 0.8``: four chances in five that no other allowed regimen is better.
- ``harm_stop_p = 0.8``: from four chances in five that the current regimen is worse than no
  magnesium (``p_harm``, by its own utility before the cost of a change), it probably does
  harm (:meth:`DecisionSettings.harmful`): stopping is open during its evaluation period, and
  the advice never keeps its form (continue, a dose step or a split; a switch to another form
  leaves it) (:func:`model.decision.overrides.harm`).
  Stopping a supplement needs no period to be judged in: a person whose anxiety rose from
  about 3 to 8-9 on five nights of glycinate was told "Continue glycinate" beside "talk to
  your clinician soon", stopping held back by the period (an outside audit, /tmp/hH).
- ``learning_periods = 6``: what a period teaches pays for six more periods (about three
  months at 14-19 nights each): the horizon of the knowledge gradient
  (:mod:`model.decision.learning`).
- ``experiment_periods = 2``: the learning horizon of an experiment (a blinded placebo period,
  a withdrawal) is at least two periods, also once the planned crossover is over and the other
  steps' horizon is zero: a diary that cannot separate magnesium from expectation and drift
  was otherwise settled "by design" with nothing proposed to tell them apart (an outside
  audit: steady improvement from the first night, credited to glycinate "probably helps
  (P 0.92)"). In the closed loop (200 persons, seeds 1 and 2) the regret at week 12 was 1.18
  and 1.32 against 1.19 and 1.34 without, with 21 and 14 placebo periods instead of 5 and 0.
  What the numbers value (:func:`model.decision.utility.evaluate`): a placebo period, the
  contrast of placebo with the current regimen (magnesium's own effect, expectation taken
  out); a withdrawal, the same contrast as ``stop`` once the current regimen has had its
  period: no magnesium against the current regimen at the same future time. The trend of the
  predictions is common to every regimen, so it cancels in that contrast: the decision does
  not value a withdrawal for separating magnesium from drift (its nights do that in the
  diary's next fit, :mod:`model.personal.separability`). A withdrawal differs from stopping
  only in returning to the regimen (it is no regimen to stay on), in ``experiment_cost`` and
  in keeping this horizon after the crossover: before the crossover ends it is worth exactly
  stopping's worth less ``experiment_cost`` (never chosen over it); after, stopping's horizon
  is zero and the withdrawal keeps a learning value.
- ``learning_repeats = 3``: an action's learning value is its KG(*): the best, over one to
  three periods on it, of the knowledge gradient per period (one period of an untried form may
  be too few to change the choice while two or three could).
- ``commit_value = 0.1`` utility units: when no action's learning value (horizon x KG) reaches
  a tenth of an MCID on a weight-1 outcome, experimenting no longer pays: commit.
- ``experiment_cost = 0.25``: a withdrawal or a blinded placebo period costs effort on top of
  the switching cost (buying or preparing a placebo, nights without magnesium's benefit).
- ``night_autocorrelation = 0.3``: lag-one correlation of diary nights (typical of sleep
  diaries); it lowers the effective number of nights a period gives.
- **Planned crossover first** (``crossover_forms = 3``): until three forms have been tried, a
  step that changes the regimen tries the untried form of the highest expected utility
  (:func:`model.decision.choice.crossover`), the first one at the highest start dose the
  ceiling and the GI chance constraint allow (``start_doses_mg``: start low, 100-200 mg;
  with an IBS-like gut, whose caution says start low, the lowest of them), the
  next ones at the same dose; the evaluation period, the acute-GI rule, the chance constraint
  and the experiments still apply, and a form with less than a one-in-four chance of
  beating the current one or the best of the forms tried (P(better) below
  ``crossover_p_better = 0.25``) is not tried: at 0.05 a glycinate responder ("works for
  you", expected utility +5.7) was sent from threonate to taurate (+2.6, P(better than
  glycinate) about 0.1) instead of back to glycinate; in the closed loop 0.25 left the regret
  at week 12 where it was (1.19 and 1.34 against 1.18 and 1.35, seeds 1 and 2) and lowered
  the regret over the 12 weeks (1.72 and 1.77 against 1.81 and 1.79). Untried forms whose
  expected utility is within ``crossover_tie = 0.25`` (a quarter of a weighted MCID) of the
  most promising one's, or within the Monte Carlo error of it, are as promising: the
  crossover takes the one listed first in ``FORMS`` (chelates before osmotic salts,
  glycinate first). In the closed loop (200 persons, seeds 1 and 2) 1.13 and 1.33 against
  1.18 and 1.32 with the Monte Carlo error alone. While
  a form it would try is held back only by the evaluation period or by the GI chance
  constraint with P(violation) at most ``crossover_gi_wait = 0.3`` (near the limit of 0.2:
  nights without GI trouble may bring it under), the decision does not commit: the next
  period would switch to that form to learn. Once
  three forms have been tried the learning horizon is zero: explore by design, then exploit
  (:mod:`model.decision.choice`); a regimen never taken for a period (a form the crossover
  did not try, a dose not taken) is then first a step to try, and committed to only once its
  period is recorded. Why: in the closed loop (``benchmarks/closed_loop.py``,
  world persons) the knowledge gradient alone went back and forth between forms on periods
  too short to tell them apart. On 200 persons the crossover took the regret at week 12 from
  1.34 to 1.21 (seed 1) and from 1.47 to 1.32 (seed 2). Starting it at 300 mg did better still
  (1.07 at seed 1) but a first step rests on the evidence alone, and that says start low.
  Two or four forms instead of three did worse (1.59 and 1.53 against 1.32, seed 1, with the
  scorer that counts the ceiling dose).
- **Planned titration after the crossover** (``titration_max_mg = 300``, the reference dose
  at which ``priors/`` states every effect; 0 turns it off): when the rule would keep the
  current regimen, the next dose step of the same form, up to that dose, is taken if its
  expected utility before the switching cost beats staying by at least ``commit_value``
  (:func:`model.decision.choice.titration`); not in the last period of a trial of known length
  (``horizon_nights``), nor back to a dose already taken for a full period (its nights are in
  the model). Why: the crossover runs at the start dose, and the model's Emax curve
  (fixed ED50) predicts 86 % of the 300 mg effect at 200 mg, so a person who needs more is
  never found without nights at the higher dose. The learning value cannot price that, so the
  step is a rule (code ``titration``, never ``learn``), taken even when its expected utility
  after the switching cost is below staying's, and its reasons say so. Above the reference
  dose the rule alone decides (a clear responder at 300 mg commits). In the closed loop (200
  world persons) it took the regret at week 12 from 1.37 to 1.32 at seed 1 (up to the
  ceiling instead: 1.31) and from 1.48 to 1.47 at seed 2: a small gain.
- ``min_commit_draws = 20``: no commitment from fewer posterior draws, the fewest the CLI
  allows (2 chains x 10 draws): below it the close-call guard has too few draws per batch to
  estimate the Monte Carlo error, and a single draw gave "Clear enough to commit (P(best) >
  0.99)" (an outside audit). The step is still given, as a plan, and its reasons say why.
- ``cvar_alpha = 0.1``: the CVaR column is the mean of the worst 10 % of utility draws.
- ``close_call_se = 2.0``: a choice by worth (expected utility plus learning value) whose lead
  over the runner-up is under two Monte Carlo standard errors (a jackknife over 8 batches of
  the draws) is a close call: the advice says so and names the runner-up (reason code
  ``close_call``), since another fit of the same diary may rank them the other way. A change
  within that error of staying is not advised and a close call is never a commitment
  (:func:`model.decision.choice.stay_on_a_close_call`).
- **Baseline rules** (:mod:`model.decision.baseline`): a diary with no nights off magnesium,
  or none within the last ``BASELINE_HORIZON`` (180) nights, gets a withdrawal of the current
  regimen before any switch, dose step or commitment (codes ``no_baseline``,
  ``stale_baseline``); a break from a regimen taken ``MIN_ON_NIGHTS`` nights or more, in a
  diary that cannot separate magnesium from expectation and drift (or whose baseline before
  it is stale), is finished when one evaluation period more makes it a withdrawal (code
  ``break_under_way``), and so is a placebo period under way to 7 placebo nights, but not a
  break from a regimen it could not go back to (GI trouble, a hard rule, the GI chance
  constraint); once it counts, the regimen is taken again when it looks to help
  (:data:`LOOKS_TO_HELP`) or is the best expected step (code ``withdrawal_return``), as the
  withdrawal promised, and the planned crossover goes on from it (/tmp/w50/a F3, /tmp/w50/b
  F-1, F-5, /tmp/w50/c C4, C5, C10). Safety first: the hard rules, the GI rules, harm and a
  week of very high anxiety act before them; that week and another change in the person's
  life hold the withdrawal and the return back as any change for a gain (/tmp/w50/c C8).
- ``dose_unit_mg = 25``: a dose a ceiling caps below a step (:meth:`DecisionSettings.capped`)
  is the highest multiple of 25 mg within it, a dose one can buy and take (the ceiling 1.2 g
  of citrate leaves, 156 mg, gave "Start glycinate, 156 mg").
- **Evaluation period from the kinetics** (``period_from_kinetics``): a change is judged when
  first-order build-up reaches ``steady_share = 0.8`` of its steady state at the posterior
  median time constant (17 nights at tau = 10 days: 16.1, rounded up), never fewer than
  ``floor_nights = 7`` nor more than ``max_period_nights = 28``. ``min_nights = 14`` is the
  period when the kinetics are not used (and the look period of trial planning); the first
  step is reviewed after 7. A regimen kept past its first period is looked at again at the
  end of each ``kept_period_nights``, counted from its first night (the first such end at
  least ``floor_nights`` after the first period's): ``decide`` sets it to the period at the
  priors' median time constant (17 nights), so that the date does not follow the
  posterior's. With the posterior's period, 16, 17, then 18 nights over three looks moved a
  kept regimen's look-again date 2 nights on at each (the 32nd night of a run ended its second
  period of 16, the 34th its second of 17, the 36th its second of 18): "Stay without
  magnesium" said "look again" 2 days away three times in a row (the cycle audit,
  /tmp/w56/m loop). None: ``min_nights``.
  ``period_holds_changes``: until the period is over only ``continue`` (and what safety asks
  for) is open. ``decide`` turns it off at the end of a trial of known length
  (``horizon_nights`` shorter than a period): no period is left to judge a change in, and the
  answer is the regimen to keep after the trial, so the last change does not hold back the
  next one (one change at a time still holds). In the closed loop (200 world persons) the
  regret at week 12 fell from 1.21 to 1.14 (seed 1) and from 1.27 to 1.21 (seed 2), P(within
  0.25 of the best) rose from 0.44 to 0.47 and from 0.47 to 0.52, GI-limit nights unchanged
  (0.13 and 0.0): a person who came back to their best form at 200 mg late in the trial was
  left there, one period short of the dose step the model expected to pay.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import xarray as xr

from model.core.intervals import LEVEL
from model.core.outcomes import GAIN_KEYS
from model.core.regimen import Regimen

Predict = Callable[[Sequence[Regimen]], xr.Dataset]
"""``predict(regimens)``: a Dataset with dims (regimen, draw) and the :data:`VARIABLES`."""

Mode = Literal["expected_utility", "thompson"]
"""How the action is chosen: by expected utility, or best in one random draw (Thompson)."""

Why = Literal["first_step", "forced", "commit", "trial", "plan", "collect", "learn",
              "crossover", "titrate", "gentler", "harm", "hard_week", "no_baseline",
              "other_change", "finish_break", "withdrawal_return", "as_needed"]
"""Which branch of the commit rule made the choice (it selects the wording of the plan)."""

LOOKS_TO_HELP = 0.8
"""P(better than stopping, or than staying off) from which a regimen looks to help: a step of
the planned crossover says what it gives up (:mod:`model.report.left_behind`), and after its
withdrawal the regimen is taken again (:func:`model.decision.baseline.returning`)."""

OLDER_AGE = 65
"""From this age (or with no age given), a profile without an eGFR gets the caution of kidney
function not known, and a magnesium laxative beside a supplement asks a clinician first:
kidney function often falls with age (mgsleep's own threshold)."""

HARD_BLOCKS = frozenset({"above_ceiling", "excluded_form"})
"""Blocks of the hard rules: no diary lifts them (the evaluation period and the GI chance
constraint may lift after more nights)."""

VARIABLES: tuple[str, ...] = GAIN_KEYS
"""Predicted steady-state nightly values, in diary units (``gi_rate``: share of GI nights)."""

RECORD_COLUMNS: tuple[str, ...] = ("date", "form", "elemental_mg", "split", "sol_min",
                                   "awakenings", "quality", "freshness", "anxiety",
                                   "stool_bristol", "gi_upset")
"""What to write down each night (diary columns of the README)."""


@dataclass(frozen=True)
class DecisionSettings:
    """Tunable constants of the decision (the module docstring explains the defaults)."""

    min_nights: int = 14
    first_review_days: int = 7
    step_mg: float = 100.0
    min_dose_mg: float = 100.0
    start_doses_mg: tuple[float, ...] = (100.0, 200.0)
    split_min_mg: float = 200.0
    switching_cost: float = 0.25
    gi_weight: float = 1.0
    commit_p_best: float = 0.8
    harm_stop_p: float = 0.8
    learning_periods: float = 6.0
    experiment_periods: float = 2.0
    learning_repeats: int = 3
    commit_value: float = 0.1
    experiment_cost: float = 0.25
    night_autocorrelation: float = 0.3
    cvar_alpha: float = 0.1
    interval: float = LEVEL
    acute_gi_nights: int = 2
    gi_window: int = 7
    period_from_kinetics: bool = True
    steady_share: float = 0.8
    floor_nights: int = 7
    max_period_nights: int = 28
    kept_period_nights: int | None = None
    crossover_forms: int = 3
    crossover_p_better: float = 0.25
    crossover_tie: float = 0.25
    crossover_gi_wait: float = 0.3
    titration_max_mg: float = 300.0
    close_call_se: float = 2.0
    min_commit_draws: int = 20
    period_holds_changes: bool = True
    dose_unit_mg: float = 25.0

    def capped(self, dose_mg: float, ceiling_mg: float) -> float:
        """``dose_mg``, or below a lower ``ceiling_mg`` the highest whole ``dose_unit_mg`` under it.

        A ceiling the other products leave (1.2 g of citrate leaves 156 mg) is no dose a
        product sells: the dose capped by it is 150 mg, still within it.
        """
        if dose_mg <= ceiling_mg:
            return dose_mg
        return math.floor(ceiling_mg / self.dose_unit_mg + 1e-9) * self.dose_unit_mg

    def harmful(self, p_harm: float) -> bool:
        """Whether P(the current regimen does harm) says it probably does (see ``p_harm``).

        ``p_harm`` is :attr:`model.decision.utility.Evaluation.p_harm`; from ``harm_stop_p`` on,
        the current regimen is left (:func:`model.decision.overrides.harm`).
        """
        return p_harm >= self.harm_stop_p
