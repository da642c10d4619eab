"""The tables the sandbox restates by hand match Apple's OpenAPI subset, so they cannot drift."""

from __future__ import annotations

from typing import Any

import pytest

from reconciler.sandbox import bodies, children, spec, state, submissions
from tests.openapi import document, operation


def schema(name: str) -> dict[str, Any]:
    return document()["components"]["schemas"][name]  # type: ignore[no-any-return]


def test_enums_match() -> None:
    assert spec.PLATFORMS == state.PLATFORMS == tuple(schema("Platform")["enum"])
    assert set(spec.APP_VERSION_STATES) == set(schema("AppVersionState")["enum"])
    assert tuple(state.APP_STORE_STATE_OF) == spec.APP_VERSION_STATES
    assert set(spec.APP_STORE_STATES) == set(schema("AppStoreVersionState")["enum"])
    assert set(state.APP_STORE_STATE_OF.values()) <= set(spec.APP_STORE_STATES)


def test_resource_attributes_and_relationships_match() -> None:
    app, version = schema("App")["properties"], schema("AppStoreVersion")["properties"]
    assert tuple(app["attributes"]["properties"]) == spec.APP_ATTRIBUTES
    assert tuple(version["attributes"]["properties"]) == spec.VERSION_ATTRIBUTES
    for table, props in ((spec.APP_RELATIONSHIPS, app), (spec.VERSION_RELATIONSHIPS, version)):
        relationships = props["relationships"]["properties"]
        assert list(table) == list(relationships)
        for name, shape in table.items():
            data = relationships[name]["properties"].get("data")
            expected = "" if data is None else ("many" if data["type"] == "array" else "one")
            assert shape == expected, name


@pytest.mark.parametrize(
    ("method", "path", "table"),
    [
        ("GET", "/v1/apps", spec.APPS_COLLECTION_PARAMETERS),
        ("GET", "/v1/apps/{id}", spec.APPS_INSTANCE_PARAMETERS),
        ("GET", "/v1/apps/{id}/appStoreVersions", spec.VERSIONS_COLLECTION_PARAMETERS),
        ("GET", "/v1/appStoreVersions/{id}", spec.VERSION_INSTANCE_PARAMETERS),
        (
            "GET",
            "/v1/appStoreVersions/{id}/appStoreVersionLocalizations",
            spec.LOCALIZATIONS_RELATED_PARAMETERS,
        ),
        ("GET", "/v1/appStoreVersionLocalizations/{id}", spec.LOCALIZATION_INSTANCE_PARAMETERS),
        (
            "GET",
            "/v1/appStoreVersions/{id}/appStoreVersionPhasedRelease",
            spec.PHASED_RELEASE_RELATED_PARAMETERS,
        ),
        ("GET", "/v1/appStoreVersions/{id}/build", spec.BUILD_RELATED_PARAMETERS),
        ("GET", "/v1/builds", spec.BUILDS_COLLECTION_PARAMETERS),
        ("GET", "/v1/builds/{id}", spec.BUILD_INSTANCE_PARAMETERS),
        ("GET", "/v1/reviewSubmissions", spec.REVIEW_SUBMISSIONS_COLLECTION_PARAMETERS),
        ("GET", "/v1/reviewSubmissions/{id}", spec.REVIEW_SUBMISSION_INSTANCE_PARAMETERS),
        ("GET", "/v1/reviewSubmissions/{id}/items", spec.REVIEW_ITEMS_RELATED_PARAMETERS),
    ],
)
def test_query_parameters_match(method: str, path: str, table: dict[str, spec.Param]) -> None:
    declared = {p["name"]: p["schema"] for p in operation(method, path)["parameters"]}
    assert set(table) == set(declared)
    for name, param in table.items():
        decl = declared[name]
        kind = {"array": "list", "integer": "int", "boolean": "bool"}[decl["type"]]
        assert param.kind == kind, name
        if kind == "int":
            assert param.maximum == decl["maximum"], name
        if param.values is not None:
            assert param.values == tuple(decl["items"]["enum"]), name


