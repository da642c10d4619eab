"""A small stateful App Store Connect double for client unit tests (not the sandbox).

It checks bearer tokens against its own clock, pages with cursors in absolute `links.next`,
applies rules R1-R4 with Apple's captured error bodies, sends X-Rate-Limit on every answer,
and obeys a queue of injected faults. Every JSON answer it gives is validated against the
response schema of the OpenAPI subset, so tests never rely on a shape Apple would not send.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import jwt

from tests.asc import bodies
from tests.openapi import response_schema, to_json_schema, validate

BASE = "https://api.appstoreconnect.apple.com"
EDITABLE = {"PREPARE_FOR_SUBMISSION", "DEVELOPER_REJECTED", "REJECTED", "METADATA_REJECTED"}
EDITABLE |= {"WAITING_FOR_REVIEW", "INVALID_BINARY"}
DONE = {"READY_FOR_DISTRIBUTION", "REPLACED_WITH_NEW_VERSION", "PROCESSING_FOR_DISTRIBUTION"}


@dataclass
class Fault:
    """Answer the next request matching `method` (and `path` prefix) with `kind` instead:
    "timeout" / "connect" / "drop" raise; "commit+timeout" applies the request, then times
    out; a number is that HTTP status with Apple's body; `retry_after` adds the header."""

    method: str
    kind: str
    path: str = "/"
    retry_after: str | None = None


