"""The stable reason codes of a recommendation, from the branch of the choice and the diary.

What each code means is :data:`model.decision.results.REASON_CODES`; :func:`reason_codes`
says which a recommendation carries, in order: its branch's code first
(:data:`WHY_CODES`), the hard rules the current regimen breaks last.
"""

from __future__ import annotations

from model.decision.choice import Choice
from model.decision.history import History
from model.decision.overrides import dose_to_check
from model.decision.settings import Why

WHY_CODES: dict[Why, str] = {
    "first_step": "first_step", "learn": "learn", "commit": "commit", "plan": "best_expected",
    "collect": "collect", "forced": "forced", "trial": "thompson", "crossover": "crossover",
    "titrate": "titration", "gentler": "gentler_dose", "harm": "harm",
    "hard_week": "hard_week", "no_baseline": "no_baseline", "other_change": "other_change",
    "finish_break": "break_under_way", "withdrawal_return": "withdrawal_return"}
"""The code of each branch of the choice (:data:`~model.decision.settings.Why`)."""

EXPERIMENT_CODES = {"placebo_period": "placebo_test", "withdrawal": "withdrawal_test"}
"""The code of each experiment's action."""


def reason_codes(choice: Choice, action: str, past: History, separable: bool | None,
                 acute: bool, breaks: tuple[str, ...], *, close: bool, by_design: bool,
                 harmful: bool, teaches: bool, stale: bool = False) -> tuple[str, ...]:
    """The stable reason codes of a recommendation (see ``REASON_CODES``).

    ``harmful``: the current regimen probably does harm, whichever branch chose the step.
    ``teaches``: the chosen step has a learning value (as shown,
    :data:`~model.decision.plan_words.TO_LEARN`); without one no step is said to be taken
    ``learn`` (a planned titration with learning value 0.00 was coded ``learn`` and
    headlined "To learn": an outside audit). ``stale``:
    the diary's baseline is stale (:func:`model.decision.baseline.stale`), so the
    no-baseline rule's withdrawal is coded ``stale_baseline``: the diary has nights off, old
    ones. A break under way kept going (``finish_break``) is ``withdrawal_test`` too: its
    nights off are the withdrawal's; a placebo period under way kept going is
    ``placebo_test`` (/tmp/w50/c C10).
    """
    stale_rule = stale and choice.why == "no_baseline"
    codes = ["stale_baseline" if stale_rule else WHY_CODES[choice.why]]
    if harmful and choice.why != "harm":
        codes.append("harm")
    if choice.why == "crossover" and past.first_step:
        codes.insert(0, "first_step")
    if choice.why == "first_step" and action == "continue":
        codes.append("no_start_worth_trying")
    if choice.to_learn and teaches and "learn" not in codes:
        codes.append("learn")
    if action in EXPERIMENT_CODES or choice.why == "finish_break":   # the break's experiment
        codes.append(EXPERIMENT_CODES.get(action, "placebo_test" if past.placebo_nights
                                          else "withdrawal_test"))
    if separable is False and past.current.active:
        codes.append("expectation_not_separable")
    if acute:
        codes.append("acute_gi")
    if close:
        codes.append("close_call")
    if choice.held is not None:
        codes.append("crossover_held")
    if by_design:
        codes.append("by_design")
    if choice.later and not choice.commit:
        codes.append("better_after_period")
    if dose_to_check(past.current):
        codes.append("dose_check")
    if choice.unwritten:
        codes.append("unwritten")
    if choice.room is not None:
        codes.append("no_room")
    return (*codes, *breaks)
