"""The reader against the sandbox (in process): what it reads and how few requests it spends."""

from __future__ import annotations

import copy
import json
import math
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler.asc import AscClient
from reconciler.manifest import AppEntry, Manifest, Platform, PlatformRelease
from reconciler.planfile import saved_plan_text
from reconciler.planner import make_plan
from reconciler.reader import read_state
from reconciler.sandbox import SandboxApp, SandboxState
from tests.profiles import examples
from tests.test_convergence import Scenario, build, scenarios


def _manifest(bundle_ids: list[str], **platforms: object) -> Manifest:
    platforms = platforms or {"ios": PlatformRelease(version="9.0")}
    return Manifest(apps={b: AppEntry(**platforms) for b in bundle_ids})  # type: ignore[arg-type]


def _account(count: int, versions_each: int = 3) -> tuple[SandboxState, list[str]]:
    state = SandboxState()
    bundle_ids = []
    for i in range(count):
        bundle_id = f"com.example.app{i:04d}"
        app_id = state.add_app(bundle_id, name=f"App {i}")
        for v in range(versions_each):
            state.add_version(
                app_id,
                platform="IOS",
                version_string=f"1.{v}",
                app_version_state="REPLACED_WITH_NEW_VERSION",
            )
        state.add_version(
            app_id,
            platform="MAC_OS",
            version_string="1.0",
            app_version_state="READY_FOR_DISTRIBUTION",
        )
        bundle_ids.append(bundle_id)
    return state, bundle_ids


def _client(app: SandboxApp) -> AscClient:
    return AscClient("https://sandbox.test", transport=app.transport())


@pytest.mark.parametrize("count", [1, 60, 250])
def test_many_apps_are_read_in_batches_of_fifty(count: int) -> None:
    state, bundle_ids = _account(count)
    app = SandboxApp(state)
    with _client(app) as client:
        remote = read_state(client, _manifest(bundle_ids))
        assert client.request_count <= math.ceil(count / 50) + 2
        assert client.request_count == math.ceil(count / 50)
    assert sorted(remote.apps) == bundle_ids
    for bundle_id in bundle_ids:
        versions = remote.apps[bundle_id].versions
        # Only platforms the manifest manages are kept.
        assert {v.platform for v in versions} == {"IOS"} and len(versions) == 3
    assert all("include=appStoreVersions" in path for _, path, _ in app.request_log)


def test_an_app_with_more_versions_than_included_is_listed_separately() -> None:
    state, bundle_ids = _account(3, versions_each=1)
    big = state.add_app("com.example.big", name="Big")
    for v in range(120):
        state.add_version(
            big,
            platform="IOS",
            version_string=f"1.{v}",
            app_version_state="REPLACED_WITH_NEW_VERSION",
        )
    app = SandboxApp(state)
    with _client(app) as client:
        remote = read_state(client, _manifest([*bundle_ids, "com.example.big"]))
        # One batch, then the fallback list for the big app (120 versions fit one page of 200).
        assert client.request_count == 2
    assert len(remote.apps["com.example.big"].versions) == 120
    assert app.request_log[1][1].startswith(f"/v1/apps/{big}/appStoreVersions")


def test_bundle_ids_are_matched_exactly_although_the_filter_is_not() -> None:
    state = SandboxState()
    state.add_app("com.example.weather", name="Weather")
    watch = state.add_app("com.example.weather.watch", name="Watch")
    state.add_version(
        watch, platform="IOS", version_string="5.0", app_version_state="READY_FOR_DISTRIBUTION"
    )
    with _client(SandboxApp(state)) as client:
        remote = read_state(client, _manifest(["com.example.weather", "com.example.missing"]))
    assert list(remote.apps) == ["com.example.weather"]
    assert remote.apps["com.example.weather"].versions == ()


def test_targets_read_only_what_they_name() -> None:
    state, bundle_ids = _account(3)
    manifest = _manifest(
        bundle_ids, ios=PlatformRelease(version="9.0"), macos=PlatformRelease(version="2.0")
    )
    with _client(SandboxApp(state)) as client:
        remote = read_state(client, manifest, targets=[(bundle_ids[1], Platform.MACOS)])
    assert list(remote.apps) == [bundle_ids[1]]
    assert {v.platform for v in remote.apps[bundle_ids[1]].versions} == {"MAC_OS"}


def test_the_rate_limit_header_is_reported() -> None:
    state, bundle_ids = _account(2)
    with _client(SandboxApp(state)) as client:
        read_state(client, _manifest(bundle_ids))
        assert client.rate_limit is not None
        assert client.rate_limit.limit == 3500
        assert client.rate_limit.remaining == 3500 - client.request_count


