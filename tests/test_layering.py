"""Imports point one way (DESIGN §5), and what each layer may import is promised here:

- the pure core imports the standard library without its I/O modules, pydantic and deepdiff,
  and other pure modules only: it cannot reach I/O through another module either;
- asc imports the standard library, httpx, jwt and cryptography, and of reconciler only errors;
- the sandbox imports the standard library, httpx, jwt and cryptography, and nothing else of
  reconciler;
- nothing imports the cli, and only the cli reads the environment.

Imports are read from the source (relative ones and `from reconciler import render` included),
so a module is checked without being imported.
"""

from __future__ import annotations

import ast
import sys
from functools import cache
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parent.parent / "reconciler"
# The package's __init__ (the version only) and the modules that decide without doing I/O.
PURE_NAMED = [
    "reconciler",
    "reconciler.annotations",
    "reconciler.budget",
    "reconciler.errors",
    "reconciler.exit_codes",
    "reconciler.import_yaml",
    "reconciler.importer",
    "reconciler.manifest",
    "reconciler.outcome",
    "reconciler.plan",
    "reconciler.planfile",
    "reconciler.planner",
    "reconciler.schema",
    "reconciler.state",
]
PURE_PACKAGES = ["kinds", "views"]  # every module under these folders is pure, whenever it lands
PURE_THIRD_PARTY = {"pydantic", "deepdiff"}
IO_THIRD_PARTY = {"httpx", "jwt", "cryptography"}
# Standard library modules that read, write, wait or talk to the world.
IO_STDLIB = {
    "asyncio",
    "http",
    "io",
    "logging",
    "multiprocessing",
    "os",
    "pathlib",
    "select",
    "selectors",
    "shutil",
    "signal",
    "socket",
    "ssl",
    "subprocess",
    "sys",
    "tempfile",
    "threading",
    "urllib",
}
IO_CALLS = {"print", "open", "input"}
IO_ATTRIBUTES = {"os.environ", "os.getenv", "sys.stdout", "sys.stderr", "sys.stdin"}


def _name_of(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_name_of(path): path for path in sorted(PACKAGE.rglob("*.py"))}
PURE = PURE_NAMED + sorted(
    _name_of(path) for folder in PURE_PACKAGES for path in (PACKAGE / folder).rglob("*.py")
)


@cache
def _tree(name: str) -> ast.Module:
    return ast.parse(MODULES[name].read_text(encoding="utf-8"))


@cache
def _imports(name: str) -> frozenset[str]:
    package = name if MODULES[name].name == "__init__.py" else name.rpartition(".")[0]
    return frozenset(_imported(_tree(name), package))


def _imported(tree: ast.Module, package: str) -> set[str]:
    """Every name a module of `package` imports, absolute; `from a import b` gives a and a.b."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                anchor = parts[: len(parts) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def _reconciler_imports(name: str) -> set[str]:
    """The reconciler modules `name` makes Python run: each one imported, and its packages."""
    found = set()
    for imported in _imports(name):
        parts = imported.split(".")
        found.update(
            ".".join(parts[:n]) for n in range(1, len(parts) + 1) if ".".join(parts[:n]) in MODULES
        )
    return found - {name}


def _third_party(name: str) -> set[str]:
    tops = {imported.split(".")[0] for imported in _imports(name)}
    return {top for top in tops if top not in sys.stdlib_module_names and top != "reconciler"}


def _reached(name: str) -> dict[str, list[str]]:
    """Every reconciler module `name` reaches, with the chain of imports that gets there."""
    chains = {name: [name]}
    todo = [name]
    while todo:
        current = todo.pop()
        for imported in sorted(_reconciler_imports(current)):
            if imported not in chains:
                chains[imported] = [*chains[current], imported]
                todo.append(imported)
    return chains


def _uses(name: str) -> set[str]:
    """print(), open(), input(), os.environ, os.getenv, sys.stdout/stderr/stdin."""
    found = set()
    for node in ast.walk(_tree(name)):
        called = isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        if called and node.func.id in IO_CALLS:
            found.add(node.func.id)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            dotted = f"{node.value.id}.{node.attr}"
            if dotted in IO_ATTRIBUTES:
                found.add(dotted)
        if isinstance(node, ast.ImportFrom) and node.module in {"os", "sys"}:
            found.update(
                f"{node.module}.{a.name}"
                for a in node.names
                if f"{node.module}.{a.name}" in IO_ATTRIBUTES
            )
    return found


def _under(folder: str) -> list[str]:
    package = f"reconciler.{folder}"
    return [name for name in MODULES if name == package or name.startswith(package + ".")]


@pytest.mark.parametrize("name", PURE)
def test_a_pure_module_does_no_io(name: str) -> None:
    if name not in MODULES:
        pytest.fail(f"{name} is listed as pure but does not exist: update PURE_NAMED")
    tops = {imported.split(".")[0] for imported in _imports(name)}
    assert tops & IO_STDLIB == set()
    assert _third_party(name) <= PURE_THIRD_PARTY
    assert _uses(name) == set()


@pytest.mark.parametrize("name", PURE)
def test_a_pure_module_reaches_only_pure_modules(name: str) -> None:
    if name not in MODULES:
        pytest.fail(f"{name} is listed as pure but does not exist: update PURE_NAMED")
    impure = [
        " -> ".join(chain) for reached, chain in _reached(name).items() if reached not in PURE
    ]
    assert impure == []


def test_imports_are_resolved_however_they_are_written() -> None:
    # `from reconciler import views` imports a module; so do relative imports.
    assert "reconciler.views" in _reconciler_imports("reconciler.commands.plan")
    source = ast.parse("from . import rules\nfrom ..errors import Problem\nimport re")
    assert _imported(source, "reconciler.kinds") >= {
        "reconciler.kinds.rules",
        "reconciler.errors",
        "re",
    }
    assert "reconciler" in _reached("reconciler.asc.client")  # a package runs its __init__


def test_asc_reaches_only_errors_and_imports_only_httpx_jwt_and_cryptography() -> None:
    for name in _under("asc"):
        reached = set(_reached(name))
        assert {r for r in reached if not r.startswith("reconciler.asc")} <= {
            "reconciler",
            "reconciler.errors",
        }, name
        assert _third_party(name) <= IO_THIRD_PARTY, name


def test_the_sandbox_reaches_nothing_of_the_rest_and_imports_only_httpx_jwt_cryptography() -> None:
    for name in _under("sandbox"):
        reached = set(_reached(name))
        assert {r for r in reached if not r.startswith("reconciler.sandbox")} <= {"reconciler"}, (
            name
        )
        assert _third_party(name) <= IO_THIRD_PARTY, name


def test_nothing_imports_the_cli_and_only_the_cli_reads_the_environment() -> None:
    for name in MODULES:
        if name in {"reconciler.cli", "reconciler.__main__"}:
            continue
        assert "reconciler.cli" not in _reconciler_imports(name), name
        assert not {"os.environ", "os.getenv"} & _uses(name), name
