"""The pull-request comment's text, cut to GitHub's limit. Pure.

reconciler's markdown already fits in 65,536 characters; the marker and the footer the
action adds can push it over (a plan of thousands of apps comes within a hundred characters
of the limit), and so can a plan made by another reconciler version. Then whole lines are
left out, each cut with a note saying so and where all of it is: first from the end of the
folded full plan (the code block inside <details>), then from the end of the lists above it.
The heading and the summary line, and what follows <details> (checksum, footer), are kept.
"""

from __future__ import annotations

import re
from collections.abc import Callable

MARKER = "<!-- reconciler-plan -->"
COMMENT_LIMIT = 65536  # characters: GitHub refuses a longer comment body

_DETAILS = re.compile(r"<details[^>]*>.*?\n(`{3,})[^\n]*\n(.*?)^\1\n", re.DOTALL | re.MULTILINE)
_SUMMARY_LINES = 3  # "## App Store Connect plan", a blank line, "**Plan: …**"


def plan_comment(markdown: str, footer: str, rest_is: str, limit: int = COMMENT_LIMIT) -> str:
    """The comment: the marker, the plan's markdown, the footer, in at most `limit` characters;
    `rest_is` says where all of it is ("in the artifact `reconciler-plan`")."""
    body = f"{MARKER}\n{markdown.rstrip()}\n\n{footer}\n"
    if len(body) <= limit:
        return body
    found = _DETAILS.search(body)
    if found is not None:
        note = _note("of the full plan", rest_is, after_code=True)
        cut = _cut_lines(body, found.start(2), found.end(2) + len(found.group(1)) + 1, note, limit)
        if len(cut) <= limit:
            return cut
        body = _cut_lines(body, found.start(2), found.end(2) + len(found.group(1)) + 1, note, 0)
    summary_end = _line_end(body, len(MARKER) + 1, _SUMMARY_LINES)
    lists_end = body.find("<details") if "<details" in body else body.rindex(footer)
    note = _note("of this summary", rest_is, after_code=False)
    return _cut_lines(body, summary_end, max(summary_end, lists_end), note, limit)


def _note(what: str, rest_is: str, *, after_code: bool) -> Callable[[int, str], str]:
    def note(hidden: int, fence: str) -> str:
        close = f"{fence}\n" if after_code else ""
        return (
            f"{close}\n> [!NOTE]\n> Plan truncated to fit GitHub's {COMMENT_LIMIT:,}-character "
            f"comment limit: the last {hidden} lines {what} are not shown. "
            f"All of it is {rest_is}.\n\n"
        )

    return note


def _cut_lines(body: str, start: int, end: int, note: Callable[[int, str], str], limit: int) -> str:
    """`body` with as many whole lines of body[start:end] kept as fit in `limit`, then the
    note (for a code block, `end` is past its closing fence, which the note puts back)."""
    region = body[start:end]
    fence = ""
    fenced = re.search(r"^(`{3,})\n\Z", region, re.MULTILINE)
    if fenced is not None:
        fence, region = fenced.group(1), region[: fenced.start()]
    lines = region.splitlines(keepends=True)
    outside = len(body) - (end - start)
    room = limit - outside - len(note(len(lines), fence))
    kept = 0
    for line in lines:
        if len(line) > room:
            break
        room -= len(line)
        kept += 1
    return body[:start] + "".join(lines[:kept]) + note(len(lines) - kept, fence) + body[end:]


def _line_end(text: str, start: int, lines: int) -> int:
    """The index just past the `lines`-th line of text from `start` (or the end of text)."""
    index = start
    for _ in range(lines):
        found = text.find("\n", index)
        if found < 0:
            return len(text)
        index = found + 1
    return index


def failed_plan(exitcode: str, problems: str, run_url: str) -> str:
    """The markdown for a plan that stopped before it could show one (an invalid manifest, a
    missing key): what reconciler said, in a code block (unfolded)."""
    fence = "`" * max(3, 1 + max((len(r) for r in re.findall(r"`+", problems)), default=0))
    said = (
        f"\n<details open><summary>What reconciler said</summary>\n\n"
        f"{fence}\n{problems.rstrip()}\n{fence}\n\n</details>\n"
        if problems.strip()
        else ""
    )
    return (
        "## App Store Connect plan\n\n"
        f"**reconciler plan failed (exit {exitcode}) before it could show a plan**: "
        f"see the [job log]({run_url}).\n{said}"
    )
