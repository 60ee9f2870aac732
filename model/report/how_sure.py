"""The "How sure" line of the headline: what kind of answer the recommendation is.

A safety rule is no estimate, though a step within its limit may be taken to learn (the rule
sets only the limit then, and the learning numbers are said); a step of the person's own trial
plan answers when the plan ends; a commitment says why it is settled (while the diary cannot
tell magnesium from expectation, settled only among the forms and doses tried: :func:`_settled`,
/tmp/w50/a F5), or, at a P(best) below the decision's ``commit_p_best``, that more trying is
not expected to change a choice it is not sure of (/tmp/w51/a F7); one the crossover's end
makes with P(best) below 0.8 (``by_design``) says that it is kept by the trial's design, not
settled (one look said "settled" at P(best) 0.09 and the next switched: an outside audit,
/tmp/jJ F7); a step taken to learn says so; any other
step gives its P(better than what you do now), and staying says whether more nights would
teach anything (:data:`model.decision.explain.TO_LEARN`), so that "keep going and the next
nights will tell more" never stands beside "nothing left to learn from it" (a close call, a
crossover with a form left to try, the only step open during an evaluation period, or a
break kept going until it counts as a withdrawal, :data:`BREAK_SURE`, says so instead of "more
nights here would teach little", which stood beside "about 21 more nights on it to tell").
"""

from __future__ import annotations

from collections.abc import Sequence

from model.analysis.sensitivity import Sensitivity
from model.core.change_words import share, step_words
from model.core.regimen import NO_MAGNESIUM, Regimen
from model.decision import Recommendation
from model.decision.candidates import EXPERIMENTS
from model.decision.explain import TO_LEARN
from model.decision.plan_words import sure
from model.decision.rules import BREACHES


def prior_caveat(rec: Recommendation, sensitivity: Sequence[Sensitivity]) -> str:
    """What a commitment owes to the prior: the other priors under which the step changes.

    "Sure enough to settle on this" stood beside "Prior sensitivity: changes under the
    confident prior ..., expectation prior ..." (an outside audit, /tmp/hH): settled by the
    nights under one prior, not by the nights alone.
    """
    changed = [s.prior for s in sensitivity if not s.holds]
    if not rec.commit or not changed:
        return ""
    what = "what settles it" if sure(rec.p_best, rec.reason_codes) else "what keeps it"
    return (f" Under {len(changed)} of the {len(sensitivity)} other priors checked "
            f"({', '.join(changed)}) the step differs (see Prior sensitivity): {what} "
            "rests partly on the published evidence, not on your nights alone.")


def sensitivity_step(sensitivity: Sensitivity) -> str:
    """The step an alternative prior leads to, in words (``switch to malate 200 mg``).

    The terminal's prior-sensitivity line and the clinician page's say it alike.
    """
    dose = sensitivity.elemental_mg_per_day
    active = sensitivity.form not in (None, "none") and bool(dose)
    return step_words(sensitivity.action,     # continuing without: "stay without magnesium"
                      Regimen(str(sensitivity.form), float(dose or 0)) if active
                      else NO_MAGNESIUM)


def _rule_limit(rec: Recommendation) -> str:
    """What a safety rule that forced a change asks: the form left or the dose's limit."""
    most = "your daily ceiling" if rec.max_mg_now is None else f"{rec.max_mg_now:g} mg a day"
    return ("that the current form be left" if "current_excluded" in rec.reason_codes else
            f"that the dose come down to at most {most}")


def _rule_then_choice(rec: Recommendation, better: float) -> str:
    """A safety rule asked for a change, and the step among those it allows is the model's.

    The rule sets only a limit (the ceiling, ``max_mg_now``, or the form to leave); the step
    within it is the model's: taken to learn, with its numbers, or the best expected. "A
    safety rule, not an estimate" stood beside a stop chosen to learn while lowering the dose
    to the 150 mg ceiling had the higher expected utility (an outside audit, /tmp/w46/A F4),
    and beside 350 mg chosen among 350, 300, 200 and 100 mg and stopping (stop 74's note).
    The numbers are the recommendation's ``learned``, once parsed out of its reasons' words.
    """
    if "learn" not in rec.reason_codes:
        return (f"a safety rule asks only {_rule_limit(rec)}; among the steps it allows, this "
                f"one is the best expected: for your sleep alone the model finds it better than "
                f"what you do now in {share(better)} of its scenarios.")
    return (f"not a final answer: a safety rule asks only {_rule_limit(rec)}; among the steps "
            "it allows, this one was chosen to learn" + (f": {rec.learned}" if rec.learned
                                                          else "."))


NOT_SETTLED_BY_WHAT = ("whether magnesium itself does it, rather than expecting it to or your "
                       "sleep's own course, is not settled: nights off (a break long enough "
                       "for its effect to fade) or a blinded placebo period (mgsleep plan "
                       "--blind) would tell.")
"""What a commitment leaves open while the diary cannot separate magnesium from expectation."""


