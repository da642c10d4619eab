"""Apply of `release: true` against the sandbox: one release request, confirmed by reading the
version's state (it cannot be read back, R29); a lost answer is read back, never sent twice;
a rerun plans nothing; every state of the version is planned as the release kind says."""

from __future__ import annotations

import pytest

from reconciler.applier import apply_plan
from reconciler.asc import AscClient
from reconciler.manifest import AppEntry, Manifest, PlatformRelease, ReleaseType
from reconciler.outcome import Status
from reconciler.planner import make_plan
from reconciler.reader import read_state
from reconciler.sandbox import SandboxApp, SandboxState
from reconciler.sandbox.state import APP_VERSION_STATES

APP = "com.example.app"
RELEASE_PATH = "/v1/appStoreVersionReleaseRequests"
MANIFEST = Manifest(
    apps={
        APP: AppEntry(
            ios=PlatformRelease(version="1.1", release_type=ReleaseType.MANUAL, release=True)
        )
    }
)


def _account(state_of_new: str) -> tuple[SandboxState, str]:
    state = SandboxState()
    app_id = state.add_app(APP)
    state.add_version(app_id, version_string="1.0", app_version_state="READY_FOR_DISTRIBUTION")
    version = state.add_version(
        app_id, version_string="1.1", app_version_state=state_of_new, release_type="MANUAL"
    )
    return state, version


def _run(app: SandboxApp) -> tuple[list[str], list[tuple[str, str, int]], list[str]]:
    """Plan, apply, plan again: the kinds planned, the requests apply made, the kinds left."""
    with AscClient("https://sandbox.test", transport=app.transport(), sleep=lambda _: None) as c:
        plan = make_plan(MANIFEST, read_state(c, MANIFEST))
        start = len(app.request_log)
        result = apply_plan(plan, c, sleep=lambda _: None)
        log = app.request_log[start:]
        assert not result.failed, result
        again = make_plan(MANIFEST, read_state(c, MANIFEST))
    return [ch.kind for ch in plan.changes], log, [ch.kind for ch in again.changes]


def _posts(log: list[tuple[str, str, int]]) -> list[tuple[str, int]]:
    return [(path, status) for method, path, status in log if method == "POST"]


def test_a_pending_version_is_released_once_and_confirmed() -> None:
    state, version = _account("PENDING_DEVELOPER_RELEASE")
    planned, log, left = _run(SandboxApp(state, sleep=lambda _: None))
    assert planned == ["release"] and left == []
    assert _posts(log) == [(RELEASE_PATH, 201)]
    assert [m for m, _, _ in log] == ["POST", "GET"]  # the request, then the version's state
    assert state.version_records[version].app_version_state == "READY_FOR_DISTRIBUTION"


def test_a_lost_answer_is_read_back_and_not_sent_again() -> None:
    state, version = _account("PENDING_DEVELOPER_RELEASE")
    app = SandboxApp(state, faults="ambiguous-create=1", sleep=lambda _: None)
    planned, log, left = _run(app)
    assert planned == ["release"] and left == []
    assert _posts(log) == [(RELEASE_PATH, 500)]  # committed, answer lost; found released
    assert state.version_records[version].app_version_state == "READY_FOR_DISTRIBUTION"


def test_a_timeout_after_commit_is_read_back_too() -> None:
    state, version = _account("PENDING_DEVELOPER_RELEASE")
    app = SandboxApp(state, sleep=lambda _: None)
    app.fail_next("POST", RELEASE_PATH, "commit+timeout")
    _, log, left = _run(app)
    assert left == [] and len(_posts(log)) == 1
    assert state.version_records[version].app_version_state == "READY_FOR_DISTRIBUTION"


def test_a_failure_before_commit_is_sent_again_once() -> None:
    state, version = _account("PENDING_DEVELOPER_RELEASE")
    app = SandboxApp(state, sleep=lambda _: None)
    app.fail_next("POST", RELEASE_PATH, "timeout")  # lost before Apple took it
    _, log, left = _run(app)
    assert left == []
    assert [s for _, s in _posts(log)] == [0, 201]
    assert state.version_records[version].app_version_state == "READY_FOR_DISTRIBUTION"


@pytest.mark.parametrize("version_state", sorted(APP_VERSION_STATES))
def test_every_state_plans_and_applies_as_the_kind_says(version_state: str) -> None:
    # The core's table (release only from PENDING_DEVELOPER_RELEASE) against the sandbox's
    # own rule: whatever is planned is accepted, and nothing is left to do after it.
    state, _ = _account(version_state)
    app = SandboxApp(state, sleep=lambda _: None)
    with AscClient("https://sandbox.test", transport=app.transport(), sleep=lambda _: None) as c:
        plan = make_plan(MANIFEST, read_state(c, MANIFEST))
        releases = [ch for ch in plan.changes if ch.kind == "release"]
        assert bool(releases) == (version_state == "PENDING_DEVELOPER_RELEASE")
        result = apply_plan(plan, c, sleep=lambda _: None)
        assert [r.status for r in result.results if r.change.kind == "release"] == [
            Status.DONE for _ in releases
        ]
        again = make_plan(MANIFEST, read_state(c, MANIFEST))
        assert [ch for ch in again.changes if ch.kind == "release"] == []
