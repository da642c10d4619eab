"""Every request body and query the client builds validates against Apple's OpenAPI subset."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import jsonschema
import pytest

from reconciler.asc import query, version_create_body, version_update_body
from reconciler.sandbox import errors
from tests.asc.conftest import STATE_WITH_ASSOCIATED
from tests.openapi import (
    parameter_names,
    request_schema,
    response_schema,
    to_json_schema,
    validate,
    validate_query,
)

CREATE = request_schema("POST", "/v1/appStoreVersions")
UPDATE = request_schema("PATCH", "/v1/appStoreVersions/{id}")


@pytest.mark.parametrize(
    "attributes",
    [
        {"versionString": "2.4.0"},
        {"versionString": "2.4.0", "copyright": "2026 Example Inc.", "releaseType": "MANUAL"},
        {
            "versionString": "2",
            "releaseType": "SCHEDULED",
            "earliestReleaseDate": datetime(2026, 12, 1, 9, tzinfo=timezone(timedelta(hours=-8))),
            "reviewType": "APP_STORE",
            "copyright": None,
        },
    ],
)
def test_create_bodies_fit_the_create_request_schema(attributes: dict[str, object]) -> None:
    body = version_create_body("1000000001", "IOS", attributes)
    validate(body, CREATE)
    assert "id" not in body["data"]
    assert set(body["data"]["attributes"]) == {"platform", *attributes}


@pytest.mark.parametrize(
    "attributes",
    [
        {"versionString": "2.5"},
        {"copyright": None},
        {"releaseType": "SCHEDULED", "earliestReleaseDate": "2026-12-01T17:00:00Z"},
        {"downloadable": True, "reviewType": "NOTARIZATION"},
    ],
)
def test_update_bodies_fit_the_update_request_schema(attributes: dict[str, object]) -> None:
    body = version_update_body("v-1", attributes)
    validate(body, UPDATE)
    assert body["data"]["attributes"] == attributes
    assert body["data"]["id"] == "v-1"


def test_a_closed_schema_catches_platform_in_an_update() -> None:
    body = {"data": {"type": "appStoreVersions", "id": "v-1", "attributes": {"platform": "IOS"}}}
    with pytest.raises(jsonschema.ValidationError):
        validate(body, UPDATE)


def test_nullable_is_translated_but_non_nullable_stays_strict() -> None:
    body = version_update_body("v-1", {"copyright": None})
    validate(body, UPDATE)
    with pytest.raises(jsonschema.ValidationError):
        validate(version_update_body("v-1", {"versionString": 2}), UPDATE)
    create = version_create_body("1", "IOS", {"versionString": "1.0", "releaseType": None})
    validate(create, CREATE)
    bad = version_create_body("1", "IOS", {"versionString": "1.0", "releaseType": "SOMETIMES"})
    with pytest.raises(jsonschema.ValidationError):
        validate(bad, CREATE)


@pytest.mark.parametrize(
    ("path", "params"),
    [
        (
            "/v1/apps",
            query(
                filters={"bundleId": ["com.example.weather", "com.example.news"]},
                include=["appStoreVersions"],
                fields={"apps": ["bundleId", "name", "appStoreVersions"]},
                limit=200,
                limits={"appStoreVersions": 50},
                sort=["bundleId"],
            ),
        ),
        (
            "/v1/apps/{id}/appStoreVersions",
            query(
                filters={
                    "platform": ["IOS", "MAC_OS"],
                    "appVersionState": "PREPARE_FOR_SUBMISSION",
                },
                fields={"appStoreVersions": ["platform", "versionString", "appVersionState"]},
                limit=200,
            ),
        ),
        (
            "/v1/appStoreVersions/{id}",
            query(include=["build"], limits={"appStoreVersionLocalizations": 50}),
        ),
    ],
)
def test_list_parameters_are_declared_and_valid(path: str, params: dict[str, str]) -> None:
    validate_query("GET", path, params)


def test_the_helper_rejects_what_apple_would_reject() -> None:
    with pytest.raises(AssertionError, match="no query parameter"):
        validate_query("GET", "/v1/apps/{id}/appStoreVersions", {"sort": "versionString"})
    with pytest.raises(jsonschema.ValidationError):
        validate_query("GET", "/v1/apps", {"limit": "201"})
    with pytest.raises(jsonschema.ValidationError):
        validate_query("GET", "/v1/apps", {"filter[appStoreVersions.platform]": "IOS,ANDROID"})
    assert "limit[appStoreVersions]" in parameter_names("GET", "/v1/apps")
    assert parameter_names("GET", "/v1/apps/{id}", "path") == {"id"}


@pytest.mark.parametrize(
    "body",
    [
        errors.new_version_refused().body(),  # E1
        errors.duplicate_version(with_e1=True).body(),  # E2
        errors.invalid_state("versionString").body(),  # E3
        STATE_WITH_ASSOCIATED,
    ],
)
def test_captured_error_bodies_fit_the_error_schema(body: dict[str, object]) -> None:
    validate(body, response_schema("POST", "/v1/appStoreVersions", 409))


def test_recursive_schemas_resolve() -> None:
    schema = to_json_schema({"$ref": "#/components/schemas/ErrorResponse"})
    nested = {
        "errors": [
            {"status": "409", "code": "X", "title": "t", "meta": {"associatedErrors": {"/p": [{}]}}}
        ]
    }
    with pytest.raises(jsonschema.ValidationError):
        validate(nested, schema)


def test_dates_are_sent_in_utc_with_z() -> None:
    when = datetime(2026, 12, 1, 9, tzinfo=timezone(timedelta(hours=-8)))
    body = version_update_body("v-1", {"earliestReleaseDate": when})
    assert body["data"]["attributes"]["earliestReleaseDate"] == "2026-12-01T17:00:00Z"
    assert datetime.fromisoformat("2026-12-01T17:00:00Z") == when.astimezone(UTC)
