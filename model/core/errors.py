"""Exceptions a user can act on: each names the file, row and column (or key) at fault."""

from __future__ import annotations

from dataclasses import dataclass


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
    """A fit whose diagnostics failed where a caller demanded that they pass."""


class NonFiniteDraws(ValueError):
    """Posterior draws or predictions that are NaN or infinite: the fit fails its checks."""
