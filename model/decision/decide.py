"""The decision: from posterior predictions, a profile and the diary to the next step.

The order never changes:

1. **Hard rules** (:func:`model.decision.screening.screen`, from ``safety.toml``): a
   contraindication answers ``refer`` with no form and no dose; cautions and interacting
   medicines become warnings; excluded forms are removed; the ceiling is set.
2. **Candidates** (:mod:`model.decision.candidates`), one change at a time from the current
   regimen, blocked by the hard rules and the evaluation period (:mod:`model.decision.rules`).
3. **Chance constraint**, **utility per draw** on the link scale, the **learning value** of
   each action (:mod:`model.decision.utility`, :mod:`model.decision.gains`,
   :mod:`model.decision.learning`) and the **choice** with its commit rule
   (:mod:`model.decision.choice`); a diary with no nights off magnesium, or none of late,
   gets a withdrawal first, and a break from magnesium is finished, then returned from
   (:mod:`model.decision.baseline`). The evaluation period follows the kinetics.
4. **Results** (:mod:`model.decision.results`) and their words (:mod:`model.decision.explain`).

The defaults of :class:`DecisionSettings` are explained in :mod:`model.decision.settings`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from model.core.outcomes import OUTCOMES
from model.data.diary import Diary
from model.data.diary_rows import given_date
from model.data.profile import Profile, checked_profile
from model.data.weights import outcome_order
from model.decision import explain, rule_words
from model.decision.after_period import after_period
from model.decision.baseline import (
    OffNights,
    baseline_period,
    lead_of,
    needs_withdrawal,
    stale,
    withdrawal_nights,
)
from model.decision.baseline_words import rule_line
from model.decision.candidates import candidates, forms_open
from model.decision.choice import Choice, choose, close_call, too_few_draws
from model.decision.compound_ceiling import CompoundDose, compound_dose, compound_weight_to_check
from model.decision.diary_mentions import with_diary_mentions
from model.decision.evidence_basis import PriorBasis
from model.decision.explain import RecentGi, describe, option
from model.decision.history import DiaryLike, History, history
from model.decision.look_nights import review_days
from model.decision.on_off import on_off_note
from model.decision.override_words import dose_check_line
from model.decision.overrides import dose_to_check, with_medicine_starts
from model.decision.plan_words import TO_LEARN, Basis, by_design, few_draws_line, learned_words
from model.decision.prescribed import prescribed_refer_reasons
from model.decision.reason_codes import reason_codes
from model.decision.results import NO_SCORES, ActionAssessment, Decision, Recommendation, assess
from model.decision.room import Room, room
from model.decision.rules import (
    acute_gi,
    current_breaks,
    current_warnings,
    evaluation_nights,
    review_after,
    review_from,
)
from model.decision.screening import Screening, screen
from model.decision.settings import DecisionSettings, Mode, Predict
from model.decision.utility import Evaluation, evaluate, onset_days, predicted
from model.evidence.priorset import PriorSet
from model.evidence.schema import GiConstraint

__all__ = [  # ``decide`` and the names other modules still import from this module
    "ActionAssessment", "Decision", "DecisionSettings", "History", "Recommendation", "decide",
    "describe", "option",
]


def _without_posterior(action: str, next_review: dt.date, reasons: list[str],
                       warnings: tuple[str, ...], commit: bool,
                       codes: tuple[str, ...]) -> Decision:
    return Decision(Recommendation(action, None, NO_SCORES, commit, next_review,
                                   tuple(reasons), warnings, codes))


def _decision(ev: Evaluation, choice: Choice, past: History,
              dates: tuple[dt.date, dt.date | None],
              warnings: tuple[str, ...], rules: Screening, gi: GiConstraint, mode: Mode,
              s: DecisionSettings, separable: bool | None,
              outcomes: Sequence[str] = OUTCOMES, basis: Basis | None = None,
              compound: CompoundDose | None = None, room: Room | None = None,
              off: OffNights | None = None) -> Decision:
    """The assessed actions, feasible first by expected utility, and the recommendation.

    When the current regimen breaks a hard rule, its codes (:func:`current_breaks`) end the
    reason codes and its sentence (:func:`rule_words.breach_reason`) comes first among the
    reasons; the step is not a commitment then (it is chosen among the few the rule leaves
    open, not among every regimen the person could settle on). Nor is it on a current dose
    to check (:func:`~model.decision.overrides.dose_to_check`, code ``dose_check``), whose
    sentence comes next (:func:`dose_check_line`). ``dates``: the analysis date
    and the day the advice is read (:func:`review_from`); ``outcomes``: the outcomes in the
    person's order (:func:`model.data.weights.outcome_order`), which the reasons follow;
    ``basis``: what a form's evidence on the outcomes that count most rests on
    (:class:`~model.decision.evidence_basis.PriorBasis`); ``compound``: the current dose as
    a compound's weight, which the ceiling reads on the safe side
    (:class:`~model.decision.compound_ceiling.CompoundDose`); ``room``: the person's
    (:mod:`model.decision.room`): with none left, no step waits for the period (the choice
    after it is to stay or stop, as today's), so none is named as the step then. ``off``:
    the diary's nights without magnesium (:class:`~model.decision.baseline.OffNights`), which
    the baseline rules' words and codes read.
    """
    breaks = current_breaks(past.current, rules, compound)
    check = dose_to_check(past.current)
    if (breaks or check) and choice.commit:
        choice = replace(choice, commit=False, why="plan")

    def review(action: str) -> dt.date:
        return review_after(review_from(action, *dates), review_days(action, past, s))

    assessed = assess(ev, review, s)
    then = after_period(ev, past, s, room) if mode == "expected_utility" else None
    if then is not None:            # the step the advice names for after the period
        assessed[then] = replace(assessed[then], after_period=True)
    order = sorted(range(len(assessed)),
                   key=lambda i: (not assessed[i].feasible, -assessed[i].expected_utility))
    chosen = assessed[0 if choice.index is None else choice.index]
    # on a dose to check, staying is a hold, not a choice by worth that a runner-up may flip
    # nor is staying for want of room (it weighs no change, so none is a close call)
    runner = (close_call(ev, choice, s)
              if mode == "expected_utility" and not check and choice.room is None else None)
    if runner is not None:
        warnings = (*warnings, explain.close_call_warning(chosen, assessed[runner]))
    acute = acute_gi(past, s)
    breach = rule_words.breach_reason(past.current, rules.ceiling_mg, breaks, rules.other_mg,
                                      compound)
    first = [breach] if breach else []
    if check:                       # the doubt, before any reason resting on the dose
        # first of all when the dose may be a compound's weight: the breach reads it as written
        first.insert(0 if compound_weight_to_check(past.current) else len(first),
                     dose_check_line(past.current, rules.ceiling_mg))
    own = explain.reasons(
        choice.why, chosen, assessed, past, gi, s, to_learn=choice.to_learn, acute=acute,
        close_to=None if runner is None else assessed[runner],
        held=None if choice.held is None else assessed[choice.held],
        tied=[assessed[i] for i in choice.tied], p_harm=ev.p_harm, order=outcomes,
        basis=basis, ruled=rule_line(choice.why, chosen, past, s, off))
    # staying on a dose to check is its hold, which its sentence says, not a gain too small
    reasons = first + (own[1:] if check and choice.why == "collect" else own)
    if choice.room is not None:     # why nothing is tried, after what to do
        reasons.insert(len(first) + 1, choice.room.words())
    if too_few_draws(ev, s):       # the rule never commits then: say why
        reasons.append(few_draws_line(ev.utility.shape[1], s))
    action = "collect_more_data" if choice.index is None else chosen.action
    # collecting more data: keep taking the current regimen when continuing it is allowed
    # (assessed[0] is "continue"); never one above the ceiling or over the GI limit, nor one a
    # break kept going is from (a placebo period's: its "continue" goes back to it)
    keep = (chosen.regimen if chosen.feasible and chosen.regimen.active
            and choice.why != "finish_break" else None)
    recommendation = Recommendation(
        action, keep if choice.index is None else chosen.regimen, chosen.scores,
        choice.commit, chosen.next_review, tuple(reasons), warnings,
        reason_codes(choice, chosen.action, past, separable, acute, breaks,
                     close=runner is not None, stale=stale(past, off),
                     by_design=choice.commit and by_design(chosen, past, s),
                     harmful=s.harmful(ev.p_harm) and not past.taken_as_needed(s),
                     teaches=chosen.learning_value >= TO_LEARN),
        learned=learned_words(chosen, assessed, past, basis) if choice.why == "learn" else "")
    return Decision(recommendation, tuple(assessed[i] for i in order),
                    None if choice.index is None else order.index(choice.index), mode,
                    ev.p_harm, None if runner is None else order.index(runner))


def _refer(rules: Screening, past: History, review: dt.date, s: DecisionSettings,
           warnings: tuple[str, ...], compound: CompoundDose | None = None) -> Decision:
    """A contraindication's ``refer`` (stop now, if taking), or a hold's (keep the routine).

    Beside a referral while magnesium is taken, a hold is said with the stop (how to stop),
    not as a warning against changing magnesium; a rule for taking a dose (a medicine's
    spacing) holds only if magnesium is resumed (:func:`rule_words.after_review`). Loose
    stools under a medicine's hold add ``acute_gi``: the headline asks for the clinician's
    call, not a routine visit. A prescribed magnesium (``prescribed``,
    :mod:`model.decision.prescribed`) beside a referral is not stopped on mgsleep's word: its
    prescriber is contacted today. ``compound``: as :func:`_decision`'s.
    """
    if rules.referrals and rules.prescribed and past.taking.active:   # its prescriber, today
        return _without_posterior("refer", review, prescribed_refer_reasons(
            (*rules.referrals, *rules.holds), past.taking), warnings, True,
            ("refer", "prescribed"))
    if rules.referrals:
        taking = past.taking.active   # taken lately: none from now, words as the diary shows
        codes = (("refer", "refer_stop", *("off_lately",) * bool(past.since_taken)) if taking
                 else ("refer",)) + (("other_magnesium",) if rules.other_at_limit else ())
        later = tuple(rule_words.after_review(w) if w in rules.dose_rules else w
                      for w in warnings)
        return _without_posterior("refer", review,
                                  rule_words.refer_reasons(rules.referrals, past.taking,
                                                           rules.holds if taking else (),
                                                           past.since_taken),
                                  (*later, *(() if taking else rules.holds)), True, codes)
    breaks = current_breaks(past.current, rules, compound)
    loose = rules.medicine_hold and past.current.active and acute_gi(past, s)
    return _at_most(_without_posterior("refer", review,
                              rule_words.hold_reasons(rules.holds, past.current,
                                                      rules.ceiling_mg, breaks,
                                                      rules.medicine_hold, rules.label_holds),
                              warnings, True, ("refer", "refer_hold", *breaks,
                                               *("medicine_hold",) * rules.medicine_hold,
                                               *("prescribed",) * rules.prescribed,
                                               *("other_unread",) * rules.label_holds,
                                               *("acute_gi",) * loose)), rules)


def decide(predict: Predict, *, priors: PriorSet, profile: Profile | None = None,
           diary: DiaryLike | History | None = None, as_of: dt.date | str,
           diagnostics_ok: bool = True, settings: DecisionSettings | None = None,
           mode: Mode = "expected_utility", seed: int | None = None,
           separable: bool | None = None, horizon_nights: int | None = None,
           today: dt.date | str | None = None, allow_unknown: bool = False) -> Decision:
    """Decide the next step.

    Parameters
    ----------
    predict : callable
        ``predict(regimens) -> xarray.Dataset`` with dims (regimen, draw), coordinate
        ``regimen`` = the labels, variables :data:`VARIABLES` (``gi_rate`` required; a missing
        outcome simply does not count). Draws must be joint across regimens and variables.
    priors : PriorSet
        Gives the hard rules (``safety``), the MCIDs and better directions (``settings``).
    profile : Profile, optional
        The person (default: ``Profile()``), checked as ``analyze`` checks it
        (:func:`~model.data.profile.checked_profile`; once: one it returned is used as it is).
    diary : Diary, History or None
        The diary (or its :class:`History`); None before any data. A condition or medicine
        its words name is screened too (:mod:`~model.decision.diary_mentions`).
    as_of : datetime.date or str
        The date analysed (or ``YYYY-MM-DD``): the diary's last night; ``next_review`` is
        the morning after the period that follows it (:func:`~model.decision.rules.review_after`).
    today : datetime.date or str, optional
        The day the advice is read, when later than the day after ``as_of`` (a diary brought
        up to date late): a change then begins tonight, its ``next_review`` counted from tonight
        (:func:`~model.decision.rules.review_from`); continuing from ``as_of``. None: as_of.
    diagnostics_ok : bool
        False when the fit's diagnostics failed: the answer is ``collect_more_data`` without
        any dosing advice, and ``predict`` is not called.
    separable : bool, optional
        False when the diary cannot tell magnesium from expectation and drift
        (:func:`model.personal.separability.separability`): a placebo period and a withdrawal
        join the candidates, and continuing no longer counts as teaching. None: unknown.
    settings : DecisionSettings, optional
        The constants of the decision.
    mode : {"expected_utility", "thompson"}
        Thompson mode explores: when not committed, the action best in one random draw.
    seed : int, optional
        Seed of the Thompson draw.
    horizon_nights : int, optional
        Nights left of a trial with an end date. When they cannot hold another evaluation
        period, nothing more can be learnt in the trial: no step is taken to learn, and the
        answer is the regimen best now, the one to keep after the trial: the evaluation
        period of the last change does not hold it back, and its one-off switching cost is
        not charged to one period but kept only as a bar against changes for gains that do
        not matter (at most ``commit_value``). Before that, learning is
        valued as without an end date (what is learnt pays after the trial too). None: no
        end date.
    allow_unknown : bool
        Accept a condition or medicine the safety data does not know, with a
        :class:`~model.data.profile_entries.ProfileWarning` (then a "NOT CHECKED" warning and
        code ``not_checked``). By default such a name is an error, as in ``analyze``: a
        misspelt medicine must not skip its rule (``medications=["digoxn"]``, an audit).

    Returns
    -------
    Decision

    Raises
    ------
    InputError
        For each condition or medicine of the profile that the safety data does not know,
        without ``allow_unknown`` (with a "did you mean").
    ValueError
        For a ``mode`` other than the two, or an ``as_of`` or ``today`` that is not a date.
    NonFiniteDraws
        When ``predict`` gives a NaN or an infinite draw (the fit then counts as failed).

    Warns
    -----
    ProfileWarning
        As :func:`~model.data.profile.checked_profile` warns: each unknown name accepted with
        ``allow_unknown``, a ``max_elemental_mg`` above the ceiling, an eGFR below 5, a
        condition that sets the gut sensitivity, ``pregnant = false`` beside a pregnancy.

    """
    if mode not in ("expected_utility", "thompson"):
        raise ValueError(f"mode must be 'expected_utility' or 'thompson', got {mode!r}")
    dates = (as_of := given_date(as_of), None if today is None else given_date(today))
    s = settings or DecisionSettings()
    person = checked_profile(profile or Profile(), safety=priors.safety,
                             allow_unknown=allow_unknown)
    if person.gut_sensitivity == "ibs":   # its caution says start low: the lowest start dose
        s = replace(s, start_doses_mg=(min(s.start_doses_mg),))
    if isinstance(diary, Diary):   # loose stools counted as the safety file says
        diary = diary.with_loose_bristol(priors.safety.gi_constraint.loose_bristol)
    past = with_medicine_starts(history(diary, s.gi_window, s.floor_nights, s.acute_gi_nights,
                                        taking_since=person.taking_since).through(as_of),
                                person.medication_starts, as_of)
    nights = None if isinstance(diary, History) or diary is None else diary.nights
    read = with_diary_mentions(person, nights, priors.safety, as_of)   # "started dialysis"
    person, rules = read.profile, screen(read.profile, priors.safety, past.taking)
    compound = compound_dose(nights, past.current, priors.evidence.compounds, as_of)
    warnings = (*read.warnings, *rules.all_warnings,
                *current_warnings(past, rules, s, person.outcome_weights(), compound))
    if rules.referrals or rules.holds:      # a hold is no check of the unknown names either
        return _carrying(_unchecked(_refer(rules, past, review_after(as_of, s.min_nights), s,
                                           warnings, compound), rules), past, s)
    if not diagnostics_ok:
        breaks = (*current_breaks(past.current, rules, compound),
                  *("acute_gi",) * (acute_gi(past, s) and past.current.active))
        reasons = rule_words.diagnostics_failed_reasons(past.current, rules.ceiling_mg, breaks,
                                                        priors.safety.gi_constraint.loose_bristol)
        failed = _without_posterior("collect_more_data", review_after(as_of, s.first_review_days),
                                    reasons, warnings, False, ("diagnostics_failed", *breaks))
        return _carrying(_at_most(_unchecked(failed, rules), rules), past, s)
    # not after a placebo period (its nights teach the next look), nor around a regimen the
    # hard rules do not keep (it returns to it); a stale baseline's in a separable diary too
    off = OffNights.read(diary, as_of, lead_of(past)) if isinstance(diary, Diary) else None
    experiments = ((separable is False or stale(past, off)) and not past.placebo_nights
                   and past.current.active and not current_breaks(past.current, rules, compound))
    options = candidates(past.current, rules.ceiling_mg,      # after a planned trial, its forms
                         forms_open(past, rules.allowed_forms), s,
                         experiments=experiments, taken=tuple(past.nights_on))
    data = predicted(predict, options, past)
    period = evaluation_nights(onset_days(data, priors), s) if s.period_from_kinetics else None
    s = s if period is None else replace(s, min_nights=period, kept_period_nights=(
        evaluation_nights(priors.settings.personal.onset_days_median, s)))
    if experiments and needs_withdrawal(past, off):   # the rule's withdrawal must count
        s = replace(s, min_nights=withdrawal_nights(data, priors, s))
    if horizon_nights is not None and horizon_nights < s.min_nights:
        # no period left to learn from: the regimen to keep after the trial, no planned step
        s = replace(s, learning_periods=0.0, experiment_periods=0.0, titration_max_mg=0.0,
                    period_holds_changes=False,
                    switching_cost=min(s.switching_cost, s.commit_value))
    elif past.compared(s.crossover_forms):
        s = replace(s, learning_periods=0.0)
    off, s, ev = baseline_period(off, past, data, priors, separable, s, lambda t: evaluate(
        data, options, past, rules, priors, person, t, separable=separable, compound=compound))
    space = room(data, past, priors, person.outcome_weights())
    choice = choose(ev, past, mode, np.random.default_rng(seed), s, space, off)
    decision = _decision(ev, choice, past, dates, warnings, rules, priors.safety.gi_constraint,
                         mode, s, separable, outcome_order(person.outcome_weights()),
                         PriorBasis(priors, person.outcome_weights()), compound, space, off)
    return _carrying(_at_most(_unchecked(_beyond_studied(decision, priors), rules), rules), past,
                     s, period)


def _carrying(decision: Decision, past: History, s: DecisionSettings,
              period: int | None = None) -> Decision:
    """The decision with its ``period`` and acute GI counts as data, not re-derived (a review).

    Its warnings end with the on-and-off note of the step chosen (:func:`on_off_note`).
    """
    gi, rec = RecentGi.of(past, s) if acute_gi(past, s) else None, decision.recommendation
    note = on_off_note(past.pattern, rec.action, rec.regimen, s)
    return replace(decision, period_nights=period, recommendation=replace(
        rec, recent_gi=gi, warnings=(*rec.warnings, *note)))


def _at_most(decision: Decision, rules: Screening) -> Decision:
    """The decision with ``max_mg_now``, the ceiling, when a rule asks to lower the dose.

    On code ``current_above_ceiling`` only. A clinic's audit: a pregnant person on glycinate
    300 mg got ``refer`` with a null form and dose, "at most 250 mg/day" only in the prose.
    """
    rec = decision.recommendation
    if "current_above_ceiling" not in rec.reason_codes:
        return decision
    return replace(decision, recommendation=replace(rec, max_mg_now=rules.ceiling_mg))


def _unchecked(decision: Decision, rules: Screening) -> Decision:
    """The decision with code ``not_checked`` when the profile names what no rule checked.

    The advice stands (the person accepted the names with ``--allow-unknown``), but it is
    conditional: the headline says to ask a pharmacist or clinician first.
    """
    if not rules.unchecked:
        return decision
    rec = decision.recommendation
    return replace(decision, recommendation=replace(
        rec, reason_codes=(*rec.reason_codes, "not_checked")))


def largest_studied_mg(priors: PriorSet, form: str) -> float | None:
    """The largest daily elemental dose of the human studies of a form's evidence file.

    None when no study of the form gives a dose (its prior is then borrowed, see
    ``mgsleep priors --explain``). Expert, mechanistic and marketing entries do not count.
    """
    file = priors.evidence.form_files.get(form)
    doses = [study.dose_mg for study in (file.studies if file else ())
             if study.dose_mg is not None and not study.is_expert]
    return max(doses, default=None)


def _beyond_studied(decision: Decision, priors: PriorSet) -> Decision:
    """The decision with a warning when its dose is above every dose studied for its form.

    The model extrapolates the dose response there (its Emax curve and the evidence at the
    reference dose); the person and their clinician should know (e.g. 300 mg elemental of
    threonate is about 4 g of Magtein a day, where its trials gave 1-2 g).
    """
    rec = decision.recommendation
    regimen = rec.regimen
    studied = largest_studied_mg(priors, regimen.form) if regimen and regimen.active else None
    if regimen is None or studied is None or regimen.elemental_mg <= studied:
        return decision
    note = rule_words.beyond_studied_warning(regimen, studied)
    return replace(decision, recommendation=replace(rec, warnings=(*rec.warnings, note)))
