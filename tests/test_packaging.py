"""The release as a user installs it: `python -m build`, `twine check`, a fresh virtualenv.

The wheel is built from the sdist (what `python -m build` does by default), so the sdist is
complete too. The installed CLI runs from a folder outside the repository, where the only
reconciler to import is the installed one; dependencies come from the package index.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from reconciler import __version__
from tests.worktree import ROOT, copy_worktree

pytestmark = pytest.mark.slow

EXAMPLE = ROOT / "examples" / "releases.yaml"
BROKEN = ROOT / "tests" / "manifests" / "invalid" / "unknown_key_typo.yaml"
# Variables that would change what the CLI does, or which reconciler Python imports.
FOREIGN_ENV = ("ASC_", "APP_STORE_CONNECT_", "GITHUB_", "PYTHON", "VIRTUAL_ENV")


def _clean_env() -> dict[str, str]:
    return {key: value for key, value in os.environ.items() if not key.startswith(FOREIGN_ENV)}


def _run(*command: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=_clean_env(),
        capture_output=True,
        text=True,
        check=False,
    )


def _ok(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 0, (
        f"{done.args} exited {done.returncode}:\n{done.stdout}{done.stderr}"
    )
    return done.stdout


@dataclass(frozen=True)
class Dist:
    sdist: Path
    wheel: Path


@dataclass(frozen=True)
class Installed:
    """A fresh virtualenv with only the wheel and its dependencies, and a folder to work in."""

    bin: Path
    work: Path

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return _run(self.bin / "reconciler", *args, cwd=self.work)


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Dist:
    # A copy, so that the build leaves nothing behind in the repository.
    source = copy_worktree(tmp_path_factory.mktemp("source") / "reconciler")
    out = tmp_path_factory.mktemp("dist")
    _ok(_run(sys.executable, "-m", "build", "--outdir", out, source, cwd=out))
    (sdist,) = out.glob("*.tar.gz")
    (wheel,) = out.glob("*.whl")
    print(
        f"sdist {sdist.name}: {sdist.stat().st_size} bytes; wheel {wheel.name}: "
        f"{wheel.stat().st_size} bytes"
    )
    return Dist(sdist=sdist, wheel=wheel)


@pytest.fixture(scope="module")
def installed(dist: Dist, tmp_path_factory: pytest.TempPathFactory) -> Installed:
    venv = tmp_path_factory.mktemp("venv")
    _ok(_run(sys.executable, "-m", "venv", venv, cwd=venv))
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    _ok(_run(bin_dir / "python", "-m", "pip", "install", "-q", dist.wheel, cwd=venv))
    return Installed(bin=bin_dir, work=tmp_path_factory.mktemp("work"))


def test_the_sdist_and_the_wheel_pass_twine_check(dist: Dist) -> None:
    done = _run(
        sys.executable,
        "-m",
        "twine",
        "check",
        "--strict",
        dist.sdist,
        dist.wheel,
        cwd=dist.wheel.parent,
    )
    print(done.stdout)
    _ok(done)
    assert done.stdout.count("PASSED") == 2


def test_both_are_named_for_the_one_version_in_reconciler_init(dist: Dist) -> None:
    assert dist.sdist.name == f"reconciler-{__version__}.tar.gz"
    assert dist.wheel.name == f"reconciler-{__version__}-py3-none-any.whl"
    with zipfile.ZipFile(dist.wheel) as wheel:
        metadata = wheel.read(f"reconciler-{__version__}.dist-info/METADATA").decode()
    assert f"\nVersion: {__version__}\n" in metadata


def test_the_wheel_carries_the_sandbox_seed_and_its_console_script_but_no_tests(
    dist: Dist,
) -> None:
    with zipfile.ZipFile(dist.wheel) as wheel:
        names = set(wheel.namelist())
        scripts = wheel.read(f"reconciler-{__version__}.dist-info/entry_points.txt").decode()
    assert "reconciler/sandbox/sandbox-account.json" in names
    assert not [name for name in names if name.startswith(("tests/", "benchmarks/"))]
    assert "reconciler = reconciler.cli:main" in scripts


def test_the_installed_cli_prints_its_version(installed: Installed) -> None:
    assert _ok(installed.cli("--version")) == f"reconciler {__version__}\n"


def test_the_installed_package_is_imported_from_the_virtualenv(installed: Installed) -> None:
    code = "import reconciler; print(reconciler.__file__)"
    where = Path(_ok(_run(installed.bin / "python", "-c", code, cwd=installed.work)).strip())
    assert installed.bin.parent in where.parents
    assert ROOT not in where.parents


def test_the_installed_cli_plans_the_example_against_the_sandbox(installed: Installed) -> None:
    shutil.copy(EXAMPLE, installed.work / "releases.yaml")

    done = installed.cli("plan", "releases.yaml", "--sandbox", "--detailed-exitcode")

    print(done.stdout, done.stderr)
    assert done.returncode == 2, done.stdout + done.stderr  # ExitCode.CHANGES
    assert "Plan: 4 to create, 6 to update, 1 to delete. 1 deferred." in done.stdout
    assert (installed.work / ".reconciler" / "sandbox-state.json").is_file()


def test_the_installed_cli_validates_offline_with_file_line_and_column(
    installed: Installed,
) -> None:
    shutil.copy(EXAMPLE, installed.work / "good.yaml")
    shutil.copy(BROKEN, installed.work / "broken.yaml")

    assert installed.cli("validate", "good.yaml").returncode == 0
    done = installed.cli("validate", "broken.yaml", "--format", "json")

    assert done.returncode == 1
    (problem,) = json.loads(done.stdout)["errors"]
    assert (problem["file"], problem["line"], problem["column"]) == ("broken.yaml", 6, 7)
    assert problem["path"] == "apps.com.example.app.ios.relase_type"


def test_the_installed_cli_prints_the_committed_schema(installed: Installed) -> None:
    committed = (ROOT / "schemas" / "manifest.schema.json").read_text(encoding="utf-8")
    assert _ok(installed.cli("schema")) == committed