@pytest.mark.parametrize(
    ("name", "attributes", "relationships"),
    [
        ("AppStoreVersionCreateRequest", bodies.CREATE_ATTRIBUTES, bodies.CREATE_RELATIONSHIPS),
        ("AppStoreVersionUpdateRequest", bodies.UPDATE_ATTRIBUTES, bodies.UPDATE_RELATIONSHIPS),
        (
            "AppStoreVersionLocalizationCreateRequest",
            bodies.LOCALIZATIONS.create,
            bodies.LOCALIZATIONS.create_relationships,
        ),
        (
            "AppStoreVersionLocalizationUpdateRequest",
            bodies.LOCALIZATIONS.update,
            bodies.LOCALIZATIONS.update_relationships,
        ),
        (
            "AppStoreVersionPhasedReleaseCreateRequest",
            bodies.PHASED_RELEASES.create,
            bodies.PHASED_RELEASES.create_relationships,
        ),
        (
            "AppStoreVersionPhasedReleaseUpdateRequest",
            bodies.PHASED_RELEASES.update,
            bodies.PHASED_RELEASES.update_relationships,
        ),
        (
            "ReviewSubmissionCreateRequest",
            bodies.REVIEW_SUBMISSIONS.create,
            bodies.REVIEW_SUBMISSIONS.create_relationships,
        ),
        (
            "ReviewSubmissionUpdateRequest",
            bodies.REVIEW_SUBMISSIONS.update,
            bodies.REVIEW_SUBMISSIONS.update_relationships,
        ),
        (
            "ReviewSubmissionItemCreateRequest",
            bodies.REVIEW_ITEMS.create,
            bodies.REVIEW_ITEMS.create_relationships,
        ),
        (
            "AppStoreVersionReleaseRequestCreateRequest",
            bodies.RELEASE_REQUESTS.create,
            bodies.RELEASE_REQUESTS.create_relationships,
        ),
    ],
)
def test_request_body_tables_match(
    name: str, attributes: dict[str, bodies.Attribute], relationships: dict[str, Any]
) -> None:
    data = schema(name)["properties"]["data"]
    declared = data["properties"].get("attributes", {"properties": {}})
    assert list(attributes) == list(declared["properties"])
    for attr, rule in attributes.items():
        decl = declared["properties"][attr]
        nullable = decl.get("nullable", False)
        if "$ref" in decl:
            decl = schema(decl["$ref"].rsplit("/", 1)[-1])
        assert rule.type == decl["type"], attr
        assert rule.enum == tuple(decl.get("enum", ())), attr
        assert rule.nullable == nullable, attr
        assert rule.uri == (decl.get("format") == "uri"), attr
        assert rule.required == (attr in declared.get("required", [])), attr
        assert rule.date_time == (decl.get("format") == "date-time"), attr
    links = data["properties"].get("relationships", {"properties": {}})
    assert list(relationships) == list(links["properties"])
    for rel, (kind, to_many, required) in relationships.items():
        linkage = links["properties"][rel]["properties"]["data"]
        items = linkage["items"] if to_many else linkage
        assert linkage["type"] == ("array" if to_many else "object")
        assert items["properties"]["type"]["enum"] == [kind]
        assert required == (rel in links.get("required", []))


def test_the_child_resource_tables_match() -> None:
    localization = schema("AppStoreVersionLocalization")["properties"]
    assert tuple(localization["attributes"]["properties"]) == spec.LOCALIZATION_ATTRIBUTES
    assert set(spec.LOCALIZATION_RELATIONSHIPS) < set(localization["relationships"]["properties"])
    phased = schema("AppStoreVersionPhasedRelease")["properties"]
    assert tuple(phased["attributes"]["properties"]) == spec.PHASED_RELEASE_ATTRIBUTES
    assert tuple(schema("PhasedReleaseState")["enum"]) == children.PHASED_STATES
    build = schema("Build")["properties"]
    assert tuple(build["attributes"]["properties"]) == spec.BUILD_ATTRIBUTES
    declared = build["relationships"]["properties"]
    for name, shape in spec.BUILD_RELATIONSHIPS.items():
        data = declared[name]["properties"].get("data")
        expected = "" if data is None else ("many" if data["type"] == "array" else "one")
        assert shape == expected, name
        assert "links" in declared[name]["properties"], name
    attributes = build["attributes"]["properties"]
    assert children.PROCESSING_STATES == spec.PROCESSING_STATES
    assert tuple(attributes["processingState"]["enum"]) == spec.PROCESSING_STATES
    assert children.AUDIENCES == spec.BUILD_AUDIENCES == tuple(schema("BuildAudienceType")["enum"])
    train = schema("PrereleaseVersion")["properties"]
    assert tuple(train["attributes"]["properties"]) == spec.PRE_RELEASE_ATTRIBUTES
    assert tuple(train["relationships"]["properties"]) == spec.PRE_RELEASE_RELATIONSHIPS


def test_the_build_linkage_request_is_what_the_sandbox_reads() -> None:
    data = schema("AppStoreVersionBuildLinkageRequest")["properties"]["data"]
    assert data["properties"]["type"]["enum"] == ["builds"]
    assert data.get("nullable") is None  # not nullable: `data: null` is refused


def test_the_review_submission_tables_match() -> None:
    submission = schema("ReviewSubmission")["properties"]
    assert submissions.SUBMISSION_STATES == spec.REVIEW_SUBMISSION_STATES
    assert (
        tuple(submission["attributes"]["properties"]["state"]["enum"])
        == spec.REVIEW_SUBMISSION_STATES
    )
    fields = (*submission["attributes"]["properties"], *submission["relationships"]["properties"])
    assert set(fields) == set(spec.REVIEW_SUBMISSION_FIELDS)
    item = schema("ReviewSubmissionItem")["properties"]
    assert tuple(item["attributes"]["properties"]["state"]["enum"]) == submissions.ITEM_STATES
    assert submissions.ITEM_STATES == spec.REVIEW_ITEM_STATES
    assert tuple(item["relationships"]["properties"]) == spec.REVIEW_ITEM_RELATIONSHIPS
    assert tuple(bodies.ITEM_LINKAGES) == spec.REVIEW_ITEM_RELATIONSHIPS
