"""A trial plan ahead in the diary: the advice keeps to it unless a rule speaks.

``mgsleep plan`` writes a diary with a regimen for every night of the trial, slept or not.
Analysed mid-trial, the nights after the date analysed, with a regimen and nothing recorded,
are the plan ahead (:func:`plan_ahead`). A planned trial answers its question when it is kept:
the model's own next step (another form, an evaluation period of its own length) would break
the design for an interim result. So :func:`follow_plan` makes the plan's next step the
recommendation (code ``planned``), the model's own step named among its reasons, unless

- a safety rule speaks or the fit failed its checks (a referral or hold, loose stools on the
  current regimen, a current regimen above the ceiling or of an excluded form, codes
  :data:`RULES_FIRST`): the decision stands, and a warning says the plan waits; except that
  a planned night without magnesium answers loose stools and a current regimen that breaks
  a rule (:data:`STOP_SATISFIES`), so the plan is kept then;
- a planned period up to the next look (:attr:`PlanAhead.covered`), continuing the current
  regimen included, breaks a rule (above the ceiling, a form the profile excludes, the GI
  chance constraint by the model's estimate): the decision stands, and a warning says why
  that step is not advised. A later period that breaks a hard rule is named in a warning now.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

from model.core.forms import PLACEBO
from model.core.regimen import NO_MAGNESIUM, Regimen
from model.data.diary import Diary
from model.decision import Decision, Recommendation
from model.decision.decide import largest_studied_mg
from model.decision.explain import headline
from model.decision.history import night_regimens
from model.decision.results import NO_SCORES, ActionAssessment
from model.decision.rule_words import beyond_studied_warning
from model.decision.rules import Screening, current_breaks
from model.evidence.priorset import PriorSet

RULES_FIRST = frozenset({"refer", "acute_gi", "current_excluded", "current_above_ceiling",
                         "diagnostics_failed"})
"""Reason codes of a decision that comes before any plan."""

STOP_SATISFIES = frozenset({"acute_gi", "current_excluded", "current_above_ceiling"})
"""Rules a planned night without magnesium satisfies: stopping is the gentlest step there is."""

BLOCKS = frozenset({"above_ceiling", "excluded_form", "gi_limit"})
"""Block codes of an assessed action that keep a plan's step from being advised (the
evaluation period, ``waiting``, is the plan's own to set)."""


@dataclass(frozen=True)
class PlannedPeriod:
    """Consecutive planned nights on one regimen, ``first`` to ``last`` (both included)."""

    regimen: Regimen
    first: dt.date
    last: dt.date

    @property
    def words(self) -> str:
        """``glycinate 200 mg from 2026-11-05 to 2026-11-18`` (``on 2026-11-05``: one night)."""
        when = f"on {self.first}" if self.first == self.last else \
            f"from {self.first} to {self.last}"
        return f"{self.regimen.words} {when}"

    def to_dict(self) -> dict[str, Any]:
        """The regimen and dates, as the ``plan_ahead`` JSON gives each period."""
        return {"form": self.regimen.form, "elemental_mg": self.regimen.elemental_mg,
                "split": self.regimen.split, "from": self.first.isoformat(),
                "to": self.last.isoformat()}


@dataclass(frozen=True)
class PlanAhead:
    """The planned periods from tonight to the plan's last night, in order."""

    periods: tuple[PlannedPeriod, ...]
    unlogged: int = 0
    """Nights between the date analysed and tonight with nothing logged."""
    tonight: dt.date | None = None
    """The first night the plan is followed from (the unlogged nights end the night before)."""

    @property
    def unlogged_dates(self) -> str:
        """The unlogged nights as ``2026-12-03`` or ``2026-12-01 to 2026-12-03`` (or empty)."""
        if self.unlogged <= 0 or self.tonight is None:
            return ""
        first, last = (self.tonight - dt.timedelta(days=n) for n in (self.unlogged, 1))
        return first.isoformat() + (f" to {last.isoformat()}" if last != first else "")

    @property
    def end(self) -> dt.date:
        """The plan's last night."""
        return self.periods[-1].last

    @property
    def covered(self) -> tuple[PlannedPeriod, ...]:
        """The periods today's advice covers, up to a look after the next treatment period.

        Up to the end of the next period on magnesium or placebo (its dose steps, as a
        titrated plan has them, included), or all of them when none is left.
        """
        periods = self.periods
        first = next((i for i, p in enumerate(periods) if p.regimen != NO_MAGNESIUM), None)
        if first is None:
            return periods
        end = first + 1
        while end < len(periods) and periods[end].regimen.form == periods[first].regimen.form:
            end += 1
        return periods[:end]

    @property
    def words(self) -> str:
        """What the plan says to do from tonight, in words (see :func:`follow_plan`)."""
        said = ", then ".join(p.words for p in self.covered)
        return said if self.covered[-1] is self.periods[-1] else \
            f"{said} (the plan goes on to {self.end})"

    def to_dict(self) -> dict[str, Any]:
        """The ``plan_ahead`` entry of the ``analyze`` JSON."""
        return {"periods": [p.to_dict() for p in self.periods], "end": self.end.isoformat(),
                "unlogged_nights": self.unlogged}


