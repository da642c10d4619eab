"""End to end: the CLI in a subprocess, against `reconciler sandbox serve` on loopback.

Nothing is faked here: the CLI reads its credentials from the environment, mints ES256 tokens
that the server checks against the public key of a key made for the test, talks HTTP to
127.0.0.1, and the server keeps its account in a state file that the tests read as JSON.
The server is told `--port 0` and the tests read the URL it prints, so no port is guessed.

Only what a subprocess shows is tested here: the prompt on a terminal, secrets in logs, and a
server that checks real tokens and fails over real sockets. What the commands do is tested in
process (tests/test_commands.py), and signals in tests/test_interrupt.py.
"""

from __future__ import annotations

import json
import os
import re
import select
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pexpect  # type: ignore[import-untyped]  # pexpect ships no type hints
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from reconciler.commands.apply import PROMPT
from reconciler.sandbox import SandboxState

pytestmark = pytest.mark.e2e

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "releases.yaml"
KEY_ID = "E2EKEY0001"
ISSUER_ID = "5b7f3c2a-9d41-4e6b-8a0c-2f1e6d3b9a75"
STARTUP_SECONDS = 15.0
# Only the text of a JWT can match this: three base64url parts, the first a JSON object.
JWT = re.compile(r"eyJ[\w-]+\.[\w-]+\.[\w-]*")
REQUEST_LINE = re.compile(
    r"^(GET|POST|PATCH|DELETE) (/v1/\S*) -> (\d{3}) \((\d+) ms, rate (\d+)/3500\)$"
)
# Variables that would change what the CLI does if the test runner happens to set them.
FOREIGN_ENV = ("ASC_", "APP_STORE_CONNECT_", "GITHUB_", "NO_COLOR", "FORCE_COLOR")


# --- keys, servers and the CLI ------------------------------------------------------------


@dataclass(frozen=True)
class KeyPair:
    """An EC P-256 key as App Store Connect issues them: PKCS#8 PEM, and its public half."""

    private_pem: str = field(repr=False)
    public_pem_path: Path

    @property
    def secret_lines(self) -> list[str]:
        """The base64 body lines of the private key: none may ever be printed."""
        return [line for line in self.private_pem.splitlines() if not line.startswith("-----")]


def _key_pair(folder: Path) -> KeyPair:
    key = ec.generate_private_key(ec.SECP256R1())
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public_path = folder / "public.pem"
    public_path.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return KeyPair(private, public_path)


@pytest.fixture(scope="module")
def key(tmp_path_factory: pytest.TempPathFactory) -> KeyPair:
    """The key the servers trust."""
    return _key_pair(tmp_path_factory.mktemp("key"))


@pytest.fixture(scope="module")
def seed_bytes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The default demo account, made once by `reconciler sandbox reset --state FILE`."""
    folder = tmp_path_factory.mktemp("seed")
    state = folder / "state.json"
    done = _run_cli(["sandbox", "reset", "--state", str(state)], env=_base_env(), cwd=folder)
    assert done.returncode == 0, done.stderr
    return state.read_bytes()


def _base_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(FOREIGN_ENV)}
    env["NO_COLOR"] = "1"  # plain text on a pty too, so the prompt test can match it
    return env


def _run_cli(
    args: list[str], *, env: Mapping[str, str], cwd: Path, timeout: float = 60.0
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reconciler", *args],
        cwd=cwd,
        env=dict(env),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


class Server:
    """`reconciler sandbox serve` in a subprocess; `url` once it listens. Stop it with stop()."""

    def __init__(self, state: Path, public_key: Path, faults: str | None, env: dict[str, str]):
        command = [sys.executable, "-m", "reconciler", "sandbox", "serve", "--port", "0"]
        command += ["--state", str(state), "--public-key", str(public_key)]
        command += ["--faults", faults] if faults else []
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        self.url = self._printed_url()

    def _printed_url(self) -> str:
        """The URL from `App Store Connect sandbox listening on http://127.0.0.1:N`."""
        stdout = self.process.stdout
        assert stdout is not None
        ready, _, _ = select.select([stdout], [], [], STARTUP_SECONDS)
        line = stdout.readline() if ready else ""
        found = re.search(r"listening on (http://127\.0\.0\.1:\d+)", line)
        if found is None:
            self.stop()
            pytest.fail(f"the sandbox server did not start: {line!r}")
        return found.group(1)

    def stop(self) -> str:
        """Ctrl-C the server, wait for it, close its pipes; return what it wrote to stderr."""
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGINT)
        try:
            _, err = self.process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            _, err = self.process.communicate()
        return err or ""


@dataclass
class World:
    """One test's folder, sandbox state file and credentials, and the CLI run in that folder."""

    folder: Path
    state: Path
    key: KeyPair
    start_server: Callable[..., Server]
    server: Server | None = None

    def serve(self, faults: str | None = None) -> Server:
        """Start a server on the state file (stopping the previous one: one writer at a time)."""
        if self.server is not None:
            assert "Traceback" not in self.server.stop()
        self.server = self.start_server(self.state, faults)
        return self.server

    def env(self, private_pem: str | None = None) -> dict[str, str]:
        assert self.server is not None, "serve() first"
        return _base_env() | {
            "ASC_API_BASE_URL": self.server.url,
            "ASC_KEY_ID": KEY_ID,
            "ASC_ISSUER_ID": ISSUER_ID,
            "ASC_PRIVATE_KEY": private_pem or self.key.private_pem,
        }

    def cli(self, *args: str, timeout: float = 60.0) -> subprocess.CompletedProcess[str]:
        return _run_cli(list(args), env=self.env(), cwd=self.folder, timeout=timeout)

    def versions(self) -> dict[tuple[str, str], list[dict[str, Any]]]:
        """The state file's versions by (bundle id, platform)."""
        data = json.loads(self.state.read_text(encoding="utf-8"))
        found: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for app in data["apps"]:
            for version in app["versions"]:
                found.setdefault((app["bundleId"], version["platform"]), []).append(version)
        return found

    def version_strings(self, bundle_id: str, platform: str) -> list[str]:
        return sorted(v["versionString"] for v in self.versions().get((bundle_id, platform), []))


