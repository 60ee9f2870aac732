"""The headline a person reads first, in the terminal and at the top of the report.

Every sentence of it lives here: what to do, why (the outcome that drives the choice, or "to
learn"), how sure, when to look again, what to write down each night, and the effect of each
dose of a form taken so far in diary units with its verdict
(:mod:`model.analysis.effects`), e.g. ``falling asleep 11 min faster (4 to 18 faster): works
for you`` and GI as ``GI nights: +3 a month``. Intervals are 90 % and said once
(:data:`INTERVAL_NOTE`).

>>> from model.report.headline import headline
>>> for line in headline(analysis).lines(): print(line)                  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from model.analysis.effects import DiaryEffects
from model.analysis.pipeline import history_of
from model.core.change_words import step_words
from model.core.outcomes import OUTCOME_OF_GAIN, SPECS
from model.core.regimen import Regimen
from model.data.cycle_nights import writes_cycle
from model.decision import Recommendation
from model.decision.explain import best_waiting
from model.decision.gi_words import for_the_gut
from model.decision.other_magnesium import ask_first_lead
from model.decision.plan_words import nights_off_words, tie_order_words, top_row
from model.decision.refer_words import effects_lead
from model.decision.room import ROOM_START
from model.decision.rule_words import LABEL_LABEL
from model.decision.rule_words import REFERRAL_LABEL as LABEL
from model.decision.rules import BREACHES, SAFETY_MOVES
from model.decision.screening import Screening, screen
from model.report.advice import what_to_do
from model.report.break_words import break_showed, returned_why, stale_why, stay_off
from model.report.build_up_words import with_fading
from model.report.diary_words import hard_week, record_line
from model.report.effect_words import (
    INTERVAL_NOTE,
    chance_note,
    effect_line,
    held_as_prescribed,
    old_without,
    tried_forms,
)
from model.report.evidence_words import first_why, main_evidence
from model.report.gut_words import acute_gi_why, dose_notes, gi_limit_words
from model.report.how_sure import how_sure, prior_caveat
from model.report.left_behind import harm_words, left_behind
from model.report.look_again import AFTER_LABEL, AFTER_REFERRAL, review_words, waiting_why
from model.report.pathway_words import pathway_lines, pathways_intro, raise_checked
from model.report.trade_words import NOISE, against_most, gain_words, per_mcid, tradeoff

if TYPE_CHECKING:
    from model.analysis.pipeline import Analysis
    from model.decision.assessed import Assessed
    from model.personal.fit import PersonalModel

NO_PLACEBO_NOTE = ("No placebo nights yet, so the comparison with placebo leans on the "
                   "model's assumption that taking anything helps a little (the expectation "
                   "effect). A blinded placebo period (mgsleep plan --blind) would settle it.")

def sampler_name(fit: PersonalModel) -> str:
    """How the posterior was obtained: ``NUTS (nutpie)`` or the reweighting of an update."""
    if fit.method_ == "psis":
        return "importance reweighting of the last NUTS fit"
    return f"NUTS ({fit.sampler_})"


# --------------------------------------------------------------------------------------------
# The headline
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Headline:
    """The answer in a few plain lines (:func:`headline` builds it).

    ``what`` ends with the rules for taking the dose advised and the cautions
    (:func:`~model.report.gut_words.dose_notes`). ``tried_lead``: the effects' lead beside a
    referral (for the clinician, :func:`~model.decision.refer_words.effects_lead`).
    """

    what: str
    why: str
    sure: str
    review: str
    record: str
    tried: tuple[tuple[str, tuple[str, ...]], ...]
    caution: str = ""
    pathways: tuple[str, ...] = ()
    tried_lead: str = ""

    def lines(self) -> list[str]:
        """The headline as lines of text (the terminal's form)."""
        out = [f"Recommendation: {self.what}", f"Why: {self.why}", f"How sure: {self.sure}",
               f"Look again: {self.review}", self.record]
        if self.pathways:
            out += [self.pathways[0], *(f"  {line}" for line in self.pathways[1:])]
        if self.tried:
            out += ["", f"What magnesium did for you so far{self.tried_lead}. " + INTERVAL_NOTE
                    + chance_note(sum(len(effects) for _, effects in self.tried))]
            for form, effects in self.tried:
                out += [f"  {form}:", *(f"    {line}" for line in effects)]
            out += [self.caution] if self.caution else []
        return out


def _weightiest(result: Analysis, changes: Mapping[str, float], gentler: bool) -> str:
    """The outcome whose change (diary units, positive = better) counts most in the utility.

    "" when none weighs more than :data:`~model.report.trade_words.NOISE`. A harm is never
    it, nor fewer loose-stool nights unless the step takes less magnesium (``gentler``: a
    lower or split dose, stopping): no one takes more magnesium against loose stools ("Raise
    the dose ... Why: It matters most for loose-stool nights: -0.2 a month" was a model's
    noise around no effect; "On taurate so far: GI nights: -0.7 a month" stood as the why of
    a switch that anxiety drove, /tmp/w51/b B3).
    """
    weights = per_mcid(result)
    scored = {o: weights[o] * c for o, c in changes.items() if gentler or o != "gi"}
    top = max(scored, key=lambda o: scored[o], default="")
    return top if top and scored[top] >= NOISE else ""


def _reason(result: Analysis, changes: Mapping[str, float], gentler: bool) -> str:
    """The outcome a step may be said to be for: :func:`_weightiest` of those one would notice.

    Never a change smaller than the outcome's MCID: "Raise the dose ... Why: It matters most
    for falling asleep 0.8 min faster (4 faster to 3 slower)", "sleep quality: no change" (an
    outside audit, /tmp/w50/a F7); nor "each smaller than one you would notice" when the
    weightiest is below its MCID and another outcome reaches its own.
    """
    outcomes = result.fit.priors_.settings.outcomes
    noticed = {o: c for o, c in changes.items() if c >= outcomes[o].mcid}
    return _weightiest(result, noticed, gentler)


def _driver(result: Analysis) -> str:
    """The outcome whose expected benefit counts most in the utility, in words (:func:`_reason`).

    Of the step's gains against now: "it matters most for 0.6 more awakenings a night"
    stood as the why of a switch whose benefit was elsewhere. A step taken for the gut
    (:func:`~model.decision.gi_words.for_the_gut`) leads with its GI change. "" when no
    outcome may be named: the why then says what the step rests on (:func:`_rests_on`).
    """
    decision = result.decision
    if decision.chosen is None:
        return ""
    chosen = decision.assessments[decision.chosen]
    gut = for_the_gut(chosen, decision.recommendation.reason_codes, decision.assessments)
    top = "gi" if gut else _reason(result, _changes(chosen), chosen.action in SAFETY_MOVES)
    return f"it matters most for {gain_words(chosen, SPECS[top].gain_key)} against now" \
        if top else ""


def _changes(step: Assessed) -> dict[str, float]:
    """A step's expected gains by outcome (diary units, positive = better)."""
    return {OUTCOME_OF_GAIN[v]: g for v, g in step.gain.items()}


def _current_best(result: Analysis) -> str:
    """The current form's effect so far that advice to keep it may name (:func:`_reason`)."""
    regimen = result.decision.recommendation.regimen
    if regimen is None or not regimen.active:
        return ""
    own = {e.outcome: e for e in result.effects.by_regimen if e.regimen == regimen and e.tried}
    if not (top := _reason(result, {o: e.benefit for o, e in own.items()}, False)):
        return ""
    said = effect_line(own[top], old=old_without(result.diary.nights))
    return f"on {regimen.form} so far: {said}"


HARD_WEEK_WHY = ("no change to magnesium in a week this hard (see above): a change started now "
                 "would be hard to judge, and the advice looks again once it has passed.")
"""The why of advice a week of very high anxiety holds (reason code ``hard_week``)."""


def _harm(result: Analysis) -> str:
    """Why a regimen that probably does harm is stopped, with the outcome that weighs most.

    During its evaluation period (another step waits for it) the stop says it need not wait.
    """
    current = history_of(result).current
    reason = _driver(result)
    waiting = any("waiting" in a.reason_codes for a in result.decision.assessments)
    return (f"{current.words} looks to do you harm ({harm_words(result)})"
            f"{f'; {reason}' if reason else ''}"
            f"{': a stop need not wait for the end of its trial period' if waiting else ''}.")


def _experiment(result: Analysis) -> str:
    """Why an experiment: a placebo period, the no-baseline rule's withdrawal, a withdrawal.

    The no-baseline rule (:mod:`model.decision.baseline`, reason code ``no_baseline``) is no
    pick "to learn" among steps: the nights off are what the diary lacks to tell what the
    magnesium taken does. A diary with a few nights off (fewer than the rule's least) is
    told how few, not that it has none; one whose nights off are old (``stale_baseline``)
    when they were (:func:`~model.report.break_words.stale_why`).
    """
    codes = result.decision.recommendation.reason_codes
    if "placebo_test" in codes:
        return ("to learn: only a blinded placebo period can show whether magnesium itself "
                "helps you, apart from expecting it to.")
    if "stale_baseline" in codes and (stale := stale_why(result)):
        return stale
    if "no_baseline" not in codes:
        return ("to learn: nights off show whether magnesium helped, or time alone (sleep "
                "often improves after a bad patch).")
    has = nights_off_words(history_of(result))
    return (f"your diary has {has}, so it cannot tell what your magnesium does for you; these "
            "nights off let the next analysis tell (`mgsleep plan --blind` prepares a blinded "
            "version).")


def _why(result: Analysis) -> str:
    """Why the step is taken; with no room to improve, that (an edge-of-scale audit)."""
    rec = result.decision.recommendation
    if "no_room" in rec.reason_codes and not set(rec.reason_codes) & BREACHES:
        said = next(r for r in rec.reasons if r.startswith(ROOM_START))
        return said[0].lower() + said[1:]
    return _step_why(result)


def _step_why(result: Analysis) -> str:
    rec = result.decision.recommendation
    codes = set(rec.reason_codes)
    if "refer" in codes:   # the rule first, not what to do (a hold's first reason is that)
        return min(rec.reasons, key=lambda r: (not r.startswith((LABEL, LABEL_LABEL)),
                                                r.startswith("Stop")))
    if "diagnostics_failed" in codes:
        return "the model fit did not pass its checks, so it gives no dosing advice."
    if codes & BREACHES:  # its sentence comes first among the reasons
        return rec.reasons[0] + (" This is the only step allowed now." if "forced" in codes else "")
    if "planned" in codes:
        return " ".join(rec.reasons[1:3])
    if "hard_week" in codes or ("harm" in codes and rec.action == "stop"):
        return HARD_WEEK_WHY if "hard_week" in codes else _harm(result)
    if said := stay_off(rec)[1]:   # the baseline rules' steps: the decision's words
        return said
    if "withdrawal_return" in codes and (said := returned_why(result)):
        return f"{said.removesuffix('.')}; {reason}." if (reason := _driver(result)) else said
    if codes & {"other_change", "unwritten", "taken_as_needed"} or {"dose_check",
                                                                    "collect"} <= codes:
        return rec.reasons[0]
    if codes & {"placebo_test", "no_baseline", "withdrawal_test"}:
        return _experiment(result)
    if "gentler_dose" in codes and rec.regimen is not None:
        return (f"to keep trying {rec.regimen.form}: its first nights brought more GI nights "
                "than its evidence led to expect, too few to judge the form by; at a gentler "
                "dose it stays within the GI limit while its trial goes on.")
    if "titration" in codes and rec.regimen is not None:
        return (f"the planned dose step: {rec.regimen.form} is the form to keep, and the model "
                "expects the higher dose to do better before the cost of a change, though not "
                "surely; its dose curve cannot tell from nights at the lower dose whether you "
                "need more, so the step is taken by rule: only nights on it show that.")
    why, ruled_out = _chosen_why(result), gi_limit_words(result.decision)
    return f"{ruled_out} {_capital(why)}" if ruled_out else why


def _chosen_why(result: Analysis) -> str:
    """Why the step chosen among those open: to learn, by the crossover, or for its gain."""
    rec = result.decision.recommendation
    codes = set(rec.reason_codes)
    if "crossover" in codes and ("first_step" not in codes or "learn" in codes):
        # a first step the crossover takes among forms as promising is no learning-value pick
        if "first_step" in codes and rec.regimen is not None:
            return first_why(result.fit.priors_, result.profile.outcome_weights(),
                             rec.regimen.form, any(tie_order_words() in r for r in rec.reasons))
        return ("to learn: the planned crossover tries the most promising forms in turn, each "
                "for one period at the same dose; then your own nights choose among them."
                f"{left_behind(result)}")
    if "learn" in codes:
        return _learn_why(result)
    if waiting := waiting_why(result):
        return waiting
    keep = rec.action in ("continue", "collect_more_data")
    reason = _current_best(result) if keep else _driver(result)
    if "first_step" in codes:
        evidence = main_evidence(result.fit.priors_, result.profile.outcome_weights())
        return ("from published evidence alone (no magnesium nights yet)"
                + (f": {reason}" if reason else "") + f"; {evidence}.")
    if keep:
        later = best_waiting(result.decision.assessments)
        if later is not None and later.expected_utility > rec.scores.expected_utility:
            return ("no change open now is expected to do better than what you do now; once "
                    f"this period is over, to {step_words(later.action, later.regimen)} may"
                    + (f"; {reason}." if reason else "."))
        return ("no change is expected to do better than what you do now"
                + (f"; {reason}." if reason else "."))
    return f"{reason}." if reason else _rests_on(result)


def _rests_on(result: Analysis) -> str:
    """What a change rests on when no outcome's expected change is one the person would notice.

    A raise of the dose rests on the trials' dose curve, as the planned titration's why
    says (:func:`_step_why`); any other change on its small changes taken together, by the
    person's weights (/tmp/w50/a F7: "It matters most for 0.1 fewer awakenings a night"),
    the largest part named (:func:`_weightiest`): an anxious person's switch back to taurate,
    driven by evening anxiety 0.8 points lower than on threonate, was said to be for its GI
    nights (/tmp/w51/b B3).
    """
    rec = result.decision.recommendation
    if rec.action == "increase_dose" and rec.regimen is not None:
        return (f"the trials' dose curve says more {rec.regimen.form} may help a little more, "
                "by less than a change you would notice on any one outcome; nights at the "
                "lower dose cannot tell whether you need more: only nights at "
                f"{rec.regimen.elemental_mg:g} mg show that.")
    decision = result.decision
    chosen = None if decision.chosen is None else decision.assessments[decision.chosen]
    top = "" if chosen is None else _weightiest(result, _changes(chosen),
                                                 chosen.action in SAFETY_MOVES)
    part = (f", the largest part from {gain_words(chosen, SPECS[top].gain_key)} against now"
            if chosen is not None and top else "")
    return ("the best expected step: its expected changes are each smaller than one you would "
            "notice, and together, by how much each outcome matters to you, they come out "
            f"ahead of what you do now{part}.")


def _learn_why(result: Analysis) -> str:
    """Why a step taken for what its nights teach: what they show, and the step ahead today.

    "To learn: its nights are expected to teach more than they cost, though another step
    looks slightly better on today's numbers" named neither the other step nor the cost (a
    plain-language editor, /tmp/w46/D C8). The step ahead is the one the detail names
    (:func:`~model.decision.plan_words.top_row`: the highest expected utility open now); its
    lead is smaller than what the chosen step's nights are expected to teach
    (:mod:`model.decision.learning`), so it is too little to act on before they are in.
    """
    rec, assessed = result.decision.recommendation, result.decision.assessments
    ahead = assessed[top_row(assessed, True)]
    if rec.regimen is None or not rec.regimen.active:
        shows = ("nights without magnesium will show more clearly whether the magnesium you "
                 "took helped you")
    else:
        more = "more " if rec.action == "continue" else ""
        shows = f"{more}nights on {rec.regimen.words} will show more clearly whether it helps you"
    return (f"to learn: {shows}; the step that looks better today, to "
            f"{step_words(ahead.action, ahead.regimen)}, is ahead by too little to act on "
            "before those nights are in.")


def _tried(effects: DiaryEffects, weights: dict[str, float], prescribed: bool,
           old: dict[str, str]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The effect lines of each form tried, an old level's dates on its first line only.

    Five sleep-onset lines each repeated "on your nights without magnesium from ...".
    """
    undated, out = dict(old), []
    for label, own in tried_forms(effects, weights):
        lines = tuple(effect_line(e, prescribed, undated) for e in own)
        undated = {k: v for k, v in undated.items() if not any(v in line for line in lines)}
        out.append((label, lines))
    return tuple(out)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _safety_first(rec: Recommendation) -> bool:
    """Whether the advice is a step that safety asks for, said before an anxious week's prompt.

    A change, which a week of very high anxiety holds back unless a rule, harm or loose stools
    ask for it (:data:`~model.decision.overrides.HELD_IN_A_HARD_WEEK`), not the person's own
    trial plan; or a stop a rule asks for while more nights are collected.
    """
    codes = set(rec.reason_codes)
    if rec.action in ("continue", "collect_more_data"):
        return rec.action == "collect_more_data" and bool(codes & (BREACHES | {"acute_gi"}))
    return "planned" not in codes


def _what(result: Analysis, rules: Screening | None = None) -> str:
    """What to do, and a very anxious week's prompt (:func:`hard_week`).

    Before advice that changes nothing; after a step safety asks for (:func:`_safety_first`),
    as "Also: ...", without the words on judging a change, which the step is not made for:
    "... call your local emergency number). A change started in such a week is hard to judge
    ... Stop taking magnesium." could be read as a stop for the anxiety, not for the loose
    stools citrate gave (a plain-language editor, /tmp/w46/D S1; a clinic's audit had put a
    referral first). A clinician asked first beside a laxative leads (``rules``:
    :func:`~model.decision.other_magnesium.ask_first_lead`).
    """
    rec, nights = result.decision.recommendation, result.diary.nights
    advice = what_to_do(rec) + (ask_first_lead(rules.dose_rules, rec.regimen) if rules else "")
    if not _safety_first(rec):
        return hard_week(nights) + advice
    also = hard_week(nights, judged=False).strip()
    return f"{advice} Also: {also[:1].lower()}{also[1:]}" if also else advice


def headline(result: Analysis) -> Headline:
    """The headline of an analysis.

    Parameters
    ----------
    result : Analysis
        The result of :func:`model.analysis.pipeline.analyze`.

    Returns
    -------
    Headline

    """
    rec = result.decision.recommendation
    tried = (_tried(result.effects, result.profile.outcome_weights(),
                    held_as_prescribed(rec.reason_codes), old_without(result.diary.nights))
             if result.fit.diagnostics_.ok else ())
    rules = screen(result.profile, result.fit.priors_.safety, history_of(result).taking)
    # a prescribed magnesium is never swapped for a placebo: no note proposing it
    caution = (NO_PLACEBO_NOTE if tried and not result.effects.placebo_nights
               and not rules.prescribed else "")
    paths = ((pathways_intro(result.pathways, rec.action),
              *(raise_checked(line, rules) for line in pathway_lines(result.pathways)))
             if result.pathways else ())
    review = (review_words(rec.next_review, result.as_of) if rec.action != "refer"
              else AFTER_LABEL if "other_unread" in rec.reason_codes else AFTER_REFERRAL)
    notes = dose_notes(rules, rec, _taken(result))
    return Headline(_what(result, rules) + notes,
                    with_fading(_said_why(result), result),
                    _capital(how_sure(rec, result.decision.options_allowed))
                    + prior_caveat(rec, result.sensitivity), review,
                    record_line(result.profile.outcome_weights(),
                                blinded=result.plan is not None and bool(result.plan.pots),
                                cycle=writes_cycle(result.diary.nights)),
                    tried, caution, paths, effects_lead(rec.reason_codes))


def _said_why(result: Analysis) -> str:
    """The why: the step's reason, what it weighs against its gain, a break that counted."""
    why = _capital(acute_gi_why(result.decision.recommendation, _why(result))) + tradeoff(result)
    return why + against_most(result, why) + break_showed(result)


def _taken(result: Analysis) -> Regimen | None:
    """The magnesium taken on the advice: its regimen, or the current one a hold keeps.

    A hold (pregnancy, digoxin, a prescribed magnesium) names no regimen but keeps the
    person's routine, so the timing of their medicines still applies to it (Vocabria's beside
    a pregnancy went unsaid).
    """
    rec = result.decision.recommendation
    codes = set(rec.reason_codes)
    kept = (rec.action == "refer" and codes & {"refer_hold", "medicine_hold", "prescribed"}
            and not codes & {"refer_stop", "current_excluded"})    # stopped: nothing kept
    return history_of(result).current if kept and rec.regimen is None else rec.regimen
