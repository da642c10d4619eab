"""Apple's rules R1-R5, R9-R11 (FACTS §6), each with Apple's exact code, title, detail, pointer."""

from __future__ import annotations

import httpx
import pytest

from reconciler.sandbox import SandboxApp, SandboxState
from tests.sandbox.conformance import check
from tests.sandbox.conftest import (
    CHESS,
    NOTES,
    PODCASTS,
    WEATHER,
    create_body,
    fixed_clock,
    only_error,
    patch_body,
    version_id,
)

E1 = {
    "status": "409",
    "code": "ENTITY_ERROR.RELATIONSHIP.INVALID",
    "title": "The provided entity includes a relationship with an invalid value",
    "detail": "You cannot create a new version of the App in the current state.",
    "source": {"pointer": "/data/relationships/app"},
}
E2_DUPLICATE = {
    "status": "409",
    "code": "ENTITY_ERROR.ATTRIBUTE.INVALID.DUPLICATE",
    "title": "The provided entity includes an attribute with a value that has already been used",
    "detail": "The version number has been previously used.",
    "source": {"pointer": "/data/attributes/versionString"},
}


ONLY_SCHEDULED = (
    "The attribute 'earliestReleaseDate' can only be set when 'releaseType' is 'SCHEDULED'."
)


def e3(attribute: str) -> dict[str, object]:
    return {
        "status": "409",
        "code": "ENTITY_ERROR.ATTRIBUTE.INVALID.INVALID_STATE",
        "title": "An attribute value is not acceptable for the current resource state.",
        "detail": f"The attribute '{attribute}' can not be modified.",
        "source": {"pointer": f"/data/attributes/{attribute}"},
    }


def post(client: httpx.Client, body: object) -> httpx.Response:
    response = client.post("/v1/appStoreVersions", json=body)
    check(response)
    return response


def patch(client: httpx.Client, vid: str, **attrs: object) -> httpx.Response:
    response = client.patch(f"/v1/appStoreVersions/{vid}", json=patch_body(vid, **attrs))
    check(response)
    return response


# --- R1 --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("app_id", "why"),
    [(WEATHER, "an editable 2.3.1"), (PODCASTS, "4.9.0 in review"), (NOTES, "3.1.0 editable")],
)
def test_r1_a_second_version_in_flight_is_refused_with_e1(
    client: httpx.Client, app_id: str, why: str
) -> None:
    response = post(client, create_body(app_id, "IOS", "9.0"))
    assert response.status_code == 409, why
    assert response.json() == {"errors": [E1]}


def test_r1_a_version_pending_developer_release_also_blocks(
    client: httpx.Client, state: SandboxState
) -> None:
    state.add_version(
        CHESS, platform="TV_OS", version_string="1.2", app_version_state="PENDING_DEVELOPER_RELEASE"
    )
    response = post(client, create_body(CHESS, "TV_OS", "1.3"))
    assert response.json() == {"errors": [E1]}


def test_r1_a_new_platform_can_get_its_first_version(client: httpx.Client) -> None:
    response = post(client, create_body(PODCASTS, "VISION_OS", "1.0"))
    assert response.status_code == 201
    attributes = response.json()["data"]["attributes"]
    assert attributes["appVersionState"] == attributes["appStoreState"] == "PREPARE_FOR_SUBMISSION"


# --- R2 --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("app_id", "platform", "version"),
    [
        (WEATHER, "IOS", "2.3.0"),  # the live one
        (WEATHER, "IOS", "2.3.1"),  # the editable one
        (CHESS, "IOS", "1.1"),  # an old, replaced one
    ],
)
def test_r2_a_used_version_string_gets_both_errors_of_e2(
    client: httpx.Client, app_id: str, platform: str, version: str
) -> None:
    response = post(client, create_body(app_id, platform, version))
    assert response.status_code == 409
    assert response.json() == {"errors": [E1, E2_DUPLICATE]}


def test_r2_renaming_an_editable_version_to_a_used_string_is_a_duplicate(
    client: httpx.Client, state: SandboxState
) -> None:
    vid = version_id(state, CHESS, "IOS", "1.2")
    state.add_version(CHESS, platform="IOS", version_string="1.3")
    editable = version_id(state, CHESS, "IOS", "1.3")
    response = patch(client, editable, versionString="1.1")
    assert response.json() == {"errors": [E2_DUPLICATE]}
    assert state.version(vid) is not None


