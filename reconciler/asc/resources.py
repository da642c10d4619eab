"""JSON:API resources we read (App, AppStoreVersion) and the request bodies we write.

Parsing tolerates what Apple really sends: null attributes, attributes and relationships we do
not know, enum values newer than ours (kept as plain strings), relationships left out. It
rejects only what makes a resource unusable: a wrong type or a missing id.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from reconciler.errors import UnexpectedResponseError

__all__ = [
    "CREATE_ATTRIBUTES",
    "PLATFORMS",
    "UPDATE_ATTRIBUTES",
    "App",
    "AppStoreVersion",
    "ToMany",
    "included_of_type",
    "parse_app",
    "parse_app_store_version",
    "version_create_body",
    "version_update_body",
]

PLATFORMS = ("IOS", "MAC_OS", "TV_OS", "VISION_OS")
# What Spec:AppStoreVersionCreateRequest / UpdateRequest accept, besides platform on create.
CREATE_ATTRIBUTES = frozenset(
    {"versionString", "copyright", "releaseType", "earliestReleaseDate", "reviewType", "usesIdfa"}
)
UPDATE_ATTRIBUTES = CREATE_ATTRIBUTES | {"downloadable"}


@dataclass(frozen=True)
class ToMany:
    """A to-many relationship as read: linked ids (when `data` was sent, i.e. included) and
    Apple's `meta.paging.total`. When `total` exceeds len(ids) the inclusion was cut short
    (limit[relationship] caps it at 50): list the related resources separately."""

    ids: tuple[str, ...] | None
    total: int | None

    @property
    def complete(self) -> bool:
        """True when `ids` is the whole relationship."""
        return self.ids is not None and (self.total is None or self.total <= len(self.ids))


@dataclass(frozen=True)
class App:
    """An app. `attributes` keeps everything Apple sent, known or not."""

    id: str
    bundle_id: str
    name: str | None
    sku: str | None
    primary_locale: str | None
    app_store_versions: ToMany | None = None
    attributes: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class AppStoreVersion:
    """An App Store version. Dates are ISO 8601 strings as Apple sent them; use
    `earliest_release_instant` to compare them as instants. Enum values are kept as strings;
    both state attributes are kept as sent (`reconciler.states.current_state` reads them)."""

    id: str
    platform: str
    version_string: str
    app_version_state: str | None
    app_store_state: str | None
    copyright: str | None
    release_type: str | None
    earliest_release_date: str | None
    review_type: str | None
    downloadable: bool | None
    created_date: str | None
    app_id: str | None
    build_id: str | None
    attributes: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def earliest_release_instant(self) -> datetime | None:
        return _instant(self.earliest_release_date)


def parse_app(resource: object) -> App:
    """An App from a JSON:API resource object (an element of `data` or `included`); anything
    else is an UnexpectedResponseError."""
    rid, attrs, rels = _parts(resource, "apps")
    return App(
        id=rid,
        bundle_id=_str(attrs.get("bundleId")) or "",
        name=_str(attrs.get("name")),
        sku=_str(attrs.get("sku")),
        primary_locale=_str(attrs.get("primaryLocale")),
        app_store_versions=_to_many(rels.get("appStoreVersions")),
        attributes=dict(attrs),
    )


def parse_app_store_version(resource: object) -> AppStoreVersion:
    """An AppStoreVersion from a JSON:API resource object."""
    rid, attrs, rels = _parts(resource, "appStoreVersions")
    downloadable = attrs.get("downloadable")
    return AppStoreVersion(
        id=rid,
        platform=_str(attrs.get("platform")) or "",
        version_string=_str(attrs.get("versionString")) or "",
        app_version_state=_str(attrs.get("appVersionState")),
        app_store_state=_str(attrs.get("appStoreState")),
        copyright=_str(attrs.get("copyright")),
        release_type=_str(attrs.get("releaseType")),
        earliest_release_date=_str(attrs.get("earliestReleaseDate")),
        review_type=_str(attrs.get("reviewType")),
        downloadable=downloadable if isinstance(downloadable, bool) else None,
        created_date=_str(attrs.get("createdDate")),
        app_id=_to_one(rels.get("app")),
        build_id=_to_one(rels.get("build")),
        attributes=dict(attrs),
    )


def included_of_type(document: Mapping[str, Any], type_: str) -> list[Mapping[str, Any]]:
    """The resources of one type in a document's `included` (absent = none)."""
    included = document.get("included") or []
    return [r for r in included if isinstance(r, Mapping) and r.get("type") == type_]


