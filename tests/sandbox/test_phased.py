"""Phased releases: one per update, INACTIVE until released, then R23's state machine."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from reconciler.sandbox import SandboxApp, SandboxState
from tests.sandbox.conformance import check
from tests.sandbox.conftest import BASE, CHESS, PODCASTS, WEATHER, only_error, version_id


def phased_body(version: str, state: str | None = None) -> Any:
    data: dict[str, Any] = {
        "type": "appStoreVersionPhasedReleases",
        "relationships": {"appStoreVersion": {"data": {"type": "appStoreVersions", "id": version}}},
    }
    if state is not None:
        data["attributes"] = {"phasedReleaseState": state}
    return {"data": data}


def phased_patch(phased_id: str, state: str) -> Any:
    return {
        "data": {
            "type": "appStoreVersionPhasedReleases",
            "id": phased_id,
            "attributes": {"phasedReleaseState": state},
        }
    }


def one_update(version_state: str, phased: str | None = None) -> tuple[SandboxState, str, str]:
    state = SandboxState()
    app_id = state.add_app("com.example.phased")
    state.add_version(app_id, version_string="1.0", app_version_state="REPLACED_WITH_NEW_VERSION")
    vid = state.add_version(app_id, version_string="1.1", app_version_state=version_state)
    phased_id = state.add_phased_release(vid, phased) if phased else ""
    return state, vid, phased_id


def client_for(state: SandboxState) -> httpx.Client:
    return httpx.Client(transport=SandboxApp(state).transport(), base_url=BASE)


def test_none_reads_as_data_null(client: httpx.Client, state: SandboxState) -> None:
    editable = version_id(state, WEATHER, "IOS", "2.3.1")
    response = client.get(f"/v1/appStoreVersions/{editable}/appStoreVersionPhasedRelease")
    check(response)
    assert response.status_code == 200 and response.json()["data"] is None
    live = version_id(state, CHESS, "IOS", "1.2")
    running = client.get(
        f"/v1/appStoreVersions/{live}/appStoreVersionPhasedRelease",
        params={"fields[appStoreVersionPhasedReleases]": "phasedReleaseState,currentDayNumber"},
    )
    check(running)
    assert running.json()["data"]["attributes"] == {
        "phasedReleaseState": "ACTIVE",
        "currentDayNumber": 3,
    }


def test_create_on_an_update_defaults_to_inactive(
    client: httpx.Client, state: SandboxState
) -> None:
    editable = version_id(state, WEATHER, "IOS", "2.3.1")
    response = client.post("/v1/appStoreVersionPhasedReleases", json=phased_body(editable))
    check(response)
    assert response.status_code == 201
    attributes = response.json()["data"]["attributes"]
    assert attributes["phasedReleaseState"] == "INACTIVE" and attributes["startDate"] is None
    again = client.post("/v1/appStoreVersionPhasedReleases", json=phased_body(editable, "INACTIVE"))
    check(again)
    assert again.status_code == 409
    assert only_error(again)["code"] == "STATE_ERROR.ALREADY_EXISTS"


def test_active_on_a_version_not_yet_released_waits_for_the_release() -> None:
    state, vid, _ = one_update("PREPARE_FOR_SUBMISSION")
    with client_for(state) as http:
        response = http.post("/v1/appStoreVersionPhasedReleases", json=phased_body(vid, "ACTIVE"))
        check(response)
        assert response.json()["data"]["attributes"]["phasedReleaseState"] == "INACTIVE"
        paused = http.post("/v1/appStoreVersionPhasedReleases", json=phased_body(vid, "PAUSED"))
        assert paused.status_code == 409


def test_not_on_a_first_version(client: httpx.Client, state: SandboxState) -> None:
    first = version_id(state, WEATHER, "TV_OS", "1.0")
    response = client.post("/v1/appStoreVersionPhasedReleases", json=phased_body(first))
    check(response)
    error = only_error(response)
    assert response.status_code == 409
    assert error["code"] == "ENTITY_ERROR.RELATIONSHIP.INVALID"
    assert error["source"] == {"pointer": "/data/relationships/appStoreVersion"}


@pytest.mark.parametrize(
    ("version_state", "allowed"),
    [
        ("PREPARE_FOR_SUBMISSION", True),
        ("WAITING_FOR_REVIEW", True),
        ("IN_REVIEW", True),
        ("PENDING_DEVELOPER_RELEASE", True),
        ("REJECTED", True),
        ("READY_FOR_DISTRIBUTION", False),
        ("INVALID_BINARY", False),
    ],
)
def test_created_only_in_the_eight_states(version_state: str, allowed: bool) -> None:
    state, vid, _ = one_update(version_state)
    with client_for(state) as http:
        response = http.post("/v1/appStoreVersionPhasedReleases", json=phased_body(vid))
    check(response)
    assert response.status_code == (201 if allowed else 409)


def test_the_rollout_pauses_resumes_and_completes() -> None:
    state, _, phased_id = one_update("READY_FOR_DISTRIBUTION", "ACTIVE")
    with client_for(state) as http:
        for wanted in ("PAUSED", "ACTIVE", "PAUSED", "COMPLETE"):
            response = http.patch(
                f"/v1/appStoreVersionPhasedReleases/{phased_id}",
                json=phased_patch(phased_id, wanted),
            )
            check(response)
            assert response.status_code == 200
            assert response.json()["data"]["attributes"]["phasedReleaseState"] == wanted
        final = http.patch(
            f"/v1/appStoreVersionPhasedReleases/{phased_id}", json=phased_patch(phased_id, "ACTIVE")
        )
        check(final)
        assert final.status_code == 409
        assert only_error(final)["detail"] == (
            "You cannot change the state of a phased release that is in a final state"
        )


def test_the_same_value_is_refused() -> None:
    state, _, phased_id = one_update("READY_FOR_DISTRIBUTION", "ACTIVE")
    with client_for(state) as http:
        response = http.patch(
            f"/v1/appStoreVersionPhasedReleases/{phased_id}", json=phased_patch(phased_id, "ACTIVE")
        )
    check(response)
    assert only_error(response)["detail"] == "The phased release already has this value"


def test_pending_developer_release_refuses_any_change_e12() -> None:
    state, _, phased_id = one_update("PENDING_DEVELOPER_RELEASE", "INACTIVE")
    with client_for(state) as http:
        response = http.patch(
            f"/v1/appStoreVersionPhasedReleases/{phased_id}", json=phased_patch(phased_id, "ACTIVE")
        )
    check(response)
    error = only_error(response)
    assert error["detail"] == (
        "You cannot change the state of a phased release in the current version state."
    )
    assert error["source"] == {"pointer": "/data/attributes/pendingDeveloperRelease"}


@pytest.mark.parametrize(("before", "after"), [("INACTIVE", "ACTIVE"), ("ACTIVE", "INACTIVE")])
def test_transitions_r23_does_not_list_are_refused(before: str, after: str) -> None:
    version_state = "PREPARE_FOR_SUBMISSION" if before == "INACTIVE" else "READY_FOR_DISTRIBUTION"
    state, _, phased_id = one_update(version_state, before)
    with client_for(state) as http:
        response = http.patch(
            f"/v1/appStoreVersionPhasedReleases/{phased_id}", json=phased_patch(phased_id, after)
        )
    check(response)
    assert response.status_code == 409
    assert only_error(response)["code"] == "ENTITY_ERROR.ATTRIBUTE.INVALID.INVALID_STATE"


@pytest.mark.parametrize(
    ("phased", "status"), [("INACTIVE", 204), ("ACTIVE", 409), ("PAUSED", 409), ("COMPLETE", 409)]
)
def test_delete_only_before_the_rollout(phased: str, status: int) -> None:
    version_state = "PREPARE_FOR_SUBMISSION" if phased == "INACTIVE" else "READY_FOR_DISTRIBUTION"
    state, vid, phased_id = one_update(version_state, phased)
    with client_for(state) as http:
        response = http.delete(f"/v1/appStoreVersionPhasedReleases/{phased_id}")
    check(response)
    assert response.status_code == status
    if status == 409:
        assert only_error(response)["code"] == "STATE_ERROR"
    else:
        assert state.phased_release_of(vid) is None


def test_unknown_ids_and_forbidden_operations(client: httpx.Client, state: SandboxState) -> None:
    assert client.delete("/v1/appStoreVersionPhasedReleases/nope").status_code == 404
    for response in (
        client.get("/v1/appStoreVersionPhasedReleases"),
        client.get("/v1/appStoreVersionPhasedReleases/x"),
    ):
        check(response)
        assert response.status_code == 403
    unknown = client.post("/v1/appStoreVersionPhasedReleases", json=phased_body("nope"))
    assert unknown.status_code == 409
    in_review = version_id(state, PODCASTS, "IOS", "4.9.0")
    assert (
        client.post("/v1/appStoreVersionPhasedReleases", json=phased_body(in_review)).status_code
        == 201
    )
