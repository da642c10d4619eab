"""read_state(client, manifest) -> RemoteState, in as few requests as possible.

One `GET /v1/apps` per batch of up to 50 bundle ids, with each app's versions included
(up to 50 per app) and sparse fieldsets. Only an app whose included relationship
reports more versions than were included (or links versions `included` does not carry) costs a
further, paged, per-app list. Bundle ids and
platforms are matched here, client-side: Apple's filters are not exact (FACTS R10).
The batches, and then the per-app lists, are independent: up to `parallelism` are in flight
(reconciler.pool), on the client's one connection pool. Then what hangs off the versions, for
the apps that manage any of it (`reader_children`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import partial

from reconciler.asc import (
    App,
    AppStoreVersion,
    AscClient,
    JsonDict,
    parse_app,
    parse_app_store_version,
    query,
)
from reconciler.errors import UnexpectedResponseError
from reconciler.kinds import version as version_kind
from reconciler.kinds.version import READ_FIELDS
from reconciler.kinds.version_states import current_state
from reconciler.manifest import Manifest, Platform
from reconciler.plan import Target
from reconciler.planner import is_targeted
from reconciler.pool import run_bounded
from reconciler.reader_children import read_children
from reconciler.reader_submissions import read_submissions
from reconciler.state import RemoteApp, RemoteState, RemoteVersion

__all__ = ["BATCH_SIZE", "read_apps", "read_every_app", "read_state", "to_remote_version"]

BATCH_SIZE = 50
# Bundle ids per request are also capped by length, keeping URLs well under the ~8 KB that
# proxies and servers commonly accept.
MAX_FILTER_CHARS = 2000


def read_state(
    client: AscClient,
    manifest: Manifest,
    targets: Iterable[Target] | None = None,
    *,
    parallelism: int = 1,
) -> RemoteState:
    """The remote apps and versions the manifest (or its targets) is about.

    Up to `parallelism` requests are in flight: first the batches, then the per-app lists.
    Each bundle id is looked for in its own batch only, and the result is sorted, so the
    state is the same whatever order the answers come in.
    """
    wanted = _wanted_platforms(manifest, targets)
    apps = read_apps(client, wanted, parallelism=parallelism)
    apps = read_children(client, manifest, apps, wanted, parallelism=parallelism)
    apps = read_submissions(client, manifest, apps, wanted, parallelism=parallelism)
    return RemoteState(apps=apps)


def read_apps(
    client: AscClient, wanted: Mapping[str, set[Platform]], *, parallelism: int = 1
) -> dict[str, RemoteApp]:
    """The apps named, each with its versions of the platforms named (no children), by
    bundle id; an app App Store Connect does not have is left out."""
    batches = list(_batches(sorted(wanted)))
    pages = run_bounded(
        [partial(client.collect, "/v1/apps", _apps_query(batch)) for batch in batches],
        parallelism,
    )
    found: dict[str, tuple[App, list[AppStoreVersion] | None]] = {}
    for batch, (data, included) in zip(batches, pages, strict=True):
        found.update(_apps_in(batch, data, included))
    return _with_versions(client, found, wanted, parallelism)


def read_every_app(client: AscClient, *, parallelism: int = 1) -> dict[str, RemoteApp]:
    """Every app the key can see, with its versions of every platform: one paged list."""
    data, included = client.collect("/v1/apps", _apps_query(None))
    found = _apps_in(None, data, included)
    return _with_versions(client, found, {b: set(Platform) for b in found}, parallelism)


def _with_versions(
    client: AscClient,
    found: Mapping[str, tuple[App, list[AppStoreVersion] | None]],
    wanted: Mapping[str, set[Platform]],
    parallelism: int,
) -> dict[str, RemoteApp]:
    short = [bundle_id for bundle_id, (_, versions) in found.items() if versions is None]
    lists = run_bounded(
        [partial(_list_versions, client, found[bundle_id][0].id) for bundle_id in short],
        parallelism,
    )
    listed = dict(zip(short, lists, strict=True))
    return {
        bundle_id: _remote_app(
            app, listed[bundle_id] if versions is None else versions, wanted[bundle_id]
        )
        for bundle_id, (app, versions) in sorted(found.items())
    }


def _apps_in(
    batch: Sequence[str] | None, data: list[JsonDict], included: list[JsonDict]
) -> dict[str, tuple[App, list[AppStoreVersion] | None]]:
    """The batch's apps found (every app, without a batch), each with its versions, or None
    where they must be listed."""
    versions = {
        r["id"]: parse_app_store_version(r)
        for r in included
        if r.get("type") == version_kind.API_TYPE
    }
    found: dict[str, tuple[App, list[AppStoreVersion] | None]] = {}
    for resource in data:
        app = parse_app(resource)
        if (batch is not None and app.bundle_id not in batch) or app.bundle_id in found:
            continue  # an inexact filter match (R10), or a repeat on a later page
        related = app.app_store_versions
        linked = related.ids if related is not None and related.complete else None
        if linked is not None and all(i in versions for i in linked):
            found[app.bundle_id] = (app, [versions[i] for i in linked])
        else:
            # Cut short, not included, or linking ids `included` lacks: never plan from
            # a partial list (a create next to an existing version); list them instead.
            found[app.bundle_id] = (app, None)
    return found


def _remote_app(app: App, versions: list[AppStoreVersion], platforms: set[Platform]) -> RemoteApp:
    apis = {p.api for p in platforms}
    return RemoteApp(
        id=app.id,
        bundle_id=app.bundle_id,
        name=app.name,
        primary_locale=app.primary_locale,
        versions=tuple(
            sorted(
                (to_remote_version(v) for v in versions if v.platform in apis),
                key=lambda v: v.id,
            )
        ),
    )


def _wanted_platforms(
    manifest: Manifest, targets: Iterable[Target] | None
) -> dict[str, set[Platform]]:
    chosen = list(targets) if targets is not None else None
    wanted: dict[str, set[Platform]] = {}
    for bundle_id, entry in manifest.apps.items():
        platforms = {p for p in entry.platforms() if is_targeted(chosen, bundle_id, p)}
        if platforms:
            wanted[bundle_id] = platforms
    return wanted


def _batches(bundle_ids: Sequence[str]) -> Iterator[list[str]]:
    batch: list[str] = []
    length = 0
    for bundle_id in bundle_ids:
        if batch and (len(batch) == BATCH_SIZE or length + len(bundle_id) + 1 > MAX_FILTER_CHARS):
            yield batch
            batch, length = [], 0
        batch.append(bundle_id)
        length += len(bundle_id) + 1
    if batch:
        yield batch


def _apps_query(bundle_ids: Sequence[str] | None) -> dict[str, str]:
    return query(
        filters={"bundleId": list(bundle_ids)} if bundle_ids is not None else None,
        include=[version_kind.API_TYPE],
        fields={
            "apps": ["bundleId", "name", "primaryLocale", version_kind.API_TYPE],
            version_kind.API_TYPE: READ_FIELDS,
        },
        limit=200,
        limits={version_kind.API_TYPE: 50},
    )


def _list_versions(client: AscClient, app_id: str) -> list[AppStoreVersion]:
    params = query(fields={version_kind.API_TYPE: READ_FIELDS}, limit=200)
    data, _ = client.collect(version_kind.list_path(app_id), params)
    return [parse_app_store_version(resource) for resource in data]


def to_remote_version(version: AppStoreVersion) -> RemoteVersion:
    """The client's resource as the pure layer's value; a date we cannot read is refused
    here, so the planner never meets one."""
    date = version.earliest_release_date
    if date is not None and version.earliest_release_instant is None:
        raise UnexpectedResponseError(
            "GET",
            version_kind.resource_path(version.id),
            f"{version_kind.api_name('earliest_release_date')} {date!r}",
        )
    return RemoteVersion(
        id=version.id,
        platform=version.platform,
        version_string=version.version_string,
        state=current_state(version.app_version_state, version.app_store_state),
        release_type=version.release_type,
        earliest_release_date=version.earliest_release_date,
        copyright=version.copyright,
    )
