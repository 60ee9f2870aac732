"""Every sentence of a recommendation, in one place.

The other modules decide; this one only says: regimens and options in words, the close-call
warning, and the reasons of a recommendation (headline, numbers, the plan, the lines on what
to collect and on what is not allowed). The hard rules' sentences (referrals, warnings,
blocks) are in :mod:`model.decision.rule_words`. It reads the assessed actions through
:class:`Assessed`, the fields of :class:`model.decision.results.ActionAssessment` it uses.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from model.core.change_words import chance, change_words, step_words
from model.core.forms import FORMS
from model.core.outcomes import OUTCOME_OF_GAIN, SPECS
from model.core.regimen import Regimen
from model.decision.assessed import Assessed
from model.decision.gi_words import gentler_line, same_form_gentler
from model.decision.history import History
from model.decision.override_words import HARD_WEEK_LINE, harm_line
from model.decision.settings import HARD_BLOCKS, RECORD_COLUMNS, DecisionSettings, Why
from model.evidence.names import listed
from model.evidence.schema import GiConstraint

COMMITTED = "Clear enough to commit"  # how a commitment's reason begins
BY_DESIGN = "Settled by the trial's design, not by certainty"  # ... one the crossover's end makes
TO_LEARN = 0.005  # a learning value below this is "nothing left to learn" (0.00 as shown)


# --------------------------------------------------------------------------------------------
# Regimens, options, numbers
# --------------------------------------------------------------------------------------------


def option(action: str, regimen: Regimen) -> str:
    """Name an action with its regimen: ``switch_form taurate@200``; ``stop`` alone."""
    return f"{action} {regimen.label}" if regimen.active else action


def _gap(a: Assessed) -> str:
    return (f"learning value {a.learning_value:.2f}" if a.learning_value >= TO_LEARN
            else "nothing left to learn from it")


def _comparison_over(past: History, s: DecisionSettings) -> str:
    """Which planned comparison is over: the person's own trial, or the model's crossover."""
    if past.trial_over:
        return (f"the trial you planned, of "
                f"{listed(sorted(past.planned_forms), 'and', quoted=False)}, is over")
    return f"the planned comparison of {s.crossover_forms} forms is over"


def by_design(chosen: Assessed, past: History, s: DecisionSettings) -> bool:
    """Whether a commitment rests on the crossover's end alone (explore, then commit).

    Once the planned crossover is over the learning horizon is zero, so nothing is worth
    learning by construction; with P(best) below ``s.commit_p_best`` the nights have not
    singled the regimen out, and the advice must not say they have.
    """
    return chosen.p_best < s.commit_p_best and past.compared(s.crossover_forms)


def not_settled(reasons: Sequence[str], onward: Regimen | None) -> tuple[str, ...]:
    """``reasons`` of a step the rule would commit to, which is not a commitment.

    Every pathway moves on from it (:func:`model.analysis.pathways.unless_it_moves_on`),
    to ``onward`` when they agree: the line saying :data:`COMMITTED` says so instead.
    """
    to = f" to {describe(onward)}" if onward is not None else ""
    words = (f"Not settled: whichever way the next period goes, the model then expects to "
             f"move on{to}, so this is a step, not a regimen to keep.")
    lines = [words + line.removeprefix(line.split(" Look again on ")[0])
             if line.startswith((COMMITTED, BY_DESIGN)) else line for line in reasons]
    return tuple(lines if lines != list(reasons) else [*reasons, words])


def describe(regimen: Regimen) -> str:
    """Say a regimen in words: ``glycinate, 200 mg elemental magnesium a day, ...``."""
    if not regimen.active:
        return "no magnesium"
    intake = (f"two intakes of {regimen.single_intake_mg:g} mg (late afternoon and bedtime)"
              if regimen.split else "one evening dose")
    return f"{regimen.form}, {regimen.elemental_mg:g} mg elemental magnesium a day, {intake}"


def format_gain(variable: str, mean: float, low: float, high: float) -> str:
    """A gain (+ = better) and its interval in words: ``falling asleep 2 min slower``."""
    outcome = OUTCOME_OF_GAIN[variable]
    sign = SPECS[outcome].sign
    return change_words(outcome, sign * mean, *sorted((sign * low, sign * high)))


def above(p: float, limit: float) -> str:
    """``p`` with enough decimals (2 to 4) to show that it exceeds ``limit``."""
    digits = 2
    while digits < 4 and round(p, digits) <= limit:
        digits += 1
    return f"{p:.{digits}f}"


def summary(a: Assessed) -> str:
    """One line: the regimen, its expected utility and P(best), or why it is blocked."""
    if not a.feasible:
        return f"{option(a.action, a.regimen)}: blocked: " + "; ".join(a.blocked_by)
    return (f"{option(a.action, a.regimen)}: expected utility "
            f"{a.expected_utility:+.2f}, P(best) {chance(a.p_best)}, {_gap(a)}")


def _worth(a: Assessed) -> float:
    return a.expected_utility + a.learning_value


def close_call_warning(chosen: Assessed, runner: Assessed) -> str:
    """The advice and its runner-up are ranked by less than the fit's Monte Carlo error."""

    def say(a: Assessed) -> str:
        if a.action != "continue":
            return f"to {step_words(a.action, a.regimen)}"
        return f"to keep {a.regimen.words if a.regimen.active else 'no magnesium'}"

    ahead = _worth(runner) > _worth(chosen)  # staying: the change's lead is sampling noise
    return (f"a close call: {say(runner)} is worth "
            f"{'a little more than' if ahead else 'nearly as much as'} {say(chosen)} "
            f"({_worth(runner):.2f} against {_worth(chosen):.2f}, expected utility plus "
            "learning value), " + ("but by less than the Monte Carlo error of this fit: a "
                                   "change is not advised on sampling noise; the coming nights "
                                   "will tell them apart" if ahead else
                                   "within the Monte Carlo error of this fit: another analysis "
                                   "of the same diary may advise it; both are reasonable"))


