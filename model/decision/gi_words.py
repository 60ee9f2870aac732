"""The words of the steps the GI rules open, and of GI nights that came late.

The gentlest step during loose stools, a gentler dose of a form that the GI chance
constraint stopped in its evaluation period, whether a step is taken for the gut
(:func:`for_the_gut`), and a regimen's GI nights that came late (:func:`late_gi_note`).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from model.core.change_words import GI_TROUBLE, chance, number, per_month, step_words
from model.decision.assessed import Assessed
from model.decision.gi_facts import LateGI
from model.decision.history import History
from model.decision.look_nights import review_days
from model.decision.settings import DecisionSettings

GENTLEST = f"If {GI_TROUBLE} go on"  # how the gentlest-step reason begins (gentler_line)

GI_RISK = "P(over the GI limit)"
"""The one name a person reads for P(GI constraint violated) (JSON keeps
``p_constraint_violation``): the detail said "P(GI constraint violated)", the report's table
"P(GI limit broken)" and its figure "the chance of breaking the GI limit", three names for one
number (a plain-language editor's audit, /tmp/w46/D C3)."""

SPLIT_ASSUMPTION = ("a figure that rests on the model's assumption that GI risk follows the "
                    "dose per intake")
"""What :func:`gentler_line` says of a split dose's GI figure: an assumption, no measurement."""


def gentler_line(chosen: Assessed, assessed: Sequence[Assessed], s: DecisionSettings) -> str:
    """During an acute GI problem: the gentlest allowed way to go on taking magnesium.

    The open change that keeps magnesium with the lowest :data:`GI_RISK`, below
    continuing's (the mean GI gain breaks ties); else stop. Nothing when the advice already
    is that step: a switch whose mean gain was larger, but P(violation) 0.17 against 0.06 for
    continuing, was named "the gentlest step", and "stop" beside the advice to stop. Nothing
    either when the advice itself is a gentler step that keeps magnesium: "switch to taurate
    200 mg" above "the gentlest step open now is to lower the dose to glycinate 100 mg" left
    a reader unable to tell which to take tonight (a reader audit); the acute warning says
    what to do if the trouble goes on. A split dose's figure says that it rests on the
    model's assumption (:data:`SPLIT_ASSUMPTION`): "about 14.7 fewer GI nights per 100" for a
    person who never split a dose read as a measurement (an outside audit, a general
    practitioner). A worse mean says "more GI nights", its interval on that scale: "about
    -0.6 fewer GI nights per 100" stood in the advice (an outside audit). The figure is in
    nights a month, as every GI change a person reads: "about 42.4 fewer GI nights per 100"
    stood beside "GI nights: -12 a month" (a plain-language editor's audit, /tmp/w46/D C4).
    """
    now = assessed[0].p_constraint_violation
    moves = [a for a in assessed if a.feasible and a.action != "continue"
             and "gi_rate" in a.gain and a.p_constraint_violation < now]
    keeping = [a for a in moves if a.regimen.active]
    if not moves or chosen in keeping:
        return ""
    best = min(keeping or moves, key=lambda a: (a.p_constraint_violation, -a.gain["gi_rate"]))
    if best.regimen == chosen.regimen:
        return ""
    keep = " and you keep taking magnesium" if best.regimen.active else ""
    assumed = f"; {SPLIT_ASSUMPTION}" if best.action == "split_dose" else ""
    mean, low, high = (per_month("gi", g["gi_rate"])
                       for g in (best.gain, best.gain_low, best.gain_high))
    fewer = mean >= 0 or not float(number(mean, "gi"))  # by its sign: never "-0.6 fewer"
    word, low, high = ("fewer", low, high) if fewer else ("more", -high, -low)
    wide = max(abs(low), abs(high))     # the interval's ends share one precision
    ends = " to ".join(f"{'-' * (v < 0 and float(number(v, 'gi', wide)) > 0)}"
                       f"{number(v, 'gi', wide)}" for v in (low, high))
    return (f"{GENTLEST}{keep}, the gentlest step open now is "
            f"to {step_words(best.action, best.regimen)} (about {number(mean, 'gi')} {word} "
            f"GI nights a month, {s.interval:.0%} interval {ends}{assumed}).")


def same_form_gentler(chosen: Assessed, stay: Assessed, past: History,
                      s: DecisionSettings) -> str:
    """Why a gentler dose of the form in its period.

    :func:`~model.decision.choice.gentler_same_form` chose it; ``stay``: the assessment of
    continuing, which the GI chance constraint blocks.
    """
    nights = past.known_nights
    return (f"A gentler dose of the same form: after {nights} recorded "
            f"night{'s' * (nights != 1)} on {past.current.words}, its GI nights put the "
            f"chance of too many above the limit ({GI_RISK} "
            f"{chance(stay.p_constraint_violation)}), too few nights to judge the form by; "
            f"{chosen.regimen.words} keeps within it (P {chance(chosen.p_constraint_violation)}), "
            f"so the form's trial goes on. Take it for {review_days(chosen.action, past, s)} "
            f"nights and look again on {chosen.next_review.isoformat()}; if {GI_TROUBLE} go "
            "on, stop.")


KEEPING = frozenset({"continue", "collect_more_data", "refer"})
"""Actions that change no magnesium: no step taken for the gut."""


def for_the_gut(chosen: Assessed, codes: Collection[str], assessed: Sequence[Assessed]) -> bool:
    """Whether a step is taken for the gut, and is expected to bring fewer GI nights.

    A change of regimen (not :data:`KEEPING`) while the current one gives loose stools
    (``codes``, the recommendation's reason codes, hold ``acute_gi``), at a gentler dose of the
    form (``gentler_dose``), or while the GI chance constraint blocks continuing (``gi_limit``
    among continue's codes in ``assessed``); and the mean GI gain of ``chosen`` is positive.
    Its why then leads with the GI change: the switch off citrate under the acute GI rule gave
    "It matters most for falling asleep 4 min faster (23 faster to 16 slower)", an interval
    across zero, and not the GI change it was made for (a sleep scientist's audit, /tmp/w45/A
    F3).
    """
    if chosen.action in KEEPING or chosen.gain.get("gi_rate", 0.0) <= 0:
        return False
    stay = next((a for a in assessed if a.action == "continue"), None)
    return bool({"acute_gi", "gentler_dose"} & set(codes)) or (
        stay is not None and "gi_limit" in stay.reason_codes)


def late_gi_note(late: LateGI | None, high: float) -> str:
    """A regimen's GI nights that came late, beside its GI figure; else ``""``.

    Said when :attr:`LateGI.late` and the last nights' GI share above the person's usual
    without magnesium is above ``high``, the upper end of the figure's interval (a share of
    nights, against placebo): the figure is one steady rate over all the nights on it, and
    "+5.7 a month (+2.2 to +9.3)" stood for citrate whose last 14 nights held 8 GI nights
    (:func:`~model.decision.gi_facts.late_gi`).
    """
    if late is None or not late.late or late.recent / late.window - late.usual <= high:
        return ""
    rate = per_month("gi", late.recent / late.window)
    usual = (f" against {number(per_month('gi', late.usual), 'gi')} without magnesium"
             if late.usual else "")
    return (f"lately more: {late.recent} of the last {late.window} nights, about "
            f"{number(rate, 'gi')} a month{usual}; gut trouble can start after a week or more")
