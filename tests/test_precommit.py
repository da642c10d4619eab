"""The pre-commit hook this repository offers (.pre-commit-hooks.yaml), run as a user runs it.

`pre-commit try-repo` clones the hook's repository, pip-installs it into an environment of its
own (from the package index: nothing else is reached) and runs the hook in a repository of
manifests. It would see only this repository's committed and tracked files, so the hook
repository here is a commit of the working tree as it is on disk. `pre-commit run` then runs
the configuration that docs/install.md tells users to write.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from pre_commit.clientlib import load_manifest
from ruamel.yaml import YAML

from tests.worktree import ROOT, copy_worktree

GOOD = ROOT / "examples" / "releases.yaml"
SCHEMA = ROOT / "schemas" / "manifest.schema.json"
BROKEN = ROOT / "tests" / "manifests" / "invalid" / "unknown_key_typo.yaml"
HOOK = "reconciler-validate"
# A YAML file that is not a manifest: the hook fails if it is ever given one.
WORKFLOW = "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps: []\n"


def _git(cwd: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=test", "-c", "user.email=test@example.com", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout


def _repository(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    _git(path, "init", "-q")
    return path


def _write(repo: Path, name: str, text: str) -> None:
    target = repo / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This repository's files as on disk (tracked and new, not ignored), in one commit."""
    snapshot = _repository(copy_worktree(tmp_path_factory.mktemp("hook") / "reconciler"))
    _git(snapshot, "add", "-A")
    _git(snapshot, "commit", "-q", "-m", "snapshot")
    return snapshot


def _pre_commit(
    manifests: Path, home: Path, *args: str, command: str = "run"
) -> subprocess.CompletedProcess[str]:
    # GITHUB_ACTIONS would turn problems into annotations; PRE_COMMIT_HOME keeps pre-commit's
    # cache and log out of the user's home.
    env = {key: value for key, value in os.environ.items() if not key.startswith("GITHUB_")}
    env["PRE_COMMIT_HOME"] = str(home)
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", command, *args, "--color", "never", "--verbose"],
        cwd=manifests,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def _try_repo(
    manifests: Path, hook_repo: Path, home: Path, *args: str
) -> subprocess.CompletedProcess[str]:
    return _pre_commit(manifests, home, str(hook_repo), HOOK, *args, command="try-repo")


@pytest.mark.slow
def test_the_hook_passes_a_good_manifest_and_leaves_other_yaml_files_alone(
    hook_repo: Path, tmp_path: Path
) -> None:
    manifests = _repository(tmp_path / "app")
    _write(manifests, "releases.yaml", GOOD.read_text(encoding="utf-8"))
    _write(manifests, ".github/workflows/ci.yml", WORKFLOW)
    _git(manifests, "add", "-A")
    _git(manifests, "commit", "-q", "-m", "manifests")

    done = _try_repo(manifests, hook_repo, tmp_path / "home", "--all-files")

    print(done.stdout, done.stderr)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "reconciler validate" in done.stdout
    assert "Passed" in done.stdout


@pytest.mark.slow
def test_the_hook_fails_a_broken_manifest_that_is_staged_with_file_line_and_column(
    hook_repo: Path, tmp_path: Path
) -> None:
    manifests = _repository(tmp_path / "app")
    # Already committed and broken too: a commit checks only the manifests it changes.
    _write(manifests, "old/releases.yaml", "format: 2\napps: {}\n")
    _git(manifests, "add", "-A")
    _git(manifests, "commit", "-q", "-m", "an old manifest")
    _write(manifests, "ios/releases.yaml", BROKEN.read_text(encoding="utf-8"))
    _git(manifests, "add", "ios/releases.yaml")

    done = _try_repo(manifests, hook_repo, tmp_path / "home")

    print(done.stdout, done.stderr)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Failed" in done.stdout
    assert (
        "ios/releases.yaml:6:7: apps.com.example.app.ios.relase_type: unknown key "
        "(did you mean 'release_type'?)"
    ) in done.stdout
    assert "1 problem found" in done.stdout
    assert "old/releases.yaml" not in done.stdout


