"""Progress for people who wait: whether to show it, and one line that counts steps.

:func:`show_progress` is the one rule of the package: progress is shown in an IPython shell or
a Jupyter kernel, and on a terminal; never in continuous integration (``CI`` set) or under
pytest, and never on a pipe or a file, where it would only be noise; never either when the
person asks for none (:data:`NO_PROGRESS`: a screen reader reads every redraw of a progress
display aloud). The progress-bar defaults of the samplers and :class:`ProgressLine` (``mgsleep
plan --simulate``) follow it. :func:`terminal_columns` says how wide a display may be.
"""

from __future__ import annotations

import os
import sys
import time
from typing import TextIO

QUIET_ENVIRONMENT: tuple[str, ...] = ("PYTEST_CURRENT_TEST", "PYTEST_VERSION")
"""Variables whose presence means "under pytest": no progress."""

NO_PROGRESS = "MGSLEEP_NO_PROGRESS"
"""The variable by which a person turns progress off (``MGSLEEP_NO_PROGRESS=1``, or ``mgsleep
--no-progress``): every display that asks :func:`show_progress`, nutpie's among them; the
one-line messages of what is happening stay."""

SWITCHES: tuple[str, ...] = ("CI", NO_PROGRESS)
"""Variables that turn progress off unless their value is one of :data:`FALSE_WORDS`."""

FALSE_WORDS = frozenset({"", "0", "false", "no", "off"})
"""Values of :data:`SWITCHES` that do not turn progress off (``CI=false``)."""

TABLE_COLUMNS = 110
"""Columns of nutpie's progress table on a terminal (a row per chain of box-drawing bars):
a narrower terminal gets one line (:mod:`model.inference.nutpie_run`)."""

DEFAULT_COLUMNS = 80
"""The width assumed of a terminal that does not say its own."""


def announce(message: str, show: bool = True) -> None:
    """One line on standard error, ``mgsleep: message``: what is happening while one waits.

    Nothing when ``show`` is false.
    """
    if show:
        print(f"mgsleep: {message}", file=sys.stderr, flush=True)


def in_ipython() -> bool:
    """Whether this process runs an IPython shell (a Jupyter kernel, ``ipython``).

    IPython is not imported for the question: a shell that runs has imported it already.
    """
    ipython = sys.modules.get("IPython")
    get = getattr(ipython, "get_ipython", None)
    return get is not None and get() is not None


def show_progress(stream: TextIO | None = None) -> bool:
    """Whether progress should be shown (the module docstring's rule).

    Parameters
    ----------
    stream : file object, optional
        Where progress would go (default: standard error).

    Returns
    -------
    bool
        False in CI, under pytest or with :data:`NO_PROGRESS` set; else True in IPython or
        Jupyter, or when ``stream`` is a terminal.

    """
    if any(os.environ.get(name, "").strip().lower() not in FALSE_WORDS for name in SWITCHES):
        return False
    if any(name in os.environ for name in QUIET_ENVIRONMENT):
        return False
    if in_ipython():
        return True
    target = sys.stderr if stream is None else stream
    try:
        return target is not None and target.isatty()
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


def terminal_columns(stream: TextIO | None = None) -> int:
    """The width of the terminal ``stream`` writes to, in columns.

    ``COLUMNS`` when it is set to a whole number, else the terminal's own width, else
    :data:`DEFAULT_COLUMNS` (a pipe, a file, a stream without a descriptor).

    Parameters
    ----------
    stream : file object, optional
        The stream (default: standard error, where progress goes).

    Returns
    -------
    int

    """
    try:
        return int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        pass
    try:
        return os.get_terminal_size((sys.stderr if stream is None else stream).fileno()).columns
    except (AttributeError, OSError, ValueError):
        return DEFAULT_COLUMNS


SHOW_PROGRESS: bool = show_progress()
"""The answer for this process, taken when it first imports the package: the default of every
sampler's ``progressbar`` (a process's kernel, terminal and CI setting do not change while it
runs, and Python evaluates a parameter's default once)."""


class ProgressLine:
    """Steps done out of a total on one line of a terminal, rewritten in place.

    Parameters
    ----------
    label : str
        What is counted (``"simulating"``).
    total : int
        Steps in all.
    stream : file object, optional
        Where the line goes (default: standard error).
    width : int, optional
        The terminal's width: the line is cut to one column less (a line that wraps would
        leave each redraw below the last). Default: not cut.

    """

    def __init__(self, label: str, total: int, stream: TextIO | None = None,
                 width: int | None = None) -> None:
        self.label, self.total = label, max(int(total), 1)
        self.stream = sys.stderr if stream is None else stream
        self.width = width
        self.started = time.perf_counter()

    def text(self, done: int) -> str:
        """The line after ``done`` steps: count, percent and the time left at this pace."""
        line = f"{self.label}: {done}/{self.total} ({100 * done // self.total}%)"
        if 0 < done < self.total:
            left = (time.perf_counter() - self.started) / done * (self.total - done)
            line += f", about {left:.0f} s left"
        return line

    def __call__(self, done: int) -> None:
        """Show ``done`` steps (the line ends once every step is done)."""
        # \r returns to the line's start, ESC[K clears what a longer previous line left
        end = "\n" if done >= self.total else ""
        text = self.text(done) if self.width is None else self.text(done)[:self.width - 1]
        print(f"\r{text}\x1b[K", end=end, file=self.stream, flush=True)
