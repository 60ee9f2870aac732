"""Progress for people who wait: whether to show it, and one line that counts steps.

:func:`show_progress` is the one rule of the package: progress is shown in an IPython shell or
a Jupyter kernel, and on a terminal; never in continuous integration (``CI`` set) or under
pytest, and never on a pipe or a file, where it would only be noise. The progress-bar defaults
of the samplers and :class:`ProgressLine` (``mgsleep plan --simulate``) follow it.
"""

from __future__ import annotations

import os
import sys
import time
from typing import TextIO

QUIET_ENVIRONMENT: tuple[str, ...] = ("PYTEST_CURRENT_TEST", "PYTEST_VERSION")
"""Variables whose presence means "under pytest": no progress."""

FALSE_WORDS = frozenset({"", "0", "false", "no", "off"})
"""Values of ``CI`` that do not mean continuous integration."""


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
        False in CI or under pytest; else True in IPython or Jupyter, or when ``stream`` is
        a terminal.

    """
    if os.environ.get("CI", "").strip().lower() not in FALSE_WORDS:
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

    """

    def __init__(self, label: str, total: int, stream: TextIO | None = None) -> None:
        self.label, self.total = label, max(int(total), 1)
        self.stream = sys.stderr if stream is None else stream
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
        print(f"\r{self.text(done)}\x1b[K", end=end, file=self.stream, flush=True)