@pytest.mark.parametrize(
    ("path", "checked"),
    [
        ("releases.yaml", True),
        ("releases.yml", True),
        ("apps/ios/releases.yaml", True),
        ("my-releases.yaml", False),
        (".github/workflows/plan.yml", False),
        (".pre-commit-config.yaml", False),
        ("releases.yaml.bak", False),
    ],
)
def test_the_hook_checks_files_named_as_the_cli_default_in_any_folder(
    path: str, checked: bool
) -> None:
    (hook,) = load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))
    assert (hook["id"], hook["entry"], hook["language"]) == (HOOK, "reconciler validate", "python")
    assert hook["pass_filenames"] and hook["require_serial"]
    # pre-commit matches `files` with re.search on the path from the repository root.
    assert bool(re.search(hook["files"], path)) is checked


def _documented(containing: str) -> Any:
    """The YAML block of docs/install.md that contains `containing`, parsed."""
    guide = (ROOT / "docs" / "install.md").read_text(encoding="utf-8")
    (block,) = [b for b in re.findall(r"```yaml\n(.*?)```", guide, re.DOTALL) if containing in b]
    return YAML(typ="safe").load(textwrap.dedent(block))


def _documented_config(hook_repo: Path) -> dict[str, Any]:
    """docs/install.md's hooks as a user writes them, with two stand-ins for what is not
    reachable from a test: this repository's snapshot for its URL, and check-jsonschema's hook
    as its own repository defines it (a python hook, `entry: check-jsonschema`), installed from
    the package index at the documented rev."""
    (ours,) = _documented("files: ^releases/")
    (upstream,) = _documented("python-jsonschema/check-jsonschema")
    (check,) = upstream["hooks"]
    check |= {
        "entry": "check-jsonschema",
        "language": "python",
        "additional_dependencies": [f"check-jsonschema=={upstream['rev']}"],
    }
    rev = _git(hook_repo, "rev-parse", "HEAD").strip()
    return {
        "repos": [
            {"repo": str(hook_repo), "rev": rev, "hooks": [ours]},
            {"repo": "local", "hooks": [check]},
        ]
    }


@pytest.mark.slow
def test_the_hooks_as_the_install_guide_configures_them_pass_good_and_fail_broken_manifests(
    hook_repo: Path, tmp_path: Path
) -> None:
    manifests = _repository(tmp_path / "app")
    config = json.dumps(_documented_config(hook_repo))  # JSON is YAML
    _write(manifests, ".pre-commit-config.yaml", config)
    _write(manifests, "schemas/manifest.schema.json", SCHEMA.read_text(encoding="utf-8"))
    _write(manifests, "releases.yaml", GOOD.read_text(encoding="utf-8"))
    for path in sorted((ROOT / "examples" / "manifests").glob("*.yaml")):
        _write(manifests, f"releases/{path.name}", path.read_text(encoding="utf-8"))
    _git(manifests, "add", "-A")
    home = tmp_path / "home"

    good = _pre_commit(manifests, home, "--all-files")

    print(good.stdout, good.stderr)
    assert good.returncode == 0, good.stdout + good.stderr
    assert good.stdout.count("Passed") == 2

    _write(manifests, "releases/broken.yaml", BROKEN.read_text(encoding="utf-8"))
    _write(
        manifests, "releases.yaml", "format: 1\napps:\n  com.example.a:\n    ios: {version: 2.4}\n"
    )
    _git(manifests, "add", "-A")

    broken = _pre_commit(manifests, home, "--all-files")

    print(broken.stdout, broken.stderr)
    assert broken.returncode == 1
    assert broken.stdout.count("Failed") == 2
    assert "releases/broken.yaml:6:7: apps.com.example.app.ios.relase_type" in broken.stdout
    assert "releases.yaml::$.apps" in broken.stdout  # check-jsonschema's own words
