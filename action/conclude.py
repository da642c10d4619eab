"""The action's last step: fail the job where reconciler failed.

plan's exit code 2 (--detailed-exitcode: changes to apply) is a good plan, not a failure;
every other non-zero code fails the step with that code (1 an error, 3 a bug in reconciler,
130 and 143 interrupted). Environment: RECONCILER_COMMAND, RECONCILER_EXITCODE.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

GOOD = {"plan": (0, 2), "apply": (0,), "validate": (0,)}


def conclusion(command: str, exitcode: str) -> int:
    """The step's exit code: 0 when reconciler's is good for `command`, else reconciler's own
    (1 when reconciler never ran)."""
    try:
        code = int(exitcode)
    except ValueError:
        return 1
    return 0 if code in GOOD.get(command, (0,)) else (code or 1)


def main(environ: Mapping[str, str] = os.environ) -> int:
    command, exitcode = (
        environ.get("RECONCILER_COMMAND", ""),
        environ.get("RECONCILER_EXITCODE", ""),
    )
    code = conclusion(command, exitcode)
    if code:
        shown = exitcode or "none: it did not run"
        sys.stderr.write(
            f"::error::reconciler {command} failed (exit {shown}): see its step above\n"
        )
    return code


if __name__ == "__main__":
    sys.exit(main())
