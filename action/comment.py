"""Create or update the one plan comment of a pull request (a step of action.yml).

The comment is found again by the hidden marker it starts with, among comments by a bot (the
workflow's GITHUB_TOKEN comments as github-actions[bot]), so a push updates it in place and a
person quoting the marker is never edited.

Environment: GITHUB_API_URL, GITHUB_REPOSITORY, GITHUB_TOKEN, GITHUB_EVENT_NAME,
GITHUB_EVENT_PATH; RECONCILER_MARKDOWN_FILE (the plan's markdown), RECONCILER_EXITCODE,
RECONCILER_STDERR_FILE (what plan said, for a plan that failed before it had one),
RECONCILER_ARTIFACT (where the plan file is uploaded).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

from comment_body import MARKER, failed_plan, plan_comment
from github_api import GitHub, GitHubError
from workflow_files import event, run_url

PULL_REQUEST_EVENTS = ("pull_request",)  # never pull_request_target: it runs with secrets


def comment_text(environ: Mapping[str, str]) -> str:
    markdown = _read(environ.get("RECONCILER_MARKDOWN_FILE", ""))
    exitcode = environ.get("RECONCILER_EXITCODE", "")
    artifact = environ.get("RECONCILER_ARTIFACT", "reconciler-plan")
    url = run_url(environ)
    head = str(((event(environ).get("pull_request") or {}).get("head") or {}).get("sha") or "")
    of = f" of {head[:12]}" if head else ""
    if markdown.strip():
        footer = f"<sub>[Plan job]({url}){of} · the plan file is the artifact `{artifact}`</sub>"
        rest_is = f"in the artifact `{artifact}` (`reconciler show plan.json`)"
    else:
        said = _read(environ.get("RECONCILER_STDERR_FILE", ""))
        markdown = failed_plan(exitcode or "?", _without_commands(said), url)
        footer = f"<sub>[Plan job]({url}){of}</sub>"
        rest_is = "in the job log"
    return plan_comment(markdown, footer, rest_is)


def upsert(github: GitHub, number: int, body: str) -> str:
    """Update our comment on pull request `number`, or create it; says which."""
    repo = github.repository
    comments = github.pages(f"/repos/{repo}/issues/{number}/comments?per_page=100")
    ours = next(
        (
            c
            for c in comments
            if (c.get("user") or {}).get("type") == "Bot"
            and (c.get("body") or "").startswith(MARKER)
        ),
        None,
    )
    if ours is not None:
        github.request("PATCH", f"/repos/{repo}/issues/comments/{ours['id']}", {"body": body})
        return f"Updated the plan comment {ours.get('html_url', ours['id'])}"
    created, _ = github.request("POST", f"/repos/{repo}/issues/{number}/comments", {"body": body})
    return f"Created the plan comment {created.get('html_url', created.get('id'))}"


def main(environ: Mapping[str, str] = os.environ) -> int:
    name = environ.get("GITHUB_EVENT_NAME", "")
    number = (event(environ).get("pull_request") or {}).get("number")
    if name not in PULL_REQUEST_EVENTS or not isinstance(number, int):
        sys.stdout.write(f"No plan comment: the workflow runs on {name or 'no event'}.\n")
        return 0
    try:
        done = upsert(GitHub.from_environ(environ), number, comment_text(environ))
        sys.stdout.write(done + "\n")
    except GitHubError as error:
        sys.stderr.write(f"::error::cannot write the plan comment: {error}" + "\n")
        return 1
    return 0


def _read(path: str) -> str:
    return Path(path).read_text(encoding="utf-8") if path and Path(path).is_file() else ""


def _without_commands(text: str) -> str:
    """What reconciler said, without the ::error lines meant for the runner."""
    return "".join(line for line in text.splitlines(keepends=True) if not line.startswith("::"))


if __name__ == "__main__":
    sys.exit(main())
