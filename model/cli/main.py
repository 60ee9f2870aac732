"""The ``mgsleep`` command: one subcommand per step of the pipeline, and one error boundary.

Each subcommand lives in its own module of :mod:`model.cli` and exposes
``add_parser(subparsers)``, which registers its arguments and sets ``handler``. The handlers
import the heavy modules (PyMC, PyTensor) themselves, so ``mgsleep --help`` and
``mgsleep priors`` start quickly.

:func:`main` is the only place where an exception becomes an exit code:

- a user error (:class:`~model.core.errors.MgsleepError`, or an OS error on a path the user
  gave: missing, a directory, not permitted, not text) ends with exit code 2 and one line on
  standard error, ``mgsleep <command>: error: ...``;
- a diary still blinded (:class:`~model.core.errors.BlindedDiary`: a blinded trial in
  progress, nothing to analyse yet) ends with exit code :data:`BLINDED`, 3, and its message
  on standard error, ``mgsleep <command>: ...``, whose first line is what to do now when
  there is something (stop the pots under a contraindication); nothing is written. An
  expected state, not bad input: a clinic's batch tells it from a file to fix (a clinic's
  audit: both exited 2);
- a closed output pipe (``mgsleep priors | head -1``) ends quietly;
- anything else is a bug: it propagates with its traceback, to which one line on how to
  report it is added (an exception note, printed after the traceback).

Before any of it, :func:`ready_streams` makes the standard streams writable whatever the
terminal: a closed one (``2>&-``) reads and writes the null device, and a terminal that is
not UTF-8 (``PYTHONIOENCODING=ascii``, a Latin-1 locale) gets ASCII stand-ins for the
characters it cannot show (:func:`stand_in`), never a traceback after the files were written.
"""

from __future__ import annotations

import argparse
import codecs
import errno
import io
import os
import sys
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import NoReturn

from model.cli.commands import COMMANDS
from model.cli.environment import ensure_compile_cache, ensure_plot_config
from model.core.errors import BlindedDiary, ConvergenceWarning, MgsleepError
from model.core.progress import NO_PROGRESS, TABLE_COLUMNS

USER_OS_ERRORS: tuple[type[OSError], ...] = (
    FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError, FileExistsError)
"""OS errors that a user causes by the paths they give."""

BLINDED = 3
"""Exit status of a diary still blinded: nothing to analyse yet, a blinded trial in progress."""

INTERRUPTED = 130
"""Exit status after Ctrl-C (128 + SIGINT, as shells report it)."""

ENVIRONMENT_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS})
"""OS errors of the machine, not of mgsleep, whatever file they concern (a write of a full
disk often names none)."""

USER_ERRNOS = frozenset({errno.ENOSPC, errno.EROFS, errno.EDQUOT, errno.EACCES, errno.EPERM,
                         errno.ENAMETOOLONG, errno.ENOTDIR, errno.EISDIR, errno.EEXIST,
                         errno.ENOENT, errno.ELOOP, errno.EFBIG})
"""The same by error number: a full disk, a read-only file system, a name too long."""


STAND_IN = "mgsleep-stand-in"
"""The name of the codecs error handler :func:`stand_in` (``errors=`` of a stream)."""

STAND_INS: dict[str, str] = {
    "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00b2": "2", "\u00b3": "3",
    "\u00b5": "u", "\u03bc": "u", "\u2265": ">=", "\u2264": "<=", "\u2192": "->",
    "\u00d7": "x", "\u2013": "-", "\u2014": "-", "\u2212": "-", "\u00b1": "+/-",
    "\u2026": "...", "\u00a0": " "}
