"""The GitHub Action (action.yml) run step by step, as the runner would, on the sandbox.

Each test plays one job: a fake runner environment (event file, GITHUB_OUTPUT, the step
summary, RUNNER_TEMP), a stand-in for GitHub's API on 127.0.0.1 (tests/test_action_fakes.py)
and reconciler's sandbox in the job's workspace, which stands in for App Store Connect and
outlives the job as Apple would. The install step is the one step replaced (by this
environment's reconciler): it needs the package index; test_action_scripts.py tests what it
installs.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.test_action_fakes import (
    BOT,
    REPOSITORY,
    ROOT,
    TOKEN,
    ActionRun,
    FakeGitHub,
    github,  # noqa: F401  (a fixture)
    reconciler_executable,
)

MARKER = "<!-- reconciler-plan -->"
PR = 7
HEAD = "a1" * 20  # the pull request's last commit
MERGE = "b2" * 20  # the commit its merge made on main
PLAN_RUN, APPLY_RUN = 101, 202
SUMMARY_LINE = "**Plan: 4 to create, 6 to update, 1 to delete. 1 deferred.**"


@dataclass
class Repository:
    """The workspace of every job (the sandbox account lives in it) and the artifacts."""

    root: Path
    github: FakeGitHub
    artifacts: dict[int, dict[str, dict[str, bytes]]] = field(default_factory=dict)
    jobs: int = 0

    def job(
        self,
        event_name: str,
        event: Mapping[str, Any],
        run_id: int,
        sha: str,
        extra: Mapping[str, str] | None = None,
        replaced: Mapping[str, Mapping[str, str]] | None = None,
    ) -> ActionRun:
        self.jobs += 1
        job = self.root / f"job-{self.jobs}"
        (job / "temp").mkdir(parents=True)
        (job / "event.json").write_text(json.dumps(event), encoding="utf-8")
        (job / "summary.md").write_text("")
        environ = {
            "PATH": "/usr/bin:/bin",
            "HOME": str(job),
            "GITHUB_ACTIONS": "true",
            "GITHUB_ACTION_PATH": str(ROOT),
            "GITHUB_API_URL": self.github.url,
            "GITHUB_SERVER_URL": "https://github.example",
            "GITHUB_REPOSITORY": REPOSITORY,
            "GITHUB_TOKEN": TOKEN,
            "GITHUB_EVENT_NAME": event_name,
            "GITHUB_EVENT_PATH": str(job / "event.json"),
            "GITHUB_RUN_ID": str(run_id),
            "GITHUB_SHA": sha,
            "GITHUB_STEP_SUMMARY": str(job / "summary.md"),
            "GITHUB_WORKSPACE": str(self.workspace),
            "RUNNER_TEMP": str(job / "temp"),
            **(extra or {}),
        }
        return ActionRun(
            workspace=self.workspace,
            runner_temp=job / "temp",
            environ=environ,
            artifacts=self.artifacts,
            replaced=replaced or {"install": {"executable": reconciler_executable()}},
        )

    @property
    def workspace(self) -> Path:
        return self.root / "workspace"

    def plan(self, manifest: str | None = None, **inputs: str) -> ActionRun:
        if manifest is not None:
            (self.workspace / "releases.yaml").write_text(manifest, encoding="utf-8")
        event = {"pull_request": {"number": PR, "head": {"sha": HEAD}}}
        job = self.job("pull_request", event, PLAN_RUN, HEAD)
        return job.run({"command": "plan", "sandbox": "true", **inputs})

    def merged(self) -> None:
        """The pull request is merged, after a successful plan run of its last commit."""
        self.github.pulls_of_commit[MERGE] = [
            {"number": PR, "merged_at": "2026-12-03T12:00:00Z", "merge_commit_sha": MERGE,
             "head": {"sha": HEAD}}
        ]  # fmt: skip
        self.github.runs.append(_run(PLAN_RUN, HEAD))
        self.github.artifacts[PLAN_RUN] = [{"name": "reconciler-plan", "expired": False}]

    def apply(self) -> ActionRun:
        job = self.job("push", {"after": MERGE}, APPLY_RUN, MERGE)
        return job.run({"command": "apply", "sandbox": "true"})

    def sandbox(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [reconciler_executable(), *args], cwd=self.workspace, capture_output=True, text=True
        )

    def comments(self) -> list[dict[str, Any]]:
        return self.github.comments.get(PR, [])


def _run(run_id: int, head: str, fork: bool = False) -> dict[str, Any]:
    return {
        "id": run_id,
        "head_sha": head,
        "event": "pull_request",
        "conclusion": "success",
        "repository": {"id": 1},
        "head_repository": {"id": 2 if fork else 1},
    }


@pytest.fixture
def repo(tmp_path: Path, github: FakeGitHub) -> Repository:  # noqa: F811
    repository = Repository(tmp_path, github)
    repository.workspace.mkdir()
    shutil.copy(ROOT / "examples" / "releases.yaml", repository.workspace / "releases.yaml")
    return repository


def _summary(job: ActionRun) -> str:
    return Path(job.environ["GITHUB_STEP_SUMMARY"]).read_text(encoding="utf-8")


def test_plan_on_a_pull_request_comments_uploads_and_sets_outputs(repo: Repository) -> None:
    job = repo.plan()
    assert not job.failed, job.log
    assert job.outputs["exitcode"] == "2" and job.outputs["changes"] == "true"
    assert Path(job.outputs["plan-file"]).is_file()
    assert set(repo.artifacts[PLAN_RUN]["reconciler-plan"]) == {"plan.json", "plan.md"}
    (comment,) = repo.comments()
    body = comment["body"]
    assert body.startswith(MARKER + "\n## App Store Connect plan")
    assert body.index(SUMMARY_LINE) < body.index("<details>")  # the summary is not folded
    assert f"of {HEAD[:12]}" in body and "artifact `reconciler-plan`" in body
    assert _summary(job).count(SUMMARY_LINE) == 1
    assert "+ com.example.weather macos: create version 2.4.0" in job.log  # the text plan
    assert job.step("conclude").code == 0


def test_a_second_push_updates_the_one_comment_in_place(repo: Repository) -> None:
    for n in range(120):  # our comment is on the second page of comments
        repo.github.add_comment(PR, f"review comment {n}", user={"type": "User"})
    repo.github.add_comment(PR, f"{MARKER} quoted by a person", user={"type": "User"})
    repo.plan()
    (ours,) = [c for c in repo.comments() if c["user"] == BOT]
    first = ours["body"]
    changed = (ROOT / "examples" / "releases.yaml").read_text().replace('"3.1.0"', '"3.2.0"')
    job = repo.plan(changed)
    assert not job.failed, job.log
    assert [c for c in repo.comments() if c["user"] == BOT] == [ours]  # the same, updated
    assert ours["body"] != first and "`3.2.0`" in ours["body"]
    assert repo.comments()[120]["body"] == f"{MARKER} quoted by a person"
    assert ("PATCH", f"/repos/{REPOSITORY}/issues/comments/{ours['id']}") in repo.github.requests


def test_apply_after_merge_applies_the_reviewed_plan(repo: Repository) -> None:
    assert not repo.plan().failed
    repo.merged()
    # A fork's run of the same commit, listed first, must not be the one applied.
    repo.github.runs.insert(0, _run(103, HEAD, fork=True))
    repo.github.artifacts[103] = [{"name": "reconciler-plan", "expired": False}]
    job = repo.apply()
    assert not job.failed, job.log
    assert "is in run 101" in job.log
    assert job.outputs["exitcode"] == "0"
    summary = _summary(job)  # the plan applied, then what apply did
    assert summary.count(SUMMARY_LINE) == 1
    assert summary.index(SUMMARY_LINE) < summary.index("## App Store Connect apply (exit 0)")
    assert "Apply complete: 4 created, 6 updated, 1 deleted" in summary
    again = repo.sandbox("plan", "--sandbox", "--detailed-exitcode")
    assert again.returncode == 0, again.stdout  # converged: nothing left to apply


def test_a_stale_plan_is_refused_and_nothing_is_written(repo: Repository) -> None:
    assert not repo.plan().failed
    repo.merged()
    moved = repo.sandbox("sandbox", "advance", "com.example.weather", "ios", "submit")
    assert moved.returncode == 0, moved.stderr
    state = repo.workspace / ".reconciler" / "sandbox-state.json"
    before = state.read_bytes()
    job = repo.apply()
    assert job.failed and job.outputs["exitcode"] == "1"
    assert job.step("conclude").code == 1
    assert "stale plan" in job.log and "stale plan" in _summary(job)
    assert state.read_bytes() == before


def test_a_push_that_no_pull_request_reviewed_applies_nothing(repo: Repository) -> None:
    job = repo.apply()
    assert job.failed
    assert f"{MERGE} did not come from a merged pull request" in job.step("find").stderr
    assert not job.step("run").ran


def test_a_merge_whose_last_commit_has_no_plan_applies_nothing(repo: Repository) -> None:
    repo.merged()
    repo.github.runs[:] = [_run(100, "c3" * 20)]  # a plan of an older commit only
    job = repo.apply()
    assert job.failed
    assert f"no successful plan of pull request #{PR} at its last commit" in job.log


BAD = "format: 1\napps:\n  com.example.notes:\n    ios:\n      version: 3.1\n      bogus: 1\n"


def test_manifest_errors_become_annotations_and_the_comment_says_why(repo: Repository) -> None:
    job = repo.plan(BAD)
    assert job.failed and job.outputs["exitcode"] == "1"
    assert "::error file=releases.yaml,line=5,col=16::apps.com.example.notes.ios.version" in (
        job.log
    )
    assert "::error file=releases.yaml,line=6,col=7::" in job.log
    (comment,) = repo.comments()
    assert "reconciler plan failed (exit 1)" in comment["body"]
    assert "releases.yaml:6:7: apps.com.example.notes.ios.bogus: unknown key" in comment["body"]
    assert "::error" not in comment["body"]
    assert "reconciler plan failed (exit 1)" in _summary(job)
    assert PLAN_RUN not in repo.artifacts  # no plan file, nothing to upload
    assert job.step("conclude").code == 1


def test_a_comment_that_would_pass_the_limit_is_cut_to_fit(repo: Repository) -> None:
    # 3,000 apps the account lacks: reconciler cuts its markdown to 65,536 characters, and
    # with these names it leaves less room than the marker and the footer (120+) need.
    app = '  com.example.absent{}:\n    ios:\n      version: "1.0"\n'
    apps = "".join(app.format(n) for n in range(3000))
    job = repo.plan(f"format: 1\napps:\n{apps}")
    assert job.outputs["exitcode"] == "1"
    assert not job.step("comment").code, job.log
    (comment,) = repo.comments()
    body = comment["body"]
    assert len(body) <= 65536
    markdown = Path(job.outputs["plan-file"]).with_suffix(".md").read_text(encoding="utf-8")
    footer = body.rstrip().rsplit("\n", 1)[1]
    assert len(footer) > 120 and len(MARKER) + len(markdown) + len(footer) > 65536
    assert "Plan truncated to fit GitHub's 65,536-character comment limit" in body
    assert body.index("**No changes to apply. 3000 errors.**") < body.index("Plan truncated")
    assert body.rstrip().endswith("`reconciler-plan`</sub>") and "</details>" in body


def test_credentials_reach_reconciler_alone_and_under_its_names(repo: Repository) -> None:
    # A stand-in for reconciler that records what it was given.
    fake = repo.root / "fake-reconciler"
    seen = repo.root / "seen.json"
    fake.write_text(
        "#!/usr/bin/env python3\nimport json, os, sys\n"
        f"json.dump({{k: v for k, v in os.environ.items() if k.startswith('ASC_')}}, "
        f"open({str(seen)!r}, 'w'))\n"
        "print('## App Store Connect plan\\n\\n**No changes.**')\nsys.exit(0)\n"
    )
    fake.chmod(0o755)
    secrets = {"asc-key-id": "KEY-canary-1", "asc-private-key": "-----BEGIN canary-2 KEY-----"}
    event = {"pull_request": {"number": PR, "head": {"sha": HEAD}}}
    job = repo.job(
        "pull_request", event, PLAN_RUN, HEAD,
        extra={"ASC_ISSUER_ID": "issuer-from-the-job"},
        replaced={"install": {"executable": str(fake)}},
    ).run({"command": "plan", **secrets})  # fmt: skip
    assert not job.failed, job.log
    assert json.loads(seen.read_text()) == {
        "ASC_KEY_ID": "KEY-canary-1",
        "ASC_PRIVATE_KEY": "-----BEGIN canary-2 KEY-----",
        "ASC_ISSUER_ID": "issuer-from-the-job",  # an empty input leaves the job's own
    }
    written = [job.log, _summary(job), *(c["body"] for c in repo.comments())]
    written += [p.read_text() for p in job.runner_temp.iterdir() if p.is_file()]
    assert all("canary" not in text for text in written)


def test_a_plan_with_errors_is_shown_and_uploaded_but_fails_the_job(repo: Repository) -> None:
    job = repo.plan((ROOT / "examples" / "errors.yaml").read_text(encoding="utf-8"))
    assert job.failed and job.outputs["exitcode"] == "1" and job.outputs["changes"] == "false"
    (comment,) = repo.comments()
    assert "errors** (the plan fails until they are resolved)" in comment["body"]
    # Uploaded for reviewers; apply only takes the plan of a successful run.
    assert "plan.json" in repo.artifacts[PLAN_RUN]["reconciler-plan"]
    annotations = [line for line in job.log.splitlines() if line.startswith("::error file=")]
    assert len(annotations) > 3 and len(set(annotations)) == len(annotations)  # show adds none
    assert job.step("conclude").code == 1


def test_validate_annotates_and_fails_on_problems(repo: Repository) -> None:
    (repo.workspace / "releases.yaml").write_text(BAD, encoding="utf-8")
    job = repo.job("pull_request", {}, PLAN_RUN, HEAD).run({"command": "validate"})
    assert job.failed and job.outputs["exitcode"] == "1"
    assert "::error file=releases.yaml,line=6,col=7::" in job.log
    assert "## reconciler validate (exit 1)" in _summary(job)
    assert "2 problems found" in _summary(job) and "::error" not in _summary(job)
    assert repo.comments() == [] and PLAN_RUN not in repo.artifacts


def test_plan_and_apply_in_a_working_directory_with_a_plan_file_of_its_own(
    repo: Repository,
) -> None:
    team = repo.workspace / "ios-team"
    team.mkdir()
    shutil.move(repo.workspace / "releases.yaml", team / "releases.yaml")
    where = {"working-directory": "ios-team", "plan-file": "out/plan.json"}
    job = repo.plan(**where)
    assert not job.failed, job.log
    assert job.outputs["plan-file"] == str(team / "out" / "plan.json")  # absolute, for upload
    assert set(repo.artifacts[PLAN_RUN]["reconciler-plan"]) == {"plan.json", "plan.md"}
    applied = repo.job("push", {}, APPLY_RUN, MERGE).run(
        {"command": "apply", "sandbox": "true", **where}  # a plan file given: no lookup
    )
    assert not applied.failed, applied.log
    assert not applied.step("find").ran
    assert not any("/actions/" in path for _, path in repo.github.requests)
    assert "Apply complete" in _summary(applied)