# --- R3 --------------------------------------------------------------------------------------


@pytest.mark.parametrize("lower", ["1.1.9", "0.9", "1", "1.2.0"])
def test_r3_a_new_version_must_be_higher_than_the_last_released(
    client: httpx.Client, lower: str
) -> None:
    response = post(client, create_body(CHESS, "IOS", lower))
    assert response.status_code == 409
    assert only_error(response) == {
        "status": "409",
        "code": "ENTITY_ERROR.ATTRIBUTE.INVALID",
        "title": "An attribute value is invalid.",
        "detail": f"The version number '{lower}' must be higher than the previously released "
        "version '1.2'.",
        "source": {"pointer": "/data/attributes/versionString"},
    }


def test_r3_versions_compare_numerically_not_as_text(client: httpx.Client) -> None:
    assert post(client, create_body(CHESS, "IOS", "1.10")).status_code == 201


@pytest.mark.parametrize("bad", ["1.2.3.4", "v2", "1..2", "", "01.2"])
def test_r3_a_version_string_has_one_to_three_integers(client: httpx.Client, bad: str) -> None:
    error = only_error(post(client, create_body(CHESS, "TV_OS", bad)))
    assert error["code"] == "ENTITY_ERROR.ATTRIBUTE.INVALID"
    assert error["source"] == {"pointer": "/data/attributes/versionString"}


def test_r3_a_patch_cannot_lower_an_editable_version_below_the_live_one(
    client: httpx.Client, state: SandboxState
) -> None:
    response = patch(client, version_id(state, WEATHER, "IOS", "2.3.1"), versionString="2.2")
    assert only_error(response)["detail"] == (
        "The version number '2.2' must be higher than the previously released version '2.3.0'."
    )


# --- R4 --------------------------------------------------------------------------------------


def test_r4_patching_a_version_in_review_gives_one_e3_per_attribute_sent(
    client: httpx.Client, state: SandboxState
) -> None:
    vid = version_id(state, PODCASTS, "IOS", "4.9.0")
    response = patch(client, vid, versionString="4.9.1", copyright="2027 Example Inc.")
    assert response.status_code == 409
    assert response.json() == {"errors": [e3("versionString"), e3("copyright")]}
    assert state.version(vid).version_string == "4.9.0"  # type: ignore[union-attr]


def test_r4_a_live_version_cannot_change(client: httpx.Client, state: SandboxState) -> None:
    response = patch(client, version_id(state, CHESS, "IOS", "1.2"), releaseType="MANUAL")
    assert response.json() == {"errors": [e3("releaseType")]}


@pytest.mark.parametrize("editable", ["PREPARE_FOR_SUBMISSION", "REJECTED", "WAITING_FOR_REVIEW"])
def test_r4_editable_versions_take_patches(
    client: httpx.Client, state: SandboxState, editable: str
) -> None:
    vid = state.add_version(
        PODCASTS, platform="TV_OS", version_string="1.0", app_version_state=editable
    )
    response = patch(client, vid, versionString="1.1", copyright="2027 Example Inc.")
    assert response.status_code == 200
    attributes = response.json()["data"]["attributes"]
    assert (attributes["versionString"], attributes["copyright"]) == ("1.1", "2027 Example Inc.")
    assert attributes["appVersionState"] == editable


# --- R5 --------------------------------------------------------------------------------------


def test_r5_earliest_release_date_allows_hour_precision_only_e8(client: httpx.Client) -> None:
    body = create_body(
        PODCASTS,
        "VISION_OS",
        "1.0",
        releaseType="SCHEDULED",
        earliestReleaseDate="2026-12-01T09:30:00-08:00",
    )
    assert only_error(post(client, body)) == {
        "status": "409",
        "code": "ENTITY_ERROR.ATTRIBUTE.INVALID",
        "title": "An attribute value is invalid.",
        "detail": "The attribute 'earliestReleaseDate' only allows hour precision",
        "source": {"pointer": "/data/attributes/earliestReleaseDate"},
    }


