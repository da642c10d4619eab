"""Find the reviewed plan of the pull request a push to the main branch came from.

A step of action.yml (`command: apply`). The pushed commit's merged pull request, that pull
request's last commit (its head), then the newest successful `pull_request` workflow run of
exactly that commit that uploaded the plan artifact. A plan of an older commit of the pull
request is never used, and neither is one made in a fork's run. The artifact itself is then
downloaded by actions/download-artifact with the run id this prints as an output.

Environment: GITHUB_API_URL, GITHUB_REPOSITORY, GITHUB_TOKEN, GITHUB_SHA, RUNNER_TEMP,
RECONCILER_ARTIFACT (the artifact's name).
Outputs: run-id, pull-request, head-sha, plan-dir, plan-file.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

from github_api import GitHub, GitHubError
from workflow_files import set_outputs


class NoReviewedPlan(Exception):
    """There is nothing reviewed to apply; the message says why."""


def merged_pull_request(github: GitHub, sha: str) -> dict[str, Any]:
    """The merged pull request that `sha` came from (the one merged as `sha` first)."""
    pulls = list(github.pages(f"/repos/{github.repository}/commits/{sha}/pulls?per_page=100"))
    merged = [p for p in pulls if p.get("merged_at")]
    merged.sort(key=lambda p: p.get("merge_commit_sha") != sha)  # stable: keeps GitHub's order
    if not merged:
        raise NoReviewedPlan(f"{sha} did not come from a merged pull request: no reviewed plan")
    return merged[0]


def plan_run(github: GitHub, head: str, artifact: str) -> int | None:
    """The newest successful pull_request run of `head` in this repository with `artifact`."""
    repo = github.repository
    runs = github.pages(
        f"/repos/{repo}/actions/runs?head_sha={head}&event=pull_request&status=success"
        "&per_page=100",
        key="workflow_runs",
    )
    for run in runs:
        if (run.get("head_repository") or {}).get("id") != (run.get("repository") or {}).get("id"):
            continue  # a fork's run: its workflow file and its artifacts are the fork's
        artifacts = github.pages(
            f"/repos/{repo}/actions/runs/{run['id']}/artifacts?name={quote(artifact)}",
            key="artifacts",
        )
        if any(a.get("name") == artifact and not a.get("expired") for a in artifacts):
            return int(run["id"])
    return None


def main(environ: Mapping[str, str] = os.environ) -> int:
    artifact = environ.get("RECONCILER_ARTIFACT") or "reconciler-plan"
    sha = environ.get("GITHUB_SHA", "")
    try:
        github = GitHub.from_environ(environ)
        pull = merged_pull_request(github, sha)
        number, head = pull["number"], pull["head"]["sha"]
        run_id = plan_run(github, head, artifact)
        if run_id is None:
            raise NoReviewedPlan(
                f"no successful plan of pull request #{number} at its last commit {head} "
                f"(artifact {artifact!r}): nothing reviewed to apply"
            )
    except (GitHubError, NoReviewedPlan) as error:
        sys.stderr.write(f"::error::{error}\n")
        return 1
    plan_dir = (
        Path(environ.get("RUNNER_TEMP") or tempfile.gettempdir()) / "reconciler-reviewed-plan"
    )
    set_outputs(
        {
            "run-id": str(run_id),
            "pull-request": str(number),
            "head-sha": head,
            "plan-dir": str(plan_dir),
            "plan-file": str(plan_dir / "plan.json"),
        },
        environ,
    )
    sys.stdout.write(f"The reviewed plan of pull request #{number} ({head}) is in run {run_id}.\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
