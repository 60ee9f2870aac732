"""What would change the advice after the next period, in words (the pathways' lines).

:func:`model.analysis.pathways.pathways` finds the step each third of the tested regimen's
possible benefit would lead to; these lines say them under the headline.
"""

from __future__ import annotations

from model.analysis.pathways import Pathway, Step
from model.core.change_words import STEP_WORDS, step_words
from model.core.forms import FORMS
from model.decision.judged_nights import KEEPING
from model.decision.screening import Screening

_IF = {"badly": "goes badly", "as_expected": "goes as expected", "well": "goes well"}

CLOSE_CALL = "too close to call"
"""Said of a pathway whose draws could lead to more than one step (:attr:`Pathway.close_to`)."""


def _words(step: Step) -> str:
    """``continue glycinate 300 mg``: one step."""
    return step_words(step.action, None if step.action == "collect_more_data" else step.regimen)


def _order(step: Step) -> tuple[int, int, float]:
    """Steps of a close call in a fixed order (the action's, then FORMS'), not the draws'."""
    regimen = step.regimen
    return (list(STEP_WORDS).index(step.key[0]),
            FORMS.index(regimen.form) if regimen is not None and regimen.active else -1,
            regimen.elemental_mg if regimen is not None else 0.0)


def _untried(step: Step) -> bool:
    """Whether a step is the planned crossover's switch to a form not yet tried."""
    return step.action == "switch_form" and "crossover" in step.reason_codes


def _next_step(pathway: Pathway) -> str:
    """``continue glycinate 300 mg``: the step a pathway leads to, or its close call.

    ``raise the dose to taurate 300 mg or switch to another untried form, too close to
    call``: the steps in a fixed order whichever the whole third chose, and the planned
    crossover's untried forms as one step: in a close call which of them passes its bar
    (P(better) 0.25) is the draws' noise too. Named, they still flipped between malate,
    threonate, citrate and oxide from one morning's refit to the next (a daily user's audit,
    /tmp/w46 C F3); the JSON's ``close_to`` names them.
    """
    if not pathway.close_to:
        return _words(pathway.step)
    said: list[str] = []
    for i, step in enumerate(steps := sorted((pathway.step, *pathway.close_to), key=_order)):
        words = "switch to another untried form" if _untried(step) else _words(step)
        if i and step.action == steps[i - 1].action and not _untried(step):
            words = words.removeprefix(f"{STEP_WORDS[step.action]} ")
        said += [words] if words not in said else []
    return f"{' or '.join(said)}, {CLOSE_CALL}"


IN_TURN = (" (the planned trial of forms in turn: another form is tried before settling on "
           "the best, however well this one goes)")
"""Why a pathway leaves a form that went well (:func:`_note`)."""


SETTLED_AMONG = (" (settled among the forms and doses tried; not whether magnesium itself "
                 "does it)")
"""The note of a commitment while the diary cannot separate magnesium from expectation."""


NOT_SURE = " (not sure, but more trying is not expected to change it)"
"""The note of a commitment at a P(best) below ``commit_p_best`` (:attr:`Pathway.sure`): "(settled)"
was said of one that How sure called not sure (a review of /tmp/w51/a F7)."""

BY_DESIGN_KEPT = " (kept by the trial's design, not settled)"
"""The note of a ``by_design`` commitment that keeps the regimen (continue, record more)."""

BY_DESIGN_OVER = " (the planned comparison is over; not settled)"
"""The note of a ``by_design`` commitment that changes it (stop, switch): "stop magnesium (kept
by the trial's design, not settled)" read as "stay on this" (an outside audit, /tmp/w51/c C9)."""


def _committed(pathway: Pathway) -> str:
    """The note of a commitment: sure or not, kept or left by the trial's design, or none.

    ``by_design`` (the crossover's end, P(best) below 0.8): :data:`BY_DESIGN_KEPT` for a step
    that keeps the regimen (:data:`~model.decision.judged_nights.KEEPING`), else
    :data:`BY_DESIGN_OVER`. None for a close call, whose "too close to call" says it is not
    settled: "continue taurate 200 mg or raise the dose ..., too close to call (settled among
    the forms and doses tried ...)" stood under a headline at P(best) 0.14 (/tmp/w51/c C7).
    Otherwise sure (:attr:`Pathway.sure`, How sure's line) or :data:`NOT_SURE`.
    """
    codes = set(pathway.reason_codes)
    if pathway.close_to:
        return ""
    if "by_design" in codes:
        return BY_DESIGN_KEPT if pathway.action in KEEPING else BY_DESIGN_OVER
    if not pathway.sure:
        return NOT_SURE
    return SETTLED_AMONG if "expectation_not_separable" in codes else " (settled)"


def _in_turn(pathway: Pathway) -> bool:
    """Whether the well third's step is the planned crossover's, away from the tested form."""
    return pathway.scenario == "well" and any(
        _untried(step) and step.regimen is not None and step.regimen.form != pathway.tested.form
        for step in (pathway.step, *pathway.close_to))


BY_WORTH = frozenset({"commit", "best_expected"})
"""The codes of a step the rule takes as the best expected (by worth, not to learn)."""


