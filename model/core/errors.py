"""Exceptions a user can act on: each names the file, row and column (or key) at fault."""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass

PACKAGE_DIR = os.path.dirname(os.path.dirname(__file__)) + os.sep
"""The package's folder: :func:`warn_caller` attributes a warning to the first frame outside."""


class MgsleepError(Exception):
    """Base class of every error the package raises for a user to fix."""


@dataclass(frozen=True)
class Fault:
    """One problem in an input file.

    Parameters
    ----------
    file : str
        Path (or a name such as ``<DataFrame>``) of the input.
    where : str
        Location inside the file: ``row 3, column sol_min`` or a key path ``studies[2].se``.
    message : str
        What was expected and what was found.
    """

    file: str
    where: str
    message: str

    def __str__(self) -> str:
        location = ": ".join(part for part in (self.file, self.where) if part)
        return f"{location}: {self.message}" if location else self.message


class InputError(MgsleepError):
    """Invalid user input; carries every fault found in one pass.

    Parameters
    ----------
    faults : list of Fault
        All problems found; the message lists each on its own line.
    """

    def __init__(self, faults: list[Fault]) -> None:
        self.faults = list(faults)
        super().__init__("\n".join(str(f) for f in self.faults))


class PriorsError(InputError):
    """A priors directory or file is malformed."""


class DiaryError(InputError):
    """A diary is malformed."""


class BlindedDiary(DiaryError):
    """A diary still blinded: nothing to analyse until its trial ends and it is unblinded.

    An expected state, not a broken file: ``mgsleep`` exits with its own code for it
    (:data:`model.cli.main.BLINDED`), so that a clinic's batch tells a trial in progress from
    a diary to fix (a clinic's audit: both exited 2). Its first faults may be what to do now
    without unblinding (stop the pots under a contraindication, a pot with loose stools).
    """


class ConvergenceError(MgsleepError):
    """A fit whose diagnostics failed where a caller demanded that they pass.

    Raised by :func:`model.analysis.pipeline.analyze` and
    :meth:`model.personal.fit.PersonalModel.fit` given ``strict=True`` (:func:`fit_failed`).
    """


class ConvergenceWarning(UserWarning):
    """A fit failed its convergence checks: its estimates are not to be acted on.

    Issued by :func:`model.analysis.pipeline.analyze` and
    :meth:`model.personal.fit.PersonalModel.fit` (:func:`fit_failed`). A notebook's fit of 10
    draws (R-hat 1.30) returned in silence while its effects said "works" (a notebook
    user's audit, B F2).
    """


def warn_caller(message: str, category: type[Warning]) -> None:
    """Issue ``message`` attributed to the first caller outside the package.

    A notebook then shows the cell that read the diary or ran the fit, once per cell and
    message, not a line of this package's (``warnings.warn``'s ``skip_file_prefixes``).
    """
    warnings.warn(message, category, skip_file_prefixes=(PACKAGE_DIR,))


def fit_failed(what: str, failures: list[str], *, strict: bool) -> None:
    """Say that a fit failed its checks: a :class:`ConvergenceWarning`, or raise when strict.

    Parameters
    ----------
    what : str
        The fit and what its failure means for its results.
    failures : list of str
        What failed (:meth:`model.inference.diagnostics.Diagnostics.failures`).
    strict : bool
        Raise a :class:`ConvergenceError` instead of warning.

    Raises
    ------
    ConvergenceError
        When ``strict``.
    """
    message = (f"{what}: the fit failed its convergence checks ({'; '.join(failures)}); "
               "more draws and tuning steps, or more nights, may pass them")
    if strict:
        raise ConvergenceError(message)
    warn_caller(message, ConvergenceWarning)


class NonFiniteDraws(ValueError):
    """Posterior draws or predictions that are NaN or infinite: the fit fails its checks."""