@dataclass
class FakeAsc:
    wall: Callable[[], float]
    public_key: Any = None  # verify tokens when set
    limit: int = 3500
    remaining: int = 3500
    apps: dict[str, dict[str, Any]] = field(default_factory=dict)
    versions: dict[str, dict[str, Any]] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    seen: list[httpx.Request] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)
    authorizations: list[str | None] = field(default_factory=list)  # per request, as it arrived
    _next_id: int = 100

    # -- state -------------------------------------------------------------------------

    def add_app(self, app_id: str, bundle_id: str) -> None:
        self.apps[app_id] = {"bundleId": bundle_id, "name": bundle_id, "sku": bundle_id.upper()}
        self.apps[app_id]["primaryLocale"] = "en-US"

    def add_version(self, app_id: str, platform: str, version: str, state: str) -> str:
        vid = f"v-{self._next_id}"
        self._next_id += 1
        self.versions[vid] = {
            "app": app_id,
            "platform": platform,
            "versionString": version,
            "appVersionState": state,
            "appStoreState": state if state != "READY_FOR_DISTRIBUTION" else "READY_FOR_SALE",
            "releaseType": "AFTER_APPROVAL",
            "createdDate": "2026-01-01T00:00:00-08:00",
        }
        return vid

    # -- the app -------------------------------------------------------------------------

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        self.authorizations.append(request.headers.get("Authorization"))
        fault = self._take_fault(request)
        if fault is not None and fault.kind in ("timeout", "connect", "drop"):
            raise {
                "timeout": httpx.ReadTimeout("timed out", request=request),
                "connect": httpx.ConnectError("connection refused", request=request),
                "drop": httpx.RemoteProtocolError("peer closed connection", request=request),
            }[fault.kind]
        if fault is not None and fault.kind.isdigit():
            status = int(fault.kind)
            body = {401: bodies.NOT_AUTHORIZED, 403: bodies.AGREEMENT, 429: bodies.RATE_LIMITED}
            headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
            return self._answer(request, status, body.get(status, bodies.UNEXPECTED), headers)
        if self.public_key is not None and not self._authorized(request):
            return self._answer(request, 401, bodies.NOT_AUTHORIZED)
        status, body = self._route(request)
        if fault is not None and fault.kind == "commit+timeout":
            raise httpx.ReadTimeout("timed out", request=request)
        return self._answer(request, status, body)

    def _take_fault(self, request: httpx.Request) -> Fault | None:
        for fault in self.faults:
            if fault.method == request.method and request.url.path.startswith(fault.path):
                self.faults.remove(fault)
                return fault
        return None

    def _authorized(self, request: httpx.Request) -> bool:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            return False
        token = header[len("Bearer ") :]
        self.tokens.append(token)
        try:
            claims = jwt.decode(
                token,
                self.public_key,
                algorithms=["ES256"],
                audience="appstoreconnect-v1",
                options={"verify_exp": False, "verify_iat": False},
            )
        except jwt.InvalidTokenError:
            return False
        now = self.wall()
        return bool(now < claims["exp"] <= now + 20 * 60 and claims["iat"] <= now)

    def _answer(
        self,
        request: httpx.Request,
        status: int,
        body: dict[str, Any] | None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        self.remaining = max(0, self.remaining - 1)
        all_headers = {
            "X-Rate-Limit": f"user-hour-lim:{self.limit};user-hour-rem:{self.remaining};"
        }
        all_headers.update(headers or {})
        if body is None:
            return httpx.Response(status, headers=all_headers)
        validate(body, _schema(request.method, request.url.path, status))
        return httpx.Response(status, json=body, headers=all_headers)

    def _route(self, request: httpx.Request) -> tuple[int, dict[str, Any] | None]:
        path, method = request.url.path, request.method
        if method == "GET" and path == "/v1/apps":
            return 200, self._list_apps(request)
        if method == "GET" and (m := re.fullmatch(r"/v1/apps/([^/]+)", path)):
            if m.group(1) not in self.apps:
                return 404, _not_found(path)
            return 200, {
                "data": self._app(m.group(1), request),
                "links": {"self": str(request.url)},
            }
        if method == "GET" and (m := re.fullmatch(r"/v1/apps/([^/]+)/appStoreVersions", path)):
            platforms = request.url.params.get("filter[platform]")
            ids = [v for v, r in self.versions.items() if r["app"] == m.group(1)]
            ids = [v for v in ids if not platforms or self.versions[v]["platform"] in platforms]
            return 200, self._page(request, [self._version(v) for v in ids])
        if method == "POST" and path == "/v1/appStoreVersions":
            return self._create(json.loads(request.content))
        if (m := re.fullmatch(r"/v1/appStoreVersions/([^/]+)", path)) and m.group(
            1
        ) in self.versions:
            if method == "PATCH":
                return self._update(m.group(1), json.loads(request.content))
            if method == "DELETE":
                del self.versions[m.group(1)]
                return 204, None
            return 200, {"data": self._version(m.group(1)), "links": {"self": str(request.url)}}
        return 404, _not_found(path)

    def _list_apps(self, request: httpx.Request) -> dict[str, Any]:
        wanted = request.url.params.get("filter[bundleId]")
        ids = [a for a in self.apps if not wanted or self.apps[a]["bundleId"] in wanted.split(",")]
        document = self._page(request, [self._app(a, request) for a in ids])
        if "appStoreVersions" in request.url.params.get("include", ""):
            cap = int(request.url.params.get("limit[appStoreVersions]", "50"))
            linked = [
                v
                for r in document["data"]
                for v in r["relationships"]["appStoreVersions"]["data"][:cap]
            ]
            for r in document["data"]:
                r["relationships"]["appStoreVersions"]["data"] = r["relationships"][
                    "appStoreVersions"
                ]["data"][:cap]
            document["included"] = [self._version(v["id"]) for v in linked]
        else:
            for r in document["data"]:
                del r["relationships"]["appStoreVersions"]["data"]
        return document

    def _page(self, request: httpx.Request, items: list[dict[str, Any]]) -> dict[str, Any]:
        limit = int(request.url.params.get("limit", "50"))
        start = int(request.url.params.get("cursor", "0"))
        page = items[start : start + limit]
        links = {"self": str(request.url)}
        if start + limit < len(items):
            links["next"] = str(request.url.copy_merge_params({"cursor": str(start + limit)}))
        paging = {"total": len(items), "limit": limit}
        return {"data": page, "links": links, "meta": {"paging": paging}}

    def _app(self, app_id: str, request: httpx.Request) -> dict[str, Any]:
        linkages = [
            {"type": "appStoreVersions", "id": v}
            for v, r in self.versions.items()
            if r["app"] == app_id
        ]
        return {
            "type": "apps",
            "id": app_id,
            "attributes": dict(self.apps[app_id]),
            "relationships": {
                "appStoreVersions": {
                    "links": {"related": f"{BASE}/v1/apps/{app_id}/appStoreVersions"},
                    "meta": {"paging": {"total": len(linkages), "limit": 50}},
                    "data": linkages,
                }
            },
            "links": {"self": f"{BASE}/v1/apps/{app_id}"},
        }

    def _version(self, vid: str) -> dict[str, Any]:
        record = self.versions[vid]
        attributes = {k: v for k, v in record.items() if k != "app" and v is not None}
        return {
            "type": "appStoreVersions",
            "id": vid,
            "attributes": attributes,
            "relationships": {"app": {"data": {"type": "apps", "id": record["app"]}}},
            "links": {"self": f"{BASE}/v1/appStoreVersions/{vid}"},
        }

    def _create(self, body: dict[str, Any]) -> tuple[int, dict[str, Any] | None]:
        data = body["data"]
        app_id = data["relationships"]["app"]["data"]["id"]
        attrs = dict(data["attributes"])
        mine = [
            r
            for r in self.versions.values()
            if r["app"] == app_id and r["platform"] == attrs["platform"]
        ]
        if any(r["versionString"] == attrs["versionString"] for r in mine):
            return 409, bodies.E2
        if any(r["appVersionState"] not in DONE for r in mine):
            return 409, bodies.E1
        vid = self.add_version(
            app_id, attrs.pop("platform"), attrs.pop("versionString"), "PREPARE_FOR_SUBMISSION"
        )
        self.versions[vid].update(attrs)
        return 201, {
            "data": self._version(vid),
            "links": {"self": f"{BASE}/v1/appStoreVersions/{vid}"},
        }

    def _update(self, vid: str, body: dict[str, Any]) -> tuple[int, dict[str, Any] | None]:
        attrs = body["data"].get("attributes", {})
        if self.versions[vid]["appVersionState"] not in EDITABLE and "versionString" in attrs:
            return 409, bodies.E3
        self.versions[vid].update(attrs)
        return 200, {
            "data": self._version(vid),
            "links": {"self": f"{BASE}/v1/appStoreVersions/{vid}"},
        }


def _not_found(path: str) -> dict[str, Any]:
    return {
        "errors": [
            {
                "status": "404",
                "code": "NOT_FOUND",
                "title": "The specified resource does not exist",
                "detail": f"There is no resource at '{path}'.",
            }
        ]
    }


def _template(path: str) -> str:
    """The OpenAPI path template of a concrete path (ids become {id})."""
    parts = path.split("/")
    if len(parts) >= 4:
        parts[3] = "{id}"
    return "/".join(parts)


def _schema(method: str, path: str, status: int) -> dict[str, Any]:
    """The declared response schema; Apple's error schema for what the spec does not declare
    (5xx, unknown paths)."""
    try:
        return response_schema(method, _template(path), status)
    except KeyError:
        assert status >= 400, f"{method} {path} -> {status} is not in the OpenAPI subset"
        return to_json_schema({"$ref": "#/components/schemas/ErrorResponse"})
