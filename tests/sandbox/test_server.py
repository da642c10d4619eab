"""`SandboxServer` on a real loopback port: the same app, over HTTP."""

from __future__ import annotations

import httpx
import pytest

from reconciler.sandbox import SandboxApp, SandboxServer, seed_state
from tests.sandbox.conftest import PODCASTS, create_body


def test_get_apps_over_loopback() -> None:
    app = SandboxApp(seed_state())
    with SandboxServer(app, port=0) as server:
        server.start()
        assert server.url.startswith("http://127.0.0.1:")
        with httpx.Client(base_url=server.url, timeout=10) as client:
            response = client.get("/v1/apps", params={"limit": "2"})
            created = client.post(
                "/v1/appStoreVersions", json=create_body(PODCASTS, "VISION_OS", "1.0")
            )
            deleted = client.delete(f"/v1/appStoreVersions/{created.json()['data']['id']}")
            put = client.put("/v1/apps")
    assert response.status_code == 200
    assert response.headers["X-Rate-Limit"] == "user-hour-lim:3500;user-hour-rem:3499;"
    assert response.json()["links"]["next"].startswith(f"{server.url}/v1/apps?")
    assert (created.status_code, deleted.status_code, deleted.content) == (201, 204, b"")
    assert put.status_code == 405
    assert [entry[2] for entry in app.request_log] == [200, 201, 204, 405]


def test_a_dropped_connection_closes_the_socket_without_an_answer() -> None:
    app = SandboxApp(seed_state(), faults="drop=1")
    with SandboxServer(app, port=0) as server:
        server.start()
        with (
            httpx.Client(base_url=server.url, timeout=10) as client,
            pytest.raises(httpx.RemoteProtocolError),
        ):
            client.get("/v1/apps")


def test_the_server_binds_loopback_only() -> None:
    with SandboxServer(SandboxApp(seed_state()), port=0) as server:
        assert server.httpd.server_address[0] == "127.0.0.1"


# -- U14: requests the server cannot read are a 400, never a traceback or a hung thread ----


def _raw(server: SandboxServer, request: bytes) -> bytes:
    """Send raw bytes, read until the server closes (it must, and soon)."""
    import socket

    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(request)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


@pytest.mark.parametrize(
    "head",
    [
        b"POST /v1/appStoreVersions HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
        b"POST /v1/appStoreVersions HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
        b"POST /v1/appStoreVersions HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999\r\n\r\n",
        b"POST /v1/appStoreVersions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n",
    ],
)
def test_u14_an_unreadable_request_is_a_400_and_the_connection_closes(
    head: bytes, capfd: pytest.CaptureFixture[str]
) -> None:
    app = SandboxApp(seed_state())
    with SandboxServer(app, port=0) as server:
        server.start()
        answer = _raw(server, head)
        # The server still serves afterwards.
        with httpx.Client(base_url=server.url, timeout=5) as client:
            assert client.get("/v1/apps", params={"limit": "1"}).status_code == 200
    assert answer.startswith(b"HTTP/1.1 400 ")
    assert b'"code":"BAD_REQUEST"' in answer.replace(b" ", b"")
    assert "Traceback" not in capfd.readouterr().err


def test_u14_a_deeply_nested_body_is_refused_without_a_traceback(
    capfd: pytest.CaptureFixture[str],
) -> None:
    app = SandboxApp(seed_state())
    with SandboxServer(app, port=0) as server:
        server.start()
        with httpx.Client(base_url=server.url, timeout=5) as client:
            answer = client.post("/v1/appStoreVersions", content=b"[" * 100_000)
    assert answer.status_code == 422
    assert "nested too deeply" in answer.text
    assert "Traceback" not in capfd.readouterr().err