@pytest.fixture
def world(tmp_path: Path, key: KeyPair, seed_bytes: bytes) -> Iterator[World]:
    """A folder with the demo account in `state.json`; every server started is stopped after."""
    servers: list[Server] = []
    env = _base_env()

    def start(state: Path, faults: str | None) -> Server:
        server = Server(state, key.public_pem_path, faults, env)
        servers.append(server)
        return server

    state = tmp_path / "state.json"
    state.write_bytes(seed_bytes)
    yield World(tmp_path, state, key, start)
    errors = [server.stop() for server in servers]
    assert not [e for e in errors if "Traceback" in e], errors


# --- the prompt ---------------------------------------------------------------------------


def _spawn_apply(world: World) -> pexpect.spawn:
    return pexpect.spawn(
        sys.executable,
        ["-m", "reconciler", "apply", str(EXAMPLE)],
        cwd=str(world.folder),
        env=world.env(),
        encoding="utf-8",
        timeout=30,
        dimensions=(40, 200),
    )


def _finish(child: pexpect.spawn) -> tuple[str, int]:
    """Everything printed after the last match, and the exit status."""
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus is not None, f"killed by signal {child.signalstatus}"
    return str(child.before), child.exitstatus


def test_apply_on_a_terminal_asks_and_a_no_cancels(world: World) -> None:
    # Which answers count as yes is tested in process (test_the_prompt_accepts_only_yes).
    world.serve()
    untouched = world.state.read_bytes()
    child = _spawn_apply(world)
    child.expect_exact("Plan: 4 to create, 6 to update, 1 to delete. 1 deferred.")
    child.expect_exact(PROMPT.strip())
    child.sendline("no")
    rest, status = _finish(child)
    assert status == 1
    assert "Apply cancelled: nothing was changed." in rest
    assert world.state.read_bytes() == untouched


def test_apply_on_a_terminal_applies_after_yes(world: World) -> None:
    world.serve()
    child = _spawn_apply(world)
    child.expect_exact(PROMPT.strip())
    child.sendline("yes")
    rest, status = _finish(child)
    assert status == 0, rest
    assert "Apply complete: 4 created, 6 updated, 1 deleted, 1 deferred, 0 failed." in rest
    assert world.version_strings("com.example.podcasts", "VISION_OS") == ["1.0"]
    # What ships with weather's iOS 2.4.0 went over the wire too: notes, the build, the rollout.
    weather = next(
        v for v in world.versions()[("com.example.weather", "IOS")] if v["versionString"] == "2.4.0"
    )
    notes = {loc["locale"]: loc["whatsNew"] for loc in weather["localizations"]}
    assert notes["de-DE"] == "Das Radar ist schneller.\nNeue Widgets für den Sperrbildschirm."
    assert notes["en-US"] == notes["fr-FR"] == "Bug fixes and a faster radar."
    assert weather["phasedRelease"]["phasedReleaseState"] == "INACTIVE"
    assert weather["build"] is not None


# --- credentials and logging --------------------------------------------------------------


def _assert_no_secret(text: str, key: KeyPair) -> None:
    assert "PRIVATE KEY" not in text
    assert not [line for line in key.secret_lines if line in text]
    assert not JWT.search(text)
    assert not re.search(r"authorization\s*:|bearer\s+ey", text, re.IGNORECASE)


def test_a_key_the_server_does_not_know_is_rejected_in_one_line(
    world: World, tmp_path: Path
) -> None:
    world.serve()
    stranger = _key_pair(tmp_path)  # a valid key, but not the one whose public half it holds
    for verbose in ([], ["-v"]):
        done = _run_cli(
            ["plan", str(EXAMPLE), *verbose],
            env=world.env(private_pem=stranger.private_pem),
            cwd=world.folder,
        )
        assert done.returncode == 1
        errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
        assert len(errors) == 1, done.stderr
        assert errors[0].startswith("error: credentials rejected"), done.stderr
        assert "Traceback" not in done.stderr
        for text in (done.stdout, done.stderr):
            _assert_no_secret(text, stranger)
            _assert_no_secret(text, world.key)


