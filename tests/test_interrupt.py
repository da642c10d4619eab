"""Ctrl-C, SIGTERM and a closed stdout during apply: the request in flight finishes, and the
report says exactly what happened."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from reconciler.sandbox import SandboxState

APPS = 8
CLI = [sys.executable, "-m", "reconciler"]


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


@dataclass
class Slow:
    """A sandbox server answering in 300 ms, APPS apps that each need one create, and the
    environment that points the CLI at it."""

    folder: Path
    state_file: Path
    env: dict[str, str]

    def apply(self, parallelism: int = 1) -> subprocess.Popen[str]:
        # One write at a time by default, so that a signal lands between two changes; the
        # parallel case is tests/test_apply_parallel.py and the test below.
        return subprocess.Popen(
            [
                *CLI,
                "apply",
                "--auto-approve",
                f"--parallelism={parallelism}",
                str(self.folder / "releases.yaml"),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=self.env,
        )

    def created(self) -> int:
        """How many creates the account holds: what really happened."""
        saved = json.loads(self.state_file.read_text())
        versions = [v for a in saved["apps"] for v in a["versions"] if v["versionString"] == "1.1"]
        return len(versions)


@pytest.fixture
def slow(tmp_path: Path) -> Iterator[Slow]:
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
    serve = ["sandbox", "serve", "--port", str(port), "--state", str(state_file)]
    server = subprocess.Popen(
        [*CLI, *serve, "--latency-ms", "300"],
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
        yield Slow(tmp_path, state_file, env)
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=10)


def _first_create(apply: subprocess.Popen[str]) -> list[str]:
    """The lines printed until the first change completed."""
    assert apply.stdout is not None
    lines = []
    for line in apply.stdout:
        lines.append(line)
        if " created (id " in line:
            break
    return lines


@pytest.mark.e2e
def test_ctrl_c_finishes_the_request_in_flight_and_reports(slow: Slow) -> None:
    apply = slow.apply()
    lines = _first_create(apply)
    apply.send_signal(signal.SIGINT)
    rest, err = apply.communicate(timeout=30)
    out = "".join(lines) + rest
    assert apply.returncode == 130, err
    assert "Stopping after the request in flight" in err
    assert "Traceback" not in err
    created = out.count(" created (id ")
    assert 1 <= created < APPS
    summary = out.strip().splitlines()[-1]
    assert summary.startswith(f"Apply interrupted: {created} created, 0 updated, 0 deleted")
    assert f"{APPS - created} skipped." in summary
    # What the report says is what happened: exactly the reported creates exist.
    assert slow.created() == created


@pytest.mark.e2e
def test_ctrl_c_with_several_writes_in_flight_finishes_them_all_and_reports_each(
    slow: Slow,
) -> None:
    apply = slow.apply(parallelism=3)
    lines = _first_create(apply)
    apply.send_signal(signal.SIGINT)
    rest, err = apply.communicate(timeout=30)
    out = "".join(lines) + rest
    assert apply.returncode == 130, err
    assert "Traceback" not in err
    # Several result lines arrive at once here, and the ones read ahead with the first are not
    # in `rest` (communicate reads the pipe itself): the summary's count is the check.
    summary = out.strip().splitlines()[-1]
    match = re.match(r"Apply interrupted: (\d+) created", summary)
    assert match, summary
    # Every write that was under way finished and is in the report; nothing else was made.
    assert slow.created() == int(match[1])


@pytest.mark.e2e
def test_u12_sigterm_is_handled_like_the_first_ctrl_c_and_exits_143(slow: Slow) -> None:
    apply = slow.apply()
    lines = _first_create(apply)
    apply.send_signal(signal.SIGTERM)  # what a CI runner sends when the job is cancelled
    rest, err = apply.communicate(timeout=30)
    out = "".join(lines) + rest
    assert apply.returncode == 143, err
    assert "Terminated. Stopping after the request in flight" in err
    created = out.count(" created (id ")
    assert out.strip().splitlines()[-1].startswith(f"Apply interrupted: {created} created")
    assert slow.created() == created


@pytest.mark.e2e
def test_u12_a_second_ctrl_c_still_reports_what_is_known(slow: Slow) -> None:
    apply = slow.apply()
    assert apply.stderr is not None
    lines = _first_create(apply)
    apply.send_signal(signal.SIGINT)
    # The second Ctrl-C only once the first was handled (two at once would count as one),
    # while the next request is still in flight (each answer takes 300 ms).
    err_lines = []
    for line in apply.stderr:
        err_lines.append(line)
        if "Stopping after the request in flight" in line:
            break
    threading.Timer(0.1, apply.send_signal, (signal.SIGINT,)).start()
    rest, err = apply.communicate(timeout=30)
    out, err = "".join(lines) + rest, "".join(err_lines) + err
    assert "Traceback" not in err
    created = out.count(" created (id ")
    summary = out.strip().splitlines()[-1]
    assert summary.startswith(f"Apply interrupted: {created} created, 0 updated, 0 deleted")
    if "stopped while its request was in flight" in out:  # the usual case: 1 unknown outcome
        assert apply.returncode == 130, err
        assert " 1 failed." in summary and slow.created() in (created, created + 1)
    else:  # the first Ctrl-C came between two changes: apply stopped at once and reported,
        # so the second may land as the process exits, and end it as a Ctrl-C ends any program
        assert apply.returncode in (130, -signal.SIGINT), err
        assert slow.created() == created
    assert "Run `reconciler plan` to see what is left" in summary


@pytest.mark.e2e
def test_h3_a_closed_stdout_pipe_never_stops_the_writes(slow: Slow) -> None:
    slow.env.pop("PYTHONUNBUFFERED")  # buffered, as when piped into `head -1` in a shell
    apply = slow.apply()
    assert apply.stdout is not None and apply.stderr is not None
    _first_create(apply)
    apply.stdout.close()  # the reader goes away, as `| head -1` does
    err = apply.stderr.read()
    apply.stderr.close()
    assert apply.wait(timeout=60) == 0, err
    assert "note: standard output was closed; the report goes on here" in err
    assert f"Apply complete: {APPS} created, 0 updated, 0 deleted" in err
    assert "Traceback" not in err and "Exception ignored" not in err
    assert slow.created() == APPS