# --------------------------------------------------------------------------------------------
# The reasons of a recommendation
# --------------------------------------------------------------------------------------------


def headline(action: str, regimen: Regimen, current: Regimen, nights: int,
             after_placebo: bool = False) -> str:
    """The first line: what to do.

    ``nights``: an experiment's length; ``after_placebo``: a placebo period has just ended.
    """
    if action == "continue":
        return ("Stay without magnesium for now." if not regimen.active
                else f"Go back to {describe(regimen)}: the placebo period is over."
                if after_placebo else f"Continue {describe(regimen)}.")
    if action == "stop":
        return f"Stop magnesium (now {describe(current)})."
    if action == "start":
        return f"Start {describe(regimen)}."
    if action == "placebo_period":
        return (f"Take a blinded placebo instead of {current.words} for {nights} nights "
                f"(`mgsleep plan --blind` prepares one), then go back to {current.words}.")
    if action == "withdrawal":
        return (f"Stop {current.words} for {nights} nights, then take it again (a withdrawal "
                "test).")
    changes = {"increase_dose": f"raise the dose to {regimen.elemental_mg:g} mg",
               "decrease_dose": f"lower the dose to {regimen.elemental_mg:g} mg",
               "switch_form": f"switch to {regimen.form} at the same dose",
               "split_dose": "split the same dose into two intakes (the model assumes a split "
                             "dose works as well as one intake; only the GI load per intake "
                             "halves)"}
    return f"Change one thing: {changes[action]} (now {current.words}; then {describe(regimen)})."


def numbers(a: Assessed, n_feasible: int, reference: Regimen, gi: GiConstraint,
            s: DecisionSettings) -> list[str]:
    """P(best), utility, learning value, CVaR, the gains and the GI constraint of ``a``."""
    gains = "; ".join(format_gain(v, a.gain[v], a.gain_low[v], a.gain_high[v])
                      for v in a.gain)
    kept = reference.words if reference.active else "you without magnesium"
    change = (f"Expected change from magnesium: none, it keeps {kept}."
              if a.regimen == reference else
              f"Expected change from magnesium vs {reference.words}, its own at your typical "
              f"night ({s.interval:.0%} intervals): {gains}.")
    return [
        f"P(best) {chance(a.p_best)} among the {n_feasible} option{'s' * (n_feasible != 1)} "
        f"allowed now; P(better than continuing) {chance(a.p_better_than_continue)}; expected "
        f"utility {a.expected_utility:+.2f} (weighted MCIDs, 0 = as now; magnesium's own "
        f"effect, not expectation or drift); {_gap(a)}; mean of the worst "
        f"{s.cvar_alpha:.0%} of draws {a.cvar:+.2f}.",
        change,
        f"P(GI constraint violated) {chance(a.p_constraint_violation)}: the chance that GI nights "
        f"rise more than {gi.limit * 100:g} percentage points above your level without "
        f"magnesium (allowed: {gi.epsilon:.2f}).",
    ]


