"""The constants and the shared vocabulary of the decision.

Defaults (:class:`DecisionSettings`) and why:

- ``switching_cost = 0.25`` utility units (a quarter of one MCID on an outcome of weight 1):
  a change costs a purchase, a new evaluation period and the noise of a new baseline; the cost
  breaks near-ties in favour of staying put without vetoing any change worth a noticeable gain.
- ``commit_p_best = 0.8``: four chances in five that no other allowed action is better.
- ``commit_evpi = 0.1`` utility units: when perfect knowledge of the person's responses would
  add less than a tenth of an MCID on a weight-1 outcome, more experimenting is not worth the
  nights it costs.
- ``clear_p_better = 0.7``: an uncommitted change is still worth trying when it beats
  continuing in at least 70 % of the draws; otherwise the answer is ``collect_more_data``.
- ``cvar_alpha = 0.1``: the CVaR column is the mean of the worst 10 % of utility draws.
- ``min_nights = 14``: magnesium's effects appear over 1-4 weeks (DESIGN.md) and a fortnight
  of nights averages out most night-to-night noise; the first step is reviewed after 7.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import xarray as xr

from model.core.outcomes import GAIN_KEYS
from model.core.regimen import Regimen

Predict = Callable[[Sequence[Regimen]], xr.Dataset]
"""``predict(regimens)``: a Dataset with dims (regimen, draw) and the :data:`VARIABLES`."""

Mode = Literal["expected_utility", "thompson"]
"""How the action is chosen: by expected utility, or best in one random draw (Thompson)."""

Why = Literal["first_step", "forced", "commit", "trial", "plan", "collect"]
"""Which branch of the commit rule made the choice (it selects the wording of the plan)."""

VARIABLES: tuple[str, ...] = GAIN_KEYS
"""Predicted steady-state nightly values, in diary units (``gi_rate``: share of GI nights)."""

RECORD_COLUMNS: tuple[str, ...] = ("date", "form", "elemental_mg", "split", "sol_min",
                                   "awakenings", "quality", "freshness", "anxiety",
                                   "stool_bristol", "gi_upset")
"""What to write down each night (diary columns of CONTRACT.md)."""


@dataclass(frozen=True)
class DecisionSettings:
    """Tunable constants of the decision (the module docstring explains the defaults)."""

    min_nights: int = 14
    first_review_days: int = 7
    step_mg: float = 100.0
    min_dose_mg: float = 100.0
    start_doses_mg: tuple[float, ...] = (100.0, 200.0)
    split_min_mg: float = 200.0
    switching_cost: float = 0.25
    gi_weight: float = 1.0
    commit_p_best: float = 0.8
    commit_evpi: float = 0.1
    clear_p_better: float = 0.7
    cvar_alpha: float = 0.1
    interval: float = 0.9
    acute_gi_nights: int = 2
    gi_window: int = 7
