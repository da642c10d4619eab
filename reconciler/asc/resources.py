"""JSON:API resources we read (App, AppStoreVersion). The bodies we write are the kinds' own
(`reconciler.kinds`).

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
    "App",
    "AppStoreVersion",
    "Resource",
    "ToMany",
    "parse_app",
    "parse_app_store_version",
    "parse_resource",
]


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
    both state attributes are kept as sent (`kinds.version_states.current_state` reads them)."""

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


@dataclass(frozen=True)
class Resource:
    """Any JSON:API resource, for the types that need no model of their own: attributes as
    sent, and each relationship's linkage (to-one ids, to-many `ToMany`) where Apple sent it."""

    type: str
    id: str
    attributes: Mapping[str, Any]
    relationships: Mapping[str, Any]

    def text(self, name: str) -> str | None:
        return _str(self.attributes.get(name))

    def flag(self, name: str) -> bool | None:
        value = self.attributes.get(name)
        return value if isinstance(value, bool) else None

    def to_one(self, name: str) -> str | None:
        return _to_one(self.relationships.get(name))

    def has_linkage(self, name: str) -> bool:
        """Whether the relationship's `data` was sent (it is, only when included)."""
        relationship = self.relationships.get(name)
        return isinstance(relationship, Mapping) and "data" in relationship

    def to_many(self, name: str) -> ToMany | None:
        return _to_many(self.relationships.get(name))


def parse_resource(resource: object, type_: str) -> Resource:
    """A resource of `type_`; anything else is an UnexpectedResponseError."""
    rid, attrs, rels = _parts(resource, type_)
    return Resource(type_, rid, dict(attrs), dict(rels))


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
