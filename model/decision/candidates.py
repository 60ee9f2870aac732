"""The candidate actions: every regimen one change away from the current one.

From a regimen: ``continue``, ``increase_dose`` / ``decrease_dose`` (steps of ``step_mg``,
capped at the ceiling; below ``min_dose_mg`` is ``stop``), ``switch_form`` (same elemental
dose), ``split_dose`` (from ``split_min_mg``), ``stop``. Without magnesium: ``continue``
without, or ``start`` (each allowed form at each of ``start_doses_mg`` in the evening).
``continue`` always comes first: the rows of the utilities follow this order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from model.core.regimen import NO_MAGNESIUM, Regimen
from model.decision.settings import DecisionSettings


@dataclass(frozen=True)
class Candidate:
    """One action and the regimen it leads to."""

    action: str
    regimen: Regimen


def candidates(current: Regimen, ceiling_mg: float, allowed_forms: Sequence[str],
               s: DecisionSettings) -> list[Candidate]:
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

    Returns
    -------
    list of Candidate
        ``continue`` first.

    """
    if not current.active:
        doses = sorted({min(d, ceiling_mg) for d in s.start_doses_mg} - {0.0})
        return [Candidate("continue", NO_MAGNESIUM)] + [
            Candidate("start", Regimen(f, d)) for f in allowed_forms for d in doses
            if d >= s.min_dose_mg]
    dose = current.elemental_mg
    found = [Candidate("continue", current)]
    up = min(dose + s.step_mg, ceiling_mg)
    if up > dose:
        found.append(Candidate("increase_dose", replace(current, elemental_mg=up)))
    down = min(dose - s.step_mg, ceiling_mg)
    if down >= s.min_dose_mg:
        found.append(Candidate("decrease_dose", replace(current, elemental_mg=down)))
    found += [Candidate("switch_form", replace(current, form=f))
              for f in allowed_forms if f != current.form]
    if not current.split and dose >= s.split_min_mg:
        found.append(Candidate("split_dose", replace(current, split=True)))
    return [*found, Candidate("stop", NO_MAGNESIUM)]
