"""The baseline rules: nights off magnesium first, a break under way finished, then a return.

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

A **stale** baseline is no baseline either (:func:`stale`): fewer than ``MIN_OFF_NIGHTS``
nights without magnesium within the last :data:`BASELINE_HORIZON` nights, the current
magnesium taken ``MIN_ON_NIGHTS`` nights or more. A person committed to taurate 300 mg whose
sleep improved on its own (45 to 16 min) had only the 14 nights off of ten months before:
"Continue", taurate "14 min faster ... works for you" (truth about 1 min), stopping looking
worse the longer they took it (/tmp/w50/b F-1). The same withdrawal comes first, with its own
reason code (``stale_baseline``), offered whether or not the diary is separable (an old
withdrawal makes it so for ever).

Two rules follow a break from magnesium after ``MIN_ON_NIGHTS`` or more nights on a regimen
R (:class:`OffNights`, :func:`baseline_step`), the advice's withdrawal or the person's own:

- **a break under way is finished** while the diary cannot separate magnesium from
  expectation and drift (or its baseline before the break is stale) and the break would
  count as a withdrawal within one evaluation period more: the step is to stay off until it
  counts (``collect_more_data`` on no magnesium, codes ``break_under_way`` and
  ``withdrawal_test``). Seven nights into their own break after months on glycinate a
  person was told "Start glycinate ... better in 53%" beside the caution asking for a break
  of 13 or more nights (/tmp/w50/b F-5). A stop after fewer nights on a regimen (the GI
  rule's, harm's within a period) is no withdrawal (:func:`model.personal.withdrawal.breaks`).
  Nor is a break held from a regimen it could not go back to (:func:`returnable`: GI
  trouble not over, a hard rule, the GI chance constraint): a stop for loose stools after 20
  nights on citrate 300 mg was held 9 nights to learn whether citrate "still helps you",
  beside "a return to citrate 300 mg waits too: it gave you loose stools" (/tmp/w50/c C5).
  A placebo period under way (after magnesium, fewer than
  :data:`~model.personal.separability.MIN_PLACEBO_NIGHTS` placebo nights) is kept going the
  same way to that many: 5 placebo nights into their own period a person was told "Switch
  to taurate ... to learn" beside the caution asking for 7 (/tmp/w50/c C10).
- **the withdrawal returns** to R once its break counts, while the person is still off, R is
  allowed (the hard rules, the GI chance constraint and the GI history keep it feasible) and
  looks to help (P(better than staying off) from
  :data:`~model.decision.settings.LOOKS_TO_HELP`) or is the best expected of the steps open
  (the withdrawal's own words: "take it again unless that analysis advises another step"):
  the step is to take R again (code ``withdrawal_return``), and the planned crossover goes
  on from R at the next look. "Stop citrate 300 mg for 17 nights, then take it again" was
  followed by "Start glycinate 200 mg ... You do not restart citrate 300 mg, which looks to
  help you (P 0.91)" (/tmp/w50/a F3, F6); glycinate 300 mg, best expected (+0.96 against
  taurate's +0.61) and "probably helps (P 0.97)" on falling asleep, was left for taurate "to
  learn" at P(better than staying off) 0.71 over all outcomes (/tmp/w50/c C4). Otherwise the
  crossover goes on as before. A week of very high anxiety and another change in the
  person's life hold the return back as any change for a gain
  (:data:`~model.decision.overrides.HELD_IN_A_HARD_WEEK`, /tmp/w50/c C8).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import xarray as xr

from model.core.regimen import NO_MAGNESIUM, Regimen
from model.data.diary import Diary
from model.decision.history import History, night_regimens
from model.decision.judged_nights import left_out
from model.decision.settings import LOOKS_TO_HELP, DecisionSettings, Why
from model.decision.utility import Evaluation, held_by_period
from model.evidence.priorset import PriorSet
from model.personal.separability import MIN_PLACEBO_NIGHTS
from model.personal.withdrawal import (
    MIN_OFF_NIGHTS,
    MIN_ON_NIGHTS,
    WITHDRAWAL_SURE,
    Break,
    breaks,
    off_nights_needed,
    p_enough,
)

BASELINE_HORIZON = 180
"""Nights back within which ``MIN_OFF_NIGHTS`` nights without magnesium keep a baseline
current (:func:`stale`): about six months. Long enough never to fire within a trial of a few
months (the closed loop's 12 weeks, a crossover of three forms at 14-28 nights each, the
README's two periods of experiments after it), so that it only asks for nights off of someone
who has taken magnesium on end for half a year; short enough for a person's own sleep to have
moved since (a bad patch passing, a season, a life change: the audit's 45 to 16 min came
within five months, /tmp/w50/b F-1), when the old nights off tell nothing of the contrast
now."""


def _tau(data: xr.Dataset, priors: PriorSet) -> np.ndarray:
    """The fit's build-up time constants per draw (``onset_days``), else the prior median."""
    return (data["onset_days"].to_numpy().ravel() if "onset_days" in data
            else np.array([priors.settings.personal.onset_days_median]))


@dataclass(frozen=True)
class OffNights:
    """What the baseline rules read of a diary's nights without magnesium (:meth:`read`).

    Attributes
    ----------
    as_of : datetime.date
        The date analysed.
    recent : int
        Judged nights without magnesium (none or placebo: written, not excluded) within the
        last :data:`BASELINE_HORIZON` nights to ``as_of``.
    last : tuple of datetime.date or None
        The first and last night of the stretch without magnesium that holds the
        ``MIN_OFF_NIGHTS``-th judged night off counted back from the end: the last nights
        off enough to compare with (None: fewer in the diary).
    stopped : Regimen
        The magnesium regimen of the run a break under way follows (none: no such break).
    brk : Break or None
        The break under way: after ``MIN_ON_NIGHTS`` or more written nights on magnesium, to
        the diary's last night (:func:`model.personal.withdrawal.breaks`), with a written night.
    before : int
        Judged nights without magnesium within the horizon before the break's first night.
    taken : datetime.date or None
        The last night written on ``stopped`` before the break: with nights unwritten between
        it and the break's first written night, the diary does not say when the break began
        (/tmp/w50/c C6).
    left : int or None
        Nights off more, written every night, that make the break a withdrawal (0: it is one;
        None: not within one evaluation period, or no break): :meth:`finished`.
    wanted : bool
        The diary needs that withdrawal: it is not separable, or ``before`` is stale.
    placebo : int
        The placebo nights of a placebo period under way (:attr:`History.placebo_nights`) when
        :meth:`finished` counts ``left`` as the placebo nights it still needs (0: a break).
    """

    as_of: dt.date
    recent: int
    last: tuple[dt.date, dt.date] | None
    stopped: Regimen = NO_MAGNESIUM
    brk: Break | None = None
    before: int = 0
    taken: dt.date | None = None
    left: int | None = None
    wanted: bool = False
    placebo: int = 0

    @classmethod
    def read(cls, diary: Diary, as_of: dt.date, lead: int = 0) -> OffNights:
        """The facts of ``diary``'s nights without magnesium up to ``as_of``.

        ``lead``: nights on magnesium before the diary (:func:`lead_of`), for the run a break
        follows (:func:`~model.personal.withdrawal.breaks`).
        """
        nights = diary.nights
        regimens = night_regimens(nights)
        active = np.array([r.active for r in regimens], dtype=bool)
        off = ~active & nights["recorded"].to_numpy(bool) & ~left_out(nights)
        days = pd.DatetimeIndex(nights.index)
        off &= days <= pd.Timestamp(as_of)
        horizon = days > pd.Timestamp(as_of) - pd.Timedelta(days=BASELINE_HORIZON)
        seen = np.flatnonzero(off)
        last = None
        if seen.size >= MIN_OFF_NIGHTS:
            start = stop = int(seen[-MIN_OFF_NIGHTS])
            while start > 0 and not active[start - 1]:
                start -= 1
            while stop + 1 < len(active) and not active[stop + 1]:
                stop += 1
            last = (days[start].date(), days[stop].date())
        recent = int((off & horizon).sum())
        brk = next((b for b in breaks(diary, active, lead)[-1:] if b.ongoing), None)
        if brk is None or brk.first is None:
            return cls(as_of, recent, last)
        before = off & horizon & (days < pd.Timestamp(brk.first))
        taken = int(np.flatnonzero(active & nights["recorded"].to_numpy(bool))[-1])
        return cls(as_of, recent, last, regimens[taken], brk, int(before.sum()),
                   days[taken].date())

    @property
    def since(self) -> int:
        """Calendar nights from the break's first written night to ``as_of``, both counted."""
        return 0 if self.brk is None or self.brk.first is None else (
            (self.as_of - self.brk.first).days + 1)

    def finished(self, past: History, tau: np.ndarray, separable: bool | None,
                 s: DecisionSettings) -> OffNights:
        """These facts with :attr:`left` and :attr:`wanted`, the person off magnesium now.

        ``left``: the fewest more nights, each written, under which the break counts as a
        withdrawal (:func:`~model.personal.withdrawal.p_enough` at the fit's time constants
        ``tau`` reaching :data:`~model.personal.withdrawal.WITHDRAWAL_SURE`, as
        :func:`~model.personal.separability.separability` counts one), at most one evaluation
        period (``s.min_nights``). During a placebo period under way (``past.placebo_nights``,
        the person back on :attr:`stopped` after it): the placebo nights still needed to
        :data:`~model.personal.separability.MIN_PLACEBO_NIGHTS` (none once it has them).
        """
        wanted = separable is False or self.before < MIN_OFF_NIGHTS
        if self.brk is not None and 0 < past.placebo_nights < MIN_PLACEBO_NIGHTS:
            return replace(self, left=MIN_PLACEBO_NIGHTS - past.placebo_nights, wanted=wanted,
                           placebo=past.placebo_nights)
        if self.brk is None or past.current.active or past.placebo_nights:
            return self
        draws = {"tau": tau}
        for more in range(s.min_nights + 1):
            nights = tuple(range(self.since + 1, self.since + more + 1))
            if p_enough(self.brk._replace(days=self.brk.days + nights), draws) >= WITHDRAWAL_SURE:
                return replace(self, left=more, wanted=wanted)
        return self

    def holds(self, s: DecisionSettings) -> bool:
        """Whether the break under way is to be finished (:func:`baseline_step`)."""
        return self.wanted and bool(self.left) and s.experiment_periods > 0


def lead_of(past: History) -> int:
    """Nights on the diary's first regimen before its first night, which a break's run counts.

    The profile's ``taking_since`` (:attr:`History.before_diary`).
    """
    return sum(past.before_diary.values())


def no_baseline(past: History) -> bool:
    """Whether the rule applies to the diary: magnesium taken, no baseline to compare with.

    The current regimen is magnesium, fewer than ``MIN_OFF_NIGHTS`` recorded nights are
    without it (no magnesium or placebo), and at least ``MIN_ON_NIGHTS`` recorded nights are
    on magnesium (the run a withdrawal of :mod:`model.personal.separability` follows).
    """
    on = sum(n for regimen, n in past.nights_on.items() if regimen.active)
    return past.current.active and past.nights_off < MIN_OFF_NIGHTS and on >= MIN_ON_NIGHTS


def stale(past: History, off: OffNights | None) -> bool:
    """Whether the diary's baseline is stale: nights off, none of late (:data:`BASELINE_HORIZON`).

    The current regimen is magnesium taken ``MIN_ON_NIGHTS`` nights or more, the diary has
    ``MIN_OFF_NIGHTS`` nights without it (else :func:`no_baseline`), fewer of them within the
    horizon. False without the diary's nights (``off`` None: a history alone).
    """
    return (off is not None and past.current.active and past.known_nights >= MIN_ON_NIGHTS
            and past.nights_off >= MIN_OFF_NIGHTS and off.recent < MIN_OFF_NIGHTS)


def needs_withdrawal(past: History, off: OffNights | None) -> bool:
    """Whether the diary has no baseline (:func:`no_baseline`) or a stale one (:func:`stale`)."""
    return no_baseline(past) or stale(past, off)


def withdrawal_nights(data: xr.Dataset, priors: PriorSet, s: DecisionSettings) -> int:
    """The nights of a withdrawal the decision proposes: one period, never fewer than needed.

    The evaluation period (``s.min_nights``), at least the observed nights off that the
    separability rule counts as a withdrawal
    (:func:`model.personal.withdrawal.off_nights_needed`) under
    :data:`~model.personal.withdrawal.WITHDRAWAL_SURE` of the fit's build-up time constants
    when the predictions carry ``onset_days`` (per draw), else at the prior median.
    """
    return max(s.min_nights, off_nights_needed({"tau": _tau(data, priors)}))


def returnable(ev: Evaluation, past: History, off: OffNights) -> bool:
    """Whether the regimen a break is from (:attr:`OffNights.stopped`) could be taken again.

    Its GI trouble is over (:attr:`History.gi_troubled`), and its step back (a start, or
    ``continue`` after a placebo period) is open or waits for the evaluation period alone: no
    hard rule nor the GI chance constraint blocks it (as :func:`returning` reads it). A break
    from a regimen it could not go back to teaches nothing to act on (/tmp/w50/c C5).
    """
    back = ev.feasible | held_by_period(ev.blocked)
    return off.stopped not in past.gi_troubled and any(
        back[i] for i, c in enumerate(ev.candidates)
        if c.regimen == off.stopped and c.action in ("start", "continue"))


def baseline_period(off: OffNights | None, past: History, data: xr.Dataset, priors: PriorSet,
                    separable: bool | None, s: DecisionSettings,
                    evaluate: Callable[[DecisionSettings], Evaluation],
                    ) -> tuple[OffNights | None, DecisionSettings, Evaluation]:
    """The facts with the break's nights left, the settings and the evaluation under them.

    A break to finish (:meth:`OffNights.holds`) has its evaluation period end on the night it
    counts, so that the look comes then: the date and the words' nights agree
    (:func:`model.decision.look_nights.review_days`). Not from a regimen it could not go back to
    (:func:`returnable`, in the evaluation under the break's settings): then the break is not
    wanted, and the evaluation is made again under ``s``.
    """
    off = None if off is None else off.finished(past, _tau(data, priors), separable, s)
    if off is None or not off.holds(s) or off.left is None:
        return off, s, evaluate(s)
    held = replace(s, min_nights=past.nights_on_current + off.left)
    ev = evaluate(held)
    if returnable(ev, past, off):
        return off, held, ev
    return replace(off, wanted=False), s, evaluate(s)


def withdrawal_first(ev: Evaluation, past: History, s: DecisionSettings,
                     off: OffNights | None = None) -> int | None:
    """The row of the withdrawal the rule takes, or None when the rule does not apply.

    None when the diary has a baseline that is not stale (:func:`needs_withdrawal`), no
    experiment is left to learn from (``s.experiment_periods`` is 0: at the end of a trial of
    known length), or no withdrawal is open (none offered: the diary separates magnesium from
    expectation with a baseline that is not stale, or the current regimen breaks a hard rule;
    or one blocked by the GI rules or the evaluation period).
    """
    if not needs_withdrawal(past, off) or s.experiment_periods <= 0:
        return None
    rows = [i for i, c in enumerate(ev.candidates)
            if c.action == "withdrawal" and ev.feasible[i]]
    return rows[0] if rows else None


def returning(ev: Evaluation, off: OffNights | None, best: int) -> int | None:
    """The row of the return to the regimen a counted break left, or None.

    When it looks to help (P(better than staying off) from
    :data:`~model.decision.settings.LOOKS_TO_HELP`) or is ``best``, the best expected of the
    regimens open (:func:`model.decision.choice.greedy`): an analysis whose best expected
    step is the regimen does not advise another (/tmp/w50/c C4).
    """
    if off is None or off.left != 0 or not off.stopped.active:
        return None
    rows = [i for i, c in enumerate(ev.candidates) if c.action == "start"
            and c.regimen == off.stopped and ev.feasible[i]
            and (ev.p_better[i] >= LOOKS_TO_HELP or i == best)]
    return rows[0] if rows else None


def baseline_step(ev: Evaluation, past: History, s: DecisionSettings,
                  off: OffNights | None, best: int) -> tuple[int | None, Why] | None:
    """The step the baseline rules take (row, branch), or None when none applies.

    A withdrawal first (:func:`withdrawal_first`: no baseline, or a stale one); off magnesium
    after a run on it, or a placebo period under way, the break finished while staying off
    is open (``collect_more_data``, why ``finish_break``), or once it counts the return
    (:func:`returning`; ``best``: the best expected row of the regimens open).
    """
    row = withdrawal_first(ev, past, s, off)
    if row is not None:
        return row, "no_baseline"
    if off is not None and off.holds(s) and ev.feasible[0]:
        return None, "finish_break"
    back = returning(ev, off, best)
    return None if back is None else (back, "withdrawal_return")
