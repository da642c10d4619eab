"""Ctrl-C during apply: the request in flight finishes, the rest is reported, exit 130."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from reconciler.sandbox import SandboxState

APPS = 8


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(port: int, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError("the sandbox did not start")


@pytest.mark.e2e
def test_ctrl_c_finishes_the_request_in_flight_and_reports(tmp_path: Path) -> None:
    state = SandboxState()
    manifest = ["format: 1", "apps:"]
    for i in range(APPS):
        app_id = state.add_app(f"com.example.app{i}", name=f"App {i}")
        state.add_version(app_id, version_string="1.0", app_version_state="READY_FOR_DISTRIBUTION")
        manifest += [f"  com.example.app{i}:", "    ios:", '      version: "1.1"']
    state_file = tmp_path / "state.json"
    state.save(state_file)
    (tmp_path / "releases.yaml").write_text("\n".join(manifest) + "\n")
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    port = _free_port()
    cli = [sys.executable, "-m", "reconciler"]
    server = subprocess.Popen(
        [
            *cli,
            "sandbox",
            "serve",
            "--port",
            str(port),
            "--state",
            str(state_file),
            "--latency-ms",
            "300",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(port, time.monotonic() + 10)
        env = {
            **os.environ,
            "ASC_KEY_ID": "ABCDE12345",
            "ASC_ISSUER_ID": "69a6de70-0000-47e3-e053-5b8c7c11a4d1",
            "ASC_PRIVATE_KEY": pem,
            "ASC_API_BASE_URL": f"http://127.0.0.1:{port}",
            "PYTHONUNBUFFERED": "1",
        }
        apply = subprocess.Popen(
            [*cli, "apply", "--auto-approve", str(tmp_path / "releases.yaml")],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert apply.stdout is not None
        lines = []
        for line in apply.stdout:  # wait for the first change to complete
            lines.append(line)
            if " created (id " in line:
                break
        apply.send_signal(signal.SIGINT)
        rest, err = apply.communicate(timeout=30)
        out = "".join(lines) + rest
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=10)
    assert apply.returncode == 130, err
    assert "Stopping after the request in flight" in err
    assert "Traceback" not in err
    created = out.count(" created (id ")
    assert 1 <= created < APPS
    summary = out.strip().splitlines()[-1]
    assert summary.startswith(f"Apply interrupted: {created} created, 0 updated, 0 deleted")
    assert f"{APPS - created} skipped." in summary
    # What the report says is what happened: exactly the reported creates exist.
    saved = json.loads(state_file.read_text())
    versions = [v for app in saved["apps"] for v in app["versions"] if v["versionString"] == "1.1"]
    assert len(versions) == created
