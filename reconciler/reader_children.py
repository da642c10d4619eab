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

__all__ = ["BUILD_APPS_PER_REQUEST", "read_children", "with_children"]

BUILD_APPS_PER_REQUEST = 50
_PHASED = "appStoreVersionPhasedReleases"
_RELATIONSHIPS = (localization_kind.API_TYPE, "build", "appStoreVersionPhasedRelease")
_INCLUDED_LOCALIZATIONS = 50  # every locale Apple has (R13)


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
            if found.outcome == "blocked":
                continue  # nothing that hangs off it is planned
            # The previous version's locales are what `default` and a new version's texts
            # expand over (Apple copies them, R18); nothing else needs them.
            # A submission checks a new version's release notes over those locales too (R16).
            texts = spec.release_notes is not None or spec.promotional_text is not None
            previous = found.previous if texts or spec.submit else None
            ids = [v.id for v in (found.version, previous) if v is not None]
            if ids:
                version_ids.setdefault(bundle_id, []).extend(ids)
            if spec.build is not None:
                numbers.setdefault(bundle_id, set()).add(spec.build)
    return with_children(client, apps, version_ids, numbers, parallelism=parallelism)


def with_children(
    client: AscClient,
    apps: Mapping[str, RemoteApp],
    version_ids: Mapping[str, Sequence[str]],
    numbers: Mapping[str, set[str]],
    *,
    parallelism: int = 1,
) -> dict[str, RemoteApp]:
    """`apps` with the children of the versions named per app, and the builds of the
    numbers named per app: one request per app, and one per 50 apps of builds."""
    reading = sorted(version_ids)
    read = run_bounded(
        [partial(_versions_with_children, client, apps[b].id, version_ids[b]) for b in reading],
        parallelism,
    )
    children = dict(zip(reading, read, strict=True))
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
            build_kind.API_TYPE: list(build_kind.ATTRIBUTES),
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
    localizations: dict[str, RemoteLocalization] = {}
    for rid in related.ids:
        raw = included.get((localization_kind.API_TYPE, rid))
        if raw is None:
            raise refuse(f"localization {rid} is linked but not included")
        loc = parse_resource(raw, localization_kind.API_TYPE)
        locale = loc.text("locale")
        if not locale or locale in localizations:  # never plan from a list we cannot read
            raise refuse(f"localization {rid} has {'no' if not locale else 'a repeated'} locale")
        localizations[locale] = RemoteLocalization(
            id=loc.id,
            locale=locale,
            whats_new=loc.text("whatsNew"),
            promotional_text=loc.text("promotionalText"),
            missing=tuple(n for n in localization_kind.REVIEW_FIELDS if not loc.text(n)),
        )
    return VersionChildren(
        localizations=tuple(localizations[locale] for locale in sorted(localizations)),
        build=_linked_build(version, included, refuse),
        phased_release=_linked_phased(version, included, refuse),
    )


def _linked_build(
    version: Resource,
    included: Mapping[tuple[str, str], JsonDict],
    refuse: Callable[[str], UnexpectedResponseError],
) -> RemoteBuild | None:
    build_id = _linked(version, "build", refuse)
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
    phased_id = _linked(version, "appStoreVersionPhasedRelease", refuse)
    if phased_id is None:
        return None
    raw = included.get((_PHASED, phased_id))
    if raw is None:
        raise refuse(f"phased release {phased_id} is linked but not included")
    phased = parse_resource(raw, _PHASED)
    state = phased.text("phasedReleaseState")
    if not state:
        raise refuse(f"phased release {phased_id} has no phasedReleaseState")
    return RemotePhasedRelease(id=phased.id, state=state)


def _linked(
    version: Resource, relationship: str, refuse: Callable[[str], UnexpectedResponseError]
) -> str | None:
    """The id a to-one relationship links, or None for `data: null`; anything else (not
    included, or a linkage we cannot read) is refused rather than read as "none"."""
    if not version.has_linkage(relationship):
        raise refuse(f"its {relationship} was not included")
    linked = version.to_one(relationship)
    if linked is None and version.relationships[relationship].get("data") is not None:
        raise refuse(f"its {relationship} linkage cannot be read")
    return linked


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
    parsed = [
        parse_resource(r, "preReleaseVersions")
        for r in included
        if r.get("type") == "preReleaseVersions"
    ]
    trains = {train.id: train for train in parsed}
    found: list[tuple[str, RemoteBuild]] = []
    for raw in data:
        build = parse_resource(raw, build_kind.API_TYPE)
        app_id = build.to_one("app")
        if app_id is None:  # included, so always linked: never read a build as missing
            raise UnexpectedResponseError("GET", "/v1/builds", f"build {build.id} has no app")
        number = build.text("version")
        # The filters cross apps with numbers, and Apple's are not exact: keep only pairs asked.
        if app_id not in app_ids or number not in numbers[app_id]:
            continue
        train = trains.get(build.to_one("preReleaseVersion") or "")
        if train is None:  # included, so always there: a build of no known train is no match
            raise UnexpectedResponseError(
                "GET", "/v1/builds", f"build {build.id}: its pre-release version is not included"
            )
        found.append(
            (
                app_id,
                _build(
                    build,
                    train=train.text("version"),
                    platform=train.text("platform"),
                    version_id=build.to_one("appStoreVersion"),
                ),
            )
        )
    return found
