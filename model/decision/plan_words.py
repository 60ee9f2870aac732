"""The plan of a recommendation in words: how sure it is, and when to look again.

:func:`plan_line` gives one sentence per branch of the choice (:data:`Why`); the nights it
names are those to the date of the next look (:func:`model.decision.look_nights.review_days`
dates both). The other sentences of a recommendation are in :mod:`model.decision.explain`,
which reads these through its own names.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence

import numpy as np

from model.core.change_words import chance, change_words, step_words
from model.core.forms import FORMS, PLACEBO
from model.core.outcomes import OUTCOME_OF_GAIN, SPECS
from model.decision.assessed import Assessed
from model.decision.candidates import EXPERIMENTS
from model.decision.gi_words import same_form_gentler
from model.decision.history import History
from model.decision.look_nights import review_days
from model.decision.period_words import period_nights
from model.decision.settings import DecisionSettings, Why
from model.evidence.name_words import listed

COMMITTED = "Clear enough to commit"  # how a commitment's reason begins
BY_DESIGN = "Kept by the trial's design, not settled"  # ... a commitment the crossover's end makes
TO_LEARN = 0.005  # a learning value below this is "nothing left to learn" (0.00 as shown)

def gap(a: Assessed, s: DecisionSettings | None = None) -> str:
    """``a``'s learning value in words, or why it has none.

    With ``s`` whose learning horizon is zero (:func:`model.decision.decide.decide` sets it
    once the planned comparison is over or no period is left), a step other than an
    experiment has no learning value because none is counted, not because its nights teach
    nothing: "nothing left to learn from it" stood beside a form never taken (an outside
    audit).
    """
    if a.learning_value >= TO_LEARN:
        return f"learning value {a.learning_value:.2f}"
    if s is not None and s.learning_periods <= 0 and a.action not in EXPERIMENTS:
        left = ("no evaluation period is left" if not s.period_holds_changes else
                "the planned comparison of forms is over")
        return f"learning value not counted ({left})"
    return "nothing left to learn from it"


def _comparison_over(past: History, s: DecisionSettings) -> str:
    """Which planned comparison is over: the person's own trial, or the model's crossover."""
    if past.trial_over:
        return (f"the trial you planned, of "
                f"{listed(sorted(past.planned_forms), 'and', quoted=False)}, is over")
    tried = len(past.forms_tried)
    if tried == s.crossover_forms:
        return f"the planned comparison of {tried} forms is over"
    return (f"the planned comparison is over: you have tried {tried} forms "
            f"({listed(sorted(past.forms_tried), 'and', quoted=False)})")


def by_design(chosen: Assessed, past: History, s: DecisionSettings) -> bool:
    """Whether a commitment rests on the crossover's end alone (explore, then commit).

    Once the planned crossover is over the learning horizon is zero, so nothing is worth
    learning by construction; with P(best) below ``s.commit_p_best`` the nights have not
    singled the regimen out, and the advice must not say they have, nor call it settled:
    "Settled by the trial's design" with P(best) 0.09 was followed eight nights later by a
    switch the new nights favoured (an outside audit, /tmp/jJ F7).
    """
    return chosen.p_best < s.commit_p_best and past.compared(s.crossover_forms)



def sure(p_best: float, codes: Collection[str]) -> bool:
    """Whether a commitment may be called sure: P(best) from the decision's ``commit_p_best``.

    The rule commits when P(best) reaches :attr:`DecisionSettings.commit_p_best` (four chances
    in five that no other allowed regimen is better) or when no action's learning value
    reaches ``commit_value``, whatever P(best); only the first singles the regimen out. The
    crossover's end (``by_design``) is never sure. "Sure enough to settle on this" stood at
    P(best) 0.38 (an outside audit, /tmp/w51/a F7).
    """
    return p_best >= DecisionSettings.commit_p_best and "by_design" not in codes


def top_row(assessed: Sequence[Assessed], feasible: bool) -> int:
    """Index of the highest expected utility among the (in)feasible actions, first on ties."""
    among = [i for i, a in enumerate(assessed) if a.feasible == feasible]
    return among[int(np.argmax([assessed[i].expected_utility for i in among]))]


def best_waiting(assessed: Sequence[Assessed]) -> Assessed | None:
    """The option that waits for the evaluation period and that the choice takes after it.

    The one :func:`model.decision.after_period.after_period` marks (``after_period``), the
    rule's own step once the period is over, so that the words and the report's pathways name
    the same one (the waiting option of the highest expected utility, threonate 200 mg, was
    said beside the pathways' taurate 200 mg: an outside audit, /tmp/jI F5). None when the
    choice then is to stay or nothing waits. One a hard rule blocks (ceiling, excluded form,
    GI limit) is never waiting: it stays blocked.
    """
    return next((a for a in assessed if a.after_period and set(a.reason_codes) == {"waiting"}),
                None)


def best_waiting_words(assessed: Sequence[Assessed]) -> str:
    """:func:`best_waiting` as a sentence (empty when there is none)."""
    if (top := best_waiting(assessed)) is None:
        return ""
    said = (f"to {step_words(top.action, top.regimen)} (expected utility "
            f"{top.expected_utility:+.2f})")
    return (f" On current data the step once this period is over is {said}"
            + (": not expected to do better than staying, it is taken by the plan or for what "
               "it teaches." if top.expected_utility <= assessed[0].expected_utility else "."))


Basis = Callable[[str], str]
"""What a form's evidence on the outcomes that count most rests on, in a clause
(:class:`model.decision.evidence_basis.PriorBasis`)."""


def _basis_words(best: Assessed, past: History, basis: Basis | None) -> str:
    """``, and taurate's expected effect on ... rests on ...`` for a start named as best.

    Before any magnesium night the start best expected is the evidence priors' alone: "the
    best expected now is to start taurate" did not say that taurate's evidence on the
    anxious person's complaint was rat data and borrowed evidence (an outside audit).
    Empty after a magnesium night, for another step, or without ``basis``.
    """
    if basis is None or not past.first_step or best.action != "start":
        return ""
    return f", and {basis(best.regimen.form)}"


LEARN_START = "Chosen to learn: "
"""How the reason for a step taken to learn begins (:func:`learned_words` follows)."""


def learned_words(chosen: Assessed, assessed: Sequence[Assessed], past: History,
                  basis: Basis | None = None) -> str:
    """Why ``chosen`` is taken to learn: the step ahead today, and what its nights are worth.

    The recommendation carries it (``learned``): "How sure" quotes it under a safety rule
    (:mod:`model.report.how_sure`), where it parsed it back out of the reasons' words (a
    maintainer's review).
    """
    best = assessed[top_row(assessed, True)]
    return (f"the step with the higher expected utility now is to "
            f"{step_words(best.action, best.regimen)} ({best.expected_utility:+.2f} vs "
            f"{chosen.expected_utility:+.2f}){_basis_words(best, past, basis)}, "
            f"but what {chosen.regimen.words if chosen.regimen.active else 'these nights'} "
            f"will teach is worth more ({gap(chosen)}).")


def _learn_line(chosen: Assessed, assessed: Sequence[Assessed], past: History,
                basis: Basis | None = None) -> str:
    return f"{LEARN_START}{learned_words(chosen, assessed, past, basis)}"


def _planned_line(chosen: Assessed, assessed: Sequence[Assessed], past: History,
                  basis: Basis | None = None) -> str:
    """Why a crossover step that is not the best expected now is taken (no learning value).

    A start named before any magnesium night says what its evidence rests on
    (:func:`_basis_words`).
    """
    best = assessed[top_row(assessed, True)]
    return (f"The best expected now is to {step_words(best.action, best.regimen)} (expected "
            f"utility "
            f"{best.expected_utility:+.2f}, {chosen.regimen.words} {chosen.expected_utility:+.2f}"
            f"){_basis_words(best, past, basis)}; {chosen.regimen.form} is tried as it may "
            "still be better for you.")


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
              tied: Sequence[Assessed] = (), basis: Basis | None = None) -> str:
    """How sure the choice is, and when to look again (one sentence per branch of ``why``).

    ``tied``: the crossover steps as promising as ``chosen`` (:func:`_tie_line`). The nights
    a step is taken for are those to its review date (:func:`course`). ``basis``: what a
    form's evidence on the outcomes that count most rests on, said of a start named as
    best expected before any magnesium night (:func:`_basis_words`).
    """
    label = chosen.regimen.words
    when = chosen.next_review.isoformat()
    nights = review_days(chosen.action, past, s)     # the same computation as ``when``
    learn = f" {_learn_line(chosen, assessed, past, basis)}" if to_learn else ""
    if why == "first_step" and chosen.action == "continue":
        return ("No start is expected to help enough to be worth trying, or none is open to "
                "you (see below: your profile may exclude every form or set a ceiling under "
                f"{s.min_dose_mg:g} mg). Keep recording nights and look again on {when}.")
    if why == "crossover":
        learn = f" {_planned_line(chosen, assessed, past, basis)}" if to_learn else ""
        tried = len(past.forms_tried)
        first = (f" This first step rests on published evidence only (low certainty: no "
                 f"nights on magnesium yet): take it for {nights} nights and look again on "
                 f"{when}; judge it after {s.min_nights} nights." if past.first_step else
                 f" Take it for {nights} nights and look again on {when}.")
        return (f"Planned crossover, form {tried + 1} of {s.crossover_forms}: the most "
                f"promising forms are tried in turn, each for one evaluation period at the same "
                f"dose, then your own nights choose among them.{_tie_line(chosen, tied)}{learn}"
                f"{first}")
    if why == "first_step":
        return (f"A first step from published evidence only (low certainty: no nights on "
                f"magnesium yet).{learn} Take it for {nights} nights and look again on {when}; "
                f"judge it after {s.min_nights} nights.")
    if why == "forced":
        waiting = (f" ({period_nights(past, s)})" if past.nights_on_current < s.min_nights
                   else "")
        return (f"The only step allowed now{waiting}.{best_waiting_words(assessed)} Look again "
                f"on {when}.")
    if why == "commit" and by_design(chosen, past, s):
        return (f"{BY_DESIGN}: {_comparison_over(past, s)}, and "
                f"{chosen.regimen.words} is the best by expected utility, though the nights "
                f"so far cannot single it out (P(best) {chance(chosen.p_best)}): the next "
                f"nights may still move the advice on from it. Look again on {when}.")
    if why == "commit":
        clear = (f"P(best) {chance(chosen.p_best)} >= {s.commit_p_best:.2f}"
                 if chosen.p_best >= s.commit_p_best else
                 f"no step taken to learn is worth its cost, and the nights of this one would "
                 f"teach little: learning value below {s.commit_value:.2f}")
        return f"{COMMITTED} ({clear}). Look again on {when}."
    if why == "trial":
        return (f"Trial mode: {label} was best in one random posterior draw (Thompson "
                f"sampling). {course(chosen, past, s).capitalize()}.")
    if why == "learn":
        return f"{_learn_line(chosen, assessed, past, basis)} Look again on {when}."
    if why == "gentler":
        return same_form_gentler(chosen, assessed[0], past, s) + passed_over(chosen, assessed,
                                                                             past, s)
    if why == "titrate":
        return titration_line(chosen, assessed[0], past, s)
    return _open_line(chosen, past, s)


def _gain_list(a: Assessed, past: History, better: bool) -> list[str]:
    """``a``'s gains said non-zero on the outcomes the diary records, better ones or worse.

    GI nights first (the gentler dose's reason), then the others in the order of the
    outcomes; each with its interval.
    """
    def said(v: str) -> str:
        o = OUTCOME_OF_GAIN[v]
        ends = sorted(SPECS[o].sign * x for x in (a.gain_low[v], a.gain_high[v]))
        return change_words(o, SPECS[o].sign * a.gain[v], *ends)

    keys = sorted((v for v, mean in a.gain.items() if (mean > 0) == better and mean
                   and OUTCOME_OF_GAIN[v] not in past.unrecorded),
                  key=lambda v: (OUTCOME_OF_GAIN[v] != "gi", list(SPECS).index(OUTCOME_OF_GAIN[v])))
    return [w for w in map(said, keys) if ": no change" not in w]


def _without(best: Assessed, past: History, s: DecisionSettings) -> str:
    """What stopping is expected to bring, and to cost, in words (:func:`_gain_list`).

    Without a placebo night the sleep outcomes are magnesium's own effect only by the
    model's assumed expectation effect (GI nights have none): said so.
    """
    gains, losses = _gain_list(best, past, True), _gain_list(best, past, False)
    sleep = any(not w.startswith("GI nights") for w in gains + losses)
    lean = ("; with no placebo night yet, the sleep outcomes lean on the model's assumed "
            "expectation effect" if sleep and not any(r.form == PLACEBO for r in past.nights_on)
            else "")
    cost = f", at a cost of {'; '.join(losses)}" if losses else ""
    return (f"{'; '.join(gains) or 'no gain your diary records'}{cost} (magnesium's own "
            f"effect, {s.interval:.0%} intervals{lean})")


def passed_over(chosen: Assessed, assessed: Sequence[Assessed], past: History,
                s: DecisionSettings) -> str:
    """Why a gentler dose is taken when an allowed step scores higher (empty when none does).

    :func:`model.decision.choice.gentler_same_form` takes the smallest change that keeps the
    form, not the step worth most: the actions figure showed "stop" allowed at expected
    utility +3.63, P(best) 0.93, beside the advice "split taurate" at +1.08, P(best) 0.06,
    and no reason named the stop (an outside audit, /tmp/w43/P F6). The rule yields to the
    harm rule (:func:`model.decision.overrides.harm`), so the chance of harm is below
    ``s.harm_stop_p`` whenever it acts.
    """
    best = assessed[top_row(assessed, True)]
    if best.expected_utility <= chosen.expected_utility:
        return ""
    scores = (f"expected utility {best.expected_utility:+.2f} against "
              f"{chosen.expected_utility:+.2f}, P(best) {chance(best.p_best)} against "
              f"{chance(chosen.p_best)}")
    taking = past.current.words
    if best.action != "stop":       # a lower dose of the same form (the rule's other step)
        return (f" To {step_words(best.action, best.regimen)} scores higher ({scores}); the "
                f"smallest change that keeps within the GI limit goes first, since the planned "
                f"crossover tries every later form at the dose taken then.")
    nights = past.known_nights
    return (f" Stopping magnesium scores higher ({scores}, P(better than continuing) "
            f"{chance(best.p_better_than_continue)}): without {taking} the model expects "
            f"{_without(best, past, s)}. A gentler dose of the same form is tried first "
            f"because only the GI limit stops {taking}, its {nights} of the {s.min_nights} "
            f"nights it takes to judge a form are too few (left now, the planned crossover "
            f"may not come back to it), and the chance that it does you harm is below the "
            f"{s.harm_stop_p:.2f} from which it is stopped. Stopping is open too: it keeps "
            f"within the GI limit.")


def course(chosen: Assessed, past: History, s: DecisionSettings, verb: str = "try") -> str:
    """``try X for N nights and look again on D`` (``keep X for N more nights``: continuing).

    N is the nights to the review date, from the same computation (:func:`review_days`).
    """
    nights = review_days(chosen.action, past, s)
    label = chosen.regimen.words if chosen.regimen.active else "no magnesium"
    verb, more = ("keep", " more") if chosen.action == "continue" else (verb, "")
    return (f"{verb} {label} for {nights}{more} night{'s' * (nights != 1)} and look again on "
            f"{chosen.next_review.isoformat()}")


def untried_line(chosen: Assessed, past: History, s: DecisionSettings) -> str:
    """Why a regimen without one evaluation period of nights is a plan, not a commitment.

    :func:`model.decision.choice.untried`; empty for one already judged.
    """
    nights = past.nights_of(chosen.regimen)
    if not chosen.regimen.active or nights >= s.min_nights:
        return ""
    had = (f"you have not taken {chosen.regimen.words} yet" if not nights else
           f"you have had {nights} night{'s' * (nights != 1)} on {chosen.regimen.words}, "
           f"fewer than one evaluation period ({s.min_nights})")
    return (f"Not settled: {had}, so it is a step to try, not a regimen to keep (P(best) "
            f"{chance(chosen.p_best)} rests on the evidence and your other nights, not on its "
            f"own): {course(chosen, past, s)}; once its nights are in, it may be settled on.")


def titration_line(chosen: Assessed, stay: Assessed, past: History, s: DecisionSettings) -> str:
    """Why the planned dose step (:func:`model.decision.choice.titration`) is taken.

    A rule, not the model's pick: its expected utility after the cost of a change is said
    beside staying's, below it or not ("To learn whether you need more" stood beside a
    learning value of 0.00 and an expected utility of -0.10: an outside audit).
    """
    after = chosen.expected_utility
    cost = (f"and after that cost too ({after:+.2f})" if after >= stay.expected_utility else
            f"but after that cost its expected utility is {after:+.2f}, below staying's "
            f"{stay.expected_utility:+.2f} (P(better than continuing) "
            f"{chance(chosen.p_better_than_continue)})")
    return (f"Planned titration: {past.current.words} is the regimen to keep, and the model "
            f"expects {chosen.regimen.words} to do better before the cost of a change (expected "
            f"utility {after + s.switching_cost:+.2f} vs {stay.expected_utility:+.2f}), {cost}. "
            f"The step is a rule, not the model's pick: its dose curve has a fixed ED50, so "
            f"nights at {past.current.elemental_mg:g} mg cannot tell it whether you need more, "
            f"and it cannot value what nights at {chosen.regimen.elemental_mg:g} mg would show; "
            f"only they can. {course(chosen, past, s).capitalize()}.")


def nights_off_words(past: History) -> str:
    """What the diary has without magnesium, said to a person the no-baseline rule stops."""
    off = past.nights_off
    return (f"only {off} night{'s' * (off != 1)} without magnesium, too few to compare with"
            if off else "no nights without magnesium")


def last_nights(count: int) -> str:
    """The diary's last ``count`` nights, in words ("your last night", "your last 2 nights")."""
    return "your last night" if count == 1 else f"your last {count} nights"


def few_draws_line(draws: int, s: DecisionSettings) -> str:
    """Why a posterior of fewer than ``s.min_commit_draws`` draws is never a commitment."""
    return (f"Not settled: the posterior has {draws} draw{'s' * (draws != 1)}, fewer than the "
            f"{s.min_commit_draws} a commitment needs: with so few, neither P(best) nor the "
            "Monte Carlo error of the choice can be judged (a fit with more draws can settle "
            "it).")


def _open_line(chosen: Assessed, past: History, s: DecisionSettings) -> str:
    """The plan of a step chosen by worth that is not a commitment (why ``plan``)."""
    if (untried := untried_line(chosen, past, s)):
        return untried
    if chosen.p_best >= s.commit_p_best:     # not settled for a reason said below (held)
        return (f"Best so far (P(best) {chance(chosen.p_best)}), not yet the regimen to settle "
                f"on: {course(chosen, past, s, 'take')}.")
    return f"Not certain yet ({gap(chosen, s)}): {course(chosen, past, s)}."
