"""read_state(client, manifest) -> RemoteState, in as few requests as possible.

One `GET /v1/apps` per batch of up to 50 bundle ids, with each app's versions included
(up to 50 per app) and sparse fieldsets. Only an app whose included relationship
reports more versions than were included (or links versions `included` does not carry) costs a
further, paged, per-app list. Bundle ids and
platforms are matched here, client-side: Apple's filters are not exact (FACTS R10).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from reconciler.asc import AppStoreVersion, AscClient, parse_app, parse_app_store_version, query
from reconciler.errors import UnexpectedResponseError
from reconciler.kinds import version as version_kind
from reconciler.kinds.version import READ_FIELDS
from reconciler.kinds.version_states import current_state
from reconciler.manifest import Manifest, Platform
from reconciler.plan import Target
from reconciler.planner import is_targeted
from reconciler.state import RemoteApp, RemoteState, RemoteVersion

__all__ = ["BATCH_SIZE", "read_state", "to_remote_version"]

BATCH_SIZE = 50
# Bundle ids per request are also capped by length, keeping URLs well under the ~8 KB that
# proxies and servers commonly accept.
MAX_FILTER_CHARS = 2000


def read_state(
    client: AscClient, manifest: Manifest, targets: Iterable[Target] | None = None
) -> RemoteState:
    """The remote apps and versions the manifest (or its targets) is about."""
    wanted = _wanted_platforms(manifest, targets)
    apps: dict[str, RemoteApp] = {}
    for batch in _batches(sorted(wanted)):
        data, included = client.collect("/v1/apps", _apps_query(batch))
        versions = {
            r["id"]: parse_app_store_version(r)
            for r in included
            if r.get("type") == version_kind.API_TYPE
        }
        for resource in data:
            app = parse_app(resource)
            if app.bundle_id not in batch or app.bundle_id in apps:
                continue  # an inexact filter match (R10), or a repeat on a later page
            related = app.app_store_versions
            linked = related.ids if related is not None and related.complete else None
            if linked is not None and all(i in versions for i in linked):
                found = [versions[i] for i in linked]
            else:
                # Cut short, not included, or linking ids `included` lacks: never plan from
                # a partial list (a create next to an existing version); list them instead.
                found = _list_versions(client, app.id)
            platforms = {p.api for p in wanted[app.bundle_id]}
            apps[app.bundle_id] = RemoteApp(
                id=app.id,
                bundle_id=app.bundle_id,
                name=app.name,
                versions=tuple(
                    sorted(
                        (to_remote_version(v) for v in found if v.platform in platforms),
                        key=lambda v: v.id,
                    )
                ),
            )
    return RemoteState(apps=dict(sorted(apps.items())))


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


def _apps_query(bundle_ids: Sequence[str]) -> dict[str, str]:
    return query(
        filters={"bundleId": list(bundle_ids)},
        include=[version_kind.API_TYPE],
        fields={
            "apps": ["bundleId", "name", version_kind.API_TYPE],
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
