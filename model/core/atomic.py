"""Atomic output: a file is either the old one or the complete new one, never half-written.

- :func:`check_outputs` refuses, before any work, an output path that resolves to an input (a
  diary, a profile, a priors file), to another output of the command or to a file of another
  kind than it writes (:mod:`model.core.output_kinds`), and a FIFO, a device or a directory. A
  symlink is written through: its target gets the new contents.
- :func:`write_all` writes a set of outputs together: every file to a temporary beside it
  (flushed and fsynced), then every temporary renamed over its target, then the folders
  fsynced. A failure before the renames removes every temporary and changes nothing.
- An output is no more open than the inputs it is made from (``like``: a ``chmod 600`` diary
  gives 0o600 reports); a replaced file keeps its mode and owner (:func:`match_permissions`).
- :func:`write_with` writes one private file (0o600, a symlink at its path replaced, not
  followed: a cached fit) from a callable given its binary stream (a ``.npz``);
  :func:`move_all` moves complete files (a staged priors folder) over their targets as a set.
- Temporaries (and staging folders) are named ``.<name>.<pid>.<random>.tmp``; one left by a
  killed process (its pid no longer running) is swept by the next write to the same target
  (:func:`sweep`), or by a sweep of its folder (:func:`sweep_folder`).
- Before the renames of a set of several files, a journal ``.mgsleep-set.<pid>.<random>.json``
  beside the first target (or in a given folder) lists them (fsynced). A process killed
  between two renames leaves a mixed set for an instant; the next write into that folder, or
  a reader that calls :func:`recover` first (``load_priors``), finds the journal of the dead
  process and finishes its renames (roll forward: every temporary was complete), so no
  partial set survives the next run.
"""

from __future__ import annotations

import contextlib
import errno
import glob
import hashlib
import json
import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import IO, Any

from model.core.errors import Fault, InputError
from model.core.output_kinds import not_its_kind
from model.core.paths import most_open


def _real(path: str | Path) -> Path:
    return Path(os.path.realpath(path))


def _special(path: Path) -> str | None:
    """Why ``path`` cannot be an output file (None: it can)."""
    if path.parent.is_dir() and not os.access(path.parent, os.W_OK | os.X_OK):
        return f"cannot be written: its folder {path.parent} is read-only"
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return None
    except OSError as error:
        return f"cannot be checked ({error.strerror})"
    if stat.S_ISDIR(mode):
        return "is a directory; give a file name"
    if not stat.S_ISREG(mode):
        return "is not a regular file (a FIFO, socket or device); give a file name"
    return None


def _clash(output: Path, inputs: Mapping[str, Path]) -> str | None:
    for name, source in inputs.items():
        if output == source:
            return f"is the input {name}; it would be overwritten"
        if source.is_dir() and source in output.parents and output.exists():
            return f"is a file of the input {name}; it would be overwritten"
    return None


def check_outputs(outputs: Mapping[str, str | Path | None],
                  inputs: Mapping[str, str | Path | None]) -> None:
    """Refuse outputs that would overwrite an input, each other or a file not of their kind.

    Parameters
    ----------
    outputs : mapping of option name to path
        The files a command will write (``None``: not written; ``-``: standard output, which
        only one of them may take).
    inputs : mapping of name to path
        The files and folders it reads.

    Raises
    ------
    InputError
        One fault per refused output, naming the option.

    """
    given = {name: _real(p) for name, p in inputs.items() if p not in (None, "", "-")}
    faults: list[Fault] = []
    seen: dict[Path, str] = {}
    to_stdout: list[str] = []
    for option, path in outputs.items():
        if path in (None, ""):
            continue
        if path == "-":
            if to_stdout:
                faults.append(Fault(option, "", f"- is also the output of {to_stdout[0]}: "
                                    "standard output takes one of them; give the other a file"))
            to_stdout.append(option)
            continue
        real = _real(str(path))
        why = _special(real) or _clash(real, given) or not_its_kind(option, real)
        if why is None and real in seen:
            why = f"is also the output of {seen[real]}; give each output its own file"
        if why is not None:
            faults.append(Fault(option, "", f"{path} {why}"))
        seen.setdefault(real, option)
    if faults:
        raise InputError(faults)


