"""What the headline's why says a step weighs against its gain: a harm, or what counts most.

The utility weight of each outcome per MCID (:func:`per_mcid`), as the decision counts it;
what a step that keeps the current form weighs against its gain (:func:`tradeoff`: the form's
probable harm so far); and what a step costs on the outcome that counts most for the person
(:func:`against_most`): an anxious person was restarted on glycinate for its awakenings,
its evening anxiety expected slightly worse, and the why did not say so (an outside audit,
/tmp/w51/b B3).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from model.analysis.pipeline import history_of, weights_used
from model.core.change_words import change_words, outcome_name
from model.core.outcomes import OUTCOME_OF_GAIN, OUTCOMES, SPECS
from model.core.special import normal_cdf, normal_quantile
from model.decision.evidence_basis import heaviest
from model.decision.rules import BREACHES
from model.decision.settings import DecisionSettings
from model.report.effect_words import effect_line, old_without

if TYPE_CHECKING:
    from model.analysis.pipeline import Analysis
    from model.decision.assessed import Assessed

NOISE = 0.05
"""A weighted change (utility units: weight x MCIDs) below which it is noise: never a step's
reason (:func:`model.report.headline._driver`), nor a cost said against it."""

UNWEIGHED = frozenset({"refer", "acute_gi", "forced", "hard_week", "diagnostics_failed"})
"""Codes of advice a rule gives rather than the weighing of outcomes: no cost is said of it."""


def per_mcid(result: Analysis) -> dict[str, float]:
    """Utility weight per MCID of each outcome, as the decision counts them."""
    weights = weights_used(result.profile)
    outcomes = result.fit.priors_.settings.outcomes
    return {o: weights.get(o, 0.0) / outcomes[o].mcid for o in OUTCOMES}


def tradeoff(result: Analysis) -> str:
    """What a step that keeps the current form weighs against its gain: a probable harm.

    The current regimen's effect that is worse with P >= 0.9 (verdict ``harms`` or lean
    ``worse``) and weighs most, else "". "Raise the dose to glycinate, 300 mg. Why: It
    matters most for sleep quality 0.1 points higher" stood beside evening anxiety that
    glycinate "probably harms" (an outside audit, /tmp/hH). Not of a form taken when needed
    (``taken_as_needed``), whose nights the advice says it does not judge.
    """
    rec = result.decision.recommendation
    current = history_of(result).current
    if (rec.regimen is None or not current.active or rec.regimen.form != current.form
            or "taken_as_needed" in rec.reason_codes):
        return ""
    weights = per_mcid(result)
    worse = [e for e in result.effects.by_regimen if e.regimen == current and e.tried
             and (e.verdict == "harms" or e.lean == "worse")]
    if not worse:
        return ""
    top = max(worse, key=lambda e: weights[e.outcome] * abs(e.mean))
    said = effect_line(top, old=old_without(result.diary.nights))
    return (f" Against that, on {current.form} so far: {said}; the advice weighs it "
            "against the gain by how much each outcome matters (your profile's weights, or "
            "the defaults).")


LIKELY_WORSE = 0.75
"""P(worse) from which a step's change on what counts most is said against it: three chances
in four, the central half of its draws on the worse side (:func:`p_worse`). "Expected slightly
worse" was said of "falling asleep 1 min slower (17 faster to 27 slower)" (an outside audit,
/tmp/w51/c C8); "probably worse" (0.9, an effect's lean) is the stronger claim."""

NEGLIGIBLE = 0.25
"""The share of the outcome's MCID below which a step's change on it is not said against it:
"evening anxiety 0.1 points higher" is a sixteenth of the 1.6 points that matter."""


def p_worse(step: Assessed, key: str) -> float:
    """P(the step's gain ``key`` is below zero), read from its mean and interval.

    The assessment keeps no draws, only the mean and the central interval of each gain (at the
    decision's level, :attr:`DecisionSettings.interval`); the gain, a mean over many nights, is
    taken as normal with the spread that interval implies. A zero-width interval gives 0 or 1.
    """
    z = normal_quantile(0.5 + DecisionSettings.interval / 2)
    spread = (step.gain_high[key] - step.gain_low[key]) / (2 * z)
    mean = step.gain[key]
    return float(mean < 0) if spread <= 0 else float(normal_cdf(-mean / spread))


def against_most(result: Analysis, said: str = "") -> str:
    """`` It is expected slightly worse on what counts most for you: ...``, or "".

    The step's expected change on the outcome that alone weighs most for the person (the
    profile's weights, :func:`~model.decision.evidence_basis.heaviest`) is said when it is
    likely worse (P >= :data:`LIKELY_WORSE`, :func:`p_worse`), at least :data:`NEGLIGIBLE`
    of the outcome's MCID, and either its weighted loss is at least the step's whole expected
    utility and more than :data:`NOISE` (so the step is ahead only through the other outcomes:
    it is taken against the one that counts most), or its interval lies wholly on the worse
    side. A loss smaller than the step's lead, with an interval across zero, is a cost the
    other outcomes outweigh even without it; a change about as likely better as worse, or
    a small one, is no cost at all: said, it made a near-zero expectation read as a warning
    ("evening anxiety 0.1 points higher (1.3 lower to 1.6 higher)" beside a restart at
    expected utility +0.02: an outside audit, /tmp/w51/c C8). "Slightly" while it is smaller
    than the MCID. Not said of a step a rule gives (:data:`UNWEIGHED`, a breach), nor when
    ``said`` (the why so far) already names that outcome.
    """
    decision = result.decision
    rec = decision.recommendation
    top = heaviest(result.profile.outcome_weights())
    if (decision.chosen is None or len(top) > 1
            or set(rec.reason_codes) & (UNWEIGHED | BREACHES)):
        return ""
    chosen, outcome = decision.assessments[decision.chosen], top[0]
    key, mcid = SPECS[outcome].gain_key, result.fit.priors_.settings.outcomes[outcome].mcid
    loss = -chosen.gain[key]
    weighed = per_mcid(result)[outcome] * loss
    if (loss < NEGLIGIBLE * mcid or p_worse(chosen, key) < LIKELY_WORSE
            or outcome_name(outcome) in said
            or (weighed < max(chosen.expected_utility, NOISE) and chosen.gain_high[key] >= 0)):
        return ""
    return (f" It is expected {'slightly ' if loss < mcid else ''}worse on what counts most "
            f"for you: {gain_words(chosen, key)} against now.")


def gain_words(step: Assessed, key: str) -> str:
    """``step``'s expected change of the gain ``key`` in diary words, with its interval."""
    outcome = OUTCOME_OF_GAIN[key]
    sign = SPECS[outcome].sign
    ends = sorted((sign * step.gain_low[key], sign * step.gain_high[key]))
    return change_words(outcome, sign * step.gain[key], *ends)
