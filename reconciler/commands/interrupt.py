"""Stopping apply gently: the first Ctrl-C or SIGTERM (a cancelled CI job) lets the request in
flight finish and starts nothing more; a second one stops at once (apply still reports)."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from reconciler.exit_codes import ExitCode

__all__ = ["Interrupt"]

_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupt:
    """A signal handler that counts; `requested` is apply's `stop`."""

    def __init__(self, err: TextIO) -> None:
        self._err = err
        self._first: int | None = None
        self._count = 0

    def __call__(self, signum: int, frame: object) -> None:
        self._count += 1
        if self._count > 1:
            raise KeyboardInterrupt
        self._first = signum
        why = "" if signum == signal.SIGINT else "Terminated. "
        self._err.write(
            f"\n{why}Stopping after the request in flight (Ctrl-C again to stop now)...\n"
        )
        self._err.flush()

    def requested(self) -> bool:
        return self._count > 0

    def exit_code(self, code: ExitCode) -> ExitCode:
        """apply's code, but TERMINATED instead of INTERRUPTED when SIGTERM stopped it."""
        if code == ExitCode.INTERRUPTED and self._first == signal.SIGTERM:
            return ExitCode.TERMINATED
        return code

    @contextmanager
    def installed(self) -> Iterator[Interrupt]:
        """Handle SIGINT and SIGTERM while the block runs; the old handlers come back after."""
        previous = {signum: signal.signal(signum, self) for signum in _SIGNALS}
        try:
            yield self
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