"""ASCII for the characters mgsleep prints beyond ASCII (quotes, units, signs, dashes)."""


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line (``mgsleep analyze: error: ...``)."""

    def error(self, message: str) -> NoReturn:
        """Print the error and where to find the usage on one line; exit with code 2."""
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")

BUG_REPORT = ("this is a bug in mgsleep, not in your input: please report it with the command "
              "you ran and the traceback above")
"""The line printed after the traceback of an unexpected error."""

DASK_PRELOAD = "DASK_DISTRIBUTED__WORKER__PRELOAD"
"""Dask's setting (as an environment variable, inherited by the workers a command starts) of
the modules every worker loads: :mod:`model.cli.workers` lets them exit without being killed."""


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser with every subcommand registered."""
    parser = Parser(
        prog="mgsleep",
        description="Evidence-weighted Bayesian choice of a magnesium supplement for sleep "
        "and anxiety, from your own n-of-1 diary. Supports, does not replace, clinical advice.",
        epilog=f"Progress: while a model is fitted, a terminal shows the sampler's progress "
        f"table, or one plain line when it is narrower than {TABLE_COLUMNS} columns. "
        f"--no-progress or {NO_PROGRESS}=1 turns it off (for screen readers); the one-line "
        "messages of what is happening stay. Characters a terminal's encoding cannot show "
        "are written in ASCII.",
    )
    parser.add_argument("--no-progress", action="store_true",
                        help=f"show no progress while fitting (the same as {NO_PROGRESS}=1)")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.add_parser(subparsers)
    return parser


def given_paths(args: argparse.Namespace) -> list[Path]:
    """Every text argument that may name a file or folder (standard streams left out)."""
    return [Path(value) for value in vars(args).values()
            if isinstance(value, str) and value not in ("", "-")]


def given_files(args: argparse.Namespace) -> list[Path]:
    """:func:`given_paths` and the paths of list arguments (``mgsleep import``'s files)."""
    listed = [Path(item) for value in vars(args).values() if isinstance(value, list)
              for item in value if isinstance(item, str) and item not in ("", "-")]
    return given_paths(args) + listed


def caused_by_user(error: OSError, given: Iterable[Path]) -> bool:
    """Whether ``error`` is the user's or the machine's, not a bug of mgsleep.

    The machine's: a full disk, a quota, a read-only file system, whatever file. The user's:
    it concerns one of the ``given`` paths, or a file inside, beside or above one (a file
    beside a given one covers the temporary file of an atomic write; a folder above one
    covers creating the folders of an output path).
    """
    if error.errno in ENVIRONMENT_ERRNOS:
        return True
    if not isinstance(error, USER_OS_ERRORS) and error.errno not in USER_ERRNOS:
        return False
    failed = [Path(os.fsdecode(name)).absolute()
              for name in (error.filename, error.filename2) if name is not None]
    return any(f == path or path in f.parents or f in path.parents or f.parent == path.parent
               for f in failed for path in (p.absolute() for p in given))


def describe(error: BaseException, given: Iterable[Path] = ()) -> str:
    """The one-line message of a user error (without the ``mgsleep <command>:`` prefix).

    ``given``: the files the command was given, to name those that are not UTF-8 text when
    a reader let a decode error through (:func:`not_text`).
    """
    if isinstance(error, UnicodeDecodeError):
        return not_text(error, given)
    if isinstance(error, OSError) and error.filename is not None:
        # a failed rename (atomic write) names the temporary file first, the user's file second
        name = error.filename2 if error.filename2 is not None else error.filename
        return f"{os.fsdecode(name)}: {error.strerror or error}"
    if isinstance(error, OSError) and error.strerror:
        return (f"{error.strerror}; files are written whole or not at all, so none was left "
                "half-written")
    return str(error)


TEXT_CHECKED = 1 << 28
"""The largest file :func:`not_text` reads through to see whether it is UTF-8 (256 MB)."""


def not_text(error: UnicodeDecodeError, given: Iterable[Path]) -> str:
    """The message of a decode error no reader named a file for: the given files at fault.

    Each given regular file up to :data:`TEXT_CHECKED` is read as UTF-8; those that are not
    are named (a zip archive as one), so that among a wildcard of hundreds of exports the
    file can be found. With none found, the bytes the error names.
    """
    from model.data.file_kinds import ZIP, content_kind, head_of

    bad = list(dict.fromkeys(p for p in given if p.is_file()
                             and p.stat().st_size <= TEXT_CHECKED and not utf8(p)))
    zips = [p for p in bad if content_kind(head_of(p)) == ZIP]
    said = [f"{p}: a zip archive, not a text file (unzip it and give the files inside)"
            for p in zips]
    said += [f"{p}: not UTF-8 text" for p in bad if p not in zips]
    if said:
        return "; ".join(said) + "; save a text file as UTF-8 (CSV UTF-8) and try again"
    return (f"a file you gave is not UTF-8 text ({error.reason} at byte {error.start}); "
            "save it as UTF-8 (CSV UTF-8) and try again")


