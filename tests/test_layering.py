"""Imports point one way (DESIGN §5): the pure core does no I/O, asc and sandbox stand apart."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parent.parent / "reconciler"
PURE = [
    "manifest",
    "kinds/__init__",
    "kinds/version",
    "kinds/version_states",
    "kinds/version_strings",
    "state",
    "plan",
    "planner",
    "planfile",
    "outcome",
    "views/__init__",
    "views/words",
    "views/text",
    "views/markdown",
    "views/json",
    "views/report",
    "annotations",
    "schema",
]
THIRD_PARTY_IO = {"httpx", "ruamel", "jwt", "cryptography", "socket", "subprocess"}


def _modules(under: Path) -> list[Path]:
    return sorted(p for p in under.rglob("*.py"))


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _uses(path: Path) -> set[str]:
    """I/O the pure layer must not touch: print(), open(), os.environ, sys.stdout/stderr."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in {"print", "open", "input"}
        ):
            found.add(node.func.id)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            dotted = f"{node.value.id}.{node.attr}"
            if dotted in {"os.environ", "sys.stdout", "sys.stderr", "sys.stdin", "os.getenv"}:
                found.add(dotted)
    return found


def _top(name: str) -> str:
    return name.split(".")[0]


@pytest.mark.parametrize("name", PURE)
def test_the_pure_core_imports_no_io(name: str) -> None:
    path = PACKAGE / f"{name}.py"
    if not path.exists():
        pytest.skip(f"{name}.py is not written yet")
    imports = _imports(path)
    assert not {_top(i) for i in imports} & THIRD_PARTY_IO
    assert not {
        i
        for i in imports
        if i.startswith(
            (
                "reconciler.asc",
                "reconciler.sandbox",
                "reconciler.cli",
                "reconciler.commands",
                "reconciler.loader",
            )
        )
    }
    assert not {"os", "sys"} & {_top(i) for i in imports}
    assert not _uses(path)


def test_asc_imports_only_errors_httpx_jwt_and_the_standard_library() -> None:
    for path in _modules(PACKAGE / "asc"):
        for name in _imports(path):
            if name.startswith("reconciler"):
                assert name.startswith(("reconciler.errors", "reconciler.asc")), (path, name)


def test_the_sandbox_imports_nothing_from_the_rest_of_the_package() -> None:
    for path in _modules(PACKAGE / "sandbox"):
        for name in _imports(path):
            assert not name.startswith("reconciler") or name.startswith("reconciler.sandbox"), (
                path,
                name,
            )


def test_nothing_imports_the_cli_and_only_the_cli_reads_the_environment() -> None:
    for path in _modules(PACKAGE):
        if path.name in {"cli.py", "__main__.py"}:
            continue
        assert "reconciler.cli" not in _imports(path), path
        assert not {"os.environ", "os.getenv"} & _uses(path), path
