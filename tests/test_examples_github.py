"""The long GitHub Actions workflows, for teams that cannot use the action
(docs/github-without-the-action/): they parse, trigger when they should, and call the CLI
as it is."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from reconciler.cli import main

EXAMPLES = Path(__file__).parent.parent / "docs" / "github-without-the-action"
SECRETS = ("ASC_KEY_ID", "ASC_ISSUER_ID", "ASC_PRIVATE_KEY")
MARKER = "<!-- reconciler-plan -->"


def _load(name: str) -> dict[str, Any]:
    loaded = YAML(typ="safe").load((EXAMPLES / name).read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def _triggers(workflow: dict[str, Any]) -> dict[str, Any]:
    # ruamel's safe loader reads YAML 1.2, where the key `on` stays a string (1.1 made it true).
    triggers = workflow["on"]
    assert isinstance(triggers, dict)
    return triggers


def _steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def _step_running(workflow: dict[str, Any], command: str) -> dict[str, Any]:
    """The one step with a script line that starts with `command`."""
    (step,) = [
        s
        for s in _steps(workflow)
        if any(line.strip().startswith(command) for line in s.get("run", "").splitlines())
    ]
    return step


def _help(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main([*args, "--help"]) == 0
    return capsys.readouterr().out


def _reconciler_calls(script: str) -> list[list[str]]:
    """Each `reconciler ...` command line of a shell script, as words (redirections dropped)."""
    calls = []
    for line in script.splitlines():
        if line.strip().startswith("reconciler "):
            words = shlex.split(line, comments=True)
            ends = [i for i, w in enumerate(words) if re.match(r"^(\d?[<>]|\||&)", w)]
            calls.append(words[: ends[0]] if ends else words)
    return calls


def test_plan_runs_on_pull_requests_that_change_the_manifest() -> None:
    plan = _load("plan.yml")
    assert set(_triggers(plan)) == {"pull_request"}
    assert "releases.yaml" in _triggers(plan)["pull_request"]["paths"]
    assert plan["permissions"]["pull-requests"] == "write"


def test_plan_keeps_exit_code_2_from_failing_the_job() -> None:
    step = _step_running(_load("plan.yml"), "reconciler plan")
    script = step["run"]
    (call,) = _reconciler_calls(script)
    assert call[:3] == ["reconciler", "plan", "releases.yaml"]
    assert {"--out", "plan.json", "--format", "markdown", "--detailed-exitcode"} <= set(call)
    assert "> plan.md" in script
    assert "set +e" in script and "code=$?" in script
    last = _step_running(_load("plan.yml"), "exit 1")
    assert "'2'" in last["if"] and "'0'" in last["if"]  # only 1 and 3 fail the job


def test_plan_comments_once_and_updates_in_place() -> None:
    (comment,) = [s for s in _steps(_load("plan.yml")) if "github-script" in s.get("uses", "")]
    script = comment["with"]["script"]
    assert MARKER in script
    assert "updateComment" in script and "createComment" in script
    assert "plan.md" in script


def test_apply_runs_after_merge_one_at_a_time() -> None:
    apply = _load("apply.yml")
    assert set(_triggers(apply)) == {"push"}
    assert _triggers(apply)["push"]["branches"] == ["main"]
    assert apply["concurrency"] == {"group": "reconciler-apply", "cancel-in-progress": False}
    call = _reconciler_calls(_step_running(apply, "reconciler apply")["run"])
    assert call == [["reconciler", "apply", "plan.json"]]


def test_both_watch_the_same_manifests() -> None:
    plan_paths = _triggers(_load("plan.yml"))["pull_request"]["paths"]
    assert _triggers(_load("apply.yml"))["push"]["paths"] == plan_paths


def test_apply_downloads_the_artifact_that_plan_uploads() -> None:
    (upload,) = [s for s in _steps(_load("plan.yml")) if "upload-artifact" in s.get("uses", "")]
    assert "plan.json" in upload["with"]["path"]
    download = _step_running(_load("apply.yml"), "gh run download")["run"]
    assert f"--name {upload['with']['name']}" in download
    workflow = re.search(r"--workflow (\S+)", download)
    assert workflow is not None and (EXAMPLES / workflow.group(1)).is_file()


@pytest.mark.parametrize("name", ["plan.yml", "apply.yml"])
def test_credentials_come_from_secrets(name: str) -> None:
    for step in _steps(_load(name)):
        calls = _reconciler_calls(step.get("run", ""))
        if any(call[1] in ("plan", "apply") for call in calls):
            env = step["env"]
            assert {k: env[k] for k in SECRETS} == {k: f"${{{{ secrets.{k} }}}}" for k in SECRETS}


@pytest.mark.parametrize("name", ["plan.yml", "apply.yml"])
def test_every_reconciler_command_and_flag_exists(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    commands = _help(capsys)
    calls = [call for s in _steps(_load(name)) for call in _reconciler_calls(s.get("run", ""))]
    assert calls
    for call in calls:
        command = call[1]
        assert re.search(rf"^\s+{command}\s", commands, re.MULTILINE), command
        usage = _help(capsys, command)
        for flag in (word for word in call[2:] if word.startswith("-")):
            assert flag in usage, f"reconciler {command} has no {flag}"


@pytest.mark.parametrize("name", ["plan.yml", "apply.yml"])
def test_run_scripts_are_valid_bash_and_take_no_expressions(name: str) -> None:
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("no bash")
    for step in _steps(_load(name)):
        script = step.get("run")
        if script is None:
            continue
        # ${{ }} pasted into a script is a script-injection risk: values go through env.
        assert "${{" not in script, step.get("name")
        checked = subprocess.run([bash, "-n"], input=script, capture_output=True, text=True)
        assert checked.returncode == 0, (step.get("name"), checked.stderr)
