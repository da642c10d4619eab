"""GitHub Actions workflow-command annotations (`::error file=…::message`). Pure."""

from __future__ import annotations

from collections.abc import Sequence

from reconciler.errors import Problem

__all__ = ["MAX_ANNOTATIONS", "error_annotations"]

# GitHub shows at most 10 error annotations per step; more would be dropped silently.
MAX_ANNOTATIONS = 10


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def error_annotations(problems: Sequence[Problem]) -> list[str]:
    """One `::error` line per problem, at most MAX_ANNOTATIONS, then a line saying how many more."""
    lines = []
    for problem in problems[:MAX_ANNOTATIONS]:
        props = [f"file={_escape_property(problem.file)}"]
        if problem.line:
            props += [f"line={problem.line}", f"col={problem.column}"]
        text = f"{problem.path}: {problem.message}" if problem.path else problem.message
        lines.append(f"::error {','.join(props)}::{_escape_data(text)}")
    hidden = len(problems) - MAX_ANNOTATIONS
    if hidden > 0:
        lines.append(f"::error::{hidden} more problem{'s' if hidden != 1 else ''} not annotated")
    return lines
