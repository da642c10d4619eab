"""Request bodies checked against Apple's request schemas, re-stated here as tables.

The tables mirror the create and update requests of `AppStoreVersion`,
`AppStoreVersionLocalization` and `AppStoreVersionPhasedRelease` in Apple's OpenAPI document, and
`AppStoreVersionBuildLinkageRequest`; a test compares them with the document so they cannot
drift. Every problem in a body is reported at once, as Apple does.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from reconciler.sandbox import errors
from reconciler.sandbox.children import PHASED_STATES
from reconciler.sandbox.errors import ApiProblem
from reconciler.sandbox.rules import parse_instant
from reconciler.sandbox.state import (
    PLATFORMS,
    RELEASE_TYPES,
    REVIEW_TYPES,
    SandboxState,
    VersionRecord,
)

__all__ = [
    "CREATE_ATTRIBUTES",
    "CREATE_RELATIONSHIPS",
    "UPDATE_ATTRIBUTES",
    "UPDATE_RELATIONSHIPS",
    "Attribute",
    "Body",
    "Schema",
    "parse_build_linkage",
    "parse_create",
    "parse_update",
]

KIND = "appStoreVersions"
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$")


@dataclass(frozen=True)
class Attribute:
    """One attribute of a request schema: JSON type, enum, nullable, required."""

    type: str  # "string" | "boolean"
    enum: tuple[str, ...] = ()
    nullable: bool = False
    required: bool = False
    date_time: bool = False
    uri: bool = False


_DATE = Attribute("string", nullable=True, date_time=True)
CREATE_ATTRIBUTES: dict[str, Attribute] = {
    "platform": Attribute("string", enum=PLATFORMS, required=True),
    "versionString": Attribute("string", required=True),
    "copyright": Attribute("string", nullable=True),
    "reviewType": Attribute("string", enum=REVIEW_TYPES, nullable=True),
    "releaseType": Attribute("string", enum=RELEASE_TYPES, nullable=True),
    "earliestReleaseDate": _DATE,
    "usesIdfa": Attribute("boolean", nullable=True),
}
UPDATE_ATTRIBUTES: dict[str, Attribute] = {
    "versionString": Attribute("string", nullable=True),
    "copyright": Attribute("string", nullable=True),
    "reviewType": Attribute("string", enum=REVIEW_TYPES, nullable=True),
    "releaseType": Attribute("string", enum=RELEASE_TYPES, nullable=True),
    "earliestReleaseDate": _DATE,
    "usesIdfa": Attribute("boolean", nullable=True),
    "downloadable": Attribute("boolean", nullable=True),
}
# Every attribute the resource has (Spec:AppStoreVersion): the rest are read-only.
RESOURCE_ATTRIBUTES = frozenset(
    {*CREATE_ATTRIBUTES, *UPDATE_ATTRIBUTES, "appStoreState", "appVersionState", "createdDate"}
)
# name -> (related type, to-many, required)
CREATE_RELATIONSHIPS: dict[str, tuple[str, bool, bool]] = {
    "app": ("apps", False, True),
    "appStoreVersionLocalizations": ("appStoreVersionLocalizations", True, False),
    "build": ("builds", False, False),
}
UPDATE_RELATIONSHIPS: dict[str, tuple[str, bool, bool]] = {
    "build": ("builds", False, False),
    "appClipDefaultExperience": ("appClipDefaultExperiences", False, False),
}


_TEXT = Attribute("string", nullable=True)
_URL = Attribute("string", nullable=True, uri=True)
LOCALIZATION_UPDATE_ATTRIBUTES: dict[str, Attribute] = {
    "description": _TEXT,
    "keywords": _TEXT,
    "marketingUrl": _URL,
    "promotionalText": _TEXT,
    "supportUrl": _URL,
    "whatsNew": _TEXT,
}
LOCALIZATION_CREATE_ATTRIBUTES: dict[str, Attribute] = {
    "description": _TEXT,
    "locale": Attribute("string", required=True),
    **{k: v for k, v in LOCALIZATION_UPDATE_ATTRIBUTES.items() if k != "description"},
}
PHASED_ATTRIBUTES: dict[str, Attribute] = {
    "phasedReleaseState": Attribute("string", enum=PHASED_STATES, nullable=True),
}
_OF_VERSION: dict[str, tuple[str, bool, bool]] = {
    "appStoreVersion": ("appStoreVersions", False, True)
}


@dataclass(frozen=True)
class Schema:
    """One resource's request schemas: its type, both attribute and relationship tables, and
    every attribute the resource has (the others are read-only)."""

    kind: str
    create: dict[str, Attribute]
    update: dict[str, Attribute]
    create_relationships: dict[str, tuple[str, bool, bool]]
    update_relationships: dict[str, tuple[str, bool, bool]]
    resource_attributes: frozenset[str]


VERSIONS = Schema(
    KIND,
    CREATE_ATTRIBUTES,
    UPDATE_ATTRIBUTES,
    CREATE_RELATIONSHIPS,
    UPDATE_RELATIONSHIPS,
    RESOURCE_ATTRIBUTES,
)
LOCALIZATIONS = Schema(
    "appStoreVersionLocalizations",
    LOCALIZATION_CREATE_ATTRIBUTES,
    LOCALIZATION_UPDATE_ATTRIBUTES,
    _OF_VERSION,
    {},
    frozenset(LOCALIZATION_CREATE_ATTRIBUTES),
)
PHASED_RELEASES = Schema(
    "appStoreVersionPhasedReleases",
    PHASED_ATTRIBUTES,
    PHASED_ATTRIBUTES,
    _OF_VERSION,
    {},
    frozenset({"phasedReleaseState", "startDate", "totalPauseDuration", "currentDayNumber"}),
)

_NULLABLE_PLATFORM = Attribute("string", enum=PLATFORMS, nullable=True)
_BOOLEAN = Attribute("boolean", nullable=True)
REVIEW_SUBMISSIONS = Schema(
    "reviewSubmissions",
    {"platform": _NULLABLE_PLATFORM},
    {"platform": _NULLABLE_PLATFORM, "submitted": _BOOLEAN, "canceled": _BOOLEAN},
    {"app": ("apps", False, True)},
    {},
    frozenset({"platform", "submitted", "canceled", "submittedDate", "state"}),
)
# Spec:ReviewSubmissionItemCreateRequest: one linkage besides the submission. The sandbox keeps
# version items only; the other kinds parse, and are then refused as unknown resources.
ITEM_LINKAGES: dict[str, str] = {
    "appStoreVersion": "appStoreVersions",
    "appCustomProductPageVersion": "appCustomProductPageVersions",
    "appStoreVersionExperiment": "appStoreVersionExperiments",
    "appStoreVersionExperimentV2": "appStoreVersionExperiments",
    "appEvent": "appEvents",
    "backgroundAssetVersion": "backgroundAssetVersions",
    "gameCenterAchievementVersion": "gameCenterAchievementVersions",
    "gameCenterActivityVersion": "gameCenterActivityVersions",
    "gameCenterChallengeVersion": "gameCenterChallengeVersions",
    "gameCenterLeaderboardSetVersion": "gameCenterLeaderboardSetVersions",
    "gameCenterLeaderboardVersion": "gameCenterLeaderboardVersions",
    "inAppPurchaseVersion": "inAppPurchaseVersions",
    "subscriptionVersion": "subscriptionVersions",
    "subscriptionGroupVersion": "subscriptionGroupVersions",
}
REVIEW_ITEMS = Schema(
    "reviewSubmissionItems",
    {},
    {},
    {
        "reviewSubmission": ("reviewSubmissions", False, True),
        **{name: (kind, False, False) for name, kind in ITEM_LINKAGES.items()},
    },
    {},
    frozenset({"state"}),
)
RELEASE_REQUESTS = Schema("appStoreVersionReleaseRequests", {}, {}, _OF_VERSION, {}, frozenset())


@dataclass(frozen=True)
class Body:
    """A request body that matched its schema. `relationships` maps name -> linkage data."""

    id: str | None
    attributes: dict[str, Any]
    relationships: dict[str, Any]


def related_version(body: Body, state: SandboxState) -> VersionRecord:
    """The version a create's `appStoreVersion` relationship names, or Apple's 409 when
    there is none."""
    version_id = body.relationships["appStoreVersion"]["id"]
    version = state.version(version_id)
    if version is None:
        raise errors.relationship_invalid(
            "appStoreVersion",
            f"There is no resource of type 'appStoreVersions' with id '{version_id}'",
        )
    return version


def parse_create(raw: bytes, schema: Schema = VERSIONS) -> Body:
    return _parse(raw, "CREATE", schema, schema.create, schema.create_relationships)


def parse_update(raw: bytes, path_id: str, schema: Schema = VERSIONS) -> Body:
    body = _parse(raw, "UPDATE", schema, schema.update, schema.update_relationships)
    if body.id != path_id:
        raise errors.id_mismatch(str(body.id), path_id)
    return body


def parse_build_linkage(raw: bytes) -> str:
    """AppStoreVersionBuildLinkageRequest: `{"data": {"type": "builds", "id"}}`, not nullable."""
    data = _document_data(raw)
    if not _linkage(data, "builds"):
        raise errors.entity_unprocessable(
            "The request body must be linkage data of type 'builds'.", "/data"
        )
    return str(data["id"])


def _document_data(raw: bytes) -> Any:
    try:
        document = json.loads(raw or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise errors.entity_unprocessable(f"The request body is not valid JSON: {error}") from None
    except RecursionError:
        raise errors.entity_unprocessable("The request body is nested too deeply.") from None
    return document.get("data") if isinstance(document, dict) else None


def _parse(
    raw: bytes,
    operation: str,
    schema: Schema,
    table: dict[str, Attribute],
    relationships: dict[str, tuple[str, bool, bool]],
) -> Body:
    data = _document_data(raw)
    if not isinstance(data, dict):
        raise errors.entity_unprocessable("The request body must be an object with 'data'.", "")
    if data.get("type") != schema.kind:
        raise errors.entity_unprocessable(
            f"The resource type must be '{schema.kind}', not {json.dumps(data.get('type'))}.",
            "/data/type",
        )
    create = operation == "CREATE"
    if not create and not isinstance(data.get("id"), str):
        raise errors.entity_unprocessable("An UPDATE request must carry 'data.id'.", "/data/id")
    for key in ("attributes", "relationships"):
        if key in data and not isinstance(data[key], dict):
            raise errors.entity_unprocessable(f"'{key}' must be an object.", f"/data/{key}")
    attributes = data.get("attributes", {})
    links = data.get("relationships", {})
    problems = _attribute_problems(attributes, table, operation, schema)
    problems += _relationship_problems(links, relationships, operation)
    if problems:
        first = problems[0]
        for more in problems[1:]:
            first = first + more
        raise first
    return Body(data.get("id"), dict(attributes), {k: v["data"] for k, v in links.items()})


def _attribute_problems(
    attributes: dict[str, Any], table: dict[str, Attribute], operation: str, schema: Schema
) -> list[ApiProblem]:
    problems = []
    for name, value in attributes.items():
        spec = table.get(name)
        if spec is None:
            problems.append(
                errors.attribute_not_allowed(name, operation)
                if name in schema.resource_attributes
                else errors.attribute_unknown(schema.kind, name)
            )
        elif not _fits(value, spec):
            problems.append(
                errors.attribute_invalid(
                    name, f"{json.dumps(value)} is not a valid value for the attribute '{name}'."
                )
            )
    for name, spec in table.items():
        if spec.required and name not in attributes:
            problems.append(errors.attribute_required(name))
    return problems


def _fits(value: Any, spec: Attribute) -> bool:
    if value is None:
        return spec.nullable
    if spec.type == "boolean":
        return isinstance(value, bool)
    if not isinstance(value, str):
        return False
    if spec.enum and value not in spec.enum:
        return False
    if spec.uri and not _URI.match(value):
        return False
    return not spec.date_time or parse_instant(value) is not None


def _relationship_problems(
    links: dict[str, Any], table: dict[str, tuple[str, bool, bool]], operation: str
) -> list[ApiProblem]:
    problems = []
    for name, value in links.items():
        if name not in table:
            problems.append(
                errors.relationship_invalid(
                    name,
                    f"The relationship '{name}' can not be included in a '{operation}' request.",
                )
            )
            continue
        kind, to_many, _ = table[name]
        data = value.get("data") if isinstance(value, dict) else None
        items = data if to_many and isinstance(data, list) else [data]
        if (to_many and not isinstance(data, list)) or not all(_linkage(i, kind) for i in items):
            problems.append(
                errors.relationship_invalid(
                    name, f"The relationship '{name}' must be linkage data of type '{kind}'."
                )
            )
    for name, (_, _, required) in table.items():
        if required and name not in links:
            problems.append(errors.relationship_required(name))
    return problems


def _linkage(item: Any, kind: str) -> bool:
    return isinstance(item, dict) and item.get("type") == kind and isinstance(item.get("id"), str)
