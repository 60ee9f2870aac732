"""What a step of the planned crossover gives up: a form that looks to help, left or not restarted.

A switch to learn leaves the regimen taken (:func:`left_behind`: "You leave glycinate 200 mg,
which looks to help you ..."); a start after a break may try an untried form while a form
already tried looks to help ("You do not restart glycinate 200 mg, which looks to help you
..."). Both say the same pieces (:func:`_helps`, :data:`COMES_BACK`), and neither changes the
decision (:func:`model.decision.choice.crossover`): the words say what it costs. "Looks to
help" is the decision's own line (:data:`~model.decision.settings.LOOKS_TO_HELP`), from which
the rule of a withdrawal's return takes the regimen again (:mod:`model.decision.baseline`):
one line, so that the words never call a regimen helping by another bar than the rule's.

>>> left_behind(analysis)                                              # doctest: +SKIP
' You leave glycinate 200 mg, which looks to help you (P(better than stopping) 0.90): ...'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from model.analysis.pipeline import history_of
from model.core.change_words import chance
from model.decision.settings import LOOKS_TO_HELP
from model.report.build_up_words import still_building

if TYPE_CHECKING:
    from model.analysis.pipeline import Analysis
    from model.decision.results import ActionAssessment


NOT_SEPARABLE_HELP = ("; your diary cannot yet tell magnesium from expecting it to help or "
                      "from a bad start passing")
"""Added to a regimen that looks to help while the diary is not separable (a diary begun in a
bad stretch had P(better than stopping) 0.90 to 0.96 with magnesium doing nothing: an outside
audit)."""

COMES_BACK = ": if it stays the best, the crossover comes back to it."
"""What the crossover promises of a form that looks to help and is left for now."""


def harm_words(result: Analysis) -> str:
    """What ``p_harm`` compares, in words (:func:`model.decision.utility.harm_probability`).

    Against placebo (magnesium's own effect); without a placebo night also against no
    magnesium as the nights show it, since a comparison with placebo alone then rests on the
    expectation prior (flat null diaries were told "P 0.94 that it is worse than no
    magnesium": an outside audit).
    """
    said = chance(result.decision.p_harm)
    if result.effects.placebo_nights:
        return f"P {said} that your nights are worse on it than on a placebo"
    return (f"P {said} that your nights are worse on it both than without magnesium and than "
            "on a placebo")


def _helps(result: Analysis, helping: float, than: str) -> str:
    """``which looks to help you (P(better than stopping) 0.90)``, and why it may not be so.

    While the diary is not separable (:mod:`model.personal.separability`) the figure is said
    to be unable to tell magnesium from expectation and a bad start passing
    (:data:`NOT_SEPARABLE_HELP`); the number is the same.
    """
    unsure = "" if result.separability.separable else NOT_SEPARABLE_HELP
    return f"which looks to help you (P(better than {than}) {chance(helping)}{unsure})"


def left_behind(result: Analysis) -> str:
    """What a step of the crossover gives up, when it looks to help, else "".

    A switch leaves the regimen taken: an anxious person on glycinate (P 0.90 that it
    helped) was told "Switch to taurate ... to learn" with no word that glycinate seemed to
    help (an anxious person's audit). A build-up that may not be over yet is said
    (:func:`~model.report.build_up_words.still_building`). A start after a break gives up
    the restart of a form tried before (:func:`_not_restarted`).
    """
    rec = result.decision.recommendation
    if rec.action == "start":
        return _not_restarted(result)
    current = history_of(result).current
    stop = next((a for a in result.decision.assessments if a.action == "stop"), None)
    if rec.action != "switch_form" or not current.active or stop is None:
        return ""
    if "harm" in rec.reason_codes:
        return f" You leave {current.words}, which looks to do you harm ({harm_words(result)})."
    helping = 1.0 - stop.p_better_than_continue
    if helping < LOOKS_TO_HELP:
        return still_building(result, helping=False)
    return (f" You leave {current.words}, {_helps(result, helping, 'stopping')}{COMES_BACK}"
            f"{still_building(result, helping=True)}")


def _not_restarted(result: Analysis) -> str:
    """What a start of an untried form after a break gives up: a tried form that looks to help.

    Mira, 27 nights off glycinate ("probably helps, P 0.99"), was told "Start taurate ... To
    learn" while the restart of glycinate had the highest expected utility, +2.95 against
    +1.65, said only deep in the report's detail (an outside audit, /tmp/w49/c W1). The form
    is the tried one (:attr:`~model.decision.history.History.forms_tried`) whose feasible
    ``start`` is expected to do most (:func:`_best_restart`); it is named when P(better than
    staying off) reaches :data:`~model.decision.settings.LOOKS_TO_HELP`, with its expected
    utility against the step's when it is the higher.
    """
    rec = result.decision.recommendation
    tried = history_of(result).forms_tried
    if rec.regimen is None or rec.regimen.form in tried:
        return ""
    best = _best_restart(result.decision.assessments, tried)
    if best is None or best.p_better_than_continue < LOOKS_TO_HELP:
        return ""
    ahead, step = best.expected_utility, rec.scores.expected_utility
    more = (f"; restarting it is expected to do more now ({ahead:+.2f} against {step:+.2f})"
            if ahead > step else "")
    return (f" You do not restart {best.regimen.words}, "
            f"{_helps(result, best.p_better_than_continue, 'staying off')}{more}{COMES_BACK}")


def _best_restart(assessed: tuple[ActionAssessment, ...],
                  tried: frozenset[str]) -> ActionAssessment | None:
    """The feasible ``start`` of a form already tried with the highest expected utility."""
    restarts = [a for a in assessed
                if a.action == "start" and a.feasible and a.regimen.form in tried]
    return max(restarts, key=lambda a: a.expected_utility, default=None)
