"""One writer at a time: an advisory lock held while a file is read, changed and written back.

``mgsleep log`` and ``mgsleep import`` read a diary, merge into it and replace it. Two of them
at once on the same diary (a script logging several nights in parallel, an import while a
night is logged) would each write what they read plus their own change, and the last rename
would lose the other's nights. :func:`exclusive` makes the second wait for the first (and
give up with a clear error after ``wait`` seconds). The lock is ``fcntl.flock`` on a hidden
file beside the target (``.<name>.lock``, left in place; the diary itself is replaced by a
rename, so it cannot carry the lock); the system releases it when the process ends, even
when it is killed.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from model.core.atomic import stem
from model.core.errors import Fault, InputError

POLL_SECONDS = 0.05
"""How often a waiting writer tries the lock again."""


def lock_path(target: str | Path) -> Path:
    """The lock file of ``target``: ``.<name>.lock`` in the folder of the file it names.

    Symbolic links are followed (the write replaces the file a link points to, so a link
    and the file's own name must share one lock). A very long name is shortened as its
    temporaries' are (:func:`model.core.atomic.stem`).
    """
    path = Path(os.path.realpath(target))
    return path.with_name(f".{stem(path)}.lock")


@contextmanager
def exclusive(target: str | Path, wait: float = 60.0) -> Iterator[None]:
    """Hold the write lock of ``target`` for the ``with`` block.

    Parameters
    ----------
    target : path
        The file to be read, changed and written back.
    wait : float
        Seconds to wait for another writer before giving up.

    Raises
    ------
    InputError
        When another process still holds the lock after ``wait`` seconds, or the lock file
        cannot be created (naming it). A missing folder is created, as writing the file would.

    """
    path = lock_path(target)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)   # a new diary in a new folder
        handle = open(path, "a", encoding="utf-8")
    except OSError as error:
        raise InputError([Fault(str(target), "", f"cannot lock it for writing: {path}: "
                                f"{error.strerror}")]) from None
    with handle:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise InputError([Fault(str(target), "", f"another mgsleep command has "
                                            f"been writing it for over {wait:g} s; try "
                                            "again when it has finished")]) from None
                time.sleep(POLL_SECONDS)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
