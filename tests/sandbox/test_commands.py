"""The command functions: reset, advance, open_sandbox for --sandbox, and serve (a subprocess,
stopped with Ctrl-C)."""

from __future__ import annotations

import io
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from reconciler.commands import sandbox as commands
from reconciler.errors import UsageError
from reconciler.sandbox import SandboxState, seed_state

REPO = Path(__file__).resolve().parents[2]


def test_the_default_state_lives_under_dot_reconciler(tmp_path: Path) -> None:
    assert commands.default_state_path(tmp_path) == tmp_path / ".reconciler" / "sandbox-state.json"


def test_open_sandbox_creates_the_state_from_the_seed_and_saves_writes(tmp_path: Path) -> None:
    path = commands.default_state_path(tmp_path)
    app = commands.open_sandbox(path)
    assert path.exists() and SandboxState.load(path).to_json() == seed_state().to_json()
    with httpx.Client(transport=app.transport(), base_url="https://x.test") as client:
        vid = next(v.id for v in app.state.versions("1234567890", "TV_OS"))
        assert client.delete(f"/v1/appStoreVersions/{vid}").status_code == 204
    assert SandboxState.load(path).version(vid) is None
    assert commands.open_sandbox(path).state.version(vid) is None  # kept between runs


def test_reset_starts_over(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    SandboxState().save(path)
    out = io.StringIO()
    assert commands.reset(state_path=path, out=out) == 0
    assert SandboxState.load(path).to_json() == seed_state().to_json()
    assert str(path) in out.getvalue()


def test_advance_accepts_manifest_platform_names(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    out = io.StringIO()
    assert (
        commands.advance(
            state_path=path,
            bundle_id="com.example.weather",
            platform="ios",
            action="submit",
            out=out,
        )
        == 0
    )
    assert out.getvalue() == (
        "com.example.weather IOS 2.3.1: PREPARE_FOR_SUBMISSION -> WAITING_FOR_REVIEW\n"
    )
    assert SandboxState.load(path).versions("1234567890", "IOS")[0].app_version_state == (
        "WAITING_FOR_REVIEW"
    )


def test_advance_errors_are_usage_errors(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no app with bundle id"):
        commands.advance(
            state_path=tmp_path / "s.json",
            bundle_id="com.nope",
            platform="IOS",
            action="submit",
            out=io.StringIO(),
        )


def test_a_corrupt_state_is_a_usage_error_that_says_reset(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text("{")
    with pytest.raises(UsageError, match="sandbox reset"):
        commands.open_sandbox(path)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"faults": "nope=1"}, "--faults"),
        ({"latency_ms": -1}, "--latency-ms"),
        ({"public_key_path": Path("/nonexistent/key.pem")}, "--public-key"),
    ],
)
def test_serve_rejects_bad_options_before_listening(
    kwargs: dict[str, object], message: str
) -> None:
    options: dict[str, object] = {
        "port": 0,
        "state_path": None,
        "latency_ms": 0,
        "faults": None,
        "public_key_path": None,
        "out": io.StringIO(),
    }
    options.update(kwargs)
    with pytest.raises(UsageError, match=message):
        commands.serve(**options)  # type: ignore[arg-type]


def test_serve_listens_on_loopback_and_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    state_path = tmp_path / "state.json"
    script = (
        "import sys, pathlib\n"
        "from reconciler.commands.sandbox import serve\n"
        f"sys.exit(serve(port=0, state_path=pathlib.Path({str(state_path)!r}), latency_ms=0,"
        " faults=None, public_key_path=None, out=sys.stdout))\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script], cwd=REPO, stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        url = first.rsplit(" ", 1)[-1].strip()
        assert url.startswith("http://127.0.0.1:")
        with httpx.Client(base_url=url, timeout=10) as client:
            response = client.get("/v1/apps", params={"filter[bundleId]": "com.example.notes"})
        assert response.status_code == 200
        assert response.json()["data"][0]["links"]["self"] == f"{url}/v1/apps/2234567890"
        process.send_signal(signal.SIGINT)
        rest, _ = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0
    assert "Sandbox stopped." in rest
    assert state_path.exists()


@pytest.mark.parametrize(
    ("bundle", "action", "expected"),
    [
        ("com.example.weather", "process", "builds 2.4.0 (2041): PROCESSING -> VALID"),
        ("com.example.chess", "rollout", "phased release day 4 of 7"),
    ],
)
def test_advance_processes_builds_and_rolls_out(
    tmp_path: Path, bundle: str, action: str, expected: str
) -> None:
    path = tmp_path / "state.json"
    out = io.StringIO()
    assert (
        commands.advance(state_path=path, bundle_id=bundle, platform="ios", action=action, out=out)
        == 0
    )
    assert expected in out.getvalue()
    assert SandboxState.load(path).to_json() != seed_state().to_json()  # saved


def test_advance_takes_a_build_number(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    with pytest.raises(UsageError, match="no build 1 in PROCESSING"):
        commands.advance(
            state_path=path,
            bundle_id="com.example.weather",
            platform="ios",
            action="process",
            out=io.StringIO(),
            build="1",
        )


def test_the_cli_offers_the_new_actions() -> None:
    from reconciler import arguments

    _, by_name = arguments.parser()
    advance_parser = by_name["sandbox advance"]
    args = advance_parser.parse_args(["com.example.weather", "ios", "rollout"])
    assert args.action == "rollout"
    assert advance_parser.parse_args(["com.example.weather", "ios", "process"]).action == "process"
