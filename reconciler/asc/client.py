"""AscClient: JSON:API over one pooled httpx.Client, with paging, bounded retries, X-Rate-Limit
pacing and Apple's errors mapped to the error tree. It knows nothing of manifests or plans.

Failure outcomes, per method (the applier relies on these):

    GET           retried on 429/5xx/connection errors; exhausted -> TransportError
                  (ApiError 429 when the last answer was 429)
    PATCH, DELETE retried like GET (both are idempotent); exhausted -> AmbiguousWriteError when
                  any try may have reached Apple without a clear answer (timeout after
                  connecting, dropped connection, 5xx), else TransportError (nothing was sent)
                  or ApiError 429. A DELETE answered 404 after such a try counts as done.
    POST          retried only where nothing was done: a 429, or a connection never made
                  (exhausted -> TransportError); sent but no clear answer (timeout,
                  dropped connection, 5xx, 3xx) -> AmbiguousWriteError (read back first,
                  FACTS R9); any other 4xx -> ApiError.
    3xx           never followed (it would carry the token elsewhere) and never a success:
                  GET -> UnexpectedResponseError naming the Location; writes -> ambiguous.
    any           401 after JwtAuth re-minted its token once -> CredentialsRejectedError;
                  other 4xx -> ApiError with every entry of Apple's errors[] and a hint.
                  A 429 waits what `Retry-After` asks (bounded, policy.py), else backs off.
                  Every answer is read within a deadline and a size limit (documents.py).
"""

from __future__ import annotations

import contextlib
import logging
import random as _random
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Self

import httpx

from reconciler.asc.documents import DEFAULT_DEADLINE, list_page, parse_json, read_bounded, shown
from reconciler.asc.error_map import hint_for, parse_entries
from reconciler.asc.paging import Pager
from reconciler.asc.policy import (
    RETRYABLE_STATUSES,
    RateLimit,
    RetryPolicy,
    parse_rate_limit,
    parse_retry_after,
)
from reconciler.asc.query import ParamValue, check_params
from reconciler.errors import (
    AmbiguousWriteError,
    ApiError,
    AscError,
    CredentialsRejectedError,
    TransportError,
    UnexpectedResponseError,
)

__all__ = ["DEFAULT_BASE_URL", "DEFAULT_TIMEOUT", "MAX_CONNECTIONS", "AscClient", "JsonDict"]

log = logging.getLogger("reconciler.asc")

JsonDict = dict[str, Any]
DEFAULT_BASE_URL = "https://api.appstoreconnect.apple.com"
# Connecting is quick or broken; list calls with include= can take many seconds to answer.
DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=10.0, pool=10.0)
# Raised before any byte of the request left this machine: Apple cannot have acted on it.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.ProxyError)
# Our own mistakes, not the network's: retrying cannot help.
_FATAL = (httpx.UnsupportedProtocol, httpx.LocalProtocolError)
# Connections kept open for reuse: as many as `--parallelism` may have requests in flight
# (its maximum), so parallel reads never queue for, or reopen, a connection.
MAX_CONNECTIONS = 50
# Where each request keeps the time it was sent: several may be in flight at once.
_STARTED = "reconciler.started"


@dataclass(frozen=True)
class _Failure:
    """A try worth retrying: why, Apple's answer if any, and whether a write may have landed."""

    reason: str
    response: httpx.Response | None
    landed: bool


