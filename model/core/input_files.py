"""Reading an input file safely: a regular file, of a size an input of its kind can have.

``mgsleep analyze /dev/zero`` (or ``--profile /dev/zero``) read until memory ran out, 5.9 GB
in 8 s, and a FIFO given as the diary blocked for ever (an outside audit): outputs refused a
device, inputs did not. :func:`open_input` opens a file for reading only when it is a regular
file no larger than a cap, or a pipe written to within :data:`PIPE_WAIT` (``analyze
/dev/stdin``, a named FIFO: read up to the cap); :func:`read_input` reads one whole.
"""

from __future__ import annotations

import os
import select
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from model.core.errors import Fault, InputError

MB = 2**20
"""Bytes in a megabyte, as a message counts them."""

INPUT_CAP = 50 * MB
"""The largest diary or profile read: 3,650 nights with a 10,000-character note each are 37
MB; a diary an app or a person writes is well under 1 MB. A larger file is not the one meant
(a tracker's whole export, a disk image): refused before it is read."""

PIPE_WAIT = 30.0
"""Seconds a pipe (a FIFO, ``/dev/stdin`` of ``cat diary.csv | mgsleep analyze /dev/stdin``)
is waited for until something is written to it; a FIFO no one writes to blocked for ever."""

_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"),
          (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISSOCK, "a socket"))
"""What a path that is no regular file is, in words."""


def not_regular(mode: int) -> str:
    """What a file of ``mode`` (:func:`os.stat`) is when it is no regular file, else ``""``."""
    if stat.S_ISREG(mode):
        return ""
    return next((words for test, words in _KINDS if test(mode)), "not a file")


@contextmanager
def open_input(path: str | Path, what: str, cap: int = INPUT_CAP,
               pipes: bool = True) -> Iterator[BinaryIO]:
    """Open ``path`` for reading in binary, if it is a regular file of at most ``cap`` bytes.

    The file is opened without waiting (a FIFO with no writer would block the open) and
    checked on the handle opened, so that what is read is what was checked. A pipe is read
    once something is written to it within :data:`PIPE_WAIT` (its size is not known: a reader
    reads at most ``cap`` bytes and one more, as :func:`read_input` does).

    Parameters
    ----------
    path : str or Path
        The input.
    what : str
        What it should be, for a message (``a CSV diary with a header line``).
    cap : int
        The most bytes it may have (:data:`INPUT_CAP`).
    pipes : bool
        Whether a pipe is read (False: refused at once, as for a file read more than once,
        which a pipe empties).

    Yields
    ------
    BinaryIO
        The open file.

    Raises
    ------
    InputError
        Naming the file: not found, unreadable, no regular file (a folder, a device, a
        socket, a pipe no one wrote to), or larger than ``cap``.

    """
    name = str(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise InputError([Fault(name, "", "file not found")]) from None
    except OSError as error:
        raise InputError([Fault(name, "", f"expected {what}, got: {error.strerror}")]) from None
    info = os.fstat(fd)
    kind = not_regular(info.st_mode)
    pipe = pipes and stat.S_ISFIFO(info.st_mode)
    fault = (Fault(name, "", f"is not a regular file but {kind}"
                   + f", and nothing was written to it within {PIPE_WAIT:g} s" * pipe
                   + f": expected {what}")
             if kind and not (pipe and _written_to(fd)) else
             too_big(name, what, info.st_size, cap) if info.st_size > cap else None)
    if fault is not None:
        os.close(fd)
        raise InputError([fault])
    os.set_blocking(fd, True)
    with os.fdopen(fd, "rb") as handle:
        yield handle


def _written_to(fd: int) -> bool:
    """Whether the pipe ``fd`` has something to read, or was closed, within :data:`PIPE_WAIT`."""
    waiting = select.poll()
    waiting.register(fd, select.POLLIN | select.POLLHUP)
    return bool(waiting.poll(PIPE_WAIT * 1000))


def too_big(name: str, what: str, size: int | None, cap: int) -> Fault:
    """The fault of a file of ``size`` bytes (None: of more than it could tell), over ``cap``."""
    said = f"{size / MB:,.1f} MB, more than" if size is not None else "more than"
    return Fault(name, "", f"is {said} the {cap / MB:g} MB read as {what}: is it the right file?")


def read_input(path: str | Path, what: str, cap: int = INPUT_CAP, pipes: bool = True) -> bytes:
    """The bytes of the input ``path`` (:func:`open_input`; one that grew past ``cap`` refused).

    Raises
    ------
    InputError
        As :func:`open_input`.
    """
    with open_input(path, what, cap, pipes) as handle:
        data = handle.read(cap + 1)
    if len(data) > cap:      # a pipe, or a file that grew while it was read
        raise InputError([too_big(str(path), what, None, cap)])
    return data