def test_r5_a_scheduled_date_is_stored_as_apple_answers_it(client: httpx.Client) -> None:
    body = create_body(
        PODCASTS,
        "VISION_OS",
        "1.0",
        releaseType="SCHEDULED",
        earliestReleaseDate="2026-12-01T09:00:00-08:00",
    )
    attributes = post(client, body).json()["data"]["attributes"]
    assert attributes["earliestReleaseDate"] == "2026-12-01T17:00:00Z"


@pytest.mark.parametrize(
    ("attrs", "detail"),
    [
        (
            {"releaseType": "MANUAL", "earliestReleaseDate": "2026-12-01T17:00:00Z"},
            ONLY_SCHEDULED,
        ),
        (
            {"earliestReleaseDate": "2026-12-01T17:00:00Z"},
            ONLY_SCHEDULED,
        ),
        (
            {"releaseType": "SCHEDULED"},
            "The attribute 'earliestReleaseDate' is required when 'releaseType' is 'SCHEDULED'.",
        ),
    ],
)
def test_r5_earliest_release_date_goes_with_scheduled(
    client: httpx.Client, attrs: dict[str, str], detail: str
) -> None:
    error = only_error(post(client, create_body(PODCASTS, "VISION_OS", "1.0", **attrs)))
    assert (error["code"], error["detail"]) == ("ENTITY_ERROR.ATTRIBUTE.INVALID", detail)
    assert error["source"] == {"pointer": "/data/attributes/earliestReleaseDate"}


def test_r5_leaving_scheduled_clears_the_date(client: httpx.Client, state: SandboxState) -> None:
    vid = state.add_version(
        PODCASTS,
        platform="VISION_OS",
        version_string="1.0",
        release_type="SCHEDULED",
        earliest_release_date="2026-12-01T17:00:00Z",
    )
    attributes = patch(client, vid, releaseType="AFTER_APPROVAL").json()["data"]["attributes"]
    assert attributes["releaseType"] == "AFTER_APPROVAL"
    assert attributes["earliestReleaseDate"] is None


# --- DELETE and 404 -----------------------------------------------------------------------


def test_a_never_submitted_version_can_be_deleted(
    client: httpx.Client, state: SandboxState
) -> None:
    vid = version_id(state, WEATHER, "TV_OS", "1.0")
    response = client.delete(f"/v1/appStoreVersions/{vid}")
    check(response)
    assert response.status_code == 204 and response.content == b""
    assert state.version(vid) is None


@pytest.mark.parametrize(
    ("app_id", "platform", "version", "state_name"),
    [
        (NOTES, "MAC_OS", "3.0.1", "REJECTED"),
        (CHESS, "IOS", "1.2", "READY_FOR_DISTRIBUTION"),
        (PODCASTS, "IOS", "4.9.0", "IN_REVIEW"),
    ],
)
def test_only_a_never_submitted_version_can_be_deleted(
    client: httpx.Client,
    state: SandboxState,
    app_id: str,
    platform: str,
    version: str,
    state_name: str,
) -> None:
    vid = version_id(state, app_id, platform, version)
    response = client.delete(f"/v1/appStoreVersions/{vid}")
    check(response)
    error = only_error(response)
    assert (response.status_code, error["code"]) == (403, "FORBIDDEN_ERROR")
    assert state_name in error["detail"]
    assert state.version(vid) is not None


@pytest.mark.parametrize(
    ("method", "path", "kind"),
    [
        ("GET", "/v1/apps/999", "apps"),
        ("GET", "/v1/apps/999/appStoreVersions", "apps"),
        ("GET", "/v1/appStoreVersions/nope", "appStoreVersions"),
        ("DELETE", "/v1/appStoreVersions/nope", "appStoreVersions"),
    ],
)
def test_unknown_apps_and_versions_are_404(
    client: httpx.Client, method: str, path: str, kind: str
) -> None:
    response = client.request(method, path)
    check(response)
    resource_id = path.split("/")[3]
    assert only_error(response) == {
        "status": "404",
        "code": "NOT_FOUND",
        "title": "The specified resource does not exist",
        "detail": f"There is no resource of type '{kind}' with id '{resource_id}'",
    }


