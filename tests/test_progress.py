"""Progress where people wait (model.core.progress): notebooks and terminals yes, pipes, CI
and pytest no; ``mgsleep plan --simulate`` on a pseudo-terminal and on a pipe; Dask workers
that exit without the nanny's "killing" warning. A real Jupyter kernel's answer is checked in
tests/test_notebooks.py."""

import io
import os
import pty
import subprocess
import sys
import types
from pathlib import Path

import pytest

from model.core.progress import ProgressLine, in_ipython, show_progress

ROOT = Path(__file__).resolve().parents[1]
QUIET = ("CI", "PYTEST_CURRENT_TEST", "PYTEST_VERSION")


def outside_tests(monkeypatch) -> None:
    """The environment of a person's shell: no CI, not under pytest (called in the test's body:
    pytest sets PYTEST_CURRENT_TEST again after the fixtures)."""
    for name in QUIET:
        monkeypatch.delenv(name, raising=False)


def _writing_end(ends: tuple[int, int]):
    """The second end of a pair of descriptors as a text stream; both closed afterwards."""
    other, write = ends
    with os.fdopen(write, "w") as stream:
        yield stream
    os.close(other)


@pytest.fixture
def terminal():
    """A writable pseudo-terminal."""
    yield from _writing_end(pty.openpty())


@pytest.fixture
def pipe():
    """The writing end of a pipe."""
    yield from _writing_end(os.pipe())


def test_a_terminal_shows_progress_a_pipe_or_a_file_does_not(monkeypatch, terminal, pipe):
    outside_tests(monkeypatch)
    assert show_progress(terminal)
    assert not show_progress(pipe)
    assert not show_progress(io.StringIO())


@pytest.mark.parametrize(("name", "value"), [("CI", "true"), ("CI", "1"),
                                             ("PYTEST_CURRENT_TEST", "t.py::x (call)"),
                                             ("PYTEST_VERSION", "9.2.0")])
def test_ci_and_pytest_silence_even_a_terminal(terminal, monkeypatch, name, value):
    outside_tests(monkeypatch)
    monkeypatch.setenv(name, value)
    assert not show_progress(terminal)


@pytest.mark.parametrize("value", ["", "0", "false", "No"])
def test_a_ci_variable_that_says_no_is_not_ci(terminal, monkeypatch, value):
    outside_tests(monkeypatch)
    monkeypatch.setenv("CI", value)
    assert show_progress(terminal)


def test_an_ipython_shell_shows_progress_even_on_a_pipe(pipe, monkeypatch):
    outside_tests(monkeypatch)
    shell = types.ModuleType("IPython")
    shell.get_ipython = lambda: None            # IPython imported, no shell running
    monkeypatch.setitem(sys.modules, "IPython", shell)
    assert not in_ipython() and not show_progress(pipe)
    shell.get_ipython = object                  # a running shell (a kernel) answers
    assert in_ipython() and show_progress(pipe)
    monkeypatch.setenv("CI", "true")            # but not in CI
    assert not show_progress(pipe)


def test_the_sampler_settings_follow_the_rule_when_made(terminal, monkeypatch):
    outside_tests(monkeypatch)
    from model.inference.sampling import SamplerConfig

    monkeypatch.setattr(sys, "stderr", terminal)
    assert SamplerConfig().progressbar is True
    monkeypatch.setenv("CI", "true")
    assert SamplerConfig().progressbar is False
    assert SamplerConfig(progressbar=True).progressbar is True


def test_a_progress_line_is_rewritten_in_place_and_ends_once():
    stream = io.StringIO()
    line = ProgressLine("simulating", 4, stream)
    for done in range(5):
        line(done)
    text = stream.getvalue()
    assert text.count("\r") == 5 and text.count("\n") == 1 and text.endswith("\n")
    shown = [part.replace("\x1b[K", "").rstrip("\n") for part in text.split("\r")[1:]]
    assert [s.split(",")[0] for s in shown] == [f"simulating: {k}/4 ({25 * k}%)"
                                                 for k in range(5)]
    assert [s.endswith(" s left") for s in shown] == [False, True, True, True, False]


# ---- the command on a terminal and on a pipe -------------------------------------------------

PLAN = [sys.executable, "-m", "model", "plan", "--forms", "glycinate,citrate", "--simulate",
        "--sims", "2", "--seed", "1", "--start", "2027-01-04"]


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in QUIET}
    return env | {"PYTHONPATH": str(ROOT)}


def _read_all(fd: int) -> bytes:
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # EIO: the terminal's other end closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def test_plan_simulate_counts_on_a_terminal():
    main, secondary = pty.openpty()
    process = subprocess.Popen(PLAN, stdout=subprocess.PIPE, stderr=secondary,
                               env=_environment(), cwd=ROOT)
    os.close(secondary)
    err = _read_all(main).decode().replace("\r\n", "\n")  # the terminal's own newline
    out = process.communicate(timeout=300)[0].decode()
    os.close(main)
    assert process.returncode == 0, err
    assert "P(right decision)" in out and "simulating" not in out
    updates = err.split("\r")
    assert updates[0] == "" and updates[1].startswith("simulating trials: 0/2 (0%)")
    assert updates[-1].replace("\x1b[K", "").strip() == "simulating trials: 2/2 (100%)"
    assert err.count("\n") == 1            # one line, rewritten in place


def test_plan_simulate_is_silent_on_a_pipe():
    done = subprocess.run(PLAN, capture_output=True, text=True, env=_environment(), cwd=ROOT,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert "P(right decision)" in done.stdout
    assert done.stderr == ""


@pytest.mark.slow
@pytest.mark.fit
def test_dask_workers_exit_without_shutdown_noise(tmp_path, priors):
    """Before the worker hook, every run printed two nanny warnings ("killing")."""
    from model.simulate.personas import simulate_population

    frames, _ = simulate_population(priors, 3, 60, seed=1)
    for k, frame in enumerate(frames):
        frame.to_csv(tmp_path / f"p{k}.csv", index=False)
    done = subprocess.run([sys.executable, "-m", "model", "population", str(tmp_path),
                           "--workers", "2", "--seed", "1", "--json", str(tmp_path / "p.json")],
                          capture_output=True, text=True, env=_environment(), cwd=ROOT,
                          timeout=900, check=False)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "p.json").exists()
    assert "distributed" not in done.stderr and "killing" not in done.stderr, done.stderr
