"""Layer 4: the generic n-of-1 engine.

Any treatments, any outcome family, one person or a series of persons. The estimator
:class:`Nof1Model` lives in :mod:`model.nof1.engine`; its families and priors, building blocks,
data validation, summaries and simulation in modules of their own. The public names are
importable from here.
"""

from model.nof1.blocks import (
    MAX_AR1_STEPS,
    ar1_latent,
    observe,
    observe_normal_ar1,
    ordered_cutpoints,
    smooth_trend,
)
from model.nof1.data import PreparedData, level_label, prepare_data
from model.nof1.engine import Nof1Model
from model.nof1.priors import FAMILIES, PRIOR_NAMES, default_priors, merge_priors
from model.nof1.simulation import simulate_nof1
from model.nof1.summaries import summarise_effects

__all__ = [
    "FAMILIES", "MAX_AR1_STEPS", "PRIOR_NAMES", "Nof1Model", "PreparedData", "ar1_latent",
    "default_priors", "level_label", "merge_priors", "observe", "observe_normal_ar1",
    "ordered_cutpoints", "prepare_data", "simulate_nof1", "smooth_trend", "summarise_effects",
]
