"""`SandboxApp`: the App Store Connect simulator as one callable, `httpx.Request -> Response`.

Used in-process through `httpx.MockTransport` (`app.transport()`), behind `--sandbox`, and on
loopback by `server.serve`. Every answer carries `X-Rate-Limit`. Order per request: injected
latency, a dropped connection, the bearer token (with a public key), the hourly budget, injected
429/500, then the operation; a write saves the state file (when there is one) before answering.
A targeted fault (`fail_next`, targeted.py) wins over the spec's faults on the request it matches:
a transport kind raises where the drop would, a status kind answers where the 429/500 would.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from reconciler.sandbox import errors
from reconciler.sandbox.auth import TokenChecker
from reconciler.sandbox.errors import ApiProblem
from reconciler.sandbox.faults import Faults, FaultSpec
from reconciler.sandbox.review_rules import ReviewTimers
from reconciler.sandbox.routes import Routes
from reconciler.sandbox.state import SandboxState
from reconciler.sandbox.targeted import TargetedFault, TargetedFaults

__all__ = ["SandboxApp"]

_HOUR = timedelta(hours=1)
_WRITES = frozenset({"POST", "PATCH", "DELETE"})
# List reads that may leave out what was just created (the `invisible` fault, R9).
_LIST_ENDINGS = ("/appStoreVersions", "/appStoreVersionLocalizations", "/v1/reviewSubmissions")


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _snapshot(request: httpx.Request) -> httpx.Request:
    """A copy: a client may re-send the same Request object with new headers (a fresh token)."""
    return httpx.Request(
        request.method, request.url, headers=request.headers.copy(), content=request.content
    )


class SandboxApp:
    """The simulator. `state` is shared and mutable; `request_log` lists (method, path, status);
    `received` keeps each request as it arrived (headers, body), for tests; `max_in_flight` is
    the most requests it held at once (waiting out their latency, for the lock, or being
    answered), `max_in_latency` the most waiting out their latency together.

    A dropped connection is logged with status 0 and raised as httpx.RemoteProtocolError (before
    handling) or httpx.ReadError (after a write was committed).
    """

    def __init__(
        self,
        state: SandboxState | None = None,
        *,
        state_path: Path | None = None,
        faults: str | FaultSpec | None = None,
        public_key_pem: bytes | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], datetime] = _utc_now,
        hourly_limit: int | None = None,
    ) -> None:
        if state is None:
            exists = state_path is not None and state_path.exists()
            state = SandboxState.load(state_path) if state_path and exists else SandboxState()
        self.state = state
        self.state_path = state_path
        spec = faults if isinstance(faults, FaultSpec) else FaultSpec.parse(faults)
        self.faults = Faults(spec)
        self.checker = TokenChecker(public_key_pem, clock) if public_key_pem else None
        self.sleep = sleep
        self.clock = clock
        self.hourly_limit = hourly_limit if hourly_limit is not None else spec.budget
        self.remaining = self.hourly_limit
        self._window_start: datetime | None = None
        self.request_log: list[tuple[str, str, int]] = []
        self.received: list[httpx.Request] = []
        self.targeted = TargetedFaults()
        self._routes = Routes(state, clock)
        self._routes.review_timers = ReviewTimers(spec.ready_delay, spec.cancel_delay)
        self._lock = threading.Lock()
        self._counting = threading.Lock()
        self.in_flight = 0  # requests inside __call__ now, latency included
        self.max_in_flight = 0  # the most at once: how far concurrent clients overlapped
        self.in_latency = 0  # of those, waiting out injected latency (never under the lock)
        self.max_in_latency = 0

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)

    def fail_next(
        self,
        method: str,
        path_prefix: str,
        kind: str,
        *,
        retry_after: str | int | None = None,
        times: int = 1,
    ) -> None:
        """Queue a targeted fault for the next `times` matching requests (see targeted.py)."""
        self.targeted.add(method, path_prefix, kind, retry_after, times)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        with self._counting:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            # Latency outside the lock: concurrent requests wait together, as Apple's would;
            # only the operation itself is serialised, so no write is lost.
            if self.faults.spec.latency_ms:
                self._wait(self.faults.spec.latency_ms / 1000)
            with self._lock:  # the loopback server calls from many threads
                return self._handle(request)
        finally:
            with self._counting:
                self.in_flight -= 1

    def _wait(self, seconds: float) -> None:
        with self._counting:
            self.in_latency += 1
            self.max_in_latency = max(self.max_in_latency, self.in_latency)
        try:
            self.sleep(seconds)
        finally:
            with self._counting:
                self.in_latency -= 1

    def _handle(self, request: httpx.Request) -> httpx.Response:
        where = request.url.raw_path.decode("ascii", "replace")
        targeted = self.targeted.take(request)
        if targeted is not None and targeted.kind == "connect":
            raise targeted.error(request)  # never reached the server: nothing logged or counted
        self.received.append(_snapshot(request))
        fault = self.faults.next_request()  # counted even when a targeted fault wins
        if targeted is not None:
            return self._targeted(request, where, targeted)
        commit_then_drop = False
        if fault == "drop":
            commit_then_drop = request.method in _WRITES and self.faults.drop_after_commit()
            if not commit_then_drop:
                self.request_log.append((request.method, where, 0))
                raise httpx.RemoteProtocolError(
                    "Server disconnected without sending a response.", request=request
                )
        status, body, headers = self._answer(request, self._spec_problem(fault))
        if commit_then_drop:
            self.request_log.append((request.method, where, 0))
            raise httpx.ReadError("Connection reset by peer (sandbox drop)", request=request)
        return self._respond(request, where, status, body, headers)

    def _targeted(self, request: httpx.Request, where: str, fault: TargetedFault) -> httpx.Response:
        if fault.kind in ("timeout", "drop"):
            self.request_log.append((request.method, where, 0))
            raise fault.error(request)
        if fault.kind == "commit+timeout":
            self._answer(request, None)
            self.request_log.append((request.method, where, 0))
            raise fault.error(request)
        status, body, headers = self._answer(request, fault.problem())
        return self._respond(request, where, status, body, headers)

    def _respond(
        self,
        request: httpx.Request,
        where: str,
        status: int,
        body: dict[str, Any] | None,
        headers: dict[str, str],
    ) -> httpx.Response:
        self.request_log.append((request.method, where, status))
        headers["X-Rate-Limit"] = (
            f"user-hour-lim:{self.hourly_limit};user-hour-rem:{self.remaining};"
        )
        if body is None:
            return httpx.Response(status, headers=headers, request=request)
        headers["Content-Type"] = "application/json"
        content = json.dumps(body, separators=(",", ":")).encode()
        return httpx.Response(status, headers=headers, content=content, request=request)

    def _spec_problem(self, fault: str | None) -> ApiProblem | None:
        retry_after = self.faults.spec.error429_retry_after
        if fault == "error429":
            return errors.rate_limit_exceeded()
        if fault == "error429-retry-after" and retry_after:
            return errors.rate_limit_exceeded(retry_after[1])
        if fault == "error500":
            return errors.unexpected_error()
        return None

    def _answer(
        self, request: httpx.Request, injected: ApiProblem | None
    ) -> tuple[int, dict[str, Any] | None, dict[str, str]]:
        """The token, the budget, then an injected error in place of the operation."""
        try:
            if self.checker and not self.checker.accepts(request.headers.get("Authorization")):
                raise errors.not_authorized()
            self._spend()
            if injected is not None:
                raise injected
            return self._operate(request)
        except ApiProblem as problem:
            return problem.status, problem.body(), dict(problem.headers)

    def _operate(self, request: httpx.Request) -> tuple[int, dict[str, Any] | None, dict[str, str]]:
        path = request.url.path
        is_list = request.method == "GET" and (path == "/v1/apps" or path.endswith(_LIST_ENDINGS))
        self._routes.hidden = self.faults.hidden_for_list_read() if is_list else set()
        status, body = self._routes.dispatch(request)
        if self._routes.changed and self.state_path is not None:
            self.state.save(self.state_path)
        if request.method == "POST" and status == 201 and body is not None:
            self.faults.created(body["data"]["id"])
            if body["data"].get("type") == "appStoreVersions":
                # The localizations Apple makes with a new version are new too: `invisible`
                # hides them as it hides the version (R9), else a reader always sees them.
                for localization in self.state.localizations_of(body["data"]["id"]):
                    self.faults.created(localization.id)
            if self.faults.next_create():
                raise errors.unexpected_error()
        return status, body, {}

    def _spend(self) -> None:
        now = self.clock()
        if self._window_start is None:
            self._window_start = now  # `remaining` may have been set by a test before this
        elif now - self._window_start >= _HOUR:
            self._window_start = now
            self.remaining = self.hourly_limit
        if self.remaining <= 0:
            raise errors.rate_limit_exceeded()
        self.remaining -= 1
