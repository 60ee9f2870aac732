"""A priors write-back into an existing folder is all or nothing, even when killed midway.

``install_priors`` renames the staged files in as one journalled set; ``load_priors`` finishes a
set whose writer was killed between two renames before it reads anything. The kill is real: a
child process SIGKILLs itself at its third rename of a priors file (as the audit's ``strace``
injection did); the old per-file ``os.replace`` left a mix that loaded without complaint.
"""

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from model.core.errors import PriorsError
from model.core.paths import default_priors_dir
from model.evidence.priorset import load_priors
from model.population.writeback import install_priors, staged_beside

ROOT = Path(__file__).resolve().parents[1]
NEW = "\n# written back\n"

KILLED_INSTALL = textwrap.dedent("""
    import os, shutil, signal, sys
    from pathlib import Path
    from model.population.writeback import install_priors, staged_beside

    new, out = Path(sys.argv[1]), sys.argv[2]
    real_replace, renamed = os.replace, []

    def replace(src, dst):
        if not str(dst).endswith(".tmp"):          # a priors file itself, not a temporary
            renamed.append(dst)
            if len(renamed) == 3:
                os.kill(os.getpid(), signal.SIGKILL)
        real_replace(src, dst)

    os.replace = replace
    with staged_beside(out) as staging:
        shutil.copytree(new, staging / "priors")
        install_priors(staging / "priors", out)
""")


def toml_files(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): p.read_text() for p in sorted(folder.rglob("*.toml"))}


@pytest.fixture
def old_and_new(tmp_path):
    """An existing priors folder (the bundled ones) and a new set of its toml files."""
    out, new = tmp_path / "out", tmp_path / "new"
    shutil.copytree(default_priors_dir(), out)
    new.mkdir()
    for relative, text in toml_files(out).items():
        (new / relative).parent.mkdir(parents=True, exist_ok=True)
        (new / relative).write_text(text + NEW)
    return out, new


def test_a_write_back_killed_between_two_renames_is_finished_by_the_next_load(old_and_new):
    out, new = old_and_new
    done = subprocess.run([sys.executable, "-c", KILLED_INSTALL, str(new), str(out)],
                          cwd=ROOT, env=os.environ | {"PYTHONPATH": str(ROOT)}, check=False,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == -9, done.stderr[-2000:]
    written = [name for name, text in toml_files(out).items() if text.endswith(NEW)]
    assert 0 < len(written) < len(toml_files(new))          # the mix a reader used to load
    assert list(out.glob(".mgsleep-set.*.json"))             # the journal of the dead writer
    assert [p.name for p in out.parent.glob(".out.*")]       # and its staging folder

    load_priors(out)

    assert toml_files(out) == toml_files(new)                # the complete new set
    assert not list(out.rglob(".*"))                         # no journal, no temporary
    assert sorted(p.name for p in out.parent.iterdir()) == ["new", "out"]   # staging swept


def test_a_forced_install_replaces_the_set_and_leaves_nothing_behind(old_and_new):
    out, new = old_and_new
    (out / "notes.txt").write_text("mine")
    with staged_beside(out) as staging:
        shutil.copytree(new, staging / "priors")
        install_priors(staging / "priors", out)
    assert toml_files(out) == toml_files(new) and (out / "notes.txt").read_text() == "mine"
    assert not list(out.rglob(".*"))
    assert sorted(p.name for p in out.parent.iterdir()) == ["new", "out"]


def test_a_failure_before_the_renames_leaves_the_old_set(old_and_new, monkeypatch):
    out, new = old_and_new
    before = toml_files(out)
    real_replace, calls = os.replace, []

    def fail_third_move(src, dst):
        calls.append(dst)
        if len(calls) == 3:                     # while moving staged files beside the targets
            raise OSError(28, "No space left on device", str(dst))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", fail_third_move)
    with pytest.raises(OSError), staged_beside(out) as staging:
        shutil.copytree(new, staging / "priors")
        install_priors(staging / "priors", out)
    monkeypatch.setattr(os, "replace", real_replace)
    assert toml_files(out) == before and not list(out.rglob(".*"))


def test_ctrl_c_between_two_renames_finishes_the_set(old_and_new, monkeypatch):
    out, new = old_and_new
    real_replace, renamed = os.replace, []

    def interrupt_third(src, dst):
        if not str(dst).endswith(".tmp"):
            renamed.append(dst)
            if len(renamed) == 3:
                raise KeyboardInterrupt
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", interrupt_third)
    with pytest.raises(KeyboardInterrupt), staged_beside(out) as staging:
        shutil.copytree(new, staging / "priors")
        install_priors(staging / "priors", out)
    assert toml_files(out) == toml_files(new) and not list(out.rglob(".*"))


def test_a_folder_being_written_right_now_is_not_read(priors_copy):
    journal = priors_copy / f".mgsleep-set.{os.getpid()}.x.json"   # a running writer
    journal.write_text(json.dumps([]))
    with pytest.raises(PriorsError, match=f"process {os.getpid()} is writing priors into "
                       "this folder right now"):
        load_priors(priors_copy)


def test_a_journal_that_cannot_be_finished_is_an_error_naming_the_folder(priors_copy,
                                                                          monkeypatch):
    target = priors_copy / "settings.toml"
    pending = priors_copy / ".settings.toml.999999999.x.tmp"
    pending.write_text(target.read_text())
    (priors_copy / ".mgsleep-set.999999999.x.json").write_text(json.dumps(
        [[str(priors_copy / ".class.toml.999999999.y.tmp"), str(priors_copy / "class.toml")],
         [str(pending), str(target)]]))

    def read_only(src, dst):
        raise PermissionError(13, "Permission denied", str(dst))

    monkeypatch.setattr(os, "replace", read_only)
    with pytest.raises(PriorsError, match=rf"{priors_copy}: a write of priors into this folder "
                       r"was interrupted.*\(Permission denied\); load it once with write"):
        load_priors(priors_copy)
