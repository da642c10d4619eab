"""The reader against the sandbox (in process): what it reads and how few requests it spends."""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path
from typing import Any

import httpx
import pytest

from reconciler.asc import AscClient
from reconciler.manifest import AppEntry, Manifest, Platform, PlatformRelease
from reconciler.planner import make_plan
from reconciler.reader import read_state
from reconciler.sandbox import SandboxApp, SandboxState


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
