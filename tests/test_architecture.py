"""Rooms of readable size and a true public API: consistency checks of the code's layout.

The import contracts themselves (layers, the dashboard as a leaf, no cycles) are checked by
``lint-imports`` from ``pyproject.toml``; these tests check what import-linter cannot.
"""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("simulation", "experiments")
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
MODULE_REASON = "Why one module:"
FUNCTION_REASON = "Why one function:"

PENDING: dict[str, str] = {}
"""Modules exempt from the size checks for now, each with the work that will settle it."""


def _modules() -> list[Path]:
    return sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py"))


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _long_functions(tree: ast.Module) -> list[tuple[str, int, int]]:
    """Functions whose body (docstring left out) passes the limit without saying why."""
    out = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        doc = ast.get_docstring(node) or ""
        body = node.body[1:] if doc and len(node.body) > 1 else node.body
        length = node.end_lineno - body[0].lineno + 1
        if length > MAX_FUNCTION_LINES and FUNCTION_REASON not in doc:
            out.append((node.name, node.lineno, length))
    return out


def _size_problems(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    tree = ast.parse(text)
    problems = []
    lines = text.count("\n")
    if lines > MAX_MODULE_LINES and MODULE_REASON not in (ast.get_docstring(tree) or ""):
        problems.append(f"{lines} lines and no {MODULE_REASON!r} in its docstring")
    problems += [
        f"function {name} (line {line}) has {length} lines and no {FUNCTION_REASON!r}"
        for name, line, length in _long_functions(tree)
    ]
    return problems


def test_modules_and_functions_are_of_readable_size_or_say_why() -> None:
    """A module past ~400 lines, or a function past ~60, is usually two ideas: split it."""
    problems = [
        f"{_rel(path)}: {problem}"
        for path in _modules()
        if _rel(path) not in PENDING
        for problem in _size_problems(path)
    ]
    assert not problems, "split by concept, or say why in the docstring:\n" + "\n".join(problems)


def test_the_pending_list_holds_only_modules_still_too_long() -> None:
    settled = [
        name for name in PENDING if (ROOT / name).is_file() and not _size_problems(ROOT / name)
    ]
    assert not settled, f"remove from PENDING (now of readable size): {settled}"


def test_the_size_check_catches_a_long_function_and_accepts_a_reason() -> None:
    body = "\n".join(f"    x{k} = {k}" for k in range(MAX_FUNCTION_LINES + 1))
    long = ast.parse(f"def f():\n    '''Do it.'''\n{body}\n")
    assert [name for name, _, _ in _long_functions(long)] == ["f"]
    excused = ast.parse(
        f"def f():\n    '''Do it.\n\n    {FUNCTION_REASON} a kernel loop.'''\n{body}\n"
    )
    assert _long_functions(excused) == []


@pytest.mark.parametrize("package", PACKAGES)
def test_every_name_of_a_package_all_is_there(package: str) -> None:
    module = importlib.import_module(package)
    missing = [name for name in module.__all__ if getattr(module, name, None) is None]
    assert not missing, f"{package}.__all__ names what it does not export: {missing}"
    assert sorted(set(module.__all__)) == sorted(module.__all__)


def test_the_model_is_at_the_package_root() -> None:
    from simulation import PoolingModel
    from simulation.model import PoolingModel as Model

    assert PoolingModel is Model
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "from simulation import PoolingModel" in readme
    assert "from simulation.model import PoolingModel" not in readme


def test_importing_a_light_module_does_not_load_the_model() -> None:
    """The package roots load their exports on first use (the CLI answers --help at once)."""
    code = (
        "import sys, simulation.parameters, simulation.palette, experiments, experiments.cli; "
        "print(sorted(m for m in ('simulation.model', 'numba', 'matplotlib') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == "[]"
