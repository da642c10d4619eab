"""Resources tolerate what Apple really sends; request bodies carry only what was given."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

import reconciler.asc as asc
from reconciler.asc import (
    ToMany,
    parse_app,
    parse_app_store_version,
)
from reconciler.asc.policy import parse_rate_limit, parse_retry_after
from reconciler.errors import UnexpectedResponseError

VERSION: dict[str, Any] = {
    "type": "appStoreVersions",
    "id": "v-1",
    "attributes": {
        "platform": "IOS",
        "versionString": "2.4.0",
        "appStoreState": "PREPARE_FOR_SUBMISSION",
        "appVersionState": "PREPARE_FOR_SUBMISSION",
        "copyright": None,  # Apple sends null although the spec does not say nullable
        "releaseType": "SCHEDULED",
        "earliestReleaseDate": "2026-12-01T17:00:00Z",
        "usesIdfa": None,
        "downloadable": True,
        "createdDate": "2026-11-01T08:00:00-07:00",
        "someAttributeFromTheFuture": {"x": 1},
    },
    "relationships": {
        "app": {"data": {"type": "apps", "id": "1000000001"}},
        "build": {"links": {"related": "https://api.appstoreconnect.apple.com/v1/x"}},
        "somethingNew": {"data": None},
    },
    "links": {"self": "https://api.appstoreconnect.apple.com/v1/appStoreVersions/v-1"},
}


def test_a_version_as_apple_sends_it() -> None:
    version = parse_app_store_version(VERSION)
    assert (version.id, version.platform, version.version_string) == ("v-1", "IOS", "2.4.0")
    assert version.copyright is None
    assert version.app_version_state == "PREPARE_FOR_SUBMISSION"
    assert version.release_type == "SCHEDULED"
    assert version.earliest_release_instant == datetime(2026, 12, 1, 17, tzinfo=UTC)
    assert version.downloadable is True
    assert (version.app_id, version.build_id) == ("1000000001", None)
    assert version.attributes["someAttributeFromTheFuture"] == {"x": 1}


def test_unknown_enum_values_are_kept_as_strings() -> None:
    resource = {**VERSION, "attributes": {**VERSION["attributes"], "appVersionState": "NEW_STATE"}}
    resource["attributes"]["platform"] = "WATCH_OS"
    version = parse_app_store_version(resource)
    assert (version.app_version_state, version.platform) == ("NEW_STATE", "WATCH_OS")


def test_a_bare_version_parses_with_nones() -> None:
    version = parse_app_store_version({"type": "appStoreVersions", "id": "v-2"})
    assert version.version_string == "" and version.app_id is None
    assert version.app_version_state is None and version.app_store_state is None
    assert version.earliest_release_instant is None


def test_the_deprecated_state_is_kept_as_sent() -> None:
    attributes = {"appStoreState": "READY_FOR_SALE"}
    version = parse_app_store_version(
        {"type": "appStoreVersions", "id": "v", "attributes": attributes}
    )
    assert (version.app_version_state, version.app_store_state) == (None, "READY_FOR_SALE")


def test_an_app_with_included_versions_exposes_linkages_and_total() -> None:
    resource = {
        "type": "apps",
        "id": "1000000001",
        "attributes": {"bundleId": "com.example.weather", "name": "Weather", "sku": None},
        "relationships": {
            "appStoreVersions": {
                "meta": {"paging": {"total": 60, "limit": 50}},
                "data": [{"type": "appStoreVersions", "id": f"v-{n}"} for n in range(50)],
            },
            "builds": {"links": {"related": "https://example/x"}},
        },
    }
    app = parse_app(resource)
    assert (app.bundle_id, app.name, app.sku) == ("com.example.weather", "Weather", None)
    assert app.app_store_versions is not None
    assert len(app.app_store_versions.ids or ()) == 50 and app.app_store_versions.total == 60
    assert not app.app_store_versions.complete


def test_relationship_completeness() -> None:
    assert ToMany(("a",), 1).complete and ToMany((), None).complete
    assert not ToMany(None, 3).complete  # not included: only the total is known
    app = parse_app({"type": "apps", "id": "1", "attributes": {"bundleId": "b"}})
    assert app.app_store_versions is None


def test_a_wrong_resource_is_refused() -> None:
    with pytest.raises(UnexpectedResponseError, match="expected a resource of type apps"):
        parse_app(VERSION)
    with pytest.raises(UnexpectedResponseError, match="has no id"):
        parse_app_store_version({"type": "appStoreVersions"})


def test_rate_limit_header_parsing() -> None:
    assert parse_rate_limit("user-hour-lim:3500;user-hour-rem:500;") == asc.RateLimit(3500, 500)
    assert parse_rate_limit("user-hour-rem:7;user-hour-lim:3600") == asc.RateLimit(3600, 7)
    assert parse_rate_limit(None) is None
    assert parse_rate_limit("garbage") is None


def test_retry_after_in_seconds_or_as_a_date() -> None:
    assert parse_retry_after("30", 0.0) == 30.0
    now = datetime(2026, 1, 1, tzinfo=UTC).timestamp()
    assert parse_retry_after("Thu, 01 Jan 2026 00:00:45 GMT", now) == 45.0
    assert parse_retry_after("Wed, 31 Dec 2025 00:00:00 GMT", now) == 0.0
    assert parse_retry_after("soon", now) is None and parse_retry_after(None, now) is None


@pytest.mark.parametrize(
    "header", ["\u00b2", "\u0663", "-5", "1.5", "181", "9" * 5000, "Thu, 01 Jan 2026 00:05:00 GMT"]
)
def test_retry_after_that_is_absurd_negative_or_unreadable_is_ignored(header: str) -> None:
    # Non-ASCII digits pass str.isdigit(); more than MAX_RETRY_AFTER (180 s) is not obeyed.
    now = datetime(2026, 1, 1, tzinfo=UTC).timestamp()
    assert parse_retry_after(header, now) is None
    assert parse_retry_after("180", now) == 180.0


def test_c4_a_rate_limit_header_with_huge_or_odd_numbers_is_unreadable_not_a_crash() -> None:
    assert parse_rate_limit(f"user-hour-lim:{'9' * 5000};user-hour-rem:1;") is None
    assert parse_rate_limit("user-hour-lim:\u0663\u0665;user-hour-rem:1;") is None


def test_the_public_interface_is_pinned() -> None:
    assert sorted(asc.__all__) == sorted(
        [
            "DEFAULT_BASE_URL",
            "MAX_INCLUDED_LIMIT",
            "MAX_LIMIT",
            "App",
            "AppStoreVersion",
            "AscClient",
            "Credentials",
            "JsonDict",
            "JwtAuth",
            "RateLimit",
            "Resource",
            "RetryPolicy",
            "ToMany",
            "load_credentials",
            "parse_resource",
            "parse_app",
            "parse_app_store_version",
            "query",
        ]
    )
    assert all(hasattr(asc, name) for name in asc.__all__)


def test_hints_for_statuses_apple_rarely_sends() -> None:
    from reconciler.asc.error_map import hint_for, parse_entries

    hour = parse_entries(
        {
            "errors": [
                {
                    "status": "409",
                    "code": "ENTITY_ERROR.ATTRIBUTE.INVALID",
                    "title": "t",
                    "detail": "The attribute 'earliestReleaseDate' only allows hour precision",
                }
            ]
        },
        409,
        "Conflict",
    )
    assert "on the hour" in hint_for(409, hour)
    other = parse_entries({"errors": [{"status": "409", "code": "X", "title": "t"}]}, 409, "")
    assert "the detail above names it" in hint_for(409, other)
    assert "server error" in hint_for(500, other)
    assert hint_for(418, other) == ""
    assert parse_entries("not a document", 500, "")[0].code == "HTTP_500"


def test_query_edges() -> None:
    from reconciler.asc.query import check_params

    assert check_params({"exists[x]": True, "limit": "5"}) == {"exists[x]": "true", "limit": "5"}
    for bad in ({"limit": True}, {"limit": "ten"}, {"filter[x]": []}):
        with pytest.raises(ValueError):
            check_params(bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="jitter"):
        asc.RetryPolicy(jitter=2.0)


def test_an_unparsable_date_is_no_instant() -> None:
    resource = {
        "type": "appStoreVersions",
        "id": "v",
        "attributes": {"earliestReleaseDate": "soon"},
    }
    assert parse_app_store_version(resource).earliest_release_instant is None
    naive = {
        "type": "appStoreVersions",
        "id": "v",
        "attributes": {"earliestReleaseDate": "2026-01-01T10:00:00"},
    }
    assert parse_app_store_version(naive).earliest_release_instant == datetime(
        2026, 1, 1, 10, tzinfo=UTC
    )