def _alive(pid: int) -> bool:
    try:
        with contextlib.suppress(PermissionError):     # another user's process: alive
            os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _owner(temporary: Path) -> int | None:
    """The pid in a name ``.<name>.<pid>.<random>.tmp`` (None when it is not such a name)."""
    parts = temporary.name.split(".")
    if len(parts) < 5 or parts[0] or parts[-1] != "tmp" or not parts[-3].isdigit():
        return None
    return int(parts[-3])


def _sweep(candidates: Iterable[Path]) -> None:
    for stale in candidates:
        pid = _owner(stale)
        if pid is None or _alive(pid):
            continue
        if stale.is_dir() and not stale.is_symlink():
            shutil.rmtree(stale, ignore_errors=True)   # a staging folder
        else:
            stale.unlink(missing_ok=True)


NAME_MAX = 255
"""The longest file name most file systems take (bytes)."""


def stem(target: Path) -> str:
    """The name a temporary (or lock) of ``target`` starts with, after its leading dot.

    ``target``'s own name, or for a name so long that ``.<name>.<pid>.<random>.tmp`` would pass
    :data:`NAME_MAX`, its first 150 characters and a hash of the whole (still one per target).
    """
    name = target.name
    if len(os.fsencode(name)) <= NAME_MAX - 40:
        return name
    digest = hashlib.sha256(os.fsencode(name)).hexdigest()[:12]
    return f"{name[:150]}~{digest}"


def sweep(target: Path) -> None:
    """Remove temporaries of ``target`` left by processes that no longer run."""
    _sweep(target.parent.glob(f".{glob.escape(stem(target))}.*.tmp"))


def sweep_folder(folder: Path) -> None:
    """Remove every temporary in ``folder`` left by a process that no longer runs.

    For a folder only mgsleep writes into (the analysis cache): the temporaries of every
    target there, whatever their names.
    """
    _sweep(folder.glob(".*.tmp"))


def _journal_pairs(journal: Path) -> list[tuple[Path, Path]]:
    """The (temporary, target) pairs of a journal; only well-formed temporaries count."""
    try:
        pairs = json.loads(journal.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # written only in part: its renames had not begun
        return []
    found = []
    for pair in pairs if isinstance(pairs, list) else []:
        if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, str)
                                                                  for p in pair)):
            continue
        tmp, target = Path(pair[0]), Path(pair[1])
        if tmp.parent == target.parent and tmp.name.startswith(f".{stem(target)}.") \
                and tmp.suffix == ".tmp":
            found.append((tmp, target))
    return found


def recover(folder: Path) -> list[int]:
    """Finish the renames of a set whose writer was killed between them (see module doc).

    Returns
    -------
    list of int
        The pids of running processes whose sets in ``folder`` are still being renamed.

    """
    running = []
    for journal in folder.glob(".mgsleep-set.*.json"):
        pid = journal.name.split(".")[2]
        if not pid.isdigit():
            continue
        if _alive(int(pid)):
            running.append(int(pid))
            continue
        for tmp, target in _journal_pairs(journal):
            if tmp.exists():
                os.replace(tmp, target)
        journal.unlink(missing_ok=True)
    return running


