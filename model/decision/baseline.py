"""The no-baseline rule: a diary with no nights off magnesium gets a withdrawal first.

A person who comes to mgsleep already taking magnesium writes a diary in which every night is
on it. Such a diary cannot tell what the magnesium does from the person's usual level: the
model's contrast of the current regimen with no magnesium rests on the priors (and the
expectation prior) alone, so the decision had sent such persons through a crossover of forms,
dose steps and a commitment "by design" without ever learning whether their original
magnesium did anything (an outside audit, /tmp/jJ F1: withdrawal and placebo period valued
0.02-2.0 against 1.8-5.6 for a switch, null persons included; one analysis after 14 nights off
answered the question).

The rule (:func:`no_baseline`, :func:`withdrawal_first`): when magnesium is being taken, the
diary has fewer recorded nights without magnesium (none or placebo) than the least a
withdrawal needs (:data:`model.personal.withdrawal.MIN_OFF_NIGHTS`: one or two skipped
nights are no baseline), and the magnesium has been taken long enough for a withdrawal to
count (:data:`model.personal.withdrawal.MIN_ON_NIGHTS` recorded nights on it), the step is
the ``withdrawal`` of the current regimen, when the hard rules, the GI chance constraint and
the evaluation period leave it open: before any form switch of the planned crossover, dose
step or commitment. Its nights are those of the evaluation period and never fewer than the
separability rule asks for (:func:`withdrawal_nights`, under most of the fit's build-up time
constants),
so that the next analysis counts it. A blinded placebo period the model itself chose is kept
(it tells magnesium from the person's level and from expectation too). Safety comes first:
a current regimen above the ceiling, of an excluded form, over the GI limit or giving loose
stools now has no experiment (:mod:`model.decision.decide`, :mod:`model.decision.rules`), a
regimen that probably does harm is stopped (:func:`model.decision.overrides.harm`), and a
week of very high anxiety holds it back (:mod:`model.decision.overrides`). Once the
withdrawal's nights are in the diary the rule no longer applies.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from model.decision.history import History
from model.decision.settings import DecisionSettings
from model.decision.utility import Evaluation
from model.evidence.priorset import PriorSet
from model.personal.withdrawal import MIN_OFF_NIGHTS, MIN_ON_NIGHTS, off_nights_needed


def no_baseline(past: History) -> bool:
    """Whether the rule applies to the diary: magnesium taken, no baseline to compare with.

    The current regimen is magnesium, fewer than ``MIN_OFF_NIGHTS`` recorded nights are
    without it (no magnesium or placebo), and at least ``MIN_ON_NIGHTS`` recorded nights are
    on magnesium (the run a withdrawal of :mod:`model.personal.separability` follows).
    """
    on = sum(n for regimen, n in past.nights_on.items() if regimen.active)
    return past.current.active and past.nights_off < MIN_OFF_NIGHTS and on >= MIN_ON_NIGHTS


def withdrawal_nights(data: xr.Dataset, priors: PriorSet, s: DecisionSettings) -> int:
    """The nights of a withdrawal the decision proposes: one period, never fewer than needed.

    The evaluation period (``s.min_nights``), at least the observed nights off that the
    separability rule counts as a withdrawal
    (:func:`model.personal.withdrawal.off_nights_needed`) under
    :data:`~model.personal.withdrawal.WITHDRAWAL_SURE` of the fit's build-up time constants
    when the predictions carry ``onset_days`` (per draw), else at the prior median.
    """
    tau = (data["onset_days"].to_numpy().ravel() if "onset_days" in data
           else np.array([priors.settings.personal.onset_days_median]))
    return max(s.min_nights, off_nights_needed({"tau": tau}))


def withdrawal_first(ev: Evaluation, past: History, s: DecisionSettings) -> int | None:
    """The row of the withdrawal the rule takes, or None when the rule does not apply.

    None when the diary has a baseline (:func:`no_baseline`), no experiment is left to learn
    from (``s.experiment_periods`` is 0: at the end of a trial of known length), or no
    withdrawal is open (none offered: the diary separates magnesium from expectation or the
    current regimen breaks a hard rule; or one blocked by the GI rules or the evaluation
    period).
    """
    if not no_baseline(past) or s.experiment_periods <= 0:
        return None
    rows = [i for i, c in enumerate(ev.candidates)
            if c.action == "withdrawal" and ev.feasible[i]]
    return rows[0] if rows else None