def plan_ahead(diary: Diary, as_of: dt.date, today: dt.date | None = None) -> PlanAhead | None:
    """The plan written in ``diary`` after the date analysed, from tonight on.

    Parameters
    ----------
    diary : Diary
        The whole diary, planned nights included (not truncated at ``as_of``).
    as_of : datetime.date
        The date analysed (the last night slept).
    today : datetime.date, optional
        The day the advice is read: tonight is the night after ``as_of``, or ``today``'s when
        it is read later. A plan goes by the calendar: nights not logged since do not move
        it (unlike a change of the model's own, :func:`model.decision.rules.change_starts`).

    Returns
    -------
    PlanAhead or None
        None when no night after ``as_of`` names a regimen, when one of them has an outcome
        recorded (a diary analysed as of a past date: those nights are what happened, not a
        plan), or when the plan ends before tonight.
    """
    ahead = diary.nights.loc[diary.nights.index > pd.Timestamp(as_of)]
    slept = diary.last_outcome_date
    if ahead.empty or (slept is not None and slept > as_of):
        return None
    regimens = night_regimens(ahead)
    if all(r == NO_MAGNESIUM for r in regimens):
        return None
    tonight = max(as_of + dt.timedelta(days=1), today or as_of)
    nights = [(d.date(), r) for d, r in zip(ahead.index, regimens, strict=True)
              if d.date() >= tonight]
    periods: list[PlannedPeriod] = []
    for day, regimen in nights:
        if periods and periods[-1].regimen == regimen:
            periods[-1] = replace(periods[-1], last=day)
        else:
            periods.append(PlannedPeriod(regimen, day, day))
    return PlanAhead(tuple(periods), (tonight - as_of).days - 1, tonight) if periods else None


def _action(current: Regimen, planned: Regimen) -> str:
    """The action that takes ``current`` to ``planned`` (the names of the candidates)."""
    if planned == current:
        return "continue"
    if planned == NO_MAGNESIUM:
        return "stop"
    if not current.active:
        return "start"
    if planned.form == PLACEBO:
        return "stop"
    if planned.form != current.form:
        return "switch_form"
    if planned.elemental_mg != current.elemental_mg:
        return "increase_dose" if planned.elemental_mg > current.elemental_mg else \
            "decrease_dose"
    return "split_dose"


def _assessed(decision: Decision, regimen: Regimen) -> tuple[int | None, ActionAssessment | None]:
    """The index and assessment of the action leading to ``regimen`` (None, None: not one)."""
    for index, entry in enumerate(decision.assessments):
        if entry.regimen == regimen and entry.action not in ("placebo_period", "withdrawal"):
            return index, entry
    return None, None


def _refused(step: PlannedPeriod, entry: ActionAssessment | None, rules: Screening,
             epsilon: float) -> str:
    """Why the plan's step is not advised ("" when it may be).

    ``entry``: the model's assessment of the step (None: the hard rules alone are checked);
    ``epsilon``: the GI chance constraint's allowed P(violation), which continuing the
    current regimen must meet too.
    """
    if entry is not None:
        said = [why for code, why in zip(entry.reason_codes, entry.blocked_by, strict=True)
                if code in BLOCKS]
        if said:
            return "; ".join(said)
        if step.regimen.active and entry.p_constraint_violation > epsilon:
            return (f"P(GI constraint violated) {entry.p_constraint_violation:.2f} is above "
                    f"{epsilon:.2f}")
    regimen, breaks = step.regimen, current_breaks(step.regimen, rules)
    if "current_above_ceiling" in breaks:
        return f"{regimen.elemental_mg:g} mg is above your ceiling of {rules.ceiling_mg:g} mg a day"
    if "current_excluded" in breaks:
        return f"{regimen.form} is a form your profile excludes"
    return ""


def _own_step(rec: Recommendation, current: Regimen, tonight: dt.date) -> str:
    """The model's own recommendation in one sentence (what to do, as its headline says).

    An experiment's nights are counted from ``tonight`` to its review.
    """
    if rec.action == "collect_more_data" or rec.regimen is None:
        return headline("continue", rec.regimen or current, current, 0)
    return headline(rec.action, rec.regimen, current, (rec.next_review - tonight).days)


