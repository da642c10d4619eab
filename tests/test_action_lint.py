"""action.yml and the example workflows: valid for GitHub (check-jsonschema's vendored
schemas for actions and workflows; actionlint does not install here, its wheel downloads the
binary from GitHub), wired the way the action's tests assume, and safe with credentials."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from tests.test_action_fakes import ROOT, load_action

WORKFLOWS = sorted((ROOT / "examples" / "github").glob("*.yml")) + sorted(
    (ROOT / "docs" / "github-without-the-action").glob("*.yml")
)
CREDENTIAL_INPUTS = {"asc-key-id": "ASC_KEY_ID", "asc-issuer-id": "ASC_ISSUER_ID",
                     "asc-private-key": "ASC_PRIVATE_KEY"}  # fmt: skip


def _check(schema: str, path: Path) -> subprocess.CompletedProcess[str]:
    pytest.importorskip("check_jsonschema", reason="the test extras install check-jsonschema")
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, str(path)],
        capture_output=True,
        text=True,
    )


def _load(path: Path) -> dict[str, Any]:
    loaded = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def test_action_yml_is_a_valid_action() -> None:
    checked = _check("vendor.github-actions", ROOT / "action.yml")
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_schema_check_finds_a_broken_action(tmp_path: Path) -> None:
    # A composite `run:` step without `shell:` is refused by GitHub, and by the check.
    broken = tmp_path / "action.yml"
    broken.write_text((ROOT / "action.yml").read_text().replace("shell: bash\n", "", 1))
    assert _check("vendor.github-actions", broken).returncode != 0


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: str(p.relative_to(ROOT)))
def test_workflows_are_valid_workflows(path: Path) -> None:
    checked = _check("vendor.github-workflows", path)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_scripts_take_no_expressions_and_only_run_sees_credentials() -> None:
    for step in load_action()["runs"]["steps"]:
        # ${{ }} pasted into a script is a script-injection risk: values go through env.
        assert "${{" not in step.get("run", ""), step["id"]
        secrets = {
            name
            for name, value in step.get("env", {}).items()
            if any(f"inputs.{i}" in str(value) for i in CREDENTIAL_INPUTS)
        }
        expected = {f"RECONCILER_{v}" for v in CREDENTIAL_INPUTS.values()}
        assert secrets == (expected if step["id"] == "run" else set()), step["id"]
        assert not any(f"inputs.{i}" in str(step.get("with", {})) for i in CREDENTIAL_INPUTS)


def test_every_script_a_step_runs_exists() -> None:
    for step in load_action()["runs"]["steps"]:
        for script in re.findall(r"\$GITHUB_ACTION_PATH/(\S+?\.py)", step.get("run", "")):
            assert (ROOT / script).is_file(), script


def _action_steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    steps = [s for job in workflow["jobs"].values() for s in job["steps"]]
    return [s for s in steps if s.get("uses", "").split("@")[0].endswith("/reconciler")]


@pytest.mark.parametrize("name, command", [("plan.yml", "plan"), ("apply.yml", "apply")])
def test_the_examples_use_the_action_with_inputs_it_has(name: str, command: str) -> None:
    workflow = _load(ROOT / "examples" / "github" / name)
    (step,) = _action_steps(workflow)
    assert step["uses"] == "OWNER/reconciler@v1"
    assert set(step["with"]) <= set(load_action()["inputs"])
    assert step["with"]["command"] == command
    for given, variable in CREDENTIAL_INPUTS.items():
        assert step["with"][given] == f"${{{{ secrets.{variable} }}}}"


def test_the_examples_watch_the_same_manifests_and_never_overlap_applies() -> None:
    plan = _load(ROOT / "examples" / "github" / "plan.yml")
    apply = _load(ROOT / "examples" / "github" / "apply.yml")
    assert apply["on"]["push"]["paths"] == plan["on"]["pull_request"]["paths"]
    assert apply["concurrency"] == {"group": "reconciler-apply", "cancel-in-progress": False}
    assert plan["permissions"]["pull-requests"] == "write"  # the comment
    assert apply["permissions"]["actions"] == "read"  # the plan artifact of another run


def _table(markdown: str, heading: str) -> set[str]:
    section = markdown.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `([\w-]+)` \|", section, re.MULTILINE))


def test_the_reference_lists_every_input_and_output() -> None:
    reference = (ROOT / "docs" / "github-action.md").read_text(encoding="utf-8")
    action = load_action()
    assert _table(reference, "Inputs") == set(action["inputs"])
    assert _table(reference, "Outputs") == set(action["outputs"])
