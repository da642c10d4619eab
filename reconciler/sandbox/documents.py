"""JSON:API documents in Apple's shapes: every resource with `links.self`, every relationship
with `links`, absolute URLs, paging with `links.next`, `meta.paging.total` and `limit`.

Attributes Apple leaves unset are served as null, as Apple does.
"""

from __future__ import annotations

from typing import Any

import httpx

from reconciler.sandbox.params import encode_cursor
from reconciler.sandbox.spec import APP_RELATIONSHIPS, VERSION_RELATIONSHIPS
from reconciler.sandbox.state import AppRecord, VersionRecord

__all__ = [
    "Page",
    "app_resource",
    "collection",
    "next_link",
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


def version_resource(version: VersionRecord, base: str, *, fields: list[str] | None = None) -> Json:
    relationships: Json = {
        name: {"links": _relationship_links(base, "appStoreVersions", version.id, name)}
        for name in VERSION_RELATIONSHIPS
    }
    relationships["app"]["data"] = {"type": "apps", "id": version.app_id}
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
