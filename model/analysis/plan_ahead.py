"""A trial plan ahead in the diary: the advice keeps to it unless a rule speaks.

``mgsleep plan`` writes a diary with a regimen for every night of the trial, slept or not.
Analysed mid-trial, the nights after the date analysed, with a regimen (or a blinded plan's
pot) and nothing recorded, are the plan ahead (:func:`plan_ahead`). A planned trial answers
its question when it is kept: the model's own next step (another form, an evaluation period
of its own length) would break the design for an interim result. So :func:`follow_plan`
makes the plan's next step the recommendation (code ``planned``), the model's own step named
among its reasons, unless

- a safety rule speaks or the fit failed its checks (a referral or hold, loose stools on, or
  harm from, the current regimen, a current regimen above the ceiling or of an excluded form,
  codes :data:`RULES_FIRST`): the decision stands, and a warning says the plan waits; except
  that a planned night without magnesium answers these (:data:`STOP_SATISFIES`): kept then;
- a planned period up to the next look (:attr:`PlanAhead.covered`), continuing the current
  regimen included, breaks a rule (above the ceiling, a form the profile excludes, the GI
  chance constraint by the model's estimate, :func:`_over_gi`): the decision stands, and a
  warning says why that step is not advised; when a rule on the current regimen spoke and
  tonight's planned night has no magnesium, the plan is kept up to that step instead, with
  a look before it. A later period that breaks one of them is named in a warning now.

A blinded plan (``mgsleep plan --blind``) is followed too: its pot nights (``code A`` in
``notes``, no form) are periods of a pot whose content the sealed key alone knows, so they
are neither checked against the rules nor scored, and the next look is the morning after the
plan's last night (a diary with pot nights logged is analysed unblinded,
:func:`model.data.diary.refuse_blinded`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

from model.core.change_words import GI_TROUBLE
from model.core.forms import PLACEBO
from model.core.regimen import NO_MAGNESIUM, Regimen
from model.data.diary import Diary, pot_codes
from model.data.profile import Profile
from model.decision import Candidate, Decision, DecisionSettings, History, Predict, Recommendation
from model.decision.decide import largest_studied_mg
from model.decision.explain import headline
from model.decision.history import night_regimens
from model.decision.results import NO_SCORES, ActionAssessment
from model.decision.rule_words import beyond_studied_warning, gi_block, is_acute_gi_warning
from model.decision.rules import breach_warnings, current_breaks
from model.decision.screening import Screening
from model.decision.utility import evaluate, predicted
from model.evidence.priorset import PriorSet

RULES_FIRST = frozenset({"refer", "acute_gi", "current_excluded", "current_above_ceiling",
                         "diagnostics_failed", "harm"})
"""Reason codes of a decision that comes before any plan."""

STOP_SATISFIES = frozenset({"acute_gi", "current_excluded", "current_above_ceiling", "harm"})
"""Rules a planned night without magnesium satisfies: stopping is the gentlest step there is."""

BLOCKS = frozenset({"above_ceiling", "excluded_form", "gi_limit"})
"""Blocks that keep a plan's step from being advised (its evaluation period is the plan's)."""


@dataclass(frozen=True)
class PlannedPeriod:
    """Consecutive planned nights on one regimen, ``first`` to ``last`` (both included).

    A blinded plan's pot has its code, ``pot`` (``A``), and no regimen (its key is sealed).
    """

    regimen: Regimen | None
    first: dt.date
    last: dt.date
    pot: str | None = None

    @property
    def arm(self) -> str:
        """What is taken, to tell periods apart: the form, or ``pot A``."""
        return self.regimen.form if self.regimen is not None else f"pot {self.pot}"

    @property
    def stops(self) -> bool:
        """True when the period has no magnesium for certain (none or an open placebo)."""
        return self.regimen is not None and not self.regimen.active

    @property
    def words(self) -> str:
        """``glycinate 200 mg from 2026-11-05 to 2026-11-18`` (``on 2026-11-05``: one night)."""
        when = f"on {self.first}" if self.first == self.last else \
            f"from {self.first} to {self.last}"
        return f"{self.regimen.words if self.regimen is not None else self.arm} {when}"

    def to_dict(self) -> dict[str, Any]:
        """The regimen and dates in the ``plan_ahead`` JSON (a pot: its ``pot``, no regimen)."""
        shown: dict[str, Any] = {"form": None, "elemental_mg": None, "split": None,
                                 "pot": self.pot}
        if self.regimen is not None:
            shown = {"form": self.regimen.form, "elemental_mg": self.regimen.elemental_mg,
                     "split": self.regimen.split}
        return {**shown, "from": self.first.isoformat(), "to": self.last.isoformat()}


@dataclass(frozen=True)
class PlanAhead:
    """The planned periods from tonight to the plan's last night, in order."""

    periods: tuple[PlannedPeriod, ...]
    unlogged: int = 0
    """Nights before tonight since the last night with an outcome (nothing logged on them)."""
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
    def pots(self) -> tuple[str, ...]:
        """The codes of a blinded plan's pots, ``A`` first (empty for an open plan)."""
        return tuple(sorted({p.pot for p in self.periods if p.pot is not None}))

    @property
    def covered(self) -> tuple[PlannedPeriod, ...]:
        """The periods today's advice covers, up to a look after the next treatment period.

        Up to the end of the next period on magnesium, placebo or a pot (its dose steps, as a
        titrated plan has them, included), or all of them when none is left.
        """
        periods = self.periods
        first = next((i for i, p in enumerate(periods) if p.regimen != NO_MAGNESIUM), None)
        if first is None:
            return periods
        end = next((k for k in range(first + 1, len(periods))
                    if periods[k].arm != periods[first].arm), len(periods))
        return periods[:end]

    @property
    def words(self) -> str:
        """What the plan says to do from tonight, in words (see :func:`follow_plan`)."""
        return self.saying(self.covered)

    def saying(self, periods: tuple[PlannedPeriod, ...]) -> str:
        """``periods`` (the first ones of the plan) in words, and where the plan goes on to."""
        said = ", then ".join(p.words for p in periods)
        return said if periods[-1] is self.periods[-1] else \
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
        None when no night after ``as_of`` names a regimen or a pot (``code A`` in ``notes``
        and no form, as a blinded plan writes it), when one of them has an outcome recorded
        (a diary analysed as of a past date: those nights are what happened, not a plan), or
        when the plan ends before tonight. Its unlogged nights are those before tonight since
        the last night with an outcome (since the diary's first night when none has one).
    """
    ahead = diary.nights.loc[diary.nights.index > pd.Timestamp(as_of)]
    slept = diary.last_outcome_date
    if ahead.empty or (slept is not None and slept > as_of):
        return None
    regimens = night_regimens(ahead)
    codes = pot_codes(ahead)
    steps = [(r, None) if pd.isna(code) else (None, str(code))
             for r, code in zip(regimens, codes, strict=True)]
    if all(step == (NO_MAGNESIUM, None) for step in steps):
        return None
    tonight = max(as_of + dt.timedelta(days=1), today or as_of)
    periods: list[PlannedPeriod] = []
    for stamp, (regimen, pot) in zip(ahead.index, steps, strict=True):
        day = stamp.date()
        if day < tonight:
            continue
        if periods and (periods[-1].regimen, periods[-1].pot) == (regimen, pot):
            periods[-1] = replace(periods[-1], last=day)
        else:
            periods.append(PlannedPeriod(regimen, day, day, pot))
    since = slept if slept is not None else diary.nights.index[0].date() - dt.timedelta(days=1)
    return PlanAhead(tuple(periods), (tonight - since).days - 1, tonight) if periods else None


def _action(current: Regimen, planned: Regimen | None) -> str:
    """The action that takes ``current`` to ``planned`` (the names of the candidates).

    A pot (``planned`` None) is started, or switched to from magnesium: its content is sealed.
    """
    if planned == current:
        return "continue"
    if planned == NO_MAGNESIUM:
        return "stop"
    if not current.active:
        return "start"
    if planned is None:
        return "switch_form"
    if planned.form == PLACEBO:
        return "stop"
    if planned.form != current.form:
        return "switch_form"
    if planned.elemental_mg != current.elemental_mg:
        return "increase_dose" if planned.elemental_mg > current.elemental_mg else \
            "decrease_dose"
    return "split_dose"


def _assessed(decision: Decision,
              regimen: Regimen | None) -> tuple[int | None, ActionAssessment | None]:
    """The index and assessment of the action leading to ``regimen`` (None, None: not one)."""
    for index, entry in enumerate(decision.assessments):
        if entry.regimen == regimen and entry.action not in ("placebo_period", "withdrawal"):
            return index, entry
    return None, None


def _over_gi(decision: Decision, plan: PlanAhead, rules: Screening, priors: PriorSet,
             predict: Predict | None) -> dict[Regimen, str]:
    """The planned regimens whose P(GI constraint violated) is above its epsilon, and why.

    An assessed action's P; else the decision's :func:`~model.decision.utility.evaluate` of a
    start from no magnesium with the same posterior, ``predict`` (``gi_rate`` draws against
    no magnesium's, whatever comes before; None: the assessed ones alone are known).
    """
    planned = dict.fromkeys(r for p in plan.periods if (r := p.regimen) is not None and r.active)
    risks = {r: e.p_constraint_violation for r in planned
             if (e := _assessed(decision, r)[1]) is not None}
    others = [Candidate("start", r) for r in planned if r not in risks]
    if predict is not None and others:
        options, past = [Candidate("continue", NO_MAGNESIUM), *others], History()
        ev = evaluate(predicted(predict, options, past), options, past, rules, priors,
                      Profile(), DecisionSettings())
        risks |= {c.regimen: float(p) for c, p in zip(others, ev.p_violation[1:], strict=True)}
    epsilon = priors.safety.gi_constraint.epsilon
    return {r: gi_block(p, epsilon) for r, p in risks.items() if p > epsilon}


def _refused(step: PlannedPeriod, entry: ActionAssessment | None, rules: Screening,
             over_gi: dict[Regimen, str]) -> str:
    """Why the plan's step is not advised ("" when it may be, or it is a sealed pot).

    ``entry``: its assessment (None: its blocks are not checked); ``over_gi``: :func:`_over_gi`.
    """
    regimen = step.regimen
    if regimen is None:
        return ""
    said = [] if entry is None else [
        why for code, why in zip(entry.reason_codes, entry.blocked_by, strict=True)
        if code in BLOCKS]
    if said or regimen in over_gi:
        return "; ".join(said) or over_gi[regimen]
    breaks = current_breaks(regimen, rules)
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


KEPT_TO = "A planned trial answers its question when it is kept to: a change made for an " \
    "interim result mixes its periods. "
"""The first words of the reason why a plan is followed."""

LOOK_AGAIN = {
    False: "Analyse it again whenever you like: a safety rule or GI nights come first.",
    True: "A blinded trial is analysed when it ends, unblinded (mgsleep unblind): with pot "
          "nights logged, mgsleep analyze refuses the diary, so the next look is the morning "
          "after its last night."}
"""When to look again at an open plan (False) and at a blinded one (True)."""

GENTLEST = {"acute_gi": f"the recent {GI_TROUBLE} on it",
            "current_excluded": "a form your profile excludes",
            "current_above_ceiling": "a dose above your ceiling",
            "harm": "nights that look worse on it than without it"}
"""The rules of :data:`STOP_SATISFIES` in words, for a planned stop that answers them."""


def follow_plan(decision: Decision, plan: PlanAhead, current: Regimen, rules: Screening,
                priors: PriorSet, predict: Predict | None = None,
                taking: Regimen | None = None) -> Decision:
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
        For the warning of a dose beyond the form's studied ones and the GI chance constraint.
    predict : callable, optional
        The posterior's predictions the decision was made with, to check a planned regimen it
        did not assess against the GI chance constraint (:func:`_over_gi`; None: not checked).
    taking : Regimen, optional
        The magnesium taken lately (``History.taking``, default ``current``): a planned night
        without magnesium answers its recent loose stools.

    Returns
    -------
    Decision
        See the module docstring. Followed: the action and regimen of tonight's planned
        night (no regimen for a pot), the scores of that action when it is one of the
        assessed ones (else none: a placebo, a pot, or two changes at once), no commitment,
        the next review the morning after the periods it keeps to (:func:`_kept`; after the
        plan's last night for a blinded plan), code ``planned`` (``not_checked`` kept); the
        rest is the decision's (its evaluation period), with no close call.
    """
    rec = decision.recommendation
    if waits := _waits(decision, plan):
        return _with_warning(decision, waits)
    over_gi = _over_gi(decision, plan, rules, priors, predict)
    kept, refused = _kept(decision, plan, rules, over_gi)
    if not kept:
        return _with_warning(decision, f"{refused}. The advice above replaces it.")
    tonight = kept[0]
    index, entry = _assessed(decision, tonight.regimen)
    review = (plan.end if plan.pots else kept[-1].last) + dt.timedelta(days=1)
    gentlest = [GENTLEST[c] for c in rec.reason_codes if c in GENTLEST and current.active]
    reasons = (f"Keep to your trial plan: {plan.saying(kept)}.",
               *([f"Tonight's planned step stops {current.words}, the gentlest step for "
                  f"{' and for '.join(gentlest)}."] if gentlest else []),
               KEPT_TO + LOOK_AGAIN[bool(plan.pots)],
               "Without the plan the model's own next step would be: "
               + _own_step(rec, current, tonight.first))
    refused_note = (f"{refused}; when it comes, the advice will replace it.",) if refused else ()
    return replace(decision, chosen=index, runner_up=None, recommendation=Recommendation(
        _action(current, tonight.regimen), tonight.regimen,
        entry.scores if entry is not None else NO_SCORES, False, review, reasons,
        (*_warnings(plan, kept, refused_note, rules, priors, over_gi),
         *_current(rec, current, rules, taking or current)),
        ("planned", *(c for c in rec.reason_codes if c == "not_checked")),
        recent_gi=rec.recent_gi if STOP_SATISFIES & set(rec.reason_codes) else None))


def _current(rec: Recommendation, current: Regimen, rules: Screening,
             taking: Regimen) -> tuple[str, ...]:
    """The decision's warnings about the current regimen and ``taking``, taken lately.

    A rule ``current`` breaks, recent loose stools on ``taking``, kept beside a planned night
    without magnesium that answers them; not those of the model's own step, which is not taken.
    """
    if not STOP_SATISFIES & set(rec.reason_codes):
        return ()
    breaks = breach_warnings(current, rules)
    return tuple(w for w in rec.warnings if w in breaks or is_acute_gi_warning(w, taking))


def _waits(decision: Decision, plan: PlanAhead) -> str:
    """Why the plan waits for a rule of :data:`RULES_FIRST` (a warning), or "".

    Unless tonight's planned night has no magnesium and the rule is one of
    :data:`STOP_SATISFIES`: the plan's washout is the gentlest step.
    """
    ruled = RULES_FIRST & set(decision.recommendation.reason_codes)
    if not ruled or (plan.periods[0].stops and ruled <= STOP_SATISFIES):
        return ""
    return (f"Your trial plan waits: the advice above comes first. The plan from tonight: "
            f"{plan.words}.")


def _kept(decision: Decision, plan: PlanAhead, rules: Screening,
          over_gi: dict[Regimen, str]) -> tuple[tuple[PlannedPeriod, ...], str]:
    """The covered periods the advice keeps to, and why the next one is not advised.

    All the covered periods (:attr:`PlanAhead.covered`) and "" when none breaks a rule or
    the GI chance constraint by the model's estimate (``over_gi``, :func:`_over_gi`). Else
    the plan is set aside (no period kept), unless a rule of :data:`STOP_SATISFIES` spoke
    and tonight's planned night has no magnesium: the periods before the refused one are
    kept then, stopping being the gentlest step, and the advice looks again before it.
    """
    stopping = plan.periods[0].stops and bool(
        STOP_SATISFIES & set(decision.recommendation.reason_codes))
    covered = plan.covered
    for n, period in enumerate(covered):
        why_not = _refused(period, _assessed(decision, period.regimen)[1], rules, over_gi)
        if why_not:
            return (covered[:n] if stopping else (),
                    f"Your trial plan's step {period.words} is not advised: {why_not}")
    return covered, ""


def _warnings(plan: PlanAhead, kept: tuple[PlannedPeriod, ...], refused: tuple[str, ...],
              rules: Screening, priors: PriorSet, over_gi: dict[Regimen, str]) -> tuple[str, ...]:
    """The warnings of a plan followed up to the end of ``kept``.

    The profile's cautions, planned doses beyond their form's studied ones, the ``refused``
    step after ``kept``, later planned steps that break a hard rule or the GI chance
    constraint (``over_gi``, :func:`_over_gi`), a blinded plan's sealed pots and the nights
    left unlogged before tonight.
    """
    beyond = []
    for regimen in dict.fromkeys(p.regimen for p in kept if p.regimen is not None):
        studied = largest_studied_mg(priors, regimen.form) if regimen.active else None
        if studied is not None and regimen.elemental_mg > studied:
            beyond.append(beyond_studied_warning(regimen, studied))
    later = [f"Your trial plan's later step {p.words} is not advised: {why}; when it comes, "
             "the advice will replace it." for p in plan.periods[len(plan.covered):]
             if (why := _refused(p, None, rules, over_gi))]
    sealed = [f"Your trial plan's pots ({', '.join(plan.pots)}) are sealed in its key: "
              "mgsleep cannot check them against your ceiling, the forms your profile "
              "excludes or the GI limit (plan --blind --profile checks the first two; analyze "
              "watches for loose stools on a pot, still blinded)"] if plan.pots else []
    unlogged = [f"{plan.unlogged} night(s) before tonight not logged ({plan.unlogged_dates}): "
                "log them (mgsleep log) so that the analysis sees them"] \
        if plan.unlogged > 0 else []
    return (*rules.all_warnings, *beyond, *refused, *later, *sealed, *unlogged)
