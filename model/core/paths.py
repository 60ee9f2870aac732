"""Where the evidence base lives, which folders are private, how open an output may be."""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterable
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parents[1]  # model/


def default_priors_dir() -> Path:
    """Return the bundled ``priors/`` directory.

    An installed wheel carries it as ``model/_default_priors``; a source checkout (or an
    editable install) uses the top-level ``priors/`` next to the package.
    """
    for candidate in (_PACKAGE / "_default_priors", _PACKAGE.parent / "priors"):
        if (candidate / "settings.toml").is_file():
            return candidate
    raise FileNotFoundError(
        "the default priors/ directory was not found next to the package; reinstall mgsleep"
    )


def is_bundled_priors(directory: str | Path) -> bool:
    """Whether ``directory`` is the bundled ``priors/`` (:func:`default_priors_dir`)."""
    return Path(directory).resolve() == default_priors_dir().resolve()


def not_private(path: Path, folder: bool = True) -> str | None:
    """Why ``path`` is not private to this user (None: it is).

    Private: a folder (or, not ``folder``, a regular file), not a symbolic link, of this user,
    which no one else can write; a folder this user can read, write and enter. No one else can
    then put, swap or remove a file in such a folder, or change such a file: what mgsleep keeps
    and runs from them (fits, compiled code) is trusted.

    Parameters
    ----------
    path : Path
        The folder or file; only its last component is checked (its parents may be links).
    folder : bool
        Whether it must be a folder, else a regular file.

    Returns
    -------
    str or None
        The reason, e.g. ``"others can write it (mode 1777)"``.

    """
    try:
        info = path.lstat()
    except OSError as error:
        return f"it cannot be checked ({error.strerror})"
    mode = stat.S_IMODE(info.st_mode)
    if stat.S_ISLNK(info.st_mode):
        return "it is a symbolic link"
    if not (stat.S_ISDIR if folder else stat.S_ISREG)(info.st_mode):
        return "it is not a folder" if folder else "it is not a regular file"
    if info.st_uid != os.getuid():
        return f"it belongs to another user (uid {info.st_uid})"
    if mode & (stat.S_IWGRP | stat.S_IWOTH):
        return f"others can write it (mode {mode:04o})"
    if folder and mode & stat.S_IRWXU != stat.S_IRWXU:
        return f"this user cannot use it (mode {mode:04o})"
    return None


def make_private(folder: Path) -> str | None:
    """Make ``folder`` and its missing parents (each mode 0o700); why it is not private, if so.

    :meth:`pathlib.Path.mkdir` gives missing parents the umask's mode whatever ``mode`` it is
    given: ``~/.cache/mgsleep`` was made readable by all. A folder already there is left as
    it is and only checked (:func:`not_private`).
    """
    for missing in reversed([p for p in (folder, *folder.parents) if not os.path.lexists(p)]):
        try:
            os.mkdir(missing, 0o700)
        except FileExistsError:      # made meanwhile by another process: checked below
            pass
        except OSError as error:
            return f"it cannot be made ({error.strerror})"
    return not_private(folder)


def most_open(inputs: Iterable[str | Path | None]) -> int:
    """The permission bits all of ``inputs`` have: what an output made from them may have.

    A report of a ``chmod 600`` diary was readable by all under the usual umask (an outside
    audit): an output holds what its inputs hold, so it is no more open than any of them.
    Inputs that are None, empty, ``-`` or cannot be read are left out; without any, 0o777.
    Only what others may do is bounded: a read-only diary (0o444) does not make its report
    one its owner cannot write.
    """
    bits = 0o777
    for source in inputs:
        if source in (None, "", "-"):
            continue
        with contextlib.suppress(OSError):
            bits &= os.stat(source).st_mode | stat.S_IRWXU
    return bits


def diary_label(source: str) -> str:
    """The diary's file name with the folder it is in: ``sam/diary.csv``.

    A name given without a folder is placed in the folder it was read from when that file is
    there (``diary.csv`` read in ``sam/``); a name of no file (``<DataFrame>``, the demo's
    example) is shown as it is.
    """
    path = Path(source)
    if source.startswith("<") or not (path.parent.name or path.is_file()):
        return path.name or source
    folder = Path(os.path.abspath(source)).parent.name
    return f"{folder}/{path.name}" if folder else path.name