def _with_warning(decision: Decision, note: str) -> Decision:
    rec = decision.recommendation
    return replace(decision, recommendation=replace(rec, warnings=(*rec.warnings, note)))


def follow_plan(decision: Decision, plan: PlanAhead, current: Regimen, rules: Screening,
                priors: PriorSet) -> Decision:
    """The decision with the plan's next step as its recommendation, unless a rule speaks.

    Parameters
    ----------
    decision : Decision
        The model's own decision.
    plan : PlanAhead
        The plan ahead (:func:`plan_ahead`).
    current : Regimen
        Last night's regimen.
    rules : Screening
        The profile's hard rules (ceiling, allowed forms, warnings).
    priors : PriorSet
        For the warning of a dose beyond the form's studied ones.

    Returns
    -------
    Decision
        See the module docstring. Followed: the action and regimen of tonight's planned
        night, the scores of that action when it is one of the assessed ones (else none: a
        placebo, or two changes at once), no commitment, the next review the morning after
        the periods it covers (:attr:`PlanAhead.covered`), code ``planned`` (``not_checked``
        kept).
    """
    rec = decision.recommendation
    epsilon = priors.safety.gi_constraint.epsilon
    set_aside = _set_aside(decision, plan, rules, epsilon)
    if set_aside is not None:
        return _with_warning(decision, set_aside)
    tonight = plan.periods[0]
    index, entry = _assessed(decision, tonight.regimen)
    review = plan.covered[-1].last + dt.timedelta(days=1)
    reasons = (f"Keep to your trial plan: {plan.words}.",
               "A planned trial answers its question when it is kept to: a change made for an "
               "interim result mixes its periods. Analyse it again whenever you like: a "
               "safety rule or loose stools would come before the plan.",
               "Without the plan the model's own next step would be: "
               + _own_step(rec, current, tonight.first))
    return Decision(Recommendation(
        _action(current, tonight.regimen), tonight.regimen,
        entry.scores if entry is not None else NO_SCORES,
        False, review, reasons, (*_warnings(plan, rules, priors), *_current(rec, rules)),
        ("planned", *(c for c in rec.reason_codes if c == "not_checked"))),
        decision.assessments, index, decision.mode)


def _current(rec: Recommendation, rules: Screening) -> tuple[str, ...]:
    """The decision's warnings about the current regimen (recent loose stools, a rule it breaks).

    Kept beside a planned night without magnesium that answers them.
    """
    if not STOP_SATISFIES & set(rec.reason_codes):
        return ()
    return tuple(w for w in rec.warnings if w not in rules.warnings)


def _set_aside(decision: Decision, plan: PlanAhead, rules: Screening,
               epsilon: float) -> str | None:
    """Why the decision stands instead of the plan (a warning), or None to follow the plan.

    A rule of :data:`RULES_FIRST` comes first, unless tonight's planned night has no
    magnesium and the rule is one of :data:`STOP_SATISFIES` (the plan's washout is the
    gentlest step); a covered period (:attr:`PlanAhead.covered`) that breaks a rule, or the
    GI chance constraint by the model's estimate, is not advised.
    """
    ruled = RULES_FIRST & set(decision.recommendation.reason_codes)
    if ruled and (plan.periods[0].regimen.active or not ruled <= STOP_SATISFIES):
        return (f"Your trial plan waits: the advice above comes first. The plan from "
                f"tonight: {plan.words}.")
    for period in plan.covered:
        why_not = _refused(period, _assessed(decision, period.regimen)[1], rules, epsilon)
        if why_not:
            return (f"Your trial plan's step {period.words} is not advised: {why_not}. The "
                    "advice above replaces it.")
    return None


def _warnings(plan: PlanAhead, rules: Screening, priors: PriorSet) -> tuple[str, ...]:
    """The warnings of a plan followed.

    The profile's cautions, planned doses beyond their form's studied ones, later planned
    steps that break a hard rule, and the nights left unlogged before tonight.
    """
    covered = plan.covered
    beyond = []
    for regimen in dict.fromkeys(p.regimen for p in covered):
        studied = largest_studied_mg(priors, regimen.form) if regimen.active else None
        if studied is not None and regimen.elemental_mg > studied:
            beyond.append(beyond_studied_warning(regimen, studied))
    later = [f"Your trial plan's later step {p.words} is not advised: {why}; when it comes, "
             "the advice will replace it." for p in plan.periods[len(covered):]
             if (why := _refused(p, None, rules, 1.0))]
    unlogged = [f"{plan.unlogged} night(s) before tonight not logged ({plan.unlogged_dates}): "
                "log them (mgsleep log) so that the analysis sees them"] \
        if plan.unlogged > 0 else []
    return (*rules.warnings, *beyond, *later, *unlogged)
