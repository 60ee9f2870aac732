"""The candidate actions: every regimen one change away from the current one.

From a regimen: ``continue``, ``increase_dose`` / ``decrease_dose`` (steps of ``step_mg``,
capped at the ceiling; from above the ceiling, to it and to every lower dose of the steps and
the start doses; below ``min_dose_mg`` is ``stop``), ``switch_form`` (same elemental dose),
``split_dose`` (from ``split_min_mg``), ``stop``. Without magnesium: ``continue`` without, or
``start`` (each allowed form at each of ``start_doses_mg`` in the evening, and each regimen
taken before within the ceiling: start low applies to a form not yet tolerated, not to going
back to one; the GI chance constraint still judges it).
``continue`` always comes first: the rows of the utilities follow this order.

Two **experiments** join when the diary cannot tell magnesium from expectation and drift
(:mod:`model.personal.separability`) and magnesium is being taken: a ``placebo_period``
(blinded placebo nights, ``mgsleep plan --blind``: expectation stays, magnesium goes, so the
nights show magnesium's own effect) and a ``withdrawal`` (nights off, then back on). Neither is
a regimen to stay on: after it, the person returns to the current one. A withdrawal's nights
help the diary's next fit tell magnesium from drift (:mod:`model.personal.separability`), but
the decision values it as it values ``stop``: by the contrast of no magnesium with the current
regimen at the same future time, in which the predictions' trend cancels (drift is not what
it is valued for). It differs from stopping only in the return, its ``experiment_cost`` and
its learning horizon after the crossover (``experiment_periods``, :mod:`model.decision.settings`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from model.core.forms import PLACEBO
from model.core.regimen import NO_MAGNESIUM, Regimen
from model.decision.history import History
from model.decision.settings import DecisionSettings

EXPERIMENTS = frozenset({"placebo_period", "withdrawal"})
"""Actions taken to learn, after which the person returns to the current regimen."""


@dataclass(frozen=True)
class Candidate:
    """One action and the regimen it leads to (for an experiment: the regimen during it)."""

    action: str
    regimen: Regimen

    @property
    def experiment(self) -> bool:
        """True for a placebo period or a withdrawal."""
        return self.action in EXPERIMENTS


def _lower_doses(dose: float, ceiling_mg: float, s: DecisionSettings) -> list[float]:
    """The doses a ``decrease_dose`` may go to, highest first.

    One step down (``step_mg``); from above the ceiling, every allowed dose of the grid of
    steps from ``min_dose_mg`` and each start dose, with the ceiling itself (a whole
    ``dose_unit_mg``, :meth:`DecisionSettings.capped`): the dose must
    come down, and the least change (to the ceiling) may break the GI chance constraint
    while a lower dose does not (an outside audit: citrate 400 mg was told to stop, "the
    only step allowed", with 350 mg over the GI limit and 300 or 200 mg never assessed).
    None below ``min_dose_mg`` (that is ``stop``).
    """
    if dose <= ceiling_mg:
        downs = {dose - s.step_mg}
    else:
        steps = max(int((ceiling_mg - s.min_dose_mg) // s.step_mg) + 1, 0)
        downs = {s.capped(dose, ceiling_mg), *(s.min_dose_mg + k * s.step_mg for k in range(steps)),
                 *(d for d in s.start_doses_mg if d <= ceiling_mg)}
    return sorted((d for d in downs if d >= s.min_dose_mg), reverse=True)


def forms_open(past: History, allowed_forms: Sequence[str]) -> tuple[str, ...]:
    """The forms a step may go to: after a planned trial, those the person chose to try.

    Once a trial the person planned of two or more forms is over (:attr:`History.trial_over`),
    the step is the best of the forms it compared, or of any other they have tried
    (:attr:`History.forms_tried`), as the README promises: not a form the person never chose
    to try. The learning horizon is then zero (:func:`model.decision.decide.decide`), so an
    untried form was ranked on the evidence's expected utility alone and taken as "try it"
    (an outside audit: "Switch to threonate" after a trial of glycinate and taurate, glycinate
    worse on two loose-stool nights). Every allowed form when none of those is allowed.
    """
    if not past.trial_over:
        return tuple(allowed_forms)
    chosen = past.planned_forms | past.forms_tried
    return tuple(f for f in allowed_forms if f in chosen) or tuple(allowed_forms)


def candidates(current: Regimen, ceiling_mg: float, allowed_forms: Sequence[str],
               s: DecisionSettings, *, experiments: bool = False,
               taken: Sequence[Regimen] = ()) -> list[Candidate]:
    """Every action one change away from ``current`` (ceiling-capped steps, allowed forms).

    Parameters
    ----------
    current : Regimen
        Last night's regimen.
    ceiling_mg : float
        The daily elemental dose never to exceed.
    allowed_forms : sequence of str
        The forms the profile allows.
    s : DecisionSettings
        Dose steps and start doses.
    experiments : bool
        Add the placebo period and the withdrawal (when magnesium is being taken).
    taken : sequence of Regimen
        Regimens taken before; without magnesium, each within the ceiling and of an allowed
        form may be started again as it was.

    Returns
    -------
    list of Candidate
        ``continue`` first.

    """
    if not current.active:
        doses = sorted({s.capped(d, ceiling_mg) for d in s.start_doses_mg} - {0.0})
        starts = [Regimen(f, d) for f in allowed_forms for d in doses if d >= s.min_dose_mg]
        again = [r for r in dict.fromkeys(taken) if r.active and r.form in allowed_forms
                 and r.elemental_mg <= ceiling_mg and r not in starts]
        return [Candidate("continue", NO_MAGNESIUM)] + [
            Candidate("start", r) for r in (*starts, *again)]
    dose = current.elemental_mg
    found = [Candidate("continue", current)]
    up = s.capped(dose + s.step_mg, ceiling_mg)
    if up > dose:
        found.append(Candidate("increase_dose", replace(current, elemental_mg=up)))
    found += [Candidate("decrease_dose", replace(current, elemental_mg=down))
              for down in _lower_doses(dose, ceiling_mg, s)]
    found += [Candidate("switch_form", replace(current, form=f))
              for f in allowed_forms if f != current.form]
    if not current.split and dose >= s.split_min_mg:
        found.append(Candidate("split_dose", replace(current, split=True)))
    found.append(Candidate("stop", NO_MAGNESIUM))
    if experiments:
        found += [Candidate("placebo_period", Regimen(PLACEBO)),
                  Candidate("withdrawal", NO_MAGNESIUM)]
    return found