def test_patching_an_unknown_version_is_404(client: httpx.Client) -> None:
    response = patch(client, "nope", copyright="x")
    assert response.status_code == 404


# --- R9 --------------------------------------------------------------------------------------


def test_r9_an_ambiguous_create_commits_then_answers_500(state: SandboxState) -> None:
    app = SandboxApp(state, faults="ambiguous-create=1", clock=fixed_clock)
    with httpx.Client(transport=app.transport(), base_url="https://x.test") as client:
        response = post(client, create_body(PODCASTS, "VISION_OS", "1.0"))
        assert response.status_code == 500
        assert only_error(response) == {
            "status": "500",
            "code": "UNEXPECTED_ERROR",
            "title": "An unexpected error occurred.",
            "detail": "An unexpected error occurred on the server side. If this issue continues, "
            "contact us at https://developer.apple.com/contact/.",
        }
        assert [v.version_string for v in state.versions(PODCASTS, "VISION_OS")] == ["1.0"]
        # A blind retry now meets E1 + E2, exactly as FACTS R9 warns.
        assert post(client, create_body(PODCASTS, "VISION_OS", "1.0")).json() == {
            "errors": [E1, E2_DUPLICATE]
        }


# --- R10 -------------------------------------------------------------------------------------


def test_r10_filter_bundle_id_is_not_an_exact_match(client: httpx.Client) -> None:
    response = client.get("/v1/apps", params={"filter[bundleId]": "com.example.weather"})
    check(response)
    bundles = [a["attributes"]["bundleId"] for a in response.json()["data"]]
    assert bundles == ["com.example.weather", "com.example.weather.watch"]


def test_r10_filter_bundle_id_takes_a_comma_separated_list(client: httpx.Client) -> None:
    response = client.get(
        "/v1/apps", params={"filter[bundleId]": "com.example.notes,com.example.chess"}
    )
    bundles = {a["attributes"]["bundleId"] for a in response.json()["data"]}
    assert bundles == {"com.example.notes", "com.example.chess"}


def test_r10_filter_version_string_is_not_exact_either(client: httpx.Client) -> None:
    response = client.get(
        f"/v1/apps/{WEATHER}/appStoreVersions", params={"filter[versionString]": "2.3"}
    )
    check(response)
    found = sorted(v["attributes"]["versionString"] for v in response.json()["data"])
    assert found == ["2.3.0", "2.3.0", "2.3.1"]


# --- R11 -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "detail"),
    [
        (
            "POST",
            "/v1/apps",
            "The resource 'apps' does not allow 'CREATE'. Allowed operations are: "
            "GET_COLLECTION, GET_INSTANCE",
        ),
        (
            "PATCH",
            f"/v1/apps/{WEATHER}",
            "The resource 'apps' does not allow 'UPDATE'. Allowed "
            "operations are: GET_COLLECTION, GET_INSTANCE",
        ),
        (
            "GET",
            "/v1/appStoreVersions",
            "The resource 'appStoreVersions' does not allow "
            "'GET_COLLECTION'. Allowed operations are: CREATE, DELETE, GET_INSTANCE, UPDATE",
        ),
    ],
)
def test_r11_an_operation_the_resource_does_not_allow_is_403(
    client: httpx.Client, method: str, path: str, detail: str
) -> None:
    response = client.request(method, path, json={})
    assert response.status_code == 403
    assert only_error(response)["code"] == "FORBIDDEN_ERROR"
    assert only_error(response)["detail"] == detail


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("PUT", "/v1/apps"),
        ("POST", f"/v1/apps/{WEATHER}"),
        ("DELETE", "/v1/apps"),
        ("OPTIONS", "/v1/appStoreVersions/x"),
    ],
)
def test_methods_that_are_no_json_api_operation_are_405(
    client: httpx.Client, method: str, path: str
) -> None:
    response = client.request(method, path)
    check(response)
    assert response.status_code == 405


@pytest.mark.parametrize("path", ["/v1/app", "/v1/apps/", "/v2/apps", "/", "/v1/betaGroups"])
def test_unknown_paths_are_404(client: httpx.Client, path: str) -> None:
    response = client.get(path)
    check(response)
    assert (
        only_error(response)["detail"]
        == "The path provided does not match a defined resource type."
    )
