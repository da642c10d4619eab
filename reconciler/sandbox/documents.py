"""JSON:API documents in Apple's shapes: every resource with `links.self`, every relationship
with `links`, absolute URLs, paging with `links.next`, `meta.paging.total` and `limit`.

Attributes Apple leaves unset are served as null, as Apple does.
"""

from __future__ import annotations

from typing import Any

import httpx

from reconciler.sandbox.children import (
    BuildRecord,
    LocalizationRecord,
    PhasedReleaseRecord,
    pre_release_id,
)
from reconciler.sandbox.params import encode_cursor
from reconciler.sandbox.spec import (
    APP_RELATIONSHIPS,
    BUILD_RELATIONSHIPS,
    LOCALIZATION_RELATIONSHIPS,
    PRE_RELEASE_RELATIONSHIPS,
    VERSION_RELATIONSHIPS,
)
from reconciler.sandbox.state import AppRecord, VersionRecord

__all__ = [
    "Linkage",
    "Page",
    "app_resource",
    "base_url",
    "build_resource",
    "collection",
    "localization_resource",
    "next_link",
    "phased_release_resource",
    "pre_release_resource",
    "single",
    "version_resource",
]

Json = dict[str, Any]


class Page:
    """One page of a list: which items, the limit, and the total before paging."""

    def __init__(self, items: list[Any], offset: int, limit: int) -> None:
        self.total = len(items)
        self.offset = offset
        self.limit = limit
        self.items = items[offset : offset + limit]

    @property
    def has_next(self) -> bool:
        return self.offset + self.limit < self.total


def _relationship_links(base: str, kind: str, resource_id: str, name: str) -> Json:
    return {
        "self": f"{base}/v1/{kind}/{resource_id}/relationships/{name}",
        "related": f"{base}/v1/{kind}/{resource_id}/{name}",
    }


def _sparse(resource: Json, fields: list[str] | None) -> Json:
    if fields is None:
        return resource
    wanted = set(fields)
    attributes = {k: v for k, v in resource["attributes"].items() if k in wanted}
    relationships = {k: v for k, v in resource["relationships"].items() if k in wanted}
    sparse = {"type": resource["type"], "id": resource["id"]}
    if attributes:
        sparse["attributes"] = attributes
    if relationships:
        sparse["relationships"] = relationships
    sparse["links"] = resource["links"]
    return sparse


def app_resource(
    app: AppRecord,
    base: str,
    *,
    fields: list[str] | None = None,
    versions: Page | None = None,
) -> Json:
    """An App. `versions`, when given, fills the appStoreVersions linkage and its paging meta."""
    relationships: Json = {
        name: {"links": _relationship_links(base, "apps", app.id, name)}
        for name in APP_RELATIONSHIPS
    }
    if versions is not None:
        relationships["appStoreVersions"]["data"] = [
            {"type": "appStoreVersions", "id": v.id} for v in versions.items
        ]
        relationships["appStoreVersions"]["meta"] = {
            "paging": {"total": versions.total, "limit": versions.limit}
        }
    resource = {
        "type": "apps",
        "id": app.id,
        "attributes": {
            "accessibilityUrl": None,
            "name": app.name,
            "bundleId": app.bundle_id,
            "sku": app.sku,
            "primaryLocale": app.primary_locale,
            "isOrEverWasMadeForKids": False,
            "subscriptionStatusUrl": None,
            "subscriptionStatusUrlVersion": None,
            "subscriptionStatusUrlForSandbox": None,
            "subscriptionStatusUrlVersionForSandbox": None,
            "contentRightsDeclaration": "DOES_NOT_USE_THIRD_PARTY_CONTENT",
            "streamlinedPurchasingEnabled": False,
        },
        "relationships": relationships,
        "links": {"self": f"{base}/v1/apps/{app.id}"},
    }
    return _sparse(resource, fields)


class Linkage:
    """What an included read says of a version's children: the localizations (a page of
    them), the build and the phased release; a name absent from `names` was not included."""

    def __init__(
        self,
        names: set[str],
        localizations: Page | None = None,
        build_id: str | None = None,
        phased_release_id: str | None = None,
    ) -> None:
        self.names = names
        self.localizations = localizations
        self.build_id = build_id
        self.phased_release_id = phased_release_id


def version_resource(
    version: VersionRecord,
    base: str,
    *,
    fields: list[str] | None = None,
    linkage: Linkage | None = None,
) -> Json:
    relationships: Json = {
        name: {"links": _relationship_links(base, "appStoreVersions", version.id, name)}
        for name in VERSION_RELATIONSHIPS
    }
    relationships["app"]["data"] = {"type": "apps", "id": version.app_id}
    if linkage is not None:
        _link_children(relationships, linkage)
    resource = {
        "type": "appStoreVersions",
        "id": version.id,
        "attributes": {
            "platform": version.platform,
            "versionString": version.version_string,
            "appStoreState": version.app_store_state,
            "appVersionState": version.app_version_state,
            "copyright": version.copyright,
            "reviewType": version.review_type,
            "releaseType": version.release_type,
            "earliestReleaseDate": version.earliest_release_date,
            "usesIdfa": version.uses_idfa,
            "downloadable": version.downloadable,
            "createdDate": version.created_date,
        },
        "relationships": relationships,
        "links": {"self": f"{base}/v1/appStoreVersions/{version.id}"},
    }
    return _sparse(resource, fields)


