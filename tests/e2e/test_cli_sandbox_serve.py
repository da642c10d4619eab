"""`sandbox serve` as started by hand (review U11): without --state it writes no file."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.version_bodies import create_body

pytestmark = pytest.mark.e2e


def test_u11_serve_without_state_keeps_the_account_in_memory(tmp_path: Path) -> None:
    server = subprocess.Popen(
        [sys.executable, "-m", "reconciler", "sandbox", "serve", "--port", "0"],
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        found = re.search(r"listening on (http://127\.0\.0\.1:\d+)", server.stdout.readline())
        assert found is not None
        assert "in memory only" in "".join(server.stdout.readline() for _ in range(2))
        with httpx.Client(base_url=found.group(1)) as client:  # a write, through the API
            chess = client.get("/v1/apps", params={"filter[bundleId]": "com.example.chess"})
            app = chess.json()["data"][0]["id"]
            body = create_body(app, "TV_OS", version="1.2")
            assert client.post("/v1/appStoreVersions", json=body).status_code == 201
    finally:
        server.send_signal(signal.SIGINT)
        _, err = server.communicate(timeout=10)
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == []  # no .reconciler/sandbox-state.json
