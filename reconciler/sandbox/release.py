"""Releasing a version: `POST /v1/appStoreVersionReleaseRequests` (FACTS-2 §13, R29), and the
one release rule `sandbox advance` shares with it.

A release request is create-only (no GET, PATCH or DELETE: 403) and is not kept: Apple cannot
read it back either, so a client confirms by reading the version. Only a version in
PENDING_DEVELOPER_RELEASE is released (the stricter reading; any other state, PENDING_APPLE_RELEASE
included, is 409).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import httpx

from reconciler.sandbox import bodies, review_errors
from reconciler.sandbox.documents import base_url
from reconciler.sandbox.params import parse_query
from reconciler.sandbox.rules import LIVE
from reconciler.sandbox.state import SandboxState, VersionRecord, format_instant

if TYPE_CHECKING:
    from reconciler.sandbox.routes import Routes

__all__ = ["KIND", "create", "release_version"]

KIND = "appStoreVersionReleaseRequests"
Json = dict[str, Any]
Answer = tuple[int, Json | None]


def release_version(state: SandboxState, version: VersionRecord, now: datetime) -> str:
    """The version becomes READY_FOR_DISTRIBUTION; the platform's previous live version
    REPLACED_WITH_NEW_VERSION; its INACTIVE phased release starts (ACTIVE, day 1, now).
    Returns what else moved, for `advance` to print ("" when only the version did)."""
    for old in state.versions(version.app_id, version.platform):
        if old is not version and old.app_version_state in LIVE:
            old.set_state("REPLACED_WITH_NEW_VERSION")
    version.set_state("READY_FOR_DISTRIBUTION")
    phased = state.phased_release_of(version.id)
    if phased is not None and phased.state == "INACTIVE":
        phased.state, phased.current_day_number = "ACTIVE", 1
        phased.start_date = format_instant(now)
        return "; phased release ACTIVE, day 1"
    return ""


def create(routes: Routes, request: httpx.Request) -> Answer:
    parse_query(request.url, {}, paged=False)
    body = bodies.parse_create(request.content, bodies.RELEASE_REQUESTS)
    version = bodies.related_version(body, routes.state)
    if version.app_version_state != "PENDING_DEVELOPER_RELEASE":
        raise review_errors.release_refused(version.app_version_state)
    release_version(routes.state, version, routes.clock())
    routes.changed = True
    request_id = routes.state.reviews.next_release_request_id()
    base = base_url(request)
    data = {"type": KIND, "id": request_id, "links": {"self": f"{base}/v1/{KIND}/{request_id}"}}
    return 201, {"data": data, "links": {"self": str(request.url)}}
