"""The one place a command gets its App Store Connect client: Apple's API with credentials
from the environment, or the in-process sandbox with `--sandbox`."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import httpx

from reconciler.asc import DEFAULT_BASE_URL, AscClient, JwtAuth, load_credentials
from reconciler.errors import UsageError

__all__ = ["Connection", "open_client", "request_summary"]


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
    credentials, notes = load_credentials(connection.environ)
    for note in notes:
        err.write(f"note: {note}\n")
    base_url = connection.environ.get("ASC_API_BASE_URL") or DEFAULT_BASE_URL
    try:
        url = httpx.URL(base_url)
    except httpx.InvalidURL:
        url = None
    if url is None or url.scheme not in ("http", "https") or not url.host:
        raise UsageError(f"ASC_API_BASE_URL is not an http(s) URL: {base_url!r}")
    return AscClient(base_url, auth=JwtAuth(credentials, clock=time.time))


def request_summary(client: AscClient) -> str:
    """`Used 2 API requests; rate budget 3498/3500 left this hour.`"""
    count = client.request_count
    line = f"Used {count} API request{'s' if count != 1 else ''}"
    rate = client.rate_limit
    if rate is not None:
        line += f"; rate budget {rate.remaining}/{rate.limit} left this hour"
    return line + "."
