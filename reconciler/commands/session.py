"""The one place a command gets its App Store Connect client: Apple's API with credentials
from the environment, or the in-process sandbox with `--sandbox`."""

from __future__ import annotations

import ipaddress
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import httpx

from reconciler.asc import DEFAULT_BASE_URL, AscClient, JwtAuth, load_credentials
from reconciler.errors import UsageError

__all__ = ["Connection", "hide_userinfo", "open_client", "request_summary"]

# `scheme://user:password@` in any text: a proxy's password must not reach a log.
_USERINFO = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*://)[^\s/?#]*@")


@dataclass(frozen=True)
class Connection:
    """How to reach App Store Connect: `sandbox` wins over the environment's credentials."""

    environ: Mapping[str, str]
    sandbox: bool = False
    cwd: Path = Path()


def open_client(connection: Connection, *, err: TextIO) -> AscClient:
    if connection.sandbox:
        # Imported here: the simulator is only loaded when asked for.
        from reconciler.commands.sandbox import default_state_path, open_sandbox

        state_path = default_state_path(connection.cwd)
        try:
            app = open_sandbox(state_path)
        except OSError as error:
            raise UsageError(
                f"--sandbox: cannot keep the sandbox account in {state_path}: "
                f"{error.strerror or error}"
            ) from None
        return AscClient("https://sandbox.reconciler.invalid", transport=app.transport())
    base_url = _base_url(connection.environ)
    credentials, notes = load_credentials(connection.environ)
    for note in notes:
        err.write(f"note: {note}\n")
    return AscClient(base_url, auth=JwtAuth(credentials, clock=time.time))


def hide_userinfo(text: str) -> str:
    """`text` with the `user:password@` of every URL in it replaced by `***@`."""
    return _USERINFO.sub(r"\1***@", text)


def _base_url(environ: Mapping[str, str]) -> str:
    """ASC_API_BASE_URL, checked: http(s), and plain http only to this machine."""
    base_url = environ.get("ASC_API_BASE_URL") or DEFAULT_BASE_URL
    try:
        url = httpx.URL(base_url)
    except httpx.InvalidURL:
        url = None
    if url is None or url.scheme not in ("http", "https") or not url.host:
        shown = "" if "@" in base_url else f": {base_url!r}"  # "@": it may hold a password
        raise UsageError(f"ASC_API_BASE_URL is not an http(s) URL{shown}")
    if url.scheme == "http" and not _is_loopback(url.host):
        raise UsageError(
            f"ASC_API_BASE_URL: plain http to {url.host!r} is refused: the bearer token would "
            "travel in cleartext. Use https, or http only to this machine "
            "(127.0.0.1, ::1, localhost)."
        )
    return base_url


def _is_loopback(host: str) -> bool:
    if host.lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def request_summary(client: AscClient) -> str:
    """`Used 2 API requests; rate budget 3498/3500 left this hour.`"""
    count = client.request_count
    line = f"Used {count} API request{'s' if count != 1 else ''}"
    rate = client.rate_limit
    if rate is not None:
        line += f"; rate budget {rate.remaining}/{rate.limit} left this hour"
    return line + "."
