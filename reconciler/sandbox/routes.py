"""The operations the sandbox serves, with Apple's answers for paths and methods it does not.

Each handler takes the request and returns (status, JSON body or None); an error is raised as an
`ApiProblem`. Apps and versions are handled here; localizations, builds and phased releases in
their own modules (localizations.py, builds.py, phased.py), whose handlers take this `Routes`.
`Routes.hidden` names resources that list reads must not show yet (eventual consistency, R9),
and `Routes.changed` is set when a request wrote to the state.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx

from reconciler.sandbox import bodies, builds, errors, localizations, phased, release, review, rules
from reconciler.sandbox.documents import (
    Linkage,
    Page,
    app_resource,
    base_url,
    build_resource,
    collection,
    localization_resource,
    phased_release_resource,
    single,
    version_resource,
)
from reconciler.sandbox.params import Query, parse_query
from reconciler.sandbox.review_rules import ReviewTimers
from reconciler.sandbox.spec import (
    APPS_COLLECTION_PARAMETERS,
    APPS_INSTANCE_PARAMETERS,
    VERSION_INSTANCE_PARAMETERS,
    VERSIONS_COLLECTION_PARAMETERS,
)
from reconciler.sandbox.state import AppRecord, SandboxState, VersionRecord

__all__ = ["DEFAULT_INCLUDE_LIMIT", "DEFAULT_LIMIT", "Routes"]

Json = dict[str, Any]
Answer = tuple[int, Json | None]

# Page sizes when the client names none (UNVERIFIED: Apple documents no defaults).
DEFAULT_LIMIT = 20
DEFAULT_INCLUDE_LIMIT = 10

_ID = "([^/]+)"
_PATHS: list[tuple[re.Pattern[str], str, str]] = [
    (re.compile(rf"^/v1/{kind}{tail}$"), kind, shape)
    for kind, tail, shape in [
        ("apps", "", "collection"),
        ("apps", f"/{_ID}", "instance"),
        ("apps", f"/{_ID}/appStoreVersions", "related"),
        ("appStoreVersions", "", "collection"),
        ("appStoreVersions", f"/{_ID}", "instance"),
        ("appStoreVersions", f"/{_ID}/appStoreVersionLocalizations", "localizations"),
        ("appStoreVersions", f"/{_ID}/appStoreVersionPhasedRelease", "phasedRelease"),
        ("appStoreVersions", f"/{_ID}/build", "build"),
        ("appStoreVersions", f"/{_ID}/relationships/build", "buildLinkage"),
        ("appStoreVersionLocalizations", "", "collection"),
        ("appStoreVersionLocalizations", f"/{_ID}", "instance"),
        ("appStoreVersionPhasedReleases", "", "collection"),
        ("appStoreVersionPhasedReleases", f"/{_ID}", "instance"),
        ("builds", "", "collection"),
        ("builds", f"/{_ID}", "instance"),
        ("reviewSubmissions", "", "collection"),
        ("reviewSubmissions", f"/{_ID}", "instance"),
        ("reviewSubmissions", f"/{_ID}/items", "items"),
        ("reviewSubmissionItems", "", "collection"),
        ("reviewSubmissionItems", f"/{_ID}", "instance"),
        ("appStoreVersionReleaseRequests", "", "collection"),
        ("appStoreVersionReleaseRequests", f"/{_ID}", "instance"),
    ]
]
_OPERATIONS = {
    ("collection", "GET"): "GET_COLLECTION",
    ("collection", "POST"): "CREATE",
    ("instance", "GET"): "GET_INSTANCE",
    ("instance", "PATCH"): "UPDATE",
    ("instance", "DELETE"): "DELETE",
}
# The operations Apple allows on each resource type (R11): others answer 403.
ALLOWED = {
    "apps": ["GET_COLLECTION", "GET_INSTANCE"],
    "appStoreVersions": ["CREATE", "DELETE", "GET_INSTANCE", "UPDATE"],
    "appStoreVersionLocalizations": ["CREATE", "DELETE", "GET_INSTANCE", "UPDATE"],
    "appStoreVersionPhasedReleases": ["CREATE", "DELETE", "UPDATE"],
    # Apple also allows UPDATE (PATCH /v1/builds/{id}); the sandbox does not serve it.
    "builds": ["GET_COLLECTION", "GET_INSTANCE"],
    "reviewSubmissions": ["CREATE", "GET_COLLECTION", "GET_INSTANCE", "UPDATE"],
    # Apple also allows UPDATE (resolved, removed); the sandbox does not serve it.
    "reviewSubmissionItems": ["CREATE", "DELETE"],
    "appStoreVersionReleaseRequests": ["CREATE"],
}
Handler = Callable[..., Answer]
# (kind, shape, method) -> handler(routes, request, *ids), for everything but apps and versions.
_HANDLERS: dict[tuple[str, str, str], Handler] = {
    ("appStoreVersions", "localizations", "GET"): localizations.get_of_version,
    ("appStoreVersionLocalizations", "instance", "GET"): localizations.get_instance,
    ("appStoreVersionLocalizations", "collection", "POST"): localizations.create,
    ("appStoreVersionLocalizations", "instance", "PATCH"): localizations.update,
    ("appStoreVersionLocalizations", "instance", "DELETE"): localizations.delete,
    ("appStoreVersions", "phasedRelease", "GET"): phased.get_of_version,
    ("appStoreVersionPhasedReleases", "collection", "POST"): phased.create,
    ("appStoreVersionPhasedReleases", "instance", "PATCH"): phased.update,
    ("appStoreVersionPhasedReleases", "instance", "DELETE"): phased.delete,
    ("appStoreVersions", "build", "GET"): builds.get_of_version,
    ("appStoreVersions", "buildLinkage", "GET"): builds.get_linkage,
    ("appStoreVersions", "buildLinkage", "PATCH"): builds.update_linkage,
    ("builds", "collection", "GET"): builds.get_collection,
    ("builds", "instance", "GET"): builds.get_instance,
    ("reviewSubmissions", "collection", "GET"): review.get_collection,
    ("reviewSubmissions", "collection", "POST"): review.create,
    ("reviewSubmissions", "instance", "GET"): review.get_instance,
    ("reviewSubmissions", "instance", "PATCH"): review.update,
    ("reviewSubmissions", "items", "GET"): review.get_items,
    ("reviewSubmissionItems", "collection", "POST"): review.create_item,
    ("reviewSubmissionItems", "instance", "DELETE"): review.delete_item,
    ("appStoreVersionReleaseRequests", "collection", "POST"): release.create,
}


_SORT_KEYS: dict[str, Callable[[AppRecord], str]] = {
    "name": lambda a: a.name,
    "bundleId": lambda a: a.bundle_id,
    "sku": lambda a: a.sku,
}


class Routes:
    def __init__(self, state: SandboxState, clock: Callable[[], datetime]) -> None:
        self.state = state
        self.clock = clock
        self.hidden: set[str] = set()
        self.changed = False
        self.review_timers = ReviewTimers()

    def dispatch(self, request: httpx.Request) -> Answer:
        # A read is when Apple's slow moves show: a version added for review becoming
        # READY_FOR_REVIEW, a cancelled submission COMPLETE (review_rules.ReviewTimers).
        self.changed = request.method == "GET" and self.review_timers.tick(self.state)
        path = request.url.path
        for pattern, kind, shape in _PATHS:
            match = pattern.match(path)
            if match:
                return self._operation(request, kind, shape, match.groups())
        raise errors.not_found_path()

    def _operation(
        self, request: httpx.Request, kind: str, shape: str, ids: tuple[str | Any, ...]
    ) -> Answer:
        handler = _HANDLERS.get((kind, shape, request.method))
        if handler is not None:
            return handler(self, request, *ids)
        if shape == "related" and request.method == "GET":
            return self._apps_get_related(request, *ids)
        operation = _OPERATIONS.get((shape, request.method))
        if operation is None:
            raise errors.method_not_allowed(request.method)
        if operation not in ALLOWED[kind] or kind not in ("apps", "appStoreVersions"):
            raise errors.forbidden_operation(kind, operation, ALLOWED[kind])
        method: Handler = getattr(self, f"_{kind}_{operation.lower()}")
        return method(request, *ids)

    # --- apps -----------------------------------------------------------------------------

    def _apps_get_collection(self, request: httpx.Request) -> Answer:
        query = parse_query(request.url, APPS_COLLECTION_PARAMETERS, paged=True)
        matches = self._app_filter(query)
        apps = [a for a in self.state.apps.values() if matches(a)]
        for key in reversed(query.values("sort") or []):
            apps.sort(key=_SORT_KEYS[key.lstrip("-")], reverse=key.startswith("-"))
        page = Page(apps, query.cursor, query.ints.get("limit", DEFAULT_LIMIT))
        data, included = self._apps_with_includes(page.items, request, query)
        return 200, collection(data, request.url, page, included)

    def _apps_get_instance(self, request: httpx.Request, app_id: str) -> Answer:
        query = parse_query(request.url, APPS_INSTANCE_PARAMETERS, paged=False)
        app = self._app(app_id)
        data, included = self._apps_with_includes([app], request, query)
        return 200, single(data[0], request.url, included)

    def _apps_get_related(self, request: httpx.Request, app_id: str) -> Answer:
        query = parse_query(request.url, VERSIONS_COLLECTION_PARAMETERS, paged=True)
        app = self._app(app_id)
        versions = [v for v in self._visible(app.id) if _version_matches(v, query)]
        page = Page(versions, query.cursor, query.ints.get("limit", DEFAULT_LIMIT))
        data, included = self._versions_with_includes(page.items, request, query)
        return 200, collection(data, request.url, page, included)

    def _app(self, app_id: str) -> AppRecord:
        app = self.state.apps.get(app_id)
        if app is None:
            raise errors.not_found_resource("apps", app_id)
        return app

    def _visible(self, app_id: str) -> list[VersionRecord]:
        return [v for v in self.state.versions(app_id) if v.id not in self.hidden]

    def _app_filter(self, query: Query) -> Callable[[AppRecord], bool]:
        """The query's filters on apps, prepared once per request rather than once per app."""
        bundle_ids = _prefix_filter(query.values("filter[bundleId]"))
        checks: dict[str, Callable[[AppRecord, str], bool]] = {
            "filter[name]": lambda a, f: f.casefold() in a.name.casefold(),
            "filter[sku]": lambda a, f: a.sku == f,
            "filter[id]": lambda a, f: a.id == f,
        }
        wanted = {name: values for name in checks if (values := query.values(name)) is not None}
        by_version: dict[str, Callable[[VersionRecord], str]] = {
            "filter[appStoreVersions]": lambda v: v.id,
            "filter[appStoreVersions.platform]": lambda v: v.platform,
            "filter[appStoreVersions.appStoreState]": lambda v: v.app_store_state,
            "filter[appStoreVersions.appVersionState]": lambda v: v.app_version_state,
        }
        on_versions = {name: attr for name, attr in by_version.items() if name in query.lists}

        def matches(app: AppRecord) -> bool:
            if not bundle_ids(app.bundle_id):
                return False
            for name, values in wanted.items():
                if not any(checks[name](app, f) for f in values):
                    return False
            if not on_versions:
                return True  # the app's versions are only read when a filter asks about them
            return any(
                all(attr(v) in query.lists[name] for name, attr in on_versions.items())
                for v in self.state.versions(app.id)
            )

        return matches

    def _apps_with_includes(
        self, apps: list[AppRecord], request: httpx.Request, query: Query
    ) -> tuple[list[Json], list[Json]]:
        base = base_url(request)
        fields = query.values("fields[apps]")
        if "appStoreVersions" not in (query.values("include") or []):
            return [app_resource(a, base, fields=fields) for a in apps], []
        limit = query.ints.get("limit[appStoreVersions]", DEFAULT_INCLUDE_LIMIT)
        version_fields = query.values("fields[appStoreVersions]")
        data, included = [], []
        for app in apps:
            page = Page(self._visible(app.id), 0, limit)
            data.append(app_resource(app, base, fields=fields, versions=page))
            included += [version_resource(v, base, fields=version_fields) for v in page.items]
        return data, included

    # --- appStoreVersions -----------------------------------------------------------------

    def _appStoreVersions_get_instance(self, request: httpx.Request, version_id: str) -> Answer:
        query = parse_query(request.url, VERSION_INSTANCE_PARAMETERS, paged=False)
        version = self._version(version_id)
        data, included = self._versions_with_includes([version], request, query)
        return 200, single(data[0], request.url, included)

    def _versions_with_includes(
        self, versions: list[VersionRecord], request: httpx.Request, query: Query
    ) -> tuple[list[Json], list[Json]]:
        """Versions with what `include` names: the app, localizations (capped at
        limit[appStoreVersionLocalizations], default 10, R13), build, phased release."""
        base = base_url(request)
        names = set(query.values("include") or [])
        fields = query.values("fields[appStoreVersions]")
        limit = query.ints.get("limit[appStoreVersionLocalizations]", DEFAULT_INCLUDE_LIMIT)
        data: list[Json] = []
        included: list[Json] = []
        seen: set[tuple[str, str]] = set()

        def add(resource: Json) -> None:
            key = (resource["type"], resource["id"])
            if key not in seen:
                seen.add(key)
                included.append(resource)

        for version in versions:
            if "app" in names:
                app = self.state.apps[version.app_id]
                add(app_resource(app, base, fields=query.values("fields[apps]")))
            page = None
            if "appStoreVersionLocalizations" in names:
                shown = [
                    r for r in self.state.localizations_of(version.id) if r.id not in self.hidden
                ]
                page = Page(shown, 0, limit)
                for record in page.items:
                    add(
                        localization_resource(
                            record,
                            base,
                            fields=query.values("fields[appStoreVersionLocalizations]"),
                        )
                    )
            build = self.state.builds.get(version.build_id or "")
            if "build" in names and build is not None:
                add(build_resource(build, base, fields=query.values("fields[builds]")))
            phased_release = self.state.phased_release_of(version.id)
            if "appStoreVersionPhasedRelease" in names and phased_release is not None:
                add(
                    phased_release_resource(
                        phased_release,
                        base,
                        fields=query.values("fields[appStoreVersionPhasedReleases]"),
                    )
                )
            linkage = Linkage(
                names,
                localizations=page,
                build_id=build.id if build else None,
                phased_release_id=phased_release.id if phased_release else None,
            )
            data.append(version_resource(version, base, fields=fields, linkage=linkage))
        return data, included

    def _appStoreVersions_create(self, request: httpx.Request) -> Answer:
        parse_query(request.url, {}, paged=False)
        body = bodies.parse_create(request.content)
        app_id = body.relationships["app"]["id"]
        if app_id not in self.state.apps:
            raise errors.relationship_invalid(
                "app", f"There is no resource of type 'apps' with id '{app_id}'"
            )
        _refuse_linkages(body.relationships, allowed={"app", "build"})
        problem = rules.check_create(self.state, app_id, body.attributes)
        if problem:
            raise problem
        build_id = (body.relationships.get("build") or {}).get("id")
        if build_id is not None:
            # The version to be: checked before anything is created, so a refusal leaves none.
            builds.check_attach(
                self.state,
                VersionRecord(
                    id="",
                    app_id=app_id,
                    platform=body.attributes["platform"],
                    version_string=body.attributes["versionString"],
                    app_version_state="PREPARE_FOR_SUBMISSION",
                    created_date="",
                ),
                build_id,
            )
        previous = self.state.versions(app_id, body.attributes["platform"])
        attrs = body.attributes
        date = attrs.get("earliestReleaseDate")
        version_id = self.state.add_version(
            app_id,
            platform=attrs["platform"],
            version_string=attrs["versionString"],
            copyright=attrs.get("copyright"),
            release_type=attrs.get("releaseType"),
            earliest_release_date=rules.normal_instant(date) if date else None,
            review_type=attrs.get("reviewType") or "APP_STORE",
            uses_idfa=attrs.get("usesIdfa"),
            created_date=self.clock(),
        )
        localizations.create_with_version(self.state, version_id, previous[0] if previous else None)
        if build_id is not None:
            self.state.attach_build(version_id, build_id)
        self.changed = True
        version = self.state.version_records[version_id]
        return 201, single(
            version_resource(version, base_url(request)), _self_url(request, version)
        )

    def _appStoreVersions_update(self, request: httpx.Request, version_id: str) -> Answer:
        parse_query(request.url, {}, paged=False)
        version = self._version(version_id)
        body = bodies.parse_update(request.content, version_id)
        _refuse_linkages(body.relationships, allowed={"build"})
        problem = rules.check_update(version, self.state, body.attributes)
        if problem:
            raise problem
        build_id = (body.relationships.get("build") or {}).get("id")
        if build_id is not None:
            builds.check_attach(self.state, version, build_id)
        _apply_update(version, body.attributes)
        if build_id is not None:
            self.state.attach_build(version.id, build_id)
        self.changed = True
        return 200, single(version_resource(version, base_url(request)), request.url)

    def _appStoreVersions_delete(self, request: httpx.Request, version_id: str) -> Answer:
        parse_query(request.url, {}, paged=False)
        version = self._version(version_id)
        problem = rules.check_delete(version)
        if problem:
            raise problem
        self.state.remove_version(version_id)
        self.changed = True
        return 204, None

    def version(self, version_id: str) -> VersionRecord:
        """The version of a path, or Apple's 404."""
        return self._version(version_id)

    def _version(self, version_id: str) -> VersionRecord:
        version = self.state.version(version_id)
        if version is None:
            raise errors.not_found_resource("appStoreVersions", version_id)
        return version