def test_a_date_that_cannot_be_read_is_an_unexpected_answer_not_a_crash() -> None:
    from reconciler.errors import UnexpectedResponseError

    state = SandboxState()
    app_id = state.add_app("com.example.odd", name="Odd")
    state.add_version(
        app_id,
        version_string="1.0",
        app_version_state="PREPARE_FOR_SUBMISSION",
        release_type="SCHEDULED",
        earliest_release_date="garbage",
    )
    with _client(SandboxApp(state)) as client, pytest.raises(UnexpectedResponseError) as raised:
        read_state(client, _manifest(["com.example.odd"]))
    assert "earliestReleaseDate 'garbage'" in str(raised.value)


# -- Apple's real bodies, served by hand --------------------------------------------------

FIXTURES = Path(__file__).parent / "fixtures" / "apple"


def _captured_version(version_id: str, version_string: str, **attributes: object) -> dict[str, Any]:
    """The version resource eas-cli captured (only the deprecated appStoreState), re-keyed."""
    captured = json.loads((FIXTURES / "apps_get-appStoreVersions-200.json").read_text())
    resource: dict[str, Any] = copy.deepcopy(captured["data"][0])
    resource["id"] = version_id
    resource["attributes"].update(versionString=version_string, **attributes)
    return resource


def _serve(apps_page: dict[str, Any], version_lists: dict[str, list[dict[str, Any]]]) -> Any:
    """A transport answering the batched apps read and per-app version lists."""
    seen: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        if request.url.path == "/v1/apps":
            return httpx.Response(200, json=apps_page)
        app_id = request.url.path.split("/")[3]
        return httpx.Response(200, json={"data": version_lists[app_id], "links": {}})

    return httpx.MockTransport(handle), seen


def _app(app_id: str, bundle_id: str, linked: list[str], total: int) -> dict[str, Any]:
    return {
        "type": "apps",
        "id": app_id,
        "attributes": {"bundleId": bundle_id, "name": "Weather"},
        "relationships": {
            "appStoreVersions": {
                "data": [{"type": "appStoreVersions", "id": i} for i in linked],
                "meta": {"paging": {"total": total, "limit": 50}},
            }
        },
    }


def test_a_live_version_with_only_the_deprecated_state_lets_the_next_one_be_created() -> None:
    live = _captured_version("v1", "2.3", appStoreState="READY_FOR_SALE")
    assert "appVersionState" not in live["attributes"]
    page = {"data": [_app("1", "com.example.weather", ["v1"], 1)], "included": [live]}
    transport, _ = _serve(page, {})
    manifest = _manifest(["com.example.weather"], ios=PlatformRelease(version="2.4"))
    with AscClient("https://api.test", transport=transport) as client:
        remote = read_state(client, manifest)
    assert remote.apps["com.example.weather"].versions[0].state == "READY_FOR_DISTRIBUTION"
    plan = make_plan(manifest, remote)
    assert [c.action.value for c in plan.changes] == ["create"] and not plan.deferred


def test_linked_versions_missing_from_included_fall_back_to_the_apps_own_list() -> None:
    editable = _captured_version("v2", "2.4", appStoreState="PREPARE_FOR_SUBMISSION")
    page = {"data": [_app("1", "com.example.weather", ["v2"], 1)], "included": []}
    transport, seen = _serve(page, {"1": [editable]})
    manifest = _manifest(["com.example.weather"], ios=PlatformRelease(version="2.5"))
    with AscClient("https://api.test", transport=transport) as client:
        remote = read_state(client, manifest)
    assert seen == ["/v1/apps", "/v1/apps/1/appStoreVersions"]
    assert [v.id for v in remote.apps["com.example.weather"].versions] == ["v2"]
    # The existing editable version is renamed, never a second version created beside it.
    assert [c.action.value for c in make_plan(manifest, remote).changes] == ["update"]


# -- parallel reads ------------------------------------------------------------------------


class InFlight(httpx.BaseTransport):
    """Wraps a transport, counting requests in flight at once. The first `meet` requests wait
    for one another, so reaching `meet` at once is proven by counting, not by timing."""

    def __init__(self, inner: httpx.BaseTransport, meet: int = 1) -> None:
        self._inner = inner
        self._lock = threading.Lock()
        self._meeting = threading.Barrier(meet)
        self._arrived = 0
        self.now = self.most = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            self.now += 1
            self.most = max(self.most, self.now)
            self._arrived += 1
            meets = self._arrived <= self._meeting.parties
        try:
            if meets:
                self._meeting.wait(5)  # broken (an error) if they never were in flight together
            return self._inner.handle_request(request)
        finally:
            with self._lock:
                self.now -= 1


def _with_big_apps(state: SandboxState, count: int, versions_each: int = 51) -> list[str]:
    """Apps with more versions than a batch includes: each costs a per-app list."""
    bundle_ids = []
    for i in range(count):
        bundle_id = f"com.example.big{i:03d}"
        app_id = state.add_app(bundle_id, name=f"Big {i}")
        for v in range(versions_each):
            state.add_version(
                app_id,
                platform="IOS",
                version_string=f"1.{v}",
                app_version_state="REPLACED_WITH_NEW_VERSION",
            )
        bundle_ids.append(bundle_id)
    return bundle_ids


