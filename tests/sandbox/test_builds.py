"""Builds, their trains, and attaching one to a version (FACTS-2 §11, E14)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from reconciler.sandbox import SandboxApp, SandboxState
from reconciler.sandbox.builds import same_train
from tests.sandbox.conformance import check
from tests.sandbox.conftest import (
    BASE,
    CHESS,
    WEATHER,
    create_body,
    fixed_clock,
    only_error,
    version_id,
)


def build_of(state: SandboxState, app_id: str, number: str, platform: str = "IOS") -> str:
    return next(
        b.id for b in state.builds_of(app_id) if b.number == number and b.platform == platform
    )


def linkage(build_id: str) -> Any:
    return {"data": {"type": "builds", "id": build_id}}


def test_the_build_list_with_filters_sort_and_includes(client: httpx.Client) -> None:
    response = client.get(
        "/v1/builds",
        params={
            "filter[app]": WEATHER,
            "filter[preReleaseVersion.version]": "2.4.0",
            "filter[preReleaseVersion.platform]": "IOS",
            "include": "preReleaseVersion,appStoreVersion",
            "sort": "-uploadedDate",
        },
    )
    check(response)
    body = response.json()
    assert [d["attributes"]["version"] for d in body["data"]] == ["2041", "2040"]
    assert [d["attributes"]["processingState"] for d in body["data"]] == ["PROCESSING", "VALID"]
    (train,) = body["included"]
    assert train["type"] == "preReleaseVersions"
    assert train["attributes"] == {"version": "2.4.0", "platform": "IOS"}
    for build in body["data"]:
        assert build["relationships"]["preReleaseVersion"]["data"]["id"] == train["id"]
        assert build["relationships"]["appStoreVersion"]["data"] is None
    valid = client.get(
        "/v1/builds",
        params={
            "filter[app]": WEATHER,
            "filter[processingState]": "VALID",
            "filter[expired]": "false",
        },
    )
    check(valid)
    assert [d["attributes"]["version"] for d in valid.json()["data"]] == ["2040"]
    by_number = client.get("/v1/builds", params={"filter[version]": "2030,12", "sort": "version"})
    check(by_number)
    assert [d["attributes"]["version"] for d in by_number.json()["data"]] == ["12", "2030", "2030"]


def test_without_include_a_build_carries_only_links(client: httpx.Client) -> None:
    response = client.get("/v1/builds", params={"filter[app]": CHESS})
    check(response)
    (build,) = response.json()["data"]
    assert set(build["relationships"]["preReleaseVersion"]) == {"links"}
    assert set(build["relationships"]["appStoreVersion"]) == {"links"}
    assert build["attributes"]["minOsVersion"] is None


def test_the_build_list_pages_and_checks_parameters(client: httpx.Client) -> None:
    page = client.get("/v1/builds", params={"limit": 2})
    check(page)
    assert len(page.json()["data"]) == 2 and "next" in page.json()["links"]
    assert client.get("/v1/builds", params={"limit": 201}).status_code == 400
    assert client.get("/v1/builds", params={"filter[processingState]": "DONE"}).status_code == 400
    assert client.get("/v1/builds", params={"filter[nope]": "x"}).status_code == 400


def test_one_build_with_its_train(client: httpx.Client, state: SandboxState) -> None:
    build = build_of(state, CHESS, "12")
    response = client.get(f"/v1/builds/{build}", params={"include": "preReleaseVersion"})
    check(response)
    assert response.json()["included"][0]["attributes"]["version"] == "1.2"
    missing = client.get("/v1/builds/nope")
    check(missing)
    assert missing.status_code == 404
    patch = client.patch(f"/v1/builds/{build}", json={})
    check(patch)
    assert patch.status_code == 403


def test_the_build_of_a_version_or_null(client: httpx.Client, state: SandboxState) -> None:
    live = version_id(state, CHESS, "IOS", "1.2")
    editable = version_id(state, WEATHER, "IOS", "2.3.1")
    related = client.get(f"/v1/appStoreVersions/{live}/build")
    check(related)
    assert related.json()["data"]["attributes"]["version"] == "12"
    link = client.get(f"/v1/appStoreVersions/{live}/relationships/build")
    check(link)
    assert link.json()["data"] == {"type": "builds", "id": build_of(state, CHESS, "12")}
    for path in (
        f"/v1/appStoreVersions/{editable}/build",
        f"/v1/appStoreVersions/{editable}/relationships/build",
    ):
        none = client.get(path)
        check(none)
        assert none.status_code == 200 and none.json()["data"] is None


def test_attach_through_the_relationship_and_through_the_version(
    client: httpx.Client, state: SandboxState
) -> None:
    editable = version_id(state, WEATHER, "IOS", "2.3.1")
    patched = client.patch(
        f"/v1/appStoreVersions/{editable}",
        json={
            "data": {
                "type": "appStoreVersions",
                "id": editable,
                "attributes": {"versionString": "2.4.0"},
            }
        },
    )
    assert patched.status_code == 200
    build = build_of(state, WEATHER, "2040")
    response = client.patch(
        f"/v1/appStoreVersions/{editable}/relationships/build", json=linkage(build)
    )
    check(response)
    assert response.status_code == 204 and response.content == b""
    assert state.version_records[editable].build_id == build
    assert state.builds[build].version_id == editable
    # The alternative route: relationships.build in the version's PATCH.
    other = state.add_build(WEATHER, version="2.4", number="2042")
    response = client.patch(
        f"/v1/appStoreVersions/{editable}",
        json={
            "data": {
                "type": "appStoreVersions",
                "id": editable,
                "relationships": {"build": linkage(other)},
            }
        },
    )
    check(response)
    assert response.status_code == 200
    assert state.version_records[editable].build_id == other  # 2.4 == 2.4.0
    assert state.builds[build].version_id is None


def refusal_state() -> tuple[SandboxState, str, dict[str, str]]:
    state = SandboxState()
    app_id = state.add_app("com.example.attach")
    live = state.add_version(
        app_id, version_string="1.0", app_version_state="READY_FOR_DISTRIBUTION"
    )
    target = state.add_version(app_id, version_string="1.1")
    used = state.add_build(app_id, version="1.1", number="1")
    state.attach_build(live, used)  # the builder checks no rule: only "already used" refuses it
    builds = {
        "processing": state.add_build(
            app_id, version="1.1", number="2", processing_state="PROCESSING"
        ),
        "failed": state.add_build(app_id, version="1.1", number="3", processing_state="FAILED"),
        "invalid": state.add_build(app_id, version="1.1", number="4", processing_state="INVALID"),
        "internal": state.add_build(app_id, version="1.1", number="5", audience="INTERNAL_ONLY"),
        "expired": state.add_build(app_id, version="1.1", number="6", expired=True),
        "used": used,
        "train": state.add_build(app_id, version="1.2", number="7"),
        "platform": state.add_build(app_id, version="1.1", number="8", platform="TV_OS"),
        "good": state.add_build(app_id, version="1.1.0", number="9"),
    }
    return state, target, builds


@pytest.mark.parametrize(
    "reason",
    ["processing", "failed", "invalid", "internal", "expired", "used", "train", "platform"],
)
def test_every_e14_reason(reason: str) -> None:
    state, target, builds = refusal_state()
    with httpx.Client(
        transport=SandboxApp(state, clock=fixed_clock).transport(), base_url=BASE
    ) as http:
        response = http.patch(
            f"/v1/appStoreVersions/{target}/relationships/build", json=linkage(builds[reason])
        )
        check(response)
        error = only_error(response)
        assert response.status_code == 409
        assert error["code"] == "ENTITY_ERROR.RELATIONSHIP.INVALID"
        assert error["source"] == {"pointer": "/data/relationships/build"}
        expected = (
            "The specified build has a different platform than the version"
            if reason == "platform"
            else "The specified pre-release build could not be added."
        )
        assert error["detail"] == expected
        assert state.version_records[target].build_id is None
        good = http.patch(
            f"/v1/appStoreVersions/{target}/relationships/build", json=linkage(builds["good"])
        )
        assert good.status_code == 204


@pytest.mark.parametrize(
    "version_state",
    ["WAITING_FOR_REVIEW", "IN_REVIEW", "PENDING_DEVELOPER_RELEASE", "READY_FOR_DISTRIBUTION"],
)
def test_e14_on_a_version_that_is_not_editable(version_state: str) -> None:
    state, target, builds = refusal_state()
    state.version_records[target].set_state(version_state)
    with httpx.Client(transport=SandboxApp(state).transport(), base_url=BASE) as http:
        response = http.patch(
            f"/v1/appStoreVersions/{target}/relationships/build", json=linkage(builds["good"])
        )
        check(response)
        error = only_error(response)
        assert response.status_code == 409
        assert (
            error["title"]
            == "A relationship value is not acceptable for the current resource state."
        )
        assert error["detail"] == "The specified pre-release build could not be added."


def test_an_unknown_build_or_a_bad_linkage_is_refused(
    client: httpx.Client, state: SandboxState
) -> None:
    editable = version_id(state, WEATHER, "IOS", "2.3.1")
    path = f"/v1/appStoreVersions/{editable}/relationships/build"
    unknown = client.patch(path, json=linkage("nope"))
    check(unknown)
    assert unknown.status_code == 409
    null = client.patch(path, json={"data": None})
    check(null)
    assert null.status_code == 422
    other_app = client.patch(path, json=linkage(build_of(state, CHESS, "12")))
    assert other_app.status_code == 409


def test_trains_compare_numerically() -> None:
    assert same_train("1.0", "1.0.0") and same_train("2.4", "2.4.0") and same_train("1", "1.0")
    assert not same_train("1.0", "1.0.1") and not same_train("1.10", "1.1")


def test_a_build_named_in_a_version_create_is_attached_or_refuses_the_create(
    client: httpx.Client, state: SandboxState
) -> None:
    train = state.add_build(CHESS, version="1.3", number="13")
    other_train = state.add_build(CHESS, version="1.4", number="14")
    body = create_body(CHESS, "IOS", "1.3")
    body["data"]["relationships"]["build"] = linkage(other_train)
    refused = client.post("/v1/appStoreVersions", json=body)
    check(refused)
    assert refused.status_code == 409
    assert only_error(refused)["detail"] == "The specified pre-release build could not be added."
    assert [v.version_string for v in state.versions(CHESS, "IOS")] == ["1.2", "1.1"]
    body["data"]["relationships"]["build"] = linkage(train)
    created = client.post("/v1/appStoreVersions", json=body)
    check(created)
    assert created.status_code == 201
    assert state.builds[train].version_id == created.json()["data"]["id"]
