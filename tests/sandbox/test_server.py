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
