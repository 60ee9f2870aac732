"""The stable reason codes of a recommendation, from the branch of the choice and the diary.

What each code means is :data:`REASON_CODES`; :func:`reason_codes`
says which a recommendation carries, in order: its branch's code first
(:data:`WHY_CODES`), the hard rules the current regimen breaks last.
"""

from __future__ import annotations

from model.decision.choice import Choice
from model.decision.history import History
from model.decision.overrides import dose_to_check
from model.decision.settings import Why

REASON_CODES: dict[str, str] = {
    "first_step": "a first step from the evidence alone (no magnesium night yet)",
    "learn": "chosen for what its nights will teach, not for the best expected utility",
    "commit": ("clear enough to commit: experimenting no longer pays or P(best) is high; "
               "never to a regimen without one evaluation period of nights"),
    "best_expected": "the highest expected utility; not yet clear: look again",
    "collect": "nothing is worth changing now: keep the current regimen and record nights",
    "forced": "the only step allowed now",
    "thompson": "Thompson sampling: best in one random posterior draw",
    "crossover": "the next form of the planned crossover (the most promising forms in turn)",
    "crossover_held": ("not a commitment: the planned crossover still has a form to try, held "
                       "back for now by the evaluation period or a GI chance near the limit"),
    "titration": ("the planned dose step up the chosen form (up to the reference dose, never "
                  "to a dose already judged): a rule, since the model's dose curve (fixed "
                  "ED50) cannot price it; not chosen to learn, and its expected utility after "
                  "the cost of a change may be below staying's"),
    "gentler_dose": ("the form being tried, at a gentler dose (split or lower): the GI chance "
                     "constraint stopped it at its dose before its evaluation period was over"),
    "better_after_period": ("not a commitment: the evaluation period holds back a step "
                            "expected to do better; the next look weighs it"),
    "by_design": ("with commit: kept because the planned crossover is over (explore, then "
                  "commit), not settled: P(best) is below 0.8, and the next nights may still "
                  "change it"),
    "planned": ("the next step of the trial plan written in the diary (mgsleep plan): kept "
                "to unless a safety rule speaks; the model's own step is among the reasons"),
    "no_start_worth_trying": "no start is expected to help enough to be worth trying",
    "placebo_test": "a blinded placebo period to separate magnesium from expectation",
    "withdrawal_test": ("a withdrawal (nights off, then back on), or with break_under_way the "
                        "nights off still to come of one: its nights help the fit tell "
                        "magnesium from drift; the decision values it as stopping's contrast "
                        "less its cost"),
    "stale_baseline": ("as no_baseline, for a diary with nights off magnesium but fewer than 7 "
                       "in the last 180 (BASELINE_HORIZON), the current magnesium taken 14+ "
                       "nights: too old to tell what it does now"),
    "break_under_way": ("with collect_more_data: a break after 14+ nights on magnesium that "
                        "cannot separate it (or a stale baseline), kept going until it counts "
                        "(a period at most), from a regimen one could go back to; or a placebo "
                        "period under way, to 7 placebo nights (with placebo_test)"),
    "withdrawal_return": ("the regimen a counted break left, taken again while off: allowed, "
                          "and P(better than staying off) >= 0.8 or the best expected step; "
                          "held by a hard week or another change"),
    "no_baseline": ("a rule: after 14+ nights on magnesium the diary has fewer than 7 "
                    "without it (none or placebo), so it cannot tell what the current regimen "
                    "does; its withdrawal (withdrawal_test), for the nights the next analysis "
                    "needs to count it, comes before any switch, dose step or commitment"),
    "expectation_not_separable": "the diary cannot yet tell magnesium from expectation and drift",
    "hard_week": ("a week of very high anxiety (8 or more on 4 of the last 7 nights): no "
                  "change for a gain or to learn until it passes, only what safety asks for; "
                  "see a clinician"),
    "other_change": ("something else changed in the person's life within one evaluation "
                     "period (diary column other_change: a medicine, melatonin, CBT-I): no "
                     "change to magnesium for a gain or to learn until a period after it, "
                     "only what safety asks for; the nights since cannot tell it from "
                     "magnesium"),
    "taken_as_needed": ("with collect: the current magnesium form was taken mostly on nights "
                        "already worse before the dose (that evening's anxiety, the night "
                        "before's sleep): its nights cannot tell it from the reason it was "
                        "taken, so no stop for harm, no commitment and no change for a gain or "
                        "to learn until it is taken every night; its sentence comes first "
                        "among the reasons"),
    "unwritten": ("with collect: the current magnesium regimen has fewer than 7 written "
                  "nights (not excluded); unwritten nights count for its period, not for "
                  "judging it: no change for a gain or to learn and no commitment until they "
                  "are written, the look waiting for them at the person's pace; its sentence "
                  "comes first among the reasons"),
    "dose_check": ("the current dose is under 25 mg a day (less than half the smallest "
                   "tablet: 2 capsules, 2 g or 2 mmol written as 2 mg?), or above the ceiling "
                   "and within it as its form's compound weight (1000 mg of glycinate: 141 mg "
                   "written as elemental?): no commitment on it and no change for a gain or "
                   "to learn until the diary gives the dose taken, only what safety asks for "
                   "(above the ceiling, no dose step at all: collect_more_data without a "
                   "regimen, take no more than the ceiling meanwhile); its sentence comes "
                   "first among the reasons"),
    "acute_gi": "recent GI nights on the current regimen",
    "harm": ("the current regimen probably does harm: P(it is worse than placebo and, until "
             "the diary has a placebo night, than no magnesium as the nights show it) (p_harm) "
             ">= 0.8 (DecisionSettings.harm_stop_p); it is stopped, its evaluation period over "
             "or not, unless the step goes back to a regimen judged over a full "
             "period; a trial plan waits"),
    "close_call": ("the runner-up is within the Monte Carlo error of this fit (it is named); "
                   "no change or commitment is made on it"),
    "refer": "a contraindication: see a clinician, no magnesium advice",
    "refer_stop": ("a contraindication while taking magnesium (last night, or within the last "
                   "7 nights): none from now (stop now, or with off_lately do not restart it) "
                   "and see a clinician"),
    "off_lately": ("with refer_stop: the diary's last nights had no magnesium (none or "
                   "placebo) after the magnesium taken before them: the answer says not to "
                   "restart it rather than to stop it now"),
    "other_magnesium": ("with refer: the magnesium the profile's other products give a day "
                        "leaves less than the least dose advised under the daily limit"),
    "refer_hold": ("a medicine with which magnesium is not changed without the prescriber "
                   "(digoxin), or pregnancy or breastfeeding: keep the current routine within "
                   "the hard rules and see a clinician"),
    "no_room": ("no room to improve: on every outcome weighed and recorded the typical night "
                "is within one MCID of the scale's better end; no form or dose is tried, and "
                "on magnesium the choice is between continuing and stopping"),
    "other_unread": ("with refer_hold: the only hold is another magnesium product whose "
                     "amount a day mgsleep cannot read: the routine is kept, and the profile's "
                     "other_magnesium_mg (from its label), not a clinician, lifts the hold"),
    "medicine_hold": ("with refer_hold: the hold is a medicine's (digoxin): even a change the "
                      "hard rules ask for is the prescriber's to make"),
    "prescribed": ("the magnesium is a prescribed treatment (prescribed_magnesium, a low "
                   "magnesium among the conditions): with refer_hold it is kept as prescribed "
                   "and changed only with the prescriber; beside a contraindication (no "
                   "refer_stop) the prescriber is contacted today rather than it stopped"),
    "diagnostics_failed": "the fit failed its checks: no dosing advice",
    "current_excluded": "the current form is one the profile excludes: not kept",
    "current_above_ceiling": "the current dose is above the daily ceiling: not kept",
    "above_ceiling": "blocked: above the daily ceiling",
    "excluded_form": "blocked: a form the profile excludes",
    "waiting": "blocked: the current regimen's evaluation period is not over",
    "gi_limit": "blocked: the GI chance constraint",
    "not_checked": ("the profile names a condition or medicine not in the safety data "
                    "(accepted with --allow-unknown): ask a pharmacist or clinician first"),
}
"""Every stable ``reason_codes`` value of the ``analyze`` JSON and what it means."""


WHY_CODES: dict[Why, str] = {
    "first_step": "first_step", "learn": "learn", "commit": "commit", "plan": "best_expected",
    "collect": "collect", "forced": "forced", "trial": "thompson", "crossover": "crossover",
    "titrate": "titration", "gentler": "gentler_dose", "harm": "harm",
    "hard_week": "hard_week", "no_baseline": "no_baseline", "other_change": "other_change",
    "finish_break": "break_under_way", "withdrawal_return": "withdrawal_return",
    "as_needed": "taken_as_needed"}
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
