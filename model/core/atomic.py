"""Atomic output: a file is either the old one or the complete new one, never half-written.

- :func:`check_outputs` refuses, before any work, an output path that resolves to an input
  (a diary, a profile, a file of a priors directory) or to another output of the same
  command, and one that is a FIFO, a device or a directory. A symlink is written through: its
  target gets the new contents and the link stays.
- :func:`write_all` writes a set of outputs together: every file to a temporary beside it
  (flushed and fsynced), then every temporary renamed over its target, then the folders
  fsynced. A failure before the renames removes every temporary and changes nothing.
- Temporaries are named ``.<name>.<pid>.<random>.tmp``; one left by a killed process (its pid
  no longer running) is swept by the next write to the same target.
- Before the renames of a set of several files, a journal ``.mgsleep-set.<pid>.<random>.json``
  beside the first target lists them (fsynced). A process killed between two renames leaves a
  mixed set for an instant; the next write into that folder finds the journal of the dead
  process and finishes its renames (roll forward: every temporary was complete), so no
  partial set survives the next run.
"""

from __future__ import annotations

import json
import os
import stat
import sys
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from model.core.errors import Fault, InputError


def _real(path: str | Path) -> Path:
    return Path(os.path.realpath(path))


def _special(path: Path) -> str | None:
    """Why ``path`` cannot be an output file (None: it can)."""
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
    """Refuse outputs that would overwrite an input or each other, or are not plain files.

    Parameters
    ----------
    outputs : mapping of option name to path
        The files a command will write (``None`` and ``-`` = not written / standard output).
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
    for option, path in outputs.items():
        if path in (None, "", "-"):
            continue
        real = _real(str(path))
        why = _special(real) or _clash(real, given)
        if why is None and real in seen:
            why = f"is also the output of {seen[real]}; give each output its own file"
        if why is not None:
            faults.append(Fault(option, "", f"{path} {why}"))
        seen.setdefault(real, option)
    if faults:
        raise InputError(faults)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep(target: Path) -> None:
    """Remove temporaries of ``target`` left by processes that no longer run."""
    for stale in target.parent.glob(f".{target.name}.*.tmp"):
        pid = stale.name[len(target.name) + 2:].split(".", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            stale.unlink(missing_ok=True)


def _journal_pairs(journal: Path) -> list[tuple[Path, Path]]:
    """The (temporary, target) pairs of a journal; only well-formed temporaries count."""
    try:
        pairs = json.loads(journal.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # written only in part: its renames had not begun
        return []
    found = []
    for pair in pairs if isinstance(pairs, list) else []:
        tmp, target = (Path(p) for p in pair)
        if tmp.parent == target.parent and tmp.name.startswith(f".{target.name}.") \
                and tmp.suffix == ".tmp":
            found.append((tmp, target))
    return found


def recover(folder: Path) -> None:
    """Finish the renames of a set whose writer was killed between them (see module doc)."""
    for journal in folder.glob(".mgsleep-set.*.json"):
        pid = journal.name.split(".")[2]
        if not pid.isdigit() or _alive(int(pid)):
            continue
        for tmp, target in _journal_pairs(journal):
            if tmp.exists():
                os.replace(tmp, target)
        journal.unlink(missing_ok=True)


def _write_journal(staged: list[tuple[Path, Path]]) -> Path | None:
    if len(staged) < 2:
        return None
    fd, name = tempfile.mkstemp(dir=staged[0][1].parent, prefix=f".mgsleep-set.{os.getpid()}.",
                                suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump([[str(tmp), str(target)] for tmp, target in staged], handle)
        handle.flush()
        os.fsync(handle.fileno())
    return Path(name)


def _temporary(target: Path, text: str) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    recover(target.parent)
    sweep(target)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.{os.getpid()}.",
                               suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; give the usual permissions
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


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


def write_all(files: Sequence[tuple[str | Path, str]]) -> None:
    """Write several outputs together: all temporaries first, then all renames.

    Parameters
    ----------
    files : sequence of (path, text)
        ``-`` writes to standard output, after every file is in place.

    """
    stdout = [text for path, text in files if str(path) == "-"]
    staged: list[tuple[Path, Path]] = []
    journal = None
    try:
        for path, text in files:
            if str(path) != "-":
                target = _real(path)
                staged.append((_temporary(target, text), target))
        journal = _write_journal(staged)
        for tmp, target in staged:
            os.replace(tmp, target)
    except BaseException:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        raise
    finally:
        if journal is not None:
            journal.unlink(missing_ok=True)
    _fsync_dirs(target.parent for _, target in staged)
    for text in stdout:
        sys.stdout.write(text)
        sys.stdout.flush()


def write_text(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (``-`` writes to standard output)."""
    write_all([(path, text)])


def json_text(payload: Any) -> str:
    """``payload`` as indented JSON (NaN and infinity refused)."""
    return json.dumps(payload, indent=2, allow_nan=False) + "\n"


def write_json(path: str | Path, payload: Any) -> None:
    """Write ``payload`` as indented JSON, atomically (``-`` = standard output)."""
    write_text(path, json_text(payload))
