"""The choice: the action whose value now plus what it teaches is highest, and when to commit.

Each feasible action is worth its expected utility plus its learning value (the horizon times
the knowledge gradient of one period on it, :mod:`model.decision.learning`):

- the **greedy** action has the highest expected utility among the regimens one may stay on;
- when another action is worth more because of what it teaches, it is a step **to learn**
  (said plainly, reason code ``learn``);
- the decision **commits** to the greedy action when it is also the most valuable one (no
  step taken to learn is worth its cost: experimenting no longer pays) and either its own
  learning value is below ``commit_value`` (its nights would teach nothing that matters) or
  P(best) >= ``commit_p_best``, unless the planned crossover has a form left that a block
  which may lift holds back (:func:`crossover_held`) or the evaluation period holds back a
  regimen expected to do better (:func:`better_later`: P(best) is over the options open now)
  or the current regimen's own period is still running (:func:`judging`), and never to a
  regimen with fewer than one evaluation period of nights (:func:`untried`: a plan, "try it and
  look again", until its period is recorded) nor from fewer than ``min_commit_draws`` draws;
- otherwise the greedy action is a **plan** (try it and look again), or, when it is to continue,
  ``collect_more_data`` (keep the current regimen while the nights accumulate), except during an
  acute GI problem, which always gets an explicit step;
- a change (commit, plan or learn) whose lead over staying is within the Monte Carlo error of
  the draws is not taken (:func:`stay_on_a_close_call`): ``collect_more_data``, the change
  named as a close call, so that advice does not flip between two fits of the same diary;
  nor is a commitment declared on a close call.

Before that rule, the baseline rules (:mod:`model.decision.baseline`: nights off first, a
break finished, a return); then a **planned crossover** (:func:`crossover`): while fewer than
``crossover_forms`` forms have been tried, the step tries the next most promising untried form
that may still beat the current regimen (why ``crossover``), unless the evaluation period
allows nothing else, the step is an experiment, or an acute GI problem needs its own step.
Once that many forms have been tried, ``decide`` sets the learning horizon of every regimen
to zero (an experiment keeps ``experiment_periods``): explore by design, then exploit
(explore-then-commit; Garivier, Lattimore & Kaufmann 2016, "On explore-then-commit
strategies", NeurIPS): the greedy regimen, committed as soon as it is also the most valuable
step and has been explored: a form the crossover did not try, or a dose not yet taken, is
first a plan (take it for one period, look again), and only then may be committed to.

After the crossover (when it has no form left to try), a **planned titration**
(:func:`titration`): when the rule would keep the current regimen and the model expects the
next dose step of the same form (up to ``titration_max_mg``, the priors' reference dose) to do
better by at least ``commit_value`` before the cost of a change, that step is taken (why
``titrate``). The crossover runs at the start dose, and the personal model's dose curve (Emax
with a fixed ED50) cannot learn that a person needs more without nights at a higher dose, so
its learning value cannot price the step: it is a rule, not a step chosen to learn (no code
``learn``), taken even when its expected utility after the cost of a change is below
staying's, and never back to a dose already taken for a full period (the model has its
nights: the rule's reason does not hold).

Neither the crossover nor the titration nor a step by worth is taken for a person with **no
room** to improve (:mod:`model.decision.room`, code ``no_room``): they stay or stop.

The first step (no magnesium night yet) is never a commitment: it rests on the evidence alone.
``mode="thompson"`` explores instead: when not committed, the regimen best in one seeded
random draw.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from model.core.forms import FORMS
from model.decision.baseline import OffNights, baseline_step
from model.decision.candidates import EXPERIMENTS
from model.decision.dose_step import titration
from model.decision.history import History
from model.decision.overrides import harm, held_back, keeps_form
from model.decision.room import Room, stay_row
from model.decision.rules import SAFETY_MOVES, acute_gi
from model.decision.settings import DecisionSettings, Mode, Why
from model.decision.utility import Evaluation, held_by_period
from model.decision.written_hold import held_for_unwritten


@dataclass(frozen=True)
class Choice:
    """The chosen candidate and why.

    Parameters
    ----------
    index : int or None
        Row of the chosen candidate; None: ``collect_more_data``.
    commit : bool
        True when the choice is clear enough to commit to.
    why : str
        The branch of the rule that chose.
    to_learn : bool
        True when the chosen action is not the one with the highest expected utility: it is
        taken for what it will teach.
    held : int or None
        The row of the crossover step that kept a clear choice from being a commitment
        (:func:`crossover_held`).
    later : bool
        True when staying is chosen while the evaluation period holds back a regimen
        expected to do better (:func:`better_later`): no commitment, and the advice says the
        next look weighs it.
    tied : tuple of int
        The other crossover steps as promising as the most promising one (:func:`crossover`):
        the chosen step's form is listed first.
    unwritten : bool
        True when a change was held back for the current regimen's written nights
        (:func:`held_for_unwritten`): staying is then a hold, not a choice by worth that a
        runner-up could flip (:func:`close_call`).
    room : Room or None
        The person's room when none was left: no step to learn or to gain (``no_room``).

    """

    index: int | None
    commit: bool
    why: Why
    to_learn: bool = False
    held: int | None = None
    later: bool = False
    tied: tuple[int, ...] = ()
    unwritten: bool = False
    room: Room | None = None


def value(ev: Evaluation) -> np.ndarray:
    """Expected utility plus learning value of every candidate, shape (A,)."""
    return ev.ranking.expected + ev.learning


def greedy(ev: Evaluation) -> int:
    """The feasible regimen to stay on with the highest expected utility (first on ties)."""
    among = np.flatnonzero(ev.feasible & ev.terminal)
    return int(among[np.argmax(ev.ranking.expected[among])])


def _thompson(ev: Evaluation, rng: np.random.Generator) -> int:
    among = np.flatnonzero(ev.feasible & ev.terminal)
    draw = int(rng.integers(ev.utility.shape[1]))
    return int(among[np.argmax(ev.utility[among, draw])])


def _crossover_steps(ev: Evaluation, past: History, s: DecisionSettings) -> list[int]:
    """The rows the planned crossover may take, allowed now or not (none once it is over).

    A step qualifies with P(better) >= ``s.crossover_p_better`` against the current regimen
    and against the best allowed one of the forms already tried (or none): during a pause
    from a form that clearly works, a new form is not started in its place.
    """
    if (len(past.forms_tried) >= s.crossover_forms or s.learning_periods <= 0
            or acute_gi(past, s)):
        return []
    action = "switch_form" if past.current.active else "start"
    known = [i for i, c in enumerate(ev.candidates) if ev.feasible[i] and ev.terminal[i]
             and (not c.regimen.active or c.regimen.form in past.forms_tried)]
    best = ev.utility[max(known, key=lambda i: float(ev.ranking.expected[i]))] if known \
        else None
    return [i for i, c in enumerate(ev.candidates) if c.action == action
            and c.regimen.form not in past.forms_tried
            and ev.p_better[i] >= s.crossover_p_better
            and (best is None or float(np.mean(ev.utility[i] > best)) >= s.crossover_p_better)]


def crossover(ev: Evaluation, past: History,
              s: DecisionSettings) -> tuple[int, tuple[int, ...]] | None:
    """The next step of the planned crossover and the steps tied with it, or None.

    While fewer than ``s.crossover_forms`` forms have been tried (and something is still to
    be learnt: ``learning_periods > 0``): the allowed ``start`` (without magnesium) or
    ``switch_form`` (same dose) to an untried form with the highest expected utility; a
    start at the highest allowed start dose. Forms whose expected utility is within
    ``s.crossover_tie`` of the highest (a quarter of a weighted MCID: a difference no one
    would notice) or within the Monte Carlo error of it (``s.close_call_se`` standard errors
    of the lead, as :func:`close_call`) are tied with it, and of the tied forms the one
    listed first in :data:`~model.core.forms.FORMS` is taken (the amino-acid chelates before
    the osmotic salts, glycinate first: the seed advice's order, and the chemistry of GI
    risk, evidence addendum 2026-11 section 1). Untried forms differ mostly by weak
    evidence, by hundredths of an SMD from expert entries or by less than the draws' noise:
    the first step went from threonate to taurate between two seeds of the same diary, and a
    tie broken by another noisy number (the worst 10 % of 500 draws) chose oxide. Only forms
    with some chance of beating the current regimen and the best one of the forms tried count
    (P(better) >= ``s.crossover_p_better``, :func:`_crossover_steps`): a form already shown to
    work clearly is not left, nor replaced after a pause, for one the posterior says is worse.
    None during an acute GI problem, while the evaluation period blocks changes, or when no
    untried form qualifies.
    """
    rows = [i for i in _crossover_steps(ev, past, s) if ev.feasible[i]]
    if not rows:
        return None
    dose = max(ev.candidates[i].regimen.elemental_mg for i in rows)
    at_dose = [i for i in rows if ev.candidates[i].regimen.elemental_mg == dose]
    expected = ev.ranking.expected
    top = max(at_dose, key=lambda i: float(expected[i]))

    def as_promising(i: int) -> bool:
        lead = float(expected[top] - expected[i])
        return (i == top or lead < s.crossover_tie
                or _within_error(ev.expected_jackknife, top, i, lead, s))

    tied = [i for i in at_dose if as_promising(i)]
    # the order of FORMS: gentler on the gut first (in words: explain.tie_order_words)
    chosen = min(tied, key=lambda i: FORMS.index(ev.candidates[i].regimen.form))
    return chosen, tuple(i for i in tied if i != chosen)


HELD_FOR_NOW = frozenset({"waiting", "gi_limit"})
"""Blocks that may lift after another period: the evaluation period, and the GI chance
constraint while P(violation) is within ``crossover_gi_wait`` (nights on a form without GI
trouble teach the person's GI sensitivity, which the untried forms share)."""


def crossover_held(ev: Evaluation, past: History, s: DecisionSettings) -> int | None:
    """The step the planned crossover would take but for a block that may lift, or None.

    As :func:`crossover`, among the candidates that only :data:`HELD_FOR_NOW` blocks, a GI
    block counting only with P(GI violation) at most ``s.crossover_gi_wait``: while there is
    one, the design still has a form to try, so the decision does not commit (a commitment
    the next period would undo by switching to learn is no commitment).
    """
    rows = [i for i in _crossover_steps(ev, past, s)
            if not ev.feasible[i] and {code for code, _ in ev.blocked[i]} <= HELD_FOR_NOW
            and ev.p_violation[i] <= s.crossover_gi_wait]
    return max(rows, key=lambda i: float(ev.ranking.expected[i])) if rows else None


def untried(ev: Evaluation, row: int, past: History, s: DecisionSettings) -> bool:
    """Whether the regimen of ``row`` has had fewer than one evaluation period of nights.

    Such a regimen is never a commitment: it is a plan (take it, look again on its review
    date); once its period is recorded it may be committed to. After a crossover of citrate,
    oxide and malate (40 nights each) the advice committed to glycinate, never taken:
    "Clear enough to commit (P(best) 0.88)", "nothing left to learn from it" (an outside
    audit; 65 of 100 random posteriors with three forms tried committed to a form with no
    nights). Explore-then-commit commits to an arm that was explored.
    """
    regimen = ev.candidates[row].regimen
    return regimen.active and past.nights_of(regimen) < s.min_nights


def too_few_draws(ev: Evaluation, s: DecisionSettings) -> bool:
    """Whether the posterior has fewer draws than a commitment needs (``min_commit_draws``)."""
    return ev.utility.shape[1] < s.min_commit_draws


def judging(past: History, s: DecisionSettings) -> bool:
    """Whether the current regimen is still in its evaluation period (no commitment then).

    Its nights are not judged yet, and P(best) is over the few options the period leaves
    open: three nights into oxide the advice said "sure enough to settle on this: best in
    94%" beside "about 6 more nights to tell", and withdrew it two mornings later (/tmp/hL).
    Its nights in every run count (:attr:`History.known_nights`), and it needs its written
    nights too (:meth:`History.written`): 5 written of 27 nights judge nothing.
    """
    return (s.period_holds_changes and not past.first_step
            and (past.known_nights < s.min_nights or past.written(s).needed > 0))


GENTLER_STEPS = SAFETY_MOVES - {"stop"}
"""Steps that keep the current form at a gentler dose (:func:`gentler_same_form`)."""


def gentler_same_form(ev: Evaluation, past: History, s: DecisionSettings) -> int | None:
    """The step that keeps the current form's period going at a gentler dose, or None.

    While the current regimen is in its evaluation period (:func:`judging`) and the GI
    chance constraint alone blocks continuing it, with no acute GI problem (a GI night or
    so, too few to judge a form by; the acute rule watches the nights that follow): the
    smallest allowed change that keeps the form, the same daily dose split, else the highest
    lower dose. One loose night on a new form's first night put its P(GI violation) at 0.41;
    the crossover moved on, and the form, the one that helped that person, was never taken
    again (/tmp/hL, person A). Not the step worth most: worth rests on those first nights
    too, and a lower dose carried into every later switch of the crossover ("at the same
    dose").
    """
    if (ev.feasible[0] or not past.current.active or not judging(past, s)
            or acute_gi(past, s) or {code for code, _ in ev.blocked[0]} != {"gi_limit"}):
        return None
    rows = [i for i, c in enumerate(ev.candidates) if ev.feasible[i]
            and c.action in GENTLER_STEPS and c.regimen.form == past.current.form]

    def change(i: int) -> tuple[float, bool]:        # the daily dose lost, then not a split
        c = ev.candidates[i]
        return past.current.elemental_mg - c.regimen.elemental_mg, c.action != "split_dose"

    return min(rows, key=change) if rows else None


def better_later(ev: Evaluation, best: int) -> bool:
    """Whether a regimen only the evaluation period holds back is expected to beat ``best``.

    P(best) is over the options open now: while the period holds a better one back, P(best)
    1.00 among the two left open is no certainty, and the next look may change.
    """
    waiting = np.flatnonzero(ev.terminal & held_by_period(ev.blocked))
    return any(float(ev.ranking.expected[i]) > float(ev.ranking.expected[best])
               for i in waiting)


BY_WORTH: frozenset[Why] = frozenset({"first_step", "commit", "plan", "collect", "learn"})
"""The branches of the rule that pick the action worth most (the crossover, the titration and
a forced step follow rules of their own; Thompson sampling a random draw)."""


def _within_error(jackknife: np.ndarray, chosen: int, other: int, lead: float,
                  s: DecisionSettings) -> bool:
    """True when ``lead`` (of ``chosen`` over ``other``) is under the Monte Carlo error.

    The bar is ``s.close_call_se`` standard errors of the lead: the delete-a-group jackknife
    over the batches of draws (``jackknife``, one column per batch left out; for a mean it
    equals the batch-means error).
    """
    leads = jackknife[chosen] - jackknife[other]
    k = leads.size
    error = math.sqrt((k - 1) / k * float(np.sum((leads - leads.mean()) ** 2)))
    return lead < s.close_call_se * error


def _lead_within_error(ev: Evaluation, chosen: int, other: int, s: DecisionSettings) -> bool:
    """True when ``chosen`` leads ``other`` in worth by less than the Monte Carlo error."""
    worth = value(ev)
    return _within_error(ev.worth_jackknife, chosen, other, float(worth[chosen] - worth[other]),
                         s)


def close_call(ev: Evaluation, choice: Choice, s: DecisionSettings) -> int | None:
    """The runner-up that the Monte Carlo error of the draws could rank first, or None.

    For a choice by worth (:data:`BY_WORTH`; ``collect`` is ``continue``, row 0; not a hold
    for written nights, :attr:`Choice.unwritten`): the other
    feasible action worth most is a close call when the chosen action's lead over it is within
    the error (:func:`_lead_within_error`).
    """
    if choice.why not in BY_WORTH or choice.unwritten or ev.worth_jackknife.shape[1] < 2:
        return None
    chosen = 0 if choice.index is None else choice.index
    worth = value(ev)
    others = [int(i) for i in np.flatnonzero(ev.feasible) if i != chosen]
    if not others:
        return None
    runner = max(others, key=lambda i: float(worth[i]))
    return runner if _lead_within_error(ev, chosen, runner, s) else None


def stay_on_a_close_call(ev: Evaluation, rule: Choice, past: History,
                         s: DecisionSettings) -> Choice:
    """What the rule's choice becomes when Monte Carlo noise could reverse it.

    For a choice by worth (commit, plan or learn; not the first step, which rests on the
    evidence alone, nor during an acute GI problem), with the draws' batches to judge by:

    - a change whose lead over ``continue`` (row 0, when allowed) is under
      ``s.close_call_se`` standard errors of that lead is not taken: ``collect_more_data``.
      Another fit of the same diary could rank staying first, and advice that flips from one
      night's re-analysis to the next on sampling noise is no advice;
    - a commitment whose runner-up is a close call (:func:`close_call`) is not declared: the
      same step, as a plan (or ``collect_more_data`` when it is to stay), since committing
      would claim more certainty than the fit holds.
    """
    if (rule.why not in ("commit", "plan", "learn") or not ev.feasible[0]
            or ev.worth_jackknife.shape[1] < 2 or acute_gi(past, s)):
        return rule
    change = rule.index if rule.index != 0 else None
    if change is not None and _lead_within_error(ev, change, 0, s):
        return Choice(None, False, "collect", held=rule.held)
    if rule.commit and close_call(ev, rule, s) is not None:
        return Choice(change, False, "plan" if change is not None else "collect")
    return rule


def choose(ev: Evaluation, past: History, mode: Mode, rng: np.random.Generator,
           s: DecisionSettings, room: Room | None = None, off: OffNights | None = None) -> Choice:
    """The rule of the module docstring (or Thompson sampling), with the planned crossover.

    A form in its evaluation period that the GI chance constraint alone stops keeps its
    period at a gentler dose when one is open (:func:`gentler_same_form`). A regimen that
    probably does harm (:func:`harm`) is stopped unless the choice leaves its form
    (:func:`keeps_form`), and a stop not settled on says why. The crossover step
    (:func:`crossover`), when there is one, replaces the rule's choice unless that is forced
    (the evaluation period allows nothing else) or an experiment (the diary cannot separate
    magnesium from expectation and drift); without one, the planned titration
    (:func:`titration`) replaces a choice to keep the current regimen. A change for a gain or
    to learn waits for the current regimen's written nights (:func:`held_for_unwritten`).
    With no ``room`` left (:mod:`model.decision.room`), none of the steps to learn or to gain;
    ``off``: the diary's nights without magnesium (:mod:`model.decision.baseline`).
    """
    stop = harm(ev, past, s) if mode == "expected_utility" else None
    kept = gentler_same_form(ev, past, s) if mode == "expected_utility" else None
    if kept is not None and stop is None:
        return Choice(kept, False, "gentler", kept != greedy(ev))
    chosen = _choose(ev, past, mode, rng, s, room, off)
    if mode == "expected_utility" and (held := held_back(ev, chosen.index, chosen.why, past, s)):
        chosen = Choice(None, False, held)     # kept: unless it does harm (below)
    elif held_for_unwritten(ev, chosen.index, chosen.why, past, s):
        chosen = Choice(None, False, "collect", unwritten=True)
    if stop is not None and (keeps_form(ev, chosen.index, past)
                             or (chosen.index == stop and not chosen.commit)):
        return Choice(stop, False, "harm")
    return chosen


def _choose(ev: Evaluation, past: History, mode: Mode, rng: np.random.Generator,
            s: DecisionSettings, room: Room | None, off: OffNights | None) -> Choice:
    """:func:`choose` after the gentler dose and before the harm rule."""
    rule = _rule(ev, past, mode, rng, s)
    if mode == "expected_utility":
        rule = stay_on_a_close_call(ev, rule, past, s)
    action = ev.candidates[0 if rule.index is None else rule.index].action
    ruled = baseline_step(ev, past, s, off, greedy(ev)) if action not in EXPERIMENTS else None
    if ruled is not None:                   # a withdrawal first, a break, a return: rules
        return Choice(ruled[0], False, ruled[1])
    if mode != "expected_utility" or rule.why == "forced" or action in EXPERIMENTS:
        return rule
    stay = stay_row(ev) if room and room.none_left and not acute_gi(past, s) else None
    if stay is not None:                    # nothing to gain: no crossover, no titration
        kept = rule.commit and rule.index == stay
        return Choice(stay, kept, "commit" if kept else "plan", room=room)
    if (planned := crossover(ev, past, s)) is not None:
        row, tied = planned
        return Choice(row, False, "crossover", row != greedy(ev), tied=tied)
    step = titration(ev, past, s) if action == "continue" else None
    if step is None:
        return rule
    return Choice(step, False, "titrate")      # a rule, not a step chosen to learn


def _rule(ev: Evaluation, past: History, mode: Mode, rng: np.random.Generator,
          s: DecisionSettings) -> Choice:
    """The rule of the module docstring (or Thompson sampling) without the crossover."""
    allowed = np.flatnonzero(ev.feasible)
    best = greedy(ev)
    if allowed.size == 1:
        return Choice(int(allowed[0]), False, "first_step" if past.first_step else "forced")
    if mode == "thompson" and past.first_step:
        return Choice(_thompson(ev, rng), False, "first_step")
    worth = value(ev)
    top = int(allowed[np.argmax(worth[allowed])])
    to_learn = top != best
    if past.first_step:
        return Choice(top, False, "first_step", to_learn)
    still_teaches = float(ev.learning[best]) >= s.commit_value
    later = better_later(ev, best)
    settled = (not to_learn and not later and not judging(past, s)
               and (not still_teaches or ev.ranking.p_best[best] >= s.commit_p_best)
               and not untried(ev, best, past, s) and not too_few_draws(ev, s))
    held = crossover_held(ev, past, s) if settled else None
    if settled and held is None:
        return Choice(best, True, "commit")
    if mode == "thompson":
        return Choice(_thompson(ev, rng), False, "trial")
    if to_learn:
        return Choice(top, False, "learn", True)
    if top == 0 and not acute_gi(past, s):
        return Choice(None, False, "collect", held=held, later=later)
    return Choice(top, False, "plan", held=held)