class AscClient:
    """A client for App Store Connect's JSON:API. Use as a context manager or call close().
    One client may be used from several threads at once (the reader's parallel reads).

    `auth` None sends no Authorization (the in-process sandbox). `transport` is the network seam.
    `clock` (monotonic seconds) times requests and bounds retries; `sleep` does every wait, so
    tests pass a recorder and never sleep. Paths are relative ("/v1/apps") or absolute URLs.
    """

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        *,
        auth: httpx.Auth | None = None,
        transport: httpx.BaseTransport | None = None,
        retry: RetryPolicy = RetryPolicy(),  # noqa: B008 - frozen, so sharing is harmless
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        deadline: float = DEFAULT_DEADLINE,
        random: Callable[[], float] = _random.random,
        max_connections: int = MAX_CONNECTIONS,
    ) -> None:
        self._retry = retry
        self._deadline = deadline
        self._clock = clock
        self._sleep = sleep
        self._random = random
        self._has_auth = auth is not None
        self._rate: RateLimit | None = None
        self._count = 0
        self._throttled = 0
        self._lock = threading.Lock()  # guards _count and _rate: the hooks run in many threads
        self._pacing = threading.Lock()  # one pause at a time, so threads do not pause together
        limits = httpx.Limits(
            max_connections=max_connections, max_keepalive_connections=max_connections
        )
        self._http = httpx.Client(
            base_url=base_url,
            auth=auth,
            transport=transport,
            timeout=timeout,
            limits=limits,
            headers={"Accept": "application/json", "User-Agent": "reconciler"},
            event_hooks={"request": [self._on_request], "response": [self._on_response]},
        )

    def __repr__(self) -> str:
        return f"AscClient({str(self._http.base_url)!r}, requests={self._count})"

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    @property
    def rate_limit(self) -> RateLimit | None:
        """The last X-Rate-Limit seen, or None before any (or when Apple sent none)."""
        with self._lock:
            return self._rate

    @property
    def throttled(self) -> int:
        """How many answers were 429 (rate limited), retries included."""
        return self._throttled

    @property
    def request_count(self) -> int:
        """Every HTTP request actually sent: retries and the re-send after a 401 included."""
        with self._lock:
            return self._count

    def probe_budget(self) -> RateLimit | None:
        """Send one small read, never retried, only to learn the budget left: every answer,
        a 429 too, carries X-Rate-Limit. For waiting out a spent budget one request at a time."""
        # No answer: the budget stays as last seen, and the caller waits again.
        with contextlib.suppress(httpx.HTTPError):
            self._http.get("/v1/apps", params={"limit": "1", "fields[apps]": "bundleId"})
        return self._rate

    def get(self, path: str, params: Mapping[str, ParamValue] | None = None) -> JsonDict:
        """GET one document. Lists in params are comma-joined; limits are checked first."""
        return _document(self._send("GET", path, params=params))

    def get_all(
        self, path: str, params: Mapping[str, ParamValue] | None = None
    ) -> Iterator[tuple[JsonDict, list[Any], list[Any]]]:
        """Yield each page of a list as (document, data, included), following `links.next`
        through the configured base (paging.py: never to another host, bounded in pages)."""
        document = self.get(path, params)
        pager = Pager(self._http.base_url, "GET", path)
        while True:
            data, included = list_page(document, "GET", path)
            yield document, data, included
            following = pager.next_url(document, data)
            if following is None:
                return
            document = _document(self._send("GET", following))

    def collect(
        self, path: str, params: Mapping[str, ParamValue] | None = None
    ) -> tuple[list[JsonDict], list[JsonDict]]:
        """Every resource of every page, and every included resource once (by type and id)."""
        data: list[JsonDict] = []
        included: dict[tuple[str, str], JsonDict] = {}
        for _, page, extra in self.get_all(path, params):
            data.extend(page)
            for item in extra:
                included.setdefault((str(item.get("type")), str(item.get("id"))), item)
        return data, list(included.values())

    def post(self, path: str, body: Mapping[str, Any]) -> JsonDict:
        """POST (create); retried only when nothing was done. See the module docstring."""
        return _document(self._send("POST", path, json=body))

    def patch(self, path: str, body: Mapping[str, Any]) -> JsonDict:
        """PATCH; returns the document, or {} for a 204 (relationship updates)."""
        return _document(self._send("PATCH", path, json=body))

    def delete(self, path: str) -> None:
        self._send("DELETE", path)

    # -- one request, with retries ---------------------------------------------------------

    def _send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, ParamValue] | None = None,
        json: Mapping[str, Any] | None = None,
    ) -> httpx.Response:
        query = check_params(params) if params else None
        shown_path = shown(self._http.build_request(method, path, params=query).url)
        policy, first = self._retry, self._clock()
        maybe_landed = False  # a write try reached Apple and got no clear answer
        attempt = 0
        while True:
            attempt += 1
            self._pace()
            outcome = self._try_once(method, path, shown_path, query, json, maybe_landed)
            if isinstance(outcome, httpx.Response):
                return outcome
            maybe_landed |= outcome.landed
            wait = self._wait(attempt, outcome.response)
            if attempt >= policy.max_attempts or self._clock() - first + wait > policy.max_total:
                raise self._give_up(method, shown_path, outcome, attempt, maybe_landed)
            log.warning(
                "%s %s: %s; retrying in %.1f s (try %d of %d)",
                *(method, shown_path, outcome.reason, wait, attempt + 1, policy.max_attempts),
            )
            self._sleep(wait)

    def _try_once(
        self,
        method: str,
        path: str,
        shown: str,
        query: Mapping[str, str] | None,
        json: Mapping[str, Any] | None,
        maybe_landed: bool,
    ) -> httpx.Response | _Failure:
        """One try: the response to return, a failure worth retrying, or an exception."""
        started = self._clock()
        try:
            request = self._http.build_request(method, path, params=query, json=json)
            response = read_bounded(
                self._http.send(request, stream=True),
                started=started,
                clock=self._clock,
                deadline=self._deadline,
            )
        except _FATAL as exc:
            raise TransportError(method, shown, _describe(exc)) from None
        except httpx.TransportError as exc:
            reason, sent = _describe(exc), not isinstance(exc, _NOT_SENT)
            log.info("%s %s -> %s", method, shown, reason)
            if method == "POST" and sent:
                raise AmbiguousWriteError(method, shown, reason) from None
            return _Failure(reason, None, sent and method != "GET")
        status = response.status_code
        if status < 300:
            return response
        if status < 400:
            return self._redirected(method, shown, response)
        if method == "DELETE" and status == 404 and maybe_landed:
            log.info("%s %s: gone after an unanswered try, so it was deleted", method, shown)
            return response
        if method == "POST" and status >= 500:
            raise AmbiguousWriteError(method, shown, _status_reason(response))
        if status not in RETRYABLE_STATUSES or (method == "POST" and status != 429):
            raise self._api_error(method, shown, response)
        return _Failure(_status_reason(response), response, status >= 500 and method != "GET")

    def _redirected(self, method: str, shown: str, response: httpx.Response) -> httpx.Response:
        """A 3xx is never followed (the token would go with it) and never a success."""
        location = response.headers.get("Location", "no Location")
        reason = f"HTTP {response.status_code} redirect to {_redact_url(location)}, not followed"
        if method == "GET":
            raise UnexpectedResponseError(method, shown, reason)
        raise AmbiguousWriteError(method, shown, reason)

    def _give_up(
        self, method: str, shown: str, last: _Failure, attempts: int, maybe_landed: bool
    ) -> AscError:
        if last.response is not None and last.response.status_code == 429:
            return self._api_error(method, shown, last.response)
        if maybe_landed:
            return AmbiguousWriteError(method, shown, f"{last.reason}, {attempts} tries")
        return TransportError(method, shown, last.reason, attempts)

    def _wait(self, attempt: int, response: httpx.Response | None) -> float:
        after = _retry_after(response)
        return after if after is not None else self._retry.backoff(attempt, self._random())

    def _pace(self) -> None:
        # Under one lock: N threads pausing side by side would send N times as fast.
        with self._pacing:
            rate = self.rate_limit
            pause = self._retry.low_budget_pause(rate)
            if pause > 0 and rate is not None:
                log.info(
                    "rate budget low (%d of %d left this hour): pausing %.1f s",
                    *(rate.remaining, rate.limit, pause),
                )
                self._sleep(pause)

    def _api_error(self, method: str, shown: str, response: httpx.Response) -> ApiError:
        entries = parse_entries(parse_json(response), response.status_code, response.reason_phrase)
        hint = hint_for(response.status_code, entries)
        kind = (
            CredentialsRejectedError if response.status_code == 401 and self._has_auth else ApiError
        )
        error = kind(method, shown, response.status_code, entries, hint)
        error.retry_after = _retry_after(response)
        return error

    # -- hooks: run for every request sent, the re-send after a 401 included ---------------

    def _on_request(self, request: httpx.Request) -> None:
        with self._lock:
            self._count += 1
        request.extensions[_STARTED] = self._clock()  # per request: several are in flight

    def _on_response(self, response: httpx.Response) -> None:
        if response.status_code == 429:
            self._throttled += 1
        started = response.request.extensions.get(_STARTED, self._clock())
        millis = (self._clock() - started) * 1000
        rate = parse_rate_limit(response.headers.get("X-Rate-Limit"))
        if rate is not None:
            with self._lock:
                self._rate = rate
        budget = f", rate {rate.remaining}/{rate.limit}" if rate else ""
        log.info(
            "%s %s -> %d (%.0f ms%s)",
            *(response.request.method, shown(response.request.url), response.status_code),
            *(millis, budget),
        )


def _retry_after(response: httpx.Response | None) -> float | None:
    """Apple's Retry-After in seconds, if it sent a usable one (policy.py bounds it)."""
    if response is None:
        return None
    return parse_retry_after(response.headers.get("Retry-After"), time.time())


def _redact_url(url: str) -> str:
    """A URL as printable text, without any user:password part."""
    try:
        return str(httpx.URL(url).copy_with(username=None, password=None))
    except (httpx.InvalidURL, ValueError, TypeError):
        return "an unreadable URL"


def _describe(exc: httpx.TransportError) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _status_reason(response: httpx.Response) -> str:
    entries = parse_entries(parse_json(response), response.status_code, response.reason_phrase)
    first = entries[0]
    if first.code.startswith("HTTP_"):  # not Apple's error document (a proxy's page, say)
        return f"HTTP {response.status_code} {first.title}"
    detail = f": {first.detail}" if first.detail else ""
    return f"HTTP {response.status_code} {first.code}{detail}"


def _document(response: httpx.Response) -> JsonDict:
    request = response.request
    if response.status_code == 204 or not response.content:
        return {}
    body = parse_json(response)
    if not isinstance(body, dict):
        raise UnexpectedResponseError(request.method, shown(request.url), "not a JSON object")
    return body
