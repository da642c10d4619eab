"""Logging for -v and --debug: to one stream, with the password of every URL hidden."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TextIO

from reconciler.commands.session import hide_userinfo

__all__ = ["start_logging"]


class _HideUserinfo(logging.Filter):
    """Rewrites each record's message with `user:password@` in URLs replaced by `***@`
    (httpx logs the full URL of each request under --debug)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = hide_userinfo(record.getMessage()), None
        return True


def start_logging(stream: TextIO, *, debug: bool) -> Callable[[], None]:
    """Log to `stream` (INFO: our request lines; --debug: every library's DEBUG lines too);
    returns what undoes it, so that main() can be called again (tests)."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(message)s"))
    handler.addFilter(_HideUserinfo())
    root = logging.getLogger()
    levels = {name: logging.getLogger(name).level for name in ("", "httpx", "httpcore")}
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if debug else logging.INFO)
    if not debug:  # httpx's own INFO lines repeat ours; keep them for --debug
        for name in ("httpx", "httpcore"):
            logging.getLogger(name).setLevel(logging.WARNING)

    def undo() -> None:
        root.removeHandler(handler)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)

    return undo
