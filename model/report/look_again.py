"""When the headline says to look again, and why a change waits for that date.

The date in words (:func:`review_words`: ``2026-05-13 (in 12 days).``, ``today``, or a date
that has passed), the words of a referral's look that waits for a clinician or a label, and
the why of a step that waits for the evaluation period (:func:`waiting_why`), whose length
follows the build-up time the fit estimates, so that its date moves as that estimate settles.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from model.core.change_words import step_words
from model.decision.explain import best_waiting
from model.decision.rules import LATE_SYNC_DAYS, nights_until

if TYPE_CHECKING:
    from model.analysis.pipeline import Analysis
    from model.decision.assessed import Assessed

AFTER_REFERRAL = ("after a clinician has advised: while your profile gives this reason, "
                  "mgsleep suggests no new form or dose.")
"""When to look again after a referral: not on a date, since the next step is the clinician's
and the profile keeps referring (the JSON's ``next_review`` is null, from schema_version 12)."""

AFTER_LABEL = ("once your profile gives other_magnesium_mg: until then mgsleep suggests no new "
               "form or dose.")
"""When to look again after a hold the profile lifts (``other_unread``): not a clinician's."""

PERIOD_FOLLOWS_BUILD_UP = ("its length follows the build-up time estimated from your nights, "
                           "so the date may move, earlier or later, as that estimate settles")
"""What the date of a change that waits rests on. A daily audit (/tmp/w46/C F2) saw it move by
up to four nights from one morning to the next, where "a night or two" had been promised."""


def waiting_why(result: Analysis) -> str:
    """Why the only step open now is to continue: a change waits for the evaluation period.

    Names the step the choice takes once the period is over
    (:func:`~model.decision.plan_words.best_waiting`) and whether it is expected to do better
    than staying (:func:`_then`); "" when no step waits or the advice is no ``forced``
    continue.
    """
    rec = result.decision.recommendation
    waiting = (best_waiting(result.decision.assessments) if "forced" in rec.reason_codes
               else None)
    if waiting is None or rec.action != "continue":
        return ""
    then = _then(waiting, result.decision.assessments, rec.scores.expected_utility)
    return (f"a change waits until {rec.next_review.isoformat()}, when the current period "
            f"has run long enough to judge one ({PERIOD_FOLLOWS_BUILD_UP}); on current data "
            f"{then}.")


def _then(step: Assessed, assessed: Sequence[Assessed], stay: float) -> str:
    """The step once the period is over, and a step waiting that is expected to do better.

    A step then not expected to do better than staying (expected utility ``stay``) is taken
    by the plan or for what it teaches, and is named: "no change then is expected to do
    better than staying" stood where the step then was a blinded placebo period and stopping,
    which waits too, was expected to do better than staying (expected utility +0.20 against
    0; an outside audit, /tmp/w51/b B6). Such a step is then named with its expected utility.
    """
    said = step_words(step.action, step.regimen)
    if step.expected_utility > stay:
        return f"the best step then is to {said}"
    better = max((a for a in assessed if set(a.reason_codes) == {"waiting"}
                  and a.expected_utility > stay), key=lambda a: a.expected_utility, default=None)
    then = f"the step then is to {said}, taken by the plan or for what it teaches"
    if better is None:
        return f"{then}: no change then is expected to do better than staying"
    return (f"{then}, though it is not expected to do better than staying; of the steps "
            f"waiting, to {step_words(better.action, better.regimen)} is expected to do better "
            f"(expected utility {better.expected_utility:+.2f} against {stay:+.2f} for staying)")


def review_words(review: dt.date, as_of: dt.date, today: dt.date | None = None) -> str:
    """When to look again: ``2026-05-13 (in 12 days).``, counted from today.

    (From the analysis date when that is later: a simulated or planned future.) A date that
    is today says so: "2026-12-06 (in 0 days)" stood in a daily audit (/tmp/w46/C F6). A
    diary whose last night is long past may give a date that has passed by ``today``: it
    says so, rather than "in 13 days" seven months late; one out of date by less says what
    its date counts from (:func:`_counted_from`).
    """
    days, now = (review - as_of).days, today or dt.date.today()
    if review >= now:
        days_left = (review - max(as_of, now)).days
        when = f"in {days_left} day{'s' * (days_left != 1)}" if days_left else "today"
        return f"{review.isoformat()} ({when}{_counted_from(review, as_of, now)})."
    return (f"{review.isoformat()} ({days} day{'s' * (days != 1)} after {as_of.isoformat()}, "
            "the date this analysis is as of; that date has passed: log your nights since "
            "then and run it again).")


def _counted_from(review: dt.date, as_of: dt.date, now: dt.date) -> str:
    """What the date of an out-of-date diary's look counts from, or "".

    A diary whose last night is more than :data:`~model.decision.rules.LATE_SYNC_DAYS` before
    today keeps its own dates (:func:`~model.decision.rules.change_starts`: an archived diary
    re-analysed later is not moved), so the period's nights count from that night, not from
    tonight. Ana's read "Look again: 2026-12-16 (in 9 days)" beside "try taurate 150 mg for
    18 nights" (an outside audit, /tmp/w49/c M5).
    """
    if (now - as_of).days <= LATE_SYNC_DAYS:
        return ""
    nights = nights_until(review, as_of)
    return (f": {nights} night{'s' * (nights != 1)} counted from your diary's last night, "
            f"{as_of.isoformat()}; log the nights since with mgsleep log --date and analyse "
            "again")
