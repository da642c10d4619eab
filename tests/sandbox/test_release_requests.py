"""Release requests: only a PENDING_DEVELOPER_RELEASE version is released (R29); the answer is
the create-only `{type, id, links}`; the state is confirmed by reading the version."""

from __future__ import annotations

import pytest

from reconciler.sandbox import SandboxState, advance
from reconciler.sandbox.state import APP_VERSION_STATES
from tests.sandbox.conftest import NOW, only_error
from tests.sandbox.reviewing import (
    APP_ID,
    account,
    captured,
    release_body,
    sandbox,
    version_state,
)


def pending_release() -> tuple[SandboxState, str, str]:
    state, version = account(release_type="MANUAL")
    live = next(v.id for v in state.versions(APP_ID) if v.version_string == "1.0")
    state.version_records[version].set_state("PENDING_DEVELOPER_RELEASE")
    return state, version, live


def test_a_pending_developer_release_is_released() -> None:
    state, version = account(release_type="MANUAL")
    live = next(v.id for v in state.versions(APP_ID) if v.version_string == "1.0")
    phased = state.add_phased_release(version)
    for action in ("submit", "approve"):
        advance(state, "com.example.review", "IOS", action, NOW)
    _, http = sandbox(state)
    assert version_state(http, version) == "PENDING_DEVELOPER_RELEASE"
    released = http.post("/v1/appStoreVersionReleaseRequests", json=release_body(version))
    assert released.status_code == 201
    body = released.json()
    fastlane = captured("tunes_app_store_version_release_request.json")
    assert set(body) == set(fastlane) and body["data"]["type"] == fastlane["data"]["type"]
    assert set(body["data"]) == {"type", "id", "links"}  # Spec: no relationships
    assert body["data"]["links"]["self"].endswith(
        f"/v1/appStoreVersionReleaseRequests/{body['data']['id']}"
    )
    assert version_state(http, version) == "READY_FOR_DISTRIBUTION"
    assert version_state(http, live) == "REPLACED_WITH_NEW_VERSION"
    rollout = http.get(f"/v1/appStoreVersions/{version}/appStoreVersionPhasedRelease")
    attributes = rollout.json()["data"]["attributes"]
    assert (attributes["phasedReleaseState"], attributes["currentDayNumber"]) == ("ACTIVE", 1)
    assert attributes["startDate"] == "2026-11-29T12:00:00Z"
    assert state.phased_releases[phased].state == "ACTIVE"
    # Create-only: it cannot be read back (R29 confirms through the version instead).
    back = http.get(f"/v1/appStoreVersionReleaseRequests/{body['data']['id']}")
    assert back.status_code == 403
    assert only_error(back)["detail"].endswith("Allowed operation is: CREATE")


@pytest.mark.parametrize(
    "version_state_name", [s for s in APP_VERSION_STATES if s != "PENDING_DEVELOPER_RELEASE"]
)
def test_every_other_state_is_refused(version_state_name: str) -> None:
    state, version = account()
    state.version_records[version].set_state(version_state_name)
    _, http = sandbox(state)
    refused = http.post("/v1/appStoreVersionReleaseRequests", json=release_body(version))
    assert refused.status_code == 409
    assert only_error(refused) == {
        "status": "409",
        "code": "ENTITY_ERROR.RELATIONSHIP.INVALID",
        "title": "A relationship value is not acceptable for the current resource state.",
        "detail": f"The app store version is in the state {version_state_name}; only a version "
        "in PENDING_DEVELOPER_RELEASE can be released.",
        "source": {"pointer": "/data/relationships/appStoreVersion"},
    }
    assert state.version_records[version].app_version_state == version_state_name


def test_unknown_version_and_bad_bodies() -> None:
    state, _ = account()
    _, http = sandbox(state)
    unknown = http.post("/v1/appStoreVersionReleaseRequests", json=release_body("nope"))
    assert only_error(unknown)["code"] == "ENTITY_ERROR.RELATIONSHIP.INVALID"
    empty = http.post(
        "/v1/appStoreVersionReleaseRequests",
        json={"data": {"type": "appStoreVersionReleaseRequests"}},
    )
    assert only_error(empty)["code"] == "ENTITY_ERROR.RELATIONSHIP.REQUIRED"


def test_an_ambiguous_release_committed_so_a_blind_retry_is_refused() -> None:
    state, version, _ = pending_release()
    _, http = sandbox(state, faults="ambiguous-create=1")
    first = http.post("/v1/appStoreVersionReleaseRequests", json=release_body(version))
    assert first.status_code == 500
    assert version_state(http, version) == "READY_FOR_DISTRIBUTION"  # re-read: it was done
    retry = http.post("/v1/appStoreVersionReleaseRequests", json=release_body(version))
    assert retry.status_code == 409
