"""mgsleep: evidence-weighted Bayesian choice of a magnesium supplement for sleep and anxiety.

Supports, does not replace, clinical advice. The data flow: ``load_priors`` (priors/ files ->
:class:`PriorSet`), ``read_diary`` (diary CSV -> ``Diary``), the n-of-1 engine
(:mod:`model.nof1.engine`), and the personal model and decision built on them.
"""

from model.core.errors import DiaryError, InputError, MgsleepError, PriorsError
from model.evidence.priorset import PriorEntry, PriorSet, load_priors

__all__ = [
    "DiaryError",
    "InputError",
    "MgsleepError",
    "PriorEntry",
    "PriorSet",
    "PriorsError",
    "load_priors",
]
__version__ = "0.1.0"