def _saved_plan(state: SandboxState, manifest: Manifest, parallelism: int) -> tuple[str, list[str]]:
    app = SandboxApp(state)
    with _client(app) as client:
        remote = read_state(client, manifest, parallelism=parallelism)
    text = saved_plan_text(
        manifests=["releases.yaml"],
        desired=manifest,
        remote=remote,
        plan=make_plan(manifest, remote),
        reconciler_version="test",
    )
    return text, sorted(path for _, path, _ in app.request_log)


def test_a_parallel_read_gives_the_same_saved_plan_byte_for_byte_and_the_same_requests() -> None:
    state, bundle_ids = _account(260)
    bundle_ids += _with_big_apps(state, 12)
    manifest = _manifest([*bundle_ids, "com.example.missing"])
    sequential, requests = _saved_plan(state, manifest, 1)
    assert len(requests) == math.ceil(273 / 50) + 12
    assert _saved_plan(state, manifest, 8) == (sequential, requests)


def test_at_most_parallelism_requests_are_ever_in_flight() -> None:
    state, bundle_ids = _account(300)  # six batches
    bundle_ids += _with_big_apps(state, 10)  # then ten per-app lists
    wrapper = InFlight(SandboxApp(state, faults="latency=2ms").transport(), meet=4)
    with AscClient("https://sandbox.test", transport=wrapper) as client:
        remote = read_state(client, _manifest(bundle_ids), parallelism=4)
        assert client.request_count == 7 + 10
    assert wrapper.most == 4 and wrapper.now == 0
    assert len(remote.apps) == 310


def test_parallelism_one_sends_one_request_at_a_time() -> None:
    state, bundle_ids = _account(120)
    bundle_ids += _with_big_apps(state, 3)
    wrapper = InFlight(SandboxApp(state, faults="latency=1ms").transport())
    with AscClient("https://sandbox.test", transport=wrapper) as client:
        read_state(client, _manifest(bundle_ids), parallelism=1)
    assert wrapper.most == 1


def test_a_failed_batch_fails_the_read_once_the_others_answered() -> None:
    from reconciler.errors import ApiError

    state, bundle_ids = _account(200)  # four batches; the third is refused
    sandbox = SandboxApp(state)
    calls: list[str] = []
    lock = threading.Lock()

    def answer(request: httpx.Request) -> httpx.Response:
        with lock:
            calls.append(request.url.path)
            refused = len(calls) == 3
        if refused:
            error = {"status": "403", "code": "FORBIDDEN_ERROR", "title": "Forbidden"}
            return httpx.Response(403, json={"errors": [error]})
        return sandbox(request)

    wrapper = InFlight(httpx.MockTransport(answer))
    with AscClient("https://sandbox.test", transport=wrapper) as client:
        with pytest.raises(ApiError) as raised:
            read_state(client, _manifest(bundle_ids), parallelism=8)
        assert raised.value.status == 403
    assert wrapper.now == 0  # nothing was left in flight
    assert len(calls) == 4  # all four start before any answer is looked at


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(), st.integers(0, 120), st.sampled_from([1, 3, 52]))
def test_generated_accounts_plan_the_same_at_parallelism_one_and_eight(
    scenario: Scenario, fillers: int, versions_each: int
) -> None:
    """The convergence test's accounts (prefix bundle ids, every state), with up to three
    batches of other apps around them, some needing their own version lists."""
    state = build(scenario)
    filler_ids = _with_big_apps(state, fillers, versions_each)
    apps = dict(scenario.manifest.apps)
    apps.update({b: AppEntry(ios=PlatformRelease(version="9.0")) for b in filler_ids})
    manifest = Manifest(apps=apps)
    assert _saved_plan(state, manifest, 8) == _saved_plan(state, manifest, 1)


# -- the --parallelism flag ------------------------------------------------------------------

EXAMPLE = Path(__file__).parent.parent / "examples" / "releases.yaml"


@pytest.mark.parametrize("value", ["0", "51", "x", "2.5"])
@pytest.mark.parametrize("command", ["plan", "apply"])
def test_a_parallelism_out_of_range_is_a_usage_error(
    command: str, value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from reconciler.cli import main

    assert main([command, "--parallelism", value]) == 1
    assert "--parallelism" in capsys.readouterr().err


def test_plan_files_saved_at_parallelism_one_and_eight_are_the_same_bytes_and_apply_takes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reconciler.cli import main

    monkeypatch.chdir(tmp_path)
    (tmp_path / "releases.yaml").write_bytes(EXAMPLE.read_bytes())
    assert main(["plan", "--sandbox", "--parallelism", "1", "--out", "one.json"]) == 0
    assert main(["plan", "--sandbox", "--parallelism", "8", "--out", "eight.json"]) == 0
    assert (tmp_path / "one.json").read_bytes() == (tmp_path / "eight.json").read_bytes()
    assert main(["apply", "--sandbox", "--parallelism", "8", "eight.json"]) == 0
    assert main(["plan", "--sandbox", "--detailed-exitcode"]) == 0  # nothing left to do
