"""Shared fixtures: the bundled priors and a writable copy of them, the bundled safety rules and
a clean adult profile checked against them."""

import re
import shutil
from pathlib import Path

import pytest

from model.core.paths import default_priors_dir
from model.data.profile import Profile, checked_profile
from model.evidence.floor import bundled_safety
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


HEAVY_FIRST = ("test_population.py", "test_notebooks.py", "test_analyze_e2e.py",
               "test_fit_cache.py", "test_design.py", "test_device_change.py", "test_demo.py",
               "test_personal.py", "test_compile_cache.py", "test_build_up_audit.py")
"""The test files that take longest (``--durations``), longest first."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the longest files first: ``make test``'s two workers take one file at a time
    (``--dist loadfile --no-loadscope-reorder``), and a long file taken last kept one worker
    busy minutes after the other had finished."""
    rank = {name: k for k, name in enumerate(HEAVY_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))


@pytest.fixture(autouse=True, scope="session")
def _fit_cache(tmp_path_factory):
    """``mgsleep analyze`` keeps fits in a test directory, never in the user's cache."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MGSLEEP_CACHE", str(tmp_path_factory.mktemp("fit-cache")))
        yield


@pytest.fixture(scope="session")
def priors():
    return load_priors()


@pytest.fixture(scope="session")
def safety():
    """The bundled safety rules (``safety.toml``)."""
    return bundled_safety()


@pytest.fixture(scope="session")
def clean(safety):
    """An adult of 40 with eGFR 90, no conditions, no medicines (the audits' clean profile)."""
    return checked_profile(Profile(age=40, egfr=90, pregnant=False, conditions=(),
                                   medications=()), safety=safety)


@pytest.fixture
def priors_copy(tmp_path) -> Path:
    """A writable copy of the bundled priors directory."""
    target = tmp_path / "priors"
    shutil.copytree(default_priors_dir(), target)
    return target
