"""`reconciler sandbox serve | reset | advance`, and the `--sandbox` plumbing for other commands.

Plain functions with typed parameters that write to `out` and return an exit code; user errors
raise `UsageError`. They never read the environment.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from reconciler.errors import UsageError
from reconciler.exit_codes import ExitCode
from reconciler.sandbox import (
    FaultSpec,
    FaultSpecError,
    LifecycleError,
    SandboxApp,
    SandboxServer,
    SandboxState,
    StateFileError,
    seed_state,
)
from reconciler.sandbox import (
    advance as advance_version,
)

__all__ = ["advance", "default_state_path", "open_sandbox", "reset", "serve"]

# Manifest platform keys (DESIGN §2) and the API's names are both accepted.
_PLATFORMS = {"ios": "IOS", "macos": "MAC_OS", "tvos": "TV_OS", "visionos": "VISION_OS"}


def default_state_path(cwd: Path) -> Path:
    """Where `--sandbox` keeps its account: `.reconciler/sandbox-state.json` under `cwd`."""
    return cwd / ".reconciler" / "sandbox-state.json"


def open_sandbox(state_path: Path) -> SandboxApp:
    """The in-process sandbox for `--sandbox`, its state file created from the seed if missing."""
    return SandboxApp(_load_or_seed(state_path), state_path=state_path)


def reset(*, state_path: Path, out: TextIO) -> ExitCode:
    """Start the sandbox account over from the seed."""
    seed_state().save(state_path)
    out.write(f"Sandbox account reset from the seed: {state_path}\n")
    return ExitCode.OK


def advance(
    *,
    state_path: Path,
    bundle_id: str,
    platform: str,
    action: str,
    out: TextIO,
    build: str | None = None,
) -> ExitCode:
    """Move the platform's current version along App Review (submit, review, approve, ...),
    finish processing its builds (process, optionally one `build` number), or move its phased
    release on a day (rollout)."""
    state = _load_or_seed(state_path)
    api_platform = _PLATFORMS.get(platform.lower(), platform.upper())
    try:
        moved = advance_version(
            state, bundle_id, api_platform, action.lower(), now=datetime.now(UTC), build=build
        )
    except LifecycleError as error:
        raise UsageError(f"sandbox advance: {error}") from error
    state.save(state_path)
    out.write(f"{moved}\n")
    return ExitCode.OK


def serve(
    *,
    port: int,
    state_path: Path | None,
    latency_ms: int,
    faults: str | None,
    public_key_path: Path | None,
    out: TextIO,
) -> ExitCode:
    """Serve the sandbox on 127.0.0.1 until Ctrl-C. Without a state file, the seed in memory."""
    spec = _fault_spec(faults, latency_ms)
    public_key = _read_key(public_key_path) if public_key_path else None
    state = _load_or_seed(state_path) if state_path else seed_state()
    try:
        app = SandboxApp(state, state_path=state_path, faults=spec, public_key_pem=public_key)
    except ValueError as error:
        raise UsageError(f"sandbox serve: --public-key: {error}") from error
    try:
        server = SandboxServer(app, port=port)
    except OSError as error:
        raise UsageError(f"sandbox serve: cannot listen on 127.0.0.1:{port}: {error}") from error
    with server:
        out.write(f"App Store Connect sandbox listening on {server.url}\n")
        out.write(f"Point reconciler at it with ASC_API_BASE_URL={server.url}\n")
        kept = (
            f"kept in {state_path}"
            if state_path
            else "the demo account, in memory only (--state FILE keeps it)"
        )
        out.write(f"Account: {kept}\n")
        auth = "checked against the public key" if public_key else "not checked"
        out.write(f"Bearer tokens are {auth}. Press Ctrl-C to stop.\n")
        out.flush()
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            out.write("Sandbox stopped.\n")
    return ExitCode.OK


def _load_or_seed(state_path: Path) -> SandboxState:
    if not state_path.exists():
        state = seed_state()
        state.save(state_path)
        return state
    try:
        return SandboxState.load(state_path)
    except StateFileError as error:
        raise UsageError(
            f"the sandbox state is unusable: {error}\n"
            "Run `reconciler sandbox reset` to start it over from the seed."
        ) from error


def _fault_spec(faults: str | None, latency_ms: int) -> FaultSpec:
    if latency_ms < 0:
        raise UsageError("sandbox serve: --latency-ms must be 0 or more")
    text = ",".join(
        part for part in (faults, f"latency={latency_ms}ms" if latency_ms else "") if part
    )
    try:
        return FaultSpec.parse(text)
    except FaultSpecError as error:
        raise UsageError(f"sandbox serve: --faults: {error}") from error


def _read_key(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise UsageError(
            f"sandbox serve: cannot read --public-key {path}: {error.strerror}"
        ) from error
