"""`sandbox serve` under concurrent clients (issue 12): the latency of concurrent requests
overlaps, as Apple's would, while the operations themselves are serialised, so concurrent
writes obey the same rules (R1, R2) and none is lost, in memory or in the state file.

No timed assertions: overlap is read from the app's own count of requests in flight."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from reconciler.sandbox import SandboxApp, SandboxServer, SandboxState
from reconciler.sandbox.rules import SETTLED
from reconciler.sandbox.state import PLATFORMS
from tests.sandbox.conftest import create_body

CLIENTS = 10


def _in_parallel(server: SandboxServer, requests: list[tuple[str, str, object]]) -> list[int]:
    """Send every request from its own thread and client, all released at once."""
    start = threading.Barrier(len(requests))

    def send(method: str, path: str, body: object) -> int:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            start.wait(timeout=10)
            return client.request(method, path, json=body).status_code

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        return list(pool.map(lambda r: send(*r), requests))


def test_concurrent_requests_wait_out_their_latency_together() -> None:
    # The injected "sleep" returns only once every request is inside it: if the latency were
    # served under the app's lock, the second request could never arrive and this would fail.
    together = threading.Barrier(CLIENTS)
    app = SandboxApp(SandboxState(), faults="latency=200ms", sleep=lambda _: together.wait(10))
    with SandboxServer(app, port=0) as server:
        server.start()
        statuses = _in_parallel(server, [("GET", "/v1/apps", None)] * CLIENTS)
    assert statuses == [200] * CLIENTS
    assert app.max_in_flight == app.max_in_latency == CLIENTS
    assert app.in_flight == app.in_latency == 0


def test_real_latency_overlaps_too() -> None:
    app = SandboxApp(SandboxState(), faults="latency=200ms")
    with SandboxServer(app, port=0) as server:
        server.start()
        assert _in_parallel(server, [("GET", "/v1/apps", None)] * CLIENTS) == [200] * CLIENTS
    # Ten 200 ms waits released together overlap rather than queue (under the lock: 1).
    assert app.max_in_latency > 1


def test_concurrent_creates_end_with_what_apples_rules_allow(tmp_path: Path) -> None:
    state = SandboxState()
    apps = [state.add_app(f"com.example.app{i}") for i in range(3)]
    path = tmp_path / "state.json"
    app = SandboxApp(state, state_path=path, faults="latency=20ms")
    # Per app and platform: the same string twice (R2) and another one (R1), all at once.
    wanted = [(a, p, v) for a in apps for p in PLATFORMS for v in ("1.0", "1.0", "1.1")]
    requests = [("POST", "/v1/appStoreVersions", create_body(*w)) for w in wanted]
    with SandboxServer(app, port=0) as server:
        server.start()
        statuses = _in_parallel(server, requests)
    assert app.max_in_latency > 1  # the creates did overlap
    created = Counter(
        (a, p) for (a, p, _), status in zip(wanted, statuses, strict=True) if status == 201
    )
    assert created == {(a, p): 1 for a in apps for p in PLATFORMS}
    assert sorted(set(statuses)) == [201, 409]
    for app_id in apps:
        for platform in PLATFORMS:
            versions = state.versions(app_id, platform)
            strings = [v.version_string for v in versions]
            assert len(strings) == len(set(strings)) == 1  # R2: no duplicate strings
            assert sum(v.app_version_state not in SETTLED for v in versions) == 1  # R1
    # No lost update: the state file holds every write, as memory does.
    assert SandboxState.load(path).to_json() == state.to_json()
