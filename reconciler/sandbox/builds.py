"""Builds, their trains (preReleaseVersions), and attaching a build to a version (FACTS-2 §11).

    GET   /v1/builds                                   filters, include, fields, sort, limit
    GET   /v1/builds/{id}                              include=app,preReleaseVersion,appStoreVersion
    GET   /v1/appStoreVersions/{id}/build              the build, or `data: null`
    GET   /v1/appStoreVersions/{id}/relationships/build  linkage, or `data: null`
    PATCH /v1/appStoreVersions/{id}/relationships/build  204 (also `relationships.build` in
                                                          PATCH /v1/appStoreVersions/{id})

An attach is refused with E14 when the version is not editable, the build is not VALID, is
INTERNAL_ONLY, expired, attached to another version, of another train or another platform.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import httpx

from reconciler.sandbox import bodies, errors
from reconciler.sandbox.children import BuildRecord, pre_release_id
from reconciler.sandbox.documents import (
    Page,
    app_resource,
    base_url,
    build_resource,
    collection,
    pre_release_resource,
    single,
    version_resource,
)
from reconciler.sandbox.params import Query, parse_query
from reconciler.sandbox.rules import EDITABLE
from reconciler.sandbox.spec import (
    BUILD_INSTANCE_PARAMETERS,
    BUILD_RELATED_PARAMETERS,
    BUILDS_COLLECTION_PARAMETERS,
)
from reconciler.sandbox.state import SandboxState, VersionRecord

if TYPE_CHECKING:
    from reconciler.sandbox.routes import Routes

__all__ = [
    "ATTACHABLE",
    "check_attach",
    "get_collection",
    "get_instance",
    "get_linkage",
    "get_of_version",
    "same_train",
    "update_linkage",
]

Json = dict[str, Any]
Answer = tuple[int, Json | None]

# FACTS-2 §11 (a): a version waiting for review refuses a build too, although its attributes
# can still be edited.
ATTACHABLE = EDITABLE - {"WAITING_FOR_REVIEW"}
_DEFAULT_LIMIT = 20


def same_train(a: str, b: str) -> bool:
    """Version strings compared part by part as numbers: 1.0 == 1.0.0 (FACTS-2 §11)."""
    return _numbers(a) == _numbers(b)


def _numbers(text: str) -> tuple[int | str, ...]:
    parts: list[int | str] = [int(p) if p.isdigit() else p for p in text.split(".")]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def _sort_number(text: str) -> tuple[tuple[int, int | str], ...]:
    return tuple((0, p) if isinstance(p, int) else (1, p) for p in _numbers(text))


def check_attach(state: SandboxState, version: VersionRecord, build_id: str) -> None:
    """Raise E14 (or a 409 for an unknown build) when the build cannot go on the version."""
    build = state.builds.get(build_id)
    if build is None or build.app_id != version.app_id:
        raise errors.relationship_invalid(
            "build", f"There is no resource of type 'builds' with id '{build_id}'"
        )
    if version.app_version_state not in ATTACHABLE:
        raise errors.build_refused(state=True)
    if build.platform != version.platform:
        raise errors.build_refused(
            detail="The specified build has a different platform than the version"
        )
    refused = (
        build.processing_state != "VALID"
        or build.audience == "INTERNAL_ONLY"
        or build.expired
        or (build.version_id is not None and build.version_id != version.id)
        or not same_train(build.train, version.version_string)
    )
    if refused:
        raise errors.build_refused()


def get_collection(routes: Routes, request: httpx.Request) -> Answer:
    query = parse_query(request.url, BUILDS_COLLECTION_PARAMETERS, paged=True)
    found = [b for b in routes.state.builds.values() if _matches(b, query)]
    for key in reversed(query.values("sort") or []):
        found.sort(key=_SORT_KEYS[key.lstrip("-")], reverse=key.startswith("-"))
    page = Page(found, query.cursor, query.ints.get("limit", _DEFAULT_LIMIT))
    data, included = _with_includes(routes.state, page.items, request, query)
    return 200, collection(data, request.url, page, included)


def get_instance(routes: Routes, request: httpx.Request, build_id: str) -> Answer:
    query = parse_query(request.url, BUILD_INSTANCE_PARAMETERS, paged=False)
    build = routes.state.builds.get(build_id)
    if build is None:
        raise errors.not_found_resource("builds", build_id)
    data, included = _with_includes(routes.state, [build], request, query)
    return 200, single(data[0], request.url, included)


def get_of_version(routes: Routes, request: httpx.Request, version_id: str) -> Answer:
    query = parse_query(request.url, BUILD_RELATED_PARAMETERS, paged=False)
    version = routes.version(version_id)
    build = routes.state.builds.get(version.build_id or "")
    fields = query.values("fields[builds]")
    data = build_resource(build, base_url(request), fields=fields) if build else None
    return 200, {"data": data, "links": {"self": str(request.url)}}


def get_linkage(routes: Routes, request: httpx.Request, version_id: str) -> Answer:
    parse_query(request.url, {}, paged=False)
    version = routes.version(version_id)
    data = {"type": "builds", "id": version.build_id} if version.build_id else None
    return 200, {"data": data, "links": {"self": str(request.url)}}


def update_linkage(routes: Routes, request: httpx.Request, version_id: str) -> Answer:
    parse_query(request.url, {}, paged=False)
    version = routes.version(version_id)
    build_id = bodies.parse_build_linkage(request.content)
    check_attach(routes.state, version, build_id)
    routes.state.attach_build(version_id, build_id)
    routes.changed = True
    return 204, None


_SORT_KEYS: dict[str, Callable[[BuildRecord], Any]] = {
    "version": lambda b: _sort_number(b.number),
    "uploadedDate": lambda b: b.uploaded_date or "",
    "preReleaseVersion": lambda b: _sort_number(b.train),
}


def _matches(build: BuildRecord, query: Query) -> bool:
    checks: dict[str, Callable[[str], bool]] = {
        "filter[app]": lambda f: build.app_id == f,
        "filter[version]": lambda f: build.number == f,
        "filter[preReleaseVersion.version]": lambda f: build.train == f,
        "filter[preReleaseVersion.platform]": lambda f: build.platform == f,
        "filter[preReleaseVersion]": lambda f: (
            pre_release_id(build.app_id, build.platform, build.train) == f
        ),
        "filter[processingState]": lambda f: build.processing_state == f,
        "filter[expired]": lambda f: str(build.expired).lower() == f,
        "filter[buildAudienceType]": lambda f: build.audience == f,
        "filter[appStoreVersion]": lambda f: build.version_id == f,
        "filter[id]": lambda f: build.id == f,
    }
    for name, check in checks.items():
        wanted = query.values(name)
        if wanted is not None and not any(check(f) for f in wanted):
            return False
    return True


def _with_includes(
    state: SandboxState, found: list[BuildRecord], request: httpx.Request, query: Query
) -> tuple[list[Json], list[Json]]:
    base = base_url(request)
    names = set(query.values("include") or [])
    linked = frozenset(names & {"app", "preReleaseVersion", "appStoreVersion"})
    data = [
        build_resource(b, base, fields=query.values("fields[builds]"), linked=linked) for b in found
    ]
    included: list[Json] = []
    seen: set[str] = set()
    for build in found:
        app = state.apps.get(build.app_id)
        if "app" in names and app is not None and f"apps/{app.id}" not in seen:
            seen.add(f"apps/{app.id}")
            included.append(app_resource(app, base, fields=query.values("fields[apps]")))
        if "preReleaseVersion" in names:
            train = pre_release_resource(
                build.app_id,
                build.platform,
                build.train,
                base,
                fields=query.values("fields[preReleaseVersions]"),
            )
            if train["id"] not in seen:
                seen.add(train["id"])
                included.append(train)
        version = state.version(build.version_id or "")
        if "appStoreVersion" in names and version is not None and version.id not in seen:
            seen.add(version.id)
            fields = query.values("fields[appStoreVersions]")
            included.append(version_resource(version, base, fields=fields))
    return data, included
