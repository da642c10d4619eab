"""Phased releases (FACTS-2 §10, R21-R23): at most one per version, for updates only.

    GET    /v1/appStoreVersions/{id}/appStoreVersionPhasedRelease   the release, or `data: null`
    POST   /v1/appStoreVersionPhasedReleases                         201
    PATCH  /v1/appStoreVersionPhasedReleases/{id}                    200
    DELETE /v1/appStoreVersionPhasedReleases/{id}                    204

A phased release is INACTIVE until its version is released (lifecycle.py starts it: ACTIVE, day
1); then ACTIVE <-> PAUSED, ACTIVE | PAUSED -> COMPLETE, and COMPLETE is final.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx

from reconciler.sandbox import bodies, errors
from reconciler.sandbox.children import PhasedReleaseRecord
from reconciler.sandbox.documents import base_url, phased_release_resource, single
from reconciler.sandbox.params import parse_query
from reconciler.sandbox.spec import PHASED_RELEASE_RELATED_PARAMETERS

if TYPE_CHECKING:
    from reconciler.sandbox.routes import Routes

__all__ = ["CREATE_STATES", "TRANSITIONS", "create", "delete", "get_of_version", "update"]

Json = dict[str, Any]
Answer = tuple[int, Json | None]

# FACTS-2 §10: where App Store Connect offers a phased release for an update.
CREATE_STATES = frozenset(
    {
        "PREPARE_FOR_SUBMISSION",
        "WAITING_FOR_REVIEW",
        "IN_REVIEW",
        "WAITING_FOR_EXPORT_COMPLIANCE",
        "PENDING_DEVELOPER_RELEASE",
        "DEVELOPER_REJECTED",
        "REJECTED",
        "METADATA_REJECTED",
    }
)
# R23, after the release.
TRANSITIONS = {
    "ACTIVE": frozenset({"PAUSED", "COMPLETE"}),
    "PAUSED": frozenset({"ACTIVE", "COMPLETE"}),
}


def get_of_version(routes: Routes, request: httpx.Request, version_id: str) -> Answer:
    """R22: 200 with `data: null` when the version has none, the shape captured."""
    query = parse_query(request.url, PHASED_RELEASE_RELATED_PARAMETERS, paged=False)
    routes.version(version_id)
    record = routes.state.phased_release_of(version_id)
    fields = query.values("fields[appStoreVersionPhasedReleases]")
    data = phased_release_resource(record, base_url(request), fields=fields) if record else None
    return 200, {"data": data, "links": {"self": str(request.url)}}


def create(routes: Routes, request: httpx.Request) -> Answer:
    parse_query(request.url, {}, paged=False)
    body = bodies.parse_create(request.content, bodies.PHASED_RELEASES)
    version = bodies.related_version(body, routes.state)
    if len(routes.state.versions(version.app_id, version.platform)) == 1:
        raise errors.relationship_invalid(
            "appStoreVersion",
            "A phased release is only available for an update, not for the first version of "
            "an app on a platform.",
        )
    if version.app_version_state not in CREATE_STATES:
        raise errors.relationship_invalid(
            "appStoreVersion",
            f"A phased release can not be created for a version in the state "
            f"{version.app_version_state}.",
        )
    if routes.state.phased_release_of(version.id) is not None:
        raise errors.phased_already_exists()
    wanted = body.attributes.get("phasedReleaseState") or "INACTIVE"
    if wanted not in ("INACTIVE", "ACTIVE"):
        raise errors.phased_transition_refused("INACTIVE", wanted)
    # ACTIVE on a version not yet released (as EAS sends) is kept as INACTIVE: the rollout
    # starts at the release (our model, unverified at Apple).
    new_id = routes.state.add_phased_release(version.id, "INACTIVE")
    routes.changed = True
    record = routes.state.phased_releases[new_id]
    base = base_url(request)
    url = httpx.URL(f"{base}/v1/appStoreVersionPhasedReleases/{new_id}")
    return 201, single(phased_release_resource(record, base), url)


def update(routes: Routes, request: httpx.Request, phased_release_id: str) -> Answer:
    parse_query(request.url, {}, paged=False)
    record = _phased(routes, phased_release_id)
    body = bodies.parse_update(request.content, phased_release_id, bodies.PHASED_RELEASES)
    wanted = body.attributes.get("phasedReleaseState")
    version = routes.state.version_records[record.version_id]
    if wanted is not None:
        # E12 was captured on PENDING_DEVELOPER_RELEASE; a rollout runs only once the version
        # is live, so every other state refuses the same way (the stricter reading).
        if version.app_version_state != "READY_FOR_DISTRIBUTION":
            raise errors.phased_pending_release()
        if record.state == "COMPLETE":
            raise errors.phased_final()
        if wanted == record.state:
            raise errors.phased_same_value()
        if wanted not in TRANSITIONS.get(record.state, frozenset()):
            raise errors.phased_transition_refused(record.state, wanted)
        record.state = wanted
        if wanted == "COMPLETE":
            record.current_day_number = 7
        routes.changed = True
    return 200, single(phased_release_resource(record, base_url(request)), request.url)


def delete(routes: Routes, request: httpx.Request, phased_release_id: str) -> Answer:
    """Only before the rollout starts (INACTIVE); a running or complete one answers 409
    STATE_ERROR (FACTS-2 §10, our model, unverified at Apple)."""
    parse_query(request.url, {}, paged=False)
    record = _phased(routes, phased_release_id)
    if record.state != "INACTIVE":
        raise errors.phased_delete_refused(record.state)
    routes.state.remove_phased_release(phased_release_id)
    routes.changed = True
    return 204, None


def _phased(routes: Routes, phased_release_id: str) -> PhasedReleaseRecord:
    record = routes.state.phased_releases.get(phased_release_id)
    if record is None or record.version_id not in routes.state.version_records:
        raise errors.not_found_resource("appStoreVersionPhasedReleases", phased_release_id)
    return record
