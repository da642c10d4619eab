"""What `import` reads: the plan's reads, for every platform of the apps named (or of every
app the key can see), and the children of the version each platform entry imports (FACTS-2
R31). It never writes.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence

from reconciler.asc import AscClient, query
from reconciler.errors import UsageError
from reconciler.importer import chosen_version
from reconciler.manifest import Platform
from reconciler.reader import read_apps, read_every_app
from reconciler.reader_children import with_children
from reconciler.state import RemoteState

__all__ = ["read_for_import"]


def read_for_import(
    client: AscClient,
    bundle_ids: Sequence[str] | None,
    *,
    parallelism: int = 1,
    on_apps: Callable[[int], None] | None = None,
) -> RemoteState:
    """The apps named (None: every app), with what each platform entry needs; `on_apps` hears
    how many apps there are before their children are read."""
    if bundle_ids is None:
        apps = read_every_app(client, parallelism=parallelism)
    else:
        apps = read_apps(client, {b: set(Platform) for b in bundle_ids}, parallelism=parallelism)
        unknown = [b for b in bundle_ids if b not in apps]
        if unknown:
            raise UsageError(_unknown(client, unknown))
    version_ids = {
        bundle_id: [v.id for p in Platform if (v := chosen_version(app, p)) is not None]
        for bundle_id, app in apps.items()
    }
    version_ids = {b: ids for b, ids in version_ids.items() if ids}
    if on_apps is not None:
        on_apps(len(apps))
    return RemoteState(apps=with_children(client, apps, version_ids, {}, parallelism=parallelism))


def _unknown(client: AscClient, unknown: Sequence[str]) -> str:
    """Which bundle ids the account lacks, each with the nearest the key can see."""
    data, _ = client.collect("/v1/apps", query(fields={"apps": ["bundleId"]}, limit=200))
    known = sorted({str((r.get("attributes") or {}).get("bundleId")) for r in data})
    lines = []
    for bundle_id in unknown:
        by_folded = {b.lower(): b for b in known}  # Apple's bundle ids ignore letter case
        near = difflib.get_close_matches(bundle_id.lower(), list(by_folded), n=1, cutoff=0.6)
        hint = f" (did you mean {by_folded[near[0]]}?)" if near else ""
        lines.append(f"no app with bundle id {bundle_id} in App Store Connect{hint}")
    return "; ".join(lines)