def _settled(rec: Recommendation, options: int | None = None) -> str:
    """A commitment: why it is settled, and what is not while the diary cannot separate.

    "Sure enough to settle on this: more experimenting is not expected to pay off" stood at
    P(best) 0.36 beside a Why whose effect was "not yet a settled verdict: placebo nights are
    needed to tell magnesium from expectation" and the caution that the diary "cannot yet
    tell" (an outside audit, /tmp/w50/a F5). A commitment with the code
    ``expectation_not_separable`` is settled among the forms and doses tried, and says what
    would settle the rest (:data:`NOT_SETTLED_BY_WHAT`). Below ``commit_p_best``
    (:func:`_sure`) it is neither "sure" nor "settled": more trying is not expected to change
    the choice, which is still a close one among the ``options`` allowed now ("Sure enough to
    settle on this" at P(best) 0.38 among 17 options, and "settled among the forms and doses
    tried" at 0.14: an outside audit, /tmp/w51/a F7).
    """
    apart = "expectation_not_separable" not in rec.reason_codes
    among = "" if apart else " among the forms and doses tried"
    if not sure(rec.p_best, rec.reason_codes):
        of = "" if options is None else f" (among the {options} options allowed now)"
        close = (f"not sure, though more trying{among} is not expected to change the choice: "
                 f"this is best in only {share(rec.p_best)} of the model's scenarios{of}, so "
                 "another option may well be as good")
        return f"{close}." if apart else f"{close}; {NOT_SETTLED_BY_WHAT}"
    why = f"best in {share(rec.p_best)} of the model's scenarios"
    if apart:
        return f"sure enough to settle on this: {why}."
    return f"settled{among} ({why}); {NOT_SETTLED_BY_WHAT}"


PLACEBO_SURE = ("not a final answer: placebo nights kept going to learn from; with 7 of them, "
                "they tell what the magnesium they stand in for does for you, expectation "
                "taken out.")
"""How sure a placebo period kept going is (codes ``break_under_way`` and ``placebo_test``):
"once the break counts as a withdrawal" was said of placebo nights (/tmp/w50/c C10)."""

BREAK_SURE = ("not a final answer: nights off kept going to learn from; once the break counts "
              "as a withdrawal, they tell whether the magnesium you took before it still helps "
              "you.")
"""How sure a break kept going is (code ``break_under_way``): its nights are for learning.
"Nothing else open now is expected to do better, and more nights here would teach little"
stood beside "Stay without magnesium for 6 more nights ... those nights will tell whether it
still helps you" (an outside audit, /tmp/w50/b F-5): the break's learning is the rule's, which
the model's learning value does not price (:mod:`model.decision.baseline`)."""


def how_sure(rec: Recommendation, options: int | None = None) -> str:
    """How sure the advice is, in words (the module docstring's cases).

    ``options``: how many options the recommendation's P(best) is taken among
    (:attr:`~model.decision.results.Decision.options_allowed`), said beside a commitment's
    P(best) when it is low (:func:`_settled`); None: not said.
    """
    codes = set(rec.reason_codes)
    if "refer" in codes:
        return "a safety rule, not an estimate."
    if "diagnostics_failed" in codes:
        return "no estimate: the fit failed its checks."
    if "planned" in codes:
        return "not a final answer: a step of your trial plan, which answers when it ends."
    better = rec.scores.p_better_than_continue
    if "dose_check" in codes and rec.action in ("continue", "collect_more_data"):
        return ("not a final answer: the dose your diary gives is in doubt, so nothing rests "
                "on it yet.")
    if codes & BREACHES and codes & {"learn", "best_expected"}:
        return _rule_then_choice(rec, better)
    if codes & BREACHES:
        return ("a safety rule, not an estimate: for your sleep alone the model finds it "
                f"better than what you do now in {share(better)} of its scenarios.")
    if "unwritten" in codes:
        return "not a final answer: too few nights written down to judge what you take."
    if "taken_as_needed" in codes:
        return ("not a final answer: nights taken only when needed cannot judge what you "
                "take; nights taken every night can.")
    if rec.commit and "by_design" in codes:
        return ("kept by the trial's design, not settled: the planned comparison of forms is "
                f"over, and this is best in only {share(rec.p_best)} of the model's scenarios; "
                "the next nights may still change it.")
    if rec.commit:
        return _settled(rec, options)
    if "harm" in codes and rec.action == "stop":
        return ("not a final answer: a step to stop what probably does you harm; the nights "
                "without it will tell.")
    if "hard_week" in codes:
        return "not a final answer: changes wait for a calmer week."
    if "gentler_dose" in codes:
        return ("not a final answer: a gentler dose so that the form's trial can go on within "
                "the GI limit.")
    if "break_under_way" in codes:
        return PLACEBO_SURE if "placebo_test" in codes else BREAK_SURE
    if "learn" in codes or rec.action in EXPERIMENTS:
        return "not a final answer: a step taken to learn from."
    if rec.action not in ("continue", "collect_more_data"):
        return (("a step, not yet the regimen to settle on: " if better >= 0.9 else
                 "not sure yet: ") + f"better than what you do now in {share(better)} of the "
                "model's scenarios.")
    if "close_call" in codes:
        return ("not sure yet: another step is as good within this fit's Monte Carlo error; "
                "the coming nights will tell them apart.")
    if "crossover_held" in codes:
        return ("not a final answer: the planned crossover still has a form to try once this "
                "period is over.")
    if "better_after_period" in codes:
        return ("not a final answer: a step expected to do better opens once this period is "
                "over; the next look weighs it.")
    if "forced" in codes:
        return ("not a final answer: the only step open until this period is over; the next "
                "look weighs the others.")
    return ("not sure yet: keep going and the next nights will tell more." if
            rec.scores.learning_value >= TO_LEARN else "not a final answer: nothing else open "
            "now is expected to do better, and more nights here would teach little.")