def test_verbose_logs_one_line_per_request_and_never_the_token(world: World) -> None:
    world.serve()
    done = world.cli("plan", str(EXAMPLE), "-v")
    assert done.returncode == 0, done.stderr

    logged = [REQUEST_LINE.match(line) for line in done.stderr.splitlines()]
    requests = [match for match in logged if match]
    used = re.search(r"Used (\d+) API requests?", done.stderr)
    assert used is not None
    assert len(requests) == int(used.group(1)) >= 1
    method, path, status, _, _ = requests[0].groups()
    assert (method, status) == ("GET", "200")
    assert path.startswith("/v1/apps?")
    for text in (done.stdout, done.stderr):
        _assert_no_secret(text, world.key)


def test_debug_output_never_shows_the_key_or_the_token(world: World) -> None:
    world.serve()
    done = world.cli("plan", str(EXAMPLE), "--debug")
    assert done.returncode == 0, done.stderr
    for text in (done.stdout, done.stderr):
        _assert_no_secret(text, world.key)


# --- a faulty server ----------------------------------------------------------------------

APPS = [f"com.example.app{n:02d}" for n in range(1, 21)]
# Deterministic faults (every K-th request, counted by the server) that exercise each failure
# over real sockets: two creates committed but answered 500 (`ambiguous-create`), then hidden
# from the next list read (`invisible`), so the applier reads back, waits, and finds them; a
# 500, a 429 and a dropped connection on those read-backs, which the client retries. With the
# CLI's requests as they are today (1 plan read, 20 creates, read-backs), the 500, 429 and drop
# land on reads. A create that fails *before* it is committed costs far more: the applier reads
# back for about a minute (2+4+8+16+30 s, FACTS R9) before it sends it again, and there is no
# way to shorten that from outside. If the CLI's request pattern changes, a fault may land on a
# create: the test must still pass, only slower (hence the long timeout).
FAULTS = "ambiguous-create=7,invisible=1,error500=10,error429=19,drop=22"


def _many_apps(folder: Path) -> tuple[Path, Path]:
    """A state file of 20 apps with iOS 1.0 live, and a manifest asking each for 1.1."""
    state = SandboxState()
    lines = ["format: 1", "apps:"]
    for bundle_id in APPS:
        app_id = state.add_app(bundle_id)
        state.add_version(app_id, version_string="1.0", app_version_state="READY_FOR_DISTRIBUTION")
        lines += [f"  {bundle_id}:", "    ios:", '      version: "1.1"']
    state_path, manifest = folder / "many-state.json", folder / "many.yaml"
    state.save(state_path)
    manifest.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return state_path, manifest


def test_one_apply_against_a_faulty_server_converges(world: World) -> None:
    world.state, manifest = _many_apps(world.folder)
    world.serve(faults=FAULTS)

    applied = world.cli("apply", str(manifest), "--auto-approve", "-v", timeout=600)

    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert "Apply complete: 20 created, 0 updated, 0 deleted, 0 deferred, 0 failed." in (
        applied.stdout
    )
    # The lost creates were settled. Which way each went (found by the first read, or
    # confirmed by the 409 to the resend) depends on how ten writes in flight meet the
    # every-K-th faults, so any of the lost-answer notes counts; each appears only after a loss.
    lost_notes = ("confirmed by reading back", "an earlier try landed", "earlier answers were lost")
    assert any(note in applied.stdout for note in lost_notes), applied.stdout
    assert "retrying in" in applied.stderr  # and the failed reads were retried

    world.serve()  # the same account, no faults
    again = world.cli("plan", str(manifest), "--detailed-exitcode")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "No changes" in again.stdout
    versions = world.versions()
    assert {bundle_id: world.version_strings(bundle_id, "IOS") for bundle_id in APPS} == {
        bundle_id: ["1.0", "1.1"] for bundle_id in APPS
    }
    assert len(versions) == len(APPS)  # no other platform touched


# --- import ---------------------------------------------------------------------------------


def test_import_over_http_writes_a_manifest_that_plans_no_changes_and_writes_nothing(
    world: World,
) -> None:
    # Real tokens, real sockets: import reads as plan does and never writes to the account.
    world.serve()
    before = world.state.read_bytes()
    done = world.cli("import", "--all", "--out", "imported.yaml", "-v")
    assert done.returncode == 0, done.stderr
    methods = {m.group(1) for line in done.stderr.splitlines() if (m := REQUEST_LINE.match(line))}
    assert methods == {"GET"}
    assert world.state.read_bytes() == before
    planned = world.cli("plan", "imported.yaml")
    assert planned.returncode == 0, planned.stderr
    assert planned.stdout.strip() == "No changes. App Store Connect matches the manifest."
    for text in (done.stdout, done.stderr, (world.folder / "imported.yaml").read_text()):
        _assert_no_secret(text, world.key)
