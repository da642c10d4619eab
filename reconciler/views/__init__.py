"""Views: the plan as text, markdown and JSON, and the apply report (DESIGN §4). Pure.

Nothing here prints or looks at the terminal or the environment: the caller decides on colour
and writes the string. Every view is deterministic (a Plan sorts itself), so equal plans render
byte for byte the same, which golden tests and plan review rely on. `plan_view` is the one
switch from a `--format` name to its view.
"""

from __future__ import annotations

from reconciler.plan import Plan
from reconciler.views.json import plan_json
from reconciler.views.markdown import plan_markdown
from reconciler.views.text import plan_text
from reconciler.views.words import FORMAT_VERSION, MARKDOWN_LIMIT, NO_CHANGES

__all__ = [
    "FORMAT_VERSION",
    "MARKDOWN_LIMIT",
    "NO_CHANGES",
    "PLAN_FORMATS",
    "plan_json",
    "plan_markdown",
    "plan_text",
    "plan_view",
]

PLAN_FORMATS = ("text", "markdown", "json")


def plan_view(plan: Plan, output_format: str, *, color: bool = False) -> str:
    """The plan in `output_format` (one of PLAN_FORMATS); colour applies to text only."""
    if output_format == "json":
        return plan_json(plan)
    if output_format == "markdown":
        return plan_markdown(plan)
    if output_format == "text":
        return plan_text(plan, color=color)
    raise ValueError(f"not a plan format: {output_format!r}")
