"""The action's scripts (action/*.py) piece by piece: what they decide, on their own."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_action_fakes import (
    REPOSITORY,
    TOKEN,
    FakeGitHub,
    github,  # noqa: F401  (a fixture)
    parse_outputs,
)

ROOT = Path(__file__).parent.parent
sys.path.insert(0, str(ROOT / "action"))  # the scripts import each other as the runner runs them
comment_body = importlib.import_module("comment_body")
conclude = importlib.import_module("conclude")
install = importlib.import_module("install")
workflow_files = importlib.import_module("workflow_files")

LIMIT = 65536
SUMMARY = "## App Store Connect plan\n\n**Plan: 3000 to create, 0 to update, 0 to delete.**\n\n"


@pytest.mark.parametrize(
    "command, exitcode, step",
    [
        ("plan", "0", 0),
        ("plan", "2", 0),  # changes to apply: a good plan
        ("plan", "1", 1),
        ("plan", "3", 3),  # a bug in reconciler keeps its code
        ("apply", "0", 0),
        ("apply", "2", 2),  # apply never means "changes" by 2
        ("apply", "143", 143),
        ("validate", "1", 1),
        ("plan", "", 1),  # reconciler never ran
    ],
)
def test_the_job_fails_where_reconciler_failed(command: str, exitcode: str, step: int) -> None:
    assert conclude.conclusion(command, exitcode) == step


@pytest.mark.parametrize(
    "version, wanted",
    [
        ("", "/actions/reconciler/v1"),  # the action's own checkout: the tag's code
        # A release is this repository's tag: `reconciler` on the package index is another
        # project, so a number must never become `reconciler==N` there.
        ("1.2.0", "reconciler @ git+https://github.com/OWNER/reconciler@v1.2.0"),
        ("v1.2.0", "reconciler @ git+https://github.com/OWNER/reconciler@v1.2.0"),
        ("1.3.0rc1", "reconciler @ git+https://github.com/OWNER/reconciler@v1.3.0rc1"),
        ("/wheels/reconciler-0.1.0-py3-none-any.whl", "/wheels/reconciler-0.1.0-py3-none-any.whl"),
        ("git+https://example.com/reconciler@main", "git+https://example.com/reconciler@main"),
    ],
)
def test_the_version_input_says_what_pip_installs(version: str, wanted: str) -> None:
    assert install.requirement(version, "/actions/reconciler/v1", "OWNER/reconciler") == wanted


def test_no_version_and_no_checkout_is_an_error() -> None:
    with pytest.raises(ValueError, match="GITHUB_ACTION_PATH"):
        install.requirement("", "")
    with pytest.raises(ValueError, match="GITHUB_ACTION_REPOSITORY"):
        install.requirement("1.2.0", "/actions/reconciler/v1", "")


def _long_plan(changes: int) -> str:
    table = "| App | Platform | Action | Version |\n| --- | --- | --- | --- |\n"
    table += "".join(f"| `com.example.app{n}` | ios | + create | `1.0` |\n" for n in range(50))
    diff = "".join(f"+ com.example.app{n} ios: create version 1.0\n" for n in range(changes))
    details = f"<details><summary>Full plan</summary>\n\n```diff\n{diff}```\n\n</details>\n\n"
    return SUMMARY + table + "\n" + details + "<sub>Plan checksum: `sha256:00`</sub>\n"


def test_a_short_plan_is_the_comment_unchanged() -> None:
    plan = _long_plan(10)
    body = comment_body.plan_comment(plan, "<sub>footer</sub>", "in the artifact")
    assert body == f"{comment_body.MARKER}\n{plan.rstrip()}\n\n<sub>footer</sub>\n"


def test_a_long_plan_loses_lines_of_its_folded_part_only() -> None:
    plan = _long_plan(3000)  # about 130,000 characters
    body = comment_body.plan_comment(plan, "<sub>footer</sub>", "in the artifact `x`")
    assert len(plan) > 2 * LIMIT and len(body) <= LIMIT
    head, folded = body.split("<details>", 1)
    assert head == f"{comment_body.MARKER}\n" + plan.split("<details>")[0]  # all of it kept
    kept = folded.count("+ com.example.app")
    hidden = int(folded.split("the last ")[1].split(" lines")[0])
    assert kept + hidden == 3000 and kept > 1000
    assert "```\n\n> [!NOTE]\n> Plan truncated" in folded  # the block is closed first
    assert folded.endswith(
        "</details>\n\n<sub>Plan checksum: `sha256:00`</sub>\n\n<sub>footer</sub>\n"
    )


def test_a_long_failure_keeps_its_first_problems_in_a_closed_block() -> None:
    problems = "".join(f"releases.yaml:{n}:7: apps.x.ios.bogus: unknown key\n" for n in range(5000))
    failed = comment_body.failed_plan("1", problems, "https://github.example/run")
    body = comment_body.plan_comment(failed, "<sub>footer</sub>", "in the job log")
    assert len(body) <= LIMIT
    assert "**reconciler plan failed (exit 1) before it could show a plan**" in body
    assert "releases.yaml:0:7:" in body and "releases.yaml:4999:7:" not in body
    assert body.count("```") == 2 and "All of it is in the job log." in body


def test_the_step_summary_is_cut_to_what_is_left_of_1_mib() -> None:
    text = "".join(f"~ com.example.app{n} ios: updated (id é{n})\n" for n in range(100_000))
    room = 1024 * 1024 - 300_000  # the CLI has written part of the summary already
    cut = workflow_files.fenced("App Store Connect apply (exit 0)", text, room)
    assert len(text.encode()) > room >= len(cut.encode()) > room - 200
    assert cut.startswith("## App Store Connect apply (exit 0)\n\n```\n~ com.example.app0 ")
    assert "```\n\n> [!NOTE]\n> Cut to fit GitHub's 1 MiB step summary" in cut
    short = workflow_files.fenced("t", "one ``` line", 1000)
    assert short == "## t\n\n````\none ``` line\n````\n"


def test_summary_room_counts_what_is_written(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    summary.write_bytes(b"x" * 1000)
    assert workflow_files.summary_room({"GITHUB_STEP_SUMMARY": str(summary)}) == 1024 * 1024 - 1000


def test_an_output_with_a_newline_cannot_forge_another(tmp_path: Path) -> None:
    out = tmp_path / "output"
    workflow_files.set_outputs({"plan-file": "a\nupload=true"}, {"GITHUB_OUTPUT": str(out)})
    assert parse_outputs(out.read_text()) == {"plan-file": "a\nupload=true"}


def _comment(environ: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "action" / "comment.py")],
        env={"PATH": os.environ["PATH"], **environ},
        capture_output=True,
        text=True,
    )


def test_no_comment_outside_a_pull_request(github: FakeGitHub) -> None:  # noqa: F811
    done = _comment({"GITHUB_EVENT_NAME": "push", "GITHUB_API_URL": github.url})
    assert done.returncode == 0 and "No plan comment" in done.stdout
    assert github.requests == []


def test_a_refused_comment_fails_the_step_and_never_shows_the_token(
    github: FakeGitHub,  # noqa: F811
    tmp_path: Path,
) -> None:
    event = tmp_path / "event.json"
    event.write_text('{"pull_request": {"number": 7}}')
    done = _comment(
        {
            "GITHUB_EVENT_NAME": "pull_request",
            "GITHUB_EVENT_PATH": str(event),
            "GITHUB_API_URL": github.url,
            "GITHUB_REPOSITORY": REPOSITORY,
            "GITHUB_TOKEN": TOKEN + "-wrong",
        }
    )
    assert done.returncode == 1
    assert (
        f"::error::cannot write the plan comment: GET /repos/{REPOSITORY}/issues/7" in done.stderr
    )
    assert "401 Bad credentials" in done.stderr and TOKEN not in done.stdout + done.stderr
