"""The exit codes of every command: the README's table, in one place.

A module of its own, importing nothing of reconciler, so that `cli.py` (which must start fast)
and every command can use it without an import cycle.
"""

from __future__ import annotations

from enum import IntEnum

__all__ = ["ExitCode"]


class ExitCode(IntEnum):
    OK = 0  # success; plan: no errors (with --detailed-exitcode, also nothing to write)
    ERROR = 1  # an expected error: bad input, API error, plan errors, stale plan, failed change
    CHANGES = 2  # `plan --detailed-exitcode` only: there are changes to apply
    BUG = 3  # an unexpected error: a bug in reconciler
    INTERRUPTED = 130  # 128 + SIGINT, as shells report a Ctrl-C
    TERMINATED = 143  # 128 + SIGTERM (a cancelled CI job), handled like Ctrl-C