def record_line(loose_bristol: int) -> str:
    """What to write down each night; a GI night is Bristol ``loose_bristol`` on, or an upset."""
    return ("Record each night: " + ", ".join(RECORD_COLUMNS)
            + f" (stool_bristol >= {loose_bristol} or gi_upset = 1 counts as a GI night).")


def _top(assessed: Sequence[Assessed], feasible: bool) -> int:
    """Index of the highest expected utility among the (in)feasible actions, first on ties."""
    among = [i for i, a in enumerate(assessed) if a.feasible == feasible]
    return among[int(np.argmax([assessed[i].expected_utility for i in among]))]


def best_waiting(assessed: Sequence[Assessed]) -> Assessed | None:
    """The best option blocked only by the evaluation period (None when there is none).

    One a hard rule blocks (ceiling, excluded form, GI limit) is not waiting: it stays blocked.
    """
    waiting = [a for a in assessed if a.reason_codes and set(a.reason_codes) == {"waiting"}]
    return max(waiting, key=lambda a: a.expected_utility) if waiting else None


def _best_waiting(assessed: Sequence[Assessed]) -> str:
    """:func:`best_waiting` as a sentence (empty when there is none)."""
    if (top := best_waiting(assessed)) is None:
        return ""
    said = (f"to {step_words(top.action, top.regimen)} (expected utility "
            f"{top.expected_utility:+.2f})")
    return (f" On current data no option that must wait beats staying; the best is {said}."
            if top.expected_utility <= assessed[0].expected_utility else
            f" On current data the best-ranked option that must wait is {said}.")


def _learn_line(chosen: Assessed, assessed: Sequence[Assessed]) -> str:
    best = assessed[_top(assessed, True)]
    return (f"Chosen to learn: the step with the higher expected utility now is to "
            f"{step_words(best.action, best.regimen)} ({best.expected_utility:+.2f} vs "
            f"{chosen.expected_utility:+.2f}), "
            f"but what {chosen.regimen.words if chosen.regimen.active else 'these nights'} "
            f"will teach is worth more ({_gap(chosen)}).")


def _planned_line(chosen: Assessed, assessed: Sequence[Assessed]) -> str:
    """Why a crossover step that is not the best expected now is taken (no learning value)."""
    best = assessed[_top(assessed, True)]
    return (f"The best expected now is to {step_words(best.action, best.regimen)} (expected "
            f"utility "
            f"{best.expected_utility:+.2f}, {chosen.regimen.words} {chosen.expected_utility:+.2f}"
            f"); {chosen.regimen.form} is tried as it may still be better for you.")


def _tie_line(chosen: Assessed, tied: Sequence[Assessed]) -> str:
    """Crossover steps as promising as the chosen one (:func:`model.decision.choice.crossover`)."""
    if not tied:
        return ""
    forms = [t.regimen.form for t in tied]
    if len(forms) > 3:
        forms = [*forms[:2], f"{len(forms) - 2} other forms"]
    named = " and ".join([", ".join(forms[:-1]), forms[-1]] if len(forms) > 1 else forms)
    are = "is" if len(tied) == 1 else "are"
    return (f" {named.capitalize()} {are} as promising (expected utility within a quarter of "
            f"a clinically important difference, or of this fit's Monte Carlo error); "
            f"{chosen.regimen.form} goes first ({tie_order_words()}).")


def tie_order_words() -> str:
    """How the planned crossover orders forms as promising: that of :data:`FORMS`, in words."""
    return (f"in mgsleep's order of forms, which puts those gentler on the gut first: "
            f"{', '.join(FORMS)}")


