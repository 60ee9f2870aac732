"""The sentences of a recommendation, gathered here.

The other modules decide; this one only says: regimens and options in words, the close-call
warning, and the reasons of a recommendation (headline, numbers, the plan, the lines on what
to collect and on what is not allowed). The plan (how sure, when to look again) is
:mod:`model.decision.plan_words`'s, the hard rules' sentences (referrals, warnings,
blocks) are in :mod:`model.decision.rule_words`. It reads the assessed actions through
:class:`Assessed`, the fields of :class:`model.decision.results.ActionAssessment` it uses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from model.core.change_words import (
    GI_TROUBLE,
    IN_DETAIL,
    chance,
    change_words,
    per_month,
    step_words,
)
from model.core.change_words import STAY_WITHOUT as STAY_WORDS
from model.core.outcomes import OUTCOME_OF_GAIN, OUTCOMES, SPECS
from model.core.regimen import Regimen
from model.decision.as_needed import as_needed_line
from model.decision.assessed import Assessed
from model.decision.candidates import EXPERIMENTS
from model.decision.gi_words import GI_RISK, gentler_line
from model.decision.history import History
from model.decision.judged_nights import left_out_words, unwritten_words
from model.decision.look_nights import step_nights
from model.decision.override_words import HARD_WEEK_LINE, harm_line, other_change_line
from model.decision.plan_words import (
    BY_DESIGN,
    COMMITTED,
    Basis,
    gap,
    last_nights,
    plan_line,
    top_row,
)
from model.decision.plan_words import TO_LEARN as TO_LEARN
from model.decision.plan_words import best_waiting as best_waiting
from model.decision.plan_words import tie_order_words as tie_order_words
from model.decision.settings import HARD_BLOCKS, RECORD_COLUMNS, DecisionSettings, Why
from model.evidence.schema import GiConstraint

# --------------------------------------------------------------------------------------------
# Regimens, options, numbers
# --------------------------------------------------------------------------------------------


def option(action: str, regimen: Regimen) -> str:
    """Name an action with its regimen: ``switch_form taurate@200``; ``stop`` alone."""
    return f"{action} {regimen.label}" if regimen.active else action


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
    """Say a regimen in words: ``glycinate, 200 mg elemental magnesium a day, ...``.

    Timed by the person's sleep, not the clock: "one evening dose" was said to a worker on
    fixed nights whose evening is the start of his shift (a shift worker's audit, /tmp/w54/s
    S6); a dose before a day sleep is the night's (the README's dating).
    """
    if not regimen.active:
        return "no magnesium"
    intake = (f"two intakes of {regimen.single_intake_mg:g} mg (some hours before bedtime and "
              "at bedtime)" if regimen.split else "one dose before bedtime")
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
            f"{a.expected_utility:+.2f}, P(best) {chance(a.p_best)}, {gap(a)}")


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
            f"{'a little more than' if ahead else 'nearly as much as'} {say(chosen)}, "
            + ("but by less than the Monte Carlo error of this fit: a change is not advised on "
               "sampling noise; the coming nights will tell them apart" if ahead else
               "within the Monte Carlo error of this fit: another analysis of the same diary "
               "may advise it; both are reasonable")
            + f"{IN_DETAIL}{_worth(runner):.2f} against {_worth(chosen):.2f}, expected utility "
            "plus learning value")


# --------------------------------------------------------------------------------------------
# The reasons of a recommendation
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecentGi:
    """``nights`` GI nights in the last ``window`` on ``regimen``: the acute GI rule's count.

    The recommendation carries it beside its warning
    (:func:`model.decision.rule_words.acute_gi_warning`, said from it): the report read the
    counts back out of the warning's words with a regex (a maintainer's review).
    """

    nights: int
    window: int
    regimen: Regimen
    words: str = GI_TROUBLE

    @classmethod
    def of(cls, past: History, s: DecisionSettings) -> RecentGi:
        """The GI nights of ``past`` on the regimen taken, within the window of ``s``.

        With what they were in words (:attr:`History.gi_trouble_words`: "Loose stools or
        stomach upset lately" was said of nights of hard or no stools with an upset stomach,
        /tmp/w52/d F6).
        """
        return cls(past.recent_gi_nights, s.gi_window, past.taking,
                   past.gi_trouble_words.get(past.taking, GI_TROUBLE))


PLACEBO_OVER = "the placebo period is over"
"""Why ``continue`` after a placebo period goes back to the regimen it interrupted."""

STAY_WITHOUT = f"{STAY_WORDS.capitalize()}."
"""What ``continue`` without magnesium says as a sentence (the headline's and the reasons'):
the step words of :data:`model.core.change_words.STAY_WITHOUT`."""


def _held_line(why: Why, chosen: Assessed, past: History, s: DecisionSettings) -> str:
    """The first reason of a step held back by a hard week, as needed, or another change.

    A regimen taken when needed (:mod:`model.decision.as_needed`); a change in the person's
    life (``other_change``); "" for another branch.
    """
    if why == "hard_week":
        return HARD_WEEK_LINE
    if why == "as_needed" and past.as_needed is not None:
        return as_needed_line(past.as_needed, past.current, chosen.next_review.isoformat())
    return other_change_line(past, s) if why == "other_change" else ""


def headline(action: str, regimen: Regimen, current: Regimen, nights: int,
             after_placebo: bool = False, done: int = 0) -> str:
    """The first line: what to do.

    ``nights``: an experiment's nights to come; ``after_placebo``: a placebo period has just
    ended; ``done``: a withdrawal's nights already off, the diary's last ones read as skipped
    (:func:`model.decision.look_nights.step_nights`).
    """
    if action == "continue":
        return (STAY_WITHOUT if not regimen.active
                else f"Go back to {describe(regimen)}: {PLACEBO_OVER}."
                if after_placebo else f"Continue {describe(regimen)}.")
    if action == "stop":
        return f"Stop magnesium (now {describe(current)})."
    if action == "start":
        return f"Start {describe(regimen)}."
    if action == "placebo_period":
        return (f"Take a blinded placebo instead of {current.words} for {nights} nights "
                f"(`mgsleep plan --blind` prepares one), then go back to {current.words}.")
    if action == "withdrawal":
        more = (f" more nights ({nights + done} nights off with {last_nights(done)})" if done
                else " nights")
        return (f"Stop {current.words} for {nights}{more}, then take it again (a withdrawal "
                "test).")
    changes = {"increase_dose": f"raise the dose to {regimen.elemental_mg:g} mg",
               "decrease_dose": f"lower the dose to {regimen.elemental_mg:g} mg",
               "switch_form": f"switch to {regimen.form} at the same dose",
               "split_dose": "split the same dose into two intakes (the model assumes a split "
                             "dose works as well as one intake; only the GI load per intake "
                             "halves)"}
    return f"Change one thing: {changes[action]} (now {current.words}; then {describe(regimen)})."


UNRECORDED_GAIN = "from the evidence alone: not in your diary"
"""Said in the interval of an expected change that no night of the diary records."""


def _gain_words(a: Assessed, variable: str, unrecorded: frozenset[str]) -> str:
    """:func:`format_gain` of ``a``'s gain, marked :data:`UNRECORDED_GAIN` when unrecorded."""
    said = format_gain(variable, a.gain[variable], a.gain_low[variable], a.gain_high[variable])
    if OUTCOME_OF_GAIN[variable] not in unrecorded:
        return said
    return f"{said.removesuffix(')')}; {UNRECORDED_GAIN})"


