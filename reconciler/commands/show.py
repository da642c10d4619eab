"""`reconciler show PLANFILE`: render a saved plan, without any request."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from reconciler.commands.plan import Output, render_plan
from reconciler.errors import PlanFileError, printable
from reconciler.exit_codes import ExitCode
from reconciler.planfile import SavedPlan, read_saved_plan

__all__ = ["read_plan_file", "show"]


def read_plan_file(plan_file: Path) -> SavedPlan:
    """The saved plan in `plan_file`, checked; PlanFileError when it cannot be used."""
    name = printable(str(plan_file))
    try:
        # Non-blocking, so that a FIFO is refused below instead of waiting for a writer.
        fd = os.open(plan_file, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as error:
        raise PlanFileError(f"{name}: cannot read the plan file: {error.strerror}") from None
    with os.fdopen(fd, "rb") as handle:
        mode = os.fstat(handle.fileno()).st_mode
        if stat.S_ISDIR(mode):
            raise PlanFileError(f"{name}: is a folder, not a plan file")
        if not stat.S_ISREG(mode):
            raise PlanFileError(f"{name}: not a regular file (a FIFO, a device, ...)")
        raw = handle.read()
    try:
        text = raw.decode("utf-8-sig")  # an editor may have added a byte-order mark
    except UnicodeDecodeError:
        raise PlanFileError(f"{name}: not a plan file (not UTF-8 text)") from None
    return read_saved_plan(text, name)


def show(plan_file: Path, output: Output) -> ExitCode:
    saved = read_plan_file(plan_file)
    render_plan(saved.plan, saved.desired, output)
    return ExitCode.OK
