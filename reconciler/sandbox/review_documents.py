"""Review submissions and their items as JSON:API resources, in the shapes of fastlane's captures.

A submission always carries `items` links (as captured); the linkages of `items`,
`appStoreVersionForReview` and `app` appear only when included (R33), `items` with
`meta.paging`. An item carries its `appStoreVersion` linkage only when it is included on the
items list: included in a submission read, an item has no relationships, as captured
(tunes_review_submission.json), since Apple has no nested include (R12).
"""

from __future__ import annotations

from typing import Any

from reconciler.sandbox.documents import Page
from reconciler.sandbox.submissions import ReviewItemRecord, ReviewSubmissionRecord

__all__ = ["SubmissionLinkage", "item_resource", "sparse", "submission_resource"]

Json = dict[str, Any]


class SubmissionLinkage:
    """What an included read says of a submission: `names` were included; `items` is the page
    of its items shown, `version_id` the version for review."""

    def __init__(self, names: set[str], items: Page | None, version_id: str | None) -> None:
        self.names = names
        self.items = items
        self.version_id = version_id


def sparse(resource: Json, fields: list[str] | None) -> Json:
    """`fields[type]`: keep the attributes and relationships named (and type, id, links)."""
    if fields is None:
        return resource
    wanted = set(fields)
    result: Json = {"type": resource["type"], "id": resource["id"]}
    for key in ("attributes", "relationships"):
        kept = {k: v for k, v in resource.get(key, {}).items() if k in wanted}
        if kept:
            result[key] = kept
    result["links"] = resource["links"]
    return result


def submission_resource(
    record: ReviewSubmissionRecord,
    base: str,
    *,
    fields: list[str] | None = None,
    linkage: SubmissionLinkage | None = None,
) -> Json:
    kind = "reviewSubmissions"
    relationships: Json = {
        "items": {
            "links": {
                "self": f"{base}/v1/{kind}/{record.id}/relationships/items",
                "related": f"{base}/v1/{kind}/{record.id}/items",
            }
        }
    }
    if linkage is not None:
        if "items" in linkage.names and linkage.items is not None:
            page = linkage.items
            relationships["items"]["data"] = [
                {"type": "reviewSubmissionItems", "id": i.id} for i in page.items
            ]
            relationships["items"]["meta"] = {"paging": {"total": page.total, "limit": page.limit}}
        if "appStoreVersionForReview" in linkage.names:
            version = linkage.version_id
            relationships["appStoreVersionForReview"] = {
                "data": version and {"type": "appStoreVersions", "id": version}
            }
        if "app" in linkage.names:
            relationships["app"] = {"data": {"type": "apps", "id": record.app_id}}
    resource = {
        "type": kind,
        "id": record.id,
        "attributes": {
            "platform": record.platform,
            "submittedDate": record.submitted_date,
            "state": record.state,
        },
        "relationships": relationships,
        "links": {"self": f"{base}/v1/{kind}/{record.id}"},
    }
    return sparse(resource, fields)


def item_resource(
    record: ReviewItemRecord,
    base: str,
    *,
    fields: list[str] | None = None,
    linked: bool = False,
) -> Json:
    """An item; `linked` fills its appStoreVersion linkage (when the version is included)."""
    resource: Json = {
        "type": "reviewSubmissionItems",
        "id": record.id,
        "attributes": {"state": record.state},
        "links": {"self": f"{base}/v1/reviewSubmissionItems/{record.id}"},
    }
    if linked:
        resource["relationships"] = {
            "appStoreVersion": {"data": {"type": "appStoreVersions", "id": record.version_id}}
        }
    return sparse(resource, fields)