def _write_journal(staged: Sequence[tuple[Path, Path]], folder: Path | None) -> Path | None:
    if len(staged) < 2:
        return None
    fd, name = tempfile.mkstemp(dir=folder or staged[0][1].parent,
                                prefix=f".mgsleep-set.{os.getpid()}.", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump([[str(tmp), str(target)] for tmp, target in staged], handle)
        handle.flush()
        os.fsync(handle.fileno())
    return Path(name)


def _reserve(target: Path) -> tuple[int, Path]:
    """A new empty temporary beside ``target``, open (its descriptor) and named for sweeping."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError:    # "[Errno 17] File exists" of a folder that is a file
        raise NotADirectoryError(errno.ENOTDIR, "is a file, not a folder",
                                 str(target.parent)) from None
    recover(target.parent)
    sweep(target)
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{stem(target)}.{os.getpid()}.",
                                   suffix=".tmp")
    except OSError as error:   # it named the temporary, never given: ".an.html.22158.sg0.tmp"
        raise type(error)(error.errno, error.strerror, str(target)) from None
    return fd, Path(tmp)


def match_permissions(path: Path, like: Path | None, bound: int = 0o777) -> None:
    """Give ``path`` the mode and, where allowed, the owner of ``like``; else the usual mode.

    A diary kept private (``chmod 600``, another user's) became world-readable and root's
    when root's cron logged a night into it (an outside audit). Without ``like`` (None, or
    no such file): read and write for all, less the umask. Never a permission outside
    ``bound`` (:func:`model.core.paths.most_open`).
    """
    try:
        status = None if like is None else like.stat()
    except OSError:
        status = None
    if status is None:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(path, 0o666 & ~umask & bound)
        return
    os.chmod(path, stat.S_IMODE(status.st_mode) & bound)
    if (status.st_uid, status.st_gid) != (os.getuid(), os.getgid()):
        with contextlib.suppress(OSError):      # only root may give a file away
            os.chown(path, status.st_uid, status.st_gid)


def _temporary(target: Path, fill: Callable[[IO[Any]], object], binary: bool = False,
               bound: int = 0o777, replaced: bool = True) -> Path:
    """A complete, fsynced temporary beside ``target`` (mode: :func:`match_permissions`)."""
    fd, tmp = _reserve(target)
    try:
        with os.fdopen(fd, "wb" if binary else "w", encoding=None if binary else "utf-8") \
                as handle:
            fill(handle)
            handle.flush()
            os.fsync(handle.fileno())
        match_permissions(tmp, target if replaced else None, bound)   # written while 0600
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def _staged_move(source: Path, target: Path) -> Path:
    """Move the complete file ``source`` to a temporary beside ``target`` (fsynced first)."""
    with open(source, "rb") as handle:
        os.fsync(handle.fileno())
    fd, tmp = _reserve(target)
    os.close(fd)
    try:
        os.replace(source, tmp)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def _fsync_dirs(folders: Iterable[Path]) -> None:
    for folder in set(folders):
        try:
            fd = os.open(folder, os.O_RDONLY)
        except OSError:
            continue
        try:
            os.fsync(fd)
        except OSError:
            pass
        finally:
            os.close(fd)


def _discard(staged: Iterable[tuple[Path, Path]], journal: Path | None = None) -> None:
    for tmp, _ in staged:
        tmp.unlink(missing_ok=True)
    if journal is not None:
        journal.unlink(missing_ok=True)


def _replace_all(staged: list[tuple[Path, Path]], folder: Path | None = None) -> None:
    """Rename complete temporaries over their targets as one set: journal, renames, fsync.

    A failure before the first rename removes every temporary (nothing changed); one after
    it (Ctrl-C between two renames) finishes the set before it is raised, or, when even that
    fails, leaves the journal for :func:`recover`. ``folder`` holds the journal (default: the
    first target's folder).
    """
    try:
        journal = _write_journal(staged, folder)
    except BaseException:
        _discard(staged)
        raise
    try:
        for tmp, target in staged:
            os.replace(tmp, target)
    except BaseException:
        if not staged or staged[0][0].exists():   # nothing renamed yet: nothing changed
            _discard(staged, journal)
            raise
        with contextlib.suppress(OSError):     # roll forward, as recover() would
            for tmp, target in staged:
                if tmp.exists():
                    os.replace(tmp, target)
            _discard((), journal)
        raise
    _discard((), journal)
    _fsync_dirs(target.parent for _, target in staged)


def _stage_all(files: Iterable[tuple[Path, Callable[[Path], Path]]]) -> list[tuple[Path, Path]]:
    """(temporary, target) of each target, its temporary made by the given callable.

    A failure removes the temporaries already made and changes nothing.
    """
    staged: list[tuple[Path, Path]] = []
    try:
        for target, make in files:
            staged.append((make(target), target))
    except BaseException:
        _discard(staged)
        raise
    return staged


def write_all(files: Sequence[tuple[str | Path, str | bytes]],
              like: Iterable[str | Path | None] = (),
              private: Collection[str | Path] = ()) -> None:
    """Write several outputs together: all temporaries first, then all renames.

    Parameters
    ----------
    files : sequence of (path, text or bytes)
        Text is written as UTF-8, bytes as they are (a PDF). ``-`` writes text to standard
        output, after every file is in place.
    like : iterable of path
        The inputs the outputs are made from (a diary, a profile): a new file gets the
        umask's mode, a replaced one keeps its own, less what an input lacks
        (:func:`model.core.paths.most_open`): a ``chmod 600`` diary gives 0o600 reports.
    private : collection of path
        Outputs of ``files`` kept 0o600 at most, whatever the inputs (a sealed key).

    """
    bound, secret = most_open(like), {str(path) for path in private}
    stdout = [text for path, text in files if str(path) == "-"]
    _replace_all(_stage_all(
        (_real(path), partial(_temporary, fill=partial(_write_content, text=text),
                              binary=isinstance(text, bytes),
                              bound=0o600 if str(path) in secret else bound))
        for path, text in files if str(path) != "-"))
    for text in stdout:
        if isinstance(text, bytes):
            sys.stdout.flush()
            sys.stdout.buffer.write(text)
        else:
            sys.stdout.write(text)
        sys.stdout.flush()


def _write_content(handle: IO[Any], text: str | bytes) -> None:
    handle.write(text)


def write_with(path: str | Path, fill: Callable[[IO[bytes]], object]) -> None:
    """Write one private file atomically: ``fill`` writes its contents to a binary stream.

    For what mgsleep keeps in a folder of its own (a cached fit). The stream is a temporary
    beside ``path`` (:func:`sweep` naming), 0o600, fsynced and renamed over ``path`` when
    ``fill`` returns; when it raises, the temporary is removed. Unlike an output, ``path`` is
    not resolved nor looked at: a symbolic link there is replaced, never written through (an
    outside audit: a fit overwrote the user's file a link in a shared cache named).
    """
    target = Path(path)
    _replace_all([(_temporary(target, fill, binary=True, bound=0o600, replaced=False), target)])


def move_all(moves: Sequence[tuple[Path, Path]], journal_folder: Path) -> None:
    """Move complete files over their targets as one set (same file system).

    Parameters
    ----------
    moves : sequence of (source, target)
        Each source is first moved to a temporary beside its target (a failure then moves
        nothing in place and removes the temporaries), then all are renamed in.
    journal_folder : Path
        Where the journal of the renames goes: the folder a reader passes to
        :func:`recover` before reading the set.

    """
    _replace_all(_stage_all((target, partial(_staged_move, source))
                            for source, target in moves), journal_folder)


def write_text(path: str | Path, text: str, like: Iterable[str | Path | None] = ()) -> None:
    """Write ``text`` to ``path`` atomically (``-``: standard output; ``like``: see write_all)."""
    write_all([(path, text)], like)


def json_text(payload: Any) -> str:
    """``payload`` as indented JSON (NaN and infinity refused)."""
    return json.dumps(payload, indent=2, allow_nan=False) + "\n"


def write_json(path: str | Path, payload: Any, like: Iterable[str | Path | None] = ()) -> None:
    """Write ``payload`` as indented JSON, atomically (as :func:`write_text`)."""
    write_text(path, json_text(payload), like)
