"""Apply with several writes in flight: the same end state, the same order of results, at most
N requests at once, and Ctrl-C, a rejected key and a spent budget still stop it cleanly."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from reconciler.applier import Budget, _AdaptiveLimit, apply_plan
from reconciler.asc import AscClient
from reconciler.manifest import AppEntry, Manifest, PlatformRelease
from reconciler.outcome import Status
from reconciler.plan import Plan
from reconciler.planner import make_plan
from reconciler.reader import read_state
from reconciler.sandbox import SandboxApp, SandboxState

# The issue's fault mix, with 500s and 429s drawn at random (15% each) instead of every K-th
# request: with retries that do not wait (no real sleeping here), threads in lockstep would
# otherwise keep landing one request on every 4th slot.
ISSUE_MIX = "error500=15%,error429=15%,ambiguous-create=3,invisible=2,seed=3"


def _account(count: int) -> tuple[SandboxState, Manifest]:
    state = SandboxState()
    apps = {}
    for i in range(count):
        bundle_id = f"com.example.app{i:03d}"
        app_id = state.add_app(bundle_id, name=f"App {i}")
        for platform in ("IOS", "MAC_OS"):
            state.add_version(
                app_id,
                platform=platform,
                version_string="1.0",
                app_version_state="READY_FOR_DISTRIBUTION",
            )
        release = PlatformRelease(version="1.1")
        apps[bundle_id] = AppEntry(ios=release, macos=release)
    return state, Manifest(apps=apps)


def _plan(state: SandboxState, manifest: Manifest) -> Plan:
    with AscClient("https://sandbox.test", transport=SandboxApp(state).transport()) as client:
        return make_plan(manifest, read_state(client, manifest))


def _apply(
    state: SandboxState,
    plan: Plan,
    *,
    faults: str = "latency=5ms",
    parallelism: int = 8,
    stop: Callable[[], bool] = lambda: False,
) -> tuple[list[Status], SandboxApp, list[str]]:
    """Statuses, the sandbox (it counts the requests in flight at once), results seen."""
    app = SandboxApp(state, faults=faults)
    seen: list[str] = []
    with AscClient(
        "https://sandbox.test", transport=app.transport(), sleep=lambda _: None
    ) as client:
        result = apply_plan(
            plan,
            client,
            sleep=lambda _: None,
            parallelism=parallelism,
            stop=stop,
            on_result=lambda r: seen.append(f"{r.change.app} {r.change.platform.value}"),
        )
    return [r.status for r in result.results], app, seen


def _one_new_version_each(state: SandboxState) -> None:
    for record in state:
        for platform in ("IOS", "MAC_OS"):
            strings = sorted(v.version_string for v in state.versions(record.id, platform))
            assert strings == ["1.0", "1.1"], (record.bundle_id, platform, strings)


@pytest.mark.parametrize("faults", ["latency=5ms", f"latency=2ms,{ISSUE_MIX}"])
def test_in_parallel_every_app_gets_exactly_one_new_version_and_the_next_plan_is_empty(
    faults: str,
) -> None:
    state, manifest = _account(12)
    plan = _plan(state, manifest)
    statuses, app, seen = _apply(state, plan, faults=faults)
    assert statuses == [Status.DONE] * 24
    _one_new_version_each(state)
    assert _plan(state, manifest) == Plan()
    # Reported in plan order, whatever order the writes finished in.
    assert seen == [f"{c.app} {c.platform.value}" for c in plan.changes]
    assert app.max_in_flight > 1  # the writes really overlapped


@pytest.mark.parametrize("parallelism", [1, 3, 8])
def test_never_more_than_n_requests_are_in_flight(parallelism: int) -> None:
    state, manifest = _account(10)
    _, app, _ = _apply(state, _plan(state, manifest), parallelism=parallelism)
    assert app.max_in_flight <= parallelism
    if parallelism == 1:
        assert app.max_in_flight == 1  # --parallelism 1 is one request at a time, as before


def test_ctrl_c_with_writes_in_flight_finishes_them_and_starts_nothing_new() -> None:
    state, manifest = _account(10)
    plan = _plan(state, manifest)
    asked = []

    def stop() -> bool:
        asked.append(1)
        return len(asked) > 6  # Ctrl-C after the first few changes started

    statuses, _, seen = _apply(state, plan, stop=stop)
    done = statuses.count(Status.DONE)
    assert 0 < done < 20 and statuses.count(Status.SKIPPED) == 20 - done
    assert len(seen) == 20  # every change is reported, the skipped ones too
    made = sum(
        1
        for r in state
        for p in ("IOS", "MAC_OS")
        for v in state.versions(r.id, p)
        if v.version_string == "1.1"
    )
    assert made == done  # nothing half-done: what was reported done is there, nothing else


def test_a_rejected_key_stops_new_writes_while_others_are_in_flight() -> None:
    from tests.test_applier import _other_public_key, _wrong_key_auth

    state, manifest = _account(10)
    plan = _plan(state, manifest)
    app = SandboxApp(state, public_key_pem=_other_public_key(), faults="latency=2ms")
    with AscClient(
        "https://sandbox.test", auth=_wrong_key_auth(), transport=app.transport()
    ) as client:
        result = apply_plan(plan, client, sleep=lambda _: None, parallelism=4)
    statuses = [r.status for r in result.results]
    failed = statuses.count(Status.FAILED)
    assert 1 <= failed <= 4  # at most the ones already in flight
    skipped = [r for r in result.results if r.status is Status.SKIPPED]
    assert skipped and {r.note for r in skipped} == {"App Store Connect rejected the credentials"}
    assert not result.interrupted


def test_each_429_lowers_the_concurrency_for_the_rest_of_the_run_down_to_half() -> None:
    limit = _AdaptiveLimit(8)
    limit.throttled(1)
    assert limit.limit == 7
    limit.throttled(1)  # the same 429 again: no change
    limit.throttled(10)
    assert limit.limit == 4  # never below half of what was asked for
    assert _AdaptiveLimit(1).floor == 1


def test_a_spent_budget_stops_new_writes_without_meeting_429s() -> None:
    state, manifest = _account(3)
    plan = _plan(state, manifest)
    app = SandboxApp(state, hourly_limit=4)
    with AscClient("https://sandbox.test", transport=app.transport()) as client:
        result = apply_plan(plan, client, budget=Budget(reserve=1))
    statuses = [r.status for r in result.results]
    assert statuses == [Status.DONE] * 3 + [Status.SKIPPED] * 3
    assert "hourly request budget ran out (1 left)" in result.results[-1].note
    assert not [e for e in app.request_log if e[2] == 429]  # stopped, not throttled


def test_waiting_for_the_budget_pauses_until_the_hour_turns_and_finishes() -> None:
    state, manifest = _account(3)
    plan = _plan(state, manifest)
    now = [datetime(2026, 12, 2, 12, tzinfo=UTC)]
    app = SandboxApp(state, hourly_limit=4, clock=lambda: now[0])
    pauses: list[float] = []

    def sleep(seconds: float) -> None:  # time passes only when asked to wait
        pauses.append(seconds)
        now[0] += timedelta(seconds=seconds)

    with AscClient("https://sandbox.test", transport=app.transport(), sleep=sleep) as client:
        result = apply_plan(plan, client, sleep=sleep, budget=Budget(wait=True, reserve=1))
    assert [r.status for r in result.results] == [Status.DONE] * 6
    # 4 requests an hour, one kept in reserve, one probe after each wait: three hours' worth.
    assert set(pauses) == {60.0} and 2 * 3600 <= sum(pauses) <= 2 * 3600 + 120
    _one_new_version_each(state)
    refused = [e for e in app.request_log if e[2] == 429]
    assert all(method == "GET" for method, _, _ in refused)  # probes only: no write met a 429
    assert len(refused) <= len(pauses)  # one small request per minute of waiting, no more
