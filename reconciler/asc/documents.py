"""Reading an answer's body with bounds, and checking the shape of what it holds.

Apple's documents are small (a page of 50 apps with their versions is a few MB), so a body
larger than MAX_BODY_BYTES or slower than the deadline is an answer we refuse, not one we wait
for: a trickling proxy must not hold a CI job until its timeout, nor a huge one fill memory.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import unquote

import httpx

from reconciler.errors import UnexpectedResponseError

__all__ = [
    "DEFAULT_DEADLINE",
    "MAX_BODY_BYTES",
    "list_page",
    "parse_json",
    "read_bounded",
    "shown",
]

MAX_BODY_BYTES = 32 * 1024 * 1024
# From sending a request to its last byte (each read also has its own timeout).
DEFAULT_DEADLINE = 120.0


def shown(url: httpx.URL) -> str:
    """Path and query, readable (a URL holds no secret: the token travels in a header)."""
    return unquote(url.raw_path.decode("ascii"))


def read_bounded(
    response: httpx.Response,
    *,
    started: float,
    clock: Callable[[], float],
    deadline: float = DEFAULT_DEADLINE,
    max_bytes: int = MAX_BODY_BYTES,
) -> httpx.Response:
    """Read a streamed response's body within `deadline` seconds of `started` and `max_bytes`
    (after decompression); return it as a read response. Too slow is a timeout (so the caller
    treats it as a lost answer); too large is an UnexpectedResponseError."""
    request = response.request
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > max_bytes:
                raise UnexpectedResponseError(
                    request.method,
                    shown(request.url),
                    f"the answer is larger than {max_bytes // (1024 * 1024)} MB",
                )
            if clock() - started > deadline:
                raise httpx.ReadTimeout(
                    f"no complete answer within {deadline:.0f} s", request=request
                )
            chunks.append(chunk)
    finally:
        response.close()
    headers = httpx.Headers(response.headers)
    headers.pop("content-encoding", None)  # the chunks are already decoded
    return httpx.Response(
        response.status_code, headers=headers, content=b"".join(chunks), request=request
    )


def parse_json(response: httpx.Response) -> object:
    """The body as JSON, or None when it is not JSON (or nested beyond Python's limit)."""
    try:
        return response.json()
    except (ValueError, RecursionError):
        return None


def list_page(document: Mapping[str, Any], method: str, path: str) -> tuple[list[Any], list[Any]]:
    """`data` and `included` of one page of a list; anything else is an unexpected answer
    (a proxy's `{}` or a 204 must not read as "no apps")."""
    data = document.get("data")
    if not isinstance(data, list):
        found = "no data" if data is None else f"data is {type(data).__name__}, not a list"
        raise UnexpectedResponseError(method, path, f"expected a list of resources, got {found}")
    included = document.get("included", [])
    if not isinstance(included, list) or not all(isinstance(i, Mapping) for i in included):
        raise UnexpectedResponseError(method, path, "included is not a list of resources")
    return data, included
