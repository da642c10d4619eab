"""Every request body and query the client builds validates against Apple's OpenAPI subset."""

from __future__ import annotations

import jsonschema
import pytest

from tests.openapi import (
    request_schema,
    to_json_schema,
    validate,
)
from tests.version_bodies import create_body, update_body

CREATE = request_schema("POST", "/v1/appStoreVersions")
UPDATE = request_schema("PATCH", "/v1/appStoreVersions/{id}")


@pytest.mark.parametrize(
    "after",
    [
        {"version": "2.4.0", "copyright": "2026 Example Inc.", "release_type": "manual"},
        {
            "version": "2",
            "release_type": "scheduled",
            "earliest_release_date": "2026-12-01T17:00:00Z",
            "copyright": None,
        },
    ],
)
def test_the_version_kinds_create_bodies_fit_the_create_request_schema(
    after: dict[str, object],
) -> None:
    body = create_body("1000000001", "IOS", **after)
    validate(body, CREATE)
    assert "id" not in body["data"]
    assert len(body["data"]["attributes"]) == len(after) + 1  # and the platform


@pytest.mark.parametrize(
    "after",
    [
        {"version": "2.5"},
        {"copyright": None},
        {"release_type": "scheduled", "earliest_release_date": "2026-12-01T17:00:00Z"},
        {"release_type": "after_approval", "earliest_release_date": None},
    ],
)
def test_the_version_kinds_update_bodies_fit_the_update_request_schema(
    after: dict[str, object],
) -> None:
    body = update_body("v-1", **after)
    validate(body, UPDATE)
    assert len(body["data"]["attributes"]) == len(after)
    assert body["data"]["id"] == "v-1"


def test_a_closed_schema_catches_platform_in_an_update() -> None:
    body = {"data": {"type": "appStoreVersions", "id": "v-1", "attributes": {"platform": "IOS"}}}
    with pytest.raises(jsonschema.ValidationError):
        validate(body, UPDATE)


def test_nullable_is_translated_but_non_nullable_stays_strict() -> None:
    validate(update_body("v-1", copyright=None), UPDATE)
    wrong_type = update_body("v-1", version="2")
    wrong_type["data"]["attributes"]["versionString"] = 2
    with pytest.raises(jsonschema.ValidationError):
        validate(wrong_type, UPDATE)
    validate(create_body("1", "IOS", version="1.0", release_type=None), CREATE)
    with pytest.raises(jsonschema.ValidationError):
        validate(create_body("1", "IOS", version="1.0", release_type="sometimes"), CREATE)


def test_recursive_schemas_resolve() -> None:
    schema = to_json_schema({"$ref": "#/components/schemas/ErrorResponse"})
    nested = {
        "errors": [
            {"status": "409", "code": "X", "title": "t", "meta": {"associatedErrors": {"/p": [{}]}}}
        ]
    }
    with pytest.raises(jsonschema.ValidationError):
        validate(nested, schema)