def utf8(path: Path) -> bool:
    """Whether a file is UTF-8 text (read in chunks; False if it cannot be read)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except (OSError, UnicodeDecodeError):
        return False
    return True


def stand_in(error: UnicodeError) -> tuple[str, int]:
    """The codecs error handler :data:`STAND_IN`: ASCII for what an encoding cannot write.

    Each character is written as its :data:`STAND_INS` entry, any other as ``?``.

    Parameters
    ----------
    error : UnicodeError
        The error of an encoder.

    Returns
    -------
    tuple of (str, int)
        The replacement and where encoding resumes.

    Raises
    ------
    UnicodeError
        ``error`` itself, when it is not an encoding error.

    """
    if not isinstance(error, UnicodeEncodeError):
        raise error
    failed = error.object[error.start:error.end]
    return "".join(STAND_INS.get(c, "?") for c in failed), error.end


def ready_streams() -> None:
    """Standard streams a command can always use (see the module docstring).

    A closed stream (None in :mod:`sys`) becomes the null device; standard output and error
    in an encoding other than UTF-8 write what it cannot encode by :func:`stand_in`.
    """
    codecs.register_error(STAND_IN, stand_in)
    for name, mode in (("stdin", "r"), ("stdout", "w"), ("stderr", "w")):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, mode, encoding="utf-8"))
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper) and \
                codecs.lookup(stream.encoding).name != "utf-8":
            stream.reconfigure(errors=STAND_IN)


def silence_stdout() -> None:
    """Point standard output at the null device, so exiting does not flush into a closed pipe.

    The recipe of the Python documentation for ``SIGPIPE``/``BrokenPipeError``.
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout without a file descriptor (e.g. captured in tests)
        pass


def one_line(message: Warning | str, category: type[Warning], filename: str, lineno: int,
             line: str | None = None) -> str:
    """A warning as one clean line on standard error, without the file:line of its source."""
    text = " ".join(str(message).split())
    return f"mgsleep: warning ({category.__name__}): {text}\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (0 ok, 1 closed pipe, 2 user error, 3 blinded).

    Warnings (ours and the libraries') are printed as one clean line each (:func:`one_line`)
    while the command runs.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments without the program name (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        The exit code.

    """
    ready_streams()
    # as the locale decoded them: a path must name the same bytes; text is re-read as the
    # UTF-8 it was typed in where it is written or matched (as_typed: log, import --map)
    args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    if args.no_progress:
        os.environ[NO_PROGRESS] = "1"
    previous, warnings.formatwarning = warnings.formatwarning, one_line
    try:
        return _run(args)
    finally:
        warnings.formatwarning = previous


def quiet_dask_workers() -> None:
    """Name :mod:`model.cli.workers` as the preload of the Dask workers a command starts.

    A preload the user configured through this variable is kept.
    """
    os.environ.setdefault(DASK_PRELOAD, repr(["model.cli.workers"]))


def _run(args: argparse.Namespace) -> int:
    """Run the parsed command inside the one boundary for user errors."""
    ensure_compile_cache(args.command)
    ensure_plot_config()
    quiet_dask_workers()
    try:
        with warnings.catch_warnings():   # each command says a failed fit in its own words
            warnings.simplefilter("ignore", ConvergenceWarning)   # (NOT CONVERGED, FAILED)
            code = int(args.handler(args))
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        silence_stdout()
        return 1
    except KeyboardInterrupt:
        print(f"\nmgsleep {args.command}: interrupted; files are written whole or not at all, "
              "so each is as it was or complete", file=sys.stderr)
        return INTERRUPTED
    except BlindedDiary as error:   # not "error:": a trial in progress, its stop first
        print(f"mgsleep {args.command}: {error}", file=sys.stderr)
        return BLINDED
    except (MgsleepError, UnicodeDecodeError) as error:
        message = describe(error, given_files(args))
    except OSError as error:
        if not caused_by_user(error, given_paths(args)):
            error.add_note(f"mgsleep {args.command}: {BUG_REPORT}")
            raise
        message = describe(error)
    except Exception as error:
        error.add_note(f"mgsleep {args.command}: {BUG_REPORT}")
        raise
    print(f"mgsleep {args.command}: error: {message}", file=sys.stderr)
    return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
