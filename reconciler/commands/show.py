"""`reconciler show PLANFILE`: render a saved plan, without any request."""

from __future__ import annotations

from pathlib import Path

from reconciler.commands.plan import Output, render_plan
from reconciler.errors import PlanFileError
from reconciler.planfile import SavedPlan, read_saved_plan

__all__ = ["read_plan_file", "show"]


def read_plan_file(plan_file: Path) -> SavedPlan:
    """The saved plan in `plan_file`, checked; PlanFileError when it cannot be used."""
    try:
        text = plan_file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise PlanFileError(f"{plan_file}: cannot read the plan file ({error})") from None
    return read_saved_plan(text, str(plan_file))


def show(plan_file: Path, output: Output) -> int:
    saved = read_plan_file(plan_file)
    render_plan(saved.plan, saved.desired, output)
    return 0
