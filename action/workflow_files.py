"""The files a GitHub Actions step talks to the runner through: outputs, the step summary and
the event. Standard library only: the action's scripts run with whatever Python the job has."""

from __future__ import annotations

import json
import os
import re
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

# GitHub refuses a step summary above 1 MiB and then shows none of it.
SUMMARY_LIMIT = 1024 * 1024


def set_outputs(values: Mapping[str, str], environ: Mapping[str, str] = os.environ) -> None:
    """Append step outputs to $GITHUB_OUTPUT, each in the delimited form that a newline in a
    value cannot break out of."""
    path = environ.get("GITHUB_OUTPUT")
    if not path:
        return
    with Path(path).open("a", encoding="utf-8") as out:
        for name, value in values.items():
            delimiter = f"EOF_{secrets.token_hex(8)}"
            out.write(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")


def append_summary(markdown: str, environ: Mapping[str, str] = os.environ) -> None:
    """Append to $GITHUB_STEP_SUMMARY (nothing when it is not set)."""
    path = environ.get("GITHUB_STEP_SUMMARY")
    if path:
        with Path(path).open("a", encoding="utf-8") as out:
            out.write(markdown)


def summary_room(environ: Mapping[str, str] = os.environ) -> int:
    """How many bytes the step summary can still take (the CLI may have written to it)."""
    path = Path(environ.get("GITHUB_STEP_SUMMARY") or os.devnull)
    used = path.stat().st_size if path.is_file() else 0
    return max(0, SUMMARY_LIMIT - used)


def fenced(title: str, text: str, room: int) -> str:
    """`text` as a code block under a heading, in at most `room` UTF-8 bytes: when it does
    not fit, its first lines that do and a note that the log has all of it ("" when not even
    the frame fits)."""
    fence = "`" * max(3, 1 + max((len(run) for run in re.findall(r"`+", text)), default=0))
    head = f"## {title}\n\n{fence}\n"
    tail = f"{fence}\n"
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    whole = head + "".join(lines) + tail
    if len(whole.encode()) <= room:
        return whole
    note = (
        f"\n> [!NOTE]\n> Cut to fit GitHub's 1 MiB step summary: "
        f"the log has all {len(lines)} lines.\n"
    )
    size = len((head + tail + note).encode())
    kept: list[str] = []
    for line in lines:
        size += len(line.encode())
        if size > room:
            break
        kept.append(line)
    if len((head + tail + note).encode()) > room:
        return ""
    return head + "".join(kept) + tail + note


def event(environ: Mapping[str, str] = os.environ) -> dict[str, Any]:
    """The webhook payload that triggered the workflow ({} when there is none)."""
    path = environ.get("GITHUB_EVENT_PATH")
    if not path or not Path(path).is_file():
        return {}
    loaded = json.loads(Path(path).read_text(encoding="utf-8"))
    return loaded if isinstance(loaded, dict) else {}


def run_url(environ: Mapping[str, str] = os.environ) -> str:
    server = environ.get("GITHUB_SERVER_URL", "https://github.com")
    repository, run_id = environ.get("GITHUB_REPOSITORY", ""), environ.get("GITHUB_RUN_ID", "")
    return f"{server}/{repository}/actions/runs/{run_id}"