SCORES_GLOSS = ("Scores: expected utility = how much better a step is expected to make your "
                "nights, in units of a change that matters (0 = as now); learning value = what "
                "its nights would teach.")
"""Said once, before the scores: "expected utility +0.00 (weighted MCIDs ...)" read as jargon
(a plain-language editor's audit, /tmp/w46/D C1)."""


def options_allowed(assessed: Sequence[Assessed]) -> int:
    """How many options P(best) is shared among: those allowed now that one may stay on.

    Not the experiments (a placebo period, a withdrawal: P(best) 0): "P(best) 0.17 among the
    14 options allowed now" counted the two experiments (an outside audit, jE F5).
    """
    return sum(a.feasible and a.action not in EXPERIMENTS for a in assessed)


def numbers(a: Assessed, n_feasible: int, reference: Regimen, gi: GiConstraint,
            s: DecisionSettings, rule: bool = False,
            unrecorded: frozenset[str] = frozenset(), order: Sequence[str] = OUTCOMES) -> list[str]:
    """P(best), utility, learning value, CVaR, the gains and the GI constraint of ``a``.

    ``rule``: ``a`` is taken by the no-baseline rule (:mod:`model.decision.baseline`), whose
    learning value the model cannot price: it is not said to teach nothing. ``unrecorded``:
    the outcomes no night of the diary records (:attr:`History.unrecorded`), whose expected
    change is the evidence's alone: said so. ``order``: the outcomes in the person's order
    (:func:`model.data.weights.outcome_order`), which the expected changes follow. The
    changes are each draw's own difference of predicted nightly means
    (:func:`model.decision.gains.shown_gains`), the effects' figures, not the utility's
    link-scale gains: those said "GI nights: -36 a month (-46 to -28)" beside the effects'
    "+25 a month" (an outside audit, A F2). The scores follow :data:`SCORES_GLOSS`; they leave
    out P(best) when one option is allowed ("P(best) > 0.99 among the 1 option allowed now"
    for a forced wait, a biostatistician's audit, /tmp/w46/E F6) and P(better than continuing)
    for continuing itself (against itself it is meaningless, /tmp/w46/D C1); the GI limit is
    in nights a month, as every GI change a person reads (it said "10 percentage points",
    D C4).
    """
    learned = (f"learning value {a.learning_value:.2f} by the model's reckoning, which cannot "
               "price what a diary without nights off magnesium, or recent ones, lacks (the "
               "step is a rule)" if rule else gap(a, s))
    gains = "; ".join(_gain_words(a, v, unrecorded)
                      for v in sorted(a.gain, key=lambda v: order.index(OUTCOME_OF_GAIN[v])))
    kept = reference.words if reference.active else "you without magnesium"
    change = (f"Expected change from magnesium: none, it keeps {kept}."
              if a.regimen == reference else
              f"Expected change from magnesium vs {reference.words}, its own at your typical "
              f"night ({s.interval:.0%} intervals): {gains}.")
    chances = ([f"P(best) {chance(a.p_best)} among the {n_feasible} options allowed now"]
               if n_feasible > 1 else [])
    if a.action != "continue":
        chances.append(f"P(better than continuing) {chance(a.p_better_than_continue)}")
    scores = "; ".join([*chances, f"expected utility {a.expected_utility:+.2f} (magnesium's "
                        "own effect, not expectation or drift)", learned,
                        f"mean of the worst {s.cvar_alpha:.0%} of draws {a.cvar:+.2f}"])
    limit = f"{per_month('gi', gi.limit):g}"
    return [
        SCORES_GLOSS,
        scores[0].upper() + scores[1:] + ".",
        change,
        f"{GI_RISK} {chance(a.p_constraint_violation)}: the chance that GI nights rise more "
        f"than {limit} a month above your level without magnesium (allowed up to "
        f"{gi.epsilon:.2f}).",
    ]