def _prefix_filter(wanted: list[str] | None) -> Callable[[str], bool]:
    """filter[bundleId] is a prefix match, not exact, as Apple's is inexact (R10). A set lookup
    per distinct filter length, not a startswith per filter: a page names up to 50."""
    if wanted is None:
        return lambda _: True
    prefixes = set(wanted)
    lengths = sorted({len(f) for f in prefixes})
    return lambda text: any(text[:n] in prefixes for n in lengths)


def _version_matches(version: VersionRecord, query: Query) -> bool:
    # filter[versionString] is a prefix match: Apple's filters are not exact (R10).
    checks: dict[str, Callable[[str], bool]] = {
        "filter[platform]": lambda f: version.platform == f,
        "filter[versionString]": lambda f: version.version_string.startswith(f),
        "filter[appStoreState]": lambda f: version.app_store_state == f,
        "filter[appVersionState]": lambda f: version.app_version_state == f,
        "filter[id]": lambda f: version.id == f,
    }
    for name, check in checks.items():
        wanted = query.values(name)
        if wanted is not None and not any(check(f) for f in wanted):
            return False
    return True


def _refuse_linkages(relationships: dict[str, Any], allowed: set[str]) -> None:
    # Linkages the sandbox does not keep (localizations on a create, App Clip experiences).
    for name, data in relationships.items():
        if name in allowed:
            continue
        items = data if isinstance(data, list) else [data]
        for item in items:
            raise errors.relationship_invalid(
                name, f"There is no resource of type '{item['type']}' with id '{item['id']}'"
            )


def _apply_update(version: VersionRecord, attributes: dict[str, Any]) -> None:
    if attributes.get("versionString") is not None:
        version.version_string = attributes["versionString"]
    if "copyright" in attributes:
        version.copyright = attributes["copyright"]
    if "reviewType" in attributes:
        version.review_type = attributes["reviewType"]
    if "releaseType" in attributes:
        version.release_type = attributes["releaseType"]
        if version.release_type != "SCHEDULED" and "earliestReleaseDate" not in attributes:
            version.earliest_release_date = None
    if "earliestReleaseDate" in attributes:
        date = attributes["earliestReleaseDate"]
        version.earliest_release_date = rules.normal_instant(date) if date else None
    if "usesIdfa" in attributes:
        version.uses_idfa = attributes["usesIdfa"]
    if attributes.get("downloadable") is not None:
        version.downloadable = attributes["downloadable"]


def _self_url(request: httpx.Request, version: VersionRecord) -> httpx.URL:
    return httpx.URL(f"{base_url(request)}/v1/appStoreVersions/{version.id}")