def _better_anyway(pathway: Pathway) -> str:
    """`` (even if threonate 200 mg goes well, glycinate 200 mg is expected to do better)``.

    When the well third leaves the tested form for another form by worth (:data:`BY_WORTH`,
    not to learn, no close call): the rule takes the step expected to do better than staying
    in that third's draws (a stop keeps its note alone: "no magnesium is expected to do
    better" would read as a verdict on magnesium). Once the planned comparison is over the
    best form tried is kept, and "whichever way it goes: switch to glycinate 200 mg" under a
    period on threonate did not say why a good period would not keep it (a traveller's
    audit, /tmp/w55/t T7).
    """
    codes, regimen, tested = set(pathway.reason_codes), pathway.regimen, pathway.tested
    if (pathway.scenario != "well" or pathway.close_to or not codes & BY_WORTH
            or codes & {"learn", "harm"} or regimen is None or not regimen.active
            or regimen.form == tested.form):
        return ""
    return f" (even if {tested.words} goes well, {regimen.words} is expected to do better)"


def _why_left(pathway: Pathway) -> str:
    """Why the well third leaves the tested form: :data:`IN_TURN`, :func:`_better_anyway` or ""."""
    return IN_TURN if _in_turn(pathway) else _better_anyway(pathway)


def _kind(pathway: Pathway) -> str:
    """`` (to learn)``, a commitment's note (:func:`_committed`), or ""."""
    codes = set(pathway.reason_codes)
    if "learn" in codes:
        return " (to learn)"
    return _committed(pathway) if "commit" in codes else ""


def _joined(why: str, kind: str) -> str:
    """The notes ``why`` and ``kind`` as one: :data:`IN_TURN` alone, else `` (why; kind)``."""
    if why == IN_TURN:
        return IN_TURN
    said = [note.removeprefix(" (").removesuffix(")") for note in (why, kind) if note]
    return f" ({'; '.join(said)})" if said else ""


def _note(pathway: Pathway) -> str:
    """Why the well third leaves the tested form (:func:`_why_left`), then :func:`_kind`.

    A commitment while the diary cannot tell magnesium from expectation
    (``expectation_not_separable``) is :data:`SETTLED_AMONG`: "if it goes badly: continue
    taurate 300 mg (settled)" stood beside "placebo nights are needed to tell magnesium from
    expectation" (an outside audit, /tmp/w50/a F5; the How sure says what would settle it).
    A step of the planned crossover away from the tested form after it went well says why
    (:data:`IN_TURN`): "if taurate goes well, switch to oxide" read as a mistake (a daily
    user's audit, /tmp/w46 C F3); so does a step to a regimen expected to do better even then
    (:func:`_better_anyway`).
    """
    return _joined(_why_left(pathway), _kind(pathway))


def pathway_line(pathway: Pathway) -> str:
    """``if it goes well: continue glycinate 300 mg (settled)``."""
    return f"if it {_IF[pathway.scenario]}: {_next_step(pathway)}{_note(pathway)}"


def pathway_lines(pathways: tuple[Pathway, ...]) -> list[str]:
    """One line per pathway, or one for all when they lead to the same step.

    Three lines naming the same step would read as if the period could change it; the
    note (to learn, settled) is kept when all three share it, and why the well third leaves
    the tested form (:func:`_why_left`) always: "whichever way it goes: switch to glycinate
    200 mg" under a period on threonate did not say why a good period would not keep it (a
    traveller's audit, /tmp/w55/t T7).
    """
    steps, kinds = {_next_step(p) for p in pathways}, {_kind(p) for p in pathways}
    if len(pathways) > 1 and len(steps) == 1:
        why = next((w for p in pathways if (w := _why_left(p))), "")
        return [f"whichever way it goes: {steps.pop()}"
                f"{_joined(why, kinds.pop() if len(kinds) == 1 else '')}"]
    return [pathway_line(p) for p in pathways]


_PERIOD = {"stop": "without magnesium", "withdrawal": "without magnesium",
           "placebo_period": "on a blinded placebo"}
"""The next period of an action that does not take the regimen it tests."""


def pathways_intro(pathways: tuple[Pathway, ...], action: str) -> str:
    """The line before the pathways: the next period and the regimen it tests.

    A period without magnesium or on placebo (``action`` stop, withdrawal, placebo period)
    tests the regimen taken before it: what it did shows in what is lost.
    """
    tested = pathways[0].tested.words
    period = (f"{_PERIOD[action]}, which shows what {tested} did for you" if action in _PERIOD
              else f"on {tested}")
    return (f"What would change this, after the next period {period} (if what {tested} does "
            "for you, by your weights, turns out in the lowest, middle or top third of what is "
            "possible now):")


RAISE_CHECKS = {"moderate_renal_impairment": " (only after a serum magnesium check, which "
                "your kidney caution asks for before a dose is raised)"}
"""What a caution of ``safety.toml`` asks for before a dose is raised, by the rule's id."""


def raise_checked(line: str, rules: Screening) -> str:
    """A pathway line that raises the dose, with the check a caution that applies asks first.

    At eGFR 30-59 "if it goes well: raise the dose to glycinate 300 mg" left out the serum
    magnesium the kidney caution asks for "before a dose is raised" (a pharmacist's audit).
    """
    said = "".join(words for rule, words in RAISE_CHECKS.items() if rule in rules.rules_applied)
    return f"{line}{said}" if STEP_WORDS["increase_dose"] in line else line