def record_line(loose_bristol: int) -> str:
    """What to write down each night; a GI night is Bristol ``loose_bristol`` on, or an upset."""
    return ("Record each night: " + ", ".join(RECORD_COLUMNS)
            + f" (stool_bristol >= {loose_bristol} or gi_upset = 1 counts as a GI night).")


def held_words(held: Assessed) -> str:
    """What the planned crossover waits for (:func:`model.decision.choice.crossover_held`)."""
    return (f"the planned crossover still has {held.regimen.words} to try, "
            f"held back for now ({'; '.join(held.blocked_by)}); the next period may open it")


def collect_line(assessed: Sequence[Assessed], reference: Regimen, s: DecisionSettings,
                 close_to: Assessed | None = None, held: Assessed | None = None,
                 nights: int | None = None) -> str:
    """Why more data come first: continuing is worth most, and its nights still teach.

    With ``close_to`` (the runner-up of a close call): staying and it are apart by less than
    the fit's Monte Carlo error, so nothing is changed or committed on it. With ``held`` (the
    crossover step a block which may lift holds back): staying is no commitment, the design
    has a form left. ``nights``: the recorded nights on ``reference``; fewer than one
    evaluation period and no learning value, the line says it is no commitment until they are
    in ("its next nights are worth having (nothing left to learn from it)" said nothing).
    """
    if close_to is not None:
        other = f"to {step_words(close_to.action, close_to.regimen)}"
        said = (f"The best-ranked change, {other}, leads keeping {reference.words} by less than "
                "this fit's Monte Carlo error" if _worth(close_to) > _worth(assessed[0]) else
                f"Continuing ranks first, but {other} is within this fit's Monte Carlo error of it")
        return (f"{said}: keep {reference.words}, not as a commitment; the coming nights will "
                "tell them apart.")
    top = assessed[top_row(assessed, True)]
    best = ("Continuing ranks first" if top.action == "continue" else
            f"The best-ranked change, to {step_words(top.action, top.regimen)}, is not worth its "
            "cost "
            f"yet (P(better than continuing) {chance(top.p_better_than_continue)})")
    if held is not None:
        return f"{best}; keep {reference.words}, not as a commitment: {held_words(held)}."
    if (reference.active and nights is not None and nights < s.min_nights
            and assessed[0].learning_value < TO_LEARN):
        return (f"{best}; keep {reference.words}, not as a commitment: it has had {nights} "
                f"recorded night{'s' * (nights != 1)}, fewer than one evaluation period "
                f"({s.min_nights}); once its nights are in, it may be settled on.")
    return (f"{best}; keep {reference.words}: its next nights are worth having "
            f"({gap(assessed[0])}, commit below {s.commit_value:.2f}).")


