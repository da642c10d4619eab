"""The command line against hostile settings and closed pipes (review S4, S5, H3, U15)."""

from __future__ import annotations

import io
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from reconciler.cli import main
from reconciler.commands.apply import ApplyOptions, apply
from reconciler.commands.plan import Output
from reconciler.commands.session import Connection, open_client
from reconciler.errors import UsageError
from reconciler.sandbox import SandboxApp, SandboxServer, seed_state

ROOT = Path(__file__).parents[2]
EXAMPLE = str(ROOT / "examples" / "releases.yaml")


@pytest.fixture(autouse=True)
def _clean(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith(("ASC_", "APP_STORE_CONNECT_", "GITHUB_", "NO_COLOR", "TERM")):
            monkeypatch.delenv(name)


@pytest.fixture
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    monkeypatch.setenv("ASC_KEY_ID", "ABCDE12345")
    monkeypatch.setenv("ASC_PRIVATE_KEY", pem.decode())


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    with SandboxServer(SandboxApp(seed_state()), port=0) as running:
        running.start()
        yield running


# --- S4, S5: the base URL ---------------------------------------------------------------------


@pytest.mark.usefixtures("credentials")
def test_s4_a_password_in_the_base_url_never_reaches_the_debug_log(
    server: SandboxServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ASC_API_BASE_URL", f"http://user:hunter2@127.0.0.1:{server.port}")
    assert main(["plan", EXAMPLE, "--debug"]) == 0
    out, err = capsys.readouterr()
    assert f"HTTP Request: GET http://***@127.0.0.1:{server.port}/v1/apps" in err  # httpx's line
    assert "hunter2" not in out + err
    monkeypatch.setenv("ASC_API_BASE_URL", "ftp://user:hunter2@127.0.0.1")
    assert main(["plan", EXAMPLE, "--debug"]) == 1
    out, err = capsys.readouterr()
    assert "ASC_API_BASE_URL is not an http(s) URL" in err and "hunter2" not in out + err


@pytest.mark.parametrize(
    "url",
    ["http://api.example.invalid", "http://10.0.0.1:8787", "http://127.0.0.1.example.com"],
)
def test_s5_plain_http_is_refused_unless_the_host_is_this_machine(url: str) -> None:
    err = io.StringIO()
    with pytest.raises(UsageError, match="the bearer token would travel in cleartext"):
        open_client(Connection({"ASC_API_BASE_URL": url}), err=err)


@pytest.mark.usefixtures("credentials")
@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8787", "http://127.8.9.10", "http://[::1]:1", "http://LocalHost:1"]
)
def test_s5_plain_http_to_loopback_is_allowed(url: str) -> None:
    with open_client(Connection({**os.environ, "ASC_API_BASE_URL": url}), err=io.StringIO()):
        pass  # no request is made: only the URL is checked


# --- H3: a closed stdout never stops the writes ----------------------------------------------


class _ClosedAfter(io.StringIO):
    """A stdout whose reader goes away after `lines` lines (`apply | head -1`)."""

    def __init__(self, lines: int) -> None:
        super().__init__()
        self.lines = lines

    def write(self, text: str) -> int:
        if self.getvalue().count("\n") >= self.lines:
            raise BrokenPipeError(32, "Broken pipe")
        return super().write(text)


def test_h3_apply_finishes_every_write_when_stdout_is_closed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    shutil.copy(EXAMPLE, "releases.yaml")
    assert main(["plan", "--sandbox", "--out", "plan.json"]) == 0
    capsys.readouterr()
    out, err = _ClosedAfter(1), io.StringIO()
    sandbox = Connection({}, sandbox=True, cwd=Path())
    code = apply(ApplyOptions(paths=[Path("plan.json")]), sandbox, Output(out, err))
    assert code == 0
    assert out.getvalue().count("\n") == 1
    report = err.getvalue()
    assert report.startswith("note: standard output was closed; the report goes on here\n")
    assert "Apply complete: 4 created, 6 updated, 1 deleted, 1 deferred, 0 failed." in report
    assert main(["plan", "--sandbox", "--detailed-exitcode"]) == 0  # every write was made


# --- U15: colour, usage and help --------------------------------------------------------------


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("env", "coloured"),
    [({}, True), ({"NO_COLOR": ""}, True), ({"NO_COLOR": "1"}, False), ({"TERM": "dumb"}, False)],
)
def test_u15_colour_follows_no_color_org_and_term_dumb(
    env: dict[str, str], coloured: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stdout", terminal)
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert main(["plan", EXAMPLE, "--sandbox"]) == 0
    assert ("\x1b[" in terminal.getvalue()) is coloured


def test_u15_an_unknown_option_shows_the_usage_of_its_own_command(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["plan", "--nosuchflag"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("usage: reconciler plan ")
    assert err.rstrip().endswith("reconciler plan: error: unrecognized arguments: --nosuchflag")
    assert main(["sandbox", "serve", "--nosuch"]) == 1
    assert capsys.readouterr().err.startswith("usage: reconciler sandbox serve ")


def _help(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main([*argv, "--help"]) == 0
    return capsys.readouterr().out


def test_u15_verbose_only_where_requests_are_made_and_every_argument_has_help(
    capsys: pytest.CaptureFixture[str],
) -> None:
    for command in ("plan", "apply"):
        assert "--verbose" in _help(capsys, command)
    for command in (["validate"], ["schema"], ["show"], ["sandbox", "serve"]):
        assert "--verbose" not in _help(capsys, *command), command
    assert main(["validate", "-v", EXAMPLE]) == 1
    assert "unrecognized arguments: -v" in capsys.readouterr().err
    assert "a plan saved by `plan --out`" in _help(capsys, "show")
    assert "the app's bundle id" in _help(capsys, "sandbox", "advance")
    serve = " ".join(_help(capsys, "sandbox", "serve").split())
    assert "--port PORT port on 127.0.0.1" in serve
    assert "--latency-ms MS delay each answer" in serve