def version_create_body(
    app_id: str, platform: str, attributes: Mapping[str, object]
) -> dict[str, Any]:
    """Body of POST /v1/appStoreVersions: platform plus exactly the attributes given (no id).

    `versionString` is required; a datetime for earliestReleaseDate is sent in ISO 8601."""
    if "platform" in attributes:
        raise ValueError("pass platform as its own argument, not among the attributes")
    if "versionString" not in attributes:
        raise ValueError("creating an App Store version needs versionString")
    return {
        "data": {
            "type": "appStoreVersions",
            "attributes": {"platform": platform, **_attributes(attributes, CREATE_ATTRIBUTES)},
            "relationships": {"app": {"data": {"type": "apps", "id": app_id}}},
        }
    }


def version_update_body(version_id: str, attributes: Mapping[str, object]) -> dict[str, Any]:
    """Body of PATCH /v1/appStoreVersions/{id}: type, id and only the attributes given
    (None clears a nullable one). platform can never change, so it is refused."""
    if "platform" in attributes:
        raise ValueError("platform cannot be changed on an existing App Store version")
    if not attributes:
        raise ValueError("an update needs at least one attribute")
    return {
        "data": {
            "type": "appStoreVersions",
            "id": version_id,
            "attributes": _attributes(attributes, UPDATE_ATTRIBUTES),
        }
    }


def _attributes(attributes: Mapping[str, object], allowed: frozenset[str]) -> dict[str, object]:
    unknown = sorted(set(attributes) - allowed)
    if unknown:
        raise ValueError(f"not an attribute this request accepts: {', '.join(unknown)}")
    return {k: _wire(v) for k, v in attributes.items()}


def _wire(value: object) -> object:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("a date-time sent to App Store Connect needs a UTC offset")
        text = value.astimezone(UTC).isoformat()
        return text.replace("+00:00", "Z")
    return value


def _parts(resource: object, type_: str) -> tuple[str, Mapping[str, Any], Mapping[str, Any]]:
    if not isinstance(resource, Mapping) or resource.get("type") != type_:
        found = resource.get("type") if isinstance(resource, Mapping) else type(resource).__name__
        raise UnexpectedResponseError(
            "GET", type_, f"expected a resource of type {type_}, got {found!r}"
        )
    rid = resource.get("id")
    if not isinstance(rid, str) or not rid:
        raise UnexpectedResponseError("GET", type_, f"a {type_} resource has no id")
    attrs = resource.get("attributes")
    rels = resource.get("relationships")
    return (
        rid,
        attrs if isinstance(attrs, Mapping) else {},
        rels if isinstance(rels, Mapping) else {},
    )


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _to_one(relationship: object) -> str | None:
    if not isinstance(relationship, Mapping):
        return None
    data = relationship.get("data")
    return _str(data.get("id")) if isinstance(data, Mapping) else None


def _to_many(relationship: object) -> ToMany | None:
    if not isinstance(relationship, Mapping):
        return None
    data = relationship.get("data")
    ids = (
        tuple(str(d["id"]) for d in data if isinstance(d, Mapping) and "id" in d)
        if isinstance(data, list)
        else None
    )
    meta = relationship.get("meta")
    paging = meta.get("paging") if isinstance(meta, Mapping) else None
    total = paging.get("total") if isinstance(paging, Mapping) else None
    return ToMany(ids, total if isinstance(total, int) else None)


def _instant(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)
