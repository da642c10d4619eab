"""Targeted faults: "fail the next matching request in this way", for client tests.

Where a fault spec (faults.py) injects failures by count or chance, this is a queue a test fills
by hand: `app.fail_next("POST", "/v1/appStoreVersions", "503")`. A request takes the first queued
fault whose method is its method and whose path prefix starts its path; each fault fires once.

Kinds:
    "connect"         httpx.ConnectError; the request never reached the sandbox (not logged)
    "timeout"         httpx.ReadTimeout before anything is done
    "drop"            httpx.RemoteProtocolError before anything is done
    "commit+timeout"  the request is carried out (and saved), then httpx.ReadTimeout
    "401"             Apple's 401 NOT_AUTHORIZED
    "429"             Apple's 429 RATE_LIMIT_EXCEEDED
    "5xx" (500-599)   Apple's UNEXPECTED_ERROR with that status
`retry_after` adds a `Retry-After` header, verbatim, to a status kind.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import httpx

from reconciler.sandbox import errors
from reconciler.sandbox.errors import ApiProblem

__all__ = ["TRANSPORT_KINDS", "TargetedFault", "TargetedFaults"]

TRANSPORT_KINDS = frozenset({"connect", "timeout", "drop", "commit+timeout"})
_RAISES: dict[str, Callable[[httpx.Request], httpx.TransportError]] = {
    "connect": lambda r: httpx.ConnectError("Connection refused (sandbox fault)", request=r),
    "timeout": lambda r: httpx.ReadTimeout("Read timed out (sandbox fault)", request=r),
    "commit+timeout": lambda r: httpx.ReadTimeout(
        "Read timed out (sandbox fault, after committing)", request=r
    ),
    "drop": lambda r: httpx.RemoteProtocolError(
        "Server disconnected without sending a response (sandbox fault).", request=r
    ),
}


@dataclass(frozen=True)
class TargetedFault:
    method: str
    path_prefix: str
    kind: str
    retry_after: str | None = None

    def matches(self, request: httpx.Request) -> bool:
        return request.method == self.method and request.url.path.startswith(self.path_prefix)

    def error(self, request: httpx.Request) -> httpx.TransportError:
        """The exception a transport kind raises in process (on loopback, the socket closes)."""
        return _RAISES[self.kind](request)

    def problem(self) -> ApiProblem:
        """Apple's error answer for a status kind."""
        status = int(self.kind)
        if status == 401:
            problem = errors.not_authorized()
        elif status == 429:
            problem = errors.rate_limit_exceeded()
        else:  # Apple's one captured 5xx body (FACTS §6), under the status asked for
            entries = errors.unexpected_error().errors
            problem = ApiProblem(status, [{**entry, "status": str(status)} for entry in entries])
        if self.retry_after is not None:
            problem.headers["Retry-After"] = self.retry_after
        return problem


def _check_kind(kind: str) -> None:
    if kind in TRANSPORT_KINDS or kind in {"401", "429"}:
        return
    if kind.isdigit() and 500 <= int(kind) <= 599:
        return
    known = ", ".join(sorted(TRANSPORT_KINDS | {"401", "429", "5xx"}))
    raise ValueError(f"unknown targeted fault {kind!r}: expected one of {known}")


class TargetedFaults:
    """The queue, in the order faults were added; `pending` is what has not fired yet."""

    def __init__(self) -> None:
        self.pending: list[TargetedFault] = []

    def add(
        self, method: str, path_prefix: str, kind: str, retry_after: str | int | None, times: int
    ) -> None:
        _check_kind(kind)
        if not path_prefix.startswith("/"):
            raise ValueError(f"path prefix {path_prefix!r} must start with '/'")
        if times < 1:
            raise ValueError(f"times must be at least 1, not {times}")
        after = None if retry_after is None else str(retry_after)
        if after is not None and kind in TRANSPORT_KINDS:
            raise ValueError(f"retry_after goes with a status, not with {kind!r}")
        fault = TargetedFault(method.upper(), path_prefix, kind, after)
        self.pending.extend([fault] * times)

    def take(self, request: httpx.Request) -> TargetedFault | None:
        """The first queued fault this request matches, removed from the queue."""
        for index, fault in enumerate(self.pending):
            if fault.matches(request):
                del self.pending[index]
                return fault
        return None