def blocked_lines(assessed: Sequence[Assessed]) -> list[str]:
    """One line per set of block reasons, naming every option blocked by exactly that set.

    An option blocked for two reasons is named once, on the line giving both. A hard rule
    (:data:`~model.decision.settings.HARD_BLOCKS`: above the ceiling, an excluded form) is given
    alone: the GI chance constraint or the evaluation period of an option no diary can open
    are beside the point, and leaving them out gathers such options on one line (above the
    ceiling, every switch of forms at the dose taken). Only a hard rule's line says "Not
    allowed"; an option waiting for its evaluation period or over the GI limit is "Not advised
    now" (stopping magnesium was "Not allowed" after a blinded trial's last pot). Each option
    is named in the step words of the report's table (:func:`step_words`): "increase_dose
    glycinate@350" stood where the table said "raise the dose to glycinate 350 mg" (a
    plain-language editor's audit, /tmp/w46/D C1); "because" before the reasons, as a step's
    words may hold a colon ("split the dose: citrate 300 mg in two intakes").
    """
    grouped: dict[tuple[str, tuple[str, ...]], list[str]] = {}
    for a in assessed:
        hard = tuple(why for why, code in zip(a.blocked_by, a.reason_codes, strict=True)
                     if code in HARD_BLOCKS)
        if a.blocked_by:
            key = ("Not allowed", hard) if hard else ("Not advised now", a.blocked_by)
            grouped.setdefault(key, []).append(step_words(a.action, a.regimen))
    return [f"{label}: {', '.join(names)}, because {'; '.join(why)}."
            for (label, why), names in grouped.items()]


def reasons(why: Why, chosen: Assessed, assessed: Sequence[Assessed], past: History,
            gi: GiConstraint, s: DecisionSettings, *, to_learn: bool = False,
            acute: bool = False, close_to: Assessed | None = None,
            held: Assessed | None = None, tied: Sequence[Assessed] = (),
            p_harm: float = 0.0, order: Sequence[str] = OUTCOMES,
            basis: Basis | None = None, ruled: str = "") -> list[str]:
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
    order : sequence of str
        The outcomes in the person's order (:func:`model.data.weights.outcome_order`).
    basis : callable, optional
        What a form's evidence on the outcomes that count most rests on
        (:class:`model.decision.evidence_basis.PriorBasis`), said of a start named as best
        expected before any magnesium night.
    ruled : str
        What a step of the baseline rules says (:func:`model.decision.baseline_words.rule_line`):
        the first line of a break kept going (``finish_break``), else the plan.

    Returns
    -------
    list of str

    """
    reference = past.reference
    n_feasible = options_allowed(assessed)
    said = numbers(chosen, n_feasible, reference, gi, s, rule=why == "no_baseline",
                   unrecorded=past.unrecorded, order=order)
    unwritten = (unwritten_words(past.written(s), past.current.words, chosen.action)
                 if s.period_holds_changes and not past.first_step else "")
    if why in ("collect", "hard_week", "other_change", "finish_break", "as_needed"):
        first = ruled or _held_line(why, chosen, past, s) or unwritten or collect_line(
            assessed, reference, s, close_to, held, past.known_nights)
        unwritten = "" if why == "collect" else unwritten   # said first
        keep = (f"Keep {reference.words} and look" if chosen.feasible and why != "finish_break"
                else "Look")     # a break or placebo period kept going: its nights, not a keep
        lines = [first, *said, f"{keep} again on {chosen.next_review.isoformat()}.",
                 record_line(gi.loose_bristol)]
    else:
        to_come, done = step_nights(chosen.action, past, s)
        lines = [headline(chosen.action, chosen.regimen, reference, to_come,
                          past.placebo_nights > 0, done), *said,
                 ruled or (harm_line(chosen, past, s, p_harm) if why == "harm" else
                           plan_line(why, chosen, assessed, past, s, to_learn, tied, basis))]
        if past.first_step:
            lines.append(record_line(gi.loose_bristol))
    gentler = gentler_line(chosen, assessed, s) if acute else ""
    left_out = left_out_words(past.excluded_on_current, chosen.action)
    if held is not None and why != "collect":
        lines.append(f"Not settled yet: {held_words(held)}.")
    return lines + [w for w in (unwritten, left_out, gentler) if w] + blocked_lines(assessed)