def plan_line(why: Why, chosen: Assessed, assessed: Sequence[Assessed], past: History,
              s: DecisionSettings, to_learn: bool = False,
              tied: Sequence[Assessed] = ()) -> str:
    """How sure the choice is, and when to look again (one sentence per branch of ``why``).

    ``tied``: the crossover steps as promising as ``chosen`` (:func:`_tie_line`).
    """
    label = chosen.regimen.words
    when = chosen.next_review.isoformat()
    learn = f" {_learn_line(chosen, assessed)}" if to_learn else ""
    if why == "first_step" and chosen.action == "continue":
        return ("No start is expected to help enough to be worth trying, or none is open to "
                "you (see below: your profile may exclude every form or set a ceiling under "
                f"{s.min_dose_mg:g} mg). Keep recording nights and look again on {when}.")
    if why == "crossover":
        learn = f" {_planned_line(chosen, assessed)}" if to_learn else ""
        tried = len(past.forms_tried)
        first = (f" This first step rests on published evidence only (low certainty: no "
                 f"nights on magnesium yet): take it for {s.first_review_days} nights and look "
                 f"again on {when}; judge it after {s.min_nights} nights." if past.first_step else
                 f" Take it for {s.min_nights} nights and look again on {when}.")
        return (f"Planned crossover, form {tried + 1} of {s.crossover_forms}: the most "
                f"promising forms are tried in turn, each for one evaluation period at the same "
                f"dose, then your own nights choose among them.{_tie_line(chosen, tied)}{learn}"
                f"{first}")
    if why == "first_step":
        return (f"A first step from published evidence only (low certainty: no nights on "
                f"magnesium yet).{learn} Take it for {s.first_review_days} nights and look "
                f"again on {when}; judge it after {s.min_nights} nights.")
    if why == "forced":
        waiting = (f" ({past.nights_on_current} of {s.min_nights} recorded nights on "
                   f"{past.current.words} so far)" if past.nights_on_current < s.min_nights
                   else "")
        return f"The only step allowed now{waiting}.{_best_waiting(assessed)} Look again on {when}."
    if why == "commit" and by_design(chosen, past, s):
        return (f"{BY_DESIGN}: {_comparison_over(past, s)}, and "
                f"{chosen.regimen.words} is the best by expected utility, though the nights "
                f"so far cannot single it out (P(best) {chance(chosen.p_best)}). Look again on "
                f"{when}.")
    if why == "commit":
        clear = (f"P(best) {chance(chosen.p_best)} >= {s.commit_p_best:.2f}"
                 if chosen.p_best >= s.commit_p_best else
                 f"no step taken to learn is worth its cost, and the nights of this one would "
                 f"teach little: learning value below {s.commit_value:.2f}")
        return f"{COMMITTED} ({clear}). Look again on {when}."
    if why == "trial":
        return (f"Trial mode: {label} was best in one random posterior draw (Thompson "
                f"sampling). Try it for {s.min_nights} nights and look again on {when}.")
    if why == "learn":
        return f"{_learn_line(chosen, assessed)} Look again on {when}."
    if why == "gentler":
        return same_form_gentler(chosen, assessed[0], past, s)
    if why == "titrate":
        stay = assessed[0]
        return (f"Planned titration: {past.current.words} is the regimen to keep, and the "
                f"model expects {label} to do better before the cost of a change (expected "
                f"utility {chosen.expected_utility + s.switching_cost:+.2f} vs "
                f"{stay.expected_utility:+.2f}), though not surely: only nights on the "
                f"higher dose show whether you need it. Take it for {s.min_nights} nights and "
                f"look again on {when}.")
    if chosen.p_best >= s.commit_p_best:     # not settled for a reason said below (held)
        return (f"Best so far (P(best) {chance(chosen.p_best)}), not yet the regimen to settle "
                f"on: take {label} for {s.min_nights} nights and look again on {when}.")
    return (f"Not certain yet ({_gap(chosen)}): try {label} for {s.min_nights} nights and "
            f"look again on {when}.")


def held_words(held: Assessed) -> str:
    """What the planned crossover waits for (:func:`model.decision.choice.crossover_held`)."""
    return (f"the planned crossover still has {held.regimen.words} to try, "
            f"held back for now ({'; '.join(held.blocked_by)}); the next period may open it")


def collect_line(assessed: Sequence[Assessed], reference: Regimen, s: DecisionSettings,
                 close_to: Assessed | None = None, held: Assessed | None = None) -> str:
    """Why more data come first: continuing is worth most, and its nights still teach.

    With ``close_to`` (the runner-up of a close call): staying and it are apart by less than
    the fit's Monte Carlo error, so nothing is changed or committed on it. With ``held`` (the
    crossover step a block which may lift holds back): staying is no commitment, the design
    has a form left.
    """
    if close_to is not None:
        other = f"to {step_words(close_to.action, close_to.regimen)}"
        said = (f"The best-ranked change, {other}, leads keeping {reference.words} by less than "
                "this fit's Monte Carlo error" if _worth(close_to) > _worth(assessed[0]) else
                f"Continuing ranks first, but {other} is within this fit's Monte Carlo error of it")
        return (f"{said}: keep {reference.words}, not as a commitment; the coming nights will "
                "tell them apart.")
    top = assessed[_top(assessed, True)]
    best = ("Continuing ranks first" if top.action == "continue" else
            f"The best-ranked change, to {step_words(top.action, top.regimen)}, is not worth its "
            "cost "
            f"yet (P(better than continuing) {chance(top.p_better_than_continue)})")
    if held is not None:
        return f"{best}; keep {reference.words}, not as a commitment: {held_words(held)}."
    return (f"{best}; keep {reference.words}: its next nights are worth having "
            f"({_gap(assessed[0])}, commit below {s.commit_value:.2f}).")


