"""What the report says of breaks from magnesium: one under way, one that counted, an old one.

A break that counts as a withdrawal (:mod:`model.personal.withdrawal`: long enough for the
effect to fade, with nights written to compare) is what tells whether the regimen taken before
it still does something: the person who stops to ask "do I still need it?" has the answer in
the effect lines. A person's own three-week break from glycinate counted, and its effect read
"falling asleep 1 min faster (5 faster to 2 slower): not shown to reach the 20 min ...", yet
the headline was "Start taurate ... Why: To learn: the planned crossover ..." with no word of
what the break showed (an outside audit, /tmp/w50/b F-6). When the step does not return to the
form the break was from, the why says it (:func:`break_showed`): the effect on the outcome
weighing most, as its line says it. The decision is not changed.

The headline of a step of the baseline rules (:mod:`model.decision.baseline`) says the
decision's own words (:mod:`model.decision.baseline_words`): a break kept going, what to do
and why (:func:`stay_off`: "Recommendation: Keep your current routine ..." and "How sure: ...
more nights here would teach little" stood beside "Stay without magnesium for 6 more nights",
/tmp/w50/b F-5); a return, why it is taken (:func:`returned_why`: "Why: On citrate so far:
... not settled yet", /tmp/w50/a F3); the withdrawal of a stale baseline, when the last nights
off were (:func:`stale_why`: "Why: To learn: nights off show whether magnesium helped",
/tmp/w50/b F-1). The break is the one under way, as the decision reads it
(:class:`~model.decision.baseline.OffNights`).

>>> break_showed(analysis)                                             # doctest: +SKIP
' Your break from glycinate 200 mg (nights off from 2026-11-02 to 2026-11-22) counts as a ...'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from model.analysis.pipeline import history_of
from model.core.regimen import Regimen
from model.decision import Recommendation
from model.decision.baseline import OffNights, lead_of
from model.decision.baseline_words import STAY_OFF, STAY_ON_PLACEBO, returned_words, stale_words
from model.decision.gi_facts import STOMACH_TROUBLE
from model.personal.withdrawal import WITHDRAWAL_SURE, p_enough
from model.report.effect_words import effect_line, held_as_prescribed, old_without, tried_forms

if TYPE_CHECKING:
    from model.analysis.pipeline import Analysis


def _off(result: Analysis) -> OffNights:
    """The diary's nights without magnesium as the decision read them (its ``lead`` too)."""
    return OffNights.read(result.diary, result.as_of, lead_of(history_of(result)))


def break_showed(result: Analysis) -> str:
    """`` Your break from glycinate 200 mg (...) counts as a withdrawal; with it, ...``, or "".

    Said when the break under way (:attr:`OffNights.brk`: the diary's latest, to its last
    night) counts as a withdrawal (:func:`~model.personal.withdrawal.p_enough` under the fit's
    time constants, from :data:`~model.personal.withdrawal.WITHDRAWAL_SURE`, as
    :func:`~model.personal.separability.separability` counts one), the fit passed its checks,
    the advice is no referral, and the step takes no regimen of the form the break was from
    (:attr:`OffNights.stopped`). The effect is that form's dose's on the recorded outcome
    weighing most (:func:`~model.report.effect_words.tried_forms`' order).
    """
    rec = result.decision.recommendation
    if not result.fit.diagnostics_.ok or rec.action == "refer":
        return ""
    off = _off(result)
    if off.brk is None or p_enough(off.brk, result.fit.draws_) < WITHDRAWAL_SURE:
        return ""
    before = off.stopped
    if rec.regimen is not None and rec.regimen.form == before.form:
        return ""
    own = next((own for _, own in tried_forms(result.effects, result.profile.outcome_weights())
                if own[0].regimen == before), [])
    top = next((e for e in own if e.recorded), None)
    if top is None:
        return ""
    line = effect_line(top, held_as_prescribed(rec.reason_codes),
                       old_without(result.diary.nights))
    return (f" Your break from {before.words} (nights off from {off.brk.first} to "
            f"{off.brk.last}) counts as a withdrawal; with it, {before.words} shows {line}."
            f"{_not_again(result, before)}")


def _not_again(result: Analysis, regimen: Regimen) -> str:
    """Why a regimen the break read out is not taken again when its GI trouble is the reason.

    "Probably helps (P > 0.99)" was read out beside a step to another form, the reason (a
    return to it waits: it gave you loose stools) only in the decision's detail (a second
    outside audit, /tmp/w50/c C9).
    """
    past = history_of(result)
    if regimen not in past.gi_troubled:
        return ""
    words = past.gi_trouble_words.get(regimen, STOMACH_TROUBLE)
    return (f" It is not taken again at once: you had {words} on it, so a return to it waits "
            "for the period like any other change.")


def stay_off(rec: Recommendation) -> tuple[str, str]:
    """What to do and why, of a break kept going (code ``break_under_way``), else ("", "").

    The decision's own reason (:func:`~model.decision.baseline_words.break_line`), its first
    sentence ("Stay without magnesium for 6 more nights: your break from glycinate 200 mg
    then counts as a withdrawal, which tells whether glycinate 200 mg still helps you.", or
    of a placebo period "Stay on placebo for 2 more nights in place of ...") and the rest:
    the terminal, the report and the JSON's reasons say the same words.
    """
    said = next((r for r in rec.reasons if r.startswith((STAY_OFF, STAY_ON_PLACEBO))), "") \
        if "break_under_way" in rec.reason_codes else ""
    what, _, why = said.partition(". ")
    return (f"{what}." if what else "", why)


def returned_why(result: Analysis) -> str:
    """Why the regimen a counted break left is taken again (code ``withdrawal_return``).

    :func:`~model.decision.baseline_words.returned_words`, as the decision's reason says it:
    the regimen taken again and its P(better than staying off), the break under way.
    """
    rec = result.decision.recommendation
    if rec.regimen is None:
        return ""
    return returned_words(rec.regimen.words, rec.scores.p_better_than_continue,
                          _off(result)) + "."


def stale_why(result: Analysis) -> str:
    """Why the withdrawal of a stale baseline (code ``stale_baseline``), or "".

    When the last nights without magnesium were, and that only nights off can tell whether
    the magnesium taken now still helps (:func:`~model.decision.baseline_words.stale_words`),
    as the decision's reason says it.
    """
    said = stale_words(_off(result),
                       history_of(result).current.words)
    return f"{said} (`mgsleep plan --blind` prepares a blinded version)." if said else ""
