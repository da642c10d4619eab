"""The second phase of reading: what hangs off the versions the manifest manages children of.

Apple allows no nested include on `/v1/apps` (FACTS-2 R12), so each app that manages any
child costs one `GET /v1/apps/{id}/appStoreVersions?filter[id]=…&include=…`, for only the
versions the plan is about (every platform of the app at once), with every localization
(R13: included lists default to 10; 50 is every locale). Builds are read for many apps at
once, by the numbers the manifest names (`GET /v1/builds?filter[app]=…&filter[version]=…`),
and matched client-side. An app that manages no child costs nothing here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import partial

from reconciler.asc import AscClient, JsonDict, Resource, parse_resource, query
from reconciler.errors import UnexpectedResponseError
from reconciler.kinds import build as build_kind
from reconciler.kinds import localization as localization_kind
from reconciler.kinds import version as version_kind
from reconciler.kinds.version import resolve
from reconciler.manifest import Manifest, Platform, PlatformRelease
from reconciler.pool import run_bounded
from reconciler.state import (
    RemoteApp,
    RemoteBuild,
    RemoteLocalization,
    RemotePhasedRelease,
    VersionChildren,
)

__all__ = ["BUILD_APPS_PER_REQUEST", "read_children"]

BUILD_APPS_PER_REQUEST = 50
_PHASED = "appStoreVersionPhasedReleases"
_RELATIONSHIPS = (localization_kind.API_TYPE, "build", "appStoreVersionPhasedRelease")
_INCLUDED_LOCALIZATIONS = 50  # every locale Apple has (R13)
_ATTACHED_BUILD_FIELDS = (
    "version",
    "processingState",
    "expired",
    "buildAudienceType",
    "uploadedDate",
)


def read_children(
    client: AscClient,
    manifest: Manifest,
    apps: Mapping[str, RemoteApp],
    wanted: Mapping[str, set[Platform]],
    *,
    parallelism: int = 1,
) -> dict[str, RemoteApp]:
    """`apps` with the children of the versions each managed release is about, and the builds
    the manifest names."""
    version_ids: dict[str, list[str]] = {}
    numbers: dict[str, set[str]] = {}
    for bundle_id, app in apps.items():
        for release in _releases(manifest, bundle_id, wanted.get(bundle_id, set())):
            platform, spec = release
            found = resolve(app, platform, spec)
            ids = [v.id for v in (found.version, found.previous) if v is not None]
            if ids:
                version_ids.setdefault(bundle_id, []).extend(ids)
            if spec.build is not None:
                numbers.setdefault(bundle_id, set()).add(spec.build)
    with_children = sorted(version_ids)
    read = run_bounded(
        [
            partial(_versions_with_children, client, apps[b].id, version_ids[b])
            for b in with_children
        ],
        parallelism,
    )
    children = dict(zip(with_children, read, strict=True))
    builds = _builds(client, {apps[b].id: numbers[b] for b in sorted(numbers)}, parallelism)
    updated: dict[str, RemoteApp] = {}
    for bundle_id, app in apps.items():
        mine = children.get(bundle_id, {})
        versions = tuple(
            v.model_copy(update={"children": mine[v.id]}) if v.id in mine else v
            for v in app.versions
        )
        own_builds = tuple(sorted(builds.get(app.id, []), key=lambda b: b.id))
        updated[bundle_id] = app.model_copy(update={"versions": versions, "builds": own_builds})
    return updated


def _releases(
    manifest: Manifest, bundle_id: str, platforms: set[Platform]
) -> Iterator[tuple[Platform, PlatformRelease]]:
    entry = manifest.apps.get(bundle_id)
    if entry is None:
        return
    for platform, spec in entry.platforms().items():
        if platform in platforms and isinstance(spec, PlatformRelease) and spec.manages_children():
            yield platform, spec


def _versions_with_children(
    client: AscClient, app_id: str, version_ids: Sequence[str]
) -> dict[str, VersionChildren]:
    ids = sorted(set(version_ids))
    params = query(
        filters={"id": ids},
        include=list(_RELATIONSHIPS),
        fields={
            version_kind.API_TYPE: [*version_kind.READ_FIELDS, *_RELATIONSHIPS],
            localization_kind.API_TYPE: list(localization_kind.READ_FIELDS),
            build_kind.API_TYPE: list(_ATTACHED_BUILD_FIELDS),
            _PHASED: ["phasedReleaseState"],
        },
        limit=200,
        limits={localization_kind.API_TYPE: _INCLUDED_LOCALIZATIONS},
    )
    path = version_kind.list_path(app_id)
    data, included = client.collect(path, params)
    by_key = {(str(r.get("type")), str(r.get("id"))): r for r in included}
    found: dict[str, VersionChildren] = {}
    for raw in data:
        version = parse_resource(raw, version_kind.API_TYPE)
        if version.id in ids:  # Apple's filters are not exact (R10)
            found[version.id] = _children(version, by_key, path)
    missing = [i for i in ids if i not in found]
    if missing:
        raise UnexpectedResponseError("GET", path, f"versions {', '.join(missing)} were not listed")
    return found


def _children(
    version: Resource, included: Mapping[tuple[str, str], JsonDict], path: str
) -> VersionChildren:
    def refuse(what: str) -> UnexpectedResponseError:
        return UnexpectedResponseError("GET", path, f"version {version.id}: {what}")

    related = version.to_many(localization_kind.API_TYPE)
    if related is None or related.ids is None:
        raise refuse("its localizations were not included")
    if not related.complete:  # more than every locale Apple has: never plan from a part
        raise refuse(f"{related.total} localizations, more than the {len(related.ids)} included")
    localizations = []
    for rid in related.ids:
        raw = included.get((localization_kind.API_TYPE, rid))
        if raw is None:
            raise refuse(f"localization {rid} is linked but not included")
        loc = parse_resource(raw, localization_kind.API_TYPE)
        localizations.append(
            RemoteLocalization(
                id=loc.id,
                locale=loc.text("locale") or "",
                whats_new=loc.text("whatsNew"),
                promotional_text=loc.text("promotionalText"),
            )
        )
    return VersionChildren(
        localizations=tuple(sorted(localizations, key=lambda loc: loc.locale)),
        build=_linked_build(version, included, refuse),
        phased_release=_linked_phased(version, included, refuse),
    )


def _linked_build(
    version: Resource,
    included: Mapping[tuple[str, str], JsonDict],
    refuse: Callable[[str], UnexpectedResponseError],
) -> RemoteBuild | None:
    if not version.has_linkage("build"):
        raise refuse("its build was not included")
    build_id = version.to_one("build")
    if build_id is None:
        return None
    raw = included.get((build_kind.API_TYPE, build_id))
    if raw is None:
        raise refuse(f"build {build_id} is linked but not included")
    return _build(parse_resource(raw, build_kind.API_TYPE), version_id=version.id)


def _linked_phased(
    version: Resource,
    included: Mapping[tuple[str, str], JsonDict],
    refuse: Callable[[str], UnexpectedResponseError],
) -> RemotePhasedRelease | None:
    relationship = "appStoreVersionPhasedRelease"
    if not version.has_linkage(relationship):
        raise refuse("its phased release was not included")
    phased_id = version.to_one(relationship)
    if phased_id is None:
        return None
    raw = included.get((_PHASED, phased_id))
    if raw is None:
        raise refuse(f"phased release {phased_id} is linked but not included")
    phased = parse_resource(raw, _PHASED)
    return RemotePhasedRelease(id=phased.id, state=phased.text("phasedReleaseState") or "")


def _build(
    build: Resource,
    *,
    train: str | None = None,
    platform: str | None = None,
    version_id: str | None = None,
) -> RemoteBuild:
    return RemoteBuild(
        id=build.id,
        number=build.text("version") or "",
        train=train,
        platform=platform,
        processing_state=build.text("processingState"),
        audience=build.text("buildAudienceType"),
        expired=build.flag("expired"),
        uploaded_date=build.text("uploadedDate"),
        version_id=version_id,
    )


def _builds(
    client: AscClient, numbers: Mapping[str, set[str]], parallelism: int
) -> dict[str, list[RemoteBuild]]:
    """The builds of each app (by id) whose number the manifest names, in batches of apps."""
    app_ids = sorted(numbers)
    batches = [
        app_ids[i : i + BUILD_APPS_PER_REQUEST]
        for i in range(0, len(app_ids), BUILD_APPS_PER_REQUEST)
    ]
    pages = run_bounded(
        [partial(_build_batch, client, batch, numbers) for batch in batches], parallelism
    )
    found: dict[str, list[RemoteBuild]] = {}
    for page in pages:
        for app_id, build in page:
            found.setdefault(app_id, []).append(build)
    return found


def _build_batch(
    client: AscClient, app_ids: Sequence[str], numbers: Mapping[str, set[str]]
) -> list[tuple[str, RemoteBuild]]:
    wanted_numbers = sorted(set().union(*(numbers[a] for a in app_ids)))
    params = query(
        filters={"app": list(app_ids), "version": wanted_numbers},
        include=["preReleaseVersion", "appStoreVersion", "app"],
        fields={
            build_kind.API_TYPE: list(build_kind.READ_FIELDS),
            "preReleaseVersions": ["version", "platform"],
            version_kind.API_TYPE: ["platform"],
            "apps": ["bundleId"],
        },
        limit=200,
    )
    data, included = client.collect("/v1/builds", params)
    trains = {
        r["id"]: parse_resource(r, "preReleaseVersions")
        for r in included
        if r.get("type") == "preReleaseVersions"
    }
    found: list[tuple[str, RemoteBuild]] = []
    for raw in data:
        build = parse_resource(raw, build_kind.API_TYPE)
        app_id = build.to_one("app")
        number = build.text("version")
        # The filters cross apps with numbers, and Apple's are not exact: keep only pairs asked.
        if app_id is None or app_id not in app_ids or number not in numbers[app_id]:
            continue
        train = trains.get(build.to_one("preReleaseVersion") or "")
        found.append(
            (
                app_id,
                _build(
                    build,
                    train=train.text("version") if train else None,
                    platform=train.text("platform") if train else None,
                    version_id=build.to_one("appStoreVersion"),
                ),
            )
        )
    return found
