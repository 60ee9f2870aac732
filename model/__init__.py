"""mgsleep: evidence-weighted Bayesian choice of a magnesium supplement for sleep and anxiety.

Supports, does not replace, clinical advice. The data flow: ``load_priors`` (priors/ files ->
:class:`PriorSet`), ``read_diary`` (diary CSV -> :class:`Diary`), ``load_profile``, the
personal model (:class:`PersonalModel`) and the decision (:func:`decide`) built on them;
:func:`analyze` runs them all, :func:`plan_trial` plans a trial and :func:`simulate_diary`
writes the diary of a person with known truth.

A fit that fails its convergence checks issues a :class:`ConvergenceWarning` (or, asked
with ``strict=True``, raises :class:`ConvergenceError`); a diary read with a caveat, a
:class:`DiaryWarning` for each.

The public names load lazily (PEP 562): ``import model`` imports nothing heavy, and
``model.PersonalModel`` imports PyMC only when it is first used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

PUBLIC: dict[str, str] = {
    "ConvergenceError": "model.core.errors",
    "ConvergenceWarning": "model.core.errors",
    "DiaryWarning": "model.data.diary_warnings",
    "DiaryError": "model.core.errors",
    "InputError": "model.core.errors",
    "MgsleepError": "model.core.errors",
    "PriorsError": "model.core.errors",
    "Regimen": "model.core.regimen",
    "PriorEntry": "model.evidence.priorset",
    "PriorSet": "model.evidence.priorset",
    "load_priors": "model.evidence.priorset",
    "Diary": "model.data.diary",
    "read_diary": "model.data.diary",
    "Profile": "model.data.profile",
    "load_profile": "model.data.profile",
    "PersonalModel": "model.personal.fit",
    "simulate_diary": "model.simulate.personas",
    "decide": "model.decision.decide",
    "analyze": "model.analysis.pipeline",
    "plan_trial": "model.trial.plan",
}
"""Each public name and the module that defines it."""

__all__ = [
    "ConvergenceError",
    "ConvergenceWarning",
    "Diary",
    "DiaryError",
    "DiaryWarning",
    "InputError",
    "MgsleepError",
    "PersonalModel",
    "PriorEntry",
    "PriorSet",
    "PriorsError",
    "Profile",
    "Regimen",
    "analyze",
    "decide",
    "load_priors",
    "load_profile",
    "plan_trial",
    "read_diary",
    "simulate_diary",
]

if TYPE_CHECKING:
    from model.analysis.pipeline import analyze
    from model.core.errors import (
        ConvergenceError,
        ConvergenceWarning,
        DiaryError,
        InputError,
        MgsleepError,
        PriorsError,
    )
    from model.core.regimen import Regimen
    from model.data.diary import Diary, read_diary
    from model.data.diary_warnings import DiaryWarning
    from model.data.profile import Profile, load_profile
    from model.decision.decide import decide
    from model.evidence.priorset import PriorEntry, PriorSet, load_priors
    from model.personal.fit import PersonalModel
    from model.simulate.personas import simulate_diary
    from model.trial.plan import plan_trial


def __getattr__(name: str) -> Any:
    """Import the module of a public name on first use (PEP 562) and keep the name."""
    module = PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'model' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The module's names, the lazy public ones included."""
    return sorted({*globals(), *PUBLIC})
