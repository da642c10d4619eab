"""No key and no token ever reaches logs, output, exception messages or reprs, at any verbosity."""

from __future__ import annotations

import base64
import json
import logging
import traceback
from collections.abc import Iterator
from typing import Any

import httpcore
import httpx
import pytest

from reconciler.asc import AscClient, Credentials, JwtAuth, RetryPolicy
from reconciler.errors import AscError
from reconciler.sandbox import SandboxApp, errors
from tests.asc.conftest import (
    APP,
    FakeClock,
    MakeClient,
    add_version,
    authorizations,
    reject_the_key,
)
from tests.version_bodies import create_body


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    for name in ("", "reconciler", "reconciler.asc", "httpx", "httpcore", "hpack", "h11"):
        caplog.set_level(logging.DEBUG, logger=name)
    yield caplog


def _secrets(ec_pem: str, tokens: list[str]) -> list[str]:
    """Every fragment whose appearance would be a leak."""
    body = [line for line in ec_pem.splitlines() if "-----" not in line]
    found = [ec_pem, "".join(body), base64.b64encode(ec_pem.encode()).decode()[:40]]
    found += [line[:24] for line in body]
    for token in tokens:
        header, payload, signature = token.split(".")
        found += [token, signature, f"{header}.{payload}"]
    return found


def _assert_clean(texts: list[str], secrets: list[str]) -> None:
    haystack = "\n".join(texts)
    assert "BEGIN PRIVATE KEY" not in haystack
    assert "Bearer " not in haystack
    for secret in secrets:
        assert secret not in haystack


def _exercise(client: AscClient, sandbox: SandboxApp) -> list[str]:
    """Run requests that succeed, retry, re-mint and fail; return what the errors say."""
    texts: list[str] = []
    sandbox.fail_next("GET", "/v1/apps", "401")
    sandbox.fail_next("GET", "/v1/apps", "429", retry_after="1")
    sandbox.fail_next("GET", "/v1/apps", "503")
    client.get("/v1/apps", {"filter[bundleId]": ["com.example.weather"]})
    client.get(f"/v1/apps/{APP}")
    add_version(sandbox, "IOS", "1.0", "READY_FOR_DISTRIBUTION")
    failures: list[tuple[str, dict[str, Any] | None]] = [
        ("POST", create_body(APP, "IOS", version="1.0")),  # E2
        ("POST", create_body(APP, "IOS", version="1.1")),  # times out
        ("GET", None),  # rejected credentials
    ]
    for method, body in failures:
        if body is not None and body["data"]["attributes"]["versionString"] == "1.1":
            sandbox.fail_next("POST", "/v1/appStoreVersions", "timeout")
        if method == "GET":
            reject_the_key(sandbox)
        try:
            if body is None:
                client.get("/v1/apps")
            else:
                client.post("/v1/appStoreVersions", body)
        except AscError as error:
            texts += [str(error), repr(error), "".join(traceback.format_exception(error))]
            texts += [repr(vars(error))]
        else:  # pragma: no cover - every one of these must fail
            pytest.fail(f"{method} did not fail")
    return texts


def test_debug_logs_errors_and_reprs_hold_no_secret(
    make_client: MakeClient,
    sandbox: SandboxApp,
    credentials: Credentials,
    wall: FakeClock,
    ec_pem: str,
    debug_logs: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    auth = JwtAuth(credentials, wall)
    client = make_client(auth=auth)
    texts = _exercise(client, sandbox)
    texts += [repr(client), repr(auth), repr(credentials), str(credentials), repr(vars(client))]
    texts += [r.getMessage() for r in debug_logs.records] + [debug_logs.text]
    out, err = capsys.readouterr()
    texts += [out, err]
    tokens = [a.removeprefix("Bearer ") for a in authorizations(sandbox) if a]
    assert len(set(tokens)) >= 3  # re-minted on each 401: the scan covers several tokens
    assert any("-> 401" in r.getMessage() for r in debug_logs.records)
    _assert_clean(texts, _secrets(ec_pem, tokens))


class _Wire(httpcore.MockStream):
    """A fake socket: answers from a script and keeps every byte written to it."""

    def __init__(self, answers: list[bytes], written: list[bytes]) -> None:
        super().__init__(answers)
        self._written = written

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._written.append(buffer)


class _Backend(httpcore.MockBackend):
    def __init__(self, answers: list[bytes]) -> None:
        super().__init__(answers)
        self.written: list[bytes] = []

    def connect_tcp(self, *args: Any, **kwargs: Any) -> httpcore.NetworkStream:
        return _Wire(list(self._buffer), self.written)


def _http(status: int, reason: str, body: dict[str, Any]) -> bytes:
    content = json.dumps(body).encode()
    head = (
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(content)}\r\n"
        "X-Rate-Limit: user-hour-lim:3500;user-hour-rem:42;\r\n\r\n"
    )
    return head.encode() + content


def test_real_httpx_and_httpcore_debug_logs_hold_no_token(
    credentials: Credentials,
    wall: FakeClock,
    ec_pem: str,
    debug_logs: pytest.LogCaptureFixture,
) -> None:
    ok = {"data": [], "links": {"self": "https://api.appstoreconnect.apple.com/v1/apps"}}
    backend = _Backend(
        [_http(401, "Unauthorized", errors.not_authorized().body()), _http(200, "OK", ok)]
    )
    transport = httpx.HTTPTransport()
    transport._pool = httpcore.ConnectionPool(network_backend=backend)  # the socket seam
    auth = JwtAuth(credentials, wall)
    with AscClient(auth=auth, transport=transport, retry=RetryPolicy.no_wait()) as client:
        assert client.get("/v1/apps") == ok
    wire = b"".join(backend.written).decode()
    tokens = [line.split("Bearer ")[1] for line in wire.splitlines() if "Bearer " in line]
    assert len(set(tokens)) == 2  # the token did go on the wire, once per request
    assert any(r.name.startswith("httpcore") for r in debug_logs.records)
    assert any(r.name == "httpx" for r in debug_logs.records)
    _assert_clean([r.getMessage() for r in debug_logs.records], _secrets(ec_pem, tokens))