def _link_children(relationships: Json, linkage: Linkage) -> None:
    page = linkage.localizations
    if "appStoreVersionLocalizations" in linkage.names and page is not None:
        entry = relationships["appStoreVersionLocalizations"]
        entry["data"] = [{"type": "appStoreVersionLocalizations", "id": r.id} for r in page.items]
        entry["meta"] = {"paging": {"total": page.total, "limit": page.limit}}
    if "build" in linkage.names:
        build = linkage.build_id
        relationships["build"]["data"] = build and {"type": "builds", "id": build}
    if "appStoreVersionPhasedRelease" in linkage.names:
        phased = linkage.phased_release_id
        relationships["appStoreVersionPhasedRelease"]["data"] = phased and {
            "type": "appStoreVersionPhasedReleases",
            "id": phased,
        }


def localization_resource(
    record: LocalizationRecord, base: str, *, fields: list[str] | None = None
) -> Json:
    kind = "appStoreVersionLocalizations"
    resource = {
        "type": kind,
        "id": record.id,
        "attributes": {
            "description": record.description,
            "locale": record.locale,
            "keywords": record.keywords,
            "marketingUrl": record.marketing_url,
            "promotionalText": record.promotional_text,
            "supportUrl": record.support_url,
            "whatsNew": record.whats_new,
        },
        "relationships": {
            name: {"links": _relationship_links(base, kind, record.id, name)}
            for name in LOCALIZATION_RELATIONSHIPS
        },
        "links": {"self": f"{base}/v1/{kind}/{record.id}"},
    }
    return _sparse(resource, fields)


def phased_release_resource(
    record: PhasedReleaseRecord, base: str, *, fields: list[str] | None = None
) -> Json:
    kind = "appStoreVersionPhasedReleases"
    resource = {
        "type": kind,
        "id": record.id,
        "attributes": {
            "phasedReleaseState": record.state,
            "startDate": record.start_date,
            "totalPauseDuration": record.total_pause_duration,
            "currentDayNumber": record.current_day_number,
        },
        "relationships": {},
        "links": {"self": f"{base}/v1/{kind}/{record.id}"},
    }
    sparse = _sparse(resource, fields)
    sparse.pop("relationships", None)  # Spec:AppStoreVersionPhasedRelease has none
    return sparse


def build_resource(
    record: BuildRecord,
    base: str,
    *,
    fields: list[str] | None = None,
    linked: frozenset[str] = frozenset(),
) -> Json:
    """A Build. `linked` names the included relationships (app, preReleaseVersion,
    appStoreVersion) whose linkage data is filled in; the others carry only links (R33)."""
    relationships: Json = {
        name: {"links": _relationship_links(base, "builds", record.id, name)}
        for name in BUILD_RELATIONSHIPS
    }
    if "app" in linked:
        relationships["app"]["data"] = {"type": "apps", "id": record.app_id}
    if "preReleaseVersion" in linked:
        relationships["preReleaseVersion"]["data"] = {
            "type": "preReleaseVersions",
            "id": pre_release_id(record.app_id, record.platform, record.train),
        }
    if "appStoreVersion" in linked:
        version = record.version_id
        relationships["appStoreVersion"]["data"] = version and {
            "type": "appStoreVersions",
            "id": version,
        }
    resource = {
        "type": "builds",
        "id": record.id,
        "attributes": {
            "version": record.number,
            "uploadedDate": record.uploaded_date,
            "expirationDate": record.expiration_date,
            "expired": record.expired,
            "minOsVersion": record.min_os_version,
            "lsMinimumSystemVersion": None,
            "computedMinMacOsVersion": None,
            "computedMinVisionOsVersion": None,
            "iconAssetToken": None,
            "processingState": record.processing_state,
            "buildAudienceType": record.audience,
            "usesNonExemptEncryption": None,
        },
        "relationships": relationships,
        "links": {"self": f"{base}/v1/builds/{record.id}"},
    }
    return _sparse(resource, fields)


def pre_release_resource(
    app_id: str, platform: str, train: str, base: str, *, fields: list[str] | None = None
) -> Json:
    train_id = pre_release_id(app_id, platform, train)
    relationships: Json = {
        name: {"links": _relationship_links(base, "preReleaseVersions", train_id, name)}
        for name in PRE_RELEASE_RELATIONSHIPS
    }
    resource = {
        "type": "preReleaseVersions",
        "id": train_id,
        "attributes": {"version": train, "platform": platform},
        "relationships": relationships,
        "links": {"self": f"{base}/v1/preReleaseVersions/{train_id}"},
    }
    return _sparse(resource, fields)


def base_url(request: httpx.Request) -> str:
    """The scheme and host the request came to, for absolute links."""
    url = request.url
    return str(url.copy_with(path="/", query=None, fragment=None)).rstrip("/")


def next_link(url: httpx.URL, page: Page) -> str:
    """The request's own URL with the cursor moved on, as Apple builds `links.next`."""
    params = url.params.remove("cursor").set("cursor", encode_cursor(page.offset + page.limit))
    if "limit" not in params:
        params = params.set("limit", str(page.limit))
    return str(url.copy_with(params=params))


def single(data: Json, url: httpx.URL, included: list[Json] | None = None) -> Json:
    document: Json = {"data": data, "links": {"self": str(url)}}
    if included:
        document["included"] = included
    return document


def collection(
    data: list[Json], url: httpx.URL, page: Page, included: list[Json] | None = None
) -> Json:
    links = {"self": str(url)}
    paging: Json = {"total": page.total, "limit": page.limit}
    if page.has_next:
        links["next"] = next_link(url, page)
        paging["nextCursor"] = encode_cursor(page.offset + page.limit)
    document: Json = {"data": data, "links": links, "meta": {"paging": paging}}
    if included:
        document["included"] = included
    return document
