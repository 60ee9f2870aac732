"""The architecture, checked: layers, light start-up, no private imports, short modules."""

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "model"
MAX_LINES = 450
MAX_FUNCTION_LINES = 60

LONG_MODULES_BEING_SPLIT: set[str] = set()
"""Modules over MAX_LINES today, being split on other branches: shrink this set, never grow it."""

PRIVATE_IMPORTS_BEING_FIXED: set[tuple[str, str, str]] = set()
"""(importer, module, name) of private imports still to remove: shrink it, never grow it."""

HEAVY = re.compile(r"\|\s*(pymc|pytensor)(\.|\s*$)", re.MULTILINE)
"""An ``-X importtime`` line of a PyMC or PyTensor module."""


def run_here(*args: str) -> subprocess.CompletedProcess[str]:
    """Run a command in the repository with this tree first on the import path."""
    env = os.environ | {"PYTHONPATH": os.pathsep.join(
        filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, check=False,
                          timeout=300)


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_the_layers_contract_holds():
    """import-linter's contract in pyproject.toml: a layer imports only from layers below it."""
    lint_imports = Path(sys.executable).parent / "lint-imports"
    assert lint_imports.exists(), "lint-imports missing: install the test extra (.[test])"
    done = run_here(str(lint_imports), "--no-cache")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout


@pytest.mark.parametrize("command", [["--help"], ["priors", "--json", "-"]])
def test_help_and_priors_import_neither_pymc_nor_pytensor(command):
    done = run_here(sys.executable, "-X", "importtime", "-m", "model", *command)
    assert done.returncode == 0, done.stderr[-2000:]
    heavy = HEAVY.findall(done.stderr)
    assert not heavy, f"mgsleep {' '.join(command)} imported {sorted({h[0] for h in heavy})}"


def test_importing_model_imports_nothing_heavy():
    done = run_here(sys.executable, "-c", "import sys, model; print(sorted(m for m in "
                    "sys.modules if m.split('.')[0] in ('numpy', 'pandas', 'pymc', "
                    "'pytensor', 'xarray', 'scipy')))")
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "[]"


def imported_names(source: str, module_of_source: str,
                   is_package: bool = False) -> list[tuple[str, str]]:
    """(module, name) of every ``from model... import name`` in a module (relative ones too)."""
    here = module_of_source.split(".")
    package = here if is_package else here[:-1]
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.ImportFrom):
            continue
        if node.level:
            base = package[:len(package) - node.level + 1]
            module = ".".join([*base, *([node.module] if node.module else [])])
        else:
            module = node.module or ""
        if module == "model" or module.startswith("model."):
            found += [(module, alias.name) for alias in node.names]
    return found


def test_no_private_name_is_imported_from_another_module():
    offenders = {
        (relative(path), module, name)
        for path in modules()
        for module, name in imported_names(path.read_text(encoding="utf-8"), module_name(path),
                                           path.name == "__init__.py")
        if name.startswith("_") and not name.startswith("__") and module != module_name(path)
    }
    assert offenders <= PRIVATE_IMPORTS_BEING_FIXED, sorted(
        offenders - PRIVATE_IMPORTS_BEING_FIXED)


def test_the_private_import_check_sees_relative_and_absolute_imports():
    source = "from model.core.forms import _x\nfrom .forms import _y\nfrom . import _z\n"
    assert imported_names(source, "model.core.probe") == [
        ("model.core.forms", "_x"), ("model.core.forms", "_y"), ("model.core", "_z")]
    assert imported_names("from .errors import _e\n", "model.core", is_package=True) == [
        ("model.core.errors", "_e")]


def test_no_module_is_over_450_lines():
    long = {relative(p): n for p in modules()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    unexpected = {p: n for p, n in long.items() if p not in LONG_MODULES_BEING_SPLIT}
    assert not unexpected, f"modules over {MAX_LINES} lines: {unexpected}"


def test_no_function_has_over_60_lines_of_code():
    """Code lines from the first statement after the docstring to the end."""
    long = []
    for path in modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                body = node.body[1:] if ast.get_docstring(node) is not None else node.body
                if body and (n := node.end_lineno - body[0].lineno + 1) > MAX_FUNCTION_LINES:
                    long.append(f"{relative(path)}:{node.name} ({n})")
    assert not long, long


def test_no_import_cycle_in_the_package():
    import grimp

    graph = grimp.build_graph("model")
    imports = {m: graph.find_modules_directly_imported_by(m) for m in graph.modules}
    state: dict[str, int] = {}          # 1: on the current path, 2: done

    def visit(module: str, path: list[str]) -> list[str] | None:
        state[module] = 1
        for target in sorted(imports[module]):
            if state.get(target) == 1:
                return [*path, module, target]
            if target not in state and (cycle := visit(target, [*path, module])):
                return cycle
        state[module] = 2
        return None

    for module in sorted(graph.modules):
        if module not in state:
            cycle = visit(module, [])
            assert cycle is None, " -> ".join(cycle)