def blocked_lines(assessed: Sequence[Assessed]) -> list[str]:
    """One line per set of block reasons, naming every option blocked by exactly that set.

    An option blocked for two reasons is named once, on the line giving both. A hard rule
    (:data:`~model.decision.settings.HARD_BLOCKS`: above the ceiling, an excluded form) is given
    alone: the GI chance constraint or the evaluation period of an option no diary can open
    are beside the point, and leaving them out gathers such options on one line (above the
    ceiling, every switch of forms at the dose taken). Only a hard rule's line says "Not
    allowed"; an option waiting for its evaluation period or over the GI limit is "Not advised
    now" (stopping magnesium was "Not allowed" after a blinded trial's last pot).
    """
    grouped: dict[tuple[str, tuple[str, ...]], list[str]] = {}
    for a in assessed:
        hard = tuple(why for why, code in zip(a.blocked_by, a.reason_codes, strict=True)
                     if code in HARD_BLOCKS)
        if a.blocked_by:
            key = ("Not allowed", hard) if hard else ("Not advised now", a.blocked_by)
            grouped.setdefault(key, []).append(option(a.action, a.regimen))
    return [f"{label}: {', '.join(names)}: {'; '.join(why)}."
            for (label, why), names in grouped.items()]


def reasons(why: Why, chosen: Assessed, assessed: Sequence[Assessed], past: History,
            gi: GiConstraint, s: DecisionSettings, *, to_learn: bool = False,
            acute: bool = False, close_to: Assessed | None = None,
            held: Assessed | None = None, tied: Sequence[Assessed] = (),
            p_harm: float = 0.0) -> list[str]:
    """The reasons of a recommendation.

    Parameters
    ----------
    why : str
        The branch of the rule that chose (``collect``: ``collect_more_data``).
    chosen : Assessed
        The action behind the advice (``continue`` for ``collect_more_data``).
    assessed : sequence of Assessed
        Every candidate, in candidate order (``continue`` first).
    past : History
        The diary's facts.
    gi : GiConstraint
        The GI chance constraint.
    s : DecisionSettings
        The constants of the decision.
    to_learn : bool
        The chosen action is taken for what it teaches.
    acute : bool
        Recent GI nights on the current regimen: name the gentlest step.
    close_to : Assessed, optional
        The runner-up of a close call (:func:`model.decision.choice.close_call`).
    held : Assessed, optional
        The crossover step that a block which may lift holds back, and that kept the choice
        from being a commitment (:func:`model.decision.choice.crossover_held`).
    tied : sequence of Assessed
        The crossover steps as promising as ``chosen`` (:attr:`model.decision.choice.Choice.tied`).
    p_harm : float
        P(the current regimen does harm: :attr:`Evaluation.p_harm`), for a stop ``why`` ``harm``.

    Returns
    -------
    list of str

    """
    reference = past.reference
    n_feasible = sum(a.feasible for a in assessed)
    said = numbers(chosen, n_feasible, reference, gi, s)
    if why in ("collect", "hard_week"):
        first = HARD_WEEK_LINE if why == "hard_week" else collect_line(assessed, reference, s,
                                                                       close_to, held)
        lines = [first, *said,
                 f"Keep {reference.words} and look again on {chosen.next_review.isoformat()}.",
                 record_line(gi.loose_bristol)]
    else:
        lines = [headline(chosen.action, chosen.regimen, reference, s.min_nights,
                          past.placebo_nights > 0), *said,
                 harm_line(chosen, past, s, p_harm) if why == "harm" else
                 plan_line(why, chosen, assessed, past, s, to_learn, tied)]
        if past.first_step:
            lines.append(record_line(gi.loose_bristol))
    gentler = gentler_line(chosen, assessed, s) if acute else ""
    if held is not None and why != "collect":
        lines.append(f"Not settled yet: {held_words(held)}.")
    return lines + ([gentler] if gentler else []) + blocked_lines(assessed)
