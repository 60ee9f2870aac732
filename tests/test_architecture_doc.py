"""ARCHITECTURE.md names every module of the package, and names none that does not exist.

A maintainer's review (/tmp/w45/C F11): the architecture document named 96 of 202 modules,
so a reader could not find where a job lives; nothing tied the document to the code.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "model"
DOC = ROOT / "ARCHITECTURE.md"

NAMED = re.compile(r"`((?:model/)?[\w/]+\.py)`")
"""A module as the document names it: ``core/outcomes.py`` or ``model/testing.py``."""


def package_modules() -> set[str]:
    """Every module of ``model/`` relative to it, packages' ``__init__``/``__main__`` aside."""
    return {p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*.py")
            if p.name not in ("__init__.py", "__main__.py")}


def named_modules(text: str) -> set[str]:
    """The modules a text names in backticks, relative to ``model/``."""
    return {name.removeprefix("model/") for name in NAMED.findall(text)}


def row(module: str) -> str:
    """The table row of ``module`` under "Every module": its name and its docstring's first line."""
    doc = ast.get_docstring(ast.parse((PACKAGE / module).read_text(encoding="utf-8"))) or ""
    return f"| `{module}` | {' '.join(doc.split(chr(10) * 2)[0].split())} |"


def test_every_module_is_named_in_architecture_md() -> None:
    missing = package_modules() - named_modules(DOC.read_text(encoding="utf-8"))
    rows = "\n".join(row(m) for m in sorted(missing))
    assert not missing, f"ARCHITECTURE.md does not name these; add their rows:\n{rows}"


def test_every_module_architecture_md_names_exists() -> None:
    absent = {name for name in named_modules(DOC.read_text(encoding="utf-8"))
              if not (PACKAGE / name).is_file() and not (ROOT / name).is_file()}  # tests/
    assert not absent, f"ARCHITECTURE.md names modules that do not exist: {sorted(absent)}"


def test_the_check_reads_names_as_the_document_writes_them() -> None:
    """The pattern finds a module in a table cell and one with its package prefix."""
    assert named_modules("| `core/outcomes.py`, `model/testing.py` | `trial/` |") == {
        "core/outcomes.py", "testing.py"}
