"""`reconciler show PLANFILE`: render a saved plan, without any request."""

from __future__ import annotations

from pathlib import Path

from reconciler.commands.plan import Output, render_plan
from reconciler.errors import PlanFileError
from reconciler.planfile import read_saved_plan

__all__ = ["show"]


def show(plan_file: Path, output: Output) -> int:
    try:
        text = plan_file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise PlanFileError(f"{plan_file}: cannot read the plan file ({error})") from None
    saved = read_saved_plan(text, str(plan_file))
    render_plan(saved.plan, saved.desired, output)
    return 0
