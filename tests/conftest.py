"""Shared fixtures: the bundled priors and a writable copy of them."""

import re
import shutil
from pathlib import Path

import pytest

from model.core.paths import default_priors_dir
from model.evidence.priorset import load_priors

REAL_DATA = Path(__file__).resolve().parents[2] / "shared" / "real-data"


def at_key(path: Path | str, key: str) -> str:
    """The pattern of a fault's place in a TOML file: the file, a line and the key path."""
    return rf"{re.escape(str(path))}: line \d+, key {re.escape(key)}"


def edit_safety(root: Path, old: str, new: str) -> Path:
    """Replace the first ``old`` of ``root``'s ``safety.toml`` by ``new``; its path."""
    path = root / "safety.toml"
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))
    return path


@pytest.fixture(autouse=True, scope="session")
def _fit_cache(tmp_path_factory):
    """``mgsleep analyze`` keeps fits in a test directory, never in the user's cache."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MGSLEEP_CACHE", str(tmp_path_factory.mktemp("fit-cache")))
        yield


@pytest.fixture(scope="session")
def priors():
    return load_priors()


@pytest.fixture
def priors_copy(tmp_path) -> Path:
    """A writable copy of the bundled priors directory."""
    target = tmp_path / "priors"
    shutil.copytree(default_priors_dir(), target)
    return target
