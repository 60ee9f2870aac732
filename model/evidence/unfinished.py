"""A priors folder a killed write-back left half-done: finished before it is read.

``mgsleep population --write-priors DIR --force`` renames its files into an existing DIR as one
journalled set (:func:`model.core.atomic.move_all`). :func:`settle` runs before every load
of a priors folder (:func:`~model.evidence.priorset.load_priors`).
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from model.core.atomic import recover, sweep
from model.core.errors import Fault, PriorsError


def settle(directory: Path) -> None:
    """Finish a write-back into ``directory`` that a killed process left half-done.

    ``mgsleep population --write-priors DIR --force`` renames its files into DIR as one
    journalled set (:func:`model.core.atomic.move_all`); a writer killed between two renames
    leaves old and new files side by side, which this rolls forward to the complete new set
    (every staged file was complete) before anything is read. Its staging folder beside
    DIR is removed too.

    Raises
    ------
    PriorsError
        When the set cannot be finished (a read-only folder), or another process is renaming
        files into the folder at this moment.
    """
    try:
        running = recover(directory)
    except OSError as error:
        raise PriorsError([Fault(str(directory), "", "a write of priors into this folder was "
                                 "interrupted, leaving old and new files side by side, and "
                                 f"could not be finished here ({error.strerror}); load it "
                                 "once with write permission to the folder, or write the "
                                 "priors again")]) from None
    if running:
        raise PriorsError([Fault(str(directory), "", f"process {running[0]} is writing "
                                 "priors into this folder right now; load it when it has "
                                 "finished")])
    with contextlib.suppress(OSError):   # only litter: never a reason not to load
        sweep(directory.resolve())
